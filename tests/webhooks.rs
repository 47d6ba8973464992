//! Integrators' webhooks (issue 23) on real processes and a real HTTP
//! receiver: events of every part of the pipeline (router, admin API,
//! sender, DLQ indexer) arrive signed, and the Standard Webhooks reference
//! library (Python, `tools/standardwebhooks.txt`) verifies them; a receiver
//! failing 5 times gets the event once acknowledged with every attempt
//! recorded; one down for a while gets everything afterwards, in order per
//! conversation; a slow endpoint does not delay a fast one; 410 disables;
//! a rotated secret and the old one both sign during the overlap; a
//! recovery resends its window under the same ids after a correct dry run.
//! Every delivered event decodes with the generated client's typed model
//! of its type (the spec's `webhooks`) and loses nothing in doing so.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "support/client.rs"]
mod client;
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::Data;
use poem::{EndpointExt, IntoResponse, Route, handler};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, Stack, StackOptions, TestDb, eventually};
use wharf::config::Config;

/// Quick retries and quick pick-up of new endpoints.
fn quick(config: &mut Config) {
    let hooks = &mut config.sender.webhooks;
    hooks.backoff_base_ms = 50;
    hooks.backoff_max_ms = 300;
    hooks.refresh_ms = 200;
    hooks.publish_interval_ms = 50;
    hooks.timeout_ms = 5_000;
    config.sender.max_attempts = 2;
    config.sender.backoff_base_ms = 20;
    config.sender.backoff_max_ms = 50;
}

async fn stack() -> Stack {
    support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick,
            ..StackOptions::default()
        },
    )
    .await
}

/// How the receiver answers.
#[derive(Debug, Clone, Default)]
struct Script {
    /// Requests answered 500 first.
    fail_first: usize,
    /// Every request answered 503 while set.
    down: bool,
    /// The status of an accepted request (200 when unset).
    status: Option<u16>,
    /// Milliseconds before answering.
    delay_ms: u64,
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    headers: HashMap<String, String>,
    body: Vec<u8>,
    status: u16,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct Inbox {
    script: Script,
    got: Vec<Got>,
}

/// A real HTTP receiver on a free port.
#[derive(Clone)]
struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
}

#[handler]
async fn receive(
    req: &poem::Request,
    body: Vec<u8>,
    inbox: Data<&Arc<Mutex<Inbox>>>,
) -> poem::Response {
    let (status, delay) = {
        let inbox = inbox.lock().unwrap();
        let n = inbox.got.len();
        let s = &inbox.script;
        let status = if s.down {
            503
        } else if n < s.fail_first {
            500
        } else {
            s.status.unwrap_or(200)
        };
        (status, s.delay_ms)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    inbox.lock().unwrap().got.push(Got {
        headers,
        body,
        status,
    });
    let status = StatusCode::from_u16(status).unwrap();
    format!("answered {}", status.as_u16())
        .with_status(status)
        .into_response()
}

impl Receiver {
    async fn start(script: Script) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Mutex::new(Inbox {
            script,
            got: Vec::new(),
        }));
        let app = Route::new()
            .at("/hook", poem::post(receive))
            .data(Arc::clone(&inbox));
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
        tokio::spawn(async move { poem::Server::new_with_acceptor(acceptor).run(app).await });
        Self {
            url: format!("http://{addr}/hook"),
            inbox,
        }
    }

    fn got(&self) -> Vec<Got> {
        self.inbox.lock().unwrap().got.clone()
    }

    /// The events answered 2xx, in the order they were.
    fn delivered(&self) -> Vec<Value> {
        self.got()
            .iter()
            .filter(|g| (200..300).contains(&g.status))
            .map(Got::json)
            .collect()
    }

    fn set(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.inbox.lock().unwrap().script);
    }
}

fn admin(stack: &Stack) -> wharf_client::Client {
    client::client_with(&stack.admin_url, ADMIN_TOKEN)
}

