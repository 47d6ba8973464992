//! Repairs what JetStream consumers lose. nats-server 2.9.10 was seen to drop
//! events from a durable consumer's pending set while moving its ack floor
//! past them (docs/reliability.md, finding 4; nats-server#5727): the consumer
//! then reports nothing pending or in flight, but the events were never
//! applied, and JetStream never delivers them again. Owns the detection and
//! the re-application; what an event does is still the router's (through
//! [`Reapply`], which the router implements) and how a reply is published
//! is still `outbound`.
//!
//! - **Router**: a partition consumer that is idle (nothing pending, nothing
//!   in flight) yet still counts redelivered messages has lost them. After
//!   two such readings with the same last delivered sequence, the partition's
//!   INBOUND range not yet verified is read again with an ephemeral consumer
//!   and every event applied (idempotent: the unique index and monotonic
//!   statuses make a second application change nothing).
//! - **Sender**: when the OUTBOUND consumer was idle at two readings in a
//!   row, a reply still `queued` and untouched since before the first reading
//!   can reach no sender: it is published again under a fresh dedupe id (the
//!   claim and the `queued` check keep it single).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{
    self,
    consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull},
    stream::ConsumerError,
};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use tokio_util::sync::CancellationToken;

use entities::{business_number, contact, conversation, message};

use crate::envelope::{OutboundReply, ReplyContent};
use crate::observe;
use crate::topology;

/// How the repair scan applies an event it read again: the router's own
/// application of an event, idempotent.
pub trait Reapply: Send + Sync {
    /// Applies a re-read INBOUND event; `Ok(true)` when it changed
    /// something, i.e. it had been lost.
    ///
    /// # Errors
    /// A database error (the scan stops and retries the range).
    fn reapply(
        &self,
        message: &jetstream::Message,
    ) -> impl Future<Output = crate::Result<bool>> + Send;
}

/// Why a repair round stopped (the range or the replies are tried again
/// next round; nothing is skipped).
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    #[error("creating the scan consumer: {0}")]
    Consumer(#[from] ConsumerError),
    #[error("reading INBOUND: {0}")]
    Fetch(#[from] pull::BatchError),
    #[error("reading INBOUND: {0}")]
    Read(async_nats::Error),
    #[error("applying a lost event: {0}")]
    Apply(#[from] crate::Error),
    #[error("database: {0}")]
    Database(#[from] DbErr),
    #[error("publishing a stranded reply: {0}")]
    Publish(String),
}

/// Runs the router's repair until `shutdown`, every `every`.
pub(crate) async fn router_loop<R: Reapply + 'static>(
    router: Arc<R>,
    js: jetstream::Context,
    partitions: u16,
    every: Duration,
    shutdown: CancellationToken,
) {
    // Last delivered sequence of each partition seen idle with losses.
    let mut last: HashMap<u16, u64> = HashMap::new();
    let mut verified: HashMap<u16, u64> = HashMap::new();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        let Ok(stream) = js.get_stream(topology::INBOUND).await else {
            continue;
        };
        for partition in 0..partitions {
            let Ok(mut consumer) = stream
                .get_consumer::<pull::Config>(&topology::router_consumer(partition))
                .await
            else {
                continue;
            };
            let Ok(info) = consumer.info().await else {
                continue;
            };
            let lost =
                info.num_redelivered > 0 && info.num_ack_pending == 0 && info.num_pending == 0;
            let delivered = info.delivered.stream_sequence;
            if !lost {
                last.remove(&partition);
                continue;
            }
            if last.insert(partition, delivered) != Some(delivered) {
                // Seen once: it must still be so at the next reading.
                continue;
            }
            let from = verified.get(&partition).map_or(1, |v| v + 1);
            if from > delivered {
                continue;
            }
            match scan_partition(router.as_ref(), &stream, partition, from, delivered).await {
                Ok(repaired) => {
                    verified.insert(partition, delivered);
                    if repaired > 0 {
                        tracing::error!(
                            partition,
                            repaired,
                            from,
                            to = delivered,
                            "events the INBOUND consumer lost were applied by the repair scan"
                        );
                    } else {
                        tracing::info!(
                            partition,
                            from,
                            to = delivered,
                            "repair scan found nothing lost"
                        );
                    }
                }
                Err(err) => tracing::warn!(partition, %err, "repair scan failed; will retry"),
            }
        }
    }
}

/// Failed fetches a scan tries again before it gives up.
const MAX_READ_FAILURES: u32 = 8;

/// Applies every event of `partition` in INBOUND sequences `from..=to`
/// through the router; returns how many were missing.
///
/// # Errors
/// When the stream cannot be read or an event not applied (nothing is
/// skipped then: the caller retries the same range).
pub async fn scan_partition(
    router: &impl Reapply,
    stream: &jetstream::stream::Stream,
    partition: u16,
    from: u64,
    to: u64,
) -> Result<u64, RepairError> {
    let consumer: PullConsumer = stream
        .create_consumer(pull::Config {
            durable_name: None,
            filter_subject: topology::inbound_partition_filter(partition),
            deliver_policy: DeliverPolicy::ByStartSequence {
                start_sequence: from,
            },
            ack_policy: AckPolicy::None,
            inactive_threshold: Duration::from_secs(60),
            ..Default::default()
        })
        .await?;
    let mut repaired = 0;
    // A fetch soon after the consumer was made can end in "no responders"
    // (503) on nats-server 2.11+ (relay::pull::consume): it is fetched
    // again, from where it stood (nothing of a failed fetch was delivered).
    let mut read_failures = 0u32;
    loop {
        let mut batch = consumer
            .fetch()
            .max_messages(256)
            .expires(Duration::from_secs(2))
            .messages()
            .await?;
        let mut seen = 0;
        let mut failed = false;
        while let Some(next) = batch.next().await {
            let message = match next {
                Ok(message) => message,
                Err(err) if read_failures < MAX_READ_FAILURES => {
                    read_failures += 1;
                    tracing::debug!(%err, partition, "repair scan fetch failed; fetching again");
                    failed = true;
                    break;
                }
                Err(err) => return Err(RepairError::Read(err)),
            };
            seen += 1;
            let sequence = message.info().map_or(0, |i| i.stream_sequence);
            if sequence > to {
                return Ok(repaired);
            }
            if router.reapply(&message).await? {
                repaired += 1;
                metrics::counter!(observe::REPAIRED, "role" => "router").increment(1);
            }
            if sequence == to {
                return Ok(repaired);
            }
        }
        if failed {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        if seen == 0 {
            return Ok(repaired);
        }
    }
}

/// Runs the sender's repair until `shutdown`, every `every`.
pub(crate) async fn sender_loop(
    db: DatabaseConnection,
    js: jetstream::Context,
    partitions: u16,
    lane: topology::OutboundLane,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut idle_since: Option<DateTime<Utc>> = None;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
        }
        let Ok(stream) = js.get_stream(topology::OUTBOUND).await else {
            continue;
        };
        let Ok(mut consumer) = stream.get_consumer::<pull::Config>(lane.consumer()).await else {
            continue;
        };
        let Ok(info) = consumer.info().await else {
            continue;
        };
        if info.num_pending > 0 || info.num_ack_pending > 0 {
            idle_since = None;
            continue;
        }
        let Some(since) = idle_since else {
            idle_since = Some(Utc::now());
            continue;
        };
        match republish_stranded(&db, &js, partitions, lane, since).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::error!(
                    replies = n,
                    "queued replies the OUTBOUND consumer lost were published again"
                );
            }
            Err(err) => tracing::warn!(%err, "reply repair failed; will retry"),
        }
        idle_since = Some(Utc::now());
    }
}

