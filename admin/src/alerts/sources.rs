//! Measuring what the rules watch, one observation per instance: consumer
//! backlog and DLQ inflow from JetStream, refusals from the edges' own
//! `/metrics`, failed replies and quiet numbers from the database, provider
//! session health from the sessions bucket the routers keep. Owns the
//! sliding windows of counters; deciding what to announce is `state`'s job.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entities::message::{Direction, MessageStatus};
use entities::{business_number, conversation, message, message_event};
use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

use relay::error::NatsError;

use super::rules::{Rule, RuleKind};
use super::state::Observation;

/// A measurement that could not be taken this round (the rule is skipped,
/// its state untouched).
pub type Measured = Result<Vec<Observation>, Unmeasured>;

/// Why a rule could not be measured this round.
#[derive(Debug, thiserror::Error)]
pub enum Unmeasured {
    #[error("{0}")]
    Nats(#[from] relay::error::NatsError),
    #[error("{0}")]
    Database(#[from] sea_orm::DbErr),
    /// An edge's `/metrics` did not answer (the error has no URL).
    #[error("edge metrics unreachable: {0}")]
    EdgeUnreachable(reqwest::Error),
    /// An edge's `/metrics` answer could not be read (the error has no URL).
    #[error("{0}")]
    EdgeUnreadable(reqwest::Error),
    /// A windowed counter has not been watched for a whole window yet.
    #[error("window not yet filled since start")]
    WindowFilling,
}

/// What the evaluator reads, and the counter history of windowed rules.
pub struct Sources {
    js: async_nats::jetstream::Context,
    db: DatabaseConnection,
    http: reqwest::Client,
    edge_metrics_urls: Vec<String>,
    /// Counter samples per rule name, oldest first.
    history: HashMap<String, VecDeque<(Instant, f64)>>,
    /// The last `send_failures` measurement per rule, reused for a tenth of
    /// its window (at most 60 s): that query scans the window's replies.
    recent: HashMap<String, (Instant, Vec<Observation>)>,
    /// When this evaluator started: a number never heard from counts as
    /// quiet from here.
    started: DateTime<Utc>,
}

impl Sources {
    pub fn new(
        js: async_nats::jetstream::Context,
        db: DatabaseConnection,
        edge_metrics_urls: Vec<String>,
    ) -> Self {
        let http = relay::tls::client_builder()
            .timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self {
            js,
            db,
            http,
            edge_metrics_urls,
            history: HashMap::new(),
            recent: HashMap::new(),
            started: Utc::now(),
        }
    }

    /// Measures one rule.
    pub async fn measure(&mut self, rule: &Rule) -> Measured {
        match rule.kind {
            RuleKind::ConsumerPending => self.consumer_pending(rule).await,
            RuleKind::DlqInflow => self.dlq_inflow(rule).await,
            RuleKind::EdgeRejections => self.edge_rejections(rule).await,
            RuleKind::SendFailures => {
                let reuse_for =
                    Duration::from_secs(rule.window_secs() / 10).min(Duration::from_secs(60));
                if let Some((at, observations)) = self.recent.get(&rule.name)
                    && at.elapsed() < reuse_for
                {
                    return Ok(observations.clone());
                }
                let observations = self.send_failures(rule).await?;
                self.recent
                    .insert(rule.name.clone(), (Instant::now(), observations.clone()));
                Ok(observations)
            }
            RuleKind::NumberQuiet => self.number_quiet(rule).await,
            RuleKind::SessionDisconnected => self.session_disconnected(rule).await,
            RuleKind::AccountRestricted => self.account_restricted(rule).await,
            RuleKind::EventsRepaired => self.events_repaired(rule).await,
            RuleKind::MediaFetchFailures => self.media_fetch_failures(rule).await,
            RuleKind::WebhooksDisabled => self.webhooks_disabled().await,
            RuleKind::CampaignsPaused => self.campaigns_paused().await,
            RuleKind::SlaBreach => self.sla_breaches().await,
        }
    }

    async fn consumer_pending(&self, rule: &Rule) -> Measured {
        let name = rule.stream.as_deref().unwrap_or(relay::topology::INBOUND);
        let stream = self.js.get_stream(name).await.map_err(NatsError::from)?;
        let consumers: Vec<_> = stream
            .consumers()
            .try_collect()
            .await
            .map_err(NatsError::from)?;
        Ok(consumers
            .into_iter()
            .filter(|c| consumer_matches(rule.consumer.as_deref(), &c.name))
            .map(|c| {
                let pending = c.num_pending as f64;
                Observation {
                    instance: c.name.clone(),
                    value: pending,
                    active: pending > rule.threshold,
                    summary: format!(
                        "{name} consumer {}: {} messages pending (threshold {})",
                        c.name, c.num_pending, rule.threshold
                    ),
                }
            })
            .collect())
    }

    async fn dlq_inflow(&mut self, rule: &Rule) -> Measured {
        let mut stream = self
            .js
            .get_stream(relay::topology::DLQ)
            .await
            .map_err(NatsError::from)?;
        let info = stream.info().await.map_err(NatsError::from)?;
        let (letters, full) = self.window_delta(rule, info.state.last_sequence as f64);
        let active = letters > rule.threshold;
        unknown_while_filling(active, full)?;
        Ok(vec![Observation {
            instance: relay::topology::DLQ.into(),
            value: letters,
            active,
            summary: format!(
                "{letters} new dead letters within {} s (threshold {})",
                rule.window_secs(),
                rule.threshold
            ),
        }])
    }

    async fn edge_rejections(&mut self, rule: &Rule) -> Measured {
        let mut total = 0.0;
        for url in &self.edge_metrics_urls {
            let text = self
                .http
                .get(url)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| Unmeasured::EdgeUnreachable(e.without_url()))?
                .text()
                .await
                .map_err(|e| Unmeasured::EdgeUnreadable(e.without_url()))?;
            total += sum_counter(&text, relay::observe::WEBHOOKS_REJECTED, &rule.reasons);
        }
        let (refused, full) = self.window_delta(rule, total);
        let rate = refused / rule.window_secs() as f64;
        let active = rate > rule.threshold;
        unknown_while_filling(active, full)?;
        Ok(vec![Observation {
            instance: "edges".into(),
            value: rate,
            active,
            summary: format!(
                "webhooks refused at the edges within {} s: {refused} ({rate:.3}/s, threshold {}/s)",
                rule.window_secs(),
                rule.threshold
            ),
        }])
    }

    async fn events_repaired(&self, rule: &Rule) -> Measured {
        let since = Utc::now() - chrono::Duration::seconds(rule.window_secs() as i64);
        let repaired = message_event::Entity::find()
            .filter(message_event::Column::Stage.eq(message_event::Stage::Repaired.as_str()))
            .filter(message_event::Column::At.gte(since))
            .count(&self.db)
            .await? as f64;
        Ok(vec![Observation {
            instance: "inbound".into(),
            value: repaired,
            active: repaired > rule.threshold,
            summary: format!(
                "{repaired} accepted events repaired within {} s (threshold {}): see `wharf audit` and the messages' lifecycle",
                rule.window_secs(),
                rule.threshold
            ),
        }])
    }

    async fn media_fetch_failures(&self, rule: &Rule) -> Measured {
        let since = Utc::now() - chrono::Duration::seconds(rule.window_secs() as i64);
        let failed = message_event::Entity::find()
            .filter(message_event::Column::Stage.eq(message_event::Stage::MediaFailed.as_str()))
            .filter(message_event::Column::At.gte(since))
            .count(&self.db)
            .await? as f64;
        Ok(vec![Observation {
            instance: "media".into(),
            value: failed,
            active: failed > rule.threshold,
            summary: format!(
                "{failed} media files could not be fetched within {} s (threshold {}): \
                 see the dead letters with reason media (an expired access token fails every file)",
                rule.window_secs(),
                rule.threshold
            ),
        }])
    }

    async fn send_failures(&self, rule: &Rule) -> Measured {
        let since = Utc::now() - chrono::Duration::seconds(rule.window_secs() as i64);
        let outbound = || {
            message::Entity::find()
                .filter(message::Column::Direction.eq(Direction::Outbound))
                .filter(message::Column::UpdatedAt.gte(since))
        };
        let failed = outbound()
            .filter(message::Column::Status.eq(MessageStatus::Failed))
            .count(&self.db)
            .await?;
        let settled = outbound()
            .filter(message::Column::Status.is_in([
                MessageStatus::Sent,
                MessageStatus::Delivered,
                MessageStatus::Read,
                MessageStatus::Failed,
            ]))
            .count(&self.db)
            .await?;
        let share = if settled == 0 {
            0.0
        } else {
            failed as f64 / settled as f64
        };
        let enough = settled >= rule.min_events.unwrap_or(1);
        Ok(vec![Observation {
            instance: "sends".into(),
            value: share,
            active: enough && share > rule.threshold,
            summary: format!(
                "{failed} of {settled} replies failed within {} s ({:.1}%, threshold {:.1}%)",
                rule.window_secs(),
                share * 100.0,
                rule.threshold * 100.0
            ),
        }])
    }

    async fn number_quiet(&self, rule: &Rule) -> Measured {
        let now = Utc::now();
        let mut out = Vec::new();
        for number in &rule.numbers {
            let Some(row) = business_number::Entity::find()
                .filter(business_number::Column::PhoneNumberId.eq(number))
                .one(&self.db)
                .await?
            else {
                tracing::warn!(rule = %rule.name, %number, "number_quiet: no such business number");
                continue;
            };
            let last: Option<Option<DateTime<Utc>>> = conversation::Entity::find()
                .select_only()
                .column_as(conversation::Column::LastInboundAt.max(), "last")
                .filter(conversation::Column::BusinessNumberId.eq(row.id))
                .into_tuple()
                .one(&self.db)
                .await?;
            let Some(expected_from) = expected_since(now, rule.hours_utc) else {
                out.push(Observation {
                    instance: number.clone(),
                    value: 0.0,
                    active: false,
                    summary: format!("number {number}: no traffic expected at this hour"),
                });
                continue;
            };
            let heard = last
                .flatten()
                .unwrap_or(self.started)
                .max(self.started)
                .max(expected_from);
            let quiet = (now - heard).num_seconds().max(0);
            out.push(Observation {
                instance: number.clone(),
                value: quiet as f64,
                active: quiet >= rule.window_secs() as i64,
                summary: format!(
                    "number {number}: no inbound message for {quiet} s (expected within {} s)",
                    rule.window_secs()
                ),
            });
        }
        Ok(out)
    }

    async fn session_disconnected(&self, rule: &Rule) -> Measured {
        let store = relay::session_health::bucket(&self.js).await?;
        let numbers: Vec<String> = if rule.numbers.is_empty() {
            store
                .keys()
                .await
                .map_err(NatsError::from)?
                .try_collect()
                .await
                .map_err(NatsError::from)?
        } else {
            rule.numbers.clone()
        };
        let mut out = Vec::new();
        for number in numbers {
            let Some(health) = relay::session_health::read(&store, &number).await? else {
                continue;
            };
            let down = !health.is_connected();
            out.push(Observation {
                summary: format!("provider session {number} is {}", health.status),
                instance: number,
                value: if down { 1.0 } else { 0.0 },
                active: down,
            });
        }
        Ok(out)
    }

    /// Numbers whose account Meta reported restricted, violating, banned
    /// or disabled (`business_numbers.account_status`, kept by the routers
    /// from `account_update` webhooks).
    async fn account_restricted(&self, rule: &Rule) -> Measured {
        let mut query = business_number::Entity::find()
            .filter(business_number::Column::AccountStatus.is_not_null());
        if !rule.numbers.is_empty() {
            query =
                query.filter(business_number::Column::PhoneNumberId.is_in(rule.numbers.clone()));
        }
        let rows = query.all(&self.db).await?;
        Ok(rows
            .into_iter()
            .map(|n| {
                let status = n.account_status.unwrap_or_default();
                let down = status
                    .parse::<business_number::AccountStatus>()
                    .is_ok_and(business_number::AccountStatus::is_outage);
                Observation {
                    summary: format!(
                        "number {} ({}): Meta reports its account {status}",
                        n.phone_number_id, n.display_phone
                    ),
                    instance: n.phone_number_id,
                    value: if down { 1.0 } else { 0.0 },
                    active: down,
                }
            })
            .collect())
    }

    /// One observation per webhook endpoint: active when Wharf disabled it
    /// (`disabled_reason` set). Shows the endpoint's origin, never its URL.
    async fn webhooks_disabled(&self) -> Measured {
        let rows = entities::webhook_endpoint::Entity::find()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| {
                let down = !e.enabled && e.disabled_reason.is_some();
                Observation {
                    summary: format!(
                        "webhook endpoint {} ({}) disabled by Wharf: {}",
                        e.id,
                        e.url_origin,
                        e.disabled_reason.as_deref().unwrap_or("enabled")
                    ),
                    instance: e.id.to_string(),
                    value: if down { 1.0 } else { 0.0 },
                    active: down,
                }
            })
            .collect())
    }

    /// One observation per campaign that was ever paused by Wharf: active
    /// while it stays paused by Wharf.
    async fn campaigns_paused(&self) -> Measured {
        use sea_orm::{ColumnTrait, QueryFilter};
        let rows = entities::campaign::Entity::find()
            .filter(entities::campaign::Column::PausedBy.is_not_null())
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|c| {
                let paused = c.state == entities::campaign::CampaignState::Paused.as_str()
                    && c.paused_by.as_deref() == Some(relay::campaigns::PAUSED_BY_WHARF);
                Observation {
                    summary: format!(
                        "campaign {} ({}) paused by Wharf: {}",
                        c.id,
                        c.name,
                        c.paused_reason.as_deref().unwrap_or("-")
                    ),
                    instance: c.id.to_string(),
                    value: if paused { 1.0 } else { 0.0 },
                    active: paused,
                }
            })
            .collect())
    }

    /// One observation per conversation with a recorded SLA breach whose
    /// clock still runs (the sweep clears it once answered or resolved:
    /// the instance is then no longer measured and resolves). Names the
    /// conversation, its team and the target; never a phone number.
    async fn sla_breaches(&self) -> Measured {
        use sea_orm::{ColumnTrait, QueryFilter};
        let rows = entities::conversation::Entity::find()
            .filter(entities::conversation::Column::SlaBreachedAt.is_not_null())
            .find_also_related(entities::team::Entity)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(c, team)| Observation {
                summary: format!(
                    "conversation {} (team {}) breached its {} SLA, due {}",
                    c.id,
                    team.map_or_else(|| "none".to_owned(), |t| t.name),
                    c.sla_breach.as_deref().unwrap_or("-"),
                    c.sla_due_at
                        .map_or_else(|| "-".to_owned(), |d| d.to_rfc3339()),
                ),
                instance: c.id.to_string(),
                value: 1.0,
                active: true,
            })
            .collect())
    }

    /// Adds a sample of a cumulative counter and answers how much it grew
    /// within the rule's window (a counter that went down was reset: its new
    /// value is the growth), and whether the samples span the whole window.
    fn window_delta(&mut self, rule: &Rule, value: f64) -> (f64, bool) {
        let window = Duration::from_secs(rule.window_secs());
        let samples = self.history.entry(rule.name.clone()).or_default();
        window_growth(samples, Instant::now(), value, window)
    }
}

