//! `/api/v1/teams`: teams, how each assigns its queue (round_robin,
//! least_loaded or manual), and their members. Admins manage them,
//! supervisors read them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::conversation::ConversationStatus;
use entities::{agent, conversation, routing_rule, team, team_member};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use super::hours::Hours;
use super::{ApiTags, Deleted, announce_change, unique_violation};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// How a team hands queued conversations to its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "AssignmentStrategy", rename_all = "snake_case")]
pub enum Strategy {
    /// The member who got a conversation longest ago.
    RoundRobin,
    /// The member with the fewest open conversations.
    LeastLoaded,
    /// Nobody is assigned: members claim from the queue.
    Manual,
}

impl Strategy {
    fn as_str(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round_robin",
            Strategy::LeastLoaded => "least_loaded",
            Strategy::Manual => "manual",
        }
    }
}

fn hours_in(hours: &Hours) -> ApiResult<serde_json::Value> {
    super::hours::stored("business_hours", hours, true)
}

/// A new team.
#[derive(Debug, Object)]
pub struct TeamIn {
    /// Unique.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    pub strategy: Strategy,
    /// Ids of the member agents.
    #[oai(default, validator(max_items = 1000))]
    pub members: Vec<i64>,
    /// Business hours (`to` other than `from`): business-time report
    /// figures and SLA policies on the business clock count only them.
    /// Absent: always open.
    pub business_hours: Option<Hours>,
}

/// Changes to a team; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct TeamPatch {
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: Option<String>,
    pub strategy: Option<Strategy>,
    /// Replaces the members.
    #[oai(validator(max_items = 1000))]
    pub members: Option<Vec<i64>>,
    /// Replaces the business hours.
    pub business_hours: Option<Hours>,
    /// `true` removes the business hours (always open); not with
    /// `business_hours`.
    pub always_open: Option<bool>,
}

/// A team.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TeamOut {
    pub id: i64,
    pub name: String,
    /// round_robin, least_loaded or manual.
    pub strategy: String,
    /// Ids of the member agents, ascending.
    pub members: Vec<i64>,
    /// Absent: always open.
    pub business_hours: Option<Hours>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Team(Json<TeamOut>),
}

async fn members_of(db: &impl ConnectionTrait, teams: &[i64]) -> ApiResult<HashMap<i64, Vec<i64>>> {
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for m in team_member::Entity::find()
        .filter(team_member::Column::TeamId.is_in(teams.iter().copied()))
        .order_by_asc(team_member::Column::AgentId)
        .all(db)
        .await?
    {
        map.entry(m.team_id).or_default().push(m.agent_id);
    }
    Ok(map)
}

