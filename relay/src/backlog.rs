//! How far this process's ordered routing is behind: the events each of its
//! partition consumers reported still pending (JetStream's `num_pending` of
//! the batch's last delivery). The media fetcher of the same process waits
//! while it is high, so a burst of files does not take the CPU (its own,
//! and the NATS servers' bucket writes) that routing text needs: text first,
//! files once routing keeps up, and never later than a bounded wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

/// A report older than this no longer counts: a partition that stopped
/// (lease lost, shutting down) must not hold the fetcher.
const FRESH: Duration = Duration::from_secs(2);
/// How often a waiting fetch looks again.
const POLL: Duration = Duration::from_millis(50);

/// The routing backlog of one process, shared by its router and fetcher.
#[derive(Debug, Clone, Default)]
pub struct Backlog {
    reports: Arc<Mutex<HashMap<u16, (u64, Instant)>>>,
}

impl Backlog {
    /// `partition`'s consumer had `pending` events beyond what it delivered.
    pub fn report(&self, partition: u16, pending: u64) {
        self.reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(partition, (pending, Instant::now()));
    }

    /// Events pending over this process's partitions, by fresh reports.
    #[must_use]
    pub fn pending(&self) -> u64 {
        let reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        reports
            .values()
            .filter(|(_, at)| at.elapsed() < FRESH)
            .map(|(pending, _)| *pending)
            .sum()
    }

    /// Waits while more than `threshold` events are pending, at most
    /// `at_most` (then the caller goes on anyway: files are never starved)
    /// or until `shutdown`. Returns how long it waited.
    pub async fn wait_below(
        &self,
        threshold: u64,
        at_most: Duration,
        shutdown: &CancellationToken,
    ) -> Duration {
        let started = Instant::now();
        while self.pending() > threshold && started.elapsed() < at_most {
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(POLL.min(at_most.saturating_sub(started.elapsed()))) => {}
            }
        }
        started.elapsed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_partitions_reports_add_up_and_a_new_one_replaces_the_old() {
        let backlog = Backlog::default();
        assert_eq!(backlog.pending(), 0);
        backlog.report(0, 300);
        backlog.report(1, 20);
        assert_eq!(backlog.pending(), 320);
        backlog.report(0, 0);
        assert_eq!(backlog.pending(), 20);
    }

    #[test]
    fn a_stale_report_no_longer_counts() {
        let backlog = Backlog::default();
        backlog.report(3, 500);
        backlog.reports.lock().unwrap().get_mut(&3).unwrap().1 -= FRESH + Duration::from_millis(1);
        assert_eq!(backlog.pending(), 0);
    }

    #[tokio::test]
    async fn a_wait_ends_when_routing_catches_up_or_at_its_bound() {
        let backlog = Backlog::default();
        let none = CancellationToken::new();
        // Nothing pending: no wait at all.
        assert!(backlog.wait_below(10, Duration::from_secs(5), &none).await < POLL);
        // Behind: the wait lasts until a report says it caught up.
        backlog.report(0, 1000);
        let catching_up = {
            let backlog = backlog.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                backlog.report(0, 5);
            })
        };
        let waited = backlog.wait_below(10, Duration::from_secs(30), &none).await;
        catching_up.await.unwrap();
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
        assert!(waited < Duration::from_secs(30), "{waited:?}");
        // Still behind: the bound ends the wait.
        backlog.report(0, 1000);
        let waited = backlog
            .wait_below(10, Duration::from_millis(200), &none)
            .await;
        assert!(waited >= Duration::from_millis(200), "{waited:?}");
        // A shutdown ends it at once.
        let stop = CancellationToken::new();
        stop.cancel();
        assert!(backlog.wait_below(10, Duration::from_secs(30), &stop).await < POLL);
    }
}
