//! Support reports (issue 24): the `support_measures` rows of a time range
//! grouped by day, ISO week, agent, team, business number or label, each
//! group's counts and exact percentiles. The rows are written by database
//! triggers as the events happen (`docs/reports.md`); a report reads one
//! index range of them (covering: `ix_support_measures_report`) and never
//! scans messages. Of each row it reads three values: the group's key as
//! one integer (an id, or the UTC day), the kind and the seconds. The HTTP
//! side is `api/reports.rs`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entities::support_measure::{self, MeasureKind};
use entities::{agent, business_number, conversation_label, label, team};
use sea_orm::sea_query::Expr;
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
}

impl Tally {
    fn add(&mut self, row: &Measured) {
        match row.kind.parse::<MeasureKind>() {
            Ok(MeasureKind::Opened) => self.opened += 1,
            Ok(MeasureKind::Reopened) => self.reopened += 1,
            Ok(MeasureKind::FirstResponse) => self.first.extend(row.seconds),
            Ok(MeasureKind::NextResponse) => self.next.extend(row.seconds),
            Ok(MeasureKind::Resolution) => {
                self.resolved += 1;
                self.resolution.extend(row.seconds);
            }
            Err(_) => {}
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
/// admits (`None`: all), grouped by `grouping`.
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
    let rows = measured(db, from, to, grouping, scope).await?;
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
    let names = names(db, grouping, tallies.keys().flatten().copied()).await?;
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
                figures: tally.figures(),
            }
        })
        .collect();
    Ok(Report {
        groups,
        total: total.figures(),
    })
}

/// What a report reads of a measure.
#[derive(Debug, Clone)]
struct Measured {
    /// The group's key ([`key_column`]): the agent's, team's or number's
    /// id, the conversation's id (for its labels), or the UTC day of `at`
    /// as days since 1970-01-01 (days and weeks).
    key: Option<i64>,
    kind: String,
    seconds: Option<i64>,
}

/// The one integer a row is grouped by (see [`Measured::key`]). The day is
/// computed by the database (an integer decodes far faster than a time).
fn key_column(grouping: Grouping, backend: DatabaseBackend) -> Expr {
    use support_measure::Column;
    let column = |c: Column| Expr::col((support_measure::Entity, c));
    match grouping {
        Grouping::Agent => column(Column::AgentId),
        Grouping::Team => column(Column::TeamId),
        Grouping::Number => column(Column::BusinessNumberId),
        Grouping::Label => column(Column::ConversationId),
        Grouping::Day | Grouping::Week => Expr::cust(match backend {
            DatabaseBackend::Postgres => {
                "floor(extract(epoch FROM support_measures.at) / 86400)::bigint"
            }
            _ => "unixepoch(support_measures.at) / 86400",
        }),
    }
}

/// The measures with `at` in `[from, to)` that `scope` admits, through
/// the covering index on `at`: the key `grouping` needs, kind, seconds.
async fn measured(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    grouping: Grouping,
    scope: Option<Condition>,
) -> Result<Vec<Measured>, DbErr> {
    use support_measure::Column;
    let mut query = support_measure::Entity::find()
        .select_only()
        .expr(key_column(grouping, db.get_database_backend()))
        .columns([Column::Kind, Column::Seconds])
        .filter(Column::At.gte(from))
        .filter(Column::At.lt(to));
    if let Some(scope) = scope {
        query = query.filter(scope);
    }
    Ok(query
        .into_tuple::<(Option<i64>, String, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(key, kind, seconds)| Measured { key, kind, seconds })
        .collect())
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
        Grouping::Week => vec![row.key.map(|d| {
            let day = day(d);
            GroupKey::Date(day - Duration::days(i64::from(day.weekday().num_days_from_monday())))
        })],
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
            seconds,
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
