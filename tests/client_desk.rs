//! The agents' desk through the generated client (issue 28): snooze (by an
//! agent, woken by the customer, by the clock, by an agent, ended by a
//! resolve; one waker under concurrent sweeps), on SQLite and PostgreSQL.
//! Refusals are typed `{code, detail}` and change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::num::NonZeroU64;
use std::time::Duration;

use chrono::Utc;
use client_support::*;
use serde_json::json;
use support::*;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(30);

/// The list, awake ones only (`Some(false)`), snoozed ones only
/// (`Some(true)`) or both.
async fn listed(client: &Client, snoozed: Option<bool>) -> Vec<i64> {
    client
        .list_conversations(
            None, None, None, None, None, None, snoozed, None, None, None, None,
        )
        .await
        .unwrap()
        .into_inner()
        .items
        .iter()
        .map(|c| c.id)
        .collect()
}

/// The customer `from` writes `text`; waits until the message is stored
/// and returns the conversation id.
async fn customer_writes(stack: &Stack, admin: &Client, from: &str, wamid: &str) -> i64 {
    let webhook = meta_text(
        PHONE_NUMBER_ID,
        from,
        "Customer",
        wamid,
        "hello?",
        Utc::now().timestamp(),
    );
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    eventually(WAIT, &format!("message {wamid}"), || async {
        let page = admin
            .list_conversations(
                None, None, None, None, None, None, None, None, None, None, None,
            )
            .await
            .ok()?
            .into_inner();
        let conversation = page.items.into_iter().find(|c| c.contact.wa_id == from)?;
        let detail = admin
            .get_conversation(conversation.id)
            .await
            .ok()?
            .into_inner();
        detail
            .messages
            .iter()
            .any(|m| m.provider_message_id.as_deref() == Some(wamid))
            .then_some(conversation.id)
    })
    .await
}

async fn detail(client: &Client, id: i64) -> types::ConversationDetailOut {
    client.get_conversation(id).await.unwrap().into_inner()
}

async fn snooze(
    client: &Client,
    id: i64,
    version: i64,
    until: chrono::DateTime<Utc>,
) -> Result<types::ConversationOut, wharf_client::Error<types::ErrorOut>> {
    client
        .snooze_conversation(
            id,
            &body(json!({"version": version, "until": until.to_rfc3339()})),
        )
        .await
        .map(|r| r.into_inner())
}

/// The end reasons of a conversation's snoozes, oldest first (`open` while
/// one sleeps).
async fn endings(client: &Client, id: i64) -> Vec<String> {
    detail(client, id)
        .await
        .snoozes
        .into_iter()
        .map(|s| s.end_reason.unwrap_or_else(|| "open".into()))
        .collect()
}

async fn audit_of(admin: &Client, id: i64) -> Vec<types::AuditEntryOut> {
    admin
        .list_audit(
            None,
            Some(NonZeroU64::new(200).unwrap()),
            Some(&id.to_string()),
            Some("conversation"),
        )
        .await
        .unwrap()
        .into_inner()
        .items
}

