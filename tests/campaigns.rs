//! Campaigns (issue 25) end to end on real processes: NATS, SQLite or
//! PostgreSQL, the edges, the router, sender processes and the sandbox
//! provider. A campaign reaches each recipient exactly once through a
//! killed sender and a pause; opted-out contacts are skipped; the
//! provider's throttling slows it while support replies still all go out;
//! its spam-rate refusal pauses it; a per-user marketing limit fails that
//! recipient only; a recipient's reply lands in its conversation and counts
//! as replied. Bad requests change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "support/client.rs"]
mod client;
#[path = "support/procs.rs"]
mod procs;
#[macro_use]
mod support;

use std::collections::HashMap;
use std::time::Duration;

use client::{body, refused};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, APP_SECRET, PHONE_NUMBER_ID, Stack, StackOptions, TestDb, eventually};
use wharf_client::types;

fn admin(stack: &Stack) -> wharf_client::Client {
    client::client_with(&stack.admin_url, ADMIN_TOKEN)
}

fn fast(config: &mut wharf::config::Config) {
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 500;
    config.sender.ack_wait_secs = 3;
    config.sender.campaigns.tick_ms = 100;
    config.sender.campaigns.throttle_hold_ms = 300;
}

/// A stack whose sender retries, redelivers and feeds campaigns quickly.
async fn fast_stack(db: TestDb) -> Stack {
    support::spawn_stack(
        db,
        StackOptions {
            tune: fast,
            ..StackOptions::default()
        },
    )
    .await
}

/// A fast stack that runs no sender (nor its campaign feeder): the test
/// runs its own.
async fn fast_stack_without_sender(db: TestDb) -> Stack {
    support::spawn_stack(
        db,
        StackOptions {
            tune: fast,
            sender: false,
            ..StackOptions::default()
        },
    )
    .await
}

/// The id of the Meta test number.
async fn number_id(stack: &Stack) -> i64 {
    let (_, numbers) = stack.admin_get("/api/v1/numbers").await;
    numbers
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["phone_number_id"] == PHONE_NUMBER_ID)
        .and_then(|n| n["id"].as_i64())
        .unwrap()
}

async fn wasender_number_id(stack: &Stack) -> i64 {
    let (_, numbers) = stack.admin_get("/api/v1/numbers").await;
    numbers
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["provider"] == "wasender")
        .and_then(|n| n["id"].as_i64())
        .unwrap()
}

/// A CSV audience of `phones`, each named `Kunde <i>`.
fn csv(phones: &[String]) -> String {
    let mut text = String::from("phone,name\n");
    for (i, phone) in phones.iter().enumerate() {
        text.push_str(&format!("+{phone},\"Kunde {i}\"\n"));
    }
    text
}

fn campaign_in(number: i64, name: &str, audience: Value) -> types::CampaignIn {
    body(json!({
        "name": name,
        "business_number_id": number,
        "template_name": "order_update",
        "template_language": "en",
        "parameters": ["{{csv.name}}"],
        "audience": audience,
    }))
}

/// A draft campaign of the Meta test number to `phones`.
async fn draft(stack: &Stack, name: &str, phones: &[String]) -> types::CampaignOut {
    let number = number_id(stack).await;
    admin(stack)
        .create_campaign(&campaign_in(number, name, json!({"csv": csv(phones)})))
        .await
        .unwrap()
        .into_inner()
}

async fn campaign(stack: &Stack, id: i64) -> types::CampaignOut {
    admin(stack).get_campaign(id).await.unwrap().into_inner()
}

/// Every recipient of campaign `id`, through the pages.
async fn recipients(stack: &Stack, id: i64) -> Vec<types::RecipientOut> {
    let client = admin(stack);
    let mut all = Vec::new();
    let mut cursor: Option<types::ListCampaignRecipientsCursor> = None;
    loop {
        let page = client
            .list_campaign_recipients(id, cursor.as_ref(), std::num::NonZeroU64::new(1000), None)
            .await
            .unwrap()
            .into_inner();
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next.parse().unwrap()),
            None => return all,
        }
    }
}

