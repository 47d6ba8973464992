//! What an inbound event does to the database, each rule written once:
//! the outcome type ([`Applied`]), when a customer's message joins, reopens
//! or opens a conversation ([`SessionPolicy::opening`]) and how it moves the
//! conversation's message times ([`message_times`]), routing by the first
//! matching rule when a conversation opens or reopens (`routing`), choosing
//! an agent for a queued conversation (`assignment`), a delivery status
//! moving a message forward only, a coexistence echo, and a business number
//! the router sees for the first time. Contact identity is `contacts`, what
//! a message does to other messages `marks`, provider updates `updates`.
//! The statements are grouped per batch in `batch`; the transaction and
//! the one-event entry (a batch of one) live in `apply`.

use chrono::{DateTime, Duration, Utc};
use entities::{business_number, contact, conversation, message};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use crate::assignment::{self, Change};
use crate::envelope::{DeliveryStatus, InboundEvent, InboundMessage};
use crate::routing::{self, Action, BotScript, Facts};

/// What applying an event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// A new message row in this conversation.
    Message {
        conversation_id: i64,
        message_id: i64,
        /// The conversation after this message (status, team, assignee, version).
        conversation: Box<conversation::Model>,
        /// The conversation opened or reopened with this message.
        opened: bool,
        /// Status, team or assignee changed with this message.
        changed: bool,
        /// The bot script when a rule handed the conversation to a bot.
        bot: Option<BotScript>,
        /// The conversation was snoozed and this message woke it
        /// (`crate::snooze`).
        woke: bool,
    },
    /// The message was applied before (redelivery or late provider retry).
    Duplicate,
    /// A delivery status moved our message forward.
    Status {
        conversation_id: i64,
        message_id: i64,
    },
    /// A status that changes nothing (older than the current one, or for a
    /// message that is not ours).
    Ignored,
    /// A provider update (account, number, template, preference) recorded.
    Recorded,
}

/// How a resolved conversation behaves on a new inbound message.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A conversation resolved less than this long ago reopens; older ones
    /// stay closed and a new conversation opens.
    pub reopen_within: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            reopen_within: Duration::hours(24),
        }
    }
}

/// What a customer's message does to its contact's latest conversation on
/// the business number.
pub(crate) enum Opening {
    /// The conversation is still open: the message joins it (and moves its
    /// message times, see [`message_times`]).
    Joins(conversation::Model),
    /// Resolved less than `reopen_within` ago: queued again, unassigned,
    /// its version and message times moved.
    Reopens(conversation::ActiveModel),
    /// None, or resolved longer ago: a new queued conversation, its message
    /// times those of the message that opened it.
    Opens(conversation::ActiveModel),
    /// The answer (a score) to the resolved conversation's pending
    /// satisfaction question (`crate::csat::pending`): it stays resolved,
    /// its message times moved; the answer is recorded after the message
    /// row (`crate::csat::settle_answer`).
    Answers(conversation::ActiveModel, i32),
}

impl SessionPolicy {
    /// What a customer's message at `at` does to `latest`, the latest
    /// conversation of (business number id, contact id) `pair`; `score` is
    /// what the message gives as a satisfaction answer, if it reads as one
    /// (`crate::csat::answer`): it answers a pending question instead of
    /// reopening. Any other message reopens and cancels the question.
    pub(crate) fn opening(
        &self,
        latest: Option<&conversation::Model>,
        pair: (i64, i64),
        (at, score): (DateTime<Utc>, Option<i32>),
        now: DateTime<Utc>,
    ) -> Opening {
        match (latest, score) {
            (Some(row), _) if row.status != "resolved" => Opening::Joins(row.clone()),
            (Some(row), Some(score)) if crate::csat::pending(row, at) => {
                let (last_message_at, last_inbound_at) = message_times(row, at);
                let mut active: conversation::ActiveModel = row.clone().into();
                active.last_message_at = Set(last_message_at);
                active.last_inbound_at = Set(Some(last_inbound_at));
                active.updated_at = Set(now);
                Opening::Answers(active, score)
            }
            (Some(row), _)
                if row
                    .resolved_at
                    .is_some_and(|t| now - t < self.reopen_within) =>
            {
                let (last_message_at, last_inbound_at) = message_times(row, at);
                let mut active: conversation::ActiveModel = row.clone().into();
                active.status = Set("queued".into());
                active.resolved_at = Set(None);
                active.assignee_id = Set(None);
                active.assigned_at = Set(None);
                active.version = Set(row.version + 1);
                active.last_message_at = Set(last_message_at);
                active.last_inbound_at = Set(Some(last_inbound_at));
                active.updated_at = Set(now);
                active.csat_state = Set(crate::csat::on_reopen(row.csat_state.as_deref()));
                Opening::Reopens(active)
            }
            _ => Opening::Opens(new_conversation(pair, at, Some(at), now)),
        }
    }
}

