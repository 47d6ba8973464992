//! Acknowledging a pulled INBOUND event: ack, NAK and progress, the ticker
//! that keeps a held event from being redelivered while it is applied, and
//! where a message sits (deliveries so far, stream sequence). Owns no
//! decision about *when* to ack: that is the batch path's (`super`), the
//! ordering wait's and dead-lettering's.

use std::time::Duration;

use async_nats::jetstream;
use tokio::task::JoinHandle;

pub(crate) use crate::pull::ack;

/// Sends a progress ack for every one of `messages` every half `ack_wait`
/// (at least a second) until the returned task is aborted: slow work
/// (rules, assignment, a slow database, one-by-one retries) must not outlive
/// `ack_wait`.
pub(crate) fn keep_alive(messages: Vec<jetstream::Message>, ack_wait_secs: u64) -> JoinHandle<()> {
    crate::pull::keep_alive(messages, Duration::from_secs(ack_wait_secs.max(2) / 2))
}

/// Deliveries so far and the stream sequence of a pulled message.
pub(crate) fn delivery(message: &jetstream::Message) -> (i64, u64) {
    match message.info() {
        Ok(info) => (info.delivered, info.stream_sequence),
        Err(_) => (1, 0),
    }
}

/// The stream sequence of a pulled message (0 when it has no reply subject).
pub(crate) fn stream_sequence(message: &jetstream::Message) -> u64 {
    delivery(message).1
}
