//! Dead-lettering in the router: an INBOUND event that can never be applied
//! (malformed, still unparsed, or a database error after `max_deliver`
//! attempts) goes to the DLQ with reason and error, then is acked; if the
//! DLQ refuses it, it stays unacked and is redelivered, so nothing is lost.
//! Owns only that hand-over; the letter's format is `crate::dlq::letter`'s,
//! which events are given up on is the batch path's (`super`) and
//! `parked`'s.

use async_nats::jetstream::{self, AckKind};

use super::acks::ack;
use crate::dlq::letter::{self, Failure};

/// The DLQ origin of the router's letters.
const ORIGIN: &str = crate::topology::DLQ_ORIGIN_ROUTER;

/// Writes the original bytes and headers plus the failure record to DLQ,
/// then acks the original. If DLQ refuses, leaves it unacked so it is
/// redelivered: nothing is lost.
pub(crate) async fn dead_letter(
    js: &jetstream::Context,
    message: &jetstream::Message,
    (delivered, stream_sequence): (i64, u64),
    reason: &str,
    error: &str,
) {
    let failure = Failure {
        origin: ORIGIN,
        reason,
        error,
        attempts: delivered,
    };
    match letter::publish(js, message, stream_sequence, failure).await {
        Ok(()) => {
            tracing::warn!(stream_sequence, reason, "event dead-lettered");
            ack(message, AckKind::Ack).await;
        }
        Err(err) => {
            // Redelivered after ack_wait (no delayed NAK, see the batch
            // path's one-by-one retries).
            tracing::error!(stream_sequence, %err, "DLQ publish failed; left for redelivery");
        }
    }
}
