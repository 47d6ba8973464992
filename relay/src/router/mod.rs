//! The router consumer group: one durable pull consumer per partition on
//! INBOUND, shared by every router process, so one conversation's events
//! apply in order while partitions run in parallel. Owns batching, acking,
//! retry back-off, dead-lettering and the applied-id cache; what an event
//! does to the database lives in `sessions`, who pulls a partition in
//! `lease`.
//!
//! Per partition, the router holding its lease pulls up to `batch_size`
//! events (`max_ack_pending = batch_size`), applies them in stream order in
//! ONE transaction and acks them after the commit. It applies a batch only
//! when the consumer reports nothing pending beyond what it holds, so no
//! other router can hold an earlier event of the partition (a standby that
//! took over a crashed router's lease waits for the crashed router's events
//! to be redelivered to it). When the batch transaction fails, the same
//! events are applied one by one, each in its own transaction with retries,
//! and a poison event is dead-lettered without the others being lost.

mod batch;
pub mod lease;
pub mod marks;
pub mod parked;
pub mod repair;
pub mod session_cache;
pub mod sessions;
pub mod updates;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, DeliverPolicy, pull},
};
use futures::StreamExt;
use moka::future::Cache;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::assignment;
use crate::envelope::{EventBody, InboundEvent, MSG_ID_HEADER, TRACEPARENT_HEADER, trace_id};
use crate::observe;
use crate::router::lease::{PartitionLease, Share};
use crate::router::session_cache::SessionCache;
use crate::routing::BotScript;
use crate::topology::{self, TopologySettings};
use crate::{Error, Result};
use entities::conversation;
use sessions::{Applied, SessionPolicy};
use tracing::Instrument;

/// `[router]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouterSettings {
    /// Deliveries of one event before it is dead-lettered.
    pub max_deliver: i64,
    /// Seconds a delivery may stay unacked before redelivery.
    pub ack_wait_secs: u64,
    /// Cap of the retry delay after a database error, in milliseconds.
    pub max_nak_delay_ms: u64,
    /// Hours within which a resolved conversation reopens.
    pub reopen_within_hours: i64,
    /// Entries of the recently-applied id cache.
    pub applied_cache_size: u64,
    /// Conversations in the session state cache (0 turns it off).
    pub session_cache_size: u64,
    /// Milliseconds between checks for events a partition consumer lost
    /// (see `repair`); 0 turns the repair off.
    pub repair_interval_ms: u64,
    /// Events of one partition applied in one database transaction (also
    /// the partition consumer's `max_ack_pending`).
    pub batch_size: usize,
    /// Seconds a router's claim on a partition lasts without renewal (a
    /// crashed router's partitions wait this long for a standby).
    pub lease_secs: u64,
    /// Scheduling priority (nice, -20..=19) a `wharf router` process takes
    /// for all its threads at start: below 0, where it shares cores with
    /// the edges and NATS it drains the backlog before they take more in.
    /// Needs `CAP_SYS_NICE` (root) below 0; without it the router warns and
    /// runs at the default priority. 0 leaves the priority alone.
    pub nice: i32,
}

impl Default for RouterSettings {
    fn default() -> Self {
        Self {
            max_deliver: 10,
            ack_wait_secs: 30,
            max_nak_delay_ms: 30_000,
            reopen_within_hours: 24,
            applied_cache_size: 100_000,
            session_cache_size: 100_000,
            repair_interval_ms: 10_000,
            batch_size: 64,
            lease_secs: 5,
            nice: 0,
        }
    }
}

/// One router process.
pub struct Router {
    settings: RouterSettings,
    topology: TopologySettings,
    db: DatabaseConnection,
    client: async_nats::Client,
    js: jetstream::Context,
    applied: Cache<String, ()>,
    sessions: Arc<SessionCache>,
    /// On SQLite, one batch transaction at a time per process: the
    /// partitions take turns here instead of in SQLite's busy handler,
    /// which sleeps up to 100 ms between tries while the lock is free.
    write_turn: Option<tokio::sync::Mutex<()>>,
    /// For HTTP bots.
    http: reqwest::Client,
}

/// What an HTTP bot answers.
#[derive(Debug, Deserialize)]
struct BotVerdict {
    #[serde(default)]
    reply: Option<String>,
    #[serde(default)]
    handover: bool,
}

