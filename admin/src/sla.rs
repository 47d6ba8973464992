//! SLA policies applied to conversations (issue 24, item 3): which policy
//! applies ([`select_policy`]), when the running clocks are due ([`due`]),
//! the state a conversation shows ([`state`]), and the sweep that keeps
//! `conversations.sla_*` and records each breach once ([`sweep`]). The
//! rules are `docs/reports.md`, "SLA policies". A policy counts wall-clock
//! time or, with `clock = business`, the conversation's team's business
//! hours (`crate::business_hours`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{conversation, sla_breach, sla_policy};
use relay::routing::OpenHours;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// Rows the sweep looks at per round at most (the rest next round).
const BATCH: u64 = 500;

/// Which clock a due time belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FirstResponse,
    NextResponse,
    Resolution,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextResponse => "next_response",
            Self::Resolution => "resolution",
        }
    }
}

/// What a conversation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaState {
    Ok,
    Warning,
    Breached,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Breached => "breached",
        }
    }
}

/// The nearest due time of a conversation's running clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub target: Target,
    pub due_at: DateTime<Utc>,
    /// From then on: about to breach.
    pub warn_at: DateTime<Utc>,
}

/// The scopes of a conversation a policy may name.
#[derive(Debug, Clone, Default)]
pub struct Scopes {
    pub team_id: Option<i64>,
    pub business_number_id: i64,
    pub label_ids: Vec<i64>,
}

/// The policy that applies: among the enabled policies whose every set
/// scope matches, the most specific (most scopes set); ties by lowest id.
pub fn select_policy<'a>(
    policies: &'a [sla_policy::Model],
    scopes: &Scopes,
) -> Option<&'a sla_policy::Model> {
    policies
        .iter()
        .filter(|p| p.enabled)
        .filter(|p| p.team_id.is_none_or(|t| scopes.team_id == Some(t)))
        .filter(|p| {
            p.business_number_id
                .is_none_or(|n| n == scopes.business_number_id)
        })
        .filter(|p| p.label_id.is_none_or(|l| scopes.label_ids.contains(&l)))
        .min_by_key(|p| {
            let specificity = [
                p.team_id.is_some(),
                p.label_id.is_some(),
                p.business_number_id.is_some(),
            ]
            .iter()
            .filter(|set| **set)
            .count();
            (std::cmp::Reverse(specificity), p.id)
        })
}

/// The warning lead of a target of `target_secs`: the policy's
/// `warn_before_secs`, else a fifth of the target.
pub fn warn_before(policy: &sla_policy::Model, target_secs: i64) -> i64 {
    policy.warn_before_secs.unwrap_or(target_secs / 5)
}

/// The nearest due time of the running clocks of `row` under `policy`:
/// first response (`response_due_since` + target, no first response yet in
/// this opening), next response (`response_due_since` + target, after a
/// first response), resolution (`opened_at` + target). On a business clock
/// with `hours` (the conversation's team's), "+ target" is the moment the
/// target's seconds of open hours have passed ([`OpenHours::after_open`]),
/// the warning the moment `target - warn_before` have; without hours, wall
/// time. `None` when the conversation is resolved or no clock with a
/// target runs.
pub fn due(
    row: &conversation::Model,
    policy: &sla_policy::Model,
    hours: Option<&OpenHours>,
) -> Option<Due> {
    if row.status == conversation::ConversationStatus::Resolved.as_str() {
        return None;
    }
    let response = row.response_due_since.and_then(|since| {
        let (target, secs) = if row.first_response_at.is_none() {
            (Target::FirstResponse, policy.first_response_secs?)
        } else {
            (Target::NextResponse, policy.next_response_secs?)
        };
        Some((target, since, secs))
    });
    let resolution = row
        .opened_at
        .and_then(|at| Some((Target::Resolution, at, policy.resolution_secs?)));
    [response, resolution]
        .into_iter()
        .flatten()
        .filter_map(|(target, since, secs)| {
            let warn_secs = std::cmp::Ord::max(secs - warn_before(policy, secs), 0);
            let hours = hours.filter(|_| {
                crate::business_hours::Clock::of(&policy.clock)
                    == crate::business_hours::Clock::Business
            });
            let (due_at, warn_at) = match hours {
                Some(h) => (
                    h.after_open(since, Duration::seconds(secs))?,
                    h.after_open(since, Duration::seconds(warn_secs))?,
                ),
                None => {
                    let due_at = since + Duration::seconds(secs);
                    (
                        due_at,
                        due_at - Duration::seconds(warn_before(policy, secs)),
                    )
                }
            };
            Some(Due {
                target,
                due_at,
                warn_at,
            })
        })
        .min_by_key(|d| d.due_at)
}

