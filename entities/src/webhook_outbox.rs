//! `webhook_outbox`: events for integrators' webhooks, written in the same
//! transaction as the change that caused them and published to the
//! `WEBHOOKS` stream (deduplicated by id) by the senders.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_outbox")]
pub struct Model {
    /// The event's id is `evt_<id>`.
    #[sea_orm(primary_key)]
    pub id: i64,
    pub event_type: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    /// For endpoint filters: the business number (phone number id) and the
    /// team (row id).
    pub business_number: Option<String>,
    pub team_id: Option<i64>,
    /// The event's `data`.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub created_at: DateTimeUtc,
    /// When it reached the stream; `None` until then.
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at);