/// How many sends the sandbox accepted per message id of ours.
async fn sends_by_message(stack: &Stack) -> HashMap<i64, usize> {
    let sent = stack.sandbox_get("/sandbox/messages").await;
    let mut by = HashMap::new();
    for m in sent.as_array().unwrap() {
        if let Some(id) = m["request"]["biz_opaque_callback_data"]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
        {
            *by.entry(id).or_insert(0) += 1;
        }
    }
    by
}

/// The most sends the sandbox saw for our number within any 1 s.
async fn busiest_second(stack: &Stack) -> usize {
    let arrivals = stack.sandbox_get("/sandbox/arrivals").await;
    let mut at: Vec<i64> = arrivals
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["phone_number_id"] == PHONE_NUMBER_ID)
        .filter_map(|a| a["at_ms"].as_i64())
        .collect();
    at.sort_unstable();
    let mut most = 0;
    let mut start = 0;
    for end in 0..at.len() {
        while at[end] - at[start] >= 1000 {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}

async fn wait_state(stack: &Stack, id: i64, state: &str, wait: Duration) -> types::CampaignOut {
    eventually(wait, &format!("campaign {id} {state}"), || async {
        let c = campaign(stack, id).await;
        (c.state == state).then_some(c)
    })
    .await
}

/// A recipient's row, its message's lifecycle and what the sandbox got for
/// its phone: a failure's explanation.
async fn recipient_story(stack: &Stack, campaign_id: i64, phone: &str) -> String {
    let campaign = campaign(stack, campaign_id).await;
    let recipient = recipients(stack, campaign_id)
        .await
        .into_iter()
        .find(|r| r.phone.as_deref() == Some(phone));
    let lifecycle = match recipient.as_ref().and_then(|r| r.message_id) {
        Some(id) => {
            stack
                .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
                .await
                .1
        }
        None => Value::Null,
    };
    let arrived: Vec<Value> = stack
        .sandbox_get("/sandbox/messages")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == phone)
        .cloned()
        .collect();
    format!(
        "campaign {campaign:?}; recipient {recipient:?}; lifecycle {lifecycle}; sandbox accepted {arrived:?}"
    )
}

