//! `/api/v1/conversations`: list with filters and cursor paging, detail with
//! the message timeline, replies (queued to OUTBOUND for the sender), and the
//! ownership changes claim, transfer, resolve and reopen — all through
//! `relay::assignment::transition`, so a stale `version` is a 409.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::conversation::ConversationStatus;
use entities::{agent, business_number, contact, conversation, message, team};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use relay::assignment::{self, Change, TransitionError};
use relay::envelope::{MediaKind, ReplyContent};
use relay::outbound::{ReplyError, enqueue_reply};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ApiTags;
use crate::AppState;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::scope::{AgentScope, visible_conversation};

/// The customer of a conversation.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ContactOut {
    pub id: i64,
    /// The contact's key: its phone number, or its BSUID for a user first
    /// seen without one (a username hides the phone).
    pub wa_id: String,
    pub profile_name: Option<String>,
    /// The WhatsApp username, when the user adopted one.
    pub username: Option<String>,
    /// The phone number, when known.
    pub phone: Option<String>,
    /// Meta's business-scoped user id (BSUID), when known.
    pub user_id: Option<String>,
    pub tier: String,
}

/// A conversation between a business number and a contact.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationOut {
    pub id: i64,
    /// bot, queued, assigned, pending or resolved.
    pub status: String,
    /// Optimistic-locking version: send it back with claims and transfers.
    pub version: i64,
    pub priority: i32,
    pub team_id: Option<i64>,
    pub assignee_id: Option<i64>,
    /// The business phone number id.
    pub business_number: String,
    pub contact: ContactOut,
    /// Provider time of the latest message.
    pub last_message_at: DateTime<Utc>,
    /// Provider time of the customer's latest message (opens the 24 h window).
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One page of conversations.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationPageOut {
    pub items: Vec<ConversationOut>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// One message of a conversation.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MessageOut {
    pub id: i64,
    /// inbound (from the customer) or outbound (our reply).
    pub direction: String,
    pub provider: String,
    pub provider_message_id: Option<String>,
    /// text, image, template, …
    pub kind: String,
    pub body: Option<String>,
    /// received, queued, sent, delivered, read or failed.
    pub status: String,
    /// The provider's error when failed.
    pub error: Option<String>,
    /// The provider's time of the message (ours for replies).
    pub provider_timestamp: DateTime<Utc>,
    /// When the customer edited it (`body` is the new text).
    pub edited_at: Option<DateTime<Utc>>,
    /// When its sender deleted it (kept for audit).
    pub deleted_at: Option<DateTime<Utc>>,
    /// The provider id of the message it quotes or reacts to (or edits,
    /// deletes).
    pub reply_to: Option<String>,
    /// `phone_app` for a message sent from the WhatsApp Business app on the
    /// same number (coexistence echo).
    pub origin: Option<String>,
    /// The provider's object for an inbound message, whole (location
    /// coordinates, contact cards, interactive replies, an unknown type's
    /// fields); the reply's content for an outbound one.
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A conversation with its message timeline.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationDetailOut {
    pub conversation: ConversationOut,
    /// In provider time order.
    pub messages: Vec<MessageOut>,
}

/// A template reply.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TemplateIn {
    pub name: String,
    /// Language code, e.g. `en` or `pt_BR`.
    pub language: String,
    /// Body parameters, in order.
    #[oai(default)]
    pub parameters: Vec<String>,
}

/// What kind of media a reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum MediaKindIn {
    Image,
    Video,
    Audio,
    Document,
}

/// A media reply by URL (the provider fetches it); inside the 24 h window.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MediaIn {
    pub kind: MediaKindIn,
    /// Absolute http(s) URL the provider can fetch.
    #[oai(validator(min_length = 12, max_length = 2048))]
    pub url: String,
    /// Shown under images, videos and documents.
    #[oai(validator(max_length = 1024))]
    pub caption: Option<String>,
    /// Shown for documents.
    #[oai(validator(max_length = 240))]
    pub filename: Option<String>,
}

/// A reply: exactly one of free-form `text` or `media` (inside the 24 h
/// window) or a `template`.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ReplyIn {
    #[oai(validator(max_length = 4096))]
    pub text: Option<String>,
    pub template: Option<TemplateIn>,
    pub media: Option<MediaIn>,
}

/// Claim a conversation from the queue.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClaimIn {
    /// The `version` you read; a stale one is a 409.
    pub version: i64,
    /// The agent taking it; defaults to the caller's agent.
    pub agent_id: Option<i64>,
}

