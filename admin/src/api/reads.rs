//! `/api/v1/conversations/:id/read`: an agent's read marker on a
//! conversation, moved forward when the agent opens it; the list counts the
//! customer's messages after it as unread (`listing::unread_counts`).

use chrono::{DateTime, Utc};
use entities::{conversation_read, message};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::ApiTags;
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// How far the caller has read.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReadIn {
    /// The newest message seen; the conversation's newest when absent.
    pub message_id: Option<i64>,
}

/// The caller's read marker on a conversation.
#[derive(Debug, Object)]
pub struct ReadOut {
    pub conversation_id: i64,
    /// The newest message the caller has seen (0: none).
    pub last_read_message_id: i64,
    pub read_at: DateTime<Utc>,
}

pub struct ReadsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl ReadsApi {
    /// Mark a conversation read
    ///
    /// Moves the calling agent's read marker forward to `message_id` (or the
    /// newest message); never back. Tokens without an agent have no marker
    /// (400); a message of another conversation is a 422 naming `message_id`.
    #[oai(
        path = "/conversations/:id/read",
        method = "post",
        operation_id = "markConversationRead"
    )]
    async fn mark(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ReadIn>,
    ) -> ApiResult<Json<ReadOut>> {
        let agent_id = auth.0.agent_id.ok_or_else(|| {
            ApiError::bad_request(
                "invalid_body",
                "read markers are per agent: this token has none",
            )
        })?;
        crate::scope::visible_conversation(&state.db, &auth.0, id.0).await?;
        let txn = relay::db::begin_write(&state.db).await?;
        let mut newest = message::Entity::find()
            .filter(message::Column::ConversationId.eq(id.0))
            .order_by_desc(message::Column::Id);
        if let Some(message_id) = body.0.message_id {
            newest = newest.filter(message::Column::Id.eq(message_id));
        }
        let seen = newest.one(&txn).await?;
        let seen = match (seen, body.0.message_id) {
            (Some(m), _) => m.id,
            (None, Some(message_id)) => {
                return Err(ApiError::invalid_field(
                    "message_id",
                    format!("message {message_id} is not in conversation {}", id.0),
                ));
            }
            (None, None) => 0,
        };
        let now = Utc::now();
        let marker = conversation_read::Entity::find_by_id((agent_id, id.0))
            .one(&txn)
            .await?;
        let marker = match marker {
            Some(m) if m.last_read_message_id >= seen => m,
            Some(m) => {
                let mut active: conversation_read::ActiveModel = m.into();
                active.last_read_message_id = Set(seen);
                active.read_at = Set(now);
                active.update(&txn).await?
            }
            None => {
                conversation_read::ActiveModel {
                    agent_id: Set(agent_id),
                    conversation_id: Set(id.0),
                    last_read_message_id: Set(seen),
                    read_at: Set(now),
                }
                .insert(&txn)
                .await?
            }
        };
        txn.commit().await?;
        Ok(Json(ReadOut {
            conversation_id: id.0,
            last_read_message_id: marker.last_read_message_id,
            read_at: marker.read_at,
        }))
    }
}
