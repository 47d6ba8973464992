//! `/api/v1/conversations`: the list (filters, the newest / longest-waiting
//! orders with their cursors, full-text search through `search`; what each
//! row shows beyond its own columns comes from `listing`), detail with the
//! message timeline, replies (queued to OUTBOUND for the sender, naming the
//! agent who sent them), and the ownership changes claim, transfer, resolve
//! and reopen — all through `relay::assignment::transition`, so a stale
//! `version` is a 409.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::conversation::ConversationStatus;
use entities::{
    agent, business_number, contact, conversation, conversation_label, conversation_snooze,
    message, team,
};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use relay::assignment::{self, Change, TransitionError};
use relay::envelope::{MediaKind, ReplyContent};
use relay::outbound::{ReplyError, enqueue_reply};
use sea_orm::sea_query::{Expr, ExprTrait, Query as Sql};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::ApiTags;
use super::labels::{LabelOut, label_out};
use crate::AppState;
use crate::auth::{Principal, Role, TokenAuth};
use crate::error::{ApiError, ApiResult};
use crate::scope::{AgentScope, visible_conversation};
use crate::{listing, search};

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
    /// The assignee's display name.
    pub assignee_name: Option<String>,
    /// The team's name.
    pub team_name: Option<String>,
    /// The newest message, for the list's preview.
    pub last_message: Option<MessagePreviewOut>,
    /// Customer messages the calling agent has not read yet (absent for a
    /// caller that is no agent, such as an integrator token).
    pub unread_count: Option<i64>,
    /// Since when the customer waits for an answer: their first message
    /// after our last reply; absent when nothing waits.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The conversation's labels, by name.
    pub labels: Vec<LabelOut>,
    /// Snoozed until then: out of the active views until the customer
    /// writes or the time passes; absent when awake.
    pub snoozed_until: Option<DateTime<Utc>>,
    /// With a search (`q`): the message that matched (absent when the
    /// contact's name, username or phone matched).
    pub matched_message: Option<MessagePreviewOut>,
    /// The running SLA clock (absent without a policy or a running clock).
    pub sla: Option<SlaOut>,
    /// The customer-satisfaction question of the last resolution and its
    /// answer (absent when none was due).
    pub csat: Option<CsatOut>,
}

/// A conversation's satisfaction question and answer (`docs/reports.md`,
/// "Customer satisfaction").
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CsatOut {
    /// due (waits to be sent), asked, answered, cancelled (reopened
    /// before an answer) or skipped (not sendable).
    pub state: String,
    pub asked_at: Option<DateTime<Utc>>,
    /// Until then an answer counts.
    pub expires_at: Option<DateTime<Utc>>,
    /// The question's message.
    pub message_id: Option<i64>,
    /// 1 (very poor) to 5 (excellent).
    pub score: Option<i32>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The satisfaction question of `c`.
fn csat_out(c: &conversation::Model) -> Option<CsatOut> {
    Some(CsatOut {
        state: c.csat_state.clone()?,
        asked_at: c.csat_asked_at,
        expires_at: c.csat_expires_at,
        message_id: c.csat_message_id,
        score: c.csat_score,
        answered_at: c.csat_answered_at,
    })
}

/// Where a conversation stands against its SLA policy (`docs/reports.md`,
/// "SLA policies").
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SlaOut {
    pub policy_id: i64,
    /// first_response, next_response or resolution: the clock due first.
    pub target: String,
    /// The nearest due time of the running clocks.
    pub due_at: DateTime<Utc>,
    /// ok, warning (about to breach) or breached (past due).
    pub state: String,
    /// The target whose breach was recorded (absent until the sweep
    /// records it).
    pub breach: Option<String>,
    pub breached_at: Option<DateTime<Utc>>,
}

/// The SLA of `c` now.
fn sla_out(c: &conversation::Model) -> Option<SlaOut> {
    let state = crate::sla::state(c, Utc::now())?;
    Some(SlaOut {
        policy_id: c.sla_policy_id?,
        target: c.sla_target.clone()?,
        due_at: c.sla_due_at?,
        state: state.as_str().to_owned(),
        breach: c.sla_breach.clone(),
        breached_at: c.sla_breached_at,
    })
}

/// A message in short, as the list shows it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MessagePreviewOut {
    pub id: i64,
    /// inbound or outbound.
    pub direction: String,
    /// text, image, template, … (what to show when there is no text).
    pub kind: String,
    /// The text of a text message, its first 120 characters.
    pub text: Option<String>,
    /// The provider's time of the message.
    pub at: DateTime<Utc>,
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
    /// The agent who sent an outbound reply (absent for the bot, tokens
    /// without an agent and phone-app echoes).
    pub agent_id: Option<i64>,
    /// That agent's display name.
    pub agent_name: Option<String>,
    /// The campaign this message was sent for (`/api/v1/campaigns/{id}`):
    /// the context of the customer's answer.
    pub campaign_id: Option<i64>,
    /// The file of an image, video, audio, document or sticker message
    /// (absent for other messages).
    pub media: Option<MediaOut>,
}

