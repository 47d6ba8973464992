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
    // Resolved, so the support histogram has a series (a timed measure).
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{conversation}"))
        .await;
    let version = detail["conversation"]["version"].as_i64().unwrap();
    let (status, resolved) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/resolve"),
            serde_json::json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
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
                    && text.contains("wharf_support_seconds_bucket{")
                    && text.contains("wharf_support_agents{")
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

/// `scripts/otlp-receiver.py`, the OTLP/HTTP (JSON) receiver the rehearsal
/// uses too, as a child process on a free port.
struct OtlpReceiver {
    child: std::process::Child,
    base: String,
    http: reqwest::Client,
}

impl OtlpReceiver {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port_file = dir.path().join("addr");
        let child = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scripts/otlp-receiver.py"
            ))
            .arg("127.0.0.1:0")
            .arg(&port_file)
            .spawn()
            .unwrap();
        let addr = eventually(Duration::from_secs(10), "the OTLP receiver", || async {
            std::fs::read_to_string(&port_file).ok()
        })
        .await;
        Self {
            child,
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    async fn spans(&self) -> Vec<serde_json::Value> {
        let answer = self.http.get(format!("{}/spans", self.base)).send().await;
        match answer {
            Ok(answer) => answer.json().await.unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for OtlpReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one span of `trace` named `name`, once it has arrived.
fn span_named<'a>(
    spans: &'a [serde_json::Value],
    trace: &str,
    name: &str,
) -> Option<&'a serde_json::Value> {
    spans
        .iter()
        .find(|s| s["trace_id"] == trace && s["name"] == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_trace_follows_a_webhook_to_the_router_and_a_reply_from_the_api_to_the_sender() {
    let receiver = OtlpReceiver::start().await;
    let traces = wharf::config::TraceSettings {
        otlp_endpoint: receiver.base.clone(),
        otlp_headers: relay::secret::Secret::new(String::new()),
        sample_ratio: 1.0,
        service_name: String::new(),
    };
    let log = wharf::config::LogSettings {
        filter: "warn,relay=info,wharf=info".into(),
        format: wharf::config::LogFormat::Human,
    };
    // Before the stack: the subscriber is global, and exports from now on.
    let _export = wharf::telemetry::init(&log, &traces, "wharf-test").unwrap();
    assert!(relay::trace::exporting());
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;

    // A webhook whose caller sent a traceparent: the edge continues it.
    let (webhook_trace, caller_span) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let now = chrono::Utc::now().timestamp();
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000901",
        "Tia",
        "wamid.OTLP1",
        "Hello",
        now,
    );
    let answer = stack
        .http
        .post(format!("{}/webhooks/meta", stack.edge_url("eu")))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            relay::provider::meta::sign(APP_SECRET, &body),
        )
        .header(
            "traceparent",
            format!("00-{webhook_trace}-{caller_span}-01"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    // And one without: the edge starts the trace itself.
    let conversation = open_conversation(&stack, "4915100000902", "wamid.OTLP2").await;

    // A reply through the API, its caller's trace continued to the sender.
    let (reply_trace, api_caller) = ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331");
    let answer = stack
        .http
        .post(format!(
            "{}/api/v1/conversations/{conversation}/reply",
            stack.admin_url
        ))
        .bearer_auth(ADMIN_TOKEN)
        .header("traceparent", format!("00-{reply_trace}-{api_caller}-01"))
        .json(&serde_json::json!({"text": "We are on it."}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);

    let spans = eventually(Duration::from_secs(30), "the exported spans", || async {
        let spans = receiver.spans().await;
        let complete = span_named(&spans, webhook_trace, "route_event").is_some()
            && span_named(&spans, reply_trace, "send_reply").is_some()
            && spans
                .iter()
                .any(|s| s["name"] == "route_event" && s["trace_id"] != webhook_trace);
        complete.then_some(spans)
    })
    .await;
    for span in &spans {
        assert_eq!(span["service"], "wharf-test", "{span}");
    }

    // Edge → router, parent by parent, in the caller's trace.
    let webhook = span_named(&spans, webhook_trace, "webhook").expect("the edge's span");
    assert_eq!(webhook["parent_span_id"], caller_span);
    assert_eq!(webhook["attributes"]["provider"], "meta");
    let stored = span_named(&spans, webhook_trace, "store_event").expect("the stored event");
    assert_eq!(stored["parent_span_id"], webhook["span_id"]);
    assert_eq!(stored["attributes"]["duplicate"], false);
    let routed = span_named(&spans, webhook_trace, "route_event").unwrap();
    assert_eq!(routed["parent_span_id"], stored["span_id"]);
    assert_eq!(routed["attributes"]["outcome"], "applied", "{routed}");

    // The webhook without a traceparent: a trace of its own, the same path.
    let other = spans
        .iter()
        .find(|s| s["name"] == "route_event" && s["trace_id"] != webhook_trace)
        .unwrap();
    let trace = other["trace_id"].as_str().unwrap();
    let stored = span_named(&spans, trace, "store_event").expect("its edge span");
    assert_eq!(other["parent_span_id"], stored["span_id"]);
    let root = span_named(&spans, trace, "webhook").unwrap();
    assert_eq!(stored["parent_span_id"], root["span_id"]);
    assert_eq!(root["parent_span_id"], "", "a root: {root}");

    // API → sender.
    let request = span_named(&spans, reply_trace, "admin_request").expect("the API's span");
    assert_eq!(request["parent_span_id"], api_caller);
    assert_eq!(request["attributes"]["status"], 202);
    let sent = span_named(&spans, reply_trace, "send_reply").unwrap();
    assert_eq!(sent["parent_span_id"], request["span_id"]);
}
