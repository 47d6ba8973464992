//! The outbox: events written in the transaction of the change that caused
//! them ([`record`]), so a committed change never loses its event and a
//! rolled-back one never sends one; [`publish_pending`] moves them into the
//! `WEBHOOKS` stream (deduplicated by `Nats-Msg-Id` = the event id, so two
//! publishers or a crash between publish and mark send nothing twice).
//!
//! Nothing is written while no endpoint is enabled ([`wanted`], checked at
//! most every [`GATE_TTL`] per process): events of the first seconds of a
//! new endpoint may not reach it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use chrono::Utc;
use entities::{webhook_endpoint, webhook_outbox};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr,
};

use super::Event;
use crate::envelope::MSG_ID_HEADER;
use crate::topology;

/// How long the answer of [`wanted`] is trusted.
pub const GATE_TTL: Duration = Duration::from_secs(2);

static GATE: Mutex<Option<(Instant, bool)>> = Mutex::new(None);

/// Whether any endpoint is enabled (cached for [`GATE_TTL`]).
///
/// # Errors
/// Database errors.
pub async fn wanted<C: ConnectionTrait>(conn: &C) -> Result<bool, DbErr> {
    if let Ok(gate) = GATE.lock()
        && let Some((at, wanted)) = *gate
        && at.elapsed() < GATE_TTL
    {
        return Ok(wanted);
    }
    let wanted = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .count(conn)
        .await?
        > 0;
    if let Ok(mut gate) = GATE.lock() {
        *gate = Some((Instant::now(), wanted));
    }
    Ok(wanted)
}

/// Forgets the cached answer of [`wanted`] (an endpoint was created or
/// enabled in this process).
pub fn invalidate() {
    if let Ok(mut gate) = GATE.lock() {
        *gate = None;
    }
}

/// Writes `events` into the outbox on `conn` (the caller's transaction),
/// when any endpoint is enabled.
///
/// # Errors
/// Database errors: the caller's change fails with them.
pub async fn record<C: ConnectionTrait>(conn: &C, events: Vec<Event>) -> Result<(), DbErr> {
    if events.is_empty() || !wanted(conn).await? {
        return Ok(());
    }
    let now = Utc::now();
    let rows = events.into_iter().map(|e| webhook_outbox::ActiveModel {
        event_type: Set(e.event_type.to_owned()),
        conversation_id: Set(e.conversation_id),
        message_id: Set(e.message_id),
        business_number: Set(e.business_number),
        team_id: Set(e.team_id),
        payload: Set(e.data),
        created_at: Set(now),
        published_at: Set(None),
        ..Default::default()
    });
    webhook_outbox::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// The subject of an event for every endpoint: `wa.hook.all.<type>`.
pub fn subject(event_type: &str) -> String {
    format!("{}.all.{event_type}", topology::WEBHOOKS_PREFIX)
}

/// The subject of an event resent to one endpoint only.
pub fn subject_for(endpoint_id: i64, event_type: &str) -> String {
    format!(
        "{}.to.{endpoint_id}.{event_type}",
        topology::WEBHOOKS_PREFIX
    )
}

/// Publishes up to `limit` unpublished outbox rows, oldest first, each
/// waiting for its PubAck, and marks them; how many.
///
/// # Errors
/// Database errors, or a publish that got no ack (the rest waits).
pub async fn publish_pending(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    limit: u64,
) -> crate::Result<usize> {
    let rows = webhook_outbox::Entity::find()
        .filter(webhook_outbox::Column::PublishedAt.is_null())
        .order_by_asc(webhook_outbox::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut published = Vec::with_capacity(rows.len());
    for row in &rows {
        let ack = publish_row(js, subject(&row.event_type), &super::event_id(row.id), row).await;
        if let Err(err) = ack {
            mark(db, &published).await?;
            return Err(err);
        }
        published.push(row.id);
    }
    mark(db, &published).await?;
    Ok(published.len())
}

/// Publishes outbox `row` on `subject` under `msg_id` and waits for the
/// PubAck (the publisher's events, and the admin's resends and recoveries).
///
/// # Errors
/// The PubAck did not come.
pub async fn publish_row(
    js: &jetstream::Context,
    subject: String,
    msg_id: &str,
    row: &webhook_outbox::Model,
) -> crate::Result<()> {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(MSG_ID_HEADER, msg_id);
    let body = serde_json::to_vec(row)?;
    js.publish_with_headers(subject, headers, body.into())
        .await
        .map_err(crate::Error::nats)?
        .await
        .map_err(crate::Error::nats)?;
    Ok(())
}

async fn mark(db: &DatabaseConnection, ids: &[i64]) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    webhook_outbox::Entity::update_many()
        .col_expr(webhook_outbox::Column::PublishedAt, Expr::value(Utc::now()))
        .filter(webhook_outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a `conversation.*` event of `conversation` on `conn` (the
/// caller's transaction), when any endpoint is enabled.
///
/// # Errors
/// Database errors.
pub async fn record_conversation<C: ConnectionTrait>(
    conn: &C,
    event_type: &'static str,
    conversation: &entities::conversation::Model,
) -> Result<(), DbErr> {
    if !wanted(conn).await? {
        return Ok(());
    }
    let number = entities::business_number::Entity::find_by_id(conversation.business_number_id)
        .one(conn)
        .await?
        .map(|n| n.phone_number_id)
        .unwrap_or_default();
    record(
        conn,
        vec![Event::conversation(event_type, conversation, &number)],
    )
    .await
}
