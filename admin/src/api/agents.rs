//! `/api/v1/agents`: agent accounts (admins manage them, supervisors read
//! them) with role, capacity, languages and team membership, and presence
//! (online/away/offline; coming online hands queued conversations out at
//! once). Password hashes are write-only: never answered, never logged.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::agent::Presence;
use entities::conversation::ConversationStatus;
use entities::{agent, conversation, team, team_member};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{ApiTags, Deleted, announce_change, unique_violation};
use crate::AppState;
use crate::accounts;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// What an agent may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "AgentRole", rename_all = "lowercase")]
pub enum AgentRole {
    /// Manages agents, teams, numbers, rules and tokens.
    Admin,
    /// Reads the configuration; works conversations.
    Supervisor,
    /// Works conversations.
    Agent,
}

impl AgentRole {
    fn as_str(self) -> &'static str {
        match self {
            AgentRole::Admin => "admin",
            AgentRole::Supervisor => "supervisor",
            AgentRole::Agent => "agent",
        }
    }
}

/// A new agent.
#[derive(Debug, Object)]
pub struct AgentIn {
    /// Login email (stored lower-case); unique.
    #[oai(validator(max_length = 320, pattern = r"^\s*[^@\s]+@[^@\s]+\s*$"))]
    pub email: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Write-only; at least 8 characters. Stored as an argon2id hash.
    #[oai(validator(min_length = 8, max_length = 1024))]
    pub password: String,
    pub role: AgentRole,
    /// Conversations the agent works at once (default 5).
    #[oai(
        default = "default_capacity",
        validator(minimum(value = "0"), maximum(value = "1000"))
    )]
    pub capacity: i32,
    /// Language codes the agent speaks, e.g. `["en", "pt"]`; none means any.
    #[oai(default, validator(max_items = 50))]
    pub languages: Vec<String>,
    /// Ids of the teams the agent belongs to.
    #[oai(default, validator(max_items = 100))]
    pub teams: Vec<i64>,
}

fn default_capacity() -> i32 {
    5
}

/// Changes to an agent; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct AgentPatch {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    pub role: Option<AgentRole>,
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub capacity: Option<i32>,
    /// Replaces the agent's languages.
    #[oai(validator(max_items = 50))]
    pub languages: Option<Vec<String>>,
    /// Replaces the agent's team memberships.
    #[oai(validator(max_items = 100))]
    pub teams: Option<Vec<i64>>,
    /// Write-only; a new password (at least 8 characters).
    #[oai(validator(min_length = 8, max_length = 1024))]
    pub password: Option<String>,
}

/// An agent; the password hash is never returned.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgentOut {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// admin, supervisor or agent.
    pub role: String,
    /// online, away or offline.
    pub presence: String,
    pub capacity: i32,
    pub languages: Vec<String>,
    /// Ids of the agent's teams, ascending.
    pub teams: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Agent(Json<AgentOut>),
}

/// Team ids per agent, for `agents` (ascending).
async fn teams_of(db: &impl ConnectionTrait, agents: &[i64]) -> ApiResult<HashMap<i64, Vec<i64>>> {
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in team_member::Entity::find()
        .filter(team_member::Column::AgentId.is_in(agents.iter().copied()))
        .order_by_asc(team_member::Column::TeamId)
        .all(db)
        .await?
    {
        map.entry(m.agent_id).or_default().push(m.team_id);
    }
    Ok(map)
}

