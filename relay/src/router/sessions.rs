//! Applying one inbound event to the database, exactly once: contact upsert,
//! conversation find-or-open, message insert guarded by the unique
//! (provider, provider message id) index, all in one transaction; delivery
//! statuses move a message's status forward only. A conversation that opens
//! or reopens is routed by the first matching rule (`routing`) in the same
//! transaction; choosing an agent happens after commit (`assignment`).
//! Acking and caching live in `router`.

use chrono::{DateTime, Duration, Utc};
use entities::{business_number, contact, conversation, message};
use sea_orm::TransactionTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, Set,
};

use crate::assignment::{self, Change};
use crate::envelope::{DeliveryStatus, EventBody, InboundEvent, InboundMessage};
use crate::router::session_cache::SessionCache;
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

/// Applies one event.
///
/// # Errors
/// Database errors; the caller NAKs and the event is redelivered.
pub async fn apply(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    event: &InboundEvent,
    cache: Option<&SessionCache>,
) -> Result<Applied, DbErr> {
    match &event.body {
        EventBody::Message(message) if message.echo => {
            let txn = crate::db::begin_write(db).await?;
            let applied = apply_echo(&txn, policy, event, message).await?;
            txn.commit().await?;
            Ok(applied)
        }
        EventBody::Message(message) => apply_message(db, policy, event, message, cache).await,
        EventBody::Status(status) => apply_status(db, event, status).await,
        // Session health is for alerts; nothing in the database changes.
        EventBody::Session(_) => Ok(Applied::Ignored),
        EventBody::Update(update) => {
            let txn = db.begin().await?;
            crate::router::updates::apply(&txn, event, update).await?;
            txn.commit().await?;
            Ok(Applied::Recorded)
        }
        // Parked by the router before it gets here (reason `unparsed`).
        EventBody::Unparsed(_) => Ok(Applied::Ignored),
    }
}

async fn apply_message(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    event: &InboundEvent,
    message: &InboundMessage,
    cache: Option<&SessionCache>,
) -> Result<Applied, DbErr> {
    let provider = event.provider.as_str();
    if already_applied(db, provider, &message.id).await? {
        return Ok(Applied::Duplicate);
    }
    let txn = crate::db::begin_write(db).await?;
    let written = match write_message(&txn, policy, event, message, cache).await {
        Ok(written) => written,
        Err(err) if is_unique_violation(&err) => {
            txn.rollback().await?;
            return Ok(Applied::Duplicate);
        }
        Err(err) => return Err(err),
    };
    txn.commit().await?;
    let applied = assign_after(db, written).await?;
    remember(cache, &applied).await;
    Ok(applied)
}

/// Applies several events of one partition, in order, in ONE transaction:
/// all of them or none (any error rolls the whole batch back and is
/// returned; the caller then applies them one by one). Assignment and the
/// lifecycle records `stages` gives for each outcome (message id, stages)
/// share the transaction. The statements are grouped per batch (see
/// `batch`); the outcome is the same as applying the events one by one.
///
/// # Errors
/// Database errors, including a unique violation (a concurrent writer):
/// nothing of the batch is written then.
pub async fn apply_batch<F>(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    events: &[&InboundEvent],
    cache: Option<&SessionCache>,
    stages: F,
) -> Result<Vec<Applied>, DbErr>
where
    F: Fn(usize, &Applied) -> Option<(i64, Vec<crate::lifecycle::StageRecord>)>,
{
    let txn = crate::db::begin_write(db).await?;
    let written = crate::router::batch::apply(&txn, policy, events, cache, &stages).await;
    let outcome = match written {
        Ok(applied) => txn.commit().await.map(|()| applied),
        Err(err) => {
            if let Err(rollback) = txn.rollback().await {
                tracing::warn!(%rollback, "batch rollback failed; the connection drops it");
            }
            Err(err)
        }
    };
    let applied = outcome?;
    // Only committed conversations are remembered: a rolled-back batch
    // leaves nothing behind in the cache.
    for applied in &applied {
        remember(cache, applied).await;
    }
    Ok(applied)
}

/// What writing a message decided, before an agent is chosen.
struct Written {
    conversation: conversation::Model,
    message_id: i64,
    opened: bool,
    changed: bool,
    bot: Option<BotScript>,
    language: Option<String>,
}

