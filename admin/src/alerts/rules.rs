//! `[alerts]` settings: the rules (what to watch, how far, for how long),
//! the sinks (where announcements go) and their validation. Owns the shape
//! of the configuration only; measuring lives in `sources`, the state
//! machine in `state`, delivery in `sinks`.

use relay::secret::Secret;
use serde::{Deserialize, Serialize};

/// `[alerts]` in the configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// Run the evaluator in this admin server.
    pub enabled: bool,
    /// Milliseconds between evaluations.
    pub interval_ms: u64,
    /// `/metrics` URLs of the edges, for `edge_rejections` rules.
    #[serde(default)]
    pub edge_metrics_urls: Vec<String>,
    #[serde(default)]
    pub sinks: Vec<SinkSettings>,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            interval_ms: 5000,
            edge_metrics_urls: Vec::new(),
            sinks: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// What a rule watches.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Messages a durable consumer has not been given yet, per consumer.
    ConsumerPending,
    /// New dead letters within `window_secs`.
    DlqInflow,
    /// Webhooks the edges refused per second over `window_secs`
    /// (optionally only some `reasons`, e.g. the 503 ones).
    EdgeRejections,
    /// Share of replies that failed among those settled within `window_secs`.
    SendFailures,
    /// No inbound message for a business number within `window_secs`.
    NumberQuiet,
    /// A provider session (WasenderApi `session.status`) not `connected`.
    SessionDisconnected,
    /// A number whose business account Meta restricted, banned or disabled
    /// (its `account_update` webhooks): an outage of that number.
    AccountRestricted,
    /// Accepted events the repair paths had to put back (the reconciler's
    /// re-publishes, the repair scan's late applies: lifecycle stage
    /// `repaired`) within `window_secs`. Each one is an event the pipeline
    /// lost on its own; the reconciler saved it, the cause wants a look.
    EventsRepaired,
    /// Inbound media files given up on (lifecycle stage `media_failed`:
    /// each a dead letter with reason `media`) within `window_secs`. A
    /// number's expired access token shows up here first: every file of
    /// that number fails with `provider_refused`.
    MediaFetchFailures,
    /// Integrators' webhook endpoints Wharf disabled (the receiver answered
    /// 410, or failed longer than `sender.webhooks.disable_after_secs`):
    /// their events wait until an admin enables them again. One instance
    /// per endpoint; resolved once it is enabled (or deleted).
    WebhooksDisabled,
    /// Campaigns Wharf paused (the provider's spam-rate refusal, a template
    /// no longer approved or of quality RED): one instance per campaign;
    /// resolved once someone resumes or cancels it.
    CampaignsPaused,
    /// Conversations whose SLA target was missed (`docs/reports.md`, "SLA
    /// policies"): one instance per conversation, firing once when the
    /// breach is recorded, resolved when the conversation gets its reply
    /// or is resolved.
    SlaBreach,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConsumerPending => "consumer_pending",
            Self::DlqInflow => "dlq_inflow",
            Self::EdgeRejections => "edge_rejections",
            Self::SendFailures => "send_failures",
            Self::NumberQuiet => "number_quiet",
            Self::SessionDisconnected => "session_disconnected",
            Self::AccountRestricted => "account_restricted",
            Self::EventsRepaired => "events_repaired",
            Self::MediaFetchFailures => "media_fetch_failures",
            Self::WebhooksDisabled => "webhooks_disabled",
            Self::CampaignsPaused => "campaigns_paused",
            Self::SlaBreach => "sla_breach",
        }
    }
}

