//! Fault injection: steady signed traffic through a real stack (3-node hub,
//! two regions, edges, routers and senders as `wharf` processes, the sandbox
//! provider) while a test breaks something; then quiescence and the audit of
//! `support/traffic.rs`: every accepted webhook is exactly one message row,
//! every reply is sent exactly once or dead-lettered with a reason, one
//! conversation per contact, per-conversation order held. Each scenario
//! prints one `FAULTS {json}` line (docs/reliability.md is filled from them).
//!
//! The long scenarios (database down 30 s, region cut 60 s, and the
//! PostgreSQL variant of the 50 × 20 order test) run when `WHARF_FAULTS_LONG`
//! is set; `make test` sets it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/pg.rs"]
mod pg;
#[path = "support/procs.rs"]
mod procs;
mod support;
#[path = "support/traffic.rs"]
mod traffic;

use std::time::{Duration, Instant};

use procs::{ProcessOptions, ProcessStack};
use support::TestDb;
use traffic::{Plan, Run, probe_recovery, quiesce_and_audit, report};
use wharf::nats_server::{LeafNode, free_port};

const REPLY_EVERY: Option<Duration> = Some(Duration::from_millis(100));
const SETTLE: Duration = Duration::from_secs(90);

fn long_scenarios_enabled(name: &str) -> bool {
    let enabled = std::env::var("WHARF_FAULTS_LONG").is_ok_and(|v| !v.is_empty() && v != "0");
    if !enabled {
        eprintln!(
            "SKIPPED: {name}: a long fault scenario; set WHARF_FAULTS_LONG=1 (make test does)"
        );
    }
    enabled
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hub_node_killed_and_restarted_loses_and_doubles_nothing() {
    let db = TestDb::sqlite();
    let mut stack = ProcessStack::start(db.url(), ProcessOptions::default()).await;
    let run = Run::start(&stack, Plan::new("hubkill"), REPLY_EVERY);
    run.until_accepted(60).await;

    stack.nats.hub.nodes[0].kill();
    tokio::time::sleep(Duration::from_secs(5)).await;
    stack.nats.hub.nodes[0].start().unwrap();
    let restarted = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, restarted).await;
    // Replies get a moment after the recovery too: before the kill there
    // may have been hardly any conversation to answer on a loaded host.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "hub node kill -9 + restart",
        "sqlite",
        &sent,
        &audit,
        recovery,
    );
    assert!(audit.replies_sent > 0, "replies flowed: {audit:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_router_and_a_sender_killed_mid_batch_lose_and_double_nothing() {
    let db = TestDb::sqlite();
    let mut stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            routers: 3,
            senders: 2,
            ..ProcessOptions::default()
        },
    )
    .await;
    // Slow sends, so the sender we kill holds replies in flight.
    stack
        .set_faults(serde_json::json!({"latency_ms": 150}))
        .await;
    let run = Run::start(&stack, Plan::new("rskill"), REPLY_EVERY);
    run.until_accepted(100).await;

    stack.routers[0].kill();
    stack.senders[0].kill();
    let killed = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, killed).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report("router + sender kill -9", "sqlite", &sent, &audit, recovery);
    assert!(audit.replies_sent > 0, "replies flowed: {audit:?}");
}

