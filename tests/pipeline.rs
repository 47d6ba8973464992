//! End-to-end: signed webhooks through real NATS (3-node hub, leaf per
//! region) and a real database to conversations visible on the admin API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use support::*;

async fn a_signed_webhook_becomes_a_conversation_with_its_message(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let ts = 1_764_300_000;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915112345678",
        "Ana",
        "wamid.E2E1",
        "Where is my order?",
        ts,
    );

    let response = stack.post_meta("eu", &body, APP_SECRET).await;
    assert_eq!(response.status(), 200);
    let accepted: serde_json::Value = response.json().await.unwrap();
    assert_eq!(accepted["stored"], 1);
    assert_eq!(accepted["duplicates"], 0);

    let conversation = eventually(
        Duration::from_secs(20),
        "the conversation on the admin API",
        || async {
            let (status, page) = stack.admin_get("/api/v1/conversations").await;
            assert_eq!(status, 200, "{page}");
            page["items"].as_array()?.first().cloned()
        },
    )
    .await;
    assert_eq!(conversation["contact"]["wa_id"], "4915112345678");
    assert_eq!(conversation["contact"]["profile_name"], "Ana");
    assert_eq!(conversation["business_number"], PHONE_NUMBER_ID);
    assert_eq!(conversation["status"], "queued");

    let id = conversation["id"].as_i64().unwrap();
    let (status, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{id}"))
        .await;
    assert_eq!(status, 200);
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["body"], "Where is my order?");
    assert_eq!(messages[0]["provider_message_id"], "wamid.E2E1");
    assert_eq!(messages[0]["direction"], "inbound");
    // Message time is the provider's timestamp, not the processing time.
    let provider_time =
        chrono::DateTime::parse_from_rfc3339(messages[0]["provider_timestamp"].as_str().unwrap())
            .unwrap();
    assert_eq!(provider_time.timestamp(), ts);
}

on_sqlite_and_postgres!(a_signed_webhook_becomes_a_conversation_with_its_message);

async fn the_same_message_from_retries_and_both_regions_is_applied_once(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000001",
        "Ben",
        "wamid.DUP1",
        "hello",
        1_764_300_100,
    );

    let first = stack.post_meta("eu", &body, APP_SECRET).await;
    assert_eq!(first.status(), 200);
    let retry = stack.post_meta("eu", &body, APP_SECRET).await;
    assert_eq!(retry.status(), 200);
    let retry: serde_json::Value = retry.json().await.unwrap();
    assert_eq!(
        retry["duplicates"], 1,
        "the edge stream's duplicate window drops a provider retry"
    );
    // The other region stores it in its own stream; INBOUND drops it when sourcing.
    let other = stack.post_meta("us", &body, APP_SECRET).await;
    assert_eq!(other.status(), 200);
    let second = meta_text(
        PHONE_NUMBER_ID,
        "4915100000001",
        "Ben",
        "wamid.DUP2",
        "still there?",
        1_764_300_160,
    );
    assert_eq!(
        stack.post_meta("us", &second, APP_SECRET).await.status(),
        200
    );

    stack.wait_routed(2).await;
    let js = stack.nats.hub_js().await;
    let mut inbound = js.get_stream(relay::topology::INBOUND).await.unwrap();
    assert_eq!(
        inbound.info().await.unwrap().state.messages,
        2,
        "INBOUND holds each event once"
    );

    let (_, page) = stack.admin_get("/api/v1/conversations").await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let id = items[0]["id"].as_i64().unwrap();
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{id}"))
        .await;
    let bodies: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["hello", "still there?"]);
}

