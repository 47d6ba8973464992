//! `agents`: human support agents and admins, their presence and capacity.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Permission level of an agent (`role` column).
    Role {
        Admin => "admin",
        Supervisor => "supervisor",
        Agent => "agent",
    }
}

string_enum! {
    /// Availability of an agent for new assignments (`presence` column).
    Presence {
        Online => "online",
        Away => "away",
        Offline => "offline",
    }
}

/// A support agent. `password_hash` is redacted by `Debug` but not by
/// `Serialize` — never expose this model directly through an API.
#[derive(Clone, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    /// One of [`Role`].
    pub role: String,
    /// One of [`Presence`].
    pub presence: String,
    /// Maximum number of concurrently assigned conversations.
    pub capacity: i32,
    /// JSON array of language codes, e.g. `["en", "pt"]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub languages: Json,
    pub password_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("presence", &self.presence)
            .field("capacity", &self.capacity)
            .field("languages", &self.languages)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl Model {
    /// The `languages` column as strings, ignoring non-string entries.
    pub fn language_list(&self) -> Vec<String> {
        self.languages
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `presence` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`Presence`].
    pub fn presence(&self) -> Result<Presence, crate::UnknownVariant> {
        self.presence.parse()
    }

    /// The `role` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`Role`].
    pub fn role(&self) -> Result<Role, crate::UnknownVariant> {
        self.role.parse()
    }
}

crate::relations! {
    TeamMember => has_many team_member,
    /// Conversations this agent is the assignee of.
    Conversation => has_many conversation,
    ApiToken => has_many api_token,
}

/// Agent ↔ team many-to-many through `team_members`.
impl Related<super::team::Entity> for Entity {
    fn to() -> RelationDef {
        super::team_member::Relation::Team.def()
    }
    fn via() -> Option<RelationDef> {
        Some(super::team_member::Relation::Agent.def().rev())
    }
}

crate::stamped!(created_at, updated_at);
