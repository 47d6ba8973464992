//! `conversations`: a support thread between one contact and one business
//! number, with its lifecycle status, routing (team/assignee) and the
//! optimistic-concurrency `version`.
#![forbid(unsafe_code)]

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

string_enum! {
    /// Where a conversation's customer-satisfaction question is
    /// (`csat_state` column).
    CsatState {
        /// Resolved on a number that asks: the question waits to be sent.
        Due => "due",
        /// Sent; an answer counts until `csat_expires_at`.
        Asked => "asked",
        /// The customer answered (`csat_score`).
        Answered => "answered",
        /// Reopened before an answer (a customer's other message, an agent).
        Cancelled => "cancelled",
        /// Not sendable when due (the 24-hour window closed, no contact).
        Skipped => "skipped",
    }
}

string_enum! {
    /// Lifecycle state of a conversation (`status` column).
    ConversationStatus {
        /// Handled by the bot / automation, no human involved yet.
        Bot => "bot",
        /// Waiting in a team queue for an agent.
        Queued => "queued",
        /// Owned by an agent (`assignee_id`).
        Assigned => "assigned",
        /// Waiting on the customer.
        Pending => "pending",
        /// Closed.
        Resolved => "resolved",
    }
}

impl ConversationStatus {
    /// Whether the conversation is still open (anything but `resolved`).
    pub const fn is_open(self) -> bool {
        !matches!(self, ConversationStatus::Resolved)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub business_number_id: i64,
    pub contact_id: i64,
    /// One of [`ConversationStatus`].
    pub status: String,
    pub team_id: Option<i64>,
    /// The assigned agent (`agents.id`).
    pub assignee_id: Option<i64>,
    /// Higher is more urgent; database default 0.
    pub priority: i32,
    /// Optimistic-concurrency version; database default 1.
    pub version: i64,
    /// Last inbound (customer) message; drives the WhatsApp 24h window.
    pub last_inbound_at: Option<DateTimeUtc>,
    pub last_message_at: DateTimeUtc,
    /// The customer's first message since our last reply: they wait for an
    /// answer since then. Kept by a database trigger on every message insert
    /// (migration `m20261204_000010_inbox`); `None` when answered.
    pub waiting_since: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    /// When the current assignee got the conversation (drives round-robin).
    pub assigned_at: Option<DateTimeUtc>,
    /// The customer's first message of the current opening (since it
    /// opened or reopened); `None` until they write. The support figures
    /// below are kept by database triggers (migration
    /// `m20261204_000014_support_measures`, rules in `docs/reports.md`).
    pub opened_at: Option<DateTimeUtc>,
    /// The customer's first message no agent has answered yet.
    pub response_due_since: Option<DateTimeUtc>,
    /// The first agent reply of the current opening.
    pub first_response_at: Option<DateTimeUtc>,
    /// Seconds from `opened_at`'s message to `first_response_at`.
    pub first_response_secs: Option<i64>,
    /// Seconds from `opened_at` to the last resolution (`None` while open).
    pub resolution_secs: Option<i64>,
    /// How often it reopened; database default 0.
    pub reopen_count: i32,
    /// Customer messages (reactions aside); database default 0.
    pub messages_in: i32,
    /// Outbound messages: agents', the bot's, echoes (reactions aside).
    pub messages_out: i32,
    /// Snoozed until then: out of the active views until the customer
    /// writes or the time passes (`relay::snooze`); `None` when awake.
    pub snoozed_until: Option<DateTimeUtc>,
    /// The SLA policy that applies (migration
    /// `m20261205_000022_sla_policies`; kept by the admin server's sweep,
    /// `admin::sla`): `None` without one.
    pub sla_policy_id: Option<i64>,
    /// Which clock `sla_due_at` belongs to: `first_response`,
    /// `next_response` or `resolution`.
    pub sla_target: Option<String>,
    /// The nearest due time of the running clocks.
    pub sla_due_at: Option<DateTimeUtc>,
    /// From then on the conversation is about to breach.
    pub sla_warn_at: Option<DateTimeUtc>,
    /// When the sweep recorded the breach of the running clock `sla_breach`.
    pub sla_breached_at: Option<DateTimeUtc>,
    pub sla_breach: Option<String>,
    /// Changes of the clocks' inputs not swept yet (0: up to date).
    pub sla_dirty: i64,
    /// The customer-satisfaction question of the last resolution (one of
    /// [`CsatState`], migration `m20261205_000024_csat`, rules in
    /// `docs/reports.md`); `None` when none was due.
    pub csat_state: Option<String>,
    /// When the question was sent (queued to the provider).
    pub csat_asked_at: Option<DateTimeUtc>,
    /// Until then an answer counts (asked + the number's window).
    pub csat_expires_at: Option<DateTimeUtc>,
    /// The question's outbound message (`messages.id`).
    pub csat_message_id: Option<i64>,
    /// The customer's answer, 1 (worst) to 5 (best).
    pub csat_score: Option<i32>,
    /// The answer's time (the provider's timestamp of the message).
    pub csat_answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The `status` column, typed.
    ///
    /// # Errors
    /// [`crate::UnknownVariant`] when the row holds a value that is not a
    /// [`ConversationStatus`].
    pub fn status(&self) -> Result<ConversationStatus, crate::UnknownVariant> {
        self.status.parse()
    }

    /// The `csat_state` column, typed (`None`: no question, or a value
    /// this build does not know).
    pub fn csat_state(&self) -> Option<CsatState> {
        self.csat_state.as_deref().and_then(|s| s.parse().ok())
    }
}

crate::relations! {
    BusinessNumber => belongs_to business_number (BusinessNumberId, update Cascade, delete Restrict),
    Contact => belongs_to contact (ContactId, update Cascade, delete Cascade),
    Team => belongs_to team (TeamId, update Cascade, delete SetNull),
    Assignee => belongs_to agent (AssigneeId, update Cascade, delete SetNull),
    Message => has_many message,
}

crate::stamped!(created_at, updated_at);