/// One `[[alerts.rules]]` table. Which optional keys a kind needs is checked
/// by [`AlertSettings::validate`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique name: letters, digits, `-`, `_` (a KV key and a metric label).
    pub name: String,
    pub kind: RuleKind,
    /// Fires when the measured value is above this.
    #[serde(default)]
    pub threshold: f64,
    /// The condition must hold this long before the alert fires.
    #[serde(default)]
    pub for_secs: u64,
    /// A firing alert resolves once the condition stayed clear this long
    /// (defaults to `for_secs`): hysteresis against flapping.
    #[serde(default)]
    pub clear_secs: Option<u64>,
    /// Free label passed to sinks (e.g. `page`, `ticket`).
    #[serde(default = "default_severity")]
    pub severity: String,
    /// `consumer_pending`: the stream (INBOUND, OUTBOUND, DLQ, MEDIA).
    #[serde(default)]
    pub stream: Option<String>,
    /// `consumer_pending`: one consumer, or a prefix ending in `*`; all when unset.
    #[serde(default)]
    pub consumer: Option<String>,
    /// `dlq_inflow`, `edge_rejections`, `send_failures`, `number_quiet`.
    #[serde(default)]
    pub window_secs: Option<u64>,
    /// `edge_rejections`: only these refusal reasons (all when empty).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// `send_failures`: fewer settled replies than this never fire.
    #[serde(default)]
    pub min_events: Option<u64>,
    /// `number_quiet` (required), `session_disconnected` (all sessions seen when empty).
    #[serde(default)]
    pub numbers: Vec<String>,
    /// `number_quiet`: the hours (UTC, `[from, to)`, e.g. `[8, 20]`) when
    /// traffic is expected; outside them a number may be quiet. Every hour
    /// when unset.
    #[serde(default)]
    pub hours_utc: Option<[u32; 2]>,
}

/// The rule `wharf up` adds when it knows its edges and no
/// `edge_rejections` rule is configured: edges answering 503 (overloaded, or
/// JetStream not storing) more than once per 10 s over 5 minutes, for 2.
pub fn edge_unavailable_rule() -> Rule {
    Rule {
        name: "edge-unavailable".into(),
        kind: RuleKind::EdgeRejections,
        threshold: 0.1,
        for_secs: 120,
        clear_secs: Some(60),
        severity: default_severity(),
        stream: None,
        consumer: None,
        window_secs: Some(300),
        reasons: vec!["overloaded".into(), "not_stored".into()],
        min_events: None,
        numbers: Vec::new(),
        hours_utc: None,
    }
}

fn default_severity() -> String {
    "page".into()
}

impl Rule {
    /// Seconds the condition must stay clear before a firing alert resolves.
    pub fn clear_secs(&self) -> u64 {
        self.clear_secs.unwrap_or(self.for_secs)
    }

    /// The window of a windowed kind (validated to be present).
    pub fn window_secs(&self) -> u64 {
        self.window_secs.unwrap_or(60)
    }
}

/// Where announcements go.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    /// POST of the alert as JSON.
    Webhook,
    /// POST of `{"text": …}` (Slack incoming webhooks and compatibles).
    Slack,
}

impl SinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Slack => "slack",
        }
    }
}

/// One `[[alerts.sinks]]` table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SinkSettings {
    pub kind: SinkKind,
    /// A secret (Slack webhook URLs carry their token): never logged.
    pub url: Secret,
    /// Per request, milliseconds.
    #[serde(default = "default_sink_timeout_ms")]
    pub timeout_ms: u64,
    /// Attempts per announcement (bounded retries with backoff).
    #[serde(default = "default_sink_attempts")]
    pub attempts: u32,
}

fn default_sink_timeout_ms() -> u64 {
    5000
}

fn default_sink_attempts() -> u32 {
    3
}

const STREAMS: [&str; 4] = relay::topology::QUEUE_STREAMS;

