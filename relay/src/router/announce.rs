//! Live announcements of applied events: `wa.events.conversation.<id>` for
//! the admin server's SSE streams and every router's session cache, and the
//! assignment announcement when a message opened, routed or assigned its
//! conversation. Core NATS, best effort. Owns what is announced after a
//! commit; the event itself is `crate::live`'s, the assignment message
//! `crate::assignment`'s.

use super::sessions::Applied;
use crate::assignment;

/// Announces what `applied` changed (duplicates and ignored events: nothing).
pub(crate) async fn applied(client: &async_nats::Client, applied: &Applied) {
    let mut woke = None;
    let (conversation_id, kind, message_id, changed) = match applied {
        Applied::Message {
            conversation_id,
            message_id,
            conversation,
            changed,
            woke: sleeping,
            ..
        } => {
            // Opened, reopened, routed or assigned with this message.
            let changed = changed.then_some(conversation.as_ref());
            woke = sleeping.then_some(conversation.as_ref());
            (*conversation_id, "message", *message_id, changed)
        }
        Applied::Status {
            conversation_id,
            message_id,
        } => (*conversation_id, "status", *message_id, None),
        Applied::Duplicate | Applied::Ignored | Applied::Recorded => return,
    };
    crate::live::message_event(client, conversation_id, kind, message_id).await;
    if let Some(conversation) = woke {
        assignment::announce(client, conversation, crate::snooze::WOKE).await;
    }
    if let Some(conversation) = changed {
        assignment::announce(client, conversation, "routed").await;
    }
}