/// What the conversation shows at `now`, from its stored columns: `None`
/// without a running clock.
pub fn state(row: &conversation::Model, now: DateTime<Utc>) -> Option<SlaState> {
    let due_at = row.sla_due_at?;
    Some(if row.sla_breached_at.is_some() || now > due_at {
        SlaState::Breached
    } else if row.sla_warn_at.is_some_and(|w| now >= w) {
        SlaState::Warning
    } else {
        SlaState::Ok
    })
}

/// What the sweep writes for one conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub policy_id: Option<i64>,
    pub due: Option<Due>,
    /// The breach still running (kept) or recorded now.
    pub breach: Option<(Target, DateTime<Utc>)>,
    /// A breach recorded by this round.
    pub new_breach: bool,
}

/// The sweep's decision for `row` at `now`: a recorded breach stays while
/// its clock runs (same target, same due time) and is cleared once it
/// stopped; a running clock past its due time is a new breach.
pub fn outcome(
    row: &conversation::Model,
    policy: Option<&sla_policy::Model>,
    hours: Option<&OpenHours>,
    now: DateTime<Utc>,
) -> Outcome {
    let due = policy.and_then(|p| due(row, p, hours));
    let kept = match (row.sla_breached_at, row.sla_breach.as_deref(), due) {
        (Some(at), Some(breach), Some(d))
            if breach == d.target.as_str() && row.sla_due_at == Some(d.due_at) =>
        {
            Some((d.target, at))
        }
        _ => None,
    };
    let (breach, new_breach) = match (kept, due) {
        (Some(kept), _) => (Some(kept), false),
        (None, Some(d)) if now > d.due_at => (Some((d.target, now)), true),
        _ => (None, false),
    };
    Outcome {
        policy_id: policy.filter(|_| due.is_some()).map(|p| p.id),
        due,
        breach,
        new_breach,
    }
}