/// Transfer to an agent, or back to a team's queue.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TransferIn {
    /// The `version` you read; a stale one is a 409.
    pub version: i64,
    /// The new team (kept when absent).
    pub team_id: Option<i64>,
    /// The new assignee; absent puts the conversation in the team queue.
    pub agent_id: Option<i64>,
}

/// A change that needs only the version read.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VersionIn {
    /// The `version` you read; a stale one is a 409.
    pub version: i64,
}

#[derive(ApiResponse)]
enum ReplyResponse {
    /// The reply is stored and queued for sending.
    #[oai(status = 202)]
    Accepted(Json<MessageOut>),
}

pub(crate) fn message_out(m: message::Model) -> MessageOut {
    MessageOut {
        id: m.id,
        direction: m.direction,
        provider: m.provider,
        provider_message_id: m.provider_message_id,
        kind: m.kind,
        body: m.body,
        status: m.status,
        error: m.error,
        provider_timestamp: m.provider_timestamp,
        edited_at: m.edited_at,
        deleted_at: m.deleted_at,
        reply_to: m.reply_to,
        origin: m.origin,
        payload: m.payload,
        created_at: m.created_at,
    }
}

/// Joins conversations with their numbers and contacts in two batched queries.
async fn conversations_out(
    state: &AppState,
    rows: Vec<conversation::Model>,
) -> ApiResult<Vec<ConversationOut>> {
    let number_ids: Vec<i64> = rows.iter().map(|c| c.business_number_id).collect();
    let contact_ids: Vec<i64> = rows.iter().map(|c| c.contact_id).collect();
    let numbers: HashMap<i64, String> = business_number::Entity::find()
        .filter(business_number::Column::Id.is_in(number_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.phone_number_id))
        .collect();
    let contacts: HashMap<i64, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(contact_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    rows.into_iter()
        .map(|c| {
            let contact = contacts.get(&c.contact_id).ok_or_else(|| {
                ApiError::internal(format!("conversation {} has no contact", c.id))
            })?;
            Ok(ConversationOut {
                id: c.id,
                status: c.status,
                version: c.version,
                priority: c.priority,
                team_id: c.team_id,
                assignee_id: c.assignee_id,
                business_number: numbers
                    .get(&c.business_number_id)
                    .cloned()
                    .unwrap_or_default(),
                contact: ContactOut {
                    id: contact.id,
                    wa_id: contact.wa_id.clone(),
                    profile_name: contact.profile_name.clone(),
                    username: contact.username.clone(),
                    phone: contact.phone.clone(),
                    user_id: contact.user_id.clone(),
                    tier: contact.tier.clone(),
                },
                last_message_at: c.last_message_at,
                last_inbound_at: c.last_inbound_at,
                created_at: c.created_at,
            })
        })
        .collect()
}

fn transition_error(err: TransitionError) -> ApiError {
    match err {
        TransitionError::NotFound => ApiError::not_found("conversation"),
        err @ TransitionError::Conflict { .. } => ApiError::conflict(err.to_string()),
        TransitionError::Invalid(detail) => ApiError::unprocessable("invalid_state", detail),
        TransitionError::Database(err) => ApiError::from(err),
    }
}

/// The team and agent a claim or transfer names must exist: otherwise a 422
/// naming `team_id` or `agent_id` (not the foreign key's 500).
async fn check_targets(state: &AppState, change: &Change) -> ApiResult<()> {
    let (team_id, agent_id) = match change {
        Change::Claim { agent_id } => (None, Some(*agent_id)),
        Change::Transfer { team_id, agent_id } => (*team_id, *agent_id),
        _ => (None, None),
    };
    if let Some(id) = team_id
        && team::Entity::find_by_id(id).one(&state.db).await?.is_none()
    {
        return Err(ApiError::invalid_field(
            "team_id",
            format!("no team with id {id}"),
        ));
    }
    if let Some(id) = agent_id
        && agent::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_field(
            "agent_id",
            format!("no agent with id {id}"),
        ));
    }
    Ok(())
}

/// Runs one optimistic-locking transition, announces it, and — when it may
/// have freed an agent or refilled a queue — hands queued conversations out.
async fn change(
    state: &AppState,
    auth: &TokenAuth,
    id: i64,
    version: i64,
    change: Change,
) -> ApiResult<Json<ConversationOut>> {
    visible_conversation(&state.db, &auth.0, id).await?;
    check_targets(state, &change).await?;
    let row = assignment::transition(&state.db, id, version, &change)
        .await
        .map_err(transition_error)?;
    tracing::info!(
        actor = %auth.0.token_name,
        conversation_id = id,
        version = row.version,
        change = change.kind(),
        "conversation changed"
    );
    assignment::announce(&state.nats, &row, change.kind()).await;
    let mut row = row;
    if !matches!(change, Change::Claim { .. }) {
        for assigned in assignment::drain_queues(&state.db).await? {
            assignment::announce(&state.nats, &assigned, assignment::ASSIGNED).await;
            if assigned.id == row.id {
                row = assigned;
            }
        }
    }
    let out = conversations_out(state, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("conversation vanished"))?;
    Ok(Json(out))
}

