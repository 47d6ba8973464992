//! Provider specifics behind one trait per direction, side by side here.
//! Inbound ([`WebhookParser`]): verify a webhook delivery and split it into
//! [`InboundEvent`]s. Outbound ([`ReplySender`]): the request for a reply,
//! what the provider's answers mean (retry, give up, wait for
//! `Retry-After`) and how fast a number may send. Each provider is one
//! module with both directions (`meta/`, `wasender/`; the sandbox speaks
//! Meta's protocol). Adding a provider means one new module here, one arm in
//! [`parser_for`], one in [`media_source_for`] (inbound media, `media.rs`)
//! and one in [`crate::sender::reply_sender`]; the provider's
//! name is parsed into [`Provider`] once, where it enters (config, database,
//! URL).

pub mod client;
pub mod media;
pub mod meta;
pub mod sandbox;
pub mod wasender;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{
    Contact, EventBody, InboundEvent, OutboundReply, Provider, ReadyEvent, Unparsed,
};

use crate::secret::Secret;
use crate::sender::ratelimit::Limit;
pub use meta::SIGNATURE_HEADER as META_SIGNATURE_HEADER;

/// The credentials of one business number (`[[numbers]]` in config).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NumberCredentials {
    pub provider: Provider,
    /// Meta's phone number id (or the WasenderApi session id).
    pub phone_number_id: String,
    #[serde(default)]
    pub display_phone: String,
    /// Secret that signs the provider's webhooks (Meta app secret).
    pub app_secret: Secret,
    /// Token of Meta's GET verification handshake.
    #[serde(default)]
    pub verify_token: Secret,
    /// Token for the provider's send API.
    #[serde(default)]
    pub access_token: Secret,
    /// Base URL of the provider's send API when not the default (the sandbox).
    #[serde(default)]
    pub api_base_url: Option<String>,
}

impl NumberCredentials {
    /// A number known by its id and the secret that signs its webhooks,
    /// nothing else set (tests, benches; add the rest with `..`).
    pub fn signed_by(provider: Provider, phone_number_id: &str, app_secret: &str) -> Self {
        Self {
            provider,
            phone_number_id: phone_number_id.into(),
            display_phone: String::new(),
            app_secret: Secret::new(app_secret),
            verify_token: Secret::default(),
            access_token: Secret::default(),
            api_base_url: None,
        }
    }
}

/// Lookup of credentials by business number id.
#[derive(Debug, Clone, Default)]
pub struct NumberDirectory {
    /// Each number with its app secret's signing key (made once here, not
    /// per delivery).
    by_id: HashMap<String, (NumberCredentials, meta::SigningKey)>,
}

impl NumberDirectory {
    pub fn new(numbers: &[NumberCredentials]) -> Self {
        Self {
            by_id: numbers
                .iter()
                .map(|n| {
                    let key = meta::SigningKey::new(n.app_secret.expose());
                    (n.phone_number_id.clone(), (n.clone(), key))
                })
                .collect(),
        }
    }

    pub fn get(&self, phone_number_id: &str) -> Option<&NumberCredentials> {
        self.by_id.get(phone_number_id).map(|(creds, _)| creds)
    }

    /// The key of the app secret that signs this number's deliveries.
    pub fn signing_key(&self, phone_number_id: &str) -> Option<&meta::SigningKey> {
        self.by_id.get(phone_number_id).map(|(_, key)| key)
    }

    pub fn of_provider(&self, provider: Provider) -> impl Iterator<Item = &NumberCredentials> {
        self.by_id
            .values()
            .map(|(creds, _)| creds)
            .filter(move |n| n.provider == provider)
    }
}

/// Why a webhook delivery is refused. Each maps to one HTTP status at the
/// edge. What a provider signed is never refused for its content: only a
/// missing or wrong signature and a body that is not JSON are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("missing or malformed signature header")]
    MissingSignature,
    #[error("signature does not match")]
    BadSignature,
    #[error("malformed body: {0}")]
    Malformed(String),
}

impl Rejection {
    /// Short, bounded label for metrics and error codes.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MissingSignature => "missing_signature",
            Rejection::BadSignature => "bad_signature",
            Rejection::Malformed(_) => "malformed",
        }
    }
}

/// A delivery's signature header (`name`), present, text and not empty.
///
/// # Errors
/// [`Rejection::MissingSignature`] otherwise.
pub(crate) fn signature_header<'a>(
    headers: &'a http::HeaderMap,
    name: &str,
) -> Result<&'a str, Rejection> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or(Rejection::MissingSignature)
}

