//! Snooze (issue 28): a conversation put out of the active views until a
//! time (`conversations.snoozed_until`), each snooze kept in
//! `conversation_snoozes` with how it ended. The rules live here once:
//!
//! - an agent snoozes, wakes or (by resolving or claiming) ends a snooze
//!   through `assignment::transition` (optimistic locking, the version
//!   moves), which records the snooze rows with [`start`] and [`end`];
//! - the customer writing wakes it: the router's batch, after moving the
//!   conversation's message times, calls [`wake`] for the ones still
//!   asleep (one path for the batch and the one-by-one entry);
//! - its time passing wakes it: [`wake_due`], swept periodically by every
//!   admin server. The wake is one conditional `UPDATE … WHERE
//!   snoozed_until IS NOT NULL … RETURNING`, so with several processes
//!   each conversation is woken, recorded and announced by exactly one.
//!
//! Waking by the customer or the clock does not move the version (like the
//! router's touch of the message times): it is no agent's decision, and an
//! agent acting on the version they read should not be refused for it.
//! Each wake-up is audited (actor `system:router` or `system:sweep`).

use chrono::{DateTime, Utc};
use entities::conversation;
use entities::conversation_snooze::{self, EndReason};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// Live event kind of a conversation that woke up (see
/// `assignment::announce`).
pub const WOKE: &str = "woke";

/// At most this many conversations per sweep round (the rest next round).
const SWEEP_LIMIT: u64 = 500;

/// Records that conversation `id` sleeps until `until`, snoozed by `actor`
/// (`agent_id` when an agent).
///
/// # Errors
/// Database errors.
pub async fn start(
    db: &impl ConnectionTrait,
    id: i64,
    until: DateTime<Utc>,
    agent_id: Option<i64>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    conversation_snooze::ActiveModel {
        conversation_id: Set(id),
        agent_id: Set(agent_id),
        actor: Set(actor.to_owned()),
        snoozed_at: Set(now),
        until: Set(until),
        ended_at: Set(None),
        end_reason: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Ends the open snooze rows of `ids` for `reason`.
///
/// # Errors
/// Database errors.
pub async fn end(
    db: &impl ConnectionTrait,
    ids: &[i64],
    reason: EndReason,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    conversation_snooze::Entity::update_many()
        .col_expr(conversation_snooze::Column::EndedAt, Expr::value(now))
        .col_expr(
            conversation_snooze::Column::EndReason,
            Expr::value(reason.to_string()),
        )
        .filter(conversation_snooze::Column::ConversationId.is_in(ids.iter().copied()))
        .filter(conversation_snooze::Column::EndedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// Wakes those of conversations `ids` that still sleep (the customer
/// wrote): returns them as they are now. Nothing is written when none
/// sleeps.
///
/// # Errors
/// Database errors.
pub async fn wake(
    db: &impl ConnectionTrait,
    ids: &[i64],
    reason: EndReason,
    now: DateTime<Utc>,
) -> Result<Vec<conversation::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    wake_where(
        db,
        Condition::all().add(conversation::Column::Id.is_in(ids.iter().copied())),
        reason,
        now,
    )
    .await
}

/// Wakes the conversations whose snooze ended by `now` (at most
/// [`SWEEP_LIMIT`] per call); returns those this call woke. Safe to run in
/// several processes at once: a conversation another one woke first is
/// not returned here.
///
/// # Errors
/// Database errors.
pub async fn wake_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<conversation::Model>, DbErr> {
    let due: Vec<i64> = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::Id)
        .filter(conversation::Column::SnoozedUntil.lte(now))
        .order_by_asc(conversation::Column::SnoozedUntil)
        .limit(SWEEP_LIMIT)
        .into_tuple()
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    wake_where(
        db,
        Condition::all()
            .add(conversation::Column::Id.is_in(due))
            .add(conversation::Column::SnoozedUntil.lte(now)),
        EndReason::Time,
        now,
    )
    .await
}

/// The one wake-up: clears `snoozed_until` where `filter` holds and it is
/// still set (so a concurrent waker gets nothing back), ends the snooze
/// rows and audits each.
async fn wake_where(
    db: &impl ConnectionTrait,
    filter: Condition,
    reason: EndReason,
    now: DateTime<Utc>,
) -> Result<Vec<conversation::Model>, DbErr> {
    let none: Option<DateTime<Utc>> = None;
    let woken = conversation::Entity::update_many()
        .col_expr(conversation::Column::SnoozedUntil, Expr::value(none))
        .col_expr(conversation::Column::UpdatedAt, Expr::value(now))
        .filter(filter)
        .filter(conversation::Column::SnoozedUntil.is_not_null())
        .exec_with_returning(db)
        .await?;
    let ids: Vec<i64> = woken.iter().map(|c| c.id).collect();
    end(db, &ids, reason, now).await?;
    let actor = match reason {
        EndReason::Customer => "system:router",
        _ => "system:sweep",
    };
    for row in &woken {
        crate::audit::record(
            db,
            crate::audit::Entry {
                actor,
                action: "conversation.wake",
                target_type: "conversation",
                target_id: Some(row.id.to_string()),
                detail: serde_json::json!({"reason": reason.to_string(), "status": row.status}),
            },
        )
        .await?;
    }
    Ok(woken)
}
