//! Business hours (issue 24): a team's hours set through the API, the
//! business-time seconds of its support measures (filled by the admin
//! server's desk sweep), reports on the business clock (JSON and CSV) and
//! an SLA policy counting business time, on a running stack on SQLite and
//! PostgreSQL. The customer writes through a signed webhook to the edge at a
//! pinned time (the webhook's timestamp); the agent's reply row is stored
//! with a pinned time too (the API stamps a reply with the present, and the
//! night must lie between the two), so its triggers measure exactly 16 h.
//! Every team, policy and report call goes through the generated client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use client_support::*;
use entities::{message, sla_outcome, support_measure, team};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use support::*;
use wharf_client::types;

const WAIT: Duration = Duration::from_secs(40);

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// (count, median, p90) of the first responses of a report's group.
fn first_response(report: &types::SupportReportOut, key: &str) -> (u64, Option<i64>, Option<i64>) {
    let group = report
        .groups
        .iter()
        .find(|g| g.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no group {key} in {report:?}"));
    let s = &group.first_response;
    (s.count, s.median_secs, s.p90_secs)
}

async fn business_hours_exclude_the_night(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    // São Paulo keeps UTC-3 all year: 09:00–18:00 there is 12:00–21:00 UTC.
    let care = admin
        .create_team(&body(json!({
            "name": "Care", "strategy": "manual",
            "business_hours": {"time_zone": "America/Sao_Paulo", "from": "09:00", "to": "18:00"},
        })))
        .await
        .unwrap()
        .into_inner();
    let hours = care.business_hours.clone().expect("hours");
    assert_eq!(
        (
            hours.time_zone.as_str(),
            hours.from.as_str(),
            hours.to.as_str()
        ),
        ("America/Sao_Paulo", "09:00", "18:00")
    );
    assert!(hours.days.is_empty());
    admin
        .create_rule(&body(json!({
            "name": "help", "conditions": {"keywords": ["help"]},
            "action": {"type": "team", "team_id": care.id, "priority": 0},
        })))
        .await
        .unwrap();
    let (ana_id, _ana) = signed_in(&admin, url, "ana@example.com", "agent", &[care.id]).await;
    let policy = admin
        .create_sla_policy(&body(json!({
            "name": "Care in hours", "team_id": care.id, "first_response_secs": 3600,
            "clock": "business",
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(policy.clock, types::Clock::Business);

    // Tuesday 17:30 in São Paulo.
    let asked = t("2026-12-01T20:30:00Z");
    let webhook = meta_text(
        PHONE_NUMBER_ID,
        "4915100000801",
        "Client",
        "wamid.BH.1",
        "help please",
        asked.timestamp(),
    );
    assert_eq!(
        stack.post_meta("eu", &webhook, APP_SECRET).await.status(),
        200
    );
    let stored = eventually(WAIT, "the customer's message stored", || async {
        message::Entity::find()
            .filter(message::Column::ProviderMessageId.eq("wamid.BH.1"))
            .one(&stack.database)
            .await
            .ok()
            .flatten()
    })
    .await;
    let id = stored.conversation_id;

    // One hour of open time: 30 minutes on Tuesday, 30 on Wednesday.
    let sla = eventually(WAIT, "the conversation's SLA", || async {
        let detail = admin.get_conversation(id).await.ok()?.into_inner();
        detail.conversation.sla.filter(|s| s.policy_id == policy.id)
    })
    .await;
    assert_eq!(sla.target, "first_response");
    assert_eq!(sla.due_at, t("2026-12-02T12:30:00Z"), "09:30, not 18:30");

    // Ana answers on Wednesday at 09:30 in São Paulo.
    let answered = t("2026-12-02T12:30:00Z");
    message::ActiveModel {
        conversation_id: Set(id),
        direction: Set("outbound".into()),
        provider: Set("meta".into()),
        kind: Set("text".into()),
        body: Set(Some("Good morning".into())),
        payload: Set(json!({})),
        status: Set("queued".into()),
        provider_timestamp: Set(answered),
        agent_id: Set(Some(ana_id)),
        created_at: Set(answered),
        updated_at: Set(answered),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
    let measure = eventually(WAIT, "the business seconds filled", || async {
        support_measure::Entity::find()
            .filter(support_measure::Column::ConversationId.eq(id))
            .filter(support_measure::Column::Kind.eq("first_response"))
            .one(&stack.database)
            .await
            .ok()
            .flatten()
            .filter(|m| m.business_seconds.is_some())
    })
    .await;
    assert_eq!(
        (measure.seconds, measure.business_seconds),
        (Some(16 * 3600), Some(3600))
    );
    assert_eq!(measure.team_id, Some(care.id));
    // Met on the business clock: an hour is within the hour.
    let outcome = sla_outcome::Entity::find()
        .filter(sla_outcome::Column::ConversationId.eq(id))
        .one(&stack.database)
        .await
        .unwrap()
        .expect("an outcome");
    assert_eq!((outcome.seconds, outcome.met), (3600, true));

    let (from, to) = (t("2026-12-01T00:00:00Z"), t("2026-12-03T00:00:00Z"));
    let key = care.id.to_string();
    let business = admin
        .get_support_report(
            Some(types::Clock::Business),
            &from,
            Some(types::ReportGroupBy::Team),
            &to,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(business.clock, types::Clock::Business);
    assert_eq!(first_response(&business, &key), (1, Some(3600), Some(3600)));
    assert_eq!(business.total.first_response.median_secs, Some(3600));
    let wall = admin
        .get_support_report(None, &from, Some(types::ReportGroupBy::Team), &to)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(wall.clock, types::Clock::Wall);
    assert_eq!(first_response(&wall, &key), (1, Some(57_600), Some(57_600)));
    let csv = report_csv_on(
        &admin,
        &from,
        &to,
        types::ReportGroupBy::Team,
        Some(types::Clock::Business),
    )
    .await;
    let row = csv
        .lines()
        .find(|l| l.starts_with(&format!("{key},")))
        .unwrap_or_else(|| panic!("no row for the team in {csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    // first_response_count, _median_secs, _p90_secs.
    assert_eq!(&cells[5..8], ["1", "3600", "3600"], "{csv}");
}

on_sqlite_and_postgres!(business_hours_exclude_the_night);

async fn bad_business_hours_are_refused_changing_nothing(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let admin = client_with(stack.admin_url.as_str(), ADMIN_TOKEN);
    let hours = |time_zone: &str, days: serde_json::Value, from: &str, to: &str| json!({"time_zone": time_zone, "days": days, "from": from, "to": to});
    let cases = [
        (
            hours("Mars/Olympus", json!([]), "09:00", "18:00"),
            "business_hours.time_zone",
        ),
        (
            hours("UTC", json!([1, 8]), "09:00", "18:00"),
            "business_hours.days",
        ),
        (
            hours("UTC", json!([]), "9am", "18:00"),
            "business_hours.from",
        ),
        (
            hours("UTC", json!([]), "09:00", "25:00"),
            "business_hours.to",
        ),
        (
            hours("UTC", json!([]), "09:00", "09:00"),
            "business_hours.to",
        ),
    ];
    for (bad, field) in &cases {
        let detail = refused(
            admin
                .create_team(&body(json!({
                    "name": "Care", "strategy": "manual", "business_hours": bad,
                })))
                .await,
            422,
            "invalid_field",
        );
        assert!(detail.starts_with(field), "{detail}");
    }
    assert!(admin.list_teams().await.unwrap().into_inner().is_empty());

    let care = admin
        .create_team(&body(json!({"name": "Care", "strategy": "manual"})))
        .await
        .unwrap()
        .into_inner();
    assert!(care.business_hours.is_none());
    let set = admin
        .update_team(
            care.id,
            &body(json!({"business_hours": hours("Europe/Berlin", json!([1, 2, 3, 4, 5]), "08:00", "17:00")})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        set.business_hours.as_ref().map(|h| h.days.clone()),
        Some(vec![1, 2, 3, 4, 5])
    );
    for (bad, field) in &cases {
        let detail = refused(
            admin
                .update_team(care.id, &body(json!({"business_hours": bad})))
                .await,
            422,
            "invalid_field",
        );
        assert!(detail.starts_with(field), "{detail}");
    }
    let detail = refused(
        admin
            .update_team(
                care.id,
                &body(json!({
                    "business_hours": hours("UTC", json!([]), "09:00", "17:00"),
                    "always_open": true,
                })),
            )
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("always_open"), "{detail}");
    // Nothing changed.
    let stored = team::Entity::find_by_id(care.id)
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored
            .business_hours
            .as_ref()
            .map(|h| h["time_zone"].clone()),
        Some(json!("Europe/Berlin"))
    );
    let got = admin.get_team(care.id).await.unwrap().into_inner();
    assert_eq!(
        got.business_hours.map(|h| h.from.as_str().to_owned()),
        Some("08:00".to_owned())
    );
    let open = admin
        .update_team(care.id, &body(json!({"always_open": true})))
        .await
        .unwrap()
        .into_inner();
    assert!(open.business_hours.is_none());

    // An unknown clock is refused by the schema.
    let (status, answer) = stack
        .admin_post(
            "/api/v1/sla-policies",
            json!({"name": "Odd", "first_response_secs": 60, "clock": "lunar"}),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = stack
        .admin_get(
            "/api/v1/reports/support?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&clock=lunar",
        )
        .await;
    assert_eq!(status, 400, "{answer}");

    // Audited like every team change: the hours before and after.
    let (_, audit) = stack.admin_get("/api/v1/audit?limit=200").await;
    let updates: Vec<&serde_json::Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "team.update")
        .collect();
    assert_eq!(updates.len(), 2, "{audit}");
    let hours_of = |e: &serde_json::Value, side: &str| e["detail"][side]["business_hours"].clone();
    let mut seen: Vec<(serde_json::Value, serde_json::Value)> = updates
        .iter()
        .map(|e| {
            (
                hours_of(e, "before")["time_zone"].clone(),
                hours_of(e, "after")["time_zone"].clone(),
            )
        })
        .collect();
    seen.sort_by_key(|(b, _)| b.to_string());
    assert_eq!(
        seen,
        vec![
            (json!("Europe/Berlin"), serde_json::Value::Null),
            (serde_json::Value::Null, json!("Europe/Berlin")),
        ],
        "{audit}"
    );
}

on_sqlite_and_postgres!(bad_business_hours_are_refused_changing_nothing);
