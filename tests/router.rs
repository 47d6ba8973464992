//! The router's part of the pipeline on real NATS and both databases:
//! routing rules, assignment strategies with capacity, presence and language,
//! the optimistic lock under concurrent claims, and exactly-once effects past
//! the stream's duplicate window.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/procs.rs"]
mod procs;
mod support;

use std::time::Duration;

use entities::{agent, contact, conversation, message, routing_rule, team, team_member};
use procs::{ProcessOptions, ProcessStack};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use support::*;

async fn add_team(stack: &Stack, name: &str, strategy: &str) -> i64 {
    team::ActiveModel {
        name: Set(name.into()),
        strategy: Set(strategy.into()),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap()
    .id
}

async fn add_agent(
    stack: &Stack,
    team_id: Option<i64>,
    email: &str,
    presence: &str,
    capacity: i32,
    languages: &[&str],
) -> i64 {
    let id = agent::ActiveModel {
        email: Set(email.into()),
        name: Set(email.into()),
        role: Set("agent".into()),
        presence: Set(presence.into()),
        capacity: Set(capacity),
        languages: Set(serde_json::json!(languages)),
        password_hash: Set(None),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap()
    .id;
    if let Some(team_id) = team_id {
        team_member::ActiveModel {
            team_id: Set(team_id),
            agent_id: Set(id),
        }
        .insert(&stack.database)
        .await
        .unwrap();
    }
    id
}

async fn add_rule(
    stack: &Stack,
    position: i32,
    conditions: serde_json::Value,
    action: serde_json::Value,
) {
    routing_rule::ActiveModel {
        name: Set(format!("rule {position}")),
        position: Set(position),
        enabled: Set(true),
        conditions: Set(conditions),
        action: Set(action),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
}

async fn add_contact(stack: &Stack, wa_id: &str, tier: &str) {
    contact::ActiveModel {
        wa_id: Set(wa_id.into()),
        profile_name: Set(None),
        tier: Set(tier.into()),
        language: Set(None),
        attributes: Set(serde_json::json!({})),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
}

async fn send(stack: &Stack, from: &str, wamid: &str, text: &str) {
    // Now, so the 24 h window is open for bot replies.
    let ts = chrono::Utc::now().timestamp();
    let body = meta_text(PHONE_NUMBER_ID, from, "Cust", wamid, text, ts);
    let response = stack.post_meta("eu", &body, APP_SECRET).await;
    assert_eq!(response.status(), 200);
}

/// The conversation of `wa_id` once it satisfies `ready`.
async fn conversation_of(
    stack: &Stack,
    wa_id: &str,
    ready: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    eventually(
        Duration::from_secs(20),
        &format!("the conversation of {wa_id}"),
        || async {
            let (_, page) = stack.admin_get("/api/v1/conversations?limit=200").await;
            page["items"]
                .as_array()?
                .iter()
                .find(|c| c["contact"]["wa_id"] == wa_id && ready(c))
                .cloned()
        },
    )
    .await
}

fn one_partition() -> StackOptions {
    StackOptions {
        partitions: 4,
        ..StackOptions::default()
    }
}

async fn twenty_concurrent_claims_on_one_conversation_let_exactly_one_win(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let mut agents = Vec::new();
    for i in 0..20 {
        agents.push(add_agent(&stack, None, &format!("a{i}@x.test"), "online", 10, &[]).await);
    }
    send(&stack, "4915100000100", "wamid.CLAIM1", "help").await;
    let conversation = conversation_of(&stack, "4915100000100", |_| true).await;
    let id = conversation["id"].as_i64().unwrap();
    let version = conversation["version"].as_i64().unwrap();

    let claims = agents.iter().map(|agent_id| {
        let stack = &stack;
        async move {
            stack
                .admin_post(
                    &format!("/api/v1/conversations/{id}/claim"),
                    serde_json::json!({"version": version, "agent_id": agent_id}),
                )
                .await
        }
    });
    let results = futures::future::join_all(claims).await;
    let winners: Vec<_> = results.iter().filter(|(s, _)| *s == 200).collect();
    let conflicts: Vec<_> = results.iter().filter(|(s, _)| *s == 409).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(conflicts.len(), 19, "{results:?}");
    assert!(
        conflicts
            .iter()
            .all(|(_, b)| b["code"] == "conflict" && b["detail"].is_string())
    );
    let winner = &winners[0].1;
    assert_eq!(winner["status"], "assigned");
    assert_eq!(winner["version"], version + 1);

    let row = conversation::Entity::find_by_id(id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.assignee_id, winner["assignee_id"].as_i64());
    assert_eq!(row.version, version + 1);

    // The same lock guards resolve and reopen.
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{id}/resolve"),
            serde_json::json!({"version": version}),
        )
        .await;
    assert_eq!(status, 409);
    let (status, resolved) = stack
        .admin_post(
            &format!("/api/v1/conversations/{id}/resolve"),
            serde_json::json!({"version": version + 1}),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");
    let (status, reopened) = stack
        .admin_post(
            &format!("/api/v1/conversations/{id}/reopen"),
            serde_json::json!({"version": version + 2}),
        )
        .await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["status"], "queued");
    assert_eq!(reopened["assignee_id"], serde_json::Value::Null);
}

on_sqlite_and_postgres!(twenty_concurrent_claims_on_one_conversation_let_exactly_one_win);

async fn rules_route_by_keyword_tier_and_language_and_the_first_match_wins(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let billing = add_team(&stack, "billing", "manual").await;
    let vip = add_team(&stack, "vip", "manual").await;
    let brazil = add_team(&stack, "brazil", "manual").await;
    let general = add_team(&stack, "general", "manual").await;
    add_rule(
        &stack,
        1,
        serde_json::json!({"keywords": ["refund"], "regex": "order\\s*#?\\d+|refund"}),
        serde_json::json!({"type": "team", "team_id": billing, "priority": 5}),
    )
    .await;
    add_rule(
        &stack,
        2,
        serde_json::json!({"tiers": ["vip"]}),
        serde_json::json!({"type": "team", "team_id": vip, "priority": 9}),
    )
    .await;
    add_rule(
        &stack,
        3,
        serde_json::json!({"languages": ["pt"]}),
        serde_json::json!({"type": "team", "team_id": brazil, "priority": 1}),
    )
    .await;
    add_rule(
        &stack,
        4,
        serde_json::json!({"business_numbers": [PHONE_NUMBER_ID]}),
        serde_json::json!({"type": "team", "team_id": general}),
    )
    .await;
    add_contact(&stack, "4915100000201", "vip").await;
    add_contact(&stack, "4915100000202", "vip").await;

    // A VIP asking for a refund: rule 1 comes first.
    send(
        &stack,
        "4915100000201",
        "wamid.R1",
        "I want a refund for my order",
    )
    .await;
    // A VIP with anything else.
    send(&stack, "4915100000202", "wamid.R2", "hello there").await;
    // Portuguese.
    send(
        &stack,
        "4915100000203",
        "wamid.R3",
        "Bom dia, não recebi a minha encomenda e preciso de ajuda, obrigado",
    )
    .await;
    // Nothing special.
    send(
        &stack,
        "4915100000204",
        "wamid.R4",
        "Hello, I would like to know where my parcel is, please",
    )
    .await;

    let routed = |c: &serde_json::Value| !c["team_id"].is_null();
    let c1 = conversation_of(&stack, "4915100000201", routed).await;
    assert_eq!(c1["team_id"], billing);
    assert_eq!(c1["priority"], 5);
    assert_eq!(c1["status"], "queued");
    let c2 = conversation_of(&stack, "4915100000202", routed).await;
    assert_eq!(c2["team_id"], vip);
    assert_eq!(c2["priority"], 9);
    let c3 = conversation_of(&stack, "4915100000203", routed).await;
    assert_eq!(c3["team_id"], brazil);
    let c4 = conversation_of(&stack, "4915100000204", routed).await;
    assert_eq!(c4["team_id"], general);
    let pt = contact::Entity::find()
        .filter(contact::Column::WaId.eq("4915100000203"))
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pt.language.as_deref(), Some("pt"));
}

on_sqlite_and_postgres!(rules_route_by_keyword_tier_and_language_and_the_first_match_wins);

async fn round_robin_respects_capacity_and_queues_until_an_agent_comes_online(db: TestDb) {
    let stack = spawn_stack(db, one_partition()).await;
    let team_id = add_team(&stack, "support", "round_robin").await;
    let a1 = add_agent(&stack, Some(team_id), "rr1@x.test", "online", 1, &[]).await;
    let a2 = add_agent(&stack, Some(team_id), "rr2@x.test", "online", 2, &[]).await;
    let away = add_agent(&stack, Some(team_id), "rr3@x.test", "away", 1, &[]).await;
    add_rule(
        &stack,
        1,
        serde_json::json!({}),
        serde_json::json!({"type": "team", "team_id": team_id}),
    )
    .await;

    let contacts: Vec<String> = (0..4).map(|i| format!("49151000003{i:02}")).collect();
    for (i, wa_id) in contacts.iter().enumerate() {
        send(&stack, wa_id, &format!("wamid.RR{i}"), "help me please").await;
        // One at a time, so the round-robin order is the order of arrival
        // (the first three get an agent, the fourth finds everyone full).
        if i < 3 {
            conversation_of(&stack, wa_id, |c| c["status"] == "assigned").await;
        } else {
            conversation_of(&stack, wa_id, |c| c["team_id"] == team_id).await;
        }
    }
    let mut assignees = Vec::new();
    for wa_id in &contacts {
        let c = conversation_of(&stack, wa_id, |_| true).await;
        assignees.push(c["assignee_id"].as_i64());
    }
    // a1, a2 alternate; a1 is full after one, a2 after two; the away agent
    // gets nothing, so the fourth waits.
    assert_eq!(assignees, vec![Some(a1), Some(a2), Some(a2), None]);
    let waiting = conversation_of(&stack, &contacts[3], |_| true).await;
    assert_eq!(waiting["status"], "queued");

    let (status, body) = stack
        .http
        .put(format!("{}/api/v1/agents/{away}/presence", stack.admin_url))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"presence": "online"}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(status, 200);
    let body: serde_json::Value = body.json().await.unwrap();
    assert_eq!(body["assigned"], serde_json::json!([waiting["id"]]));
    let assigned = conversation_of(&stack, &contacts[3], |c| c["status"] == "assigned").await;
    assert_eq!(assigned["assignee_id"], away);

    // Resolving frees a1, who takes the next conversation from the queue.
    let first = conversation_of(&stack, &contacts[0], |_| true).await;
    send(&stack, "4915100000399", "wamid.RR9", "one more").await;
    conversation_of(&stack, "4915100000399", |c| c["team_id"] == team_id).await;
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{}/resolve", first["id"]),
            serde_json::json!({"version": first["version"]}),
        )
        .await;
    assert_eq!(status, 200);
    let next = conversation_of(&stack, "4915100000399", |c| c["status"] == "assigned").await;
    // It waited while everyone was full; a1 is the only one with room now.
    assert_eq!(next["assignee_id"], a1);
}