/// What a verified delivery holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delivery {
    /// Events to store, in the provider's order: typed where the parser
    /// understood the provider, [`EventBody::Unparsed`] where it did not.
    pub events: Vec<InboundEvent>,
    /// Echoes of our own sends (WasenderApi `fromMe`): recognised, not stored.
    pub echoes: usize,
}

impl Delivery {
    /// How many of the events are parked as unparsed.
    pub fn unparsed(&self) -> usize {
        self.events
            .iter()
            .filter(|e| matches!(e.body, EventBody::Unparsed(_)))
            .count()
    }
}

/// A verified delivery's events, written and ready to publish.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadyDelivery {
    /// In the provider's order.
    pub events: Vec<ReadyEvent>,
    /// Echoes of our own sends, recognised and not stored.
    pub echoes: usize,
}

impl ReadyDelivery {
    /// Each event of `delivery` encoded.
    ///
    /// # Errors
    /// When an event cannot be encoded (never for owned, well-formed data).
    pub fn of(delivery: &Delivery) -> serde_json::Result<Self> {
        Ok(Self {
            events: delivery
                .events
                .iter()
                .map(InboundEvent::ready)
                .collect::<serde_json::Result<_>>()?,
            echoes: delivery.echoes,
        })
    }

    /// How many of the events are parked as unparsed.
    pub fn unparsed(&self) -> usize {
        self.events.iter().filter(|e| e.unparsed).count()
    }
}

/// Inbound direction of a provider: verify, then split.
pub trait WebhookParser: Send + Sync {
    /// Checks a delivery's signature over its raw `body` (`payload` is the
    /// body parsed). Returns the business number the signing secret
    /// identifies, where the secret does (a WasenderApi session's).
    ///
    /// # Errors
    /// [`Rejection::MissingSignature`] or [`Rejection::BadSignature`].
    fn verify(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        payload: &Value,
    ) -> Result<Option<String>, Rejection>;

    /// Splits a verified delivery into events, stamped with the accepting
    /// `region`. Never fails: what this build cannot read becomes an
    /// [`Unparsed`] event holding the provider's object (see [`parked`]).
    /// Also what the router calls to parse a parked object again, with the
    /// event's business number as `signer`.
    fn parse(
        &self,
        payload: Value,
        signer: Option<&str>,
        region: &str,
        received_at: DateTime<Utc>,
    ) -> Delivery;

    /// Verifies a delivery and splits it into events.
    ///
    /// # Errors
    /// A [`Rejection`]; nothing of a rejected delivery may be published.
    fn accept(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        region: &str,
    ) -> Result<Delivery, Rejection> {
        let payload: Value = serde_json::from_slice(body)
            .map_err(|e| Rejection::Malformed(format!("not JSON: {e}")))?;
        let signer = self.verify(numbers, headers, body, &payload)?;
        Ok(self.parse(payload, signer.as_deref(), region, Utc::now()))
    }

    /// A parser's way for its common deliveries (Meta's text messages):
    /// verified and written straight from the bytes, without building
    /// events first. `None` for a delivery it leaves to
    /// [`accept`](Self::accept); it must store what `accept` would.
    fn accept_common(
        &self,
        _numbers: &NumberDirectory,
        _headers: &http::HeaderMap,
        _body: &[u8],
        _region: &str,
    ) -> Option<Result<Vec<ReadyEvent>, Rejection>> {
        None
    }

    /// What the edge calls: verifies a delivery and writes its events,
    /// ready to publish ([`accept_common`](Self::accept_common), else
    /// [`accept`](Self::accept) with each event encoded). The inner error:
    /// an event could not be encoded, so nothing of the delivery may be
    /// stored yet (retry).
    ///
    /// # Errors
    /// A [`Rejection`]; nothing of a rejected delivery may be published.
    fn accept_ready(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        region: &str,
    ) -> Result<serde_json::Result<ReadyDelivery>, Rejection> {
        if let Some(common) = self.accept_common(numbers, headers, body, region) {
            return common.map(|events| Ok(ReadyDelivery { events, echoes: 0 }));
        }
        Ok(ReadyDelivery::of(
            &self.accept(numbers, headers, body, region)?,
        ))
    }
}