/// Where a media message's file is, and what it is: enough for a list to
/// show a size hint and a placeholder without downloading anything.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MediaOut {
    /// pending (being fetched from the provider), stored (served at
    /// `url`), failed (could not be fetched: a dead letter with reason
    /// `media`, replay retries it) or expired (older than the bucket's
    /// retention).
    pub state: String,
    /// MIME type (the provider's until stored).
    pub mime_type: Option<String>,
    /// Size in bytes (the provider's word until stored).
    pub size: Option<i64>,
    /// A document's file name.
    pub filename: Option<String>,
    /// SHA-256 of the stored bytes, hex (also the download's ETag).
    pub sha256: Option<String>,
    /// When the file was stored.
    pub fetched_at: Option<DateTime<Utc>>,
    /// A stored image's or sticker's width and height in pixels (read
    /// from its header): lets a client reserve the space before loading it.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Where the file is downloaded: `/api/v1/messages/{id}/media`.
    pub url: String,
}

/// A conversation with its message timeline.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ConversationDetailOut {
    pub conversation: ConversationOut,
    /// In provider time order.
    pub messages: Vec<MessageOut>,
    /// Its snoozes, oldest first (shown as system lines in the timeline).
    pub snoozes: Vec<SnoozeOut>,
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

/// A bot handing a conversation to people.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HandoffIn {
    /// Why (kept in the audit log), e.g. `customer asked for a person`.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub reason: String,
    /// The team whose queue takes it; by default the routing rules' bot
    /// handover team.
    pub team_id: Option<i64>,
    /// Its priority in that queue (default: the bot rule's).
    pub priority: Option<i32>,
}

/// Snooze until a time.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnoozeIn {
    /// The `version` you read; a stale one is a 409.
    pub version: i64,
    /// When it wakes (RFC 3339), in the future and within 366 days; the
    /// customer writing wakes it earlier.
    pub until: DateTime<Utc>,
}

/// A snooze of a conversation, and how it ended.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SnoozeOut {
    pub id: i64,
    /// The agent who snoozed it (absent for an integrator token).
    pub agent_id: Option<i64>,
    /// That agent's display name.
    pub agent_name: Option<String>,
    pub snoozed_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// When it ended; absent while it sleeps.
    pub ended_at: Option<DateTime<Utc>>,
    /// customer (wrote), time (passed), agent (woke or claimed it),
    /// replaced (snoozed again) or resolved.
    pub end_reason: Option<String>,
}

/// A change that needs only the version read.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VersionIn {
    /// The `version` you read; a stale one is a 409.
    pub version: i64,
}

/// How a refused or failed reply is answered (a reply and a retry alike).
pub(crate) fn reply_error(err: ReplyError) -> ApiError {
    match err {
        ReplyError::NotFound(_) => ApiError::not_found("conversation"),
        err @ ReplyError::WindowClosed { .. } => {
            ApiError::unprocessable("window_closed", err.to_string())
        }
        err @ ReplyError::Empty => ApiError::bad_request("invalid_body", err.to_string()),
        err @ ReplyError::InvalidMediaUrl => {
            ApiError::unprocessable("invalid_media_url", err.to_string())
        }
        ReplyError::Template(refusal) => ApiError::unprocessable(
            match refusal {
                relay::templates::Refusal::Unknown { .. } => "template_unknown",
                relay::templates::Refusal::NotApproved { .. } => "template_not_approved",
            },
            refusal.to_string(),
        ),
        ReplyError::Database(err) => ApiError::internal(err),
        err @ ReplyError::NotQueued(_) => ApiError::unavailable(err.to_string()),
    }
}

