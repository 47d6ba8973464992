//! The sender consumer group: one durable pull consumer on OUTBOUND shared by
//! every sender process. Sends each reply through its number's provider,
//! records the provider id, retries with exponential backoff and full jitter
//! (waiting in place with progress acks; a crash hands the reply to another
//! sender after `ack_wait`, so nothing is lost), and dead-letters permanent
//! failures or exhausted attempts with the provider's error. Each sender
//! process also runs the DLQ indexer ([`crate::dlq`]).
//!
//! Every send first takes a slot from the number's rate limit
//! ([`crate::sender::ratelimit`], shared by all sender processes). While a reply waits
//! for its slot the sender sends progress acks, so JetStream does not hand it
//! to a second sender; the same progress acks run while the provider call is
//! in flight. After a timeout or a success answer that does not name the
//! message (the provider may have accepted the request) the retry waits at
//! least `timeout_retry_floor_ms`, long enough for the
//! provider's `sent` status webhook to move the row past `queued`; the retry
//! then finds the row sent and does not send again. A sender that dies
//! mid-call leaves the same uncertainty: every call is preceded by a durable
//! `sending` lifecycle record, and a redelivery that finds it unresolved
//! waits out the same floor from that attempt's start before sending again.

pub mod ratelimit;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, pull},
};
use chrono::Utc;
use entities::{business_number, message};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use entities::message_event::Stage;
use tracing::Instrument;

use crate::dlq;
use crate::envelope::{OutboundReply, Provider, ReplyContent, trace_id};
use crate::media::store::MediaStore;
use crate::provider::client::Timeouts;
use crate::provider::meta::send::MetaClient;
use crate::provider::wasender::send::WasenderClient;
use crate::provider::{ReplySender, SendError, UploadFile};
use crate::pull::ack;
use crate::sender::ratelimit::{RateLimits, RateSettings};
use crate::topology::{self, TopologySettings};
use crate::{Error, Result};
use crate::{lifecycle, observe};

/// `SendError::code` of a redelivered reply whose last attempt died
/// mid-call; it waits, it is not retried at once.
const UNKNOWN_OUTCOME: &str = "unknown_outcome";

/// `SendError::code` of a campaign message whose campaign is not running
/// (paused): held in hand, not an attempt, until it runs or is cancelled.
const HELD: &str = "campaign_held";

/// Durable name of the sender consumer.
pub const SENDER_CONSUMER: &str = crate::topology::SENDER_CONSUMER;

/// `[sender]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SenderSettings {
    /// Attempts of one reply before it is dead-lettered as failed.
    pub max_attempts: i64,
    /// Seconds a reply may stay unacked before redelivery.
    pub ack_wait_secs: u64,
    /// First retry delay, milliseconds; doubles per attempt (full jitter).
    pub backoff_base_ms: u64,
    /// Cap of the retry delay, milliseconds.
    pub backoff_max_ms: u64,
    /// Replies in flight per sender process.
    pub concurrency: usize,
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
    /// Meta Graph API base URL and version.
    pub meta_base_url: String,
    pub meta_api_version: String,
    /// WasenderApi base URL (`POST {base}/api/send-message`).
    pub wasender_base_url: String,
    /// Least retry delay after a timeout, milliseconds (status reconciliation).
    pub timeout_retry_floor_ms: u64,
    /// Milliseconds between checks for queued replies the OUTBOUND
    /// consumer lost (see `repair`); 0 turns the repair off.
    pub repair_interval_ms: u64,
    /// Rate limits per business number (`[sender.rate]`).
    pub rate: RateSettings,
    /// Integrators' webhooks, delivered by the senders (`[sender.webhooks]`).
    #[serde(default)]
    pub webhooks: crate::hooks::deliver::HookSettings,
    /// Campaigns: their lane and feeder (`[sender.campaigns]`).
    #[serde(default)]
    pub campaigns: crate::campaigns::CampaignSettings,
}

impl Default for SenderSettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            ack_wait_secs: 30,
            backoff_base_ms: 500,
            backoff_max_ms: 60_000,
            concurrency: 32,
            connect_timeout_ms: 3000,
            request_timeout_ms: 10_000,
            meta_base_url: crate::provider::meta::send::DEFAULT_BASE_URL.into(),
            meta_api_version: crate::provider::meta::send::DEFAULT_API_VERSION.into(),
            wasender_base_url: crate::provider::wasender::send::DEFAULT_BASE_URL.into(),
            timeout_retry_floor_ms: 10_000,
            repair_interval_ms: 15_000,
            rate: RateSettings::default(),
            webhooks: crate::hooks::deliver::HookSettings::default(),
            campaigns: crate::campaigns::CampaignSettings::default(),
        }
    }
}

impl SenderSettings {
    /// Deliveries JetStream makes of one reply. Larger than `max_attempts`:
    /// deliveries that wait out an earlier attempt's outcome, lose a claim
    /// race or lose their progress acks are not provider calls. The last one
    /// always settles the reply (sent, or failed into the DLQ).
    pub fn max_deliver(&self) -> i64 {
        self.max_attempts.saturating_mul(3).saturating_add(4)
    }
}

/// The outbound side of `provider`, built from this process's settings:
/// the one place a provider is registered for sending (its inbound side is
/// [`crate::provider::parser_for`]).
///
/// # Errors
/// When the HTTP client cannot be built.
pub fn reply_sender(
    provider: Provider,
    settings: &SenderSettings,
) -> reqwest::Result<Box<dyn ReplySender>> {
    let timeouts = Timeouts {
        connect: Duration::from_millis(settings.connect_timeout_ms),
        request: Duration::from_millis(settings.request_timeout_ms),
    };
    Ok(match provider {
        // The sandbox speaks Meta's Cloud API.
        Provider::Meta | Provider::Sandbox => Box::new(MetaClient::new(
            timeouts,
            &settings.meta_base_url,
            &settings.meta_api_version,
            settings.rate.meta,
        )?),
        Provider::Wasender => Box::new(WasenderClient::new(
            timeouts,
            &settings.wasender_base_url,
            settings.rate.wasender,
        )?),
    })
}

