//! `contacts`: WhatsApp end users (customers), keyed by their `wa_id`: the
//! phone number for contacts first seen with one, else Meta's
//! business-scoped user id (users with a username may hide their phone).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Default value of the `tier` column.
pub const DEFAULT_TIER: &str = "standard";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub wa_id: String,
    pub profile_name: Option<String>,
    /// Meta's business-scoped user id (BSUID), unique when known.
    #[sea_orm(unique)]
    pub user_id: Option<String>,
    /// The user's WhatsApp username, when they adopted one.
    pub username: Option<String>,
    /// Meta's parent BSUID (linked business portfolios).
    pub parent_user_id: Option<String>,
    /// The phone number, when known (never for a user who hides it).
    pub phone: Option<String>,
    /// When the user opted out of marketing messages (Meta's
    /// `user_preferences`, a STOP keyword or the API); `None` when not.
    /// Any bulk send must skip such a contact.
    pub marketing_opt_out_at: Option<DateTimeUtc>,
    /// Free-form service tier; the database default is [`DEFAULT_TIER`].
    pub tier: String,
    pub language: Option<String>,
    /// Arbitrary JSON object; the database default is `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub attributes: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

crate::relations! {
    Conversation => has_many conversation,
}

crate::stamped!(created_at, updated_at);
