//! What a provider's inbound message says of its media, and the provider's
//! part of getting the bytes: the reference in the webhook (Meta: a media
//! id; WasenderApi: an encrypted file's URL and key) and the look-up that
//! turns it into a download URL ([`MediaSource`], one per provider in
//! `meta/media.rs` and `wasender/media.rs`). Downloading, limits, checksum
//! and storage are `crate::media`'s, the same for every provider.
//!
//! Download URLs and tokens are secrets: nothing here puts them in an
//! error's text.

use futures::future::BoxFuture;
use serde_json::Value;

/// The kind of a media message, from its message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaClass {
    Image,
    Video,
    /// Audio files and voice notes.
    Audio,
    Document,
    Sticker,
}

impl MediaClass {
    /// The class of a message type (`image`, `audio`, …; `voice` is audio).
    pub fn of(message_type: &str) -> Option<Self> {
        Some(match message_type {
            "image" => Self::Image,
            "video" => Self::Video,
            "audio" | "voice" | "ptt" => Self::Audio,
            "document" => Self::Document,
            "sticker" => Self::Sticker,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }
}

/// What the webhook said of a message's media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    pub class: MediaClass,
    /// The provider's MIME type, when it gave one.
    pub mime: Option<String>,
    /// The provider's SHA-256 of the file (hex or base64), when given.
    pub sha256: Option<String>,
    /// The provider's size in bytes, when given.
    pub size: Option<u64>,
    /// A document's file name.
    pub filename: Option<String>,
    /// An animated sticker (a larger size limit).
    pub animated: bool,
}

/// Where a provider's media object keeps what [`MediaRef`] reads.
pub struct MediaKeys {
    pub mime: &'static str,
    pub sha256: &'static str,
    pub size: &'static str,
    pub filename: &'static str,
    pub animated: &'static str,
}

impl MediaRef {
    /// Reads a provider's media object by its provider's `keys`.
    pub fn read(class: MediaClass, object: &Value, keys: &MediaKeys) -> Self {
        Self {
            class,
            mime: text(object, keys.mime),
            sha256: text(object, keys.sha256),
            size: size(object, keys.size),
            filename: text(object, keys.filename),
            animated: object.get(keys.animated).and_then(Value::as_bool) == Some(true),
        }
    }
}

/// Where the bytes of one file can be downloaded, as the provider's
/// look-up answered. `url` is a secret (it may carry auth).
#[derive(Clone, PartialEq, Eq)]
pub struct Located {
    pub url: String,
    /// The download needs the number's token as Bearer (Meta), or not
    /// (WasenderApi's public URL).
    pub bearer: bool,
    pub mime: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<u64>,
}

impl std::fmt::Debug for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Located")
            .field("url", &"<secret>")
            .field("bearer", &self.bearer)
            .field("mime", &self.mime)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Why one step of getting a file failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct MediaError {
    /// Bounded label (metrics, lifecycle): `provider_error`,
    /// `provider_refused`, `timeout`, `connection`, `checksum`, `too_large`,
    /// `type_not_allowed`, `no_reference`, `unknown_number`, `storage`, …
    pub reason: &'static str,
    /// For people; never a URL or a token.
    pub detail: String,
    pub retryable: bool,
}

impl MediaError {
    pub fn permanent(reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
            retryable: false,
        }
    }

    pub fn retryable(reason: &'static str, detail: impl Into<String>) -> Self {
        Self {
            reason,
            detail: detail.into(),
            retryable: true,
        }
    }

    /// A request that got no answer (retryable), its URL left out.
    pub fn request(step: &str, err: &reqwest::Error) -> Self {
        let reason = if err.is_timeout() {
            "timeout"
        } else {
            "connection"
        };
        let mut text = err.to_string();
        if let Some(url) = err.url() {
            text = text.replace(url.as_str(), "<provider>");
        }
        Self::retryable(reason, format!("{step}: {text}"))
    }

    /// A provider's refusal by its status: 5xx, 429 and 408 may pass
    /// (`provider_error`, retryable); other 4xx will not (`provider_refused`:
    /// an expired token, media gone after the provider's retention).
    pub fn status(step: &str, status: reqwest::StatusCode) -> Self {
        let detail = format!("{step}: the provider answered {status}");
        if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
        {
            Self::retryable("provider_error", detail)
        } else {
            Self::permanent("provider_refused", detail)
        }
    }
}

/// One look-up: everything a provider needs to locate a message's file.
pub struct Lookup<'a> {
    pub http: &'a reqwest::Client,
    /// The provider's API base URL (the number's own, else the default).
    pub base_url: &'a str,
    /// Meta's Graph API version.
    pub api_version: &'a str,
    /// The number's access token (Meta) or session API key (WasenderApi).
    pub token: &'a str,
    /// The provider's message id.
    pub message_id: &'a str,
    pub message_type: &'a str,
    /// The provider's object for the message, as stored.
    pub raw: &'a Value,
}

/// A provider's side of inbound media (registered in
/// [`super::media_source_for`]).
pub trait MediaSource: Send + Sync {
    /// What the stored message says of its media; `None` for a message
    /// without a file to fetch.
    fn reference(&self, message_type: &str, raw: &Value) -> Option<MediaRef>;

    /// Asks the provider where the file is.
    ///
    /// # Errors
    /// A classified [`MediaError`].
    fn locate<'a>(&'a self, lookup: Lookup<'a>) -> BoxFuture<'a, Result<Located, MediaError>>;
}

/// `value`'s field as a non-empty string.
pub(crate) fn text(value: &Value, field: &str) -> Option<String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `value`'s field as a size: a number or a numeric string.
pub(crate) fn size(value: &Value, field: &str) -> Option<u64> {
    let v = value.get(field)?;
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_message_types() {
        assert_eq!(MediaClass::of("audio"), Some(MediaClass::Audio));
        assert_eq!(MediaClass::of("sticker"), Some(MediaClass::Sticker));
        assert_eq!(MediaClass::of("text"), None);
    }

    #[tokio::test]
    async fn a_request_error_names_no_url() {
        let refused = reqwest::Client::new()
            .get("http://127.0.0.1:1/download?hash=s3cret-hash")
            .send()
            .await
            .expect_err("nothing listens on port 1");
        let err = MediaError::request("download", &refused);
        assert!(err.retryable);
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn statuses_say_whether_to_retry() {
        let err = MediaError::status("download", reqwest::StatusCode::BAD_GATEWAY);
        assert!(err.retryable);
        assert_eq!(err.reason, "provider_error");
        let err = MediaError::status("look-up", reqwest::StatusCode::UNAUTHORIZED);
        assert!(!err.retryable);
        assert_eq!(err.reason, "provider_refused");
    }
}
