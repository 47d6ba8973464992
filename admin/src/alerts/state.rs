//! The alert state machine with hysteresis, as a pure function: given the
//! stored record of one (rule, instance), one observation and the time, the
//! next record and the announcement to make, if any. Owns no I/O; where
//! records live is `store`, when they are evaluated is `evaluator`.
//!
//! ```text
//!  (none | resolved) --holds--> pending --holds for_secs--> firing   (announce "firing")
//!  pending --clears--> (none | resolved)                             (nothing announced)
//!  firing --clears--> firing, clearing since t --clear_secs--> resolved (announce "resolved")
//!  firing, clearing --holds again--> firing                           (nothing announced)
//! ```
//!
//! A condition that flaps therefore announces nothing until it holds for
//! `for_secs`, and a firing alert that flaps never resolves until it stays
//! clear for `clear_secs`: one "firing" and one "resolved" per incident.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::rules::Rule;

/// Where an alert stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// The condition holds, not yet for long enough.
    Pending,
    /// Announced; the condition holds (or has not stayed clear long enough).
    Firing,
    /// Announced as resolved.
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }
}

/// One (rule, instance), as stored in the alerts bucket.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AlertRecord {
    pub rule: String,
    pub kind: String,
    pub severity: String,
    /// What the rule measured: a consumer, a number, `DLQ`, `edges`, `sends`.
    pub instance: String,
    pub state: AlertState,
    /// Human summary of the last observation that changed the state.
    pub summary: String,
    pub value: f64,
    pub threshold: f64,
    /// Since when the condition holds (pending, firing).
    pub active_since: Option<DateTime<Utc>>,
    /// While firing: since when the condition is clear.
    pub clear_since: Option<DateTime<Utc>>,
    pub fired_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One measurement of one instance of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub instance: String,
    pub value: f64,
    /// Whether the rule's condition holds.
    pub active: bool,
    pub summary: String,
}

/// What to announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Fired,
    Resolved,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fired => "firing",
            Self::Resolved => "resolved",
        }
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Nothing to store.
    Keep,
    /// Store this record (state or timers changed); announce if `Some`.
    Write(Box<AlertRecord>, Option<Transition>),
    /// Remove the record (a pending condition cleared before it ever fired).
    Delete,
}