on_sqlite_and_postgres!(the_same_message_from_retries_and_both_regions_is_applied_once);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_webhooks_are_refused_and_nothing_is_stored() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000002",
        "Cy",
        "wamid.BAD1",
        "hi",
        1_764_300_200,
    );

    let wrong_secret = stack.post_meta("eu", &body, "not-the-secret").await;
    assert_eq!(wrong_secret.status(), 401);
    let error: serde_json::Value = wrong_secret.json().await.unwrap();
    assert_eq!(error["code"], "bad_signature");
    assert!(!error.to_string().contains(APP_SECRET));

    let unsigned = stack
        .http
        .post(format!("{}/webhooks/meta", stack.edge_url("eu")))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);

    let broken = b"{\"entry\": [".to_vec();
    assert_eq!(
        stack.post_meta("eu", &broken, APP_SECRET).await.status(),
        400
    );

    let other_number = meta_text(
        "999999",
        "4915100000002",
        "Cy",
        "wamid.BAD2",
        "hi",
        1_764_300_200,
    );
    // A number this edge does not know, signed by another app: refused.
    assert_eq!(
        stack
            .post_meta("eu", &other_number, "another-apps-secret")
            .await
            .status(),
        401
    );

    let huge = vec![b' '; stack.config.edge.max_body_bytes + 1];
    assert_eq!(stack.post_meta("eu", &huge, APP_SECRET).await.status(), 413);

    let leaf = stack.nats.leaves[0].process.connect().await.unwrap();
    let js = async_nats::jetstream::new(leaf);
    let mut edge_stream = js
        .get_stream(relay::topology::edge_stream("eu"))
        .await
        .unwrap();
    assert_eq!(
        edge_stream.info().await.unwrap().state.messages,
        0,
        "nothing refused was stored"
    );
    // Signatures are per Meta app (issue 27): the same number, signed by
    // the app this deployment knows, is stored.
    assert_eq!(
        stack
            .post_meta("eu", &other_number, APP_SECRET)
            .await
            .status(),
        200
    );
    assert_eq!(edge_stream.info().await.unwrap().state.messages, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn meta_verification_echoes_the_challenge_only_for_our_token() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let url = format!("{}/webhooks/meta", stack.edge_url("eu"));
    let ok = stack
        .http
        .get(&url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", VERIFY_TOKEN),
            ("hub.challenge", "1158201444"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let wrong = stack
        .http
        .get(&url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "guess"),
            ("hub.challenge", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_edge_answers_503_when_jetstream_cannot_ack_and_recovers() {
    let mut stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            edge_ack_timeout_ms: 1000,
            ..StackOptions::default()
        },
    )
    .await;
    stack.nats.leaf("eu").process.kill();
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000003",
        "Di",
        "wamid.DOWN1",
        "anyone?",
        1_764_300_300,
    );
    let refused = stack.post_meta("eu", &body, APP_SECRET).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "2");

    stack.nats.leaf("eu").process.start().unwrap();
    stack
        .nats
        .leaf("eu")
        .wait_ready(Duration::from_secs(20))
        .await
        .unwrap();
    // The provider retries; once the leaf is back the event is stored and routed.
    let stored = eventually(
        Duration::from_secs(20),
        "the edge to accept again",
        || async {
            let response = stack.post_meta("eu", &body, APP_SECRET).await;
            (response.status() == 200).then_some(())
        },
    )
    .await;
    let () = stored;
    eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        (page["items"].as_array()?.len() == 1).then_some(())
    })
    .await;
}

/// Sends one inbound text and returns the conversation id once routed.
async fn open_conversation(stack: &Stack, from: &str, wamid: &str, ts: i64) -> i64 {
    let body = meta_text(PHONE_NUMBER_ID, from, "Fay", wamid, "I need help", ts);
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|c| c["contact"]["wa_id"] == from)
            .and_then(|c| c["id"].as_i64())
    })
    .await
}

async fn message_where(
    stack: &Stack,
    conversation: i64,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    eventually(
        Duration::from_secs(60),
        "an outbound message in the expected state",
        || async {
            let (_, detail) = stack
                .admin_get(&format!("/api/v1/conversations/{conversation}"))
                .await;
            detail["messages"]
                .as_array()?
                .iter()
                .find(|m| m["direction"] == "outbound" && pred(m))
                .cloned()
        },
    )
    .await
}

async fn a_reply_is_delivered_and_its_statuses_come_back(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let now = chrono::Utc::now().timestamp();
    let conversation = open_conversation(&stack, "4915100000010", "wamid.R1", now).await;

    let (status, created) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "Your order ships today"}),
        )
        .await;
    assert_eq!(status, 202, "{created}");
    assert_eq!(created["status"], "queued");

    // sandbox → sent/delivered/read webhooks → edge → INBOUND → router → row
    let read = message_where(&stack, conversation, |m| m["status"] == "read").await;
    assert_eq!(read["body"], "Your order ships today");
    assert!(
        read["provider_message_id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.SANDBOX"),
        "{read}"
    );

    let sent: serde_json::Value = stack
        .http
        .get(format!("{}/sandbox/messages", stack.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1, "sent exactly once");
    assert_eq!(sent[0]["to"], "4915100000010");
    assert_eq!(sent[0]["request"]["text"]["body"], "Your order ships today");
}

