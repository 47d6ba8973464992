//! Support reports (issue 24) from real conversations: customers write
//! through a signed webhook to an edge (their message times are the
//! webhook's), the router applies them, agents claim, reply (their reply's
//! time is when they send it), resolve; a customer writing after the
//! resolution reopens. The figures the triggers recorded in the same
//! transactions are checked against the stored times by hand, through the
//! generated client: grouped by agent, team, label and day, as JSON and CSV,
//! scoped for agents, and bad parameters refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use client_support::*;
use entities::conversation;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use support::*;
use wharf_client::{Client, types};

const WAIT: Duration = Duration::from_secs(30);

/// Whole seconds from `start` to `stop`, rounded half away from zero (the
/// triggers' rule).
fn secs(start: DateTime<Utc>, stop: DateTime<Utc>) -> i64 {
    ((stop - start).num_milliseconds() as f64 / 1000.0).round() as i64
}

/// A customer's message sent at `ts` (unix seconds) through the edge; the
/// conversation it joined, once the router stored it.
async fn customer_writes(stack: &Stack, from: &str, wamid: &str, text: &str, ts: i64) -> i64 {
    stack.customer_writes(from, wamid, text, ts).await
}

async fn row(stack: &Stack, id: i64) -> conversation::Model {
    conversation::Entity::find_by_id(id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap()
}

/// `agent` claims conversation `id` and replies; the reply's time.
async fn claim_and_reply(stack: &Stack, agent: &Client, id: i64) -> DateTime<Utc> {
    let version = row(stack, id).await.version;
    agent
        .claim_conversation(id, &body(json!({"version": version})))
        .await
        .unwrap();
    reply(agent, id).await
}

async fn reply(agent: &Client, id: i64) -> DateTime<Utc> {
    agent
        .reply_to_conversation(id, &body(json!({"text": "On it"})))
        .await
        .unwrap()
        .into_inner()
        .provider_timestamp
}

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap()
}

/// (count, median, p90) of a spread.
fn spread(s: &types::SpreadOut) -> (u64, Option<i64>, Option<i64>) {
    (s.count, s.median_secs, s.p90_secs)
}

fn group<'a>(report: &'a types::SupportReportOut, key: Option<&str>) -> &'a types::SupportGroupOut {
    report
        .groups
        .iter()
        .find(|g| g.key.as_deref() == key)
        .unwrap_or_else(|| panic!("no group {key:?} in {report:?}"))
}

