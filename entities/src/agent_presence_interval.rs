//! `agent_presence_intervals`: each span an agent was `online` or `away`,
//! written by database triggers on every change of `agents.presence`, in
//! its transaction (migration `m20261205_000020_bot_and_presence_measures`):
//! the change ends the open span and opens one in the new state unless it
//! is `offline`. Reports add up the spans of a range (`docs/reports.md`).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agent_presence_intervals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub agent_id: i64,
    /// `online` or `away` (an [`crate::agent::Presence`]; offline spans are
    /// not kept).
    pub presence: String,
    pub started_at: DateTimeUtc,
    /// `None` while the agent is still in this state.
    pub ended_at: Option<DateTimeUtc>,
}

crate::relations! {
    Agent => belongs_to agent (AgentId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