on_sqlite_and_postgres!(round_robin_respects_capacity_and_queues_until_an_agent_comes_online);

async fn least_loaded_picks_the_freest_online_agent_speaking_the_language(db: TestDb) {
    let stack = spawn_stack(db, one_partition()).await;
    let team_id = add_team(&stack, "ll", "least_loaded").await;
    let busy_pt = add_agent(
        &stack,
        Some(team_id),
        "ll1@x.test",
        "online",
        5,
        &["pt", "en"],
    )
    .await;
    let _idle_de = add_agent(&stack, Some(team_id), "ll2@x.test", "online", 5, &["de"]).await;
    let _offline_pt = add_agent(&stack, Some(team_id), "ll3@x.test", "offline", 5, &["pt"]).await;
    let idle_pt = add_agent(&stack, Some(team_id), "ll4@x.test", "online", 5, &["pt"]).await;
    add_rule(
        &stack,
        1,
        serde_json::json!({}),
        serde_json::json!({"type": "team", "team_id": team_id}),
    )
    .await;
    // busy_pt already holds two conversations.
    for (i, wa) in ["4915100000401", "4915100000402"].iter().enumerate() {
        send(&stack, wa, &format!("wamid.LLB{i}"), "hello there friend").await;
        // Routed to the team, then assigned (a second version): wait for
        // the assignment, or the transfer races it with a stale version.
        let c = conversation_of(&stack, wa, |c| c["status"] == "assigned").await;
        if c["assignee_id"] != busy_pt {
            let (status, body) = stack
                .admin_post(
                    &format!("/api/v1/conversations/{}/transfer", c["id"]),
                    serde_json::json!({"version": c["version"], "agent_id": busy_pt}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    send(
        &stack,
        "4915100000403",
        "wamid.LL3",
        "Bom dia, não recebi a minha encomenda e preciso de ajuda, obrigado",
    )
    .await;
    let c = conversation_of(&stack, "4915100000403", |c| c["status"] == "assigned").await;
    assert_eq!(c["assignee_id"], idle_pt);
}

on_sqlite_and_postgres!(least_loaded_picks_the_freest_online_agent_speaking_the_language);

async fn a_manual_team_queues_until_an_agent_claims(db: TestDb) {
    let stack = spawn_stack(db, one_partition()).await;
    let team_id = add_team(&stack, "manual", "manual").await;
    let agent_id = add_agent(&stack, Some(team_id), "m1@x.test", "online", 5, &[]).await;
    add_rule(
        &stack,
        1,
        serde_json::json!({}),
        serde_json::json!({"type": "team", "team_id": team_id, "priority": 2}),
    )
    .await;
    send(&stack, "4915100000501", "wamid.M1", "help").await;
    let c = conversation_of(&stack, "4915100000501", |c| c["team_id"] == team_id).await;
    assert_eq!(c["status"], "queued");
    assert!(c["assignee_id"].is_null());
    let (status, claimed) = stack
        .admin_post(
            &format!("/api/v1/conversations/{}/claim", c["id"]),
            serde_json::json!({"version": c["version"], "agent_id": agent_id}),
        )
        .await;
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["assignee_id"], agent_id);
}

on_sqlite_and_postgres!(a_manual_team_queues_until_an_agent_claims);

async fn a_bot_answers_from_canned_replies_and_hands_over_on_a_keyword(db: TestDb) {
    let stack = spawn_stack(db, one_partition()).await;
    let team_id = add_team(&stack, "humans", "manual").await;
    add_rule(
        &stack,
        1,
        serde_json::json!({}),
        serde_json::json!({
            "type": "bot",
            "replies": [{"keyword": "hours", "text": "We are open 9-17."}],
            "fallback": "Type 'agent' to talk to a person.",
            "handover_keywords": ["agent"],
            "handover_team_id": team_id,
            "handover_priority": 3
        }),
    )
    .await;
    send(&stack, "4915100000601", "wamid.B1", "what are your hours?").await;
    let c = conversation_of(&stack, "4915100000601", |c| c["status"] == "bot").await;
    let id = c["id"].as_i64().unwrap();
    eventually(Duration::from_secs(20), "the canned reply", || async {
        let (_, detail) = stack
            .admin_get(&format!("/api/v1/conversations/{id}"))
            .await;
        detail["messages"]
            .as_array()?
            .iter()
            .find(|m| m["direction"] == "outbound" && m["body"] == "We are open 9-17.")
            .map(|_| ())
    })
    .await;
    send(&stack, "4915100000601", "wamid.B2", "I want an agent").await;
    let handed = conversation_of(&stack, "4915100000601", |c| c["status"] == "queued").await;
    assert_eq!(handed["id"], id);
    assert_eq!(handed["team_id"], team_id);
    assert_eq!(handed["priority"], 3);
}

on_sqlite_and_postgres!(a_bot_answers_from_canned_replies_and_hands_over_on_a_keyword);

async fn a_provider_retry_after_the_duplicate_window_still_gives_one_row(db: TestDb) {
    let stack = spawn_stack(
        db,
        StackOptions {
            tune: |config| {
                config.topology.duplicate_window_secs = 1;
                // No applied-id cache: the database's unique index must hold.
                config.router.applied_cache_size = 0;
            },
            ..StackOptions::default()
        },
    )
    .await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000701",
        "Late",
        "wamid.LATE1",
        "hello",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    conversation_of(&stack, "4915100000701", |_| true).await;
    // Retry until the edge's window has passed and it stores the event again.
    eventually(
        Duration::from_secs(20),
        "the edge to store a late retry",
        || async {
            let response = stack.post_meta("eu", &body, APP_SECRET).await;
            let accepted: serde_json::Value = response.json().await.ok()?;
            (accepted["stored"] == 1 && accepted["duplicates"] == 0).then_some(())
        },
    )
    .await;
    // INBOUND may also drop it (its own window); either way nothing is left
    // to apply once the sources have caught up.
    stack.wait_router_idle().await;
    let rows = message::Entity::find()
        .filter(message::Column::ProviderMessageId.eq("wamid.LATE1"))
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    let conversations = conversation::Entity::find()
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(conversations, 1);
}

on_sqlite_and_postgres!(a_provider_retry_after_the_duplicate_window_still_gives_one_row);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poison_event_goes_to_the_dlq_with_its_bytes_and_reason_and_is_acked() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let js = stack.nats.hub_js().await;
    let subject = relay::topology::inbound_subject(relay::topology::HUB_REGION, PHONE_NUMBER_ID, 0);
    let poison = bytes::Bytes::from_static(b"{not an event");
    js.publish(subject.clone(), poison.clone())
        .await
        .unwrap()
        .await
        .unwrap();
    let letter = eventually(Duration::from_secs(20), "the dead letter", || {
        dead_letter(&js, "wa.dlq.router.malformed")
    })
    .await;
    assert_eq!(letter.payload, poison);
    let headers = letter.headers;
    assert_eq!(
        headers
            .get(relay::dlq::headers::ORIGIN_SUBJECT)
            .map(|v| v.as_str()),
        Some(subject.as_str())
    );
    assert!(headers.get(relay::dlq::headers::ERROR).is_some());
    assert!(headers.get(relay::dlq::headers::ATTEMPTS).is_some());
    // Acked: the partition is free for the next event.
    stack.wait_router_idle().await;
    send(&stack, "4915100000801", "wamid.AFTER", "still flowing").await;
    conversation_of(&stack, "4915100000801", |_| true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn while_sqlite_is_locked_events_are_held_and_applied_once_after_recovery() {
    use sea_orm::ConnectionTrait;
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let mut options = sea_orm::ConnectOptions::new(stack.db.url().to_owned());
    options.max_connections(1).min_connections(1);
    let locker = sea_orm::Database::connect(options).await.unwrap();
    locker.execute_unprepared("BEGIN EXCLUSIVE").await.unwrap();

    send(&stack, "4915100000901", "wamid.OUTAGE", "are you there?").await;
    let js = stack.nats.hub_js().await;
    let partitions = stack.config.topology.partitions;
    // The router holds the event while it retries (no delayed NAK: see
    // relay/src/router.rs). Each refused attempt waits out SQLite's 5 s busy
    // timeout; generous for a loaded machine.
    let held = || {
        let js = js.clone();
        async move {
            let stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
            let mut held = 0;
            for p in 0..partitions {
                let mut consumer: async_nats::jetstream::consumer::PullConsumer = stream
                    .get_consumer(&relay::topology::router_consumer(p))
                    .await
                    .ok()?;
                held += consumer.info().await.ok()?.num_ack_pending;
            }
            (held > 0).then_some(())
        }
    };
    eventually(
        Duration::from_secs(60),
        "the event held by the router",
        held,
    )
    .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    eventually(Duration::from_secs(1), "the event still held", held).await;
    let applied = message::Entity::find()
        .filter(message::Column::ProviderMessageId.eq("wamid.OUTAGE"))
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(
        applied, 0,
        "nothing may be written while the database is locked"
    );

    locker.execute_unprepared("ROLLBACK").await.unwrap();
    conversation_of(&stack, "4915100000901", |_| true).await;
    stack.wait_router_idle().await;
    let applied = message::Entity::find()
        .filter(message::Column::ProviderMessageId.eq("wamid.OUTAGE"))
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(applied, 1);
}

/// The repair scan (relay/src/repair.rs) re-applies what a partition
/// consumer lost. The loss itself is a nats-server 2.9.10 fault that cannot
/// be provoked on demand, so a router pointed at an empty database stands
/// for "never applied": the scan must apply every event of the partition
/// once, and a second scan must change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repair_scan_applies_every_event_a_consumer_lost_once() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let partitions = stack.config.topology.partitions;
    let contacts = ["4915100000801", "4915100000802", "4915100000803"];
    for (i, from) in contacts.iter().enumerate() {
        for n in 0..3 {
            send(&stack, from, &format!("wamid.LOST.{i}.{n}"), "hello").await;
        }
    }
    let partition = relay::topology::partition_of(contacts[0], partitions);
    let expected = contacts
        .iter()
        .filter(|c| relay::topology::partition_of(c, partitions) == partition)
        .count() as u64
        * 3;
    // Every event applied by the stack's router is in INBOUND (idle
    // consumers alone can be seen before the leaf's events are sourced).
    eventually(
        Duration::from_secs(20),
        "all nine events routed",
        || async {
            let routed = message::Entity::find()
                .filter(message::Column::ProviderMessageId.starts_with("wamid.LOST."))
                .count(&stack.database)
                .await
                .ok()?;
            (routed == 9).then_some(())
        },
    )
    .await;
    stack.wait_router_idle().await;

    let empty = TestDb::sqlite();
    let mut settings = stack.config.database.clone();
    settings.url = empty.url().to_owned();
    let database = wharf::roles::connect_database(&settings).await.unwrap();
    wharf::roles::migrate(&database).await.unwrap();
    wharf::roles::seed_numbers(
        &database,
        &stack.config.numbers,
        &wharf::roles::vault(&stack.config).unwrap(),
    )
    .await
    .unwrap();
    let client = relay::nats::connect(
        &stack.config.nats.url,
        "test-repair",
        Duration::from_secs(10),
        &stack.config.nats.access(wharf::config::Role::Ops),
    )
    .await
    .unwrap();
    let router = relay::router::Router::new(
        stack.config.router.clone(),
        stack.config.topology.clone(),
        database.clone(),
        client,
    );
    let js = stack.nats.hub_js().await;
    let stream = js.get_stream(relay::topology::INBOUND).await.unwrap();
    let last = stream.get_info().await.unwrap().state.last_sequence;

    let repaired = relay::router::repair::scan_partition(&router, &stream, partition, 1, last)
        .await
        .unwrap();
    assert_eq!(repaired, expected, "every event of the partition, once");
    let rows = message::Entity::find()
        .filter(message::Column::ProviderMessageId.starts_with("wamid.LOST."))
        .count(&database)
        .await
        .unwrap();
    assert_eq!(rows, expected);
    let marked = entities::message_event::Entity::find()
        .filter(
            entities::message_event::Column::Stage
                .eq(entities::message_event::Stage::Repaired.as_str()),
        )
        .count(&database)
        .await
        .unwrap();
    assert_eq!(
        marked, expected,
        "each repaired event says so in its lifecycle"
    );
    let again = relay::router::repair::scan_partition(&router, &stream, partition, 1, last)
        .await
        .unwrap();
    assert_eq!(again, 0, "a second scan changes nothing");
    let rows_again = message::Entity::find()
        .filter(message::Column::ProviderMessageId.starts_with("wamid.LOST."))
        .count(&database)
        .await
        .unwrap();
    assert_eq!(rows_again, expected);
}

/// The session cache (relay/src/session_cache.rs) serves a contact's next
/// messages without a look-up, and an admin-side change (resolve) reaches
/// the router: the next message reopens the conversation instead of landing
/// in a resolved one.
async fn the_session_cache_serves_repeat_messages_and_follows_admin_changes(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let hits = |metrics: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| {
                l.starts_with("wharf_router_session_cache_total{") && l.contains("result=\"hit\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    let scrape = || async {
        stack
            .http
            .get(format!("{}/metrics", stack.admin_url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let before = hits(&scrape().await);
    for n in 0..3 {
        send(&stack, "4915100000911", &format!("wamid.SC{n}"), "hello").await;
    }
    let conversation = conversation_of(&stack, "4915100000911", |_| true).await;
    stack.wait_router_idle().await;
    let after = hits(&scrape().await);
    assert!(
        after - before >= 2.0,
        "repeat messages hit the cache: {before} → {after}"
    );

    let id = conversation["id"].as_i64().unwrap();
    let (_, detail) = stack
        .admin_get(&format!("/api/v1/conversations/{id}"))
        .await;
    let version = detail["conversation"]["version"].as_i64().unwrap();
    let (status, resolved) = stack
        .admin_post(
            &format!("/api/v1/conversations/{id}/resolve"),
            serde_json::json!({"version": version}),
        )
        .await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(resolved["status"], "resolved");

    send(&stack, "4915100000911", "wamid.SC3", "one more thing").await;
    let reopened = conversation_of(&stack, "4915100000911", |c| {
        c["status"] != "resolved"
            && c["version"].as_i64() > Some(resolved["version"].as_i64().unwrap())
    })
    .await;
    assert_eq!(
        reopened["id"], id,
        "reopened within the window, not a new one"
    );
    let rows = message::Entity::find()
        .filter(message::Column::ConversationId.eq(id))
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(rows, 4);
}

on_sqlite_and_postgres!(the_session_cache_serves_repeat_messages_and_follows_admin_changes);

type Seen = std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>;

#[poem::handler]
fn http_bot_answer(
    poem::web::Json(body): poem::web::Json<serde_json::Value>,
    seen: poem::web::Data<&Seen>,
) -> poem::web::Json<serde_json::Value> {
    seen.lock().unwrap().push(body.clone());
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    if text.contains("agent") {
        poem::web::Json(serde_json::json!({"handover": true}))
    } else {
        poem::web::Json(serde_json::json!({"reply": format!("bot says: {text}")}))
    }
}

/// A real HTTP bot (AI triage stand-in) on loopback: its `reply` is sent to
/// the customer, its `handover` queues the conversation for the rule's team.
async fn an_http_bot_answers_and_hands_over_when_it_says_so(db: TestDb) {
    use poem::EndpointExt;
    let seen: Seen = std::sync::Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/bot", listener.local_addr().unwrap());
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    let app = poem::Route::new()
        .at("/bot", poem::post(http_bot_answer))
        .data(seen.clone());
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));

    let stack = spawn_stack(db, one_partition()).await;
    let team_id = add_team(&stack, "triage humans", "manual").await;
    add_rule(
        &stack,
        1,
        serde_json::json!({}),
        serde_json::json!({
            "type": "bot",
            "endpoint": url,
            "fallback": "canned fallback",
            "handover_team_id": team_id,
            "handover_priority": 4
        }),
    )
    .await;
    send(&stack, "4915100000621", "wamid.H1", "where is my parcel").await;
    let c = conversation_of(&stack, "4915100000621", |c| c["status"] == "bot").await;
    let id = c["id"].as_i64().unwrap();
    eventually(Duration::from_secs(20), "the HTTP bot's reply", || async {
        let (_, detail) = stack
            .admin_get(&format!("/api/v1/conversations/{id}"))
            .await;
        detail["messages"]
            .as_array()?
            .iter()
            .find(|m| m["direction"] == "outbound" && m["body"] == "bot says: where is my parcel")
            .map(|_| ())
    })
    .await;
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0]["conversation_id"], id);
        assert_eq!(seen[0]["contact"]["wa_id"], "4915100000621");
    }
    send(
        &stack,
        "4915100000621",
        "wamid.H2",
        "let me talk to an agent",
    )
    .await;
    let handed = conversation_of(&stack, "4915100000621", |c| c["status"] == "queued").await;
    assert_eq!(handed["id"], id);
    assert_eq!(handed["team_id"], team_id);
    assert_eq!(handed["priority"], 4);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

on_sqlite_and_postgres!(an_http_bot_answers_and_hands_over_when_it_says_so);

/// A trigger that refuses to store the message `wamid` while the row of
/// `test_gate` says closed: a real database error for one event of a batch.
async fn poison_message(stack: &Stack, wamid: &str) {
    use sea_orm::ConnectionTrait;
    let sql = match stack.database.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => format!(
            "CREATE TABLE test_gate (closed INTEGER NOT NULL);
             INSERT INTO test_gate VALUES (1);
             CREATE FUNCTION test_poison() RETURNS trigger AS $$
             BEGIN
               IF NEW.provider_message_id = '{wamid}' AND (SELECT closed FROM test_gate) = 1 THEN
                 RAISE EXCEPTION 'poisoned by the test';
               END IF;
               RETURN NEW;
             END $$ LANGUAGE plpgsql;
             CREATE TRIGGER test_poison BEFORE INSERT ON messages
               FOR EACH ROW EXECUTE FUNCTION test_poison();"
        ),
        _ => format!(
            "CREATE TABLE test_gate (closed INTEGER NOT NULL);
             INSERT INTO test_gate VALUES (1);
             CREATE TRIGGER test_poison BEFORE INSERT ON messages
             WHEN NEW.provider_message_id = '{wamid}' AND (SELECT closed FROM test_gate) = 1
             BEGIN SELECT RAISE(ABORT, 'poisoned by the test'); END;"
        ),
    };
    stack.database.execute_unprepared(&sql).await.unwrap();
}

async fn open_gate(stack: &Stack) {
    use sea_orm::ConnectionTrait;
    stack
        .database
        .execute_unprepared("UPDATE test_gate SET closed = 0")
        .await
        .unwrap();
}

/// With the router stopped, sends `wamids` (in this order) from one contact
/// and waits until INBOUND's consumer of its partition holds them all
/// undelivered: the router's next pull takes them as one batch.
async fn queue_for_one_batch(stack: &mut Stack, from: &str, wamids: &[&str]) {
    stack.stop_router().await;
    for wamid in wamids {
        send(stack, from, wamid, "one of a batch").await;
    }
    let partition = relay::topology::partition_of(from, stack.config.topology.partitions);
    let js = stack.nats.hub_js().await;
    eventually(
        Duration::from_secs(20),
        "the events queued for the stopped router",
        || {
            let js = js.clone();
            async move {
                let stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
                let mut consumer: async_nats::jetstream::consumer::PullConsumer = stream
                    .get_consumer(&relay::topology::router_consumer(partition))
                    .await
                    .ok()?;
                let info = consumer.info().await.ok()?;
                (info.num_pending as usize == wamids.len()).then_some(())
            }
        },
    )
    .await;
}

/// Provider ids of `from`'s stored messages, in the order they were stored.
async fn stored_in_order(stack: &Stack, prefix: &str) -> Vec<String> {
    use sea_orm::QueryOrder;
    message::Entity::find()
        .filter(message::Column::ProviderMessageId.starts_with(prefix))
        .order_by_asc(message::Column::Id)
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| m.provider_message_id)
        .collect()
}

/// `routed` lifecycle records of the messages whose provider id starts with `prefix`.
async fn routed_records(stack: &Stack, prefix: &str) -> u64 {
    let ids: Vec<i64> = message::Entity::find()
        .filter(message::Column::ProviderMessageId.starts_with(prefix))
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    entities::message_event::Entity::find()
        .filter(entities::message_event::Column::MessageId.is_in(ids))
        .filter(
            entities::message_event::Column::Stage
                .eq(entities::message_event::Stage::Routed.as_str()),
        )
        .count(&stack.database)
        .await
        .unwrap()
}

fn batches(outcome: &str) -> f64 {
    relay::observe::render()
        .lines()
        .filter(|l| {
            l.starts_with(relay::observe::ROUTER_BATCHES)
                && l.contains(&format!("outcome=\"{outcome}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A batch is one transaction: when one of its events fails, nothing of the
/// batch is written (checked on the batch call itself), the router applies
/// the events one by one, and while the failing event is retried nothing
/// after it is applied; once it passes, everything is there once, in order,
/// each with one `routed` record.
async fn a_failing_batch_writes_nothing_and_its_events_apply_one_by_one_in_order(db: TestDb) {
    let mut stack = spawn_stack(
        db,
        StackOptions {
            // Retried for as long as the test keeps the gate closed.
            tune: |config| config.router.max_deliver = 100,
            ..one_partition()
        },
    )
    .await;
    let from = "4915100000951";
    let wamids = [
        "wamid.ATOM.0",
        "wamid.ATOM.1",
        "wamid.ATOM.2",
        "wamid.ATOM.3",
    ];
    poison_message(&stack, "wamid.ATOM.2").await;
    queue_for_one_batch(&mut stack, from, &wamids).await;

    // The batch call alone, on the events as stored in INBOUND.
    let js = stack.nats.hub_js().await;
    let mut events = Vec::new();
    for raw in stream_messages(&js, relay::topology::INBOUND).await {
        if let Ok(event) = relay::envelope::InboundEvent::decode(&raw.payload)
            && event.contact.wa_id == from
        {
            events.push(event);
        }
    }
    assert_eq!(events.len(), wamids.len());
    let refs: Vec<&relay::envelope::InboundEvent> = events.iter().collect();
    let failed = relay::router::apply::apply_batch(
        &stack.database,
        relay::router::sessions::SessionPolicy::default(),
        &refs,
        None,
        |_, _| None,
    )
    .await;
    assert!(failed.is_err(), "the poisoned event fails the batch");
    assert!(
        stored_in_order(&stack, "wamid.ATOM.").await.is_empty(),
        "nothing of a failed batch is written"
    );
    let conversations = conversation::Entity::find()
        .count(&stack.database)
        .await
        .unwrap();
    assert_eq!(conversations, 0, "not even the conversation it opened");

    // The router: the batch fails, the events before the poisoned one
    // apply one by one, the one after waits behind it.
    let failed_before = batches("failed");
    stack.start_router().await;
    eventually(Duration::from_secs(30), "the first two applied", || async {
        (stored_in_order(&stack, "wamid.ATOM.").await.len() == 2).then_some(())
    })
    .await;
    assert!(
        batches("failed") > failed_before,
        "the batch was rolled back"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stored_in_order(&stack, "wamid.ATOM.").await,
        ["wamid.ATOM.0", "wamid.ATOM.1"],
        "nothing after the failing event is applied while it is retried"
    );
    open_gate(&stack).await;
    eventually(Duration::from_secs(30), "all four applied", || async {
        (stored_in_order(&stack, "wamid.ATOM.").await.len() == 4).then_some(())
    })
    .await;
    stack.wait_router_idle().await;
    assert_eq!(stored_in_order(&stack, "wamid.ATOM.").await, wamids);
    assert_eq!(routed_records(&stack, "wamid.ATOM.").await, 4);
}

on_sqlite_and_postgres!(a_failing_batch_writes_nothing_and_its_events_apply_one_by_one_in_order);

/// An event that can never be stored, in the middle of a batch: it goes to
/// the DLQ (reason `database`) after its attempts, every other event of the
/// batch is applied once and in order, and the partition flows on.
async fn a_poison_event_in_a_batch_is_dead_lettered_and_the_rest_applied_in_order(db: TestDb) {
    let mut stack = spawn_stack(
        db,
        StackOptions {
            tune: |config| {
                config.router.max_deliver = 3;
                config.router.max_nak_delay_ms = 200;
            },
            ..one_partition()
        },
    )
    .await;
    let from = "4915100000952";
    let wamids = [
        "wamid.BATCH.0",
        "wamid.BATCH.1",
        "wamid.BATCH.POISON",
        "wamid.BATCH.3",
        "wamid.BATCH.4",
    ];
    poison_message(&stack, "wamid.BATCH.POISON").await;
    queue_for_one_batch(&mut stack, from, &wamids).await;
    stack.start_router().await;
    let js = stack.nats.hub_js().await;
    let letter = eventually(Duration::from_secs(30), "the dead letter", || {
        dead_letter(&js, "wa.dlq.router.database")
    })
    .await;
    let event = relay::envelope::InboundEvent::decode(&letter.payload).unwrap();
    assert_eq!(event.provider_id(), "wamid.BATCH.POISON");
    eventually(
        Duration::from_secs(30),
        "the other four applied",
        || async { (stored_in_order(&stack, "wamid.BATCH.").await.len() == 4).then_some(()) },
    )
    .await;
    stack.wait_router_idle().await;
    assert_eq!(
        stored_in_order(&stack, "wamid.BATCH.").await,
        [
            "wamid.BATCH.0",
            "wamid.BATCH.1",
            "wamid.BATCH.3",
            "wamid.BATCH.4"
        ]
    );
    assert_eq!(routed_records(&stack, "wamid.BATCH.").await, 4);
    send(&stack, from, "wamid.BATCH.AFTER", "still flowing").await;
    eventually(
        Duration::from_secs(20),
        "the next event applied",
        || async { (stored_in_order(&stack, "wamid.BATCH.").await.len() == 5).then_some(()) },
    )
    .await;
}

on_sqlite_and_postgres!(a_poison_event_in_a_batch_is_dead_lettered_and_the_rest_applied_in_order);

/// A batch whose one-by-one retries outlast the partition lease keeps the
/// lease renewed all along (a standby would otherwise take the partition
/// over mid-batch and then only wait behind its pending events).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_partition_lease_is_renewed_while_a_batch_retries_an_event() {
    let mut stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| {
                // Retries of 0.25 + 0.5 + 1 + 1 s against a 1 s lease.
                config.router.max_deliver = 5;
                config.router.max_nak_delay_ms = 1000;
                config.router.lease_secs = 1;
            },
            ..one_partition()
        },
    )
    .await;
    let from = "4915100000953";
    poison_message(&stack, "wamid.LEASE.POISON").await;
    queue_for_one_batch(
        &mut stack,
        from,
        &["wamid.LEASE.0", "wamid.LEASE.POISON", "wamid.LEASE.2"],
    )
    .await;
    let key = format!(
        "p{}",
        relay::topology::partition_of(from, stack.config.topology.partitions)
    );
    stack.start_router().await;
    let js = stack.nats.hub_js().await;
    let leases = js
        .get_key_value(relay::topology::ROUTER_LEASES_BUCKET)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut owners = std::collections::HashSet::new();
    let mut samples = 0;
    while dead_letter(&js, "wa.dlq.router.database").await.is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no dead letter in 30 s"
        );
        if let Some(entry) = leases.entry(&key).await.unwrap() {
            let claim: serde_json::Value = serde_json::from_slice(&entry.value).unwrap();
            let until_ms = claim["until_ms"].as_i64().unwrap();
            let now_ms = chrono::Utc::now().timestamp_millis();
            assert!(
                until_ms + 200 >= now_ms,
                "the claim ran out {} ms ago while the batch was being applied",
                now_ms - until_ms
            );
            owners.insert(claim["owner"].as_str().unwrap().to_owned());
            samples += 1;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(samples >= 20, "the retries lasted {samples} samples");
    assert_eq!(owners.len(), 1, "one router held the lease: {owners:?}");
    eventually(Duration::from_secs(20), "the other two applied", || async {
        (stored_in_order(&stack, "wamid.LEASE.").await.len() == 2).then_some(())
    })
    .await;
}

/// A partition consumer left by an older router (one event in flight at a
/// time) takes the current settings when a router starts, keeping its
/// place in the stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_old_partition_consumer_is_updated_to_the_current_settings() {
    use async_nats::jetstream::consumer::pull;
    let mut stack = spawn_stack(TestDb::sqlite(), one_partition()).await;
    let from = "4915100000954";
    send(&stack, from, "wamid.OLD.0", "before").await;
    eventually(
        Duration::from_secs(20),
        "the first event applied",
        || async { (stored_in_order(&stack, "wamid.OLD.").await.len() == 1).then_some(()) },
    )
    .await;
    stack.stop_router().await;
    let js = stack.nats.hub_js().await;
    let inbound = js.get_stream(relay::topology::INBOUND).await.unwrap();
    let partition = relay::topology::partition_of(from, stack.config.topology.partitions);
    let name = relay::topology::router_consumer(partition);
    let mut consumer: async_nats::jetstream::consumer::Consumer<pull::Config> =
        inbound.get_consumer(&name).await.unwrap();
    let mut old = consumer.cached_info().config.clone();
    old.max_ack_pending = 1;
    inbound.create_consumer(old).await.unwrap();
    assert_eq!(consumer.info().await.unwrap().config.max_ack_pending, 1);
    send(&stack, from, "wamid.OLD.1", "after").await;

    stack.start_router().await;
    eventually(Duration::from_secs(20), "the consumer updated", || async {
        let info = inbound
            .get_consumer::<pull::Config>(&name)
            .await
            .ok()?
            .info()
            .await
            .ok()?
            .clone();
        (info.config.max_ack_pending == stack.config.router.batch_size as i64).then_some(())
    })
    .await;
    eventually(
        Duration::from_secs(20),
        "the next event applied once",
        || async {
            (stored_in_order(&stack, "wamid.OLD.").await == ["wamid.OLD.0", "wamid.OLD.1"])
                .then_some(())
        },
    )
    .await;
}

/// Lease owners of the partitions (`p<N>` keys with a live claim).
async fn lease_owners(js: &async_nats::jetstream::Context, partitions: u16) -> Vec<String> {
    let Ok(leases) = js
        .get_key_value(relay::topology::ROUTER_LEASES_BUCKET)
        .await
    else {
        return Vec::new();
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut owners = Vec::new();
    for partition in 0..partitions {
        if let Ok(Some(entry)) = leases.entry(&format!("p{partition}")).await
            && let Ok(claim) = serde_json::from_slice::<serde_json::Value>(&entry.value)
            && claim["until_ms"].as_i64().unwrap_or(0) >= now_ms
            && let Some(owner) = claim["owner"].as_str().filter(|o| !o.is_empty())
        {
            owners.push(owner.to_owned());
        }
    }
    owners
}

/// How many partitions each owner holds, largest first.
fn shares(owners: &[String]) -> Vec<usize> {
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    for owner in owners {
        *counts.entry(owner.as_str()).or_default() += 1;
    }
    let mut shares: Vec<usize> = counts.into_values().collect();
    shares.sort_unstable_by(|a, b| b.cmp(a));
    shares
}

/// On PostgreSQL the partitions are spread over the live routers (at most
/// `ceil(partitions / routers)` each), a killed router's share is taken
/// by the others, and events flow through all of them; on SQLite one
/// router holds every partition.
async fn routers_share_the_partitions_on_postgres_only(db: TestDb) {
    let postgres = db.url().starts_with("postgres");
    let mut stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            regions: vec!["eu"],
            routers: 3,
            senders: 0,
            partitions: 8,
            tune: |config| config.router.lease_secs = 2,
        },
    )
    .await;
    let js = stack.hub_js().await;
    let spread = if postgres { vec![3, 3, 2] } else { vec![8] };
    eventually(Duration::from_secs(60), "the partitions spread", || async {
        let owners = lease_owners(&js, 8).await;
        (owners.len() == 8 && shares(&owners) == spread).then_some(())
    })
    .await;

    // On SQLite the killed one may be the holder (a standby then takes all
    // eight) or a standby (nothing moves).
    stack.routers[0].kill();
    let after = if postgres { vec![4, 4] } else { vec![8] };
    eventually(
        Duration::from_secs(60),
        "the partitions re-spread",
        || async {
            let owners = lease_owners(&js, 8).await;
            (owners.len() == 8 && shares(&owners) == after).then_some(())
        },
    )
    .await;

    let url = format!("{}/webhooks/meta", stack.edges[0].url);
    for i in 0..16 {
        let body = meta_text(
            PHONE_NUMBER_ID,
            &format!("49151000009{i:02}"),
            "Share",
            &format!("wamid.SHARE.{i}"),
            "shared",
            1_764_300_000,
        );
        let response = post_signed_meta(&stack.http, &url, &body, APP_SECRET).await;
        assert_eq!(response.status(), 200);
    }
    eventually(Duration::from_secs(60), "every event applied", || async {
        let stored = message::Entity::find()
            .filter(message::Column::ProviderMessageId.like("wamid.SHARE.%"))
            .count(&stack.database)
            .await
            .ok()?;
        (stored == 16).then_some(())
    })
    .await;
}

on_sqlite_and_postgres!(routers_share_the_partitions_on_postgres_only);

/// `router.nice` reaches every thread of a `wharf router` process, the
/// SQLite workers it starts after setting it included, and the router
/// routes at that priority. (A positive value: it needs no privilege, and
/// the test process itself runs at 0, so nothing is inherited.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_process_runs_every_thread_at_its_configured_priority() {
    let db = TestDb::sqlite();
    let stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            regions: vec!["eu"],
            routers: 1,
            senders: 0,
            partitions: 2,
            tune: |config| config.router.nice = 7,
        },
    )
    .await;
    let own = wharf::priority::thread_nice_values(std::process::id()).unwrap();
    assert!(own.iter().all(|(_, nice)| *nice == 0), "{own:?}");

    let url = format!("{}/webhooks/meta", stack.edges[0].url);
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000977",
        "Nice",
        "wamid.NICE.1",
        "hello",
        1_764_300_000,
    );
    let response = post_signed_meta(&stack.http, &url, &body, APP_SECRET).await;
    assert_eq!(response.status(), 200);
    eventually(Duration::from_secs(60), "the event applied", || async {
        let stored = message::Entity::find()
            .filter(message::Column::ProviderMessageId.eq("wamid.NICE.1"))
            .count(&stack.database)
            .await
            .ok()?;
        (stored == 1).then_some(())
    })
    .await;

    let pid = stack.routers[0].pid().expect("the router runs");
    let threads = wharf::priority::thread_nice_values(pid).unwrap();
    assert!(
        threads
            .iter()
            .any(|(name, _)| name.starts_with("sqlx-sqlite")),
        "no SQLite worker thread among {threads:?}"
    );
    assert!(
        threads.iter().any(|(name, _)| name.starts_with("tokio-rt")),
        "no runtime worker among {threads:?}"
    );
    let other: Vec<_> = threads.iter().filter(|(_, nice)| *nice != 7).collect();
    assert!(other.is_empty(), "threads not at nice 7: {other:?}");
}

