//! Provider session health: a WasenderApi `session.status` event's
//! connection state goes to the sessions bucket, keyed by business number,
//! for the admin server's `session_disconnected` alerts. Best effort,
//! after the event is acked. Owns only that record; the event itself is
//! applied like any other (`sessions`), and the alert is the admin's.

use async_nats::jetstream;

use crate::envelope::{EventBody, InboundEvent};
use crate::topology;

/// Records the connection state of a session event (other events: nothing).
pub(crate) async fn record(js: &jetstream::Context, event: &InboundEvent) {
    let EventBody::Session(state) = &event.body else {
        return;
    };
    let value = serde_json::json!({
        "status": state.status,
        "timestamp": state.timestamp,
        "provider": event.provider.as_str(),
    });
    let store = match js.get_key_value(topology::SESSIONS_BUCKET).await {
        Ok(store) => store,
        Err(err) => {
            tracing::warn!(%err, "session health not recorded");
            return;
        }
    };
    if let Err(err) = store
        .put(event.business_number.as_str(), value.to_string().into())
        .await
    {
        tracing::warn!(%err, "session health not recorded");
    }
}
