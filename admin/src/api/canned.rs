//! `/api/v1/canned-responses`: saved answers an agent inserts with a
//! `/shortcut` in the reply box (issue 28). Global (no team) or for one
//! team's agents; an agent sees the global ones and its teams', the other
//! roles see all. Supervisors and admins manage them; every change is
//! audited. The text may hold placeholders, filled for a conversation by
//! [`fill`] (the one place that knows them): `{{contact.name}}`,
//! `{{contact.first_name}}`, `{{contact.phone}}`, `{{contact.username}}`,
//! `{{contact.wa_id}}`, `{{contact.<attribute>}}` (a key of the contact's
//! attributes) and `{{agent.name}}` (the agent inserting it).

use chrono::{DateTime, Utc};
use entities::{agent, canned_response, contact, team};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{ApiTags, Deleted, unique_violation};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::placeholders::{Facts, fill};
use crate::scope::{AgentScope, visible_conversation};

const SHORTCUT_EXISTS: &str = "a canned response with this shortcut exists";

/// A new canned response.
#[derive(Debug, Object)]
pub struct CannedResponseIn {
    /// What follows `/` in the reply box: letters, digits, `-` and `_`,
    /// stored in lower case; unique across all scopes.
    #[oai(validator(min_length = 1, max_length = 32))]
    pub shortcut: String,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub title: String,
    /// The text; may hold `{{contact.name}}`, `{{contact.first_name}}`,
    /// `{{contact.phone}}`, `{{contact.username}}`, `{{contact.wa_id}}`,
    /// `{{contact.<attribute>}}` and `{{agent.name}}`.
    #[oai(validator(min_length = 1, max_length = 4096))]
    pub body: String,
    /// The team whose agents see it; absent or null: every agent.
    pub team_id: Option<i64>,
}

/// Changes to a canned response; absent fields stay as they are.
/// `team_id` moves it to a team, `global: true` makes it every agent's
/// (both at once is a 422).
#[derive(Debug, Object)]
pub struct CannedResponsePatch {
    #[oai(validator(min_length = 1, max_length = 32))]
    pub shortcut: Option<String>,
    #[oai(validator(min_length = 1, max_length = 80))]
    pub title: Option<String>,
    #[oai(validator(min_length = 1, max_length = 4096))]
    pub body: Option<String>,
    pub team_id: Option<i64>,
    pub global: Option<bool>,
}

/// A canned response; with `conversation_id` in the request, also its
/// text for that conversation.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CannedResponseOut {
    pub id: i64,
    pub shortcut: String,
    pub title: String,
    /// The text as saved, placeholders included.
    pub body: String,
    /// Absent: global.
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    /// The text with the conversation's contact and the caller filled in
    /// (only when `conversation_id` was given).
    pub rendered: Option<String>,
    /// Placeholders left as they were because the contact or caller has no
    /// value for them (e.g. `contact.name` of a customer without a profile
    /// name): the agent fills them by hand.
    pub missing: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    CannedResponse(Json<CannedResponseOut>),
}

/// A shortcut as stored: trimmed, a leading `/` dropped, lower case.
fn shortcut(raw: &str) -> ApiResult<String> {
    let s = raw.trim().trim_start_matches('/').to_lowercase();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ApiError::invalid_field(
            "shortcut",
            "letters, digits, `-` and `_` only",
        ));
    }
    Ok(s)
}

fn checked_title(raw: &str) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ApiError::invalid_field("title", "must not be blank"));
    }
    Ok(t.to_owned())
}

fn checked_body(raw: &str) -> ApiResult<String> {
    if raw.trim().is_empty() {
        return Err(ApiError::invalid_field("body", "must not be blank"));
    }
    crate::placeholders::check(raw, "body", false)?;
    Ok(raw.to_owned())
}

async fn checked_team(db: &impl ConnectionTrait, team_id: Option<i64>) -> ApiResult<()> {
    if let Some(id) = team_id
        && team::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(ApiError::invalid_field(
            "team_id",
            format!("no team with id {id}"),
        ));
    }
    Ok(())
}

fn snapshot(c: &canned_response::Model) -> serde_json::Value {
    serde_json::json!({
        "shortcut": c.shortcut, "title": c.title, "body": c.body, "team_id": c.team_id,
    })
}

