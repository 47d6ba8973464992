//! The HTTP server: binding the listener, the route table (`/healthz`, the
//! spec, Swagger UI, `/api/v1`), request data and graceful shutdown. What the
//! routes do lives in `api`; how errors look lives in `error`.

use std::net::SocketAddr;
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::TcpAcceptor;
use poem::middleware::Tracing;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, Server, get, handler};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::{AdminSettings, AppState, Result, api, error};

/// How long in-flight requests may take to finish once shutdown starts.
const GRACE: Duration = Duration::from_secs(10);

/// A bound, not yet serving, admin server.
pub struct AdminServer {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    state: AppState,
}

impl AdminServer {
    /// Binds the listener (port 0 picks a free port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(
        settings: AdminSettings,
        db: DatabaseConnection,
        nats: async_nats::Client,
        partitions: u16,
    ) -> Result<Self> {
        relay::observe::install();
        let listener = tokio::net::TcpListener::bind(settings.listen).await?;
        let local_addr = listener.local_addr()?;
        let acceptor = TcpAcceptor::from_tokio(listener)?;
        let js = async_nats::jetstream::new(nats.clone());
        Ok(Self {
            acceptor,
            local_addr,
            state: AppState {
                db,
                nats,
                js,
                partitions,
                logins: std::sync::Arc::new(crate::accounts::LoginLimiter::default()),
            },
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests
    /// finish (up to 10 s).
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        tracing::info!(addr = %self.local_addr, "admin server listening");
        tokio::spawn(crate::gauges::sample_forever(
            self.state.js.clone(),
            shutdown.clone(),
        ));
        // The edges learn numbers from the hub's bucket: make it agree with
        // the database, retrying while the hub is not there yet.
        let state = self.state.clone();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(200);
            loop {
                match crate::api::numbers::distribute_all(&state).await {
                    Ok(count) => {
                        tracing::info!(count, "business numbers distributed to the edges");
                        return;
                    }
                    Err(err) => tracing::debug!(%err, "number distribution not possible yet"),
                }
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(5));
            }
        });
        Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(
                app(self.state),
                async move { shutdown.cancelled().await },
                Some(GRACE),
            )
            .await?;
        Ok(())
    }
}

/// The whole HTTP app.
fn app(state: AppState) -> impl Endpoint {
    let service = api::service();
    Route::new()
        .at("/healthz", get(healthz))
        .at("/metrics", get(relay::observe::metrics_endpoint))
        .at("/api/openapi.json", service.spec_endpoint())
        .nest("/api/docs", service.swagger_ui())
        .nest("/", service)
        .catch_all_error(error::into_json_response)
        .data(state)
        .with(Tracing)
}

/// 200 `ok` when the database answers a ping, else 503.
#[handler]
async fn healthz(state: Data<&AppState>) -> poem::Response {
    match state.db.ping().await {
        Ok(()) => "ok".into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