impl Router {
    pub fn new(
        settings: RouterSettings,
        topology: TopologySettings,
        db: DatabaseConnection,
        client: async_nats::Client,
    ) -> Self {
        let settings_capacity = settings.session_cache_size;
        let applied = Cache::builder()
            .max_capacity(settings.applied_cache_size)
            .time_to_live(Duration::from_secs(3600))
            .build();
        let write_turn = (db.get_database_backend() == sea_orm::DbBackend::Sqlite)
            .then(|| tokio::sync::Mutex::new(()));
        Self {
            js: jetstream::new(client.clone()),
            write_turn,
            settings,
            topology,
            db,
            client,
            applied,
            sessions: Arc::new(SessionCache::new(settings_capacity)),
            http: crate::tls::client_builder()
                .connect_timeout(Duration::from_secs(2))
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Ensures the hub streams and the partition consumers, then consumes until
    /// `shutdown`; each partition finishes or NAKs what it holds before exiting.
    ///
    /// # Errors
    /// When the topology drifted or a consumer cannot be created.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let is_drift =
            |e: &Error| matches!(e, Error::Topology(topology::TopologyError::Drift { .. }));
        let setup =
            crate::nats::retry_transient("router start-up", &shutdown, is_drift, || async {
                topology::ensure_hub(&self.js, &self.topology).await?;
                let stream = self
                    .js
                    .get_stream(topology::INBOUND)
                    .await
                    .map_err(Error::nats)?;
                let mut consumers = Vec::new();
                for partition in 0..self.topology.partitions {
                    let wanted = pull::Config {
                        durable_name: Some(topology::router_consumer(partition)),
                        filter_subject: topology::inbound_partition_filter(partition),
                        ack_policy: AckPolicy::Explicit,
                        ack_wait: Duration::from_secs(self.settings.ack_wait_secs),
                        max_deliver: self.settings.max_deliver,
                        max_ack_pending: self.batch_size() as i64,
                        deliver_policy: DeliverPolicy::All,
                        ..Default::default()
                    };
                    let mut consumer: jetstream::consumer::Consumer<pull::Config> = stream
                        .get_or_create_consumer(
                            &topology::router_consumer(partition),
                            wanted.clone(),
                        )
                        .await
                        .map_err(Error::nats)?;
                    // A consumer made by an older router or other settings
                    // takes the current ones (JetStream updates these in
                    // place; the delivery state stays).
                    let existing = &consumer.cached_info().config;
                    if (
                        existing.ack_wait,
                        existing.max_deliver,
                        existing.max_ack_pending,
                    ) != (wanted.ack_wait, wanted.max_deliver, wanted.max_ack_pending)
                    {
                        tracing::info!(
                            partition,
                            max_ack_pending = wanted.max_ack_pending,
                            "updating the partition consumer to the current settings"
                        );
                        consumer = stream.create_consumer(wanted).await.map_err(Error::nats)?;
                    }
                    consumers.push((partition, consumer));
                }
                Ok(consumers)
            })
            .await?;
        let Some(consumers) = setup else {
            return Ok(());
        };
        let leases =
            topology::ensure_bucket(&self.js, &topology::ROUTER_LEASES, self.topology.replicas)
                .await?;
        let owner = uuid::Uuid::new_v4().to_string();
        let this = Arc::new(self);
        let repair = (this.settings.repair_interval_ms > 0).then(|| {
            tokio::spawn(crate::router::repair::router_loop(
                Arc::clone(&this),
                this.js.clone(),
                this.topology.partitions,
                Duration::from_millis(this.settings.repair_interval_ms),
                shutdown.clone(),
            ))
        });
        let listener =
            tokio::spawn(Arc::clone(&this.sessions).listen(this.client.clone(), shutdown.clone()));
        let mut tasks = JoinSet::new();
        let ttl = Duration::from_secs(this.settings.lease_secs.max(1));
        // PostgreSQL takes writes from several routers at once; on SQLite
        // one router with every partition is faster (see `lease`).
        let shared = this.db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let share = Share::new(
            leases.clone(),
            &owner,
            ttl,
            this.topology.partitions,
            shared,
        );
        share.join().await;
        let heartbeat = tokio::spawn(Arc::clone(&share).heartbeat(shutdown.clone()));
        for (partition, consumer) in consumers {
            let this = Arc::clone(&this);
            let shutdown = shutdown.clone();
            let lease =
                PartitionLease::new(leases.clone(), partition, &owner, ttl, Arc::clone(&share));
            tasks.spawn(async move { this.consume(partition, consumer, lease, shutdown).await });
        }
        tracing::info!(
            partitions = this.topology.partitions,
            "router consuming INBOUND"
        );
        let mut first_error = None;
        while let Some(done) = tasks.join_next().await {
            let outcome = done.map_err(Error::from).and_then(|r| r);
            if let Err(err) = outcome {
                tracing::error!(%err, "partition consumer stopped");
                shutdown.cancel();
                first_error.get_or_insert(err);
            }
        }
        if let Some(repair) = repair {
            repair.abort();
        }
        listener.abort();
        // Out of the roster (it leaves on shutdown; a failed partition
        // cancelled it above).
        let _ = heartbeat.await;
        first_error.map_or(Ok(()), Err)
    }

    fn batch_size(&self) -> usize {
        self.settings.batch_size.clamp(1, 10_000)
    }

    fn policy(&self) -> SessionPolicy {
        SessionPolicy {
            reopen_within: chrono::Duration::hours(self.settings.reopen_within_hours),
        }
    }

    /// Applies an event read again by the repair scan. `Ok(true)` when it
    /// changed something, i.e. it had been lost.
    ///
    /// # Errors
    /// A database error (the scan stops and retries the range).
    pub async fn reapply(&self, message: &jetstream::Message) -> std::result::Result<bool, String> {
        let Ok(event) = InboundEvent::decode(&message.payload) else {
            // Malformed events were dead-lettered by the consumer.
            return Ok(false);
        };
        let policy = self.policy();
        match sessions::apply(&self.db, policy, &event, Some(&self.sessions)).await {
            Ok(applied @ (Applied::Message { .. } | Applied::Status { .. })) => {
                tracing::warn!(msg_id = %event.msg_id(), "repair applied a lost event");
                let message_id = match &applied {
                    Applied::Message { message_id, .. } | Applied::Status { message_id, .. } => {
                        *message_id
                    }
                    _ => 0,
                };
                crate::lifecycle::record_logged(
                    &self.db,
                    message_id,
                    entities::message_event::Stage::Repaired,
                    serde_json::json!({
                        "stream_sequence": message.info().map_or(0, |i| i.stream_sequence),
                    }),
                )
                .await;
                self.announce(&applied).await;
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Pulls, checks, applies and acks batches of one partition while this
    /// router holds its lease, until `shutdown`.
    async fn consume(
        &self,
        partition: u16,
        mut consumer: jetstream::consumer::Consumer<pull::Config>,
        mut lease: PartitionLease,
        shutdown: CancellationToken,
    ) -> Result<()> {
        while !shutdown.is_cancelled() {
            if lease.yield_over_share().await {
                tracing::info!(
                    partition,
                    "partition let go: more routers share the partitions now"
                );
            }
            if !lease.hold().await {
                // Standing by: try again before a holder's claim could run out.
                let jitter = Duration::from_millis(rand::random_range(0..250));
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(lease.ttl() / 3 + jitter) => continue,
                }
            }
            let held = match self.pull(&consumer, &shutdown).await {
                Ok(held) => held,
                Err(err) => {
                    tracing::warn!(partition, %err, "pull failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => break,
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            };
            if shutdown.is_cancelled() {
                // Another router takes them at once.
                for message in &held {
                    ack(message, AckKind::Nak(None)).await;
                }
                break;
            }
            if held.is_empty() {
                continue;
            }
            let Some(batch) = self
                .exclusive(partition, &mut consumer, held, &mut lease, &shutdown)
                .await
            else {
                continue;
            };
            // The lease stays ours while the batch is applied, however long
            // its one-by-one retries take: a standby taking over now would
            // only wait behind our pending events (`exclusive`).
            let applying = self.apply_held(partition, batch, &shutdown);
            tokio::pin!(applying);
            loop {
                tokio::select! {
                    () = &mut applying => break,
                    () = tokio::time::sleep(lease.ttl() / 3) => {
                        if !lease.hold().await {
                            tracing::warn!(partition, "partition lease lost while applying a batch");
                        }
                    }
                }
            }
        }
        lease.release().await;
        Ok(())
    }

    /// Waits (up to a second) for the partition's next event, then takes
    /// whatever else is there at once, up to `batch_size`. No pull request
    /// is left open afterwards, so nothing more arrives until the next call.
    async fn pull(
        &self,
        consumer: &jetstream::consumer::Consumer<pull::Config>,
        shutdown: &CancellationToken,
    ) -> std::result::Result<Vec<jetstream::Message>, String> {
        let mut held = Vec::new();
        let first = consumer
            .batch()
            .max_messages(1)
            .expires(Duration::from_secs(1))
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        collect(first, &mut held, shutdown).await;
        let room = self.batch_size().saturating_sub(held.len());
        if held.is_empty() || room == 0 {
            return Ok(held);
        }
        let rest = consumer
            .fetch()
            .max_messages(room)
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        collect(rest, &mut held, shutdown).await;
        Ok(held)
    }

    /// The events of `held` in stream order once no other delivery of the
    /// partition is pending (every earlier event is applied and acked);
    /// meanwhile picks up redeliveries (a crashed router's events) and keeps
    /// `held` alive with progress acks. `None` on shutdown (NAKed) or when
    /// it stays contended for two ack waits (left to redelivery).
    async fn exclusive(
        &self,
        partition: u16,
        consumer: &mut jetstream::consumer::Consumer<pull::Config>,
        mut held: Vec<jetstream::Message>,
        lease: &mut PartitionLease,
        shutdown: &CancellationToken,
    ) -> Option<Vec<jetstream::Message>> {
        let ack_wait = Duration::from_secs(self.settings.ack_wait_secs.max(1));
        let started = std::time::Instant::now();
        let mut progressed = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            // In stream order, each event once (its latest delivery).
            held.sort_by_key(|m| {
                let (delivered, sequence) = delivery(m);
                (sequence, std::cmp::Reverse(delivered))
            });
            held.dedup_by_key(|m| stream_sequence(m));
            match consumer.info().await {
                // Fewer pending than held: the server dropped some of ours
                // from its pending set (see `repair`); nobody else holds any.
                Ok(info) if info.num_ack_pending <= held.len() => return Some(held),
                Ok(info) => {
                    tracing::debug!(
                        partition,
                        held = held.len(),
                        pending = info.num_ack_pending,
                        "other deliveries of the partition pending; waiting"
                    );
                }
                Err(err) => tracing::warn!(partition, %err, "consumer info failed"),
            }
            if started.elapsed() > 2 * ack_wait || !lease.hold().await {
                tracing::warn!(
                    partition,
                    held = held.len(),
                    "partition stays contended; leaving the batch to redelivery"
                );
                metrics::counter!(observe::ROUTER_BATCHES, "outcome" => "contended").increment(1);
                return None;
            }
            if progressed.elapsed() > ack_wait / 3 {
                for message in &held {
                    ack(message, AckKind::Progress).await;
                }
                progressed = std::time::Instant::now();
            }
            tokio::select! {
                () = shutdown.cancelled() => {
                    for message in &held {
                        ack(message, AckKind::Nak(None)).await;
                    }
                    return None;
                }
                () = tokio::time::sleep(pause) => {}
            }
            pause = (pause * 2).min(Duration::from_millis(200));
            let room = self.batch_size().saturating_sub(held.len()).max(1);
            if let Ok(more) = consumer.fetch().max_messages(room).messages().await {
                collect(more, &mut held, shutdown).await;
            }
        }
    }

    /// Applies a checked batch: malformed events to the DLQ, the rest in one
    /// transaction (acked after the commit), or one by one when it fails.
    async fn apply_held(
        &self,
        partition: u16,
        held: Vec<jetstream::Message>,
        shutdown: &CancellationToken,
    ) {
        let started = std::time::Instant::now();
        // The whole batch stays ours while it is applied, one by one included.
        let progress = {
            let every = Duration::from_secs(self.settings.ack_wait_secs.max(2) / 2);
            let messages = held.clone();
            tokio::spawn(async move {
                let mut ticker =
                    tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    ticker.tick().await;
                    for message in &messages {
                        ack(message, AckKind::Progress).await;
                    }
                }
            })
        };
        let mut batch = Vec::with_capacity(held.len());
        for message in held {
            let (delivered, sequence) = delivery(&message);
            match InboundEvent::decode(&message.payload) {
                Ok(event) if matches!(event.body, EventBody::Unparsed(_)) => {
                    self.handle_unparsed(&message, &event, sequence, delivered)
                        .await;
                }
                Ok(event) => {
                    let msg_id = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(MSG_ID_HEADER))
                        .map_or_else(|| event.msg_id(), |v| v.as_str().to_owned());
                    batch.push(Held {
                        message,
                        event,
                        msg_id,
                        delivered,
                        sequence,
                    });
                }
                Err(err) => {
                    // Never becomes valid: dead-letter at once.
                    self.dead_letter(&message, sequence, delivered, "malformed", &err.to_string())
                        .await;
                }
            }
        }
        let mut fresh = Vec::with_capacity(batch.len());
        for item in batch {
            if self.applied.contains_key(&item.msg_id) {
                metrics::counter!(observe::ROUTER_CACHE, "result" => "hit").increment(1);
                metrics::counter!(observe::ROUTER_EVENTS, "outcome" => "cached").increment(1);
                ack(&item.message, AckKind::Ack).await;
            } else {
                metrics::counter!(observe::ROUTER_CACHE, "result" => "miss").increment(1);
                fresh.push(item);
            }
        }
        if fresh.is_empty() {
            progress.abort();
            return;
        }
        let span = tracing::info_span!("apply_batch", partition, events = fresh.len());
        let events: Vec<&InboundEvent> = fresh.iter().map(|h| &h.event).collect();
        let turn = match &self.write_turn {
            Some(turn) => Some(turn.lock().await),
            None => None,
        };
        let outcome = sessions::apply_batch(
            &self.db,
            self.policy(),
            &events,
            Some(&self.sessions),
            |i, applied| {
                let item = &fresh[i];
                lifecycle_stages(&item.event, applied, item.sequence, item.delivered)
            },
        )
        .instrument(span)
        .await;
        drop(turn);
        match outcome {
            Ok(applied) => {
                progress.abort();
                metrics::counter!(observe::ROUTER_BATCHES, "outcome" => "committed").increment(1);
                metrics::histogram!(observe::ROUTER_BATCH_EVENTS).record(fresh.len() as f64);
                let elapsed = started.elapsed().as_secs_f64();
                for (item, applied) in fresh.iter().zip(applied) {
                    let label = outcome_label(&applied);
                    metrics::histogram!(observe::ROUTER_APPLY_SECONDS, "outcome" => label)
                        .record(elapsed);
                    metrics::counter!(observe::ROUTER_EVENTS, "outcome" => label).increment(1);
                    ack(&item.message, AckKind::Ack).await;
                    self.applied.insert(item.msg_id.clone(), ()).await;
                    tracing::debug!(partition, msg_id = %item.msg_id, ?applied, "applied");
                    self.after_commit(&item.event, &applied).await;
                }
            }
            Err(err) => {
                metrics::counter!(observe::ROUTER_BATCHES, "outcome" => "failed").increment(1);
                tracing::warn!(
                    partition,
                    events = fresh.len(),
                    %err,
                    "batch failed and was rolled back; applying its events one by one"
                );
                for item in &fresh {
                    if shutdown.is_cancelled() {
                        // Another router takes it (and what follows) at once.
                        ack(&item.message, AckKind::Nak(None)).await;
                        continue;
                    }
                    self.handle_decoded(partition, item, shutdown).await;
                }
                progress.abort();
            }
        }
    }

    /// An unparsed event (see [`crate::router::parked`]): parsed again; what is
    /// understood now goes back into INBOUND typed, what is not is
    /// dead-lettered with reason `unparsed`.
    async fn handle_unparsed(
        &self,
        message: &jetstream::Message,
        event: &InboundEvent,
        sequence: u64,
        delivered: i64,
    ) {
        let EventBody::Unparsed(unparsed) = &event.body else {
            return;
        };
        let traceparent = message
            .headers
            .as_ref()
            .and_then(|h| h.get(TRACEPARENT_HEADER))
            .map(|v| v.as_str().to_owned());
        let count = |outcome: &'static str| {
            metrics::counter!(observe::ROUTER_EVENTS, "outcome" => outcome).increment(1);
        };
        match crate::router::parked::reparse_and_publish(
            &self.js,
            self.topology.partitions,
            event,
            unparsed,
            traceparent.as_deref(),
        )
        .await
        {
            Ok(crate::router::parked::Outcome::Understood { .. }) => {
                count("reparsed");
                ack(message, AckKind::Ack).await;
            }
            Ok(crate::router::parked::Outcome::StillUnparsed { error, .. }) => {
                count("unparsed");
                self.dead_letter(
                    message,
                    sequence,
                    delivered,
                    crate::router::parked::REASON,
                    &error,
                )
                .await;
            }
            Err(err) => {
                // Left for redelivery (after ack_wait): nothing is lost.
                count("retried");
                tracing::warn!(sequence, %err, "republishing a reparsed event failed; left for redelivery");
            }
        }
    }

    /// What follows a committed event: live announcement, session health,
    /// the bot's answer (all best effort).
    async fn after_commit(&self, event: &InboundEvent, applied: &Applied) {
        self.announce(applied).await;
        self.record_session_health(event).await;
        self.answer_as_bot(event, applied).await;
    }

    /// One event on its own (after its batch failed), in its own span.
    async fn handle_decoded(&self, partition: u16, item: &Held, shutdown: &CancellationToken) {
        // One trace per message: continue the one the edge started.
        let traceparent = item
            .message
            .headers
            .as_ref()
            .and_then(|h| h.get(TRACEPARENT_HEADER))
            .map(|v| v.as_str().to_owned());
        let span = tracing::info_span!(
            "apply_event",
            partition,
            stream_sequence = item.sequence,
            msg_id = %item.msg_id,
            conversation_id = tracing::field::Empty,
            trace_id = traceparent.as_deref().and_then(trace_id).unwrap_or(""),
        );
        self.apply_event(
            partition,
            &item.message,
            &item.event,
            &item.msg_id,
            (item.delivered, item.sequence),
            shutdown,
        )
        .instrument(span)
        .await;
    }

    async fn apply_event(
        &self,
        partition: u16,
        message: &jetstream::Message,
        event: &InboundEvent,
        msg_id: &str,
        (delivered, stream_sequence): (i64, u64),
        shutdown: &CancellationToken,
    ) {
        let count = |outcome: &'static str| {
            metrics::counter!(observe::ROUTER_EVENTS, "outcome" => outcome).increment(1);
        };
        if self.applied.contains_key(msg_id) {
            metrics::counter!(observe::ROUTER_CACHE, "result" => "hit").increment(1);
            count("cached");
            ack(message, AckKind::Ack).await;
            return;
        }
        metrics::counter!(observe::ROUTER_CACHE, "result" => "miss").increment(1);
        let started = std::time::Instant::now();
        let policy = self.policy();
        // Slow work (rules, assignment, a slow database) must not outlive
        // ack_wait: tell the server we are still on it.
        let progress = {
            let every = Duration::from_secs(self.settings.ack_wait_secs.max(2) / 2);
            let message = message.clone();
            tokio::spawn(async move {
                let mut ticker =
                    tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    ticker.tick().await;
                    ack(&message, AckKind::Progress).await;
                }
            })
        };
        // A database error is retried here, holding the event (the
        // partition waits behind it either way: the rest of its batch is
        // held behind it),
        // rather than NAKed with a delay: nats-server 2.9.10 was seen to
        // drop such delayed redeliveries from a consumer's pending set while
        // advancing its ack floor, so the event was never applied and never
        // dead-lettered (docs/reliability.md). Only a crash hands the event
        // to another router (after `ack_wait`).
        let mut attempt = delivered;
        let outcome = loop {
            match sessions::apply(&self.db, policy, event, Some(&self.sessions)).await {
                Err(err) if attempt < self.settings.max_deliver => {
                    count("retried");
                    let delay = nak_delay(attempt, self.settings.max_nak_delay_ms);
                    tracing::warn!(partition, %msg_id, %err, attempt, ?delay, "apply failed; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => break None,
                        () = tokio::time::sleep(delay) => attempt += 1,
                    }
                }
                other => break Some(other),
            }
        };
        progress.abort();
        let label = match &outcome {
            None => "interrupted",
            Some(Ok(Applied::Message { .. } | Applied::Status { .. })) => "applied",
            Some(Ok(Applied::Duplicate)) => "duplicate",
            Some(Ok(Applied::Ignored)) => "ignored",
            Some(Ok(Applied::Recorded)) => "recorded",
            Some(Err(_)) => "dead_lettered",
        };
        metrics::histogram!(observe::ROUTER_APPLY_SECONDS, "outcome" => label)
            .record(started.elapsed().as_secs_f64());
        count(label);
        match outcome {
            // Shutting down mid-retry: another router takes it at once.
            None => ack(message, AckKind::Nak(None)).await,
            Some(Ok(applied)) => {
                ack(message, AckKind::Ack).await;
                self.applied.insert(msg_id.to_owned(), ()).await;
                if let Applied::Message {
                    conversation_id, ..
                }
                | Applied::Status {
                    conversation_id, ..
                } = &applied
                {
                    tracing::Span::current().record("conversation_id", conversation_id);
                }
                tracing::debug!(partition, %msg_id, ?applied, "applied");
                self.record_lifecycle(event, &applied, stream_sequence, delivered)
                    .await;
                self.after_commit(event, &applied).await;
            }
            Some(Err(err)) => {
                self.dead_letter(
                    message,
                    stream_sequence,
                    attempt,
                    "database",
                    &err.to_string(),
                )
                .await;
            }
        }
    }

    /// The message's lifecycle after an event changed it (see
    /// [`lifecycle_stages`]), beside the event's own transaction.
    async fn record_lifecycle(
        &self,
        event: &InboundEvent,
        applied: &Applied,
        stream_sequence: u64,
        delivered: i64,
    ) {
        if let Some((message_id, stages)) =
            lifecycle_stages(event, applied, stream_sequence, delivered)
        {
            crate::lifecycle::record_all_logged(&self.db, message_id, stages).await;
        }
    }

    /// A provider session's connection state (WasenderApi `session.status`)
    /// goes to the sessions bucket, keyed by business number, for the
    /// admin server's `session_disconnected` alerts. Best effort: the event
    /// itself is already acked.
    async fn record_session_health(&self, event: &InboundEvent) {
        let crate::envelope::EventBody::Session(state) = &event.body else {
            return;
        };
        let value = serde_json::json!({
            "status": state.status,
            "timestamp": state.timestamp,
            "provider": event.provider.as_str(),
        });
        let stored = async {
            let store = self
                .js
                .get_key_value(topology::SESSIONS_BUCKET)
                .await
                .map_err(|e| e.to_string())?;
            store
                .put(event.business_number.as_str(), value.to_string().into())
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(err) = stored.await {
            tracing::warn!(%err, "session health not recorded");
        }
    }

    /// Live event for SSE and cache invalidation (core NATS, best effort).
    async fn announce(&self, applied: &Applied) {
        let (conversation_id, kind, message_id, changed) = match applied {
            Applied::Message {
                conversation_id,
                message_id,
                conversation,
                changed,
                ..
            } => {
                // Opened, reopened, routed or assigned with this message.
                let changed = changed.then_some(conversation.as_ref());
                (*conversation_id, "message", *message_id, changed)
            }
            Applied::Status {
                conversation_id,
                message_id,
            } => (*conversation_id, "status", *message_id, None),
            Applied::Duplicate | Applied::Ignored | Applied::Recorded => return,
        };
        let body = serde_json::json!({
            "conversation_id": conversation_id,
            "kind": kind,
            "message_id": message_id,
        });
        let subject = topology::conversation_event_subject(conversation_id);
        if let Err(err) = self.client.publish(subject, body.to_string().into()).await {
            tracing::debug!(%err, "conversation event not published");
        }
        if let Some(conversation) = changed {
            assignment::announce(&self.client, conversation, "routed").await;
        }
    }

    /// A conversation handed to a bot gets the script's canned answer
    /// (best effort: a failed reply is logged, the event stays applied).
    async fn answer_as_bot(&self, event: &InboundEvent, applied: &Applied) {
        let Applied::Message {
            conversation_id,
            conversation,
            bot: Some(script),
            ..
        } = applied
        else {
            return;
        };
        let text = match &event.body {
            crate::envelope::EventBody::Message(m) => m.text.as_deref(),
            _ => None,
        };
        let answer = match &script.endpoint {
            Some(endpoint) => {
                match self
                    .ask_http_bot(endpoint, event, *conversation_id, text)
                    .await
                {
                    Ok(verdict) if verdict.handover => {
                        self.hand_over(conversation, script).await;
                        return;
                    }
                    Ok(verdict) => verdict.reply,
                    Err(err) => {
                        tracing::warn!(conversation_id, %err, "HTTP bot failed; canned replies answer");
                        script.answer(text).map(str::to_owned)
                    }
                }
            }
            None => script.answer(text).map(str::to_owned),
        };
        let Some(answer) = answer.filter(|a| !a.trim().is_empty()) else {
            return;
        };
        let content = crate::envelope::ReplyContent::Text { body: answer };
        if let Err(err) = crate::outbound::enqueue_reply(
            &self.db,
            &self.js,
            self.topology.partitions,
            *conversation_id,
            content,
        )
        .await
        {
            tracing::warn!(conversation_id, %err, "bot reply not queued");
        }
    }

    /// Asks an HTTP bot what to say (or whether to hand over).
    async fn ask_http_bot(
        &self,
        endpoint: &str,
        event: &InboundEvent,
        conversation_id: i64,
        text: Option<&str>,
    ) -> std::result::Result<BotVerdict, String> {
        let response = self
            .http
            .post(endpoint)
            .json(&serde_json::json!({
                "conversation_id": conversation_id,
                "contact": {"wa_id": event.contact.wa_id, "name": event.contact.profile_name,
                            "user_id": event.contact.user_id, "username": event.contact.username},
                "business_number": event.business_number,
                "text": text,
            }))
            .send()
            .await
            .map_err(|e| format!("request failed: {}", e.without_url()))?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        response
            .json::<BotVerdict>()
            .await
            .map_err(|e| format!("unreadable answer: {}", e.without_url()))
    }

    /// The bot hands the conversation to its handover team's queue.
    async fn hand_over(&self, conversation: &conversation::Model, script: &BotScript) {
        let Some(team_id) = script.handover_team_id else {
            tracing::warn!(
                conversation = conversation.id,
                "bot asked for a human but has no handover team"
            );
            return;
        };
        let change = assignment::Change::Route {
            status: entities::conversation::ConversationStatus::Queued,
            team_id: Some(team_id),
            priority: script.handover_priority,
        };
        match assignment::transition(&self.db, conversation.id, conversation.version, &change).await
        {
            Ok(row) => {
                assignment::announce(&self.client, &row, "handover").await;
                if let Ok(assigned) = assignment::drain_queues(&self.db).await {
                    for row in assigned {
                        assignment::announce(&self.client, &row, "assigned").await;
                    }
                }
            }
            Err(err) => tracing::warn!(conversation = conversation.id, %err, "bot handover failed"),
        }
    }

    /// Writes the original bytes and headers plus the failure record to DLQ,
    /// then acks the original. If DLQ refuses, leaves it unacked so it is
    /// redelivered: nothing is lost.
    async fn dead_letter(
        &self,
        message: &jetstream::Message,
        stream_sequence: u64,
        delivered: i64,
        reason: &str,
        error: &str,
    ) {
        let mut headers = message.headers.clone().unwrap_or_default();
        headers.insert(
            crate::dlq::headers::ORIGIN_SUBJECT,
            message.subject.as_str(),
        );
        headers.insert(
            crate::dlq::headers::ORIGIN_SEQUENCE,
            stream_sequence.to_string().as_str(),
        );
        headers.insert(crate::dlq::headers::ERROR, truncate(error, 1000).as_str());
        headers.insert(
            crate::dlq::headers::ATTEMPTS,
            delivered.to_string().as_str(),
        );
        headers.insert(
            MSG_ID_HEADER,
            format!("dlq:router:{stream_sequence}").as_str(),
        );
        let stored = match self
            .js
            .publish_with_headers(
                topology::dlq_subject("router", reason),
                headers,
                message.payload.clone(),
            )
            .await
        {
            Ok(ack) => ack.await.is_ok(),
            Err(_) => false,
        };
        if stored {
            tracing::warn!(stream_sequence, reason, "event dead-lettered");
            ack(message, AckKind::Ack).await;
        } else {
            // Redelivered after ack_wait (no delayed NAK, see `handle`).
            tracing::error!(stream_sequence, "DLQ publish failed; left for redelivery");
        }
    }
}

