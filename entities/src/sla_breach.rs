//! `sla_breaches`: one row per SLA target a conversation missed, written
//! once by the admin server's sweep (the team and number at that moment).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sla_breaches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    pub policy_id: Option<i64>,
    pub team_id: Option<i64>,
    /// The conversation's assignee when the breach was recorded
    /// (migration `m20261205_000025_sla_figures`).
    pub agent_id: Option<i64>,
    pub business_number_id: i64,
    /// `first_response`, `next_response` or `resolution`.
    pub target: String,
    pub due_at: DateTimeUtc,
    pub breached_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
