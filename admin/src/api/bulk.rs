//! `POST /api/v1/conversations/bulk`: one action (assign to an agent or a
//! team, add or remove a label, resolve) on many conversations, each named
//! with the `version` the caller read. Every row is its own transaction
//! through the same code as the single endpoints (`conversations::change_in`,
//! `labels::add` / `labels::remove`), so a row is applied whole, audited, or
//! not at all; the answer says per row `ok` or why not (`conflict`,
//! `forbidden`, `not_found`, `invalid_state`). What is wrong with the
//! request itself (no rows, a row twice, an unknown agent, team or label)
//! is a 4xx that changes nothing.

use std::collections::{HashMap, HashSet};

use entities::conversation;
use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};
use relay::assignment::Change;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ApiTags;
use super::conversations::{ConversationOut, change_in, changed, check_targets, conversations_out};
use crate::AppState;
use crate::auth::{Principal, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::scope::visible_conversation;

/// Most rows in one request.
const MAX_ROWS: usize = 100;

/// What to do to every selected conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum BulkAction {
    /// To `agent_id` (assigned) and/or `team_id` (without an agent: the
    /// team's queue), as a transfer.
    Assign,
    /// Put `label_id` on each.
    LabelAdd,
    /// Take `label_id` off each.
    LabelRemove,
    /// Resolve each.
    Resolve,
}

/// A selected conversation and the version the caller read.
#[derive(Debug, Object)]
pub struct BulkItemIn {
    pub id: i64,
    /// The `version` you read; a stale one fails this row with `conflict`.
    pub version: i64,
}

/// One action on many conversations.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkIn {
    pub action: BulkAction,
    /// 1–100 conversations, each once.
    #[oai(validator(min_items = 1, max_items = 100))]
    pub items: Vec<BulkItemIn>,
    /// `assign`: the new assignee.
    pub agent_id: Option<i64>,
    /// `assign`: the new team (kept when absent).
    pub team_id: Option<i64>,
    /// `label_add` / `label_remove`: the label.
    pub label_id: Option<i64>,
}

/// What happened to one selected conversation.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BulkRowOut {
    pub id: i64,
    /// Applied (or nothing to do, see `changed`).
    pub ok: bool,
    /// With `ok`: whether anything changed (a label already there, or not
    /// there to remove, changes nothing).
    pub changed: Option<bool>,
    /// Without `ok`: `conflict` (changed since you read it), `forbidden`
    /// (another team's), `not_found`, `invalid_state` (e.g. resolving a
    /// resolved one) or `internal`.
    pub code: Option<String>,
    /// Without `ok`: why, for people.
    pub detail: Option<String>,
    /// The conversation as it is now (absent when not found or not yours).
    pub conversation: Option<ConversationOut>,
}

/// The outcome of a bulk action, one row per selected conversation, in the
/// request's order.
#[derive(Debug, Object)]
pub struct BulkOut {
    pub rows: Vec<BulkRowOut>,
    /// How many rows were applied.
    pub applied: u32,
    /// How many were not.
    pub failed: u32,
}

/// What a row does, checked before any row runs.
enum Plan {
    Change(Change),
    Label { add: bool, label_id: i64 },
}