/// Publishes again every outbound message of `lane` still `queued` and
/// untouched since `before`; returns how many. (Each lane is repaired when
/// its own consumer is idle: a campaign's backlog is not stranded.)
///
/// # Errors
/// Database or publish failures (the rest are tried next round).
pub async fn republish_stranded(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    lane: topology::OutboundLane,
    before: DateTime<Utc>,
) -> Result<u64, RepairError> {
    let in_lane = match lane {
        topology::OutboundLane::Support => message::Column::CampaignId.is_null(),
        topology::OutboundLane::Campaign => message::Column::CampaignId.is_not_null(),
    };
    let stranded = message::Entity::find()
        .filter(message::Column::Direction.eq("outbound"))
        .filter(message::Column::Status.eq("queued"))
        .filter(message::Column::UpdatedAt.lt(before))
        .filter(in_lane)
        .all(db)
        .await?;
    let mut published = 0;
    for row in stranded {
        let Some(reply) = rebuild(db, &row).await? else {
            continue;
        };
        let msg_id = format!(
            "{}:repair:{}",
            reply.msg_id(),
            Utc::now().timestamp_millis()
        );
        crate::outbound::publish_as(js, partitions, &reply, &msg_id)
            .await
            .map_err(|e| RepairError::Publish(e.to_string()))?;
        metrics::counter!(observe::REPAIRED, "role" => "sender").increment(1);
        published += 1;
    }
    Ok(published)
}

/// The reply a queued row was published as.
async fn rebuild(
    db: &DatabaseConnection,
    row: &message::Model,
) -> Result<Option<OutboundReply>, DbErr> {
    let Ok(content) = serde_json::from_value::<ReplyContent>(row.payload.clone()) else {
        return Ok(None);
    };
    let Some(conversation) = conversation::Entity::find_by_id(row.conversation_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let number = business_number::Entity::find_by_id(conversation.business_number_id)
        .one(db)
        .await?;
    let contact = contact::Entity::find_by_id(conversation.contact_id)
        .one(db)
        .await?;
    Ok(number.zip(contact).map(|(number, contact)| OutboundReply {
        message_id: row.id,
        conversation_id: conversation.id,
        business_number: number.phone_number_id,
        to: crate::contacts::address(&contact),
        content,
        campaign_id: row.campaign_id,
    }))
}