pub struct ConversationsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl ConversationsApi {
    /// List conversations
    ///
    /// Newest first. Filter by status, business number, team, assignee and
    /// text (contact name or number, or message text); page with `cursor`.
    /// Agents see the conversations of their teams and their own.
    #[oai(
        path = "/conversations",
        method = "get",
        operation_id = "listConversations"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        /// bot, queued, assigned, pending or resolved.
        status: Query<Option<String>>,
        /// Business phone number id.
        number: Query<Option<String>>,
        /// Team id.
        team: Query<Option<i64>>,
        /// Assigned agent's id.
        assignee: Query<Option<i64>>,
        /// Text in the contact's name or number, or in a message.
        #[oai(validator(min_length = 1, max_length = 200))]
        q: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[0-9]{1,19}$"))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ConversationPageOut>> {
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let mut query = conversation::Entity::find().order_by_desc(conversation::Column::Id);
        if let Some(scope) = AgentScope::of(&state.db, &auth.0).await? {
            query = query.filter(scope.condition());
        }
        if let Some(team) = team.0 {
            query = query.filter(conversation::Column::TeamId.eq(team));
        }
        if let Some(assignee) = assignee.0 {
            query = query.filter(conversation::Column::AssigneeId.eq(assignee));
        }
        if let Some(text) = q.0.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", text.replace(['%', '_'], ""));
            let contacts: Vec<i64> = contact::Entity::find()
                .filter(
                    Condition::any()
                        .add(contact::Column::ProfileName.like(pattern.clone()))
                        .add(contact::Column::WaId.like(pattern.clone())),
                )
                .limit(1000)
                .all(&state.db)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let conversations: Vec<i64> = message::Entity::find()
                .filter(message::Column::Body.like(pattern))
                .limit(1000)
                .all(&state.db)
                .await?
                .into_iter()
                .map(|m| m.conversation_id)
                .collect();
            query = query.filter(
                Condition::any()
                    .add(conversation::Column::ContactId.is_in(contacts))
                    .add(conversation::Column::Id.is_in(conversations)),
            );
        }
        if let Some(status) = status.0 {
            let status = super::parse_choice(
                "status",
                "invalid_parameter",
                &status,
                ConversationStatus::ALL,
            )?;
            query = query.filter(conversation::Column::Status.eq(status));
        }
        if let Some(number) = number.0 {
            let found = business_number::Entity::find()
                .filter(business_number::Column::PhoneNumberId.eq(number))
                .one(&state.db)
                .await?;
            let Some(found) = found else {
                return Ok(Json(ConversationPageOut {
                    items: Vec::new(),
                    next_cursor: None,
                }));
            };
            query = query.filter(conversation::Column::BusinessNumberId.eq(found.id));
        }
        if let Some(cursor) = cursor.0 {
            let before: i64 = cursor.parse().map_err(|_| {
                ApiError::bad_request("invalid_parameter", "cursor is not one we issued")
            })?;
            query = query.filter(conversation::Column::Id.lt(before));
        }
        let mut rows = query.limit(limit + 1).all(&state.db).await?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = more
            .then(|| rows.last().map(|c| c.id.to_string()))
            .flatten();
        let items = conversations_out(&state, rows).await?;
        Ok(Json(ConversationPageOut { items, next_cursor }))
    }

    /// Get a conversation with its messages
    #[oai(
        path = "/conversations/:id",
        method = "get",
        operation_id = "getConversation"
    )]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<ConversationDetailOut>> {
        let row = visible_conversation(&state.db, &auth.0, id.0).await?;
        let messages = message::Entity::find()
            .filter(message::Column::ConversationId.eq(row.id))
            .order_by_asc(message::Column::ProviderTimestamp)
            .order_by_asc(message::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .map(message_out)
            .collect();
        let conversation = conversations_out(&state, vec![row])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("conversation vanished"))?;
        Ok(Json(ConversationDetailOut {
            conversation,
            messages,
        }))
    }

    /// Reply to a conversation
    ///
    /// Stores the reply (`queued`) and hands it to the sender. Free-form text is
    /// refused with 422 `window_closed` more than 24 h after the customer's last
    /// message; templates are allowed at any time.
    #[oai(
        path = "/conversations/:id/reply",
        method = "post",
        operation_id = "replyToConversation"
    )]
    async fn reply(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ReplyIn>,
    ) -> ApiResult<ReplyResponse> {
        visible_conversation(&state.db, &auth.0, id.0).await?;
        let content = match (body.0.text, body.0.template, body.0.media) {
            (Some(text), None, None) => ReplyContent::Text { body: text },
            (None, Some(t), None) => ReplyContent::Template {
                name: t.name,
                language: t.language,
                parameters: t.parameters,
            },
            (None, None, Some(m)) => ReplyContent::Media {
                kind: match m.kind {
                    MediaKindIn::Image => MediaKind::Image,
                    MediaKindIn::Video => MediaKind::Video,
                    MediaKindIn::Audio => MediaKind::Audio,
                    MediaKindIn::Document => MediaKind::Document,
                },
                url: m.url,
                caption: m.caption,
                filename: m.filename,
            },
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_body",
                    "give exactly one of `text`, `template` or `media`",
                ));
            }
        };
        match enqueue_reply(&state.db, &state.js, state.partitions, id.0, content).await {
            Ok(row) => {
                tracing::info!(
                    actor = %auth.0.token_name,
                    agent_id = ?auth.0.agent_id,
                    conversation_id = id.0,
                    message_id = row.id,
                    "reply queued"
                );
                Ok(ReplyResponse::Accepted(Json(message_out(row))))
            }
            Err(ReplyError::NotFound(_)) => Err(ApiError::not_found("conversation")),
            Err(err @ ReplyError::WindowClosed { .. }) => {
                Err(ApiError::unprocessable("window_closed", err.to_string()))
            }
            Err(err @ ReplyError::Empty) => {
                Err(ApiError::bad_request("invalid_body", err.to_string()))
            }
            Err(err @ ReplyError::InvalidMediaUrl) => Err(ApiError::unprocessable(
                "invalid_media_url",
                err.to_string(),
            )),
            Err(ReplyError::Template(refusal)) => Err(ApiError::unprocessable(
                match refusal {
                    relay::templates::Refusal::Unknown { .. } => "template_unknown",
                    relay::templates::Refusal::NotApproved { .. } => "template_not_approved",
                },
                refusal.to_string(),
            )),
            Err(ReplyError::Database(err)) => Err(ApiError::internal(err)),
            Err(err @ ReplyError::NotQueued(_)) => Err(ApiError::unavailable(err.to_string())),
        }
    }

    /// Claim a conversation
    ///
    /// An agent takes a `queued` (or `bot`) conversation. Send the `version`
    /// you read: if anyone changed it since, the answer is 409 `conflict`.
    #[oai(
        path = "/conversations/:id/claim",
        method = "post",
        operation_id = "claimConversation"
    )]
    async fn claim(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ClaimIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        let agent_id = body.0.agent_id.or(auth.0.agent_id).ok_or_else(|| {
            ApiError::bad_request("invalid_body", "give `agent_id` (the token has no agent)")
        })?;
        if auth.0.role == Role::Agent && auth.0.agent_id != Some(agent_id) {
            return Err(ApiError::forbidden("agents claim for themselves only"));
        }
        change(
            &state,
            &auth,
            id.0,
            body.0.version,
            Change::Claim { agent_id },
        )
        .await
    }

    /// Transfer a conversation
    ///
    /// To another agent, or (without `agent_id`) to a team's queue.
    #[oai(
        path = "/conversations/:id/transfer",
        method = "post",
        operation_id = "transferConversation"
    )]
    async fn transfer(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<TransferIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        let TransferIn {
            version,
            team_id,
            agent_id,
        } = body.0;
        if team_id.is_none() && agent_id.is_none() {
            return Err(ApiError::bad_request(
                "invalid_body",
                "give `team_id`, `agent_id` or both",
            ));
        }
        change(
            &state,
            &auth,
            id.0,
            version,
            Change::Transfer { team_id, agent_id },
        )
        .await
    }

    /// Resolve a conversation
    ///
    /// Frees the agent, who may get the next queued conversation.
    #[oai(
        path = "/conversations/:id/resolve",
        method = "post",
        operation_id = "resolveConversation"
    )]
    async fn resolve(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<VersionIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        change(&state, &auth, id.0, body.0.version, Change::Resolve).await
    }

    /// Reopen a conversation
    ///
    /// A resolved conversation goes back to its team's queue.
    #[oai(
        path = "/conversations/:id/reopen",
        method = "post",
        operation_id = "reopenConversation"
    )]
    async fn reopen(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<VersionIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        change(&state, &auth, id.0, body.0.version, Change::Reopen).await
    }
}
