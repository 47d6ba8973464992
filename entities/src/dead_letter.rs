//! `dead_letters`: stream messages that could not be processed, kept for
//! inspection and replay.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Triage state of a dead letter (`status` column).
    DeadLetterStatus {
        Pending => "pending",
        Replayed => "replayed",
        Discarded => "discarded",
    }
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "dead_letters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Component that gave up on the message.
    pub origin: String,
    pub reason: String,
    /// Stream subject the message was published on.
    pub subject: String,
    pub stream_sequence: i64,
    /// Publisher-assigned message id (dedup header), if any.
    pub msg_id: Option<String>,
    pub error: String,
    pub attempts: i32,
    /// One of [`DeadLetterStatus`].
    pub status: String,
    pub replay_count: i32,
    /// Sequence of the (latest) letter in the DLQ stream, where the original
    /// bytes and headers are kept.
    pub dlq_sequence: Option<i64>,
    /// Business number (phone number id / session) of the message, if known.
    pub business_number: Option<String>,
    pub first_failed_at: Option<DateTimeUtc>,
    pub last_failed_at: Option<DateTimeUtc>,
    /// Earlier failures of this letter (one object per failed replay).
    #[sea_orm(column_type = "JsonBinary")]
    pub history: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The `status` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`DeadLetterStatus`].
    pub fn status(&self) -> Result<DeadLetterStatus, crate::UnknownVariant> {
        self.status.parse()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

crate::stamped!(created_at, updated_at);
