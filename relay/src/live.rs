//! Live conversation events: `{conversation_id, kind, message_id}` on
//! `wa.events.conversation.<id>` (core NATS, best effort: the change is
//! stored already) for the admin server's SSE streams. One writer for the
//! router (a message or status applied), the sender (a reply failed for
//! good: no provider webhook says so) and the media fetcher (a file stored
//! or given up).

use crate::topology;

/// Announces that message `message_id` of conversation `conversation_id`
/// changed (`kind`: message, status, media).
pub async fn message_event(
    client: &async_nats::Client,
    conversation_id: i64,
    kind: &str,
    message_id: i64,
) {
    let body = serde_json::json!({
        "conversation_id": conversation_id,
        "kind": kind,
        "message_id": message_id,
    });
    let subject = topology::conversation_event_subject(conversation_id);
    if let Err(err) = client.publish(subject, body.to_string().into()).await {
        tracing::debug!(%err, kind, "conversation event not published");
    }
}
