//! `canned_responses`: saved answers inserted with a `/shortcut`, global
//! (`team_id` null) or for one team; placeholders are filled per
//! conversation by the admin API.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "canned_responses")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower case, unique across every scope.
    #[sea_orm(unique)]
    pub shortcut: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `None`: every agent's; otherwise that team's agents'.
    pub team_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

crate::relations! {
    Team => belongs_to team (TeamId, delete Cascade),
}

crate::stamped!(created_at, updated_at);