/// One pulled event of a batch.
struct Held {
    message: jetstream::Message,
    event: InboundEvent,
    msg_id: String,
    delivered: i64,
    sequence: u64,
}

/// Deliveries so far and the stream sequence of a pulled message.
fn delivery(message: &jetstream::Message) -> (i64, u64) {
    match message.info() {
        Ok(info) => (info.delivered, info.stream_sequence),
        Err(_) => (1, 0),
    }
}

fn stream_sequence(message: &jetstream::Message) -> u64 {
    delivery(message).1
}

fn outcome_label(applied: &Applied) -> &'static str {
    match applied {
        Applied::Message { .. } | Applied::Status { .. } => "applied",
        Applied::Duplicate => "duplicate",
        Applied::Ignored => "ignored",
        Applied::Recorded => "recorded",
    }
}

/// Reads a pull request's messages to its end (bounded by a timeout in
/// case the server never ends it).
async fn collect(
    mut batch: jetstream::consumer::pull::Batch,
    held: &mut Vec<jetstream::Message>,
    shutdown: &CancellationToken,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let next = tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep_until(deadline) => return,
            next = batch.next() => next,
        };
        match next {
            Some(Ok(message)) => held.push(message),
            Some(Err(err)) => {
                tracing::debug!(%err, "pull request ended");
                return;
            }
            None => return,
        }
    }
}

