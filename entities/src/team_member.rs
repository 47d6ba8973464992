//! `team_members`: the team ↔ agent membership join table.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "team_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub team_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_id: i64,
}

crate::relations! {
    Team => belongs_to team (TeamId, update Cascade, delete Cascade),
    Agent => belongs_to agent (AgentId, update Cascade, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
