//! Delivering announcements: a generic JSON webhook and a Slack-compatible
//! incoming webhook. Each POST has a timeout; a failed one is retried a
//! bounded number of times with doubling delays, then given up (counted,
//! logged). Sink URLs are secrets: no log line or error names them
//! (`reqwest` errors are stripped of their URL).

use std::time::Duration;

use relay::observe;
use serde::Serialize;

use super::rules::{SinkKind, SinkSettings};
use super::state::{AlertRecord, Transition};

/// The JSON body of the generic webhook.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    /// `alert.firing` or `alert.resolved`.
    pub event: String,
    pub alert: AlertRecord,
}

impl Announcement {
    pub fn new(transition: Transition, alert: AlertRecord) -> Self {
        Self {
            event: format!("alert.{}", transition.as_str()),
            alert,
        }
    }

    /// One line for chat sinks.
    pub fn text(&self) -> String {
        let a = &self.alert;
        let mark = if self.event == "alert.resolved" {
            "RESOLVED"
        } else {
            "FIRING"
        };
        format!(
            "[{mark}] {} ({}, {}): {}",
            a.rule, a.severity, a.instance, a.summary
        )
    }
}

/// Why an announcement did not reach a sink (never names the URL).
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The sink answered with a status that is not success.
    #[error("answered {0}")]
    Answered(reqwest::StatusCode),
    /// No answer; the error is stripped of its URL.
    #[error("{0}")]
    Request(reqwest::Error),
    /// Every attempt failed; the last failure.
    #[error("{last} after {attempts} attempts")]
    GaveUp {
        last: Box<DeliveryError>,
        attempts: u32,
    },
}

/// The configured sinks with one HTTP client.
pub struct Sinks {
    sinks: Vec<SinkSettings>,
    http: reqwest::Client,
}

impl Sinks {
    pub fn new(sinks: Vec<SinkSettings>) -> Self {
        let http = relay::tls::client_builder()
            .connect_timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self { sinks, http }
    }

    /// Sends `announcement` to every sink; failures are counted and logged
    /// (without the URL), never returned.
    pub async fn deliver(&self, announcement: &Announcement) {
        for (index, sink) in self.sinks.iter().enumerate() {
            let body = match sink.kind {
                SinkKind::Webhook => serde_json::to_value(announcement).unwrap_or_default(),
                SinkKind::Slack => serde_json::json!({ "text": announcement.text() }),
            };
            let outcome = match self.post(sink, &body).await {
                Ok(()) => "delivered",
                Err(err) => {
                    tracing::warn!(
                        sink = index,
                        kind = sink.kind.as_str(),
                        rule = %announcement.alert.rule,
                        %err,
                        "alert not delivered to sink"
                    );
                    "failed"
                }
            };
            metrics::counter!(observe::ALERT_NOTIFICATIONS, "sink" => sink.kind.as_str(), "outcome" => outcome)
                .increment(1);
        }
    }

    async fn post(
        &self,
        sink: &SinkSettings,
        body: &serde_json::Value,
    ) -> Result<(), DeliveryError> {
        let attempts = sink.attempts.max(1);
        let mut delay = Duration::from_millis(250);
        let mut attempt = 1;
        loop {
            let sent = self
                .http
                .post(sink.url.expose())
                .timeout(Duration::from_millis(sink.timeout_ms))
                .json(body)
                .send()
                .await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) => {
                    let status = response.status();
                    // A client error will not change on retry (except 429).
                    if status.is_client_error() && status.as_u16() != 429 {
                        return Err(DeliveryError::Answered(status));
                    }
                    DeliveryError::Answered(status)
                }
                Err(err) => DeliveryError::Request(err.without_url()),
            };
            if attempt >= attempts {
                return Err(DeliveryError::GaveUp {
                    last: Box::new(failure),
                    attempts: sink.attempts,
                });
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
            attempt += 1;
        }
    }
}

/// Registers the alert series (so they show before the first alert).
pub fn describe(rules: &[super::rules::Rule]) {
    for rule in rules {
        metrics::gauge!(observe::ALERTS_FIRING, "rule" => rule.name.clone()).set(0.0);
        for to in ["firing", "resolved"] {
            metrics::counter!(observe::ALERT_TRANSITIONS, "rule" => rule.name.clone(), "state" => to)
                .increment(0);
        }
    }
    for kind in [SinkKind::Webhook, SinkKind::Slack] {
        for outcome in ["delivered", "failed"] {
            metrics::counter!(observe::ALERT_NOTIFICATIONS, "sink" => kind.as_str(), "outcome" => outcome)
                .increment(0);
        }
    }
}
