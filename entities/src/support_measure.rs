//! `support_measures`: one row per measured support event (an opening, an
//! agent's first or next response, a resolution), written by database
//! triggers in the transaction of the message insert or status change
//! that causes it (migrations `m20261204_000014_support_measures` and
//! `m20261205_000020_bot_and_presence_measures`; the
//! rules are `docs/reports.md`). Reports read a time range of `at`.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// What a row measures (`kind` column).
    MeasureKind {
        /// A conversation's first opening: the customer's first message.
        Opened => "opened",
        /// A reopened conversation's first customer message.
        Reopened => "reopened",
        /// The opening's first customer message → the first agent reply.
        FirstResponse => "first_response",
        /// A customer message after an agent reply → the next agent reply.
        NextResponse => "next_response",
        /// The opening → the conversation resolved.
        Resolution => "resolution",
        /// The opening → a bot's conversation handed to people (its
        /// `bot` state left for anything but `resolved`).
        Handoff => "handoff",
        /// A resolution straight from `bot` state without an agent reply
        /// in the opening (beside its `resolution` row; never timed).
        BotResolved => "bot_resolved",
        /// A customer-satisfaction question sent after a resolution
        /// (a count; agent = the assignee who resolved).
        CsatAsked => "csat_asked",
        /// Its answer: `seconds` holds the score, 1 to 5 (not a time).
        Csat => "csat",
        /// A customer message (reactions aside; agent = the conversation's
        /// assignee then). A count.
        MessageIn => "message_in",
        /// An outbound message (the bot's, an agent's, a template; agent =
        /// its sender if an agent). A count.
        MessageOut => "message_out",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "support_measures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    pub business_number_id: i64,
    /// The conversation's team at `at`.
    pub team_id: Option<i64>,
    /// The replying agent (responses), the assignee (resolutions); `None`
    /// for openings.
    pub agent_id: Option<i64>,
    /// One of [`MeasureKind`].
    pub kind: String,
    /// When the measured span started (`None` for openings, and for a
    /// resolution of a conversation whose opening is unknown).
    pub started_at: Option<DateTimeUtc>,
    /// When it happened (the span's end).
    pub at: DateTimeUtc,
    /// Whole seconds from `started_at` to `at`; `None` when not measured.
    pub seconds: Option<i64>,
    /// The seconds of `started_at → at` inside the business hours of the
    /// team (`team_id`; no team or no hours: `seconds`); `None` until the
    /// admin servers' sweep fills it, and for untimed kinds.
    pub business_seconds: Option<i64>,
}

impl Model {
    /// The `kind` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`MeasureKind`].
    pub fn kind(&self) -> Result<MeasureKind, crate::UnknownVariant> {
        self.kind.parse()
    }
}

crate::relations! {
    Conversation => belongs_to conversation (ConversationId, delete Cascade),
}

impl ActiveModelBehavior for ActiveModel {}