fn sent_or_later(c: &types::CampaignCountsOut) -> i64 {
    c.sent + c.delivered + c.read
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_2000_recipient_campaign_sends_each_once_through_a_killed_sender_and_a_pause() {
    let stack = fast_stack_without_sender(TestDb::sqlite()).await;
    let client = admin(&stack);
    let phones: Vec<String> = (0..2005).map(|i| format!("4917100{i:06}")).collect();
    let created = draft(&stack, "spring launch", &phones).await;
    assert_eq!(created.state, "draft");
    assert_eq!(created.counts.recipients, 2005);
    assert_eq!(created.counts.pending, 2005);
    let listed = recipients(&stack, created.id).await;
    assert_eq!(listed.len(), 2005);
    assert_eq!(listed[7].parameters, ["Kunde 7"]);
    // Five customers opt out of marketing after the audience was chosen.
    for r in &listed[100..105] {
        client
            .update_contact(r.contact_id, &body(json!({"marketing_opt_out": true})))
            .await
            .unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("wharf.toml");
    let mut config = stack.config.clone();
    config.ops.sender_listen = "127.0.0.1:0".parse().unwrap();
    config.write_file(&config_file).unwrap();
    let sender = |name: &str| {
        let log = vec![("WHARF__LOG__FILTER".into(), "info".into())];
        procs::role_process(name, &config_file, &["sender"], log)
    };
    let mut first = sender("sender-1");
    let started = client
        .start_campaign(created.id, &body(json!({"version": created.version})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(started.state, "running");
    // A second start (a double click) is refused: the version moved.
    refused(
        client
            .start_campaign(created.id, &body(json!({"version": created.version})))
            .await,
        409,
        "conflict",
    );

    eventually(Duration::from_secs(90), "400 campaign sends", || async {
        (sends_by_message(&stack).await.len() >= 400).then_some(())
    })
    .await;
    first.kill();
    let second = sender("sender-2");
    eventually(Duration::from_secs(60), "sends after the kill", || async {
        (sends_by_message(&stack).await.len() >= 700).then_some(())
    })
    .await;
    let running = campaign(&stack, created.id).await;
    let paused = client
        .pause_campaign(created.id, &body(json!({"version": running.version})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(paused.state, "paused");
    assert_eq!(paused.paused_by.as_deref(), Some("agent"));
    // Held: what was in flight settles, then nothing more goes out.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let held = sends_by_message(&stack).await.len();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sends_by_message(&stack).await.len(),
        held,
        "sent while paused"
    );
    assert!(
        held < 2000,
        "the pause came too late to prove anything: {held}"
    );
    client
        .resume_campaign(created.id, &body(json!({"version": paused.version})))
        .await
        .unwrap();

    let done = wait_state(&stack, created.id, "completed", Duration::from_secs(240)).await;
    let listed = recipients(&stack, created.id).await;
    let ours: Vec<i64> = listed.iter().filter_map(|r| r.message_id).collect();
    let sends = sends_by_message(&stack).await;
    let twice: Vec<_> = sends.iter().filter(|(_, n)| **n > 1).collect();
    if !twice.is_empty() {
        let mut lifecycles = String::new();
        for (id, _) in &twice {
            let (_, lifecycle) = stack
                .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
                .await;
            lifecycles.push_str(&format!("{id}: {lifecycle}\n"));
        }
        panic!(
            "sent twice: {twice:?}\n{lifecycles}--- sender-1 ---\n{}\n--- sender-2 ---\n{}",
            first.log_tail(40),
            second.log_tail(40)
        );
    }
    assert_eq!(ours.len(), 2000);
    assert_eq!(
        ours.iter().filter(|id| sends.contains_key(id)).count(),
        2000,
        "every made message reached the provider once"
    );
    assert_eq!(done.counts.skipped, 5);
    assert!(
        listed
            .iter()
            .filter(|r| r.status == "skipped")
            .all(|r| r.reason.as_deref() == Some("opted_out"))
    );
    assert_eq!(done.counts.failed, 0);
    assert_eq!(done.counts.pending + done.counts.queued, 0);
    // Statuses arrive by webhook; all 2000 reach sent or later.
    eventually(Duration::from_secs(60), "2000 sent or later", || async {
        let c = campaign(&stack, created.id).await;
        (sent_or_later(&c.counts) == 2000).then_some(())
    })
    .await;
    let busiest = busiest_second(&stack).await;
    assert!(busiest <= 80, "{busiest} sends within one second");
    println!("campaign: 2000 sends, busiest second {busiest} (limit 80)");
}

on_sqlite_and_postgres!(support_goes_first_and_the_provider_steers_the_campaign);

async fn support_goes_first_and_the_provider_steers_the_campaign(db: TestDb) {
    let stack = fast_stack(db).await;
    let client = admin(&stack);
    let number = number_id(&stack).await;
    let support = support::open_conversation(&stack, "4915100000999", "wamid.SUP1").await;
    // 40 customers, one at Meta's per-user marketing limit, one whose send
    // trips the number's spam rate limit once.
    let mut phones: Vec<String> = (0..40).map(|i| format!("4917200{i:06}")).collect();
    phones.push("491720131049".into());
    phones.push("491720131048".into());
    let created = client
        .create_campaign(&campaign_in(
            number,
            "feedback",
            json!({"csv": csv(&phones)}),
        ))
        .await
        .unwrap()
        .into_inner();
    // One of them answers STOP before the campaign starts.
    let stop = support::meta_text(
        PHONE_NUMBER_ID,
        "4917200000005",
        "Kunde",
        "wamid.STOP-5",
        " Stop. ",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(stack.post_meta("eu", &stop, APP_SECRET).await.status(), 200);
    let stopping = recipients(&stack, created.id)
        .await
        .into_iter()
        .find(|r| r.phone.as_deref() == Some("4917200000005"))
        .unwrap();
    eventually(Duration::from_secs(30), "the STOP recorded", || async {
        let (_, contact) = stack
            .admin_get(&format!("/api/v1/contacts/{}", stopping.contact_id))
            .await;
        contact["marketing_opt_out_at"].as_str().map(|_| ())
    })
    .await;
    // A fifth of all sends is throttled by the provider, replies included.
    stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&json!({"throttle_rate": 0.2, "retry_after_secs": 1}))
        .send()
        .await
        .unwrap();
    client
        .start_campaign(created.id, &body(json!({"version": created.version})))
        .await
        .unwrap();
    let mut replies = Vec::new();
    for i in 0..10 {
        let reply = client
            .reply_to_conversation(support, &body(json!({"text": format!("support {i}")})))
            .await
            .unwrap()
            .into_inner();
        replies.push(reply.id);
    }
    let waited = tokio::time::timeout(
        Duration::from_secs(60),
        wait_state(&stack, created.id, "paused", Duration::from_secs(90)),
    )
    .await;
    let Ok(paused) = waited else {
        // CI saw this campaign complete unpaused once: say what became of
        // the send that should have paused it.
        let what = recipient_story(&stack, created.id, "491720131048").await;
        panic!("campaign {} never paused: {what}", created.id);
    };
    assert_eq!(paused.paused_by.as_deref(), Some("wharf"));
    assert!(
        paused
            .paused_reason
            .as_deref()
            .unwrap_or_default()
            .contains("131048"),
        "{:?}",
        paused.paused_reason
    );
    client
        .resume_campaign(created.id, &body(json!({"version": paused.version})))
        .await
        .unwrap();
    let done = wait_state(&stack, created.id, "completed", Duration::from_secs(90)).await;
    assert!(done.throttled_count > 0, "no throttled send was counted");
    assert_eq!(done.counts.failed, 1);
    assert_eq!(done.counts.skipped, 1, "the STOP");
    let listed = recipients(&stack, created.id).await;
    let stopped = listed.iter().find(|r| r.id == stopping.id).unwrap();
    assert_eq!(
        (stopped.status.as_str(), stopped.reason.as_deref()),
        ("skipped", Some("opted_out"))
    );
    let limited = listed
        .iter()
        .find(|r| r.phone.as_deref() == Some("491720131049"))
        .unwrap();
    assert_eq!(limited.status, "failed");
    assert!(
        limited
            .reason
            .as_deref()
            .unwrap_or_default()
            .contains("131049")
    );
    eventually(Duration::from_secs(30), "40 sent or later", || async {
        let c = campaign(&stack, created.id).await;
        (sent_or_later(&c.counts) == 40).then_some(())
    })
    .await;
    // Every support reply went out despite the throttling: none failed.
    for id in &replies {
        let status = eventually(Duration::from_secs(30), "the reply sent", || async {
            let (_, lifecycle) = stack
                .admin_get(&format!("/api/v1/messages/{id}/lifecycle"))
                .await;
            let s = lifecycle["message"]["status"].as_str()?.to_owned();
            (s != "queued").then_some(s)
        })
        .await;
        assert_ne!(status, "failed", "support reply {id} failed");
    }
    // No campaign failure is a dead letter (the results say it).
    let (_, letters) = stack.admin_get("/api/v1/dlq?origin=sender").await;
    assert_eq!(letters["total"], 0, "{letters}");

    // A customer answers the campaign: the message lands in the
    // conversation the campaign used, which opens (not "reopens").
    let answering = listed
        .iter()
        .find(|r| r.phone.as_deref() == Some("4917200000003"))
        .unwrap();
    let conversation_id = answering.conversation_id.unwrap();
    let now = chrono::Utc::now().timestamp();
    let text = support::meta_text(
        PHONE_NUMBER_ID,
        "4917200000003",
        "Kunde",
        "wamid.CAMPAIGN-ANSWER",
        "Yes please, tell me more",
        now,
    );
    assert_eq!(stack.post_meta("eu", &text, APP_SECRET).await.status(), 200);
    let replied = eventually(Duration::from_secs(30), "the answer counted", || async {
        let c = campaign(&stack, created.id).await;
        (c.counts.replied == 1).then_some(c)
    })
    .await;
    assert_eq!(replied.counts.replied, 1);
    let row = entities::conversation::Entity::find_by_id(conversation_id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "queued", "the answer put it in the queue");
    assert_eq!(row.reopen_count, 0, "a campaign's conversation opens");
    assert_eq!(row.messages_in, 1);
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{conversation_id}"))
        .await;
    let kinds: Vec<&str> = detail["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("{detail}"))
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"template") && kinds.contains(&"text"),
        "{detail}"
    );
    assert!(
        detail["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["campaign_id"] == created.id),
        "the campaign is the answer's context: {detail}"
    );
    let replied_only = admin(&stack)
        .list_campaign_recipients(created.id, None, None, Some("replied"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replied_only.items.len(), 1);
    assert_eq!(replied_only.items[0].contact_id, answering.contact_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_campaign_requests_change_nothing() {
    let stack = fast_stack_without_sender(TestDb::sqlite()).await;
    let client = admin(&stack);
    let number = number_id(&stack).await;
    let contacts_before = stack.admin_get("/api/v1/contacts").await.1;
    let good = json!({"csv": "phone,name\n+4917300000001,Ana\n+4917300000002,Ben\n"});

    refused(
        client
            .create_campaign(&campaign_in(
                wasender_number_id(&stack).await,
                "wasender",
                good.clone(),
            ))
            .await,
        422,
        "invalid_field",
    );
    refused(
        client
            .create_campaign(&campaign_in(
                number,
                "two audiences",
                json!({"csv": "phone\n+4917300000001\n", "all": true}),
            ))
            .await,
        422,
        "invalid_field",
    );
    let detail = refused(
        client
            .create_campaign(&campaign_in(
                number,
                "bad line",
                json!({"csv": "phone,name\n+4917300000001,Ana\nnot-a-number,Ben\n"}),
            ))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.contains("line 3"), "{detail}");
    let mut unknown = campaign_in(number, "placeholder", good.clone());
    unknown.parameters = vec!["{{csv.surname}}".into()];
    refused(client.create_campaign(&unknown).await, 422, "invalid_field");
    let mut typo = campaign_in(number, "placeholder", good.clone());
    typo.parameters = vec!["{{contcat.name}}".into()];
    refused(client.create_campaign(&typo).await, 422, "invalid_field");
    assert!(
        client
            .list_campaigns(None)
            .await
            .unwrap()
            .into_inner()
            .is_empty(),
        "a refused campaign was stored"
    );
    assert_eq!(
        stack.admin_get("/api/v1/contacts").await.1,
        contacts_before,
        "a refused CSV created contacts"
    );

    // Agents do not run campaigns.
    let (_, agent) =
        client::signed_in(&client, &stack.admin_url, "ana@example.com", "agent", &[]).await;
    refused(agent.list_campaigns(None).await, 403, "forbidden");

    let draft = client
        .create_campaign(&campaign_in(number, "draft", good.clone()))
        .await
        .unwrap()
        .into_inner();
    refused(
        client
            .pause_campaign(draft.id, &body(json!({"version": draft.version})))
            .await,
        422,
        "invalid_transition",
    );
    let renamed = client
        .update_campaign(
            draft.id,
            &body(json!({"version": draft.version, "name": "renamed", "rate_per_second": 5.0})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(renamed.name, "renamed");
    assert_eq!(renamed.rate_per_second, Some(5.0));
    refused(
        client
            .update_campaign(
                draft.id,
                &body(json!({"version": draft.version, "name": "x"})),
            )
            .await,
        409,
        "conflict",
    );
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let scheduled = client
        .start_campaign(
            draft.id,
            &body(json!({"version": renamed.version, "at": later})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(scheduled.state, "scheduled");
    refused(
        client.delete_campaign(draft.id).await,
        422,
        "invalid_transition",
    );
    let cancelled = client
        .cancel_campaign(draft.id, &body(json!({"version": scheduled.version})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cancelled.state, "cancelled");
    assert_eq!(cancelled.counts.cancelled, 2);
    let csv_text = client
        .get_campaign_recipients_csv(draft.id, None)
        .await
        .unwrap()
        .into_inner();
    let bytes: Vec<u8> = futures::StreamExt::collect::<Vec<_>>(csv_text.into_inner())
        .await
        .into_iter()
        .flat_map(|chunk| chunk.unwrap().to_vec())
        .collect();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("recipient_id,contact_id,wa_id,phone,name,status"));
    assert!(
        lines[1].contains(",cancelled,") && lines[1].contains("Ana"),
        "{text}"
    );
    let other = client
        .create_campaign(&campaign_in(number, "to delete", good))
        .await
        .unwrap()
        .into_inner();
    client.delete_campaign(other.id).await.unwrap();
    refused(client.get_campaign(other.id).await, 404, "not_found");
    let all = client
        .list_campaigns(Some("cancelled"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, draft.id);
    let (_, audit) = stack.admin_get("/api/v1/audit?target_type=campaign").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .or(audit.as_array())
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "campaign.create",
        "campaign.update",
        "campaign.start",
        "campaign.cancel",
        "campaign.delete",
    ] {
        assert!(
            actions.contains(&action),
            "{action} not audited: {actions:?}"
        );
    }
}

/// `HH:MM` of `now` moved by `minutes`, in UTC.
fn utc_clock(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .format("%H:%M")
        .to_string()
}

/// A campaign capped far below what its lane could send keeps its messages
/// in the stream until a send is free to take them: each is delivered to
/// the sender once. (Pulled ahead, they waited behind the capped sends in
/// a client buffer past `ack_wait` and were delivered again, each second
/// delivery waiting out the first one's unknown outcome.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rate_capped_campaign_hands_each_message_to_the_sender_once() {
    use async_nats::jetstream::consumer::PullConsumer;
    let stack = fast_stack(TestDb::sqlite()).await;
    let client = admin(&stack);
    let number = number_id(&stack).await;
    // 30 sends at 4 a second take 7.5 s, more than twice `ack_wait` (3 s):
    // all 30 are made at once, 8 are sent at a time.
    let phones: Vec<String> = (0..30).map(|i| format!("4917300{i:06}")).collect();
    let mut request = campaign_in(number, "capped", json!({"csv": csv(&phones)}));
    request.rate_per_second = Some(4.0);
    let created = client.create_campaign(&request).await.unwrap().into_inner();
    client
        .start_campaign(created.id, &body(json!({"version": created.version})))
        .await
        .unwrap();
    let done = wait_state(&stack, created.id, "completed", Duration::from_secs(60)).await;
    assert_eq!(done.counts.failed, 0);
    let js = stack.nats.hub_js().await;
    let mut consumer: PullConsumer = js
        .get_stream(relay::topology::OUTBOUND)
        .await
        .unwrap()
        .get_consumer(relay::topology::CAMPAIGN_SENDER_CONSUMER)
        .await
        .unwrap();
    let info = consumer.info().await.unwrap();
    assert_eq!(
        info.delivered.consumer_sequence, 30,
        "deliveries of the 30 campaign messages"
    );
    let sends = sends_by_message(&stack).await;
    assert_eq!(sends.len(), 30);
    assert!(sends.values().all(|n| *n == 1), "{sends:?}");
}

on_sqlite_and_postgres!(a_campaign_completes_only_with_nothing_pending_or_queued);

/// A campaign completes only when no recipient is left to make and no
/// message left to send, both read where it completes: another sender's
/// feeder may make the last messages between two separate reads.
async fn a_campaign_completes_only_with_nothing_pending_or_queued(db: TestDb) {
    use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
    let stack = fast_stack_without_sender(db).await;
    let client = admin(&stack);
    let phones = ["4917400000001".to_owned(), "4917400000002".to_owned()];
    let created = draft(&stack, "last two", &phones).await;
    client
        .start_campaign(created.id, &body(json!({"version": created.version})))
        .await
        .unwrap();
    let db = &stack.database;
    let complete = || relay::campaigns::complete_if_done(db, created.id);
    assert!(!complete().await.unwrap(), "two recipients pending");
    // A feeder makes both messages: none pending, both queued.
    let js = stack.nats.hub_js().await;
    let settings = relay::campaigns::CampaignSettings::default();
    let made = relay::campaigns::feed_once(db, &js, stack.config.topology.partitions, &settings)
        .await
        .unwrap();
    assert_eq!(made, 2);
    assert!(!complete().await.unwrap(), "two messages queued");
    assert_eq!(campaign(&stack, created.id).await.state, "running");
    // Both sent: now it completes, once.
    entities::message::Entity::update_many()
        .col_expr(entities::message::Column::Status, Expr::value("sent"))
        .filter(entities::message::Column::CampaignId.eq(created.id))
        .exec(db)
        .await
        .unwrap();
    assert!(complete().await.unwrap());
    assert!(!complete().await.unwrap());
    let done = campaign(&stack, created.id).await;
    assert_eq!((done.state.as_str(), done.counts.sent), ("completed", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_send_window_holds_the_campaign_until_its_hours() {
    let stack = fast_stack(TestDb::sqlite()).await;
    let client = admin(&stack);
    let number = number_id(&stack).await;
    let audience = json!({"csv": "phone,name\n+4917300000101,Ana\n+4917300000102,Ben\n"});

    // A window that cannot be read is refused, naming its field; nothing stored.
    for (window, field) in [
        (
            json!({"time_zone": "Mars/Base", "from": "09:00", "to": "17:00"}),
            "send_window.time_zone",
        ),
        (
            json!({"time_zone": "UTC", "days": [8], "from": "09:00", "to": "17:00"}),
            "send_window.days",
        ),
        (
            json!({"time_zone": "UTC", "from": "9am", "to": "17:00"}),
            "send_window.from",
        ),
    ] {
        let mut input = campaign_in(number, "bad window", audience.clone());
        input.send_window = Some(body(window));
        let detail = refused(client.create_campaign(&input).await, 422, "invalid_field");
        assert!(detail.starts_with(field), "{detail}");
    }
    assert!(
        client
            .list_campaigns(None)
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );

    // Hours that begin two hours from now: started, it runs and waits.
    let mut input = campaign_in(number, "evening offer", audience);
    input.send_window = Some(body(json!({
        "time_zone": "UTC", "from": utc_clock(120), "to": utc_clock(180)
    })));
    let created = client.create_campaign(&input).await.unwrap().into_inner();
    assert_eq!(created.window_open, Some(false));
    let started = client
        .start_campaign(created.id, &body(json!({"version": created.version})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(started.state, "running");
    // Many feeder rounds (tick 100 ms) later, nothing is made.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let waiting = campaign(&stack, created.id).await;
    assert_eq!(waiting.state, "running");
    assert_eq!(waiting.counts.pending, 2, "{:?}", waiting.counts);
    assert_eq!(waiting.counts.queued + waiting.counts.sent, 0);
    assert!(
        sends_by_message(&stack).await.is_empty(),
        "sent outside the window"
    );

    // Its hours moved to now (allowed while running): it completes.
    let moved = client
        .update_campaign(
            created.id,
            &body(json!({"version": waiting.version, "send_window": {
                "time_zone": "UTC", "from": utc_clock(-60), "to": utc_clock(60)
            }})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.window_open, Some(true));
    let done = wait_state(&stack, created.id, "completed", Duration::from_secs(60)).await;
    assert_eq!(
        done.counts.sent + done.counts.delivered + done.counts.read,
        2
    );

    // `any_time` drops a window; both at once is refused.
    let mut draft_in = campaign_in(
        number,
        "draft with hours",
        json!({"csv": "phone,name\n+4917300000103,Cy\n"}),
    );
    draft_in.send_window = Some(body(
        json!({"time_zone": "Europe/Berlin", "days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00"}),
    ));
    let draft = client
        .create_campaign(&draft_in)
        .await
        .unwrap()
        .into_inner();
    let window = draft.send_window.as_ref().unwrap();
    assert_eq!(
        (window.time_zone.as_str(), window.days.as_slice()),
        ("Europe/Berlin", &[1, 2, 3, 4, 5][..])
    );
    refused(
        client
            .update_campaign(
                draft.id,
                &body(json!({"version": draft.version, "any_time": true,
                    "send_window": {"time_zone": "UTC", "from": "09:00", "to": "10:00"}})),
            )
            .await,
        422,
        "invalid_field",
    );
    let cleared = client
        .update_campaign(
            draft.id,
            &body(json!({"version": draft.version, "any_time": true})),
        )
        .await
        .unwrap()
        .into_inner();
    assert!(cleared.send_window.is_none() && cleared.window_open.is_none());
}
