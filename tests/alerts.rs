//! Alerting on a running stack: real NATS, a real database, the roles, and
//! real HTTP sinks (a local server standing in for an ops webhook and for
//! Slack). An INBOUND backlog held above its threshold by stopping the
//! router fires once, a restarted admin server does not fire it again, and
//! the router draining the backlog resolves it once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client;
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use admin::alerts::{AlertSettings, Rule, RuleKind, SinkKind, SinkSettings};
use poem::web::{Data, Json, Path};
use poem::{EndpointExt, Route, handler, post};
use relay::secret::Secret;
use support::*;
use tokio_util::sync::CancellationToken;

/// What a sink server received, per path; the first POST to `/flaky` is
/// answered 503 (the evaluator must retry it).
#[derive(Clone, Default)]
struct Received {
    bodies: Arc<Mutex<Vec<(String, serde_json::Value)>>>,
    flaky_refused: Arc<Mutex<u32>>,
}

impl Received {
    fn on(&self, path: &str) -> Vec<serde_json::Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Webhook announcements of `event` (`alert.firing`, `alert.resolved`).
    fn events(&self, path: &str, event: &str) -> Vec<serde_json::Value> {
        self.on(path)
            .into_iter()
            .filter(|b| b["event"] == event)
            .collect()
    }
}

#[handler]
fn receive(
    Path(path): Path<String>,
    Json(body): Json<serde_json::Value>,
    received: Data<&Received>,
) -> poem::Response {
    if path == "flaky" {
        let mut refused = received.flaky_refused.lock().unwrap();
        if *refused == 0 {
            *refused += 1;
            return poem::Response::builder()
                .status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
                .finish();
        }
    }
    received.bodies.lock().unwrap().push((path, body));
    poem::Response::builder().finish()
}

/// A local HTTP server recording every POST; its base URL.
async fn sink_server(received: Received, shutdown: CancellationToken) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    let app = Route::new().at("/:path", post(receive)).data(received);
    tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, shutdown.cancelled_owned(), None)
            .await
            .ok();
    });
    format!("http://{addr}")
}

fn backlog_rule() -> Rule {
    Rule {
        name: "inbound-backlog".into(),
        kind: RuleKind::ConsumerPending,
        threshold: 2.0,
        for_secs: 1,
        clear_secs: Some(1),
        severity: "page".into(),
        stream: Some(relay::topology::INBOUND.into()),
        consumer: Some("router-*".into()),
        window_secs: None,
        reasons: Vec::new(),
        min_events: None,
        numbers: Vec::new(),
        hours_utc: None,
    }
}

fn alerts(sink_base: &str, rules: Vec<Rule>) -> AlertSettings {
    let sink = |kind, path: &str| SinkSettings {
        kind,
        url: Secret::new(format!("{sink_base}/{path}")),
        timeout_ms: 2000,
        attempts: 3,
    };
    AlertSettings {
        enabled: true,
        interval_ms: 200,
        edge_metrics_urls: Vec::new(),
        sinks: vec![
            sink(SinkKind::Webhook, "flaky"),
            sink(SinkKind::Slack, "slack"),
        ],
        rules,
    }
}

/// Several evaluation rounds (200 ms each): long enough for a duplicate
/// announcement to show, were there one. Waiting for an absence needs a
/// bounded wait; everything else polls.
async fn a_few_rounds() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

