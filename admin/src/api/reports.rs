//! `/api/v1/reports/support`: the support figures of a time range (first
//! and next response, resolution, openings, reopenings, bot-resolved
//! conversations and bot hand-overs, agents' online time), grouped by day,
//! week, agent, team, number or label, as JSON or CSV (`…/support.csv`,
//! the same figures, one row per group). Admins, supervisors and
//! integrator tokens see every conversation's figures; an agent those of
//! its teams and its own (`scope`). Computing them is `crate::reports`.

use chrono::{DateTime, Duration, Utc};
use entities::team_member;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ApiTags;
use crate::AppState;
use crate::auth::TokenAuth;
use crate::business_hours::Clock;
use crate::error::{ApiError, ApiResult};
use crate::reports::{
    self, Figures, Grouping as GroupBy, PresenceScope, SlaClock, SlaFigures, Spread,
};
use crate::scope::AgentScope;

/// The longest range one report covers.
const MAX_RANGE_DAYS: i64 = 366;

/// Count, median and 90th percentile of durations in whole seconds
/// (nearest rank: always a measured value); no median without a count.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SpreadOut {
    pub count: u64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

impl From<Spread> for SpreadOut {
    fn from(s: Spread) -> Self {
        Self {
            count: s.count,
            median_secs: s.median,
            p90_secs: s.p90,
        }
    }
}

/// The figures of a group or of the whole range (`docs/reports.md`).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SupportFiguresOut {
    /// Conversations opened: their customer's first message.
    pub opened: u64,
    /// Reopened conversations: the customer's first message after the reopening.
    pub reopened: u64,
    /// Resolutions.
    pub resolved: u64,
    /// The opening's first customer message → the first agent reply.
    pub first_response: SpreadOut,
    /// A customer message after an agent reply → the next agent reply.
    pub next_response: SpreadOut,
    /// The opening's first customer message → resolved.
    pub resolution: SpreadOut,
    /// Resolved straight from the bot, no agent reply in the opening (the
    /// bot-resolved share is `bot_resolved / resolved`).
    pub bot_resolved: u64,
    /// The opening's first customer message → handed from the bot to people.
    pub handoff: SpreadOut,
    /// Seconds agents were online in the range (groupings day, week,
    /// agent and team only).
    pub online_secs: Option<u64>,
    /// Seconds agents were away in the range (as `online_secs`).
    pub away_secs: Option<u64>,
    /// Customer-satisfaction questions sent after resolutions.
    pub csat_asked: u64,
    /// Their answers (one per question at most).
    pub csat_answered: u64,
    /// The answers' average score, 1 to 5, two decimals (absent without
    /// answers).
    pub csat_average: Option<f64>,
    /// Answers of 4 or 5 ("satisfied").
    pub csat_satisfied: u64,
    /// `csat_satisfied / csat_answered`, four decimals (absent without
    /// answers).
    pub csat_satisfied_share: Option<f64>,
    /// Customer messages (reactions aside).
    pub messages_in: u64,
    /// Outbound messages: agents', the bot's, integrators', templates.
    pub messages_out: u64,
    /// SLA outcomes and breaches per clock.
    pub sla: SlaFiguresOut,
}

/// One SLA clock's outcomes and breaches (`docs/reports.md`, "SLA in
/// reports").
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SlaClockOut {
    /// Timed responses (resolutions) under a policy with a target for this
    /// clock that took at most the target.
    pub met: u64,
    /// Those that took longer.
    pub missed: u64,
    /// `met / (met + missed)`, four decimals (absent without outcomes).
    pub compliance: Option<f64>,
    /// Breaches recorded while the clock ran (by when recorded).
    pub breaches: u64,
}

impl From<SlaClock> for SlaClockOut {
    fn from(c: SlaClock) -> Self {
        Self {
            met: c.met,
            missed: c.missed,
            compliance: c.compliance(),
            breaches: c.breaches,
        }
    }
}

/// SLA figures per clock.
#[derive(Debug, Object)]
pub struct SlaFiguresOut {
    pub first_response: SlaClockOut,
    pub next_response: SlaClockOut,
    pub resolution: SlaClockOut,
}

impl From<SlaFigures> for SlaFiguresOut {
    fn from(s: SlaFigures) -> Self {
        Self {
            first_response: s.first_response.into(),
            next_response: s.next_response.into(),
            resolution: s.resolution.into(),
        }
    }
}

