//! Steady signed traffic for fault tests, and the audit after it.
//!
//! Traffic: every contact has a home region and posts its messages one after
//! another (the next only once the previous got its 200), with rising
//! provider timestamps, so per-conversation order is defined. A 503 or a
//! refused connection is retried like a provider would; each is counted.
//! Replies are queued to the conversations meanwhile.
//!
//! Audit, after quiescence: every accepted webhook is exactly one message
//! row; every reply is sent exactly once (counted at the sandbox) or failed
//! with a dead letter and a reason; each contact has one conversation; the
//! rows of a conversation in apply order (id) have non-decreasing provider
//! timestamps.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use entities::{contact, conversation, message};
use relay::envelope::ReplyContent;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::procs::ProcessStack;
use crate::support::{APP_SECRET, PHONE_NUMBER_ID, eventually, meta_text};

/// What to send.
#[derive(Clone)]
pub struct Plan {
    /// Prefix of wamids and contact numbers, unique per scenario.
    pub tag: &'static str,
    pub contacts: usize,
    pub per_contact: usize,
    /// Pause between two messages of one contact.
    pub pace: Duration,
    /// Also post every message to the other region right after its 200
    /// (a duplicate within the stream's window).
    pub copy_to_other_region: bool,
    /// Give up on one message after this long (it then counts as not accepted).
    pub give_up_after: Duration,
}

impl Plan {
    pub fn new(tag: &'static str) -> Self {
        Self {
            tag,
            contacts: 24,
            per_contact: 13,
            pace: Duration::from_millis(500),
            copy_to_other_region: false,
            give_up_after: Duration::from_secs(90),
        }
    }
}

/// Counters of a traffic run.
#[derive(Default)]
pub struct Counters {
    pub posts: AtomicUsize,
    pub accepted: AtomicUsize,
    pub unavailable: AtomicUsize,
    pub refused: AtomicUsize,
    pub rejected: AtomicUsize,
    pub edge_duplicates: AtomicUsize,
}

/// The result of a traffic run.
pub struct Sent {
    /// Distinct webhooks (messages) sent.
    pub messages: usize,
    /// (wamid, contact, timestamp) of every webhook that got a 200.
    pub accepted: Vec<(String, String, i64)>,
    pub counters: Arc<Counters>,
    pub elapsed: Duration,
}

impl Sent {
    pub fn unavailable(&self) -> usize {
        self.counters.unavailable.load(Ordering::Relaxed)
    }
    pub fn refused(&self) -> usize {
        self.counters.refused.load(Ordering::Relaxed)
    }
}

pub fn contact_number(tag: &str, c: usize) -> String {
    // Stable digits per tag, so scenarios in one database never share one.
    let seed: u32 = tag
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("49{:05}{:05}", seed % 100_000, c)
}

