//! The support figures as Prometheus series (issue 24), sampled from the
//! database every [`INTERVAL`] by each admin server (the same values on
//! every one: aggregate them with `max`, not `sum`). Labels are bounded:
//! `team` (the team's id, `none`), `number` (the business number's id),
//! `kind` (a `support_measures` kind), `status`, `presence`; never a
//! contact or conversation.
//!
//! - `wharf_support_open_conversations{team,number,status}`: conversations
//!   not resolved, now;
//! - `wharf_support_measures_total{kind,team,number}`: every measure ever
//!   recorded (openings, responses, resolutions, hand-overs, bot
//!   resolutions; its team the conversation's at the event);
//! - `wharf_support_seconds_{bucket,sum,count}{kind,team,number[,le]}`:
//!   the timed measures as a cumulative histogram over [`BUCKETS`], from
//!   the database itself (exact, whichever process wrote them), so
//!   `histogram_quantile` gives first response, resolution and hand-over
//!   percentiles;
//! - `wharf_support_agents{presence}`: agents per presence now;
//! - `wharf_support_csat_answers_total{score,team,number}`: satisfaction
//!   answers ever recorded by score (1–5; the `csat` measures, whose
//!   `seconds` hold the score and so stay out of the seconds histogram).
//!   Questions asked are `wharf_support_measures_total{kind="csat_asked"}`;
//! - `wharf_support_sla_outcomes_total{clock,result,team}`: SLA outcomes
//!   ever recorded (`sla_outcomes`), `result` `met` or `missed`;
//! - `wharf_support_sla_breaches_total{clock,team}`: SLA breaches ever
//!   recorded (`sla_breaches`).

use std::collections::HashSet;
use std::time::Duration;

use entities::support_measure::MeasureKind;
use relay::observe;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use tokio_util::sync::CancellationToken;

/// How often the figures are sampled.
pub const INTERVAL: Duration = Duration::from_secs(5);

/// The histogram's upper bounds, in seconds (1 min … 1 day; `+Inf` too).
pub const BUCKETS: [i64; 8] = [60, 300, 900, 1800, 3600, 14_400, 28_800, 86_400];

/// Labels of a series of open conversations.
type OpenKey = (String, String, String);

/// Samples until `shutdown`; a failed sample is skipped, not fatal.
pub async fn sample_forever(db: DatabaseConnection, shutdown: CancellationToken) {
    observe::install();
    // Open-conversation series seen before: set to 0 when they empty.
    let mut open: HashSet<OpenKey> = HashSet::new();
    loop {
        if let Err(err) = sample(&db, &mut open).await {
            tracing::debug!(%err, "support figures sample skipped");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(INTERVAL) => {}
        }
    }
}

fn label(id: Option<i64>) -> String {
    id.map_or_else(|| "none".to_owned(), |id| id.to_string())
}

fn count(n: i64) -> f64 {
    n as f64
}

