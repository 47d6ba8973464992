//! The edge relay: an HTTP server that takes provider webhooks, verifies them,
//! and answers 200 only after every event of the delivery is stored in
//! JetStream (the region's edge stream, or INBOUND in single-region mode).
//! It never touches the database. Parsing lives in `provider`.

pub mod abuse;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tracing::Instrument;

use async_nats::jetstream;
use poem::http::StatusCode;
use poem::web::{Data, Json, Query};
use poem::{EndpointExt, IntoResponse, Response, Route, get, handler, post};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::envelope::{Provider, ReadyEvent};
use crate::numbers::NumberBook;
use crate::observe;
use crate::provider::{NumberCredentials, WebhookParser, constant_time_eq, parser_for};
use crate::topology::{self, TopologySettings};
use crate::{Error, Result};

/// `[edge]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EdgeSettings {
    /// Region this edge accepts for; names its stream and JetStream domain.
    pub region: String,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// NATS URL of the region's leaf node (or of the hub when `direct_to_hub`).
    pub nats_url: String,
    /// Publish straight into INBOUND (`wa.in.hub.…`) instead of a regional stream.
    pub direct_to_hub: bool,
    /// Largest webhook body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How long to wait for the JetStream PubAck before answering 503.
    pub ack_timeout_ms: u64,
    /// `Retry-After` seconds sent with a 503.
    pub retry_after_secs: u32,
    /// Deliveries handled at once; beyond this the edge answers 503 at once
    /// instead of queueing without limit.
    pub max_in_flight: usize,
    /// Requests per second from one source address (429 past it; 0 = off).
    pub per_ip_per_second: u32,
    /// No longer used: a verified delivery is never refused for volume
    /// (issue 27). Accepted so configurations written for older builds
    /// still load; a warning says it is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_number_per_second: Option<u32>,
    /// Provider timestamps later than now plus this many seconds are flagged.
    pub future_tolerance_secs: u64,
}

impl Default for EdgeSettings {
    fn default() -> Self {
        Self {
            region: "eu".into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            nats_url: "nats://127.0.0.1:4332".into(),
            direct_to_hub: false,
            max_body_bytes: 1024 * 1024,
            ack_timeout_ms: 5000,
            retry_after_secs: 5,
            max_in_flight: 1024,
            per_ip_per_second: 2000,
            per_number_per_second: None,
            future_tolerance_secs: 300,
        }
    }
}

impl EdgeSettings {
    /// Deliveries handled at once: `max_in_flight`, at least one.
    fn slots(&self) -> usize {
        self.max_in_flight.max(1)
    }
}

/// One provider's webhook URL: its parser and its series.
struct Webhook {
    provider: Provider,
    parser: &'static dyn WebhookParser,
    series: ProviderMetrics,
}

impl Webhook {
    fn new(provider: Provider) -> Self {
        Self {
            provider,
            parser: parser_for(provider),
            series: ProviderMetrics::new(provider),
        }
    }
}

/// The per-delivery series of one provider, registered once: looking a
/// labelled series up by name on every request showed in the profile.
/// Those counted on every delivery are [`observe::HotCounter`]s.
struct ProviderMetrics {
    received: Arc<observe::HotCounter>,
    accepted: Arc<observe::HotCounter>,
    stored: Arc<observe::HotCounter>,
    duplicates: Arc<observe::HotCounter>,
    echoes: Arc<observe::HotCounter>,
    unparsed: Arc<observe::HotCounter>,
    publish_errors: metrics::Counter,
    ack_seconds: metrics::Histogram,
}

