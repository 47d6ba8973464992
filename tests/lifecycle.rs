//! A message's life through the admin API (`/api/v1/messages/{id}/lifecycle`)
//! and the sender's metrics: what support sees when they debug one reply.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Stack, StackOptions, TestDb, eventually, stages};
use wharf::config::Config;

/// Many quick attempts: a test turns the provider back on mid-retry.
fn patient_retries(config: &mut Config) {
    config.sender.max_attempts = 50;
    config.sender.ack_wait_secs = 4;
    config.sender.backoff_base_ms = 100;
    config.sender.backoff_max_ms = 300;
    config.sender.rate.allowance_ms = 100;
}

/// Three quick attempts, then the DLQ.
fn quick_retries(config: &mut Config) {
    config.sender.max_attempts = 3;
    config.sender.ack_wait_secs = 4;
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 200;
    config.sender.rate.allowance_ms = 100;
}

async fn set_faults(stack: &Stack, faults: Value) {
    let response = stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

async fn reply(stack: &Stack, conversation: i64, text: &str) -> i64 {
    let (status, created) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({ "text": text }),
        )
        .await;
    assert_eq!(status, 202, "{created}");
    created["id"].as_i64().unwrap()
}

/// Waits until the message's lifecycle holds `stage`; returns the lifecycle.
async fn lifecycle_with(stack: &Stack, id: i64, stage: &str) -> Value {
    eventually(
        Duration::from_secs(30),
        &format!("stage {stage} of message {id}"),
        || async {
            let (status, body) = stack
                .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
                .await;
            assert_eq!(status, 200, "{body}");
            stages(&body).iter().any(|s| s == stage).then_some(body)
        },
    )
    .await
}

