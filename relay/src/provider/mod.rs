//! Provider specifics behind one trait per direction. Inbound: verify a
//! webhook delivery and split it into [`InboundEvent`]s. Adding a provider
//! means one new module here and one arm in [`parser_for`].

pub mod meta;
pub mod meta_send;
pub mod wasender;
pub mod wasender_send;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::envelope::{InboundEvent, Provider};

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

/// Why a webhook delivery is refused. Each maps to one HTTP status at the edge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("missing or malformed signature header")]
    MissingSignature,
    #[error("signature does not match")]
    BadSignature,
    #[error("business number is not configured on this edge")]
    UnknownNumber,
    #[error("malformed body: {0}")]
    Malformed(String),
}

impl Rejection {
    /// Short, bounded label for metrics and error codes.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::MissingSignature => "missing_signature",
            Rejection::BadSignature => "bad_signature",
            Rejection::UnknownNumber => "unknown_number",
            Rejection::Malformed(_) => "malformed",
        }
    }
}

/// What a verified delivery holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Delivery {
    /// Events to store, in the provider's order.
    pub events: Vec<InboundEvent>,
    /// Echoes of our own sends (WasenderApi `fromMe`): recognised, not stored.
    pub echoes: usize,
}

/// Inbound direction of a provider.
pub trait WebhookParser: Send + Sync {
    /// Verifies a delivery's signature over the raw body and splits it into
    /// events, stamped with the accepting `region`.
    ///
    /// # Errors
    /// A [`Rejection`]; nothing of a rejected delivery may be published.
    fn accept(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        region: &str,
    ) -> Result<Delivery, Rejection>;
}

/// The inbound parser of a provider, by its URL name.
pub fn parser_for(provider: Provider) -> Option<&'static dyn WebhookParser> {
    match provider {
        Provider::Meta | Provider::Sandbox => Some(&meta::MetaWebhook),
        Provider::Wasender => Some(&wasender::WasenderWebhook),
    }
}

/// Constant-time comparison of two byte strings.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
