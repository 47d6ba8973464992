//! Wharf's data plane: the edge relay that turns provider webhooks into durable
//! JetStream events, the router consumer group that applies them to the
//! database, the sender that delivers replies, and the NATS topology they share.
//! Folders are the roles (edge, router, sender, dlq, provider); the files at
//! the top are the shared domain that the roles and the admin crate use on
//! purpose (ARCHITECTURE.md lists what admin uses and why).
#![forbid(unsafe_code)]

pub mod assignment;
pub mod audit;
pub mod backlog;
pub mod campaigns;
pub mod completeness;
pub mod contacts;
pub mod csat;
pub mod db;
pub mod dlq;
pub mod edge;
pub mod envelope;
pub mod error;
pub mod hooks;
pub mod lifecycle;
pub mod live;
pub mod media;
pub mod nats;
pub mod numbers;
pub mod observe;
pub mod ops;
pub mod outbound;
pub mod provider;
pub mod pull;
pub mod router;
pub mod routing;
pub mod secret;
pub mod sender;
pub mod session_health;
pub mod snooze;
pub mod sources;
pub mod templates;
pub mod tls;
pub mod topology;
pub mod trace;
pub mod vault;

pub use error::{Error, Result};
