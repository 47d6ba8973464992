//! The audit trail: every change made through the API is recorded with who
//! made it, what, on which target, and the before/after of what changed.

use chrono::Utc;
use entities::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

use crate::auth::Principal;

/// Records one change; pass the transaction of the change itself so both
/// are stored or neither.
///
/// # Errors
/// Database errors (the caller's change is then reported as failed too).
/// Records a refused authentication (no principal to name: the caller's
/// address instead). Never holds the token or password presented.
pub async fn record_auth_failure(
    db: &impl ConnectionTrait,
    reason: &str,
    from: &str,
    detail: serde_json::Value,
) {
    metrics::counter!(relay::observe::AUTH_FAILURES, "reason" => reason.to_owned()).increment(1);
    let row = audit_log::ActiveModel {
        actor: Set(format!("anonymous@{from}")),
        action: Set("auth.failure".to_owned()),
        target_type: Set("auth".to_owned()),
        target_id: Set(Some(reason.to_owned())),
        detail: Set(detail),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    if let Err(err) = row.insert(db).await {
        tracing::warn!(%err, reason, "auth failure not audited");
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Principal,
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor: Set(actor.actor()),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(Some(target_id.to_string())),
        detail: Set(detail),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}
