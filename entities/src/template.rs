//! `templates`: the message template catalog of each WhatsApp Business
//! Account, kept by Meta's template webhooks (status, quality, category,
//! components) and synced on demand from Meta's listing. One row per
//! (account, name, language).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The status a template must have to be sent.
pub const APPROVED: &str = "APPROVED";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub waba_id: String,
    pub name: String,
    pub language: String,
    /// MARKETING, UTILITY or AUTHENTICATION.
    pub category: Option<String>,
    /// Meta's status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …
    pub status: String,
    /// GREEN, YELLOW, RED or UNKNOWN.
    pub quality: Option<String>,
    /// Why it was rejected, paused or disabled.
    pub reason: Option<String>,
    /// Meta's template id.
    pub provider_template_id: Option<String>,
    /// Header, body, footer and buttons, as Meta describes them.
    #[sea_orm(column_type = "JsonBinary")]
    pub components: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at, updated_at);
