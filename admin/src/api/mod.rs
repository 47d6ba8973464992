//! The `/api/v1` resources, one `#[OpenApi]` struct per file, combined into
//! one service whose doc comments become the spec.

pub mod agents;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod contacts;
pub mod conversations;
pub mod dlq;
pub mod events;
pub mod messages;
pub mod numbers;
pub mod stats;
pub mod system;

use poem_openapi::{OpenApiService, Tags};

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
    /// Agents and their presence.
    Agents,
    /// The dead-letter queue: inspect, replay, discard.
    Dlq,
}

/// Every resource, in spec order. A new resource goes in both lists.
type Apis = (
    auth::AuthApi,
    conversations::ConversationsApi,
    messages::MessagesApi,
    contacts::ContactsApi,
    numbers::NumbersApi,
    events::EventsApi,
    audit::AuditApi,
    agents::AgentsApi,
    dlq::DlqApi,
    stats::StatsApi,
    alerts::AlertsApi,
    system::SystemApi,
);

fn apis() -> Apis {
    (
        auth::AuthApi,
        conversations::ConversationsApi,
        messages::MessagesApi,
        contacts::ContactsApi,
        numbers::NumbersApi,
        events::EventsApi,
        audit::AuditApi,
        agents::AgentsApi,
        dlq::DlqApi,
        stats::StatsApi,
        alerts::AlertsApi,
        system::SystemApi,
    )
}

/// The combined API.
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(apis(), "Wharf admin API", env!("CARGO_PKG_VERSION")).description(
        "Control plane of Wharf, a fault-tolerant WhatsApp customer-support backbone. \
         Authenticate with `Authorization: Bearer <token>` (log in at `/api/v1/auth/login`).",
    )
}