/// One round: open conversations, measures and their histogram, agents.
///
/// # Errors
/// Database errors.
pub async fn sample(db: &DatabaseConnection, seen: &mut HashSet<OpenKey>) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT team_id, business_number_id, status, CAST(COUNT(*) AS BIGINT)
               FROM conversations WHERE status <> 'resolved'
              GROUP BY team_id, business_number_id, status",
        ))
        .await?;
    let mut now: HashSet<OpenKey> = HashSet::new();
    for row in rows {
        let team: Option<i64> = row.try_get_by_index(0)?;
        let number: i64 = row.try_get_by_index(1)?;
        let status: String = row.try_get_by_index(2)?;
        let n: i64 = row.try_get_by_index(3)?;
        let key = (label(team), number.to_string(), status);
        metrics::gauge!(observe::SUPPORT_OPEN, "team" => key.0.clone(),
            "number" => key.1.clone(), "status" => key.2.clone())
        .set(count(n));
        now.insert(key);
    }
    for (team, number, status) in seen.difference(&now) {
        metrics::gauge!(observe::SUPPORT_OPEN, "team" => team.clone(),
            "number" => number.clone(), "status" => status.clone())
        .set(0.0);
    }
    seen.extend(now);

    let buckets: String = BUCKETS
        .iter()
        .map(|b| format!(", CAST(SUM(CASE WHEN seconds <= {b} THEN 1 ELSE 0 END) AS BIGINT)"))
        .collect();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT kind, team_id, business_number_id, CAST(COUNT(*) AS BIGINT),
                        CAST(COUNT(seconds) AS BIGINT),
                        CAST(COALESCE(SUM(seconds), 0) AS BIGINT){buckets}
                   FROM support_measures GROUP BY kind, team_id, business_number_id"
            ),
        ))
        .await?;
    let bucket_names = format!("{}_bucket", observe::SUPPORT_SECONDS);
    let sum_name = format!("{}_sum", observe::SUPPORT_SECONDS);
    let count_name = format!("{}_count", observe::SUPPORT_SECONDS);
    for row in rows {
        let kind: String = row.try_get_by_index(0)?;
        let team: Option<i64> = row.try_get_by_index(1)?;
        let number: i64 = row.try_get_by_index(2)?;
        let all: i64 = row.try_get_by_index(3)?;
        let timed: i64 = row.try_get_by_index(4)?;
        let sum: i64 = row.try_get_by_index(5)?;
        let labels = [
            ("kind", kind),
            ("team", label(team)),
            ("number", number.to_string()),
        ];
        metrics::counter!(observe::SUPPORT_MEASURES, &labels)
            .absolute(u64::try_from(all).unwrap_or(0));
        // A `csat` row's value is a score, not a time.
        if timed == 0 || labels[0].1 == MeasureKind::Csat.as_str() {
            continue;
        }
        for (i, bound) in BUCKETS.iter().enumerate() {
            let within: i64 = row.try_get_by_index(6 + i)?;
            let mut with_le = labels.to_vec();
            with_le.push(("le", bound.to_string()));
            metrics::gauge!(bucket_names.clone(), &with_le).set(count(within));
        }
        let mut with_le = labels.to_vec();
        with_le.push(("le", "+Inf".to_owned()));
        metrics::gauge!(bucket_names.clone(), &with_le).set(count(timed));
        metrics::gauge!(sum_name.clone(), &labels).set(count(sum));
        metrics::gauge!(count_name.clone(), &labels).set(count(timed));
    }

    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT seconds, team_id, business_number_id, CAST(COUNT(*) AS BIGINT)
               FROM support_measures WHERE kind = 'csat' AND seconds IS NOT NULL
              GROUP BY seconds, team_id, business_number_id",
        ))
        .await?;
    for row in rows {
        let score: i64 = row.try_get_by_index(0)?;
        let team: Option<i64> = row.try_get_by_index(1)?;
        let number: i64 = row.try_get_by_index(2)?;
        let n: i64 = row.try_get_by_index(3)?;
        metrics::counter!(observe::SUPPORT_CSAT, "score" => score.to_string(),
            "team" => label(team), "number" => number.to_string())
        .absolute(u64::try_from(n).unwrap_or(0));
    }

    sample_sla(db).await?;

    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT presence, CAST(COUNT(*) AS BIGINT) FROM agents GROUP BY presence",
        ))
        .await?;
    let mut presences: Vec<&str> = entities::agent::Presence::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    for row in rows {
        let presence: String = row.try_get_by_index(0)?;
        let n: i64 = row.try_get_by_index(1)?;
        presences.retain(|p| *p != presence);
        metrics::gauge!(observe::SUPPORT_AGENTS, "presence" => presence).set(count(n));
    }
    for presence in presences {
        metrics::gauge!(observe::SUPPORT_AGENTS, "presence" => presence).set(0.0);
    }
    Ok(())
}

/// The SLA clocks, as `sla_outcomes.target` and `sla_breaches.target` name them.
const SLA_CLOCKS: [MeasureKind; 3] = [
    MeasureKind::FirstResponse,
    MeasureKind::NextResponse,
    MeasureKind::Resolution,
];

/// The SLA series: outcomes by clock, result and team; breaches by clock
/// and team (every row ever written, counted by the database). The
/// series of conversations without a team (`team="none"`) are always
/// there, 0 until one is recorded, so dashboards have a series to read.
async fn sample_sla(db: &DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut outcomes: HashSet<(String, &str)> = HashSet::new();
    let mut breaches: HashSet<String> = HashSet::new();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT target, met, team_id, CAST(COUNT(*) AS BIGINT)
               FROM sla_outcomes GROUP BY target, met, team_id",
        ))
        .await?;
    for row in rows {
        let clock: String = row.try_get_by_index(0)?;
        let met: bool = row.try_get_by_index(1)?;
        let team: Option<i64> = row.try_get_by_index(2)?;
        let n: i64 = row.try_get_by_index(3)?;
        let result = if met { "met" } else { "missed" };
        if team.is_none() {
            outcomes.insert((clock.clone(), result));
        }
        metrics::counter!(observe::SUPPORT_SLA_OUTCOMES, "clock" => clock,
            "result" => result, "team" => label(team))
        .absolute(u64::try_from(n).unwrap_or(0));
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT target, team_id, CAST(COUNT(*) AS BIGINT)
               FROM sla_breaches GROUP BY target, team_id",
        ))
        .await?;
    for row in rows {
        let clock: String = row.try_get_by_index(0)?;
        let team: Option<i64> = row.try_get_by_index(1)?;
        let n: i64 = row.try_get_by_index(2)?;
        if team.is_none() {
            breaches.insert(clock.clone());
        }
        metrics::counter!(observe::SUPPORT_SLA_BREACHES, "clock" => clock,
            "team" => label(team))
        .absolute(u64::try_from(n).unwrap_or(0));
    }
    for clock in SLA_CLOCKS.map(MeasureKind::as_str) {
        for result in ["met", "missed"] {
            if !outcomes.contains(&(clock.to_owned(), result)) {
                metrics::counter!(observe::SUPPORT_SLA_OUTCOMES, "clock" => clock,
                    "result" => result, "team" => label(None))
                .absolute(0);
            }
        }
        if !breaches.contains(clock) {
            metrics::counter!(observe::SUPPORT_SLA_BREACHES, "clock" => clock,
                "team" => label(None))
            .absolute(0);
        }
    }
    Ok(())
}