/// A new queued conversation of (business number id, contact id) `pair`
/// whose latest message is at `last_message_at`. `last_inbound_at` is the
/// customer's latest message (the start of the 24-hour window): the
/// opening message's time, or none for one a coexistence echo opened.
pub(crate) fn new_conversation(
    (number_id, contact_id): (i64, i64),
    last_message_at: DateTime<Utc>,
    last_inbound_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> conversation::ActiveModel {
    conversation::ActiveModel {
        business_number_id: Set(number_id),
        contact_id: Set(contact_id),
        status: Set("queued".into()),
        team_id: Set(None),
        assignee_id: Set(None),
        priority: Set(0),
        version: Set(1),
        last_inbound_at: Set(last_inbound_at),
        last_message_at: Set(last_message_at),
        resolved_at: Set(None),
        assigned_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// A conversation's (last message, last inbound) times after a customer's
/// message at `at`: each moves forward only (messages arrive out of
/// provider-time order).
pub(crate) fn message_times(
    row: &conversation::Model,
    at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        row.last_message_at.max(at),
        row.last_inbound_at.map_or(at, |t| t.max(at)),
    )
}

/// The conversation after choosing an agent when it is queued without one;
/// `true` when one was assigned.
pub(crate) async fn assign_queued(
    conn: &impl ConnectionTrait,
    conversation: conversation::Model,
    language: Option<&str>,
) -> Result<(conversation::Model, bool), DbErr> {
    if conversation.status == "queued"
        && conversation.assignee_id.is_none()
        && let Some(assigned) = assignment::assign(conn, &conversation, language).await?
    {
        return Ok((assigned, true));
    }
    Ok((conversation, false))
}

/// What routing decided for a message's conversation.
pub(crate) struct Routed {
    pub conversation: conversation::Model,
    /// Opened, reopened or routed with this message.
    pub changed: bool,
    pub bot: Option<BotScript>,
    /// The contact's language, detected now if it had none.
    pub language: Option<String>,
}

/// Routes a conversation that opened or reopened with `message` (and a bot
/// conversation on every message) by the first matching rule; detects and
/// stores the contact's language first when it has none. `rules` are
/// loaded on first need and kept for the caller's next message.
pub(crate) async fn route(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    message: &InboundMessage,
    contact: &contact::Model,
    mut conversation: conversation::Model,
    opened: bool,
    rules: &mut Option<Vec<routing::Rule>>,
) -> Result<Routed, DbErr> {
    let mut bot = None;
    let mut changed = opened;
    let mut language = contact.language.clone();
    if opened || conversation.status == "bot" {
        if language.is_none() {
            language = message.text.as_deref().and_then(routing::detect_language);
            if let Some(detected) = &language {
                contact::Entity::update_many()
                    .col_expr(contact::Column::Language, Some(detected.clone()).into())
                    .filter(contact::Column::Id.eq(contact.id))
                    .exec(txn)
                    .await?;
            }
        }
        if rules.is_none() {
            *rules = Some(routing::load(txn).await?);
        }
        let rules = rules.as_deref().unwrap_or_default();
        let facts = Facts {
            text: message.text.as_deref(),
            tier: &contact.tier,
            language: language.as_deref(),
            business_number: &event.business_number,
            at: message.timestamp,
        };
        if let Some(rule) = routing::first_match(rules, &facts) {
            let route = match &rule.action {
                Action::Team { team_id, priority } => Change::Route {
                    status: entities::conversation::ConversationStatus::Queued,
                    team_id: Some(*team_id),
                    priority: *priority,
                },
                Action::Bot(script) => match script.handover_team_id {
                    Some(team_id) if script.wants_human(message.text.as_deref()) => Change::Route {
                        status: entities::conversation::ConversationStatus::Queued,
                        team_id: Some(team_id),
                        priority: script.handover_priority,
                    },
                    _ => {
                        bot = Some(script.clone());
                        Change::Route {
                            status: entities::conversation::ConversationStatus::Bot,
                            team_id: None,
                            priority: 0,
                        }
                    }
                },
            };
            conversation =
                assignment::transition(txn, conversation.id, conversation.version, &route)
                    .await
                    .map_err(|e| match e {
                        assignment::TransitionError::Database(err) => err,
                        other => DbErr::Custom(other.to_string()),
                    })?;
            changed = true;
            tracing::debug!(rule = rule.id, conversation = conversation.id, "routed");
        }
    }
    Ok(Routed {
        conversation,
        changed,
        bot,
        language,
    })
}

/// Layer 3 of dedupe: the message is stored.
pub(crate) async fn already_applied(
    db: &impl ConnectionTrait,
    provider: &str,
    id: &str,
) -> Result<bool, DbErr> {
    let found = message::Entity::find()
        .filter(message::Column::Provider.eq(provider))
        .filter(message::Column::ProviderMessageId.eq(id));
    Ok(crate::db::unique(found, db).await?.is_some())
}

/// True for a unique-constraint violation on SQLite or PostgreSQL.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// The business account a number's event names, when the number did not
/// know it yet (account and template updates name accounts, not numbers).
pub(crate) fn account_learnt(
    number: &business_number::Model,
    event: &InboundEvent,
) -> Option<business_number::ActiveModel> {
    let account = event.account.as_ref()?;
    if number.waba_id.is_some() || !crate::topology::is_subject_token(account) {
        return None;
    }
    let mut active: business_number::ActiveModel = number.clone().into();
    active.waba_id = Set(Some(account.clone()));
    Some(active)
}

/// A coexistence echo (a message the business sent from the WhatsApp
/// Business app): an outbound row of the contact's latest conversation (a
/// new one when there is none), not routed, no bot, not a customer message
/// (its 24-hour window and waiting times do not move), never sent again.
///
/// # Errors
/// Database errors.
pub(crate) async fn apply_echo(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    message: &InboundMessage,
) -> Result<Applied, DbErr> {
    if already_applied(txn, event.provider.as_str(), &message.id).await? {
        return Ok(Applied::Duplicate);
    }
    let now = Utc::now();
    let number = business_number(txn, event, now).await?;
    let contact = upsert_contact(txn, event, now).await?;
    let latest = conversation::Entity::find()
        .filter(conversation::Column::BusinessNumberId.eq(number.id))
        .filter(conversation::Column::ContactId.eq(contact.id))
        .order_by_desc(conversation::Column::Id)
        .one(txn)
        .await?;
    let conversation = match latest {
        Some(conversation) => conversation,
        None => {
            new_conversation((number.id, contact.id), message.timestamp, None, now)
                .insert(txn)
                .await?
        }
    };
    let row = crate::router::marks::inbound_row(conversation.id, event, message, now)
        .insert(txn)
        .await?;
    crate::router::marks::apply(txn, event, message).await?;
    Ok(Applied::Message {
        conversation_id: conversation.id,
        message_id: row.id,
        conversation: Box::new(conversation),
        opened: false,
        changed: false,
        bot: None,
        woke: false,
    })
}

pub(crate) async fn business_number(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    now: DateTime<Utc>,
) -> Result<business_number::Model, DbErr> {
    if let Some(found) = business_number::Entity::find()
        .filter(business_number::Column::PhoneNumberId.eq(&event.business_number))
        .one(txn)
        .await?
    {
        return match account_learnt(&found, event) {
            Some(change) => change.update(txn).await,
            None => Ok(found),
        };
    }
    // The edge verified the delivery with this number's secret, so the number
    // is real; the admin side fills in its details and credentials.
    business_number::ActiveModel {
        provider: Set(event.provider.as_str().into()),
        phone_number_id: Set(event.business_number.clone()),
        display_phone: Set(String::new()),
        name: Set(event.business_number.clone()),
        app_secret: Set(String::new()),
        verify_token: Set(String::new()),
        access_token: Set(None),
        api_base_url: Set(None),
        waba_id: Set(event.account.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await
}

async fn upsert_contact(
    txn: &impl ConnectionTrait,
    event: &InboundEvent,
    now: DateTime<Utc>,
) -> Result<contact::Model, DbErr> {
    match crate::contacts::find(txn, &event.contact).await? {
        Some(found) => match crate::contacts::changes(&found, &event.contact, now) {
            Some(change) => change.update(txn).await,
            None => Ok(found),
        },
        None => {
            crate::contacts::new_row(&event.contact, None, now)
                .insert(txn)
                .await
        }
    }
}

/// Rank of a delivery status; a status only ever moves to a higher rank.
fn status_rank(status: &str) -> u8 {
    match status {
        "queued" => 0,
        "sent" => 1,
        "delivered" => 2,
        "read" | "played" => 3,
        "failed" => 4,
        _ => 0,
    }
}

pub(crate) async fn apply_status(
    db: &impl ConnectionTrait,
    event: &InboundEvent,
    status: &DeliveryStatus,
) -> Result<Applied, DbErr> {
    let by_provider_id = crate::db::unique(
        message::Entity::find()
            .filter(message::Column::ProviderMessageId.eq(&status.id))
            .filter(message::Column::Provider.eq(event.provider.as_str())),
        db,
    )
    .await?;
    // A status can overtake the sender's own write of the provider id; the
    // id we attached as callback data finds the row all the same.
    let message = match by_provider_id {
        Some(found) => Some(found),
        None => match status
            .callback_data
            .as_deref()
            .and_then(|d| d.parse::<i64>().ok())
        {
            Some(id) => {
                crate::db::unique(
                    message::Entity::find_by_id(id)
                        .filter(message::Column::Direction.eq("outbound")),
                    db,
                )
                .await?
            }
            None => None,
        },
    };
    let Some(message) = message else {
        return Ok(Applied::Ignored);
    };
    if status_rank(&status.status) <= status_rank(&message.status) {
        return Ok(Applied::Ignored);
    }
    let (conversation_id, message_id) = (message.conversation_id, message.id);
    let known_id = message.provider_message_id.is_some();
    let mut active: message::ActiveModel = message.into();
    if !known_id {
        active.provider_message_id = Set(Some(status.id.clone()));
    }
    active.status = Set(status.status.clone());
    if status.error.is_some() {
        active.error = Set(status.error.clone());
    }
    active.updated_at = Set(Utc::now());
    active.update(db).await?;
    Ok(Applied::Status {
        conversation_id,
        message_id,
    })
}
