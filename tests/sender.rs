//! The sender under faults: every reply ends sent exactly once at the sandbox
//! (counted by our message id) or dead-lettered with a reason; a sender killed
//! with -9 loses nothing; the per-number rate limit holds in every 1 s window,
//! across several sender processes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::Duration;

use entities::message;
use relay::envelope::{OutboundReply, ReplyContent};
use relay::sender::ratelimit::{Limit, busiest_window};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{
    APP_SECRET, PHONE_NUMBER_ID, Stack, StackOptions, TestDb, eventually, sender_dead_letters,
};
use wharf::config::Config;

/// Sender settings that make faults cheap to wait out.
fn quick_retries(config: &mut Config) {
    config.sender.max_attempts = 4;
    config.sender.ack_wait_secs = 4;
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 400;
    config.sender.request_timeout_ms = 400;
    config.sender.timeout_retry_floor_ms = 1000;
    // Room for a busy 2-core test host between a rate slot and its arrival.
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

/// Queues `n` text replies round-robin over `conversations`; returns the ids.
async fn queue_replies(stack: &Stack, conversations: &[i64], n: usize) -> Vec<i64> {
    let js = stack.nats.hub_js().await;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let conversation = conversations[i % conversations.len()];
        let row = relay::outbound::enqueue_reply(
            &stack.database,
            &js,
            stack.config.topology.partitions,
            conversation,
            None,
            ReplyContent::Text {
                body: format!("reply {i}"),
            },
        )
        .await
        .unwrap();
        ids.push(row.id);
    }
    ids
}

/// Waits until no reply is `queued`; returns (id → status).
async fn settled(stack: &Stack, ids: &[i64], wait: Duration) -> HashMap<i64, message::Model> {
    eventually(wait, "every reply sent or failed", || async {
        let rows = message::Entity::find()
            .filter(message::Column::Id.is_in(ids.to_vec()))
            .all(&stack.database)
            .await
            .ok()?;
        (rows.len() == ids.len() && rows.iter().all(|m| m.status != "queued"))
            .then(|| rows.into_iter().map(|m| (m.id, m)).collect())
    })
    .await
}

/// Every send the sandbox accepted, as it recorded them.
async fn sandbox_messages(stack: &Stack) -> Vec<Value> {
    serde_json::from_value(stack.sandbox_get("/sandbox/messages").await).unwrap()
}

