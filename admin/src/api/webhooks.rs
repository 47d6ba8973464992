//! `/api/v1/webhooks`: integrators' endpoints (issue 23). Admins create,
//! change, rotate and delete them, resend one event and recover an
//! endpoint's events since a time; supervisors read them and their
//! attempts. The URL, the signing secret and the custom headers are sealed
//! at rest and never answered again (the secret once, on creation and
//! rotation; the URL as its origin). Every change is audited, without
//! them. Delivery is the senders' (`relay::hooks::deliver`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::{webhook_attempt, webhook_endpoint, webhook_outbox};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use relay::hooks::{self, deliver, outbox, sign};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{ApiTags, Deleted};
use crate::AppState;
use crate::audit;
use crate::auth::{Role, TokenAuth};
use crate::error::{ApiError, ApiResult};

/// How far back a recovery may reach, in events.
const RECOVER_MAX: u64 = 10_000;

/// One event type of the catalog.
#[derive(Debug, Object)]
pub struct EventTypeOut {
    pub name: String,
    pub description: String,
}

/// The catalog of event types.
#[derive(Debug, Object)]
pub struct EventCatalogOut {
    /// The payloads' version (`version` in every event).
    pub version: u32,
    pub types: Vec<EventTypeOut>,
}

/// A new endpoint.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookIn {
    /// Where events are POSTed: `https://…` (plain `http://` only to a
    /// loopback address).
    #[oai(validator(min_length = 8, max_length = 2000))]
    pub url: String,
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
    /// Event types delivered (see `/webhooks/event-types`); empty or
    /// absent: all.
    pub event_types: Option<Vec<String>>,
    /// Only events of this business number (phone number id).
    pub business_number: Option<String>,
    /// Only events of conversations of this team (events naming no team,
    /// such as delivery statuses, are delivered too).
    pub team_id: Option<i64>,
    /// Deliver one event at a time, in order (default true).
    pub ordered: Option<bool>,
    /// At most this many deliveries a second.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub rate_per_second: Option<i32>,
    /// Extra request headers (e.g. an `Authorization` the receiver wants).
    pub headers: Option<HashMap<String, String>>,
}

/// A change of an endpoint: what is given changes.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookPatch {
    #[oai(validator(min_length = 8, max_length = 2000))]
    pub url: Option<String>,
    #[oai(validator(max_length = 500))]
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// A phone number id; `""` removes the filter.
    pub business_number: Option<String>,
    /// A team id; `0` removes the filter.
    pub team_id: Option<i64>,
    /// `true` enables (clearing the reason it was disabled), `false` disables.
    pub enabled: Option<bool>,
    pub ordered: Option<bool>,
    /// `0` removes the limit.
    #[oai(validator(minimum(value = "0"), maximum(value = "1000")))]
    pub rate_per_second: Option<i32>,
    /// Replaces the extra headers (`{}` removes them).
    pub headers: Option<HashMap<String, String>>,
}

/// An endpoint, without its URL, secret and header values.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookOut {
    pub id: i64,
    /// The URL's scheme and host: the URL itself is a secret.
    pub url_origin: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub business_number: Option<String>,
    pub team_id: Option<i64>,
    pub enabled: bool,
    /// `gone` (the receiver answered 410) or `failing` (failing longer
    /// than allowed) when Wharf disabled it.
    pub disabled_reason: Option<String>,
    pub ordered: bool,
    pub rate_per_second: Option<i32>,
    /// The names of the extra headers.
    pub header_names: Vec<String>,
    /// Until when the secret before the last rotation signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Since when every delivery failed.
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A created endpoint and its signing secret, shown this once.
#[derive(Debug, Object)]
pub struct WebhookCreatedOut {
    pub webhook: WebhookOut,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
}

/// A rotation: how long the old secret keeps signing.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RotateIn {
    /// Hours both secrets sign (default 24, at most 168; 0 ends the old
    /// one now).
    #[oai(validator(minimum(value = "0"), maximum(value = "168")))]
    pub overlap_hours: Option<i64>,
}

