//! Creating a reply: the message row (`queued`) and its publish to OUTBOUND
//! with `out:<row id>` as `Nats-Msg-Id`. Enforces WhatsApp's 24-hour
//! customer-service window for free-form text. Sending is the sender's job.

use async_nats::jetstream;
use chrono::{Duration, Utc};
use entities::message::{Direction, MediaState, MessageStatus};
use entities::{business_number, contact, conversation, message};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use crate::envelope::{MSG_ID_HEADER, OutboundReply, ReplyContent};

/// WhatsApp's customer-service window.
pub const SERVICE_WINDOW: Duration = Duration::hours(24);

/// Why a reply was not created.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    #[error("conversation {0} not found")]
    NotFound(i64),
    #[error(
        "the 24-hour customer-service window is closed (last customer message {last}); send a template instead"
    )]
    WindowClosed { last: String },
    #[error("reply is empty")]
    Empty,
    #[error("media url must be an absolute http(s) URL")]
    InvalidMediaUrl,
    #[error("{0}")]
    Template(#[from] crate::templates::Refusal),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("OUTBOUND did not store the reply: {0}")]
    NotQueued(#[source] crate::Error),
}

/// The audit action of a failed reply retried from the API; its detail's
/// `retry_message_id` names the new reply.
pub const RETRY_ACTION: &str = "message.retry";

/// The message a failed reply was retried as, if it was: a reply is
/// retried at most once, and a retried reply's dead letter must never be
/// replayed (the customer would get the text twice).
///
/// # Errors
/// Database errors.
pub async fn retried_as(
    db: &impl sea_orm::ConnectionTrait,
    message_id: i64,
) -> Result<Option<i64>, sea_orm::DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let entry = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq(RETRY_ACTION))
        .filter(entities::audit_log::Column::TargetType.eq("message"))
        .filter(entities::audit_log::Column::TargetId.eq(message_id.to_string()))
        .one(db)
        .await?;
    Ok(entry.map(|e| e.detail["retry_message_id"].as_i64().unwrap_or_default()))
}

/// Writes the reply row and publishes it; returns the row. `agent_id` is
/// the agent sending it (`None` for the bot or an integrator token), shown
/// on the outbound bubble.
///
/// # Errors
/// [`ReplyError`]: unknown conversation, closed window, empty text, or
/// storage failures (the row is then marked `failed`).
pub async fn enqueue_reply(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    conversation_id: i64,
    agent_id: Option<i64>,
    content: ReplyContent,
) -> Result<message::Model, ReplyError> {
    let target = check_reply(db, conversation_id, &content).await?;
    enqueue_checked(db, js, partitions, target, agent_id, content).await
}

/// Where a checked reply goes: what [`check_reply`] found.
pub struct ReplyTarget {
    conversation: conversation::Model,
    number: business_number::Model,
    contact: contact::Model,
}

impl ReplyTarget {
    /// The provider of the conversation's business number.
    pub fn provider(&self) -> Option<entities::business_number::Provider> {
        self.number.provider.parse().ok()
    }
}

/// Checks that `content` may be sent in the conversation now (it exists,
/// the 24-hour window for anything but a template, a sendable template),
/// changing nothing: a caller with work to do before the reply exists (an
/// upload to store) checks first.
///
/// # Errors
/// [`ReplyError`], as [`enqueue_reply`].
pub async fn check_reply(
    db: &DatabaseConnection,
    conversation_id: i64,
    content: &ReplyContent,
) -> Result<ReplyTarget, ReplyError> {
    match content {
        ReplyContent::Text { body } | ReplyContent::Interactive { body, .. }
            if body.trim().is_empty() =>
        {
            return Err(ReplyError::Empty);
        }
        ReplyContent::Template { name, .. } if name.trim().is_empty() => {
            return Err(ReplyError::Empty);
        }
        ReplyContent::Media { url, .. }
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() < 12 =>
        {
            return Err(ReplyError::InvalidMediaUrl);
        }
        _ => {}
    }
    let conversation = conversation::Entity::find_by_id(conversation_id)
        .one(db)
        .await?
        .ok_or(ReplyError::NotFound(conversation_id))?;
    if !matches!(content, ReplyContent::Template { .. }) {
        let open = conversation
            .last_inbound_at
            .is_some_and(|last| Utc::now() - last < SERVICE_WINDOW);
        if !open {
            return Err(ReplyError::WindowClosed {
                last: conversation
                    .last_inbound_at
                    .map_or_else(|| "never".to_owned(), |t| t.to_rfc3339()),
            });
        }
    }
    let number = business_number::Entity::find_by_id(conversation.business_number_id)
        .one(db)
        .await?
        .ok_or(ReplyError::NotFound(conversation_id))?;
    if let ReplyContent::Template { name, language, .. } = content {
        crate::templates::check_sendable(db, &number, name, language).await??;
    }
    let contact = contact::Entity::find_by_id(conversation.contact_id)
        .one(db)
        .await?
        .ok_or(ReplyError::NotFound(conversation_id))?;
    Ok(ReplyTarget {
        conversation,
        number,
        contact,
    })
}

