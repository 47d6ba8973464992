//! `sla_outcomes`: one row per timed first response, next response or
//! resolution of a conversation under an SLA policy with that target,
//! written by a trigger on `support_measures` in the measure's transaction:
//! `met` when the measured seconds are within the target (compliance per
//! team, number or policy).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sla_outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    pub policy_id: i64,
    /// The conversation's team when the clock stopped.
    pub team_id: Option<i64>,
    /// The measure's agent: the replying agent of a response, the assignee
    /// of a resolution (migration `m20261205_000025_sla_figures`).
    pub agent_id: Option<i64>,
    pub business_number_id: i64,
    /// `first_response`, `next_response` or `resolution`.
    pub target: String,
    /// When the clock stopped.
    pub at: DateTimeUtc,
    pub seconds: i64,
    pub target_secs: i64,
    pub met: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
