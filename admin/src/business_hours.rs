//! Business hours (issue 24): a team's hours (`teams.business_hours`, the
//! routing rules' reading of hours, `relay::routing::Hours`), the
//! business-time seconds of each timed support measure ([`business_seconds`],
//! filled by the desk sweep: [`fill`]) and the clock a report or an SLA
//! policy counts in ([`Clock`]). The rules are `docs/reports.md`,
//! "Business hours".

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{sla_outcome, sla_policy, support_measure, team};
use relay::routing::{Hours, OpenHours};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// Measures filled per round at most (the rest next round).
const BATCH: u64 = 500;

/// Which seconds count: all of them (`wall`, the default), or those inside
/// the team's business hours (`business`): a report's timings, an SLA
/// policy's targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "Clock", rename_all = "lowercase")]
pub enum Clock {
    /// Wall-clock time.
    #[default]
    Wall,
    /// Only the team's business hours (no team or no hours: wall time).
    Business,
}

impl Clock {
    /// Its name in the API and the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Clock::Wall => "wall",
            Clock::Business => "business",
        }
    }

    /// The stored name read back (anything unknown: wall).
    pub fn of(stored: &str) -> Self {
        if stored == Clock::Business.as_str() {
            Clock::Business
        } else {
            Clock::Wall
        }
    }
}

/// A team's stored hours, compiled; `None` without hours (or with hours
/// no longer valid, which the API never stores).
pub fn compiled(stored: Option<&serde_json::Value>) -> Option<OpenHours> {
    read(stored)?.compile().ok()
}

/// A team's stored hours (`teams.business_hours`) read back: the one
/// reading of the column (`None`: none, or not readable).
pub fn read(stored: Option<&serde_json::Value>) -> Option<Hours> {
    serde_json::from_value(stored?.clone()).ok()
}

/// The compiled hours of the teams `ids` that have some.
///
/// # Errors
/// Database errors.
pub async fn of_teams(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, OpenHours>, DbErr> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(team::Entity::find()
        .filter(team::Column::Id.is_in(ids))
        .filter(team::Column::BusinessHours.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|t| compiled(t.business_hours.as_ref()).map(|h| (t.id, h)))
        .collect())
}

/// The business seconds of a span measured as `seconds` of wall time from
/// `started_at` to `at`: the whole seconds of it inside `hours` (rounded
/// half up like `seconds`, never more than `seconds`); without hours or
/// without a start, `seconds` itself.
pub fn business_seconds(
    hours: Option<&OpenHours>,
    started_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
    seconds: i64,
) -> i64 {
    match (hours, started_at) {
        (Some(hours), Some(start)) => {
            let micros = hours
                .open_between(start, at)
                .num_microseconds()
                .unwrap_or(i64::MAX);
            std::cmp::Ord::min(micros.saturating_add(500_000) / 1_000_000, seconds)
        }
        _ => seconds,
    }
}