/// One sender process.
pub struct Sender {
    settings: SenderSettings,
    topology: TopologySettings,
    db: DatabaseConnection,
    js: jetstream::Context,
    /// Every provider's outbound side ([`reply_sender`]).
    providers: HashMap<Provider, Box<dyn ReplySender>>,
    limits: tokio::sync::OnceCell<RateLimits>,
    /// The media bucket, where attachments are read from (opened on the
    /// first one).
    media: tokio::sync::OnceCell<MediaStore>,
    /// Opens the numbers' access tokens (sealed at rest).
    vault: Arc<crate::vault::Vault>,
    /// Campaigns' states, as the campaign lane checks them before each
    /// send (a pause or cancel is seen within a second).
    gates: moka::future::Cache<i64, Option<crate::campaigns::Gate>>,
}

impl Sender {
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(
        settings: SenderSettings,
        topology: TopologySettings,
        db: DatabaseConnection,
        client: async_nats::Client,
        vault: Arc<crate::vault::Vault>,
    ) -> Result<Self> {
        let providers = Provider::ALL
            .iter()
            .map(|&provider| Ok((provider, reply_sender(provider, &settings)?)))
            .collect::<reqwest::Result<_>>()?;
        Ok(Self {
            js: jetstream::new(client),
            settings,
            topology,
            db,
            providers,
            limits: tokio::sync::OnceCell::new(),
            media: tokio::sync::OnceCell::new(),
            vault,
            gates: moka::future::Cache::builder()
                .time_to_live(Duration::from_secs(1))
                .max_capacity(10_000)
                .build(),
        })
    }

