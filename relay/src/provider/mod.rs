//! Provider specifics behind one trait per direction. Inbound: verify a
//! webhook delivery and split it into [`InboundEvent`]s. Adding a provider
//! means one new module here and one arm in [`parser_for`].

pub mod meta;
pub mod sandbox;
pub mod wasender;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::envelope::{Contact, EventBody, InboundEvent, Provider, Unparsed};

use crate::secret::Secret;
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

/// Lookup of credentials by business number id.
#[derive(Debug, Clone, Default)]
pub struct NumberDirectory {
    by_id: HashMap<String, NumberCredentials>,
}

impl NumberDirectory {
    pub fn new(numbers: &[NumberCredentials]) -> Self {
        Self {
            by_id: numbers
                .iter()
                .map(|n| (n.phone_number_id.clone(), n.clone()))
                .collect(),
        }
    }

    pub fn get(&self, phone_number_id: &str) -> Option<&NumberCredentials> {
        self.by_id.get(phone_number_id)
    }

    pub fn of_provider(&self, provider: Provider) -> impl Iterator<Item = &NumberCredentials> {
        self.by_id.values().filter(move |n| n.provider == provider)
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

/// The inbound parser of a provider, by its URL name.
pub fn parser_for(provider: Provider) -> Option<&'static dyn WebhookParser> {
    match provider {
        Provider::Meta | Provider::Sandbox => Some(&meta::MetaWebhook),
        Provider::Wasender => Some(&wasender::WasenderWebhook),
    }
}

/// Parses a parked event's object again with this build's parser: what it
/// now understands comes back typed, the rest parked again.
pub fn reparse(event: &InboundEvent, unparsed: &Unparsed) -> Delivery {
    let Some(parser) = parser_for(event.provider) else {
        return Delivery::default();
    };
    let signer =
        (event.business_number != UNKNOWN_NUMBER).then_some(event.business_number.as_str());
    parser.parse(
        unparsed.raw.clone(),
        signer,
        &event.region,
        event.received_at,
    )
}

/// Constant-time comparison of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