impl AlertSettings {
    /// Checks values that parse but cannot work.
    ///
    /// # Errors
    /// The first invalid key, relative to `alerts` (e.g. `rules.0.stream`),
    /// and why. A sink's URL is never part of the reason.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let err = |key: String, reason: &str| Err((key, reason.to_owned()));
        if self.interval_ms < 50 {
            return err("interval_ms".into(), "must be at least 50");
        }
        for (i, sink) in self.sinks.iter().enumerate() {
            let url = sink.url.expose();
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return err(
                    format!("sinks.{i}.url"),
                    "must be an http:// or https:// URL",
                );
            }
            if sink.timeout_ms == 0 {
                return err(format!("sinks.{i}.timeout_ms"), "must be at least 1");
            }
            if !(1..=10).contains(&sink.attempts) {
                return err(format!("sinks.{i}.attempts"), "must be between 1 and 10");
            }
        }
        for (i, url) in self.edge_metrics_urls.iter().enumerate() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return err(
                    format!("edge_metrics_urls.{i}"),
                    "must be an http:// or https:// URL",
                );
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let key = |field: &str| format!("rules.{i}.{field}");
            if rule.name.is_empty()
                || rule.name.len() > 64
                || !rule
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return err(
                    key("name"),
                    "must be 1-64 characters of letters, digits, '-' or '_'",
                );
            }
            if !names.insert(rule.name.as_str()) {
                return err(key("name"), "is used by another rule");
            }
            if !rule.threshold.is_finite() || rule.threshold < 0.0 {
                return err(key("threshold"), "must be a number of at least 0");
            }
            let windowed = matches!(
                rule.kind,
                RuleKind::DlqInflow
                    | RuleKind::EdgeRejections
                    | RuleKind::SendFailures
                    | RuleKind::NumberQuiet
                    | RuleKind::EventsRepaired
                    | RuleKind::MediaFetchFailures
            );
            match rule.window_secs {
                None if windowed => {
                    return err(key("window_secs"), "is required for this kind");
                }
                Some(0) => return err(key("window_secs"), "must be at least 1"),
                Some(_) if !windowed => {
                    return err(key("window_secs"), "does not apply to this kind");
                }
                _ => {}
            }
            match rule.kind {
                RuleKind::ConsumerPending => match rule.stream.as_deref() {
                    None => return err(key("stream"), "is required for consumer_pending"),
                    Some(s) if !STREAMS.contains(&s) => {
                        return err(key("stream"), "must be INBOUND, OUTBOUND, DLQ or MEDIA");
                    }
                    _ => {}
                },
                RuleKind::SendFailures if rule.threshold > 1.0 => {
                    return err(key("threshold"), "is a share of failed replies: 0 to 1");
                }
                RuleKind::NumberQuiet if rule.numbers.is_empty() => {
                    return err(
                        key("numbers"),
                        "must list the phone number ids where traffic is expected",
                    );
                }
                _ => {}
            }
            if rule.kind != RuleKind::ConsumerPending
                && (rule.stream.is_some() || rule.consumer.is_some())
            {
                return err(key("stream"), "applies to consumer_pending rules only");
            }
            if let Some([from, to]) = rule.hours_utc {
                if rule.kind != RuleKind::NumberQuiet {
                    return err(key("hours_utc"), "applies to number_quiet rules only");
                }
                if from >= to || to > 24 {
                    return err(
                        key("hours_utc"),
                        "must be [from, to] with 0 <= from < to <= 24 (UTC hours)",
                    );
                }
            }
            if rule.kind != RuleKind::EdgeRejections && !rule.reasons.is_empty() {
                return err(key("reasons"), "applies to edge_rejections rules only");
            }
            if !matches!(
                rule.kind,
                RuleKind::NumberQuiet | RuleKind::SessionDisconnected | RuleKind::AccountRestricted
            ) && !rule.numbers.is_empty()
            {
                return err(
                    key("numbers"),
                    "applies to number_quiet, session_disconnected and account_restricted rules only",
                );
            }
        }
        Ok(())
    }
}

