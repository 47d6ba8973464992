//! `wharf simulate`: N signed customer messages from M contacts, posted to
//! the edges of a running stack (round robin), for demos and load. It
//! behaves like a provider: a 429 or 5xx (the edge's 503 `overloaded`) or no
//! answer is retried with exponential backoff and full jitter, never sooner
//! than `Retry-After`, a bounded number of times ([`RetryPolicy`]); other
//! refusals are final. The report counts retries, refusals by reason and
//! deliveries given up. Owns only the traffic it makes; what happens to it
//! is the stack's business.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use serde_json::json;

use crate::stack::StackInfo;

/// Where to send: edge base URLs and the number whose secret signs.
#[derive(Debug, Clone)]
pub struct Target {
    pub edges: Vec<String>,
    pub phone_number_id: String,
    pub app_secret: String,
    /// The stack's own CA when it runs with TLS (`wharf up --tls`).
    pub tls_ca_file: Option<String>,
}

impl Target {
    /// The edges and dev number of a `wharf up` stack (`stack.json`).
    ///
    /// # Errors
    /// When the file is missing or not a stack description.
    pub fn from_stack_json(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading {} (is `wharf up` running?)", path.display()))?;
        let info: StackInfo = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a stack.json", path.display()))?;
        anyhow::ensure!(!info.edges.is_empty(), "{} lists no edges", path.display());
        Ok(Self {
            tls_ca_file: info.tls_ca_file.clone(),
            edges: info.edges.into_iter().map(|e| e.url).collect(),
            phone_number_id: info.credentials.phone_number_id,
            app_secret: info.credentials.app_secret,
        })
    }
}

/// How much traffic.
#[derive(Debug, Clone, Copy)]
pub struct SimulateOptions {
    pub messages: usize,
    pub contacts: usize,
    /// Requests in flight.
    pub concurrency: usize,
}

/// Attempts per delivery before giving up, by default.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// The longest wait between two attempts, by default.
pub const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);
/// The first retry waits up to this long; each further retry doubles it.
const BASE_DELAY: Duration = Duration::from_millis(100);

/// How a delivery is retried, as a provider would: a 429, a 5xx (the edge
/// answers 503 when it cannot take more) or no answer is tried again after
/// a wait, a bounded number of times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per delivery, the first included (at least one is made).
    pub max_attempts: u32,
    /// The ceiling of the first retry's jitter; it doubles each retry.
    pub base_delay: Duration,
    /// No wait is longer than this, not even one a `Retry-After` asks for.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            base_delay: BASE_DELAY,
            max_delay: DEFAULT_MAX_DELAY,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry `retry` (1 for the first): the answer's
    /// `Retry-After` (zero without one) plus full jitter over
    /// `base_delay * 2^(retry-1)` (`jitter` in 0..1, so deliveries refused
    /// together do not come back together), never more than `max_delay`.
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max_delay);
        let jittered = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
        retry_after
            .unwrap_or_default()
            .saturating_add(jittered)
            .min(self.max_delay)
    }
}

/// What the edges answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulateReport {
    /// Deliveries made (one per message).
    pub sent: usize,
    /// Answered 2xx (stored), at once or after retries.
    pub stored: usize,
    /// Not stored: refused (a final answer) or given up after the last
    /// attempt.
    pub failed: usize,
    /// Retries made (429, 5xx or no answer, then again).
    pub retried: usize,
    /// Answers that were not 2xx, by `<status> <code>` (`503 overloaded`,
    /// `401 bad_signature`, `connection`, `timeout`), each attempt counted.
    pub refusals: BTreeMap<String, usize>,
    /// Deliveries that ended with a final refusal (a 4xx other than 429),
    /// by the same reason.
    pub refused: BTreeMap<String, usize>,
    /// Deliveries given up after the last attempt.
    pub given_up: usize,
    pub elapsed: Duration,
}

/// Whether an answer is worth another attempt: the edge could not take the
/// delivery yet (429, 503) or failed on its side (5xx).
fn retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// How one delivery ended.
#[derive(Default)]
struct Outcome {
    stored: bool,
    /// The reason of a final refusal.
    refused: Option<String>,
    given_up: bool,
    retried: usize,
    refusals: Vec<String>,
}

