//! `conversation_notes`: internal remarks on a conversation, visible to the
//! support team only and never sent to the customer.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversation_notes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    /// The agent who wrote it; `None` for an integrator token (or a deleted agent).
    pub author_id: Option<i64>,
    /// Who wrote it, as the audit log names actors (`agent:<id>`, `token:<name>`).
    pub author: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
}

crate::relations! {
    Conversation => belongs_to conversation (ConversationId, delete Cascade),
    Author => belongs_to agent (AuthorId, delete SetNull),
}

crate::stamped!(created_at);
