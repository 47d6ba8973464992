//! `api_tokens`: bearer tokens for the admin API, stored only as the hex
//! SHA-256 of the token.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Lower-case hex SHA-256 of the token; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Agent the token acts as; `None` for service tokens.
    pub agent_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

crate::relations! {
    Agent => belongs_to agent (AgentId, update Cascade, delete Cascade),
}

crate::stamped!(created_at);
