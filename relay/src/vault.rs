//! Secrets at rest: the provider credentials of `business_numbers` (app
//! secret, verify token, access token) are stored sealed with an AEAD
//! (XChaCha20-Poly1305, random 192-bit nonce per value) under a key from the
//! configuration (`[secrets] key`, env `WHARF__SECRETS__KEY`). Owns the
//! stored format, sealing, opening and re-sealing; where the key comes from
//! is config's job.
//!
//! Stored form: `enc:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The
//! key id is the first 8 hex digits of SHA-256(key), so a value names the
//! key that opens it without the key being guessable from it. The column's
//! name is the associated data: a value copied into another column (or a
//! ciphertext swapped between columns) does not open.
//!
//! Rotation: configure the new key as `key` and the old one in
//! `previous_keys`, start the admin role (it re-seals every value under the
//! new key, [`reseal_numbers`]), then drop the old key. Values written before
//! encryption existed (no `enc:` prefix) are read as they are and re-sealed
//! the same way.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use entities::business_number;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use sha2::{Digest, Sha256};

use crate::secret::Secret;

const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 24;

/// Associated data of each sealed column.
pub const APP_SECRET: &str = "business_numbers.app_secret";
pub const VERIFY_TOKEN: &str = "business_numbers.verify_token";
pub const ACCESS_TOKEN: &str = "business_numbers.access_token";

/// Why a key or a stored value cannot be used. Never contains key material
/// or plaintext.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("secrets.key is required: 32 random bytes in base64 (`wharf keygen` prints one)")]
    MissingKey,
    #[error("{which} is not 32 bytes of base64")]
    BadKey { which: String },
    #[error("a value in {field} was sealed with key {key_id}, which is not configured")]
    UnknownKey { field: String, key_id: String },
    #[error("a value in {field} is damaged or belongs to another column")]
    Damaged { field: String },
}

struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn parse(which: &str, encoded: &str) -> Result<Self, VaultError> {
        let bad = || VaultError::BadKey {
            which: which.to_owned(),
        };
        let bytes = B64.decode(encoded.trim()).map_err(|_| bad())?;
        if bytes.len() != 32 {
            return Err(bad());
        }
        let id = hex::encode(&Sha256::digest(&bytes)[..4]);
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| bad())?;
        Ok(Self { id, cipher })
    }
}

/// The configured keys: the current one seals, every one opens.
pub struct Vault {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("key_id", &self.current.id)
            .field(
                "previous_key_ids",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Vault {
    /// # Errors
    /// When `key` is empty or any key is not 32 bytes of base64.
    pub fn new(key: &Secret, previous_keys: &[Secret]) -> Result<Self, VaultError> {
        if key.is_empty() {
            return Err(VaultError::MissingKey);
        }
        let current = Key::parse("secrets.key", key.expose())?;
        let previous = previous_keys
            .iter()
            .enumerate()
            .map(|(i, k)| Key::parse(&format!("secrets.previous_keys.{i}"), k.expose()))
            .collect::<Result<_, _>>()?;
        Ok(Self { current, previous })
    }

    /// A fresh random key, base64.
    pub fn generate_key() -> String {
        let mut bytes = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut bytes);
        B64.encode(bytes)
    }

    /// The id of the key that seals.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` for `field`. An empty value stays empty (nothing to hide,
    /// and "not set" stays visible to the API's `has_*` flags).
    pub fn seal(&self, field: &str, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let mut nonce = [0u8; NONCE_LEN];
        rand::Rng::fill(&mut rand::rng(), &mut nonce);
        let sealed = self
            .current
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.as_bytes(),
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.current.id, B64.encode(out))
    }

