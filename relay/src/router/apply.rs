//! The one path that writes inbound events to the database: a batch of a
//! partition's events in ONE transaction (all of them or none), and a
//! single event as a batch of one (the router's fallback after a failed
//! batch, and the repair scan). What an event does is `sessions`, the
//! statements `batch`; here the transaction, the conversations that
//! committed put into the session cache, and the duplicates of the
//! one-event entry. Acking lives in `router`.

use sea_orm::{DatabaseConnection, DbErr};

use crate::envelope::{EventBody, InboundEvent};
use crate::lifecycle::StageRecord;
use crate::router::session_cache::SessionCache;
use crate::router::sessions::{self, Applied, SessionPolicy};

/// Applies one event: a batch of one. A message stored before (checked
/// before the write transaction starts) or by a concurrent writer (a unique
/// violation) is a duplicate.
///
/// # Errors
/// Database errors; the caller retries and the event is redelivered.
pub async fn apply(
    db: &DatabaseConnection,
    policy: SessionPolicy,
    event: &InboundEvent,
    cache: Option<&SessionCache>,
) -> Result<Applied, DbErr> {
    let message = match &event.body {
        EventBody::Message(message) => Some(message),
        _ => None,
    };
    if let Some(message) = message
        && sessions::already_applied(db, event.provider.as_str(), &message.id).await?
    {
        return Ok(Applied::Duplicate);
    }
    match apply_batch(db, policy, &[event], cache, |_, _| None).await {
        Ok(mut applied) => applied
            .pop()
            .ok_or_else(|| DbErr::Custom("the event was not applied".into())),
        Err(err) if message.is_some() && sessions::is_unique_violation(&err) => {
            Ok(Applied::Duplicate)
        }
        Err(err) => Err(err),
    }
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
    F: Fn(usize, &Applied) -> Option<(i64, Vec<StageRecord>)>,
{
    let started = chrono::Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let written = match crate::router::batch::write(&txn, policy, events, cache, &stages).await {
        // The integrators' events commit with the batch, or not at all;
        // built only while an endpoint wants them.
        Ok(applied) => match crate::hooks::outbox::wanted(&txn).await {
            Ok(true) => crate::hooks::outbox::record(
                &txn,
                crate::router::webhooks::batch_events(events, &applied, started),
            )
            .await
            .map(|()| applied),
            Ok(false) => Ok(applied),
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
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
    if let Some(cache) = cache {
        for applied in &applied {
            if let Applied::Message { conversation, .. } = applied {
                cache.put(conversation).await;
            }
        }
    }
    Ok(applied)
}
