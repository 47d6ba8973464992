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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::team_member::Entity")]
    TeamMember,
    #[sea_orm(has_many = "super::conversation::Entity")]
    Conversation,
}

impl Related<super::team_member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TeamMember.def()
    }
}

impl Related<super::conversation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Conversation.def()
    }
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
