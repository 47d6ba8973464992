//! Campaigns (issue 25) on the data plane: the **feeder** that turns a
//! running campaign's pending recipients into outbound messages on the
//! OUTBOUND campaign lane, and the rules the sender applies to them.
//!
//! - **Exactly once per recipient.** A recipient row is unique per
//!   (campaign, contact). Its message is created in the transaction that
//!   moves it `pending → queued` with a compare-and-set on the state, so
//!   two feeders (every sender process runs one), a restart or a double
//!   click cannot make a second message; the message is published as
//!   `out:<row id>` (the duplicate window) and the sender's claim on the
//!   row sends it once, as any reply.
//! - **Support first.** The feeder keeps at most `window` of a campaign's
//!   messages queued. They travel on their own subjects
//!   (`wa.out.<number>.camp.<id>`) to their own consumer, so a reply never
//!   waits behind a campaign's queue, and the sender takes a campaign's
//!   rate slots only when no reply is waiting for the number
//!   ([`crate::sender::ratelimit::RateLimits::acquire_spare`]).
//! - **Provider feedback.** A throttled send (Meta 130429) holds the
//!   number's campaign sends for `throttle_hold_ms` and is counted on the
//!   campaign; a spam-rate refusal (131048) pauses the campaign (paused by
//!   `wharf`, with the provider's reason; the alert `campaigns_paused`
//!   fires); a template no longer APPROVED, or of quality RED, pauses it
//!   before the next message is made. Per-user marketing limits (131049)
//!   fail that recipient's message only. Codes: Meta's "WhatsApp error
//!   codes" page (developers.facebook.com/documentation/business-messaging/
//!   whatsapp/support/error-codes).
//! - **Opt-outs.** A contact with `marketing_opt_out_at` (Meta's
//!   `user_preferences`, the STOP keyword, the API) is skipped with the
//!   reason `opted_out`, checked when its turn comes, not when the audience
//!   was chosen.

use std::time::Duration;

use async_nats::jetstream;
use chrono::Utc;
use entities::campaign::{self, CampaignState};
use entities::campaign_recipient::{self, RecipientState};
use entities::{business_number, contact, conversation, message};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::envelope::{OutboundReply, ReplyContent};
use entities::message_event::Stage;

/// Provider codes that pause a campaign (Meta 131048: spam rate limit).
pub const PAUSING_CODES: &[&str] = &["131048"];
/// Provider codes of a throttled send (Meta 130429; WasenderApi's 429).
pub const THROTTLE_CODES: &[&str] = &["130429", "wasender_429"];
/// Who paused a campaign that Wharf paused.
pub const PAUSED_BY_WHARF: &str = "wharf";
/// Who paused a campaign a person paused.
pub const PAUSED_BY_AGENT: &str = "agent";
/// A recipient's reason when it opted out of marketing.
pub const OPTED_OUT: &str = "opted_out";
/// The message error and recipient reason of a cancelled campaign's message.
pub const CANCELLED: &str = "campaign cancelled";

/// `[sender.campaigns]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CampaignSettings {
    /// Campaign messages in flight per sender process.
    pub concurrency: usize,
    /// A campaign's messages queued at most at a time (made ahead of
    /// their send, so a pause or cancel leaves at most these in flight).
    pub window: u64,
    /// Milliseconds between the feeder's rounds.
    pub tick_ms: u64,
    /// Milliseconds a throttled number sends no campaign message.
    pub throttle_hold_ms: u64,
    /// Recipients made into messages per transaction.
    pub batch: usize,
}

impl Default for CampaignSettings {
    fn default() -> Self {
        Self {
            concurrency: 8,
            window: 200,
            tick_ms: 250,
            throttle_hold_ms: 2000,
            batch: 10,
        }
    }
}

/// What the sender needs of a campaign: its state and own rate cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub state: CampaignState,
    pub rate_per_second: Option<f64>,
}

/// The [`Gate`] of campaign `id`; `None` when it is gone.
///
/// # Errors
/// Database errors.
pub async fn gate(db: &impl ConnectionTrait, id: i64) -> Result<Option<Gate>, DbErr> {
    Ok(campaign::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|c| Gate {
            state: c.state().unwrap_or(CampaignState::Paused),
            rate_per_second: c.rate_per_second.filter(|r| *r > 0.0),
        }))
}

