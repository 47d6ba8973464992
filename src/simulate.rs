//! `wharf simulate`: N signed customer messages from M contacts, posted to
//! the edges of a running stack (round robin), for demos and load. Owns only
//! the traffic it makes; what happens to it is the stack's business.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulateReport {
    /// Answered 200 (stored).
    pub stored: usize,
    /// Answered otherwise or unreachable.
    pub failed: usize,
    pub elapsed: Duration,
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
    let results: Vec<bool> = futures::stream::iter(0..options.messages)
        .map(|n| {
            let http = http.clone();
            let edge = &target.edges[n % target.edges.len()];
            let body = webhook_body(&target.phone_number_id, &contact_id(n % contacts), n);
            let signature = relay::provider::meta::sign(&target.app_secret, &body);
            async move {
                http.post(format!("{}/webhooks/meta", edge.trim_end_matches('/')))
                    .header("content-type", "application/json")
                    .header(relay::provider::meta::SIGNATURE_HEADER, signature)
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let stored = results.iter().filter(|ok| **ok).count();
    Ok(SimulateReport {
        stored,
        failed: results.len() - stored,
        elapsed: started.elapsed(),
    })
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
}