/// Creates an endpoint for `receiver`; its id and secret.
async fn endpoint(stack: &Stack, receiver: &Receiver, extra: Value) -> (i64, String) {
    let mut body = json!({"url": receiver.url, "description": "test receiver"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let created = admin(stack)
        .create_webhook(&client::body(body))
        .await
        .unwrap()
        .into_inner();
    assert!(created.secret.starts_with("whsec_"));
    (created.webhook.id, created.secret)
}

/// Checks `got` with the Standard Webhooks reference library, with `secret`.
fn verify(secret: &str, got: &[Got]) -> Vec<String> {
    use base64::Engine;
    use std::io::Write;
    let repo = env!("CARGO_MANIFEST_DIR");
    let lib = format!("{repo}/.tools/standardwebhooks");
    assert!(
        std::path::Path::new(&lib).is_dir(),
        "the verifier is missing: run scripts/ensure-verifier.sh (make deps does)"
    );
    let mut child = std::process::Command::new("python3")
        .arg(format!("{repo}/tests/support/verify_webhooks.py"))
        .env("PYTHONPATH", lib)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    for g in got {
        let line = json!({
            "secret": secret,
            "body_b64": base64::engine::general_purpose::STANDARD.encode(&g.body),
            "headers": g.headers,
        });
        writeln!(input, "{line}").unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// `event` decoded with the generated client's typed model of its type
/// (`wharf_client::types`, from the spec's `webhooks`) and written back:
/// equal to what was delivered (see [`normal`]) when the model has every
/// delivered field under its name and the body every field the model
/// requires. Panics for a type without a model.
fn typed(event: &Value) -> Value {
    use wharf_client::types as t;
    fn back<T: serde::de::DeserializeOwned + serde::Serialize>(event: &Value) -> Value {
        let model: T =
            serde_json::from_value(event.clone()).unwrap_or_else(|err| panic!("{err}: {event}"));
        serde_json::to_value(model).unwrap()
    }
    let kind = event["type"].as_str().unwrap();
    match kind {
        "message.received" => back::<t::WebhookEventMessageReceived>(event),
        "message.sent" | "message.status" => back::<t::WebhookEventMessageStatus>(event),
        "contact.updated" => back::<t::WebhookEventContactUpdated>(event),
        "dead_letter.created" => back::<t::WebhookEventDeadLetterCreated>(event),
        "number.status" => back::<t::WebhookEventNumberStatus>(event),
        "alert.firing" | "alert.resolved" => back::<t::WebhookEventAlertEvent>(event),
        _ if kind.starts_with("conversation.") => back::<t::WebhookEventConversationEvent>(event),
        _ => panic!("no typed model for {kind}: {event}"),
    }
}

/// `value` without its nulls (a model writes an absent optional field as
/// nothing) and with its times in one notation (`Z` or `+00:00`).
fn normal(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), normal(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normal).collect()),
        Value::String(text) => chrono::DateTime::parse_from_rfc3339(text).map_or_else(
            |_| value.clone(),
            |at| json!(at.with_timezone(&chrono::Utc)),
        ),
        _ => value.clone(),
    }
}

/// Every event of `events` is what its typed model describes.
fn assert_typed(events: &[Value]) {
    for event in events {
        assert_eq!(normal(&typed(event)), normal(event), "{}", event["type"]);
    }
}

async fn version_of(stack: &Stack, conversation: i64) -> i64 {
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{conversation}"))
        .await;
    detail["conversation"]["version"].as_i64().unwrap()
}

/// A customer's text message (a new wamid each).
async fn customer_says(stack: &Stack, from: &str, wamid: &str, text: &str) {
    let now = chrono::Utc::now().timestamp();
    let body = support::meta_text(support::PHONE_NUMBER_ID, from, "Ines", wamid, text, now);
    assert_eq!(
        stack
            .post_meta("eu", &body, support::APP_SECRET)
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_part_of_the_pipeline_sends_signed_events_the_reference_library_verifies() {
    use admin::alerts::{AlertSettings, Rule, RuleKind};
    // New dead letters fire an alert (and it resolves 3 s later).
    let letters = Rule {
        name: "dead-letters".into(),
        kind: RuleKind::DlqInflow,
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
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick,
            alerts: Some(AlertSettings {
                enabled: true,
                interval_ms: 200,
                edge_metrics_urls: Vec::new(),
                sinks: Vec::new(),
                rules: vec![letters],
            }),
            ..StackOptions::default()
        },
    )
    .await;
    let receiver = Receiver::start(Script::default()).await;
    let (hook, secret) = endpoint(&stack, &receiver, json!({"ordered": true})).await;

    // The router: a new conversation and its message.
    let conversation = support::open_conversation(&stack, "4915100000401", "wamid.WH1").await;
    // The sender and the provider's statuses: a reply sent, delivered, read.
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"text": "On it"}),
        )
        .await;
    assert_eq!(status, 202);
    // The admin API: resolved, reopened.
    let version = version_of(&stack, conversation).await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/resolve"),
            json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200);
    let version = version_of(&stack, conversation).await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reopen"),
            json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200);
    // Transferred to a team's queue.
    let (status, team) = stack
        .admin_post(
            "/api/v1/teams",
            json!({"name": "Billing", "strategy": "round_robin"}),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    let version = version_of(&stack, conversation).await;
    let (status, moved) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/transfer"),
            json!({"version": version, "team_id": team["id"]}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    // A contact changed in the API.
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{conversation}"))
        .await;
    let contact = detail["conversation"]["contact"]["id"]
        .as_i64()
        .or_else(|| detail["conversation"]["contact_id"].as_i64())
        .expect("the conversation's contact");
    let response = stack
        .http
        .patch(format!("{}/api/v1/contacts/{contact}", stack.admin_url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"tier": "vip"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Meta's quality update of the number (a `phone_number_quality_update`
    // change of its business account): number.status.
    let quality = json!({"object": "whatsapp_business_account", "entry": [{
        "id": "102290129340398", "time": chrono::Utc::now().timestamp(),
        "changes": [{"field": "phone_number_quality_update", "value": {
            "display_phone_number": "15550001065", "event": "FLAGGED",
            "current_limit": "TIER_1K"}}]}]})
    .to_string()
    .into_bytes();
    assert_eq!(
        stack
            .post_meta("eu", &quality, support::APP_SECRET)
            .await
            .status(),
        200
    );
    // A reply the provider refuses for good: failed, then a dead letter.
    let lost = support::open_conversation(&stack, "4915100131026", "wamid.WH2").await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{lost}/reply"),
            json!({"text": "Hello?"}),
        )
        .await;
    assert_eq!(status, 202);

    let wanted = [
        "conversation.created",
        "message.received",
        "message.sent",
        "message.status",
        "conversation.resolved",
        "conversation.reopened",
        "conversation.transferred",
        "contact.updated",
        "number.status",
        "dead_letter.created",
        "alert.firing",
        "alert.resolved",
    ];
    let events = eventually(Duration::from_secs(60), "every kind of event", || async {
        let events = receiver.delivered();
        let seen = types(&events);
        wanted
            .iter()
            .all(|w| seen.iter().any(|s| s == w))
            .then_some(events)
    })
    .await;

    // Each verifies with the reference library, with our secret only.
    let got = receiver.got();
    let verdicts = verify(&secret, &got);
    assert_eq!(verdicts.len(), got.len());
    assert!(verdicts.iter().all(|v| v == "ok"), "{verdicts:?}");
    let wrong = verify(&relay::hooks::sign::new_secret(), &got[..1]);
    assert!(wrong[0].starts_with("fail"), "{wrong:?}");

    // Stable shapes, as the spec describes them: every event of every
    // type decodes with its typed model and loses nothing.
    assert_typed(&events);
    let received = events
        .iter()
        .find(|e| e["type"] == "message.received")
        .unwrap();
    let received: wharf_client::types::WebhookEventMessageReceived =
        serde_json::from_value(received.clone()).unwrap();
    assert!(received.id.starts_with("evt_"));
    assert_eq!(received.version, 1);
    assert_eq!(received.data.message.provider_message_id, "wamid.WH1");
    assert_eq!(received.data.message.text.as_deref(), Some("I need help"));
    assert_eq!(received.data.contact.wa_id, "4915100000401");
    assert_eq!(received.data.conversation.id, conversation);
    let statuses: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "message.status" && e["data"]["conversation_id"] == lost)
        .map(|e| e["data"]["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"failed"), "{statuses:?}");
    let number = events
        .iter()
        .find(|e| e["type"] == "number.status")
        .unwrap();
    assert_eq!(
        number["data"]["update"]["field"], "phone_number_quality_update",
        "{number}"
    );
    assert_eq!(number["data"]["update"]["value"]["event"], "FLAGGED");
    // In order per conversation: ids rise as they arrive.
    let ids: Vec<i64> = events
        .iter()
        .filter(|e| {
            e["data"]["conversation"]["id"] == conversation
                || e["data"]["conversation_id"] == conversation
        })
        .map(|e| e["id"].as_str().unwrap()[4..].parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    // Every attempt is recorded, and the message's timeline shows its own.
    let attempts = admin(&stack)
        .list_webhook_attempts(hook, None, None, std::num::NonZeroU64::new(500))
        .await
        .unwrap()
        .into_inner();
    assert!(attempts.len() >= events.len());
    assert!(attempts.iter().all(|a| a.outcome == "delivered"));
    let message_id = received.data.message.id;
    let (_, lifecycle) = stack
        .admin_get(&format!("/api/v1/messages/{message_id}/lifecycle"))
        .await;
    assert!(
        support::stages(&lifecycle).contains(&"webhook_delivered".to_owned()),
        "{lifecycle}"
    );
    let catalog = admin(&stack)
        .list_webhook_event_types()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(catalog.version, 1);
    for w in wanted {
        assert!(
            catalog.types.iter().any(|t| t.name == w),
            "{w} not in the catalog"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_failing_five_times_gets_the_event_once_and_every_attempt_is_recorded() {
    let stack = stack().await;
    let receiver = Receiver::start(Script {
        fail_first: 5,
        ..Script::default()
    })
    .await;
    let (hook, _) = endpoint(
        &stack,
        &receiver,
        json!({"event_types": ["message.received"]}),
    )
    .await;
    customer_says(&stack, "4915100000402", "wamid.WH3", "Where is it?").await;
    let delivered = eventually(Duration::from_secs(40), "the event delivered", || async {
        let d = receiver.delivered();
        (!d.is_empty()).then_some(d)
    })
    .await;
    // Nothing more follows a delivery.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let got = receiver.got();
    assert_eq!(got.len(), 6, "five failures and one delivery");
    assert_eq!(receiver.delivered().len(), 1);
    let id = delivered[0]["id"].as_str().unwrap();
    assert!(
        got.iter().all(|g| g.headers["webhook-id"] == id),
        "one id for every attempt"
    );
    let attempts = admin(&stack)
        .list_webhook_attempts(hook, None, Some(id), None)
        .await
        .unwrap()
        .into_inner();
    let mut outcomes: Vec<(i32, Option<i32>, String)> = attempts
        .iter()
        .map(|a| (a.attempt, a.status_code, a.outcome.clone()))
        .collect();
    outcomes.sort();
    assert_eq!(outcomes.len(), 6, "{outcomes:?}");
    for (i, (attempt, status, outcome)) in outcomes.iter().enumerate() {
        assert_eq!(*attempt, i as i32 + 1);
        if i < 5 {
            assert_eq!((*status, outcome.as_str()), (Some(500), "retrying"));
        } else {
            assert_eq!((*status, outcome.as_str()), (Some(200), "delivered"));
        }
    }
    assert!(
        attempts
            .iter()
            .any(|a| a.response_prefix.as_deref() == Some("answered 500")),
        "the receiver's answer is kept"
    );
    // A failure after a success is not "failing since" any more.
    let webhook = admin(&stack).get_webhook(hook).await.unwrap().into_inner();
    assert!(webhook.failing_since.is_none() && webhook.enabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receiver_down_for_a_while_gets_everything_in_order_per_conversation() {
    let stack = stack().await;
    let receiver = Receiver::start(Script {
        down: true,
        ..Script::default()
    })
    .await;
    endpoint(
        &stack,
        &receiver,
        json!({"event_types": ["message.received"], "ordered": true}),
    )
    .await;
    for i in 0..3 {
        customer_says(
            &stack,
            "4915100000403",
            &format!("wamid.WHA{i}"),
            &format!("a{i}"),
        )
        .await;
        customer_says(
            &stack,
            "4915100000404",
            &format!("wamid.WHB{i}"),
            &format!("b{i}"),
        )
        .await;
    }
    eventually(Duration::from_secs(30), "refused attempts", || async {
        (receiver.got().len() >= 3).then_some(())
    })
    .await;
    receiver.set(|s| s.down = false);
    let delivered = eventually(Duration::from_secs(40), "all six delivered", || async {
        let d = receiver.delivered();
        (d.len() >= 6).then_some(d)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.delivered().len(), 6, "each once");
    for (who, texts) in [
        ("4915100000403", ["a0", "a1", "a2"]),
        ("4915100000404", ["b0", "b1", "b2"]),
    ] {
        let order: Vec<&str> = delivered
            .iter()
            .filter(|e| e["data"]["contact"]["wa_id"] == who)
            .map(|e| e["data"]["message"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(order, texts, "in order for {who}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_endpoint_does_not_delay_a_fast_one_and_410_disables() {
    // The default rule: an endpoint Wharf disabled fires an alert.
    let defaults = Config::load(None).unwrap().alerts;
    let rule = defaults
        .rules
        .iter()
        .find(|r| r.kind == admin::alerts::RuleKind::WebhooksDisabled)
        .cloned()
        .expect("a default webhooks_disabled rule");
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick,
            alerts: Some(admin::alerts::AlertSettings {
                enabled: true,
                interval_ms: 200,
                edge_metrics_urls: Vec::new(),
                sinks: Vec::new(),
                rules: vec![rule],
            }),
            ..StackOptions::default()
        },
    )
    .await;
    let slow = Receiver::start(Script {
        delay_ms: 2_000,
        ..Script::default()
    })
    .await;
    let fast = Receiver::start(Script::default()).await;
    let gone = Receiver::start(Script {
        status: Some(410),
        ..Script::default()
    })
    .await;
    let only_messages = json!({"event_types": ["message.received"], "ordered": true});
    endpoint(&stack, &slow, only_messages.clone()).await;
    endpoint(&stack, &fast, only_messages.clone()).await;
    let (gone_id, _) = endpoint(&stack, &gone, only_messages).await;
    for i in 0..3 {
        customer_says(
            &stack,
            "4915100000405",
            &format!("wamid.WHS{i}"),
            &format!("s{i}"),
        )
        .await;
    }
    eventually(
        Duration::from_secs(20),
        "the fast endpoint has all",
        || async { (fast.delivered().len() == 3).then_some(()) },
    )
    .await;
    assert!(
        slow.got().len() < 3,
        "the slow one is still at its first events when the fast one has all"
    );
    eventually(
        Duration::from_secs(30),
        "the slow one has all too",
        || async { (slow.delivered().len() == 3).then_some(()) },
    )
    .await;
    let disabled = eventually(Duration::from_secs(20), "410 disables", || async {
        let w = admin(&stack).get_webhook(gone_id).await.ok()?.into_inner();
        (!w.enabled).then_some(w)
    })
    .await;
    assert_eq!(disabled.disabled_reason.as_deref(), Some("gone"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(gone.got().len(), 1, "nothing more after the 410");

    // The alert fires for that endpoint alone, naming its origin only, and
    // resolves once an admin enables it again.
    let firing = |listed: &Value| -> Vec<Value> {
        listed["firing"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["kind"] == "webhooks_disabled")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let fired = eventually(Duration::from_secs(20), "the disabled alert", || async {
        let (_, listed) = stack.admin_get("/api/v1/alerts").await;
        let fired = firing(&listed);
        (!fired.is_empty()).then_some(fired)
    })
    .await;
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!(fired[0]["instance"], gone_id.to_string());
    let summary = fired[0]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("gone") && !summary.contains("/hook"),
        "{summary}"
    );
    // The receiver is fixed, then enabled: the events it had not taken
    // (the two after the 410) arrive, and the alert resolves. Enabled while
    // still answering 410, the next event would disable it again.
    gone.set(|s| s.status = None);
    admin(&stack)
        .update_webhook(gone_id, &client::body(json!({"enabled": true})))
        .await
        .unwrap();
    eventually(Duration::from_secs(20), "the alert resolved", || async {
        let (_, listed) = stack.admin_get("/api/v1/alerts").await;
        firing(&listed).is_empty().then_some(())
    })
    .await;
    eventually(
        Duration::from_secs(20),
        "the events held while disabled",
        || async { (gone.delivered().len() == 2).then_some(()) },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotated_secret_and_the_old_one_both_sign_and_a_recovery_resends_its_window() {
    let stack = stack().await;
    let receiver = Receiver::start(Script::default()).await;
    let (hook, old) = endpoint(
        &stack,
        &receiver,
        json!({"event_types": ["message.received"]}),
    )
    .await;
    let since = chrono::Utc::now();
    customer_says(&stack, "4915100000406", "wamid.WHR1", "first").await;
    eventually(Duration::from_secs(20), "the first event", || async {
        (receiver.delivered().len() == 1).then_some(())
    })
    .await;
    let rotated = admin(&stack)
        .rotate_webhook_secret(hook, &client::body(json!({"overlap_hours": 1})))
        .await
        .unwrap()
        .into_inner();
    assert_ne!(rotated.secret, old);
    // The worker restarts with both secrets (it re-reads every 200 ms).
    tokio::time::sleep(Duration::from_millis(600)).await;
    customer_says(&stack, "4915100000406", "wamid.WHR2", "second").await;
    eventually(Duration::from_secs(20), "the second event", || async {
        (receiver.delivered().len() == 2).then_some(())
    })
    .await;
    let second = receiver.got().last().cloned().unwrap();
    assert_eq!(second.headers["webhook-signature"].split(' ').count(), 2);
    assert_eq!(verify(&old, std::slice::from_ref(&second)), ["ok"]);
    assert_eq!(
        verify(&rotated.secret, std::slice::from_ref(&second)),
        ["ok"]
    );
    // The first was signed before the rotation: only the old secret.
    let first = receiver.got()[0].clone();
    assert_eq!(
        verify(&rotated.secret, std::slice::from_ref(&first))[0][..4],
        *"fail"
    );

    let api = admin(&stack);
    let dry = api
        .recover_webhook_events(
            hook,
            &client::body(json!({"since": since, "dry_run": true})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!((dry.events, dry.dry_run), (2, true));
    assert_eq!(receiver.got().len(), 2, "a dry run sends nothing");
    let ids: Vec<String> = receiver
        .delivered()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let done = api
        .recover_webhook_events(hook, &client::body(json!({"since": since})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.events, 2);
    let again = eventually(Duration::from_secs(20), "the window again", || async {
        let d = receiver.delivered();
        (d.len() == 4).then_some(d)
    })
    .await;
    let resent: Vec<&str> = again[2..]
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(resent, ids, "the same ids, in order");
    // One event alone, by id.
    api.resend_webhook_event(hook, &client::body(json!({"event_id": ids[0]})))
        .await
        .unwrap();
    eventually(Duration::from_secs(20), "the resend", || async {
        (receiver.delivered().len() == 5).then_some(())
    })
    .await;
    // Refusals: an unknown type, a plain-http URL off loopback.
    client::refused(
        api.create_webhook(&client::body(
            json!({"url": "https://example.com/h", "event_types": ["message.exploded"]}),
        ))
        .await,
        422,
        "invalid_field",
    );
    client::refused(
        api.create_webhook(&client::body(json!({"url": "http://example.com/h"})))
            .await,
        422,
        "invalid_field",
    );
    // Lists show the origin, never the URL.
    let list = api.list_webhooks().await.unwrap().into_inner();
    assert_eq!(list.len(), 1);
    assert!(!format!("{list:?}").contains("/hook"), "{list:?}");
    // History older than the stream's 7 days (outbox) and 30 days
    // (attempts) is pruned; the rest stays.
    use sea_orm::{ActiveModelTrait, PaginatorTrait, Set};
    let long_ago = chrono::Utc::now() - chrono::Duration::days(40);
    entities::webhook_outbox::ActiveModel {
        event_type: Set("message.received".into()),
        payload: Set(json!({})),
        created_at: Set(long_ago),
        published_at: Set(Some(long_ago)),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
    entities::webhook_attempt::ActiveModel {
        endpoint_id: Set(hook),
        event_id: Set("evt_0".into()),
        event_type: Set("message.received".into()),
        attempt: Set(1),
        at: Set(long_ago),
        latency_ms: Set(1),
        outcome: Set("delivered".into()),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
    let outbox_before = entities::webhook_outbox::Entity::find()
        .count(&stack.database)
        .await
        .unwrap();
    let attempts_before = entities::webhook_attempt::Entity::find()
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(
        relay::hooks::deliver::prune(&stack.database).await.unwrap(),
        2
    );
    assert_eq!(
        entities::webhook_outbox::Entity::find()
            .count(&stack.database)
            .await
            .unwrap(),
        outbox_before - 1
    );
    assert_eq!(
        entities::webhook_attempt::Entity::find()
            .count(&stack.database)
            .await
            .unwrap(),
        attempts_before - 1
    );
    api.update_webhook(hook, &client::body(json!({"enabled": false})))
        .await
        .unwrap();
    api.delete_webhook(hook).await.unwrap();
    assert!(api.list_webhooks().await.unwrap().into_inner().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_bot_answers_then_hands_off_and_an_unreachable_one_is_handed_off_after_its_timeout()
 {
    let stack = stack().await;
    let api = admin(&stack);
    let bot = Receiver::start(Script::default()).await;
    endpoint(
        &stack,
        &bot,
        json!({"event_types": ["message.received", "conversation.handed_over"]}),
    )
    .await;
    let (status, team) = stack
        .admin_post(
            "/api/v1/teams",
            json!({"name": "Humans", "strategy": "manual"}),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    let team = team["id"].as_i64().unwrap();
    // Every conversation goes to the bot first; unanswered for 5 s, to people.
    let (status, rule) = stack
        .admin_post(
            "/api/v1/rules",
            json!({"name": "bot first", "action": {"type": "bot", "bot": {
                "webhook": true, "handover_team_id": team, "handover_after_secs": 5}}}),
        )
        .await;
    assert_eq!(status, 201, "{rule}");

    customer_says(&stack, "4915100000407", "wamid.WHBOT1", "Hi, my order?").await;
    let event = eventually(
        Duration::from_secs(20),
        "the bot hears the customer",
        || async {
            bot.delivered()
                .into_iter()
                .find(|e| e["type"] == "message.received")
        },
    )
    .await;
    assert_eq!(event["data"]["conversation"]["status"], "bot");
    let conversation = event["data"]["conversation"]["id"].as_i64().unwrap();
    // The bot answers through the API, then hands over with a reason.
    let (status, reply) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"text": "I am the bot: let me find a person."}),
        )
        .await;
    assert_eq!(status, 202, "{reply}");
    let handed = api
        .handoff_conversation(
            conversation,
            &client::body(json!({"reason": "customer asked about an order"})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(handed.status, "queued");
    assert_eq!(handed.team_id, Some(team));
    eventually(Duration::from_secs(20), "the hand-over event", || async {
        bot.delivered()
            .iter()
            .any(|e| {
                e["type"] == "conversation.handed_over"
                    && e["data"]["conversation"]["id"] == conversation
            })
            .then_some(())
    })
    .await;
    assert_typed(&bot.delivered());
    // Once with people, a second handoff is refused.
    client::refused(
        api.handoff_conversation(conversation, &client::body(json!({"reason": "again"})))
            .await,
        422,
        "invalid_state",
    );
    let audit = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("conversation.handoff"))
        .all(&stack.database)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail["reason"], "customer asked about an order");

    // The bot goes down: the next customer is not left waiting.
    bot.set(|s| s.down = true);
    customer_says(&stack, "4915100000408", "wamid.WHBOT2", "Anyone there?").await;
    let waiting = eventually(
        Duration::from_secs(20),
        "the second conversation",
        || async {
            entities::conversation::Entity::find()
                .filter(entities::conversation::Column::Status.eq("bot"))
                .one(&stack.database)
                .await
                .ok()?
        },
    )
    .await;
    let handed = eventually(Duration::from_secs(30), "the timeout hand-over", || async {
        let row = entities::conversation::Entity::find_by_id(waiting.id)
            .one(&stack.database)
            .await
            .ok()??;
        (row.status == "queued").then_some(row)
    })
    .await;
    assert_eq!(handed.team_id, Some(team));
    // The clock runs from the customer's message (the provider's timestamp,
    // whole seconds), not from when the router happened to store the row.
    let since = handed
        .waiting_since
        .expect("the customer still waits for a person");
    let waited = chrono::Utc::now() - since;
    assert!(
        waited.num_seconds() >= 5,
        "handed over only after the timeout ({waited})"
    );
}
