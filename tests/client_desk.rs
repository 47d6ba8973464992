//! The agents' desk through the generated client (issue 28): snooze (by an
//! agent, woken by the customer, by the clock, by an agent, ended by a
//! resolve; one waker under concurrent sweeps; skipped by the queues), bulk
//! actions with per-row conflicts, presence from heartbeats, agents'
//! activity on the live stream; on SQLite and PostgreSQL.
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

/// A team named `name` with `strategy`.
async fn team(admin: &Client, name: &str, strategy: &str) -> types::TeamOut {
    admin
        .create_team(&body(json!({"name": name, "strategy": strategy})))
        .await
        .unwrap()
        .into_inner()
}

/// A stack, the admin's client and a team "Care" with `strategy`.
async fn desk(
    db: TestDb,
    options: StackOptions,
    strategy: &str,
) -> (Stack, Client, types::TeamOut) {
    let stack = spawn_stack(db, options).await;
    let admin = client_with(&stack.admin_url, ADMIN_TOKEN);
    let care = team(&admin, "Care", strategy).await;
    (stack, admin, care)
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
    let (stack, admin, care) = desk(db, StackOptions::default(), "manual").await;
    let url = stack.admin_url.as_str();
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
    assert_eq!(bad["code"], "invalid_body", "{bad}");
    assert!(
        bad["detail"].as_str().unwrap().starts_with("until:"),
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

async fn bulk(
    client: &Client,
    request: serde_json::Value,
) -> Result<types::BulkOut, wharf_client::Error<types::ErrorOut>> {
    client
        .bulk_conversations(&body(request))
        .await
        .map(|r| r.into_inner())
}

fn row(out: &types::BulkOut, id: i64) -> &types::BulkRowOut {
    out.rows.iter().find(|r| r.id == id).unwrap()
}

/// Bulk assign, label and resolve: each row applied whole with its own
/// version check and audit entry, a stale or foreign row reported, not
/// applied; a bad request changes nothing.
async fn bulk_actions_apply_per_row_and_report_conflicts(db: TestDb) {
    let (stack, admin, care) = desk(db, StackOptions::default(), "manual").await;
    let url = stack.admin_url.as_str();
    let sales = team(&admin, "Sales", "manual").await;
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let vip = admin
        .create_label(&body(json!({"name": "vip", "color": "#7f56d9"})))
        .await
        .unwrap()
        .into_inner();
    let mut ids = Vec::new();
    for n in 0..4 {
        let id = customer_writes(
            &stack,
            &admin,
            &format!("49151000008{n:02}"),
            &format!("wamid.BULK{n}"),
        )
        .await;
        ids.push(id);
    }
    // Three in Care's queue (Ana sees them), one in Sales's (she does not).
    for (i, id) in ids.iter().enumerate() {
        let v = detail(&admin, *id).await.conversation.version;
        let team = if i == 3 { sales.id } else { care.id };
        admin
            .transfer_conversation(*id, &body(json!({"version": v, "team_id": team})))
            .await
            .unwrap();
    }
    let version = |c: &types::ConversationOut| c.version;
    let mut versions = Vec::new();
    for id in &ids {
        versions.push(version(&detail(&admin, *id).await.conversation));
    }

    // Refused whole: nothing changes.
    let items = |vs: &[i64]| -> Vec<serde_json::Value> {
        ids.iter()
            .zip(vs)
            .map(|(id, v)| json!({"id": id, "version": v}))
            .collect()
    };
    refused(
        bulk(&ana, json!({"action": "assign", "items": []})).await,
        400,
        "invalid_body",
    );
    refused(
        bulk(&ana, json!({"action": "assign", "items": items(&versions)})).await,
        400,
        "invalid_body",
    );
    refused(
        bulk(
            &ana,
            json!({"action": "label_add", "items": [{"id": ids[0], "version": versions[0]}, {"id": ids[0], "version": versions[0]}], "label_id": vip.id}),
        )
        .await,
        400,
        "invalid_body",
    );
    refused(
        bulk(
            &ana,
            json!({"action": "assign", "items": items(&versions), "agent_id": 999_999}),
        )
        .await,
        422,
        "invalid_field",
    );
    refused(
        bulk(
            &ana,
            json!({"action": "label_add", "items": items(&versions), "label_id": 999_999}),
        )
        .await,
        422,
        "invalid_field",
    );
    for (id, v) in ids.iter().zip(&versions) {
        let c = detail(&admin, *id).await.conversation;
        assert_eq!((c.version, c.assignee_id, c.labels.len()), (*v, None, 0));
    }

    // Someone else moves the first one meanwhile: Ana's version is stale.
    let moved = admin
        .claim_conversation(
            ids[0],
            &body(json!({"version": versions[0], "agent_id": ana_id})),
        )
        .await
        .unwrap()
        .into_inner();
    let out = bulk(
        &ana,
        json!({"action": "assign", "items": items(&versions), "agent_id": ana_id}),
    )
    .await
    .unwrap();
    assert_eq!((out.applied, out.failed), (2, 2));
    assert_eq!(
        out.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids,
        "one row per item, in order"
    );
    let stale = row(&out, ids[0]);
    assert!(!stale.ok);
    assert_eq!(stale.code.as_deref(), Some("conflict"));
    assert_eq!(
        stale.conversation.as_ref().map(|c| c.version),
        Some(moved.version),
        "the stale row shows the conversation as it is now"
    );
    for id in &ids[1..3] {
        let r = row(&out, *id);
        assert!(r.ok, "{r:?}");
        let c = r.conversation.as_ref().unwrap();
        assert_eq!(
            (c.status.as_str(), c.assignee_id),
            ("assigned", Some(ana_id))
        );
    }
    let foreign = row(&out, ids[3]);
    assert_eq!(foreign.code.as_deref(), Some("forbidden"));
    assert!(
        foreign.conversation.is_none(),
        "nothing shown of another team's"
    );
    assert_eq!(detail(&admin, ids[3]).await.conversation.assignee_id, None);

    // Labels: version-checked too; adding twice changes nothing the second time.
    let now: Vec<i64> = {
        let mut v = Vec::new();
        for id in &ids[..3] {
            v.push(detail(&admin, *id).await.conversation.version);
        }
        v
    };
    let three = |vs: &[i64]| -> Vec<serde_json::Value> {
        ids[..3]
            .iter()
            .zip(vs)
            .map(|(id, v)| json!({"id": id, "version": v}))
            .collect()
    };
    let mut old = now.clone();
    old[2] -= 1;
    let out = bulk(
        &ana,
        json!({"action": "label_add", "items": three(&old), "label_id": vip.id}),
    )
    .await
    .unwrap();
    assert_eq!((out.applied, out.failed), (2, 1));
    assert_eq!(row(&out, ids[2]).code.as_deref(), Some("conflict"));
    assert!(detail(&admin, ids[2]).await.conversation.labels.is_empty());
    let again = bulk(
        &ana,
        json!({"action": "label_add", "items": three(&now), "label_id": vip.id}),
    )
    .await
    .unwrap();
    assert_eq!(
        again.rows.iter().map(|r| r.changed).collect::<Vec<_>>(),
        [Some(false), Some(false), Some(true)]
    );
    let removed = bulk(
        &ana,
        json!({"action": "label_remove", "items": three(&now)[..1], "label_id": vip.id}),
    )
    .await
    .unwrap();
    assert_eq!(removed.rows[0].changed, Some(true));
    assert!(detail(&admin, ids[0]).await.conversation.labels.is_empty());

    // Resolve: one already resolved is `invalid_state`, the rest resolved.
    let first = detail(&admin, ids[0]).await.conversation;
    admin
        .resolve_conversation(ids[0], &body(json!({"version": first.version})))
        .await
        .unwrap();
    let mut latest = Vec::new();
    for id in &ids[..3] {
        latest.push(detail(&admin, *id).await.conversation.version);
    }
    let out = bulk(&ana, json!({"action": "resolve", "items": three(&latest)}))
        .await
        .unwrap();
    assert_eq!(row(&out, ids[0]).code.as_deref(), Some("invalid_state"));
    for id in &ids[1..3] {
        assert_eq!(
            row(&out, *id).conversation.as_ref().unwrap().status,
            "resolved"
        );
    }

    // Audited per row, as Ana.
    let agent = format!("agent:{ana_id}");
    for (id, actions) in [
        (
            ids[1],
            vec![
                "conversation.transfer",
                "conversation.label",
                "conversation.resolve",
            ],
        ),
        (
            ids[2],
            vec![
                "conversation.transfer",
                "conversation.label",
                "conversation.resolve",
            ],
        ),
        (ids[0], vec!["conversation.label", "conversation.unlabel"]),
    ] {
        let mine: Vec<String> = audit_of(&admin, id)
            .await
            .into_iter()
            .rev()
            .filter(|e| e.actor == agent)
            .map(|e| e.action)
            .collect();
        assert_eq!(mine, actions, "conversation {id}");
    }
    assert!(
        audit_of(&admin, ids[3])
            .await
            .iter()
            .all(|e| e.actor != agent),
        "nothing done to another team's conversation"
    );
}

on_sqlite_and_postgres!(bulk_actions_apply_per_row_and_report_conflicts);

async fn presence_of(admin: &Client, id: i64) -> String {
    admin.get_agent(id).await.unwrap().into_inner().presence
}

async fn beat(
    client: &Client,
    idle_secs: u64,
) -> Result<types::HeartbeatOut, wharf_client::Error<types::ErrorOut>> {
    client
        .presence_heartbeat(&body(json!({"idle_secs": idle_secs})))
        .await
        .map(|r| r.into_inner())
}

async fn agent_row(stack: &Stack, id: i64) -> entities::agent::Model {
    use sea_orm::EntityTrait;
    entities::agent::Entity::find_by_id(id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap()
}

/// Heartbeats make a signed-in agent online (and so assignable), away when
/// idle, offline when they stop or on sign-out; a heartbeat that changes
/// nothing writes nothing.
async fn heartbeats_drive_presence_and_assignment(db: TestDb) {
    let options = StackOptions {
        tune: |c| {
            c.admin.presence_away_secs = 120;
            c.admin.presence_offline_secs = 2;
        },
        ..StackOptions::default()
    };
    let (stack, admin, care) = desk(db, options, "round_robin").await;
    let url = stack.admin_url.as_str();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    assert_eq!(presence_of(&admin, ana_id).await, "offline");

    // Refused: an integrator token has no presence; idle time out of range.
    refused(beat(&admin, 0).await, 403, "forbidden");
    let raw = reqwest::Client::new()
        .post(format!("{url}/api/v1/presence/heartbeat"))
        .bearer_auth(log_in(url, "ana@example.com").await)
        .json(&json!({"idle_secs": -5}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert_eq!(presence_of(&admin, ana_id).await, "offline");

    // Offline, Ana gets nothing from Care's queue.
    let id = customer_writes(&stack, &admin, "4915100000701", "wamid.PRES1").await;
    let v = detail(&admin, id).await.conversation.version;
    let queued = admin
        .transfer_conversation(id, &body(json!({"version": v, "team_id": care.id})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (queued.status.as_str(), queued.assignee_id),
        ("queued", None)
    );

    // The dashboard beats: online, and the queue hands her the conversation.
    let first = beat(&ana, 0).await.unwrap();
    assert_eq!(
        (
            first.presence.as_str(),
            first.agent_id,
            first.away_after_secs,
            first.offline_after_secs
        ),
        ("online", ana_id, 120, 2)
    );
    assert!(first.heartbeat_secs > 0);
    assert_eq!(presence_of(&admin, ana_id).await, "online");
    let assigned = detail(&admin, id).await.conversation;
    assert_eq!(
        (assigned.status.as_str(), assigned.assignee_id),
        ("assigned", Some(ana_id))
    );

    // Beats that change nothing write nothing.
    let written = agent_row(&stack, ana_id).await.updated_at;
    for _ in 0..3 {
        assert_eq!(beat(&ana, 5).await.unwrap().presence, "online");
    }
    assert_eq!(agent_row(&stack, ana_id).await.updated_at, written);

    // Idle past the limit: away; active again: online.
    assert_eq!(beat(&ana, 121).await.unwrap().presence, "away");
    assert_eq!(presence_of(&admin, ana_id).await, "away");
    assert_eq!(beat(&ana, 1).await.unwrap().presence, "online");

    // The heartbeats stop (a closed tab): offline after the silence.
    eventually(WAIT, "offline once the heartbeats stop", || async {
        (presence_of(&admin, ana_id).await == "offline").then_some(())
    })
    .await;

    // Back, then signed out: offline at once.
    assert_eq!(beat(&ana, 0).await.unwrap().presence, "online");
    ana.logout().await.unwrap();
    assert_eq!(presence_of(&admin, ana_id).await, "offline");
}

on_sqlite_and_postgres!(heartbeats_drive_presence_and_assignment);

/// "Ana is viewing / typing": told live to the other agents who may see
/// the conversation, nothing stored; refused for tokens without an agent
/// and for other teams' conversations.
async fn activity_reaches_other_agents_live(db: TestDb) {
    let (stack, admin, care) = desk(db, StackOptions::default(), "manual").await;
    let url = stack.admin_url.as_str();
    let sales = team(&admin, "Sales", "manual").await;
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let (_bo_id, _bo) = signed_in(&admin, url, "bo@example.com", "agent", &[care.id]).await;
    let (_cy_id, _cy) = signed_in(&admin, url, "cy@example.com", "agent", &[sales.id]).await;
    let ours = customer_writes(&stack, &admin, "4915100000601", "wamid.ACT1").await;
    let theirs = customer_writes(&stack, &admin, "4915100000602", "wamid.ACT2").await;
    for (id, team) in [(ours, care.id), (theirs, sales.id)] {
        let v = detail(&admin, id).await.conversation.version;
        admin
            .transfer_conversation(id, &body(json!({"version": v, "team_id": team})))
            .await
            .unwrap();
    }
    let bo_events = EventLog::open(url, &log_in(url, "bo@example.com").await).await;
    let cy_events = EventLog::open(url, &log_in(url, "cy@example.com").await).await;
    let ana_events = EventLog::open(url, &log_in(url, "ana@example.com").await).await;
    let audit_before = audit_of(&admin, ours).await.len();

    ana.conversation_activity(ours, &body(json!({"activity": "viewing"})))
        .await
        .unwrap();
    ana.conversation_activity(ours, &body(json!({"activity": "typing"})))
        .await
        .unwrap();
    ana.conversation_activity(ours, &body(json!({"activity": "left"})))
        .await
        .unwrap();
    let seen = eventually(WAIT, "Bo sees Ana's activity", || async {
        let mine: Vec<types::LiveEventOut> = bo_events
            .events()
            .into_iter()
            .filter(|e| e.conversation_id == ours && e.agent_id.is_some())
            .collect();
        (mine.len() == 3).then_some(mine)
    })
    .await;
    assert_eq!(
        seen.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["viewing", "typing", "left"]
    );
    assert!(
        seen.iter()
            .all(|e| e.agent_id == Some(ana_id) && e.agent_name.as_deref() == Some("ana"))
    );

    refused(
        ana.conversation_activity(theirs, &body(json!({"activity": "viewing"})))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .conversation_activity(ours, &body(json!({"activity": "typing"})))
            .await,
        403,
        "forbidden",
    );
    refused(
        ana.conversation_activity(999_999, &body(json!({"activity": "typing"})))
            .await,
        404,
        "not_found",
    );
    // Ana's own dashboard is not told of her own activity.
    assert!(
        ana_events.events().iter().all(|e| e.agent_id.is_none()),
        "{:?}",
        ana_events.events()
    );
    // Cy (Sales) hears nothing of Care's conversation; nothing was stored.
    assert!(cy_events.kinds_for(ours).is_empty());
    assert_eq!(audit_of(&admin, ours).await.len(), audit_before);
}

on_sqlite_and_postgres!(activity_reaches_other_agents_live);

/// The queues hand out no sleeping conversation: an agent coming online
/// gets it only once the customer's message woke it (the router's batch
/// wakes and assigns it in one transaction).
async fn the_queues_skip_a_snoozed_conversation_until_it_wakes(db: TestDb) {
    let (stack, admin, care) = desk(db, StackOptions::default(), "round_robin").await;
    let url = stack.admin_url.as_str();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let id = customer_writes(&stack, &admin, "4915100000501", "wamid.SKIP1").await;
    let v = detail(&admin, id).await.conversation.version;
    let queued = admin
        .transfer_conversation(id, &body(json!({"version": v, "team_id": care.id})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.status, "queued", "Ana is offline: it waits");
    snooze(
        &admin,
        id,
        queued.version,
        Utc::now() + chrono::Duration::hours(3),
    )
    .await
    .unwrap();

    // Ana comes online: the queue is drained, the sleeping one skipped.
    assert_eq!(beat(&ana, 0).await.unwrap().presence, "online");
    let asleep = detail(&admin, id).await.conversation;
    assert_eq!(
        (asleep.status.as_str(), asleep.assignee_id),
        ("queued", None)
    );
    assert!(asleep.snoozed_until.is_some());

    // The customer writes: awake and Ana's.
    customer_writes(&stack, &admin, "4915100000501", "wamid.SKIP2").await;
    let awake = eventually(WAIT, "woken and assigned", || async {
        let c = detail(&admin, id).await.conversation;
        (c.snoozed_until.is_none() && c.assignee_id.is_some()).then_some(c)
    })
    .await;
    assert_eq!(
        (awake.status.as_str(), awake.assignee_id),
        ("assigned", Some(ana_id))
    );
    assert_eq!(endings(&admin, id).await, ["customer"]);
}

on_sqlite_and_postgres!(the_queues_skip_a_snoozed_conversation_until_it_wakes);
