//! `/api/v1/sla-policies`: response and resolution targets per team, label
//! and business number (admins). Every change is audited and marks the open
//! conversations for the SLA sweep (`crate::sla`), which applies it within
//! one round. Matching rules: `docs/reports.md`, "SLA policies".

use chrono::{DateTime, Utc};
use entities::{business_number, label, sla_policy, team};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};

use super::{ApiTags, Deleted, unique_violation};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::business_hours::Clock;
use crate::error::{ApiError, ApiResult};

const POLICY_EXISTS: &str = "an SLA policy with this name exists";

/// An SLA policy as written (create, and update: the whole policy).
#[derive(Debug, Object)]
pub struct SlaPolicyIn {
    /// Unique.
    #[oai(validator(min_length = 1, max_length = 80))]
    pub name: String,
    /// Only this team's conversations (absent: any team).
    pub team_id: Option<i64>,
    /// Only conversations carrying this label.
    pub label_id: Option<i64>,
    /// Only this business number's conversations (its id).
    pub business_number_id: Option<i64>,
    /// Seconds to the first agent reply of an opening.
    #[oai(validator(minimum(value = "1"), maximum(value = "31622400")))]
    pub first_response_secs: Option<i64>,
    /// Seconds to the next agent reply after a customer message.
    #[oai(validator(minimum(value = "1"), maximum(value = "31622400")))]
    pub next_response_secs: Option<i64>,
    /// Seconds from the opening's first customer message to the resolution.
    #[oai(validator(minimum(value = "1"), maximum(value = "31622400")))]
    pub resolution_secs: Option<i64>,
    /// "About to breach" this many seconds before a due time (absent: a
    /// fifth of the target).
    #[oai(validator(minimum(value = "0"), maximum(value = "31622400")))]
    pub warn_before_secs: Option<i64>,
    /// Default true.
    pub enabled: Option<bool>,
    // Which time the targets count (absent: `wall`). A described enum
    // field becomes an `allOf` the Python generator refuses: the words are
    // on `Clock`.
    pub clock: Option<Clock>,
}

/// An SLA policy.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SlaPolicyOut {
    pub id: i64,
    pub name: String,
    pub team_id: Option<i64>,
    pub label_id: Option<i64>,
    pub business_number_id: Option<i64>,
    pub first_response_secs: Option<i64>,
    pub next_response_secs: Option<i64>,
    pub resolution_secs: Option<i64>,
    pub warn_before_secs: Option<i64>,
    pub enabled: bool,
    pub clock: Clock,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Policy(Json<SlaPolicyOut>),
}

fn policy_out(p: sla_policy::Model) -> SlaPolicyOut {
    SlaPolicyOut {
        id: p.id,
        name: p.name,
        team_id: p.team_id,
        label_id: p.label_id,
        business_number_id: p.business_number_id,
        first_response_secs: p.first_response_secs,
        next_response_secs: p.next_response_secs,
        resolution_secs: p.resolution_secs,
        warn_before_secs: p.warn_before_secs,
        enabled: p.enabled,
        clock: Clock::of(&p.clock),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

fn snapshot(p: &sla_policy::Model) -> serde_json::Value {
    serde_json::json!({
        "name": p.name, "team_id": p.team_id, "label_id": p.label_id,
        "business_number_id": p.business_number_id,
        "first_response_secs": p.first_response_secs,
        "next_response_secs": p.next_response_secs,
        "resolution_secs": p.resolution_secs,
        "warn_before_secs": p.warn_before_secs, "enabled": p.enabled,
        "clock": p.clock,
    })
}

/// Checks what the schema cannot: a name that is not blank, at least one
/// target, scopes that exist. Answers the trimmed name.
async fn checked(db: &impl ConnectionTrait, input: &SlaPolicyIn) -> ApiResult<String> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid_field("name", "must not be blank"));
    }
    if input.first_response_secs.is_none()
        && input.next_response_secs.is_none()
        && input.resolution_secs.is_none()
    {
        return Err(ApiError::invalid_field(
            "first_response_secs",
            "at least one of first_response_secs, next_response_secs and resolution_secs is required",
        ));
    }
    if let Some(id) = input.team_id
        && team::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(ApiError::invalid_field(
            "team_id",
            format!("no team with id {id}"),
        ));
    }
    if let Some(id) = input.label_id
        && label::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(ApiError::invalid_field(
            "label_id",
            format!("no label with id {id}"),
        ));
    }
    if let Some(id) = input.business_number_id
        && business_number::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_field(
            "business_number_id",
            format!("no business number with id {id}"),
        ));
    }
    Ok(name.to_owned())
}