/// The answer to a queued reply (text, template, media or attachment):
/// logged, audited (who replied, which message and of what kind; never the
/// text, which the message row holds under its own access) and shown.
pub(crate) async fn replied(
    state: &AppState,
    principal: &Principal,
    row: message::Model,
) -> ApiResult<ReplyResponse> {
    tracing::info!(
        actor = %principal.token_name,
        agent_id = ?principal.agent_id,
        conversation_id = row.conversation_id,
        message_id = row.id,
        "reply queued"
    );
    crate::audit::record(
        &state.db,
        principal,
        "conversation.reply",
        "conversation",
        row.conversation_id,
        serde_json::json!({"message_id": row.id, "kind": row.kind}),
    )
    .await?;
    let out = messages_out(&state.db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("reply vanished"))?;
    Ok(ReplyResponse::Accepted(Json(out)))
}

#[derive(ApiResponse)]
pub(crate) enum ReplyResponse {
    /// The reply is stored and queued for sending.
    #[oai(status = 202)]
    Accepted(Json<MessageOut>),
}

/// The API's view of message rows, with the names of the agents who sent
/// them (one query).
pub(crate) async fn messages_out(
    db: &impl ConnectionTrait,
    rows: Vec<message::Model>,
) -> ApiResult<Vec<MessageOut>> {
    let names = listing::agent_names(db, distinct(rows.iter().filter_map(|m| m.agent_id))).await?;
    Ok(rows
        .into_iter()
        .map(|m| {
            let name = m.agent_id.and_then(|id| names.get(&id).cloned());
            message_out(m, name)
        })
        .collect())
}

/// The ids once each.
pub(crate) fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut seen = std::collections::HashSet::new();
    ids.filter(|id| seen.insert(*id)).collect()
}

fn preview_out(m: &message::Model) -> MessagePreviewOut {
    let is_text = m.kind == message::MessageKind::Text.to_string();
    MessagePreviewOut {
        id: m.id,
        direction: m.direction.clone(),
        kind: m.kind.clone(),
        text: m
            .body
            .as_deref()
            .filter(|_| is_text)
            .map(|b| listing::shorten(b, listing::PREVIEW_CHARS)),
        at: m.provider_timestamp,
    }
}

fn media_out(m: &message::Model) -> Option<MediaOut> {
    Some(MediaOut {
        state: m.media_state.clone()?,
        mime_type: m.media_type.clone(),
        size: m.media_size,
        filename: m.media_filename.clone(),
        sha256: m
            .media_sha256
            .clone()
            .filter(|_| m.media_state.as_deref() == Some("stored")),
        fetched_at: m.media_fetched_at,
        width: m.media_width,
        height: m.media_height,
        url: format!("/api/v1/messages/{}/media", m.id),
    })
}

