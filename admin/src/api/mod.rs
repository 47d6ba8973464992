//! The `/api/v1` resources, one `#[OpenApi]` struct per file, combined into
//! one service whose doc comments become the spec.

pub mod agents;
pub mod alerts;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod campaigns;
pub mod canned;
pub mod contacts;
pub mod conversations;
pub mod dlq;
pub mod events;
mod hours;
pub mod labels;
pub mod media;
pub mod messages;
pub mod notes;
pub mod numbers;
pub mod presence;
pub mod reads;
pub mod reports;
pub mod rules;
pub mod sla;
pub mod stats;
pub mod system;
pub mod teams;
pub mod templates;
pub mod tokens;
pub mod webhook_events;
pub mod webhooks;

use poem_openapi::{ApiResponse, OpenApiService, Tags};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Groups of operations in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Conversations, their messages and replies.
    Conversations,
    /// The running system.
    System,
    /// Logging in and out.
    Auth,
    /// Live events.
    Events,
    /// Business numbers (inboxes).
    Numbers,
    /// Customers.
    Contacts,
    /// The audit trail.
    Audit,
    /// Agents: accounts, roles, capacity, languages, teams and presence.
    Agents,
    /// Teams and how they assign conversations.
    Teams,
    /// Routing rules: ordered, first match decides; dry runs.
    Rules,
    /// API tokens for integrators.
    Tokens,
    /// The dead-letter queue: inspect, replay, discard.
    Dlq,
    /// Labels and the conversations carrying them.
    Labels,
    /// Saved answers inserted with a `/shortcut`.
    CannedResponses,
    /// Integrators' webhook endpoints, their events and deliveries.
    Webhooks,
    /// Support figures: response and resolution times, openings.
    Reports,
    /// Template sends to an audience, after support replies.
    Campaigns,
    /// SLA policies: response and resolution targets.
    Sla,
}

/// Every resource, in spec order, as the type of the combined API and its
/// value (each resource is a unit struct, so one list says both). Nested
/// where a tuple would outgrow what poem-openapi implements.
macro_rules! resources {
    ($($resource:tt)*) => {
        type Apis = ($($resource)*);

        fn apis() -> Apis {
            ($($resource)*)
        }
    };
}

resources!(
    auth::AuthApi,
    (conversations::ConversationsApi, bulk::BulkApi),
    (
        notes::NotesApi,
        reads::ReadsApi,
        labels::LabelsApi,
        canned::CannedApi
    ),
    (
        messages::MessagesApi,
        media::MediaApi,
        attachments::AttachmentsApi
    ),
    contacts::ContactsApi,
    (numbers::NumbersApi, templates::TemplatesApi),
    events::EventsApi,
    audit::AuditApi,
    (agents::AgentsApi, presence::PresenceApi),
    teams::TeamsApi,
    rules::RulesApi,
    (tokens::TokensApi, webhooks::WebhooksApi),
    dlq::DlqApi,
    (
        stats::StatsApi,
        reports::ReportsApi,
        campaigns::CampaignsApi
    ),
    (alerts::AlertsApi, sla::SlaApi),
    system::SystemApi,
);

/// The combined API, and the events it POSTs to integrators (`webhooks`).
pub fn service() -> OpenApiService<Apis, webhook_events::EventWebhooks> {
    OpenApiService::new(apis(), "Wharf admin API", env!("CARGO_PKG_VERSION"))
        .description(
            "Control plane of Wharf, a fault-tolerant WhatsApp customer-support backbone. \
             Authenticate with `Authorization: Bearer <token>` (log in at `/api/v1/auth/login`).",
        )
        .webhooks::<webhook_events::EventWebhooks>()
}

/// The answer of a successful delete.
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

/// Tells routers that configuration of `kind` (`agents`, `teams`, `rules`)
/// changed (`id` absent for all of them): `{kind, id, action}` on `wa.events.<kind>`, core NATS, best
/// effort (the change is stored already; routers read rules per message).
pub(crate) async fn announce_change(state: &AppState, kind: &str, id: Option<i64>, action: &str) {
    let body = serde_json::json!({"kind": kind, "id": id, "action": action});
    let subject = relay::topology::config_event_subject(kind);
    if let Err(err) = state.nats.publish(subject, body.to_string().into()).await {
        tracing::debug!(%err, kind, "configuration event not published");
    }
}

/// Tells live views that conversation `id` changed: `{conversation_id,
/// kind, …detail}` on its `wa.events.conversation.<id>` subject, core NATS,
/// best effort (the change is stored already).
pub(crate) async fn announce_conversation(
    state: &AppState,
    id: i64,
    kind: &str,
    detail: serde_json::Value,
) {
    let mut event = serde_json::json!({"conversation_id": id, "kind": kind});
    if let (Some(event), serde_json::Value::Object(detail)) = (event.as_object_mut(), detail) {
        event.extend(detail);
    }
    let subject = relay::topology::conversation_event_subject(id);
    if let Err(err) = state.nats.publish(subject, event.to_string().into()).await {
        tracing::debug!(%err, kind, "conversation event not published");
    }
}

/// The API's one conversion of a status-like string of a request (a
/// conversation status, an agent presence) into its `entities` enum; every
/// comparison and filter after it is typed. `code` is the error code of the
/// refusal (`invalid_parameter` for a query, `invalid_body` for a body), its
/// detail `<field> must be one of <ALL in order>`. Answers pass the stored
/// string through unchanged.
pub(crate) fn parse_choice<T>(field: &str, code: &str, value: &str, all: &[T]) -> ApiResult<T>
where
    T: std::str::FromStr + std::fmt::Display,
{
    value.parse().map_err(|_| {
        let allowed: Vec<String> = all.iter().map(ToString::to_string).collect();
        ApiError::bad_request(
            code,
            format!("{field} must be one of {}", allowed.join(", ")),
        )
    })
}

/// A unique-index violation becomes 409 `conflict` with `detail`; any other
/// database error stays an opaque 500.
pub(crate) fn unique_violation(detail: &'static str) -> impl Fn(sea_orm::DbErr) -> ApiError {
    move |err| match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(detail),
        _ => ApiError::from(err),
    }
}

/// The row `id` of `E`, or a 404 naming `what`: the one look-up of the
/// resources' `GET/PATCH/DELETE /{id}`.
pub(crate) async fn found<E>(
    db: &impl sea_orm::ConnectionTrait,
    id: i64,
    what: &str,
) -> crate::error::ApiResult<E::Model>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i64>,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::error::ApiError::not_found(what))
}
