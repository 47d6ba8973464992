//! Support reports (issue 24): the `support_measures` rows of a time range
//! grouped by day, ISO week, agent, team, business number or label, each
//! group's counts and exact percentiles. The rows are written by database
//! triggers as the events happen (`docs/reports.md`); a report reads one
//! index range of them (covering: `ix_support_measures_report`) and never
//! scans messages. The database groups the rows by the group's key as
//! one integer (an id, or the UTC day) and kind, and hands over one row per
//! group: the count and the seconds as one text ([`measured`]). The HTTP
//! side is `api/reports.rs`.
//!
//! Agents' online and away time comes from `agent_presence_intervals`
//! (spans written by triggers on every presence change), clipped at the
//! range's ends and split at UTC midnights for days and weeks
//! ([`presence_times`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::agent::Presence;
use entities::support_measure::{self, MeasureKind};
use entities::{
    agent, agent_presence_interval, business_number, conversation_label, label, sla_breach,
    sla_outcome, team, team_member,
};
use sea_orm::sea_query::{Alias, Expr};

use crate::business_hours::Clock;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect,
};

/// Conversation ids per `IN (…)` list.
const CHUNK: usize = 500;

/// How measures are grouped (`group_by` of the reports API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "ReportGroupBy", rename_all = "lowercase")]
pub enum Grouping {
    /// The UTC day of the measure's `at`.
    Day,
    /// The ISO week (Monday to Sunday, UTC) of `at`, named by its Monday.
    Week,
    /// The replying agent (responses), the assignee (resolutions);
    /// openings have no agent.
    Agent,
    /// The conversation's team when the event happened.
    Team,
    /// The business number (its phone number id).
    Number,
    /// Each label the conversation carries now (a measure counts once per
    /// label; a conversation without labels is the group without key).
    Label,
}

impl Grouping {
    /// Its name in the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Agent => "agent",
            Grouping::Team => "team",
            Grouping::Number => "number",
            Grouping::Label => "label",
        }
    }

    /// Whether agents' presence time is reported by this grouping (days,
    /// weeks, agents, teams; not numbers or labels, which have no agents).
    pub const fn has_presence(self) -> bool {
        matches!(
            self,
            Grouping::Day | Grouping::Week | Grouping::Agent | Grouping::Team
        )
    }
}

/// A group's identity; sorts days and weeks by date, the others by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupKey {
    Date(NaiveDate),
    Id(i64),
}

/// Count, median and 90th percentile of a set of durations, in whole
/// seconds (nearest rank: the value at rank ⌈p·n⌉ of the sorted values,
/// so always one that was measured).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Spread {
    pub count: u64,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Spread {
    /// The spread of `values` (sorted here).
    pub fn of(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        Self {
            count: values.len() as u64,
            median: nearest_rank(&values, 50),
            p90: nearest_rank(&values, 90),
        }
    }
}

/// The `percent`th percentile of sorted `values` by nearest rank.
fn nearest_rank(sorted: &[i64], percent: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// One group's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Conversations opened for the first time (their first customer message).
    pub opened: u64,
    /// Openings of reopened conversations.
    pub reopened: u64,
    /// Resolutions (a conversation resolved twice counts twice).
    pub resolved: u64,
    pub first_response: Spread,
    pub next_response: Spread,
    pub resolution: Spread,
    /// Resolutions straight from `bot` state, no agent reply in the opening
    /// (the bot-resolved share is `bot_resolved / resolved`).
    pub bot_resolved: u64,
    /// The opening's first customer message → handed from a bot to people.
    pub handoff: Spread,
    /// Agents' presence time, for the groupings that have it
    /// ([`Grouping::has_presence`]) when asked for ([`build_with`]).
    pub presence: Option<PresenceTime>,
    /// Customer satisfaction: questions asked and their answers.
    pub csat: Satisfaction,
    /// Customer messages (`message_in` measures).
    pub messages_in: u64,
    /// Outbound messages (`message_out` measures).
    pub messages_out: u64,
    /// SLA outcomes and breaches per clock.
    pub sla: SlaFigures,
}

/// One SLA clock's figures in a group: timed responses (resolutions) under
/// a policy with a target for the clock that met or missed it
/// (`sla_outcomes` by their `at`), and breaches the sweep recorded
/// (`sla_breaches` by their `breached_at`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaClock {
    pub met: u64,
    pub missed: u64,
    pub breaches: u64,
}

