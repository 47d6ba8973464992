//! The working side of the admin API driven only through the generated
//! client: conversations (filters, detail, claim, transfer, resolve,
//! reopen, replies, internal notes), message lifecycles, the live event
//! stream, and the dead-letter queue with the alert it fires. Each
//! operation's happy path with its effect, and its refusals (401 / 403 /
//! 404 / 409 / 400-422) as typed `{code, detail}` that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::num::NonZeroU64;
use std::time::Duration;

use admin::alerts::{AlertSettings, Rule, RuleKind};
use client_support::*;
use serde_json::json;
use support::*;
use wharf::config::Config;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(30);

fn version(v: i64) -> types::VersionIn {
    types::VersionIn { version: v }
}

async fn current_version(client: &Client, conversation: i64) -> i64 {
    client
        .get_conversation(conversation)
        .await
        .unwrap()
        .into_inner()
        .conversation
        .version
}

fn stages(life: &types::MessageLifecycleOut) -> Vec<&str> {
    life.stages.iter().map(|s| s.stage.as_str()).collect()
}

/// Waits until message `id` has `stage` in its lifecycle.
async fn lifecycle_with(client: &Client, id: i64, stage: &str) -> types::MessageLifecycleOut {
    eventually(WAIT, &format!("stage {stage} of message {id}"), || async {
        let life = client.get_message_lifecycle(id).await.ok()?.into_inner();
        stages(&life).contains(&stage).then_some(life)
    })
    .await
}