/// Fills `business_seconds` of the timed measures that have none yet
/// (`migrations::BUSINESS_SECONDS_PENDING`, read through the partial index
/// holding only them), at most [`BATCH`], oldest first; the hours are the
/// measure's team's now. Each write is
/// conditional (`… AND business_seconds IS NULL`), so several admin
/// servers may fill at once: the values are the same and written once.
/// A measure of a conversation whose SLA policy counts business time has
/// its `sla_outcomes` row's seconds and `met` set from the business
/// seconds in the same transaction. Answers how many pending measures it
/// found (each is filled when it returns, by this call or another).
///
/// # Errors
/// Database errors.
pub async fn fill(db: &sea_orm::DatabaseConnection) -> Result<u64, DbErr> {
    use support_measure::Column;
    let rows = support_measure::Entity::find()
        .filter(Expr::cust(migrations::BUSINESS_SECONDS_PENDING))
        .order_by_asc(Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let hours = of_teams(db, rows.iter().filter_map(|r| r.team_id)).await?;
    let txn = relay::db::begin_write(db).await?;
    let mut written = 0;
    // Without hours (or a start) the business seconds are the seconds: one
    // statement for all of those.
    let (open, plain): (Vec<_>, Vec<_>) = rows
        .iter()
        .partition(|r| r.started_at.is_some() && r.team_id.is_some_and(|t| hours.contains_key(&t)));
    if !plain.is_empty() {
        written += support_measure::Entity::update_many()
            .col_expr(Column::BusinessSeconds, Expr::col(Column::Seconds))
            .filter(Column::Id.is_in(plain.iter().map(|r| r.id)))
            .filter(Column::BusinessSeconds.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    for row in open {
        let Some(seconds) = row.seconds else { continue };
        let hours = row.team_id.and_then(|t| hours.get(&t));
        let value = business_seconds(hours, row.started_at, row.at, seconds);
        let done = support_measure::Entity::update_many()
            .col_expr(Column::BusinessSeconds, Expr::value(value))
            .filter(Column::Id.eq(row.id))
            .filter(Column::BusinessSeconds.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        written += done;
        if done == 1 && value != seconds {
            business_outcome(&txn, row, value).await?;
        }
    }
    txn.commit().await?;
    if written > 0 {
        tracing::debug!(written, "business seconds filled");
    }
    Ok(u64::try_from(rows.len()).unwrap_or(u64::MAX))
}

/// The `sla_outcomes` row of `measure` under a business-clock policy
/// counts `business` seconds against its target.
async fn business_outcome(
    db: &impl ConnectionTrait,
    measure: &support_measure::Model,
    business: i64,
) -> Result<(), DbErr> {
    use sla_outcome::Column;
    let business_policies = Query::select()
        .column(sla_policy::Column::Id)
        .from(sla_policy::Entity)
        .and_where(sla_policy::Column::Clock.eq(Clock::Business.as_str()))
        .to_owned();
    let measure_at = Query::select()
        .column(support_measure::Column::At)
        .from(support_measure::Entity)
        .and_where(support_measure::Column::Id.eq(measure.id))
        .to_owned();
    sla_outcome::Entity::update_many()
        .col_expr(Column::Seconds, Expr::value(business))
        .col_expr(
            Column::Met,
            Expr::value(business).lte(Expr::col(Column::TargetSecs)),
        )
        .filter(Column::ConversationId.eq(measure.conversation_id))
        .filter(Column::Target.eq(measure.kind.as_str()))
        .filter(Column::At.in_subquery(measure_at))
        .filter(Column::PolicyId.in_subquery(business_policies))
        .exec(db)
        .await?;
    Ok(())
}

/// Fills the measures still without business seconds before a
/// business-clock report reads them: normally those of the last sweep
/// interval, a few. Rounds of [`BATCH`] until one finds fewer (the pending
/// measures are found through their partial index, not the report's range,
/// which would walk the whole range; measures written meanwhile are after
/// the request began).
///
/// # Errors
/// Database errors.
pub async fn fill_pending(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    while fill(db).await? >= BATCH {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_seconds_count_the_hours_or_the_wall() {
        let hours = Hours {
            time_zone: "UTC".into(),
            days: vec![],
            from: "09:00".into(),
            to: "18:00".into(),
            inside: true,
        }
        .compile()
        .expect("hours");
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        let (start, end) = (at("2026-12-03T17:30:00Z"), at("2026-12-04T09:30:00Z"));
        assert_eq!(
            business_seconds(Some(&hours), Some(start), end, 57_600),
            3_600
        );
        assert_eq!(business_seconds(None, Some(start), end, 57_600), 57_600);
        assert_eq!(business_seconds(Some(&hours), None, end, 57_600), 57_600);
        // Half a second rounds up, as the wall seconds do.
        let half = at("2026-12-03T10:00:00.5Z");
        assert_eq!(
            business_seconds(Some(&hours), Some(at("2026-12-03T10:00:00Z")), half, 1),
            1
        );
        assert_eq!(Clock::of("business"), Clock::Business);
        assert_eq!(Clock::of("other"), Clock::Wall);
    }
}
