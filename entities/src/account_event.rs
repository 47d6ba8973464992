//! `account_events`: what Meta reports about a business account and its
//! numbers besides messages — account updates (restrictions, violations,
//! bans, reconnections), phone number quality and name updates, capability
//! and security updates — one row per update, deduplicated by `event_key`.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "account_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The update's dedupe id (a digest of what the provider sent).
    #[sea_orm(unique)]
    pub event_key: String,
    /// The WhatsApp Business Account id (`entry[].id`).
    pub waba_id: Option<String>,
    /// The number it is about, when one is named or the account has one.
    pub business_number_id: Option<i64>,
    /// The webhook field (`account_update`, `phone_number_quality_update`, …).
    pub field: String,
    /// Its event (`ACCOUNT_VIOLATION`, `DISABLED_UPDATE`, `FLAGGED`, …).
    pub event: String,
    /// The provider's value object, whole.
    #[sea_orm(column_type = "JsonBinary")]
    pub detail: Json,
    pub provider_timestamp: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at);
