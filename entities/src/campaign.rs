//! `campaigns`: a template sent to an audience from one business number
//! (issue 25), with its state and the optimistic-locking `version`.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// A campaign's state (`state` column).
    CampaignState {
        /// Being prepared: audience and parameters may change.
        Draft => "draft",
        /// Starts by itself at `scheduled_at`.
        Scheduled => "scheduled",
        /// Its recipients are being sent to.
        Running => "running",
        /// Stopped by a person or by Wharf (`paused_by`, `paused_reason`);
        /// resumes where it stopped.
        Paused => "paused",
        /// Every recipient sent to or skipped.
        Completed => "completed",
        /// Stopped for good: recipients not yet sent to are cancelled.
        Cancelled => "cancelled",
    }
}

impl CampaignState {
    /// Whether nothing can happen to it any more.
    pub const fn is_final(self) -> bool {
        matches!(self, CampaignState::Completed | CampaignState::Cancelled)
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub business_number_id: i64,
    pub template_name: String,
    pub template_language: String,
    /// The template's body parameters, in order; each may hold
    /// placeholders filled per recipient (`{{contact.name}}`, `{{csv.x}}`).
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    /// Who it goes to, as given at creation (label, contacts, CSV).
    #[sea_orm(column_type = "JsonBinary")]
    pub audience: Json,
    /// One of [`CampaignState`].
    pub state: String,
    pub scheduled_at: Option<DateTimeUtc>,
    /// At most this many sends per second; `None`: whatever the number's
    /// limit leaves after support replies.
    pub rate_per_second: Option<f64>,
    /// When messages may be made: `relay::routing::Hours` as JSON (time
    /// zone, weekdays, from, to); `None`: at any time.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub send_window: Option<Json>,
    /// Why it is paused, when paused.
    pub paused_reason: Option<String>,
    /// `agent` (a person) or `wharf` (provider feedback, template quality).
    pub paused_by: Option<String>,
    /// Sends the provider throttled (Meta 130429): each one slowed the
    /// campaign down for a while.
    pub throttled_count: i32,
    pub last_throttled_at: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub started_at: Option<DateTimeUtc>,
    /// When it completed or was cancelled.
    pub finished_at: Option<DateTimeUtc>,
    pub version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The `state` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] for a value that is not a [`CampaignState`].
    pub fn state(&self) -> Result<CampaignState, crate::UnknownVariant> {
        self.state.parse()
    }
}

crate::relations! {
    Recipient => has_many campaign_recipient,
}

crate::stamped!(created_at, updated_at);