on_sqlite_and_postgres!(a_reply_is_delivered_and_its_statuses_come_back);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_undeliverable_reply_fails_visibly_and_lands_in_the_dlq() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let now = chrono::Utc::now().timestamp();
    // The sandbox refuses recipients ending in 131026 as Meta does: undeliverable.
    let conversation = open_conversation(&stack, "4915100131026", "wamid.F1", now).await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "hello?"}),
        )
        .await;
    assert_eq!(status, 202);
    let failed = message_where(&stack, conversation, |m| m["status"] == "failed").await;
    assert!(
        failed["error"].as_str().unwrap().contains("131026"),
        "{failed}"
    );

    let js = stack.nats.hub_js().await;
    let dlq = js.get_stream(relay::topology::DLQ).await.unwrap();
    let letter = dlq
        .get_last_raw_message_by_subject("wa.dlq.sender.provider_131026")
        .await
        .unwrap();
    let reply: relay::envelope::OutboundReply = serde_json::from_slice(&letter.payload).unwrap();
    assert_eq!(
        reply.to, "4915100131026",
        "the dead letter keeps the original bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_throttled_reply_is_retried_and_sent_once() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let now = chrono::Utc::now().timestamp();
    // The sandbox answers 429 (code 130429, Retry-After: 1) to the first try.
    let conversation = open_conversation(&stack, "4915100130429", "wamid.T1", now).await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "retry me"}),
        )
        .await;
    assert_eq!(status, 202);
    message_where(&stack, conversation, |m| m["status"] == "read").await;
    let sent: serde_json::Value = stack
        .http
        .get(format!("{}/sandbox/messages", stack.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sent.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn free_text_outside_the_24_hour_window_is_refused_but_a_template_passes() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let two_days_ago = chrono::Utc::now().timestamp() - 48 * 3600;
    let conversation = open_conversation(&stack, "4915100000011", "wamid.W1", two_days_ago).await;

    let (status, error) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"text": "late"}),
        )
        .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["code"], "window_closed");

    let (status, created) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            serde_json::json!({"template": {"name": "order_update", "language": "en", "parameters": ["A-1"]}}),
        )
        .await;
    assert_eq!(status, 202, "{created}");
    message_where(&stack, conversation, |m| {
        m["status"] == "read" && m["kind"] == "template"
    })
    .await;

    let (status, _) = stack
        .admin_post(
            "/api/v1/conversations/999999/reply",
            serde_json::json!({"text": "x"}),
        )
        .await;
    assert_eq!(status, 404);
}

