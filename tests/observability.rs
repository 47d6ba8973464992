//! Observability on a running stack: the alert rules and the Grafana
//! dashboard in `deploy/` name only metrics the roles really emit, and the
//! queue gauges move with traffic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
#[path = "support/media.rs"]
mod wire;

use std::collections::BTreeSet;
use std::time::Duration;

use support::*;

/// Every `wharf_…` metric name in a text, without histogram suffixes.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(found) = text[i..].find("wharf_") {
        let start = i + found;
        let preceded_ok =
            start == 0 || !(bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let mut end = start;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'_')
        {
            end += 1;
        }
        if preceded_ok {
            let name = &text[start..end];
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
            names.insert(base.to_owned());
        }
        i = end.max(start + 1);
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alert_rules_and_dashboard_name_only_metrics_the_stack_emits() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000094",
        "Obs",
        "wamid.O1",
        "hi",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    assert_eq!(stack.post_meta("eu", &body, "wrong").await.status(), 401);
    stack.wait_routed(1).await;
    // A reply, so the sender's series exist too.
    let (_, conversations) = stack.admin_get("/api/v1/conversations").await;
    let conversation = conversations["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("one conversation: {conversations}"));
    let (status, reply) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "on it"}),
        )
        .await;
    assert_eq!(status, 202, "{reply}");
    // A photo, so the media fetcher's series exist too.
    let photo = b"\x89PNG\r\n\x1a\n observability";
    wire::serve(&stack, "9100001", "image/png", photo, 0).await;
    let delivery = wire::meta_media(
        "4915100000094",
        &[wire::Media {
            wamid: "wamid.O2",
            kind: "image",
            media_id: "9100001",
            mime: "image/png",
            sha256: wire::sha256_b64(photo),
            extra: serde_json::json!({}),
        }],
    );
    assert_eq!(
        stack.post_meta("eu", &delivery, APP_SECRET).await.status(),
        200
    );

    let scrape = |url: String| {
        let http = stack.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    // The admin server samples the queues every few seconds.
    let admin_metrics = eventually(
        Duration::from_secs(20),
        "queue gauges on the admin server",
        || {
            let url = format!("{}/metrics", stack.admin_url);
            async move {
                let text = scrape(url).await;
                // Sampled after the routed event was stored: INBOUND holds it.
                (text.contains("wharf_consumer_pending_messages{")
                    && text.contains("wharf_media_stored_total{")
                    && text.contains("wharf_sender_reply_seconds_bucket{")
                    && text.contains("wharf_alerts_firing{")
                    && inbound_depth(&text).is_some_and(|d| d >= 1.0))
                .then_some(text)
            }
        },
    )
    .await;
    let edge_metrics = scrape(format!("{}/metrics", stack.edge_url("eu"))).await;
    let emitted: BTreeSet<String> = metric_names(&admin_metrics)
        .union(&metric_names(&edge_metrics))
        .cloned()
        .collect();

    for file in ["deploy/prometheus/alerts.yml", "deploy/grafana/wharf.json"] {
        let text =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let named = metric_names(&text);
        assert!(!named.is_empty(), "{file} names no metric");
        let missing: Vec<&String> = named.difference(&emitted).collect();
        assert!(
            missing.is_empty(),
            "{file} names metrics nobody emits: {missing:?}"
        );
    }
    let grafana: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/deploy/grafana/wharf.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(grafana["panels"].as_array().unwrap().len() >= 8);

    let depth = inbound_depth(&admin_metrics).expect("INBOUND depth");
    assert!(depth >= 1.0, "INBOUND depth {depth}");
}

fn inbound_depth(scrape: &str) -> Option<f64> {
    scrape
        .lines()
        .find(|l| l.starts_with("wharf_stream_messages{stream=\"INBOUND\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}