pub struct BulkApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl BulkApi {
    /// Act on many conversations
    ///
    /// One `action` on each of `items` (assign, add or remove a label,
    /// resolve), each row checked against the `version` read and applied
    /// in its own transaction, whole or not at all, and audited like the
    /// single endpoints. Always 200 with one row per item: `ok`, or the
    /// reason (`conflict`, `forbidden`, `not_found`, `invalid_state`). A
    /// request that cannot be carried out as a whole (no items, more than
    /// 100, an id twice, a missing or unknown agent, team or label) is a
    /// 400 / 422 that changes nothing.
    #[oai(
        path = "/conversations/bulk",
        method = "post",
        operation_id = "bulkConversations"
    )]
    async fn bulk(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<BulkIn>,
    ) -> ApiResult<Json<BulkOut>> {
        let body = body.0;
        if body.items.is_empty() || body.items.len() > MAX_ROWS {
            return Err(ApiError::bad_request(
                "invalid_body",
                format!("items: give 1 to {MAX_ROWS} conversations"),
            ));
        }
        let mut seen = HashSet::new();
        if let Some(twice) = body.items.iter().find(|i| !seen.insert(i.id)) {
            return Err(ApiError::bad_request(
                "invalid_body",
                format!("items: conversation {} is given twice", twice.id),
            ));
        }
        let plan = plan(&state, &body).await?;
        let mut rows = Vec::with_capacity(body.items.len());
        let mut now: HashMap<i64, conversation::Model> = HashMap::new();
        let mut drain = false;
        for item in &body.items {
            match row(&state, &auth.0, item, &plan).await {
                Ok((conversation, was_changed)) => {
                    drain |= was_changed
                        && matches!(&plan, Plan::Change(c) if super::conversations::may_free(c));
                    now.insert(item.id, conversation);
                    rows.push(BulkRowOut {
                        id: item.id,
                        ok: true,
                        changed: Some(was_changed),
                        code: None,
                        detail: None,
                        conversation: None,
                    });
                }
                Err(err) => {
                    let out = err.error_out();
                    // A refused row still shows the conversation as it is
                    // (the agent sees what changed), unless it is hidden.
                    if matches!(out.code.as_str(), "conflict" | "invalid_state")
                        && let Some(current) = conversation::Entity::find_by_id(item.id)
                            .one(&state.db)
                            .await?
                    {
                        now.insert(item.id, current);
                    }
                    rows.push(BulkRowOut {
                        id: item.id,
                        ok: false,
                        changed: None,
                        code: Some(out.code.clone()),
                        detail: Some(out.detail.clone()),
                        conversation: None,
                    });
                }
            }
        }
        if drain {
            for assigned in super::conversations::drain(&state).await? {
                if now.contains_key(&assigned.id) {
                    now.insert(assigned.id, assigned);
                }
            }
        }
        let mut shown: HashMap<i64, ConversationOut> =
            conversations_out(&state, &auth.0, now.into_values().collect())
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        for row in &mut rows {
            row.conversation = shown.remove(&row.id);
        }
        let applied = u32::try_from(rows.iter().filter(|r| r.ok).count()).unwrap_or(u32::MAX);
        let failed = u32::try_from(rows.len()).unwrap_or(u32::MAX) - applied;
        tracing::info!(
            actor = %auth.0.token_name,
            action = ?body.action,
            applied,
            failed,
            "bulk conversation action"
        );
        Ok(Json(BulkOut {
            rows,
            applied,
            failed,
        }))
    }
}

/// The request's action as a row's change, its agent, team or label
/// checked once: a 400 when a field it needs is missing, a 422 naming an
/// unknown one.
async fn plan(state: &AppState, body: &BulkIn) -> ApiResult<Plan> {
    let label = |add: bool| match body.label_id {
        Some(label_id) => Ok(Plan::Label { add, label_id }),
        None => Err(ApiError::bad_request(
            "invalid_body",
            "label_id: required for label_add and label_remove",
        )),
    };
    let plan = match body.action {
        BulkAction::Assign => {
            if body.agent_id.is_none() && body.team_id.is_none() {
                return Err(ApiError::bad_request(
                    "invalid_body",
                    "assign: give `agent_id`, `team_id` or both",
                ));
            }
            let change = Change::Transfer {
                team_id: body.team_id,
                agent_id: body.agent_id,
            };
            check_targets(state, &change).await?;
            Plan::Change(change)
        }
        BulkAction::Resolve => Plan::Change(Change::Resolve),
        BulkAction::LabelAdd => label(true)?,
        BulkAction::LabelRemove => label(false)?,
    };
    if let Plan::Label { label_id, .. } = plan
        && entities::label::Entity::find_by_id(label_id)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_field(
            "label_id",
            format!("no label with id {label_id}"),
        ));
    }
    Ok(plan)
}

/// One row in its own transaction: the conversation as it is after it,
/// and whether anything changed.
async fn row(
    state: &AppState,
    principal: &Principal,
    item: &BulkItemIn,
    plan: &Plan,
) -> ApiResult<(conversation::Model, bool)> {
    let before = visible_conversation(&state.db, principal, item.id).await?;
    let txn = relay::db::begin_write(&state.db).await?;
    match plan {
        Plan::Change(change) => {
            let row = change_in(&txn, principal, &before, item.version, change).await?;
            txn.commit().await?;
            Ok((changed(state, principal, row, change).await, true))
        }
        Plan::Label { add, label_id } => {
            // Labels do not move the version; the row is still refused when
            // the conversation changed since it was read. The check is an
            // update that changes nothing, so on PostgreSQL it also holds
            // the row until the commit (no transition slips in between).
            let held = conversation::Entity::update_many()
                .col_expr(
                    conversation::Column::Version,
                    Expr::col(conversation::Column::Version),
                )
                .filter(conversation::Column::Id.eq(item.id))
                .filter(conversation::Column::Version.eq(item.version))
                .exec(&txn)
                .await?
                .rows_affected;
            let current = conversation::Entity::find_by_id(item.id)
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::not_found("conversation"))?;
            if held == 0 {
                return Err(ApiError::conflict(format!(
                    "conversation changed: version is {}, not {}",
                    current.version, item.version
                )));
            }
            let done = if *add {
                super::labels::add(&txn, principal, item.id, *label_id).await?
            } else {
                super::labels::remove(&txn, principal, item.id, *label_id).await?
            };
            txn.commit().await?;
            if done {
                super::announce_conversation(state, item.id, "labels", serde_json::json!({})).await;
            }
            Ok((current, done))
        }
    }
}