/// Why one part of a signed delivery could not be read. Its text is kept as
/// the parked event's reason (dead-lettered as `unparsed`), in the
/// provider's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// A part lacks what it must have: "a status without id".
    #[error("{part} without {field}")]
    Without {
        part: &'static str,
        field: &'static str,
    },
    /// A field that must be there is not: "missing messageTimestamp".
    #[error("missing {0}")]
    Missing(&'static str),
    /// A field holds what cannot be an id: "invalid from".
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// A Meta delivery without entries.
    #[error("no entry[] in the delivery")]
    NoEntries,
    #[error("missing or invalid timestamp")]
    Timestamp,
    #[error("timestamp out of range")]
    TimestampOutOfRange,
    #[error("unknown status code {0}")]
    UnknownStatusCode(i64),
    /// An event kind this build does not know.
    #[error("event {0:?} is not understood by this build")]
    UnknownEvent(String),
    /// A change field this build does not know.
    #[error("field {0:?} is not understood by this build")]
    UnknownField(String),
    /// Keys of a messages change this build does not know, comma-separated.
    #[error("unknown keys in a messages change: {0}")]
    UnknownKeys(String),
}

impl ParseError {
    /// `part` lacks `field`.
    pub fn without(part: &'static str, field: &'static str) -> Self {
        ParseError::Without { part, field }
    }
}

/// Longest reason kept with an unparsed event.
const MAX_REASON: usize = 200;

/// An event that parks `raw` (a part of a signed delivery this build could
/// not read) with `reason`, for `number` where it is known (else
/// `unknown`): stored like any event, dead-lettered by the router with
/// reason `unparsed`, parsed again when replayed.
pub fn parked(
    provider: Provider,
    region: &str,
    number: Option<&str>,
    received_at: DateTime<Utc>,
    reason: &str,
    raw: Value,
) -> InboundEvent {
    let number = number
        .filter(|n| crate::topology::is_subject_token(n))
        .unwrap_or(UNKNOWN_NUMBER);
    let mut reason = reason.to_owned();
    if reason.len() > MAX_REASON {
        let mut cut = MAX_REASON;
        while !reason.is_char_boundary(cut) {
            cut -= 1;
        }
        reason.truncate(cut);
    }
    InboundEvent {
        version: crate::envelope::ENVELOPE_VERSION,
        provider,
        region: region.to_owned(),
        business_number: number.to_owned(),
        contact: Contact::default(),
        account: None,
        received_at,
        body: EventBody::Unparsed(Unparsed::new(reason, raw)),
    }
}

/// The subject token of a parked event whose business number is not known.
pub const UNKNOWN_NUMBER: &str = "unknown";

/// The inbound parser of a provider: the one place a provider is registered
/// for webhooks (its outbound side: [`crate::sender::reply_sender`]).
pub fn parser_for(provider: Provider) -> &'static dyn WebhookParser {
    match provider {
        // The sandbox speaks Meta's protocol.
        Provider::Meta | Provider::Sandbox => &meta::MetaWebhook,
        Provider::Wasender => &wasender::WasenderWebhook,
    }
}

/// The inbound media side of a provider: what its webhooks say of a file
/// and how to locate it (the sandbox speaks Meta's protocol).
pub fn media_source_for(provider: Provider) -> &'static dyn media::MediaSource {
    match provider {
        Provider::Meta | Provider::Sandbox => &meta::media::MetaMedia,
        Provider::Wasender => &wasender::media::WasenderMedia,
    }
}