fn out(
    c: canned_response::Model,
    team_name: Option<String>,
    facts: Option<&Facts<'_>>,
) -> CannedResponseOut {
    let (rendered, missing) = match facts {
        Some(facts) => {
            let (text, missing) = fill(&c.body, facts);
            (Some(text), missing)
        }
        None => (None, Vec::new()),
    };
    CannedResponseOut {
        id: c.id,
        shortcut: c.shortcut,
        title: c.title,
        body: c.body,
        team_id: c.team_id,
        team_name,
        rendered,
        missing,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

async fn team_name(db: &impl ConnectionTrait, team_id: Option<i64>) -> ApiResult<Option<String>> {
    Ok(match team_id {
        Some(id) => team::Entity::find_by_id(id).one(db).await?.map(|t| t.name),
        None => None,
    })
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<canned_response::Model> {
    super::found::<canned_response::Entity>(db, id, "canned response").await
}

pub struct CannedApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::CannedResponses")]
impl CannedApi {
    /// List canned responses
    ///
    /// By shortcut. An agent gets the global ones and its teams'; other
    /// roles get all. `q` keeps those whose shortcut starts with it or
    /// whose title contains it (case-insensitive). With `conversation_id`
    /// (a conversation the caller may see: 403/404 otherwise) each answer
    /// carries `rendered`, its text with that conversation's contact and
    /// the caller filled in, and `missing`, the placeholders left unfilled.
    #[oai(
        path = "/canned-responses",
        method = "get",
        operation_id = "listCannedResponses"
    )]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// Shortcut prefix or title words.
        q: Query<Option<String>>,
        /// Fill the placeholders for this conversation.
        conversation_id: Query<Option<i64>>,
    ) -> ApiResult<Json<Vec<CannedResponseOut>>> {
        let db = &state.db;
        let contact = match conversation_id.0 {
            Some(id) => {
                let row = visible_conversation(db, &auth.0, id).await?;
                contact::Entity::find_by_id(row.contact_id).one(db).await?
            }
            None => None,
        };
        let agent_name = match auth.0.agent_id {
            Some(id) => agent::Entity::find_by_id(id).one(db).await?.map(|a| a.name),
            None => None,
        };
        let mut query =
            canned_response::Entity::find().order_by_asc(canned_response::Column::Shortcut);
        if let Some(scope) = AgentScope::of(db, &auth.0).await? {
            query = query.filter(
                Condition::any()
                    .add(canned_response::Column::TeamId.is_null())
                    .add(canned_response::Column::TeamId.is_in(scope.teams)),
            );
        }
        let rows = query.all(db).await?;
        let needle =
            q.0.as_deref()
                .map(|q| q.trim().trim_start_matches('/').to_lowercase());
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|c| {
                needle
                    .as_deref()
                    .is_none_or(|n| c.shortcut.starts_with(n) || c.title.to_lowercase().contains(n))
            })
            .collect();
        let teams: std::collections::HashMap<i64, String> = team::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect();
        let facts = conversation_id.0.map(|_| Facts {
            contact: contact.as_ref(),
            agent_name: agent_name.as_deref(),
            row: None,
        });
        Ok(Json(
            rows.into_iter()
                .map(|c| {
                    let name = c.team_id.and_then(|t| teams.get(&t).cloned());
                    out(c, name, facts.as_ref())
                })
                .collect(),
        ))
    }

    /// Create a canned response (supervisor)
    ///
    /// A shortcut in use is a 409; an unknown placeholder or team is a 422
    /// naming `body` or `team_id`.
    #[oai(
        path = "/canned-responses",
        method = "post",
        operation_id = "createCannedResponse"
    )]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<CannedResponseIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Supervisor)?;
        let input = body.0;
        let shortcut = shortcut(&input.shortcut)?;
        let title = checked_title(&input.title)?;
        let text = checked_body(&input.body)?;
        let txn = relay::db::begin_write(&state.db).await?;
        checked_team(&txn, input.team_id).await?;
        let row = canned_response::ActiveModel {
            shortcut: Set(shortcut),
            title: Set(title),
            body: Set(text),
            team_id: Set(input.team_id),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(unique_violation(SHORTCUT_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "canned_response.create",
            "canned_response",
            row.id,
            serde_json::json!({"after": snapshot(&row)}),
        )
        .await?;
        let name = team_name(&txn, row.team_id).await?;
        txn.commit().await?;
        Ok(Created::CannedResponse(Json(out(row, name, None))))
    }

    /// Change a canned response (supervisor)
    #[oai(
        path = "/canned-responses/:id",
        method = "patch",
        operation_id = "updateCannedResponse"
    )]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<CannedResponsePatch>,
    ) -> ApiResult<Json<CannedResponseOut>> {
        auth.0.require(Role::Supervisor)?;
        let patch = body.0;
        let new_shortcut = patch.shortcut.as_deref().map(shortcut).transpose()?;
        let new_title = patch.title.as_deref().map(checked_title).transpose()?;
        let new_body = patch.body.as_deref().map(checked_body).transpose()?;
        if patch.team_id.is_some() && patch.global == Some(true) {
            return Err(ApiError::invalid_field(
                "global",
                "a canned response is global or a team's, not both",
            ));
        }
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let before = snapshot(&row);
        let mut active: canned_response::ActiveModel = row.into();
        if let Some(s) = new_shortcut {
            active.shortcut = Set(s);
        }
        if let Some(t) = new_title {
            active.title = Set(t);
        }
        if let Some(b) = new_body {
            active.body = Set(b);
        }
        if let Some(team_id) = patch.team_id {
            checked_team(&txn, Some(team_id)).await?;
            active.team_id = Set(Some(team_id));
        } else if patch.global == Some(true) {
            active.team_id = Set(None);
        }
        active.updated_at = Set(Utc::now());
        let row = active
            .update(&txn)
            .await
            .map_err(unique_violation(SHORTCUT_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "canned_response.update",
            "canned_response",
            row.id,
            serde_json::json!({"before": before, "after": snapshot(&row)}),
        )
        .await?;
        let name = team_name(&txn, row.team_id).await?;
        txn.commit().await?;
        Ok(Json(out(row, name, None)))
    }

    /// Delete a canned response (supervisor)
    #[oai(
        path = "/canned-responses/:id",
        method = "delete",
        operation_id = "deleteCannedResponse"
    )]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Supervisor)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        audit::delete::<canned_response::Entity>(
            txn,
            &auth.0,
            row.id,
            ("canned_response.delete", "canned_response"),
            snapshot(&row),
        )
        .await?;
        Ok(Deleted::NoContent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> contact::Model {
        contact::Model {
            id: 1,
            wa_id: "4915100000001".into(),
            profile_name: Some("Una Müller".into()),
            user_id: None,
            username: None,
            parent_user_id: None,
            phone: Some("+4915100000001".into()),
            marketing_opt_out_at: None,
            tier: "standard".into(),
            language: None,
            attributes: serde_json::json!({"order": "5521", "points": 40, "vip": true}),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn placeholders_are_filled_from_the_contact_and_the_agent() {
        let c = contact();
        let facts = Facts {
            contact: Some(&c),
            agent_name: Some("Ana"),
            row: None,
        };
        let (text, missing) = fill(
            "Hi {{ contact.first_name }}, {{agent.name}} here: order {{contact.order}} ({{contact.points}} points, vip {{contact.vip}}) for {{contact.name}} at {{contact.phone}}.",
            &facts,
        );
        assert_eq!(
            text,
            "Hi Una, Ana here: order 5521 (40 points, vip true) for Una Müller at +4915100000001."
        );
        assert!(missing.is_empty());
    }

    #[test]
    fn what_has_no_value_stays_as_written_and_is_named_once() {
        let c = contact();
        let facts = Facts {
            contact: Some(&c),
            agent_name: None,
            row: None,
        };
        let (text, missing) = fill(
            "{{contact.username}} / {{agent.name}} / {{contact.username}}",
            &facts,
        );
        assert_eq!(
            text,
            "{{contact.username}} / {{agent.name}} / {{contact.username}}"
        );
        assert_eq!(missing, ["contact.username", "agent.name"]);
    }

    #[test]
    fn unknown_or_unclosed_placeholders_are_refused_on_write() {
        assert!(checked_body("Hello {{contact.name}}").is_ok());
        assert!(checked_body("Hello {{contcat.name}}").is_err());
        assert!(checked_body("Hello {{contact.}}").is_err());
        assert!(checked_body("Hello {{contact.name").is_err());
        assert!(checked_body("   ").is_err());
        assert!(checked_body("Plain text, no braces").is_ok());
    }

    #[test]
    fn shortcuts_are_stored_in_one_spelling() {
        assert_eq!(shortcut(" /Refund_2 ").ok().as_deref(), Some("refund_2"));
        assert!(shortcut("two words").is_err());
        assert!(shortcut("/").is_err());
        assert!(shortcut("émoji").is_err());
    }
}
