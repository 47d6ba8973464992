//! The dead-letter queue's index and operations. Router and sender only
//! publish letters to the DLQ stream, both through [`letter::publish`]
//! (original bytes and headers plus `Wharf-Origin-*`, `Wharf-Error`,
//! `Wharf-Attempts`); this module owns everything after that: the indexer that turns letters into `dead_letters`
//! rows, and inspect, replay and discard, each written to `audit_log`.
//! It does not decide what is a dead letter (the router and sender do).
//!
//! Replay republishes the original bytes and headers to the original subject
//! with `Nats-Msg-Id: replay:<dlq id>:<n>` and `Wharf-Replay-Of: <dlq id>`.
//! Failures keep their headers, so a replay that fails again comes back to
//! the DLQ carrying `Wharf-Replay-Of`: the indexer then updates that row
//! (back to `pending`, the previous failure appended to `history`) instead of
//! adding a new one. Nothing replays by itself, so nothing loops: each replay
//! is one operator action and at most one new failure. Inbound letters are
//! replayed to the hub's own subject (`wa.in.hub.<number>.<partition>`): the
//! regional edge stream they came from lives in another JetStream domain.
//! A sender letter's message row goes back from `failed` to `queued` before
//! the republish so the sender sends it again. A media letter (origin
//! `media`) goes back to the work queue `MEDIA`, where the fetcher tries
//! the file again.

pub mod headers;
pub mod letter;

use std::time::Duration;

use async_nats::jetstream::{
    self, AckKind,
    consumer::{AckPolicy, pull},
};
use chrono::{DateTime, Utc};
use entities::{dead_letter, message};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::envelope::{MSG_ID_HEADER, OutboundReply};
use crate::topology;

/// Durable name of the indexer consumer on DLQ (shared by every sender).
pub const INDEXER_CONSUMER: &str = crate::topology::DLQ_INDEXER_CONSUMER;
/// Header of a replayed message: the dead letter it came from.
pub const REPLAY_OF_HEADER: &str = "Wharf-Replay-Of";

/// Why a DLQ operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DlqError {
    #[error("dead letter {0} not found")]
    NotFound(i64),
    #[error("dead letter {id} is {status}; only pending letters can be replayed or discarded")]
    NotPending { id: i64, status: String },
    #[error(
        "dead letter {id} is of message {message_id}, which was retried as message {retry_id}: \
         replaying it would send the reply a second time (discard it instead)"
    )]
    Retried {
        id: i64,
        message_id: i64,
        retry_id: i64,
    },
    #[error("the letter's bytes are gone from the DLQ stream: {0}")]
    Gone(String),
    #[error("NATS: {0}")]
    Nats(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Filter of list and bulk replay; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct DlqFilter {
    pub origin: Option<String>,
    pub reason: Option<String>,
    pub business_number: Option<String>,
    pub status: Option<String>,
    /// Last failure at or after.
    pub since: Option<DateTime<Utc>>,
    /// Last failure before.
    pub until: Option<DateTime<Utc>>,
}

impl DlqFilter {
    fn condition(&self) -> Condition {
        let mut c = Condition::all();
        if let Some(v) = &self.origin {
            c = c.add(dead_letter::Column::Origin.eq(v.as_str()));
        }
        if let Some(v) = &self.reason {
            c = c.add(dead_letter::Column::Reason.eq(v.as_str()));
        }
        if let Some(v) = &self.business_number {
            c = c.add(dead_letter::Column::BusinessNumber.eq(v.as_str()));
        }
        if let Some(v) = &self.status {
            c = c.add(dead_letter::Column::Status.eq(v.as_str()));
        }
        if let Some(v) = self.since {
            c = c.add(dead_letter::Column::LastFailedAt.gte(v));
        }
        if let Some(v) = self.until {
            c = c.add(dead_letter::Column::LastFailedAt.lt(v));
        }
        c
    }
}

/// A letter with its original bytes and headers from the stream.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub row: dead_letter::Model,
    pub headers: Vec<(String, String)>,
    pub payload: bytes::Bytes,
}

/// Lists letters, newest failure first.
///
/// # Errors
/// Database failures.
pub async fn list(
    db: &DatabaseConnection,
    filter: &DlqFilter,
    limit: u64,
    before_id: Option<i64>,
) -> Result<Vec<dead_letter::Model>, DlqError> {
    let mut query = dead_letter::Entity::find()
        .filter(filter.condition())
        .order_by_desc(dead_letter::Column::Id);
    if let Some(before) = before_id {
        query = query.filter(dead_letter::Column::Id.lt(before));
    }
    Ok(query.limit(limit).all(db).await?)
}

