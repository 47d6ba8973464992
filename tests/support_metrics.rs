//! The support figures on `/metrics` (issue 24): a controlled conversation
//! through the edge, the router and the admin API (first response,
//! resolution, a conversation left in the queue), then the admin
//! server's scrape shows exactly the measures the triggers recorded, as
//! counts, a histogram and open conversations, labelled by team and
//! business number. SQLite, then PostgreSQL, one after the other: the
//! process has one metrics recorder, so the two runs must not overlap
//! (the second leaves one more conversation queued, so a stale value of
//! the first cannot pass for it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use client_support::*;
use entities::support_measure::{self, MeasureKind};
use entities::{business_number, conversation, message};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use support::*;

const WAIT: Duration = Duration::from_secs(30);

/// A scrape as `name{labels sorted by name}` → value.
fn series(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("wharf_support_")) {
        let Some((head, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let (name, labels) = match head.split_once('{') {
            Some((name, rest)) => {
                let mut labels: Vec<&str> = rest.trim_end_matches('}').split(',').collect();
                labels.sort_unstable();
                (name, labels.join(","))
            }
            None => (head, String::new()),
        };
        out.insert(format!("{name}{{{labels}}}"), value.parse().unwrap());
    }
    out
}

async fn stored(stack: &Stack, wamid: &str) -> i64 {
    eventually(WAIT, &format!("message {wamid} stored"), || async {
        message::Entity::find()
            .filter(message::Column::ProviderMessageId.eq(wamid))
            .one(&stack.database)
            .await
            .ok()
            .flatten()
            .map(|m| m.conversation_id)
    })
    .await
}

async fn seconds_of(stack: &Stack, kind: MeasureKind) -> i64 {
    support_measure::Entity::find()
        .filter(support_measure::Column::Kind.eq(kind.as_str()))
        .one(&stack.database)
        .await
        .unwrap()
        .and_then(|m| m.seconds)
        .unwrap()
}

/// Run `run`: `queued` customers are left waiting in the queue.
async fn scenario(db: TestDb, queued: usize) {
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
            "name": "everyone", "action": {"type": "team", "team_id": care.id, "priority": 0},
        })))
        .await
        .unwrap();
    let (_, ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let now = Utc::now().timestamp();
    let webhook = meta_text(
        PHONE_NUMBER_ID,
        "4915100000901",
        "C",
        "wamid.M1",
        "help",
        now - 90,
    );
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    let id = stored(&stack, "wamid.M1").await;
    // An SLA policy for the labelled conversation only (the queued ones
    // run no clock): its first response (>= 90 s) misses the 60 s target
    // and breaches before the reply.
    let label = admin
        .create_label(&body(json!({"name": "SLA", "color": "#FF0000"})))
        .await
        .unwrap()
        .into_inner();
    admin
        .label_conversation(id, &body(json!({"label_id": label.id})))
        .await
        .unwrap();
    admin
        .create_sla_policy(&body(json!({
            "name": "SLA", "label_id": label.id, "first_response_secs": 60,
        })))
        .await
        .unwrap();
    eventually(WAIT, "the breach", || async {
        entities::sla_breach::Entity::find()
            .one(&stack.database)
            .await
            .ok()
            .flatten()
    })
    .await;
    let database = &stack.database;
    let row = |id| async move {
        conversation::Entity::find_by_id(id)
            .one(database)
            .await
            .unwrap()
            .unwrap()
    };
    ana.claim_conversation(id, &body(json!({"version": row(id).await.version})))
        .await
        .unwrap();
    ana.reply_to_conversation(id, &body(json!({"text": "On it"})))
        .await
        .unwrap();
    ana.resolve_conversation(id, &body(json!({"version": row(id).await.version})))
        .await
        .unwrap();
    for i in 0..queued {
        let wamid = format!("wamid.Q{i}");
        let from = format!("49151000009{:02}", 10 + i);
        let webhook = meta_text(PHONE_NUMBER_ID, &from, "Q", &wamid, "hello", now - 30);
        assert_eq!(
            stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
            200
        );
        stored(&stack, &wamid).await;
    }
    let first = seconds_of(&stack, MeasureKind::FirstResponse).await;
    let resolution = seconds_of(&stack, MeasureKind::Resolution).await;
    assert!((90..300).contains(&first), "{first}");
    let number = business_number::Entity::find()
        .filter(business_number::Column::PhoneNumberId.eq(PHONE_NUMBER_ID))
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap()
        .id;
    let at = |kind: &str, le: Option<&str>| {
        let le = le.map(|le| format!(",le=\"{le}\"")).unwrap_or_default();
        format!(
            "kind=\"{kind}\"{le},number=\"{number}\",team=\"{}\"",
            care.id
        )
    };
    let team = care.id;
    let expected: BTreeMap<String, f64> = [
        (
            format!("wharf_support_open_conversations{{number=\"{number}\",status=\"queued\",team=\"{team}\"}}"),
            queued as f64,
        ),
        (
            format!("wharf_support_measures_total{{{}}}", at("opened", None)),
            1.0 + queued as f64,
        ),
        (
            format!("wharf_support_measures_total{{{}}}", at("first_response", None)),
            1.0,
        ),
        (
            format!("wharf_support_measures_total{{{}}}", at("resolution", None)),
            1.0,
        ),
        (
            format!("wharf_support_seconds_bucket{{{}}}", at("first_response", Some("60"))),
            0.0,
        ),
        (
            format!("wharf_support_seconds_bucket{{{}}}", at("first_response", Some("300"))),
            1.0,
        ),
        (
            format!("wharf_support_seconds_bucket{{{}}}", at("first_response", Some("+Inf"))),
            1.0,
        ),
        (
            format!("wharf_support_seconds_sum{{{}}}", at("first_response", None)),
            first as f64,
        ),
        (
            format!("wharf_support_seconds_count{{{}}}", at("first_response", None)),
            1.0,
        ),
        (
            format!("wharf_support_seconds_sum{{{}}}", at("resolution", None)),
            resolution as f64,
        ),
        (
            format!("wharf_support_measures_total{{{}}}", at("message_in", None)),
            1.0 + queued as f64,
        ),
        (
            format!("wharf_support_measures_total{{{}}}", at("message_out", None)),
            1.0,
        ),
        (
            format!(
                "wharf_support_sla_outcomes_total{{clock=\"first_response\",result=\"missed\",team=\"{team}\"}}"
            ),
            1.0,
        ),
        (
            format!("wharf_support_sla_breaches_total{{clock=\"first_response\",team=\"{team}\"}}"),
            1.0,
        ),
        // Conversations without a team: always a series, 0 here.
        (
            "wharf_support_sla_outcomes_total{clock=\"resolution\",result=\"met\",team=\"none\"}".to_owned(),
            0.0,
        ),
    ]
    .into_iter()
    .collect();
    let scrape_url = format!("{}/metrics", stack.admin_url);
    let seen = eventually(WAIT, "the support figures on /metrics", || {
        let (http, url, expected) = (stack.http.clone(), scrape_url.clone(), &expected);
        async move {
            let text = http.get(url).send().await.ok()?.text().await.ok()?;
            let got = series(&text);
            expected
                .iter()
                .all(|(k, v)| got.get(k) == Some(v))
                .then_some(got)
        }
    })
    .await;
    // Bounded labels only: no contact or conversation in any series.
    for key in seen.keys() {
        let labels = key.split_once('{').unwrap().1.trim_end_matches('}');
        for pair in labels.split(',').filter(|p| !p.is_empty()) {
            let name = pair.split_once('=').unwrap().0;
            assert!(
                [
                    "kind", "team", "number", "status", "presence", "le", "clock", "result"
                ]
                .contains(&name),
                "{key}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_support_figures_are_scraped_exactly_on_sqlite_then_postgres() {
    scenario(TestDb::sqlite(), 1).await;
    if let Some(db) = TestDb::postgres().await {
        scenario(db, 2).await;
    }
}
