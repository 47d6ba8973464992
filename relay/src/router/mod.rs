//! The router consumer group: one durable pull consumer per partition on
//! INBOUND, shared by every router process, so one conversation's events
//! apply in order while partitions run in parallel. This file owns the
//! `Router`, its settings, the loop of each partition and the path of one
//! batch, top to bottom: pull, wait until the batch is alone (`ordering`),
//! decode (unparsed ones to `parked`, malformed ones to `dead_letter`),
//! skip what the applied-id cache knows, apply the rest in one transaction
//! (`apply::apply_batch`, with the `lifecycle` stages), ack after the
//! commit, then announce (`announce`), record session health
//! (`session_health`) and let a bot answer (`bot`). When the batch
//! transaction fails, the same events are applied one by one, each in its
//! own transaction with retries, and a poison event is dead-lettered
//! without the others being lost. It does not own what an event does to the
//! database (`sessions`), who pulls a partition (`lease`), how acks are
//! sent (`acks`) or the repair of lost events (`repair`, which applies
//! through [`repair::Reapply`]).
//!
//! Per partition, the router holding its lease pulls up to `batch_size`
//! events (`max_ack_pending = batch_size`), applies them in stream order in
//! ONE transaction and acks them after the commit. It applies a batch only
//! when the consumer reports nothing pending beyond what it holds, so no
//! other router can hold an earlier event of the partition (a standby that
//! took over a crashed router's lease waits for the crashed router's events
//! to be redelivered to it).

mod acks;
mod announce;
pub mod apply;
mod batch;
mod bot;
mod dead_letter;
pub mod lease;
mod lifecycle;
pub mod marks;
mod ordering;
pub mod parked;
pub mod repair;
pub mod session_cache;
pub mod sessions;
pub mod updates;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, DeliverPolicy, pull},
};
use moka::future::Cache;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::envelope::{EventBody, InboundEvent, MSG_ID_HEADER, trace_id};
use crate::observe;
use crate::topology::{self, TopologySettings};
use crate::{Error, Result};
use acks::{ack, delivery};
use bot::Bot;
use dead_letter::dead_letter;
use lease::{PartitionLease, Share};
use ordering::Window;
use session_cache::SessionCache;
use sessions::{Applied, SessionPolicy};

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
    /// Answers for conversations routed to a bot.
    bot: Bot,
    /// The media fetcher run beside the partitions (`crate::media`).
    media: Option<crate::media::fetch::Fetcher>,
    /// What the partitions have pending, for the media fetcher to yield to.
    backlog: crate::backlog::Backlog,
}

/// One pulled event of a batch.
/// The edge stream position a reconciler's copy was re-published from.
fn repaired_from(message: &jetstream::Message) -> Option<&str> {
    message
        .headers
        .as_ref()?
        .get(crate::completeness::REPAIRED_FROM_HEADER)
        .map(|v| v.as_str())
}

