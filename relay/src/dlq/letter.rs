//! Writing a dead letter: the one way the router and the sender put a
//! message they give up on into the DLQ stream, on
//! `wa.dlq.<origin>.<reason>`, with the original bytes and headers plus the
//! failure headers of [`super::headers`] and a dedupe id of its own. Does
//! not decide what is a dead letter (the router and sender do) nor ack the
//! original (the caller does once the letter is stored); what happens to a
//! stored letter is [`super`]'s.

use async_nats::jetstream::{self, context::PublishError};

use super::headers;
use crate::envelope::MSG_ID_HEADER;
use crate::topology;

/// Where a letter comes from and why: `origin` (`router`, `sender`) and
/// `reason` make its subject.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub origin: &'a str,
    pub reason: &'a str,
    /// What went wrong (cut to 1,000 characters).
    pub error: &'a str,
    /// Deliveries of the original so far.
    pub attempts: i64,
}

/// Publishes `message` as a dead letter and waits for the DLQ stream to
/// store it. `stream_sequence` is the original's sequence in its stream.
///
/// # Errors
/// When the DLQ refuses or does not ack it: the caller leaves the original
/// unacked so it is redelivered and nothing is lost.
pub async fn publish(
    js: &jetstream::Context,
    message: &jetstream::Message,
    stream_sequence: u64,
    failure: Failure<'_>,
) -> Result<(), PublishError> {
    let mut letter = message
        .headers
        .as_ref()
        .map(|h| crate::envelope::headers_to_republish(h, |_| false))
        .unwrap_or_default();
    letter.insert(headers::ORIGIN_SUBJECT, message.subject.as_str());
    letter.insert(
        headers::ORIGIN_SEQUENCE,
        stream_sequence.to_string().as_str(),
    );
    letter.insert(
        headers::ERROR,
        failure
            .error
            .chars()
            .take(1000)
            .collect::<String>()
            .as_str(),
    );
    letter.insert(headers::ATTEMPTS, failure.attempts.to_string().as_str());
    letter.insert(
        MSG_ID_HEADER,
        format!("dlq:{}:{stream_sequence}", failure.origin).as_str(),
    );
    js.publish_with_headers(
        topology::dlq_subject(failure.origin, failure.reason),
        letter,
        message.payload.clone(),
    )
    .await?
    .await?;
    Ok(())
}