/// The new secret, shown this once.
#[derive(Debug, Object)]
pub struct RotatedOut {
    pub secret: String,
    /// Until when the old secret signs too.
    pub previous_secret_until: DateTime<Utc>,
}

/// One delivery attempt.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AttemptOut {
    pub id: i64,
    pub event_id: String,
    pub event_type: String,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    pub attempt: i32,
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i64,
    /// The first bytes of the receiver's answer.
    pub response_prefix: Option<String>,
    pub error: Option<String>,
    /// `delivered`, `retrying` or `failed`.
    pub outcome: String,
}

/// One event to send again.
#[derive(Debug, Object)]
pub struct ResendIn {
    /// `evt_<n>`, as delivered.
    pub event_id: String,
}

/// Events since a time to send again.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecoverIn {
    pub since: DateTime<Utc>,
    /// Count only (default false).
    pub dry_run: Option<bool>,
}

/// What a recovery found (and sent, unless a dry run).
#[derive(Debug, Object)]
pub struct RecoverOut {
    /// Events of the window this endpoint wants.
    pub events: u64,
    pub dry_run: bool,
}

#[derive(ApiResponse)]
enum Created {
    /// Created; the signing secret is in the answer, once.
    #[oai(status = 201)]
    Webhook(Json<WebhookCreatedOut>),
}

#[derive(ApiResponse)]
enum Accepted {
    /// Queued for delivery.
    #[oai(status = 202)]
    Queued(Json<RecoverOut>),
}

fn webhook_out(e: webhook_endpoint::Model, vault: &relay::vault::Vault) -> WebhookOut {
    let header_names = vault
        .open(deliver::HEADERS_FIELD, &e.headers)
        .ok()
        .and_then(|h| serde_json::from_str::<HashMap<String, String>>(h.expose()).ok())
        .map(|h| {
            let mut names: Vec<String> = h.into_keys().collect();
            names.sort();
            names
        })
        .unwrap_or_default();
    WebhookOut {
        id: e.id,
        url_origin: e.url_origin,
        description: e.description,
        event_types: serde_json::from_value(e.event_types).unwrap_or_default(),
        business_number: e.business_number,
        team_id: e.team_id,
        enabled: e.enabled,
        disabled_reason: e.disabled_reason,
        ordered: e.ordered,
        rate_per_second: e.rate_per_second,
        header_names,
        previous_secret_until: e.previous_secret_until,
        failing_since: e.failing_since,
        created_at: e.created_at,
        updated_at: e.updated_at,
    }
}

/// The origin of an acceptable URL (`https://host[:port]`).
fn checked_url(url: &str) -> ApiResult<String> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| ApiError::invalid_field("url", format!("not a URL: {e}")))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| ApiError::invalid_field("url", "no host"))?;
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(ApiError::invalid_field(
                "url",
                "use https:// (plain http only to a loopback address)",
            ));
        }
        other => {
            return Err(ApiError::invalid_field(
                "url",
                format!("scheme {other} is not http(s)"),
            ));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ApiError::invalid_field(
            "url",
            "no credentials in the URL: send them as a header",
        ));
    }
    Ok(parsed.origin().ascii_serialization())
}

fn checked_types(types: Option<Vec<String>>) -> ApiResult<Vec<String>> {
    let types = types.unwrap_or_default();
    if let Some(unknown) = types.iter().find(|t| !hooks::known(t)) {
        return Err(ApiError::invalid_field(
            "event_types",
            format!("{unknown:?} is not an event type (see /api/v1/webhooks/event-types)"),
        ));
    }
    Ok(types)
}

/// Headers Wharf sets itself, or that would break the request.
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "host",
    "transfer-encoding",
    "connection",
    "user-agent",
];

