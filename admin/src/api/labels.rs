//! `/api/v1/labels` and a conversation's labels: named, coloured tags.
//! Admins and supervisors manage the labels; anyone who may see a
//! conversation applies and removes them. Every change is audited, and a
//! label change on a conversation is announced live.

use chrono::{DateTime, Utc};
use entities::{conversation_label, label};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

use super::{ApiTags, Deleted, unique_violation};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::listing;

const LABEL_EXISTS: &str = "a label with this name exists";

/// A new label.
#[derive(Debug, Object)]
pub struct LabelIn {
    /// Unique.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    /// `#rrggbb`.
    #[oai(validator(pattern = "^#[0-9a-fA-F]{6}$"))]
    pub color: String,
}

/// Changes to a label; absent fields stay as they are.
#[derive(Debug, Object)]
pub struct LabelPatch {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: Option<String>,
    /// `#rrggbb`.
    #[oai(validator(pattern = "^#[0-9a-fA-F]{6}$"))]
    pub color: Option<String>,
}

/// A label.
#[derive(Debug, Object)]
pub struct LabelOut {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub created_at: DateTime<Utc>,
}

/// Put a label on a conversation.
#[derive(Debug, Object)]
pub struct ApplyLabelIn {
    pub label_id: i64,
}

#[derive(ApiResponse)]
enum Created {
    /// Created.
    #[oai(status = 201)]
    Label(Json<LabelOut>),
}

pub(crate) fn label_out(l: label::Model) -> LabelOut {
    LabelOut {
        id: l.id,
        name: l.name,
        color: l.color,
        created_at: l.created_at,
    }
}

fn snapshot(l: &label::Model) -> serde_json::Value {
    serde_json::json!({"name": l.name, "color": l.color})
}

/// A name as stored: trimmed, never blank.
fn label_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid_field("name", "must not be blank"));
    }
    Ok(name.to_owned())
}

async fn find(db: &impl ConnectionTrait, id: i64) -> ApiResult<label::Model> {
    super::found::<label::Entity>(db, id, "label").await
}

