//! The HTTP server: binding the listener, the route table (`/healthz`, the
//! spec, Swagger UI, `/api/v1`, the built dashboard at `/`), request data and
//! graceful shutdown. What the routes do lives in `api`; how errors look
//! lives in `error`; the dashboard itself is built from `web/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use poem::http::{Method, StatusCode, header};
use poem::middleware::Tracing;
use poem::web::Data;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, get, handler};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::{AdminSettings, AppState, Result, api, error};

/// How long in-flight requests may take to finish once shutdown starts.
const GRACE: Duration = Duration::from_secs(10);

/// A bound, not yet serving, admin server.
pub struct AdminServer {
    listener: relay::tls::Listener,
    state: AppState,
    web_dir: Option<PathBuf>,
    /// The alert rules this server evaluates, and the hub's replicas.
    alerts: Option<(crate::alerts::AlertSettings, usize)>,
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
        vault: std::sync::Arc<relay::vault::Vault>,
    ) -> Result<Self> {
        relay::observe::install();
        let listener = relay::tls::Listener::bind(settings.listen).await?;
        let js = async_nats::jetstream::new(nats.clone());
        Ok(Self {
            listener,
            web_dir: settings.web_dir,
            alerts: None,
            state: AppState {
                db,
                nats,
                js,
                partitions,
                logins: std::sync::Arc::new(crate::accounts::LoginLimiter::default()),
                session_ttl: chrono::Duration::hours(i64::from(settings.session_hours.max(1))),
                vault,
                edge_metrics_urls: std::sync::Arc::new(Vec::new()),
                http: relay::tls::client_builder()
                    .timeout(Duration::from_secs(2))
                    .build()
                    .unwrap_or_default(),
                media_limits: std::sync::Arc::new(relay::media::Limits::default()),
                presence: std::sync::Arc::default(),
                presence_away_secs: settings.presence_away_secs.max(1),
                presence_offline_secs: settings.presence_offline_secs.max(1),
            },
        })
    }

    /// Serves HTTPS with `tls` (when set) instead of plain HTTP.
    #[must_use]
    pub fn with_tls(mut self, tls: Option<&relay::tls::ServerTls>) -> Self {
        self.listener = self.listener.with_tls(tls);
        self
    }

    /// Evaluates `settings`' alert rules while serving (when enabled),
    /// keeping their state in a bucket of `replicas` replicas. The edges'
    /// `/metrics` URLs are also read for `/api/v1/stats` (even when alerts
    /// are disabled).
    #[must_use]
    pub fn with_alerts(mut self, settings: crate::alerts::AlertSettings, replicas: usize) -> Self {
        self.state.edge_metrics_urls = std::sync::Arc::new(settings.edge_metrics_urls.clone());
        self.alerts = settings.enabled.then_some((settings, replicas));
        self
    }

    /// Takes agents' attachments within `limits` (`[media.limits]`; else
    /// the defaults, Meta's maxima).
    #[must_use]
    pub fn with_media_limits(mut self, limits: relay::media::Limits) -> Self {
        self.state.media_limits = std::sync::Arc::new(limits);
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests
    /// finish (up to 10 s).
    ///
    /// # Errors
    /// When the server fails to accept connections.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        tracing::info!(addr = %self.listener.local_addr(), dashboard = ?self.web_dir, "admin server listening");
        tokio::spawn(crate::gauges::sample_forever(
            self.state.js.clone(),
            shutdown.clone(),
        ));
        tokio::spawn(crate::support_metrics::sample_forever(
            self.state.db.clone(),
            shutdown.clone(),
        ));
        if let Some((settings, replicas)) = self.alerts {
            tokio::spawn(crate::alerts::run(
                settings,
                replicas,
                self.state.js.clone(),
                self.state.db.clone(),
                shutdown.clone(),
            ));
        }
        tokio::spawn(crate::desk::run(self.state.clone(), shutdown.clone()));
        tokio::spawn(crate::presence::listen(
            self.state.clone(),
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
        self.listener
            .serve(app(self.state, self.web_dir), shutdown, GRACE)
            .await?;
        Ok(())
    }
}

/// The whole HTTP app.
fn app(state: AppState, web_dir: Option<PathBuf>) -> impl Endpoint {
    let service = api::service();
    let spec = serde_json::from_str(&service.spec()).unwrap_or(serde_json::Value::Null);
    let api = Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(relay::observe::metrics_endpoint))
        .at("/api/openapi.json", service.spec_endpoint())
        .nest("/api/docs", service.swagger_ui())
        .nest(
            "/",
            NameTheField {
                spec: std::sync::Arc::new(spec),
                api: poem::IntoEndpoint::into_endpoint(service),
            },
        )
        .catch_all_error(error::into_json_response);
    WithDashboard {
        api: TraceRequests(api),
        web_dir,
    }
    .data(state)
    .with(Tracing)
}

/// Exported traces (`relay::trace`): one span per API request, continuing
/// the caller's `traceparent` when it sends one; a reply the request
/// publishes carries the span on to the sender. Without export, a pass
/// through.
struct TraceRequests<E>(E);

impl<E: Endpoint> Endpoint for TraceRequests<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if !relay::trace::exporting() {
            return self.0.call(req).await.map(IntoResponse::into_response);
        }
        let span = tracing::info_span!(
            "admin_request",
            method = %req.method(),
            path = %req.uri().path(),
            status = tracing::field::Empty,
        );
        relay::trace::continue_from(&span, req.header(relay::envelope::TRACEPARENT_HEADER));
        let result = tracing::Instrument::instrument(self.0.call(req), span.clone())
            .await
            .map(IntoResponse::into_response);
        let status = match &result {
            Ok(response) => response.status(),
            Err(err) => err.status(),
        };
        span.record("status", i64::from(status.as_u16()));
        result
    }
}

