//! `messages`: every inbound and outbound WhatsApp message of a conversation,
//! deduplicated by `(provider, provider_message_id)`.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Name of the unique index on `(provider, provider_message_id)`; a unique
/// violation mentioning it means the message was already stored.
pub const UNIQUE_PROVIDER_MESSAGE_ID: &str = "ux_messages_provider_message_id";

string_enum! {
    /// Whether the customer or Wharf sent the message (`direction` column).
    Direction {
        Inbound => "inbound",
        Outbound => "outbound",
    }
}

string_enum! {
    /// WhatsApp message type (`kind` column).
    MessageKind {
        Text => "text",
        Image => "image",
        Audio => "audio",
        Video => "video",
        Document => "document",
        Sticker => "sticker",
        Location => "location",
        Contacts => "contacts",
        Interactive => "interactive",
        Button => "button",
        Template => "template",
        Reaction => "reaction",
        Order => "order",
        System => "system",
        /// A user opened the chat for the first time (Meta).
        RequestWelcome => "request_welcome",
        /// A message the provider marks as unsupported (with its error).
        Unsupported => "unsupported",
        /// A type this build does not know yet: the provider's object is
        /// kept whole and shown as such, so the customer is never ignored.
        Unknown => "unknown",
    }
}

string_enum! {
    /// Delivery state (`status` column). Inbound messages are `received`;
    /// outbound ones move `queued → sent → delivered → read` or `failed`.
    MessageStatus {
        Received => "received",
        Queued => "queued",
        Sent => "sent",
        Delivered => "delivered",
        Read => "read",
        /// A voice message was listened to (WasenderApi); ranks as `read`.
        Played => "played",
        Failed => "failed",
    }
}

string_enum! {
    /// Where a media message's file is (`media_state` column; `NULL` for a
    /// message without media): being fetched from the provider, stored in
    /// the media bucket, failed for good (a dead letter, reason `media`,
    /// replay retries it), or gone after the bucket's retention.
    MediaState {
        Pending => "pending",
        Stored => "stored",
        Failed => "failed",
        Expired => "expired",
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    /// One of [`Direction`].
    pub direction: String,
    /// One of [`crate::business_number::Provider`].
    pub provider: String,
    /// Provider-side id (`wamid...`); `NULL` until an outbound message is sent.
    pub provider_message_id: Option<String>,
    /// One of [`MessageKind`].
    pub kind: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub body: Option<String>,
    /// Raw / structured provider payload.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// One of [`MessageStatus`].
    pub status: String,
    pub error: Option<String>,
    pub provider_timestamp: DateTimeUtc,
    /// When the customer edited it (its `body` is the new text; the
    /// original stays in the lifecycle records).
    pub edited_at: Option<DateTimeUtc>,
    /// When it was deleted (revoked) by its sender; kept for audit.
    pub deleted_at: Option<DateTimeUtc>,
    /// The provider id of the message it quotes (a reply) or reacts to.
    pub reply_to: Option<String>,
    /// Where an outbound message came from when not from Wharf:
    /// `phone_app` for one sent from the WhatsApp Business app on the same
    /// number (coexistence echo), never sent again.
    pub origin: Option<String>,
    /// The agent who sent an outbound reply (`None` for inbound messages,
    /// the bot, integrator tokens and phone-app echoes).
    pub agent_id: Option<i64>,
    /// The campaign it was sent for (sent on the sender's campaign lane).
    pub campaign_id: Option<i64>,
    /// One of [`MediaState`]; `None` for a message without media.
    pub media_state: Option<String>,
    /// The file's MIME type (the provider's, as stored).
    pub media_type: Option<String>,
    /// The file's size in bytes (the provider's word until it is stored).
    pub media_size: Option<i64>,
    /// SHA-256 of the stored bytes, lowercase hex (the provider's until then).
    pub media_sha256: Option<String>,
    /// A document's file name, as the customer sent it.
    pub media_filename: Option<String>,
    /// The object's name in the media bucket, once stored.
    pub media_key: Option<String>,
    /// When the bytes were stored.
    pub media_fetched_at: Option<DateTimeUtc>,
    /// A stored image's or sticker's size in pixels, read from its header
    /// (`None` for other files, or a header that does not read).
    pub media_width: Option<i32>,
    pub media_height: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The `status` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`MessageStatus`].
    pub fn status(&self) -> Result<MessageStatus, crate::UnknownVariant> {
        self.status.parse()
    }

    /// The `direction` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`Direction`].
    pub fn direction(&self) -> Result<Direction, crate::UnknownVariant> {
        self.direction.parse()
    }

    /// The `media_state` column, typed (`None` without media).
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`MediaState`].
    pub fn media_state(&self) -> Result<Option<MediaState>, crate::UnknownVariant> {
        self.media_state.as_deref().map(str::parse).transpose()
    }
}

crate::relations! {
    Conversation => belongs_to conversation (ConversationId, update Cascade, delete Cascade),
}

crate::stamped!(created_at, updated_at);