/// A migrated database of its own, without NATS: the batch and one-by-one
/// paths called directly.
async fn migrated(db: &TestDb) -> sea_orm::DatabaseConnection {
    let settings = wharf::config::DatabaseSettings {
        url: db.url().to_owned(),
        max_connections: 4,
    };
    let conn = wharf::roles::connect_database(&settings).await.unwrap();
    wharf::roles::migrate(&conn).await.unwrap();
    conn
}

/// Another fresh database of the same kind as `db`.
async fn another(db: &TestDb) -> TestDb {
    match db {
        TestDb::Sqlite { .. } => TestDb::sqlite(),
        TestDb::Postgres { .. } => TestDb::postgres().await.unwrap(),
    }
}

fn at(second: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_790_000_000 + second, 0).unwrap()
}

fn inbound(
    from: &str,
    name: Option<&str>,
    wamid: &str,
    text: &str,
    second: i64,
) -> relay::envelope::InboundEvent {
    relay::envelope::InboundEvent {
        version: 1,
        provider: relay::envelope::Provider::Meta,
        region: "eu".into(),
        business_number: PHONE_NUMBER_ID.into(),
        contact: relay::envelope::Contact::phone(from, name.map(str::to_owned)),
        account: None,
        received_at: at(second),
        body: relay::envelope::EventBody::Message(relay::envelope::InboundMessage {
            id: wamid.into(),
            timestamp: at(second),
            message_type: "text".into(),
            text: Some(text.into()),
            text_at: None,
            raw: serde_json::json!({ "id": wamid }),
            echo: false,
        }),
    }
}