/// Posts one delivery until it is stored, refused for good, or the
/// attempts run out.
async fn deliver(
    http: &reqwest::Client,
    url: &str,
    signature: &str,
    body: Vec<u8>,
    policy: RetryPolicy,
) -> Outcome {
    let mut outcome = Outcome::default();
    let attempts = policy.max_attempts.max(1);
    for attempt in 1..=attempts {
        let answer = http
            .post(url)
            .header("content-type", "application/json")
            .header(relay::provider::meta::SIGNATURE_HEADER, signature)
            .body(body.clone())
            .send()
            .await;
        let retry_after = match answer {
            Ok(response) if response.status().is_success() => {
                // Read to the end so the connection goes back to the pool.
                let _ = response.bytes().await;
                outcome.stored = true;
                return outcome;
            }
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(relay::provider::meta::send::parse_retry_after);
                let code = response
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|b| b.get("code").and_then(|c| c.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                let reason = format!("{} {code}", status.as_u16()).trim().to_owned();
                outcome.refusals.push(reason.clone());
                if !retryable(status) {
                    outcome.refused = Some(reason);
                    return outcome;
                }
                retry_after
            }
            Err(err) => {
                outcome.refusals.push(if err.is_timeout() {
                    "timeout".to_owned()
                } else {
                    "connection".to_owned()
                });
                None
            }
        };
        if attempt == attempts {
            break;
        }
        outcome.retried += 1;
        tokio::time::sleep(policy.wait(attempt, retry_after, rand::random::<f64>())).await;
    }
    outcome.given_up = true;
    outcome
}

/// The wa_id of simulated contact `i`.
pub fn contact_id(i: usize) -> String {
    format!("49170{:07}", i % 10_000_000)
}

/// One Meta webhook delivery holding one text message.
pub fn webhook_body(phone_number_id: &str, from: &str, n: usize) -> Vec<u8> {
    let wamid = format!("wamid.SIM{}", uuid_like());
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "simulate", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": format!("Customer {from}")}, "wa_id": from}],
            "messages": [{"from": from, "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(),
                          "type": "text", "text": {"body": format!("Simulated message {n}")}}],
        }}]}],
    })
    .to_string()
    .into_bytes()
}

fn uuid_like() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}

/// Posts the messages with the default [`RetryPolicy`]; see [`run_with`].
///
/// # Errors
/// When the HTTP client cannot be built.
pub async fn run(target: &Target, options: SimulateOptions) -> anyhow::Result<SimulateReport> {
    run_with(target, options, RetryPolicy::default()).await
}