impl AlertSettings {
    /// Checks that every rule can be measured where the evaluator runs:
    /// `edge_rejections` rules need the edges' `/metrics` URLs (which
    /// `wharf up` fills in itself, so this runs when the admin server
    /// starts, after [`AlertSettings::validate`]).
    ///
    /// # Errors
    /// The key at fault, relative to `alerts`, and why.
    pub fn validate_sources(&self) -> Result<(), (String, String)> {
        if self.enabled
            && self.edge_metrics_urls.is_empty()
            && self
                .rules
                .iter()
                .any(|r| r.kind == RuleKind::EdgeRejections)
        {
            return Err((
                "edge_metrics_urls".into(),
                "must list the edges' /metrics URLs when an edge_rejections rule exists".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: RuleKind) -> Rule {
        Rule {
            name: "r".into(),
            kind,
            threshold: 1.0,
            for_secs: 10,
            clear_secs: None,
            severity: default_severity(),
            stream: None,
            consumer: None,
            window_secs: None,
            reasons: Vec::new(),
            min_events: None,
            numbers: Vec::new(),
            hours_utc: None,
        }
    }

    fn settings(rules: Vec<Rule>) -> AlertSettings {
        AlertSettings {
            enabled: true,
            rules,
            ..AlertSettings::default()
        }
    }

    #[test]
    fn a_consumer_rule_needs_a_known_stream() {
        let mut r = rule(RuleKind::ConsumerPending);
        let (key, _) = settings(vec![r.clone()]).validate().expect_err("no stream");
        assert_eq!(key, "rules.0.stream");
        r.stream = Some("NOPE".into());
        let (key, reason) = settings(vec![r.clone()]).validate().expect_err("bad");
        assert_eq!(key, "rules.0.stream");
        assert!(reason.contains("INBOUND"), "{reason}");
        r.stream = Some("INBOUND".into());
        settings(vec![r]).validate().expect("valid");
    }

    #[test]
    fn windowed_kinds_need_a_window_and_names_are_unique() {
        let r = rule(RuleKind::DlqInflow);
        let (key, _) = settings(vec![r.clone()]).validate().expect_err("window");
        assert_eq!(key, "rules.0.window_secs");
        let mut ok = r;
        ok.window_secs = Some(60);
        let (key, reason) = settings(vec![ok.clone(), ok])
            .validate()
            .expect_err("duplicate name");
        assert_eq!(key, "rules.1.name");
        assert!(reason.contains("another"), "{reason}");
    }

    #[test]
    fn quiet_numbers_and_edge_rejections_need_their_inputs() {
        let mut quiet = rule(RuleKind::NumberQuiet);
        quiet.window_secs = Some(600);
        let (key, _) = settings(vec![quiet]).validate().expect_err("numbers");
        assert_eq!(key, "rules.0.numbers");
        let mut edge = rule(RuleKind::EdgeRejections);
        edge.window_secs = Some(60);
        let edges = settings(vec![edge]);
        edges.validate().expect("valid in itself");
        let (key, _) = edges.validate_sources().expect_err("urls");
        assert_eq!(key, "edge_metrics_urls");
        let mut fails = rule(RuleKind::SendFailures);
        fails.window_secs = Some(60);
        fails.threshold = 5.0;
        let (key, _) = settings(vec![fails]).validate().expect_err("share");
        assert_eq!(key, "rules.0.threshold");
    }

    #[test]
    fn expected_hours_are_checked() {
        let mut quiet = rule(RuleKind::NumberQuiet);
        quiet.window_secs = Some(600);
        quiet.numbers = vec!["1065".into()];
        quiet.hours_utc = Some([20, 8]);
        let (key, _) = settings(vec![quiet.clone()])
            .validate()
            .expect_err("reversed");
        assert_eq!(key, "rules.0.hours_utc");
        quiet.hours_utc = Some([8, 20]);
        settings(vec![quiet]).validate().expect("valid");
    }

    #[test]
    fn a_bad_sink_url_is_named_without_showing_it() {
        let mut s = settings(Vec::new());
        s.sinks.push(SinkSettings {
            kind: SinkKind::Slack,
            url: Secret::new("ftp://hooks.example/T000/SECRET-TOKEN"),
            timeout_ms: 1000,
            attempts: 3,
        });
        let (key, reason) = s.validate().expect_err("bad url");
        assert_eq!(key, "sinks.0.url");
        assert!(!reason.contains("SECRET-TOKEN"), "{reason}");
        assert!(!format!("{s:?}").contains("SECRET-TOKEN"));
    }
}