/// Counts letters matching `filter`.
///
/// # Errors
/// Database failures.
pub async fn count(db: &DatabaseConnection, filter: &DlqFilter) -> Result<u64, DlqError> {
    Ok(dead_letter::Entity::find()
        .filter(filter.condition())
        .count(db)
        .await?)
}

/// One letter with its bytes and headers.
///
/// # Errors
/// Unknown id, the stream no longer holds it, or NATS / database failures.
pub async fn inspect(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    id: i64,
) -> Result<Inspected, DlqError> {
    let row = find(db, id).await?;
    let raw = letter(js, &row).await?;
    let mut headers: Vec<(String, String)> = raw
        .headers
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.to_string(), v.to_string())))
        .collect();
    headers.sort();
    Ok(Inspected {
        row,
        headers,
        payload: raw.payload,
    })
}

/// Replays one pending letter to its original subject; returns the updated row.
///
/// # Errors
/// Unknown or not pending, bytes gone, or the republish was not stored.
pub async fn replay(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    id: i64,
    actor: &str,
) -> Result<dead_letter::Model, DlqError> {
    let row = find(db, id).await?;
    if row.status != "pending" {
        return Err(DlqError::NotPending {
            id,
            status: row.status,
        });
    }
    let raw = letter(js, &row).await?;
    let n = row.replay_count + 1;
    let mut headers =
        crate::envelope::headers_to_republish(&raw.headers, |name| name.starts_with("Wharf-"));
    headers.insert(MSG_ID_HEADER, format!("replay:{id}:{n}").as_str());
    headers.insert(REPLAY_OF_HEADER, id.to_string().as_str());
    if row.origin == topology::DLQ_ORIGIN_SENDER
        && let Ok(reply) = serde_json::from_slice::<OutboundReply>(&raw.payload)
    {
        // A retry made before this letter's stage was recorded could not
        // discard it (the retry finds the letter by that stage).
        if let Some(retry_id) = crate::outbound::retried_as(db, reply.message_id).await? {
            return Err(DlqError::Retried {
                id,
                message_id: reply.message_id,
                retry_id,
            });
        }
        message::Entity::update_many()
            .col_expr(message::Column::Status, Expr::value("queued"))
            .col_expr(message::Column::Error, Expr::value(Option::<String>::None))
            .col_expr(message::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(message::Column::Id.eq(reply.message_id))
            .filter(message::Column::Status.eq("failed"))
            .exec(db)
            .await?;
        crate::lifecycle::record_logged(
            db,
            reply.message_id,
            entities::message_event::Stage::Replayed,
            json!({ "dead_letter": id, "replay": n, "by": actor }),
        )
        .await;
    }
    if row.origin == topology::DLQ_ORIGIN_MEDIA
        && let Ok(job) = serde_json::from_slice::<crate::media::MediaJob>(&raw.payload)
    {
        crate::lifecycle::record_logged(
            db,
            job.message_id,
            entities::message_event::Stage::Replayed,
            json!({ "dead_letter": id, "replay": n, "by": actor }),
        )
        .await;
    }
    let subject = replay_subject(&row.subject);
    js.publish_with_headers(subject.clone(), headers, raw.payload)
        .await
        .map_err(|e| DlqError::Nats(e.to_string()))?
        .await
        .map_err(|e| DlqError::Nats(e.to_string()))?;
    let mut active: dead_letter::ActiveModel = row.into();
    active.status = Set("replayed".into());
    active.replay_count = Set(n);
    let row = active.update(db).await?;
    audit(
        db,
        actor,
        "dlq.replay",
        id,
        json!({"subject": subject, "replay": n}),
    )
    .await?;
    Ok(row)
}

/// Result of a bulk replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkOutcome {
    pub matched: u64,
    pub replayed: u64,
}