/// Issue 29: an accepted event deleted from INBOUND behind the router's back
/// is found by the completeness report (accepted at its edge, not in
/// INBOUND), re-published from the edge stream exactly once, counted, and
/// then becomes its row like any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_event_missing_from_inbound_is_reported_republished_once_and_becomes_its_row() {
    use relay::completeness;
    let mut stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            // This test repairs by hand; the loop is the next test's.
            tune: |config| config.reconciler.enabled = false,
            ..StackOptions::default()
        },
    )
    .await;
    stack.stop_router().await;
    let since = chrono::Utc::now() - chrono::Duration::minutes(10);
    let posts = [
        ("eu", "4915100000301", "wamid.REC1"),
        ("eu", "4915100000302", "wamid.REC2"),
        ("eu", "4915100000303", "wamid.REC3"),
        ("us", "4915100000304", "wamid.REC4"),
    ];
    for (region, from, wamid) in posts {
        let body = meta_text(PHONE_NUMBER_ID, from, "Rec", wamid, "hello", 1_764_300_000);
        assert_eq!(
            stack.post_meta(region, &body, APP_SECRET).await.status(),
            200
        );
    }
    let hub = stack.nats.hub_js().await;
    let inbound = hub.get_stream(relay::topology::INBOUND).await.unwrap();
    eventually(Duration::from_secs(20), "4 events in INBOUND", || {
        let mut inbound = inbound.clone();
        async move { (inbound.info().await.ok()?.state.messages == 4).then_some(()) }
    })
    .await;
    // Behind the router's back: REC2 leaves INBOUND.
    let mut deleted = None;
    for seq in 1..=4 {
        let message = inbound.get_raw_message(seq).await.unwrap();
        let id = message.headers.get(relay::envelope::MSG_ID_HEADER).unwrap();
        if id.as_str() == "meta:msg:wamid.REC2" {
            deleted = Some(seq);
        }
    }
    assert!(inbound.delete_message(deleted.unwrap()).await.unwrap());

    let client = hub.client();
    let leaf = |region: &str| {
        async_nats::jetstream::with_domain(client.clone(), relay::topology::edge_domain(region))
    };
    let regions = stack.config.topology.regions.clone();
    let until = chrono::Utc::now() + chrono::Duration::minutes(1);
    let db = stack.database.clone();
    let report = || {
        let (hub, regions, db) = (hub.clone(), regions.clone(), db.clone());
        async move {
            completeness::report(&hub, leaf, Some(&db), &regions, since, until)
                .await
                .unwrap()
        }
    };
    let before = report().await;
    let eu = &before[0];
    assert_eq!(
        (eu.region.as_str(), eu.accepted, eu.in_inbound),
        ("eu", 3, 2)
    );
    assert_eq!(eu.missing.len(), 1, "{before:?}");
    assert_eq!(eu.missing[0].msg_id, "meta:msg:wamid.REC2");
    assert_eq!(
        (eu.messages, eu.message_rows),
        (2, 0),
        "the router is stopped"
    );
    let us = &before[1];
    assert_eq!((us.accepted, us.in_inbound, us.missing.len()), (1, 1, 0));

    let missing: Vec<_> = before.iter().flat_map(|r| r.missing.clone()).collect();
    assert_eq!(
        completeness::republish(&hub, leaf, &missing).await.unwrap(),
        1
    );
    assert_eq!(
        completeness::republish(&hub, leaf, &missing).await.unwrap(),
        0,
        "a second repair is a duplicate INBOUND drops"
    );
    let metrics = relay::observe::render();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("wharf_reconciled_total{region=\"eu\"} 1")),
        "{metrics}"
    );

    stack.start_router().await;
    eventually(Duration::from_secs(30), "every report complete", || async {
        let after = report().await;
        after
            .iter()
            .all(|r| {
                r.missing.is_empty() && r.without_row.is_empty() && r.message_rows == r.messages
            })
            .then_some(after)
    })
    .await;
    let rows = entities::message::Entity::find()
        .filter(entities::message::Column::ProviderMessageId.eq("wamid.REC2"))
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(rows, 1, "the repaired event became exactly one row");
}