/// The message's lifecycle after an event changed it: received at the
/// edge, stored in INBOUND, routed (and assigned) for a customer
/// message; delivered / read / failed for a status of one of our replies.
fn lifecycle_stages(
    event: &InboundEvent,
    applied: &Applied,
    stream_sequence: u64,
    delivered: i64,
) -> Option<(i64, Vec<crate::lifecycle::StageRecord>)> {
    use entities::message_event::Stage;
    let now = chrono::Utc::now();
    match applied {
        Applied::Message {
            message_id,
            conversation_id,
            conversation,
            opened,
            bot,
            ..
        } => {
            let mut stages = vec![
                (
                    Stage::Received,
                    event.received_at,
                    serde_json::json!({ "region": event.region, "provider": event.provider.as_str() }),
                ),
                (
                    Stage::Stored,
                    now,
                    serde_json::json!({ "stream": topology::INBOUND, "stream_sequence": stream_sequence, "delivered": delivered }),
                ),
                (
                    Stage::Routed,
                    now,
                    serde_json::json!({
                        "conversation_id": conversation_id,
                        "status": conversation.status,
                        "team_id": conversation.team_id,
                        "opened": opened,
                        "bot": bot.is_some(),
                    }),
                ),
            ];
            if let Some(agent_id) = conversation.assignee_id {
                stages.push((
                    Stage::Assigned,
                    now,
                    serde_json::json!({ "agent_id": agent_id }),
                ));
            }
            Some((*message_id, stages))
        }
        Applied::Status { message_id, .. } => {
            let EventBody::Status(status) = &event.body else {
                return None;
            };
            // `sent` is the sender's own record; the webhook's adds nothing.
            let stage = match status.status.as_str() {
                "delivered" => Stage::Delivered,
                "read" | "played" => Stage::Read,
                "failed" => Stage::Failed,
                _ => return None,
            };
            Some((
                *message_id,
                vec![(
                    stage,
                    now,
                    serde_json::json!({
                        "via": "status webhook",
                        "provider_time": status.timestamp,
                        "region": event.region,
                        "stream_sequence": stream_sequence,
                        "error": status.error,
                    }),
                )],
            ))
        }
        Applied::Duplicate | Applied::Ignored | Applied::Recorded => None,
    }
}

async fn ack(message: &jetstream::Message, kind: AckKind) {
    if let Err(err) = message.ack_with(kind).await {
        tracing::warn!(%err, "ack failed; the event will be redelivered");
    }
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Exponential retry delay: 250 ms, 500 ms, 1 s, … capped at `max_ms`.
pub fn nak_delay(delivered: i64, max_ms: u64) -> Duration {
    let exp = u32::try_from(delivered.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_millis(250u64.saturating_mul(1u64 << exp).min(max_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nak_delay_grows_and_is_capped() {
        assert_eq!(nak_delay(1, 30_000), Duration::from_millis(250));
        assert_eq!(nak_delay(2, 30_000), Duration::from_millis(500));
        assert_eq!(nak_delay(4, 30_000), Duration::from_secs(2));
        assert_eq!(nak_delay(50, 30_000), Duration::from_secs(30));
    }
}
