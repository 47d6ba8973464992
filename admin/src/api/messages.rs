//! `/api/v1/messages/{id}`: one message with its lifecycle — every stage the
//! roles recorded (received at an edge, stored with its stream sequence,
//! routed, queued, each failed attempt, sent, delivered, read, failed,
//! dead-lettered, replayed), for support debugging.

use chrono::{DateTime, Utc};
use entities::message;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::EntityTrait;

use super::ApiTags;
use super::conversations::{MessageOut, messages_out};
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// One stage of a message's life.
#[derive(Debug, Object)]
pub struct StageOut {
    /// received, stored, routed, assigned, queued, retrying, sent,
    /// delivered, read, failed, dead_lettered, replayed or repaired.
    pub stage: String,
    pub at: DateTime<Utc>,
    /// What the role knew then (region, stream sequence, attempt, error
    /// code, DLQ reason …); never a secret.
    pub detail: serde_json::Value,
}

/// A message and its lifecycle, oldest stage first.
#[derive(Debug, Object)]
pub struct MessageLifecycleOut {
    pub message: MessageOut,
    pub conversation_id: i64,
    pub stages: Vec<StageOut>,
}

pub struct MessagesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl MessagesApi {
    /// A message's lifecycle
    ///
    /// Every stage recorded for one message, in time order: where and when
    /// it was received and stored, routed, sent, each retry with its error
    /// code, delivered, read, failed, dead-lettered and replayed.
    #[oai(
        path = "/messages/:id/lifecycle",
        method = "get",
        operation_id = "getMessageLifecycle"
    )]
    async fn lifecycle(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// Message id (as in a conversation's timeline).
        id: Path<i64>,
    ) -> ApiResult<Json<MessageLifecycleOut>> {
        let row = message::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("message"))?;
        // An agent reads only the messages of conversations it may see.
        crate::scope::visible_conversation(&state.db, &auth.0, row.conversation_id).await?;
        let stages = relay::lifecycle::timeline(&state.db, row.id)
            .await?
            .into_iter()
            .map(|e| StageOut {
                stage: e.stage,
                at: e.at,
                detail: e.detail,
            })
            .collect();
        let conversation_id = row.conversation_id;
        let message = messages_out(&state.db, vec![row])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("message vanished"))?;
        Ok(Json(MessageLifecycleOut {
            conversation_id,
            message,
            stages,
        }))
    }
}
