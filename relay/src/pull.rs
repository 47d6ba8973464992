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
use futures::stream::FuturesUnordered;
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

/// How long one pull request waits for messages before it ends.
const PULL_WAIT: Duration = Duration::from_secs(2);
/// How much longer a request is counted as open when its end (a 408)
/// does not come: a hub that failed over forgot it.
const PULL_GRACE: Duration = Duration::from_secs(3);
/// The pause before pulling again after a pull failed.
const RETRY_PULL: Duration = Duration::from_millis(250);

/// The pull requests a consumer loop has open, oldest first (the server
/// fills and expires them in that order): what each may still bring.
#[derive(Debug, Default)]
struct OpenRequests {
    open: std::collections::VecDeque<(tokio::time::Instant, usize)>,
}

impl OpenRequests {
    /// Messages the open requests may still bring.
    fn owed(&self) -> usize {
        self.open.iter().map(|(_, n)| n).sum()
    }

    fn asked(&mut self, n: usize, now: tokio::time::Instant) {
        self.open.push_back((now + PULL_WAIT + PULL_GRACE, n));
    }

    /// A message came: the oldest request is being filled.
    fn delivered(&mut self) {
        if let Some((_, n)) = self.open.front_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.open.pop_front();
            }
        }
    }

    /// The oldest request ended (expired) before it was filled.
    fn ended(&mut self) {
        self.open.pop_front();
    }

    /// Requests the server never ended are forgotten after their grace.
    fn forget_stale(&mut self, now: tokio::time::Instant) {
        while self.open.front().is_some_and(|(until, _)| *until <= now) {
            self.open.pop_front();
        }
    }

    fn next_stale(&self) -> Option<tokio::time::Instant> {
        self.open.front().map(|(until, _)| *until)
    }
}

/// Pulls `consumer`'s messages until `shutdown`, handing up to
/// `concurrency` at once to `handle`; returns when the handlers it started
/// have finished.
///
/// Messages are asked for only for free handlers: the messages running
/// handlers hold plus those open pull requests may still bring never
/// exceed `concurrency`, so a message JetStream delivers is handled at
/// once, never left waiting in a client buffer where nothing keeps it
/// alive. (A streaming pull fetched ahead up to `max_ack_pending`: behind
/// slow handlers, a rate-capped campaign lane, the buffered messages
/// outlived `ack_wait` and were delivered a second time before their first
/// delivery had run.) A handler that finishes asks for its slot's next
/// message at once; all requests share one subscription. A failed pull is
/// retried 250 ms later: on nats-server 2.15 a first pull right after the
/// consumer was made can get "no responders".
pub async fn consume<F, Fut>(
    js: &jetstream::Context,
    consumer: &PullConsumer,
    concurrency: usize,
    what: &str,
    shutdown: &CancellationToken,
    handle: F,
) where
    F: Fn(jetstream::Message) -> Fut,
    Fut: Future<Output = ()>,
{
    let concurrency = concurrency.max(1);
    let client = js.client();
    let mut running = FuturesUnordered::new();
    let mut retry_at: Option<tokio::time::Instant> = None;
    'subscribe: while !shutdown.is_cancelled() {
        let inbox = async_nats::Subject::from(client.new_inbox());
        let mut replies = match client.subscribe(inbox.clone()).await {
            Ok(replies) => replies,
            Err(err) => {
                tracing::warn!(%err, "{what}: no subscription for pulls; retrying");
                drive_for(&mut running, Duration::from_secs(1), shutdown).await;
                continue;
            }
        };
        let mut requests = OpenRequests::default();
        while !shutdown.is_cancelled() {
            let now = tokio::time::Instant::now();
            requests.forget_stale(now);
            let free = concurrency.saturating_sub(running.len() + requests.owed());
            if free > 0 && retry_at.is_none_or(|at| now >= at) {
                let ask = jetstream::consumer::pull::BatchConfig {
                    batch: free,
                    expires: Some(PULL_WAIT),
                    ..Default::default()
                };
                match consumer.request_batch(ask, inbox.clone()).await {
                    Ok(()) => {
                        requests.asked(free, now);
                        retry_at = None;
                    }
                    Err(err) => {
                        tracing::warn!(%err, "{what}: pull failed; retrying");
                        retry_at = Some(now + RETRY_PULL);
                    }
                }
                continue;
            }
            let wake = match (retry_at.filter(|_| free > 0), requests.next_stale()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timer = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => break 'subscribe,
                () = timer => {}
                Some(()) = running.next() => {}
                reply = replies.next() => {
                    let Some(reply) = reply else {
                        tracing::warn!("{what}: pull subscription closed; subscribing anew");
                        continue 'subscribe;
                    };
                    match reply.status {
                        None | Some(async_nats::StatusCode::OK) => {
                            requests.delivered();
                            running.push(handle(jetstream::Message {
                                message: reply,
                                context: js.clone(),
                            }));
                        }
                        Some(async_nats::StatusCode::IDLE_HEARTBEAT) => {}
                        Some(async_nats::StatusCode::TIMEOUT) => requests.ended(),
                        // No responders, a leadership change, too many
                        // waiting requests…: start over a little later.
                        Some(status) => {
                            tracing::debug!(%status, description = ?reply.description, "{what}: pull refused");
                            requests = OpenRequests::default();
                            retry_at = Some(tokio::time::Instant::now() + RETRY_PULL);
                        }
                    }
                }
            }
        }
    }
    // Handlers see `shutdown` themselves (they NAK or finish what they hold).
    while running.next().await.is_some() {}
}

/// Runs `running` handlers for `wait` (or until `shutdown`).
async fn drive_for<Fut: Future<Output = ()>>(
    running: &mut FuturesUnordered<Fut>,
    wait: Duration,
    shutdown: &CancellationToken,
) {
    let until = tokio::time::sleep(wait);
    tokio::pin!(until);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = &mut until => return,
            Some(()) = running.next() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_requests_owe_what_they_may_still_bring() {
        let t0 = tokio::time::Instant::now();
        let mut open = OpenRequests::default();
        open.asked(3, t0);
        open.asked(2, t0 + Duration::from_secs(1));
        assert_eq!(open.owed(), 5);
        // The oldest is filled first; filled, it is gone.
        open.delivered();
        open.delivered();
        open.delivered();
        assert_eq!((open.owed(), open.open.len()), (2, 1));
        // It expired with one of its two still owed.
        open.delivered();
        open.ended();
        assert_eq!(open.owed(), 0);
        // A request whose end never came is forgotten after its grace.
        open.asked(4, t0);
        open.forget_stale(t0 + PULL_WAIT);
        assert_eq!(open.owed(), 4);
        open.forget_stale(t0 + PULL_WAIT + PULL_GRACE);
        assert_eq!((open.owed(), open.next_stale()), (0, None));
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        for attempt in 1..40 {
            assert!(jittered_backoff(attempt, 500, 60_000) <= Duration::from_millis(60_000));
        }
        assert!(jittered_backoff(1, 500, 60_000) <= Duration::from_millis(500));
        assert_eq!(jittered_backoff(3, 0, 100), Duration::ZERO);
    }
}
