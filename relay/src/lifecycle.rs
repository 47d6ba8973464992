//! Message lifecycle records (`message_events`): every role appends what it
//! did to a message, so support can see one message's whole life — received
//! at an edge, stored, routed, queued, each failed attempt, sent, delivered,
//! read, failed, dead-lettered, replayed — through the admin API.
//!
//! Records written inside a role's own transaction share its fate; records
//! written beside one ([`record_logged`]) are best effort: a lost record
//! never fails or repeats the work it describes.

use chrono::{DateTime, Utc};
use entities::message_event::{self, Stage};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde_json::Value;

/// Appends one stage of `message_id`'s life.
///
/// # Errors
/// The database refused the row.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    message_id: i64,
    stage: Stage,
    at: DateTime<Utc>,
    detail: Value,
) -> Result<(), DbErr> {
    row(message_id, (stage, at, detail)).insert(conn).await?;
    Ok(())
}

/// The row of one stage record of a message.
pub fn row(message_id: i64, (stage, at, detail): StageRecord) -> message_event::ActiveModel {
    message_event::ActiveModel {
        message_id: Set(message_id),
        stage: Set(stage.into()),
        at: Set(at),
        detail: Set(detail),
        ..Default::default()
    }
}

/// [`record`], logging instead of failing: for records beside work that has
/// already happened (a send the provider accepted stays accepted).
pub async fn record_logged<C: ConnectionTrait>(
    conn: &C,
    message_id: i64,
    stage: Stage,
    detail: Value,
) {
    if let Err(err) = record(conn, message_id, stage, Utc::now(), detail).await {
        tracing::warn!(message_id, %stage, %err, "lifecycle record lost");
    }
}

/// One stage of a message's life: what, when, details.
pub type StageRecord = (Stage, DateTime<Utc>, Value);

/// Several stages of one message in one insert, logging instead of failing
/// (the router's records after it applied an event).
pub async fn record_all_logged<C: ConnectionTrait>(
    conn: &C,
    message_id: i64,
    stages: Vec<StageRecord>,
) {
    if let Err(err) = record_all(conn, message_id, stages).await {
        tracing::warn!(message_id, %err, "lifecycle records lost");
    }
}

/// Several stages of one message in one insert (inside the router's batch
/// transaction: they share its fate).
///
/// # Errors
/// The database refused the rows.
pub async fn record_all<C: ConnectionTrait>(
    conn: &C,
    message_id: i64,
    stages: Vec<StageRecord>,
) -> Result<(), DbErr> {
    if stages.is_empty() {
        return Ok(());
    }
    let rows = stages.into_iter().map(|record| row(message_id, record));
    message_event::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// Every recorded stage of one message, oldest first (ties in insertion order).
///
/// # Errors
/// Database errors.
pub async fn timeline<C: ConnectionTrait>(
    conn: &C,
    message_id: i64,
) -> Result<Vec<message_event::Model>, DbErr> {
    message_event::Entity::find()
        .filter(message_event::Column::MessageId.eq(message_id))
        .order_by_asc(message_event::Column::At)
        .order_by_asc(message_event::Column::Id)
        .all(conn)
        .await
}