/// Posts the messages, retrying each as `policy` says; contact
/// `n % contacts` sends message `n`, to edge `n % edges`.
///
/// # Errors
/// When the HTTP client cannot be built.
pub async fn run_with(
    target: &Target,
    options: SimulateOptions,
    policy: RetryPolicy,
) -> anyhow::Result<SimulateReport> {
    anyhow::ensure!(!target.edges.is_empty(), "no edge to send to");
    let mut http = reqwest::Client::builder().timeout(Duration::from_secs(20));
    if let Some(ca) = &target.tls_ca_file {
        let pem = std::fs::read(ca).with_context(|| format!("reading the stack's CA {ca}"))?;
        http = http.add_root_certificate(reqwest::Certificate::from_pem(&pem)?);
    }
    let http = http.build()?;
    let contacts = options.contacts.max(1);
    let started = Instant::now();
    let outcomes: Vec<Outcome> = futures::stream::iter(0..options.messages)
        .map(|n| {
            let http = http.clone();
            let edge = &target.edges[n % target.edges.len()];
            let body = webhook_body(&target.phone_number_id, &contact_id(n % contacts), n);
            let signature = relay::provider::meta::sign(&target.app_secret, &body);
            let url = format!("{}/webhooks/meta", edge.trim_end_matches('/'));
            async move { deliver(&http, &url, &signature, body, policy).await }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let mut report = SimulateReport {
        sent: outcomes.len(),
        stored: 0,
        failed: 0,
        retried: 0,
        refusals: BTreeMap::new(),
        refused: BTreeMap::new(),
        given_up: 0,
        elapsed: started.elapsed(),
    };
    for outcome in outcomes {
        if outcome.stored {
            report.stored += 1;
        } else {
            report.failed += 1;
        }
        if let Some(reason) = outcome.refused {
            *report.refused.entry(reason).or_default() += 1;
        }
        report.given_up += usize::from(outcome.given_up);
        report.retried += outcome.retried;
        for reason in outcome.refusals {
            *report.refusals.entry(reason).or_default() += 1;
        }
    }
    Ok(report)
}

impl std::fmt::Display for SimulateReport {
    /// The report as `wharf simulate` prints it: totals on the first line,
    /// then every kind of refusal, retried or final.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let refused: usize = self.refused.values().sum();
        write!(
            f,
            "{} sent, {} stored, {} refused, {} given up after the last attempt; {} retries in {:.2?}",
            self.sent, self.stored, refused, self.given_up, self.retried, self.elapsed
        )?;
        for (reason, answers) in &self.refusals {
            if self.refused.contains_key(reason) {
                write!(f, "\n  answered {reason}: {answers} (final)")?;
            } else {
                write!(f, "\n  answered {reason}: {answers} (retryable)")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_meta_deliveries_from_the_contact() {
        let body: serde_json::Value =
            serde_json::from_slice(&webhook_body("1065", &contact_id(3), 7)).unwrap_or_default();
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["metadata"]["phone_number_id"], "1065");
        assert_eq!(value["messages"][0]["from"], "491700000003");
        assert_eq!(contact_id(10_000_003), "491700000003");
    }

    #[test]
    fn waits_double_with_full_jitter_honour_retry_after_and_are_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(policy.wait(3, None, 1.0), Duration::from_millis(400));
        assert_eq!(policy.wait(3, None, 0.5), Duration::from_millis(200));
        assert_eq!(policy.wait(3, None, 0.0), Duration::ZERO);
        assert_eq!(policy.wait(7, None, 1.0), Duration::from_millis(6400));
        assert_eq!(policy.wait(8, None, 1.0), Duration::from_secs(10), "capped");
        assert_eq!(policy.wait(u32::MAX, None, 1.0), Duration::from_secs(10));
        assert_eq!(policy.wait(2, None, 7.0), Duration::from_millis(200));
        let five = Some(Duration::from_secs(5));
        assert_eq!(
            policy.wait(1, five, 0.0),
            Duration::from_secs(5),
            "never sooner than Retry-After"
        );
        assert_eq!(
            policy.wait(2, five, 0.5),
            Duration::from_millis(5100),
            "spread after it"
        );
        assert_eq!(
            policy.wait(1, Some(Duration::from_secs(600)), 0.0),
            Duration::from_secs(10),
            "nor longer than the cap"
        );
        let tight = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        };
        assert_eq!(tight.wait(3, None, 1.0), Duration::from_millis(40));
        assert_eq!(tight.wait(4, None, 1.0), Duration::from_millis(50));
        assert_eq!(tight.wait(1, five, 1.0), Duration::from_millis(50));
        for retry in 1..=64 {
            for jitter in [0.0, 0.3, 1.0] {
                for retry_after in [None, Some(Duration::from_secs(1)), Some(Duration::MAX)] {
                    assert!(policy.wait(retry, retry_after, jitter) <= policy.max_delay);
                    assert!(
                        policy.wait(retry, retry_after, jitter)
                            >= retry_after.unwrap_or_default().min(policy.max_delay)
                    );
                }
            }
        }
    }

    #[test]
    fn the_report_prints_totals_and_refusals_by_reason() {
        let report = SimulateReport {
            sent: 10,
            stored: 7,
            failed: 3,
            retried: 12,
            refusals: BTreeMap::from([
                ("401 bad_signature".to_owned(), 2),
                ("503 overloaded".to_owned(), 12),
                ("connection".to_owned(), 1),
            ]),
            refused: BTreeMap::from([("401 bad_signature".to_owned(), 2)]),
            given_up: 1,
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(
            report.to_string(),
            "10 sent, 7 stored, 2 refused, 1 given up after the last attempt; 12 retries in 1.50s\n  \
             answered 401 bad_signature: 2 (final)\n  \
             answered 503 overloaded: 12 (retryable)\n  \
             answered connection: 1 (retryable)"
        );
    }
}
