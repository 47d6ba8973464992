//! Provider session health: a WasenderApi `session.status` event's
//! connection state, kept in the sessions bucket keyed by business number.
//! The router writes it (best effort, after the event is acked); the admin
//! server reads it for the `session_disconnected` alerts and for the numbers
//! it lists (the dashboard warns in the reply box). The one shape of the
//! record, written and read here.

use async_nats::jetstream::{self, kv};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::envelope::{EventBody, InboundEvent};
use crate::error::NatsError;
use crate::topology;

/// A number's provider session as last reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionHealth {
    /// connected, disconnected, need_scan, … (the provider's word).
    pub status: String,
    /// When the provider reported it (`None` for a record that did not read).
    pub timestamp: Option<DateTime<Utc>>,
    pub provider: String,
}

impl SessionHealth {
    /// Whether replies can go out through the session.
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.status.eq_ignore_ascii_case("connected")
    }
}

/// Records the connection state of a session event (other events: nothing).
pub(crate) async fn record(js: &jetstream::Context, event: &InboundEvent) {
    let EventBody::Session(state) = &event.body else {
        return;
    };
    let health = SessionHealth {
        status: state.status.clone(),
        timestamp: Some(state.timestamp),
        provider: event.provider.as_str().to_owned(),
    };
    let store = match js.get_key_value(topology::SESSIONS_BUCKET).await {
        Ok(store) => store,
        Err(err) => {
            tracing::warn!(%err, "session health not recorded");
            return;
        }
    };
    let value = match serde_json::to_vec(&health) {
        Ok(value) => value,
        Err(err) => {
            tracing::warn!(%err, "session health not recorded");
            return;
        }
    };
    if let Err(err) = store
        .put(event.business_number.as_str(), value.into())
        .await
    {
        tracing::warn!(%err, "session health not recorded");
    }
}

/// The sessions bucket, to [`read`] from.
///
/// # Errors
/// The bucket does not answer.
pub async fn bucket(js: &jetstream::Context) -> Result<kv::Store, NatsError> {
    js.get_key_value(topology::SESSIONS_BUCKET)
        .await
        .map_err(NatsError::from)
}

/// The last session state of `number`: `None` when none was reported; a
/// record that does not read is reported with status `unknown`.
///
/// # Errors
/// The bucket does not answer.
pub async fn read(store: &kv::Store, number: &str) -> Result<Option<SessionHealth>, NatsError> {
    let Some(value) = store.get(number).await.map_err(NatsError::from)? else {
        return Ok(None);
    };
    Ok(Some(serde_json::from_slice(&value).unwrap_or_else(|_| {
        SessionHealth {
            status: "unknown".into(),
            timestamp: None,
            provider: String::new(),
        }
    })))
}
