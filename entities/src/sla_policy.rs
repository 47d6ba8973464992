//! `sla_policies`: response and resolution targets for the conversations
//! of a team, a label and/or a business number (each scope optional; the
//! rules of matching are `docs/reports.md`, "SLA policies").
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// Applies to this team's conversations only (`None`: any team).
    pub team_id: Option<i64>,
    /// Applies to conversations carrying this label only.
    pub label_id: Option<i64>,
    /// Applies to this business number's conversations only.
    pub business_number_id: Option<i64>,
    /// Seconds from the opening's first customer message to the first reply.
    pub first_response_secs: Option<i64>,
    /// Seconds from a customer message after a reply to the next reply.
    pub next_response_secs: Option<i64>,
    /// Seconds from the opening's first customer message to the resolution.
    pub resolution_secs: Option<i64>,
    /// "About to breach" this long before a due time (`None`: a fifth of
    /// the target).
    pub warn_before_secs: Option<i64>,
    pub enabled: bool,
    /// `wall` or `business`: whether targets count only the team's
    /// business hours.
    pub clock: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at, updated_at);