impl SlaClock {
    /// `met / (met + missed)`, rounded to four decimals (none without
    /// outcomes).
    pub fn compliance(self) -> Option<f64> {
        ratio(
            i64::try_from(self.met).unwrap_or(i64::MAX),
            self.met + self.missed,
            10_000.0,
        )
    }
}

/// The SLA figures of a group, per clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaFigures {
    pub first_response: SlaClock,
    pub next_response: SlaClock,
    pub resolution: SlaClock,
}

/// How an SLA row ([`sla_measured`]) names its kind: `<what>:<clock>`.
const SLA_MET: &str = "sla_met";
const SLA_MISSED: &str = "sla_missed";
const SLA_BREACH: &str = "sla_breach";

impl SlaFigures {
    /// The clock named as in `sla_outcomes.target`.
    pub fn clock_mut(&mut self, clock: &str) -> Option<&mut SlaClock> {
        match clock.parse::<MeasureKind>() {
            Ok(MeasureKind::FirstResponse) => Some(&mut self.first_response),
            Ok(MeasureKind::NextResponse) => Some(&mut self.next_response),
            Ok(MeasureKind::Resolution) => Some(&mut self.resolution),
            _ => None,
        }
    }

    /// Counts an SLA row of [`sla_measured`] (other kinds: nothing).
    fn add(&mut self, kind: &str, count: u64) {
        let Some((what, clock)) = kind.split_once(':') else {
            return;
        };
        let Some(clock) = self.clock_mut(clock) else {
            return;
        };
        match what {
            SLA_MET => clock.met += count,
            SLA_MISSED => clock.missed += count,
            SLA_BREACH => clock.breaches += count,
            _ => {}
        }
    }
}

/// Satisfaction questions and answers of a group (`csat_asked` and
/// `csat` measures; the rules in `docs/reports.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Satisfaction {
    /// Questions sent.
    pub asked: u64,
    /// Answers (each question is answered at most once).
    pub answered: u64,
    /// The answers' scores added up (the average is `score_sum / answered`).
    pub score_sum: i64,
    /// Answers of [`relay::csat::SATISFIED_FROM`] or more (4 or 5 of 5).
    pub satisfied: u64,
}

impl Satisfaction {
    /// The average score, rounded to two decimals (none without answers).
    pub fn average(self) -> Option<f64> {
        ratio(self.score_sum, self.answered, 100.0)
    }

    /// The satisfied share, `satisfied / answered`, rounded to four
    /// decimals (none without answers).
    pub fn satisfied_share(self) -> Option<f64> {
        ratio(
            i64::try_from(self.satisfied).unwrap_or(i64::MAX),
            self.answered,
            10_000.0,
        )
    }
}

/// `part / whole` rounded to `1 / scale`.
#[allow(clippy::cast_precision_loss)]
fn ratio(part: i64, whole: u64, scale: f64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * scale).round() / scale)
}

/// Whole seconds agents were `online` and `away` (each group's clipped
/// spans added up in milliseconds, then rounded half away from zero).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresenceTime {
    pub online_secs: u64,
    pub away_secs: u64,
}

/// The measured seconds of a group, per kind, before the spreads.
#[derive(Default)]
struct Tally {
    opened: u64,
    reopened: u64,
    resolved: u64,
    first: Vec<i64>,
    next: Vec<i64>,
    resolution: Vec<i64>,
    bot_resolved: u64,
    handoff: Vec<i64>,
    csat: Satisfaction,
    messages_in: u64,
    messages_out: u64,
    sla: SlaFigures,
}

impl Tally {
    fn add(&mut self, row: &Measured) {
        let seconds = row.seconds.iter().copied();
        match row.kind.parse::<MeasureKind>() {
            Ok(MeasureKind::Opened) => self.opened += row.count,
            Ok(MeasureKind::Reopened) => self.reopened += row.count,
            Ok(MeasureKind::FirstResponse) => self.first.extend(seconds),
            Ok(MeasureKind::NextResponse) => self.next.extend(seconds),
            Ok(MeasureKind::Resolution) => {
                self.resolved += row.count;
                self.resolution.extend(seconds);
            }
            Ok(MeasureKind::BotResolved) => self.bot_resolved += row.count,
            Ok(MeasureKind::Handoff) => self.handoff.extend(seconds),
            Ok(MeasureKind::CsatAsked) => self.csat.asked += row.count,
            Ok(MeasureKind::Csat) => {
                // The scores ride in `seconds`.
                for score in seconds {
                    self.csat.answered += 1;
                    self.csat.score_sum += score;
                    if score >= i64::from(relay::csat::SATISFIED_FROM) {
                        self.csat.satisfied += 1;
                    }
                }
            }
            Ok(MeasureKind::MessageIn) => self.messages_in += row.count,
            Ok(MeasureKind::MessageOut) => self.messages_out += row.count,
            Err(_) => self.sla.add(&row.kind, row.count),
        }
    }