/// Parses a parked event's object again with this build's parser: what it
/// now understands comes back typed, the rest parked again.
pub fn reparse(event: &InboundEvent, unparsed: &Unparsed) -> Delivery {
    let parser = parser_for(event.provider);
    let signer =
        (event.business_number != UNKNOWN_NUMBER).then_some(event.business_number.as_str());
    parser.parse(
        unparsed.raw.clone(),
        signer,
        &event.region,
        event.received_at,
    )
}

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    pub retryable: bool,
    /// Bounded label for metrics and the DLQ subject.
    pub code: String,
    /// The provider's error, for people.
    pub reason: String,
    /// The provider's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl SendError {
    /// `code` of a call that got no answer in time.
    pub const TIMEOUT: &str = "timeout";
    /// `code` of a success status whose body did not name the message.
    pub const BAD_RESPONSE: &str = "bad_response";

    /// A provider answer that accepted the request but lacks what it must
    /// carry (retryable: the provider's hiccup).
    pub fn bad_response(reason: &str) -> Self {
        Self {
            retryable: true,
            code: Self::BAD_RESPONSE.into(),
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// Whether the provider may have accepted the request all the same: no
    /// answer in time, or a success status whose body did not name the
    /// message (cut short, or not the provider's JSON). A retry of such a
    /// call must first give the accepted message's `sent` status time to
    /// arrive (`sender`, `timeout_retry_floor_ms`).
    pub fn may_have_been_accepted(&self) -> bool {
        [Self::TIMEOUT, Self::BAD_RESPONSE].contains(&self.code.as_str())
    }
}

/// Outbound direction of a provider: the request that sends a reply, what
/// the provider's answers mean, and its pace. Built once per sender process
/// from its settings ([`crate::sender::reply_sender`]).
pub trait ReplySender: Send + Sync {
    /// The client, default base URL and pace the calls go through.
    fn endpoint(&self) -> &client::SendEndpoint;

    /// The pooled client the calls go through.
    fn http(&self) -> &reqwest::Client {
        &self.endpoint().http
    }

    /// The send API's base URL for a number without one of its own.
    fn default_base_url(&self) -> &str {
        &self.endpoint().base_url
    }

    /// How many sends a number may make per period, unless the number has
    /// a limit of its own (`[sender.rate]`).
    fn rate_limit(&self) -> Limit {
        self.endpoint().limit
    }

    /// The URL under `base_url` and the JSON body that send `reply`;
    /// `media` is an attachment's handle from [`ReplySender::upload`].
    ///
    /// # Errors
    /// A reply this provider cannot carry (permanent).
    fn request(
        &self,
        base_url: &str,
        reply: &OutboundReply,
        media: Option<&str>,
    ) -> Result<(String, Value), SendError>;

    /// Hands an attachment's file to the provider ahead of the message
    /// that carries it; returns the handle that message names (Meta: a
    /// media id; WasenderApi: the URL it serves the file at).
    ///
    /// # Errors
    /// A classified [`SendError`].
    fn upload<'a>(
        &'a self,
        base_url: &'a str,
        token: &'a str,
        file: &'a UploadFile,
    ) -> BoxFuture<'a, Result<String, SendError>>;

    /// How long an uploaded handle may be used for a send (a retry within
    /// it sends the same upload).
    fn upload_lifetime(&self) -> Duration;

    /// Whether an answer accepted the reply (else it is a refusal, see
    /// [`ReplySender::classify`]).
    fn accepted(&self, answer: &client::Answer) -> bool {
        answer.status.is_success()
    }

    /// The provider's id of the message in an accepting answer's body.
    fn message_id(&self, body: &Value) -> Option<String>;

    /// What a refusal means: retryable or permanent, and how long to wait
    /// at least (`Retry-After`, or the provider's pace when throttled).
    fn classify(&self, answer: &client::Answer) -> SendError;

    /// Sends one reply; returns the provider's message id.
    ///
    /// # Errors
    /// A classified [`SendError`].
    fn send<'a>(
        &'a self,
        base_url: &'a str,
        token: &'a str,
        reply: &'a OutboundReply,
        media: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, SendError>> {
        Box::pin(async move {
            let (url, body) = self.request(base_url, reply, media)?;
            let answer = client::post_json(self.http(), &url, token, &body).await?;
            if !self.accepted(&answer) {
                return Err(self.classify(&answer));
            }
            self.message_id(&answer.body)
                .ok_or_else(|| SendError::bad_response("provider answered without a message id"))
        })
    }
}

/// An attachment's file, read from the media bucket, on its way to the
/// provider.
#[derive(Debug, Clone)]
pub struct UploadFile {
    /// The reply's business number (Meta uploads per phone number).
    pub business_number: String,
    pub bytes: bytes::Bytes,
    pub mime: String,
    pub filename: Option<String>,
}

/// Constant-time comparison of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_read_as_the_reasons_parked_events_keep() {
        let texts = [
            (
                ParseError::without("a status", "recipient_id or recipient_user_id"),
                "a status without recipient_id or recipient_user_id",
            ),
            (
                ParseError::Missing("messageTimestamp"),
                "missing messageTimestamp",
            ),
            (ParseError::Invalid("remoteJid"), "invalid remoteJid"),
            (ParseError::NoEntries, "no entry[] in the delivery"),
            (ParseError::Timestamp, "missing or invalid timestamp"),
            (ParseError::UnknownStatusCode(9), "unknown status code 9"),
            (
                ParseError::UnknownEvent("chats.upsert".into()),
                "event \"chats.upsert\" is not understood by this build",
            ),
            (
                ParseError::UnknownField("quantum_update".into()),
                "field \"quantum_update\" is not understood by this build",
            ),
            (
                ParseError::UnknownKeys("a, b".into()),
                "unknown keys in a messages change: a, b",
            ),
        ];
        for (error, text) in texts {
            assert_eq!(error.to_string(), text);
        }
    }
}
