//! `/api/v1/audit`: the audit trail, newest first (admins).

use chrono::{DateTime, Utc};
use entities::audit_log;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ApiTags;
use crate::AppState;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// One recorded change.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntryOut {
    pub id: i64,
    /// `agent:<id>` or `token:<name>`.
    pub actor: String,
    /// e.g. `number.update`, `contact.update`, `conversation.reply`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    /// What changed (before/after, or the changed fields' names).
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One page of the audit trail.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPageOut {
    pub items: Vec<AuditEntryOut>,
    pub next_cursor: Option<String>,
}

pub struct AuditApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Audit")]
impl AuditApi {
    /// List the audit trail (admin)
    #[oai(path = "/audit", method = "get", operation_id = "listAudit")]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// Only this target type (e.g. `contact`).
        target_type: Query<Option<String>>,
        /// Only this target id.
        target_id: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[0-9]{1,19}$"))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<AuditPageOut>> {
        auth.0.require(Role::Admin)?;
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
        if let Some(t) = target_type.0 {
            query = query.filter(audit_log::Column::TargetType.eq(t));
        }
        if let Some(t) = target_id.0 {
            query = query.filter(audit_log::Column::TargetId.eq(t));
        }
        if let Some(cursor) = cursor.0 {
            let before: i64 = cursor.parse().map_err(|_| {
                ApiError::bad_request("invalid_parameter", "cursor is not one we issued")
            })?;
            query = query.filter(audit_log::Column::Id.lt(before));
        }
        let mut rows = query.limit(limit + 1).all(&state.db).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = more
            .then(|| rows.last().map(|r| r.id.to_string()))
            .flatten();
        let items = rows
            .into_iter()
            .map(|r| AuditEntryOut {
                id: r.id,
                actor: r.actor,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
                created_at: r.created_at,
            })
            .collect();
        Ok(Json(AuditPageOut { items, next_cursor }))
    }
}