/// The reconciler loop of a running stack repairs, on its own, an event
/// that left INBOUND behind the router's back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reconciler_puts_back_what_inbound_lost_and_the_router_applies_it() {
    let mut stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| {
                config.reconciler.every_secs = 1;
                config.reconciler.grace_secs = 1;
            },
            ..StackOptions::default()
        },
    )
    .await;
    stack.stop_router().await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000311",
        "Rec",
        "wamid.LOOP1",
        "hi",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("us", &body, APP_SECRET).await.status(), 200);
    let hub = stack.nats.hub_js().await;
    let inbound = hub.get_stream(relay::topology::INBOUND).await.unwrap();
    let first = eventually(Duration::from_secs(20), "the event in INBOUND", || {
        let inbound = inbound.clone();
        async move { inbound.get_raw_message(1).await.ok() }
    })
    .await;
    assert_eq!(
        first
            .headers
            .get(relay::envelope::MSG_ID_HEADER)
            .unwrap()
            .as_str(),
        "meta:msg:wamid.LOOP1"
    );
    assert!(inbound.delete_message(1).await.unwrap());
    let repaired = eventually(Duration::from_secs(20), "the reconciler's copy", || {
        let inbound = inbound.clone();
        async move { inbound.get_raw_message(2).await.ok() }
    })
    .await;
    assert_eq!(
        repaired
            .headers
            .get(relay::completeness::REPAIRED_FROM_HEADER)
            .unwrap()
            .as_str(),
        "EDGE_US:1"
    );
    stack.start_router().await;
    let row = eventually(Duration::from_secs(20), "its row", || async {
        let rows = entities::message::Entity::find()
            .filter(entities::message::Column::ProviderMessageId.eq("wamid.LOOP1"))
            .all(&stack.database)
            .await
            .ok()?;
        (rows.len() == 1).then(|| rows[0].clone())
    })
    .await;
    // The message's lifecycle says where its copy came from ...
    let (status, life) = stack
        .admin_get(&format!("/api/v1/messages/{}/lifecycle", row.id))
        .await;
    assert_eq!(status, 200, "{life}");
    let repaired = life["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "repaired")
        .unwrap_or_else(|| panic!("no repaired stage: {life}"));
    assert_eq!(repaired["detail"]["from"], "EDGE_US:1", "{life}");
    assert_eq!(repaired["detail"]["by"], "reconciler", "{life}");
    // ... and the default `events-repaired` rule fires for it.
    let alert = eventually(
        Duration::from_secs(30),
        "the events-repaired alert",
        || async {
            let (_, alerts) = stack.admin_get("/api/v1/alerts").await;
            alerts["firing"]
                .as_array()?
                .iter()
                .find(|a| a["rule"] == "events-repaired")
                .cloned()
        },
    )
    .await;
    assert_eq!(alert["kind"], "events_repaired", "{alert}");
    assert_eq!(alert["value"], 1.0, "{alert}");
    // Later passes find INBOUND complete: one copy, not one per pass.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut inbound = inbound;
    assert_eq!(inbound.info().await.unwrap().state.last_sequence, 2);
}

/// A region's source into INBOUND that goes silent while its leaf answers
/// (here: its consumer on the leaf deleted behind the hub's back) gets
/// INBOUND's leader stepped down by the source watch, and the region's
/// next webhook becomes a row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_silent_source_gets_inbounds_leader_stepped_down_and_events_flow_again() {
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| config.reconciler.stepdown_after_secs = 2,
            ..StackOptions::default()
        },
    )
    .await;
    let hub = stack.nats.hub_js().await;
    let leader = || async {
        let mut inbound = hub.get_stream(relay::topology::INBOUND).await.ok()?;
        let info = inbound.info().await.ok()?;
        info.cluster.as_ref()?.leader.clone()
    };
    let before = leader().await.expect("INBOUND has a leader");
    let leaf = async_nats::jetstream::with_domain(hub.client(), relay::topology::edge_domain("eu"));
    // The source is live ...
    let probe = wharf::stack::PathProbe::new(
        hub.client(),
        stack.config.topology.regions.clone(),
        stack.config.topology.partitions,
    );
    probe.wait_live(Duration::from_secs(60)).await.unwrap();
    // ... until its stream on the leaf is deleted and made again: the
    // source's (unlisted, direct) consumer went with it, and the source
    // retries on the server's backoff.
    leaf.delete_stream(relay::topology::edge_stream("eu"))
        .await
        .unwrap();
    leaf.create_stream(relay::topology::edge_stream_config(
        &stack.config.topology,
        "eu",
    ))
    .await
    .unwrap();
    let silent_at = std::time::Instant::now();
    let stepdowns = || {
        relay::observe::render()
            .lines()
            .find_map(|l| l.strip_prefix("wharf_inbound_stepdowns_total "))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    eventually(
        Duration::from_secs(60),
        "a stepdown of INBOUND's leader",
        || async { (stepdowns() >= 1.0).then_some(()) },
    )
    .await;
    let after = eventually(Duration::from_secs(30), "a new INBOUND leader", || async {
        leader().await.filter(|l| *l != before)
    })
    .await;
    assert_ne!(after, before);
    probe.wait_live(Duration::from_secs(30)).await.unwrap();
    eprintln!(
        "source live again {:?} after it went silent",
        silent_at.elapsed()
    );

    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000321",
        "Src",
        "wamid.SRC1",
        "hi",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    eventually(Duration::from_secs(30), "the event's row", || async {
        let rows = entities::message::Entity::find()
            .filter(entities::message::Column::ProviderMessageId.eq("wamid.SRC1"))
            .count(&stack.database)
            .await
            .ok()?;
        (rows == 1).then_some(())
    })
    .await;
}