    fn figures(self) -> Figures {
        Figures {
            opened: self.opened,
            reopened: self.reopened,
            resolved: self.resolved,
            first_response: Spread::of(self.first),
            next_response: Spread::of(self.next),
            resolution: Spread::of(self.resolution),
            bot_resolved: self.bot_resolved,
            handoff: Spread::of(self.handoff),
            presence: None,
            csat: self.csat,
            messages_in: self.messages_in,
            messages_out: self.messages_out,
            sla: self.sla,
        }
    }
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `None`: the measures without one (e.g. openings by agent).
    pub key: Option<GroupKey>,
    /// The key as the API shows it: `2026-12-04` for days and weeks, the
    /// agent's, team's or label's id, the number's phone number id.
    pub id: Option<String>,
    /// A name for people: the agent's, team's, number's or label's name.
    pub name: Option<String>,
    pub figures: Figures,
}

/// A report: its groups in key order (the keyless group first) and the
/// whole range's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub groups: Vec<Group>,
    pub total: Figures,
}

/// The figures of the measures with `at` in `[from, to)` that `scope`
/// admits (`None`: all), grouped by `grouping`; no presence time.
///
/// # Errors
/// Database errors.
pub async fn build(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
) -> Result<Report, DbErr> {
    build_with(db, from, to, grouping, scope, None).await
}

/// Whose presence time a report adds up, and until when an agent still in
/// a state counts.
#[derive(Debug, Clone)]
pub struct PresenceScope {
    /// Open spans end here (now).
    pub now: DateTime<Utc>,
    /// `None`: every agent.
    pub agents: Option<Vec<i64>>,
}

/// [`build`], and with `presence` the agents' presence time of the range
/// for the groupings that have it (groups with presence time only, e.g.
/// an agent online who answered nobody, are listed too).
///
/// # Errors
/// Database errors.
pub async fn build_with(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
    presence: Option<PresenceScope>,
) -> Result<Report, DbErr> {
    build_clocked(db, from, to, grouping, scope, presence, Clock::Wall).await
}

/// [`build_with`] counting the timings' seconds on `clock`: wall time, or
/// business time (`support_measures.business_seconds`; the caller fills
/// the missing ones first, `crate::business_hours::fill_pending`).
///
/// # Errors
/// Database errors.
pub async fn build_clocked(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
    presence: Option<PresenceScope>,
    clock: Clock,
) -> Result<Report, DbErr> {
    // Two index ranges, read side by side (a pool: two connections).
    let (mut rows, sla) = tokio::try_join!(
        measured(db, from, to, grouping, scope.clone(), clock),
        sla_measured(db, from, to, grouping, scope)
    )?;
    rows.extend(sla);
    let labels = match grouping {
        Grouping::Label => labels_of(db, &rows).await?,
        _ => HashMap::new(),
    };
    let mut total = Tally::default();
    let mut tallies: BTreeMap<Option<GroupKey>, Tally> = BTreeMap::new();
    for row in &rows {
        total.add(row);
        for key in keys(grouping, row, &labels) {
            tallies.entry(key).or_default().add(row);
        }
    }
    let times = match presence {
        Some(scope) if grouping.has_presence() => {
            let times = presence_times(db, from, to, grouping, &scope).await?;
            for key in times.groups.keys() {
                tallies.entry(*key).or_default();
            }
            Some(times)
        }
        _ => None,
    };
    let names = names(db, grouping, tallies.keys().flatten().copied()).await?;
    let time_of = |key: &Option<GroupKey>| {
        times
            .as_ref()
            .map(|t| t.groups.get(key).copied().unwrap_or_default())
    };
    let groups = tallies
        .into_iter()
        .map(|(key, tally)| {
            let (id, name) = match key {
                None => (None, None),
                Some(GroupKey::Date(day)) => (Some(day.to_string()), None),
                Some(GroupKey::Id(id)) => match names.get(&id) {
                    Some((shown, name)) => (Some(shown.clone()), Some(name.clone())),
                    None => (Some(id.to_string()), None),
                },
            };
            Group {
                key,
                id,
                name,
                figures: Figures {
                    presence: time_of(&key),
                    ..tally.figures()
                },
            }
        })
        .collect();
    Ok(Report {
        groups,
        total: Figures {
            presence: times.as_ref().map(|t| t.total),
            ..total.figures()
        },
    })
}

