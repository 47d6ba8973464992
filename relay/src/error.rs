//! The crate's error type: what went wrong talking to NATS, the database or a
//! provider. HTTP mapping of edge errors lives in `edge`, not here.

/// Errors of the data plane.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("NATS: {0}")]
    Nats(String),
    #[error("JetStream topology: {0}")]
    Topology(#[from] crate::topology::TopologyError),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("invalid event: {0}")]
    InvalidEvent(String),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// Wraps any NATS client error (their kinds differ per operation).
    pub fn nats(err: impl std::fmt::Display) -> Self {
        Self::Nats(err.to_string())
    }
}

/// Result alias of the data plane.
pub type Result<T, E = Error> = std::result::Result<T, E>;