/// Since when traffic is expected at `now`: the start of today's expected
/// hours (UTC), or `None` outside them. Without hours: always expected.
fn expected_since(now: DateTime<Utc>, hours: Option<[u32; 2]>) -> Option<DateTime<Utc>> {
    use chrono::Timelike;
    let Some([from, to]) = hours else {
        return Some(DateTime::<Utc>::MIN_UTC);
    };
    let hour = now.hour();
    if hour < from || hour >= to {
        return None;
    }
    now.date_naive()
        .and_hms_opt(from, 0, 0)
        .map(|t| t.and_utc())
}

/// Until this process has watched a counter for a whole window, only a
/// value that already crosses the threshold is known; a quiet one might hide
/// growth from before the start (a restart must not resolve a firing alert
/// early): that round is skipped.
fn unknown_while_filling(active: bool, full: bool) -> Result<(), Unmeasured> {
    if active || full {
        Ok(())
    } else {
        Err(Unmeasured::WindowFilling)
    }
}

/// Growth of a counter over `window`, keeping the samples it needs, and
/// whether the samples span the whole window.
fn window_growth(
    samples: &mut VecDeque<(Instant, f64)>,
    now: Instant,
    value: f64,
    window: Duration,
) -> (f64, bool) {
    samples.push_back((now, value));
    // Keep one sample at or before the window's start as the baseline.
    while samples.len() > 1 && now.duration_since(samples[1].0) >= window {
        samples.pop_front();
    }
    let mut growth = 0.0;
    let mut previous = samples[0].1;
    for &(_, v) in samples.iter().skip(1) {
        growth += if v >= previous { v - previous } else { v };
        previous = v;
    }
    (growth, now.duration_since(samples[0].0) >= window)
}