/// The presence time of a range per group and in all.
#[derive(Debug, Default)]
struct PresenceTimes {
    groups: BTreeMap<Option<GroupKey>, PresenceTime>,
    total: PresenceTime,
}

/// Milliseconds online and away, before rounding.
#[derive(Debug, Default, Clone, Copy)]
struct PresenceMillis {
    online: i64,
    away: i64,
}

impl PresenceMillis {
    fn add(&mut self, presence: &str, millis: i64) {
        match presence.parse::<Presence>() {
            Ok(Presence::Online) => self.online += millis,
            Ok(Presence::Away) => self.away += millis,
            _ => {}
        }
    }

    fn secs(self) -> PresenceTime {
        let secs = |ms: i64| u64::try_from((ms + 500).div_euclid(1000)).unwrap_or(0);
        PresenceTime {
            online_secs: secs(self.online),
            away_secs: secs(self.away),
        }
    }
}

/// The agents' spans overlapping `[from, to)`, clipped to it (a span still
/// open ends at `scope.now`), added up per group of `grouping`: the agent,
/// each team the agent is in now (none: the group without key), the UTC
/// day or ISO week of each part of a span split at midnights.
async fn presence_times(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: &PresenceScope,
) -> Result<PresenceTimes, DbErr> {
    use agent_presence_interval::Column;
    let mut query = agent_presence_interval::Entity::find()
        .filter(Column::StartedAt.lt(to))
        .filter(
            Condition::any()
                .add(Column::EndedAt.is_null())
                .add(Column::EndedAt.gt(from)),
        );
    if let Some(agents) = &scope.agents {
        query = query.filter(Column::AgentId.is_in(agents.iter().copied()));
    }
    let spans = query.all(db).await?;
    let mut teams: HashMap<i64, Vec<i64>> = HashMap::new();
    if grouping == Grouping::Team {
        let mut agents: Vec<i64> = spans.iter().map(|s| s.agent_id).collect();
        agents.sort_unstable();
        agents.dedup();
        for chunk in agents.chunks(CHUNK) {
            for member in team_member::Entity::find()
                .filter(team_member::Column::AgentId.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                teams
                    .entry(member.agent_id)
                    .or_default()
                    .push(member.team_id);
            }
        }
    }
    let mut millis: BTreeMap<Option<GroupKey>, PresenceMillis> = BTreeMap::new();
    let mut total = PresenceMillis::default();
    for span in &spans {
        let start = span.started_at.max(from);
        let end = span.ended_at.unwrap_or(scope.now).min(to).min(scope.now);
        for (part_start, part_end) in split_at_midnights(start, end) {
            let ms = (part_end - part_start).num_milliseconds();
            total.add(&span.presence, ms);
            let day = part_start.date_naive();
            let keys = match grouping {
                Grouping::Day => vec![Some(GroupKey::Date(day))],
                Grouping::Week => vec![Some(GroupKey::Date(monday_of(day)))],
                Grouping::Agent => vec![Some(GroupKey::Id(span.agent_id))],
                Grouping::Team => match teams.get(&span.agent_id) {
                    Some(ids) => ids.iter().map(|t| Some(GroupKey::Id(*t))).collect(),
                    None => vec![None],
                },
                Grouping::Number | Grouping::Label => Vec::new(),
            };
            for key in keys {
                millis.entry(key).or_default().add(&span.presence, ms);
            }
        }
    }
    Ok(PresenceTimes {
        groups: millis.into_iter().map(|(k, m)| (k, m.secs())).collect(),
        total: total.secs(),
    })
}