/// Pauses a running campaign on Wharf's own account (`reason` for people);
/// `true` when this call paused it.
///
/// # Errors
/// Database errors.
pub async fn pause_by_wharf(
    db: &impl ConnectionTrait,
    id: i64,
    reason: &str,
) -> Result<bool, DbErr> {
    let paused = campaign::Entity::update_many()
        .col_expr(campaign::Column::State, Expr::value(CampaignState::Paused))
        .col_expr(campaign::Column::PausedBy, Expr::value(PAUSED_BY_WHARF))
        .col_expr(campaign::Column::PausedReason, Expr::value(reason))
        .col_expr(
            campaign::Column::Version,
            Expr::col(campaign::Column::Version).add(1),
        )
        .col_expr(campaign::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::State.eq(CampaignState::Running))
        .exec(db)
        .await?
        .rows_affected
        > 0;
    if paused {
        tracing::warn!(campaign = id, reason, "campaign paused by wharf");
        metrics::counter!(crate::observe::CAMPAIGN_PAUSES).increment(1);
    }
    Ok(paused)
}

/// Counts a throttled send on the campaign.
///
/// # Errors
/// Database errors.
pub async fn note_throttled(db: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    metrics::counter!(crate::observe::CAMPAIGN_THROTTLED).increment(1);
    campaign::Entity::update_many()
        .col_expr(
            campaign::Column::ThrottledCount,
            Expr::col(campaign::Column::ThrottledCount).add(1),
        )
        .col_expr(campaign::Column::LastThrottledAt, Expr::value(Utc::now()))
        .filter(campaign::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// A queued message of a cancelled (or deleted) campaign: never sent; the
/// message fails with [`CANCELLED`] and its recipient is cancelled.
///
/// # Errors
/// Database errors.
pub async fn cancel_message(db: &DatabaseConnection, message_id: i64) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    message::Entity::update_many()
        .col_expr(message::Column::Status, Expr::value("failed"))
        .col_expr(message::Column::Error, Expr::value(CANCELLED))
        .col_expr(message::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(message::Column::Id.eq(message_id))
        .filter(message::Column::Status.eq("queued"))
        .exec(&txn)
        .await?;
    cancel_recipients()
        .filter(campaign_recipient::Column::MessageId.eq(message_id))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// The one update that cancels recipients (state, reason, time); callers
/// say which.
fn cancel_recipients() -> sea_orm::UpdateMany<campaign_recipient::Entity> {
    campaign_recipient::Entity::update_many()
        .col_expr(
            campaign_recipient::Column::State,
            Expr::value(RecipientState::Cancelled),
        )
        .col_expr(campaign_recipient::Column::Reason, Expr::value(CANCELLED))
        .col_expr(
            campaign_recipient::Column::UpdatedAt,
            Expr::value(Utc::now()),
        )
}

/// Runs the feeder until `shutdown`: every `tick_ms`, scheduled campaigns
/// whose time came start, and each running campaign gets messages up to
/// its window. Every sender process runs one; they cannot send a
/// recipient twice (the module docs).
pub async fn run_feeder(
    db: DatabaseConnection,
    js: jetstream::Context,
    partitions: u16,
    settings: CampaignSettings,
    shutdown: CancellationToken,
) {
    let tick = Duration::from_millis(std::cmp::max(settings.tick_ms, 10));
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(tick) => {}
        }
        if let Err(err) = feed_once(&db, &js, partitions, &settings).await {
            tracing::warn!(%err, "campaign feeder round failed; will retry");
        }
    }
}

/// One feeder round; returns the messages it made.
///
/// # Errors
/// Database errors (the round is tried again at the next tick).
pub async fn feed_once(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    settings: &CampaignSettings,
) -> Result<u64, DbErr> {
    let now = Utc::now();
    campaign::Entity::update_many()
        .col_expr(campaign::Column::State, Expr::value(CampaignState::Running))
        .col_expr(campaign::Column::StartedAt, Expr::value(now))
        .col_expr(
            campaign::Column::Version,
            Expr::col(campaign::Column::Version).add(1),
        )
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
        .filter(campaign::Column::State.eq(CampaignState::Scheduled))
        .filter(campaign::Column::ScheduledAt.lte(now))
        .exec(db)
        .await?;
    let running = campaign::Entity::find()
        .filter(campaign::Column::State.eq(CampaignState::Running))
        .all(db)
        .await?;
    let mut made = 0;
    for campaign in running {
        made += feed_campaign(db, js, partitions, settings, &campaign).await?;
    }
    Ok(made)
}

async fn feed_campaign(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    settings: &CampaignSettings,
    campaign: &campaign::Model,
) -> Result<u64, DbErr> {
    let Some(number) = business_number::Entity::find_by_id(campaign.business_number_id)
        .one(db)
        .await?
    else {
        pause_by_wharf(db, campaign.id, "its business number is gone").await?;
        return Ok(0);
    };
    if let Some(reason) = crate::templates::campaign_refusal(
        db,
        &number,
        &campaign.template_name,
        &campaign.template_language,
    )
    .await?
    {
        pause_by_wharf(db, campaign.id, &reason).await?;
        return Ok(0);
    }
    let in_flight = queued_messages(campaign.id).count(db).await?;
    let room = settings.window.saturating_sub(in_flight);
    let pending = if room == 0 {
        Vec::new()
    } else {
        pending_recipients(campaign.id)
            .order_by_asc(campaign_recipient::Column::Id)
            .limit(room)
            .all(db)
            .await?
    };
    if pending.is_empty() {
        if in_flight == 0 && room > 0 {
            complete_if_done(db, campaign.id).await?;
        }
        return Ok(0);
    }
    // Outside its send window the campaign makes nothing; messages already
    // made go out (at most `window` of them).
    if !window_open(campaign.send_window.as_ref(), Utc::now()) {
        return Ok(0);
    }
    queue_recipients(
        db,
        js,
        partitions,
        campaign,
        &number,
        pending,
        settings.batch,
    )
    .await
}

/// Whether a campaign with `send_window` (`routing::Hours` as stored; none:
/// any time) may make messages at `at`. A stored window that does not read
/// keeps the campaign waiting (and says so): it was checked when written.
#[must_use]
pub fn window_open(send_window: Option<&serde_json::Value>, at: chrono::DateTime<Utc>) -> bool {
    let Some(window) = send_window else {
        return true;
    };
    let hours = serde_json::from_value::<crate::routing::Hours>(window.clone())
        .map_err(|err| err.to_string())
        .and_then(|h| h.compile().map_err(|err| err.to_string()));
    match hours {
        Ok(hours) => hours.matches(at),
        Err(err) => {
            tracing::warn!(%err, "a campaign's send window does not read; waiting");
            false
        }
    }
}

/// A campaign's messages made and not yet sent (nor failed).
fn queued_messages(campaign_id: i64) -> sea_orm::Select<message::Entity> {
    message::Entity::find()
        .filter(message::Column::CampaignId.eq(campaign_id))
        .filter(message::Column::Status.eq("queued"))
}

/// A campaign's recipients whose message is not made yet.
fn pending_recipients(campaign_id: i64) -> sea_orm::Select<campaign_recipient::Entity> {
    campaign_recipient::Entity::find()
        .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
        .filter(campaign_recipient::Column::State.eq(RecipientState::Pending))
}

/// A running campaign with nothing left to make or send completes; `true`
/// when this call completed it. Both conditions are checked in the one
/// statement that completes it: read apart, another sender's feeder could
/// make the last recipients' messages between them (their recipients no
/// longer pending, their messages not yet counted), and a campaign would
/// complete with messages still to send, which its gate then holds for
/// ever.
///
/// # Errors
/// Database errors.
pub async fn complete_if_done(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let now = Utc::now();
    let queued = queued_messages(id)
        .select_only()
        .column(message::Column::Id)
        .into_query();
    let pending = pending_recipients(id)
        .select_only()
        .column(campaign_recipient::Column::Id)
        .into_query();
    let done = campaign::Entity::update_many()
        .col_expr(
            campaign::Column::State,
            Expr::value(CampaignState::Completed),
        )
        .col_expr(campaign::Column::FinishedAt, Expr::value(now))
        .col_expr(
            campaign::Column::Version,
            Expr::col(campaign::Column::Version).add(1),
        )
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::State.eq(CampaignState::Running))
        .filter(Expr::exists(queued).not())
        .filter(Expr::exists(pending).not())
        .exec(db)
        .await?
        .rows_affected
        > 0;
    if done {
        tracing::info!(campaign = id, "campaign completed");
    }
    Ok(done)
}