impl ProviderMetrics {
    fn new(provider: Provider) -> Self {
        let label = provider.as_str();
        // These series exist from the start (at 0), so rates and alerts
        // see them.
        let at_zero = |counter: metrics::Counter| {
            counter.increment(0);
            counter
        };
        let hot = observe::HotCounter::new;
        Self {
            received: hot(at_zero(
                metrics::counter!(observe::WEBHOOKS_RECEIVED, "provider" => label),
            )),
            accepted: hot(at_zero(
                metrics::counter!(observe::WEBHOOKS_ACCEPTED, "provider" => label),
            )),
            stored: hot(metrics::counter!(observe::EVENTS_STORED, "provider" => label)),
            duplicates: hot(metrics::counter!(observe::EVENTS_DUPLICATE, "provider" => label)),
            echoes: hot(metrics::counter!(observe::EVENTS_ECHO, "provider" => label)),
            unparsed: hot(at_zero(
                metrics::counter!(observe::EVENTS_UNPARSED, "provider" => label),
            )),
            publish_errors: at_zero(
                metrics::counter!(observe::PUBLISH_ERRORS, "provider" => label),
            ),
            ack_seconds: metrics::histogram!(observe::ACK_SECONDS, "provider" => label),
        }
    }
}

struct EdgeState {
    settings: EdgeSettings,
    /// `/webhooks/meta` (the sandbox posts Meta's webhooks there too).
    meta: Webhook,
    /// `/webhooks/wasender`.
    wasender: Webhook,
    partitions: u16,
    numbers: NumberBook,
    /// Stream management and `/readyz`.
    js: jetstream::Context,
    /// Publishing: every hand-over to the client and every PubAck wait
    /// bounded by `ack_timeout_ms` (the client's own timers, so a delivery
    /// pays for no second one).
    publisher: jetstream::Context,
    client: async_nats::Client,
    /// Deliveries being handled (a [`Slot`] each). A plain count, not a
    /// semaphore: nothing waits for a slot (past the bound the answer is
    /// 503 at once), and a semaphore's release takes its waiters' lock.
    in_flight: AtomicUsize,
    /// `wharf_edge_in_flight{region}`: the slots held, set at each render
    /// of the metrics (two shared writes per delivery when it was counted
    /// per delivery).
    in_flight_gauge: metrics::Gauge,
    abuse: crate::edge::abuse::AbuseLimits,
}

impl EdgeState {
    /// Slots held now (a delivery past the bound counts itself for a
    /// moment before it gives its slot back: not shown).
    fn held(&self) -> usize {
        self.in_flight
            .load(Ordering::Relaxed)
            .min(self.settings.slots())
    }
}

/// A bound, not yet running, edge server.
pub struct EdgeServer {
    listener: crate::tls::Listener,
    state: Arc<EdgeState>,
}

/// The JSON body of every non-200 answer: a stable code and a human detail.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub detail: String,
}

/// The JSON body of a 200 answer.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    /// Events stored by this delivery.
    pub stored: usize,
    /// Events the stream already had (provider retry, other region).
    pub duplicates: usize,
    /// Echoes of our own sends, recognised and not stored.
    pub echoes: usize,
    /// Of the events stored, parts this build did not understand, stored
    /// raw (dead-lettered as `unparsed`, replayable after an upgrade).
    #[serde(default)]
    pub unparsed: usize,
}

