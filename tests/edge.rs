//! The edge relay on real processes: every provider format reaches INBOUND
//! once, every refusal stores nothing, and a region keeps accepting while
//! the hub is down (but never answers 200 when its own leaf is down).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use support::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn post_wasender(stack: &Stack, region: &str, body: &str, secret: &str) -> reqwest::Response {
    stack.post_wasender(region, body, secret).await
}

/// Messages stored in a region's edge stream (read from its leaf).
async fn edge_stream_messages(stack: &Stack, region: &str) -> u64 {
    let leaf = stack
        .nats
        .leaves
        .iter()
        .find(|l| l.region == region)
        .unwrap();
    let client = leaf.process.connect().await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut stream = js
        .get_stream(relay::topology::edge_stream(region))
        .await
        .unwrap();
    stream.info().await.unwrap().state.messages
}

async fn inbound_messages(stack: &Stack) -> Option<u64> {
    let js = stack.nats.hub_js().await;
    let mut stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
    Some(stream.info().await.ok()?.state.messages)
}

async fn only_conversation(stack: &Stack) -> serde_json::Value {
    let (status, page) = stack.admin_get("/api/v1/conversations").await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let id = items[0]["id"].as_i64().unwrap();
    stack
        .admin_get(&format!("/api/v1/conversations/{id}"))
        .await
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_meta_message_type_and_status_reaches_inbound_and_the_timeline() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body =
        fixture("meta_every_type.json").replace("\"1065\"", &format!("\"{PHONE_NUMBER_ID}\""));
    let response = stack.post_meta("eu", body.as_bytes(), APP_SECRET).await;
    assert_eq!(response.status(), 200);
    let accepted: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        accepted["stored"], 15,
        "13 messages and 2 statuses, none dropped"
    );

    stack.wait_routed(15).await;
    assert_eq!(inbound_messages(&stack).await, Some(15));
    let detail = only_conversation(&stack).await;
    let kinds: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "text",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "interactive",
        "button",
        "reaction",
        "unsupported",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert_eq!(kinds.len(), 13);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wasender_object_and_array_forms_are_stored_and_our_echoes_are_not() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let received = post_wasender(
        &stack,
        "eu",
        &fixture("wasender_received.json"),
        WASENDER_SECRET,
    )
    .await;
    assert_eq!(received.status(), 200);
    let received: serde_json::Value = received.json().await.unwrap();
    assert_eq!(
        (received["stored"].as_u64(), received["echoes"].as_u64()),
        (Some(1), Some(0))
    );

    let upsert = post_wasender(
        &stack,
        "eu",
        &fixture("wasender_upsert.json"),
        WASENDER_SECRET,
    )
    .await;
    let upsert: serde_json::Value = upsert.json().await.unwrap();
    assert_eq!(
        (upsert["stored"].as_u64(), upsert["echoes"].as_u64()),
        (Some(2), Some(1))
    );

    for name in ["wasender_update.json", "wasender_session.json"] {
        let response = post_wasender(&stack, "us", &fixture(name), WASENDER_SECRET).await;
        assert_eq!(response.status(), 200, "{name}");
    }
    // A provider retry of the same delivery is absorbed by the message ids.
    let retry = post_wasender(
        &stack,
        "us",
        &fixture("wasender_received.json"),
        WASENDER_SECRET,
    )
    .await;
    assert_eq!(retry.status(), 200);

    stack.wait_routed(5).await;
    assert_eq!(
        inbound_messages(&stack).await,
        Some(5),
        "3 messages, 1 status, 1 session event"
    );
    let detail = only_conversation(&stack).await;
    assert_eq!(detail["conversation"]["business_number"], WASENDER_SESSION);
    assert_eq!(detail["conversation"]["contact"]["wa_id"], "4915188880001");
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        bodies,
        ["Is my package lost?", "photo of the box", "thank you!"]
    );
    assert!(
        detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["provider"] == "wasender")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_refusal_answers_its_status_and_publishes_nothing() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let good = fixture("wasender_received.json");
    let cases: Vec<(&str, String, &str, u16)> = vec![
        ("wrong secret", good.clone(), "not-the-secret", 401),
        ("empty secret", good.clone(), "", 401),
        (
            "broken JSON",
            "{\"event\": \"messages.rec".into(),
            WASENDER_SECRET,
            400,
        ),
    ];
    for (what, body, secret, status) in cases {
        let response = post_wasender(&stack, "eu", &body, secret).await;
        assert_eq!(response.status().as_u16(), status, "{what}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert!(error["code"].is_string(), "{what}: {error}");
        assert!(
            !error.to_string().contains(WASENDER_SECRET),
            "{what} leaks the secret"
        );
    }
    // Too large: refused from its Content-Length, before the body is read;
    // the client sees the 413 or, when it is still writing as the edge
    // closes, a broken connection. Either way nothing is stored (below).
    let large = stack
        .http
        .post(format!("{}/webhooks/wasender", stack.edge_url("eu")))
        .header("content-type", "application/json")
        .header("x-webhook-signature", WASENDER_SECRET)
        .body(" ".repeat(stack.config.edge.max_body_bytes + 10))
        .send()
        .await;
    match large {
        Ok(response) => {
            assert_eq!(response.status().as_u16(), 413, "too large");
            let error: serde_json::Value = response.json().await.unwrap();
            assert_eq!(error["code"], "body_too_large");
        }
        Err(err) => assert!(err.is_request(), "too large: {err}"),
    }
    // A Meta delivery signed for a Meta number is not accepted as WasenderApi.
    let meta = meta_text(
        PHONE_NUMBER_ID,
        "4915100000077",
        "X",
        "wamid.X",
        "x",
        1_764_300_000,
    );
    assert_eq!(
        post_wasender(
            &stack,
            "eu",
            std::str::from_utf8(&meta).unwrap(),
            APP_SECRET
        )
        .await
        .status(),
        401
    );
    assert_eq!(
        edge_stream_messages(&stack, "eu").await,
        0,
        "nothing refused was stored"
    );
    // Issue 27: what is signed is never refused. An event this build does
    // not know and a message it cannot read are stored raw (unparsed).
    let parked = [
        good.replace("messages.received", "calls.offer"),
        good.replace("\"id\": \"3EB0C431C26A1916E07E\",", ""),
    ];
    for body in &parked {
        let response = post_wasender(&stack, "eu", body, WASENDER_SECRET).await;
        assert_eq!(response.status().as_u16(), 200, "{body}");
        let accepted: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            (accepted["stored"].as_u64(), accepted["unparsed"].as_u64()),
            (Some(1), Some(1)),
            "{accepted}"
        );
    }
    assert_eq!(edge_stream_messages(&stack, "eu").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_the_hub_down_regions_keep_accepting_and_inbound_gets_everything_once() {
    let mut stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    for node in &mut stack.nats.hub.nodes {
        node.kill();
    }
    let mut bodies = Vec::new();
    for n in 0..10 {
        let body = meta_text(
            PHONE_NUMBER_ID,
            &format!("49151777{n:04}"),
            "Hub",
            &format!("wamid.HUBDOWN{n}"),
            "hub is down",
            1_764_300_000 + n,
        );
        assert_eq!(
            stack.post_meta("eu", &body, APP_SECRET).await.status(),
            200,
            "eu accepts while the hub is down"
        );
        bodies.push(body);
    }
    // The same messages reach the other region too (a provider retry landing elsewhere).
    for body in &bodies[..5] {
        assert_eq!(
            stack.post_meta("us", body, APP_SECRET).await.status(),
            200,
            "us accepts while the hub is down"
        );
    }
    assert_eq!(edge_stream_messages(&stack, "eu").await, 10);
    assert_eq!(edge_stream_messages(&stack, "us").await, 5);

    for node in &mut stack.nats.hub.nodes {
        node.start().unwrap();
    }
    stack
        .nats
        .hub
        .wait_ready(Duration::from_secs(30))
        .await
        .unwrap();
    eventually(
        Duration::from_secs(40),
        "INBOUND to catch up from both regions",
        || async { (inbound_messages(&stack).await? == 10).then_some(()) },
    )
    .await;
    stack.wait_router_idle().await;
    assert_eq!(
        inbound_messages(&stack).await,
        Some(10),
        "each event exactly once"
    );
    let (_, page) = stack.admin_get("/api/v1/conversations?limit=50").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readyz_follows_the_regions_leaf_while_healthz_stays_alive() {
    let mut stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let url = stack.edge_url("eu");
    assert_eq!(
        stack
            .http
            .get(format!("{url}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    stack.nats.leaf("eu").process.kill();
    eventually(Duration::from_secs(10), "readyz to turn 503", || async {
        let status = stack
            .http
            .get(format!("{url}/readyz"))
            .send()
            .await
            .ok()?
            .status();
        (status == 503).then_some(())
    })
    .await;
    assert_eq!(
        stack
            .http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000078",
        "Y",
        "wamid.Y",
        "y",
        1_764_300_000,
    );
    assert_eq!(
        stack.post_meta("eu", &body, APP_SECRET).await.status(),
        503,
        "never 200 without the leaf"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_count_deliveries_refusals_and_ack_latency_without_ids() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000079",
        "Z",
        "wamid.M1",
        "z",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    assert_eq!(stack.post_meta("eu", &body, "wrong").await.status(), 401);
    let text = stack
        .http
        .get(format!("{}/metrics", stack.edge_url("eu")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |line_start: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(line_start))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{line_start} missing in\n{text}"))
    };
    assert_eq!(
        value("wharf_edge_webhooks_received_total{provider=\"meta\"}"),
        3.0
    );
    assert_eq!(
        value("wharf_edge_webhooks_accepted_total{provider=\"meta\"}"),
        2.0
    );
    assert_eq!(
        value("wharf_edge_events_duplicate_total{provider=\"meta\"}"),
        1.0
    );
    assert_eq!(
        value("wharf_edge_webhooks_rejected_total{provider=\"meta\",reason=\"bad_signature\"}"),
        1.0
    );
    assert_eq!(
        value("wharf_edge_ack_seconds_count{provider=\"meta\"}"),
        2.0
    );
    assert!(text.contains("wharf_build_info"));
    assert!(
        !text.contains(PHONE_NUMBER_ID) && !text.contains("wamid.M1"),
        "no ids as labels"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_added_and_rotated_on_the_admin_side_reach_every_edge_and_survive_the_hub_going_away()
 {
    let mut stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let number = "300000000000003";
    let body = meta_text(
        number,
        "4915100000093",
        "New",
        "wamid.N1",
        "hello new inbox",
        1_764_300_000,
    );
    assert_eq!(
        stack.post_meta("eu", &body, "first-secret").await.status(),
        401,
        "unknown before it is added"
    );

    let (status, created) = stack
        .admin_post(
            "/api/v1/numbers",
            serde_json::json!({"provider": "meta", "phone_number_id": number, "name": "Support DE", "app_secret": "first-secret"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    for region in ["eu", "us"] {
        eventually(
            Duration::from_secs(20),
            "the edge to learn the new number",
            || async {
                (stack
                    .post_meta(region, &body, "first-secret")
                    .await
                    .status()
                    == 200)
                    .then_some(())
            },
        )
        .await;
    }

    let id = created["id"].as_i64().unwrap();
    let patched = stack
        .http
        .patch(format!("{}/api/v1/numbers/{id}", stack.admin_url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"app_secret": "second-secret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    eventually(
        Duration::from_secs(20),
        "the rotated secret to be in force",
        || async {
            let old = stack.post_meta("eu", &body, "first-secret").await.status();
            let new = stack.post_meta("eu", &body, "second-secret").await.status();
            (old == 401 && new == 200).then_some(())
        },
    )
    .await;

    // With the hub gone the edge keeps the numbers it learnt.
    for node in &mut stack.nats.hub.nodes {
        node.kill();
    }
    let later = meta_text(
        number,
        "4915100000093",
        "New",
        "wamid.N2",
        "still here",
        1_764_300_100,
    );
    assert_eq!(
        stack
            .post_meta("eu", &later, "second-secret")
            .await
            .status(),
        200
    );
    assert_eq!(
        stack.post_meta("eu", &later, "first-secret").await.status(),
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn past_its_in_flight_bound_the_edge_answers_503_at_once_instead_of_queueing() {
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| config.edge.max_in_flight = 1,
            ..StackOptions::default()
        },
    )
    .await;
    // A slow client holds the only slot: it sends its headers and part of
    // the body, then nothing (a raw socket, so no client library buffers).
    let address = stack
        .edge_url("eu")
        .trim_start_matches("http://")
        .to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(
        &mut slow,
        format!(
            "POST /webhooks/meta HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
             x-hub-signature-256: sha256=00\r\ncontent-length: 100\r\n\r\n{{\"entry\": ["
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let message = meta_text(
        PHONE_NUMBER_ID,
        "4915100000095",
        "Busy",
        "wamid.B1",
        "busy?",
        1_764_300_000,
    );
    // The edge counts the slot it holds; only then is the bound reached.
    let metrics_url = format!("{}/metrics", stack.edge_url("eu"));
    let held = |text: &str| {
        text.lines()
            .any(|l| l.starts_with("wharf_edge_in_flight{region=\"eu\"} 1"))
    };
    eventually(
        Duration::from_secs(10),
        "the slow delivery to hold the edge's only slot",
        || async {
            let text = stack
                .http
                .get(&metrics_url)
                .send()
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            held(&text).then_some(())
        },
    )
    .await;
    let refused = stack.post_meta("eu", &message, APP_SECRET).await;
    assert_eq!(
        refused.status(),
        503,
        "the bound is reached: refused at once"
    );
    assert!(refused.headers().contains_key("retry-after"));
    let error: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error["code"], "overloaded");

    drop(slow);
    eventually(
        Duration::from_secs(10),
        "the slot to be free again",
        || async {
            (stack.post_meta("eu", &message, APP_SECRET).await.status() == 200).then_some(())
        },
    )
    .await;
    eventually(
        Duration::from_secs(5),
        "no slot held after the answers",
        || async {
            let text = stack
                .http
                .get(&metrics_url)
                .send()
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            text.lines()
                .any(|l| l.starts_with("wharf_edge_in_flight{region=\"eu\"} 0"))
                .then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stored_events_carry_a_traceparent_that_continues_the_callers_trace() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000096",
        "Trace",
        "wamid.TR1",
        "trace me",
        1_764_300_000,
    );
    let response = stack
        .http
        .post(format!("{}/webhooks/meta", stack.edge_url("eu")))
        .header(
            "x-hub-signature-256",
            relay::provider::meta::sign(APP_SECRET, &body),
        )
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let leaf = stack.nats.leaves[0].process.connect().await.unwrap();
    let js = async_nats::jetstream::new(leaf);
    let stream = js
        .get_stream(relay::topology::edge_stream("eu"))
        .await
        .unwrap();
    let stored = stream.get_raw_message(1).await.unwrap();
    let trace = stored.headers.get("traceparent").unwrap().to_string();
    assert_eq!(
        relay::envelope::trace_id(&trace),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_ne!(
        trace, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "a span of its own"
    );
    // The text is stored once (a pointer into the provider's object) and read back.
    let bytes = String::from_utf8(stored.payload.to_vec()).unwrap();
    assert_eq!(bytes.matches("trace me").count(), 1, "{bytes}");
    let event = relay::envelope::InboundEvent::decode(stored.payload.as_ref()).unwrap();
    let relay::envelope::EventBody::Message(message) = event.body else {
        panic!("a message: {bytes}")
    };
    assert_eq!(message.text.as_deref(), Some("trace me"));
}

/// A delivery of `wamids.len()` text messages from one contact.
fn meta_messages(from: &str, wamids: &[String]) -> Vec<u8> {
    let mut body: serde_json::Value = serde_json::from_slice(&meta_text(
        PHONE_NUMBER_ID,
        from,
        "Conc",
        &wamids[0],
        "hello",
        1_764_300_000,
    ))
    .unwrap();
    let messages = body["entry"][0]["changes"][0]["value"]["messages"]
        .as_array_mut()
        .unwrap();
    let template = messages[0].clone();
    for wamid in &wamids[1..] {
        let mut message = template.clone();
        message["id"] = wamid.as_str().into();
        messages.push(message);
    }
    body.to_string().into_bytes()
}

/// Posts every delivery at once; each answer's (stored, duplicates).
async fn post_all_at_once(stack: &Stack, deliveries: Vec<Vec<u8>>) -> Vec<(u64, u64)> {
    let posts = deliveries.into_iter().map(|body| async move {
        let response = stack.post_meta("eu", &body, APP_SECRET).await;
        assert_eq!(response.status(), 200);
        let answer: serde_json::Value = response.json().await.unwrap();
        (
            answer["stored"].as_u64().unwrap(),
            answer["duplicates"].as_u64().unwrap(),
        )
    });
    futures::future::join_all(posts).await
}

/// Concurrent deliveries are each answered with their own events' acks: a
/// delivery holding one new and one already stored message gets
/// {stored 1, duplicates 1} while all-new deliveries published at the same
/// time get {stored 1, 0}.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deliveries_each_get_their_own_events_acks() {
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            regions: vec!["eu"],
            ..StackOptions::default()
        },
    )
    .await;
    let wamid = |kind: &str, i: usize| format!("wamid.CONC.{kind}.{i}");
    let contact = |i: usize| format!("49151{i:08}");
    let first: Vec<Vec<u8>> = (0..100)
        .map(|i| meta_messages(&contact(i), &[wamid("old", i)]))
        .collect();
    let answers = post_all_at_once(&stack, first).await;
    assert!(answers.iter().all(|a| *a == (1, 0)), "{answers:?}");

    // Interleaved: a repeat plus a new message, and deliveries of new ones only.
    let mut mixed = Vec::new();
    for i in 0..100 {
        mixed.push(meta_messages(
            &contact(i),
            &[wamid("old", i), wamid("new", i)],
        ));
        mixed.push(meta_messages(&contact(i), &[wamid("fresh", i)]));
    }
    let answers = post_all_at_once(&stack, mixed).await;
    for (i, answer) in answers.iter().enumerate() {
        let expected = if i % 2 == 0 { (1, 1) } else { (1, 0) };
        assert_eq!(*answer, expected, "delivery {i} of {answers:?}");
    }
    assert_eq!(edge_stream_messages(&stack, "eu").await, 300);
}