fn metric(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backlog_fires_once_survives_a_restart_and_resolves_once_when_the_router_drains() {
    let received = Received::default();
    let sinks_down = CancellationToken::new();
    let base = sink_server(received.clone(), sinks_down.clone()).await;
    let mut stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            partitions: 2,
            alerts: Some(alerts(&base, vec![backlog_rule()])),
            ..StackOptions::default()
        },
    )
    .await;
    // The router's consumers exist once it ran; then it stops.
    stack.wait_router_idle().await;
    stack.stop_router().await;

    let contact = "4915100000777";
    let partition = relay::topology::partition_of(contact, 2);
    let consumer = relay::topology::router_consumer(partition);
    for i in 0..5 {
        let body = meta_text(
            PHONE_NUMBER_ID,
            contact,
            "Backlog",
            &format!("wamid.ALERT{i}"),
            "anyone there?",
            1_764_300_000 + i,
        );
        assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    }

    // Fires: the flaky webhook got it on the retry, Slack as text.
    let fired = eventually(Duration::from_secs(30), "the firing webhook", || {
        let received = received.clone();
        async move { received.events("flaky", "alert.firing").pop() }
    })
    .await;
    assert_eq!(fired["alert"]["rule"], "inbound-backlog");
    assert_eq!(fired["alert"]["instance"], consumer.as_str());
    assert_eq!(fired["alert"]["state"], "firing");
    assert!(fired["alert"]["value"].as_f64().unwrap() > 2.0, "{fired}");
    assert_eq!(
        *received.flaky_refused.lock().unwrap(),
        1,
        "one 503, retried"
    );
    let slack = eventually(Duration::from_secs(10), "the Slack message", || {
        let received = received.clone();
        async move { received.on("slack").pop() }
    })
    .await;
    let text = slack["text"].as_str().unwrap();
    assert!(
        text.starts_with("[FIRING] inbound-backlog") && text.contains(&consumer),
        "{text}"
    );

    let (status, listed) = stack.admin_get("/api/v1/alerts").await;
    assert_eq!(status, 200, "{listed}");
    let firing = listed["firing"].as_array().unwrap();
    assert_eq!(firing.len(), 1, "{listed}");
    assert_eq!(firing[0]["instance"], consumer.as_str());
    assert_eq!(firing[0]["state"], "firing");
    assert!(firing[0]["fired_at"].is_string());

    // A second admin server (a restart, or another instance) reads the
    // bucket: what fires stays announced once.
    let second = wharf::roles::bind_admin(&stack.config, stack.database.clone())
        .await
        .unwrap();
    let second_url = format!("http://{}", second.local_addr());
    let second_down = stack.shutdown.child_token();
    tokio::spawn(second.run(second_down.clone()));
    a_few_rounds().await;
    assert_eq!(received.events("flaky", "alert.firing").len(), 1);
    assert_eq!(received.on("slack").len(), 1);
    let (_, again) = stack.admin_get("/api/v1/alerts").await;
    assert_eq!(again["firing"][0]["fired_at"], firing[0]["fired_at"]);
    let scrape = stack
        .http
        .get(format!("{second_url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        metric(&scrape, "wharf_alerts_firing{rule=\"inbound-backlog\"}"),
        Some(1.0),
        "{scrape}"
    );
    assert_eq!(
        metric(
            &scrape,
            "wharf_alert_transitions_total{rule=\"inbound-backlog\",state=\"firing\"}"
        ),
        Some(1.0),
        "one transition counted across both servers"
    );

    // The router drains the backlog: resolved, once.
    stack.start_router().await;
    stack.wait_router_idle().await;
    let resolved = eventually(Duration::from_secs(30), "the resolving webhook", || {
        let received = received.clone();
        async move { received.events("flaky", "alert.resolved").pop() }
    })
    .await;
    assert_eq!(resolved["alert"]["instance"], consumer.as_str());
    assert_eq!(resolved["alert"]["state"], "resolved");
    a_few_rounds().await;
    assert_eq!(received.events("flaky", "alert.firing").len(), 1);
    assert_eq!(received.events("flaky", "alert.resolved").len(), 1);
    let slack: Vec<String> = received
        .on("slack")
        .iter()
        .map(|b| b["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(slack.len(), 2, "{slack:?}");
    assert!(
        slack[1].starts_with("[RESOLVED] inbound-backlog"),
        "{slack:?}"
    );

    let (status, listed) = stack.admin_get("/api/v1/alerts").await;
    assert_eq!(status, 200);
    assert_eq!(listed["firing"].as_array().unwrap().len(), 0, "{listed}");
    let recent = listed["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 1, "{listed}");
    assert_eq!(recent[0]["state"], "resolved");
    assert!(recent[0]["resolved_at"].is_string());
    assert!(
        recent[0]["resolved_at"].as_str() > recent[0]["fired_at"].as_str(),
        "{listed}"
    );

    // Bad input is a clear 400; sink URLs are never in the API's answers.
    let (status, body) = stack.admin_get("/api/v1/alerts?limit=0").await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["code"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    assert!(!listed.to_string().contains(&base));
    second_down.cancel();
    sinks_down.cancel();
}

async fn a_quiet_number_and_a_disconnected_session_fire_and_resolve_when_traffic_returns(
    db: TestDb,
) {
    let received = Received::default();
    let sinks_down = CancellationToken::new();
    let base = sink_server(received.clone(), sinks_down.clone()).await;
    let quiet = Rule {
        name: "quiet-number".into(),
        kind: RuleKind::NumberQuiet,
        threshold: 0.0,
        for_secs: 0,
        clear_secs: Some(0),
        severity: "page".into(),
        stream: None,
        consumer: None,
        window_secs: Some(4),
        reasons: Vec::new(),
        min_events: None,
        numbers: vec![PHONE_NUMBER_ID.into()],
        hours_utc: None,
    };
    let session = Rule {
        name: "session-down".into(),
        kind: RuleKind::SessionDisconnected,
        window_secs: None,
        numbers: Vec::new(),
        hours_utc: None,
        ..quiet.clone()
    };
    let stack = spawn_stack(
        db,
        StackOptions {
            alerts: Some(alerts(&base, vec![quiet, session])),
            ..StackOptions::default()
        },
    )
    .await;

    // Nothing inbound on the Meta number for 4 s: "connected but deaf".
    let deaf = eventually(Duration::from_secs(30), "the quiet-number alert", || {
        let received = received.clone();
        async move {
            received
                .events("flaky", "alert.firing")
                .into_iter()
                .find(|b| b["alert"]["rule"] == "quiet-number")
        }
    })
    .await;
    assert_eq!(deaf["alert"]["instance"], PHONE_NUMBER_ID);

    // The WasenderApi session reports it lost its connection.
    let down = serde_json::json!({
        "event": "session.status",
        "sessionId": "SESSION",
        "timestamp": 1_764_300_080_000i64,
        "data": {"status": "disconnected"}
    });
    let post_session = |body: serde_json::Value| {
        let http = stack.http.clone();
        let url = format!("{}/webhooks/wasender", stack.edge_url("eu"));
        async move {
            http.post(url)
                .header("content-type", "application/json")
                .header("x-webhook-signature", WASENDER_SECRET)
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(post_session(down).await, 200);
    let disconnected = eventually(Duration::from_secs(30), "the session alert", || {
        let received = received.clone();
        async move {
            received
                .events("flaky", "alert.firing")
                .into_iter()
                .find(|b| b["alert"]["rule"] == "session-down")
        }
    })
    .await;
    assert_eq!(disconnected["alert"]["instance"], WASENDER_SESSION);
    assert!(
        disconnected["alert"]["summary"]
            .as_str()
            .unwrap()
            .contains("disconnected")
    );
    // The numbers API says so too (the dashboard's reply-box warning), with
    // the provider's time; the Meta number has no session.
    let api = client::client_with(&stack.admin_url, ADMIN_TOKEN);
    let session_of = |numbers: &[wharf_client::types::NumberOut], id: &str| {
        numbers
            .iter()
            .find(|n| n.phone_number_id == id)
            .map(|n| (n.session_status.clone(), n.session_status_at))
            .unwrap()
    };
    let numbers = api.list_numbers().await.unwrap().into_inner();
    let (status, at) = session_of(&numbers, WASENDER_SESSION);
    assert_eq!(status.as_deref(), Some("disconnected"));
    assert_eq!(at.map(|t| t.timestamp()), Some(1_764_300_080));
    assert_eq!(session_of(&numbers, PHONE_NUMBER_ID), (None, None));
    let wasender_id = numbers
        .iter()
        .find(|n| n.phone_number_id == WASENDER_SESSION)
        .unwrap()
        .id;

    // Traffic returns on both: each resolves, once.
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000778",
        "Back",
        "wamid.QUIET1",
        "hello again",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let up = serde_json::json!({
        "event": "session.status",
        "sessionId": "SESSION",
        "timestamp": 1_764_300_090_000i64,
        "data": {"status": "connected"}
    });
    assert_eq!(post_session(up).await, 200);
    eventually(
        Duration::from_secs(30),
        "the session connected again",
        || {
            let api = api.clone();
            async move {
                let number = api.get_number(wasender_id).await.ok()?.into_inner();
                (number.session_status.as_deref() == Some("connected")).then_some(())
            }
        },
    )
    .await;
    for rule in ["quiet-number", "session-down"] {
        eventually(Duration::from_secs(30), "the resolution", || {
            let received = received.clone();
            async move {
                received
                    .events("flaky", "alert.resolved")
                    .into_iter()
                    .find(|b| b["alert"]["rule"] == rule)
            }
        })
        .await;
    }
    let (_, listed) = stack.admin_get("/api/v1/alerts").await;
    let recent: Vec<&str> = listed["recent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["rule"].as_str().unwrap())
        .collect();
    assert!(
        recent.contains(&"quiet-number") && recent.contains(&"session-down"),
        "{listed}"
    );
    let firings = |rule: &str| {
        received
            .events("flaky", "alert.firing")
            .iter()
            .filter(|b| b["alert"]["rule"] == rule)
            .count()
    };
    assert_eq!((firings("quiet-number"), firings("session-down")), (1, 1));
    sinks_down.cancel();
}

/// Every `wharf_…` metric name in a PromQL expression, without histogram
/// suffixes.
fn names_in(expr: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("wharf_") {
        let preceded = rest[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        if !preceded {
            let name = &tail[..end];
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
            names.push(base.to_owned());
        }
        rest = &tail[end.max(1)..];
    }
    names
}

#[test]
fn prometheus_rules_and_the_grafana_dashboard_use_only_exported_metric_names() {
    let root = env!("CARGO_MANIFEST_DIR");
    let rules: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(format!("{root}/deploy/prometheus/alerts.yml")).unwrap(),
    )
    .expect("alerts.yml is YAML");
    let mut exprs = Vec::new();
    for group in rules["groups"].as_sequence().expect("groups") {
        for rule in group["rules"].as_sequence().expect("rules") {
            let name = rule["alert"].as_str().expect("every rule is an alert");
            assert!(
                rule["labels"]["severity"].as_str().is_some(),
                "{name} has a severity"
            );
            assert!(
                rule["annotations"]["summary"].as_str().is_some(),
                "{name} has a summary"
            );
            exprs.push((
                format!("alerts.yml {name}"),
                rule["expr"].as_str().expect("expr").to_owned(),
            ));
        }
    }
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/deploy/grafana/wharf.json")).unwrap(),
    )
    .expect("wharf.json is JSON");
    let mut ids = std::collections::HashSet::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        assert!(
            ids.insert(panel["id"].as_i64().unwrap()),
            "panel ids unique"
        );
        for target in panel["targets"].as_array().expect("targets") {
            exprs.push((
                format!("wharf.json {}", panel["title"]),
                target["expr"].as_str().expect("expr").to_owned(),
            ));
        }
    }
    let mut used = std::collections::BTreeSet::new();
    for (place, expr) in &exprs {
        let names = names_in(expr);
        assert!(!names.is_empty(), "{place} names no Wharf metric: {expr}");
        for name in names {
            assert!(
                relay::observe::ALL.contains(&name.as_str()),
                "{place} uses {name}, which Wharf does not export"
            );
            used.insert(name);
        }
    }
    for required in [
        relay::observe::ALERTS_FIRING,
        relay::observe::ALERT_TRANSITIONS,
        relay::observe::CONSUMER_PENDING,
        relay::observe::SENDS,
        relay::observe::WEBHOOKS_REJECTED,
    ] {
        assert!(
            used.contains(required),
            "{required} is neither charted nor alerted on"
        );
    }
    assert_eq!(
        names_in("rate(wharf_edge_ack_seconds_bucket[5m]) / xwharf_nope"),
        vec!["wharf_edge_ack_seconds".to_owned()]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_webhooks_and_new_dead_letters_fire_and_resolve_once_the_window_passes() {
    let received = Received::default();
    let sinks_down = CancellationToken::new();
    let base = sink_server(received.clone(), sinks_down.clone()).await;
    let windowed = |name: &str, kind| Rule {
        name: name.into(),
        kind,
        threshold: 0.0,
        for_secs: 0,
        clear_secs: Some(0),
        severity: "ticket".into(),
        stream: None,
        consumer: None,
        window_secs: Some(3),
        reasons: Vec::new(),
        min_events: None,
        numbers: Vec::new(),
        hours_utc: None,
    };
    let refusals = Rule {
        reasons: vec!["bad_signature".into()],
        ..windowed("bad-signatures", RuleKind::EdgeRejections)
    };
    let letters = windowed("dead-letters", RuleKind::DlqInflow);
    // The harness points edge_rejections at the edges' own /metrics.
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            alerts: Some(alerts(&base, vec![refusals, letters])),
            ..StackOptions::default()
        },
    )
    .await;
    // Let the evaluator take its first samples (the windows' baselines).
    stack.wait_router_idle().await;
    a_few_rounds().await;
    assert!(received.on("flaky").is_empty(), "nothing before the faults");

    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000779",
        "Probe",
        "wamid.PROBE1",
        "hi",
        chrono::Utc::now().timestamp(),
    );
    for _ in 0..3 {
        assert_eq!(
            stack.post_meta("eu", &body, "wrong-secret").await.status(),
            401
        );
    }
    let js = stack.nats.hub_js().await;
    let subject = relay::topology::inbound_subject(relay::topology::HUB_REGION, PHONE_NUMBER_ID, 0);
    js.publish(subject, bytes::Bytes::from_static(b"{not an event"))
        .await
        .unwrap()
        .await
        .unwrap();

    for rule in ["bad-signatures", "dead-letters"] {
        let fired = eventually(Duration::from_secs(30), "the firing", || {
            let received = received.clone();
            async move {
                received
                    .events("flaky", "alert.firing")
                    .into_iter()
                    .find(|b| b["alert"]["rule"] == rule)
            }
        })
        .await;
        assert!(fired["alert"]["value"].as_f64().unwrap() > 0.0, "{fired}");
    }
    // Nothing new: once the faults leave the 3 s window, both resolve.
    for rule in ["bad-signatures", "dead-letters"] {
        eventually(Duration::from_secs(30), "the resolution", || {
            let received = received.clone();
            async move {
                received
                    .events("flaky", "alert.resolved")
                    .into_iter()
                    .find(|b| b["alert"]["rule"] == rule)
            }
        })
        .await;
    }
    a_few_rounds().await;
    for rule in ["bad-signatures", "dead-letters"] {
        for event in ["alert.firing", "alert.resolved"] {
            let count = received
                .events("flaky", event)
                .iter()
                .filter(|b| b["alert"]["rule"] == rule)
                .count();
            assert_eq!(count, 1, "{rule} {event}");
        }
    }
    sinks_down.cancel();
}

async fn failing_replies_fire_the_send_failure_alert(db: TestDb) {
    let received = Received::default();
    let sinks_down = CancellationToken::new();
    let base = sink_server(received.clone(), sinks_down.clone()).await;
    let failures = Rule {
        name: "send-failures".into(),
        kind: RuleKind::SendFailures,
        threshold: 0.5,
        for_secs: 0,
        clear_secs: Some(0),
        severity: "page".into(),
        stream: None,
        consumer: None,
        window_secs: Some(4),
        reasons: Vec::new(),
        min_events: Some(1),
        numbers: Vec::new(),
        hours_utc: None,
    };
    let stack = spawn_stack(
        db,
        StackOptions {
            // One attempt: a provider error fails the reply at once.
            tune: |config| {
                config.sender.max_attempts = 1;
                config.sender.request_timeout_ms = 1000;
            },
            alerts: Some(alerts(&base, vec![failures])),
            ..StackOptions::default()
        },
    )
    .await;
    let from = "4915100000780";
    let body = meta_text(
        PHONE_NUMBER_ID,
        from,
        "Fay",
        "wamid.FAIL1",
        "help",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let conversation = eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|c| c["contact"]["wa_id"] == from)
            .and_then(|c| c["id"].as_i64())
    })
    .await;
    let response = stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&serde_json::json!({"error_rate": 1.0}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let (status, reply) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "this will not arrive"}),
        )
        .await;
    assert_eq!(status, 202, "{reply}");

    let fired = eventually(Duration::from_secs(30), "the send-failure alert", || {
        let received = received.clone();
        async move { received.events("flaky", "alert.firing").pop() }
    })
    .await;
    assert_eq!(fired["alert"]["rule"], "send-failures");
    assert_eq!(fired["alert"]["value"].as_f64(), Some(1.0), "{fired}");
    // The failure leaves the 4 s window: resolved, once.
    eventually(Duration::from_secs(30), "the resolution", || {
        let received = received.clone();
        async move { received.events("flaky", "alert.resolved").pop() }
    })
    .await;
    assert_eq!(received.events("flaky", "alert.firing").len(), 1);
    sinks_down.cancel();
}

