//! Delivery, in every sender process: the outbox publisher (every
//! `publish_interval_ms`) and one worker per enabled endpoint, each on its
//! own durable consumer of `WEBHOOKS` (`hook-<id>`, from the endpoint's
//! creation on), so a slow or failing endpoint holds back nobody else. An
//! ordered endpoint has one event in flight (in order: per conversation and
//! overall); others up to `in_flight`. Each attempt is recorded
//! (`webhook_attempts`). 2xx: delivered. 410: the endpoint is disabled
//! (`gone`). Anything else: retried with exponential backoff and full
//! jitter (at least the receiver's `Retry-After`) up to `max_attempts`
//! (about a day by default), and an endpoint that keeps failing for
//! `disable_after_secs` is disabled (`failing`). Endpoints are re-read
//! every `refresh_ms`: a change restarts its worker.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, DeliverPolicy, pull},
};
use chrono::Utc;
use entities::webhook_attempt::AttemptOutcome;
use entities::{webhook_attempt, webhook_endpoint, webhook_outbox};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::pull::ack;
use crate::topology;
use crate::vault::Vault;

/// Vault fields of an endpoint's sealed columns.
pub const URL_FIELD: &str = "webhook_endpoints.url";
pub const SECRET_FIELD: &str = "webhook_endpoints.secret";
pub const HEADERS_FIELD: &str = "webhook_endpoints.headers";

/// `[sender.webhooks]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct HookSettings {
    pub enabled: bool,
    /// Attempts of one event to one endpoint before it is given up.
    pub max_attempts: i64,
    /// First retry delay, milliseconds; doubles per attempt (full jitter).
    pub backoff_base_ms: u64,
    /// Cap of the retry delay, milliseconds.
    pub backoff_max_ms: u64,
    /// How long a receiver may take to answer, milliseconds.
    pub timeout_ms: u64,
    /// An endpoint failing this long (every attempt) is disabled, seconds.
    pub disable_after_secs: u64,
    /// Events in flight per unordered endpoint and process.
    pub in_flight: usize,
    /// How often the outbox is published, milliseconds.
    pub publish_interval_ms: u64,
    /// How often the endpoints are re-read, milliseconds.
    pub refresh_ms: u64,
}

impl Default for HookSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            // 5 s doubling to a 2 h cap: 15 attempts span about a day.
            max_attempts: 15,
            backoff_base_ms: 5_000,
            backoff_max_ms: 7_200_000,
            timeout_ms: 10_000,
            disable_after_secs: 3 * 24 * 3600,
            in_flight: 16,
            publish_interval_ms: 200,
            refresh_ms: 2_000,
        }
    }
}

/// The longest part of a receiver's answer kept with an attempt.
const RESPONSE_PREFIX: usize = 512;

/// The consumer of endpoint `id`.
pub fn consumer_name(id: i64) -> String {
    format!("hook-{id}")
}