fn status_of(from: &str, wamid: &str, status: &str, second: i64) -> relay::envelope::InboundEvent {
    relay::envelope::InboundEvent {
        body: relay::envelope::EventBody::Status(relay::envelope::DeliveryStatus {
            id: wamid.into(),
            status: status.into(),
            timestamp: at(second),
            error: None,
            callback_data: None,
            raw: serde_json::json!({ "id": wamid, "status": status }),
        }),
        ..inbound(from, None, wamid, "", second)
    }
}

/// What the database holds after a scenario, without the wall-clock columns.
async fn snapshot(conn: &sea_orm::DatabaseConnection) -> (Vec<String>, Vec<String>, Vec<String>) {
    use sea_orm::QueryOrder;
    let messages = message::Entity::find()
        .order_by_asc(message::Column::Id)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|m| {
            format!(
                "{} conv {} {:?} {}",
                m.id, m.conversation_id, m.provider_message_id, m.status
            )
        })
        .collect();
    let conversations = conversation::Entity::find()
        .order_by_asc(conversation::Column::Id)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            format!(
                "{} number {} contact {} {} v{} team {:?} agent {:?} last {} inbound {:?} waiting {:?}",
                c.id,
                c.business_number_id,
                c.contact_id,
                c.status,
                c.version,
                c.team_id,
                c.assignee_id,
                c.last_message_at,
                c.last_inbound_at,
                c.waiting_since
            )
        })
        .collect();
    let contacts = contact::Entity::find()
        .order_by_asc(contact::Column::Id)
        .all(conn)
        .await
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {} {:?} {:?}", c.id, c.wa_id, c.profile_name, c.language))
        .collect();
    (messages, conversations, contacts)
}