fn message_out(m: message::Model, agent_name: Option<String>) -> MessageOut {
    MessageOut {
        media: media_out(&m),
        agent_id: m.agent_id,
        agent_name,
        campaign_id: m.campaign_id,
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

/// Joins conversations with their numbers, contacts, names, last messages,
/// labels and the caller's unread counts: one batched query each, whatever
/// the number of rows.
pub(crate) async fn conversations_out(
    state: &AppState,
    caller: &Principal,
    rows: Vec<conversation::Model>,
) -> ApiResult<Vec<ConversationOut>> {
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let number_ids: Vec<i64> = rows.iter().map(|c| c.business_number_id).collect();
    let contact_ids: Vec<i64> = rows.iter().map(|c| c.contact_id).collect();
    let agents = listing::agent_names(
        &state.db,
        distinct(rows.iter().filter_map(|c| c.assignee_id)),
    )
    .await?;
    let teams =
        listing::team_names(&state.db, distinct(rows.iter().filter_map(|c| c.team_id))).await?;
    let mut last = listing::last_messages(&state.db, &ids).await?;
    let mut labels = listing::labels_of(&state.db, &ids).await?;
    let unread = match caller.agent_id {
        Some(agent) => Some(listing::unread_counts(&state.db, agent, &ids).await?),
        None => None,
    };
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
                sla: sla_out(&c),
                csat: csat_out(&c),
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
                assignee_name: c.assignee_id.and_then(|a| agents.get(&a).cloned()),
                team_name: c.team_id.and_then(|t| teams.get(&t).cloned()),
                last_message: last.remove(&c.id).as_ref().map(preview_out),
                unread_count: unread
                    .as_ref()
                    .map(|counts| counts.get(&c.id).copied().unwrap_or(0)),
                waiting_since: c.waiting_since,
                labels: labels
                    .remove(&c.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(label_out)
                    .collect(),
                snoozed_until: c.snoozed_until,
                matched_message: None,
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
pub(crate) async fn check_targets(state: &AppState, change: &Change) -> ApiResult<()> {
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
    let before = visible_conversation(&state.db, &auth.0, id).await?;
    check_targets(state, &change).await?;
    // The change and its audit entry in one transaction.
    let txn = relay::db::begin_write(&state.db).await?;
    let row = change_in(&txn, &auth.0, &before, version, &change).await?;
    txn.commit().await?;
    let mut row = changed(state, &auth.0, row, &change).await;
    if may_free(&change) {
        for assigned in drain(state).await? {
            if assigned.id == row.id {
                row = assigned;
            }
        }
    }
    let out = conversations_out(state, &auth.0, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("conversation vanished"))?;
    Ok(Json(out))
}

/// `change` of the conversation `before` if it is still at `version`, its
/// audit entry and the integrators' event, all in `txn` (the caller
/// commits). The one place of an agent's conversation change: the single
/// endpoints and each row of a bulk action.
pub(crate) async fn change_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    before: &conversation::Model,
    version: i64,
    change: &Change,
) -> ApiResult<conversation::Model> {
    let row = assignment::transition(txn, before.id, version, change)
        .await
        .map_err(transition_error)?;
    crate::audit::record(
        txn,
        principal,
        match change {
            Change::Claim { .. } => "conversation.claim",
            Change::Transfer { .. } => "conversation.transfer",
            Change::Resolve => "conversation.resolve",
            Change::Reopen => "conversation.reopen",
            Change::Snooze { .. } => "conversation.snooze",
            Change::Wake => "conversation.wake",
            // Routing is the router's, never an API change.
            Change::Route { .. } => "conversation.route",
        },
        "conversation",
        before.id,
        serde_json::json!({"before": placement(before), "after": placement(&row)}),
    )
    .await?;
    // The integrators' event commits with the change.
    let event = match change {
        Change::Claim { .. } | Change::Route { .. } => Some("conversation.assigned"),
        Change::Transfer { .. } => Some("conversation.transferred"),
        Change::Resolve => Some("conversation.resolved"),
        Change::Reopen => Some("conversation.reopened"),
        // Not in the integrators' catalog (yet).
        Change::Snooze { .. } | Change::Wake => None,
    };
    if let Some(event) = event {
        relay::hooks::outbox::record_conversation(txn, event, &row).await?;
    }
    Ok(row)
}

/// After a change committed: logged and announced live.
pub(crate) async fn changed(
    state: &AppState,
    principal: &Principal,
    row: conversation::Model,
    change: &Change,
) -> conversation::Model {
    tracing::info!(
        actor = %principal.token_name,
        conversation_id = row.id,
        version = row.version,
        change = change.kind(),
        "conversation changed"
    );
    assignment::announce(&state.nats, &row, change.kind()).await;
    row
}

/// Whether `change` may free an agent or refill a queue (a claim takes one;
/// a snooze frees nobody and queues nothing).
pub(crate) fn may_free(change: &Change) -> bool {
    !matches!(change, Change::Claim { .. } | Change::Snooze { .. })
}

/// Hands queued conversations to available agents and announces each.
pub(crate) async fn drain(state: &AppState) -> ApiResult<Vec<conversation::Model>> {
    let assigned = assignment::drain_queues(&state.db).await?;
    for row in &assigned {
        assignment::announce(&state.nats, row, assignment::ASSIGNED).await;
    }
    Ok(assigned)
}

/// A conversation's snoozes, oldest first, with the snoozing agents' names.
async fn snoozes_out(db: &impl ConnectionTrait, id: i64) -> ApiResult<Vec<SnoozeOut>> {
    let rows = conversation_snooze::Entity::find()
        .filter(conversation_snooze::Column::ConversationId.eq(id))
        .order_by_asc(conversation_snooze::Column::Id)
        .all(db)
        .await?;
    let names = listing::agent_names(db, distinct(rows.iter().filter_map(|s| s.agent_id))).await?;
    Ok(rows
        .into_iter()
        .map(|s| SnoozeOut {
            id: s.id,
            agent_name: s.agent_id.and_then(|a| names.get(&a).cloned()),
            agent_id: s.agent_id,
            snoozed_at: s.snoozed_at,
            until: s.until,
            ended_at: s.ended_at,
            end_reason: s.end_reason,
        })
        .collect())
}

/// Where a conversation stands, as its audit entries record it.
fn placement(c: &conversation::Model) -> serde_json::Value {
    serde_json::json!({
        "status": c.status, "team_id": c.team_id, "assignee_id": c.assignee_id, "version": c.version,
        "snoozed_until": c.snoozed_until,
    })
}

/// The order of the conversation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum ConversationSort {
    /// Newest conversation first.
    Newest,
    /// The customer who has waited longest for an answer first; answered
    /// conversations after them, newest first.
    Waiting,
    /// The nearest SLA due time first (overdue ones first); conversations
    /// without a running SLA clock after them, newest first.
    Due,
}

/// The order a page was listed in (a search ranks by match).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Newest,
    Waiting,
    Due,
    Rank,
}

/// Where the next page starts: after conversation `id` (newest first);
/// after (waiting since, id) (longest waiting first); after `n` search
/// results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Before(i64),
    Waiting(Option<i64>, i64),
    Offset(usize),
}