fn checked_headers(headers: Option<HashMap<String, String>>) -> ApiResult<String> {
    let headers = headers.unwrap_or_default();
    if headers.len() > 20 {
        return Err(ApiError::invalid_field("headers", "at most 20"));
    }
    for (name, value) in &headers {
        let lower = name.to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) || lower.starts_with("webhook-") {
            return Err(ApiError::invalid_field(
                "headers",
                format!("{name} is set by Wharf"),
            ));
        }
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err()
            || reqwest::header::HeaderValue::from_str(value).is_err()
            || value.len() > 4096
        {
            return Err(ApiError::invalid_field(
                "headers",
                format!("{name} is not a valid header"),
            ));
        }
    }
    if headers.is_empty() {
        return Ok(String::new());
    }
    serde_json::to_string(&headers).map_err(ApiError::internal)
}

async fn check_team(state: &AppState, team_id: Option<i64>) -> ApiResult<()> {
    if let Some(team) = team_id
        && entities::team::Entity::find_by_id(team)
            .one(&state.db)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_field(
            "team_id",
            format!("no team {team}"),
        ));
    }
    Ok(())
}

async fn endpoint(state: &AppState, id: i64) -> ApiResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// The audit's view of an endpoint: never its URL, secrets or header values.
fn audited(e: &webhook_endpoint::Model) -> serde_json::Value {
    serde_json::json!({
        "url_origin": e.url_origin, "description": e.description, "event_types": e.event_types,
        "business_number": e.business_number, "team_id": e.team_id, "enabled": e.enabled,
        "ordered": e.ordered, "rate_per_second": e.rate_per_second,
    })
}

/// Publishes outbox `rows` to endpoint `id` alone, under the events' own
/// ids (a receiver dedupes them).
async fn publish_to(state: &AppState, id: i64, rows: &[webhook_outbox::Model]) -> ApiResult<()> {
    let batch = uuid::Uuid::new_v4().simple().to_string();
    for row in rows {
        let msg_id = format!("{}:to:{id}:{batch}", hooks::event_id(row.id));
        outbox::publish_row(
            &state.js,
            outbox::subject_for(id, &row.event_type),
            &msg_id,
            row,
        )
        .await
        .map_err(ApiError::unavailable)?;
    }
    Ok(())
}