    /// Opens a stored value of `field`. A value without the `enc:` prefix
    /// was stored before encryption and is returned as it is.
    ///
    /// # Errors
    /// When its key is not configured, or it was altered or moved.
    pub fn open(&self, field: &str, stored: &str) -> Result<Secret, VaultError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(Secret::new(stored));
        };
        let damaged = || VaultError::Damaged {
            field: field.to_owned(),
        };
        let (key_id, body) = rest.split_once(':').ok_or_else(damaged)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| VaultError::UnknownKey {
                field: field.to_owned(),
                key_id: key_id.to_owned(),
            })?;
        let bytes = B64.decode(body).map_err(|_| damaged())?;
        if bytes.len() < NONCE_LEN {
            return Err(damaged());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: field.as_bytes(),
                },
            )
            .map_err(|_| damaged())?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| damaged())
    }

    /// Whether a stored value should be sealed again: in clear, or sealed
    /// under a key that is not the current one.
    pub fn needs_reseal(&self, stored: &str) -> bool {
        if stored.is_empty() {
            return false;
        }
        match stored.strip_prefix(PREFIX) {
            None => true,
            Some(rest) => !rest.starts_with(&format!("{}:", self.current.id)),
        }
    }

    /// The stored value of `field` sealed under the current key, when it
    /// needs it.
    ///
    /// # Errors
    /// As [`Vault::open`].
    fn resealed(&self, field: &str, stored: &str) -> Result<Option<String>, VaultError> {
        if !self.needs_reseal(stored) {
            return Ok(None);
        }
        let plain = self.open(field, stored)?;
        Ok(Some(self.seal(field, plain.expose())))
    }
}

/// A number's credentials, opened.
pub struct OpenedNumber {
    pub app_secret: Secret,
    pub verify_token: Secret,
    pub access_token: Secret,
}

/// Opens the three secrets of a `business_numbers` row.
///
/// # Errors
/// As [`Vault::open`].
pub fn open_number(
    vault: &Vault,
    row: &business_number::Model,
) -> Result<OpenedNumber, VaultError> {
    Ok(OpenedNumber {
        app_secret: vault.open(APP_SECRET, &row.app_secret)?,
        verify_token: vault.open(VERIFY_TOKEN, &row.verify_token)?,
        access_token: vault.open(
            ACCESS_TOKEN,
            row.access_token.as_deref().unwrap_or_default(),
        )?,
    })
}

/// Seals the three secrets into an active model.
pub fn seal_number(
    vault: &Vault,
    row: &mut business_number::ActiveModel,
    app_secret: &str,
    verify_token: &str,
    access_token: Option<&str>,
) {
    row.app_secret = Set(vault.seal(APP_SECRET, app_secret));
    row.verify_token = Set(vault.seal(VERIFY_TOKEN, verify_token));
    row.access_token = Set(access_token
        .filter(|t| !t.is_empty())
        .map(|t| vault.seal(ACCESS_TOKEN, t)));
}