struct Held {
    message: jetstream::Message,
    event: InboundEvent,
    msg_id: String,
    delivered: i64,
    sequence: u64,
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
        let js = jetstream::new(client.clone());
        let bot = Bot::new(db.clone(), js.clone(), client.clone(), topology.partitions);
        Self {
            js,
            write_turn,
            settings,
            topology,
            db,
            client,
            applied,
            sessions: Arc::new(SessionCache::new(settings_capacity)),
            bot,
            media: None,
            backlog: crate::backlog::Backlog::default(),
        }
    }

    /// Runs `fetcher` beside the partitions: the media fetch is its own
    /// consumer, never part of an ordered batch.
    #[must_use]
    pub fn with_media(mut self, fetcher: crate::media::fetch::Fetcher) -> Self {
        self.media = Some(fetcher.yielding_to(self.backlog.clone()));
        self
    }

    /// Ensures the hub streams and the partition consumers, then consumes until
    /// `shutdown`; each partition finishes or NAKs what it holds before exiting.
    ///
    /// # Errors
    /// When the topology drifted or a consumer cannot be created.
    pub async fn run(mut self, shutdown: CancellationToken) -> Result<()> {
        let media = self.media.take().map(|fetcher| {
            let shutdown = shutdown.clone();
            tokio::spawn(async move {
                if let Err(err) = fetcher.run(shutdown).await {
                    tracing::error!(%err, "media fetcher stopped");
                }
            })
        });
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
            if let Some(media) = media {
                let _ = media.await;
            }
            return Ok(());
        };
        let leases =
            topology::ensure_bucket(&self.js, &topology::ROUTER_LEASES, self.topology.replicas)
                .await?;
        let owner = uuid::Uuid::new_v4().to_string();
        let this = Arc::new(self);
        let repair = (this.settings.repair_interval_ms > 0).then(|| {
            tokio::spawn(repair::router_loop(
                Arc::clone(&this),
                this.js.clone(),
                this.topology.partitions,
                Duration::from_millis(this.settings.repair_interval_ms),
                shutdown.clone(),
            ))
        });
        let listener =
            tokio::spawn(Arc::clone(&this.sessions).listen(this.client.clone(), shutdown.clone()));
        let bot_timeouts = tokio::spawn(bot::timeout_loop(
            this.db.clone(),
            this.client.clone(),
            Duration::from_secs(2),
            shutdown.clone(),
        ));
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
        if let Some(media) = media {
            // Finishes or hands back the files in hand.
            let _ = media.await;
        }
        listener.abort();
        bot_timeouts.abort();
        // Out of the roster (it leaves on shutdown; a failed partition
        // cancelled it above).
        let _ = heartbeat.await;
        first_error.map_or(Ok(()), Err)
    }

    fn batch_size(&self) -> usize {
        self.settings.batch_size.clamp(1, 10_000)
    }

    fn window(&self) -> Window {
        Window {
            batch_size: self.batch_size(),
            ack_wait: Duration::from_secs(self.settings.ack_wait_secs.max(1)),
        }
    }

    fn policy(&self) -> SessionPolicy {
        SessionPolicy {
            reopen_within: chrono::Duration::hours(self.settings.reopen_within_hours),
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
                tracing::info!(partition, "partition let go: another router's to hold now");
            }
            if !lease.hold().await {
                // Standing by: try again before a holder's claim could run out.
                let jitter = Duration::from_millis(rand::random_range(0..250));
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = lease.stand_by(lease.ttl() / 3 + jitter) => continue,
                }
            }
            let held = match ordering::pull(&consumer, self.window(), &shutdown).await {
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
            let Some(batch) = ordering::exclusive(
                partition,
                &mut consumer,
                held,
                &mut lease,
                self.window(),
                &shutdown,
            )
            .await
            else {
                continue;
            };
            // The lease stays ours while the batch is applied, however long
            // its one-by-one retries take: a standby taking over now would
            // only wait behind our pending events (`ordering::exclusive`).
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

    /// Applies a checked batch: malformed events to the DLQ, the rest in one
    /// transaction (acked after the commit), or one by one when it fails.
    async fn apply_held(
        &self,
        partition: u16,
        held: Vec<jetstream::Message>,
        shutdown: &CancellationToken,
    ) {
        let started = std::time::Instant::now();
        // What is left behind this batch, for the media fetcher to yield to.
        if let Some(info) = held.last().and_then(|m| m.info().ok()) {
            self.backlog.report(partition, info.pending);
        }
        // The whole batch stays ours while it is applied, one by one included.
        let progress = acks::keep_alive(held.clone(), self.settings.ack_wait_secs);
        let mut batch = Vec::with_capacity(held.len());
        for message in held {
            let (delivered, sequence) = delivery(&message);
            match InboundEvent::decode(&message.payload) {
                Ok(event) if matches!(event.body, EventBody::Unparsed(_)) => {
                    parked::handle(
                        &self.js,
                        self.topology.partitions,
                        &message,
                        &event,
                        (delivered, sequence),
                    )
                    .await;
                }
                Ok(event) => {
                    let msg_id = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(MSG_ID_HEADER))
                        .map_or_else(
                            || event.msg_id(),
                            // A repaired copy is its original event.
                            |v| crate::completeness::original_id(v.as_str()).to_owned(),
                        );
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
                    let error = err.to_string();
                    dead_letter(
                        &self.js,
                        &message,
                        (delivered, sequence),
                        "malformed",
                        &error,
                    )
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
        // Exported traces: each event's span continues the edge's, for as
        // long as its batch takes.
        let traced: Vec<tracing::Span> = if crate::trace::exporting() {
            fresh
                .iter()
                .map(|item| {
                    let span = tracing::info_span!(
                        "route_event",
                        partition,
                        msg_id = %item.msg_id,
                        batch = fresh.len(),
                        outcome = tracing::field::Empty,
                    );
                    crate::trace::continue_from(
                        &span,
                        crate::envelope::traceparent_header(&item.message),
                    );
                    span
                })
                .collect()
        } else {
            Vec::new()
        };
        let outcome = apply::apply_batch(
            &self.db,
            self.policy(),
            &events,
            Some(&self.sessions),
            |i, applied| {
                let item = &fresh[i];
                lifecycle::stages(
                    &item.event,
                    applied,
                    item.sequence,
                    item.delivered,
                    repaired_from(&item.message),
                )
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
                for (i, (item, applied)) in fresh.iter().zip(applied).enumerate() {
                    let label = outcome_label(&applied);
                    if let Some(span) = traced.get(i) {
                        span.record("outcome", label);
                    }
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
                    self.apply_one(partition, item, shutdown).await;
                }
                progress.abort();
            }
        }
    }

    /// One event on its own (after its batch failed), in its own span and
    /// transaction: a database error is retried up to `max_deliver`, then
    /// the event is dead-lettered.
    async fn apply_one(&self, partition: u16, item: &Held, shutdown: &CancellationToken) {
        // One trace per message: continue the one the edge started.
        let traceparent = crate::envelope::traceparent_header(&item.message);
        let span = tracing::info_span!(
            "route_event",
            partition,
            stream_sequence = item.sequence,
            msg_id = %item.msg_id,
            conversation_id = tracing::field::Empty,
            trace_id = traceparent.and_then(trace_id).unwrap_or(""),
        );
        crate::trace::continue_from(&span, traceparent);
        self.apply_event(partition, item, shutdown)
            .instrument(span)
            .await;
    }

    async fn apply_event(&self, partition: u16, item: &Held, shutdown: &CancellationToken) {
        let Held {
            message,
            event,
            msg_id,
            delivered,
            sequence: stream_sequence,
        } = item;
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
        let progress = acks::keep_alive(vec![message.clone()], self.settings.ack_wait_secs);
        // A database error is retried here, holding the event (the
        // partition waits behind it either way: the rest of its batch is
        // held behind it),
        // rather than NAKed with a delay: nats-server 2.9.10 was seen to
        // drop such delayed redeliveries from a consumer's pending set while
        // advancing its ack floor, so the event was never applied and never
        // dead-lettered (docs/reliability.md). Only a crash hands the event
        // to another router (after `ack_wait`).
        let mut attempt = *delivered;
        let outcome = loop {
            match apply::apply(&self.db, policy, event, Some(&self.sessions)).await {
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
            Some(Ok(applied)) => outcome_label(applied),
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
                self.applied.insert(msg_id.clone(), ()).await;
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
                lifecycle::record(
                    &self.db,
                    event,
                    &applied,
                    *stream_sequence,
                    *delivered,
                    repaired_from(message),
                )
                .await;
                self.after_commit(event, &applied).await;
            }
            Some(Err(err)) => {
                let error = err.to_string();
                dead_letter(
                    &self.js,
                    message,
                    (attempt, *stream_sequence),
                    "database",
                    &error,
                )
                .await;
            }
        }
    }

    /// What follows a committed event: live announcement, session health,
    /// the bot's answer (all best effort).
    async fn after_commit(&self, event: &InboundEvent, applied: &Applied) {
        queue_media(&self.js, event, applied).await;
        announce::applied(&self.client, applied).await;
        crate::session_health::record(&self.js, event).await;
        self.bot.answer(event, applied).await;
    }
}

impl repair::Reapply for Router {
    /// Applies an event read again by the repair scan, as the one-by-one
    /// path would, and records that it was repaired.
    async fn reapply(&self, message: &jetstream::Message) -> Result<bool> {
        let Ok(event) = InboundEvent::decode(&message.payload) else {
            // Malformed events were dead-lettered by the consumer.
            return Ok(false);
        };
        match apply::apply(&self.db, self.policy(), &event, Some(&self.sessions)).await? {
            applied @ (Applied::Message { .. } | Applied::Status { .. }) => {
                tracing::warn!(msg_id = %event.msg_id(), "repair applied a lost event");
                let sequence = message.info().map_or(0, |i| i.stream_sequence);
                lifecycle::record_repaired(&self.db, &applied, sequence).await;
                queue_media(&self.js, &event, &applied).await;
                announce::applied(&self.client, &applied).await;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// Queues the fetch of a committed media message's file (`MEDIA`, one job
/// per message). Best effort: a job that is not stored leaves the row
/// `pending`, and the fetcher's sweep publishes it again.
async fn queue_media(js: &jetstream::Context, event: &InboundEvent, applied: &Applied) {
    let (EventBody::Message(message), Applied::Message { message_id, .. }) = (&event.body, applied)
    else {
        return;
    };
    if crate::media::reference(event, message).is_none() {
        return;
    }
    let job = crate::media::MediaJob {
        message_id: *message_id,
        business_number: event.business_number.clone(),
    };
    if let Err(err) = crate::media::publish_job(js, &job, &job.msg_id()).await {
        tracing::warn!(message_id, %err, "media fetch job not queued; the sweep will");
    }
}

fn outcome_label(applied: &Applied) -> &'static str {
    match applied {
        Applied::Message { .. } | Applied::Status { .. } => "applied",
        Applied::Duplicate => "duplicate",
        Applied::Ignored => "ignored",
        Applied::Recorded => "recorded",
    }
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