async fn conversations_are_worked_through_the_client(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let anonymous = Client::new(url);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "round_robin"})))
        .await
        .unwrap()
        .into_inner();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let (bo_id, bo) = signed_in(&admin, url, "bo@example.com", "agent", &[care.id]).await;
    let (_, cy) = signed_in(&admin, url, "cy@example.com", "agent", &[]).await;
    let rule = admin
        .create_rule(&body(json!({
            "name": "refunds", "conditions": {"keywords": ["refund"]},
            "action": {"type": "team", "team_id": care.id, "priority": 1},
        })))
        .await
        .unwrap()
        .into_inner();

    // Live events: the admin sees everything, Cy (in no team) nothing of Care's.
    // (A stream is not `Debug`: a success shows as its status.)
    let status = |r: wharf_client::ResponseValue<wharf_client::ByteStream>| r.status();
    refused(
        anonymous.stream_events().await.map(status),
        401,
        "unauthorized",
    );
    refused(
        client_with(url, "not-a-token")
            .stream_events()
            .await
            .map(status),
        401,
        "unauthorized",
    );
    let admin_events = EventLog::open(url, ADMIN_TOKEN).await;
    let cy_events = EventLog::open(url, &log_in(url, "cy@example.com").await).await;

    // A customer asks for a refund: queued for Care (nobody is online).
    let webhook = meta_text(
        PHONE_NUMBER_ID,
        "4915100000501",
        "Rita",
        "wamid.R1",
        "I want a refund",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    let conversation = eventually(WAIT, "the queued conversation", || async {
        admin
            .list_conversations(
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                Some("queued"),
                Some(care.id),
                None,
            )
            .await
            .ok()?
            .into_inner()
            .items
            .into_iter()
            .find(|c| c.contact.wa_id == "4915100000501")
    })
    .await;
    let id = conversation.id;
    assert_eq!(
        (
            conversation.priority,
            conversation.assignee_id,
            conversation.business_number.as_str()
        ),
        (1, None, PHONE_NUMBER_ID)
    );
    assert!(conversation.last_inbound_at.is_some());
    eventually(WAIT, "the message event", || async {
        admin_events
            .kinds_for(id)
            .contains(&"message".to_owned())
            .then_some(())
    })
    .await;
    let other = open_conversation(&stack, "4915100000502", "wamid.R2").await;

    // A customer who last wrote 26 h ago: free-form replies are refused
    // (the 24 h window), templates pass.
    let old = meta_text(
        PHONE_NUMBER_ID,
        "4915100000503",
        "Olga",
        "wamid.R3",
        "are you there?",
        chrono::Utc::now().timestamp() - 26 * 3600,
    );
    assert_eq!(stack.post_meta("eu", &old, APP_SECRET).await.status(), 200);
    let stale = eventually(WAIT, "the old conversation", || async {
        let q: types::ListConversationsQ = "Olga".parse().unwrap();
        admin
            .list_conversations(
                None,
                None,
                None,
                None,
                None,
                Some(&q),
                None,
                None,
                None,
                None,
                None,
            )
            .await
            .ok()?
            .into_inner()
            .items
            .pop()
    })
    .await;
    let detail = refused(
        admin
            .reply_to_conversation(stale.id, &body(json!({"text": "Sorry for the wait"})))
            .await,
        422,
        "window_closed",
    );
    assert!(detail.contains("24"), "{detail}");
    let template = admin
        .reply_to_conversation(
            stale.id,
            &body(json!({"template": {"name": "follow_up", "language": "en", "parameters": ["Olga"]}})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (template.kind.as_str(), template.status.as_str()),
        ("template", "queued")
    );
    let stale_messages = admin
        .get_conversation(stale.id)
        .await
        .unwrap()
        .into_inner()
        .messages;
    assert_eq!(stale_messages.len(), 2, "the refused reply was not stored");

    // Filters and paging.
    let ids =
        |page: types::ConversationPageOut| page.items.iter().map(|c| c.id).collect::<Vec<_>>();
    let by_number = admin
        .list_conversations(
            None,
            None,
            None,
            None,
            Some(PHONE_NUMBER_ID),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ids(by_number), [stale.id, other, id], "newest first");
    let unknown_number = admin
        .list_conversations(
            None,
            None,
            None,
            None,
            Some("999"),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert!(unknown_number.items.is_empty());
    let refund: types::ListConversationsQ = "refund".parse().unwrap();
    let by_text = admin
        .list_conversations(
            None,
            None,
            None,
            None,
            None,
            Some(&refund),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ids(by_text), [id]);
    let first = admin
        .list_conversations(
            None,
            None,
            None,
            NonZeroU64::new(2),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    let cursor: types::ListConversationsCursor =
        first.next_cursor.clone().unwrap().parse().unwrap();
    assert_eq!(ids(first), [stale.id, other]);
    let second = admin
        .list_conversations(
            None,
            Some(&cursor),
            None,
            NonZeroU64::new(2),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert!(second.next_cursor.is_none());
    assert_eq!(ids(second), [id]);
    let detail = refused(
        admin
            .list_conversations(
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                Some("lost"),
                None,
                None,
            )
            .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("status"), "{detail}");
    let detail = refused(
        admin
            .list_conversations(
                None,
                None,
                None,
                NonZeroU64::new(500),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            )
            .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("limit"), "{detail}");
    refused(
        anonymous
            .list_conversations(
                None, None, None, None, None, None, None, None, None, None, None,
            )
            .await,
        401,
        "unauthorized",
    );
    // Agents see their teams' conversations only.
    let anas = ana
        .list_conversations(
            None, None, None, None, None, None, None, None, None, None, None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ids(anas), [id]);
    let cys = cy
        .list_conversations(
            None, None, None, None, None, None, None, None, None, None, None,
        )
        .await
        .unwrap()
        .into_inner();
    assert!(cys.items.is_empty());

    // Detail and the inbound message's lifecycle.
    let detail = ana.get_conversation(id).await.unwrap().into_inner();
    assert_eq!(detail.messages.len(), 1);
    let inbound = &detail.messages[0];
    assert_eq!(
        (
            inbound.direction.as_str(),
            inbound.body.as_deref(),
            inbound.provider_message_id.as_deref()
        ),
        ("inbound", Some("I want a refund"), Some("wamid.R1"))
    );
    refused(cy.get_conversation(id).await, 403, "forbidden");
    refused(admin.get_conversation(99_999_999).await, 404, "not_found");
    refused(anonymous.get_conversation(id).await, 401, "unauthorized");
    let life = lifecycle_with(&ana, inbound.id, "routed").await;
    assert_eq!(&stages(&life)[..3], ["received", "stored", "routed"]);
    assert_eq!(life.conversation_id, id);
    assert_eq!(life.message.id, inbound.id);
    assert_eq!(life.stages[0].detail["region"], "eu");
    refused(cy.get_message_lifecycle(inbound.id).await, 403, "forbidden");
    let detail = refused(
        admin.get_message_lifecycle(99_999_999).await,
        404,
        "not_found",
    );
    assert!(detail.contains("message"), "{detail}");
    refused(
        anonymous.get_message_lifecycle(inbound.id).await,
        401,
        "unauthorized",
    );

    // Claim: for oneself, with the version read.
    let v = conversation.version;
    let claim = |version: i64, agent_id: Option<i64>| types::ClaimIn { agent_id, version };
    refused(
        cy.claim_conversation(id, &claim(v, None)).await,
        403,
        "forbidden",
    );
    let detail = refused(
        ana.claim_conversation(id, &claim(v, Some(bo_id))).await,
        403,
        "forbidden",
    );
    assert!(detail.contains("themselves"), "{detail}");
    let detail = refused(
        admin.claim_conversation(id, &claim(v, None)).await,
        400,
        "invalid_body",
    );
    assert!(detail.contains("agent_id"), "{detail}");
    refused(
        ana.claim_conversation(id, &claim(v - 1, None)).await,
        409,
        "conflict",
    );
    let detail = refused(
        admin.claim_conversation(id, &claim(v, Some(777_777))).await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("agent_id:"), "{detail}");
    refused(
        ana.claim_conversation(99_999_999, &claim(v, None)).await,
        404,
        "not_found",
    );
    refused(
        anonymous.claim_conversation(id, &claim(v, None)).await,
        401,
        "unauthorized",
    );
    assert_eq!(
        current_version(&admin, id).await,
        v,
        "refusals change nothing"
    );
    let claimed = ana
        .claim_conversation(id, &claim(v, None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            claimed.status.as_str(),
            claimed.assignee_id,
            claimed.version
        ),
        ("assigned", Some(ana_id), v + 1)
    );
    refused(
        ana.claim_conversation(id, &claim(claimed.version, None))
            .await,
        422,
        "invalid_state",
    );
    let mine = admin
        .list_conversations(
            Some(ana_id),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some("assigned"),
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ids(mine), [id]);

    // Internal notes: the team reads them; never sent, never a message.
    let note = ana
        .add_conversation_note(id, &body(json!({"body": "Customer is upset"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (note.author_id, note.author.clone(), note.conversation_id),
        (Some(ana_id), format!("agent:{ana_id}"), id)
    );
    let by_token = admin
        .add_conversation_note(id, &body(json!({"body": "Refund approved"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (by_token.author_id, by_token.author.as_str()),
        (None, "token:test")
    );
    let notes = bo.list_conversation_notes(id).await.unwrap().into_inner();
    assert_eq!(
        notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        ["Customer is upset", "Refund approved"]
    );
    refused(cy.list_conversation_notes(id).await, 403, "forbidden");
    refused(
        cy.add_conversation_note(id, &body(json!({"body": "peek"})))
            .await,
        403,
        "forbidden",
    );
    let detail = refused(
        ana.add_conversation_note(id, &body(json!({"body": "   "})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("body:"), "{detail}");
    refused(
        admin.list_conversation_notes(99_999_999).await,
        404,
        "not_found",
    );
    refused(
        admin
            .add_conversation_note(99_999_999, &body(json!({"body": "x"})))
            .await,
        404,
        "not_found",
    );
    refused(
        anonymous.list_conversation_notes(id).await,
        401,
        "unauthorized",
    );
    refused(
        anonymous
            .add_conversation_note(id, &body(json!({"body": "x"})))
            .await,
        401,
        "unauthorized",
    );
    assert_eq!(
        admin
            .list_conversation_notes(id)
            .await
            .unwrap()
            .into_inner()
            .len(),
        2
    );

    // A reply: queued, then sent through the sandbox, with its lifecycle.
    let reply = ana
        .reply_to_conversation(id, &body(json!({"text": "Your refund is on its way."})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            reply.direction.as_str(),
            reply.status.as_str(),
            reply.kind.as_str()
        ),
        ("outbound", "queued", "text")
    );
    let detail = refused(
        ana.reply_to_conversation(
            id,
            &body(json!({"text": "x", "template": {"name": "t", "language": "en"}})),
        )
        .await,
        400,
        "invalid_body",
    );
    assert!(detail.contains("exactly one"), "{detail}");
    refused(
        ana.reply_to_conversation(id, &body(json!({}))).await,
        400,
        "invalid_body",
    );
    refused(
        ana.reply_to_conversation(
            id,
            &body(json!({"media": {"kind": "image", "url": "ftp://example.com/a.png"}})),
        )
        .await,
        422,
        "invalid_media_url",
    );
    refused(
        cy.reply_to_conversation(id, &body(json!({"text": "hi"})))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .reply_to_conversation(99_999_999, &body(json!({"text": "hi"})))
            .await,
        404,
        "not_found",
    );
    refused(
        anonymous
            .reply_to_conversation(id, &body(json!({"text": "hi"})))
            .await,
        401,
        "unauthorized",
    );
    let life = lifecycle_with(&admin, reply.id, "sent").await;
    assert_eq!(stages(&life)[0], "queued");
    let messages = admin
        .get_conversation(id)
        .await
        .unwrap()
        .into_inner()
        .messages;
    assert_eq!(
        messages
            .iter()
            .map(|m| m.direction.as_str())
            .collect::<Vec<_>>(),
        ["inbound", "outbound"],
        "one reply, no note among the messages"
    );

    // Transfer: to Bo; unknown targets and stale versions are refused.
    let v = current_version(&admin, id).await;
    let transfer = |version: i64, team_id: Option<i64>, agent_id: Option<i64>| types::TransferIn {
        agent_id,
        team_id,
        version,
    };
    let detail = refused(
        ana.transfer_conversation(id, &transfer(v, None, None))
            .await,
        400,
        "invalid_body",
    );
    assert!(detail.contains("team_id"), "{detail}");
    refused(
        ana.transfer_conversation(id, &transfer(v - 1, None, Some(bo_id)))
            .await,
        409,
        "conflict",
    );
    let detail = refused(
        admin
            .transfer_conversation(id, &transfer(v, Some(777_777), None))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("team_id:"), "{detail}");
    let detail = refused(
        admin
            .transfer_conversation(id, &transfer(v, None, Some(777_777)))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("agent_id:"), "{detail}");
    refused(
        cy.transfer_conversation(id, &transfer(v, None, Some(bo_id)))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .transfer_conversation(99_999_999, &transfer(v, None, Some(bo_id)))
            .await,
        404,
        "not_found",
    );
    refused(
        anonymous
            .transfer_conversation(id, &transfer(v, None, Some(bo_id)))
            .await,
        401,
        "unauthorized",
    );
    assert_eq!(
        current_version(&admin, id).await,
        v,
        "refusals change nothing"
    );
    let moved = ana
        .transfer_conversation(id, &transfer(v, None, Some(bo_id)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (moved.status.as_str(), moved.assignee_id, moved.team_id),
        ("assigned", Some(bo_id), Some(care.id))
    );
    // Back to the team's queue: nobody is online, so it waits there.
    let queued = admin
        .transfer_conversation(id, &transfer(moved.version, Some(care.id), None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (queued.status.as_str(), queued.assignee_id),
        ("queued", None)
    );

    // Coming online takes the waiting conversation.
    let online = ana
        .set_agent_presence(ana_id, &body(json!({"presence": "online"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(online.assigned, vec![id]);
    let now = admin
        .get_conversation(id)
        .await
        .unwrap()
        .into_inner()
        .conversation;
    assert_eq!(
        (now.status.as_str(), now.assignee_id),
        ("assigned", Some(ana_id))
    );

    // What is in use cannot be deleted.
    let detail = refused(admin.delete_agent(ana_id).await, 409, "conflict");
    assert!(detail.contains("open conversation"), "{detail}");
    let detail = refused(admin.delete_team(care.id).await, 409, "conflict");
    assert!(detail.contains("refunds"), "{detail}");
    admin.delete_rule(rule.id).await.unwrap();
    let detail = refused(admin.delete_team(care.id).await, 409, "conflict");
    assert!(detail.contains("open conversation"), "{detail}");

    // Resolve.
    let v = now.version;
    refused(
        ana.resolve_conversation(id, &version(v - 1)).await,
        409,
        "conflict",
    );
    refused(
        cy.resolve_conversation(id, &version(v)).await,
        403,
        "forbidden",
    );
    refused(
        admin.resolve_conversation(99_999_999, &version(v)).await,
        404,
        "not_found",
    );
    refused(
        anonymous.resolve_conversation(id, &version(v)).await,
        401,
        "unauthorized",
    );
    let resolved = ana
        .resolve_conversation(id, &version(v))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (resolved.status.as_str(), resolved.version),
        ("resolved", v + 1)
    );
    refused(
        ana.resolve_conversation(id, &version(resolved.version))
            .await,
        422,
        "invalid_state",
    );
    refused(
        ana.transfer_conversation(id, &transfer(resolved.version, None, Some(bo_id)))
            .await,
        422,
        "invalid_state",
    );

    // Reopen: back to the team's queue (Ana went offline, so it waits).
    ana.set_agent_presence(ana_id, &body(json!({"presence": "offline"})))
        .await
        .unwrap();
    let v = resolved.version;
    refused(
        bo.reopen_conversation(id, &version(v - 1)).await,
        409,
        "conflict",
    );
    refused(
        cy.reopen_conversation(id, &version(v)).await,
        403,
        "forbidden",
    );
    refused(
        admin.reopen_conversation(99_999_999, &version(v)).await,
        404,
        "not_found",
    );
    refused(
        anonymous.reopen_conversation(id, &version(v)).await,
        401,
        "unauthorized",
    );
    let reopened = bo
        .reopen_conversation(id, &version(v))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            reopened.status.as_str(),
            reopened.assignee_id,
            reopened.team_id
        ),
        ("queued", None, Some(care.id))
    );
    refused(
        bo.reopen_conversation(id, &version(reopened.version)).await,
        422,
        "invalid_state",
    );

    // Resolved again, nothing holds Ana or Care any more.
    admin
        .resolve_conversation(id, &version(reopened.version))
        .await
        .unwrap();
    admin.delete_agent(ana_id).await.unwrap();
    admin.delete_team(care.id).await.unwrap();

    // The event stream carried every change; Cy's carried none of them.
    let expected = [
        "message",
        "claimed",
        "note",
        "transferred",
        "resolved",
        "reopened",
    ];
    let kinds = eventually(WAIT, "every change as a live event", || async {
        let kinds = admin_events.kinds_for(id);
        expected
            .iter()
            .all(|k| kinds.iter().any(|got| got == k))
            .then_some(kinds)
    })
    .await;
    assert!(
        kinds.iter().filter(|k| *k == "resolved").count() >= 2,
        "{kinds:?}"
    );
    assert!(
        admin_events
            .events()
            .iter()
            .any(|e| e.conversation_id == other),
        "the other conversation's events too"
    );
    assert!(
        cy_events.kinds_for(id).is_empty(),
        "an agent outside the team sees none: {:?}",
        cy_events.events()
    );
}

on_sqlite_and_postgres!(conversations_are_worked_through_the_client);

/// Sender settings that make provider faults cheap to wait out.
fn quick_retries(config: &mut Config) {
    config.sender.max_attempts = 3;
    config.sender.ack_wait_secs = 4;
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 400;
    config.sender.request_timeout_ms = 400;
    config.sender.timeout_retry_floor_ms = 1000;
}

/// One rule: any new dead letter fires (and keeps firing for a minute).
fn dead_letter_alerts() -> AlertSettings {
    AlertSettings {
        enabled: true,
        interval_ms: 200,
        edge_metrics_urls: Vec::new(),
        sinks: Vec::new(),
        rules: vec![Rule {
            name: "dead-letters".into(),
            kind: RuleKind::DlqInflow,
            threshold: 0.0,
            for_secs: 0,
            clear_secs: Some(0),
            severity: "ticket".into(),
            stream: None,
            consumer: None,
            window_secs: Some(60),
            reasons: Vec::new(),
            min_events: None,
            numbers: Vec::new(),
            hours_utc: None,
        }],
    }
}

async fn set_faults(stack: &Stack, faults: serde_json::Value) {
    let response = stack
        .http
        .put(format!("{}/sandbox/faults", stack.sandbox_url))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

async fn dead_letters_are_handled_through_the_client(db: TestDb) {
    let stack = spawn_stack(
        db,
        StackOptions {
            tune: quick_retries,
            alerts: Some(dead_letter_alerts()),
            ..StackOptions::default()
        },
    )
    .await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let anonymous = Client::new(url);
    let (_, sue) = signed_in(&admin, url, "sue@example.com", "supervisor", &[]).await;
    let (_, agent) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;

    // Replies to a recipient the provider refuses for good, and replies
    // while the provider is down: four dead letters.
    let undeliverable = open_conversation(&stack, "4915100131026", "wamid.D1").await;
    let good = open_conversation(&stack, "4915100000601", "wamid.D2").await;
    let mut refused_replies = Vec::new();
    for text in ["first", "second"] {
        let reply = admin
            .reply_to_conversation(undeliverable, &body(json!({"text": text})))
            .await
            .unwrap()
            .into_inner();
        refused_replies.push(reply.id);
    }
    let reason_131026 = Some("provider_131026");
    eventually(WAIT, "two undeliverable letters", || async {
        let page = admin
            .list_dead_letters(None, None, None, None, reason_131026, None, None, None)
            .await
            .ok()?
            .into_inner();
        (page.total == 2).then_some(())
    })
    .await;
    set_faults(&stack, json!({"error_rate": 1.0})).await;
    let mut down_replies = Vec::new();
    for text in ["third", "fourth"] {
        let reply = admin
            .reply_to_conversation(good, &body(json!({"text": text})))
            .await
            .unwrap()
            .into_inner();
        down_replies.push(reply.id);
    }
    let page = eventually(WAIT, "four letters", || async {
        let page = admin
            .list_dead_letters(None, None, None, None, None, None, None, None)
            .await
            .ok()?
            .into_inner();
        (page.total == 4).then_some(page)
    })
    .await;
    assert_eq!(page.items.len(), 4);
    assert!(page.next_cursor.is_none());
    for letter in &page.items {
        assert_eq!(
            (
                letter.origin.as_str(),
                letter.status.as_str(),
                letter.business_number.as_deref()
            ),
            ("sender", "pending", Some(PHONE_NUMBER_ID))
        );
        assert!(letter.first_failed_at.is_some() && letter.last_failed_at.is_some());
    }

    // The failed reply's lifecycle ends in the DLQ.
    let life = lifecycle_with(&admin, down_replies[0], "dead_lettered").await;
    assert_eq!(life.message.status, "failed");

    // A new dead letter fires the alert.
    let alerts = eventually(WAIT, "the dead-letter alert", || async {
        let alerts = agent.list_alerts(None).await.ok()?.into_inner();
        (!alerts.firing.is_empty()).then_some(alerts)
    })
    .await;
    let fired = &alerts.firing[0];
    assert_eq!(
        (fired.rule.as_str(), fired.kind.as_str(), fired.state),
        ("dead-letters", "dlq_inflow", types::AlertState::Firing)
    );
    assert!(fired.value > 0.0 && fired.fired_at.is_some(), "{fired:?}");

    // Filters and paging.
    let total = |page: types::DeadLetterPageOut| page.total;
    let list = |origin: Option<&'static str>,
                reason: Option<&'static str>,
                status: Option<&'static str>| {
        let sue = &sue;
        async move {
            sue.list_dead_letters(None, None, None, origin, reason, None, status, None)
                .await
                .unwrap()
                .into_inner()
        }
    };
    assert_eq!(total(list(Some("sender"), None, None).await), 4);
    assert_eq!(total(list(Some("router"), None, None).await), 0);
    assert_eq!(total(list(None, Some("provider_131000"), None).await), 2);
    assert_eq!(total(list(None, None, Some("pending")).await), 4);
    let by_number = sue
        .list_dead_letters(
            None,
            None,
            Some(PHONE_NUMBER_ID),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_number.total, 4);
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let since_later = sue
        .list_dead_letters(None, None, None, None, None, Some(&later), None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((since_later.total, since_later.items.len()), (0, 0));
    let until_later = sue
        .list_dead_letters(None, None, None, None, None, None, None, Some(&later))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(until_later.total, 4);
    let first = sue
        .list_dead_letters(None, NonZeroU64::new(3), None, None, None, None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!((first.items.len(), first.total), (3, 4));
    let cursor: types::ListDeadLettersCursor = first.next_cursor.clone().unwrap().parse().unwrap();
    let rest = sue
        .list_dead_letters(
            Some(&cursor),
            NonZeroU64::new(3),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next_cursor.is_none());
    assert!(first.items.iter().all(|l| l.id != rest.items[0].id));
    let detail = refused(
        sue.list_dead_letters(
            None,
            NonZeroU64::new(500),
            None,
            None,
            None,
            None,
            None,
            None,
        )
        .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("limit"), "{detail}");
    refused(
        agent
            .list_dead_letters(None, None, None, None, None, None, None, None)
            .await,
        403,
        "forbidden",
    );
    refused(
        anonymous
            .list_dead_letters(None, None, None, None, None, None, None, None)
            .await,
        401,
        "unauthorized",
    );

    // Inspect: the original bytes and headers are kept.
    let down_letters = list(None, Some("provider_131000"), None).await.items;
    let letter = &down_letters[0];
    assert_eq!(letter.attempts, 3);
    assert!(letter.error.contains("HTTP 50"), "{}", letter.error);
    let inspected = sue.get_dead_letter(letter.id).await.unwrap().into_inner();
    assert_eq!(inspected.letter.id, letter.id);
    let payload: serde_json::Value = serde_json::from_str(&inspected.payload).unwrap();
    let message_id = payload["message_id"].as_i64().unwrap();
    assert!(down_replies.contains(&message_id), "{payload}");
    let names: Vec<&str> = inspected.headers.iter().map(|h| h.name.as_str()).collect();
    assert!(names.contains(&"Wharf-Origin-Subject"), "{names:?}");
    refused(sue.get_dead_letter(99_999_999).await, 404, "not_found");
    refused(agent.get_dead_letter(letter.id).await, 403, "forbidden");
    refused(
        anonymous.get_dead_letter(letter.id).await,
        401,
        "unauthorized",
    );

    // Discard one undeliverable letter; it cannot be replayed any more.
    let undeliverable_letters = list(None, reason_131026, None).await.items;
    let (discard_me, replay_me) = (&undeliverable_letters[0], &undeliverable_letters[1]);
    let payload = sue
        .get_dead_letter(discard_me.id)
        .await
        .unwrap()
        .into_inner()
        .payload;
    let payload: serde_json::Value = serde_json::from_str(&payload).unwrap();
    assert!(
        refused_replies.contains(&payload["message_id"].as_i64().unwrap()),
        "{payload}"
    );
    refused(
        agent.discard_dead_letter(discard_me.id).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.discard_dead_letter(discard_me.id).await,
        401,
        "unauthorized",
    );
    refused(sue.discard_dead_letter(99_999_999).await, 404, "not_found");
    let discarded = sue
        .discard_dead_letter(discard_me.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(discarded.status, "discarded");
    refused(
        sue.discard_dead_letter(discard_me.id).await,
        409,
        "conflict",
    );
    refused(sue.replay_dead_letter(discard_me.id).await, 409, "conflict");
    assert_eq!(total(list(None, None, Some("discarded")).await), 1);

    // The provider is back, but not for this recipient: a replay of the
    // other letter fails again and comes back to the same letter.
    set_faults(&stack, json!({})).await;
    refused(
        agent.replay_dead_letter(replay_me.id).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.replay_dead_letter(replay_me.id).await,
        401,
        "unauthorized",
    );
    refused(sue.replay_dead_letter(99_999_999).await, 404, "not_found");
    let replayed = sue
        .replay_dead_letter(replay_me.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (replayed.status.as_str(), replayed.replay_count),
        ("replayed", 1)
    );
    let back = eventually(WAIT, "the replay to fail again", || async {
        let letter = sue
            .get_dead_letter(replay_me.id)
            .await
            .ok()?
            .into_inner()
            .letter;
        (letter.status == "pending").then_some(letter)
    })
    .await;
    assert_eq!(back.replay_count, 1);
    assert_eq!(back.history.as_array().map(Vec::len), Some(1));
    assert_eq!(total(list(None, None, None).await), 4, "no new letter");

    // Bulk replay: a dry run counts and changes nothing.
    let bulk = |dry_run: Option<bool>| {
        let mut filter =
            json!({"origin": "sender", "reason": "provider_131000", "number": PHONE_NUMBER_ID});
        if let Some(dry_run) = dry_run {
            filter["dry_run"] = json!(dry_run);
        }
        body::<types::DlqReplayIn>(filter)
    };
    refused(
        agent.replay_dead_letters(&bulk(None)).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.replay_dead_letters(&bulk(None)).await,
        401,
        "unauthorized",
    );
    let dry = sue
        .replay_dead_letters(&bulk(None))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((dry.matched, dry.replayed, dry.dry_run), (2, 0, true));
    assert_eq!(
        total(list(None, Some("provider_131000"), Some("pending")).await),
        2,
        "a dry run replays nothing"
    );
    // The real replay sends both.
    let done = sue
        .replay_dead_letters(&bulk(Some(false)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((done.matched, done.replayed, done.dry_run), (2, 2, false));
    for id in &down_replies {
        let life = lifecycle_with(&admin, *id, "sent").await;
        let order = stages(&life);
        let replayed = order.iter().position(|s| *s == "replayed").unwrap();
        let sent = order.iter().rposition(|s| *s == "sent").unwrap();
        assert!(replayed < sent, "{order:?}");
    }
    assert_eq!(
        total(list(None, Some("provider_131000"), Some("replayed")).await),
        2
    );
    let again = sue
        .replay_dead_letters(&bulk(Some(false)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (again.matched, again.replayed),
        (0, 0),
        "nothing pending left"
    );

    // Stats count the outcomes.
    let stats = admin.get_stats().await.unwrap().into_inner();
    let dlq = stats.streams.iter().find(|s| s.name == "DLQ").unwrap();
    assert!(
        dlq.messages >= 5,
        "four letters and one failed replay: {dlq:?}"
    );
    let rate = stats.deliveries.success_rate.unwrap();
    assert!(rate > 0.0 && rate < 1.0, "{rate}");
}

on_sqlite_and_postgres!(dead_letters_are_handled_through_the_client);

/// Dead letter `id` as the API shows it.
async fn dead_letter(client: &Client, id: i64) -> types::DeadLetterOut {
    client
        .get_dead_letter(id)
        .await
        .unwrap()
        .into_inner()
        .letter
}

/// A failed reply retried from the API: a new reply with the same text is
/// sent once, the original's dead letter is discarded (a later replay
/// cannot send it twice), the audit entry links them; an inbound message, a
/// reply that did not fail and a second retry are refused with 409.
async fn a_failed_reply_is_retried_once_and_its_dead_letter_discarded(db: TestDb) {
    let stack = spawn_stack(
        db,
        StackOptions {
            tune: quick_retries,
            ..StackOptions::default()
        },
    )
    .await;
    let admin = client_with(&stack.admin_url, ADMIN_TOKEN);
    let conversation = open_conversation(&stack, "4915100000611", "wamid.R1").await;
    set_faults(&stack, json!({"error_rate": 1.0})).await;
    let failed = admin
        .reply_to_conversation(
            conversation,
            &body(json!({"text": "Your parcel left today"})),
        )
        .await
        .unwrap()
        .into_inner();
    let life = lifecycle_with(&admin, failed.id, "dead_lettered").await;
    assert_eq!(life.message.status, "failed");
    let letter = eventually(WAIT, "the letter's index row", || async {
        let page = admin
            .list_dead_letters(None, None, None, None, None, None, None, None)
            .await
            .ok()?
            .into_inner();
        page.items.into_iter().next()
    })
    .await;
    assert_eq!(letter.status, "pending");

    let inbound = admin
        .get_conversation(conversation)
        .await
        .unwrap()
        .into_inner()
        .messages
        .into_iter()
        .find(|m| m.direction == "inbound")
        .unwrap();
    refused(admin.retry_message(inbound.id).await, 409, "conflict");
    refused(admin.retry_message(987_654).await, 404, "not_found");

    set_faults(&stack, json!({})).await;
    let retry = admin.retry_message(failed.id).await.unwrap().into_inner();
    assert_ne!(retry.id, failed.id);
    assert_eq!(retry.body.as_deref(), Some("Your parcel left today"));
    lifecycle_with(&admin, retry.id, "sent").await;
    refused(admin.retry_message(failed.id).await, 409, "conflict");
    refused(admin.retry_message(retry.id).await, 409, "conflict");

    let letter = dead_letter(&admin, letter.id).await;
    assert_eq!(letter.status, "discarded");
    let original = admin
        .get_message_lifecycle(failed.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        original.message.status, "failed",
        "the original stays failed"
    );
    let trail = admin
        .list_audit(None, None, Some(&failed.id.to_string()), Some("message"))
        .await
        .unwrap()
        .into_inner()
        .items;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "message.retry");
    assert_eq!(trail[0].detail["retry_message_id"], retry.id);
    assert_eq!(trail[0].detail["dead_letter_id"], letter.id);

    // A retry made before the sender recorded the letter's stage finds no
    // letter to discard: such a letter, still pending, is never replayed,
    // alone or in bulk (the customer would get the text twice).
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        entities::dead_letter::Entity::update_many()
            .col_expr(
                entities::dead_letter::Column::Status,
                Expr::value("pending"),
            )
            .filter(entities::dead_letter::Column::Id.eq(letter.id))
            .exec(&stack.database)
            .await
            .unwrap();
    }
    let detail = refused(admin.replay_dead_letter(letter.id).await, 409, "conflict");
    assert!(
        detail.contains(&format!("retried as message {}", retry.id)),
        "{detail}"
    );
    let bulk = admin
        .replay_dead_letters(&body(json!({"origin": "sender", "dry_run": false})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((bulk.matched, bulk.replayed), (1, 0));
    let letter = dead_letter(&admin, letter.id).await;
    assert_eq!(letter.status, "pending", "a refused replay changes nothing");
    let original = admin
        .get_message_lifecycle(failed.id)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(original.message.status, "failed");
    assert!(!stages(&original).contains(&"replayed"), "{original:?}");
}

on_sqlite_and_postgres!(a_failed_reply_is_retried_once_and_its_dead_letter_discarded);