/// Bodies larger than this are not re-read to name a refused field.
const MAX_EXPLAINED_BODY: usize = 1 << 20;

/// The API, with refused request bodies explained by field (`fields`).
struct NameTheField<E> {
    spec: std::sync::Arc<serde_json::Value>,
    api: E,
}

impl<E: Endpoint> Endpoint for NameTheField<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let json = req
            .content_type()
            .is_some_and(|t| t.starts_with("application/json"));
        // Only bodies of a declared, small length are kept for explaining;
        // anything else goes through exactly as it came.
        let small = req
            .header(header::CONTENT_LENGTH)
            .and_then(|len| len.parse::<usize>().ok())
            .is_some_and(|len| len <= MAX_EXPLAINED_BODY);
        if !json || !small || req.method() == Method::GET {
            return self.api.call(req).await.map(IntoResponse::into_response);
        }
        let body = req.take_body().into_bytes_limit(MAX_EXPLAINED_BODY).await?;
        req.set_body(body.clone());
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        match self.api.call(req).await {
            Err(err) if err.is::<poem_openapi::error::ParseRequestPayloadError>() => {
                match crate::fields::offending(&self.spec, method.as_str(), &path, &body) {
                    Some((field, reason)) => Ok(error::ApiError::bad_request(
                        "invalid_body",
                        format!("{field}: {reason}"),
                    )
                    .into_response()),
                    None => Err(err),
                }
            }
            other => other.map(IntoResponse::into_response),
        }
    }
}

/// The API, and for every other `GET` the built dashboard: its files, or its
/// `index.html` for the paths the dashboard routes itself (`/conversations/7`).
struct WithDashboard<E> {
    api: E,
    web_dir: Option<PathBuf>,
}

impl<E: Endpoint> Endpoint for WithDashboard<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let docs = req.uri().path().starts_with("/api/docs");
        if let Some(dir) = &self.web_dir
            && (req.method() == Method::GET || req.method() == Method::HEAD)
            && is_dashboard_path(req.uri().path())
        {
            return Ok(harden(dashboard_file(dir, req.uri().path()).await, docs));
        }
        self.api
            .call(req)
            .await
            .map(|r| harden(r.into_response(), docs))
    }
}

/// The dashboard's content security policy: its own scripts, styles and
/// API only; never framed (clickjacking). Inline style attributes are
/// React's; no inline or foreign script runs. Media files are fetched with
/// the bearer header and shown from `blob:` URLs the dashboard makes itself
/// (images, audio, video; never scripts).
const DASHBOARD_CSP: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
     media-src 'self' blob:; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
     frame-ancestors 'none'";

/// The interactive API docs page runs its own inline script.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
     frame-ancestors 'none'";

/// Security headers on every answer. No CORS headers are ever sent: the
/// dashboard is same-origin, and browsers refuse cross-origin reads.
fn harden(mut response: Response, docs: bool) -> Response {
    let headers = response.headers_mut();
    let csp = if docs { DOCS_CSP } else { DASHBOARD_CSP };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Whether a path belongs to the dashboard: anything the API does not own.
fn is_dashboard_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    !matches!(first, "api" | "healthz" | "metrics")
}

/// The file of `dir` at `path`; `index.html` for a path without an
/// extension that names no file; 404 for anything else. Never leaves `dir`.
async fn dashboard_file(dir: &Path, path: &str) -> Response {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let safe = segments
        .iter()
        .all(|s| *s != ".." && *s != "." && !s.contains('\\') && !s.starts_with('.'));
    let mut file = dir.to_path_buf();
    if safe {
        file.extend(&segments);
    }
    let wanted_file = segments.last().is_some_and(|s| s.contains('.'));
    if !safe || segments.is_empty() || !tokio::fs::metadata(&file).await.is_ok_and(|m| m.is_file())
    {
        if wanted_file {
            return (StatusCode::NOT_FOUND, "not found").into_response();
        }
        file = dir.join("index.html");
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let immutable = segments.first() == Some(&"assets") && file != dir.join("index.html");
            Response::builder()
                .header(header::CONTENT_TYPE, content_type(&file))
                .header(
                    header::CACHE_CONTROL,
                    if immutable {
                        "public, max-age=31536000, immutable"
                    } else {
                        "no-cache"
                    },
                )
                .body(bytes)
        }
        Err(err) => {
            tracing::warn!(%err, file = %file.display(), "dashboard file unreadable (is the dashboard built? `make web`)");
            (
                StatusCode::NOT_FOUND,
                "the dashboard is not built: run `make web`",
            )
                .into_response()
        }
    }
}

/// The media type of a dashboard file, by its extension.
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Ready: NATS connected, the DLQ stream answers (the hub's JetStream is
/// reachable as the admin user) and the database answers; 503 with the
/// first failing check otherwise, like the other roles' `/readyz`.
#[handler]
async fn readyz(state: Data<&AppState>) -> poem::Response {
    let readiness = relay::ops::Readiness {
        nats: state.nats.clone(),
        db: Some(state.db.clone()),
        streams: vec![relay::topology::DLQ.to_owned()],
    };
    match readiness.check().await {
        Ok(()) => "ready".into_response(),
        Err(why) => {
            poem::web::Json(serde_json::json!({"code": "not_ready", "detail": why.to_string()}))
                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                .into_response()
        }
    }
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