/// Accepted sends at the sandbox (Meta's, which carry our id), counted by
/// our message id.
async fn accepted_by_id(stack: &Stack) -> HashMap<i64, usize> {
    let sent = sandbox_messages(stack).await;
    let mut counts = HashMap::new();
    for m in sent {
        let Some(id) = m["request"]["biz_opaque_callback_data"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
        else {
            continue;
        };
        *counts.entry(id).or_insert(0) += 1;
    }
    counts
}

/// Arrival times (ms) at the sandbox for the test number, sorted.
async fn arrivals(stack: &Stack) -> Vec<i64> {
    let all: Vec<Value> = stack
        .http
        .get(format!("{}/sandbox/arrivals", stack.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut times: Vec<i64> = all
        .iter()
        .filter(|a| a["phone_number_id"] == PHONE_NUMBER_ID)
        .map(|a| a["at_ms"].as_i64().unwrap())
        .collect();
    times.sort_unstable();
    times
}

/// Every reply is sent exactly once or dead-lettered (with a reason and its
/// row failed); none is lost or doubled.
fn assert_exactly_once_or_dead_lettered(
    rows: &HashMap<i64, message::Model>,
    accepted: &HashMap<i64, usize>,
    letters: &HashMap<i64, Vec<(String, String)>>,
) -> (usize, usize) {
    let (mut sent, mut failed) = (0, 0);
    for (id, row) in rows {
        let times = accepted.get(id).copied().unwrap_or(0);
        let dead = letters.get(id).map_or(0, Vec::len);
        match row.status.as_str() {
            "sent" | "delivered" | "read" => {
                assert_eq!(times, 1, "reply {id} accepted {times} times");
                assert_eq!(dead, 0, "reply {id} sent and dead-lettered");
                sent += 1;
            }
            "failed" => {
                assert_eq!(times, 0, "failed reply {id} was accepted {times} times");
                assert_eq!(dead, 1, "failed reply {id} has {dead} dead letters");
                let (subject, error) = &letters[id][0];
                assert!(subject.starts_with("wa.dlq.sender.provider_"), "{subject}");
                assert!(
                    !error.is_empty() && row.error.is_some(),
                    "reply {id}: no reason"
                );
                failed += 1;
            }
            other => panic!("reply {id} ended {other}"),
        }
    }
    (sent, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_thirty_percent_faults_every_reply_is_sent_once_or_dead_lettered() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let good = support::open_conversation(&stack, "4915100000001", "wamid.C1").await;
    let other = support::open_conversation(&stack, "4915100000002", "wamid.C2").await;
    let undeliverable = support::open_conversation(&stack, "4915100131026", "wamid.C3").await;
    set_faults(
        &stack,
        json!({"error_rate": 0.1, "throttle_rate": 0.1, "retry_after_secs": 1,
               "timeout_rate": 0.1, "hang_ms": 800}),
    )
    .await;

    let started = std::time::Instant::now();
    let ids = queue_replies(&stack, &[good, other, good, other, undeliverable], 1000).await;
    let rows = settled(&stack, &ids, Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    let accepted = accepted_by_id(&stack).await;
    let letters = sender_dead_letters(&stack.nats.hub_js().await).await;
    let (sent, failed) = assert_exactly_once_or_dead_lettered(&rows, &accepted, &letters);
    assert!(
        failed >= 200,
        "the undeliverable contact's replies fail: {failed}"
    );
    assert!(sent >= 650, "most replies go through: {sent}");
    let busiest = busiest_window(&arrivals(&stack).await, 1000);
    eprintln!(
        "1000 replies under faults: {sent} sent, {failed} dead-lettered in {elapsed:?}; busiest 1 s: {busiest} requests (limit 80)"
    );
    assert!(busiest <= 80, "Meta's 80/s exceeded: {busiest}");
}

/// A 200 whose body does not name the message (a proxy's page, a body cut
/// short by the client's timeout) means the provider took it: the retry
/// waits for the status webhook instead of sending again at once. CI saw a
/// reply accepted twice when such an answer was retried after 11 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_success_answer_without_a_message_id_is_not_sent_again() {
    fn slow_statuses(config: &mut Config) {
        quick_retries(config);
        // The accepted message's `sent` status comes well after the
        // immediate retry (backoff at most 400 ms) and well before the
        // retry floor (1 s).
        config.sandbox.status_delay_ms = 500;
    }
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: slow_statuses,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000011", "wamid.G1").await;
    set_faults(&stack, json!({"garbled_rate": 1.0})).await;
    let ids = queue_replies(&stack, &[conversation], 10).await;
    let rows = settled(&stack, &ids, Duration::from_secs(60)).await;
    let accepted = accepted_by_id(&stack).await;
    for id in &ids {
        assert_eq!(rows[id].status, "sent", "reply {id}");
        assert_eq!(
            accepted.get(id),
            Some(&1),
            "reply {id} accepted {:?} times",
            accepted.get(id)
        );
    }
    // Each was answered without its id once, and waited rather than sent again.
    let retried = entities::message_event::Entity::find()
        .filter(entities::message_event::Column::MessageId.is_in(ids.clone()))
        .filter(entities::message_event::Column::Stage.eq("retrying"))
        .all(&stack.database)
        .await
        .unwrap();
    assert!(
        retried
            .iter()
            .all(|e| e.detail["code"] == "bad_response"
                && e.detail["delay_ms"].as_u64() >= Some(1000)),
        "{retried:?}"
    );
}

fn twenty_per_second(config: &mut Config) {
    config.sender.rate.allowance_ms = 100;
    config.sender.rate.numbers.insert(
        PHONE_NUMBER_ID.into(),
        Limit {
            sends: 20,
            period_ms: 1000,
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rate_limit_holds_in_every_second_across_two_senders() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: twenty_per_second,
            ..StackOptions::default()
        },
    )
    .await;
    // A second sender process (in-process here) shares the same limit.
    let second = wharf::roles::build_sender(&stack.config, stack.database.clone())
        .await
        .unwrap();
    let token = stack.shutdown.clone();
    tokio::spawn(async move { second.run(token).await.unwrap() });
    let conversation = support::open_conversation(&stack, "4915100000003", "wamid.R1").await;

    let started = std::time::Instant::now();
    let ids = queue_replies(&stack, &[conversation], 160).await;
    let rows = settled(&stack, &ids, Duration::from_secs(30)).await;
    let elapsed = started.elapsed();
    assert!(rows.values().all(|m| m.status != "failed"));
    let times = arrivals(&stack).await;
    let accepted = accepted_by_id(&stack).await;
    assert!(
        ids.iter().all(|id| accepted.get(id) == Some(&1)),
        "each sent once"
    );
    let busiest = busiest_window(&times, 1000);
    #[allow(clippy::cast_precision_loss)]
    let rate = (times.len() - 1) as f64 * 1000.0 / (times[times.len() - 1] - times[0]) as f64;
    eprintln!(
        "160 sends with a 20/s limit, two senders: {rate:.1} sends/s, busiest 1 s window {busiest}, {elapsed:?} in all"
    );
    assert!(busiest <= 20, "limit exceeded: {busiest} in one second");
    // Half the limit: a limiter that serialises or stalls falls far below;
    // a loaded 2-core host measured 12.2/s (the figure itself is the bench's).
    assert!(rate >= 10.0, "the limiter is far too slow: {rate:.1}/s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sender_killed_mid_run_loses_nothing_and_doubles_nothing() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: quick_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let conversation = support::open_conversation(&stack, "4915100000004", "wamid.K1").await;
    // Slow sends, so the process we kill holds replies in flight.
    set_faults(&stack, json!({"latency_ms": 300})).await;

    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("sender.toml");
    let regions: Vec<String> = stack
        .config
        .topology
        .regions
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    std::fs::write(
        &config_file,
        format!(
            "[nats]\nurl = {:?}\n[database]\nurl = {:?}\n[topology]\npartitions = {}\nregions = [{}]\n\
             [sender]\nmax_attempts = 4\nack_wait_secs = 4\nbackoff_base_ms = 50\nbackoff_max_ms = 400\n\
             [ops]\nsender_listen = \"127.0.0.1:0\"\n",
            stack.config.nats.url,
            stack.config.database.url,
            stack.config.topology.partitions,
            regions.join(", "),
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .arg("--config")
        .arg(&config_file)
        .arg("sender")
        .env("WHARF__LOG__FILTER", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    let ids = queue_replies(&stack, &[conversation], 200).await;
    eventually(Duration::from_secs(20), "sends under way", || async {
        (arrivals(&stack).await.len() >= 40).then_some(())
    })
    .await;
    // SIGKILL: no shutdown path runs.
    child.kill().unwrap();
    child.wait().unwrap();

    let rows = settled(&stack, &ids, Duration::from_secs(40)).await;
    let accepted = accepted_by_id(&stack).await;
    let letters = sender_dead_letters(&stack.nats.hub_js().await).await;
    let (sent, failed) = assert_exactly_once_or_dead_lettered(&rows, &accepted, &letters);
    assert_eq!((sent, failed), (200, 0));
}

async fn dead_letter_page(stack: &Stack, query: &str) -> Value {
    let (status, page) = stack.admin_get(&format!("/api/v1/dlq{query}")).await;
    assert_eq!(status, 200, "{page}");
    page
}

async fn dead_letters_are_listed_inspected_replayed_once_and_discarded(db: TestDb) {
    let stack = support::spawn_stack(
        db,
        StackOptions {
            tune: quick_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let good = support::open_conversation(&stack, "4915100000005", "wamid.D1").await;
    let undeliverable = support::open_conversation(&stack, "4915100131026", "wamid.D2").await;
    queue_replies(&stack, &[undeliverable], 2).await;
    eventually(
        Duration::from_secs(20),
        "two undeliverable letters",
        || async { (dead_letter_page(&stack, "").await["total"] == 2).then_some(()) },
    )
    .await;
    // The provider is down: three replies exhaust their attempts.
    set_faults(&stack, json!({"error_rate": 1.0})).await;
    let down = queue_replies(&stack, &[good], 3).await;
    let page = eventually(Duration::from_secs(20), "five letters", || async {
        let page = dead_letter_page(&stack, "?origin=sender&reason=provider_131000").await;
        (page["total"] == 3).then_some(page)
    })
    .await;
    let letter = &page["items"][0];
    assert_eq!(letter["status"], "pending");
    assert_eq!(letter["business_number"], PHONE_NUMBER_ID);
    assert_eq!(letter["attempts"], 4);
    assert!(letter["first_failed_at"].is_string() && letter["last_failed_at"].is_string());
    assert!(
        letter["error"].as_str().unwrap().contains("HTTP 50"),
        "{letter}"
    );
    let id = letter["id"].as_i64().unwrap();

    // Inspect: the original bytes and headers are kept.
    let (status, detail) = stack.admin_get(&format!("/api/v1/dlq/{id}")).await;
    assert_eq!(status, 200, "{detail}");
    let reply: OutboundReply = serde_json::from_str(detail["payload"].as_str().unwrap()).unwrap();
    assert!(down.contains(&reply.message_id));
    let names: Vec<&str> = detail["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Wharf-Origin-Subject") && names.contains(&"Wharf-Error"));

    // A replay that fails again comes back once, to the same letter, with history.
    let (status, replayed) = stack
        .admin_post(&format!("/api/v1/dlq/{id}/replay"), json!({}))
        .await;
    assert_eq!(status, 200, "{replayed}");
    assert_eq!(replayed["status"], "replayed");
    let back = eventually(
        Duration::from_secs(20),
        "the replay fails again",
        || async {
            let (_, d) = stack.admin_get(&format!("/api/v1/dlq/{id}")).await;
            (d["letter"]["status"] == "pending").then_some(d)
        },
    )
    .await;
    assert_eq!(back["letter"]["replay_count"], 1);
    assert_eq!(back["letter"]["history"].as_array().unwrap().len(), 1);
    assert_eq!(
        dead_letter_page(&stack, "").await["total"],
        5,
        "no new letter"
    );
    assert_eq!(
        sender_dead_letters(&stack.nats.hub_js().await)
            .await
            .values()
            .map(Vec::len)
            .sum::<usize>(),
        6
    );

    // The provider is back: a dry run counts, a bulk replay sends each once.
    set_faults(&stack, json!({})).await;
    let filter =
        json!({"origin": "sender", "reason": "provider_131000", "number": PHONE_NUMBER_ID});
    let (status, dry) = stack.admin_post("/api/v1/dlq/replay", filter.clone()).await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(
        (dry["matched"].as_u64(), dry["replayed"].as_u64()),
        (Some(3), Some(0))
    );
    let mut real = filter;
    real["dry_run"] = json!(false);
    let (_, done) = stack.admin_post("/api/v1/dlq/replay", real).await;
    assert_eq!(
        (done["matched"].as_u64(), done["replayed"].as_u64()),
        (Some(3), Some(3))
    );
    let stack_ref = &stack;
    let down_ref = &down;
    let rows = eventually(
        Duration::from_secs(20),
        "replayed replies sent",
        || async move {
            let now = message::Entity::find()
                .filter(message::Column::Id.is_in(down_ref.clone()))
                .all(&stack_ref.database)
                .await
                .ok()?;
            now.iter()
                .all(|m| m.status != "queued" && m.status != "failed")
                .then_some(now)
        },
    )
    .await;
    let accepted = accepted_by_id(&stack).await;
    assert!(
        rows.iter().all(|m| accepted.get(&m.id) == Some(&1)),
        "each sent once"
    );

    // Discard: a discarded letter cannot be replayed.
    let page = dead_letter_page(&stack, "?reason=provider_131026").await;
    let undeliverable_id = page["items"][0]["id"].as_i64().unwrap();
    let (status, discarded) = stack
        .admin_post(
            &format!("/api/v1/dlq/{undeliverable_id}/discard"),
            json!({}),
        )
        .await;
    assert_eq!(
        (status, discarded["status"].as_str()),
        (200, Some("discarded"))
    );
    let (status, _) = stack
        .admin_post(&format!("/api/v1/dlq/{undeliverable_id}/replay"), json!({}))
        .await;
    assert_eq!(status, 409);

    // Every operation is audited.
    let audited = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::TargetType.eq("dead_letter"))
        .all(&stack.database)
        .await
        .unwrap();
    let actions: Vec<&str> = audited.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "dlq.replay").count(), 4);
    assert!(actions.contains(&"dlq.replay_many.dry_run") && actions.contains(&"dlq.replay_many"));
    assert!(actions.contains(&"dlq.discard"));
    assert!(
        audited.iter().all(|a| a.actor == "token:test"),
        "{audited:?}"
    );
}

on_sqlite_and_postgres!(dead_letters_are_listed_inspected_replayed_once_and_discarded);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simulate_posts_signed_messages_from_many_contacts_to_every_edge() {
    let stack = support::spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let target = wharf::simulate::Target {
        edges: stack.edges.iter().map(|(_, url)| url.clone()).collect(),
        phone_number_id: PHONE_NUMBER_ID.into(),
        app_secret: APP_SECRET.into(),
        tls_ca_file: None,
    };
    let options = wharf::simulate::SimulateOptions {
        messages: 60,
        contacts: 6,
        concurrency: 8,
    };
    let report = wharf::simulate::run(&target, options).await.unwrap();
    assert_eq!((report.stored, report.failed), (60, 0));
    eventually(
        Duration::from_secs(20),
        "60 messages in 6 conversations",
        || async {
            let (_, page) = stack.admin_get("/api/v1/conversations?limit=200").await;
            let items = page["items"].as_array()?;
            let inbound = message::Entity::find()
                .filter(message::Column::Direction.eq("inbound"))
                .all(&stack.database)
                .await
                .ok()?;
            (items.len() == 6 && inbound.len() == 60).then_some(())
        },
    )
    .await;
    // A wrong secret is refused by the edge and reported.
    let wrong = wharf::simulate::Target {
        app_secret: "not-the-secret".into(),
        ..target
    };
    let options = wharf::simulate::SimulateOptions {
        messages: 3,
        ..options
    };
    let report = wharf::simulate::run(&wrong, options).await.unwrap();
    assert_eq!((report.stored, report.failed), (0, 3));
    // A refusal is final and reported by reason, never retried.
    assert_eq!(report.retried, 0);
    assert_eq!(report.refusals.get("401 bad_signature"), Some(&3));
}

const WASENDER_KEY: &str = "test-wasender-api-key";

fn wasender_with_a_key(config: &mut Config) {
    quick_retries(config);
    for number in &mut config.numbers {
        if number.phone_number_id == support::WASENDER_SESSION {
            number.access_token = relay::secret::Secret::new(WASENDER_KEY);
        }
    }
}

/// A WasenderApi session end to end: a signed `messages.received` opens the
/// conversation, a reply goes out through `POST /api/send-message` with the
/// session's key, and the sandbox's `messages.update` webhooks carry it to
/// read; a template (WasenderApi has none) fails for good with a reason.
async fn a_wasender_reply_is_sent_with_the_session_key_and_reaches_read(db: TestDb) {
    let stack = support::spawn_stack(
        db,
        StackOptions {
            tune: wasender_with_a_key,
            ..StackOptions::default()
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    let inbound = json!({
        "event": "messages.received",
        "timestamp": now * 1000,
        "data": {"messages": {
            "key": {"id": "WS-IN-1", "fromMe": false, "remoteJid": "4915100000777@s.whatsapp.net"},
            "pushName": "Wes",
            "messageTimestamp": now,
            "message": {"conversation": "hello from wasender"},
        }},
    });
    let response = stack
        .http
        .post(format!("{}/webhooks/wasender", stack.edge_url("eu")))
        .header("content-type", "application/json")
        .header("x-webhook-signature", support::WASENDER_SECRET)
        .body(inbound.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let conversation = eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|c| c["contact"]["wa_id"] == "4915100000777")
            .and_then(|c| c["id"].as_i64())
    })
    .await;

    let ids = queue_replies(&stack, &[conversation], 1).await;
    let read = eventually(Duration::from_secs(30), "the reply read", || async {
        let row = message::Entity::find_by_id(ids[0])
            .one(&stack.database)
            .await
            .ok()??;
        (row.status == "read").then_some(row)
    })
    .await;
    assert_eq!(read.provider, "wasender");
    let sent = sandbox_messages(&stack).await;
    let ours: Vec<_> = sent
        .iter()
        .filter(|m| m["phone_number_id"] == support::WASENDER_SESSION)
        .collect();
    assert_eq!(ours.len(), 1, "sent exactly once: {sent:?}");
    assert_eq!(ours[0]["to"], "+4915100000777");
    assert_eq!(ours[0]["request"]["text"], "reply 0");
    assert_eq!(
        read.provider_message_id.as_deref(),
        ours[0]["id"].as_str(),
        "statuses matched by the msgId WasenderApi answered"
    );

    // A template cannot go through WasenderApi: failed, with the reason.
    let js = stack.nats.hub_js().await;
    let template = relay::outbound::enqueue_reply(
        &stack.database,
        &js,
        stack.config.topology.partitions,
        conversation,
        None,
        ReplyContent::Template {
            name: "order_update".into(),
            language: "en".into(),
            parameters: vec![],
        },
    )
    .await
    .unwrap();
    let rows = settled(&stack, &[template.id], Duration::from_secs(20)).await;
    let failed = &rows[&template.id];
    assert_eq!(failed.status, "failed");
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("template"),
        "{failed:?}"
    );
}

on_sqlite_and_postgres!(a_wasender_reply_is_sent_with_the_session_key_and_reaches_read);

/// Media by URL through the admin API: Meta gets `type: image` with the
/// link and caption and our id; a non-http URL is a 422 and queues nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_media_reply_reaches_the_provider_by_link() {
    let stack = support::spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let conversation = support::open_conversation(&stack, "4915100000555", "wamid.MEDIA1").await;
    let (status, row) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"media": {"kind": "image", "url": "https://example.com/receipt.jpg", "caption": "Your receipt"}}),
        )
        .await;
    assert_eq!(status, 202, "{row}");
    let id = row["id"].as_i64().unwrap();
    let rows = settled(&stack, &[id], Duration::from_secs(20)).await;
    assert_ne!(rows[&id].status, "failed", "{:?}", rows[&id]);
    let sent = sandbox_messages(&stack).await;
    let id_text = id.to_string();
    let ours: Vec<_> = sent
        .iter()
        .filter(|m| m["request"]["biz_opaque_callback_data"] == id_text.as_str())
        .collect();
    assert_eq!(ours.len(), 1, "{sent:?}");
    assert_eq!(ours[0]["request"]["type"], "image");
    assert_eq!(
        ours[0]["request"]["image"]["link"],
        "https://example.com/receipt.jpg"
    );
    assert_eq!(ours[0]["request"]["image"]["caption"], "Your receipt");

    let before = message::Entity::find()
        .filter(message::Column::Direction.eq("outbound"))
        .all(&stack.database)
        .await
        .unwrap()
        .len();
    let (status, error) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"media": {"kind": "image", "url": "ftp://example.com/a.jpg"}}),
        )
        .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["code"], "invalid_media_url");
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"text": "hi", "media": {"kind": "image", "url": "https://example.com/a.jpg"}}),
        )
        .await;
    assert_eq!(status, 400);
    let after = message::Entity::find()
        .filter(message::Column::Direction.eq("outbound"))
        .all(&stack.database)
        .await
        .unwrap()
        .len();
    assert_eq!(before, after, "refused replies store nothing");
}
