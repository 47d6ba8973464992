//! Unparsed events in the router: a part of a signed delivery the edge's
//! parser did not understand, stored raw so that nothing a provider signed
//! is lost. The router parses it again with its own (possibly newer)
//! parser: what it now understands goes back into INBOUND as typed events
//! (their own dedupe ids keep them single however often this happens), and
//! what it still does not is dead-lettered with reason `unparsed` — shown
//! in the DLQ, counted, alerted on, and replayable after an upgrade.

use async_nats::jetstream;

use crate::envelope::{EventBody, InboundEvent, MSG_ID_HEADER, TRACEPARENT_HEADER, Unparsed};
use crate::topology;

/// The dead-letter reason of what stays unparsed.
pub const REASON: &str = "unparsed";

/// What became of an unparsed event.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything in it is understood now and was published typed.
    Understood { events: usize },
    /// (Some of) it is still not understood: dead-letter it with `error`;
    /// `events` typed ones were published.
    StillUnparsed { events: usize, error: String },
}

/// Parses `unparsed` again and publishes what is understood into INBOUND
/// (the hub's own subjects), waiting for every PubAck.
///
/// # Errors
/// When a publish is not acked: the caller leaves the event for
/// redelivery (nothing is lost; the republish is idempotent).
pub async fn reparse_and_publish(
    js: &jetstream::Context,
    partitions: u16,
    event: &InboundEvent,
    unparsed: &Unparsed,
    traceparent: Option<&str>,
) -> Result<Outcome, String> {
    let again = crate::provider::reparse(event, unparsed);
    let mut reasons = Vec::new();
    let mut pending = Vec::new();
    for typed in &again.events {
        if let EventBody::Unparsed(still) = &typed.body {
            reasons.push(still.reason.clone());
            continue;
        }
        let subject = topology::inbound_subject(
            topology::HUB_REGION,
            &typed.business_number,
            topology::partition_of(typed.contact.partition_key(), partitions),
        );
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(MSG_ID_HEADER, typed.msg_id().as_str());
        headers.insert(
            TRACEPARENT_HEADER,
            crate::envelope::traceparent(traceparent).as_str(),
        );
        let payload = typed.encode().map_err(|e| e.to_string())?;
        pending.push(
            js.publish_with_headers(subject, headers, payload.into())
                .await
                .map_err(|e| e.to_string())?,
        );
    }
    let events = pending.len();
    for ack in pending {
        ack.await.map_err(|e| e.to_string())?;
    }
    if events > 0 {
        tracing::info!(
            events,
            "an unparsed event is understood now; published typed"
        );
    }
    Ok(if reasons.is_empty() {
        Outcome::Understood { events }
    } else {
        reasons.dedup();
        Outcome::StillUnparsed {
            events,
            error: reasons.join("; "),
        }
    })
}
