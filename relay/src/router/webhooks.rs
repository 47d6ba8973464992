//! The integrators' events of an applied batch (issue 23), written to the
//! outbox in the batch's transaction: `message.received` for each new
//! customer message, `conversation.created` / `conversation.reopened` when
//! one opened a conversation, `conversation.assigned` when routing gave it
//! to an agent, `message.sent` / `message.status` for our replies' statuses
//! and `number.status` for a provider's account and number updates. Built
//! from what the batch already holds: no extra query.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::envelope::{EventBody, InboundEvent};
use crate::hooks::{Event, conversation_data};
use crate::router::sessions::Applied;

/// The events of `applied` (one outcome per event of `events`, in order),
/// for a batch that started at `started` (a conversation created in the
/// batch is newer).
pub fn batch_events(
    events: &[&InboundEvent],
    applied: &[Applied],
    started: DateTime<Utc>,
) -> Vec<Event> {
    let mut out = Vec::new();
    for (event, applied) in events.iter().zip(applied) {
        let number = event.business_number.as_str();
        match (applied, &event.body) {
            (
                Applied::Message {
                    conversation_id,
                    message_id,
                    conversation,
                    opened,
                    changed,
                    ..
                },
                EventBody::Message(message),
            ) => {
                let conversation_json = conversation_data(conversation, number);
                if *opened {
                    let kind = if conversation.created_at >= started {
                        "conversation.created"
                    } else {
                        "conversation.reopened"
                    };
                    out.push(Event::conversation(kind, conversation, number));
                }
                out.push(Event {
                    event_type: "message.received",
                    conversation_id: Some(*conversation_id),
                    message_id: Some(*message_id),
                    business_number: Some(number.to_owned()),
                    team_id: conversation.team_id,
                    data: json!({
                        "message": {
                            "id": message_id,
                            "provider_message_id": message.id,
                            "type": message.message_type,
                            "text": message.text,
                            "timestamp": message.timestamp,
                            "echo": message.echo,
                        },
                        "conversation": conversation_json,
                        "contact": {
                            "wa_id": event.contact.wa_id,
                            "name": event.contact.profile_name,
                            "user_id": event.contact.user_id,
                            "username": event.contact.username,
                        },
                    }),
                });
                if *changed && conversation.assignee_id.is_some() {
                    out.push(Event::conversation(
                        "conversation.assigned",
                        conversation,
                        number,
                    ));
                }
            }
            (
                Applied::Status {
                    conversation_id,
                    message_id,
                },
                EventBody::Status(status),
            ) => {
                let kind = if status.status == "sent" {
                    "message.sent"
                } else {
                    "message.status"
                };
                out.push(Event {
                    event_type: kind,
                    conversation_id: Some(*conversation_id),
                    message_id: Some(*message_id),
                    business_number: Some(number.to_owned()),
                    team_id: None,
                    data: json!({
                        "message_id": message_id,
                        "conversation_id": conversation_id,
                        "status": status.status,
                        "error": status.error,
                        "timestamp": status.timestamp,
                    }),
                });
            }
            (Applied::Recorded, EventBody::Update(update)) => {
                let mut event = Event::new(
                    "number.status",
                    json!({
                        "business_number": number,
                        "update": {
                            "field": update.field,
                            "timestamp": update.timestamp,
                            "value": update.raw,
                        },
                    }),
                );
                event.business_number = Some(number.to_owned());
                out.push(event);
            }
            _ => {}
        }
    }
    out
}
