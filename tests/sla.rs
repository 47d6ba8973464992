//! SLA policies (issue 24, item 3) on a running stack: customers write
//! through a signed webhook to an edge, the router stores their messages,
//! the admin server's sweep applies the policies. A conversation not
//! answered within a 2 s first-response target is breached once, with one
//! alert through a real HTTP sink that resolves on the agent's reply; one
//! answered in time is met, without an alert; the most specific policy wins
//! (team + number over team); bad policies are refused, changing nothing.
//! Every policy operation goes through the generated client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use admin::alerts::{AlertSettings, Rule, RuleKind, SinkKind, SinkSettings};
use chrono::{DateTime, Utc};
use client_support::*;
use entities::{sla_breach, sla_outcome};
use poem::web::{Data, Json};
use poem::{EndpointExt, Route, handler, post};
use relay::secret::Secret;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use support::*;
use tokio_util::sync::CancellationToken;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(40);

/// The alert announcements a local webhook sink received.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<serde_json::Value>>>);

impl Received {
    /// The announcements of `event` (`alert.firing`, `alert.resolved`) of
    /// the SLA rule.
    fn sla(&self, event: &str) -> Vec<serde_json::Value> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|b| b["event"] == event && b["alert"]["rule"] == "sla-breach")
            .cloned()
            .collect()
    }
}

#[handler]
fn receive(Json(body): Json<serde_json::Value>, received: Data<&Received>) {
    received.0.0.lock().unwrap().push(body);
}

/// A local HTTP server recording every POST to `/hook`; its URL.
async fn sink(received: Received, shutdown: CancellationToken) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener).unwrap();
    let app = Route::new().at("/hook", post(receive)).data(received);
    tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, shutdown.cancelled_owned(), None)
            .await
            .ok();
    });
    format!("http://{addr}/hook")
}

/// The default `sla-breach` rule, evaluated every 200 ms, to one sink.
fn alerts(url: String) -> AlertSettings {
    AlertSettings {
        enabled: true,
        interval_ms: 200,
        edge_metrics_urls: Vec::new(),
        sinks: vec![SinkSettings {
            kind: SinkKind::Webhook,
            url: Secret::new(url),
            timeout_ms: 2000,
            attempts: 3,
        }],
        rules: vec![Rule {
            name: "sla-breach".into(),
            kind: RuleKind::SlaBreach,
            threshold: 0.0,
            for_secs: 0,
            clear_secs: Some(0),
            severity: "ticket".into(),
            stream: None,
            consumer: None,
            window_secs: None,
            reasons: Vec::new(),
            min_events: None,
            numbers: Vec::new(),
            hours_utc: None,
        }],
    }
}

/// A customer's message at `ts` (unix seconds) through the edge; the
/// conversation it joined.
async fn customer_writes(stack: &Stack, from: &str, wamid: &str, ts: i64) -> i64 {
    stack.customer_writes(from, wamid, "help please", ts).await
}

/// The conversation's SLA once the sweep computed it with `policy`.
async fn sla_of(client: &Client, id: i64, policy: i64) -> types::SlaOut {
    eventually(WAIT, "the conversation's SLA", || async {
        let detail = client.get_conversation(id).await.ok()?.into_inner();
        detail.conversation.sla.filter(|s| s.policy_id == policy)
    })
    .await
}

async fn breaches(stack: &Stack, id: i64) -> Vec<sla_breach::Model> {
    sla_breach::Entity::find()
        .filter(sla_breach::Column::ConversationId.eq(id))
        .all(&stack.database)
        .await
        .unwrap()
}

/// The admin's client and a manual team "Care".
async fn admin_and_team(admin_url: &str) -> (Client, types::TeamOut) {
    let admin = client_with(admin_url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    (admin, care)
}

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap()
}

