//! The `/api/v1` resources, one `#[OpenApi]` struct per file, combined into
//! one service whose doc comments become the spec.

pub mod auth;
pub mod conversations;
pub mod events;
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
}

/// The combined API.
pub fn service() -> OpenApiService<
    (
        auth::AuthApi,
        conversations::ConversationsApi,
        events::EventsApi,
        system::SystemApi,
    ),
    (),
> {
    OpenApiService::new(
        (
            auth::AuthApi,
            conversations::ConversationsApi,
            events::EventsApi,
            system::SystemApi,
        ),
        "Wharf admin API",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Control plane of Wharf, a fault-tolerant WhatsApp customer-support backbone. \
         Authenticate with `Authorization: Bearer <token>`.",
    )
}