async fn response_and_resolution_times_are_reported_as_they_happened(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    admin
        .create_rule(&body(json!({
            "name": "help", "conditions": {"keywords": ["help"]},
            "action": {"type": "team", "team_id": care.id, "priority": 0},
        })))
        .await
        .unwrap();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let (bo_id, bo) = signed_in(&admin, url, "bo@example.com", "agent", &[care.id]).await;
    let (_, cy) = signed_in(&admin, url, "cy@example.com", "agent", &[]).await;
    let vip = admin
        .create_label(&body(json!({"name": "VIP", "color": "#FF0000"})))
        .await
        .unwrap()
        .into_inner();

    let now = Utc::now().timestamp();
    // Three customers write; their messages are 600, 300 and 100 s old.
    let a = customer_writes(&stack, "4915100000701", "wamid.A1", "help me", now - 600).await;
    let b = customer_writes(
        &stack,
        "4915100000702",
        "wamid.B1",
        "help please",
        now - 300,
    )
    .await;
    let c = customer_writes(&stack, "4915100000703", "wamid.C1", "help!", now - 100).await;
    admin
        .label_conversation(a, &body(json!({"label_id": vip.id})))
        .await
        .unwrap();

    // Ana answers A (first response), A writes again, Ana answers (next).
    let a_first = secs(at(now - 600), claim_and_reply(&stack, &ana, a).await);
    let a2 = now - 50;
    assert_eq!(
        customer_writes(&stack, "4915100000701", "wamid.A2", "and?", a2).await,
        a
    );
    let a_next = secs(at(a2), reply(&ana, a).await);
    // Ana answers B; an integrator's (automated) reply to C answers nothing.
    let b_first = secs(at(now - 300), claim_and_reply(&stack, &ana, b).await);
    admin
        .reply_to_conversation(c, &body(json!({"text": "We'll get back to you"})))
        .await
        .unwrap();
    // Ana resolves A; A writes again and reopens it; Bo answers first.
    let version = row(&stack, a).await.version;
    ana.resolve_conversation(a, &body(json!({"version": version})))
        .await
        .unwrap();
    let resolved_at = row(&stack, a).await.resolved_at.unwrap();
    let a_resolution = secs(at(now - 600), resolved_at);
    let a3 = now - 20;
    assert_eq!(
        customer_writes(&stack, "4915100000701", "wamid.A3", "help, again", a3).await,
        a
    );
    eventually(WAIT, "A reopened", || async {
        (row(&stack, a).await.status == "queued").then_some(())
    })
    .await;
    let a_reopened_first = secs(at(a3), claim_and_reply(&stack, &bo, a).await);
    assert!(
        (600..620).contains(&a_first) && (300..320).contains(&b_first),
        "{a_first} {b_first}"
    );

    // The conversations' own columns.
    let a_row = row(&stack, a).await;
    assert_eq!(
        (
            a_row.reopen_count,
            a_row.messages_in,
            a_row.messages_out,
            a_row.opened_at,
            a_row.first_response_secs,
            a_row.resolution_secs,
            a_row.response_due_since,
        ),
        (1, 3, 3, Some(at(a3)), Some(a_reopened_first), None, None)
    );
    let c_row = row(&stack, c).await;
    assert_eq!(
        (
            c_row.response_due_since,
            c_row.first_response_at,
            c_row.messages_out
        ),
        (Some(at(now - 100)), None, 1),
        "an automated reply is no response"
    );

    let (from, to) = (at(now - 3600), at(now + 3600));
    let by_agent = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Agent), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_agent.group_by, types::ReportGroupBy::Agent);
    let keys: Vec<Option<String>> = by_agent.groups.iter().map(|g| g.key.clone()).collect();
    let (ana_key, bo_key) = (ana_id.to_string(), bo_id.to_string());
    assert_eq!(keys, [None, Some(ana_key.clone()), Some(bo_key.clone())]);
    let openings = group(&by_agent, None);
    assert_eq!((openings.opened, openings.reopened), (3, 1));
    assert_eq!(openings.first_response.count, 0);
    let ana_group = group(&by_agent, Some(&ana_key));
    assert_eq!(ana_group.name.as_deref(), Some("ana"));
    assert_eq!(
        spread(&ana_group.first_response),
        (2, Some(b_first.min(a_first)), Some(b_first.max(a_first)))
    );
    assert_eq!(
        spread(&ana_group.next_response),
        (1, Some(a_next), Some(a_next))
    );
    assert_eq!(ana_group.resolved, 1);
    assert_eq!(
        spread(&ana_group.resolution),
        (1, Some(a_resolution), Some(a_resolution))
    );
    let bo_group = group(&by_agent, Some(&bo_key));
    assert_eq!(
        spread(&bo_group.first_response),
        (1, Some(a_reopened_first), Some(a_reopened_first))
    );
    let total = &by_agent.total;
    assert_eq!((total.opened, total.reopened, total.resolved), (3, 1, 1));
    let mut firsts = [a_first, b_first, a_reopened_first];
    firsts.sort_unstable();
    assert_eq!(
        spread(&total.first_response),
        (3, Some(firsts[1]), Some(firsts[2]))
    );

    // By team: every event of the three conversations is Care's.
    let by_team = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Team), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_team.groups.len(), 1, "{by_team:?}");
    let care_group = group(&by_team, Some(&care.id.to_string()));
    assert_eq!(care_group.name.as_deref(), Some("Care"));
    assert_eq!(
        (care_group.opened, care_group.reopened, care_group.resolved),
        (3, 1, 1)
    );
    assert_eq!(
        spread(&care_group.first_response),
        spread(&total.first_response)
    );

    // By label: A's events under VIP, the others without a label.
    let by_label = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Label), &to)
        .await
        .unwrap()
        .into_inner();
    let vip_group = group(&by_label, Some(&vip.id.to_string()));
    assert_eq!(
        (vip_group.opened, vip_group.reopened, vip_group.resolved),
        (1, 1, 1)
    );
    assert_eq!(vip_group.first_response.count, 2);
    assert_eq!(group(&by_label, None).first_response.count, 1);

    // By day (the default): the days add up to the total.
    let by_day = admin
        .get_support_report(None, &from, None, &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_day.group_by, types::ReportGroupBy::Day);
    let days_first: u64 = by_day.groups.iter().map(|g| g.first_response.count).sum();
    assert_eq!(days_first, 3);
    assert!(
        by_day
            .groups
            .iter()
            .all(|g| g.key.as_deref().is_some_and(|k| k.len() == 10))
    );
    let by_number = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Number), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        group(&by_number, Some(PHONE_NUMBER_ID)).opened,
        3,
        "{by_number:?}"
    );

    // The CSV has the same figures, one row per group.
    let text = report_csv(&admin, &from, &to, types::ReportGroupBy::Agent).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("key,name,opened,reopened,resolved,first_response_count,"));
    // No bot, nobody online: bot and presence columns are zero.
    // No CSAT asked: its columns are zero and empty. Messages: the
    // customers' while nobody had the conversation (A1, B1, C1, A3 after
    // the reopening) and the integrator's reply; Ana had A2 and sent three.
    // No SLA policy: no outcomes, no breaches.
    const NO_SLA: &str = "0,0,,0,0,0,,0,0,0,,0";
    assert_eq!(
        lines[1],
        format!(",,3,1,0,0,,,0,,,0,,,0,0,,,0,0,0,0,,0,,4,1,{NO_SLA}")
    );
    assert_eq!(
        lines[2],
        format!(
            "{ana_key},ana,0,0,1,2,{},{},1,{a_next},{a_next},1,{a_resolution},{a_resolution},0,0,,,0,0,0,0,,0,,1,3,{NO_SLA}",
            b_first.min(a_first),
            b_first.max(a_first)
        )
    );
    assert_eq!(
        lines[3],
        format!(
            "{bo_key},bo,0,0,0,1,{a_reopened_first},{a_reopened_first},0,,,0,,,0,0,,,0,0,0,0,,0,,0,1,{NO_SLA}"
        )
    );

    // Agents see their teams' figures: Ana all of Care's, Cy (no team) none.
    let ana_view = ana
        .get_support_report(None, &from, Some(types::ReportGroupBy::Agent), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        spread(&ana_view.total.first_response),
        spread(&total.first_response)
    );
    let cy_view = cy
        .get_support_report(None, &from, Some(types::ReportGroupBy::Agent), &to)
        .await
        .unwrap()
        .into_inner();
    assert!(cy_view.groups.is_empty(), "{cy_view:?}");
    assert_eq!(
        (cy_view.total.opened, cy_view.total.first_response.count),
        (0, 0)
    );

    // A range outside the events is empty; bad parameters are 400s.
    let earlier = admin
        .get_support_report(None, &at(now - 7200), None, &from)
        .await
        .unwrap()
        .into_inner();
    assert!(earlier.groups.is_empty());
    let detail = refused(
        admin.get_support_report(None, &to, None, &from).await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("before"), "{detail}");
    refused(
        admin
            .get_support_report(None, &from, None, &at(now + 400 * 86_400))
            .await,
        400,
        "invalid_parameter",
    );
    let (status, error) = stack
        .admin_get(&format!(
            "/api/v1/reports/support.csv?from={}&to={}&group_by=fortnight",
            from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ))
        .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_parameter"))
    );
    refused(
        Client::new(url)
            .get_support_report(None, &from, None, &to)
            .await,
        401,
        "unauthorized",
    );
}

