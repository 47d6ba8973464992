//! INBOUND's sources, watched: when is a region's source into INBOUND live,
//! and what to do when one stops.
//!
//! A source that works is heard from every few seconds even without traffic
//! (its consumer's heartbeats): [`state`] calls it live while the last word
//! is at most [`ACTIVE`] old. `wharf up` and the harness wait for that
//! (`stack::PathProbe`). After the hub's nodes restart one by one,
//! nats-server 2.15 was seen to leave every source of INBOUND silent
//! (`active` unknown) for ~27 s after the last restart while the edges kept
//! accepting: webhooks became rows a median 22 s late
//! (docs/reliability.md). Asking INBOUND's leader to step down makes the new
//! leader set its sources up again; in the run that had them stuck it
//! brought them back after 7.4 s. [`SourceWatch`] does that on its own: a
//! source silent for `stepdown_after_secs` while its leaf node answers
//! through the hub (a leaf that is away is a cut region, which no stepdown
//! mends) gets INBOUND's leader stepped down, at most once per
//! [`STEPDOWN_COOLDOWN`].

use std::time::{Duration, Instant};

use async_nats::jetstream;
use tokio_util::sync::CancellationToken;

use crate::topology;

/// A source heard from longer ago than this is not live.
pub const ACTIVE: Duration = Duration::from_secs(5);
/// The least time between two stepdowns: a new leader needs a few seconds
/// to set its sources up, and a stepdown every check would keep INBOUND
/// without a leader.
pub const STEPDOWN_COOLDOWN: Duration = Duration::from_secs(60);
/// How often the watch reads INBOUND's sources.
const CHECK_EVERY: Duration = Duration::from_secs(2);

/// One region's source into INBOUND as the stream's info shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceState {
    /// INBOUND has no source for the region (not provisioned for it).
    Missing,
    /// Heard from within [`ACTIVE`].
    Live,
    /// Not heard from within [`ACTIVE`] (`None`: the server does not know
    /// when it last was).
    Silent(Option<Duration>),
}

/// The state of `region`'s source in INBOUND's `info`.
pub fn state(info: &jetstream::stream::Info, region: &str) -> SourceState {
    let name = topology::edge_stream(region);
    match info.sources.iter().find(|s| s.name == name) {
        None => SourceState::Missing,
        Some(source) => match source.active {
            Some(active) if active <= ACTIVE => SourceState::Live,
            active => SourceState::Silent(active),
        },
    }
}

/// When to step INBOUND's leader down: after some source stayed silent
/// for `after`, and not again within [`STEPDOWN_COOLDOWN`].
#[derive(Debug)]
pub struct Decision {
    after: Duration,
    silent_since: Option<Instant>,
    last_stepdown: Option<Instant>,
}

impl Decision {
    pub fn new(after: Duration) -> Self {
        Self {
            after,
            silent_since: None,
            last_stepdown: None,
        }
    }

    /// Takes one look (`silent`: some source is silent) at `now`; `true`
    /// when INBOUND's leader should step down now (recorded as done).
    pub fn observe(&mut self, silent: bool, now: Instant) -> bool {
        if !silent {
            self.silent_since = None;
            return false;
        }
        let since = *self.silent_since.get_or_insert(now);
        let cooled = self
            .last_stepdown
            .is_none_or(|at| now.duration_since(at) >= STEPDOWN_COOLDOWN);
        if now.duration_since(since) >= self.after && cooled {
            self.last_stepdown = Some(now);
            // A new leader gets the whole wait before the next one.
            self.silent_since = None;
            return true;
        }
        false
    }
}

/// Watches INBOUND's sources through `client` (one that may read INBOUND's
/// info and step its leader down: the reconciler user) until shutdown.
pub struct SourceWatch {
    pub client: async_nats::Client,
    pub regions: Vec<String>,
    /// A source silent this long gets INBOUND's leader stepped down; 0: off.
    pub stepdown_after_secs: u64,
}

impl SourceWatch {
    pub async fn run(self, shutdown: CancellationToken) {
        if self.stepdown_after_secs == 0 || self.regions.is_empty() {
            return;
        }
        // Present from the start, so an alert on its increase sees the first.
        metrics::counter!(crate::observe::INBOUND_STEPDOWNS).absolute(0);
        let js = jetstream::new(self.client.clone());
        let mut decision = Decision::new(Duration::from_secs(self.stepdown_after_secs));
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(CHECK_EVERY) => {}
            }
            // Unreadable INBOUND (no leader, the hub away) is not a silent
            // source: a stepdown would not help.
            let Ok(mut stream) = js.get_stream(topology::INBOUND).await else {
                continue;
            };
            let Ok(info) = stream.info().await else {
                continue;
            };
            // Silent while its leaf answers through the hub: stuck. A leaf
            // that does not answer is away (a region cut off), which no
            // stepdown mends.
            let mut silent: Vec<(&str, Option<Duration>)> = Vec::new();
            for region in &self.regions {
                if let SourceState::Silent(active) = state(info, region)
                    && self.leaf_answers(region).await
                {
                    silent.push((region, active));
                }
            }
            if decision.observe(!silent.is_empty(), Instant::now()) {
                tracing::warn!(
                    ?silent,
                    after_secs = self.stepdown_after_secs,
                    "INBOUND's sources silent: asking its leader to step down"
                );
                self.step_down().await;
            }
        }
    }

    async fn leaf_answers(&self, region: &str) -> bool {
        let leaf = jetstream::with_domain(self.client.clone(), topology::edge_domain(region));
        let name = topology::edge_stream(region);
        matches!(
            tokio::time::timeout(Duration::from_secs(2), leaf.get_stream(&name)).await,
            Ok(Ok(_))
        )
    }

    async fn step_down(&self) {
        let subject = topology::stream_leader_stepdown_subject(topology::INBOUND);
        match self.client.request(subject, bytes::Bytes::new()).await {
            Ok(answer) => {
                let answer: serde_json::Value =
                    serde_json::from_slice(&answer.payload).unwrap_or_default();
                if answer["success"] == true {
                    metrics::counter!(crate::observe::INBOUND_STEPDOWNS).increment(1);
                } else {
                    tracing::warn!(error = %answer["error"], "INBOUND leader stepdown refused");
                }
            }
            Err(err) => tracing::warn!(%err, "INBOUND leader stepdown not answered"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_silent_past_the_wait_steps_the_leader_down_once_per_cooldown() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        let mut decision = Decision::new(Duration::from_secs(10));
        assert!(!decision.observe(true, at(0)));
        assert!(!decision.observe(true, at(9)), "not before the wait");
        assert!(decision.observe(true, at(10)), "silent for the wait");
        assert!(!decision.observe(true, at(30)), "cooling down");
        assert!(!decision.observe(true, at(69)), "cooling down");
        assert!(
            decision.observe(true, at(70)),
            "still silent after the cooldown"
        );
    }

    #[test]
    fn a_source_heard_from_again_restarts_the_wait() {
        let start = Instant::now();
        let at = |secs: u64| start + Duration::from_secs(secs);
        let mut decision = Decision::new(Duration::from_secs(10));
        assert!(!decision.observe(true, at(0)));
        assert!(!decision.observe(false, at(8)));
        assert!(!decision.observe(true, at(9)));
        assert!(!decision.observe(true, at(18)), "the wait began again at 9");
        assert!(decision.observe(true, at(19)));
    }
}
