//! The audit trail of the API: every change made through it is recorded
//! with who made it, what, on which target, and the before/after of what
//! changed; refused sign-ins too. The row is written by `relay::audit`, the
//! one writer shared with the DLQ operations.

use relay::audit::Entry;
use sea_orm::{ConnectionTrait, DbErr};

use crate::auth::Principal;

/// Records a refused authentication (no principal to name: the caller's
/// address instead). Never holds the token or password presented.
pub async fn record_auth_failure(
    db: &impl ConnectionTrait,
    reason: &str,
    from: &str,
    detail: serde_json::Value,
) {
    metrics::counter!(relay::observe::AUTH_FAILURES, "reason" => reason.to_owned()).increment(1);
    let entry = Entry {
        actor: &format!("anonymous@{from}"),
        action: "auth.failure",
        target_type: "auth",
        target_id: Some(reason.to_owned()),
        detail,
    };
    if let Err(err) = relay::audit::record(db, entry).await {
        tracing::warn!(%err, reason, "auth failure not audited");
    }
}

/// Records one change; pass the transaction of the change itself so both
/// are stored or neither.
///
/// # Errors
/// Database errors (the caller's change is then reported as failed too).
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Principal,
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    record_by(db, &actor.actor(), action, target_type, target_id, detail).await
}

/// [`record`] for an actor named before it has a principal (a login:
/// `agent:<id>`).
///
/// # Errors
/// Database errors.
pub async fn record_by(
    db: &impl ConnectionTrait,
    actor: &str,
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    let entry = Entry {
        actor,
        action,
        target_type,
        target_id: Some(target_id.to_string()),
        detail,
    };
    relay::audit::record(db, entry).await
}

/// Deletes one row by id in the caller's transaction, records
/// `<target_type>`'s `action` with the row's `before` snapshot beside it,
/// and commits both: the one shape of every audited delete of the API
/// (what a delete must clear first, the caller does before).
///
/// # Errors
/// Database errors (nothing is deleted or recorded then).
pub async fn delete<E>(
    txn: sea_orm::DatabaseTransaction,
    actor: &Principal,
    id: i64,
    (action, target_type): (&str, &str),
    before: serde_json::Value,
) -> Result<(), DbErr>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    E::delete_by_id(id).exec(&txn).await?;
    record(
        &txn,
        actor,
        action,
        target_type,
        id,
        serde_json::json!({ "before": before }),
    )
    .await?;
    txn.commit().await
}