on_sqlite_and_postgres!(response_and_resolution_times_are_reported_as_they_happened);

/// The measure of `kind` of conversation `id` (one expected).
async fn measure_of(
    stack: &Stack,
    id: i64,
    kind: entities::support_measure::MeasureKind,
) -> entities::support_measure::Model {
    use entities::support_measure;
    let mut rows = support_measure::Entity::find()
        .filter(support_measure::Column::ConversationId.eq(id))
        .filter(support_measure::Column::Kind.eq(kind.as_str()))
        .all(&stack.database)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{kind} of {id}: {rows:?}");
    rows.remove(0)
}

/// A bot takes every conversation and hands over to Care on "human": A's
/// customer asks for a human (the router's hand-over), B is resolved by an
/// integrator while still with the bot (bot-resolved), C is claimed from
/// the bot by Ana, a supervisor (a hand-over to her; the bot's
/// conversations have no team), answered and resolved (not bot-resolved). The hand-over times run from the opening's first
/// customer message to the hand-over; Ana's online time adds up the
/// spans her presence changes recorded.
async fn bot_hand_overs_bot_resolutions_and_online_time_are_reported(db: TestDb) {
    use entities::agent_presence_interval;
    use entities::support_measure::MeasureKind;

    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    admin
        .create_rule(&body(json!({
            "name": "bot first",
            "action": {"type": "bot", "bot": {
                "fallback": "Hi! How can we help?", "handover_keywords": ["human"],
                "handover_team_id": care.id, "handover_priority": 1}},
        })))
        .await
        .unwrap();
    let (ana_id, ana) = signed_in(&admin, url, "ana@example.com", "supervisor", &[care.id]).await;

    let now = Utc::now().timestamp();
    let a = customer_writes(&stack, "4915100000801", "wamid.BA1", "hello", now - 600).await;
    let b = customer_writes(&stack, "4915100000802", "wamid.BB1", "hello", now - 300).await;
    let c = customer_writes(&stack, "4915100000803", "wamid.BC1", "hello", now - 200).await;
    for id in [a, b, c] {
        assert_eq!(row(&stack, id).await.status, "bot");
    }
    // A's customer asks for a human: the router hands A over to Care.
    let before = Utc::now();
    assert_eq!(
        customer_writes(
            &stack,
            "4915100000801",
            "wamid.BA2",
            "a human please",
            now - 60
        )
        .await,
        a
    );
    eventually(WAIT, "A handed over", || async {
        (row(&stack, a).await.status == "queued").then_some(())
    })
    .await;
    let a_handoff = measure_of(&stack, a, MeasureKind::Handoff).await;
    assert!(a_handoff.at >= before && a_handoff.at <= Utc::now());
    let a_secs = secs(at(now - 600), a_handoff.at);
    assert_eq!(
        (a_handoff.seconds, a_handoff.team_id, a_handoff.agent_id),
        (Some(a_secs), Some(care.id), None)
    );
    // An integrator resolves B while the bot has it.
    let version = row(&stack, b).await.version;
    admin
        .resolve_conversation(b, &body(json!({"version": version})))
        .await
        .unwrap();
    // Ana takes C from the bot, answers and resolves it.
    let version = row(&stack, c).await.version;
    ana.claim_conversation(c, &body(json!({"version": version})))
        .await
        .unwrap();
    let claimed_at = row(&stack, c).await.assigned_at.unwrap();
    let c_secs = secs(at(now - 200), claimed_at);
    reply(&ana, c).await;
    let version = row(&stack, c).await.version;
    ana.resolve_conversation(c, &body(json!({"version": version})))
        .await
        .unwrap();
    assert_eq!(
        measure_of(&stack, c, MeasureKind::Handoff).await.seconds,
        Some(c_secs)
    );

    // Ana's presence: online, away, offline through the API.
    for presence in ["online", "away", "offline"] {
        ana.set_agent_presence(ana_id, &body(json!({"presence": presence})))
            .await
            .unwrap();
    }
    let spans = agent_presence_interval::Entity::find()
        .filter(agent_presence_interval::Column::AgentId.eq(ana_id))
        .all(&stack.database)
        .await
        .unwrap();
    let kept: Vec<(&str, bool)> = spans
        .iter()
        .map(|s| (s.presence.as_str(), s.ended_at.is_some()))
        .collect();
    assert_eq!(kept, [("online", true), ("away", true)]);
    assert_eq!(spans[0].ended_at, Some(spans[1].started_at));
    let span_secs = |i: usize| {
        let ms = (spans[i].ended_at.unwrap() - spans[i].started_at).num_milliseconds();
        u64::try_from((ms + 500) / 1000).unwrap()
    };

    let (from, to) = (at(now - 3600), at(now + 3600));
    let by_agent = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Agent), &to)
        .await
        .unwrap()
        .into_inner();
    let total = &by_agent.total;
    assert_eq!((total.resolved, total.bot_resolved), (2, 1));
    assert_eq!(
        spread(&total.handoff),
        (2, Some(a_secs.min(c_secs)), Some(a_secs.max(c_secs)))
    );
    assert_eq!(
        (total.online_secs, total.away_secs),
        (Some(span_secs(0)), Some(span_secs(1)))
    );
    let nobody = group(&by_agent, None);
    assert_eq!(
        (
            nobody.resolved,
            nobody.bot_resolved,
            spread(&nobody.handoff)
        ),
        (1, 1, (1, Some(a_secs), Some(a_secs)))
    );
    let ana_group = group(&by_agent, Some(&ana_id.to_string()));
    assert_eq!(
        (
            ana_group.resolved,
            ana_group.bot_resolved,
            spread(&ana_group.handoff)
        ),
        (1, 0, (1, Some(c_secs), Some(c_secs)))
    );
    assert_eq!(
        (ana_group.online_secs, ana_group.away_secs),
        (Some(span_secs(0)), Some(span_secs(1)))
    );
    // By team: A was handed to Care; B and C had no team with the bot.
    let by_team = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Team), &to)
        .await
        .unwrap()
        .into_inner();
    let care_group = group(&by_team, Some(&care.id.to_string()));
    assert_eq!(spread(&care_group.handoff), (1, Some(a_secs), Some(a_secs)));
    assert_eq!(care_group.online_secs, Some(span_secs(0)));
    // By number: no presence time (numbers have no agents).
    let by_number = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Number), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(by_number.total.bot_resolved, 1);
    assert_eq!(by_number.total.online_secs, None);

    // The CSV's new columns.
    let text = report_csv(&admin, &from, &to, types::ReportGroupBy::Agent).await;
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains(
            ",bot_resolved,handoff_count,handoff_median_secs,handoff_p90_secs,online_secs,away_secs,\
             csat_asked,csat_answered,csat_average,csat_satisfied,csat_satisfied_share,\
             messages_in,messages_out,"
        ),
        "{text}"
    );
    let ana_line = lines
        .iter()
        .find(|l| l.starts_with(&format!("{ana_id},")))
        .unwrap();
    assert!(
        ana_line.contains(&format!(
            ",0,1,{c_secs},{c_secs},{},{},0,0,,0,,",
            span_secs(0),
            span_secs(1)
        )),
        "{ana_line}"
    );
    // No SLA policy: the last columns (SLA outcomes, breaches) are empty.
    assert!(ana_line.ends_with(",0,0,,0,0,0,,0,0,0,,0"), "{ana_line}");
}