impl From<Figures> for SupportFiguresOut {
    fn from(f: Figures) -> Self {
        Self {
            opened: f.opened,
            reopened: f.reopened,
            resolved: f.resolved,
            first_response: f.first_response.into(),
            next_response: f.next_response.into(),
            resolution: f.resolution.into(),
            bot_resolved: f.bot_resolved,
            handoff: f.handoff.into(),
            online_secs: f.presence.map(|p| p.online_secs),
            away_secs: f.presence.map(|p| p.away_secs),
            csat_asked: f.csat.asked,
            csat_answered: f.csat.answered,
            csat_average: f.csat.average(),
            csat_satisfied: f.csat.satisfied,
            csat_satisfied_share: f.csat.satisfied_share(),
            messages_in: f.messages_in,
            messages_out: f.messages_out,
            sla: f.sla.into(),
        }
    }
}

/// One group of a report.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SupportGroupOut {
    /// The group: a date (`2026-12-04`; a week by its Monday), an agent's,
    /// team's or label's id, a number's phone number id. Absent for the
    /// events without one (openings by agent, conversations without
    /// team or label).
    pub key: Option<String>,
    /// The agent's, team's, number's or label's name.
    pub name: Option<String>,
    #[oai(flatten)]
    pub figures: SupportFiguresOut,
}

/// A support report.
#[derive(Debug, Object)]
pub struct SupportReportOut {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub group_by: GroupBy,
    pub clock: Clock,
    /// Groups in order: the one without key first, then by date or id.
    pub groups: Vec<SupportGroupOut>,
    /// The whole range.
    pub total: SupportFiguresOut,
}

/// The same report as CSV.
#[derive(ApiResponse)]
pub enum SupportCsv {
    /// One header row, then one row per group (as `groups` of the JSON).
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        PlainText<String>,
        /// `attachment; filename="support-<group_by>.csv"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

/// The report's columns, in order.
const CSV_HEADER: &str = "key,name,opened,reopened,resolved,\
first_response_count,first_response_median_secs,first_response_p90_secs,\
next_response_count,next_response_median_secs,next_response_p90_secs,\
resolution_count,resolution_median_secs,resolution_p90_secs,\
bot_resolved,handoff_count,handoff_median_secs,handoff_p90_secs,online_secs,away_secs,\
csat_asked,csat_answered,csat_average,csat_satisfied,csat_satisfied_share,\
messages_in,messages_out,\
sla_first_response_met,sla_first_response_missed,sla_first_response_compliance,sla_first_response_breaches,\
sla_next_response_met,sla_next_response_missed,sla_next_response_compliance,sla_next_response_breaches,\
sla_resolution_met,sla_resolution_missed,sla_resolution_compliance,sla_resolution_breaches";

fn csv(groups: &[SupportGroupOut]) -> String {
    fn opt<T: ToString>(v: Option<T>) -> String {
        v.map(|v| v.to_string()).unwrap_or_default()
    }
    let spread = |s: &SpreadOut| format!("{},{},{}", s.count, opt(s.median_secs), opt(s.p90_secs));
    let clock = |c: &SlaClockOut| {
        format!(
            "{},{},{},{}",
            c.met,
            c.missed,
            opt(c.compliance),
            c.breaches
        )
    };
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for g in groups {
        let f = &g.figures;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\r\n",
            crate::csv::field(g.key.as_deref()),
            crate::csv::field(g.name.as_deref()),
            f.opened,
            f.reopened,
            f.resolved,
            spread(&f.first_response),
            spread(&f.next_response),
            spread(&f.resolution),
            f.bot_resolved,
            spread(&f.handoff),
            opt(f.online_secs),
            opt(f.away_secs),
            f.csat_asked,
            f.csat_answered,
            opt(f.csat_average),
            f.csat_satisfied,
            opt(f.csat_satisfied_share),
            f.messages_in,
            f.messages_out,
            clock(&f.sla.first_response),
            clock(&f.sla.next_response),
            clock(&f.sla.resolution),
        ));
    }
    out
}

pub struct ReportsApi;