fn fill(active: &mut sla_policy::ActiveModel, name: String, input: SlaPolicyIn) {
    active.name = Set(name);
    active.team_id = Set(input.team_id);
    active.label_id = Set(input.label_id);
    active.business_number_id = Set(input.business_number_id);
    active.first_response_secs = Set(input.first_response_secs);
    active.next_response_secs = Set(input.next_response_secs);
    active.resolution_secs = Set(input.resolution_secs);
    active.warn_before_secs = Set(input.warn_before_secs);
    active.enabled = Set(input.enabled.unwrap_or(true));
    active.clock = Set(input.clock.unwrap_or_default().as_str().to_owned());
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<sla_policy::Model> {
    super::found::<sla_policy::Entity>(db, id, "SLA policy").await
}

pub struct SlaApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Sla")]
impl SlaApi {
    /// List SLA policies (admin)
    ///
    /// By id.
    #[oai(
        path = "/sla-policies",
        method = "get",
        operation_id = "listSlaPolicies"
    )]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<SlaPolicyOut>>> {
        auth.0.require(Role::Admin)?;
        let rows = sla_policy::Entity::find()
            .order_by_asc(sla_policy::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(rows.into_iter().map(policy_out).collect()))
    }

    /// Create an SLA policy (admin)
    ///
    /// A name in use is a 409; an unknown team, label or number, or no
    /// target at all, a 422 naming the field.
    #[oai(
        path = "/sla-policies",
        method = "post",
        operation_id = "createSlaPolicy"
    )]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<SlaPolicyIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let name = checked(&txn, &body.0).await?;
        let mut active = <sla_policy::ActiveModel as std::default::Default>::default();
        fill(&mut active, name, body.0);
        let row = active
            .insert(&txn)
            .await
            .map_err(unique_violation(POLICY_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "sla_policy.create",
            "sla_policy",
            row.id,
            serde_json::json!({"after": snapshot(&row)}),
        )
        .await?;
        crate::sla::mark_open_dirty(&txn).await?;
        txn.commit().await?;
        Ok(Created::Policy(Json(policy_out(row))))
    }

    /// Get an SLA policy (admin)
    #[oai(
        path = "/sla-policies/:id",
        method = "get",
        operation_id = "getSlaPolicy"
    )]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<SlaPolicyOut>> {
        auth.0.require(Role::Admin)?;
        Ok(Json(policy_out(find(&state.db, id.0).await?)))
    }

    /// Replace an SLA policy (admin)
    ///
    /// The whole policy: absent scopes and targets are cleared.
    #[oai(
        path = "/sla-policies/:id",
        method = "put",
        operation_id = "updateSlaPolicy"
    )]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<SlaPolicyIn>,
    ) -> ApiResult<Json<SlaPolicyOut>> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let name = checked(&txn, &body.0).await?;
        let before = snapshot(&row);
        let mut active: sla_policy::ActiveModel = row.into();
        fill(&mut active, name, body.0);
        active.updated_at = Set(Utc::now());
        let row = active
            .update(&txn)
            .await
            .map_err(unique_violation(POLICY_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "sla_policy.update",
            "sla_policy",
            row.id,
            serde_json::json!({"before": before, "after": snapshot(&row)}),
        )
        .await?;
        crate::sla::mark_open_dirty(&txn).await?;
        txn.commit().await?;
        Ok(Json(policy_out(row)))
    }

    /// Delete an SLA policy (admin)
    ///
    /// Its conversations fall to the next matching policy, if any. Their
    /// recorded breaches stay.
    #[oai(
        path = "/sla-policies/:id",
        method = "delete",
        operation_id = "deleteSlaPolicy"
    )]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        sla_policy::Entity::delete_by_id(row.id).exec(&txn).await?;
        audit::record(
            &txn,
            &auth.0,
            "sla_policy.delete",
            "sla_policy",
            row.id,
            serde_json::json!({"before": snapshot(&row)}),
        )
        .await?;
        crate::sla::mark_open_dirty(&txn).await?;
        txn.commit().await?;
        Ok(Deleted::NoContent)
    }
}