fn team_out(t: team::Model, members: Vec<i64>) -> TeamOut {
    TeamOut {
        id: t.id,
        name: t.name,
        strategy: t.strategy,
        members,
        business_hours: super::hours::out(t.business_hours.as_ref()),
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

fn snapshot(t: &team::Model, members: &[i64]) -> serde_json::Value {
    serde_json::json!({
        "name": t.name, "strategy": t.strategy, "members": members,
        "business_hours": t.business_hours,
    })
}

/// `ids` without duplicates, each an existing agent.
async fn existing_agents(db: &impl ConnectionTrait, ids: Vec<i64>) -> ApiResult<Vec<i64>> {
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    let known: Vec<i64> = agent::Entity::find()
        .filter(agent::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known.contains(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid_field(
            "members",
            format!("no agent with id {}", missing.join(", ")),
        ));
    }
    Ok(ids)
}

async fn set_members(db: &impl ConnectionTrait, team_id: i64, members: &[i64]) -> ApiResult<()> {
    team_member::Entity::delete_many()
        .filter(team_member::Column::TeamId.eq(team_id))
        .exec(db)
        .await?;
    if !members.is_empty() {
        team_member::Entity::insert_many(members.iter().map(|&agent_id| {
            team_member::ActiveModel {
                team_id: Set(team_id),
                agent_id: Set(agent_id),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<team::Model> {
    super::found::<team::Entity>(db, id, "team").await
}

async fn name_taken(db: &impl ConnectionTrait, name: &str, except: Option<i64>) -> ApiResult<()> {
    let mut query = team::Entity::find().filter(team::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(team::Column::Id.ne(id));
    }
    if query.count(db).await? > 0 {
        return Err(ApiError::conflict("a team with this name exists"));
    }
    Ok(())
}

/// Names of the routing rules whose action queues to `team_id`.
async fn rules_using(db: &impl ConnectionTrait, team_id: i64) -> ApiResult<Vec<String>> {
    Ok(routing_rule::Entity::find()
        .order_by_asc(routing_rule::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| {
            serde_json::from_value::<relay::routing::Action>(r.action.clone())
                .is_ok_and(|a| a.team_ids().contains(&team_id))
        })
        .map(|r| r.name)
        .collect())
}

const TEAM_EXISTS: &str = "a team with this name exists";

pub struct TeamsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Teams")]
impl TeamsApi {
    /// List teams (supervisor)
    #[oai(path = "/teams", method = "get", operation_id = "listTeams")]
    async fn list(&self, auth: TokenAuth, state: Data<&AppState>) -> ApiResult<Json<Vec<TeamOut>>> {
        auth.0.require(Role::Supervisor)?;
        let rows = team::Entity::find()
            .order_by_asc(team::Column::Id)
            .all(&state.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|t| t.id).collect();
        let mut members = members_of(&state.db, &ids).await?;
        Ok(Json(
            rows.into_iter()
                .map(|t| {
                    let m = members.remove(&t.id).unwrap_or_default();
                    team_out(t, m)
                })
                .collect(),
        ))
    }

    /// Get a team (supervisor)
    #[oai(path = "/teams/:id", method = "get", operation_id = "getTeam")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<TeamOut>> {
        auth.0.require(Role::Supervisor)?;
        let row = find(&state.db, id.0).await?;
        let members = members_of(&state.db, &[row.id]).await?.remove(&row.id);
        Ok(Json(team_out(row, members.unwrap_or_default())))
    }

    /// Create a team (admin)
    ///
    /// A name in use is a 409; an unknown member a 422 naming `members`.
    #[oai(path = "/teams", method = "post", operation_id = "createTeam")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<TeamIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let input = body.0;
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid_field("name", "must not be blank"));
        }
        let business_hours = input.business_hours.as_ref().map(hours_in).transpose()?;
        let txn = relay::db::begin_write(&state.db).await?;
        let members = existing_agents(&txn, input.members).await?;
        name_taken(&txn, &name, None).await?;
        let row = team::ActiveModel {
            name: Set(name),
            strategy: Set(input.strategy.as_str().to_owned()),
            business_hours: Set(business_hours),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(unique_violation(TEAM_EXISTS))?;
        set_members(&txn, row.id, &members).await?;
        audit::record(
            &txn,
            &auth.0,
            "team.create",
            "team",
            row.id,
            serde_json::json!({"after": snapshot(&row, &members)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "teams", Some(row.id), "create").await;
        Ok(Created::Team(Json(team_out(row, members))))
    }

    /// Change a team (admin)
    ///
    /// Name, assignment strategy, members (replaced as a whole). Teams carry
    /// no version: the last write wins.
    #[oai(path = "/teams/:id", method = "patch", operation_id = "updateTeam")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<TeamPatch>,
    ) -> ApiResult<Json<TeamOut>> {
        auth.0.require(Role::Admin)?;
        let patch = body.0;
        if patch.always_open == Some(true) && patch.business_hours.is_some() {
            return Err(ApiError::invalid_field(
                "always_open",
                "give either business_hours or always_open",
            ));
        }
        let business_hours = patch.business_hours.as_ref().map(hours_in).transpose()?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let new_members = match patch.members {
            Some(m) => Some(existing_agents(&txn, m).await?),
            None => None,
        };
        let before_members = members_of(&txn, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        let before = snapshot(&row, &before_members);
        let hours_before = row.business_hours.clone();
        let mut active: team::ActiveModel = row.into();
        if let Some(name) = patch.name {
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(ApiError::invalid_field("name", "must not be blank"));
            }
            name_taken(&txn, &name, Some(id.0)).await?;
            active.name = Set(name);
        }
        if let Some(strategy) = patch.strategy {
            active.strategy = Set(strategy.as_str().to_owned());
        }
        if let Some(hours) = business_hours {
            active.business_hours = Set(Some(hours));
        } else if patch.always_open == Some(true) {
            active.business_hours = Set(None);
        }
        active.updated_at = Set(Utc::now());
        let row = active
            .update(&txn)
            .await
            .map_err(unique_violation(TEAM_EXISTS))?;
        let members = match new_members {
            Some(m) => {
                set_members(&txn, row.id, &m).await?;
                m
            }
            None => before_members,
        };
        if row.business_hours != hours_before {
            // SLA due times on the business clock move with the hours.
            crate::sla::mark_open_dirty(&txn).await?;
        }
        audit::record(
            &txn,
            &auth.0,
            "team.update",
            "team",
            row.id,
            serde_json::json!({"before": before, "after": snapshot(&row, &members)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "teams", Some(row.id), "update").await;
        Ok(Json(team_out(row, members)))
    }

    /// Delete a team (admin)
    ///
    /// Refused with 409 while a routing rule queues to it or open
    /// conversations are in it.
    #[oai(path = "/teams/:id", method = "delete", operation_id = "deleteTeam")]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let rules = rules_using(&txn, row.id).await?;
        if !rules.is_empty() {
            return Err(ApiError::conflict(format!(
                "routing rules route to this team: {}",
                rules.join(", ")
            )));
        }
        let open = conversation::Entity::find()
            .filter(conversation::Column::TeamId.eq(row.id))
            .filter(conversation::Column::Status.ne(ConversationStatus::Resolved))
            .count(&txn)
            .await?;
        if open > 0 {
            return Err(ApiError::conflict(format!(
                "{open} open conversation(s) are in this team; transfer them first"
            )));
        }
        let members = members_of(&txn, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        team_member::Entity::delete_many()
            .filter(team_member::Column::TeamId.eq(row.id))
            .exec(&txn)
            .await?;
        conversation::Entity::update_many()
            .col_expr(conversation::Column::TeamId, Option::<i64>::None.into())
            .filter(conversation::Column::TeamId.eq(row.id))
            .exec(&txn)
            .await?;
        team::Entity::delete_by_id(row.id).exec(&txn).await?;
        audit::record(
            &txn,
            &auth.0,
            "team.delete",
            "team",
            row.id,
            serde_json::json!({"before": snapshot(&row, &members)}),
        )
        .await?;
        txn.commit().await?;
        announce_change(&state, "teams", Some(row.id), "delete").await;
        Ok(Deleted::NoContent)
    }
}
