//! Outgoing webhooks for integrators (issue 23): the event catalog, the
//! events the roles record ([`outbox`], in the transaction of the change
//! that caused them), their signing ([`sign`], Standard Webhooks) and their
//! delivery ([`deliver`], in the sender processes: the outbox published to
//! the `WEBHOOKS` stream, one durable consumer per endpoint).
//!
//! An event on the wire is `{id, type, version, created_at, data}`; `id` is
//! `evt_<n>`, also the `webhook-id` header, stable across retries, resends
//! and recoveries, so a receiver dedupes on it.

pub mod deliver;
pub mod outbox;
pub mod payload;
pub mod sign;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use payload::{ConversationData, ConversationEvent, Payload};

/// The version of the payloads below; a change that is not an addition
/// gets a new version.
pub const EVENT_VERSION: u32 = 1;

/// One kind of event an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventType {
    pub name: &'static str,
    pub description: &'static str,
    /// Its `data`.
    #[serde(skip)]
    pub payload: Payload,
}

/// Every event type, in catalog order.
pub const CATALOG: &[EventType] = &[
    EventType {
        name: "message.received",
        description: "A customer's message was stored in its conversation (data: message, conversation, contact).",
        payload: Payload::MessageReceived,
    },
    EventType {
        name: "message.sent",
        description: "The provider accepted one of our replies (data: message_id, conversation_id, status).",
        payload: Payload::MessageStatus,
    },
    EventType {
        name: "message.status",
        description: "A reply was delivered, read or failed (data: message_id, conversation_id, status, error).",
        payload: Payload::MessageStatus,
    },
    EventType {
        name: "conversation.created",
        description: "A customer's first message opened a conversation (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "conversation.assigned",
        description: "A conversation was given to an agent or a team: by routing or a claim (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "conversation.transferred",
        description: "A conversation was moved to another agent or team (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "conversation.handed_over",
        description: "A bot handed a conversation to people (its verdict, the handoff API or its timeout); the queues assign it next (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "conversation.resolved",
        description: "A conversation was resolved (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "conversation.reopened",
        description: "A resolved conversation was reopened: by a new customer message or an agent (data: conversation).",
        payload: Payload::Conversation,
    },
    EventType {
        name: "contact.updated",
        description: "A contact's name or attributes were changed in the API (data: contact).",
        payload: Payload::ContactUpdated,
    },
    EventType {
        name: "dead_letter.created",
        description: "Something was parked in the dead-letter queue (data: dead_letter).",
        payload: Payload::DeadLetterCreated,
    },
    EventType {
        name: "number.status",
        description: "The provider reported on a business number or its account (data: business_number, update).",
        payload: Payload::NumberStatus,
    },
    EventType {
        name: "alert.firing",
        description: "An alert rule started firing (data: alert).",
        payload: Payload::Alert,
    },
    EventType {
        name: "alert.resolved",
        description: "A firing alert stopped (data: alert).",
        payload: Payload::Alert,
    },
];

/// Whether `name` is in the catalog.
pub fn known(name: &str) -> bool {
    CATALOG.iter().any(|t| t.name == name)
}

/// The `webhook-id` of outbox row `id`.
pub fn event_id(outbox_id: i64) -> String {
    format!("evt_{outbox_id}")
}

/// An event to record: its type, what endpoints filter on, and its data
/// (one of [`payload`]'s types, serialised).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event_type: &'static str,
    pub conversation_id: Option<i64>,
    pub message_id: Option<i64>,
    /// The business number's phone number id.
    pub business_number: Option<String>,
    pub team_id: Option<i64>,
    pub data: Value,
}

impl Event {
    /// An event of `event_type` with `data` and nothing to filter on.
    pub fn new(event_type: &'static str, data: &impl Serialize) -> Self {
        Self {
            event_type,
            conversation_id: None,
            message_id: None,
            business_number: None,
            team_id: None,
            // The payload types are plain structs: they always serialise.
            data: serde_json::to_value(data).unwrap_or_default(),
        }
    }

    /// A `conversation.*` event of `conversation` on `business_number`.
    pub fn conversation(
        event_type: &'static str,
        conversation: &entities::conversation::Model,
        business_number: &str,
    ) -> Self {
        let data = ConversationEvent {
            conversation: ConversationData::of(conversation, business_number),
        };
        Self {
            conversation_id: Some(conversation.id),
            business_number: Some(business_number.to_owned()),
            team_id: conversation.team_id,
            ..Self::new(event_type, &data)
        }
    }
}

/// The body of an event as it is delivered: `data` is one of [`payload`]'s
/// types as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope<'a> {
    /// `evt_<n>`, also the `webhook-id` header.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: &'a str,
    /// [`EVENT_VERSION`].
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub data: &'a Value,
}

/// The body of outbox row `outbox_id` as it is delivered.
pub fn envelope<'a>(
    outbox_id: i64,
    event_type: &'a str,
    created_at: DateTime<Utc>,
    data: &'a Value,
) -> Envelope<'a> {
    Envelope {
        id: event_id(outbox_id),
        event_type,
        version: EVENT_VERSION,
        created_at,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_names_each_type_once() {
        let mut names: Vec<&str> = CATALOG.iter().map(|t| t.name).collect();
        let all = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all);
        assert!(known("message.received"));
        assert!(!known("message.exploded"));
        assert_eq!(event_id(42), "evt_42");
    }
}
