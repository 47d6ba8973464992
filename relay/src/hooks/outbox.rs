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

/// Lanes the outbox is published in at once. Each lane publishes its rows
/// one after the other, each waiting for its PubAck; a conversation's
/// events always share a lane, so they reach `WEBHOOKS` in their order
/// even when a publish fails part-way (the lane stops there; the others go
/// on). One lane bounded delivery at the hub's PubAck round trip (~830
/// events/s, docs/benchmarks.md).
pub const LANES: usize = 16;

/// The lane of `row`: by conversation, else by business number, else 0.
fn lane(row: &webhook_outbox::Model) -> usize {
    use std::hash::{Hash, Hasher};
    match (row.conversation_id, &row.business_number) {
        (Some(conversation), _) => {
            usize::try_from(conversation.rem_euclid(LANES as i64)).unwrap_or(0)
        }
        (None, Some(number)) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            number.hash(&mut hasher);
            usize::try_from(hasher.finish() % LANES as u64).unwrap_or(0)
        }
        (None, None) => 0,
    }
}

/// Publishes up to `limit` unpublished outbox rows, oldest first, in
/// [`LANES`] lanes, and marks those that got their PubAck; how many.
///
/// # Errors
/// Database errors, or a publish that got no ack (its lane's later rows
/// wait for the next call; the other lanes' rows are marked).
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
    let mut lanes: Vec<Vec<&webhook_outbox::Model>> = vec![Vec::new(); LANES];
    for row in &rows {
        lanes[lane(row)].push(row);
    }
    let outcomes = futures::future::join_all(lanes.into_iter().map(|lane| async move {
        let mut published = Vec::with_capacity(lane.len());
        for row in lane {
            let id = super::event_id(row.id);
            if let Err(err) = publish_row(js, subject(&row.event_type), &id, row).await {
                return (published, Some(err));
            }
            published.push(row.id);
        }
        (published, None)
    }))
    .await;
    let mut published = Vec::with_capacity(rows.len());
    let mut failed = None;
    for (ids, err) in outcomes {
        published.extend(ids);
        failed = failed.or(err);
    }
    mark(db, &published).await?;
    match failed {
        Some(err) => Err(err),
        None => Ok(published.len()),
    }
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn row(id: i64, conversation: Option<i64>, number: Option<&str>) -> webhook_outbox::Model {
        webhook_outbox::Model {
            id,
            event_type: "message.received".into(),
            conversation_id: conversation,
            message_id: None,
            business_number: number.map(str::to_owned),
            team_id: None,
            payload: serde_json::json!({}),
            created_at: Utc::now(),
            published_at: None,
        }
    }

    #[test]
    fn a_conversations_events_share_a_lane_and_lanes_spread() {
        for conversation in 0..100 {
            let lanes: HashSet<usize> = (0..5)
                .map(|id| lane(&row(id, Some(conversation), Some("1065"))))
                .collect();
            assert_eq!(lanes.len(), 1, "conversation {conversation}: {lanes:?}");
        }
        let spread: HashSet<usize> = (0..100).map(|c| lane(&row(1, Some(c), None))).collect();
        assert_eq!(spread.len(), LANES);
        assert_eq!(
            lane(&row(1, None, Some("1065"))),
            lane(&row(9, None, Some("1065")))
        );
        assert_eq!(lane(&row(1, None, None)), 0);
        assert!((0..1000).all(|c| lane(&row(1, Some(-c), None)) < LANES));
    }
}
