//! `webhook_attempts`: every delivery attempt of an event to an endpoint,
//! with what the receiver answered.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// What became of one attempt (`outcome` column).
    AttemptOutcome {
        /// The receiver answered 2xx.
        Delivered => "delivered",
        /// It failed; another attempt follows.
        Retrying => "retrying",
        /// It failed and no attempt follows (410, attempts exhausted, the
        /// endpoint disabled).
        Failed => "failed",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    /// `evt_<outbox id>`: the `webhook-id` header.
    pub event_id: String,
    pub event_type: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub at: DateTimeUtc,
    /// The receiver's status; `None` when it did not answer.
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    /// The first bytes of the receiver's answer.
    #[sea_orm(column_type = "Text", nullable)]
    pub response_prefix: Option<String>,
    /// Why no answer came (timeout, connection), for people.
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    /// One of [`AttemptOutcome`].
    pub outcome: String,
}

crate::relations! {
    Endpoint => belongs_to webhook_endpoint (EndpointId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