/// Replays every pending letter matching `filter`; with `dry_run` only counts.
///
/// # Errors
/// Database failures; a letter that cannot be replayed stops the run (the
/// ones before it are replayed and audited).
pub async fn replay_many(
    db: &DatabaseConnection,
    js: &jetstream::Context,
    filter: &DlqFilter,
    dry_run: bool,
    actor: &str,
) -> Result<BulkOutcome, DlqError> {
    let mut filter = filter.clone();
    filter.status = Some("pending".into());
    let matched = count(db, &filter).await?;
    audit(
        db,
        actor,
        if dry_run {
            "dlq.replay_many.dry_run"
        } else {
            "dlq.replay_many"
        },
        0,
        json!({"filter": format!("{filter:?}"), "matched": matched}),
    )
    .await?;
    if dry_run {
        return Ok(BulkOutcome {
            matched,
            replayed: 0,
        });
    }
    let ids: Vec<i64> = dead_letter::Entity::find()
        .filter(filter.condition())
        .order_by_asc(dead_letter::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let mut replayed = 0;
    for id in ids {
        match replay(db, js, id, actor).await {
            Ok(_) => replayed += 1,
            Err(DlqError::NotPending { .. } | DlqError::Retried { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(BulkOutcome { matched, replayed })
}

/// Marks a pending letter discarded (its bytes stay in the stream until it ages out).
///
/// # Errors
/// Unknown or not pending; database failures.
pub async fn discard(
    db: &DatabaseConnection,
    id: i64,
    actor: &str,
) -> Result<dead_letter::Model, DlqError> {
    let row = find(db, id).await?;
    if row.status != "pending" {
        return Err(DlqError::NotPending {
            id,
            status: row.status,
        });
    }
    let mut active: dead_letter::ActiveModel = row.into();
    active.status = Set("discarded".into());
    let row = active.update(db).await?;
    audit(db, actor, "dlq.discard", id, json!({})).await?;
    Ok(row)
}

async fn find(db: &DatabaseConnection, id: i64) -> Result<dead_letter::Model, DlqError> {
    dead_letter::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DlqError::NotFound(id))
}

async fn letter(
    js: &jetstream::Context,
    row: &dead_letter::Model,
) -> Result<jetstream::message::StreamMessage, DlqError> {
    let sequence = row
        .dlq_sequence
        .and_then(|s| u64::try_from(s).ok())
        .ok_or_else(|| DlqError::Gone("no DLQ sequence recorded".into()))?;
    let stream = js
        .get_stream(topology::DLQ)
        .await
        .map_err(|e| DlqError::Nats(e.to_string()))?;
    stream
        .get_raw_message(sequence)
        .await
        .map_err(|e| DlqError::Gone(e.to_string()))
}

async fn audit(
    db: &DatabaseConnection,
    actor: &str,
    action: &str,
    id: i64,
    detail: serde_json::Value,
) -> Result<(), DlqError> {
    let entry = crate::audit::Entry {
        actor,
        action,
        target_type: "dead_letter",
        target_id: (id > 0).then(|| id.to_string()),
        detail,
    };
    crate::audit::record(db, entry).await?;
    Ok(())
}

/// Where a replay goes: the original subject; inbound events go to the
/// hub's own inbound subject (their edge stream is in another domain).
pub fn replay_subject(original: &str) -> String {
    let tokens: Vec<&str> = original.split('.').collect();
    match tokens.as_slice() {
        ["wa", "in", _region, number, partition] => match partition.parse() {
            Ok(partition) => topology::inbound_subject(topology::HUB_REGION, number, partition),
            Err(_) => original.to_owned(),
        },
        _ => original.to_owned(),
    }
}

/// The business number token of an origin subject, if it has one.
pub fn number_of(subject: &str) -> Option<String> {
    let tokens: Vec<&str> = subject.split('.').collect();
    match tokens.as_slice() {
        ["wa", "out", number, _] | ["wa", "in", _, number, _] | ["wa", "media", number, _] => {
            Some((*number).to_owned())
        }
        _ => None,
    }
}

/// Consumes the DLQ stream into `dead_letters` until `shutdown`. Runs in
/// every sender process on one shared durable consumer.
///
/// # Errors
/// When the consumer cannot be created.
pub async fn run_indexer(
    db: DatabaseConnection,
    js: jetstream::Context,
    shutdown: CancellationToken,
) -> crate::Result<()> {
    let stream = js
        .get_stream(topology::DLQ)
        .await
        .map_err(crate::Error::nats)?;
    let consumer: jetstream::consumer::PullConsumer = stream
        .get_or_create_consumer(
            INDEXER_CONSUMER,
            pull::Config {
                durable_name: Some(INDEXER_CONSUMER.into()),
                ack_policy: AckPolicy::Explicit,
                ack_wait: Duration::from_secs(30),
                ..Default::default()
            },
        )
        .await
        .map_err(crate::Error::nats)?;
    // One letter at a time: a replay's failure updates its letter's row.
    crate::pull::consume(&js, &consumer, 1, "DLQ indexer", &shutdown, |message| {
        let db = &db;
        let shutdown = &shutdown;
        async move {
            // Retried in place rather than NAKed with a delay (nats-server
            // 2.9.10 can lose delayed redeliveries, see the sender).
            let kind = loop {
                match index(db, &message).await {
                    Ok(()) => break AckKind::Ack,
                    Err(err) => {
                        tracing::warn!(%err, "DLQ indexing failed; retrying");
                        crate::pull::ack(&message, AckKind::Progress).await;
                        tokio::select! {
                            () = shutdown.cancelled() => break AckKind::Nak(None),
                            () = tokio::time::sleep(Duration::from_secs(2)) => {}
                        }
                    }
                }
            };
            crate::pull::ack(&message, kind).await;
        }
    })
    .await;
    Ok(())
}

/// Writes (or, for a failed replay, updates) the row of one letter.
async fn index(db: &DatabaseConnection, message: &jetstream::Message) -> Result<(), DlqError> {
    let info = message.info().map_err(|e| DlqError::Nats(e.to_string()))?;
    let sequence = i64::try_from(info.stream_sequence).unwrap_or(i64::MAX);
    let failed_at =
        DateTime::from_timestamp(info.published.unix_timestamp(), info.published.nanosecond())
            .unwrap_or_else(Utc::now);
    let headers = message.headers.clone().unwrap_or_default();
    let header = |name: &str| headers.get(name).map(|v| v.as_str().to_owned());
    let tokens: Vec<&str> = message.subject.split('.').collect();
    let origin = tokens.get(2).copied().unwrap_or("unknown").to_owned();
    let reason = tokens.get(3).copied().unwrap_or("unknown").to_owned();
    let subject = header(headers::ORIGIN_SUBJECT).unwrap_or_default();
    let error = header(headers::ERROR).unwrap_or_default();
    let attempts: i32 = header(headers::ATTEMPTS)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let origin_sequence: i64 = header(headers::ORIGIN_SEQUENCE)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);

    if let Some(replay_of) = header(REPLAY_OF_HEADER).and_then(|v| v.parse::<i64>().ok())
        && let Some(row) = dead_letter::Entity::find_by_id(replay_of).one(db).await?
    {
        if row.dlq_sequence.is_some_and(|s| s >= sequence) {
            return Ok(()); // seen already
        }
        let mut history = row.history.as_array().cloned().unwrap_or_default();
        history.push(json!({
            "dlq_sequence": row.dlq_sequence,
            "reason": row.reason,
            "error": row.error,
            "attempts": row.attempts,
            "failed_at": row.last_failed_at,
        }));
        let mut active: dead_letter::ActiveModel = row.into();
        active.status = Set("pending".into());
        active.reason = Set(reason.clone());
        active.error = Set(error);
        active.attempts = Set(attempts);
        active.dlq_sequence = Set(Some(sequence));
        active.stream_sequence = Set(origin_sequence);
        active.last_failed_at = Set(Some(failed_at));
        active.history = Set(serde_json::Value::Array(history));
        active.update(db).await?;
        metrics::counter!(crate::observe::DLQ_LETTERS, "origin" => origin, "reason" => reason)
            .increment(1);
        return Ok(());
    }

    if dead_letter::Entity::find()
        .filter(dead_letter::Column::DlqSequence.eq(sequence))
        .one(db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    metrics::counter!(crate::observe::DLQ_LETTERS, "origin" => origin.clone(), "reason" => reason.clone())
        .increment(1);
    // The row and the integrators' event in one transaction.
    let txn = crate::db::begin_write(db).await?;
    let row = dead_letter::ActiveModel {
        origin: Set(origin),
        reason: Set(reason),
        business_number: Set(number_of(&subject)),
        subject: Set(subject),
        stream_sequence: Set(origin_sequence),
        msg_id: Set(header(MSG_ID_HEADER)),
        error: Set(error),
        attempts: Set(attempts),
        status: Set("pending".into()),
        replay_count: Set(0),
        dlq_sequence: Set(Some(sequence)),
        first_failed_at: Set(Some(failed_at)),
        last_failed_at: Set(Some(failed_at)),
        history: Set(json!([])),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let data = crate::hooks::payload::DeadLetterCreated {
        dead_letter: (&row).into(),
    };
    let mut event = crate::hooks::Event::new("dead_letter.created", &data);
    event.business_number.clone_from(&row.business_number);
    crate::hooks::outbox::record(&txn, vec![event]).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbound_letters_replay_to_the_hub_outbound_to_their_subject() {
        assert_eq!(replay_subject("wa.in.eu.1065.3"), "wa.in.hub.1065.3");
        assert_eq!(replay_subject("wa.out.1065.3"), "wa.out.1065.3");
        assert_eq!(number_of("wa.out.1065.3").as_deref(), Some("1065"));
        assert_eq!(number_of("wa.in.us.s1.0").as_deref(), Some("s1"));
        assert_eq!(number_of("wa.dlq.x.y"), None);
        assert_eq!(replay_subject("wa.media.1065.42"), "wa.media.1065.42");
        assert_eq!(number_of("wa.media.1065.42").as_deref(), Some("1065"));
    }
}