/// `[start, end)` cut at every UTC midnight inside it (nothing when empty).
fn split_at_midnights(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut parts = Vec::new();
    let mut at = start;
    while at < end {
        let midnight = (at.date_naive() + Duration::days(1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        let stop = midnight.min(end);
        parts.push((at, stop));
        at = stop;
    }
    parts
}

/// The Monday of `day`'s ISO week.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// What a report reads of the measures of one key and kind.
#[derive(Debug, Clone)]
struct Measured {
    /// The group's key ([`key_column`]): the agent's, team's or number's
    /// id, the conversation's id (for its labels), or the UTC day of `at`
    /// as days since 1970-01-01 (days and weeks).
    key: Option<i64>,
    kind: String,
    /// How many measures.
    count: u64,
    /// Their seconds (the measured ones), in no order.
    seconds: Vec<i64>,
}

/// The one integer a row is grouped by (see [`Measured::key`]). The day is
/// computed by the database (an integer decodes far faster than a time).
/// Read from `table` (`support_measures`, `sla_outcomes`, `sla_breaches`:
/// the same column names) whose time is the column `at`.
fn key_column(grouping: Grouping, backend: DatabaseBackend, table: &str, at: &str) -> Expr {
    let column = |c: &str| Expr::col((Alias::new(table), Alias::new(c)));
    match grouping {
        Grouping::Agent => column("agent_id"),
        Grouping::Team => column("team_id"),
        Grouping::Number => column("business_number_id"),
        Grouping::Label => column("conversation_id"),
        Grouping::Day | Grouping::Week => Expr::cust(match backend {
            // Date arithmetic: exact and far cheaper than `extract(epoch …)`
            // (a numeric) on every row.
            DatabaseBackend::Postgres => {
                format!("(({table}.{at} AT TIME ZONE 'UTC')::date - DATE '1970-01-01')::bigint")
            }
            _ => format!("unixepoch({table}.{at}) / 86400"),
        }),
    }
}

/// The filter of an agent's view of a report (`crate::scope`): its own
/// measures and its teams'. Unqualified columns, so the same condition
/// filters `support_measures`, `sla_outcomes` and `sla_breaches`.
pub fn agent_scope(agent_id: i64, teams: impl IntoIterator<Item = i64>) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    Condition::any()
        .add(Expr::col(Alias::new("agent_id")).eq(agent_id))
        .add(Expr::col(Alias::new("team_id")).is_in(teams))
}

/// The measures with `at` in `[from, to)` that `scope` admits, through
/// the covering index on `at`, one row per (key `grouping` needs, kind):
/// their count and their seconds as one text (`group_concat` /
/// `string_agg`, comma separated). Handing each measure to Rust as a row
/// was most of a report's time (`docs/reports.md`, Speed); one text per
/// group carries the same values.
async fn measured(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
    clock: Clock,
) -> Result<Vec<Measured>, DbErr> {
    use support_measure::Column;
    let values = seconds_text(db.get_database_backend(), clock);
    let mut query = support_measure::Entity::find()
        .select_only()
        .expr_as(
            key_column(
                grouping,
                db.get_database_backend(),
                "support_measures",
                "at",
            ),
            "group_key",
        )
        .column(Column::Kind)
        .expr(Expr::cust("count(*)"))
        .expr(Expr::cust(values))
        .filter(Column::At.gte(from))
        .filter(Column::At.lt(to));
    if let Some(scope) = scope {
        query = query.filter(scope);
    }
    query
        .group_by(Expr::cust("group_key"))
        .group_by(Column::Kind)
        .into_tuple::<(Option<i64>, String, i64, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(key, kind, count, values)| {
            let seconds = values
                .as_deref()
                .unwrap_or_default()
                .split(',')
                .filter(|v| !v.is_empty())
                .map(str::parse)
                .collect::<Result<Vec<i64>, _>>()
                .map_err(|e| DbErr::Type(format!("support_measures.seconds: {e}")))?;
            Ok(Measured {
                key,
                kind,
                count: u64::try_from(count).unwrap_or(0),
                seconds,
            })
        })
        .collect()
}

/// The SLA outcomes with `at` and the breaches with `breached_at` in
/// `[from, to)` that `scope` admits, as rows of [`measured`]'s shape: one
/// per (key, clock, met or missed) and (key, clock) of breaches, kinds
/// `sla_met:<clock>`, `sla_missed:<clock>`, `sla_breach:<clock>` (counts
/// only). Each read from its covering index keyed by the time
/// (`m20261205_000025_sla_figures`).
async fn sla_measured(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
) -> Result<Vec<Measured>, DbErr> {
    let backend = db.get_database_backend();
    let row = |key, kind: String, count: i64| Measured {
        key,
        kind,
        count: u64::try_from(count).unwrap_or(0),
        seconds: Vec::new(),
    };
    /// The group key and the clock of the rows of `E` whose time `at` is
    /// in the range.
    fn keyed<E: EntityTrait>(
        grouping: Grouping,
        backend: DatabaseBackend,
        at: E::Column,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        target: E::Column,
    ) -> sea_orm::Select<E> {
        use sea_orm::IdenStatic;
        let table = E::default().table_name();
        E::find()
            .select_only()
            .expr_as(
                key_column(grouping, backend, table, at.as_str()),
                "group_key",
            )
            .column(target)
            .filter(at.gte(from))
            .filter(at.lt(to))
    }
    use sla_breach::Column as B;
    use sla_outcome::Column as O;
    let mut outcomes =
        keyed::<sla_outcome::Entity>(grouping, backend, O::At, (from, to), O::Target)
            .column(O::Met)
            .expr(Expr::cust("count(*)"));
    let mut breaches =
        keyed::<sla_breach::Entity>(grouping, backend, B::BreachedAt, (from, to), B::Target)
            .expr(Expr::cust("count(*)"));
    if let Some(scope) = scope {
        outcomes = outcomes.filter(scope.clone());
        breaches = breaches.filter(scope);
    }
    let mut rows: Vec<Measured> = outcomes
        .group_by(Expr::cust("group_key"))
        .group_by(O::Target)
        .group_by(O::Met)
        .into_tuple::<(Option<i64>, String, bool, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(key, clock, met, count)| {
            let what = if met { SLA_MET } else { SLA_MISSED };
            row(key, format!("{what}:{clock}"), count)
        })
        .collect();
    rows.extend(
        breaches
            .group_by(Expr::cust("group_key"))
            .group_by(B::Target)
            .into_tuple::<(Option<i64>, String, i64)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(key, clock, count)| row(key, format!("{SLA_BREACH}:{clock}"), count)),
    );
    Ok(rows)
}