async fn a_reply_tells_its_life_from_queued_to_sent(db: TestDb) {
    let stack = support::spawn_stack(
        db,
        StackOptions {
            tune: patient_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000701", "wamid.L1").await;
    // The provider refuses (5xx) until the first retry is recorded.
    set_faults(&stack, json!({ "error_rate": 1.0 })).await;
    let id = reply(&stack, conversation, "It ships today").await;
    let retried = eventually(Duration::from_secs(60), "a retry", || async {
        let (_, body) = stack
            .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
            .await;
        let n = stages(&body).iter().filter(|s| *s == "retrying").count();
        (n >= 1).then_some(body)
    })
    .await;
    set_faults(&stack, json!({})).await;
    let retry = retried["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "retrying")
        .unwrap()
        .clone();
    assert_eq!(retry["detail"]["attempt"], 1, "{retry}");
    assert!(
        retry["detail"]["code"].as_str().unwrap().contains("131000")
            || retry["detail"]["code"]
                .as_str()
                .unwrap()
                .starts_with("http"),
        "{retry}"
    );

    let life = lifecycle_with(&stack, id, "sent").await;
    assert_eq!(life["message"]["id"], id);
    assert_eq!(life["conversation_id"], conversation);
    let order = stages(&life);
    assert_eq!(
        order.first().map(String::as_str),
        Some("queued"),
        "{order:?}"
    );
    let sent_at = order.iter().position(|s| s == "sent").unwrap();
    assert!(
        order[..sent_at].iter().any(|s| s == "retrying"),
        "retries come before the send: {order:?}"
    );
    assert_eq!(
        order.iter().filter(|s| *s == "sent").count(),
        1,
        "sent once: {order:?}"
    );
    let times: Vec<&str> = life["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["at"].as_str().unwrap())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] <= w[1]),
        "stages in time order: {times:?}"
    );

    // The provider's status webhooks carry it on to delivered and read.
    let life = lifecycle_with(&stack, id, "read").await;
    let order = stages(&life);
    let at = |stage: &str| order.iter().position(|s| s == stage).unwrap();
    assert!(
        at("sent") < at("delivered") && at("delivered") < at("read"),
        "{order:?}"
    );

    // The customer's message: received at the edge, stored with its stream
    // sequence, routed to its conversation.
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{conversation}"))
        .await;
    let inbound = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["direction"] == "inbound")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let life = lifecycle_with(&stack, inbound, "routed").await;
    let order = stages(&life);
    assert_eq!(&order[..3], ["received", "stored", "routed"], "{order:?}");
    assert_eq!(life["stages"][0]["detail"]["region"], "eu");
    assert!(
        life["stages"][1]["detail"]["stream_sequence"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(
        life["stages"][2]["detail"]["conversation_id"], conversation,
        "{life}"
    );

    // The sender's metrics saw the retries and the send, labelled by
    // provider and outcome only.
    let metrics = stack
        .http
        .get(format!("{}/metrics", stack.admin_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for outcome in ["sent", "retry"] {
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("wharf_sender_sends_total{")
                    && l.contains(&format!("outcome=\"{outcome}\""))),
            "no {outcome} sends in\n{metrics}"
        );
    }
    assert!(metrics.contains("wharf_sender_send_seconds_bucket{"));
    // And the router's: events applied, apply latency, applied-id cache.
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("wharf_router_events_total{")
                && l.contains("outcome=\"applied\"")),
        "no applied events in\n{metrics}"
    );
    assert!(metrics.contains("wharf_router_apply_seconds_bucket{"));
    assert!(metrics.contains("wharf_router_applied_cache_total{"));
    assert!(
        !metrics.contains("4915100000701") && !metrics.contains(&format!("message_id=\"{id}\"")),
        "no phone number or message id as a label"
    );
}

on_sqlite_and_postgres!(a_reply_tells_its_life_from_queued_to_sent);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_reply_shows_its_dead_letter_and_its_replay() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000702", "wamid.L2").await;
    set_faults(&stack, json!({ "error_rate": 1.0 })).await;
    let id = reply(&stack, conversation, "Sorry for the wait").await;
    let life = lifecycle_with(&stack, id, "dead_lettered").await;
    let order = stages(&life);
    let failed = order.iter().position(|s| s == "failed").unwrap();
    let dead = order.iter().position(|s| s == "dead_lettered").unwrap();
    assert!(failed < dead, "{order:?}");
    assert_eq!(
        order.iter().filter(|s| *s == "retrying").count(),
        2,
        "attempts 1 and 2 retried, attempt 3 failed: {order:?}"
    );
    assert_eq!(life["message"]["status"], "failed");
    let letter = &life["stages"].as_array().unwrap()[dead];
    assert_eq!(letter["detail"]["origin"], "sender");

    // Replay from the DLQ once the provider is back: replayed, then sent.
    set_faults(&stack, json!({})).await;
    let dlq_id = eventually(
        Duration::from_secs(20),
        "the letter's index row",
        || async {
            let (_, page) = stack.admin_get("/api/v1/dlq?origin=sender").await;
            page["items"].as_array()?.first()?["id"].as_i64()
        },
    )
    .await;
    let (status, body) = stack
        .admin_post(&format!("/api/v1/dlq/{dlq_id}/replay"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    let life = lifecycle_with(&stack, id, "sent").await;
    let order = stages(&life);
    let replayed = order.iter().position(|s| s == "replayed").unwrap();
    let sent = order.iter().position(|s| s == "sent").unwrap();
    assert!(dead < replayed && replayed < sent, "{order:?}");
    assert_eq!(life["stages"][replayed]["detail"]["dead_letter"], dlq_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unknown_message_has_no_lifecycle() {
    let stack = support::spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let (status, body) = stack.admin_get("/api/v1/messages/987654/lifecycle").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["code"], "not_found");
    let (status, _) = stack.admin_get("/api/v1/messages/abc/lifecycle").await;
    assert_eq!(status, 400);
}

/// The lifecycle is read from one snapshot (`relay::db::begin_read`): a
/// message's row and its stages as they were together. Written between
/// two reads of one snapshot, neither a status nor a stage shows in it;
/// after the snapshot ends, both do. (Read apart, a reply the sender
/// failed and dead-lettered between the two reads showed its
/// `dead_lettered` stage beside a `queued` status.)
async fn a_message_and_its_stages_are_read_from_one_snapshot(db: TestDb) {
    use entities::message_event::Stage;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let stack = support::spawn_stack(db, StackOptions::default()).await;
    let conversation = support::open_conversation(&stack, "4915100000703", "wamid.L3").await;
    let id = reply(&stack, conversation, "One moment").await;
    lifecycle_with(&stack, id, "sent").await;
    let probe = "snapshot probe";
    // (the probe's error text on the row, a probe stage among its stages)
    async fn read(conn: &sea_orm::DatabaseTransaction, id: i64, probe: &str) -> (bool, bool) {
        let row = entities::message::Entity::find_by_id(id)
            .one(conn)
            .await
            .unwrap()
            .unwrap();
        let probed = relay::lifecycle::timeline(conn, id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.detail["probe"] == true);
        (row.error.as_deref() == Some(probe), probed)
    }

    let snapshot = relay::db::begin_read(&stack.database).await.unwrap();
    assert_eq!(read(&snapshot, id, probe).await, (false, false));
    // Another connection writes both and commits, as the sender does.
    let writer = relay::db::begin_write(&stack.database).await.unwrap();
    entities::message::Entity::update_many()
        .col_expr(entities::message::Column::Error, Expr::value(probe))
        .filter(entities::message::Column::Id.eq(id))
        .exec(&writer)
        .await
        .unwrap();
    relay::lifecycle::record(
        &writer,
        id,
        Stage::Failed,
        chrono::Utc::now(),
        json!({ "probe": true }),
    )
    .await
    .unwrap();
    writer.commit().await.unwrap();
    assert_eq!(
        read(&snapshot, id, probe).await,
        (false, false),
        "a write committed after the snapshot's first read showed in it"
    );
    snapshot.commit().await.unwrap();

    let after = relay::db::begin_read(&stack.database).await.unwrap();
    assert_eq!(read(&after, id, probe).await, (true, true));
    after.commit().await.unwrap();
    let (status, life) = stack
        .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
        .await;
    assert_eq!(status, 200, "{life}");
    assert_eq!(life["message"]["error"], probe, "{life}");
    assert!(stages(&life).iter().any(|s| s == "failed"), "{life}");
}

on_sqlite_and_postgres!(a_message_and_its_stages_are_read_from_one_snapshot);