impl Cursor {
    /// The cursor of `text` for a listing in `order`: `<id>`,
    /// `w<nanoseconds>.<id>` (`w.<id>` once past the waiting ones) or
    /// `s<offset>`; any other is a 400.
    fn parse(text: &str, order: Order) -> ApiResult<Self> {
        let refused = || {
            ApiError::bad_request(
                "invalid_parameter",
                "cursor is not one we issued for this order",
            )
        };
        let number = |t: &str| t.parse::<i64>().map_err(|_| refused());
        match order {
            Order::Newest => Ok(Cursor::Before(number(text)?)),
            Order::Waiting | Order::Due => {
                let (since, id) = text
                    .strip_prefix(order.key_prefix())
                    .and_then(|rest| rest.split_once('.'))
                    .ok_or_else(refused)?;
                let since = (!since.is_empty()).then(|| number(since)).transpose()?;
                Ok(Cursor::Waiting(since, number(id)?))
            }
            Order::Rank => text
                .strip_prefix('s')
                .and_then(|n| n.parse().ok())
                .map(Cursor::Offset)
                .ok_or_else(refused),
        }
    }

    /// The cursor of the page after `last` in `order`.
    fn after(order: Order, last: &conversation::Model) -> String {
        match order {
            Order::Waiting | Order::Due => {
                let key = if order == Order::Due {
                    last.sla_due_at
                } else {
                    last.waiting_since
                };
                let since = key
                    .and_then(|t| t.timestamp_nanos_opt())
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                format!("{}{since}.{}", order.key_prefix(), last.id)
            }
            Order::Newest | Order::Rank => last.id.to_string(),
        }
    }
}

impl Order {
    /// The first letter of a keyed order's cursors.
    fn key_prefix(self) -> char {
        if self == Order::Due { 'd' } else { 'w' }
    }

    /// `query` in this order, starting after `cursor`.
    fn apply(
        self,
        query: sea_orm::Select<conversation::Entity>,
        cursor: Option<Cursor>,
    ) -> sea_orm::Select<conversation::Entity> {
        use conversation::Column::{Id, SlaDueAt, WaitingSince};
        match self {
            Order::Waiting | Order::Due => {
                let key = if self == Order::Due {
                    SlaDueAt
                } else {
                    WaitingSince
                };
                let query = query
                    .order_by_asc(Expr::col(key).is_null())
                    .order_by_asc(key)
                    .order_by_desc(Id);
                match cursor {
                    Some(Cursor::Waiting(Some(nanos), id)) => {
                        let since = DateTime::<Utc>::from_timestamp_nanos(nanos);
                        query.filter(
                            Condition::any()
                                .add(key.gt(since))
                                .add(key.eq(since).and(Id.lt(id)))
                                .add(key.is_null()),
                        )
                    }
                    Some(Cursor::Waiting(None, id)) => {
                        query.filter(key.is_null()).filter(Id.lt(id))
                    }
                    _ => query,
                }
            }
            Order::Newest | Order::Rank => {
                let query = query.order_by_desc(Id);
                match cursor {
                    Some(Cursor::Before(id)) => query.filter(Id.lt(id)),
                    _ => query,
                }
            }
        }
    }
}

