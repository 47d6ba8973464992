//! The audit trail's one writer: who did what, to which target, with what
//! detail. Both the admin API (every change made through it, refused
//! sign-ins) and the DLQ operations (replay, discard) record through here.
//! What is worth auditing, and who the actor is, is the caller's business.

use chrono::Utc;
use entities::audit_log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// One audit row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Who: `agent:<id>`, `token:<id>`, `anonymous@<address>`, …
    pub actor: &'a str,
    /// What: `conversation.claim`, `dlq.replay`, `auth.failure`, …
    pub action: &'a str,
    /// The kind of target: `conversation`, `dead_letter`, `auth`, …
    pub target_type: &'a str,
    /// The target's id, when there is one.
    pub target_id: Option<String>,
    /// The before/after or parameters of the change; never a secret.
    pub detail: serde_json::Value,
}

/// Records one entry; pass the transaction of the change itself so both are
/// stored or neither.
///
/// # Errors
/// Database errors (the caller's change is then reported as failed too).
pub async fn record(db: &impl ConnectionTrait, entry: Entry<'_>) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.to_owned()),
        target_id: Set(entry.target_id),
        detail: Set(entry.detail),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}