/// Why re-sealing stopped.
#[derive(Debug, thiserror::Error)]
pub enum ResealError {
    #[error("{0}")]
    Database(#[from] sea_orm::DbErr),
    /// A stored value no configured key opens (named by column, never shown).
    #[error("number {id}: {source}")]
    Number {
        id: i64,
        #[source]
        source: VaultError,
    },
}

/// Re-seals, under the current key, every number secret stored in clear or
/// under a previous key. Returns the rows changed.
///
/// # Errors
/// A database error, or a value no configured key opens (named by column,
/// never shown).
pub async fn reseal_numbers(db: &DatabaseConnection, vault: &Vault) -> Result<usize, ResealError> {
    let rows = business_number::Entity::find().all(db).await?;
    let mut changed = 0;
    for row in rows {
        let id = row.id;
        let app = vault
            .resealed(APP_SECRET, &row.app_secret)
            .map_err(|source| ResealError::Number { id, source })?;
        let verify = vault
            .resealed(VERIFY_TOKEN, &row.verify_token)
            .map_err(|source| ResealError::Number { id, source })?;
        let access = vault
            .resealed(
                ACCESS_TOKEN,
                row.access_token.as_deref().unwrap_or_default(),
            )
            .map_err(|source| ResealError::Number { id, source })?;
        if app.is_none() && verify.is_none() && access.is_none() {
            continue;
        }
        let mut active: business_number::ActiveModel = row.into();
        if let Some(v) = app {
            active.app_secret = Set(v);
        }
        if let Some(v) = verify {
            active.verify_token = Set(v);
        }
        if let Some(v) = access {
            active.access_token = Set(Some(v));
        }
        active.update(db).await?;
        changed += 1;
    }
    if changed > 0 {
        tracing::info!(changed, key_id = vault.key_id(), "number secrets re-sealed");
    }
    Ok(changed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn vault() -> (Vault, String) {
        let key = Vault::generate_key();
        (Vault::new(&Secret::new(&key), &[]).unwrap(), key)
    }

    #[test]
    fn sealed_values_open_and_hide_their_plaintext() {
        let (vault, _) = vault();
        let sealed = vault.seal(APP_SECRET, "s3cret-app");
        assert!(sealed.starts_with("enc:v1:"));
        assert!(!sealed.contains("s3cret-app"));
        assert_ne!(sealed, vault.seal(APP_SECRET, "s3cret-app"), "fresh nonce");
        assert_eq!(
            vault.open(APP_SECRET, &sealed).unwrap().expose(),
            "s3cret-app"
        );
        assert_eq!(vault.seal(APP_SECRET, ""), "");
        assert_eq!(vault.open(APP_SECRET, "legacy").unwrap().expose(), "legacy");
    }

    #[test]
    fn altered_moved_or_foreign_values_do_not_open() {
        let (vault, _) = vault();
        let sealed = vault.seal(ACCESS_TOKEN, "token-1");
        assert!(matches!(
            vault.open(APP_SECRET, &sealed),
            Err(VaultError::Damaged { .. })
        ));
        let mut flipped = sealed.clone().into_bytes();
        let last = flipped.len() - 3;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert!(
            vault
                .open(ACCESS_TOKEN, &String::from_utf8(flipped).unwrap())
                .is_err()
        );
        let (other, _) = self::vault();
        assert!(matches!(
            other.open(ACCESS_TOKEN, &sealed),
            Err(VaultError::UnknownKey { .. })
        ));
        let err = other.open(ACCESS_TOKEN, &sealed).unwrap_err().to_string();
        assert!(!err.contains("token-1"));
    }

    #[test]
    fn rotation_opens_old_values_and_reseals_them_under_the_new_key() {
        let (old, old_key) = vault();
        let sealed = old.seal(VERIFY_TOKEN, "verify-me");
        let new = Vault::new(&Secret::new(Vault::generate_key()), &[Secret::new(old_key)]).unwrap();
        assert!(new.needs_reseal(&sealed));
        assert!(new.needs_reseal("in clear"));
        let again = new.resealed(VERIFY_TOKEN, &sealed).unwrap().unwrap();
        assert!(!new.needs_reseal(&again));
        assert_eq!(
            new.open(VERIFY_TOKEN, &again).unwrap().expose(),
            "verify-me"
        );
        assert!(old.open(VERIFY_TOKEN, &again).is_err());
    }

    #[test]
    fn keys_must_be_32_bytes_of_base64() {
        assert_eq!(
            Vault::new(&Secret::default(), &[]).unwrap_err(),
            VaultError::MissingKey
        );
        assert!(matches!(
            Vault::new(&Secret::new("c2hvcnQ="), &[]),
            Err(VaultError::BadKey { .. })
        ));
        let good = Secret::new(Vault::generate_key());
        let err = Vault::new(&good, &[Secret::new("nope")]).unwrap_err();
        assert_eq!(
            err,
            VaultError::BadKey {
                which: "secrets.previous_keys.0".into()
            }
        );
    }
}