/// Makes the messages of `recipients` (or skips them), `batch` per
/// transaction (fewer write locks than one per message; SQLite has one
/// writer, and a reply's writes wait behind the lock a batch holds); returns how many this call made. Each recipient moves
/// `pending → queued` with a compare-and-set before its message is made, so
/// another feeder's transaction cannot make it again. The `queued` record
/// commits with the message; publishing follows the commit, and a publish
/// that fails leaves the row `queued` for the campaign lane's repair.
async fn queue_recipients(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    partitions: u16,
    campaign: &campaign::Model,
    number: &business_number::Model,
    recipients: Vec<campaign_recipient::Model>,
    batch: usize,
) -> Result<u64, DbErr> {
    let mut made = 0;
    for batch in recipients.chunks(batch.max(1)) {
        let replies = queue_batch(db, campaign, number, batch).await?;
        for reply in replies {
            made += 1;
            if let Err(err) = crate::outbound::publish(js, partitions, &reply).await {
                tracing::warn!(%err, message_id = reply.message_id, "campaign message not published yet; the repair will");
            }
        }
    }
    Ok(made)
}

async fn queue_batch(
    db: &DatabaseConnection,
    campaign: &campaign::Model,
    number: &business_number::Model,
    batch: &[campaign_recipient::Model],
) -> Result<Vec<OutboundReply>, DbErr> {
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let mut replies = Vec::with_capacity(batch.len());
    for recipient in batch {
        let moved = |state: RecipientState, reason: Option<&str>| {
            campaign_recipient::Entity::update_many()
                .col_expr(campaign_recipient::Column::State, Expr::value(state))
                .col_expr(campaign_recipient::Column::Reason, Expr::value(reason))
                .col_expr(campaign_recipient::Column::UpdatedAt, Expr::value(now))
                .filter(campaign_recipient::Column::Id.eq(recipient.id))
                .filter(campaign_recipient::Column::State.eq(RecipientState::Pending))
        };
        let contact = contact::Entity::find_by_id(recipient.contact_id)
            .one(&txn)
            .await?;
        let skip = match &contact {
            None => Some("the contact is gone"),
            Some(c) if c.marketing_opt_out_at.is_some() => Some(OPTED_OUT),
            Some(_) => None,
        };
        let (Some(contact), None) = (contact, skip) else {
            moved(RecipientState::Skipped, skip).exec(&txn).await?;
            continue;
        };
        if moved(RecipientState::Queued, None)
            .exec(&txn)
            .await?
            .rows_affected
            == 0
        {
            // Another feeder made this recipient's message first.
            continue;
        }
        let latest = conversation::Entity::find()
            .filter(conversation::Column::BusinessNumberId.eq(number.id))
            .filter(conversation::Column::ContactId.eq(contact.id))
            .order_by_desc(conversation::Column::Id)
            .one(&txn)
            .await?;
        let conversation = match latest {
            Some(c) => c,
            // Placed in a closed conversation: a campaign never queues for
            // an agent; the customer's reply opens it (migration 15).
            None => {
                let mut fresh = crate::router::sessions::new_conversation(
                    (number.id, contact.id),
                    now,
                    None,
                    now,
                );
                fresh.status = Set("resolved".into());
                fresh.resolved_at = Set(Some(now));
                fresh.insert(&txn).await?
            }
        };
        let parameters: Vec<String> =
            serde_json::from_value(recipient.parameters.clone()).unwrap_or_default();
        let content = ReplyContent::Template {
            name: campaign.template_name.clone(),
            language: campaign.template_language.clone(),
            parameters,
        };
        let (mut row, kind) =
            crate::outbound::reply_row(&conversation, number, None, &content, now);
        row.campaign_id = Set(Some(campaign.id));
        let row = row.insert(&txn).await?;
        campaign_recipient::Entity::update_many()
            .col_expr(campaign_recipient::Column::MessageId, Expr::value(row.id))
            .filter(campaign_recipient::Column::Id.eq(recipient.id))
            .exec(&txn)
            .await?;
        crate::lifecycle::record(
            &txn,
            row.id,
            Stage::Queued,
            now,
            serde_json::json!({ "kind": kind, "campaign_id": campaign.id }),
        )
        .await?;
        replies.push(OutboundReply {
            message_id: row.id,
            conversation_id: conversation.id,
            business_number: number.phone_number_id.clone(),
            to: crate::contacts::address(&contact),
            content,
            campaign_id: Some(campaign.id),
        });
    }
    txn.commit().await?;
    Ok(replies)
}

/// A cancelled campaign's recipients still `pending`: cancelled, in the
/// caller's transaction; returns how many.
///
/// # Errors
/// Database errors.
pub async fn cancel_pending(txn: &impl ConnectionTrait, campaign_id: i64) -> Result<u64, DbErr> {
    Ok(cancel_recipients()
        .filter(campaign_recipient::Column::CampaignId.eq(campaign_id))
        .filter(campaign_recipient::Column::State.eq(RecipientState::Pending))
        .exec(txn)
        .await?
        .rows_affected)
}