on_sqlite_and_postgres!(bot_hand_overs_bot_resolutions_and_online_time_are_reported);

/// A migrated database of `db` with one business number; a new
/// conversation of it (for measures written directly) by `conversation`.
struct Seeded {
    database: sea_orm::DatabaseConnection,
    number: i64,
    contact: i64,
}

impl Seeded {
    async fn new(db: &TestDb) -> Self {
        use sea_orm::{ActiveModelTrait, Set};
        let settings = wharf::config::DatabaseSettings {
            url: db.url().to_owned(),
            max_connections: 4,
        };
        let database = wharf::roles::connect_database(&settings).await.unwrap();
        wharf::roles::migrate(&database).await.unwrap();
        let now = Utc::now();
        let number = entities::business_number::ActiveModel {
            provider: Set("meta".into()),
            phone_number_id: Set(PHONE_NUMBER_ID.into()),
            display_phone: Set(String::new()),
            name: Set("Support".into()),
            app_secret: Set(String::new()),
            verify_token: Set(String::new()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&database)
        .await
        .unwrap();
        let person = relay::envelope::Contact {
            wa_id: "4915100000799".into(),
            profile_name: None,
            user_id: None,
            username: None,
            parent_user_id: None,
        };
        let contact = relay::contacts::new_row(&person, None, now)
            .insert(&database)
            .await
            .unwrap();
        Self {
            database,
            number: number.id,
            contact: contact.id,
        }
    }

    async fn conversation(&self) -> i64 {
        use sea_orm::{ActiveModelTrait, Set};
        let now = Utc::now();
        conversation::ActiveModel {
            business_number_id: Set(self.number),
            contact_id: Set(self.contact),
            status: Set("assigned".into()),
            priority: Set(0),
            version: Set(1),
            last_message_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.database)
        .await
        .unwrap()
        .id
    }
}

/// A 30-day report for all agents over 100,000 measures (what some
/// 200,000 messages of history leave: openings, responses, resolutions)
/// counts every measure in range, in one group per agent, and by day one
/// group per day. Prints how long the reports took (median and p95 of
/// `REPORT_RUNS`, default 5): a figure to read, not an assertion (the
/// machine is shared; docs/reports.md has release figures, e.g.
/// `REPORT_RUNS=40 cargo nextest run --release --test reports large`).
async fn a_large_history_is_reported_whole(db: TestDb) {
    use admin::reports::Grouping;

    const ROWS: i64 = 100_000;
    let seeded = Seeded::new(&db).await;
    let database = &seeded.database;
    let now = Utc::now();
    wharf::report_history::seed(database, seeded.number, seeded.contact, ROWS, now)
        .await
        .unwrap();
    let runs: usize = std::env::var("REPORT_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let engine = db.url().split(':').next().unwrap_or_default().to_owned();
    for (grouping, groups) in [(Grouping::Agent, 21), (Grouping::Day, 31)] {
        let (report, took) = wharf::report_history::time_reports(database, grouping, now, runs)
            .await
            .unwrap();
        let counted = report.total.opened
            + report.total.first_response.count
            + report.total.next_response.count
            + report.total.resolved;
        assert!((74_000..=76_000).contains(&counted), "{counted}");
        // Two message measures per measure; an SLA outcome per timed one.
        let t = &report.total;
        let messages = t.messages_in + t.messages_out;
        assert!((148_000..=152_000).contains(&messages), "{messages}");
        let sla = [t.sla.first_response, t.sla.next_response, t.sla.resolution];
        assert_eq!(
            sla.iter().map(|c| c.met + c.missed).sum::<u64>(),
            t.first_response.count + t.next_response.count + t.resolution.count
        );
        assert!(
            sla.iter()
                .all(|c| c.met > 0 && c.missed > c.breaches && c.breaches > 0)
        );
        // 20 agents and the openings; 30 days and a part of one more.
        assert!(
            (groups..=groups + 1).contains(&report.groups.len()),
            "{grouping:?}: {} groups",
            report.groups.len()
        );
        println!(
            "30-day report by {} over {counted} of {ROWS} measures ({engine}, {} runs): median {:.1} ms, p95 {:.1} ms",
            grouping.as_str(),
            took.runs,
            took.median_ms,
            took.p95_ms,
        );
    }
    // The business clock: the sweep's backlog filled by two fillers at
    // once, as two admin servers would (the seeded teams have no hours, so
    // business seconds are the seconds), then the same report from them.
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(
        admin::business_hours::fill_pending(database),
        admin::business_hours::fill_pending(database)
    );
    a.unwrap();
    b.unwrap();
    println!(
        "business seconds of {ROWS} pending measures filled ({engine}) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let clocked =
        |clock| wharf::report_history::time_reports_on(database, Grouping::Agent, now, runs, clock);
    let (wall, _) = clocked(admin::business_hours::Clock::Wall).await.unwrap();
    let (business, took) = clocked(admin::business_hours::Clock::Business)
        .await
        .unwrap();
    assert_eq!(business, wall);
    println!(
        "30-day report by agent on the business clock ({engine}, {} runs): median {:.1} ms, p95 {:.1} ms",
        took.runs, took.median_ms, took.p95_ms,
    );
    seeded.database.close().await.unwrap();
}

on_sqlite_and_postgres!(a_large_history_is_reported_whole);

/// Online and away time from presence changes with pinned times: spans
/// are clipped at the range's ends and at "now" for an agent still
/// online, split at UTC midnights by day, summed per team the agent is in
/// (no team: the group without key), and an agent's scope keeps its own.
async fn online_time_is_clipped_at_the_range_and_split_at_midnights(db: TestDb) {
    use admin::reports::{self, GroupKey, Grouping, PresenceScope, PresenceTime};
    use entities::{agent, team, team_member};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ActiveModelTrait, Set};

    let seeded = Seeded::new(&db).await;
    let database = &seeded.database;
    let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let mut ids = Vec::new();
    for name in ["xavier", "yara"] {
        let row = agent::ActiveModel {
            email: Set(format!("{name}@example.com")),
            name: Set(name.into()),
            role: Set("agent".into()),
            presence: Set("offline".into()),
            capacity: Set(3),
            languages: Set(json!([])),
            created_at: Set(t("2026-11-01T00:00:00Z")),
            updated_at: Set(t("2026-11-01T00:00:00Z")),
            ..Default::default()
        }
        .insert(database)
        .await
        .unwrap();
        ids.push(row.id);
    }
    let (x, y) = (ids[0], ids[1]);
    let night = team::ActiveModel {
        name: Set("Night".into()),
        strategy: Set("manual".into()),
        created_at: Set(t("2026-11-01T00:00:00Z")),
        updated_at: Set(t("2026-11-01T00:00:00Z")),
        ..Default::default()
    }
    .insert(database)
    .await
    .unwrap()
    .id;
    team_member::ActiveModel {
        team_id: Set(night),
        agent_id: Set(y),
    }
    .insert(database)
    .await
    .unwrap();
    // Presence changes as every writer makes them: the state and its time.
    let changes = [
        (x, "online", "2026-12-01T22:00:00Z"),
        (x, "away", "2026-12-02T01:30:00.400Z"),
        (x, "away", "2026-12-02T01:45:00Z"), // no change: no new span
        (x, "online", "2026-12-02T02:00:00Z"),
        (x, "offline", "2026-12-02T03:00:00Z"),
        (y, "online", "2026-12-02T10:00:00Z"),
    ];
    for (id, presence, when) in changes {
        agent::Entity::update_many()
            .col_expr(agent::Column::Presence, Expr::value(presence))
            .col_expr(agent::Column::UpdatedAt, Expr::value(t(when)))
            .filter(agent::Column::Id.eq(id))
            .exec(database)
            .await
            .unwrap();
    }
    let now = t("2026-12-02T12:00:00Z");
    let report = |from: &str, to: &str, grouping, agents: Option<Vec<i64>>| {
        let (from, to) = (t(from), t(to));
        async move {
            reports::build_with(
                database,
                from,
                to,
                grouping,
                None,
                Some(PresenceScope { now, agents }),
            )
            .await
            .unwrap()
        }
    };
    let time = |online_secs, away_secs| {
        Some(PresenceTime {
            online_secs,
            away_secs,
        })
    };
    let of = |r: &reports::Report| -> Vec<(Option<GroupKey>, Option<PresenceTime>)> {
        r.groups
            .iter()
            .map(|g| (g.key, g.figures.presence))
            .collect()
    };
    let day = |d: &str| Some(GroupKey::Date(d.parse().unwrap()));

    // 2 December: X online 00:00-01:30:00.4 and 02:00-03:00 (clipped at
    // midnight), away 01:30:00.4-02:00; Y online 10:00 until now (12:00).
    let by_agent = report(
        "2026-12-02T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Agent,
        None,
    )
    .await;
    assert_eq!(
        of(&by_agent),
        [
            (Some(GroupKey::Id(x)), time(5400 + 3600, 1800)),
            (Some(GroupKey::Id(y)), time(7200, 0)),
        ]
    );
    assert_eq!(by_agent.total.presence, time(16_200, 1800));
    assert_eq!(by_agent.groups[0].name.as_deref(), Some("xavier"));
    // Two days: 1 December has X's two hours before midnight.
    let by_day = report(
        "2026-12-01T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Day,
        None,
    )
    .await;
    assert_eq!(
        of(&by_day),
        [
            (day("2026-12-01"), time(7200, 0)),
            (day("2026-12-02"), time(16_200, 1800)),
        ]
    );
    let by_week = report(
        "2026-12-01T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Week,
        None,
    )
    .await;
    assert_eq!(of(&by_week), [(day("2026-11-30"), time(23_400, 1800))]);
    // Clipped inside spans: 01:00-02:30 has 30 min online, 30 away, 30 online.
    let by_team = report(
        "2026-12-02T01:00:00Z",
        "2026-12-02T02:30:00Z",
        Grouping::Team,
        None,
    )
    .await;
    assert_eq!(of(&by_team), [(None, time(1800 + 1800, 1800))]);
    let by_team = report(
        "2026-12-02T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Team,
        None,
    )
    .await;
    assert_eq!(
        of(&by_team),
        [
            (None, time(9000, 1800)),
            (Some(GroupKey::Id(night)), time(7200, 0)),
        ]
    );
    // Y's scope: Y alone. Labels have no presence time.
    let scoped = report(
        "2026-12-02T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Agent,
        Some(vec![y]),
    )
    .await;
    assert_eq!(of(&scoped), [(Some(GroupKey::Id(y)), time(7200, 0))]);
    let by_label = report(
        "2026-12-02T00:00:00Z",
        "2026-12-03T00:00:00Z",
        Grouping::Label,
        None,
    )
    .await;
    assert!(by_label.groups.is_empty());
    assert_eq!(by_label.total.presence, None);
    seeded.database.close().await.unwrap();
}

on_sqlite_and_postgres!(online_time_is_clipped_at_the_range_and_split_at_midnights);

/// The reports equal a plain computation over the same rows, for every
/// grouping, with and without an agent's scope: random measures (kinds,
/// agents, teams, conversations with none, one or two labels, seconds
/// with repeats and gaps, times across day and week boundaries, exactly at
/// midnight and at the range's ends) read back whole and grouped, counted
/// and ranked by hand (sorted, the value at rank ⌈p·n⌉).
async fn reports_equal_a_plain_computation_on_random_data(db: TestDb) {
    use admin::reports::{self, Figures, GroupKey, Grouping, Spread};
    use chrono::{Datelike, NaiveDate};
    use entities::support_measure::{self, MeasureKind};
    use entities::{conversation_label, label};
    use rand::{Rng, SeedableRng};
    use sea_orm::{ActiveModelTrait, Set};
    use std::collections::BTreeMap;

    let seeded = Seeded::new(&db).await;
    let database = &seeded.database;
    let mut conversations = Vec::new();
    for _ in 0..6 {
        conversations.push(seeded.conversation().await);
    }
    let now = Utc::now();
    let mut labels = Vec::new();
    for name in ["VIP", "Billing"] {
        let row = label::ActiveModel {
            name: Set(name.into()),
            color: Set("#FF0000".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(database)
        .await
        .unwrap();
        labels.push(row.id);
    }
    // Conversations 0 and 1 without labels, 2-3 VIP, 4 Billing, 5 both.
    let labelled = [(2, 0), (3, 0), (4, 1), (5, 0), (5, 1)];
    for (c, l) in labelled {
        conversation_label::ActiveModel {
            conversation_id: Set(conversations[c]),
            label_id: Set(labels[l]),
            created_at: Set(now),
        }
        .insert(database)
        .await
        .unwrap();
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(24);
    // Sunday 2026-11-29 to Monday 2026-12-14, UTC.
    let start: DateTime<Utc> = "2026-11-29T00:00:00Z".parse().unwrap();
    let (from, to) = (
        start + chrono::Duration::days(1),
        start + chrono::Duration::days(14),
    );
    let mut rows = Vec::new();
    for i in 0..3_000 {
        let kind = MeasureKind::ALL[rng.random_range(0..MeasureKind::ALL.len())];
        let at = match i % 10 {
            // Midnights, and the range's ends.
            0 => start + chrono::Duration::days(rng.random_range(0..16)),
            1 => [from, to, to - chrono::Duration::milliseconds(1)][rng.random_range(0..3)],
            _ => start + chrono::Duration::milliseconds(rng.random_range(0..16 * 86_400_000)),
        };
        let timed =
            !matches!(kind, MeasureKind::Opened | MeasureKind::Reopened) && rng.random_bool(0.9);
        rows.push(support_measure::ActiveModel {
            conversation_id: Set(conversations[rng.random_range(0..conversations.len())]),
            business_number_id: Set(seeded.number),
            team_id: Set([None, Some(1), Some(2), Some(3)][rng.random_range(0..4)]),
            agent_id: Set(match kind {
                MeasureKind::Opened | MeasureKind::Reopened => None,
                _ => [None, Some(1), Some(2), Some(3), Some(4)][rng.random_range(0..5)],
            }),
            kind: Set(kind.as_str().into()),
            started_at: Set(None),
            at: Set(at),
            seconds: Set(timed.then(|| {
                if rng.random_bool(0.3) {
                    rng.random_range(0..5) * 60
                } else {
                    rng.random_range(0..200_000)
                }
            })),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(500) {
        support_measure::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(database)
            .await
            .unwrap();
    }

    // The plain computation: every row, grouped, counted and ranked here.
    let stored = support_measure::Entity::find().all(database).await.unwrap();
    let label_rows = conversation_label::Entity::find()
        .all(database)
        .await
        .unwrap();
    let spread = |mut values: Vec<i64>| {
        values.sort_unstable();
        let at_rank = |p: usize| {
            (!values.is_empty()).then(|| values[(values.len() * p).div_ceil(100).max(1) - 1])
        };
        Spread {
            count: values.len() as u64,
            median: at_rank(50),
            p90: at_rank(90),
        }
    };
    let by_hand = |grouping: Grouping, scope: Option<(i64, i64)>| {
        let mut groups: BTreeMap<Option<GroupKey>, Vec<&support_measure::Model>> = BTreeMap::new();
        let mut all = Vec::new();
        for m in stored
            .iter()
            .filter(|m| m.at >= from && m.at < to)
            .filter(|m| {
                scope.is_none_or(|(agent, team)| {
                    m.agent_id == Some(agent) || m.team_id == Some(team)
                })
            })
        {
            all.push(m);
            let day: NaiveDate = m.at.date_naive();
            let keys: Vec<Option<GroupKey>> = match grouping {
                Grouping::Day => vec![Some(GroupKey::Date(day))],
                Grouping::Week => vec![Some(GroupKey::Date(
                    day - chrono::Duration::days(day.weekday().num_days_from_monday().into()),
                ))],
                Grouping::Agent => vec![m.agent_id.map(GroupKey::Id)],
                Grouping::Team => vec![m.team_id.map(GroupKey::Id)],
                Grouping::Number => vec![Some(GroupKey::Id(m.business_number_id))],
                Grouping::Label => {
                    let of: Vec<_> = label_rows
                        .iter()
                        .filter(|l| l.conversation_id == m.conversation_id)
                        .map(|l| Some(GroupKey::Id(l.label_id)))
                        .collect();
                    if of.is_empty() { vec![None] } else { of }
                }
            };
            for key in keys {
                groups.entry(key).or_default().push(m);
            }
        }
        let figures = |ms: &[&support_measure::Model]| {
            let count = |k: MeasureKind| ms.iter().filter(|m| m.kind == k.as_str()).count() as u64;
            let secs = |k: MeasureKind| {
                ms.iter()
                    .filter(|m| m.kind == k.as_str())
                    .filter_map(|m| m.seconds)
                    .collect::<Vec<_>>()
            };
            Figures {
                opened: count(MeasureKind::Opened),
                reopened: count(MeasureKind::Reopened),
                resolved: count(MeasureKind::Resolution),
                first_response: spread(secs(MeasureKind::FirstResponse)),
                next_response: spread(secs(MeasureKind::NextResponse)),
                resolution: spread(secs(MeasureKind::Resolution)),
                bot_resolved: count(MeasureKind::BotResolved),
                handoff: spread(secs(MeasureKind::Handoff)),
                presence: None,
                csat: admin::reports::Satisfaction {
                    asked: count(MeasureKind::CsatAsked),
                    answered: secs(MeasureKind::Csat).len() as u64,
                    score_sum: secs(MeasureKind::Csat).iter().sum(),
                    satisfied: secs(MeasureKind::Csat).iter().filter(|s| **s >= 4).count() as u64,
                },
                messages_in: count(MeasureKind::MessageIn),
                messages_out: count(MeasureKind::MessageOut),
                sla: admin::reports::SlaFigures::default(),
            }
        };
        let groups: Vec<_> = groups.iter().map(|(key, ms)| (*key, figures(ms))).collect();
        (groups, figures(&all))
    };

    let groupings = [
        Grouping::Day,
        Grouping::Week,
        Grouping::Agent,
        Grouping::Team,
        Grouping::Number,
        Grouping::Label,
    ];
    for grouping in groupings {
        for scope in [None, Some((2, 3))] {
            let condition = scope.map(|(agent, team)| reports::agent_scope(agent, [team]));
            let report = reports::build(database, from, to, grouping, condition)
                .await
                .unwrap();
            let (groups, total) = by_hand(grouping, scope);
            let got: Vec<_> = report
                .groups
                .iter()
                .map(|g| (g.key, g.figures.clone()))
                .collect();
            assert_eq!(got, groups, "{grouping:?}, scope {scope:?}");
            assert_eq!(report.total, total, "{grouping:?}, scope {scope:?}");
            // One business number; every other grouping spreads the data.
            let spreads = usize::from(grouping != Grouping::Number);
            assert!(
                groups.len() > spreads,
                "{grouping:?}: {} groups",
                groups.len()
            );
        }
    }
    seeded.database.close().await.unwrap();
}

on_sqlite_and_postgres!(reports_equal_a_plain_computation_on_random_data);
