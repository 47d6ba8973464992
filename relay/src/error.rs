//! The crate's error type: what went wrong talking to NATS, the database or a
//! provider. HTTP mapping of edge errors lives in `edge`, not here.
//!
//! NATS errors keep their source and a [`NatsErrorKind`] (in the manner of
//! async-nats' own `Error<Kind>`), so a caller decides retry or not with
//! `match err.kind()` instead of reading text.

use std::fmt;

/// Errors of the data plane.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("NATS: {0}")]
    Nats(#[from] NatsError),
    #[error("JetStream topology: {0}")]
    Topology(#[from] crate::topology::TopologyError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// Encoding a value for a stream or bucket failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A setting that cannot work (a malformed URL, a refused user).
    #[error("configuration: {0}")]
    Config(String),
    /// A task of the role ended by panicking or being cancelled.
    #[error("task: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Building an HTTP client (TLS roots, proxies) failed.
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

impl Error {
    /// Wraps a NATS client error, keeping it as the source (their kinds
    /// differ per operation; [`NatsError::kind`] sorts them).
    pub fn nats<K>(err: async_nats::error::Error<K>) -> Self
    where
        K: Clone + fmt::Debug + fmt::Display + PartialEq + Send + Sync + 'static,
    {
        Self::Nats(NatsError::from(err))
    }
}

/// What a NATS failure means to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatsErrorKind {
    /// No answer in time (a PubAck, a request, a fetch): worth retrying.
    TimedOut,
    /// Nobody listens on the subject (JetStream not up yet, a leaf link
    /// down): worth retrying.
    NoResponders,
    /// The stream, consumer or key does not exist.
    NotFound,
    /// The server refused the user or the operation.
    Refused,
    /// Anything else.
    Other,
}

/// A NATS client error with its kind and its source.
#[derive(Debug, thiserror::Error)]
#[error("{source}")]
pub struct NatsError {
    kind: NatsErrorKind,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl NatsError {
    /// What the failure means: retry, give up, or create what is missing.
    pub fn kind(&self) -> NatsErrorKind {
        self.kind
    }

    /// True when trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            NatsErrorKind::TimedOut | NatsErrorKind::NoResponders
        )
    }
}

impl<K> From<async_nats::error::Error<K>> for NatsError
where
    K: Clone + fmt::Debug + fmt::Display + PartialEq + Send + Sync + 'static,
{
    fn from(err: async_nats::error::Error<K>) -> Self {
        Self {
            kind: kind_of(&format!("{:?}", err.kind())),
            source: Box::new(err),
        }
    }
}

/// async-nats gives every operation its own kind enum, but they share the
/// variant names (`TimedOut`, `NoResponders`, `NotFound`, …) and JetStream's
/// error codes; sort by those.
fn kind_of(debug: &str) -> NatsErrorKind {
    let lower = debug.to_ascii_lowercase();
    if lower.starts_with("timedout") || lower.starts_with("timeout") {
        NatsErrorKind::TimedOut
    } else if lower.starts_with("noresponders") || lower.contains("no responders") {
        NatsErrorKind::NoResponders
    } else if lower.contains("notfound")
        || lower.contains("not_found")
        || lower.contains("not found")
    {
        NatsErrorKind::NotFound
    } else if lower.contains("authorization")
        || lower.contains("authentication")
        || lower.contains("permission")
    {
        NatsErrorKind::Refused
    } else {
        NatsErrorKind::Other
    }
}

/// Result alias of the data plane.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use async_nats::jetstream::context::{PublishError, PublishErrorKind};

    #[test]
    fn nats_errors_keep_their_kind_and_source() {
        let err = Error::nats(PublishError::new(PublishErrorKind::TimedOut));
        let Error::Nats(nats) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(nats.kind(), NatsErrorKind::TimedOut);
        assert!(nats.is_transient());
        assert!(
            std::error::Error::source(nats)
                .and_then(|s| s.downcast_ref::<PublishError>())
                .is_some(),
            "the async-nats error is the source"
        );
        assert!(err.to_string().starts_with("NATS: "), "{err}");
        let other = NatsError::from(PublishError::new(PublishErrorKind::StreamNotFound));
        assert_eq!(other.kind(), NatsErrorKind::NotFound);
        assert!(!other.is_transient());
    }

    #[test]
    fn kinds_are_read_from_the_variant_names_async_nats_shares() {
        assert_eq!(kind_of("TimedOut"), NatsErrorKind::TimedOut);
        assert_eq!(kind_of("NoResponders"), NatsErrorKind::NoResponders);
        assert_eq!(
            kind_of(
                "JetStream(Error { code: 404, err_code: ErrorCode(10059), description: Some(\"stream not found\") })"
            ),
            NatsErrorKind::NotFound
        );
        assert_eq!(kind_of("AuthorizationViolation"), NatsErrorKind::Refused);
        assert_eq!(kind_of("Other"), NatsErrorKind::Other);
    }
}
