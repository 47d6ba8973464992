//! `webhook_endpoints`: where integrators receive Wharf's events (issue
//! 23). The URL, the signing secrets and the custom headers are sealed at
//! rest (the vault, like provider credentials); `url_origin` is the
//! scheme and host, shown in lists and logs instead of the URL.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The URL, sealed.
    #[sea_orm(column_type = "Text")]
    pub url: String,
    /// `https://host[:port]`: what may be shown of the URL.
    pub url_origin: String,
    pub description: String,
    /// Event types delivered (a JSON array); empty: all.
    #[sea_orm(column_type = "JsonBinary")]
    pub event_types: Json,
    /// Only events of this business number (its phone number id), when set.
    pub business_number: Option<String>,
    /// Only events of conversations of this team, when set (events that
    /// name no team, such as delivery statuses, are not held back).
    pub team_id: Option<i64>,
    pub enabled: bool,
    /// Why it was disabled by Wharf (`gone`: the receiver answered 410;
    /// `failing`: failing longer than allowed); `None` when an admin did.
    pub disabled_reason: Option<String>,
    /// Events in order, one at a time; else several in flight.
    pub ordered: bool,
    /// Deliveries per second at most; `None`: no limit of its own.
    pub rate_per_second: Option<i32>,
    /// Custom request headers, a sealed JSON object.
    #[sea_orm(column_type = "Text")]
    pub headers: String,
    /// The signing secret (`whsec_…`), sealed.
    #[sea_orm(column_type = "Text")]
    pub secret: String,
    /// The secret before the last rotation, sealed, signing too until
    /// `previous_secret_until`.
    #[sea_orm(column_type = "Text", nullable)]
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    /// Since when every delivery failed; `None` after a success.
    pub failing_since: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at, updated_at);
