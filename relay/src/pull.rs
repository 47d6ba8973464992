//! What every durable pull consumer of Wharf does the same way: ack (or
//! NAK, or extend) a message and log a failure, keep held messages from
//! being redelivered while slow work runs (progress acks), and pull a
//! consumer's messages until shutdown, handling several at once. Used by
//! the router's partitions (`router::acks`), the sender and the media
//! fetcher; what a message means and when to ack it stays theirs.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer::PullConsumer};
use futures::StreamExt;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Acks (or NAKs, or extends) `message`; a failure is logged: the message
/// is then redelivered, which every consumer of Wharf tolerates.
pub async fn ack(message: &jetstream::Message, kind: AckKind) {
    if let Err(err) = message.ack_with(kind).await {
        tracing::warn!(%err, "ack failed; the message will be redelivered");
    }
}

/// Sends a progress ack for every one of `messages` every `every` until
/// the returned task is aborted: slow work must not outlive `ack_wait`.
pub fn keep_alive(messages: Vec<jetstream::Message>, every: Duration) -> JoinHandle<()> {
    let every = every.max(Duration::from_secs(1));
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            ticker.tick().await;
            for message in &messages {
                ack(message, AckKind::Progress).await;
            }
        }
    })
}

/// Exponential backoff with full jitter: a delay in `0..=min(base · 2^(attempt-1), max)`.
pub fn jittered_backoff(attempt: i64, base_ms: u64, max_ms: u64) -> Duration {
    use rand::Rng;
    let exp = u32::try_from(attempt.clamp(1, 30) - 1).unwrap_or(0);
    let ceiling = base_ms.saturating_mul(1u64 << exp.min(20)).min(max_ms);
    Duration::from_millis(rand::rng().random_range(0..=ceiling))
}

/// Pulls `consumer`'s messages until `shutdown`, handing up to
/// `concurrency` at once to `handle`. A stream error ends the pull stream
/// and a new one starts 250 ms later: on nats-server 2.15 a first pull right
/// after the consumer was made can get "no responders", after which the old
/// stream waited ~30 s for a missed heartbeat before pulling again.
pub async fn consume<F, Fut>(
    consumer: &PullConsumer,
    concurrency: usize,
    what: &str,
    shutdown: &CancellationToken,
    handle: F,
) where
    F: Fn(jetstream::Message) -> Fut,
    Fut: Future<Output = ()>,
{
    while !shutdown.is_cancelled() {
        let messages = match consumer.messages().await {
            Ok(messages) => messages,
            Err(err) => {
                tracing::warn!(%err, "{what}: pull failed; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        let stop = shutdown.clone();
        let failed = std::sync::atomic::AtomicBool::new(false);
        messages
            .take_until(async move { stop.cancelled().await })
            .take_while(|next| {
                if let Err(err) = next {
                    tracing::warn!(%err, "{what}: consumer stream error; pulling anew");
                    failed.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                std::future::ready(next.is_ok())
            })
            .for_each_concurrent(concurrency.max(1), |next| {
                let handling = next.ok().map(&handle);
                async move {
                    if let Some(handling) = handling {
                        handling.await;
                    }
                }
            })
            .await;
        if failed.load(std::sync::atomic::Ordering::Relaxed) {
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_and_capped() {
        for attempt in 1..40 {
            assert!(jittered_backoff(attempt, 500, 60_000) <= Duration::from_millis(60_000));
        }
        assert!(jittered_backoff(1, 500, 60_000) <= Duration::from_millis(500));
        assert_eq!(jittered_backoff(3, 0, 100), Duration::ZERO);
    }
}