async fn snooze_wakes_on_a_customer_message_on_time_and_by_hand(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let id = customer_writes(&stack, &admin, "4915100000901", "wamid.SNZ1").await;
    let before = detail(&admin, id).await.conversation;
    admin
        .transfer_conversation(
            id,
            &body(json!({"version": before.version, "team_id": care.id, "agent_id": ana_id})),
        )
        .await
        .unwrap();
    let row = detail(&ana, id).await.conversation;
    let events = EventLog::open(url, &log_in(url, "ana@example.com").await).await;

    // Refusals change nothing.
    let later = Utc::now() + chrono::Duration::hours(1);
    refused(
        snooze(&ana, id, row.version - 1, later).await,
        409,
        "conflict",
    );
    refused(
        snooze(
            &ana,
            id,
            row.version,
            Utc::now() - chrono::Duration::minutes(1),
        )
        .await,
        422,
        "invalid_state",
    );
    refused(
        snooze(
            &ana,
            id,
            row.version,
            Utc::now() + chrono::Duration::days(400),
        )
        .await,
        422,
        "invalid_state",
    );
    // A time the typed client would not send, straight over HTTP.
    let bad = reqwest::Client::new()
        .post(format!("{url}/api/v1/conversations/{id}/snooze"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"version": row.version, "until": "tomorrow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let bad: serde_json::Value = bad.json().await.unwrap();
    assert!(
        bad["detail"].as_str().unwrap().contains("date-time"),
        "{bad}"
    );
    refused(
        ana.wake_conversation(id, &body(json!({"version": row.version})))
            .await,
        422,
        "invalid_state",
    );
    refused(snooze(&ana, 999_999, 1, later).await, 404, "not_found");
    let unchanged = detail(&ana, id).await;
    assert_eq!(unchanged.conversation.version, row.version);
    assert!(unchanged.conversation.snoozed_until.is_none());
    assert!(unchanged.snoozes.is_empty());

    // Snoozed: out of the active views, in the snoozed one, still Ana's.
    let snoozed = snooze(&ana, id, row.version, later).await.unwrap();
    assert_eq!(snoozed.version, row.version + 1);
    assert_eq!(
        snoozed.snoozed_until.map(|t| t.timestamp()),
        Some(later.timestamp())
    );
    assert_eq!(snoozed.assignee_id, Some(ana_id));
    assert_eq!(snoozed.status, "assigned");
    assert!(listed(&ana, Some(true)).await.contains(&id));
    assert!(!listed(&ana, Some(false)).await.contains(&id));
    assert!(listed(&ana, None).await.contains(&id));
    let history = detail(&ana, id).await.snoozes;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].agent_id, Some(ana_id));
    assert_eq!(history[0].agent_name.as_deref(), Some("ana"));
    assert!(history[0].ended_at.is_none());

    // The customer writes: it wakes, with a live event and a line.
    customer_writes(&stack, &admin, "4915100000901", "wamid.SNZ2").await;
    let woke = detail(&ana, id).await;
    assert!(
        woke.conversation.snoozed_until.is_none(),
        "the customer woke it"
    );
    assert_eq!(woke.conversation.assignee_id, Some(ana_id));
    assert_eq!(endings(&ana, id).await, ["customer"]);
    assert!(listed(&ana, Some(false)).await.contains(&id));
    assert!(!listed(&ana, Some(true)).await.contains(&id));
    eventually(WAIT, "the woke event", || async {
        events
            .kinds_for(id)
            .iter()
            .any(|k| k == "woke")
            .then_some(())
    })
    .await;

    // Its time passes: the sweep wakes it.
    let soon = Utc::now() + chrono::Duration::seconds(1);
    snooze(&ana, id, woke.conversation.version, soon)
        .await
        .unwrap();
    eventually(WAIT, "the sweep wakes it", || async {
        (endings(&ana, id).await == ["customer", "time"]).then_some(())
    })
    .await;
    assert!(detail(&ana, id).await.conversation.snoozed_until.is_none());
    eventually(WAIT, "two woke events", || async {
        (events.kinds_for(id).iter().filter(|k| *k == "woke").count() == 2).then_some(())
    })
    .await;

    // Snoozed again while asleep (replaced), then woken by hand, then
    // snoozed and resolved.
    let v = detail(&ana, id).await.conversation.version;
    let once = snooze(&ana, id, v, later).await.unwrap();
    let twice = snooze(&ana, id, once.version, later + chrono::Duration::hours(1))
        .await
        .unwrap();
    let awake = ana
        .wake_conversation(id, &body(json!({"version": twice.version})))
        .await
        .unwrap()
        .into_inner();
    assert!(awake.snoozed_until.is_none());
    assert_eq!(awake.version, twice.version + 1);
    let again = snooze(&ana, id, awake.version, later).await.unwrap();
    let resolved = ana
        .resolve_conversation(id, &body(json!({"version": again.version})))
        .await
        .unwrap()
        .into_inner();
    assert!(resolved.snoozed_until.is_none());
    assert_eq!(
        endings(&ana, id).await,
        ["customer", "time", "replaced", "agent", "resolved"]
    );
    refused(
        snooze(&ana, id, resolved.version, later).await,
        422,
        "invalid_state",
    );

    // Audited: the agent's snoozes and wakes, the router's and the sweep's.
    let audit = audit_of(&admin, id).await;
    let count = |action: &str, actor: &str| {
        audit
            .iter()
            .filter(|e| e.action == action && e.actor == actor)
            .count()
    };
    let agent = format!("agent:{ana_id}");
    assert_eq!(count("conversation.snooze", &agent), 5);
    assert_eq!(count("conversation.wake", &agent), 1);
    assert_eq!(count("conversation.wake", "system:router"), 1);
    assert_eq!(count("conversation.wake", "system:sweep"), 1);
}

on_sqlite_and_postgres!(snooze_wakes_on_a_customer_message_on_time_and_by_hand);

/// Due snoozes woken by several concurrent sweeps (and the admin's own):
/// each conversation is woken, recorded and audited exactly once.
async fn due_snoozes_wake_once_under_concurrent_sweeps(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let mut ids = Vec::new();
    for n in 0..6 {
        let id = customer_writes(
            &stack,
            &admin,
            &format!("49151000009{n:02}"),
            &format!("wamid.SWEEP{n}"),
        )
        .await;
        let v = detail(&admin, id).await.conversation.version;
        snooze(&admin, id, v, Utc::now() + chrono::Duration::hours(2))
            .await
            .unwrap();
        ids.push(id);
    }
    // Due now, for every sweeper at once.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    entities::conversation::Entity::update_many()
        .col_expr(
            entities::conversation::Column::SnoozedUntil,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(entities::conversation::Column::Id.is_in(ids.clone()))
        .exec(&stack.database)
        .await
        .unwrap();
    let sweeps = (0..3).map(|_| {
        let db = stack.database.clone();
        tokio::spawn(async move {
            let txn = relay::db::begin_write(&db).await.unwrap();
            let woken = relay::snooze::wake_due(&txn, Utc::now()).await.unwrap();
            txn.commit().await.unwrap();
            woken.into_iter().map(|c| c.id).collect::<Vec<_>>()
        })
    });
    let mut woken: Vec<i64> = Vec::new();
    for sweep in sweeps {
        woken.extend(sweep.await.unwrap());
    }
    let mut once = woken.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(
        once.len(),
        woken.len(),
        "a conversation woken twice: {woken:?}"
    );
    for id in &ids {
        eventually(WAIT, "awake", || async {
            detail(&admin, *id)
                .await
                .conversation
                .snoozed_until
                .is_none()
                .then_some(())
        })
        .await;
        assert_eq!(endings(&admin, *id).await, ["time"]);
        let wakes = audit_of(&admin, *id)
            .await
            .iter()
            .filter(|e| e.action == "conversation.wake")
            .count();
        assert_eq!(wakes, 1, "conversation {id} woken {wakes} times");
    }
    assert!(
        listed(&admin, Some(true)).await.is_empty(),
        "nothing sleeps any more"
    );
}

on_sqlite_and_postgres!(due_snoozes_wake_once_under_concurrent_sweeps);
