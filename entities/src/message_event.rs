//! `message_events`: the lifecycle of one message, one row per stage
//! (see [`Stage`]), appended by the roles as the message moves.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// What happened to the message (`stage` column).
    Stage {
        /// An edge accepted the webhook (`at` = the edge's receive time).
        Received => "received",
        /// Stored in INBOUND (detail: stream sequence, delivery count).
        Stored => "stored",
        /// Applied by a router to its conversation.
        Routed => "routed",
        /// Its conversation was handed to an agent.
        Assigned => "assigned",
        /// A reply row written and published to OUTBOUND.
        Queued => "queued",
        /// A send attempt is calling the provider (detail: attempt). The
        /// last stage of a reply whose sender died mid-call: outcome unknown.
        Sending => "sending",
        /// A send attempt failed and will be retried (detail: code, delay).
        Retrying => "retrying",
        /// The provider accepted the reply.
        Sent => "sent",
        Delivered => "delivered",
        Read => "read",
        /// Failed for good (detail: the provider's error).
        Failed => "failed",
        /// Written to the DLQ stream (detail: origin, reason).
        DeadLettered => "dead_lettered",
        /// Replayed from the DLQ by an admin.
        Replayed => "replayed",
        /// Applied late by the repair scan after its consumer lost it (detail:
        /// stream sequence); it may sit out of order in its conversation.
        Repaired => "repaired",
        /// The media fetcher took the message's file (detail: delivery).
        MediaFetchStarted => "media_fetch_started",
        /// Its file is in the media bucket (detail: bytes, mime, ms).
        MediaStored => "media_stored",
        /// Its file could not be fetched (detail: reason, attempts); a dead
        /// letter with reason `media` follows.
        MediaFailed => "media_failed",
        /// An attachment's file is being uploaded to the provider (detail:
        /// delivery, bytes); counts as an attempt.
        MediaUploading => "media_uploading",
        /// An attachment's file was handed to the provider before the
        /// message carrying it (detail: provider, handle — Meta's media id
        /// or the URL WasenderApi serves — and until when it is usable);
        /// a later attempt reuses it instead of uploading again.
        MediaUploaded => "media_uploaded",
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "message_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: i64,
    /// One of [`Stage`].
    pub stage: String,
    pub at: DateTimeUtc,
    #[sea_orm(column_type = "JsonBinary")]
    pub detail: Json,
}

crate::relations! {
    Message => belongs_to message (MessageId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
