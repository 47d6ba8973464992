//! The operations endpoint of roles that serve no HTTP of their own (router,
//! sender): `GET /healthz` (the process is alive), `GET /readyz` (NATS is
//! connected, the streams the role reads answer, the database answers) and
//! `GET /metrics`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::{Error, Result};

/// Why `/readyz` answers 503: the first check that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("NATS is not connected")]
    Disconnected,
    #[error("stream {0} does not answer")]
    Stream(String),
    #[error("the database does not answer")]
    Database,
}

/// What `/readyz` checks.
pub struct Readiness {
    pub nats: async_nats::Client,
    pub db: Option<DatabaseConnection>,
    /// Hub streams that must answer.
    pub streams: Vec<String>,
}

impl Readiness {
    /// `Ok` when ready, else what is not.
    ///
    /// # Errors
    /// [`NotReady`]: the first failing check.
    pub async fn check(&self) -> std::result::Result<(), NotReady> {
        if !matches!(
            self.nats.connection_state(),
            async_nats::connection::State::Connected
        ) {
            return Err(NotReady::Disconnected);
        }
        let js = async_nats::jetstream::new(self.nats.clone());
        for stream in &self.streams {
            match tokio::time::timeout(Duration::from_secs(2), js.get_stream(stream)).await {
                Ok(Ok(_)) => {}
                _ => return Err(NotReady::Stream(stream.clone())),
            }
        }
        if let Some(db) = &self.db {
            match tokio::time::timeout(Duration::from_secs(2), db.ping()).await {
                Ok(Ok(())) => {}
                _ => return Err(NotReady::Database),
            }
        }
        Ok(())
    }
}

/// A bound, not yet running, operations server.
pub struct OpsServer {
    listener: crate::tls::Listener,
    readiness: Arc<Readiness>,
}

impl OpsServer {
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(listen: SocketAddr, readiness: Readiness) -> Result<Self> {
        crate::observe::install();
        Ok(Self {
            listener: crate::tls::Listener::bind(listen).await?,
            readiness: Arc::new(readiness),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// Serves HTTPS with `tls` (when set) instead of plain HTTP.
    #[must_use]
    pub fn with_tls(mut self, tls: Option<&crate::tls::ServerTls>) -> Self {
        self.listener = self.listener.with_tls(tls);
        self
    }

    /// Serves until `shutdown`.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let app = Route::new()
            .at("/healthz", get(healthz))
            .at("/readyz", get(readyz))
            .at("/metrics", get(crate::observe::metrics_endpoint))
            .data(self.readiness);
        self.listener
            .serve(app, shutdown, Duration::from_secs(2))
            .await
            .map_err(Error::from)
    }
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(readiness: Data<&Arc<Readiness>>) -> Response {
    match readiness.check().await {
        Ok(()) => "ready".into_response(),
        Err(why) => Json(serde_json::json!({"code": "not_ready", "detail": why.to_string()}))
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .into_response(),
    }
}
