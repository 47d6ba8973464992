//! `conversation_snoozes`: each time a conversation was snoozed, until
//! when, by whom, and how the snooze ended (see [`EndReason`]); the
//! conversation view shows them as system lines.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// How a snooze ended (`end_reason` column).
    EndReason {
        /// The customer wrote (the router woke it).
        Customer => "customer",
        /// Its time passed (the sweep woke it).
        Time => "time",
        /// An agent woke it, or claimed it.
        Agent => "agent",
        /// Snoozed again: a new snooze replaces this one.
        Replaced => "replaced",
        /// The conversation was resolved.
        Resolved => "resolved",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversation_snoozes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    /// The agent who snoozed it; `None` for an integrator token.
    pub agent_id: Option<i64>,
    /// Who snoozed it, as the audit log names actors (`agent:<id>`, `token:<name>`).
    pub actor: String,
    pub snoozed_at: DateTimeUtc,
    pub until: DateTimeUtc,
    /// When it ended; `None` while the conversation sleeps.
    pub ended_at: Option<DateTimeUtc>,
    /// One of [`EndReason`] once ended.
    pub end_reason: Option<String>,
}

crate::relations! {
    Conversation => belongs_to conversation (ConversationId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
