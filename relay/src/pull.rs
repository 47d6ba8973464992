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

/// The pull requests a consumer loop has open, by id (oldest first): when
/// each is forgotten and what it may still bring. Their sum is what the
/// server still owes: a message takes one from the oldest (the server
/// fills waiting requests in turn, and a message does not say which it
/// fills), and a request's end says which request ended (its reply
/// subject, `<inbox>.<id>`) and what it still owed, which puts any
/// misattribution right.
#[derive(Debug, Default)]
struct OpenRequests {
    open: std::collections::BTreeMap<u64, (tokio::time::Instant, usize)>,
    next_id: u64,
}

impl OpenRequests {
    /// Messages the open requests may still bring.
    fn owed(&self) -> usize {
        self.open.values().map(|(_, n)| n).sum()
    }

    /// A request for `n` messages is made: its id.
    fn ask(&mut self, n: usize, now: tokio::time::Instant) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        if n > 0 {
            self.open.insert(id, (now + PULL_WAIT + PULL_GRACE, n));
        }
        id
    }

    /// A message came.
    fn delivered(&mut self) {
        if let Some(mut oldest) = self.open.first_entry() {
            let (_, n) = oldest.get_mut();
            *n = n.saturating_sub(1);
            if *n == 0 {
                oldest.remove();
            }
        }
    }

    /// Request `id` ended (expired) owing `pending` messages by the
    /// server's count (unknown: as counted here).
    fn ended(&mut self, id: u64, pending: Option<usize>, now: tokio::time::Instant) {
        let counted = self.open.remove(&id).map_or(0, |(_, n)| n);
        let pending = pending.unwrap_or(counted);
        if pending > counted {
            // Messages counted against it went to other requests.
            let mut theirs = pending - counted;
            for (_, n) in self.open.values_mut() {
                let take = theirs.min(*n);
                *n -= take;
                theirs -= take;
            }
            self.open.retain(|_, (_, n)| *n > 0);
        } else if counted > pending {
            // It got messages counted against others: they owe more.
            let more = counted - pending;
            match self.open.last_entry() {
                Some(mut youngest) => youngest.get_mut().1 += more,
                None => {
                    self.ask(more, now);
                }
            }
        }
    }

    /// Forgets every request (the server refused or forgot them).
    fn clear(&mut self) {
        self.open.clear();
    }

    /// Requests the server never ended are forgotten after their grace.
    fn forget_stale(&mut self, now: tokio::time::Instant) {
        self.open.retain(|_, (until, _)| *until > now);
    }

    fn next_stale(&self) -> Option<tokio::time::Instant> {
        self.open.values().map(|(until, _)| *until).min()
    }
}

/// The id of the request a status reply on `subject` (`<inbox>.<id>`)
/// answers. (A message keeps its own subject.)
fn request_id(subject: &str) -> Option<u64> {
    subject.rsplit_once('.')?.1.parse().ok()
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
        let inbox = client.new_inbox();
        let mut replies = match client.subscribe(format!("{inbox}.*")).await {
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
                let id = requests.ask(free, now);
                let reply_to = async_nats::Subject::from(format!("{inbox}.{id}"));
                match consumer.request_batch(ask, reply_to).await {
                    Ok(()) => retry_at = None,
                    Err(err) => {
                        requests.ended(id, Some(0), now);
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
                        Some(async_nats::StatusCode::TIMEOUT) => {
                            let pending = reply
                                .headers
                                .as_ref()
                                .and_then(|h| h.get("Nats-Pending-Messages"))
                                .and_then(|v| v.as_str().parse().ok());
                            if let Some(id) = request_id(reply.subject.as_str()) {
                                requests.ended(id, pending, tokio::time::Instant::now());
                            }
                        }
                        // No responders, a leadership change, too many
                        // waiting requests…: start over a little later.
                        Some(status) => {
                            tracing::debug!(%status, description = ?reply.description, "{what}: pull refused");
                            requests.clear();
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
        let first = open.ask(3, t0);
        open.ask(2, t0 + Duration::from_secs(1));
        assert_eq!(open.owed(), 5);
        open.delivered();
        open.delivered();
        open.delivered();
        assert_eq!(open.owed(), 2);
        // The server filled the second with two of them: the first ends
        // owing two, so the second owes nothing more.
        open.ended(first, Some(2), t0);
        assert_eq!((open.owed(), open.open.len()), (0, 0));
        // The server filled the first, as counted: the second ends owing
        // its two.
        let first = open.ask(3, t0);
        let second = open.ask(2, t0);
        open.delivered();
        open.delivered();
        open.delivered();
        open.ended(second, Some(2), t0);
        assert_eq!(open.owed(), 0);
        assert!(!open.open.contains_key(&first));
        // Counted against the first, one went to the second: the first
        // ends owing two, not one; the second still owes one, not two.
        let first = open.ask(2, t0);
        let _second = open.ask(2, t0);
        open.delivered();
        open.ended(first, Some(2), t0);
        assert_eq!(open.owed(), 1);
        // Counted against the first (filled here), both went to the
        // second, which ended owing nothing: the first still owes two.
        open.clear();
        let _first = open.ask(2, t0);
        let second = open.ask(2, t0);
        open.delivered();
        open.delivered();
        open.ended(second, Some(0), t0);
        assert_eq!(open.owed(), 2);
        // A request whose end never came is forgotten after its grace.
        open.clear();
        open.ask(4, t0);
        assert_eq!(open.next_stale(), Some(t0 + PULL_WAIT + PULL_GRACE));
        open.forget_stale(t0 + PULL_WAIT);
        assert_eq!(open.owed(), 4);
        open.forget_stale(t0 + PULL_WAIT + PULL_GRACE);
        assert_eq!((open.owed(), open.next_stale()), (0, None));
    }

    #[test]
    fn a_reply_subject_names_its_request() {
        assert_eq!(request_id("_INBOX.abc123.7"), Some(7));
        assert_eq!(request_id("_INBOX.abc123.x"), None);
        assert_eq!(request_id("nodot"), None);
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
