//! `wharf simulate`: N signed customer messages from M contacts, posted to
//! the edges of a running stack (round robin), for demos and load. It
//! behaves like a provider: a 429 or 503 (or no answer) is retried with
//! exponential backoff and full jitter, honouring `Retry-After`, a bounded
//! number of times; other refusals are final. Owns only the traffic it
//! makes; what happens to it is the stack's business.

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

/// What the edges answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulateReport {
    /// Answered 200 (stored), at once or after retries.
    pub stored: usize,
    /// Not stored: refused (a final answer) or given up after the last
    /// attempt.
    pub failed: usize,
    /// Retries made (429, 503 or no answer, then again).
    pub retried: usize,
    /// Answers that were not 2xx, by `<status> <code>` (`503 overloaded`,
    /// `401 bad_signature`, `connection`), each attempt counted.
    pub refusals: BTreeMap<String, usize>,
    /// Deliveries given up after the last attempt.
    pub given_up: usize,
    pub elapsed: Duration,
}

/// Attempts per delivery before giving up.
pub const MAX_ATTEMPTS: u32 = 8;
/// The first retry waits up to this long; each retry doubles it.
const BASE_DELAY: Duration = Duration::from_millis(100);
/// No wait is longer than this.
const MAX_DELAY: Duration = Duration::from_secs(10);

/// The wait before retry `attempt` (1 for the first): full jitter over
/// `BASE_DELAY * 2^(attempt-1)` (`jitter` in 0..1), never less than the
/// answer's `Retry-After`, never more than `MAX_DELAY`.
pub fn backoff(attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let ceiling = BASE_DELAY
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(MAX_DELAY);
    let jittered = ceiling.mul_f64(jitter.clamp(0.0, 1.0));
    jittered.max(retry_after.unwrap_or_default()).min(MAX_DELAY)
}

/// How one delivery ended.
struct Outcome {
    stored: bool,
    given_up: bool,
    retried: usize,
    refusals: Vec<String>,
}

/// Posts one delivery until it is stored, refused for good, or the
/// attempts run out.
async fn deliver(http: &reqwest::Client, url: &str, signature: &str, body: Vec<u8>) -> Outcome {
    let mut outcome = Outcome {
        stored: false,
        given_up: false,
        retried: 0,
        refusals: Vec::new(),
    };
    for attempt in 1..=MAX_ATTEMPTS {
        let answer = http
            .post(url)
            .header("content-type", "application/json")
            .header(relay::provider::meta::SIGNATURE_HEADER, signature)
            .body(body.clone())
            .send()
            .await;
        let retry_after = match answer {
            Ok(response) if response.status().is_success() => {
                outcome.stored = true;
                return outcome;
            }
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let code = response
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|b| b.get("code").and_then(|c| c.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                let reason = format!("{} {code}", status.as_u16()).trim().to_owned();
                let retryable = status.as_u16() == 429 || status.as_u16() == 503;
                outcome.refusals.push(reason);
                if !retryable {
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
        if attempt == MAX_ATTEMPTS {
            outcome.given_up = true;
            return outcome;
        }
        outcome.retried += 1;
        tokio::time::sleep(backoff(attempt, retry_after, rand::random::<f64>())).await;
    }
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

/// Posts the messages; contact `n % contacts` sends message `n`.
///
/// # Errors
/// When the HTTP client cannot be built.
pub async fn run(target: &Target, options: SimulateOptions) -> anyhow::Result<SimulateReport> {
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
            async move { deliver(&http, &url, &signature, body).await }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let mut report = SimulateReport {
        stored: 0,
        failed: 0,
        retried: 0,
        refusals: BTreeMap::new(),
        given_up: 0,
        elapsed: started.elapsed(),
    };
    for outcome in outcomes {
        if outcome.stored {
            report.stored += 1;
        } else {
            report.failed += 1;
        }
        report.given_up += usize::from(outcome.given_up);
        report.retried += outcome.retried;
        for reason in outcome.refusals {
            *report.refusals.entry(reason).or_default() += 1;
        }
    }
    Ok(report)
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
    fn backoff_doubles_with_full_jitter_honours_retry_after_and_is_bounded() {
        assert_eq!(backoff(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(3, None, 1.0), Duration::from_millis(400));
        assert_eq!(backoff(3, None, 0.5), Duration::from_millis(200));
        assert_eq!(backoff(3, None, 0.0), Duration::ZERO);
        assert_eq!(backoff(30, None, 1.0), Duration::from_secs(10), "capped");
        assert_eq!(
            backoff(1, Some(Duration::from_secs(5)), 0.0),
            Duration::from_secs(5),
            "never sooner than Retry-After"
        );
        assert_eq!(
            backoff(1, Some(Duration::from_secs(600)), 0.0),
            Duration::from_secs(10),
            "nor longer than the cap"
        );
    }
}