/// The next state of `current` after `observation` at `now`.
pub fn step(
    rule: &Rule,
    current: Option<&AlertRecord>,
    observation: &Observation,
    now: DateTime<Utc>,
) -> Step {
    let for_duration = Duration::seconds(i64::try_from(rule.for_secs).unwrap_or(i64::MAX / 2));
    let clear_duration =
        Duration::seconds(i64::try_from(rule.clear_secs()).unwrap_or(i64::MAX / 2));
    let fresh = || AlertRecord {
        rule: rule.name.clone(),
        kind: rule.kind.as_str().to_owned(),
        severity: rule.severity.clone(),
        instance: observation.instance.clone(),
        state: AlertState::Pending,
        summary: observation.summary.clone(),
        value: observation.value,
        threshold: rule.threshold,
        active_since: Some(now),
        clear_since: None,
        fired_at: None,
        resolved_at: None,
        updated_at: now,
    };
    let observed = |mut record: AlertRecord| {
        record.summary = observation.summary.clone();
        record.value = observation.value;
        record.threshold = rule.threshold;
        record.severity = rule.severity.clone();
        record.updated_at = now;
        record
    };
    let fire = |mut record: AlertRecord| {
        record.state = AlertState::Firing;
        record.fired_at = Some(now);
        record.clear_since = None;
        Step::Write(Box::new(observed(record)), Some(Transition::Fired))
    };
    match (current, observation.active) {
        (None, false) => Step::Keep,
        (Some(r), false) if r.state == AlertState::Resolved => Step::Keep,
        (None, true) => {
            if for_duration <= Duration::zero() {
                fire(fresh())
            } else {
                Step::Write(Box::new(fresh()), None)
            }
        }
        // Just resolved: a cool-down as long as the rule's clear (or for)
        // duration before it may become pending again, so a reading taken
        // before the resolution (another admin server's, or a slow source)
        // cannot fire it straight back.
        (Some(r), true)
            if r.state == AlertState::Resolved
                && r.resolved_at
                    .is_some_and(|at| now - at < clear_duration.max(for_duration)) =>
        {
            Step::Keep
        }
        (Some(r), true) if r.state == AlertState::Resolved => {
            let mut next = r.clone();
            next.state = AlertState::Pending;
            next.active_since = Some(now);
            next.clear_since = None;
            if for_duration <= Duration::zero() {
                fire(next)
            } else {
                Step::Write(Box::new(observed(next)), None)
            }
        }
        (Some(r), true) if r.state == AlertState::Pending => {
            let since = r.active_since.unwrap_or(now);
            if now - since >= for_duration {
                fire(r.clone())
            } else {
                Step::Keep
            }
        }
        (Some(r), false) if r.state == AlertState::Pending => {
            // Cleared before it fired: back to what it was, announced nothing.
            if r.resolved_at.is_some() {
                let mut next = r.clone();
                next.state = AlertState::Resolved;
                next.active_since = None;
                Step::Write(Box::new(observed(next)), None)
            } else {
                Step::Delete
            }
        }
        // Firing from here on.
        (Some(r), true) => {
            if r.clear_since.is_some() {
                let mut next = r.clone();
                next.clear_since = None;
                Step::Write(Box::new(observed(next)), None)
            } else {
                Step::Keep
            }
        }
        (Some(r), false) => match r.clear_since {
            None if clear_duration > Duration::zero() => {
                let mut next = r.clone();
                next.clear_since = Some(now);
                Step::Write(Box::new(observed(next)), None)
            }
            Some(since) if now - since < clear_duration => Step::Keep,
            _ => {
                let mut next = observed(r.clone());
                next.state = AlertState::Resolved;
                next.resolved_at = Some(now);
                next.active_since = None;
                next.clear_since = None;
                Step::Write(Box::new(next), Some(Transition::Resolved))
            }
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::alerts::rules::RuleKind;

    fn rule(for_secs: u64, clear_secs: u64) -> Rule {
        Rule {
            name: "backlog".into(),
            kind: RuleKind::ConsumerPending,
            threshold: 5.0,
            for_secs,
            clear_secs: Some(clear_secs),
            severity: "page".into(),
            stream: Some("INBOUND".into()),
            consumer: None,
            window_secs: None,
            reasons: Vec::new(),
            min_events: None,
            numbers: Vec::new(),
            hours_utc: None,
        }
    }

    fn obs(active: bool) -> Observation {
        Observation {
            instance: "router-p0".into(),
            value: if active { 9.0 } else { 0.0 },
            active,
            summary: "s".into(),
        }
    }

    /// Runs observations one second apart; returns the announcements.
    fn run(rule: &Rule, pattern: &[bool]) -> (Vec<(usize, Transition)>, Option<AlertRecord>) {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut record: Option<AlertRecord> = None;
        let mut said = Vec::new();
        for (i, active) in pattern.iter().enumerate() {
            let now = start + Duration::seconds(i as i64);
            match step(rule, record.as_ref(), &obs(*active), now) {
                Step::Keep => {}
                Step::Delete => record = None,
                Step::Write(next, transition) => {
                    record = Some(*next);
                    if let Some(t) = transition {
                        said.push((i, t));
                    }
                }
            }
        }
        (said, record)
    }

    #[test]
    fn fires_once_after_the_duration_and_resolves_once_after_clearing() {
        let pattern = [
            false, true, true, true, true, true, true, false, false, false, false,
        ];
        let (said, record) = run(&rule(3, 2), &pattern);
        assert_eq!(
            said,
            vec![(4, Transition::Fired), (9, Transition::Resolved)]
        );
        let record = record.unwrap();
        assert_eq!(record.state, AlertState::Resolved);
        assert!(record.fired_at.is_some() && record.resolved_at.is_some());
    }

    #[test]
    fn a_flapping_condition_announces_nothing_before_it_holds() {
        let pattern = [true, false, true, false, true, true, false, true, false];
        let (said, record) = run(&rule(3, 3), &pattern);
        assert!(said.is_empty(), "{said:?}");
        assert!(record.is_none(), "a pending that cleared leaves nothing");
    }

    #[test]
    fn a_firing_alert_that_flaps_resolves_only_after_staying_clear() {
        let mut pattern = vec![true; 3];
        pattern.extend([false, true, false, false, true, false, false, false, false]);
        let (said, _) = run(&rule(1, 3), &pattern);
        assert_eq!(
            said,
            vec![(1, Transition::Fired), (11, Transition::Resolved)]
        );
    }

    #[test]
    fn a_resolved_alert_cools_down_before_it_can_fire_again() {
        // for 1 s, clear 2 s: fired at 2, clearing from 3, resolved at 5;
        // active again at 6 is inside the 2 s cool-down (ignored), at 7 it
        // becomes pending, at 8 it fires again.
        let pattern = [true, true, true, false, false, false, true, true, true];
        let (said, _) = run(&rule(1, 2), &pattern);
        assert_eq!(
            said,
            vec![
                (1, Transition::Fired),
                (5, Transition::Resolved),
                (8, Transition::Fired)
            ]
        );
    }

    #[test]
    fn zero_durations_fire_and_resolve_at_once_and_refire_after_resolution() {
        let (said, _) = run(&rule(0, 0), &[true, true, false, false, true]);
        assert_eq!(
            said,
            vec![
                (0, Transition::Fired),
                (2, Transition::Resolved),
                (4, Transition::Fired)
            ]
        );
    }
}
