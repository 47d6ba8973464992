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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::conversation::Entity",
        from = "Column::ConversationId",
        to = "super::conversation::Column::Id",
        on_delete = "Cascade"
    )]
    Conversation,
    #[sea_orm(
        belongs_to = "super::agent::Entity",
        from = "Column::AuthorId",
        to = "super::agent::Column::Id",
        on_delete = "SetNull"
    )]
    Author,
}

impl Related<super::conversation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Conversation.def()
    }
}

crate::stamped!(created_at);