on_sqlite_and_postgres!(
    a_quiet_number_and_a_disconnected_session_fire_and_resolve_when_traffic_returns
);
on_sqlite_and_postgres!(failing_replies_fire_the_send_failure_alert);

/// Issue 27: Meta's `account_update` banning the business account is an
/// outage of its numbers: the `account_restricted` rule fires for the
/// number (whose account it learnt from its first message webhook), the
/// number shows the state in the API, and a reinstatement resolves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_account_ban_fires_the_account_alert_and_a_reinstatement_resolves_it() {
    let received = Received::default();
    let sinks_down = CancellationToken::new();
    let base = sink_server(received.clone(), sinks_down.clone()).await;
    let rule = Rule {
        name: "account-restricted".into(),
        kind: RuleKind::AccountRestricted,
        threshold: 0.0,
        for_secs: 0,
        clear_secs: Some(0),
        ..backlog_rule()
    };
    let rule = Rule {
        stream: None,
        consumer: None,
        ..rule
    };
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            alerts: Some(alerts(&base, vec![rule])),
            ..StackOptions::default()
        },
    )
    .await;
    let waba = "102290129340398";
    let now = chrono::Utc::now().timestamp();
    let hello = meta_text(
        PHONE_NUMBER_ID,
        "4915100000901",
        "Ida",
        "wamid.BAN.1",
        "hi",
        now,
    );
    assert_eq!(
        stack.post_meta("eu", &hello, APP_SECRET).await.status(),
        200
    );
    stack.wait_routed(1).await;
    // An account update names the account only: the number must have
    // learnt its account from the message first (router idle can be seen
    // before that message's transaction is visible).
    eventually(
        Duration::from_secs(20),
        "the number to know its account",
        || async {
            use sea_orm::EntityTrait;
            let numbers = entities::business_number::Entity::find()
                .all(&stack.database)
                .await
                .ok()?;
            numbers
                .iter()
                .any(|n| n.waba_id.as_deref() == Some(waba))
                .then_some(())
        },
    )
    .await;
    let account_update = |state: &str, at: i64| {
        serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": waba, "time": at,
            "changes": [{"field": "account_update", "value": {"event": "DISABLED_UPDATE",
                "ban_info": {"waba_ban_state": state, "waba_ban_date": "June 10, 2026"}}}]}]})
        .to_string()
        .into_bytes()
    };
    let response = stack
        .post_meta("eu", &account_update("DISABLE", now), APP_SECRET)
        .await;
    assert_eq!(response.status(), 200, "no number id: verified by the app");
    let firing = eventually(Duration::from_secs(30), "the account alert", || {
        let received = received.clone();
        async move {
            received
                .events("flaky", "alert.firing")
                .into_iter()
                .find(|b| b["alert"]["rule"] == "account-restricted")
        }
    })
    .await;
    assert_eq!(firing["alert"]["instance"], PHONE_NUMBER_ID);
    assert!(
        firing["alert"]["summary"]
            .as_str()
            .unwrap()
            .contains("banned"),
        "{firing}"
    );
    let (_, numbers) = stack.admin_get("/api/v1/numbers").await;
    let number = numbers
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["phone_number_id"] == PHONE_NUMBER_ID)
        .unwrap()
        .clone();
    assert_eq!(number["account_status"], "banned", "{number}");
    assert_eq!(number["waba_id"], waba);
    let (status, events) = stack
        .admin_get(&format!("/api/v1/numbers/{}/account-events", number["id"]))
        .await;
    assert_eq!(status, 200);
    assert_eq!(events[0]["event"], "DISABLED_UPDATE", "{events}");

    // Reinstated: the alert resolves once.
    let response = stack
        .post_meta("eu", &account_update("REINSTATE", now + 60), APP_SECRET)
        .await;
    assert_eq!(response.status(), 200);
    eventually(
        Duration::from_secs(30),
        "the account alert resolved",
        || {
            let received = received.clone();
            async move {
                received
                    .events("flaky", "alert.resolved")
                    .into_iter()
                    .find(|b| b["alert"]["rule"] == "account-restricted")
            }
        },
    )
    .await;
    a_few_rounds().await;
    let firings = received
        .events("flaky", "alert.firing")
        .into_iter()
        .filter(|b| b["alert"]["rule"] == "account-restricted")
        .count();
    assert_eq!(firings, 1);
    sinks_down.cancel();
}