/// The HTTP client deliveries go through: the receiver's time limit, no
/// redirects followed, Wharf's user agent.
///
/// # Errors
/// When the TLS setup fails.
pub fn http_client(settings: &HookSettings) -> reqwest::Result<reqwest::Client> {
    crate::tls::client_builder()
        .timeout(Duration::from_millis(settings.timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Wharf-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Runs the publisher and the endpoints' workers until `shutdown`.
pub async fn run(
    db: DatabaseConnection,
    js: jetstream::Context,
    vault: Arc<Vault>,
    settings: HookSettings,
    shutdown: CancellationToken,
) {
    if !settings.enabled {
        return;
    }
    let http = match http_client(&settings) {
        Ok(http) => http,
        Err(err) => {
            tracing::error!(%err, "webhook delivery cannot start its HTTP client");
            return;
        }
    };
    let publisher = tokio::spawn(publish_loop(
        db.clone(),
        js.clone(),
        Duration::from_millis(settings.publish_interval_ms.max(10)),
        shutdown.clone(),
    ));
    let (attempts, recorded) = tokio::sync::mpsc::channel(1024);
    let recorder = tokio::spawn(record_attempts(db.clone(), recorded));
    let shared = Arc::new(Shared {
        db,
        js,
        vault,
        http,
        settings,
        attempts,
    });
    // Running workers: the endpoint as read when started, and its stop.
    let mut workers: HashMap<i64, (webhook_endpoint::Model, CancellationToken)> = HashMap::new();
    loop {
        match webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Enabled.eq(true))
            .all(&shared.db)
            .await
        {
            Ok(endpoints) => {
                let wanted: HashMap<i64, webhook_endpoint::Model> =
                    endpoints.into_iter().map(|e| (e.id, e)).collect();
                workers.retain(|id, (seen, stop)| {
                    let keep = wanted
                        .get(id)
                        .is_some_and(|now| now.updated_at == seen.updated_at);
                    if !keep {
                        stop.cancel();
                    }
                    keep
                });
                for (id, endpoint) in wanted {
                    if workers.contains_key(&id) {
                        continue;
                    }
                    let stop = shutdown.child_token();
                    tokio::spawn(worker(Arc::clone(&shared), endpoint.clone(), stop.clone()));
                    workers.insert(id, (endpoint, stop));
                }
            }
            Err(err) => tracing::warn!(%err, "webhook endpoints could not be read"),
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(Duration::from_millis(shared.settings.refresh_ms.max(100))) => {}
        }
    }
    for (_, (_, stop)) in workers {
        stop.cancel();
    }
    publisher.abort();
    drop(shared);
    // The workers' last attempts are written before the role stops.
    let _ = tokio::time::timeout(Duration::from_secs(5), recorder).await;
}

/// An attempt row to write, and who waits for it.
type AttemptWrite = (
    webhook_attempt::ActiveModel,
    tokio::sync::oneshot::Sender<()>,
);

/// Writes the workers' attempt rows: whatever is queued, up to 500 rows, in
/// one statement, then tells each worker (who acks the event after). One
/// writer per process: on SQLite, sixteen deliveries inserting at once
/// queued on the write lock, each waiting out its busy handler's sleeps
/// (a sender delivered ~140 events/s to a receiver that answered at once).
async fn record_attempts(
    db: DatabaseConnection,
    mut queue: tokio::sync::mpsc::Receiver<AttemptWrite>,
) {
    const MOST: usize = 500;
    let mut batch = Vec::with_capacity(MOST);
    while queue.recv_many(&mut batch, MOST).await > 0 {
        let (rows, waiting): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
        let count = rows.len();
        if let Err(err) = webhook_attempt::Entity::insert_many(rows).exec(&db).await {
            tracing::warn!(%err, count, "webhook attempts not recorded");
        }
        for done in waiting {
            let _ = done.send(());
        }
    }
}

async fn publish_loop(
    db: DatabaseConnection,
    js: jetstream::Context,
    every: Duration,
    shutdown: CancellationToken,
) {
    const BATCH: u64 = 500;
    let mut pruned = Instant::now();
    loop {
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = Instant::now();
            if let Err(err) = prune(&db).await {
                tracing::warn!(%err, "webhook history not pruned");
            }
        }
        match super::outbox::publish_pending(&db, &js, BATCH).await {
            // A full batch: more may be waiting.
            Ok(n) if n as u64 == BATCH => continue,
            Ok(_) => {}
            Err(err) => tracing::warn!(%err, "webhook outbox not published; retrying"),
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// How often old outbox rows and attempts are deleted.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
/// Attempts are kept this long.
pub const ATTEMPTS_KEPT: chrono::Duration = chrono::Duration::days(30);

/// Deletes published outbox rows older than the `WEBHOOKS` stream keeps
/// its events (a recovery reaches no further) and attempts older than
/// [`ATTEMPTS_KEPT`]; returns how many rows went.
///
/// # Errors
/// Database errors.
pub async fn prune(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let now = Utc::now();
    let kept = chrono::Duration::from_std(topology::WEBHOOKS_MAX_AGE).unwrap_or_default();
    let outbox = webhook_outbox::Entity::delete_many()
        .filter(webhook_outbox::Column::PublishedAt.lt(now - kept))
        .exec(db)
        .await?;
    let attempts = webhook_attempt::Entity::delete_many()
        .filter(webhook_attempt::Column::At.lt(now - ATTEMPTS_KEPT))
        .exec(db)
        .await?;
    Ok(outbox.rows_affected + attempts.rows_affected)
}

struct Shared {
    db: DatabaseConnection,
    js: jetstream::Context,
    vault: Arc<Vault>,
    http: reqwest::Client,
    settings: HookSettings,
    /// To the attempt writer ([`record_attempts`]).
    attempts: tokio::sync::mpsc::Sender<AttemptWrite>,
}

/// What an endpoint's worker holds: its opened secrets and headers.
struct Target {
    endpoint: webhook_endpoint::Model,
    url: String,
    secrets: Vec<String>,
    headers: Vec<(String, String)>,
    event_types: Vec<String>,
    limiter: Option<governor::DefaultDirectRateLimiter>,
    /// Whether the row says it is failing (cleared on the next success).
    failing: std::sync::atomic::AtomicBool,
}

impl Target {
    fn open(vault: &Vault, endpoint: webhook_endpoint::Model) -> crate::Result<Self> {
        let open = |field: &str, stored: &str| {
            vault
                .open(field, stored)
                .map(|s| s.expose().to_owned())
                .map_err(|e| crate::Error::Config(e.to_string()))
        };
        let url = open(URL_FIELD, &endpoint.url)?;
        let mut secrets = vec![open(SECRET_FIELD, &endpoint.secret)?];
        if let (Some(previous), Some(until)) =
            (&endpoint.previous_secret, endpoint.previous_secret_until)
            && until > Utc::now()
        {
            secrets.push(open(SECRET_FIELD, previous)?);
        }
        let headers = open(HEADERS_FIELD, &endpoint.headers)?;
        let headers: Vec<(String, String)> = if headers.is_empty() {
            Vec::new()
        } else {
            serde_json::from_str::<HashMap<String, String>>(&headers)?
                .into_iter()
                .collect()
        };
        let event_types = serde_json::from_value(endpoint.event_types.clone()).unwrap_or_default();
        let limiter = endpoint
            .rate_per_second
            .and_then(|r| u32::try_from(r).ok())
            .and_then(std::num::NonZeroU32::new)
            .map(|r| governor::RateLimiter::direct(governor::Quota::per_second(r)));
        Ok(Self {
            failing: std::sync::atomic::AtomicBool::new(endpoint.failing_since.is_some()),
            endpoint,
            url,
            secrets,
            headers,
            event_types,
            limiter,
        })
    }

    /// Whether this endpoint wants `event` (a resend to it always).
    fn wants(&self, event: &webhook_outbox::Model, resend: bool) -> bool {
        if resend {
            return true;
        }
        let e = &self.endpoint;
        (self.event_types.is_empty() || self.event_types.contains(&event.event_type))
            && e.business_number
                .as_ref()
                .is_none_or(|n| event.business_number.as_ref() == Some(n))
            && e.team_id
                .is_none_or(|t| event.team_id.is_none_or(|team| team == t))
    }
}

async fn worker(shared: Arc<Shared>, endpoint: webhook_endpoint::Model, stop: CancellationToken) {
    let id = endpoint.id;
    let target = match Target::open(&shared.vault, endpoint) {
        Ok(target) => Arc::new(target),
        Err(err) => {
            tracing::warn!(endpoint = id, %err, "webhook endpoint's secrets cannot be opened");
            return;
        }
    };
    let ordered = target.endpoint.ordered;
    let config = pull::Config {
        durable_name: Some(consumer_name(id)),
        description: Some(format!("webhook endpoint {id}")),
        // Event types hold dots (`message.received`): `>`, not `*`.
        filter_subjects: vec![
            super::outbox::subject(">"),
            super::outbox::subject_for(id, ">"),
        ],
        deliver_policy: DeliverPolicy::ByStartTime {
            start_time: time::OffsetDateTime::from_unix_timestamp(
                target.endpoint.created_at.timestamp(),
            )
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        },
        ack_policy: AckPolicy::Explicit,
        ack_wait: Duration::from_millis(shared.settings.timeout_ms) + Duration::from_secs(20),
        max_ack_pending: if ordered {
            1
        } else {
            i64::try_from(shared.settings.in_flight).unwrap_or(16)
        },
        ..Default::default()
    };
    let consumer = loop {
        let made = match shared.js.get_stream(topology::WEBHOOKS).await {
            Ok(stream) => stream
                .create_consumer(config.clone())
                .await
                .map_err(|e| e.to_string()),
            Err(err) => Err(err.to_string()),
        };
        match made {
            Ok(consumer) => break consumer,
            Err(err) => {
                tracing::warn!(endpoint = id, %err, "webhook consumer not made; retrying");
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    };
    let concurrency = if ordered {
        1
    } else {
        shared.settings.in_flight.max(1)
    };
    crate::pull::consume(
        &shared.js,
        &consumer,
        concurrency,
        "webhook delivery",
        &stop,
        |message| {
            let shared = Arc::clone(&shared);
            let target = Arc::clone(&target);
            let stop = stop.clone();
            async move { deliver(&shared, &target, message, &stop).await }
        },
    )
    .await;
}

/// What one attempt came to.
struct Answer {
    status: Option<u16>,
    retry_after: Option<Duration>,
    prefix: Option<String>,
    error: Option<String>,
    latency: Duration,
}

async fn deliver(
    shared: &Shared,
    target: &Target,
    message: jetstream::Message,
    stop: &CancellationToken,
) {
    let Ok(event) = serde_json::from_slice::<webhook_outbox::Model>(&message.payload) else {
        tracing::warn!("a WEBHOOKS message is not an outbox event; dropped");
        ack(&message, AckKind::Term).await;
        return;
    };
    let resend = message.subject.as_str().contains(".to.");
    if !target.wants(&event, resend) {
        ack(&message, AckKind::Ack).await;
        return;
    }
    if let Some(limiter) = &target.limiter {
        limiter.until_ready().await;
    }
    let attempt = message.info().map(|i| i.delivered).unwrap_or(1);
    let answer = post(shared, target, &event).await;
    let endpoint = &target.endpoint;
    let delivered = answer.status.is_some_and(|s| (200..300).contains(&s));
    let gone = answer.status == Some(410);
    let exhausted = attempt >= shared.settings.max_attempts;
    let outcome = if delivered {
        AttemptOutcome::Delivered
    } else if gone || exhausted {
        AttemptOutcome::Failed
    } else {
        AttemptOutcome::Retrying
    };
    let outcome_label = outcome.as_str();
    metrics::counter!(crate::observe::WEBHOOK_ATTEMPTS, "outcome" => outcome_label).increment(1);
    metrics::histogram!(crate::observe::WEBHOOK_SECONDS, "outcome" => outcome_label)
        .record(answer.latency.as_secs_f64());
    let row = webhook_attempt::ActiveModel {
        endpoint_id: Set(endpoint.id),
        event_id: Set(super::event_id(event.id)),
        event_type: Set(event.event_type.clone()),
        conversation_id: Set(event.conversation_id),
        message_id: Set(event.message_id),
        attempt: Set(i32::try_from(attempt).unwrap_or(i32::MAX)),
        at: Set(Utc::now()),
        status_code: Set(answer.status.map(i32::from)),
        latency_ms: Set(i64::try_from(answer.latency.as_millis()).unwrap_or(i64::MAX)),
        response_prefix: Set(answer.prefix.clone()),
        error: Set(answer.error.clone()),
        outcome: Set(outcome.as_str().to_owned()),
        ..Default::default()
    };
    // Recorded before the event is settled.
    let (done, written) = tokio::sync::oneshot::channel();
    if shared.attempts.send((row, done)).await.is_ok() {
        let _ = written.await;
    }
    let failing = &target.failing;
    if delivered {
        if failing.swap(false, std::sync::atomic::Ordering::Relaxed) {
            set_failing(&shared.db, endpoint.id, None).await;
        }
        ack(&message, AckKind::Ack).await;
        return;
    }
    if gone {
        disable(&shared.db, endpoint.id, "gone").await;
        ack(&message, AckKind::Term).await;
        stop.cancel();
        return;
    }
    // Failing since the first failure after the last success.
    failing.store(true, std::sync::atomic::Ordering::Relaxed);
    let since = failing_since(&shared.db, endpoint.id).await;
    let too_long = since.is_some_and(|since| {
        (Utc::now() - since).num_seconds()
            > i64::try_from(shared.settings.disable_after_secs).unwrap_or(i64::MAX)
    });
    if too_long {
        tracing::warn!(endpoint = endpoint.id, origin = %endpoint.url_origin, "webhook endpoint failing too long; disabled");
        disable(&shared.db, endpoint.id, "failing").await;
        // Left unacked: delivered when the endpoint is enabled again.
        stop.cancel();
        return;
    }
    if exhausted {
        tracing::warn!(
            endpoint = endpoint.id,
            event = event.id,
            "webhook event given up after its last attempt"
        );
        ack(&message, AckKind::Term).await;
        return;
    }
    let delay = crate::pull::jittered_backoff(
        attempt,
        shared.settings.backoff_base_ms,
        shared.settings.backoff_max_ms,
    )
    .max(answer.retry_after.unwrap_or_default());
    ack(&message, AckKind::Nak(Some(delay))).await;
}

/// POSTs one event to the endpoint, signed.
async fn post(shared: &Shared, target: &Target, event: &webhook_outbox::Model) -> Answer {
    let body = serde_json::to_vec(&super::envelope(
        event.id,
        &event.event_type,
        event.created_at,
        &event.payload,
    ))
    .unwrap_or_default();
    let id = super::event_id(event.id);
    let timestamp = Utc::now().timestamp();
    let secrets: Vec<&str> = target.secrets.iter().map(String::as_str).collect();
    let mut request = shared
        .http
        .post(&target.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in &target.headers {
        request = request.header(name, value);
    }
    let request = request
        .header("webhook-id", &id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            super::sign::header(&secrets, &id, timestamp, &body),
        )
        .body(body);
    let started = Instant::now();
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(crate::provider::client::parse_retry_after);
            let bytes = response.bytes().await.unwrap_or_default();
            let cut = bytes.len().min(RESPONSE_PREFIX);
            let prefix = String::from_utf8_lossy(&bytes[..cut]).into_owned();
            Answer {
                status: Some(status),
                retry_after,
                prefix: (!prefix.is_empty()).then_some(prefix),
                error: None,
                latency: started.elapsed(),
            }
        }
        Err(err) => Answer {
            status: None,
            retry_after: None,
            prefix: None,
            // Never the URL: it is a secret.
            error: Some(if err.is_timeout() {
                "timeout".to_owned()
            } else {
                format!("no answer: {}", crate::provider::client::without_url(&err))
            }),
            latency: started.elapsed(),
        },
    }
}

/// When the endpoint started failing, marking it now when it was not.
async fn failing_since(db: &DatabaseConnection, id: i64) -> Option<chrono::DateTime<Utc>> {
    let row = webhook_endpoint::Entity::find_by_id(id)
        .one(db)
        .await
        .ok()??;
    if row.failing_since.is_some() {
        return row.failing_since;
    }
    let now = Utc::now();
    set_failing(db, id, Some(now)).await;
    Some(now)
}

async fn set_failing(db: &DatabaseConnection, id: i64, since: Option<chrono::DateTime<Utc>>) {
    use sea_orm::sea_query::Expr;
    // Not a change of the endpoint (its workers keep running): no
    // `updated_at`.
    let done = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(since))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .exec(db)
        .await;
    if let Err(err) = done {
        tracing::warn!(endpoint = id, %err, "webhook endpoint's failure time not recorded");
    }
}

async fn disable(db: &DatabaseConnection, id: i64, reason: &str) {
    use sea_orm::sea_query::Expr;
    metrics::counter!(crate::observe::WEBHOOK_DISABLED, "reason" => reason.to_owned()).increment(1);
    let done = webhook_endpoint::Entity::update_many()
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
        .col_expr(
            webhook_endpoint::Column::DisabledReason,
            Expr::value(reason),
        )
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(webhook_endpoint::Column::Id.eq(id))
        .exec(db)
        .await;
    if let Err(err) = done {
        tracing::warn!(endpoint = id, %err, "webhook endpoint not disabled");
    }
    super::outbox::invalidate();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> webhook_endpoint::Model {
        webhook_endpoint::Model {
            id: 1,
            url: String::new(),
            url_origin: "https://example.com".into(),
            description: String::new(),
            event_types: serde_json::json!([]),
            business_number: None,
            team_id: None,
            enabled: true,
            disabled_reason: None,
            ordered: false,
            rate_per_second: None,
            headers: String::new(),
            secret: String::new(),
            previous_secret: None,
            previous_secret_until: None,
            failing_since: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn event(event_type: &str, number: Option<&str>, team: Option<i64>) -> webhook_outbox::Model {
        webhook_outbox::Model {
            id: 7,
            event_type: event_type.into(),
            conversation_id: Some(3),
            message_id: None,
            business_number: number.map(str::to_owned),
            team_id: team,
            payload: serde_json::json!({}),
            created_at: Utc::now(),
            published_at: None,
        }
    }

    fn target(endpoint: webhook_endpoint::Model, types: &[&str]) -> Target {
        Target {
            endpoint,
            url: String::new(),
            secrets: Vec::new(),
            headers: Vec::new(),
            event_types: types.iter().map(|t| (*t).to_owned()).collect(),
            limiter: None,
            failing: std::sync::atomic::AtomicBool::new(false),
        }
    }

    #[test]
    fn endpoints_get_the_types_numbers_and_teams_they_filter_for() {
        let all = target(endpoint(), &[]);
        assert!(all.wants(&event("alert.firing", None, None), false));
        let typed = target(endpoint(), &["message.received"]);
        assert!(typed.wants(&event("message.received", Some("1"), None), false));
        assert!(!typed.wants(&event("message.status", Some("1"), None), false));
        // A resend to the endpoint is delivered whatever its filters.
        assert!(typed.wants(&event("message.status", Some("1"), None), true));
        let mut numbered = endpoint();
        numbered.business_number = Some("106".into());
        numbered.team_id = Some(4);
        let numbered = target(numbered, &[]);
        assert!(numbered.wants(&event("message.received", Some("106"), Some(4)), false));
        assert!(!numbered.wants(&event("message.received", Some("107"), Some(4)), false));
        assert!(!numbered.wants(&event("message.received", Some("106"), Some(5)), false));
        // A status names no team: the number decides.
        assert!(numbered.wants(&event("message.status", Some("106"), None), false));
        assert!(!numbered.wants(&event("alert.firing", None, None), false));
    }
}
