//! Inbound media, end to end (issue 21): a customer's photo, voice note or
//! PDF is fetched from the provider and kept in the hub's JetStream Object
//! Store bucket, keyed by message. This module owns the settings, the
//! fetch job and its publication, and the checksum rule; `limits` the size
//! and type limits, `store` the bucket, `fetch` the worker. What a
//! provider's webhook says of a file and how to locate it is
//! `crate::provider::media`'s.
//!
//! The fetch never runs in the router's ordered batch: after a batch with a
//! media message commits, the router publishes one job per message to the
//! work-queue stream `MEDIA` (`Nats-Msg-Id: media:<message id>`, so a
//! redelivered batch does not queue it twice), and the fetcher, a consumer
//! of its own, takes it from there. The message row is stored either way
//! (`media_state = pending`); a fetch that fails for good parks the file
//! (`failed`, a dead letter with reason `media` that a replay retries) and
//! never touches the message or the webhook's answer.

pub mod fetch;
pub mod limits;
pub mod store;

use async_nats::jetstream;
use serde::{Deserialize, Serialize};

use crate::envelope::{InboundEvent, InboundMessage, MSG_ID_HEADER};
use crate::provider::media::MediaRef;
use crate::provider::media_source_for as source_for;
use crate::topology;

pub use limits::Limits;

/// `[media]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSettings {
    /// Runs the fetcher in every router process.
    pub enabled: bool,
    /// Attempts of one file before it is dead-lettered (reason `media`).
    pub max_attempts: u32,
    /// First retry delay, milliseconds; doubles per attempt (full jitter).
    pub backoff_base_ms: u64,
    /// Cap of the retry delay, milliseconds.
    pub backoff_max_ms: u64,
    /// Seconds a job may stay unacked before redelivery (progress acks
    /// keep a slow download).
    pub ack_wait_secs: u64,
    /// Files fetched at once per router process.
    pub concurrency: usize,
    /// Bytes per second the fetcher of one router process downloads at
    /// most (all its files together); 0: no budget. Keeps a burst of large
    /// files from taking the CPU the router's ordered routing needs.
    pub max_bytes_per_second: u64,
    /// Routing first: a fetch waits to start while this process's
    /// partitions report more than `yield_backlog` events pending
    /// (`crate::backlog`), for at most `yield_max_secs` (0: never waits).
    pub yield_backlog: u64,
    pub yield_max_secs: u64,
    pub connect_timeout_ms: u64,
    /// Whole look-up or download, milliseconds.
    pub request_timeout_ms: u64,
    /// Seconds between sweeps: jobs published again for rows pending longer
    /// than `pending_after_secs` (a router that died between its commit and
    /// the publish), rows whose file outlived the bucket marked `expired`.
    /// 0 turns the sweep off.
    pub sweep_interval_secs: u64,
    pub pending_after_secs: u64,
    /// Size and type limits (`[media.limits]`).
    pub limits: Limits,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 5,
            backoff_base_ms: 1000,
            backoff_max_ms: 30_000,
            ack_wait_secs: 60,
            concurrency: 4,
            max_bytes_per_second: 20_000_000,
            yield_backlog: 128,
            yield_max_secs: 30,
            connect_timeout_ms: 5000,
            request_timeout_ms: 120_000,
            sweep_interval_secs: 60,
            pending_after_secs: 600,
            limits: Limits::default(),
        }
    }
}

/// Where each provider's API is when a number has no base URL of its own
/// (the sender's `meta_base_url`, `meta_api_version`, `wasender_base_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderApis {
    pub meta_base_url: String,
    pub meta_api_version: String,
    pub wasender_base_url: String,
}

/// One file to fetch, as stored in `MEDIA`. The message row is the truth;
/// this names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaJob {
    /// The message row id.
    pub message_id: i64,
    /// The business number the message came to (the subject's token).
    pub business_number: String,
}

impl MediaJob {
    /// `media:<message id>`: one job per message within the duplicate window.
    pub fn msg_id(&self) -> String {
        format!("media:{}", self.message_id)
    }

    /// The id of the sweep's copy of the job: its own, so that a copy
    /// published within the duplicate window of the first is not dropped.
    pub fn sweep_msg_id(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        format!("media:{}:sweep:{}", self.message_id, at.timestamp_millis())
    }
}

/// What an inbound message says of its media, if it has a file to fetch.
pub fn reference(event: &InboundEvent, message: &InboundMessage) -> Option<MediaRef> {
    source_for(event.provider).reference(&message.message_type, &message.raw)
}

/// Publishes the fetch job of one message with dedupe id `msg_id`
/// ([`MediaJob::msg_id`], or the sweep's) and waits for `MEDIA` to store it.
///
/// # Errors
/// When the stream does not take it (the sweep publishes it again later).
pub async fn publish_job(
    js: &jetstream::Context,
    job: &MediaJob,
    msg_id: &str,
) -> crate::Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(MSG_ID_HEADER, msg_id);
    let payload = serde_json::to_vec(job)?;
    js.publish_with_headers(
        topology::media_subject(&job.business_number, job.message_id),
        headers,
        payload.into(),
    )
    .await
    .map_err(crate::Error::nats)?
    .await
    .map_err(crate::Error::nats)?;
    Ok(())
}

/// The SHA-256 of `bytes`, lowercase hex: how Wharf records a file's.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// An image's size in pixels (width, height) from its header, for images
/// and stickers (JPEG, PNG, WebP, GIF …); `None` for other files or a
/// header that does not read. Reads only the first bytes: no decode.
#[must_use]
pub fn dimensions(mime: &str, bytes: &[u8]) -> Option<(i32, i32)> {
    if !mime.starts_with("image/") {
        return None;
    }
    let size = imagesize::blob_size(bytes).ok()?;
    Some((
        i32::try_from(size.width).ok()?,
        i32::try_from(size.height).ok()?,
    ))
}

/// Whether a provider's SHA-256 (`expected`: hex as Meta's look-up gives
/// it, or base64 as its webhooks and WhatsApp's `fileSha256` do) names
/// `digest`.
pub fn sha256_matches(expected: &str, digest: &[u8]) -> bool {
    use base64::Engine;
    let expected = expected.trim();
    if expected.len() == 64
        && let Ok(bytes) = hex::decode(expected)
    {
        return bytes == digest;
    }
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    engines
        .iter()
        .filter_map(|engine| engine.decode(expected).ok())
        .any(|bytes| bytes == digest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_images_size_is_read_from_its_header_only() {
        // A PNG's signature and IHDR (640 × 480), then anything.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 1, 2, 3, 4]);
        png.extend_from_slice(&[0x55; 100]);
        assert_eq!(super::dimensions("image/png", &png), Some((640, 480)));
        // Not an image, or a header that does not read: no size.
        assert_eq!(super::dimensions("application/pdf", &png), None);
        assert_eq!(super::dimensions("image/jpeg", b"not a picture"), None);
    }

    use super::*;
    use base64::Engine;
    use sha2::Digest;

    #[test]
    fn checksums_match_in_hex_and_base64_only_for_the_same_bytes() {
        let digest = sha2::Sha256::digest(b"a photo");
        let hex = hex::encode(digest);
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        for form in [&hex, &hex.to_uppercase(), &b64, &url] {
            assert!(sha256_matches(form, &digest), "{form}");
        }
        let other = sha2::Sha256::digest(b"another photo");
        assert!(!sha256_matches(&hex, &other));
        assert!(!sha256_matches(&b64, &other));
        assert!(!sha256_matches("", &digest));
    }
}
