//! What a caller may see of the conversations. Admins, supervisors and
//! integrator tokens see all; an agent sees the conversations of its teams
//! and those assigned to it, and acts only on those (403 otherwise). Owns
//! that rule for every conversation endpoint, the notes and the live events.

use entities::{conversation, team_member};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::{Principal, Role};
use crate::error::{ApiError, ApiResult};

/// An agent's view: itself and its teams.
#[derive(Debug, Clone)]
pub struct AgentScope {
    pub agent_id: i64,
    pub teams: Vec<i64>,
}

impl AgentScope {
    /// `None`: the caller sees every conversation.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn of(db: &impl ConnectionTrait, caller: &Principal) -> ApiResult<Option<Self>> {
        let (Role::Agent, Some(agent_id)) = (caller.role, caller.agent_id) else {
            return Ok(None);
        };
        let teams = team_member::Entity::find()
            .filter(team_member::Column::AgentId.eq(agent_id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.team_id)
            .collect();
        Ok(Some(Self { agent_id, teams }))
    }

    pub fn sees(&self, row: &conversation::Model) -> bool {
        row.assignee_id == Some(self.agent_id)
            || row.team_id.is_some_and(|t| self.teams.contains(&t))
    }

    /// The list filter matching [`Self::sees`].
    pub fn condition(&self) -> Condition {
        Condition::any()
            .add(conversation::Column::AssigneeId.eq(self.agent_id))
            .add(conversation::Column::TeamId.is_in(self.teams.clone()))
    }
}

/// The conversation `id` if the caller may see it: 404 when it does not
/// exist, 403 when it belongs to other teams.
///
/// # Errors
/// [`ApiError`] as above, or a database failure.
pub async fn visible_conversation(
    db: &impl ConnectionTrait,
    caller: &Principal,
    id: i64,
) -> ApiResult<conversation::Model> {
    let row = conversation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    if let Some(scope) = AgentScope::of(db, caller).await?
        && !scope.sees(&row)
    {
        return Err(ApiError::forbidden(
            "this conversation belongs to teams you are not in",
        ));
    }
    Ok(row)
}