    /// Consumes OUTBOUND until `shutdown`, finishing the replies in hand.
    ///
    /// # Errors
    /// When the topology drifted or the consumer cannot be created.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let is_drift =
            |e: &Error| matches!(e, Error::Topology(topology::TopologyError::Drift { .. }));
        let setup =
            crate::nats::retry_transient("sender start-up", &shutdown, is_drift, || async {
                topology::ensure_hub(&self.js, &self.topology).await?;
                if !self.limits.initialized() {
                    let limits = RateLimits::open(
                        self.settings.rate.clone(),
                        &self.js,
                        self.topology.replicas,
                    )
                    .await?;
                    let _ = self.limits.set(limits);
                }
                let stream = self
                    .js
                    .get_stream(topology::OUTBOUND)
                    .await
                    .map_err(Error::nats)?;
                let mut consumers = Vec::new();
                for lane in topology::OutboundLane::ALL {
                    // Create or update: a consumer made before the lanes
                    // existed gets its filter.
                    let consumer = stream
                        .create_consumer(self.lane_config(lane))
                        .await
                        .map_err(Error::nats)?;
                    consumers.push((lane, consumer));
                }
                Ok(consumers)
            })
            .await?;
        let Some(consumers) = setup else {
            return Ok(());
        };
        tracing::info!("sender consuming OUTBOUND");
        // Every sender also indexes the DLQ (one shared durable consumer).
        let indexer = tokio::spawn(crate::dlq::run_indexer(
            self.db.clone(),
            self.js.clone(),
            shutdown.clone(),
        ));
        let repairs: Vec<_> = topology::OutboundLane::ALL
            .into_iter()
            .filter(|_| self.settings.repair_interval_ms > 0)
            .map(|lane| {
                tokio::spawn(crate::router::repair::sender_loop(
                    self.db.clone(),
                    self.js.clone(),
                    self.topology.partitions,
                    lane,
                    Duration::from_millis(self.settings.repair_interval_ms),
                    shutdown.clone(),
                ))
            })
            .collect();
        // Every sender also feeds running campaigns into their lane.
        let feeder = tokio::spawn(crate::campaigns::run_feeder(
            self.db.clone(),
            self.js.clone(),
            self.topology.partitions,
            self.settings.campaigns.clone(),
            shutdown.clone(),
        ));
        // Every sender also publishes the webhook outbox and delivers it.
        let hooks = tokio::spawn(crate::hooks::deliver::run(
            self.db.clone(),
            self.js.clone(),
            Arc::clone(&self.vault),
            self.settings.webhooks.clone(),
            shutdown.clone(),
        ));
        let this = Arc::new(self);
        let lanes = consumers.into_iter().map(|(lane, consumer)| {
            let this = Arc::clone(&this);
            let shutdown = shutdown.clone();
            async move {
                let (concurrency, what) = match lane {
                    topology::OutboundLane::Support => (this.settings.concurrency, "the sender"),
                    topology::OutboundLane::Campaign => (
                        this.settings.campaigns.concurrency,
                        "the sender's campaign lane",
                    ),
                };
                crate::pull::consume(
                    &this.js,
                    &consumer,
                    concurrency,
                    what,
                    &shutdown,
                    |message| {
                        let this = Arc::clone(&this);
                        let shutdown = shutdown.clone();
                        async move { this.handle(message, &shutdown).await }
                    },
                )
                .await;
            }
        });
        futures::future::join_all(lanes).await;
        for repair in repairs {
            repair.abort();
        }
        feeder.abort();
        hooks.abort();
        match indexer.await {
            Ok(Err(err)) => tracing::warn!(%err, "DLQ indexer stopped"),
            Err(err) => tracing::warn!(%err, "DLQ indexer panicked"),
            Ok(Ok(())) => {}
        }
        Ok(())
    }

    /// The durable consumer of one OUTBOUND lane.
    fn lane_config(&self, lane: topology::OutboundLane) -> pull::Config {
        let concurrency = match lane {
            topology::OutboundLane::Support => self.settings.concurrency,
            topology::OutboundLane::Campaign => self.settings.campaigns.concurrency,
        };
        pull::Config {
            durable_name: Some(lane.consumer().into()),
            filter_subject: lane.filter().into(),
            ack_policy: AckPolicy::Explicit,
            ack_wait: Duration::from_secs(self.settings.ack_wait_secs),
            max_deliver: self.settings.max_deliver(),
            max_ack_pending: i64::try_from(concurrency * 4).unwrap_or(128),
            ..Default::default()
        }
    }

    /// What a campaign message's failed attempt tells the campaign: a
    /// throttled number holds its campaign sends a while (and the campaign
    /// counts it); a spam-rate refusal pauses the campaign, and the message
    /// is held until it runs again.
    async fn campaign_feedback(
        &self,
        campaign: i64,
        reply: &OutboundReply,
        delivered: i64,
        err: &SendError,
    ) {
        let code = err.code.as_str();
        if crate::campaigns::THROTTLE_CODES.contains(&code) {
            if let Some(limits) = self.limits.get() {
                let hold = Duration::from_millis(self.settings.campaigns.throttle_hold_ms);
                limits.hold(
                    &reply.business_number,
                    err.retry_after.unwrap_or(hold).max(hold),
                );
            }
            if let Err(e) = crate::campaigns::note_throttled(&self.db, campaign).await {
                tracing::warn!(%e, campaign, "throttle not counted");
            }
        } else if crate::campaigns::PAUSING_CODES.contains(&code) {
            // The attempt is settled (refused), so the send after the
            // resume does not wait out an unknown outcome.
            lifecycle::record_logged(
                &self.db,
                reply.message_id,
                Stage::Retrying,
                serde_json::json!({
                    "code": err.code,
                    "campaign_paused": campaign,
                    "delivery": delivered,
                }),
            )
            .await;
            let reason = format!("the provider refused a send: {}", err.reason);
            if let Err(e) = crate::campaigns::pause_by_wharf(&self.db, campaign, &reason).await {
                tracing::warn!(%e, campaign, "campaign not paused");
            }
            self.gates.invalidate(&campaign).await;
        }
    }

    /// The campaign's [`crate::campaigns::Gate`], at most a second old.
    async fn gate(&self, campaign: i64) -> Result<Option<crate::campaigns::Gate>, sea_orm::DbErr> {
        if let Some(gate) = self.gates.get(&campaign).await {
            return Ok(gate);
        }
        let gate = crate::campaigns::gate(&self.db, campaign).await?;
        self.gates.insert(campaign, gate).await;
        Ok(gate)
    }

    async fn handle(&self, message: jetstream::Message, shutdown: &CancellationToken) {
        let delivered = message.info().map(|i| i.delivered).unwrap_or(1);
        let reply: OutboundReply = match serde_json::from_slice(&message.payload) {
            Ok(reply) => reply,
            Err(err) => {
                metrics::counter!(observe::SENDS, "provider" => "unknown", "outcome" => "malformed")
                    .increment(1);
                self.dead_letter(&message, delivered, "malformed", &err.to_string())
                    .await;
                return;
            }
        };
        // One trace per message: continue the one its publisher started.
        let traceparent = crate::envelope::traceparent_header(&message);
        let span = tracing::info_span!(
            "send_reply",
            message_id = reply.message_id,
            conversation_id = reply.conversation_id,
            attempt = delivered,
            trace_id = traceparent.and_then(trace_id).unwrap_or(""),
        );
        crate::trace::continue_from(&span, traceparent);
        self.handle_reply(&message, &reply, delivered, shutdown)
            .instrument(span)
            .await;
    }

    async fn handle_reply(
        &self,
        message: &jetstream::Message,
        reply: &OutboundReply,
        delivered: i64,
        shutdown: &CancellationToken,
    ) {
        let mut provider: Option<Provider> = None;
        // Alive and working: JetStream must not hand this reply to another
        // sender while ours may still reach the provider.
        let keep_alive = crate::pull::keep_alive(
            vec![message.clone()],
            Duration::from_secs(self.settings.ack_wait_secs.max(3) / 3),
        );
        // JetStream would never hand this reply out again: whatever happens
        // now must settle it (sent, or failed into the DLQ), never leave it
        // `queued`.
        let last_delivery = delivered >= self.settings.max_deliver();
        let count = |provider: Option<Provider>, outcome: &'static str| {
            let label = provider.map_or("unknown", Provider::as_str);
            metrics::counter!(observe::SENDS, "provider" => label, "outcome" => outcome)
                .increment(1);
        };
        // Retries wait here, holding the reply with progress acks, instead
        // of a NAK with a delay: nats-server 2.9.10 was seen to drop delayed
        // redeliveries from a consumer's pending set while advancing its ack
        // floor (nats-server#5727; docs/reliability.md), which would leave
        // the reply `queued` for ever. A crash still hands it to another
        // sender after `ack_wait`.
        let outcome = loop {
            let outcome = self
                .send(reply, message, delivered, &mut provider, shutdown)
                .await;
            if let (Err(err), Some(campaign)) = (&outcome, reply.campaign_id) {
                self.campaign_feedback(campaign, reply, delivered, err)
                    .await;
            }
            let wait = match &outcome {
                Err(err) if err.code == HELD => Duration::from_secs(1),
                // The campaign was paused for it: held like the rest.
                Err(err)
                    if reply.campaign_id.is_some()
                        && crate::campaigns::PAUSING_CODES.contains(&err.code.as_str()) =>
                {
                    Duration::from_secs(1)
                }
                Err(err) if err.code == UNKNOWN_OUTCOME && !last_delivery => {
                    // An earlier attempt died mid-call: give its status
                    // webhook time to arrive before deciding to send again.
                    count(provider, "deferred");
                    let delay = err.retry_after.unwrap_or(Duration::from_secs(1));
                    tracing::info!(
                        ?delay,
                        "previous attempt's outcome unknown; waiting for its status"
                    );
                    delay
                }
                // A reply another delivery is sending is never failed here.
                Err(err) if err.retryable && !last_delivery => {
                    let attempts = self.attempts_made(reply.message_id, delivered).await;
                    if err.code != "claimed" && attempts >= self.settings.max_attempts {
                        break outcome;
                    }
                    count(provider, "retry");
                    let mut delay = backoff(attempts.max(1), &self.settings, err.retry_after);
                    // The provider may have accepted it: wait for its `sent`
                    // status first (CI saw a reply sent twice when a 200
                    // with an unreadable body was retried after 11 ms).
                    if err.may_have_been_accepted() {
                        delay =
                            delay.max(Duration::from_millis(self.settings.timeout_retry_floor_ms));
                    }
                    tracing::warn!(code = %err.code, attempts, ?delay, "send failed; retrying");
                    lifecycle::record_logged(
                        &self.db,
                        reply.message_id,
                        Stage::Retrying,
                        serde_json::json!({
                            "attempt": attempts,
                            "code": err.code,
                            "delay_ms": u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                            // Settles this delivery's own attempt only
                            // (see `unsettled_attempt`).
                            "delivery": delivered,
                        }),
                    )
                    .await;
                    delay
                }
                _ => break outcome,
            };
            tokio::select! {
                () = shutdown.cancelled() => {
                    keep_alive.abort();
                    // Another sender takes it at once.
                    ack(message, AckKind::Nak(None)).await;
                    return;
                }
                () = tokio::time::sleep(wait) => {}
            }
        };
        keep_alive.abort();
        let count = |outcome: &'static str| count(provider, outcome);
        match outcome {
            Ok(Some(wamid)) => {
                // Its `sent` stage committed with the status (`mark_sent`).
                count("sent");
                tracing::debug!(%wamid, "sent");
                ack(message, AckKind::Ack).await;
            }
            Ok(None) => {
                count("skipped");
                ack(message, AckKind::Ack).await;
            }
            Err(err) => {
                count("failed");
                let attempts = self.attempts_made(reply.message_id, delivered).await;
                tracing::warn!(code = %err.code, attempts, "send failed for good");
                // Its `failed` stage commits with the status.
                let failed_stage = serde_json::json!({
                    "attempt": attempts, "code": err.code, "error": err.reason,
                });
                if self
                    .mark_failed(reply, &err.reason, &failed_stage)
                    .await
                    .is_err()
                {
                    // Left unacked: redelivered after ack_wait (no delayed
                    // NAK, see above).
                    return;
                }
                if reply.campaign_id.is_some() {
                    // A campaign's failures are its results (per recipient,
                    // with the provider's reason), not dead letters: one
                    // number's marketing limit would flood the DLQ.
                    ack(message, AckKind::Ack).await;
                    return;
                }
                // No provider webhook tells anyone of this failure: live
                // views learn it here (core NATS, best effort).
                crate::live::message_event(
                    &self.js.client(),
                    reply.conversation_id,
                    "status",
                    reply.message_id,
                )
                .await;
                let reason = dlq_reason(&err);
                if self
                    .dead_letter(message, attempts, &reason, &err.reason)
                    .await
                {
                    lifecycle::record_logged(
                        &self.db,
                        reply.message_id,
                        Stage::DeadLettered,
                        // The OUTBOUND sequence names the letter (origin
                        // and stream sequence): a retry discards it.
                        serde_json::json!({
                            "origin": topology::DLQ_ORIGIN_SENDER,
                            "reason": reason,
                            "stream_sequence": message.info().ok().map(|i| i.stream_sequence),
                        }),
                    )
                    .await;
                }
            }
        }
    }

    /// Sends one reply unless it already left. `Ok(None)`: nothing to do.
    /// `provider` is set as soon as the number's is known (for metrics).
    async fn send(
        &self,
        reply: &OutboundReply,
        message: &jetstream::Message,
        delivered: i64,
        provider: &mut Option<Provider>,
        shutdown: &CancellationToken,
    ) -> Result<Option<String>, SendError> {
        let db_error = |e: sea_orm::DbErr| SendError {
            retryable: true,
            code: "database".into(),
            reason: format!("database: {e}"),
            retry_after: None,
        };
        let Some(row) = message::Entity::find_by_id(reply.message_id)
            .one(&self.db)
            .await
            .map_err(db_error)?
        else {
            return Err(SendError {
                retryable: false,
                code: "unknown_message".into(),
                reason: format!("message {} does not exist", reply.message_id),
                retry_after: None,
            });
        };
        if row.status != "queued" {
            // Already sent (a redelivery after a crash between send and ack).
            return Ok(None);
        }
        if let Some(campaign) = reply.campaign_id {
            let gate = self.gate(campaign).await.map_err(db_error)?;
            match gate.map(|g| g.state) {
                Some(entities::campaign::CampaignState::Running) => {}
                None | Some(entities::campaign::CampaignState::Cancelled) => {
                    crate::campaigns::cancel_message(&self.db, reply.message_id)
                        .await
                        .map_err(db_error)?;
                    return Ok(None);
                }
                Some(_) => {
                    return Err(SendError {
                        retryable: true,
                        code: HELD.into(),
                        reason: "the campaign is not running".into(),
                        retry_after: None,
                    });
                }
            }
        }
        // Also within one delivery: an in-place retry after an attempt
        // whose outcome was never recorded.
        if let Some(left) = self
            .unresolved_attempt(reply.message_id)
            .await
            .map_err(db_error)?
        {
            return Err(SendError {
                retryable: true,
                code: UNKNOWN_OUTCOME.into(),
                reason: "the previous attempt died mid-call".into(),
                retry_after: Some(left),
            });
        }
        let number = business_number::Entity::find()
            .filter(business_number::Column::PhoneNumberId.eq(&reply.business_number))
            .one(&self.db)
            .await
            .map_err(db_error)?
            .ok_or_else(|| SendError {
                retryable: false,
                code: "unknown_number".into(),
                reason: format!(
                    "business number {} is not configured",
                    reply.business_number
                ),
                retry_after: None,
            })?;
        // The column's text becomes a `Provider` here, once.
        let (kind, outbound) = number
            .provider
            .parse::<Provider>()
            .ok()
            .and_then(|kind| Some((kind, self.providers.get(&kind)?)))
            .ok_or_else(|| SendError {
                retryable: false,
                code: "unsupported_provider".into(),
                reason: format!("sending through {} is not supported yet", number.provider),
                retry_after: None,
            })?;
        let base_url = number
            .api_base_url
            .as_deref()
            .unwrap_or(outbound.default_base_url());
        let token = self
            .vault
            .open(
                crate::vault::ACCESS_TOKEN,
                number.access_token.as_deref().unwrap_or_default(),
            )
            .map_err(|e| SendError {
                retryable: false,
                code: "secret_unreadable".into(),
                reason: e.to_string(),
                retry_after: None,
            })?;
        *provider = Some(kind);
        // Claim this delivery before sending: a redelivery that overtook us
        // (our progress acks lost while the hub failed over) read the same
        // `queued` row; only one of us may send.
        // Whole µs: what both databases store, so the re-check below
        // compares equal values.
        let claimed_at = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        let claimed = message::Entity::update_many()
            .col_expr(message::Column::UpdatedAt, Expr::value(claimed_at))
            .filter(message::Column::Id.eq(row.id))
            .filter(message::Column::Status.eq("queued"))
            .filter(message::Column::UpdatedAt.eq(row.updated_at))
            .exec(&self.db)
            .await
            .map_err(db_error)?;
        if claimed.rows_affected == 0 {
            return Err(SendError {
                retryable: true,
                code: "claimed".into(),
                reason: "another delivery of this reply is being sent".into(),
                retry_after: None,
            });
        }
        // An attachment's file goes to the provider first (or an earlier
        // attempt's upload is used again).
        let media = match &reply.content {
            ReplyContent::Attachment { .. } => Some(
                self.uploaded(
                    reply,
                    kind,
                    outbound.as_ref(),
                    base_url,
                    token.expose(),
                    delivered,
                )
                .await?,
            ),
            _ => None,
        };
        // Durable before the call: a redelivery after our death must know
        // the provider may have accepted this attempt.
        lifecycle::record(
            &self.db,
            reply.message_id,
            Stage::Sending,
            Utc::now(),
            serde_json::json!({ "delivery": delivered }),
        )
        .await
        .map_err(db_error)?;
        // Last before the call: the shared schedule allows only a small
        // allowance between a slot and the provider seeing the request.
        if let Some(limits) = self.limits.get() {
            let keep_alive_every = Duration::from_secs(self.settings.ack_wait_secs.max(3) / 3);
            let waiting = Instant::now();
            match reply.campaign_id {
                None => {
                    limits
                        .acquire(
                            &number.phone_number_id,
                            outbound.rate_limit(),
                            keep_alive_every,
                            || ack(message, AckKind::Progress),
                        )
                        .await;
                }
                Some(campaign) => {
                    let cap = self
                        .gate(campaign)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|g| g.rate_per_second)
                        .map(|rate| (format!("campaign.{campaign}"), rate));
                    limits
                        .acquire_spare(
                            &number.phone_number_id,
                            outbound.rate_limit(),
                            cap,
                            keep_alive_every,
                            || ack(message, AckKind::Progress),
                        )
                        .await;
                }
            }
            metrics::histogram!(observe::RATE_LIMIT_WAIT_SECONDS, "provider" => kind.as_str())
                .record(waiting.elapsed().as_secs_f64());
        }
        // A campaign paused or cancelled while we waited for the slot: the
        // wait may have been long (its own cap books slots ahead), so ask
        // the database, not the cache. The attempt is settled (retrying),
        // so the send after a resume does not wait out an unknown outcome.
        if let Some(campaign) = reply.campaign_id {
            let gate = crate::campaigns::gate(&self.db, campaign)
                .await
                .map_err(db_error)?;
            if gate.map(|g| g.state) != Some(entities::campaign::CampaignState::Running) {
                self.gates.invalidate(&campaign).await;
                lifecycle::record_logged(
                    &self.db,
                    reply.message_id,
                    Stage::Retrying,
                    serde_json::json!({ "code": HELD, "delivery": delivered }),
                )
                .await;
                return Err(SendError {
                    retryable: true,
                    code: HELD.into(),
                    reason: "the campaign stopped while the send waited for its slot".into(),
                    retry_after: None,
                });
            }
        }
        // Still ours after the wait? A redelivery that took over (our
        // progress acks late on a starved host, the wait longer than the
        // unknown-outcome floor) has claimed the row since: it sends, we
        // do not.
        let still_ours = message::Entity::find_by_id(row.id)
            .filter(message::Column::Status.eq("queued"))
            .filter(message::Column::UpdatedAt.eq(claimed_at))
            .count(&self.db)
            .await
            .map_err(db_error)?
            > 0;
        if !still_ours {
            return Err(SendError {
                retryable: true,
                code: "claimed".into(),
                reason: "another delivery of this reply took it over".into(),
                retry_after: None,
            });
        }
        let calling = Instant::now();
        let sent = outbound
            .send(base_url, token.expose(), reply, media.as_deref())
            .await;
        metrics::histogram!(observe::SEND_SECONDS, "provider" => kind.as_str())
            .record(calling.elapsed().as_secs_f64());
        let wamid = sent?;
        // The provider has it: from here on only recording that may be
        // retried, never the call (a database outage right after the call
        // must not turn into a second send).
        let mut pause = Duration::from_millis(100);
        let sent_stage = serde_json::json!({
            "delivery": delivered,
            "provider": kind.as_str(),
        });
        while let Err(err) = self.mark_sent(reply, &wamid, &sent_stage).await {
            tracing::warn!(%err, ?pause, "the provider accepted the reply; recording it failed, retrying");
            tokio::select! {
                () = shutdown.cancelled() => return Err(db_error(err)),
                () = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(Duration::from_secs(5));
        }
        let waited = (Utc::now() - row.created_at).to_std().unwrap_or_default();
        metrics::histogram!(observe::REPLY_SECONDS, "provider" => kind.as_str())
            .record(waited.as_secs_f64());
        Ok(Some(wamid))
    }

    /// Provider calls made for this reply so far: its `sending` records, or
    /// its attachment's upload attempts where more (uploads that keep
    /// failing end in the DLQ like sends). Deferred and claimed deliveries
    /// are not attempts. `delivered` when the database cannot tell.
    async fn attempts_made(&self, message_id: i64, delivered: i64) -> i64 {
        let count = |stage: Stage| {
            entities::message_event::Entity::find()
                .filter(entities::message_event::Column::MessageId.eq(message_id))
                .filter(entities::message_event::Column::Stage.eq(stage.as_str()))
                .count(&self.db)
        };
        match (
            count(Stage::Sending).await,
            count(Stage::MediaUploading).await,
        ) {
            (Ok(sends), Ok(uploads)) => i64::try_from(sends.max(uploads)).unwrap_or(delivered),
            _ => delivered,
        }
    }

    /// The provider's handle of an attachment's file: an earlier attempt's
    /// upload while the provider still keeps it, else the file read from
    /// the media bucket (its size and SHA-256 checked) and uploaded now.
    /// Each upload is preceded by a durable `media_uploading` record (an
    /// attempt) and followed by `media_uploaded` with the handle.
    async fn uploaded(
        &self,
        reply: &OutboundReply,
        provider: Provider,
        outbound: &dyn ReplySender,
        base_url: &str,
        token: &str,
        delivered: i64,
    ) -> Result<String, SendError> {
        let ReplyContent::Attachment {
            object,
            mime,
            size,
            sha256,
            filename,
            ..
        } = &reply.content
        else {
            return Err(SendError::bad_response("not an attachment"));
        };
        let db_error = |e: sea_orm::DbErr| SendError {
            retryable: true,
            code: "database".into(),
            reason: format!("database: {e}"),
            retry_after: None,
        };
        if let Some(handle) = self
            .earlier_upload(reply.message_id, provider)
            .await
            .map_err(db_error)?
        {
            return Ok(handle);
        }
        let storage = |detail: String| SendError {
            retryable: true,
            code: "storage".into(),
            reason: format!("media bucket: {detail}"),
            retry_after: None,
        };
        let store = self
            .media
            .get_or_try_init(|| MediaStore::open(&self.js))
            .await
            .map_err(|e| storage(e.to_string()))?;
        let bytes = store
            .read_all(object)
            .await
            .map_err(|e| storage(e.to_string()))?
            .ok_or_else(|| SendError {
                retryable: false,
                code: "media_missing".into(),
                reason: "the attachment's file is no longer in the media bucket".into(),
                retry_after: None,
            })?;
        let digest = crate::media::sha256_hex(&bytes);
        if bytes.len() as u64 != *size || !digest.eq_ignore_ascii_case(sha256) {
            return Err(SendError {
                retryable: false,
                code: "media_corrupt".into(),
                reason: format!(
                    "the attachment read back as {} bytes with another checksum",
                    bytes.len()
                ),
                retry_after: None,
            });
        }
        let file = UploadFile {
            business_number: reply.business_number.clone(),
            bytes: bytes.into(),
            mime: mime.clone(),
            filename: filename.clone(),
        };
        lifecycle::record(
            &self.db,
            reply.message_id,
            Stage::MediaUploading,
            Utc::now(),
            serde_json::json!({ "delivery": delivered, "bytes": size }),
        )
        .await
        .map_err(db_error)?;
        let started = Instant::now();
        let uploaded = outbound.upload(base_url, token, &file).await;
        let outcome = if uploaded.is_ok() {
            "uploaded"
        } else {
            "failed"
        };
        metrics::histogram!(observe::MEDIA_UPLOAD_SECONDS, "provider" => provider.as_str(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        let handle = uploaded?;
        let usable_until =
            Utc::now() + chrono::Duration::from_std(outbound.upload_lifetime()).unwrap_or_default();
        lifecycle::record_logged(
            &self.db,
            reply.message_id,
            Stage::MediaUploaded,
            serde_json::json!({
                "provider": provider.as_str(),
                "handle": handle,
                "usable_until": usable_until,
                "ms": u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            }),
        )
        .await;
        Ok(handle)
    }

    /// The handle of this reply's last upload through `provider`, while it
    /// is usable for at least another minute.
    async fn earlier_upload(
        &self,
        message_id: i64,
        provider: Provider,
    ) -> Result<Option<String>, sea_orm::DbErr> {
        let last = entities::message_event::Entity::find()
            .filter(entities::message_event::Column::MessageId.eq(message_id))
            .filter(entities::message_event::Column::Stage.eq(Stage::MediaUploaded.as_str()))
            .order_by_desc(entities::message_event::Column::Id)
            .one(&self.db)
            .await?;
        let margin = Utc::now() + chrono::Duration::minutes(1);
        Ok(last.and_then(|event| {
            let detail = &event.detail;
            let usable_until = detail["usable_until"]
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())?;
            (detail["provider"] == provider.as_str() && usable_until > margin)
                .then(|| detail["handle"].as_str().map(str::to_owned))
                .flatten()
        }))
    }

    /// The time left to wait when the last attempt of this reply died
    /// mid-call less than `timeout_retry_floor_ms` ago: the provider may have
    /// accepted it, and its `sent` status webhook (matched by
    /// `biz_opaque_callback_data`) moves the row past `queued` when it comes.
    async fn unresolved_attempt(
        &self,
        message_id: i64,
    ) -> Result<Option<Duration>, sea_orm::DbErr> {
        // The records that start or settle an attempt: other records (a
        // `queued` written just after its publish, statuses) must not hide
        // an attempt that died mid-call.
        let records = entities::message_event::Entity::find()
            .filter(entities::message_event::Column::MessageId.eq(message_id))
            .filter(entities::message_event::Column::Stage.is_in([
                Stage::Sending.as_str(),
                Stage::Retrying.as_str(),
                Stage::Sent.as_str(),
                Stage::Failed.as_str(),
                Stage::DeadLettered.as_str(),
                Stage::Replayed.as_str(),
            ]))
            .order_by_desc(entities::message_event::Column::Id)
            .all(&self.db)
            .await?;
        let Some(started) = unsettled_attempt(records.iter().map(|e| {
            let delivery = e.detail.get("delivery").and_then(serde_json::Value::as_i64);
            (e.stage.as_str(), delivery, e.at)
        })) else {
            return Ok(None);
        };
        let floor = chrono::Duration::milliseconds(
            i64::try_from(self.settings.timeout_retry_floor_ms).unwrap_or(i64::MAX),
        );
        Ok((started + floor - Utc::now())
            .to_std()
            .ok()
            .filter(|left| !left.is_zero()))
    }

    /// `queued` → `sent` with the provider id; never moves a status backwards
    /// (a delivery webhook may have overtaken us). The `sent` stage (with
    /// `stage_detail`) commits with it, so no reader sees the status
    /// without its stage. Integrators learn it (`message.sent`, with the
    /// row) only when this moved it (a status webhook that overtook us told
    /// them already).
    async fn mark_sent(
        &self,
        reply: &OutboundReply,
        wamid: &str,
        stage_detail: &serde_json::Value,
    ) -> Result<(), sea_orm::DbErr> {
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let moved = message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value("sent"))
            .col_expr(message::Column::ProviderMessageId, Expr::value(wamid))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(reply.message_id))
            .filter(message::Column::Status.eq("queued"))
            .exec(&txn)
            .await?;
        message::Entity::update_many()
            .col_expr(message::Column::ProviderMessageId, Expr::value(wamid))
            .filter(message::Column::Id.eq(reply.message_id))
            .filter(message::Column::ProviderMessageId.is_null())
            .exec(&txn)
            .await?;
        if moved.rows_affected > 0 {
            let event = status_event(reply, "message.sent", "sent", None, Some(wamid));
            crate::hooks::outbox::record(&txn, vec![event]).await?;
        }
        lifecycle::record(
            &txn,
            reply.message_id,
            Stage::Sent,
            now,
            stage_detail.clone(),
        )
        .await?;
        txn.commit().await
    }

    /// The reply failed for good, and integrators learn it (its
    /// `message.status` event and its `failed` stage, with
    /// `stage_detail`, commit with the row).
    async fn mark_failed(
        &self,
        reply: &OutboundReply,
        reason: &str,
        stage_detail: &serde_json::Value,
    ) -> Result<(), sea_orm::DbErr> {
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value("failed"))
            .col_expr(message::Column::Error, Expr::value(reason))
            .col_expr(message::Column::UpdatedAt, Expr::value(now))
            .filter(message::Column::Id.eq(reply.message_id))
            .exec(&txn)
            .await?;
        let event = status_event(reply, "message.status", "failed", Some(reason), None);
        crate::hooks::outbox::record(&txn, vec![event]).await?;
        lifecycle::record(
            &txn,
            reply.message_id,
            Stage::Failed,
            now,
            stage_detail.clone(),
        )
        .await?;
        txn.commit().await
    }

    /// Writes the letter, then acks; `false` (and a NAK) if DLQ refused it.
    async fn dead_letter(
        &self,
        message: &jetstream::Message,
        delivered: i64,
        reason: &str,
        error: &str,
    ) -> bool {
        let sequence = message.info().map(|i| i.stream_sequence).unwrap_or(0);
        let failure = dlq::letter::Failure {
            origin: topology::DLQ_ORIGIN_SENDER,
            reason,
            error,
            attempts: delivered,
        };
        let stored = dlq::letter::publish(&self.js, message, sequence, failure)
            .await
            .is_ok();
        // Not stored: left unacked, redelivered after ack_wait.
        if stored {
            ack(message, AckKind::Ack).await;
        }
        stored
    }
}

