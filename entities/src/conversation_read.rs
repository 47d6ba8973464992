//! `conversation_reads`: how far each agent has read each conversation (the
//! id of the last message it saw); inbound messages after it are unread.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversation_reads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i64,
    /// The newest message the agent has seen; moves forward only.
    pub last_read_message_id: i64,
    pub read_at: DateTimeUtc,
}

crate::relations! {
    Agent => belongs_to agent (AgentId, delete Cascade),
    Conversation => belongs_to conversation (ConversationId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
