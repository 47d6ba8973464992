//! Standard Webhooks signing: `webhook-id`, `webhook-timestamp` (Unix
//! seconds) and `webhook-signature` = space-separated `v1,<base64
//! HMAC-SHA256>` over `<id>.<timestamp>.<body>`, one per secret that signs
//! (two during a rotation's overlap). A secret is `whsec_` + base64 of 32
//! random bytes; the HMAC key is the decoded bytes
//! ([Standard Webhooks specification](https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh signing secret.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::rng(), &mut bytes);
    format!("{SECRET_PREFIX}{}", B64.encode(bytes))
}

/// The HMAC key of a secret (`whsec_` + base64); `None` when it is not one.
fn key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()
        .filter(|k| !k.is_empty())
}

/// `v1,<signature>` of one secret.
fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&key(secret)?).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated.
pub fn header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| signature(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `header` carries a valid signature of `secret` (what a receiver
/// checks; used by the tests and the clients' examples).
pub fn verify(secret: &str, id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Some(expected) = signature(secret, id, timestamp, body) else {
        return false;
    };
    header
        .split(' ')
        .any(|s| crate::provider::constant_time_eq(s.as_bytes(), expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_signs_as_published() {
        // The example of the Standard Webhooks specification.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            header(&[secret], id, 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn both_secrets_sign_during_a_rotation_and_each_verifies() {
        let (old, new) = (new_secret(), new_secret());
        assert!(old.starts_with(SECRET_PREFIX));
        let signed = header(&[&new, &old], "evt_1", 1_700_000_000, b"{}");
        assert_eq!(signed.split(' ').count(), 2);
        assert!(verify(&old, "evt_1", 1_700_000_000, b"{}", &signed));
        assert!(verify(&new, "evt_1", 1_700_000_000, b"{}", &signed));
        assert!(!verify(&new, "evt_1", 1_700_000_001, b"{}", &signed));
        assert!(!verify(
            &new_secret(),
            "evt_1",
            1_700_000_000,
            b"{}",
            &signed
        ));
    }
}