/// Marks every open conversation for recomputation (a policy changed).
///
/// # Errors
/// Database errors.
pub async fn mark_open_dirty(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::SlaDirty,
            Expr::col(conversation::Column::SlaDirty).add(1),
        )
        .filter(
            conversation::Column::Status.ne(conversation::ConversationStatus::Resolved.as_str()),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// One round: recomputes the conversations whose clocks' inputs changed
/// (`sla_dirty > 0`) and those due without a recorded breach (index on
/// `sla_due_at`); writes each only if it did not change meanwhile, and
/// records each breach once (the conditional update on
/// `sla_breached_at IS NULL`: several admin servers may sweep). Answers the
/// breaches it recorded.
///
/// # Errors
/// Database errors.
pub async fn sweep(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<sla_breach::Model>, DbErr> {
    let rows = conversation::Entity::find()
        .filter(
            Condition::any()
                .add(conversation::Column::SlaDirty.gt(0))
                .add(
                    Condition::all()
                        .add(conversation::Column::SlaDueAt.lte(now))
                        .add(conversation::Column::SlaBreachedAt.is_null()),
                ),
        )
        .order_by_asc(conversation::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let policies = sla_policy::Entity::find()
        .filter(sla_policy::Column::Enabled.eq(true))
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let labels: HashMap<i64, Vec<i64>> = if policies.iter().any(|p| p.label_id.is_some()) {
        let mut by_conversation: HashMap<i64, Vec<i64>> = HashMap::new();
        for l in entities::conversation_label::Entity::find()
            .filter(entities::conversation_label::Column::ConversationId.is_in(ids))
            .all(db)
            .await?
        {
            by_conversation
                .entry(l.conversation_id)
                .or_default()
                .push(l.label_id);
        }
        by_conversation
    } else {
        HashMap::new()
    };
    let hours = if policies.iter().any(|p| {
        crate::business_hours::Clock::of(&p.clock) == crate::business_hours::Clock::Business
    }) {
        crate::business_hours::of_teams(db, rows.iter().filter_map(|r| r.team_id)).await?
    } else {
        HashMap::new()
    };
    let mut recorded = Vec::new();
    for row in rows {
        let scopes = Scopes {
            team_id: row.team_id,
            business_number_id: row.business_number_id,
            label_ids: labels.get(&row.id).cloned().unwrap_or_default(),
        };
        let policy = select_policy(&policies, &scopes);
        let out = outcome(&row, policy, row.team_id.and_then(|t| hours.get(&t)), now);
        if let Some(breach) = write(db, &row, &out).await? {
            recorded.push(breach);
        }
    }
    Ok(recorded)
}

/// Writes `out` for `row` unless the row moved since it was read; answers
/// the breach row when this call recorded one.
async fn write(
    db: &sea_orm::DatabaseConnection,
    row: &conversation::Model,
    out: &Outcome,
) -> Result<Option<sla_breach::Model>, DbErr> {
    let txn = relay::db::begin_write(db).await?;
    let mut update = conversation::Entity::update_many()
        .col_expr(
            conversation::Column::SlaPolicyId,
            Expr::value(out.policy_id),
        )
        .col_expr(
            conversation::Column::SlaTarget,
            Expr::value(out.due.map(|d| d.target.as_str().to_owned())),
        )
        .col_expr(
            conversation::Column::SlaDueAt,
            Expr::value(out.due.map(|d| d.due_at)),
        )
        .col_expr(
            conversation::Column::SlaWarnAt,
            Expr::value(out.due.map(|d| d.warn_at)),
        )
        .col_expr(
            conversation::Column::SlaBreachedAt,
            Expr::value(out.breach.map(|(_, at)| at)),
        )
        .col_expr(
            conversation::Column::SlaBreach,
            Expr::value(out.breach.map(|(t, _)| t.as_str().to_owned())),
        )
        .col_expr(conversation::Column::SlaDirty, Expr::value(0i64))
        .filter(conversation::Column::Id.eq(row.id))
        .filter(conversation::Column::SlaDirty.eq(row.sla_dirty));
    // A breach is recorded once: only over the breach state read (none, or
    // one whose clock stopped; the latter is only swept while `sla_dirty`
    // is above 0, which the guard above checks).
    if out.new_breach && row.sla_breached_at.is_none() {
        update = update.filter(conversation::Column::SlaBreachedAt.is_null());
    }
    let written = update.exec(&txn).await?.rows_affected == 1;
    let mut breach = None;
    if written
        && out.new_breach
        && let (Some(due), Some((target, at))) = (out.due, out.breach)
    {
        breach = Some(
            sla_breach::ActiveModel {
                conversation_id: Set(row.id),
                policy_id: Set(out.policy_id),
                team_id: Set(row.team_id),
                agent_id: Set(row.assignee_id),
                business_number_id: Set(row.business_number_id),
                target: Set(target.as_str().to_owned()),
                due_at: Set(due.due_at),
                breached_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    txn.commit().await?;
    Ok(breach)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("time")
    }

    fn policy(id: i64) -> sla_policy::Model {
        sla_policy::Model {
            id,
            name: format!("p{id}"),
            team_id: None,
            label_id: None,
            business_number_id: None,
            first_response_secs: Some(60),
            next_response_secs: Some(120),
            resolution_secs: Some(3600),
            warn_before_secs: None,
            enabled: true,
            clock: "wall".into(),
            created_at: at(0),
            updated_at: at(0),
        }
    }

    fn conversation() -> conversation::Model {
        let json = serde_json::json!({
            "id": 7, "business_number_id": 3, "contact_id": 1, "status": "queued",
            "team_id": 2, "assignee_id": null, "priority": 0, "version": 1,
            "last_inbound_at": null, "last_message_at": at(0), "waiting_since": null,
            "resolved_at": null, "assigned_at": null, "opened_at": at(0),
            "response_due_since": at(0), "first_response_at": null,
            "first_response_secs": null, "resolution_secs": null, "reopen_count": 0,
            "messages_in": 1, "messages_out": 0, "snoozed_until": null,
            "sla_policy_id": null, "sla_target": null, "sla_due_at": null,
            "sla_warn_at": null, "sla_breached_at": null, "sla_breach": null,
            "sla_dirty": 1, "created_at": at(0), "updated_at": at(0)
        });
        serde_json::from_value(json).expect("row")
    }

    #[test]
    fn the_first_response_clock_is_due_first_and_warns_a_fifth_before() {
        let d = due(&conversation(), &policy(1), None).expect("due");
        assert_eq!(d.target, Target::FirstResponse);
        assert_eq!(d.due_at, at(60));
        assert_eq!(d.warn_at, at(48));
    }

    #[test]
    fn after_a_first_response_the_next_response_clock_runs() {
        let mut row = conversation();
        row.first_response_at = Some(at(30));
        row.response_due_since = Some(at(100));
        let d = due(&row, &policy(1), None).expect("due");
        assert_eq!((d.target, d.due_at), (Target::NextResponse, at(220)));
        // Answered: only the resolution clock runs.
        row.response_due_since = None;
        let d = due(&row, &policy(1), None).expect("due");
        assert_eq!((d.target, d.due_at), (Target::Resolution, at(3600)));
        let mut p = policy(1);
        p.warn_before_secs = Some(10);
        assert_eq!(due(&row, &p, None).expect("due").warn_at, at(3590));
        // A resolution target missing: nothing runs.
        p.resolution_secs = None;
        assert_eq!(due(&row, &p, None), None);
    }

    #[test]
    fn a_business_clock_counts_only_the_team_s_open_hours() {
        let stored = serde_json::json!({"time_zone": "UTC", "from": "09:00", "to": "18:00"});
        let hours = crate::business_hours::compiled(Some(&stored)).expect("hours");
        let t = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        let mut row = conversation();
        row.response_due_since = Some(t("2026-12-03T17:30:00Z"));
        row.opened_at = row.response_due_since;
        let mut p = policy(1);
        p.first_response_secs = Some(3600);
        p.resolution_secs = None;
        p.clock = "business".into();
        let d = due(&row, &p, Some(&hours)).expect("due");
        assert_eq!(d.due_at, t("2026-12-04T09:30:00Z"));
        // Warned a fifth (12 minutes of open time) before.
        assert_eq!(d.warn_at, t("2026-12-04T09:18:00Z"));
        // Without hours (no team, or a team without them): wall time.
        assert_eq!(
            due(&row, &p, None).expect("due").due_at,
            t("2026-12-03T18:30:00Z")
        );
        p.clock = "wall".into();
        assert_eq!(
            due(&row, &p, Some(&hours)).expect("due").due_at,
            t("2026-12-03T18:30:00Z")
        );
    }

    #[test]
    fn a_resolved_conversation_has_no_running_clock() {
        let mut row = conversation();
        row.status = "resolved".into();
        assert_eq!(due(&row, &policy(1), None), None);
    }

    #[test]
    fn the_most_specific_policy_wins_ties_by_lowest_id() {
        let mut any = policy(1);
        any.first_response_secs = Some(1);
        let mut team = policy(2);
        team.team_id = Some(2);
        let mut team_number = policy(3);
        team_number.team_id = Some(2);
        team_number.business_number_id = Some(3);
        let mut team_label = policy(4);
        team_label.team_id = Some(2);
        team_label.label_id = Some(9);
        let mut other_team = policy(5);
        other_team.team_id = Some(8);
        other_team.business_number_id = Some(3);
        let policies = vec![any, team, team_number, team_label.clone(), other_team];
        let mut scopes = Scopes {
            team_id: Some(2),
            business_number_id: 3,
            label_ids: vec![],
        };
        assert_eq!(select_policy(&policies, &scopes).map(|p| p.id), Some(3));
        scopes.label_ids = vec![9];
        // Team + number and team + label both set two scopes: lowest id.
        assert_eq!(select_policy(&policies, &scopes).map(|p| p.id), Some(3));
        scopes.business_number_id = 4;
        assert_eq!(select_policy(&policies, &scopes).map(|p| p.id), Some(4));
        scopes.team_id = None;
        assert_eq!(select_policy(&policies, &scopes).map(|p| p.id), Some(1));
        let mut disabled = policies.clone();
        disabled[0].enabled = false;
        assert_eq!(select_policy(&disabled, &scopes).map(|p| p.id), None);
        assert_eq!(team_label.id, 4);
    }

    #[test]
    fn a_breach_is_recorded_once_and_cleared_when_its_clock_stops() {
        let p = policy(1);
        let mut row = conversation();
        let before = outcome(&row, Some(&p), None, at(60));
        assert_eq!(before.breach, None);
        let out = outcome(&row, Some(&p), None, at(61));
        assert!(out.new_breach);
        assert_eq!(out.breach, Some((Target::FirstResponse, at(61))));
        // Stored: the next round keeps it without recording again.
        row.sla_due_at = out.due.map(|d| d.due_at);
        row.sla_breached_at = Some(at(61));
        row.sla_breach = Some("first_response".into());
        let again = outcome(&row, Some(&p), None, at(90));
        assert!(!again.new_breach);
        assert_eq!(again.breach, Some((Target::FirstResponse, at(61))));
        // Answered: the breach is over, the resolution clock runs.
        row.first_response_at = Some(at(95));
        row.response_due_since = None;
        let answered = outcome(&row, Some(&p), None, at(96));
        assert_eq!(answered.breach, None);
        assert_eq!(answered.due.map(|d| d.target), Some(Target::Resolution));
        assert_eq!(outcome(&row, None, None, at(96)).policy_id, None);
        // Answered after the resolution target too: that one breaches next.
        let late = outcome(&row, Some(&p), None, at(3601));
        assert!(late.new_breach);
        assert_eq!(late.breach, Some((Target::Resolution, at(3601))));
    }

    #[test]
    fn the_state_shows_ok_warning_and_breached() {
        let mut row = conversation();
        assert_eq!(state(&row, at(0)), None);
        row.sla_due_at = Some(at(60));
        row.sla_warn_at = Some(at(48));
        assert_eq!(state(&row, at(47)), Some(SlaState::Ok));
        assert_eq!(state(&row, at(48)), Some(SlaState::Warning));
        assert_eq!(state(&row, at(60)), Some(SlaState::Warning));
        assert_eq!(state(&row, at(61)), Some(SlaState::Breached));
        row.sla_breached_at = Some(at(61));
        assert_eq!(state(&row, at(10)), Some(SlaState::Breached));
    }
}