async fn a_missed_target_breaches_once_with_one_alert_and_a_kept_one_is_met(db: TestDb) {
    let received = Received::default();
    let sink_down = CancellationToken::new();
    let url = sink(received.clone(), sink_down.clone()).await;
    let stack = spawn_stack(
        db,
        StackOptions {
            alerts: Some(alerts(url)),
            ..StackOptions::default()
        },
    )
    .await;
    let admin_url = stack.admin_url.as_str();
    let (admin, care) = admin_and_team(admin_url).await;
    admin
        .create_rule(&body(json!({
            "name": "help", "conditions": {"keywords": ["help"]},
            "action": {"type": "team", "team_id": care.id, "priority": 0},
        })))
        .await
        .unwrap();
    let (_, ana) = signed_in(&admin, admin_url, "ana@example.com", "agent", &[care.id]).await;
    let team_policy = admin
        .create_sla_policy(&body(json!({
            "name": "Care", "team_id": care.id, "first_response_secs": 2,
            "warn_before_secs": 1,
        })))
        .await
        .unwrap()
        .into_inner();
    assert!(team_policy.enabled);

    // Not answered within 2 s: breached once, one alert naming the
    // conversation and its team, no phone number.
    let ts = Utc::now().timestamp();
    let late = customer_writes(&stack, "4915100000701", "wamid.SLA.late", ts).await;
    let sla = sla_of(&admin, late, team_policy.id).await;
    assert_eq!(sla.target, "first_response");
    assert_eq!(sla.due_at, at(ts + 2));
    let firing = eventually(WAIT, "the SLA alert", || async {
        received.sla("alert.firing").into_iter().next()
    })
    .await;
    assert_eq!(firing["alert"]["instance"], late.to_string());
    let summary = firing["alert"]["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("conversation {late}")),
        "{summary}"
    );
    assert!(summary.contains("team Care"), "{summary}");
    assert!(summary.contains("first_response"), "{summary}");
    assert!(
        !summary.contains("4915100000701") && !summary.contains(PHONE_NUMBER_ID),
        "{summary}"
    );
    let recorded = breaches(&stack, late).await;
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].target, "first_response");
    assert_eq!(recorded[0].team_id, Some(care.id));
    assert_eq!(recorded[0].due_at, at(ts + 2));
    assert!(recorded[0].breached_at > at(ts + 2));
    let shown = admin.get_conversation(late).await.unwrap().into_inner();
    let sla = shown.conversation.sla.expect("a running clock");
    assert_eq!(
        (sla.state.as_str(), sla.breach.as_deref()),
        ("breached", Some("first_response"))
    );

    // The agent's reply stops the clock: the alert resolves once.
    let version = shown.conversation.version;
    ana.claim_conversation(late, &body(json!({"version": version})))
        .await
        .unwrap();
    ana.reply_to_conversation(late, &body(json!({"text": "On it"})))
        .await
        .unwrap();
    eventually(WAIT, "the SLA alert resolved", || async {
        received.sla("alert.resolved").into_iter().next()
    })
    .await;
    let answered = eventually(WAIT, "the breach cleared", || async {
        let c = admin.get_conversation(late).await.ok()?.into_inner();
        c.conversation.sla.is_none().then_some(c)
    })
    .await;
    assert_eq!(answered.conversation.id, late);

    // Team + number beats team: a new conversation gets it, is answered
    // in time (one hour), met: no breach, no alert.
    let numbers = admin.list_numbers().await.unwrap().into_inner();
    let number = numbers
        .iter()
        .find(|n| n.phone_number_id == PHONE_NUMBER_ID)
        .unwrap();
    let specific = admin
        .create_sla_policy(&body(json!({
            "name": "Care on the main number", "team_id": care.id,
            "business_number_id": number.id, "first_response_secs": 3600,
            "resolution_secs": 86400,
        })))
        .await
        .unwrap()
        .into_inner();
    let ts = Utc::now().timestamp();
    let kept = customer_writes(&stack, "4915100000702", "wamid.SLA.kept", ts).await;
    let sla = sla_of(&admin, kept, specific.id).await;
    assert_eq!(
        (sla.target.as_str(), sla.due_at, sla.state.as_str()),
        ("first_response", at(ts + 3600), "ok")
    );
    // Ordered by due: the kept one (running clock) before the answered one.
    let page = admin
        .list_conversations(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            Some(types::ConversationSort::Due),
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    let order: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    assert_eq!(order, vec![kept, late]);
    let version = admin
        .get_conversation(kept)
        .await
        .unwrap()
        .into_inner()
        .conversation
        .version;
    ana.claim_conversation(kept, &body(json!({"version": version})))
        .await
        .unwrap();
    ana.reply_to_conversation(kept, &body(json!({"text": "Hello"})))
        .await
        .unwrap();
    let sla = eventually(WAIT, "the resolution clock", || async {
        let c = admin.get_conversation(kept).await.ok()?.into_inner();
        c.conversation.sla.filter(|s| s.target == "resolution")
    })
    .await;
    assert_eq!(sla.due_at, at(ts + 86400));
    assert_eq!(sla.breach, None);
    assert!(breaches(&stack, kept).await.is_empty());
    assert_eq!(received.sla("alert.firing").len(), 1);
    assert_eq!(received.sla("alert.resolved").len(), 1);
    // Compliance, per team: the late first response missed, the kept one met.
    let outcomes: Vec<(i64, i64, String, i64, bool, Option<i64>)> = sla_outcome::Entity::find()
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .map(|o| {
            (
                o.conversation_id,
                o.policy_id,
                o.target,
                o.target_secs,
                o.met,
                o.team_id,
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (
                late,
                team_policy.id,
                "first_response".into(),
                2,
                false,
                Some(care.id)
            ),
            (
                kept,
                specific.id,
                "first_response".into(),
                3600,
                true,
                Some(care.id)
            ),
        ]
    );
    assert_eq!(
        sla_breach::Entity::find()
            .count(&stack.database)
            .await
            .unwrap(),
        1
    );
    sink_down.cancel();
}

on_sqlite_and_postgres!(a_missed_target_breaches_once_with_one_alert_and_a_kept_one_is_met);

async fn policies_are_managed_audited_and_bad_ones_refused(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let admin_url = stack.admin_url.as_str();
    let (admin, care) = admin_and_team(admin_url).await;
    let created = admin
        .create_sla_policy(&body(json!({
            "name": "  Care  ", "team_id": care.id, "first_response_secs": 300,
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.name, "Care");
    assert_eq!(created.warn_before_secs, None);
    let got = admin.get_sla_policy(created.id).await.unwrap().into_inner();
    assert_eq!(got.first_response_secs, Some(300));

    // Refusals name the field and change nothing.
    let detail = refused(
        admin
            .create_sla_policy(&body(json!({"name": "No target"})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("first_response_secs"), "{detail}");
    let detail = refused(
        admin
            .create_sla_policy(&body(json!({
                "name": "Ghost team", "team_id": 999_999, "resolution_secs": 60,
            })))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("team_id"), "{detail}");
    let detail = refused(
        admin
            .update_sla_policy(
                created.id,
                &body(json!({
                    "name": "Care", "label_id": 999_999, "resolution_secs": 60,
                })),
            )
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("label_id"), "{detail}");
    refused(
        admin
            .create_sla_policy(&body(json!({"name": "Care", "resolution_secs": 60})))
            .await,
        409,
        "conflict",
    );
    let (status, answer) = stack
        .admin_post(
            "/api/v1/sla-policies",
            json!({"name": "Zero", "first_response_secs": 0}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer.to_string().contains("first_response_secs"),
        "{answer}"
    );
    let listed = admin.list_sla_policies().await.unwrap().into_inner();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].label_id, None);

    // Agents may not manage them.
    let (_, ana) = signed_in(&admin, admin_url, "ana@example.com", "agent", &[care.id]).await;
    let (status, _) = failure(ana.list_sla_policies().await);
    assert_eq!(status, 403);

    let updated = admin
        .update_sla_policy(
            created.id,
            &body(json!({
                "name": "Care (all)", "next_response_secs": 600,
                "warn_before_secs": 60, "enabled": false,
            })),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            updated.team_id,
            updated.first_response_secs,
            updated.next_response_secs,
            updated.warn_before_secs,
            updated.enabled
        ),
        (None, None, Some(600), Some(60), false)
    );
    admin.delete_sla_policy(created.id).await.unwrap();
    let (status, _) = failure(admin.get_sla_policy(created.id).await);
    assert_eq!(status, 404);
    assert!(
        admin
            .list_sla_policies()
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );

    let (_, audit) = stack.admin_get("/api/v1/audit?limit=200").await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["target_type"] == "sla_policy")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    let mut sorted = actions.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        vec![
            "sla_policy.create",
            "sla_policy.delete",
            "sla_policy.update"
        ],
        "{audit}"
    );
}

on_sqlite_and_postgres!(policies_are_managed_audited_and_bad_ones_refused);

/// (met, missed, compliance, breaches) of a clock in a report.
fn clock(c: &types::SlaClockOut) -> (u64, u64, Option<f64>, u64) {
    (c.met, c.missed, c.compliance, c.breaches)
}

/// (messages in, out, first response, resolution) of a group.
type Shown = (
    u64,
    u64,
    (u64, u64, Option<f64>, u64),
    (u64, u64, Option<f64>, u64),
);

fn shown_of(g: &types::SupportGroupOut) -> (Option<String>, Shown) {
    (
        g.key.clone(),
        (
            g.messages_in,
            g.messages_out,
            clock(&g.sla.first_response),
            clock(&g.sla.resolution),
        ),
    )
}

/// SLA compliance and messages in the reports: two teams under two
/// policies (first response 600 s; Care's also resolution 3600 s), three
/// conversations claimed before the policies exist so the two late ones
/// breach with their assignee; customers' times are set in the past so
/// each reply's outcome is known: Care's late one missed (~1,000 s), its
/// quick one met (~10 s) and then resolved in time, Sales' late one
/// missed. Reports by team and by agent, their CSV, and an agent's scoped
/// view match the hand-computed figures.
async fn sla_compliance_and_messages_are_reported_per_team_and_agent(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let admin_url = stack.admin_url.as_str();
    let (admin, care) = admin_and_team(admin_url).await;
    let sales = admin
        .create_team(&body(json!({"name": "Sales", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    for (keyword, team) in [("help", care.id), ("buy", sales.id)] {
        admin
            .create_rule(&body(json!({
                "name": keyword, "conditions": {"keywords": [keyword]},
                "action": {"type": "team", "team_id": team, "priority": 0},
            })))
            .await
            .unwrap();
    }
    let (ana_id, ana) = signed_in(&admin, admin_url, "ana@example.com", "agent", &[care.id]).await;
    let (bob_id, bob) = signed_in(&admin, admin_url, "bob@example.com", "agent", &[sales.id]).await;

    let now = Utc::now().timestamp();
    let late = stack
        .customer_writes("4915100000801", "wamid.R.late", "help", now - 1000)
        .await;
    let quick = stack
        .customer_writes("4915100000802", "wamid.R.quick", "help", now - 10)
        .await;
    let sold = stack
        .customer_writes("4915100000803", "wamid.R.sold", "buy", now - 1000)
        .await;
    let version = |id| {
        let admin = &admin;
        async move {
            admin
                .get_conversation(id)
                .await
                .unwrap()
                .into_inner()
                .conversation
                .version
        }
    };
    for (agent, id) in [(&ana, late), (&ana, quick), (&bob, sold)] {
        agent
            .claim_conversation(id, &body(json!({"version": version(id).await})))
            .await
            .unwrap();
    }
    let care_policy = admin
        .create_sla_policy(&body(json!({
            "name": "Care", "team_id": care.id, "first_response_secs": 600,
            "resolution_secs": 3600,
        })))
        .await
        .unwrap()
        .into_inner();
    let sales_policy = admin
        .create_sla_policy(&body(json!({
            "name": "Sales", "team_id": sales.id, "first_response_secs": 600,
        })))
        .await
        .unwrap()
        .into_inner();
    sla_of(&admin, quick, care_policy.id).await;
    for (id, agent) in [(late, ana_id), (sold, bob_id)] {
        let recorded = eventually(WAIT, "the breach", || async {
            let found = breaches(&stack, id).await;
            (!found.is_empty()).then_some(found)
        })
        .await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0].agent_id, Some(agent));
    }
    assert_eq!(
        sla_of(&admin, sold, sales_policy.id).await.target,
        "first_response"
    );

    for (agent, id) in [(&ana, late), (&ana, quick), (&bob, sold)] {
        agent
            .reply_to_conversation(id, &body(json!({"text": "On it"})))
            .await
            .unwrap();
    }
    ana.resolve_conversation(quick, &body(json!({"version": version(quick).await})))
        .await
        .unwrap();
    // The late customer writes again: a customer message while ana has it.
    let again = stack
        .customer_writes(
            "4915100000801",
            "wamid.R.again",
            "thanks",
            Utc::now().timestamp(),
        )
        .await;
    assert_eq!(again, late);
    let outcomes: Vec<(i64, String, bool, Option<i64>)> = sla_outcome::Entity::find()
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.conversation_id, o.target, o.met, o.agent_id))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (late, "first_response".into(), false, Some(ana_id)),
            (quick, "first_response".into(), true, Some(ana_id)),
            (sold, "first_response".into(), false, Some(bob_id)),
            (quick, "resolution".into(), true, Some(ana_id)),
        ]
    );

    let from = at(now - 86_400);
    let to = at(now + 86_400);
    let report = |client: Client, group_by| async move {
        client
            .get_support_report(None, &from, Some(group_by), &to)
            .await
            .unwrap()
            .into_inner()
    };
    let none = (0, 0, None, 0);
    let by_team = report(admin.clone(), types::ReportGroupBy::Team).await;
    let groups: Vec<_> = by_team.groups.iter().map(shown_of).collect();
    assert_eq!(
        groups,
        vec![
            (
                Some(care.id.to_string()),
                (3, 2, (1, 1, Some(0.5), 1), (1, 0, Some(1.0), 0))
            ),
            (
                Some(sales.id.to_string()),
                (1, 1, (0, 1, Some(0.0), 1), none)
            ),
        ]
    );
    assert_eq!(clock(&by_team.total.sla.next_response), none);
    assert_eq!(
        clock(&by_team.total.sla.first_response),
        (1, 2, Some(0.3333), 2)
    );
    assert_eq!(
        (by_team.total.messages_in, by_team.total.messages_out),
        (4, 3)
    );
    let by_agent = report(admin.clone(), types::ReportGroupBy::Agent).await;
    let groups: Vec<_> = by_agent.groups.iter().map(shown_of).collect();
    assert_eq!(
        groups,
        vec![
            // Customer messages while nobody had the conversation.
            (None, (3, 0, none, none)),
            (
                Some(ana_id.to_string()),
                (1, 2, (1, 1, Some(0.5), 1), (1, 0, Some(1.0), 0))
            ),
            (Some(bob_id.to_string()), (0, 1, (0, 1, Some(0.0), 1), none)),
        ]
    );
    // Ana sees her team's and her own figures, not Sales'.
    let scoped = report(ana.clone(), types::ReportGroupBy::Agent).await;
    assert_eq!(
        clock(&scoped.total.sla.first_response),
        (1, 1, Some(0.5), 1)
    );
    assert_eq!(
        (scoped.total.messages_in, scoped.total.messages_out),
        (3, 2)
    );

    let csv = report_csv(&admin, &from, &to, types::ReportGroupBy::Team).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].ends_with(
            ",messages_in,messages_out,\
             sla_first_response_met,sla_first_response_missed,sla_first_response_compliance,\
             sla_first_response_breaches,\
             sla_next_response_met,sla_next_response_missed,sla_next_response_compliance,\
             sla_next_response_breaches,\
             sla_resolution_met,sla_resolution_missed,sla_resolution_compliance,\
             sla_resolution_breaches"
        ),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with(&format!("{},Care,", care.id))
            && lines[1].ends_with(",3,2,1,1,0.5,1,0,0,,0,1,0,1,0"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!("{},Sales,", sales.id))
            && lines[2].ends_with(",1,1,0,1,0,1,0,0,,0,0,0,,0"),
        "{}",
        lines[2]
    );
}

on_sqlite_and_postgres!(sla_compliance_and_messages_are_reported_per_team_and_agent);