impl EdgeServer {
    /// Ensures the edge stream exists (unless publishing to the hub) and binds
    /// the listener.
    ///
    /// # Errors
    /// When the stream config drifted, JetStream refuses, or the port is taken.
    pub async fn bind(
        settings: EdgeSettings,
        topology: &TopologySettings,
        numbers: &[NumberCredentials],
        client: async_nats::Client,
    ) -> Result<Self> {
        observe::install();
        if settings.per_number_per_second.is_some() {
            tracing::warn!(
                "edge.per_number_per_second is ignored: verified deliveries are never refused for volume"
            );
        }
        let (meta, wasender) = (
            Webhook::new(Provider::Meta),
            Webhook::new(Provider::Wasender),
        );
        let js = jetstream::new(client.clone());
        let publisher = jetstream::ContextBuilder::new()
            .timeout(Duration::from_millis(settings.ack_timeout_ms))
            .build(client.clone());
        if !settings.direct_to_hub {
            topology::ensure_edge(&js, topology, &settings.region).await?;
        }
        let listener = crate::tls::Listener::bind(settings.listen).await?;
        let state = Arc::new(EdgeState {
            meta,
            wasender,
            partitions: topology.partitions,
            numbers: NumberBook::new(numbers),
            js,
            publisher,
            client,
            in_flight: AtomicUsize::new(0),
            in_flight_gauge: metrics::gauge!(observe::EDGE_IN_FLIGHT, "region" => settings.region.clone()),
            abuse: crate::edge::abuse::AbuseLimits::new(settings.per_ip_per_second),
            settings,
        });
        let source = Arc::downgrade(&state);
        observe::refresh_before_render(move || {
            source
                .upgrade()
                .map(|state| state.in_flight_gauge.set(state.held() as f64))
                .is_some()
        });
        Ok(Self { listener, state })
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

    /// Serves until `shutdown` is cancelled, then finishes in-flight requests.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        // Numbers added or changed on the admin side arrive through the hub.
        tokio::spawn(
            self.state
                .numbers
                .clone()
                .follow(self.state.client.clone(), shutdown.clone()),
        );
        let state = self.state;
        let app = Route::new()
            .at(
                "/webhooks/meta",
                get(meta_verify.data(Arc::clone(&state))).post(Receiver {
                    state: Arc::clone(&state),
                    webhook: |state| &state.meta,
                }),
            )
            .at(
                "/webhooks/wasender",
                post(Receiver {
                    state: Arc::clone(&state),
                    webhook: |state| &state.wasender,
                }),
            )
            .at("/readyz", get(readyz.data(state)))
            .at("/metrics", get(observe::metrics_endpoint))
            .at("/healthz", get(healthz));
        tracing::info!(addr = %self.listener.local_addr(), "edge listening");
        self.listener
            .serve(app, shutdown, Duration::from_secs(10))
            .await
            .map_err(Error::from)
    }
}

fn error(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    Json(ErrorBody {
        code: code.into(),
        detail: detail.into(),
    })
    .with_status(status)
    .into_response()
}

#[derive(Deserialize)]
struct VerifyQuery {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta's subscription handshake: echo the challenge when the token is ours.
#[handler]
async fn meta_verify(Query(q): Query<VerifyQuery>, state: Data<&Arc<EdgeState>>) -> Response {
    let (Some(mode), Some(token), Some(challenge)) = (q.mode, q.verify_token, q.challenge) else {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_parameters",
            "hub.mode, hub.verify_token and hub.challenge are required",
        );
    };
    let numbers = state.numbers.snapshot();
    let known = numbers.of_provider(Provider::Meta).any(|n| {
        !n.verify_token.is_empty()
            && constant_time_eq(n.verify_token.expose().as_bytes(), token.as_bytes())
    });
    if mode != "subscribe" || !known {
        return error(
            StatusCode::FORBIDDEN,
            "verification_failed",
            "verify token does not match",
        );
    }
    challenge.with_status(StatusCode::OK).into_response()
}

/// `POST /webhooks/<provider>`: an endpoint holding the edge's state
/// itself, so a delivery pays for no request extension and no extractor.
struct Receiver {
    state: Arc<EdgeState>,
    webhook: fn(&EdgeState) -> &Webhook,
}

impl poem::Endpoint for Receiver {
    type Output = Response;

    async fn call(&self, mut req: poem::Request) -> poem::Result<Response> {
        let body = req.take_body();
        let state = &*self.state;
        Ok(receive((self.webhook)(state), &req, body, state).await)
    }
}

/// 429: this source address is over its budget; nothing was stored.
fn slow_down(code: &str, detail: &str) -> Response {
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, code, detail);
    response.headers_mut().insert(
        poem::http::header::RETRY_AFTER,
        poem::http::HeaderValue::from_static("1"),
    );
    response
}

/// One of the edge's `max_in_flight` slots (borrowed from the state: no
/// reference count touched per delivery), given back when dropped.
/// `wharf_edge_in_flight` counts the slots held when the metrics are
/// rendered ([`EdgeState::held`]).
struct Slot<'a> {
    held: &'a AtomicUsize,
}

impl<'a> Slot<'a> {
    /// A free slot, or `None` at the bound.
    fn take(state: &'a EdgeState) -> Option<Self> {
        let held = &state.in_flight;
        // Taken first, so two deliveries racing for the last slot cannot
        // both have it; one past the bound gives it back at once.
        let slot = Self { held };
        (held.fetch_add(1, Ordering::AcqRel) < state.settings.slots()).then_some(slot)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.held.fetch_sub(1, Ordering::AcqRel);
    }
}