/// Issue 4: order kept for 50 contacts × 20 messages across 3 router
/// processes, one killed (-9) midway.
async fn order_holds_across_three_routers_with_one_killed_midway(db: TestDb, label: &str) {
    let mut stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            routers: 3,
            senders: 0,
            partitions: 8,
            ..ProcessOptions::default()
        },
    )
    .await;
    let plan = Plan {
        contacts: 50,
        per_contact: 20,
        pace: Duration::from_millis(100),
        ..Plan::new(if label == "sqlite" {
            "order3s"
        } else {
            "order3p"
        })
    };
    let run = Run::start(&stack, plan, None);
    run.until_accepted(500).await;
    stack.routers[1].kill();
    let killed = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, killed).await;
    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "50 contacts x 20 messages, 3 routers, one kill -9",
        label,
        &sent,
        &audit,
        recovery,
    );
    assert_eq!(audit.stored, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_holds_for_50_contacts_across_three_routers_one_killed_on_sqlite() {
    order_holds_across_three_routers_with_one_killed_midway(TestDb::sqlite(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn order_holds_for_50_contacts_across_three_routers_one_killed_on_postgres() {
    if !long_scenarios_enabled("the PostgreSQL order test") {
        return;
    }
    if let Some(db) = TestDb::postgres().await {
        order_holds_across_three_routers_with_one_killed_midway(db, "postgres").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_webhook_three_times_within_and_after_the_window_and_to_both_regions() {
    let db = TestDb::sqlite();
    let stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            tune: |config| {
                config.topology.duplicate_window_secs = 2;
                // No applied-id cache: past the window the unique index holds.
                config.router.applied_cache_size = 0;
            },
            ..ProcessOptions::default()
        },
    )
    .await;
    let plan = Plan {
        copy_to_other_region: true,
        ..Plan::new("thrice")
    };
    let started = Instant::now();
    let run = Run::start(&stack, plan, REPLY_EVERY);
    let (sent, replies) = run.finish().await;
    // The third delivery, after both streams' duplicate windows.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let again = traffic::redeliver_all(&stack, &sent).await;
    assert_eq!(again, sent.accepted.len());
    let recovery = probe_recovery(&stack, "thrice", Instant::now()).await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "every webhook 3x (window 2 s), both regions",
        "sqlite",
        &sent,
        &audit,
        recovery,
    );
    eprintln!("three deliveries took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replies_survive_thirty_percent_provider_faults_with_retry_after() {
    let db = TestDb::sqlite();
    let stack = ProcessStack::start(
        db.url(),
        ProcessOptions {
            // The sandbox's timeouts hang 800 ms and are never accepted.
            tune: |config| {
                config.sender.request_timeout_ms = 400;
                config.sender.timeout_retry_floor_ms = 1000;
            },
            ..ProcessOptions::default()
        },
    )
    .await;
    stack
        .set_faults(
            serde_json::json!({"error_rate": 0.1, "throttle_rate": 0.1, "retry_after_secs": 1,
               "timeout_rate": 0.1, "hang_ms": 800}),
        )
        .await;
    let faults_on = Instant::now();
    let run = Run::start(
        &stack,
        Plan::new("sandbox30"),
        Some(Duration::from_millis(40)),
    );
    let recovery = probe_recovery(&stack, run.tag, faults_on).await;
    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "sandbox 30% 5xx/429/timeouts",
        "sqlite",
        &sent,
        &audit,
        recovery,
    );
    // Enough replies that 30 % faults hit some (the chance that 25 miss
    // them all is 0.7^25 < 0.0002); a loaded machine makes fewer than the
    // ~80 an idle one does.
    assert!(
        audit.replies >= 25,
        "enough replies to see faults: {audit:?}"
    );
    assert!(
        audit.replies_sent > audit.replies / 2,
        "most replies go through: {audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_stopped_for_30_s_loses_and_doubles_nothing() {
    if !long_scenarios_enabled("PostgreSQL stopped for 30 s") {
        return;
    }
    assert!(
        pg::PrivatePostgres::available(),
        "PostgreSQL 15 binaries missing"
    );
    let postgres = pg::PrivatePostgres::start().await;
    let stack = ProcessStack::start(&postgres.url, ProcessOptions::default()).await;
    let run = Run::start(&stack, Plan::new("pgdown"), REPLY_EVERY);
    run.until_accepted(40).await;

    postgres.stop_server();
    tokio::time::sleep(Duration::from_secs(30)).await;
    postgres.start_server();
    let restarted = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, restarted).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "PostgreSQL stopped 30 s",
        "postgres",
        &sent,
        &audit,
        recovery,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_unwritable_for_a_while_loses_and_doubles_nothing() {
    use sea_orm::ConnectionTrait;
    let db = TestDb::sqlite();
    let stack = ProcessStack::start(db.url(), ProcessOptions::default()).await;
    let run = Run::start(&stack, Plan::new("sqlitelock"), REPLY_EVERY);
    run.until_accepted(40).await;

    // Tests run as root, which chmod does not stop; an exclusive lock held
    // by another connection makes every write fail (SQLITE_BUSY) instead.
    let mut options = sea_orm::ConnectOptions::new(db.url().to_owned());
    options.max_connections(1).min_connections(1);
    let locker = sea_orm::Database::connect(options).await.unwrap();
    locker.execute_unprepared("BEGIN EXCLUSIVE").await.unwrap();
    tokio::time::sleep(Duration::from_secs(15)).await;
    locker.execute_unprepared("ROLLBACK").await.unwrap();
    locker.close().await.unwrap();
    let unlocked = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, unlocked).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report("SQLite locked 15 s", "sqlite", &sent, &audit, recovery);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_region_cut_from_the_hub_for_60_s_catches_up_after_healing() {
    if !long_scenarios_enabled("a region cut for 60 s") {
        return;
    }
    let db = TestDb::sqlite();
    let mut stack = ProcessStack::start(db.url(), ProcessOptions::default()).await;
    let plan = Plan {
        per_contact: 20,
        pace: Duration::from_millis(1000),
        ..Plan::new("regioncut")
    };
    let run = Run::start(&stack, plan, REPLY_EVERY);
    run.until_accepted(40).await;

    // The eu leaf, restarted on its store and ports with its hub link
    // pointing nowhere: the region keeps storing but reaches no hub.
    let nowhere = [free_port().unwrap()];
    relink_leaf(&mut stack, "eu", &nowhere).await;
    let cut = Instant::now();
    // The cut is real: a webhook the eu edge accepts now is not routed.
    let marker = support::meta_text(
        support::PHONE_NUMBER_ID,
        "4916000000001",
        "Marker",
        "wamid.regioncut.marker",
        "during the cut",
        chrono::Utc::now().timestamp(),
    );
    let counters = traffic::Counters::default();
    assert!(
        traffic::post_until_accepted(
            &stack.http,
            &stack.edges[0].url,
            &marker,
            &counters,
            Duration::from_secs(30)
        )
        .await,
        "the cut-off region still accepts webhooks"
    );
    tokio::time::sleep(Duration::from_secs(60).saturating_sub(cut.elapsed())).await;
    assert_eq!(
        marker_rows(&stack).await,
        0,
        "routed while the region was cut off"
    );
    let hub_ports = stack.nats.ports.hub_leafnode.clone();
    relink_leaf(&mut stack, "eu", &hub_ports).await;
    let healed = Instant::now();
    let recovery = probe_recovery(&stack, run.tag, healed).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(
        "region eu cut from the hub 60 s",
        "sqlite",
        &sent,
        &audit,
        recovery,
    );
}

/// Waits until hub node `node` answers 200 on its monitor's `/healthz`
/// (JetStream current: its stream and consumer replicas caught up).
async fn wait_healthy(stack: &ProcessStack, node: usize) {
    let url = format!("{}/healthz", stack.nats.hub.nodes[node].monitor_url);
    support::eventually(
        Duration::from_secs(60),
        "the hub node to be healthy",
        || async {
            let response = stack.http.get(&url).send().await.ok()?;
            response.status().is_success().then_some(())
        },
    )
    .await;
}

async fn marker_rows(stack: &ProcessStack) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entities::message::Entity::find()
        .filter(entities::message::Column::ProviderMessageId.eq("wamid.regioncut.marker"))
        .count(&stack.database)
        .await
        .unwrap()
}

/// Restarts `region`'s leaf node on the same store and ports, linked to the
/// hub leafnode ports given.
async fn relink_leaf(stack: &mut ProcessStack, region: &str, hub_leafnode_ports: &[u16]) {
    let i = stack
        .nats
        .leaves
        .iter()
        .position(|l| l.region == region)
        .unwrap();
    let client_port: u16 = stack.nats.ports.leaf_client[i];
    let monitor_port: u16 = stack.nats.ports.leaf_monitor[i];
    stack.nats.leaves[i].process.stop(Duration::from_secs(5));
    let dir = stack.nats.dir.path().to_owned();
    let mut leaf = LeafNode::start(
        "nats-server",
        &dir,
        region,
        client_port,
        monitor_port,
        hub_leafnode_ports,
        &stack.nats.security,
    )
    .unwrap();
    leaf.wait_ready(Duration::from_secs(30)).await.unwrap();
    stack.nats.leaves[i] = leaf;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_of_every_role_under_load_loses_and_doubles_nothing() {
    rolling_restart(false, "rolling restart of every role").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_of_the_hub_nodes_and_every_role_under_load_loses_nothing() {
    rolling_restart(true, "rolling restart of hub nodes and every role").await;
}

/// Restarts (SIGTERM, start, wait until ready) the hub nodes when `hub`,
/// then both edges, the routers and the senders, one by one, under load.
async fn rolling_restart(hub: bool, scenario: &str) {
    let db = TestDb::sqlite();
    let mut stack = ProcessStack::start(db.url(), ProcessOptions::default()).await;
    // Traffic outlasts the restarts: three hub nodes, each drained and
    // waited healthy, take far longer than the roles alone.
    let per_contact = if hub { 90 } else { 25 };
    let plan = Plan {
        per_contact,
        pace: Duration::from_millis(1000),
        ..Plan::new("rolling")
    };
    let total = plan.contacts * per_contact;
    let run = Run::start(&stack, plan, REPLY_EVERY);
    run.until_accepted(40).await;
    let grace = Duration::from_secs(10);
    let started = Instant::now();

    let hub_nodes = if hub { stack.nats.hub.nodes.len() } else { 0 };
    for node in 0..hub_nodes {
        stack.nats.hub.nodes[node].stop(grace);
        stack.nats.hub.nodes[node].start().unwrap();
        stack
            .nats
            .hub
            .wait_ready(Duration::from_secs(30))
            .await
            .unwrap();
        // As an operator would: the next node only once this one's streams
        // and consumers are current again (the server's /healthz).
        wait_healthy(&stack, node).await;
    }
    for i in 0..stack.edges.len() {
        stack.edges[i].process.stop(grace);
        stack.edges[i].process.start().unwrap();
        stack.wait_edge_ready(i).await;
    }
    for i in 0..stack.routers.len() {
        stack.routers[i].stop(grace);
        stack.routers[i].start().unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for i in 0..stack.senders.len() {
        stack.senders[i].stop(grace);
        stack.senders[i].start().unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let done = Instant::now();
    // Under load: traffic was still flowing when the last process came
    // back (read now, not after the recovery probe, whose time depends on
    // the machine's other work).
    let accepted_at_done = run
        .counters
        .accepted
        .load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{scenario} took {:?}; {accepted_at_done} of {total} accepted by then",
        done - started,
    );
    assert!(accepted_at_done < total, "the restart happened under load");
    let recovery = probe_recovery(&stack, run.tag, done).await;

    let (sent, replies) = run.finish().await;
    let audit = quiesce_and_audit(&stack, &sent, &replies, SETTLE).await;
    report(scenario, "sqlite", &sent, &audit, recovery);
    for p in stack.routers.iter_mut().chain(stack.senders.iter_mut()) {
        assert!(p.alive(), "{} exited:\n{}", p.name, p.log_tail(20));
    }
}

/// The provider accepts a reply and the database goes down before the
/// sender records it: the sender must keep trying to record the send, never
/// call the provider again (CI once saw reply 25 accepted twice in the
/// 30 s PostgreSQL outage above, exactly this window).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_right_after_the_provider_accepted_a_reply_sends_it_once() {
    assert!(
        pg::PrivatePostgres::available(),
        "PostgreSQL 15 binaries missing"
    );
    let postgres = pg::PrivatePostgres::start().await;
    let stack = ProcessStack::start(&postgres.url, ProcessOptions::default()).await;
    let plan = Plan {
        contacts: 1,
        per_contact: 1,
        ..Plan::new("pgcall")
    };
    let sent = traffic::run(&stack, plan).await;
    assert_eq!(sent.accepted.len(), 1);
    let conversation = support::eventually(Duration::from_secs(20), "the conversation", || async {
        use sea_orm::EntityTrait;
        entities::conversation::Entity::find()
            .one(&stack.database)
            .await
            .ok()
            .flatten()
    })
    .await;

    // Slow enough to stop the database while the call is in flight, well
    // under the sender's request timeout (3 s).
    stack
        .set_faults(serde_json::json!({"latency_ms": 2000}))
        .await;
    let js = stack.hub_js().await;
    let reply = relay::outbound::enqueue_reply(
        &stack.database,
        &js,
        stack.config.topology.partitions,
        conversation.id,
        None,
        relay::envelope::ReplyContent::Text {
            body: "one and only".into(),
        },
    )
    .await
    .unwrap();
    let ours = reply.id.to_string();
    let calls = |path: &'static str| {
        let (http, url, ours) = (stack.http.clone(), stack.sandbox_url.clone(), ours.clone());
        async move {
            let list: Vec<serde_json::Value> = http
                .get(format!("{url}/sandbox/{path}"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            Some(
                list.iter()
                    .filter(|m| {
                        m["callback"].as_str() == Some(&ours)
                            || m["request"]["biz_opaque_callback_data"].as_str() == Some(&ours)
                    })
                    .count(),
            )
        }
    };
    support::eventually(Duration::from_secs(20), "the call in flight", || async {
        calls("arrivals").await.filter(|n| *n > 0)
    })
    .await;
    // Longer than the pool's acquire timeout (10 s): recording the send
    // fails instead of waiting for the database.
    postgres.stop_server();
    tokio::time::sleep(Duration::from_secs(14)).await;
    assert_eq!(
        calls("messages").await,
        Some(1),
        "the provider accepted the reply while the database was down"
    );
    postgres.start_server();
    stack.set_faults(serde_json::json!({})).await;

    let row = support::eventually(
        Duration::from_secs(60),
        "the reply recorded as sent",
        || async {
            use sea_orm::EntityTrait;
            entities::message::Entity::find_by_id(reply.id)
                .one(&stack.database)
                .await
                .ok()
                .flatten()
                .filter(|m| m.status != "queued")
        },
    )
    .await;
    assert!(
        ["sent", "delivered", "read"].contains(&row.status.as_str()),
        "{row:?}"
    );
    // Longer than the sender's retry floor (5 s): a second call would show.
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        calls("messages").await,
        Some(1),
        "sent exactly once:\n{}",
        stack.logs()
    );
    assert_eq!(calls("arrivals").await, Some(1));
}