/// Writes the row of a reply [`check_reply`] passed and publishes it.
///
/// # Errors
/// Storage failures (the row is then marked `failed`).
pub async fn enqueue_checked(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    target: ReplyTarget,
    agent_id: Option<i64>,
    content: ReplyContent,
) -> Result<message::Model, ReplyError> {
    let ReplyTarget {
        conversation,
        number,
        contact,
    } = target;
    let (row, kind) = reply_row(&conversation, &number, agent_id, &content, Utc::now());
    let row = row.insert(db).await?;
    let reply = OutboundReply {
        message_id: row.id,
        conversation_id: conversation.id,
        business_number: number.phone_number_id.clone(),
        to: crate::contacts::address(&contact),
        content,
        campaign_id: None,
    };
    if let Err(err) = publish(js, partitions, &reply).await {
        let mut failed: message::ActiveModel = row.into();
        failed.status = Set(MessageStatus::Failed.into());
        failed.error = Set(Some(format!("not queued: {err}")));
        failed.updated_at = Set(Utc::now());
        failed.update(db).await?;
        return Err(ReplyError::NotQueued(err));
    }
    crate::lifecycle::record_logged(
        db,
        row.id,
        entities::message_event::Stage::Queued,
        serde_json::json!({ "kind": kind }),
    )
    .await;
    Ok(row)
}

/// The `queued` row of an outbound message and its kind: the one shape of
/// a reply's row, for a reply ([`enqueue_checked`]) and a campaign's
/// message (`crate::campaigns`), which sets `campaign_id` on it.
pub fn reply_row(
    conversation: &conversation::Model,
    number: &business_number::Model,
    agent_id: Option<i64>,
    content: &ReplyContent,
    now: chrono::DateTime<Utc>,
) -> (message::ActiveModel, &'static str) {
    let mut row = message::ActiveModel {
        conversation_id: Set(conversation.id),
        direction: Set(Direction::Outbound.into()),
        provider: Set(number.provider.clone()),
        provider_message_id: Set(None),
        payload: Set(serde_json::to_value(content).unwrap_or_default()),
        status: Set(MessageStatus::Queued.into()),
        error: Set(None),
        provider_timestamp: Set(now),
        agent_id: Set(agent_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let (kind, body) = match content {
        ReplyContent::Text { body } => ("text", body.clone()),
        ReplyContent::Template { name, .. } => ("template", name.clone()),
        ReplyContent::Interactive { body, .. } => ("interactive", body.clone()),
        ReplyContent::Media {
            kind, url, caption, ..
        } => (
            kind.as_str(),
            caption.clone().unwrap_or_else(|| url.clone()),
        ),
        ReplyContent::Attachment {
            kind,
            object,
            mime,
            size,
            sha256,
            caption,
            filename,
            dimensions,
        } => {
            // The file is in the media bucket already: the row serves it
            // like a fetched one.
            row.media_state = Set(Some(MediaState::Stored.as_str().into()));
            row.media_type = Set(Some(mime.clone()));
            row.media_size = Set(i64::try_from(*size).ok());
            row.media_sha256 = Set(Some(sha256.clone()));
            row.media_filename = Set(filename.clone());
            row.media_key = Set(Some(object.clone()));
            row.media_fetched_at = Set(Some(now));
            row.media_width = Set(dimensions.map(|(w, _)| w));
            row.media_height = Set(dimensions.map(|(_, h)| h));
            (
                kind.as_str(),
                caption
                    .clone()
                    .or_else(|| filename.clone())
                    .unwrap_or_default(),
            )
        }
    };
    row.kind = Set(kind.into());
    row.body = Set(Some(body));
    (row, kind)
}

/// Publishes a reply to OUTBOUND and waits for the PubAck.
///
/// # Errors
/// The PubAck did not come.
pub async fn publish(
    js: &jetstream::Context,
    partitions: u16,
    reply: &OutboundReply,
) -> crate::Result<()> {
    publish_as(js, partitions, reply, &reply.msg_id()).await
}

/// [`publish`] under another dedupe id (`msg_id`), for a reply published
/// again on purpose (the repair) within the duplicate window.
///
/// # Errors
/// The PubAck did not come.
pub async fn publish_as(
    js: &jetstream::Context,
    partitions: u16,
    reply: &OutboundReply,
    msg_id: &str,
) -> crate::Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(MSG_ID_HEADER, msg_id);
    // Exported traces: the sender continues the span publishing this (the
    // admin request that made the reply).
    if let Some(trace) = crate::trace::traceparent_of(&tracing::Span::current()) {
        headers.insert(crate::envelope::TRACEPARENT_HEADER, trace.as_str());
    }
    let payload = serde_json::to_vec(reply)?;
    js.publish_with_headers(reply.subject(partitions), headers, payload.into())
        .await
        .map_err(crate::Error::nats)?
        .await
        .map_err(crate::Error::nats)?;
    Ok(())
}
