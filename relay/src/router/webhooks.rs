//! The integrators' events of an applied batch (issue 23), written to the
//! outbox in the batch's transaction: `message.received` for each new
//! customer message, `conversation.created` / `conversation.reopened` when
//! one opened a conversation, `conversation.assigned` when routing gave it
//! to an agent, `message.sent` / `message.status` for our replies' statuses
//! and `number.status` for a provider's account and number updates. Built
//! from what the batch already holds: no extra query.

use chrono::{DateTime, Utc};

use crate::envelope::{EventBody, InboundEvent};
use crate::hooks::Event;
use crate::hooks::payload::{
    ConversationData, MessageReceived, MessageStatus, NumberStatus, NumberUpdate, ReceivedContact,
    ReceivedMessage,
};
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
                if *opened {
                    let kind = if conversation.created_at >= started {
                        "conversation.created"
                    } else {
                        "conversation.reopened"
                    };
                    out.push(Event::conversation(kind, conversation, number));
                }
                let data = MessageReceived {
                    message: ReceivedMessage {
                        id: *message_id,
                        provider_message_id: message.id.clone(),
                        message_type: message.message_type.clone(),
                        text: message.text.clone(),
                        timestamp: message.timestamp,
                        echo: message.echo,
                    },
                    conversation: ConversationData::of(conversation, number),
                    contact: ReceivedContact {
                        wa_id: event.contact.wa_id.clone(),
                        name: event.contact.profile_name.clone(),
                        user_id: event.contact.user_id.clone(),
                        username: event.contact.username.clone(),
                    },
                };
                out.push(Event {
                    conversation_id: Some(*conversation_id),
                    message_id: Some(*message_id),
                    business_number: Some(number.to_owned()),
                    team_id: conversation.team_id,
                    ..Event::new("message.received", &data)
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
                let data = MessageStatus {
                    message_id: *message_id,
                    conversation_id: *conversation_id,
                    status: status.status.clone(),
                    error: status.error.clone(),
                    provider_message_id: Some(status.id.clone()),
                    timestamp: status.timestamp,
                };
                out.push(Event {
                    conversation_id: Some(*conversation_id),
                    message_id: Some(*message_id),
                    business_number: Some(number.to_owned()),
                    ..Event::new(kind, &data)
                });
            }
            (Applied::Recorded, EventBody::Update(update)) => {
                let data = NumberStatus {
                    business_number: number.to_owned(),
                    update: NumberUpdate {
                        field: update.field.clone(),
                        timestamp: update.timestamp,
                        value: update.raw.clone(),
                    },
                };
                let mut event = Event::new("number.status", &data);
                event.business_number = Some(number.to_owned());
                out.push(event);
            }
            _ => {}
        }
    }
    out
}