/// The same start in each database: a team with a keyword rule, contact C
/// with an open conversation (in the session cache) that an agent then
/// claims behind the cache's back, contact D with a conversation resolved
/// an hour ago.
async fn seed(
    conn: &sea_orm::DatabaseConnection,
    cache: &relay::router::session_cache::SessionCache,
) {
    use relay::router::{apply::apply, sessions::SessionPolicy};
    let now = chrono::Utc::now();
    let team = team::ActiveModel {
        name: Set("Help".into()),
        strategy: Set("manual".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    routing_rule::ActiveModel {
        name: Set("help".into()),
        position: Set(1),
        enabled: Set(true),
        conditions: Set(serde_json::json!({ "keywords": ["help"] })),
        action: Set(serde_json::json!({ "type": "team", "team_id": team.id, "priority": 3 })),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    let agent = agent::ActiveModel {
        name: Set("Ada".into()),
        email: Set("ada@example.com".into()),
        role: Set("agent".into()),
        presence: Set("online".into()),
        capacity: Set(5),
        languages: Set(serde_json::json!([])),
        password_hash: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .unwrap();
    let policy = SessionPolicy::default();
    let c = inbound("4915100000961", Some("Cem"), "wamid.SEED.C", "hi", 1);
    let Ok(relay::router::sessions::Applied::Message { conversation, .. }) =
        apply(conn, policy, &c, Some(cache)).await
    else {
        panic!("seed message not applied");
    };
    relay::assignment::transition(
        conn,
        conversation.id,
        conversation.version,
        &relay::assignment::Change::Claim { agent_id: agent.id },
    )
    .await
    .unwrap();
    let d = inbound("4915100000962", Some("Dee"), "wamid.SEED.D", "hi", 2);
    let Ok(relay::router::sessions::Applied::Message { conversation, .. }) =
        apply(conn, policy, &d, None).await
    else {
        panic!("seed message not applied");
    };
    let mut resolved: conversation::ActiveModel = (*conversation).into();
    resolved.status = Set("resolved".into());
    resolved.resolved_at = Set(Some(now - chrono::Duration::hours(1)));
    resolved.update(conn).await.unwrap();
}

/// A batch leaves the database exactly as applying its events one by one
/// does, with the same outcome per event: a contact sending several
/// messages (out of provider-time order, changing its profile name), new
/// contacts, a duplicate of the batch's own first message, statuses for
/// messages inserted earlier in the same batch, a conversation the session
/// cache holds at an old version (an agent claimed it since: the claim
/// stays), a resolved conversation that reopens and is routed by a rule.
async fn a_batch_leaves_the_database_as_applying_its_events_one_by_one(db: TestDb) {
    use relay::router::sessions::{Applied, SessionPolicy};
    let other = another(&db).await;
    let (one_by_one, batched) = (migrated(&db).await, migrated(&other).await);
    let (cache_one, cache_batch) = (
        relay::router::session_cache::SessionCache::new(100),
        relay::router::session_cache::SessionCache::new(100),
    );
    seed(&one_by_one, &cache_one).await;
    seed(&batched, &cache_batch).await;

    let (a, b, c, d) = (
        "4915100000960",
        "4915100000963",
        "4915100000961",
        "4915100000962",
    );
    let events = [
        inbound(a, Some("Ann"), "wamid.B.A1", "hello", 10),
        inbound(a, Some("Ann"), "wamid.B.A2", "more", 12),
        inbound(b, None, "wamid.B.B1", "hi there", 11),
        inbound(a, Some("Ann"), "wamid.B.A1", "hello", 10),
        status_of(a, "wamid.B.A2", "delivered", 13),
        inbound(a, Some("Anna"), "wamid.B.A3", "late", 9),
        inbound(c, Some("Cem"), "wamid.B.C1", "still there?", 14),
        status_of(b, "wamid.B.B1", "read", 15),
        inbound(d, Some("Dee"), "wamid.B.D1", "help please", 16),
        inbound(b, Some("Bo"), "wamid.B.B2", "and again", 17),
        inbound(c, Some("Cem"), "wamid.B.C2", "hello?", 18),
        status_of(b, "wamid.B.UNKNOWN", "read", 19),
    ];
    let policy = SessionPolicy::default();
    let mut expected = Vec::new();
    for event in &events {
        expected.push(
            relay::router::apply::apply(&one_by_one, policy, event, Some(&cache_one))
                .await
                .unwrap(),
        );
    }
    let refs: Vec<&relay::envelope::InboundEvent> = events.iter().collect();
    let got =
        relay::router::apply::apply_batch(&batched, policy, &refs, Some(&cache_batch), |_, _| None)
            .await
            .unwrap();

    let outline = |outcomes: &[Applied]| -> Vec<String> {
        outcomes
            .iter()
            .map(|o| match o {
                Applied::Message {
                    conversation_id,
                    message_id,
                    conversation,
                    opened,
                    changed,
                    bot,
                    ..
                } => format!(
                    "message {message_id} in {conversation_id} opened {opened} changed {changed} \
                     bot {} {} v{} team {:?} agent {:?}",
                    bot.is_some(),
                    conversation.status,
                    conversation.version,
                    conversation.team_id,
                    conversation.assignee_id,
                ),
                other => format!("{other:?}"),
            })
            .collect()
    };
    // (A conversation's message times in the outcome of an earlier message
    // of the batch are already the batch's latest: one touch per batch.)
    assert_eq!(outline(&got), outline(&expected));
    assert_eq!(snapshot(&batched).await, snapshot(&one_by_one).await);

    // And what that is, spelled out.
    assert_eq!(
        got[3],
        Applied::Duplicate,
        "the batch's own first message again"
    );
    assert!(
        matches!(got[4], Applied::Status { .. }),
        "found in the same batch"
    );
    assert!(
        matches!(got[7], Applied::Status { .. }),
        "found in the same batch"
    );
    assert_eq!(got[11], Applied::Ignored);
    let conversation_of = |o: &Applied| match o {
        Applied::Message { conversation, .. } => (**conversation).clone(),
        other => panic!("not a message: {other:?}"),
    };
    let a_ids: Vec<i64> = [0, 1, 5]
        .iter()
        .map(|i| match &got[*i] {
            Applied::Message { message_id, .. } => *message_id,
            _ => unreachable!(),
        })
        .collect();
    assert!(
        a_ids.windows(2).all(|w| w[0] < w[1]),
        "arrival order: {a_ids:?}"
    );
    let a_conv = conversation_of(&got[5]);
    assert_eq!(a_conv.last_message_at, at(12), "the latest of A's messages");
    let claimed = conversation_of(&got[10]);
    assert_eq!(claimed.status, "assigned", "the agent's claim stays");
    assert!(claimed.assignee_id.is_some());
    assert_eq!(claimed.last_message_at, at(18));
    let reopened = conversation_of(&got[8]);
    assert!(matches!(got[8], Applied::Message { opened: true, .. }));
    assert_eq!(reopened.status, "queued");
    assert!(reopened.team_id.is_some(), "routed by the keyword rule");
    let a_contact = contact::Entity::find()
        .filter(contact::Column::WaId.eq(a))
        .one(&batched)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a_contact.profile_name.as_deref(), Some("Anna"));

    // The next batch finds every conversation where this one left it (the
    // cache holds the committed rows: no stale copy, no second conversation).
    let next = [
        inbound(a, Some("Anna"), "wamid.B.A4", "next", 20),
        inbound(c, Some("Cem"), "wamid.B.C3", "next", 21),
        inbound(d, Some("Dee"), "wamid.B.D2", "next", 22),
    ];
    let refs: Vec<&relay::envelope::InboundEvent> = next.iter().collect();
    let got =
        relay::router::apply::apply_batch(&batched, policy, &refs, Some(&cache_batch), |_, _| None)
            .await
            .unwrap();
    for event in &next {
        relay::router::apply::apply(&one_by_one, policy, event, Some(&cache_one))
            .await
            .unwrap();
    }
    assert!(
        got.iter()
            .all(|o| matches!(o, Applied::Message { opened: false, .. })),
        "{got:?}"
    );
    assert_eq!(snapshot(&batched).await, snapshot(&one_by_one).await);
}

on_sqlite_and_postgres!(a_batch_leaves_the_database_as_applying_its_events_one_by_one);

/// The last dead letter on `subject`, if there is one yet.
async fn dead_letter(
    js: &async_nats::jetstream::Context,
    subject: &str,
) -> Option<async_nats::jetstream::message::StreamMessage> {
    js.get_stream(relay::topology::DLQ)
        .await
        .ok()?
        .get_last_raw_message_by_subject(subject)
        .await
        .ok()
}

/// On SQLite one router process holds every partition: the holder of
/// partition 0's lease. Routers started at the same moment used to split
/// the partitions between them and stay split; now a router without
/// partition 0 takes no other, and lets go of one it held before another
/// router won partition 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_sqlite_partition_zeros_holder_is_the_one_router_holding_them() {
    use relay::router::lease::{PartitionLease, Share};
    let nats = Nats::start(&["eu"]).await;
    let js = nats.hub_js().await;
    let store = js
        .create_key_value(async_nats::jetstream::kv::Config {
            bucket: relay::topology::ROUTER_LEASES_BUCKET.to_owned(),
            history: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let ttl = Duration::from_secs(30);
    let a = Share::new(store.clone(), "router-a", ttl, 3, false);
    let b = Share::new(store.clone(), "router-b", ttl, 3, false);
    let lease = |share: &std::sync::Arc<Share>, owner: &str, partition: u16| {
        PartitionLease::new(
            store.clone(),
            partition,
            owner,
            ttl,
            std::sync::Arc::clone(share),
        )
    };
    let (mut a0, mut a1, mut a2) = (
        lease(&a, "router-a", 0),
        lease(&a, "router-a", 1),
        lease(&a, "router-a", 2),
    );
    let (mut b0, mut b1) = (lease(&b, "router-b", 0), lease(&b, "router-b", 1));

    // Before anyone holds partition 0, the other partitions are not taken.
    assert!(!b1.hold().await, "a partition taken without partition 0");
    assert!(b0.hold().await);
    assert!(b1.hold().await, "partition 0's holder takes the others");
    assert!(!a0.hold().await && !a1.hold().await && !a2.hold().await);
    assert!(
        !b1.yield_over_share().await,
        "the holder keeps its partitions"
    );
    assert_eq!(b.held(), 2);

    // Router b stops holding partition 0 (here: releases it; a crash lets it
    // run out): its other partitions go too, and router a takes them all.
    b0.release().await;
    assert!(b1.yield_over_share().await, "b lets partition 1 go");
    assert_eq!(b.held(), 0);
    assert!(!a1.hold().await, "not before partition 0");
    assert!(a0.hold().await && a1.hold().await && a2.hold().await);
    assert_eq!(a.held(), 3);
    assert_eq!(lease_owners(&js, 3).await, vec!["router-a"; 3]);
}

/// The router finds a batch's contacts by key, BSUID or phone in one `OR`
/// (`relay::contacts::condition_for`). Each term must be an index probe:
/// one unindexed term makes the database read the whole contacts table
/// for every batch (what the end-to-end bench found before
/// `ix_contacts_phone`). Read from each database's own plan, with
/// PostgreSQL's sequential scans priced out so that only a missing index
/// can make it scan.
async fn the_contact_lookup_reads_indexes_not_the_whole_table(db: TestDb) {
    use sea_orm::{ConnectionTrait, QueryTrait, Statement, TransactionTrait};
    let settings = wharf::config::DatabaseSettings {
        url: db.url().to_owned(),
        max_connections: 2,
    };
    let database = wharf::roles::connect_database(&settings).await.unwrap();
    wharf::roles::migrate(&database).await.unwrap();
    let phone = relay::envelope::Contact {
        wa_id: "5511999990001".into(),
        profile_name: None,
        user_id: None,
        username: None,
        parent_user_id: None,
    };
    let bsuid = relay::envelope::Contact {
        wa_id: "BR.13491208655302741918".into(),
        user_id: Some("BR.13491208655302741918".into()),
        ..phone.clone()
    };
    let both = relay::envelope::Contact {
        user_id: Some("US.982634982374".into()),
        wa_id: "5511999990002".into(),
        ..phone.clone()
    };
    let backend = database.get_database_backend();
    let lookup = contact::Entity::find()
        .filter(relay::contacts::condition_for([&phone, &bsuid, &both]))
        .build(backend)
        .to_string();
    // The condition has all three terms, or the plan would prove less.
    for column in ["wa_id", "user_id", "phone"] {
        assert!(
            lookup.contains(&format!("\"{column}\" IN")),
            "{column} missing from {lookup}"
        );
    }
    let txn = database.begin().await.unwrap();
    let plan_sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await
                .unwrap();
            format!("EXPLAIN {lookup}")
        }
        _ => format!("EXPLAIN QUERY PLAN {lookup}"),
    };
    let rows = txn
        .query_all_raw(Statement::from_string(backend, plan_sql))
        .await
        .unwrap();
    let plan: Vec<String> = rows
        .iter()
        .map(|row| match backend {
            sea_orm::DatabaseBackend::Postgres => row.try_get_by_index::<String>(0).unwrap(),
            _ => row.try_get::<String>("", "detail").unwrap(),
        })
        .collect();
    txn.rollback().await.unwrap();
    let plan = plan.join("\n");
    let scans = match backend {
        sea_orm::DatabaseBackend::Postgres => plan.contains("Seq Scan"),
        _ => plan.lines().any(|l| {
            l.trim_start_matches(['|', '-', '`', ' '])
                .starts_with("SCAN contacts")
        }),
    };
    assert!(!scans, "the lookup reads the whole table:\n{plan}");
}
on_sqlite_and_postgres!(the_contact_lookup_reads_indexes_not_the_whole_table);

/// PostgreSQL: the batch's "already stored?" lookup (`provider IN (…) AND
/// provider_message_id IN (…)`) is planned for its values every time, never
/// served by a cached generic plan. A generic plan made while `messages`
/// was small filters the ids over the provider's whole index range, and
/// stays cached on the connection as the table grows (the end-to-end
/// bench's collapsed runs). One connection, so every batch prepares on the
/// backend whose prepared statements are read at the end; seven batches of
/// the same size, past the five custom plans after which PostgreSQL may
/// switch to a generic one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_lookup_is_never_served_by_a_stale_generic_plan() {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let settings = wharf::config::DatabaseSettings {
        url: db.url().to_owned(),
        max_connections: 1,
    };
    let conn = wharf::roles::connect_database(&settings).await.unwrap();
    wharf::roles::migrate(&conn).await.unwrap();
    let cache = relay::router::session_cache::SessionCache::new(100);
    seed(&conn, &cache).await;
    let policy = relay::router::sessions::SessionPolicy::default();
    for round in 0..7 {
        let events: Vec<relay::envelope::InboundEvent> = (0..3)
            .map(|i| {
                let from = format!("49151000071{round}{i}");
                let wamid = format!("wamid.PLAN.{round}.{i}");
                inbound(&from, None, &wamid, "hello", 20 + round)
            })
            .collect();
        let refs: Vec<&relay::envelope::InboundEvent> = events.iter().collect();
        relay::router::apply::apply_batch(&conn, policy, &refs, Some(&cache), |_, _| None)
            .await
            .unwrap();
    }
    let rows = conn
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements
              WHERE statement LIKE
                    'SELECT %WHERE \"messages\".\"provider\" IN (%\"provider_message_id\" IN (%'
                AND statement NOT LIKE '%pg_prepared_statements%'",
        ))
        .await
        .unwrap();
    let plans: Vec<(i64, i64, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<i64>(0).unwrap(),
                r.try_get_by_index::<i64>(1).unwrap(),
                r.try_get_by_index::<String>(2).unwrap(),
            )
        })
        .collect();
    // The lookup ran on this connection, seven times in one statement.
    assert!(
        plans.iter().any(|(_, custom, _)| *custom >= 7),
        "the lookup's statement not found: {plans:?}"
    );
    assert!(
        plans.iter().all(|(generic, _, _)| *generic == 0),
        "served by a generic plan: {plans:?}"
    );
}
