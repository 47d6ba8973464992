//! `/api/v1/messages/{id}`: one message with its lifecycle — every stage the
//! roles recorded (received at an edge, stored with its stream sequence,
//! routed, queued, each failed attempt, sent, delivered, read, failed,
//! dead-lettered, replayed), for support debugging.

use chrono::{DateTime, Utc};
use entities::message::{Direction, MessageStatus};
use entities::{dead_letter, message};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{Object, OpenApi, payload::Json};
use relay::envelope::ReplyContent;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ApiTags;
use super::conversations::{MessageOut, ReplyResponse, messages_out, reply_error};
use crate::AppState;
use crate::audit;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};

/// One stage of a message's life.
#[derive(Debug, Object)]
pub struct StageOut {
    /// received, stored, routed, assigned, queued, retrying, sent,
    /// delivered, read, failed, dead_lettered, replayed, repaired, the
    /// media stages, or `webhook_<outcome>` for a delivery to an
    /// integrator's endpoint.
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
        // One snapshot for the row and its stages: read apart, a reply the
        // sender failed and dead-lettered in between showed its
        // `dead_lettered` stage beside a `queued` status.
        let snapshot = relay::db::begin_read(&state.db).await?;
        let row = message::Entity::find_by_id(id.0)
            .one(&snapshot)
            .await?
            .ok_or_else(|| ApiError::not_found("message"))?;
        // An agent reads only the messages of conversations it may see.
        crate::scope::visible_conversation(&snapshot, &auth.0, row.conversation_id).await?;
        let mut stages: Vec<StageOut> = relay::lifecycle::timeline(&snapshot, row.id)
            .await?
            .into_iter()
            .map(|e| StageOut {
                detail: shown_detail(&e.stage, e.detail),
                stage: e.stage,
                at: e.at,
            })
            .collect();
        // Its webhook deliveries to integrators, in time order with the rest.
        let attempts = entities::webhook_attempt::Entity::find()
            .filter(entities::webhook_attempt::Column::MessageId.eq(row.id))
            .order_by_asc(entities::webhook_attempt::Column::Id)
            .limit(200)
            .all(&snapshot)
            .await?;
        stages.extend(attempts.into_iter().map(|a| StageOut {
            stage: format!("webhook_{}", a.outcome),
            at: a.at,
            detail: serde_json::json!({
                "endpoint_id": a.endpoint_id, "event_id": a.event_id, "event_type": a.event_type,
                "attempt": a.attempt, "status_code": a.status_code, "latency_ms": a.latency_ms,
            }),
        }));
        stages.sort_by_key(|s| s.at);
        let conversation_id = row.conversation_id;
        let message = messages_out(&snapshot, vec![row])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("message vanished"))?;
        snapshot.commit().await?;
        Ok(Json(MessageLifecycleOut {
            conversation_id,
            message,
            stages,
        }))
    }

    /// Retry a failed reply
    ///
    /// Queues a new reply with the failed one's content (text, template or
    /// media), sent like any reply: the 24 h window and the template checks
    /// apply again. The original stays `failed`; its pending dead letter, if
    /// it has one, is discarded so a later replay cannot send it a second
    /// time. The audit entry links the two messages and the letter. 409 when
    /// the message is not a failed reply.
    #[oai(
        path = "/messages/:id/retry",
        method = "post",
        operation_id = "retryMessage"
    )]
    async fn retry(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// The failed reply's message id.
        id: Path<i64>,
    ) -> ApiResult<ReplyResponse> {
        let row = message::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("message"))?;
        crate::scope::visible_conversation(&state.db, &auth.0, row.conversation_id).await?;
        if row.direction() != Ok(Direction::Outbound) || row.status() != Ok(MessageStatus::Failed) {
            return Err(ApiError::conflict(format!(
                "only a failed reply can be retried (this is a {} {} message)",
                row.status, row.direction
            )));
        }
        // Once: a second retry of the same reply would send it twice more.
        if let Some(retry) = relay::outbound::retried_as(&state.db, row.id).await? {
            return Err(ApiError::conflict(format!(
                "this reply was retried already (as message {retry})"
            )));
        }
        let content: ReplyContent = serde_json::from_value(row.payload.clone()).map_err(|_| {
            ApiError::conflict(
                "this reply's content was not stored in a form that can be sent again",
            )
        })?;
        let retry = relay::outbound::enqueue_reply(
            &state.db,
            &state.js,
            state.partitions,
            row.conversation_id,
            auth.0.agent_id,
            content,
        )
        .await
        .map_err(reply_error)?;
        // The letter the reply's last dead-lettering made: the sender's,
        // at the OUTBOUND sequence its lifecycle recorded.
        let sequence = relay::lifecycle::timeline(&state.db, row.id)
            .await?
            .into_iter()
            .rev()
            .find(|e| e.stage == "dead_lettered")
            .and_then(|e| e.detail["stream_sequence"].as_i64());
        let letter = match sequence {
            Some(sequence) => {
                dead_letter::Entity::find()
                    .filter(dead_letter::Column::Origin.eq(relay::topology::DLQ_ORIGIN_SENDER))
                    .filter(dead_letter::Column::StreamSequence.eq(sequence))
                    .filter(dead_letter::Column::Status.eq(dead_letter::DeadLetterStatus::Pending))
                    .one(&state.db)
                    .await?
            }
            None => None,
        };
        let actor = auth.0.actor();
        if let Some(letter) = &letter
            && let Err(err) = relay::dlq::discard(&state.db, letter.id, &actor).await
        {
            tracing::warn!(%err, letter = letter.id, "the retried reply's dead letter was not discarded");
        }
        audit::record(
            &state.db,
            &auth.0,
            relay::outbound::RETRY_ACTION,
            "message",
            row.id,
            serde_json::json!({
                "conversation_id": row.conversation_id,
                "retry_message_id": retry.id,
                "dead_letter_id": letter.as_ref().map(|l| l.id),
            }),
        )
        .await?;
        let out = messages_out(&state.db, vec![retry])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("reply vanished"))?;
        Ok(ReplyResponse::Accepted(Json(out)))
    }
}

/// A stage's detail as the API shows it: an upload's handle that is a URL
/// (WasenderApi serves the file there to anyone for 24 hours) is left out;
/// Meta's media ids, usable only with the number's token, stay.
fn shown_detail(stage: &str, mut detail: serde_json::Value) -> serde_json::Value {
    if stage == entities::message_event::Stage::MediaUploaded.as_str()
        && detail["handle"]
            .as_str()
            .is_some_and(|h| h.starts_with("http://") || h.starts_with("https://"))
    {
        detail["handle"] = serde_json::Value::String("(a URL, not shown)".into());
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_urls_are_not_shown_media_ids_are() {
        let url =
            serde_json::json!({"provider": "wasender", "handle": "https://x.example/f?sig=1"});
        assert_eq!(
            shown_detail("media_uploaded", url.clone())["handle"],
            "(a URL, not shown)"
        );
        assert_eq!(shown_detail("sent", url.clone()), url);
        let id = serde_json::json!({"provider": "meta", "handle": "4490709327384033"});
        assert_eq!(shown_detail("media_uploaded", id.clone()), id);
    }
}
