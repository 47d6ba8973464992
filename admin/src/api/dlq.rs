//! `/api/v1/dlq`: the dead-letter queue — list with filters, inspect the
//! original bytes and headers, replay one, replay many by filter (with a
//! dry-run count first), discard. The operations live in `relay::dlq`, which
//! also writes the audit trail; this file is only their HTTP face.

use chrono::{DateTime, Utc};
use entities::dead_letter;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{Object, OpenApi, payload::Json};
use relay::dlq::{self, DlqError, DlqFilter};

use super::ApiTags;
use crate::AppState;
use crate::auth::{Principal, Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// One dead letter.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadLetterOut {
    pub id: i64,
    /// router or sender.
    pub origin: String,
    /// Bounded failure label, e.g. `provider_131026`, `malformed`.
    pub reason: String,
    /// The subject the message was consumed from.
    pub subject: String,
    /// Its sequence in the origin stream.
    pub stream_sequence: i64,
    /// Its sequence in the DLQ stream, where its bytes are kept.
    pub dlq_sequence: Option<i64>,
    pub business_number: Option<String>,
    /// The last error, e.g. the provider's.
    pub error: String,
    /// Deliveries before it was given up.
    pub attempts: i32,
    /// pending, replayed or discarded.
    pub status: String,
    pub replay_count: i32,
    pub first_failed_at: Option<DateTime<Utc>>,
    pub last_failed_at: Option<DateTime<Utc>>,
    /// Earlier failures (one per failed replay), oldest first.
    pub history: serde_json::Value,
}

fn letter_out(m: dead_letter::Model) -> DeadLetterOut {
    DeadLetterOut {
        id: m.id,
        origin: m.origin,
        reason: m.reason,
        subject: m.subject,
        stream_sequence: m.stream_sequence,
        dlq_sequence: m.dlq_sequence,
        business_number: m.business_number,
        error: m.error,
        attempts: m.attempts,
        status: m.status,
        replay_count: m.replay_count,
        first_failed_at: m.first_failed_at,
        last_failed_at: m.last_failed_at,
        history: m.history,
    }
}

/// One page of dead letters.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadLetterPageOut {
    pub items: Vec<DeadLetterOut>,
    /// Matching letters in all pages.
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A header of the original message.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HeaderOut {
    pub name: String,
    pub value: String,
}

/// A dead letter with its original bytes and headers.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeadLetterDetailOut {
    pub letter: DeadLetterOut,
    pub headers: Vec<HeaderOut>,
    /// The original payload (UTF-8; invalid bytes replaced).
    pub payload: String,
}

/// Which letters a bulk replay takes (pending ones only).
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DlqReplayIn {
    pub origin: Option<String>,
    pub reason: Option<String>,
    pub number: Option<String>,
    /// Last failure at or after.
    pub since: Option<DateTime<Utc>>,
    /// Last failure before.
    pub until: Option<DateTime<Utc>>,
    /// Only count what would be replayed (default true: ask first).
    #[oai(default = "default_dry_run")]
    pub dry_run: bool,
}

fn default_dry_run() -> bool {
    true
}

/// Outcome of a bulk replay.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DlqReplayOut {
    /// Pending letters matching the filter.
    pub matched: u64,
    /// Letters republished (0 on a dry run).
    pub replayed: u64,
    pub dry_run: bool,
}

fn actor(p: &Principal) -> String {
    match p.agent_id {
        Some(id) => format!("agent:{id}"),
        None => format!("token:{}", p.token_name),
    }
}

fn api_error(err: DlqError) -> ApiError {
    match err {
        DlqError::NotFound(_) => ApiError::not_found("dead letter"),
        err @ (DlqError::NotPending { .. } | DlqError::Retried { .. }) => {
            ApiError::conflict(err.to_string())
        }
        err @ DlqError::Gone(_) => ApiError::unprocessable("gone", err.to_string()),
        DlqError::Nats(err) => ApiError::unavailable(err),
        DlqError::Database(err) => ApiError::from(err),
    }
}

