//! Wharf's control plane: the admin HTTP server (poem + poem-openapi) with its
//! bearer-token auth, the versioned JSON API under `/api/v1`, the OpenAPI 3
//! document and Swagger UI. It reaches the data plane only through the
//! database, NATS and `relay`'s shared pieces, never through its internals.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod alerts;
mod api;
pub mod audit;
pub mod auth;
pub mod business_hours;
pub mod csv;
mod desk;
mod error;
mod fields;
pub mod gauges;
pub mod listing;
pub mod placeholders;
mod presence;
pub mod reports;
pub mod scope;
pub mod search;
mod server;
pub mod sla;
pub mod support_metrics;
pub mod tokens;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use sea_orm::DatabaseConnection;

pub use server::AdminServer;

/// Settings of the admin server (`[admin]` in the configuration).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    /// Address the HTTP server listens on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The built dashboard (`make web`), served at `/`; none serves the API
    /// only. Defaults to `web/dist` when that holds an `index.html`.
    #[serde(default = "default_web_dir")]
    pub web_dir: Option<PathBuf>,
    /// Hours a dashboard login lasts; then the agent logs in again.
    /// Integrator tokens do not expire (revoke them).
    #[serde(default = "default_session_hours")]
    pub session_hours: u32,
    /// Seconds without user activity in the dashboard before its agent is
    /// `away` (heartbeats, `presence`).
    #[serde(default = "default_presence_away_secs")]
    pub presence_away_secs: u32,
    /// Seconds without a heartbeat before a signed-in agent is `offline`
    /// (the dashboard beats every 30 s; closed tabs stop).
    #[serde(default = "default_presence_offline_secs")]
    pub presence_offline_secs: u32,
}

fn default_presence_away_secs() -> u32 {
    300
}

fn default_presence_offline_secs() -> u32 {
    90
}

fn default_session_hours() -> u32 {
    12
}

fn default_web_dir() -> Option<PathBuf> {
    let dir = PathBuf::from("web/dist");
    dir.join("index.html").is_file().then_some(dir)
}

impl Default for AdminSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            web_dir: default_web_dir(),
            session_hours: default_session_hours(),
            presence_away_secs: default_presence_away_secs(),
            presence_offline_secs: default_presence_offline_secs(),
        }
    }
}

/// Errors starting or running the admin server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding the listener or serving failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The database failed outside of a request.
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Result alias of the admin crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What every request handler may reach, attached to the app as request data.
#[derive(Clone)]
pub(crate) struct AppState {
    pub db: DatabaseConnection,
    pub nats: async_nats::Client,
    pub js: async_nats::jetstream::Context,
    /// Conversation partitions P of the topology (for reply subjects).
    pub partitions: u16,
    /// Failed-login counter (rate limit).
    pub logins: std::sync::Arc<accounts::LoginLimiter>,
    /// How long a login token lasts.
    pub session_ttl: chrono::Duration,
    /// Seals and opens the numbers' secrets at rest.
    pub vault: std::sync::Arc<relay::vault::Vault>,
    /// The edges' `/metrics` URLs (from `[alerts]`), read for the ingest
    /// figures of `/api/v1/stats`; empty: those figures are absent.
    pub edge_metrics_urls: std::sync::Arc<Vec<String>>,
    /// Client for reading the edges' `/metrics`.
    pub http: reqwest::Client,
    /// What agents' attachments may be (`[media.limits]`).
    pub media_limits: std::sync::Arc<relay::media::Limits>,
    /// When each agent was last heard of (heartbeats).
    pub presence: std::sync::Arc<presence::Registry>,
    /// `[admin] presence_away_secs`.
    pub presence_away_secs: u32,
    /// `[admin] presence_offline_secs`.
    pub presence_offline_secs: u32,
}

/// The OpenAPI 3 document of the admin API as pretty JSON, identical to the
/// one served at `/api/openapi.json`.
pub fn openapi_spec() -> String {
    api::service().spec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_listen_on_localhost_8080() {
        assert_eq!(
            AdminSettings::default().listen,
            "127.0.0.1:8080"
                .parse::<SocketAddr>()
                .expect("valid address")
        );
    }

    #[test]
    fn settings_reject_unknown_fields() {
        let err = serde_json::from_str::<AdminSettings>(r#"{"listen":"127.0.0.1:1","extra":true}"#)
            .expect_err("unknown field");
        assert!(err.to_string().contains("extra"), "{err}");
    }
}