/// Posts one signed delivery until it is accepted (200) or `give_up_after`.
/// Returns whether it was accepted.
pub async fn post_until_accepted(
    http: &reqwest::Client,
    edge: &str,
    body: &[u8],
    counters: &Counters,
    give_up_after: Duration,
) -> bool {
    let deadline = Instant::now() + give_up_after;
    let signature = relay::provider::meta::sign(APP_SECRET, body);
    loop {
        counters.posts.fetch_add(1, Ordering::Relaxed);
        let result = http
            .post(format!("{edge}/webhooks/meta"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature)
            .body(body.to_vec())
            .send()
            .await;
        match result {
            Ok(response) if response.status() == 200 => {
                counters.accepted.fetch_add(1, Ordering::Relaxed);
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                if answer["duplicates"].as_u64().unwrap_or(0) > 0 {
                    counters.edge_duplicates.fetch_add(1, Ordering::Relaxed);
                }
                return true;
            }
            Ok(response) if response.status() == 503 => {
                counters.unavailable.fetch_add(1, Ordering::Relaxed);
            }
            Ok(response) => {
                counters.rejected.fetch_add(1, Ordering::Relaxed);
                panic!(
                    "edge {edge} refused a valid delivery: {} {}",
                    response.status(),
                    response.text().await.unwrap_or_default()
                );
            }
            // Edge down (restart) or its answer lost: the provider retries.
            Err(_) => {
                counters.refused.fetch_add(1, Ordering::Relaxed);
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Runs `plan` against the stack's edges; returns when every contact is done.
pub async fn run(stack: &ProcessStack, plan: Plan) -> Sent {
    let edges: Vec<String> = stack.edges.iter().map(|e| e.url.clone()).collect();
    run_on(
        stack.http.clone(),
        edges,
        plan,
        Arc::new(Counters::default()),
    )
    .await
}

async fn run_on(
    http: reqwest::Client,
    edges: Vec<String>,
    plan: Plan,
    counters: Arc<Counters>,
) -> Sent {
    let started = Instant::now();
    let base_ts = chrono::Utc::now().timestamp() - 3600;
    let mut tasks = Vec::new();
    for c in 0..plan.contacts {
        let http = http.clone();
        let edges = edges.clone();
        let counters = counters.clone();
        let plan = plan.clone();
        tasks.push(tokio::spawn(async move {
            let from = contact_number(plan.tag, c);
            let home = c % edges.len();
            let mut accepted = Vec::new();
            // Spread the contacts' start over one pace.
            tokio::time::sleep(
                plan.pace * u32::try_from(c).unwrap() / u32::try_from(plan.contacts).unwrap(),
            )
            .await;
            for m in 0..plan.per_contact {
                let wamid = format!("wamid.{}.{c}.{m}", plan.tag);
                let ts = base_ts + i64::try_from(m).unwrap();
                let body = meta_text(
                    PHONE_NUMBER_ID,
                    &from,
                    "Fault",
                    &wamid,
                    &format!("message {m}"),
                    ts,
                );
                if post_until_accepted(&http, &edges[home], &body, &counters, plan.give_up_after)
                    .await
                {
                    accepted.push((wamid, from.clone(), ts));
                    if plan.copy_to_other_region && edges.len() > 1 {
                        let other = &edges[(home + 1) % edges.len()];
                        post_until_accepted(&http, other, &body, &counters, plan.give_up_after)
                            .await;
                    }
                }
                tokio::time::sleep(plan.pace).await;
            }
            accepted
        }));
    }
    let mut accepted = Vec::new();
    for task in tasks {
        accepted.extend(task.await.unwrap());
    }
    Sent {
        messages: plan.contacts * plan.per_contact,
        accepted,
        counters,
        elapsed: started.elapsed(),
    }
}

/// Posts every accepted webhook once more (a provider retry after the
/// window), alternating regions; returns how many got a 200.
pub async fn redeliver_all(stack: &ProcessStack, sent: &Sent) -> usize {
    let edges: Vec<String> = stack.edges.iter().map(|e| e.url.clone()).collect();
    let counters = Counters::default();
    let mut ok = 0;
    for (i, (wamid, from, ts)) in sent.accepted.iter().enumerate() {
        let text = wamid.rsplit('.').next().unwrap();
        let body = meta_text(
            PHONE_NUMBER_ID,
            from,
            "Fault",
            wamid,
            &format!("message {text}"),
            *ts,
        );
        if post_until_accepted(
            &stack.http,
            &edges[i % edges.len()],
            &body,
            &counters,
            Duration::from_secs(30),
        )
        .await
        {
            ok += 1;
        }
    }
    ok
}

/// Queues a text reply to one of the scenario's conversations every
/// `every`, until `stop` is set; returns the ids of the queued replies.
pub fn replies_meanwhile(
    stack: &ProcessStack,
    tag: &'static str,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<i64>> {
    let database = stack.database.clone();
    let partitions = stack.config.topology.partitions;
    let nats = stack.nats.hub.client_urls();
    let ops = stack.nats.security.ops_access();
    tokio::spawn(async move {
        let client = relay::nats::connect(&nats, "test-replies", Duration::from_secs(10), &ops)
            .await
            .unwrap();
        let js = async_nats::jetstream::new(client);
        let mut ids = Vec::new();
        let mut turn = 0usize;
        while !stop.load(Ordering::Relaxed) {
            tokio::time::sleep(every).await;
            let prefix = contact_number(tag, 0);
            let prefix = &prefix[..prefix.len() - 5];
            let Ok(conversations) = conversation::Entity::find()
                .find_also_related(contact::Entity)
                .all(&database)
                .await
            else {
                continue;
            };
            let ours: Vec<i64> = conversations
                .iter()
                .filter(|(_, c)| c.as_ref().is_some_and(|c| c.wa_id.starts_with(prefix)))
                .map(|(conv, _)| conv.id)
                .collect();
            if ours.is_empty() {
                continue;
            }
            turn += 1;
            let target = ours[turn % ours.len()];
            // An error here is the admin API's answer to its caller (not
            // queued); only replies it accepted are audited.
            if let Ok(row) = relay::outbound::enqueue_reply(
                &database,
                &js,
                partitions,
                target,
                None,
                ReplyContent::Text {
                    body: format!("reply {turn}"),
                },
            )
            .await
            {
                ids.push(row.id);
            }
        }
        ids
    })
}

/// The audit's figures.
#[derive(Debug, Default)]
pub struct Audit {
    pub stored: usize,
    pub duplicates: usize,
    pub lost: usize,
    pub replies: usize,
    pub replies_sent: usize,
    pub replies_dead_lettered: usize,
    /// Events the server lost from a consumer and the router's repair scan
    /// applied late (relay/src/repair.rs); exempt from the order check.
    pub repaired: usize,
}

/// Waits until every accepted webhook has its row, the router consumers are
/// idle and every reply has settled; then checks every invariant.
pub async fn quiesce_and_audit(
    stack: &ProcessStack,
    sent: &Sent,
    replies: &[i64],
    wait: Duration,
) -> Audit {
    let wanted: HashSet<&str> = sent.accepted.iter().map(|(w, _, _)| w.as_str()).collect();
    let wamids: Vec<String> = wanted.iter().map(|w| (*w).to_owned()).collect();
    let started = Instant::now();
    let deadline = Instant::now() + wait;
    loop {
        let stored: HashSet<String> = rows_for(stack, &wamids)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.provider_message_id)
            .collect();
        if stored.len() == wamids.len() {
            break;
        }
        if Instant::now() > deadline {
            let mut missing: Vec<&String> =
                wamids.iter().filter(|w| !stored.contains(*w)).collect();
            missing.sort();
            panic!(
                "{} accepted webhooks not stored after {wait:?}: {:?}\n{}\n{}\n{}\n{}",
                missing.len(),
                &missing[..missing.len().min(20)],
                pipeline_state(stack).await,
                where_are(stack, &missing[..missing.len().min(5)]).await,
                router_letters(stack).await,
                stack.logs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_router_idle(stack, wait.saturating_sub(started.elapsed())).await;
    let rows = rows_for(stack, &wamids).await.unwrap();
    let mut per_wamid: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        *per_wamid
            .entry(row.provider_message_id.clone().unwrap())
            .or_default() += 1;
    }
    let duplicates: usize = per_wamid.values().map(|n| n - 1).sum();
    let lost = wanted
        .iter()
        .filter(|w| !per_wamid.contains_key(**w))
        .count();
    assert_eq!(lost, 0, "accepted webhooks without a row");
    assert_eq!(
        duplicates, 0,
        "webhooks stored more than once: {per_wamid:?}"
    );

    // One conversation per contact, and order within each.
    let mut by_conversation: BTreeMap<i64, Vec<&message::Model>> = BTreeMap::new();
    for row in &rows {
        by_conversation
            .entry(row.conversation_id)
            .or_default()
            .push(row);
    }
    let contacts: HashSet<&str> = sent.accepted.iter().map(|(_, c, _)| c.as_str()).collect();
    assert_eq!(
        by_conversation.len(),
        contacts.len(),
        "each contact's messages are in exactly one conversation"
    );
    // Events the repair scan applied came late by construction (the server
    // lost them; relay/src/repair.rs): counted, and left out of the order
    // check, which holds for every other event.
    let repaired: HashSet<i64> = entities::message_event::Entity::find()
        .filter(
            entities::message_event::Column::Stage
                .eq(entities::message_event::Stage::Repaired.as_str()),
        )
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.message_id)
        .collect();
    for (id, mut messages) in by_conversation {
        messages.sort_by_key(|m| m.id);
        messages.retain(|m| !repaired.contains(&m.id));
        for pair in messages.windows(2) {
            assert!(
                pair[0].provider_timestamp <= pair[1].provider_timestamp,
                "conversation {id}: {:?} applied before {:?}",
                pair[0].provider_message_id,
                pair[1].provider_message_id
            );
        }
    }
    // No contact has two open conversations (two owners of one thread).
    let conversations = conversation::Entity::find()
        .all(&stack.database)
        .await
        .unwrap();
    let mut open_per_contact: HashMap<i64, usize> = HashMap::new();
    for c in conversations.iter().filter(|c| c.status != "resolved") {
        *open_per_contact.entry(c.contact_id).or_default() += 1;
    }
    assert!(
        open_per_contact.values().all(|&n| n == 1),
        "a contact with several open conversations: {open_per_contact:?}"
    );
    let (replies_sent, replies_dead_lettered) = audit_replies(stack, replies, wait).await;
    Audit {
        stored: per_wamid.len(),
        duplicates,
        repaired: repaired.len(),
        lost,
        replies: replies.len(),
        replies_sent,
        replies_dead_lettered,
    }
}

async fn eventually_or_report<F, Fut>(
    stack: &ProcessStack,
    wait: Duration,
    what: &str,
    mut check: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<()>>,
{
    let deadline = Instant::now() + wait;
    loop {
        if check().await.is_some() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            stack.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn rows_for(stack: &ProcessStack, wamids: &[String]) -> Option<Vec<message::Model>> {
    let mut rows = Vec::new();
    for chunk in wamids.chunks(500) {
        rows.extend(
            message::Entity::find()
                .filter(message::Column::ProviderMessageId.is_in(chunk.to_vec()))
                .filter(message::Column::Direction.eq("inbound"))
                .order_by_asc(message::Column::Id)
                .all(&stack.database)
                .await
                .ok()?,
        );
    }
    Some(rows)
}

/// Waits until the routers applied everything INBOUND holds
/// ([`crate::support::routers_caught_up`]).
pub async fn wait_router_idle(stack: &ProcessStack, wait: Duration) {
    let js = stack.hub_js().await;
    let partitions = stack.config.topology.partitions;
    eventually_or_report(
        stack,
        wait.max(Duration::from_secs(10)),
        "router consumers idle",
        || crate::support::routers_caught_up(js.clone(), partitions),
    )
    .await;
}

/// Where missing events are: which stream (edge streams on the leaves,
/// INBOUND on the hub) holds them, at which sequence.
async fn where_are(stack: &ProcessStack, wamids: &[&String]) -> String {
    let mut out = String::new();
    let mut places: Vec<(String, async_nats::jetstream::Context, String)> = Vec::new();
    places.push((
        "hub".into(),
        stack.hub_js().await,
        relay::topology::INBOUND.into(),
    ));
    for leaf in &stack.nats.leaves {
        if let Ok(client) = leaf.process.connect().await {
            places.push((
                leaf.region.clone(),
                async_nats::jetstream::new(client),
                relay::topology::edge_stream(&leaf.region),
            ));
        }
    }
    for (place, js, name) in places {
        let Ok(mut stream) = js.get_stream(&name).await else {
            out.push_str(&format!("{place}/{name}: unavailable\n"));
            continue;
        };
        let last = stream
            .info()
            .await
            .map(|i| i.state.last_sequence)
            .unwrap_or(0);
        for seq in 1..=last {
            let Ok(raw) = stream.get_raw_message(seq).await else {
                continue;
            };
            let text = String::from_utf8_lossy(&raw.payload);
            for w in wamids {
                if text.contains(&format!("\"{w}\"")) {
                    out.push_str(&format!(
                        "{place}/{name} seq {seq} subject {}: {w}\n",
                        raw.subject
                    ));
                }
            }
        }
    }
    out
}

/// The router's dead letters: subject and error.
async fn router_letters(stack: &ProcessStack) -> String {
    let js = stack.hub_js().await;
    let Ok(mut dlq) = js.get_stream(relay::topology::DLQ).await else {
        return "DLQ unavailable".into();
    };
    let last = dlq.info().await.map(|i| i.state.last_sequence).unwrap_or(0);
    let mut out = String::new();
    for seq in 1..=last {
        let Ok(raw) = dlq.get_raw_message(seq).await else {
            continue;
        };
        if raw.subject.starts_with("wa.dlq.router.") {
            let error = raw
                .headers
                .get(relay::dlq::headers::ERROR)
                .map(|v| v.as_str().to_owned());
            out.push_str(&format!(
                "DLQ {seq} {}: {error:?} {}\n",
                raw.subject,
                String::from_utf8_lossy(&raw.payload)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
    }
    out
}

/// INBOUND's sources and the router consumers, for failure messages.
async fn pipeline_state(stack: &ProcessStack) -> String {
    let js = stack.hub_js().await;
    let mut out = String::new();
    let Ok(mut stream) = js.get_stream(relay::topology::INBOUND).await else {
        return "INBOUND unavailable".into();
    };
    if let Ok(info) = stream.info().await {
        out.push_str(&format!(
            "INBOUND: {} messages, last seq {}\n",
            info.state.messages, info.state.last_sequence
        ));
        for source in &info.sources {
            out.push_str(&format!(
                "  source {}: lag {}, active {:?}\n",
                source.name, source.lag, source.active
            ));
        }
    }
    for p in 0..stack.config.topology.partitions {
        let consumer: Result<async_nats::jetstream::consumer::PullConsumer, _> = stream
            .get_consumer(&relay::topology::router_consumer(p))
            .await;
        if let Ok(mut consumer) = consumer
            && let Ok(info) = consumer.info().await
        {
            out.push_str(&format!(
                "  router-p{p}: pending {}, ack pending {}, redelivered {}, delivered {:?}, ack floor {:?}, waiting {}\n",
                info.num_pending, info.num_ack_pending, info.num_redelivered, info.delivered.stream_sequence, info.ack_floor.stream_sequence, info.num_waiting
            ));
        }
    }
    out
}

/// Every reply sent exactly once at the sandbox, or failed with one dead
/// letter carrying a reason. Returns (sent, dead-lettered).
async fn audit_replies(stack: &ProcessStack, ids: &[i64], wait: Duration) -> (usize, usize) {
    if ids.is_empty() {
        return (0, 0);
    }
    let rows: HashMap<i64, message::Model> =
        eventually(wait, "every reply sent or failed", || async {
            let rows = message::Entity::find()
                .filter(message::Column::Id.is_in(ids.to_vec()))
                .all(&stack.database)
                .await
                .ok()?;
            (rows.len() == ids.len() && rows.iter().all(|m| m.status != "queued"))
                .then(|| rows.into_iter().map(|m| (m.id, m)).collect())
        })
        .await;
    let sent: Vec<Value> = stack
        .http
        .get(format!("{}/sandbox/messages", stack.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut accepted: HashMap<i64, usize> = HashMap::new();
    for m in sent {
        if let Some(id) = m["request"]["biz_opaque_callback_data"]
            .as_str()
            .and_then(|s| s.parse().ok())
        {
            *accepted.entry(id).or_default() += 1;
        }
    }
    let letters = crate::support::sender_dead_letters(&stack.hub_js().await).await;
    let (mut ok, mut dead) = (0, 0);
    for (id, row) in &rows {
        let times = accepted.get(id).copied().unwrap_or(0);
        let letters_of = letters.get(id).map_or(0, Vec::len);
        match row.status.as_str() {
            "sent" | "delivered" | "read" => {
                assert_eq!(
                    times,
                    1,
                    "reply {id} accepted by the provider {times} times: {row:?}\n{}",
                    stack.logs()
                );
                assert_eq!(letters_of, 0, "reply {id} sent and dead-lettered");
                ok += 1;
            }
            "failed" => {
                assert_eq!(times, 0, "failed reply {id} was accepted {times} times");
                assert_eq!(
                    letters_of, 1,
                    "failed reply {id} has {letters_of} dead letters"
                );
                assert!(
                    !letters[id][0].1.is_empty() && row.error.is_some(),
                    "reply {id}: no reason"
                );
                dead += 1;
            }
            other => panic!("reply {id} ended {other}"),
        }
    }
    (ok, dead)
}

/// Time from `since` until a fresh webhook posted now (retried while the
/// edge says 503) is stored as a message row: the recovery time.
pub async fn probe_recovery(stack: &ProcessStack, tag: &str, since: Instant) -> Duration {
    let counters = Counters::default();
    let wamid = format!("wamid.{tag}.probe.{}", since.elapsed().as_micros());
    let from = format!("4917{:08}", since.elapsed().as_micros() % 100_000_000);
    let body = meta_text(
        PHONE_NUMBER_ID,
        &from,
        "Probe",
        &wamid,
        "probe",
        chrono::Utc::now().timestamp(),
    );
    assert!(
        post_until_accepted(
            &stack.http,
            &stack.edges[0].url,
            &body,
            &counters,
            Duration::from_secs(120)
        )
        .await,
        "the probe was never accepted\n{}",
        stack.logs()
    );
    let wamids = vec![wamid];
    eventually_or_report(
        stack,
        Duration::from_secs(120),
        "the probe to be stored",
        || {
            let wamids = wamids.clone();
            async move { (rows_for(stack, &wamids).await?.len() == 1).then_some(()) }
        },
    )
    .await;
    since.elapsed()
}

/// One machine-readable line per scenario (`FAULTS {json}`), on stderr and
/// appended to `$WHARF_FAULTS_REPORT` when set.
pub fn report(scenario: &str, database: &str, sent: &Sent, audit: &Audit, recovery: Duration) {
    let line = serde_json::json!({
        "scenario": scenario,
        "database": database,
        "messages": sent.messages,
        "posts": sent.counters.posts.load(Ordering::Relaxed),
        "accepted": sent.accepted.len(),
        "edge_503": sent.unavailable(),
        "edge_refused": sent.refused(),
        "stored": audit.stored,
        "duplicates": audit.duplicates,
        "lost": audit.lost,
        "replies": audit.replies,
        "replies_sent": audit.replies_sent,
        "replies_dead_lettered": audit.replies_dead_lettered,
        "repaired": audit.repaired,
        "recovery_ms": recovery.as_millis(),
        "traffic_secs": sent.elapsed.as_secs_f64(),
    });
    let line = format!("FAULTS {line}");
    eprintln!("{line}");
    if let Ok(path) = std::env::var("WHARF_FAULTS_REPORT") {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(file, "{line}").unwrap();
    }
}

/// Traffic and replies running in the background while a test breaks things.
pub struct Run {
    pub tag: &'static str,
    pub counters: Arc<Counters>,
    traffic: tokio::task::JoinHandle<Sent>,
    stop_replies: Arc<AtomicBool>,
    replies: Option<tokio::task::JoinHandle<Vec<i64>>>,
}

impl Run {
    /// Starts `plan`, and when `reply_every` is given, replies meanwhile.
    pub fn start(stack: &ProcessStack, plan: Plan, reply_every: Option<Duration>) -> Self {
        let edges: Vec<String> = stack.edges.iter().map(|e| e.url.clone()).collect();
        let counters = Arc::new(Counters::default());
        let stop_replies = Arc::new(AtomicBool::new(false));
        let replies = reply_every
            .map(|every| replies_meanwhile(stack, plan.tag, every, stop_replies.clone()));
        let tag = plan.tag;
        let traffic = tokio::spawn(run_on(stack.http.clone(), edges, plan, counters.clone()));
        Self {
            tag,
            counters,
            traffic,
            stop_replies,
            replies,
        }
    }

    /// Waits until `n` webhooks were accepted (to break things mid-stream).
    pub async fn until_accepted(&self, n: usize) {
        eventually(Duration::from_secs(120), "traffic to get going", || async {
            (self.counters.accepted.load(Ordering::Relaxed) >= n).then_some(())
        })
        .await;
    }

    /// Waits for the traffic to end and stops the replies.
    pub async fn finish(self) -> (Sent, Vec<i64>) {
        let sent = self.traffic.await.unwrap();
        self.stop_replies.store(true, Ordering::Relaxed);
        let replies = match self.replies {
            Some(task) => task.await.unwrap(),
            None => Vec::new(),
        };
        (sent, replies)
    }
}
