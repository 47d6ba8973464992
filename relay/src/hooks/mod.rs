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
pub mod sign;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

/// The version of the payloads below; a change that is not an addition
/// gets a new version.
pub const EVENT_VERSION: u32 = 1;

/// One kind of event an endpoint may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventType {
    pub name: &'static str,
    pub description: &'static str,
}

/// Every event type, in catalog order.
pub const CATALOG: &[EventType] = &[
    EventType {
        name: "message.received",
        description: "A customer's message was stored in its conversation (data: message, conversation, contact).",
    },
    EventType {
        name: "message.sent",
        description: "The provider accepted one of our replies (data: message_id, conversation_id, status).",
    },
    EventType {
        name: "message.status",
        description: "A reply was delivered, read or failed (data: message_id, conversation_id, status, error).",
    },
    EventType {
        name: "conversation.created",
        description: "A customer's first message opened a conversation (data: conversation).",
    },
    EventType {
        name: "conversation.assigned",
        description: "A conversation was given to an agent or a team: by routing or a claim (data: conversation).",
    },
    EventType {
        name: "conversation.transferred",
        description: "A conversation was moved to another agent or team (data: conversation).",
    },
    EventType {
        name: "conversation.handed_over",
        description: "A bot handed a conversation to people (its verdict, the handoff API or its timeout); the queues assign it next (data: conversation).",
    },
    EventType {
        name: "conversation.resolved",
        description: "A conversation was resolved (data: conversation).",
    },
    EventType {
        name: "conversation.reopened",
        description: "A resolved conversation was reopened: by a new customer message or an agent (data: conversation).",
    },
    EventType {
        name: "contact.updated",
        description: "A contact's name or attributes were changed in the API (data: contact).",
    },
    EventType {
        name: "dead_letter.created",
        description: "Something was parked in the dead-letter queue (data: dead_letter).",
    },
    EventType {
        name: "number.status",
        description: "The provider reported on a business number or its account (data: business_number, update).",
    },
    EventType {
        name: "alert.firing",
        description: "An alert rule started firing (data: alert).",
    },
    EventType {
        name: "alert.resolved",
        description: "A firing alert stopped (data: alert).",
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

/// An event to record: its type, what endpoints filter on, and its data.
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
    pub fn new(event_type: &'static str, data: Value) -> Self {
        Self {
            event_type,
            conversation_id: None,
            message_id: None,
            business_number: None,
            team_id: None,
            data,
        }
    }

    /// A `conversation.*` event of `conversation` on `business_number`.
    pub fn conversation(
        event_type: &'static str,
        conversation: &entities::conversation::Model,
        business_number: &str,
    ) -> Self {
        Self {
            event_type,
            conversation_id: Some(conversation.id),
            message_id: None,
            business_number: Some(business_number.to_owned()),
            team_id: conversation.team_id,
            data: json!({ "conversation": conversation_data(conversation, business_number) }),
        }
    }
}

/// A conversation as events show it.
pub fn conversation_data(
    conversation: &entities::conversation::Model,
    business_number: &str,
) -> Value {
    json!({
        "id": conversation.id,
        "business_number": business_number,
        "contact_id": conversation.contact_id,
        "status": conversation.status,
        "team_id": conversation.team_id,
        "assignee_id": conversation.assignee_id,
        "version": conversation.version,
    })
}

/// The body of an event as it is delivered.
pub fn envelope(
    outbox_id: i64,
    event_type: &str,
    created_at: DateTime<Utc>,
    data: &Value,
) -> Value {
    json!({
        "id": event_id(outbox_id),
        "type": event_type,
        "version": EVENT_VERSION,
        "created_at": created_at,
        "data": data,
    })
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