pub struct ConversationsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl ConversationsApi {
    /// List conversations
    ///
    /// Filter by status, business number, team, assignee (or `unassigned`)
    /// and label. `sort=newest` (default) lists the newest conversations
    /// first; `sort=waiting` those whose customer has waited longest for an
    /// answer first, then the answered ones, newest first. `q` searches
    /// message text and the contact's name, username and phone (words in
    /// any order, punctuation ignored, prefixes match) and ranks the
    /// results best first, each naming its `matched_message`. Page with
    /// `cursor`. Agents see the conversations of their teams and their own.
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
        /// Only conversations nobody is assigned to.
        unassigned: Query<Option<bool>>,
        /// Only conversations carrying this label (id).
        label: Query<Option<i64>>,
        /// `true`: only snoozed conversations; `false`: only awake ones
        /// (the active views); absent: both.
        snoozed: Query<Option<bool>>,
        /// Words to search for in messages and contacts.
        #[oai(validator(min_length = 1, max_length = 200))]
        q: Query<Option<String>>,
        /// newest (default), waiting (longest waiting first) or due (the
        /// nearest SLA due time first); ignored with `q` (best match first).
        sort: Query<Option<ConversationSort>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(
            pattern = r"^([0-9]{1,19}|[wd](-?[0-9]{1,19})?\.[0-9]{1,19}|s[0-9]{1,9})$"
        ))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<ConversationPageOut>> {
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let limit = usize::try_from(limit).unwrap_or(200);
        let search = q.0.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        let order = match (&search, sort.0) {
            (Some(_), _) => Order::Rank,
            (None, Some(ConversationSort::Waiting)) => Order::Waiting,
            (None, Some(ConversationSort::Due)) => Order::Due,
            (None, _) => Order::Newest,
        };
        let cursor = cursor.0.map(|c| Cursor::parse(&c, order)).transpose()?;
        let unassigned = unassigned.0.unwrap_or(false);
        if unassigned && assignee.0.is_some() {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "give `assignee` or `unassigned`, not both",
            ));
        }
        let empty = || {
            Ok(Json(ConversationPageOut {
                items: Vec::new(),
                next_cursor: None,
            }))
        };
        let mut query = conversation::Entity::find();
        if let Some(scope) = AgentScope::of(&state.db, &auth.0).await? {
            query = query.filter(scope.condition());
        }
        if let Some(team) = team.0 {
            query = query.filter(conversation::Column::TeamId.eq(team));
        }
        if let Some(assignee) = assignee.0 {
            query = query.filter(conversation::Column::AssigneeId.eq(assignee));
        }
        if unassigned {
            query = query.filter(conversation::Column::AssigneeId.is_null());
        }
        if let Some(label) = label.0 {
            let carrying = Sql::select()
                .column(conversation_label::Column::ConversationId)
                .from(conversation_label::Entity)
                .and_where(conversation_label::Column::LabelId.eq(label))
                .to_owned();
            query = query.filter(conversation::Column::Id.in_subquery(carrying));
        }
        match snoozed.0 {
            Some(true) => query = query.filter(conversation::Column::SnoozedUntil.is_not_null()),
            Some(false) => query = query.filter(conversation::Column::SnoozedUntil.is_null()),
            None => {}
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
                return empty();
            };
            query = query.filter(conversation::Column::BusinessNumberId.eq(found.id));
        }
        let (rows, next_cursor, matched) = match search {
            Some(text) => {
                let hits = search::search(&state.db, &text).await?;
                let offset = match cursor {
                    Some(Cursor::Offset(n)) => n,
                    _ => 0,
                };
                let rank: HashMap<i64, usize> = hits
                    .iter()
                    .enumerate()
                    .map(|(i, h)| (h.conversation_id, i))
                    .collect();
                let mut rows = query
                    .filter(conversation::Column::Id.is_in(rank.keys().copied()))
                    .all(&state.db)
                    .await?;
                rows.sort_by_key(|c| rank.get(&c.id).copied().unwrap_or(usize::MAX));
                let more = rows.len() > offset + limit;
                let rows: Vec<_> = rows.into_iter().skip(offset).take(limit).collect();
                let matched: HashMap<i64, i64> = rows
                    .iter()
                    .filter_map(|c| {
                        let hit = &hits[*rank.get(&c.id)?];
                        Some((c.id, hit.message_id?))
                    })
                    .collect();
                let next = more.then(|| format!("s{}", offset + limit));
                (rows, next, matched)
            }
            None => {
                query = order.apply(query, cursor);
                let mut rows = query.limit(limit as u64 + 1).all(&state.db).await?;
                let more = rows.len() > limit;
                rows.truncate(limit);
                let next = more
                    .then(|| rows.last().map(|c| Cursor::after(order, c)))
                    .flatten();
                (rows, next, HashMap::new())
            }
        };
        let mut items = conversations_out(&state, &auth.0, rows).await?;
        if !matched.is_empty() {
            let messages: HashMap<i64, message::Model> = message::Entity::find()
                .filter(message::Column::Id.is_in(matched.values().copied()))
                .all(&state.db)
                .await?
                .into_iter()
                .map(|m| (m.id, m))
                .collect();
            for item in &mut items {
                item.matched_message = matched
                    .get(&item.id)
                    .and_then(|m| messages.get(m))
                    .map(preview_out);
            }
        }
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
            .await?;
        let messages = messages_out(&state.db, messages).await?;
        let snoozes = snoozes_out(&state.db, row.id).await?;
        let conversation = conversations_out(&state, &auth.0, vec![row])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("conversation vanished"))?;
        Ok(Json(ConversationDetailOut {
            conversation,
            messages,
            snoozes,
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
        let row = enqueue_reply(
            &state.db,
            &state.js,
            state.partitions,
            id.0,
            auth.0.agent_id,
            content,
        )
        .await
        .map_err(reply_error)?;
        replied(&state, &auth.0, row).await
    }

    /// Hand a bot's conversation to people
    ///
    /// For a bot on webhooks (or any integrator acting as one): the
    /// conversation, in `bot` state, goes to the handover team's queue and
    /// is assigned as routing assigns any (audited with the reason; a
    /// `conversation.handed_over` event follows). 422 `invalid_state` when
    /// it is not with a bot, 422 `invalid_field` without a handover team.
    #[oai(
        path = "/conversations/:id/handoff",
        method = "post",
        operation_id = "handoffConversation"
    )]
    async fn handoff(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<HandoffIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        let row = visible_conversation(&state.db, &auth.0, id.0).await?;
        let rules = relay::routing::load(&state.db).await?;
        let script = relay::routing::handover_script(&rules);
        let team_id = body
            .0
            .team_id
            .or_else(|| script.and_then(|s| s.handover_team_id))
            .ok_or_else(|| {
                ApiError::invalid_field("team_id", "no bot rule names a handover team: give one")
            })?;
        check_targets(
            &state,
            &Change::Transfer {
                team_id: Some(team_id),
                agent_id: None,
            },
        )
        .await?;
        let priority = body
            .0
            .priority
            .unwrap_or_else(|| script.map_or(0, |s| s.handover_priority));
        let after = assignment::hand_over(&state.db, &state.nats, &row, team_id, priority)
            .await
            .map_err(transition_error)?;
        crate::audit::record(
            &state.db,
            &auth.0,
            "conversation.handoff",
            "conversation",
            row.id,
            serde_json::json!({"reason": body.0.reason, "before": placement(&row), "after": placement(&after)}),
        )
        .await?;
        let out = conversations_out(&state, &auth.0, vec![after])
            .await?
            .pop()
            .ok_or_else(|| ApiError::internal("conversation vanished"))?;
        Ok(Json(out))
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

    /// Snooze a conversation
    ///
    /// Out of the active views (list with `snoozed=false`) and out of
    /// automatic assignment until `until`; it keeps its status and
    /// assignee. It wakes, with a `woke` live event and a line in its
    /// timeline, when the customer writes or the time passes. Snoozing a
    /// snoozed conversation moves its time. 422 `invalid_state` for a
    /// resolved one or a time not in the future.
    #[oai(
        path = "/conversations/:id/snooze",
        method = "post",
        operation_id = "snoozeConversation"
    )]
    async fn snooze(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<SnoozeIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        let snooze = Change::Snooze {
            until: body.0.until,
            agent_id: auth.0.agent_id,
            actor: auth.0.actor(),
        };
        change(&state, &auth, id.0, body.0.version, snooze).await
    }

    /// Wake a snoozed conversation
    ///
    /// Back to the active views now. 422 `invalid_state` when it is not
    /// snoozed.
    #[oai(
        path = "/conversations/:id/wake",
        method = "post",
        operation_id = "wakeConversation"
    )]
    async fn wake(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<VersionIn>,
    ) -> ApiResult<Json<ConversationOut>> {
        change(&state, &auth, id.0, body.0.version, Change::Wake).await
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