/// DLQ subject token for a failure: a bounded, subject-safe label.
fn dlq_reason(err: &SendError) -> String {
    let code: String = err
        .code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(32)
        .collect();
    if code.is_empty() {
        "unknown".into()
    } else {
        format!("provider_{code}")
    }
}

/// Full-jitter exponential backoff, never shorter than the provider's
/// `Retry-After`.
/// When the newest attempt that nothing settled started, given a reply's
/// attempt records newest first as (stage, delivery, at). A `sent`,
/// `failed`, `dead_lettered` or `replayed` record settles every attempt
/// before it; a `retrying` record only its own delivery's (another
/// delivery's "claimed" or "held" says nothing of an attempt still in
/// flight elsewhere). A `retrying` record without a delivery (written
/// before deliveries were recorded on it) settles everything, as it did.
pub fn unsettled_attempt<'a>(
    newest_first: impl IntoIterator<Item = (&'a str, Option<i64>, chrono::DateTime<Utc>)>,
) -> Option<chrono::DateTime<Utc>> {
    let mut settled = Vec::new();
    for (stage, delivery, at) in newest_first {
        match (stage, delivery) {
            (s, Some(d)) if s == Stage::Retrying.as_str() => settled.push(d),
            (s, d) if s == Stage::Sending.as_str() => {
                if d.is_none_or(|d| !settled.contains(&d)) {
                    return Some(at);
                }
            }
            _ => return None,
        }
    }
    None
}

