//! The evaluation loop: every `interval_ms`, read the alert records, measure
//! each rule, step each (rule, instance) through the state machine, write
//! what changed with compare-and-set and hand announcements whose write
//! landed to the sinks (in order, on a task of their own so a slow sink does
//! not hold up evaluation). Owns the loop and the firing gauge only.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use relay::observe;
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::rules::{AlertSettings, Rule};
use super::sinks::{self, Announcement, Sinks};
use super::sources::Sources;
use super::state::{AlertState, Observation, Step, step};
use super::store::{AlertStore, StoreError, Stored, key_of};

/// Announcements waiting for the sinks; past this the oldest wait (the
/// evaluator blocks briefly) rather than being dropped.
const QUEUE: usize = 256;

/// Runs the evaluator until `shutdown`. Waits for the hub's bucket at start
/// (retrying); a round that cannot read the bucket is skipped.
pub async fn run(
    settings: AlertSettings,
    replicas: usize,
    js: async_nats::jetstream::Context,
    db: DatabaseConnection,
    shutdown: CancellationToken,
) {
    observe::install();
    sinks::describe(&settings.rules);
    let store = {
        let mut delay = Duration::from_millis(200);
        loop {
            match AlertStore::open(&js, replicas).await {
                Ok(store) => break store,
                Err(err) => tracing::debug!(%err, "alerts bucket not reachable yet"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    };
    let (tx, mut rx) = mpsc::channel::<Announcement>(QUEUE);
    let sinks = Sinks::new(settings.sinks.clone());
    let hooks_db = db.clone();
    let delivery = tokio::spawn(async move {
        while let Some(announcement) = rx.recv().await {
            sinks.deliver(&announcement).await;
            // Integrators' webhooks hear it too (after the bucket's write:
            // one evaluator announces each transition).
            let kind = if announcement.event == "alert.resolved" {
                "alert.resolved"
            } else {
                "alert.firing"
            };
            let data = crate::api::webhook_events::AlertEvent::data(announcement.alert.into());
            let event = relay::hooks::Event::new(kind, &data);
            if let Err(err) = relay::hooks::outbox::record(&hooks_db, vec![event]).await {
                tracing::warn!(%err, "alert event for webhooks not recorded");
            }
        }
    });
    tracing::info!(
        rules = settings.rules.len(),
        sinks = settings.sinks.len(),
        "alert evaluator running"
    );
    let mut evaluator = Evaluator {
        sources: Sources::new(js, db, settings.edge_metrics_urls.clone()),
        rules: settings.rules,
        store,
        announce: tx,
    };
    let interval = Duration::from_millis(settings.interval_ms);
    loop {
        if let Err(err) = evaluator.round().await {
            tracing::debug!(%err, "alert round skipped");
        }
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
    drop(evaluator);
    // Let queued announcements go out (bounded by the sinks' own timeouts).
    let _ = tokio::time::timeout(Duration::from_secs(10), delivery).await;
}

struct Evaluator {
    sources: Sources,
    rules: Vec<Rule>,
    store: AlertStore,
    announce: mpsc::Sender<Announcement>,
}

impl Evaluator {
    async fn round(&mut self) -> Result<(), StoreError> {
        let mut records: HashMap<String, Stored> = self.store.all().await?.into_iter().collect();
        for rule in self.rules.clone() {
            let observations = match self.sources.measure(&rule).await {
                Ok(observations) => observations,
                Err(err) => {
                    tracing::debug!(rule = %rule.name, %err, "rule not measured this round");
                    continue;
                }
            };
            let mut seen = HashSet::new();
            for observation in observations {
                let key = key_of(&rule.name, &observation.instance);
                seen.insert(key.clone());
                self.apply(&rule, &key, &observation, &mut records).await;
            }
            // Instances no longer measured (a consumer removed): clear.
            let gone: Vec<(String, String)> = records
                .iter()
                .filter(|(key, s)| s.record.rule == rule.name && !seen.contains(*key))
                .map(|(key, s)| (key.clone(), s.record.instance.clone()))
                .collect();
            for (key, instance) in gone {
                let observation = Observation {
                    instance,
                    value: 0.0,
                    active: false,
                    summary: "no longer measured".into(),
                };
                self.apply(&rule, &key, &observation, &mut records).await;
            }
        }
        for rule in &self.rules {
            let firing = records
                .values()
                .filter(|s| s.record.rule == rule.name && s.record.state == AlertState::Firing)
                .count();
            metrics::gauge!(observe::ALERTS_FIRING, "rule" => rule.name.clone()).set(firing as f64);
        }
        Ok(())
    }

    async fn apply(
        &self,
        rule: &Rule,
        key: &str,
        observation: &Observation,
        records: &mut HashMap<String, Stored>,
    ) {
        let current = records.get(key);
        match step(rule, current.map(|s| &s.record), observation, Utc::now()) {
            Step::Keep => {}
            Step::Delete => {
                if let Some(stored) = current
                    && self.store.remove(key, stored.revision).await.is_ok()
                {
                    records.remove(key);
                }
            }
            Step::Write(record, transition) => {
                let revision = current.map(|s| s.revision);
                match self.store.write(key, &record, revision).await {
                    Ok(revision) => {
                        if let Some(transition) = transition {
                            tracing::info!(
                                rule = %record.rule,
                                instance = %record.instance,
                                state = transition.as_str(),
                                summary = %record.summary,
                                "alert"
                            );
                            metrics::counter!(observe::ALERT_TRANSITIONS, "rule" => record.rule.clone(), "state" => transition.as_str())
                                .increment(1);
                            let _ = self
                                .announce
                                .send(Announcement::new(transition, (*record).clone()))
                                .await;
                        }
                        records.insert(
                            key.to_owned(),
                            Stored {
                                record: *record,
                                revision,
                            },
                        );
                    }
                    Err(StoreError::Conflict) => {
                        // Another evaluator moved it first; it announced.
                        tracing::debug!(%key, "alert record changed by another evaluator");
                        records.remove(key);
                    }
                    Err(err) => tracing::debug!(%key, %err, "alert record not written"),
                }
            }
        }
    }
}