pub struct WebhooksApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// The event types (supervisor)
    ///
    /// Every type an endpoint may subscribe to, and the payloads' version.
    #[oai(
        path = "/webhooks/event-types",
        method = "get",
        operation_id = "listWebhookEventTypes"
    )]
    async fn event_types(&self, auth: TokenAuth) -> ApiResult<Json<EventCatalogOut>> {
        auth.0.require(Role::Supervisor)?;
        Ok(Json(EventCatalogOut {
            version: hooks::EVENT_VERSION,
            types: hooks::CATALOG
                .iter()
                .map(|t| EventTypeOut {
                    name: t.name.into(),
                    description: t.description.into(),
                })
                .collect(),
        }))
    }

    /// List webhook endpoints (supervisor)
    #[oai(path = "/webhooks", method = "get", operation_id = "listWebhooks")]
    async fn list(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
    ) -> ApiResult<Json<Vec<WebhookOut>>> {
        auth.0.require(Role::Supervisor)?;
        let rows = webhook_endpoint::Entity::find()
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&state.db)
            .await?;
        Ok(Json(
            rows.into_iter()
                .map(|e| webhook_out(e, &state.vault))
                .collect(),
        ))
    }

    /// Create a webhook endpoint (admin)
    ///
    /// Events from now on are delivered to it, signed with the secret in
    /// this answer (shown once).
    #[oai(path = "/webhooks", method = "post", operation_id = "createWebhook")]
    async fn create(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        body: Json<WebhookIn>,
    ) -> ApiResult<Created> {
        auth.0.require(Role::Admin)?;
        let body = body.0;
        let origin = checked_url(&body.url)?;
        let event_types = checked_types(body.event_types)?;
        let headers = checked_headers(body.headers)?;
        check_team(&state, body.team_id).await?;
        let secret = sign::new_secret();
        let vault = &state.vault;
        let txn = relay::db::begin_write(&state.db).await?;
        let row = webhook_endpoint::ActiveModel {
            url: Set(vault.seal(deliver::URL_FIELD, body.url.trim())),
            url_origin: Set(origin),
            description: Set(body.description.unwrap_or_default()),
            event_types: Set(serde_json::json!(event_types)),
            business_number: Set(body.business_number.filter(|n| !n.is_empty())),
            team_id: Set(body.team_id),
            enabled: Set(true),
            disabled_reason: Set(None),
            ordered: Set(body.ordered.unwrap_or(true)),
            rate_per_second: Set(body.rate_per_second),
            headers: Set(vault.seal(deliver::HEADERS_FIELD, &headers)),
            secret: Set(vault.seal(deliver::SECRET_FIELD, &secret)),
            previous_secret: Set(None),
            previous_secret_until: Set(None),
            failing_since: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            &auth.0,
            "webhook.create",
            "webhook",
            row.id,
            serde_json::json!({"after": audited(&row)}),
        )
        .await?;
        txn.commit().await?;
        outbox::invalidate();
        Ok(Created::Webhook(Json(WebhookCreatedOut {
            webhook: webhook_out(row, vault),
            secret,
        })))
    }

    /// A webhook endpoint (supervisor)
    #[oai(path = "/webhooks/:id", method = "get", operation_id = "getWebhook")]
    async fn get(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Json<WebhookOut>> {
        auth.0.require(Role::Supervisor)?;
        Ok(Json(webhook_out(
            endpoint(&state, id.0).await?,
            &state.vault,
        )))
    }

    /// Change a webhook endpoint (admin)
    ///
    /// Enabling one that Wharf disabled clears the reason; its undelivered
    /// events follow.
    #[oai(
        path = "/webhooks/:id",
        method = "patch",
        operation_id = "updateWebhook"
    )]
    async fn update(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<WebhookPatch>,
    ) -> ApiResult<Json<WebhookOut>> {
        auth.0.require(Role::Admin)?;
        let body = body.0;
        let before = endpoint(&state, id.0).await?;
        let vault = &state.vault;
        let mut row: webhook_endpoint::ActiveModel = before.clone().into();
        if let Some(url) = body.url {
            row.url_origin = Set(checked_url(&url)?);
            row.url = Set(vault.seal(deliver::URL_FIELD, url.trim()));
        }
        if let Some(description) = body.description {
            row.description = Set(description);
        }
        if body.event_types.is_some() {
            row.event_types = Set(serde_json::json!(checked_types(body.event_types)?));
        }
        if let Some(number) = body.business_number {
            row.business_number = Set(Some(number).filter(|n| !n.is_empty()));
        }
        if let Some(team) = body.team_id {
            let team = (team != 0).then_some(team);
            check_team(&state, team).await?;
            row.team_id = Set(team);
        }
        if let Some(enabled) = body.enabled {
            row.enabled = Set(enabled);
            row.disabled_reason = Set(None);
            if enabled {
                row.failing_since = Set(None);
            }
        }
        if let Some(ordered) = body.ordered {
            row.ordered = Set(ordered);
        }
        if let Some(rate) = body.rate_per_second {
            row.rate_per_second = Set((rate != 0).then_some(rate));
        }
        if body.headers.is_some() {
            row.headers = Set(vault.seal(deliver::HEADERS_FIELD, &checked_headers(body.headers)?));
        }
        row.updated_at = Set(Utc::now());
        let txn = relay::db::begin_write(&state.db).await?;
        let after = row.update(&txn).await?;
        audit::record(
            &txn,
            &auth.0,
            "webhook.update",
            "webhook",
            after.id,
            serde_json::json!({"before": audited(&before), "after": audited(&after)}),
        )
        .await?;
        txn.commit().await?;
        outbox::invalidate();
        Ok(Json(webhook_out(after, vault)))
    }

    /// Delete a webhook endpoint (admin)
    #[oai(
        path = "/webhooks/:id",
        method = "delete",
        operation_id = "deleteWebhook"
    )]
    async fn delete(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> ApiResult<Deleted> {
        auth.0.require(Role::Admin)?;
        let row = endpoint(&state, id.0).await?;
        let txn = relay::db::begin_write(&state.db).await?;
        audit::delete::<webhook_endpoint::Entity>(
            txn,
            &auth.0,
            row.id,
            ("webhook.delete", "webhook"),
            audited(&row),
        )
        .await?;
        outbox::invalidate();
        Ok(Deleted::NoContent)
    }

    /// Rotate an endpoint's signing secret (admin)
    ///
    /// The new secret signs at once; the old one signs too for
    /// `overlap_hours` (each request then carries both signatures), so the
    /// receiver can switch without losing an event.
    #[oai(
        path = "/webhooks/:id/rotate-secret",
        method = "post",
        operation_id = "rotateWebhookSecret"
    )]
    async fn rotate(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<RotateIn>,
    ) -> ApiResult<Json<RotatedOut>> {
        auth.0.require(Role::Admin)?;
        let before = endpoint(&state, id.0).await?;
        let until = Utc::now() + Duration::hours(body.0.overlap_hours.unwrap_or(24));
        let secret = sign::new_secret();
        let mut row: webhook_endpoint::ActiveModel = before.clone().into();
        row.previous_secret = Set(Some(before.secret.clone()));
        row.previous_secret_until = Set(Some(until));
        row.secret = Set(state.vault.seal(deliver::SECRET_FIELD, &secret));
        row.updated_at = Set(Utc::now());
        let txn = relay::db::begin_write(&state.db).await?;
        let after = row.update(&txn).await?;
        audit::record(
            &txn,
            &auth.0,
            "webhook.rotate_secret",
            "webhook",
            after.id,
            serde_json::json!({"previous_secret_until": until}),
        )
        .await?;
        txn.commit().await?;
        Ok(Json(RotatedOut {
            secret,
            previous_secret_until: until,
        }))
    }

    /// An endpoint's delivery attempts (supervisor)
    ///
    /// Newest first; page with `before` (an attempt id).
    #[oai(
        path = "/webhooks/:id/attempts",
        method = "get",
        operation_id = "listWebhookAttempts"
    )]
    async fn attempts(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        /// At most this many (default 50, at most 500).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u64>>,
        /// Attempts older than this attempt id.
        before: Query<Option<i64>>,
        /// Only this event's attempts (`evt_<n>`).
        event_id: Query<Option<String>>,
    ) -> ApiResult<Json<Vec<AttemptOut>>> {
        auth.0.require(Role::Supervisor)?;
        endpoint(&state, id.0).await?;
        let mut query = webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::EndpointId.eq(id.0))
            .order_by_desc(webhook_attempt::Column::Id)
            .limit(limit.0.unwrap_or(50));
        if let Some(before) = before.0 {
            query = query.filter(webhook_attempt::Column::Id.lt(before));
        }
        if let Some(event) = event_id.0 {
            query = query.filter(webhook_attempt::Column::EventId.eq(event));
        }
        let rows = query.all(&state.db).await?;
        Ok(Json(
            rows.into_iter()
                .map(|a| AttemptOut {
                    id: a.id,
                    event_id: a.event_id,
                    event_type: a.event_type,
                    conversation_id: a.conversation_id,
                    message_id: a.message_id,
                    attempt: a.attempt,
                    at: a.at,
                    status_code: a.status_code,
                    latency_ms: a.latency_ms,
                    response_prefix: a.response_prefix,
                    error: a.error,
                    outcome: a.outcome,
                })
                .collect(),
        ))
    }

    /// Send one event to an endpoint again (admin)
    ///
    /// Under its own id, whatever the endpoint's filters; attempts follow
    /// as for any event.
    #[oai(
        path = "/webhooks/:id/resend",
        method = "post",
        operation_id = "resendWebhookEvent"
    )]
    async fn resend(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ResendIn>,
    ) -> ApiResult<Accepted> {
        auth.0.require(Role::Admin)?;
        endpoint(&state, id.0).await?;
        let number = body
            .0
            .event_id
            .strip_prefix("evt_")
            .and_then(|n| n.parse::<i64>().ok())
            .ok_or_else(|| ApiError::invalid_field("event_id", "not an evt_<n> id"))?;
        let row = webhook_outbox::Entity::find_by_id(number)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("event"))?;
        publish_to(&state, id.0, std::slice::from_ref(&row)).await?;
        audit::record(
            &state.db,
            &auth.0,
            "webhook.resend",
            "webhook",
            id.0,
            serde_json::json!({"event_id": body.0.event_id}),
        )
        .await?;
        Ok(Accepted::Queued(Json(RecoverOut {
            events: 1,
            dry_run: false,
        })))
    }

    /// Send an endpoint's events since a time again (admin)
    ///
    /// The events since `since` that the endpoint's filters take (at most
    /// 10,000; a dry run counts them), each under its own id, in order.
    #[oai(
        path = "/webhooks/:id/recover",
        method = "post",
        operation_id = "recoverWebhookEvents"
    )]
    async fn recover(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<RecoverIn>,
    ) -> ApiResult<Accepted> {
        auth.0.require(Role::Admin)?;
        let endpoint = endpoint(&state, id.0).await?;
        let dry_run = body.0.dry_run.unwrap_or(false);
        let mut query = webhook_outbox::Entity::find()
            .filter(webhook_outbox::Column::CreatedAt.gte(body.0.since))
            .order_by_asc(webhook_outbox::Column::Id);
        let types: Vec<String> =
            serde_json::from_value(endpoint.event_types.clone()).unwrap_or_default();
        if !types.is_empty() {
            query = query.filter(webhook_outbox::Column::EventType.is_in(types));
        }
        if let Some(number) = &endpoint.business_number {
            query = query.filter(webhook_outbox::Column::BusinessNumber.eq(number.clone()));
        }
        if let Some(team) = endpoint.team_id {
            query = query.filter(
                sea_orm::Condition::any()
                    .add(webhook_outbox::Column::TeamId.eq(team))
                    .add(webhook_outbox::Column::TeamId.is_null()),
            );
        }
        let count = query.clone().count(&state.db).await?;
        if count > RECOVER_MAX {
            return Err(ApiError::unprocessable(
                "too_many_events",
                format!(
                    "{count} events since then; recover at most {RECOVER_MAX} at a time (a later `since`)"
                ),
            ));
        }
        if !dry_run {
            let rows = query.all(&state.db).await?;
            publish_to(&state, id.0, &rows).await?;
            audit::record(
                &state.db,
                &auth.0,
                "webhook.recover",
                "webhook",
                id.0,
                serde_json::json!({"since": body.0.since, "events": count}),
            )
            .await?;
        }
        Ok(Accepted::Queued(Json(RecoverOut {
            events: count,
            dry_run,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http_without_credentials() {
        assert_eq!(
            checked_url("https://hooks.example.com/wharf?k=1")
                .ok()
                .as_deref(),
            Some("https://hooks.example.com")
        );
        assert_eq!(
            checked_url("http://127.0.0.1:9000/in").ok().as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert!(checked_url("http://hooks.example.com/in").is_err());
        assert!(checked_url("ftp://hooks.example.com/in").is_err());
        assert!(checked_url("https://user:pw@hooks.example.com/").is_err());
        assert!(checked_url("not a url").is_err());
    }

    #[test]
    fn reserved_and_invalid_headers_are_refused() {
        let one = |k: &str, v: &str| Some(HashMap::from([(k.to_owned(), v.to_owned())]));
        assert!(checked_headers(one("Authorization", "Bearer x")).is_ok());
        assert!(checked_headers(one("Webhook-Id", "x")).is_err());
        assert!(checked_headers(one("Content-Type", "text/plain")).is_err());
        assert!(checked_headers(one("bad header", "x")).is_err());
        assert!(checked_headers(one("X-A", "line\nbreak")).is_err());
        assert_eq!(checked_headers(None).ok().as_deref(), Some(""));
    }
}