/// The labels of conversation `id` now.
async fn labels_now(db: &impl ConnectionTrait, id: i64) -> ApiResult<Vec<LabelOut>> {
    Ok(listing::labels_of(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(label_out)
        .collect())
}

pub struct LabelsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Labels")]
impl LabelsApi {
    /// List labels
    ///
    /// By name; every signed-in role.
    #[oai(path = "/labels", method = "get", operation_id = "listLabels")]
    async fn list(
        &self,
        _auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<LabelOut>>> {
        let rows = label::Entity::find()
            .order_by_asc(label::Column::Name)
            .all(&state.db)
            .await?;
        Ok(Json(rows.into_iter().map(label_out).collect()))
    }

    /// Create a label (supervisor)
    ///
    /// A name in use is a 409.
    #[oai(path = "/labels", method = "post", operation_id = "createLabel")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<LabelIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Supervisor)?;
        let name = label_name(&body.0.name)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = label::ActiveModel {
            name: Set(name),
            color: Set(body.0.color.to_lowercase()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(unique_violation(LABEL_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "label.create",
            "label",
            row.id,
            serde_json::json!({"after": snapshot(&row)}),
        )
        .await?;
        txn.commit().await?;
        Ok(Created::Label(Json(label_out(row))))
    }

    /// Change a label (supervisor)
    #[oai(path = "/labels/:id", method = "patch", operation_id = "updateLabel")]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<LabelPatch>,
    ) -> ApiResult<Json<LabelOut>> {
        auth.0.require(Role::Supervisor)?;
        let name = body.0.name.as_deref().map(label_name).transpose()?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        let before = snapshot(&row);
        let mut active: label::ActiveModel = row.into();
        if let Some(name) = name {
            active.name = Set(name);
        }
        if let Some(color) = body.0.color {
            active.color = Set(color.to_lowercase());
        }
        active.updated_at = Set(Utc::now());
        let row = active
            .update(&txn)
            .await
            .map_err(unique_violation(LABEL_EXISTS))?;
        audit::record(
            &txn,
            &auth.0,
            "label.update",
            "label",
            row.id,
            serde_json::json!({"before": before, "after": snapshot(&row)}),
        )
        .await?;
        txn.commit().await?;
        Ok(Json(label_out(row)))
    }

    /// Delete a label (supervisor)
    ///
    /// Removes it from every conversation.
    #[oai(path = "/labels/:id", method = "delete", operation_id = "deleteLabel")]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Supervisor)?;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = find(&txn, id.0).await?;
        conversation_label::Entity::delete_many()
            .filter(conversation_label::Column::LabelId.eq(row.id))
            .exec(&txn)
            .await?;
        audit::delete::<label::Entity>(
            txn,
            &auth.0,
            row.id,
            ("label.delete", "label"),
            snapshot(&row),
        )
        .await?;
        Ok(Deleted::NoContent)
    }

    /// Label a conversation
    ///
    /// Answers the conversation's labels; a label it carries already is
    /// left as it is. An unknown label is a 422 naming `label_id`.
    #[oai(
        path = "/conversations/:id/labels",
        method = "post",
        operation_id = "labelConversation"
    )]
    async fn apply(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ApplyLabelIn>,
    ) -> ApiResult<Json<Vec<LabelOut>>> {
        crate::scope::visible_conversation(&state.db, &auth.0, id.0).await?;
        let txn = relay::db::begin_write(&state.db).await?;
        let added = add(&txn, &auth.0, id.0, body.0.label_id).await?;
        let labels = labels_now(&txn, id.0).await?;
        txn.commit().await?;
        if added {
            super::announce_conversation(&state, id.0, "labels", serde_json::json!({})).await;
        }
        Ok(Json(labels))
    }

    /// Remove a label from a conversation
    ///
    /// Answers the conversation's labels; 404 when it does not carry it.
    #[oai(
        path = "/conversations/:id/labels/:label_id",
        method = "delete",
        operation_id = "unlabelConversation"
    )]
    async fn remove(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        label_id: Path<i64>,
    ) -> ApiResult<Json<Vec<LabelOut>>> {
        crate::scope::visible_conversation(&state.db, &auth.0, id.0).await?;
        let txn = relay::db::begin_write(&state.db).await?;
        if !remove(&txn, &auth.0, id.0, label_id.0).await? {
            return Err(ApiError::not_found("label on this conversation"));
        }
        let labels = labels_now(&txn, id.0).await?;
        txn.commit().await?;
        super::announce_conversation(&state, id.0, "labels", serde_json::json!({})).await;
        Ok(Json(labels))
    }
}

/// Puts label `label_id` on conversation `id` in `txn`, audited; `false`
/// when it carries it already (nothing written). An unknown label is a 422
/// naming `label_id`.
pub(crate) async fn add(
    txn: &impl ConnectionTrait,
    principal: &crate::auth::Principal,
    id: i64,
    label_id: i64,
) -> ApiResult<bool> {
    let found = label::Entity::find_by_id(label_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            ApiError::invalid_field("label_id", format!("no label with id {label_id}"))
        })?;
    let carried = conversation_label::Entity::find_by_id((id, label_id))
        .one(txn)
        .await?
        .is_some();
    if carried {
        return Ok(false);
    }
    conversation_label::ActiveModel {
        conversation_id: Set(id),
        label_id: Set(label_id),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        principal,
        "conversation.label",
        "conversation",
        id,
        serde_json::json!({"label_id": label_id, "label": found.name}),
    )
    .await?;
    Ok(true)
}

/// Takes label `label_id` off conversation `id` in `txn`, audited; `false`
/// when it did not carry it (nothing written).
pub(crate) async fn remove(
    txn: &impl ConnectionTrait,
    principal: &crate::auth::Principal,
    id: i64,
    label_id: i64,
) -> ApiResult<bool> {
    let removed = conversation_label::Entity::delete_by_id((id, label_id))
        .exec(txn)
        .await?;
    if removed.rows_affected == 0 {
        return Ok(false);
    }
    audit::record(
        txn,
        principal,
        "conversation.unlabel",
        "conversation",
        id,
        serde_json::json!({"label_id": label_id}),
    )
    .await?;
    Ok(true)
}
