//! The ordering wait: how a partition's events are pulled and when a batch
//! of them may be applied. A batch is applied only while nothing else of
//! the partition is pending on its consumer, so no other router can hold an
//! earlier event (a standby that took over a crashed router's lease waits
//! here for the crashed router's events to be redelivered to it). Owns the
//! pull requests and the wait; who may pull a partition at all is
//! `lease`'s, what a batch does is the batch path's (`super`), and events
//! the consumer loses are `repair`'s.

use std::time::Duration;

use async_nats::jetstream::{
    self, AckKind,
    consumer::{Consumer, pull},
};
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::acks::{ack, delivery, stream_sequence};
use super::lease::PartitionLease;
use crate::observe;

/// How much a partition pulls at once and how long a delivery stays ours.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    /// Events pulled and applied together (the consumer's `max_ack_pending`).
    pub batch_size: usize,
    /// The consumer's `ack_wait`.
    pub ack_wait: Duration,
}

/// Waits (up to a second) for the partition's next event, then takes
/// whatever else is there at once, up to `batch_size`. No pull request is
/// left open afterwards, so nothing more arrives until the next call.
///
/// # Errors
/// When a pull request cannot be made (the caller retries).
pub(crate) async fn pull(
    consumer: &Consumer<pull::Config>,
    window: Window,
    shutdown: &CancellationToken,
) -> Result<Vec<jetstream::Message>, pull::BatchError> {
    let mut held = Vec::new();
    let first = consumer
        .batch()
        .max_messages(1)
        .expires(Duration::from_secs(1))
        .messages()
        .await?;
    collect(first, &mut held, shutdown).await;
    let room = window.batch_size.saturating_sub(held.len());
    if held.is_empty() || room == 0 {
        return Ok(held);
    }
    let rest = consumer.fetch().max_messages(room).messages().await?;
    collect(rest, &mut held, shutdown).await;
    Ok(held)
}

/// The events of `held` in stream order once no other delivery of the
/// partition is pending (every earlier event is applied and acked);
/// meanwhile picks up redeliveries (a crashed router's events) and keeps
/// `held` alive with progress acks. `None` on shutdown (NAKed) or when it
/// stays contended for two ack waits (left to redelivery).
pub(crate) async fn exclusive(
    partition: u16,
    consumer: &mut Consumer<pull::Config>,
    mut held: Vec<jetstream::Message>,
    lease: &mut PartitionLease,
    window: Window,
    shutdown: &CancellationToken,
) -> Option<Vec<jetstream::Message>> {
    let ack_wait = window.ack_wait;
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
        let room = window.batch_size.saturating_sub(held.len()).max(1);
        if let Ok(more) = consumer.fetch().max_messages(room).messages().await {
            collect(more, &mut held, shutdown).await;
        }
    }
}

/// Reads a pull request's messages to its end (bounded by a timeout in
/// case the server never ends it).
async fn collect(
    mut batch: pull::Batch,
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