/// Whether `name` is picked by a rule's `consumer` (unset: every consumer;
/// `prefix*`: names starting with the prefix; else the exact name).
fn consumer_matches(wanted: Option<&str>, name: &str) -> bool {
    match wanted {
        None => true,
        Some(w) => match w.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == w,
        },
    }
}

/// Sum of a counter's series in Prometheus text, optionally only those
/// whose `reason` label is in `reasons`.
pub(crate) fn sum_counter(text: &str, name: &str, reasons: &[String]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            let (labels, value) = match rest.strip_prefix('{') {
                Some(r) => {
                    let (labels, value) = r.split_once('}')?;
                    (labels, value)
                }
                None if rest.starts_with(' ') => ("", rest),
                None => return None,
            };
            let wanted = reasons.is_empty()
                || labels.split(',').any(|pair| {
                    pair.split_once('=').is_some_and(|(k, v)| {
                        k.trim() == "reason" && reasons.iter().any(|r| v.trim_matches('"') == r)
                    })
                });
            if !wanted {
                return None;
            }
            value.split_whitespace().next()?.parse::<f64>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_summed_by_reason() {
        let text = "# TYPE wharf_edge_webhooks_rejected_total counter\n\
            wharf_edge_webhooks_rejected_total{provider=\"meta\",reason=\"bad_signature\"} 4\n\
            wharf_edge_webhooks_rejected_total{provider=\"meta\",reason=\"overloaded\"} 2\n\
            wharf_edge_webhooks_rejected_total_other 100\n";
        let name = relay::observe::WEBHOOKS_REJECTED;
        assert_eq!(sum_counter(text, name, &[]), 6.0);
        assert_eq!(sum_counter(text, name, &["overloaded".into()]), 2.0);
        assert_eq!(sum_counter(text, name, &["nope".into()]), 0.0);
    }

    #[test]
    fn window_growth_forgets_old_samples_and_survives_resets() {
        let start = Instant::now();
        let w = Duration::from_secs(10);
        let mut s = VecDeque::new();
        assert_eq!(window_growth(&mut s, start, 5.0, w), (0.0, false));
        assert_eq!(
            window_growth(&mut s, start + Duration::from_secs(3), 8.0, w),
            (3.0, false)
        );
        // A restart of the counted process: 8 → 2 counts as 2 new.
        assert_eq!(
            window_growth(&mut s, start + Duration::from_secs(6), 2.0, w),
            (5.0, false)
        );
        // 20 s later the old growth has left the window.
        assert_eq!(
            window_growth(&mut s, start + Duration::from_secs(26), 2.0, w),
            (0.0, true)
        );
        assert!(unknown_while_filling(false, false).is_err());
        assert!(unknown_while_filling(true, false).is_ok());
        assert!(unknown_while_filling(false, true).is_ok());
    }

    #[test]
    fn traffic_is_expected_only_within_the_hours() {
        let at = |h: u32, m: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
                .and_then(|d| d.and_hms_opt(h, m, 0))
                .map(|t| t.and_utc())
                .expect("valid time")
        };
        assert_eq!(expected_since(at(7, 59), Some([8, 20])), None);
        assert_eq!(expected_since(at(9, 30), Some([8, 20])), Some(at(8, 0)));
        assert_eq!(expected_since(at(20, 0), Some([8, 20])), None);
        assert!(expected_since(at(3, 0), None).is_some_and(|t| t < at(0, 0)));
    }

    #[test]
    fn consumer_patterns() {
        assert!(consumer_matches(None, "router-p0"));
        assert!(consumer_matches(Some("router-*"), "router-p3"));
        assert!(!consumer_matches(Some("router-*"), "sender"));
        assert!(consumer_matches(Some("sender"), "sender"));
    }
}