/// The aggregate of a group's seconds as one text: the wall seconds, or
/// the business seconds where a timed measure has them (untimed kinds keep
/// theirs: a CSAT score rides in `seconds`), read from the covering index
/// `ix_support_measures_report_hours`.
fn seconds_text(backend: DatabaseBackend, clock: Clock) -> &'static str {
    match (backend, clock) {
        (DatabaseBackend::Postgres, Clock::Wall) => {
            "string_agg(support_measures.seconds::text, ',')"
        }
        (DatabaseBackend::Postgres, Clock::Business) => {
            "string_agg(coalesce(support_measures.business_seconds, support_measures.seconds)::text, ',')"
        }
        (_, Clock::Wall) => "group_concat(support_measures.seconds, ',')",
        (_, Clock::Business) => {
            "group_concat(coalesce(support_measures.business_seconds, support_measures.seconds), ',')"
        }
    }
}

/// The UTC date `days` after 1970-01-01.
fn day(days: i64) -> NaiveDate {
    DateTime::UNIX_EPOCH.date_naive() + Duration::days(days)
}

/// The groups `row` counts in.
fn keys(
    grouping: Grouping,
    row: &Measured,
    labels: &HashMap<i64, Vec<i64>>,
) -> Vec<Option<GroupKey>> {
    match grouping {
        Grouping::Day => vec![row.key.map(|d| GroupKey::Date(day(d)))],
        Grouping::Week => vec![row.key.map(|d| GroupKey::Date(monday_of(day(d))))],
        Grouping::Agent | Grouping::Team | Grouping::Number => vec![row.key.map(GroupKey::Id)],
        Grouping::Label => match row.key.and_then(|c| labels.get(&c)) {
            Some(ids) => ids.iter().map(|id| Some(GroupKey::Id(*id))).collect(),
            None => vec![None],
        },
    }
}

/// The label ids of the rows' conversations (their keys).
async fn labels_of(
    db: &impl ConnectionTrait,
    rows: &[Measured],
) -> Result<HashMap<i64, Vec<i64>>, DbErr> {
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.key).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut labels: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let found = conversation_label::Entity::find()
            .filter(conversation_label::Column::ConversationId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        for row in found {
            labels
                .entry(row.conversation_id)
                .or_default()
                .push(row.label_id);
        }
    }
    Ok(labels)
}

