//! `routing_rules`: ordered, JSON-described rules that pick a team/priority
//! for new conversations.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Evaluation order, ascending.
    pub position: i32,
    pub enabled: bool,
    #[sea_orm(column_type = "JsonBinary")]
    pub conditions: Json,
    #[sea_orm(column_type = "JsonBinary")]
    pub action: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at, updated_at);