/// Chooses an agent for a queued conversation without one (after the
/// message's own writes; in the batch's transaction or on its own).
async fn assign_after(conn: &impl ConnectionTrait, written: Written) -> Result<Applied, DbErr> {
    let Written {
        conversation,
        message_id,
        opened,
        changed,
        bot,
        language,
    } = written;
    let (conversation, assigned) = assign_queued(conn, conversation, language.as_deref()).await?;
    Ok(Applied::Message {
        conversation_id: conversation.id,
        message_id,
        conversation: Box::new(conversation),
        opened,
        changed: changed || assigned,
        bot,
    })
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

/// The conversation after a committed message, for the next one.
async fn remember(cache: Option<&SessionCache>, applied: &Applied) {
    if let (Some(cache), Applied::Message { conversation, .. }) = (cache, applied) {
        cache.put(conversation).await;
    }
}

/// Contact upsert, conversation find-or-open (version-checked against the
/// cache), message insert and routing, inside `txn`.
async fn write_message(
    txn: &impl ConnectionTrait,
    policy: SessionPolicy,
    event: &InboundEvent,
    message: &InboundMessage,
    cache: Option<&SessionCache>,
) -> Result<Written, DbErr> {
    let now = Utc::now();
    let number = business_number(txn, event, now).await?;
    let contact = upsert_contact(txn, event, now).await?;
    // The cached conversation (if any) is used only through the
    // version-checked touch below; a stale one is dropped and read again.
    let cached = match cache {
        Some(cache) => cache
            .get(number.id, contact.id)
            .await
            .filter(|c| c.status != "resolved"),
        None => None,
    };
    let from_cache = cached.is_some();
    let (mut conversation, mut opened) = match cached {
        Some(conversation) => (conversation, false),
        None => {
            open_conversation(txn, policy, number.id, contact.id, message.timestamp, now).await?
        }
    };
    if !touch(txn, &mut conversation, message.timestamp, now, from_cache).await? {
        if let Some(cache) = cache {
            cache.forget(number.id, contact.id).await;
        }
        (conversation, opened) =
            open_conversation(txn, policy, number.id, contact.id, message.timestamp, now).await?;
        touch(txn, &mut conversation, message.timestamp, now, false).await?;
    }
    let inserted = crate::router::marks::inbound_row(conversation.id, event, message, now)
        .insert(txn)
        .await?;
    crate::router::marks::apply(txn, event, message).await?;
    let routed = route(
        txn,
        event,
        message,
        &contact,
        conversation,
        opened,
        &mut None,
    )
    .await?;
    Ok(Written {
        conversation: routed.conversation,
        message_id: inserted.id,
        opened,
        changed: routed.changed,
        bot: routed.bot,
        language: routed.language,
    })
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

/// Layer 3 of dedupe, checked before doing any work.
async fn already_applied(
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
    policy: SessionPolicy,
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
            open_conversation(txn, policy, number.id, contact.id, message.timestamp, now)
                .await?
                .0
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

/// Moves the conversation's message times (only those: concurrent claims
/// keep their version, so an agent's claim is never spuriously refused) and
/// updates `conversation` to match. With `check_version` (a cached copy),
/// only if the row still has the version and message times read; `false`
/// when it has not.
async fn touch(
    txn: &impl ConnectionTrait,
    conversation: &mut conversation::Model,
    message_time: DateTime<Utc>,
    now: DateTime<Utc>,
    check_version: bool,
) -> Result<bool, DbErr> {
    let last_message_at = conversation.last_message_at.max(message_time);
    let last_inbound_at = conversation
        .last_inbound_at
        .map_or(message_time, |t| t.max(message_time));
    let mut update = conversation::Entity::update_many()
        .col_expr(conversation::Column::LastMessageAt, last_message_at.into())
        .col_expr(
            conversation::Column::LastInboundAt,
            Some(last_inbound_at).into(),
        )
        .col_expr(conversation::Column::UpdatedAt, now.into())
        .filter(conversation::Column::Id.eq(conversation.id));
    if check_version {
        update = update
            .filter(conversation::Column::Version.eq(conversation.version))
            .filter(conversation::Column::LastMessageAt.eq(conversation.last_message_at));
        update = match conversation.last_inbound_at {
            Some(at) => update.filter(conversation::Column::LastInboundAt.eq(at)),
            None => update.filter(conversation::Column::LastInboundAt.is_null()),
        };
    }
    if update.exec(txn).await?.rows_affected != 1 {
        return Ok(false);
    }
    conversation.last_message_at = last_message_at;
    conversation.last_inbound_at = Some(last_inbound_at);
    Ok(true)
}

async fn open_conversation(
    txn: &impl ConnectionTrait,
    policy: SessionPolicy,
    number_id: i64,
    contact_id: i64,
    message_time: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(conversation::Model, bool), DbErr> {
    let latest = conversation::Entity::find()
        .filter(conversation::Column::BusinessNumberId.eq(number_id))
        .filter(conversation::Column::ContactId.eq(contact_id))
        .order_by_desc(conversation::Column::Id)
        .one(txn)
        .await?;
    if let Some(conversation) = latest {
        if conversation.status != "resolved" {
            return Ok((conversation, false));
        }
        let recent = conversation
            .resolved_at
            .is_some_and(|at| now - at < policy.reopen_within);
        if recent {
            let version = conversation.version;
            let mut active: conversation::ActiveModel = conversation.into();
            active.status = Set("queued".into());
            active.resolved_at = Set(None);
            active.assignee_id = Set(None);
            active.assigned_at = Set(None);
            active.version = Set(version + 1);
            active.updated_at = Set(now);
            return Ok((active.update(txn).await?, true));
        }
    }
    let opened = conversation::ActiveModel {
        business_number_id: Set(number_id),
        contact_id: Set(contact_id),
        status: Set("queued".into()),
        team_id: Set(None),
        assignee_id: Set(None),
        priority: Set(0),
        version: Set(1),
        last_inbound_at: Set(None),
        last_message_at: Set(message_time),
        resolved_at: Set(None),
        assigned_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok((opened, true))
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
