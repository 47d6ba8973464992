//! Repairs what JetStream consumers lose. nats-server 2.9.10 was seen to drop
//! events from a durable consumer's pending set while moving its ack floor
//! past them (docs/reliability.md, finding 4; nats-server#5727): the consumer
//! then reports nothing pending or in flight, but the events were never
//! applied, and JetStream never delivers them again. Owns the detection and
//! the re-application; what an event does is still `sessions` (through the
//! router) and how a reply is published is still `outbound`.
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
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{
    self,
    consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull},
};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio_util::sync::CancellationToken;

use entities::{business_number, contact, conversation, message};

use crate::envelope::{OutboundReply, ReplyContent};
use crate::observe;
use crate::router::Router;
use crate::topology;

/// Runs the router's repair until `shutdown`, every `every`.
pub(crate) async fn router_loop(
    router: Arc<Router>,
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
            match scan_partition(&router, &stream, partition, from, delivered).await {
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

/// Applies every event of `partition` in INBOUND sequences `from..=to`
/// through the router; returns how many were missing.
///
/// # Errors
/// When the stream cannot be read (nothing is skipped then: the caller
/// retries the same range).
pub async fn scan_partition(
    router: &Router,
    stream: &jetstream::stream::Stream,
    partition: u16,
    from: u64,
    to: u64,
) -> Result<u64, String> {
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
        .await
        .map_err(|e| e.to_string())?;
    let mut repaired = 0;
    loop {
        let mut batch = consumer
            .fetch()
            .max_messages(256)
            .expires(Duration::from_secs(2))
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        let mut seen = 0;
        while let Some(next) = batch.next().await {
            let message = next.map_err(|e| e.to_string())?;
            seen += 1;
            let sequence = message.info().map_or(0, |i| i.stream_sequence);
            if sequence > to {
                return Ok(repaired);
            }
            match router.reapply(&message).await {
                Ok(true) => {
                    repaired += 1;
                    metrics::counter!(observe::REPAIRED, "role" => "router").increment(1);
                }
                Ok(false) => {}
                Err(err) => return Err(err),
            }
            if sequence == to {
                return Ok(repaired);
            }
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
    consumer_name: &'static str,
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
        let Ok(mut consumer) = stream.get_consumer::<pull::Config>(consumer_name).await else {
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
        match republish_stranded(&db, &js, partitions, since).await {
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

/// Publishes again every outbound reply still `queued` and untouched since
/// `before`; returns how many.
///
/// # Errors
/// Database or publish failures (the rest are tried next round).
pub async fn republish_stranded(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    before: DateTime<Utc>,
) -> Result<u64, String> {
    let stranded = message::Entity::find()
        .filter(message::Column::Direction.eq("outbound"))
        .filter(message::Column::Status.eq("queued"))
        .filter(message::Column::UpdatedAt.lt(before))
        .all(db)
        .await
        .map_err(|e| e.to_string())?;
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
            .map_err(|e| e.to_string())?;
        metrics::counter!(observe::REPAIRED, "role" => "sender").increment(1);
        published += 1;
    }
    Ok(published)
}

/// The reply a queued row was published as.
async fn rebuild(
    db: &DatabaseConnection,
    row: &message::Model,
) -> Result<Option<OutboundReply>, String> {
    let Ok(content) = serde_json::from_value::<ReplyContent>(row.payload.clone()) else {
        return Ok(None);
    };
    let err = |e: sea_orm::DbErr| e.to_string();
    let Some(conversation) = conversation::Entity::find_by_id(row.conversation_id)
        .one(db)
        .await
        .map_err(err)?
    else {
        return Ok(None);
    };
    let number = business_number::Entity::find_by_id(conversation.business_number_id)
        .one(db)
        .await
        .map_err(err)?;
    let contact = contact::Entity::find_by_id(conversation.contact_id)
        .one(db)
        .await
        .map_err(err)?;
    Ok(number.zip(contact).map(|(number, contact)| OutboundReply {
        message_id: row.id,
        conversation_id: conversation.id,
        business_number: number.phone_number_id,
        to: crate::contacts::address(&contact),
        content,
    }))
}