pub struct DlqApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Dlq")]
impl DlqApi {
    /// List dead letters
    ///
    /// Newest first; filter by origin, reason, business number, status and
    /// last-failure time range; page with `cursor`.
    #[oai(path = "/dlq", method = "get", operation_id = "listDeadLetters")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        origin: Query<Option<String>>,
        reason: Query<Option<String>>,
        /// Business phone number id / session.
        number: Query<Option<String>>,
        /// pending, replayed or discarded.
        status: Query<Option<String>>,
        since: Query<Option<DateTime<Utc>>>,
        until: Query<Option<DateTime<Utc>>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        #[oai(validator(pattern = r"^[0-9]{1,19}$"))]
        cursor: Query<Option<String>>,
    ) -> ApiResult<Json<DeadLetterPageOut>> {
        auth.0.require(Role::Supervisor)?;
        let limit = limit.0.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "limit must be between 1 and 200",
            ));
        }
        let before = cursor
            .0
            .map(|c| c.parse::<i64>())
            .transpose()
            .map_err(|_| {
                ApiError::bad_request("invalid_parameter", "cursor is not one we issued")
            })?;
        let filter = DlqFilter {
            origin: origin.0,
            reason: reason.0,
            business_number: number.0,
            status: status.0,
            since: since.0,
            until: until.0,
        };
        let total = dlq::count(&state.db, &filter).await.map_err(api_error)?;
        let mut rows = dlq::list(&state.db, &filter, limit + 1, before)
            .await
            .map_err(api_error)?;
        let more = rows.len() as u64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = more
            .then(|| rows.last().map(|r| r.id.to_string()))
            .flatten();
        Ok(Json(DeadLetterPageOut {
            items: rows.into_iter().map(letter_out).collect(),
            total,
            next_cursor,
        }))
    }

    /// Inspect a dead letter
    ///
    /// The index row with the original payload and headers from the DLQ stream.
    #[oai(path = "/dlq/:id", method = "get", operation_id = "getDeadLetter")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<DeadLetterDetailOut>> {
        auth.0.require(Role::Supervisor)?;
        let inspected = dlq::inspect(&state.db, &state.js, id.0)
            .await
            .map_err(api_error)?;
        Ok(Json(DeadLetterDetailOut {
            letter: letter_out(inspected.row),
            headers: inspected
                .headers
                .into_iter()
                .map(|(name, value)| HeaderOut { name, value })
                .collect(),
            payload: String::from_utf8_lossy(&inspected.payload).into_owned(),
        }))
    }

    /// Replay a dead letter
    ///
    /// Republishes the original bytes and headers to the original subject with
    /// `Nats-Msg-Id: replay:<id>:<n>`. Only pending letters (409 otherwise);
    /// if it fails again it comes back as this same letter, with its history.
    #[oai(
        path = "/dlq/:id/replay",
        method = "post",
        operation_id = "replayDeadLetter"
    )]
    async fn replay(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<DeadLetterOut>> {
        auth.0.require(Role::Supervisor)?;
        let row = dlq::replay(&state.db, &state.js, id.0, &actor(&auth.0))
            .await
            .map_err(api_error)?;
        Ok(Json(letter_out(row)))
    }

    /// Discard a dead letter
    ///
    /// Marks a pending letter discarded; it is no longer replayable.
    #[oai(
        path = "/dlq/:id/discard",
        method = "post",
        operation_id = "discardDeadLetter"
    )]
    async fn discard(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<DeadLetterOut>> {
        auth.0.require(Role::Supervisor)?;
        let row = dlq::discard(&state.db, id.0, &actor(&auth.0))
            .await
            .map_err(api_error)?;
        Ok(Json(letter_out(row)))
    }

    /// Replay dead letters by filter
    ///
    /// Pending letters matching the filter. `dry_run` (the default) only
    /// counts them; send `dry_run: false` to replay.
    #[oai(
        path = "/dlq/replay",
        method = "post",
        operation_id = "replayDeadLetters"
    )]
    async fn replay_many(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<DlqReplayIn>,
    ) -> ApiResult<Json<DlqReplayOut>> {
        auth.0.require(Role::Supervisor)?;
        let body = body.0;
        let filter = DlqFilter {
            origin: body.origin,
            reason: body.reason,
            business_number: body.number,
            status: None,
            since: body.since,
            until: body.until,
        };
        let outcome =
            dlq::replay_many(&state.db, &state.js, &filter, body.dry_run, &actor(&auth.0))
                .await
                .map_err(api_error)?;
        Ok(Json(DlqReplayOut {
            matched: outcome.matched,
            replayed: outcome.replayed,
            dry_run: body.dry_run,
        }))
    }
}
