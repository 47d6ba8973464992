//! `/api/v1/agents/:id/presence`: an agent going online (or away/offline).
//! Coming online hands queued conversations out at once. Agent and team CRUD
//! are not here yet.

use entities::agent;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};
use relay::assignment;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use super::ApiTags;
use crate::AppState;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

const PRESENCES: &[&str] = &["online", "away", "offline"];

/// A presence change.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PresenceIn {
    /// online, away or offline.
    pub presence: String,
}

/// An agent's availability.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PresenceOut {
    pub agent_id: i64,
    /// online, away or offline.
    pub presence: String,
    /// Conversations assigned because of this change.
    pub assigned: Vec<i64>,
}

pub struct AgentsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Agents")]
impl AgentsApi {
    /// Set an agent's presence
    ///
    /// Agents set their own; admins anyone's. Going online assigns waiting
    /// conversations (highest priority, then longest waiting, first).
    #[oai(
        path = "/agents/:id/presence",
        method = "put",
        operation_id = "setAgentPresence"
    )]
    async fn set_presence(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<PresenceIn>,
    ) -> ApiResult<Json<PresenceOut>> {
        if auth.0.agent_id != Some(id.0) {
            auth.0.require(Role::Admin)?;
        }
        let presence = body.0.presence;
        if !PRESENCES.contains(&presence.as_str()) {
            return Err(ApiError::bad_request(
                "invalid_body",
                format!("presence must be one of {}", PRESENCES.join(", ")),
            ));
        }
        let found = agent::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("agent"))?;
        let mut active: agent::ActiveModel = found.into();
        active.presence = Set(presence.clone());
        active.update(&state.db).await?;
        let mut assigned = Vec::new();
        if presence == "online" {
            for row in assignment::drain_queues(&state.db).await? {
                assignment::announce(&state.nats, &row, "assigned").await;
                assigned.push(row.id);
            }
        }
        Ok(Json(PresenceOut {
            agent_id: id.0,
            presence,
            assigned,
        }))
    }
}
