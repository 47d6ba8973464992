//! `teams`: groups of agents that conversations are routed to, each with an
//! assignment strategy.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// How a team hands queued conversations to its agents (`strategy` column).
    RoutingStrategy {
        RoundRobin => "round_robin",
        LeastLoaded => "least_loaded",
        Manual => "manual",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "teams")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// One of [`RoutingStrategy`].
    pub strategy: String,
    /// Business hours: `relay::routing::Hours` as JSON (time zone, weekdays,
    /// from, to); `None`: always open. Business-time figures and SLA
    /// business clocks count only these hours.
    pub business_hours: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

crate::relations! {
    TeamMember => has_many team_member,
    Conversation => has_many conversation,
}

/// Team ↔ agent many-to-many through `team_members`.
impl Related<super::agent::Entity> for Entity {
    fn to() -> RelationDef {
        super::team_member::Relation::Agent.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::team_member::Relation::Team.def().rev())
    }
}

crate::stamped!(created_at, updated_at);