fn retry_later(state: &EdgeState, code: &str, detail: &str) -> Response {
    let mut response = error(StatusCode::SERVICE_UNAVAILABLE, code, detail);
    if let Ok(value) = state.settings.retry_after_secs.to_string().parse() {
        response
            .headers_mut()
            .insert(poem::http::header::RETRY_AFTER, value);
    }
    response
}

async fn receive(
    webhook: &Webhook,
    req: &poem::Request,
    body: poem::Body,
    state: &EdgeState,
) -> Response {
    let started = std::time::Instant::now();
    let label = webhook.provider.as_str();
    let series = &webhook.series;
    series.received.increment(1);
    let refused = |reason: &'static str| {
        metrics::counter!(observe::WEBHOOKS_REJECTED, "provider" => label, "reason" => reason)
            .increment(1);
        tracing::warn!(provider = label, reason, "webhook refused");
    };
    // 503: nothing of the delivery is known to be stored; the provider retries.
    let not_stored = || {
        series.publish_errors.increment(1);
        refused("not_stored");
        retry_later(
            state,
            "not_stored",
            "the event could not be stored; retry later",
        )
    };
    // Bounded work in flight: past the bound the provider retries later.
    let Some(_slot) = Slot::take(state) else {
        refused("overloaded");
        return retry_later(
            state,
            "overloaded",
            "too many deliveries in flight; retry later",
        );
    };
    if let Some(peer) = req.remote_addr().as_socket_addr()
        && !state.abuse.allow_ip(peer.ip())
    {
        refused("rate_limited_source");
        return slow_down(
            "rate_limited",
            "too many requests from this address; retry later",
        );
    }
    let limit = state.settings.max_body_bytes;
    let too_large = || {
        refused("body_too_large");
        let mut response = error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("body exceeds {limit} bytes"),
        );
        // The body is left unread: the connection cannot carry another
        // request, and a client that pooled it would write into a closed
        // socket next time.
        response.headers_mut().insert(
            poem::http::header::CONNECTION,
            poem::http::HeaderValue::from_static("close"),
        );
        response
    };
    if req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > limit)
    {
        return too_large();
    }
    let bytes = match body.into_bytes_limit(limit).await {
        Ok(bytes) => bytes,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => return too_large(),
        Err(err) => {
            refused("unreadable_body");
            return error(StatusCode::BAD_REQUEST, "unreadable_body", err.to_string());
        }
    };
    let delivery = match webhook.parser.accept_ready(
        &state.numbers.snapshot(),
        req.headers(),
        &bytes,
        &state.settings.region,
    ) {
        Ok(Ok(delivery)) => delivery,
        Ok(Err(unencodable)) => {
            tracing::error!(provider = label, detail = %unencodable, "an event could not be encoded; answering 503");
            return not_stored();
        }
        Err(rejection) => {
            refused(rejection.code());
            let status = match rejection {
                crate::provider::Rejection::Malformed(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNAUTHORIZED,
            };
            return error(status, rejection.code(), rejection.to_string());
        }
    };
    let now = chrono::Utc::now();
    for event in &delivery.events {
        if crate::edge::abuse::from_the_future(
            event.timestamp,
            now,
            state.settings.future_tolerance_secs,
        ) {
            metrics::counter!(observe::WEBHOOKS_FLAGGED, "provider" => label, "reason" => "future_timestamp")
                .increment(1);
            tracing::warn!(
                provider = label,
                msg_id = %event.msg_id,
                provider_time = %event.timestamp,
                "provider timestamp in the future; stored and flagged"
            );
        }
    }
    let parent_trace = req
        .headers()
        .get(crate::envelope::TRACEPARENT_HEADER)
        .and_then(|v| v.to_str().ok());
    let (echoes, unparsed) = (delivery.echoes, delivery.unparsed());
    let events = delivery.events.len();
    let publishing = publish_all(state, delivery.events, parent_trace);
    // Exported traces: one span per delivery, continuing the provider's
    // `traceparent` when it sent one, with a child per stored event.
    // Otherwise no span, not even an empty one, wraps the wait.
    let published = if crate::trace::exporting() {
        let span = tracing::info_span!(
            "webhook",
            provider = label,
            region = %state.settings.region,
            events,
        );
        crate::trace::continue_from(&span, parent_trace);
        publishing.instrument(span).await
    } else {
        publishing.await
    };
    match published {
        Ok(mut accepted) => {
            accepted.echoes = echoes;
            accepted.unparsed = unparsed;
            series.accepted.increment(1);
            // Counts of 0 (the common delivery's duplicates, echoes and
            // unparsed parts) touch no shared counter.
            for (counter, count) in [
                (&series.stored, accepted.stored),
                (&series.duplicates, accepted.duplicates),
                (&series.echoes, accepted.echoes),
                (&series.unparsed, unparsed),
            ] {
                if count > 0 {
                    counter.increment(count as u64);
                }
            }
            series.ack_seconds.record(started.elapsed().as_secs_f64());
            tracing::debug!(
                provider = label,
                stored = accepted.stored,
                duplicates = accepted.duplicates,
                echoes = accepted.echoes,
                "webhook stored"
            );
            answer(&accepted)
        }
        Err(detail) => {
            tracing::error!(provider = label, %detail, "JetStream did not ack; answering 503");
            not_stored()
        }
    }
}

