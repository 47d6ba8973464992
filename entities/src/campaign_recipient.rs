//! `campaign_recipients`: one row per (campaign, contact), unique: the
//! contact's parameters, its state before the send and the one outbound
//! message it became. After `queued` the message's own status (sent,
//! delivered, read, failed) is the recipient's.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// A recipient's state before its message exists (`state` column).
    RecipientState {
        /// Waiting for its turn.
        Pending => "pending",
        /// Its message exists (`message_id`): the message's status says
        /// the rest.
        Queued => "queued",
        /// Not sent to, for `reason` (opted out, missing parameter, …).
        Skipped => "skipped",
        /// The campaign was cancelled before its turn.
        Cancelled => "cancelled",
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaign_recipients")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub contact_id: i64,
    /// The template's parameters filled for this contact.
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    /// One of [`RecipientState`].
    pub state: String,
    /// Why it was skipped or cancelled.
    pub reason: Option<String>,
    pub message_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

crate::relations! {
    Campaign => belongs_to campaign (CampaignId, delete Cascade),
}

crate::stamped!(created_at, updated_at);
