//! Agent accounts: argon2 password hashes, the first admin that `wharf up`
//! creates, login tokens, and the failed-login limiter. Owns credentials
//! only; who may do what lives in `auth`.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
use entities::agent::{Presence, Role};
use entities::{agent, api_token};
use moka::sync::Cache;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
};

/// Failed logins allowed per email (and per client address) per window.
pub const MAX_FAILED_LOGINS: u32 = 5;
/// The window of [`MAX_FAILED_LOGINS`].
pub const LOGIN_WINDOW: Duration = Duration::from_secs(300);

/// An argon2id hash of `password` in PHC string form.
///
/// # Errors
/// Only if argon2 rejects its own default parameters.
/// Passwords too common to allow, whatever their length.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "letmein123",
    "welcome123",
    "admin1234",
    "changeme",
    "whatsapp",
    "support123",
    "11111111",
    "00000000",
    "abcdefgh",
];

/// The password policy beyond the API's length bounds (8–1024): not a
/// well-known password, not the account's email or its name part, at least
/// five distinct characters.
///
/// # Errors
/// What is wrong, for a 422 naming `password` (never the password itself).
pub fn check_password(password: &str, email: &str) -> Result<(), &'static str> {
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err("is a well-known password");
    }
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if lower == email || (local.len() >= 3 && lower.contains(local)) {
        return Err("must not contain the email address");
    }
    let distinct: std::collections::HashSet<char> = password.chars().collect();
    if distinct.len() < 5 {
        return Err("needs at least 5 different characters");
    }
    Ok(())
}

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches a stored PHC hash (constant time inside argon2).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Creates the admin agent `email` with `password`, or resets its password
/// and role when it exists (idempotent; `wharf up` calls it on every start).
///
/// # Errors
/// Database errors, or a hashing failure as `DbErr::Custom`.
pub async fn ensure_admin(
    db: &DatabaseConnection,
    email: &str,
    name: &str,
    password: &str,
) -> Result<agent::Model, DbErr> {
    let hash = hash_password(password).map_err(|e| DbErr::Custom(format!("hashing: {e}")))?;
    let existing = agent::Entity::find()
        .filter(agent::Column::Email.eq(email))
        .one(db)
        .await?;
    match existing {
        Some(row)
            if row
                .password_hash
                .as_deref()
                .is_some_and(|h| verify_password(password, h))
                && row.role() == Ok(Role::Admin) =>
        {
            Ok(row)
        }
        Some(row) => {
            let mut active: agent::ActiveModel = row.into();
            active.password_hash = Set(Some(hash));
            active.role = Set(Role::Admin.into());
            active.update(db).await
        }
        None => {
            agent::ActiveModel {
                email: Set(email.to_owned()),
                name: Set(name.to_owned()),
                role: Set(Role::Admin.into()),
                presence: Set(Presence::Offline.into()),
                capacity: Set(10),
                languages: Set(serde_json::json!(["en"])),
                password_hash: Set(Some(hash)),
                ..Default::default()
            }
            .insert(db)
            .await
        }
    }
}

/// A fresh random token (shown once; only its hash is stored).
pub fn new_token() -> String {
    let bytes: [u8; 24] = rand::rng().random();
    format!("wharf_{}", hex::encode(bytes))
}

/// Stores a login token for `agent` and returns the token.
///
/// # Errors
/// Database errors.
pub async fn issue_login_token(
    db: &DatabaseConnection,
    agent: &agent::Model,
) -> Result<String, DbErr> {
    let token = new_token();
    api_token::ActiveModel {
        name: Set(format!(
            "login:{}:{}",
            agent.id,
            &crate::tokens::hash_token(&token)[..12]
        )),
        token_hash: Set(crate::tokens::hash_token(&token)),
        agent_id: Set(Some(agent.id)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Counts failed logins per key (an email, a client address) over a window.
pub struct LoginLimiter {
    failures: Cache<String, u32>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self {
            failures: Cache::builder()
                .time_to_live(LOGIN_WINDOW)
                .max_capacity(100_000)
                .build(),
        }
    }
}

impl LoginLimiter {
    /// True when any of `keys` has used up its failed attempts.
    pub fn blocked(&self, keys: &[String]) -> bool {
        keys.iter()
            .any(|k| self.failures.get(k).is_some_and(|n| n >= MAX_FAILED_LOGINS))
    }

    /// Records one failed attempt for each key.
    pub fn failed(&self, keys: &[String]) {
        for key in keys {
            let n = self.failures.get(key).unwrap_or(0);
            self.failures.insert(key.clone(), n + 1);
        }
    }

    /// Forgets the failures of `keys` after a successful login.
    pub fn succeeded(&self, keys: &[String]) {
        for key in keys {
            self.failures.invalidate(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_policy_refuses_common_personal_and_monotonous_passwords() {
        assert!(check_password("correct horse battery", "ana@example.com").is_ok());
        assert_eq!(
            check_password("Password123", "ana@example.com"),
            Err("is a well-known password")
        );
        assert_eq!(
            check_password("ana-the-agent-2026", "Ana@Example.com"),
            Err("must not contain the email address")
        );
        assert_eq!(
            check_password("abababababab", "bo@example.com"),
            Err("needs at least 5 different characters")
        );
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse").expect("hash"),
            "salted"
        );
    }

    #[test]
    fn the_limiter_blocks_after_the_allowed_failures_and_forgets_on_success() {
        let limiter = LoginLimiter::default();
        let keys = vec!["email:a@b".to_owned()];
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!limiter.blocked(&keys));
            limiter.failed(&keys);
        }
        assert!(limiter.blocked(&keys));
        limiter.succeeded(&keys);
        assert!(!limiter.blocked(&keys));
    }
}