impl ReportsApi {
    async fn report(
        auth: &TokenAuth,
        state: &AppState,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        group_by: GroupBy,
        clock: Clock,
    ) -> ApiResult<SupportReportOut> {
        if from >= to {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "from must be before to",
            ));
        }
        if to - from > Duration::days(MAX_RANGE_DAYS) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("a report covers at most {MAX_RANGE_DAYS} days"),
            ));
        }
        let agent_scope = AgentScope::of(&state.db, &auth.0).await?;
        // An agent sees its own presence time and its teammates'.
        let agents = match &agent_scope {
            None => None,
            Some(s) => {
                let mut ids: Vec<i64> = team_member::Entity::find()
                    .filter(team_member::Column::TeamId.is_in(s.teams.iter().copied()))
                    .all(&state.db)
                    .await?
                    .into_iter()
                    .map(|m| m.agent_id)
                    .collect();
                ids.push(s.agent_id);
                Some(ids)
            }
        };
        let scope = agent_scope.map(|s| reports::agent_scope(s.agent_id, s.teams));
        let presence = PresenceScope {
            now: Utc::now(),
            agents,
        };
        if clock == Clock::Business {
            crate::business_hours::fill_pending(&state.db).await?;
        }
        let report =
            reports::build_clocked(&state.db, from, to, group_by, scope, Some(presence), clock)
                .await?;
        Ok(SupportReportOut {
            from,
            to,
            group_by,
            clock,
            groups: report
                .groups
                .into_iter()
                .map(|g| SupportGroupOut {
                    key: g.id,
                    name: g.name,
                    figures: g.figures.into(),
                })
                .collect(),
            total: report.total.into(),
        })
    }
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Support figures of a time range
    ///
    /// Events with their time in `[from, to)` (at most 366 days), grouped
    /// by `group_by` (default `day`), and agents' online and away time in
    /// the range (by day, week, agent or team). Agents see the figures of
    /// their teams' conversations, their own replies and their teams'
    /// presence time.
    #[oai(
        path = "/reports/support",
        method = "get",
        operation_id = "getSupportReport"
    )]
    async fn support(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// Start, inclusive (RFC 3339).
        from: Query<DateTime<Utc>>,
        /// End, exclusive (RFC 3339).
        to: Query<DateTime<Utc>>,
        group_by: Query<Option<GroupBy>>,
        /// `wall` (default) or `business`: timings in seconds of the
        /// teams' business hours.
        clock: Query<Option<Clock>>,
    ) -> ApiResult<Json<SupportReportOut>> {
        let group_by = group_by.0.unwrap_or(GroupBy::Day);
        let clock = clock.0.unwrap_or_default();
        Ok(Json(
            Self::report(&auth, &state, from.0, to.0, group_by, clock).await?,
        ))
    }

    /// Support figures of a time range, as CSV
    ///
    /// The groups of `getSupportReport` with the same parameters, one row each.
    #[oai(
        path = "/reports/support.csv",
        method = "get",
        operation_id = "getSupportReportCsv"
    )]
    async fn support_csv(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// Start, inclusive (RFC 3339).
        from: Query<DateTime<Utc>>,
        /// End, exclusive (RFC 3339).
        to: Query<DateTime<Utc>>,
        group_by: Query<Option<GroupBy>>,
        /// `wall` (default) or `business`: timings in seconds of the
        /// teams' business hours.
        clock: Query<Option<Clock>>,
    ) -> ApiResult<SupportCsv> {
        let group_by = group_by.0.unwrap_or(GroupBy::Day);
        let clock = clock.0.unwrap_or_default();
        let report = Self::report(&auth, &state, from.0, to.0, group_by, clock).await?;
        Ok(SupportCsv::Ok(
            PlainText(csv(&report.groups)),
            format!("attachment; filename=\"support-{}.csv\"", group_by.as_str()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_csv_row_has_the_header_s_columns() {
        let spread = |n| SpreadOut {
            count: n,
            median_secs: (n > 0).then_some(60),
            p90_secs: (n > 0).then_some(90),
        };
        let group = SupportGroupOut {
            key: Some("7".into()),
            name: Some("Ana, L.".into()),
            figures: SupportFiguresOut {
                opened: 0,
                reopened: 0,
                resolved: 1,
                first_response: spread(2),
                next_response: spread(0),
                resolution: spread(1),
                bot_resolved: 1,
                handoff: spread(0),
                online_secs: Some(3600),
                away_secs: None,
                csat_asked: 2,
                csat_answered: 2,
                csat_average: Some(3.5),
                csat_satisfied: 1,
                csat_satisfied_share: Some(0.5),
                messages_in: 4,
                messages_out: 3,
                sla: SlaFiguresOut {
                    first_response: SlaClock {
                        met: 1,
                        missed: 2,
                        breaches: 1,
                    }
                    .into(),
                    next_response: SlaClock::default().into(),
                    resolution: SlaClock {
                        met: 1,
                        missed: 0,
                        breaches: 0,
                    }
                    .into(),
                },
            },
        };
        let text = csv(&[group]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            "7,\"Ana, L.\",0,0,1,2,60,90,0,,,1,60,90,1,0,,,3600,,2,2,3.5,1,0.5,\
             4,3,1,2,0.3333,1,0,0,,0,1,0,1,0"
        );
    }
}