/// The 200 answer: [`Accepted`] as JSON, its content type a constant
/// (poem's `Json` copies it into every response). The common delivery's
/// answer (one event stored) is written once per process.
fn answer(accepted: &Accepted) -> Response {
    const ONE: Accepted = Accepted {
        stored: 1,
        duplicates: 0,
        echoes: 0,
        unparsed: 0,
    };
    static ONE_STORED: std::sync::LazyLock<Vec<u8>> =
        std::sync::LazyLock::new(|| serde_json::to_vec(&ONE).unwrap_or_default());
    let body = if *accepted == ONE && !ONE_STORED.is_empty() {
        poem::Body::from_bytes(bytes::Bytes::from_static(ONE_STORED.as_slice()))
    } else {
        match serde_json::to_vec(accepted) {
            Ok(body) => poem::Body::from_vec(body),
            Err(_) => return Json(accepted).into_response(),
        }
    };
    Response::builder()
        .header(
            poem::http::header::CONTENT_TYPE,
            poem::http::HeaderValue::from_static("application/json; charset=utf-8"),
        )
        .body(body)
}

/// Why a delivery's events were not all stored (the edge answers 503).
#[derive(Debug, thiserror::Error)]
enum NotStored {
    #[error("no PubAck within {0:?}")]
    NoAck(Duration),
    #[error("{0}")]
    Publish(jetstream::context::PublishError),
}

impl NotStored {
    fn of(state: &EdgeState, err: jetstream::context::PublishError) -> Self {
        match err.kind() {
            jetstream::context::PublishErrorKind::TimedOut => {
                Self::NoAck(Duration::from_millis(state.settings.ack_timeout_ms))
            }
            _ => Self::Publish(err),
        }
    }
}

/// `traceparent`, named once (a name built from a `&str` is copied on
/// every insert).
const TRACEPARENT: async_nats::header::HeaderName =
    async_nats::header::HeaderName::from_static(crate::envelope::TRACEPARENT_HEADER);

