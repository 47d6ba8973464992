//! Verifies Wharf's webhook deliveries: the [Standard Webhooks
//! scheme](https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md).
//! `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` over
//! `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded
//! part of the endpoint's secret after `whsec_`; during a secret rotation's
//! overlap there are two, and either one verifies.
//!
//! ```
//! # fn demo(secret: &str, headers: &reqwest::header::HeaderMap, body: &[u8]) {
//! match wharf_client::webhooks::verify(secret, headers, body) {
//!     Ok(event) => println!("{} {}", event.event_type, event.id), // dedupe on `id`
//!     Err(why) => eprintln!("refused: {why}"),                     // answer 400
//! }
//! # }
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use sha2::Sha256;

/// How far `webhook-timestamp` may be from now by default (5 minutes).
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;

/// The envelope of every event (`docs/webhooks.md`, Events).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct WebhookEvent {
    /// `evt_…`, equal to `webhook-id`: stable across retries; deduplicate on it.
    pub id: String,
    /// e.g. `message.received`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The payload version (1).
    pub version: u32,
    /// When the event happened (RFC 3339).
    pub created_at: String,
    /// The event's data; its shape depends on `event_type`.
    pub data: serde_json::Value,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookError {
    /// A `webhook-*` header is missing or not text.
    MissingHeader(&'static str),
    /// The secret is not `whsec_` + base64.
    BadSecret,
    /// `webhook-timestamp` is not a number of seconds.
    BadTimestamp,
    /// `webhook-timestamp` is further from now than the tolerance.
    Expired,
    /// No signature of the header matches.
    NoMatch,
    /// The body verified but is not an event (JSON).
    BadBody(String),
}

impl std::fmt::Display for WebhookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "missing header {name}"),
            Self::BadSecret => f.write_str("the secret is not whsec_ + base64"),
            Self::BadTimestamp => f.write_str("webhook-timestamp is not a number"),
            Self::Expired => f.write_str("webhook-timestamp is too far from now"),
            Self::NoMatch => f.write_str("no signature matches"),
            Self::BadBody(why) => write!(f, "the body is not an event: {why}"),
        }
    }
}

impl std::error::Error for WebhookError {}

fn mac(secret: &str, id: &str, timestamp: u64, body: &[u8]) -> Result<Hmac<Sha256>, WebhookError> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| WebhookError::BadSecret)?;
    if key.is_empty() {
        return Err(WebhookError::BadSecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| WebhookError::BadSecret)?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Ok(mac)
}

/// `v1,<base64>` of `secret` over `id.timestamp.body` (what Wharf sends).
///
/// # Errors
/// [`WebhookError::BadSecret`] when the secret is not `whsec_` + base64.
pub fn sign(secret: &str, id: &str, timestamp: u64, body: &[u8]) -> Result<String, WebhookError> {
    let tag = mac(secret, id, timestamp, body)?.finalize().into_bytes();
    Ok(format!("v1,{}", B64.encode(tag)))
}

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, WebhookError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or(WebhookError::MissingHeader(name))
}

/// Checks a delivery's signature and timestamp (within
/// [`DEFAULT_TOLERANCE_SECS`] of the system clock) and returns its event.
/// `body` must be the raw request body.
///
/// # Errors
/// A [`WebhookError`] saying why the delivery does not verify.
pub fn verify(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<WebhookEvent, WebhookError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    verify_at(secret, headers, body, now, DEFAULT_TOLERANCE_SECS)
}

/// [`verify`] at the Unix time `now`, with `tolerance_secs`.
///
/// # Errors
/// A [`WebhookError`] saying why the delivery does not verify.
pub fn verify_at(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: u64,
    tolerance_secs: u64,
) -> Result<WebhookEvent, WebhookError> {
    let id = header(headers, "webhook-id")?;
    let timestamp: u64 = header(headers, "webhook-timestamp")?
        .parse()
        .map_err(|_| WebhookError::BadTimestamp)?;
    if now.abs_diff(timestamp) > tolerance_secs {
        return Err(WebhookError::Expired);
    }
    let signatures = header(headers, "webhook-signature")?;
    let verified = signatures.split(' ').any(|candidate| {
        let Some(tag) = candidate
            .strip_prefix("v1,")
            .and_then(|b| B64.decode(b).ok())
        else {
            return false;
        };
        // Constant-time comparison (hmac's verify_slice).
        mac(secret, id, timestamp, body).is_ok_and(|m| m.verify_slice(&tag).is_ok())
    });
    if !verified {
        mac(secret, id, timestamp, body)?; // a bad secret says so
        return Err(WebhookError::NoMatch);
    }
    serde_json::from_slice(body).map_err(|e| WebhookError::BadBody(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: u64 = 1_614_265_330;
    const BODY: &[u8] =
        br#"{"id":"evt_1","type":"message.received","version":1,"created_at":"2021-02-25T15:02:10Z","data":{}}"#;

    fn headers(signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("webhook-id", ID.parse().expect("header"));
        h.insert("webhook-timestamp", TS.to_string().parse().expect("header"));
        h.insert("webhook-signature", signature.parse().expect("header"));
        h
    }

    #[test]
    fn signs_the_specifications_example_as_published() {
        assert_eq!(
            sign(SECRET, ID, TS, br#"{"test": 2432232314}"#).expect("sign"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn verifies_either_of_two_signatures_and_refuses_what_it_must() {
        let good = sign(SECRET, ID, TS, BODY).expect("sign");
        let event = verify_at(SECRET, &headers(&good), BODY, TS, 300).expect("verifies");
        assert_eq!(
            (event.id.as_str(), event.event_type.as_str()),
            ("evt_1", "message.received")
        );
        verify_at(SECRET, &headers(&format!("v1,AAAA {good}")), BODY, TS, 300).expect("second");
        let changed = [BODY, b" "].concat();
        assert_eq!(
            verify_at(SECRET, &headers(&good), &changed, TS, 300).err(),
            Some(WebhookError::NoMatch)
        );
        let other = format!("whsec_{}", B64.encode(b"other"));
        assert_eq!(
            verify_at(&other, &headers(&good), BODY, TS, 300).err(),
            Some(WebhookError::NoMatch)
        );
        assert_eq!(
            verify_at(SECRET, &headers(&good), BODY, TS + 301, 300).err(),
            Some(WebhookError::Expired)
        );
        assert_eq!(
            verify_at(SECRET, &headers(&good), BODY, TS - 301, 300).err(),
            Some(WebhookError::Expired)
        );
        let mut missing = headers(&good);
        missing.remove("webhook-signature");
        assert_eq!(
            verify_at(SECRET, &missing, BODY, TS, 300).err(),
            Some(WebhookError::MissingHeader("webhook-signature"))
        );
    }
}