/// (shown id, name) of the grouped agents, teams, numbers or labels.
async fn names(
    db: &impl ConnectionTrait,
    grouping: Grouping,
    keys: impl Iterator<Item = GroupKey>,
) -> Result<HashMap<i64, (String, String)>, DbErr> {
    let ids: Vec<i64> = keys
        .filter_map(|k| match k {
            GroupKey::Id(id) => Some(id),
            GroupKey::Date(_) => None,
        })
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let named: Vec<(i64, String, String)> = match grouping {
        Grouping::Day | Grouping::Week => Vec::new(),
        Grouping::Agent => agent::Entity::find()
            .filter(agent::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.id, a.id.to_string(), a.name))
            .collect(),
        Grouping::Team => team::Entity::find()
            .filter(team::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.id.to_string(), t.name))
            .collect(),
        Grouping::Number => business_number::Entity::find()
            .filter(business_number::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n.phone_number_id, n.name))
            .collect(),
        Grouping::Label => label::Entity::find()
            .filter(label::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l.id.to_string(), l.name))
            .collect(),
    };
    Ok(named
        .into_iter()
        .map(|(id, shown, name)| (id, (shown, name)))
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_values_that_were_measured() {
        assert_eq!(Spread::of(vec![]), Spread::default());
        let one = Spread::of(vec![7]);
        assert_eq!((one.count, one.median, one.p90), (1, Some(7), Some(7)));
        let two = Spread::of(vec![90, 30]);
        assert_eq!((two.median, two.p90), (Some(30), Some(90)));
        let ten = Spread::of((1..=10).rev().map(|n| n * 10).collect());
        assert_eq!((ten.count, ten.median, ten.p90), (10, Some(50), Some(90)));
        let eleven = Spread::of((1..=11).collect());
        assert_eq!((eleven.median, eleven.p90), (Some(6), Some(10)));
    }

    /// A measure keyed by the UTC day of `at` (as for days and weeks).
    fn measure(kind: MeasureKind, at: &str, seconds: Option<i64>) -> Measured {
        let at: DateTime<Utc> = at.parse().unwrap();
        Measured {
            key: Some(at.timestamp().div_euclid(86_400)),
            kind: kind.as_str().into(),
            count: 1,
            seconds: seconds.into_iter().collect(),
        }
    }

    #[test]
    fn weeks_are_named_by_their_monday_and_keyless_rows_group_together() {
        let sunday = measure(MeasureKind::Opened, "2026-12-06T23:59:59Z", None);
        let monday = measure(MeasureKind::Opened, "2026-12-07T00:00:00Z", None);
        let none = HashMap::new();
        assert_eq!(
            keys(Grouping::Day, &sunday, &none),
            [Some(GroupKey::Date("2026-12-06".parse().unwrap()))]
        );
        assert_eq!(
            keys(Grouping::Week, &sunday, &none),
            [Some(GroupKey::Date("2026-11-30".parse().unwrap()))]
        );
        assert_eq!(
            keys(Grouping::Week, &monday, &none),
            [Some(GroupKey::Date("2026-12-07".parse().unwrap()))]
        );
        let openings = Measured {
            key: None,
            ..sunday.clone()
        };
        assert_eq!(keys(Grouping::Agent, &openings, &none), [None]);
        let conversation = Measured {
            key: Some(3),
            ..sunday
        };
        assert_eq!(keys(Grouping::Label, &conversation, &none), [None]);
        let labels = HashMap::from([(3, vec![8, 9])]);
        assert_eq!(
            keys(Grouping::Label, &conversation, &labels),
            [Some(GroupKey::Id(8)), Some(GroupKey::Id(9))]
        );
    }

    #[test]
    fn a_resolution_without_a_known_opening_counts_but_is_not_timed() {
        let mut tally = Tally::default();
        tally.add(&measure(
            MeasureKind::Resolution,
            "2026-12-04T10:00:00Z",
            None,
        ));
        tally.add(&measure(
            MeasureKind::Resolution,
            "2026-12-04T11:00:00Z",
            Some(600),
        ));
        tally.add(&measure(
            MeasureKind::Reopened,
            "2026-12-04T11:00:00Z",
            None,
        ));
        let figures = tally.figures();
        assert_eq!((figures.resolved, figures.reopened), (2, 1));
        assert_eq!(figures.resolution.count, 1);
        assert_eq!(figures.resolution.median, Some(600));
    }
}