fn agent_out(a: agent::Model, teams: Vec<i64>) -> AgentOut {
    let languages = a.language_list();
    AgentOut {
        id: a.id,
        email: a.email,
        name: a.name,
        role: a.role,
        presence: a.presence,
        capacity: a.capacity,
        languages,
        teams,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// The audit snapshot of an agent (no password hash).
fn snapshot(a: &agent::Model, teams: &[i64]) -> serde_json::Value {
    serde_json::json!({
        "email": a.email, "name": a.name, "role": a.role, "capacity": a.capacity,
        "languages": a.languages, "teams": teams,
    })
}

/// Lower-cased language codes, each 2–8 letters, digits or `-`/`_`.
pub(crate) fn languages(field: &str, codes: Vec<String>) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for code in codes {
        let code = code.trim().to_ascii_lowercase();
        let ok = (2..=8).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            return Err(ApiError::invalid_field(
                field,
                format!("{code:?} is not a language code like `en` or `pt-br`"),
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// `ids` without duplicates, each an existing row of `teams`.
async fn existing_teams(db: &impl ConnectionTrait, ids: Vec<i64>) -> ApiResult<Vec<i64>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let known: Vec<i64> = team::Entity::find()
        .filter(team::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid_field(
            "teams",
            format!("no team with id {}", missing.join(", ")),
        ));
    }
    Ok(ids)
}

/// Makes `teams` the agent's memberships.
async fn set_teams(db: &impl ConnectionTrait, agent_id: i64, teams: &[i64]) -> ApiResult<()> {
    team_member::Entity::delete_many()
        .filter(team_member::Column::AgentId.eq(agent_id))
        .exec(db)
        .await?;
    if !teams.is_empty() {
        team_member::Entity::insert_many(teams.iter().map(|&team_id| team_member::ActiveModel {
            team_id: Set(team_id),
            agent_id: Set(agent_id),
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<agent::Model> {
    super::found::<agent::Entity>(db, id, "agent").await
}

fn hash(password: &str) -> ApiResult<String> {
    accounts::hash_password(password).map_err(|e| ApiError::internal(format!("hashing: {e}")))
}

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
    /// List agents (supervisor)
    #[oai(path = "/agents", method = "get", operation_id = "listAgents")]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<AgentOut>>> {
        auth.0.require(Role::Supervisor)?;
        let rows = agent::Entity::find()
            .order_by_asc(agent::Column::Id)
            .all(&state.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let mut teams = teams_of(&state.db, &ids).await?;
        Ok(Json(
            rows.into_iter()
                .map(|a| {
                    let t = teams.remove(&a.id).unwrap_or_default();
                    agent_out(a, t)
                })
                .collect(),
        ))
    }

    /// Get an agent (supervisor, or the agent itself)
    #[oai(path = "/agents/:id", method = "get", operation_id = "getAgent")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<AgentOut>> {
        if auth.0.agent_id != Some(id.0) {
            auth.0.require(Role::Supervisor)?;
        }
        let row = find(&state.db, id.0).await?;
        let teams = teams_of(&state.db, &[row.id]).await?.remove(&row.id);
        Ok(Json(agent_out(row, teams.unwrap_or_default())))
    }

    /// Create an agent (admin)
    ///
    /// The password is stored as an argon2id hash and never returned. An
    /// email that exists already is a 409; an unknown team a 422 naming
    /// `teams`.
    #[oai(path = "/agents", method = "post", operation_id = "createAgent")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<AgentIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let input = body.0;
        let email = input.email.trim().to_ascii_lowercase();
        accounts::check_password(&input.password, &email)
            .map_err(|why| ApiError::invalid_field("password", why))?;
        let languages = languages("languages", input.languages)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let teams = existing_teams(&txn, input.teams).await?;
        let taken = agent::Entity::find()
            .filter(agent::Column::Email.eq(&email))
            .count(&txn)
            .await?;
        if taken > 0 {
            return Err(ApiError::conflict("an agent with this email exists"));
        }
        let row = agent::ActiveModel {
            email: Set(email),
            name: Set(input.name),
            role: Set(input.role.as_str().to_owned()),
            presence: Set(Presence::Offline.into()),
            capacity: Set(input.capacity),
            languages: Set(serde_json::json!(languages)),
            password_hash: Set(Some(hash(&input.password)?)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(unique_violation("an agent with this email exists"))?;
        set_teams(&txn, row.id, &teams).await?;
        audit::record(
            &txn,
            &auth.0,
            "agent.create",
            "agent",
            row.id,
            serde_json::json!({"after": snapshot(&row, &teams)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "agents", Some(row.id), "create").await;
        Ok(Created::Agent(Json(agent_out(row, teams))))
    }

    /// Change an agent (admin)
    ///
    /// Name, role, capacity, languages, teams (replaced as a whole) and the
    /// password. Agents carry no version: the last write wins.
    #[oai(path = "/agents/:id", method = "patch", operation_id = "updateAgent")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<AgentPatch>,
    ) -> ApiResult<Json<AgentOut>> {
        auth.0.require(Role::Admin)?;
        let patch = body.0;
        let new_languages = patch
            .languages
            .map(|l| languages("languages", l))
            .transpose()?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let new_teams = match patch.teams {
            Some(t) => Some(existing_teams(&txn, t).await?),
            None => None,
        };
        let before_teams = teams_of(&txn, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        let before = snapshot(&row, &before_teams);
        if let Some(password) = &patch.password {
            accounts::check_password(password, &row.email)
                .map_err(|why| ApiError::invalid_field("password", why))?;
        }
        let mut active: agent::ActiveModel = row.into();
        if let Some(name) = patch.name {
            active.name = Set(name);
        }
        if let Some(role) = patch.role {
            active.role = Set(role.as_str().to_owned());
        }
        if let Some(capacity) = patch.capacity {
            active.capacity = Set(capacity);
        }
        if let Some(languages) = new_languages {
            active.languages = Set(serde_json::json!(languages));
        }
        let password_changed = patch.password.is_some();
        if let Some(password) = patch.password {
            active.password_hash = Set(Some(hash(&password)?));
        }
        active.updated_at = Set(Utc::now());
        let row = active.update(&txn).await?;
        let teams = match new_teams {
            Some(teams) => {
                set_teams(&txn, row.id, &teams).await?;
                teams
            }
            None => before_teams,
        };
        audit::record(
            &txn,
            &auth.0,
            "agent.update",
            "agent",
            row.id,
            serde_json::json!({
                "before": before,
                "after": snapshot(&row, &teams),
                "password_changed": password_changed,
            }),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "agents", Some(row.id), "update").await;
        Ok(Json(agent_out(row, teams)))
    }

    /// Delete an agent (admin)
    ///
    /// Removes the account, its sessions and team memberships. Refused with
    /// 409 while conversations are assigned to the agent (transfer them
    /// first), and for the caller's own account.
    #[oai(path = "/agents/:id", method = "delete", operation_id = "deleteAgent")]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        if auth.0.agent_id == Some(row.id) {
            return Err(ApiError::conflict("you cannot delete your own account"));
        }
        let open = conversation::Entity::find()
            .filter(conversation::Column::AssigneeId.eq(row.id))
            .filter(conversation::Column::Status.ne(ConversationStatus::Resolved))
            .count(&txn)
            .await?;
        if open > 0 {
            return Err(ApiError::conflict(format!(
                "{open} open conversation(s) are assigned to this agent; transfer them first"
            )));
        }
        let teams = teams_of(&txn, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        // Explicitly, so it holds whatever the foreign keys' actions are.
        team_member::Entity::delete_many()
            .filter(team_member::Column::AgentId.eq(row.id))
            .exec(&txn)
            .await?;
        entities::api_token::Entity::delete_many()
            .filter(entities::api_token::Column::AgentId.eq(row.id))
            .exec(&txn)
            .await?;
        conversation::Entity::update_many()
            .col_expr(conversation::Column::AssigneeId, Option::<i64>::None.into())
            .filter(conversation::Column::AssigneeId.eq(row.id))
            .exec(&txn)
            .await?;
        audit::delete::<agent::Entity>(
            txn,
            &auth.0,
            row.id,
            ("agent.delete", "agent"),
            snapshot(&row, &teams),
        )
        .await?;
        announce_change(&state, "agents", Some(row.id), "delete").await;
        Ok(Deleted::NoContent)
    }

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
        let presence =
            super::parse_choice("presence", "invalid_body", &body.0.presence, Presence::ALL)?;
        let found = agent::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("agent"))?;
        let mut active: agent::ActiveModel = found.into();
        active.presence = Set(presence.into());
        active.update(&state.db).await?;
        announce_change(&state, "agents", Some(id.0), "presence").await;
        let mut assigned = Vec::new();
        if presence == Presence::Online {
            assigned = super::conversations::drain(&state)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect();
        }
        Ok(Json(PresenceOut {
            agent_id: id.0,
            presence: presence.into(),
            assigned,
        }))
    }
}