/// Publishes every event with its dedupe id, then waits for every PubAck
/// at once. Each hand-over to the client and each wait is bounded by
/// `ack_timeout_ms`: the publishing context's own timers, so the edge
/// adds none (a second timer per delivery showed in its profile).
async fn publish_all(
    state: &EdgeState,
    events: Vec<ReadyEvent>,
    parent_trace: Option<&str>,
) -> std::result::Result<Accepted, NotStored> {
    let mut accepted = Accepted::default();
    let mut count = |ack: std::result::Result<jetstream::publish::PublishAck, _>,
                     span: Option<tracing::Span>| {
        let duplicate = ack.map_err(|err| NotStored::of(state, err))?.duplicate;
        if let Some(span) = span {
            span.record("duplicate", duplicate);
        }
        if duplicate {
            accepted.duplicates += 1;
        } else {
            accepted.stored += 1;
        }
        Ok::<_, NotStored>(())
    };
    if events.len() == 1 {
        // The common delivery: one event, nothing to gather or join.
        for event in events {
            let (ack, span) = publish(state, event, parent_trace).await?;
            count(ack.await, span)?;
        }
    } else {
        let mut pending = Vec::with_capacity(events.len());
        for event in events {
            pending.push(publish(state, event, parent_trace).await?);
        }
        // All waits start together: the delivery's answer comes within one
        // `ack_timeout_ms` of the last hand-over, however many events.
        let acks = futures::future::join_all(
            pending
                .into_iter()
                .map(|(ack, span)| async move { (ack.await, span) }),
        )
        .await;
        for (ack, span) in acks {
            count(ack, span)?;
        }
    }
    Ok(accepted)
}

/// Hands one event to the client, with its dedupe id and `traceparent`:
/// the PubAck to wait for, and the event's span when spans are exported.
async fn publish(
    state: &EdgeState,
    event: ReadyEvent,
    parent_trace: Option<&str>,
) -> std::result::Result<(jetstream::context::PublishAckFuture, Option<tracing::Span>), NotStored> {
    let subject_region = if state.settings.direct_to_hub {
        topology::HUB_REGION
    } else {
        state.settings.region.as_str()
    };
    let subject = topology::inbound_subject(
        subject_region,
        &event.business_number,
        topology::partition_of(&event.partition_key, state.partitions),
    );
    // Exported: the event's own span, which the router continues;
    // otherwise the cheap byte-by-byte header.
    let span = crate::trace::exporting().then(|| {
        tracing::info_span!(
            "store_event",
            msg_id = %event.msg_id,
            subject = %subject,
            duplicate = tracing::field::Empty,
        )
    });
    let trace = span
        .as_ref()
        .and_then(crate::trace::traceparent_of)
        .unwrap_or_else(|| crate::envelope::traceparent(parent_trace));
    tracing::debug!(
        event_id = %event.msg_id,
        trace_id = crate::envelope::trace_id(&trace).unwrap_or_default(),
        "publishing"
    );
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(async_nats::header::NATS_MESSAGE_ID, event.msg_id);
    headers.insert(TRACEPARENT, trace);
    let ack = state
        .publisher
        .publish_with_headers(subject, headers, event.payload.into())
        .await
        .map_err(|err| NotStored::of(state, err))?;
    Ok((ack, span))
}

/// Ready when NATS is connected and the stream the edge writes to answers.
#[handler]
async fn readyz(state: Data<&Arc<EdgeState>>) -> Response {
    if !matches!(
        state.client.connection_state(),
        async_nats::connection::State::Connected
    ) {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "nats_disconnected",
            "NATS is not connected",
        );
    }
    let stream = if state.settings.direct_to_hub {
        topology::INBOUND.to_owned()
    } else {
        topology::edge_stream(&state.settings.region)
    };
    let answer = tokio::time::timeout(Duration::from_secs(2), state.js.get_stream(&stream)).await;
    match answer {
        Ok(Ok(_)) => "ready".into_response(),
        _ => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "stream_unavailable",
            format!("stream {stream} does not answer"),
        ),
    }
}

/// Alive: the process serves HTTP (NATS state is `/readyz`'s business).
#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(response: Response) -> (String, Accepted) {
        let content_type = response
            .headers()
            .get(poem::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.into_body().into_vec().await.expect("body");
        (
            content_type,
            serde_json::from_slice(&body).expect("an Accepted"),
        )
    }

    #[tokio::test]
    async fn the_common_answer_and_any_other_read_as_what_was_accepted() {
        let common = Accepted {
            stored: 1,
            ..Accepted::default()
        };
        let other = Accepted {
            stored: 2,
            duplicates: 1,
            echoes: 3,
            unparsed: 1,
        };
        for accepted in [common, other, Accepted::default()] {
            let (content_type, read_back) = read(answer(&accepted)).await;
            assert_eq!(content_type, "application/json; charset=utf-8");
            assert_eq!(read_back, accepted);
        }
    }
}
