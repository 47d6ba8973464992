//! `business_numbers`: the WhatsApp business phone numbers Wharf serves, with
//! their provider and per-number credentials (secrets).
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// WhatsApp gateway behind a business number (`provider` column).
    Provider {
        Meta => "meta",
        Wasender => "wasender",
        Sandbox => "sandbox",
    }
}

string_enum! {
    /// The account's state from Meta's `account_update` webhooks
    /// (`account_status` column).
    AccountStatus {
        Ok => "ok",
        Restricted => "restricted",
        Violation => "violation",
        Banned => "banned",
        Disabled => "disabled",
    }
}

impl AccountStatus {
    /// A state that stops the number from serving customers (an outage).
    pub const fn is_outage(self) -> bool {
        !matches!(self, Self::Ok)
    }
}

/// A business phone number. `app_secret`, `verify_token` and `access_token`
/// are secrets: `Debug` redacts them, but `Serialize` does not — never expose
/// this model directly through an API.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "business_numbers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// One of [`Provider`].
    pub provider: String,
    #[sea_orm(unique)]
    pub phone_number_id: String,
    pub display_phone: String,
    pub name: String,
    pub app_secret: String,
    pub verify_token: String,
    pub access_token: Option<String>,
    pub api_base_url: Option<String>,
    /// The WhatsApp Business Account that owns it (learnt from webhooks,
    /// or set by an admin): account and template updates name it.
    pub waba_id: Option<String>,
    /// The account's state from Meta's `account_update` webhooks (one of
    /// [`AccountStatus`]); `None` until one came.
    pub account_status: Option<String>,
    pub account_status_at: Option<DateTimeUtc>,
    /// Meta's quality rating of the number (GREEN, YELLOW, RED, …).
    pub quality_rating: Option<String>,
    /// Ask a customer-satisfaction question after each resolution
    /// (migration `m20261205_000024_csat`); database default false.
    pub csat_enabled: bool,
    /// The question's text (`None`: the built-in default).
    pub csat_question: Option<String>,
    /// How long an answer counts after the question, in seconds (`None`:
    /// the built-in default, 24 h).
    pub csat_window_secs: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const REDACTED: &str = "<redacted>";
        f.debug_struct("Model")
            .field("id", &self.id)
            .field("provider", &self.provider)
            .field("phone_number_id", &self.phone_number_id)
            .field("display_phone", &self.display_phone)
            .field("name", &self.name)
            .field("app_secret", &REDACTED)
            .field("verify_token", &REDACTED)
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| REDACTED),
            )
            .field("api_base_url", &self.api_base_url)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

crate::relations! {
    Conversation => has_many conversation,
}

crate::stamped!(created_at, updated_at);