pub fn backoff(
    delivered: i64,
    settings: &SenderSettings,
    retry_after: Option<Duration>,
) -> Duration {
    let jittered =
        crate::pull::jittered_backoff(delivered, settings.backoff_base_ms, settings.backoff_max_ms);
    retry_after.map_or(jittered, |floor| jittered.max(floor))
}

/// The integrators' event of a reply's status as the sender knows it.
fn status_event(
    reply: &OutboundReply,
    event_type: &'static str,
    status: &str,
    error: Option<&str>,
    provider_message_id: Option<&str>,
) -> crate::hooks::Event {
    let data = crate::hooks::payload::MessageStatus {
        message_id: reply.message_id,
        conversation_id: reply.conversation_id,
        status: status.to_owned(),
        error: error.map(str::to_owned),
        provider_message_id: provider_message_id.map(str::to_owned),
        timestamp: Utc::now(),
    };
    let mut event = crate::hooks::Event::new(event_type, &data);
    event.conversation_id = Some(reply.conversation_id);
    event.message_id = Some(reply.message_id);
    event.business_number = Some(reply.business_number.clone());
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_own_delivery_or_an_outcome_settles_an_attempt() {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).expect("a valid second");
        // Delivery 1 is in its provider call; delivery 2 found the row
        // claimed: delivery 1's attempt is still open (CI saw a campaign
        // message sent twice when this settled it).
        let claimed = [("retrying", Some(2), at(3)), ("sending", Some(1), at(2))];
        assert_eq!(unsettled_attempt(claimed), Some(at(2)));
        // Its own retry settles it.
        let own = [("retrying", Some(1), at(3)), ("sending", Some(1), at(2))];
        assert_eq!(unsettled_attempt(own), None);
        // The newest open attempt counts, behind a settled one.
        let behind = [
            ("retrying", Some(3), at(5)),
            ("sending", Some(3), at(4)),
            ("sending", Some(1), at(2)),
        ];
        assert_eq!(unsettled_attempt(behind), Some(at(2)));
        // An outcome settles every attempt before it.
        let outcome = [("sent", Some(3), at(5)), ("sending", Some(1), at(2))];
        assert_eq!(unsettled_attempt(outcome), None);
        // Records written before deliveries were recorded settle as before.
        let legacy = [("retrying", None, at(3)), ("sending", Some(1), at(2))];
        assert_eq!(unsettled_attempt(legacy), None);
        assert_eq!(unsettled_attempt([]), None);
    }

    #[test]
    fn backoff_is_jittered_capped_and_honours_retry_after() {
        let settings = SenderSettings::default();
        for delivered in 1..40 {
            let d = backoff(delivered, &settings, None);
            assert!(d <= Duration::from_millis(settings.backoff_max_ms));
        }
        let d = backoff(1, &settings, Some(Duration::from_secs(9)));
        assert!(d >= Duration::from_secs(9));
    }

    #[test]
    fn each_provider_sends_at_its_configured_pace_to_its_configured_api() {
        use crate::sender::ratelimit::Limit;
        let mut settings = SenderSettings {
            meta_base_url: "http://meta.test".into(),
            wasender_base_url: "http://wasender.test".into(),
            ..SenderSettings::default()
        };
        settings.rate.meta = Limit {
            sends: 7,
            period_ms: 700,
        };
        for provider in [Provider::Meta, Provider::Sandbox] {
            let meta = reply_sender(provider, &settings).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(meta.default_base_url(), "http://meta.test");
            assert_eq!(meta.rate_limit(), settings.rate.meta);
        }
        let wasender =
            reply_sender(Provider::Wasender, &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(wasender.default_base_url(), "http://wasender.test");
        assert_eq!(wasender.rate_limit(), Limit::WASENDER);
    }

    #[test]
    fn dlq_reasons_are_subject_safe() {
        let err = SendError {
            retryable: false,
            code: "131026".into(),
            reason: String::new(),
            retry_after: None,
        };
        assert_eq!(dlq_reason(&err), "provider_131026");
        let err = SendError {
            retryable: false,
            code: "a.b*>".into(),
            reason: String::new(),
            retry_after: None,
        };
        assert_eq!(dlq_reason(&err), "provider_ab");
    }
}
