//! Unparsed events in the router: a part of a signed delivery the edge's
//! parser did not understand, stored raw so that nothing a provider signed
//! is lost. The router parses it again with its own (possibly newer)
//! parser: what it now understands goes back into INBOUND as typed events
//! (their own dedupe ids keep them single however often this happens), and
//! what it still does not is dead-lettered with reason `unparsed` — shown
//! in the DLQ, counted, alerted on, and replayable after an upgrade.
//! Owns the reparse and its outcome for the held event; the parser is
//! `crate::provider`'s, the letter `dead_letter`'s.

use async_nats::jetstream::{self, AckKind, context::PublishError};

use super::acks::ack;
use super::dead_letter::dead_letter;
use crate::envelope::{EventBody, InboundEvent, MSG_ID_HEADER, TRACEPARENT_HEADER, Unparsed};
use crate::observe;
use crate::topology;

/// The dead-letter reason of what stays unparsed.
pub const REASON: &str = "unparsed";

/// Why the understood part of an unparsed event was not republished.
#[derive(Debug, thiserror::Error)]
pub enum ParkedError {
    #[error("encoding a reparsed event: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("publishing a reparsed event: {0}")]
    Publish(#[from] PublishError),
}

/// A held unparsed event: parsed again; what is understood now goes back
/// into INBOUND typed (and the event is acked), what is not is
/// dead-lettered with reason [`REASON`]; when the republish fails the event
/// is left for redelivery (after `ack_wait`): nothing is lost.
pub(crate) async fn handle(
    js: &jetstream::Context,
    partitions: u16,
    message: &jetstream::Message,
    event: &InboundEvent,
    (delivered, sequence): (i64, u64),
) {
    let EventBody::Unparsed(unparsed) = &event.body else {
        return;
    };
    let traceparent = crate::envelope::traceparent_header(message).map(str::to_owned);
    let count = |outcome: &'static str| {
        metrics::counter!(observe::ROUTER_EVENTS, "outcome" => outcome).increment(1);
    };
    match reparse_and_publish(js, partitions, event, unparsed, traceparent.as_deref()).await {
        Ok(Outcome::Understood { .. }) => {
            count("reparsed");
            ack(message, AckKind::Ack).await;
        }
        Ok(Outcome::StillUnparsed { error, .. }) => {
            count("unparsed");
            dead_letter(js, message, (delivered, sequence), REASON, &error).await;
        }
        Err(err) => {
            count("retried");
            tracing::warn!(sequence, %err, "republishing a reparsed event failed; left for redelivery");
        }
    }
}

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
) -> Result<Outcome, ParkedError> {
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
        let payload = typed.encode()?;
        pending.push(
            js.publish_with_headers(subject, headers, payload.into())
                .await?,
        );
    }
    let events = pending.len();
    for ack in pending {
        ack.await?;
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
