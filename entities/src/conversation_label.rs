//! `conversation_labels`: which labels a conversation carries (join table).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversation_labels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub label_id: i64,
    pub created_at: DateTimeUtc,
}

crate::relations! {
    Conversation => belongs_to conversation (ConversationId, delete Cascade),
    Label => belongs_to label (LabelId, delete Cascade),
}

crate::stamped!(created_at);
