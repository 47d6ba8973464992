//! `InboundEvent`: the value on the wire of `wa.in.…` — one provider message,
//! delivery status or session change, normalised, with the provider's raw
//! object kept whole. Owns the dedupe id (`Nats-Msg-Id`) and partition of an
//! event; not how it is parsed (`provider`) or applied (`sessions`).
//!
//! Wire format, version 2 (JSON):
//!
//! ```text
//! { "version": 2, "provider": "meta"|"wasender"|"sandbox", "region": "eu",
//!   "business_number": "<phone number id or session id>",
//!   "contact": { "wa_id": "...", "profile_name": "..."?, "user_id": "..."?,
//!                "username": "..."?, "parent_user_id": "..."? },
//!   "received_at": RFC 3339,
//!   "kind": "message", "id", "timestamp", "message_type", "text"? | "text_at"?, "raw"
//!         | "status",  "id", "status", "timestamp", "error"?, "callback_data"?, "raw"
//!         | "session", "status", "timestamp", "raw"
//!         | "unparsed", "id", "reason", "raw" }
//! ```
//!
//! `unparsed` holds a part of a signed delivery the parser could not read
//! (an unknown field, event or shape), as the provider sent it: stored so
//! that nothing signed is lost, dead-lettered by the router (reason
//! `unparsed`) and parsed again by the build that replays it.
//!
//! `text_at` is a JSON pointer into `raw` where the text is (written instead
//! of `text` when it is there verbatim); version 1 always wrote `text`.
//! Readers accept a missing `version` as 1; a version they do not know is an
//! error (the router dead-letters it rather than guessing).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use crate::topology;

/// Header carrying the dedupe id on every publish.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";
/// W3C trace context, carried from edge to router to sender.
pub const TRACEPARENT_HEADER: &str = "traceparent";

/// The headers of a stored message, to publish it again (a dead letter, a
/// replay, a repair): all but the server's own (`Nats-*`: its dedupe id,
/// expectations, and the `Nats-Stream-Source` of a sourced copy, which
/// nats-server 2.11+ refuses on a publish, error 10227) and those `skip`
/// names. The caller sets the dedupe id.
pub fn headers_to_republish(
    from: &async_nats::HeaderMap,
    skip: impl Fn(&str) -> bool,
) -> async_nats::HeaderMap {
    let mut headers = async_nats::HeaderMap::new();
    for (name, values) in from.iter() {
        let name = name.to_string();
        if name.to_ascii_lowercase().starts_with("nats-") || skip(&name) {
            continue;
        }
        for value in values {
            headers.append(name.as_str(), value.as_str());
        }
    }
    headers
}

/// A new W3C `traceparent` (version 00), continuing `parent`'s trace when
/// it is a valid one: one trace follows one message. Written when spans
/// are not exported, so nothing records this span and its `sampled` flag
/// is off, as the specification reads. A sampled flag on every message
/// also made each NATS server (2.11+) copy the message's headers into a
/// map, to see whether the account asked for message tracing. Written
/// byte by byte (it is on the edge's hot path, once per event).
pub fn traceparent(parent: Option<&str>) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let span: u64 = rng.random::<u64>() | 1;
    let mut out = String::with_capacity(55);
    out.push_str("00-");
    match parent.and_then(parent_trace_id) {
        Some(trace) => out.extend(trace.chars().map(|c| c.to_ascii_lowercase())),
        None => push_hex(&mut out, rng.random::<u128>() | 1, 32),
    }
    out.push('-');
    push_hex(&mut out, u128::from(span), 16);
    out.push_str("-00");
    out
}

/// The trace id of a well-formed parent `traceparent`.
fn parent_trace_id(parent: &str) -> Option<&str> {
    traceparent_fields(parent).map(|(trace, _, _)| trace)
}

/// The trace id, span id and flags of a well-formed W3C `traceparent`: four
/// fields, a version other than `ff`, 32 hex digits of trace id and 16 of
/// span id (neither all zeros), 2 of flags. The one reading of the header
/// (the edge's parent, and [`crate::trace`]'s remote spans).
#[must_use]
pub fn traceparent_fields(value: &str) -> Option<(&str, &str, &str)> {
    let mut parts = value.trim().split('-');
    let (version, trace, span, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes().all(|b| b.is_ascii_hexdigit())
            && (len == 2 || s.bytes().any(|b| b != b'0'))
    };
    let valid = parts.next().is_none()
        && hex(version, 2)
        && !version.eq_ignore_ascii_case("ff")
        && hex(trace, 32)
        && hex(span, 16)
        && hex(flags, 2);
    valid.then_some((trace, span, flags))
}

/// The low `digits` hex digits of `value`, zero-padded, lower case.
fn push_hex(out: &mut String, value: u128, digits: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for i in (0..digits).rev() {
        out.push(char::from(HEX[((value >> (4 * i)) & 0xf) as usize]));
    }
}

/// The `traceparent` header of a received message, if any.
#[must_use]
pub fn traceparent_header(message: &async_nats::Message) -> Option<&str> {
    message
        .headers
        .as_ref()
        .and_then(|h| h.get(TRACEPARENT_HEADER))
        .map(async_nats::HeaderValue::as_str)
}

/// The trace id of a `traceparent`, for logs.
pub fn trace_id(traceparent: &str) -> Option<&str> {
    traceparent.split('-').nth(1).filter(|t| t.len() == 32)
}

/// Which provider an event came from or a reply goes through: the one
/// enum of providers, shared with the `business_numbers.provider` column
/// (parsed there once, with [`entities::UnknownVariant`] naming an unknown
/// name).
pub use entities::business_number::Provider;

/// The envelope version this build writes. Version 2 stores a message's
/// text as a pointer into the provider's object where it is there (see
/// [`InboundMessage`]); this build reads 1 and 2. Routers are upgraded
/// before edges: an older router dead-letters a version it does not know
/// (nothing is lost; replay it after the upgrade).
pub const ENVELOPE_VERSION: u8 = 2;

/// The oldest envelope version this build reads.
pub const OLDEST_ENVELOPE_VERSION: u8 = 1;

/// `value.pointer(pointer)` (RFC 6901) without allocating: serde_json's
/// own unescapes every token into two new strings, which showed in the
/// edge's profile (phone number, text, profile name, encode's check).
/// Pointers with an escape (`~`) go to serde_json's.
pub fn pointer<'a>(value: &'a serde_json::Value, pointer: &str) -> Option<&'a serde_json::Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    if pointer.contains('~') {
        return value.pointer(pointer);
    }
    let mut at = value;
    for token in pointer.strip_prefix('/')?.split('/') {
        at = match at {
            serde_json::Value::Object(map) => map.get(token)?,
            serde_json::Value::Array(list) => {
                // As serde_json: digits only, no leading zero but "0".
                if token.starts_with('+') || (token.starts_with('0') && token.len() > 1) {
                    return None;
                }
                list.get(token.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(at)
}

fn envelope_version() -> u8 {
    OLDEST_ENVELOPE_VERSION
}

/// One inbound event, as stored in the edge and INBOUND streams (written
/// through [`EnvelopeRef`], the one layout of the envelope).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InboundEvent {
    /// Envelope version ([`ENVELOPE_VERSION`]).
    #[serde(default = "envelope_version")]
    pub version: u8,
    pub provider: Provider,
    /// Region whose edge accepted it (`hub` when published straight to the hub).
    pub region: String,
    /// The business phone number id the event is for.
    pub business_number: String,
    /// The customer's WhatsApp id.
    pub contact: Contact,
    /// The provider account it came through, when known (Meta: the
    /// WhatsApp Business Account id, `entry[].id`): account and template
    /// updates name accounts, not numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// When the edge accepted it (for latency, never for ordering).
    pub received_at: DateTime<Utc>,
    #[serde(flatten)]
    pub body: EventBody,
}

/// How an envelope is written, whoever writes it: an [`InboundEvent`]
/// with its [`EventBody`], or a parser that writes the provider's object
/// as the bytes it came in (`B` is then a [`BodyRef`]), without building an
/// event first (the edge's common delivery, `provider::meta::fast`).
#[derive(Serialize)]
pub struct EnvelopeRef<'a, B: Serialize> {
    pub version: u8,
    pub provider: Provider,
    pub region: &'a str,
    pub business_number: &'a str,
    pub contact: &'a Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<&'a str>,
    #[serde(serialize_with = "rfc3339")]
    pub received_at: &'a DateTime<Utc>,
    #[serde(flatten)]
    pub body: B,
}

/// A time as chrono's `Serialize` writes it (RFC 3339, `Z`, as many
/// fraction digits as needed), formatted once and written as one string:
/// chrono's own way hands the serializer each character, and serde_json
/// escapes each on its own (a tenth of the edge's envelope work).
fn rfc3339<S: serde::Serializer>(at: &&DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; RFC3339_MAX];
    match rfc3339_in(at, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
    }
}

/// `YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ`, the longest [`rfc3339_in`] writes.
const RFC3339_MAX: usize = 30;

/// The common time (years 0 to 9999, no leap second) written into `buf`
/// as chrono writes it, without allocating: the edge writes two per event.
/// `None` for any other, which chrono writes.
fn rfc3339_in<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; RFC3339_MAX]) -> Option<&'b str> {
    use chrono::{Datelike, Timelike};
    let (date, time) = (at.date_naive(), at.time());
    let nanos = time.nanosecond();
    let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
    if nanos >= 1_000_000_000 {
        return None;
    }
    let mut len = 0;
    let mut put = |value: u32, digits: u32, after: Option<u8>| {
        for i in (0..digits).rev() {
            buf[len] = b'0' + (value / 10u32.pow(i) % 10) as u8;
            len += 1;
        }
        if let Some(byte) = after {
            buf[len] = byte;
            len += 1;
        }
    };
    put(year, 4, Some(b'-'));
    put(date.month(), 2, Some(b'-'));
    put(date.day(), 2, Some(b'T'));
    put(time.hour(), 2, Some(b':'));
    put(time.minute(), 2, Some(b':'));
    // As few fraction digits as hold it: none, milli, micro or nano.
    let fraction = match nanos {
        0 => None,
        n if n % 1_000_000 == 0 => Some((n / 1_000_000, 3)),
        n if n % 1_000 == 0 => Some((n / 1_000, 6)),
        n => Some((n, 9)),
    };
    match fraction {
        None => put(time.second(), 2, Some(b'Z')),
        Some((value, digits)) => {
            put(time.second(), 2, Some(b'.'));
            put(value, digits, Some(b'Z'));
        }
    }
    std::str::from_utf8(&buf[..len]).ok()
}

impl Serialize for InboundEvent {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.envelope().serialize(serializer)
    }
}

/// An event body written from borrowed parts, its provider object as the
/// provider sent it ([`serde_json::value::RawValue`]). Tagged as
/// [`EventBody`] is.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum BodyRef<'a> {
    Message(StoredMessageRef<'a, serde_json::value::RawValue>),
}

/// An event ready to publish: what the edge routes and dedupes it by, and
/// the bytes stored. Made from an [`InboundEvent`] ([`InboundEvent::ready`])
/// or written straight by a parser.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadyEvent {
    pub business_number: String,
    /// What orders it ([`Contact::partition_key`]).
    pub partition_key: String,
    /// The dedupe id ([`InboundEvent::msg_id`]).
    pub msg_id: String,
    /// Provider time ([`InboundEvent::timestamp`]).
    pub timestamp: DateTime<Utc>,
    /// A part the parser did not understand, stored raw.
    pub unparsed: bool,
    /// The envelope's bytes.
    pub payload: Vec<u8>,
}

/// The bytes of an envelope: room for a typical event (the provider's
/// ~1 KiB object and the envelope) up front, as growing from empty
/// reallocated and copied it ~5 times.
pub fn write_envelope<B: Serialize>(envelope: &EnvelopeRef<'_, B>) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(2048);
    serde_json::to_writer(&mut out, envelope)?;
    Ok(out)
}

/// The envelope of a customer's message whose provider object is kept as
/// the bytes it came in, written straight into bytes: what
/// [`write_envelope`] writes for an [`EnvelopeRef`] with a
/// [`BodyRef::Message`] (no text of its own, no echo), byte for byte (a
/// test holds the two equal; [`EnvelopeRef`] stays the layout). serde's
/// flattened, internally tagged form goes through a map and escapes every
/// key on every write; here the keys are constants, and the object is not
/// read again to become a `RawValue`: the edge's common delivery
/// (`provider::meta::fast`).
pub struct MessageEnvelope<'a> {
    pub provider: Provider,
    pub region: &'a str,
    pub business_number: &'a str,
    pub contact: ContactRef<'a>,
    pub account: Option<&'a str>,
    pub received_at: &'a DateTime<Utc>,
    pub id: &'a str,
    pub timestamp: &'a DateTime<Utc>,
    pub message_type: &'a str,
    /// Where `raw` holds the message's text (a JSON pointer).
    pub text_at: Option<&'a str>,
    /// The provider's object: one JSON value, already checked whole.
    pub raw: &'a str,
}

impl MessageEnvelope<'_> {
    /// The envelope's bytes, exactly as long as they are: room is made for
    /// the worst case and given back in place, so the bytes become the
    /// published payload with no allocation of their own.
    ///
    /// # Errors
    /// As [`write_envelope`] (a writer into memory does not fail).
    pub fn write(&self) -> serde_json::Result<Vec<u8>> {
        let contact = &self.contact;
        let optional = [
            contact.profile_name,
            contact.user_id,
            contact.username,
            contact.parent_user_id,
            self.account,
            self.text_at,
        ];
        let strings = [
            self.region,
            self.business_number,
            contact.wa_id,
            self.id,
            self.message_type,
        ]
        .iter()
        .chain(optional.iter().flatten())
        .map(|s| s.len())
        .sum::<usize>();
        // Keys and times take under 320 bytes; a string at most doubles
        // unless it holds control characters (then the list grows).
        let mut out = Vec::with_capacity(self.raw.len() + 320 + 2 * strings);
        let o = &mut out;
        put(o, b"{\"version\":", &ENVELOPE_VERSION)?;
        put(o, b",\"provider\":", &self.provider)?;
        put(o, b",\"region\":", self.region)?;
        put(o, b",\"business_number\":", self.business_number)?;
        put(o, b",\"contact\":{\"wa_id\":", contact.wa_id)?;
        for (key, value) in [
            (&b",\"profile_name\":"[..], contact.profile_name),
            (&b",\"user_id\":"[..], contact.user_id),
            (&b",\"username\":"[..], contact.username),
            (&b",\"parent_user_id\":"[..], contact.parent_user_id),
        ] {
            if let Some(value) = value {
                put(o, key, value)?;
            }
        }
        o.push(b'}');
        if let Some(account) = self.account {
            put(o, b",\"account\":", account)?;
        }
        o.extend_from_slice(b",\"received_at\":");
        rfc3339(&self.received_at, &mut serde_json::Serializer::new(&mut *o))?;
        put(o, b",\"kind\":", "message")?;
        put(o, b",\"id\":", self.id)?;
        o.extend_from_slice(b",\"timestamp\":");
        rfc3339(&self.timestamp, &mut serde_json::Serializer::new(&mut *o))?;
        put(o, b",\"message_type\":", self.message_type)?;
        if let Some(text_at) = self.text_at {
            put(o, b",\"text_at\":", text_at)?;
        }
        o.extend_from_slice(b",\"raw\":");
        o.extend_from_slice(self.raw.as_bytes());
        o.push(b'}');
        out.shrink_to_fit();
        Ok(out)
    }
}

/// `key` (written as given), then `value` as serde_json writes it.
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, key: &[u8], value: &T) -> serde_json::Result<()> {
    out.extend_from_slice(key);
    serde_json::to_writer(out, value)
}

/// The dedupe id of a customer's message (or an echo): `<provider>:msg:<id>`.
pub fn message_msg_id(provider: Provider, id: &str) -> String {
    // Part by part, as `inbound_subject` (82 against 22 ns with `format!`).
    let (provider, id) = (provider.as_str(), id_part(id));
    let mut out = String::with_capacity(provider.len() + 5 + id.len());
    for part in [provider, ":msg:", &id] {
        out.push_str(part);
    }
    out
}

/// A provider's string as a part of a dedupe id. The id travels as the
/// `Nats-Msg-Id` header, which cannot hold a CR or LF (the NATS client
/// panics on one), so those and `%` are percent-escaped: every other
/// string reads as it came, and two different strings never give the
/// same part.
pub fn id_part(part: &str) -> Cow<'_, str> {
    if !part.contains(['%', '\r', '\n']) {
        return Cow::Borrowed(part);
    }
    let mut out = String::with_capacity(part.len() + 8);
    for c in part.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The customer an event is about.
///
/// `wa_id` is the contact's key: its phone number (WhatsApp id) when the
/// provider gives one, otherwise its business-scoped user id (BSUID, Meta's
/// `user_id`, for users with a username who hide their phone). The BSUID,
/// username and parent BSUID travel beside it when known; the router finds
/// a contact by its BSUID first, so the same user seen with and without a
/// phone is one contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Contact {
    pub wa_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// Meta's business-scoped user id (BSUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The user's WhatsApp username, when they adopted one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Meta's parent BSUID (linked business portfolios).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<String>,
}

impl Contact {
    /// A contact known by its phone number (WhatsApp id) alone.
    pub fn phone(wa_id: impl Into<String>, profile_name: Option<String>) -> Self {
        Self {
            wa_id: wa_id.into(),
            profile_name,
            ..Self::default()
        }
    }

    /// The phone number, when `wa_id` is one (not a BSUID).
    pub fn phone_number(&self) -> Option<&str> {
        (!is_bsuid(&self.wa_id) && !self.wa_id.is_empty()).then_some(self.wa_id.as_str())
    }

    /// What orders this contact's events: its BSUID when known (stable
    /// whether or not a phone comes with it), else its phone.
    pub fn partition_key(&self) -> &str {
        partition_key(&self.wa_id, self.user_id.as_deref())
    }
}

/// [`Contact::partition_key`], of either form of a contact.
fn partition_key<'a>(wa_id: &'a str, user_id: Option<&'a str>) -> &'a str {
    user_id.unwrap_or(wa_id)
}

/// A [`Contact`] as read from a delivery, borrowing its strings: a parser
/// decides the customer once (`provider::meta::customer`), and only the
/// way that keeps it makes it owned ([`ContactRef::to_contact`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactRef<'a> {
    pub wa_id: &'a str,
    pub profile_name: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub parent_user_id: Option<&'a str>,
}

impl<'a> ContactRef<'a> {
    pub fn to_contact(self) -> Contact {
        Contact {
            wa_id: self.wa_id.to_owned(),
            profile_name: self.profile_name.map(str::to_owned),
            user_id: self.user_id.map(str::to_owned),
            username: self.username.map(str::to_owned),
            parent_user_id: self.parent_user_id.map(str::to_owned),
        }
    }

    /// As [`Contact::partition_key`].
    pub fn partition_key(&self) -> &'a str {
        partition_key(self.wa_id, self.user_id)
    }
}

/// True when `id` can stand as a contact's key: a phone number or a BSUID
/// (letters, digits and `.`, `+`, `-`, `_`; 1 to 160 characters).
pub fn is_contact_id(id: &str) -> bool {
    (1..=160).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b'_'))
}

/// True when `id` has the shape of a business-scoped user id: a two-letter
/// country code, a period, then letters and digits (`US.13491208655302741918`,
/// parent BSUIDs `US.ENT.118…`). Phone numbers are digits only.
pub fn is_bsuid(id: &str) -> bool {
    let mut parts = id.splitn(2, '.');
    let (Some(country), Some(rest)) = (parts.next(), parts.next()) else {
        return false;
    };
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// A message from the customer, a delivery status of one of our replies, or
/// a change of the provider session's connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EventBody {
    Message(InboundMessage),
    Status(DeliveryStatus),
    Session(SessionState),
    Update(ProviderUpdate),
    Unparsed(Unparsed),
}

/// A provider's report that is not a message: about an account, a number,
/// a template or a user's preferences (Meta's `account_update`,
/// `message_template_status_update`, `user_preferences`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderUpdate {
    /// A digest of `raw`: a provider's retry of the same update dedupes.
    pub id: String,
    /// The webhook field it came in (Meta's `changes[].field`).
    pub field: String,
    pub timestamp: DateTime<Utc>,
    /// The provider's value object, whole.
    pub raw: serde_json::Value,
}

/// A digest of a provider object, for the dedupe id of an event that has
/// no id of its own.
pub fn digest(raw: &serde_json::Value) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(raw.to_string().as_bytes())[..16])
}

/// A part of a signed delivery this build could not read, kept as the
/// provider sent it (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unparsed {
    /// A digest of `raw`: a provider's retry of the same delivery dedupes.
    pub id: String,
    /// Why it was not understood (bounded, no payload data).
    pub reason: String,
    /// The provider's object, enough to parse it again on its own (for Meta
    /// a delivery with the one change; for WasenderApi the whole event).
    pub raw: serde_json::Value,
}

impl Unparsed {
    /// Parks `raw` with `reason`; its id is a digest of the raw bytes.
    pub fn new(reason: impl Into<String>, raw: serde_json::Value) -> Self {
        Self {
            id: digest(&raw),
            reason: reason.into(),
            raw,
        }
    }
}

/// A provider session's connection state (WasenderApi `session.status`),
/// kept for health alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// connected, disconnected, need_scan, …
    pub status: String,
    pub timestamp: DateTime<Utc>,
    pub raw: serde_json::Value,
}

/// A customer's message.
///
/// Stored with its text once: where the provider's object holds the text
/// (`text_at`, a JSON pointer into `raw`), the stream keeps only the pointer
/// and reading the envelope fills `text` back in. Webhook texts run to 4,096
/// characters, and on a replicated stream every stored byte is written and
/// replicated three times.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "StoredMessage")]
pub struct InboundMessage {
    /// The provider's message id (`wamid.…`).
    pub id: String,
    /// Provider time of the message.
    pub timestamp: DateTime<Utc>,
    /// Provider message type: text, image, audio, location, interactive, …
    pub message_type: String,
    /// The text, caption or reply title, where the type has one.
    pub text: Option<String>,
    /// Where in `raw` the parser found `text` (a JSON pointer), if it is
    /// there verbatim.
    pub text_at: Option<Cow<'static, str>>,
    /// The provider's object for this message, untouched.
    pub raw: serde_json::Value,
    /// A message the business sent from the WhatsApp Business app on the
    /// same number (Meta's coexistence `smb_message_echoes`): stored as an
    /// outbound message of the conversation, never sent again.
    pub echo: bool,
}

impl InboundMessage {
    /// `text` as read at `text_at` in `raw`, when it is exactly there.
    fn text_in_raw(&self) -> Option<&str> {
        let pointer = self.text_at.as_deref()?;
        let found = self::pointer(&self.raw, pointer)?.as_str()?;
        (Some(found) == self.text.as_deref()).then_some(found)
    }
}

/// How a message is written: the text itself only where `raw` does not
/// hold it at `text_at`. `R` is the provider's object: a
/// [`serde_json::Value`], or the bytes it came in.
#[derive(Serialize)]
pub struct StoredMessageRef<'a, R: Serialize + ?Sized> {
    pub id: &'a str,
    #[serde(serialize_with = "rfc3339")]
    pub timestamp: &'a DateTime<Utc>,
    pub message_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_at: Option<&'a str>,
    pub raw: &'a R,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub echo: bool,
}

impl Serialize for InboundMessage {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let in_raw = self.text_in_raw().is_some();
        StoredMessageRef {
            id: &self.id,
            timestamp: &self.timestamp,
            message_type: &self.message_type,
            text: if in_raw { None } else { self.text.as_deref() },
            text_at: if in_raw {
                self.text_at.as_deref()
            } else {
                None
            },
            raw: &self.raw,
            echo: self.echo,
        }
        .serialize(serializer)
    }
}

/// A message as read: envelopes of version 1 carry `text` itself.
#[derive(Deserialize)]
struct StoredMessage {
    id: String,
    timestamp: DateTime<Utc>,
    message_type: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    text_at: Option<String>,
    raw: serde_json::Value,
    #[serde(default)]
    echo: bool,
}

impl From<StoredMessage> for InboundMessage {
    fn from(stored: StoredMessage) -> Self {
        let text = stored.text.or_else(|| {
            let pointer = stored.text_at.as_deref()?;
            Some(self::pointer(&stored.raw, pointer)?.as_str()?.to_owned())
        });
        Self {
            id: stored.id,
            timestamp: stored.timestamp,
            message_type: stored.message_type,
            text,
            text_at: stored.text_at.map(Cow::Owned),
            raw: stored.raw,
            echo: stored.echo,
        }
    }
}

/// A delivery status of a message we sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// The provider's id of our message.
    pub id: String,
    /// sent, delivered, read, failed, …
    pub status: String,
    pub timestamp: DateTime<Utc>,
    /// Provider error text when failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What we attached when sending (our message id), echoed by the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_data: Option<String>,
    pub raw: serde_json::Value,
}

impl InboundEvent {
    /// `<provider>:<kind>:<provider id>[:<status>]`, the dedupe id of layer 1.
    pub fn msg_id(&self) -> String {
        let provider = self.provider.as_str();
        match &self.body {
            EventBody::Message(m) => message_msg_id(self.provider, &m.id),
            EventBody::Status(s) => format!(
                "{provider}:status:{}:{}",
                id_part(&s.id),
                id_part(&s.status)
            ),
            EventBody::Session(s) => format!(
                "{provider}:session:{}:{}:{}",
                self.business_number,
                id_part(&s.status),
                s.timestamp.timestamp_millis()
            ),
            EventBody::Update(u) => {
                format!("{provider}:update:{}:{}", id_part(&u.field), id_part(&u.id))
            }
            EventBody::Unparsed(u) => format!("{provider}:unparsed:{}", id_part(&u.id)),
        }
    }

    /// The provider id this event is about.
    pub fn provider_id(&self) -> &str {
        match &self.body {
            EventBody::Message(m) => &m.id,
            EventBody::Status(s) => &s.id,
            EventBody::Session(_) => &self.business_number,
            EventBody::Update(u) => &u.id,
            EventBody::Unparsed(u) => &u.id,
        }
    }

    /// Provider time of the event.
    pub fn timestamp(&self) -> DateTime<Utc> {
        match &self.body {
            EventBody::Message(m) => m.timestamp,
            EventBody::Status(s) => s.timestamp,
            EventBody::Session(s) => s.timestamp,
            EventBody::Update(u) => u.timestamp,
            EventBody::Unparsed(_) => self.received_at,
        }
    }

    /// The subject this event is published on.
    pub fn subject(&self, partitions: u16) -> String {
        topology::inbound_subject(
            &self.region,
            &self.business_number,
            topology::partition_of(self.contact.partition_key(), partitions),
        )
    }

    /// Serialises to the bytes stored in the stream.
    ///
    /// # Errors
    /// Never for a well-formed event (serde_json on owned data).
    pub fn encode(&self) -> serde_json::Result<Vec<u8>> {
        write_envelope(&self.envelope())
    }

    /// How this event is written.
    fn envelope(&self) -> EnvelopeRef<'_, &EventBody> {
        EnvelopeRef {
            version: self.version,
            provider: self.provider,
            region: &self.region,
            business_number: &self.business_number,
            contact: &self.contact,
            account: self.account.as_deref(),
            received_at: &self.received_at,
            body: &self.body,
        }
    }

    /// This event, encoded, with what the edge publishes it by.
    ///
    /// # Errors
    /// As [`InboundEvent::encode`].
    pub fn ready(&self) -> serde_json::Result<ReadyEvent> {
        Ok(ReadyEvent {
            business_number: self.business_number.clone(),
            partition_key: self.contact.partition_key().to_owned(),
            msg_id: self.msg_id(),
            timestamp: self.timestamp(),
            unparsed: matches!(self.body, EventBody::Unparsed(_)),
            payload: self.encode()?,
        })
    }

    /// Parses stored bytes.
    ///
    /// # Errors
    /// When the bytes are not an `InboundEvent` of a version this build knows.
    pub fn decode(bytes: &[u8]) -> serde_json::Result<Self> {
        let event: Self = serde_json::from_slice(bytes)?;
        if !(OLDEST_ENVELOPE_VERSION..=ENVELOPE_VERSION).contains(&event.version) {
            return Err(serde::de::Error::custom(format!(
                "envelope version {} is not supported (this build reads {OLDEST_ENVELOPE_VERSION} to {ENVELOPE_VERSION})",
                event.version
            )));
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn event(id: String, text: Option<String>, wa_id: String, status: bool) -> InboundEvent {
        let timestamp = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        InboundEvent {
            version: ENVELOPE_VERSION,
            provider: Provider::Meta,
            region: "eu".into(),
            business_number: "1065".into(),
            contact: Contact::phone(wa_id, Some("Ana".into())),
            account: None,
            received_at: timestamp,
            body: if status {
                EventBody::Status(DeliveryStatus {
                    id,
                    status: "read".into(),
                    timestamp,
                    error: None,
                    callback_data: Some("42".into()),
                    raw: serde_json::json!({"status": "read"}),
                })
            } else {
                EventBody::Message(InboundMessage {
                    id,
                    timestamp,
                    message_type: "text".into(),
                    text,
                    text_at: None,
                    raw: serde_json::json!({"type": "text"}),
                    echo: false,
                })
            },
        }
    }

    #[test]
    fn traceparent_continues_a_valid_parent_and_starts_a_new_trace_otherwise() {
        let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let child = traceparent(Some(parent));
        assert_eq!(trace_id(&child), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_ne!(child, parent, "a new span");
        let fresh = traceparent(Some("garbage"));
        assert_eq!(fresh.len(), 55);
        assert_ne!(trace_id(&fresh), trace_id(&traceparent(None)));
        let upper = traceparent(Some(
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        ));
        assert!(upper.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        let zeros = traceparent(Some(
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        ));
        assert_ne!(trace_id(&zeros), Some("00000000000000000000000000000000"));
        for tp in [&child, &fresh, &upper, &zeros] {
            let parts: Vec<&str> = tp.split('-').collect();
            assert_eq!(parts.len(), 4, "{tp}");
            // Nothing records the span: not sampled.
            assert_eq!((parts[0], parts[3]), ("00", "00"), "{tp}");
            assert_eq!((parts[1].len(), parts[2].len()), (32, 16), "{tp}");
            assert!(
                tp.bytes()
                    .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                "{tp}"
            );
        }
    }

    #[test]
    fn republished_headers_drop_the_servers_own() {
        let mut stored = async_nats::HeaderMap::new();
        stored.insert(MSG_ID_HEADER, "meta:msg:w.1");
        stored.insert("Nats-Stream-Source", "EDGE_EU 7");
        stored.insert(TRACEPARENT_HEADER, "00-abc");
        stored.insert("Wharf-Replay-Of", "3");
        let again = headers_to_republish(&stored, |n| n.starts_with("Wharf-"));
        assert!(again.get(MSG_ID_HEADER).is_none());
        assert!(again.get("Nats-Stream-Source").is_none());
        assert!(again.get("Wharf-Replay-Of").is_none());
        assert_eq!(
            again.get(TRACEPARENT_HEADER).map(|v| v.as_str()),
            Some("00-abc")
        );
    }

    #[test]
    fn msg_id_separates_messages_from_each_status() {
        let m = event("wamid.1".into(), None, "1".into(), false);
        let s = event("wamid.1".into(), None, "1".into(), true);
        assert_eq!(m.msg_id(), "meta:msg:wamid.1");
        assert_eq!(s.msg_id(), "meta:status:wamid.1:read");
    }

    #[test]
    fn a_dedupe_id_is_a_valid_header_value_and_tells_ids_apart() {
        // Ids as providers send them today read as they came.
        assert_eq!(id_part("wamid.HBgL=="), "wamid.HBgL==");
        // CR and LF cannot travel in a NATS header; `%` is escaped with
        // them, so an escaped id never equals one that came that way.
        let ids = ["a\nb", "a%0Ab", "a\rb", "a%0Db", "a%b", "a%25b", "\r\n%"];
        let parts: Vec<String> = ids.iter().map(|id| id_part(id).into_owned()).collect();
        for part in &parts {
            assert!(!part.contains(['\r', '\n']), "{part:?}");
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(MSG_ID_HEADER, message_msg_id(Provider::Meta, part).as_str());
        }
        let distinct: std::collections::HashSet<_> = parts.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{parts:?}");
        let status = event("w\n1".into(), None, "1".into(), true);
        assert_eq!(status.msg_id(), "meta:status:w%0A1:read");
        let message = event("w\r".into(), None, "1".into(), false);
        assert_eq!(message.msg_id(), "meta:msg:w%0D");
    }

    #[test]
    fn a_missing_version_reads_as_1_and_an_unknown_one_is_refused() {
        let e = event("wamid.1".into(), None, "1".into(), false);
        let mut json = serde_json::to_value(&e).expect("json");
        json.as_object_mut().expect("object").remove("version");
        let read = InboundEvent::decode(json.to_string().as_bytes()).expect("v1");
        assert_eq!(read.version, 1);
        assert_eq!(
            InboundEvent {
                version: e.version,
                ..read
            },
            e
        );
        json["version"] = serde_json::json!(9);
        let err = InboundEvent::decode(json.to_string().as_bytes()).expect_err("v9");
        assert!(err.to_string().contains("version 9"), "{err}");
    }

    /// A message whose text is in its raw object at `/text/body`, as the
    /// Meta parser makes it.
    fn with_text_in_raw(text: &str) -> InboundEvent {
        let mut e = event("wamid.7".into(), Some(text.into()), "491".into(), false);
        if let EventBody::Message(m) = &mut e.body {
            m.raw = serde_json::json!({"type": "text", "text": {"body": text}});
            m.text_at = Some(Cow::Borrowed("/text/body"));
        }
        e
    }

    #[test]
    fn a_text_found_in_the_raw_object_is_stored_once_and_read_back() {
        let text = "where is my order #8812? ünïcödé \"quoted\"";
        let e = with_text_in_raw(text);
        let bytes = e.encode().expect("encode");
        let stored = String::from_utf8(bytes.clone()).expect("utf8");
        assert_eq!(stored.matches("where is my order").count(), 1, "{stored}");
        assert!(stored.contains(r#""text_at":"/text/body""#), "{stored}");
        assert!(!stored.contains(r#""text":""#), "{stored}");
        assert_eq!(InboundEvent::decode(&bytes).expect("decode"), e);
        // Shorter than the same event with the text written out (version 1).
        let mut v1 = serde_json::to_value(&e).expect("json");
        v1["version"] = serde_json::json!(1);
        v1.as_object_mut().expect("object").remove("text_at");
        v1["text"] = serde_json::json!(text);
        let v1_bytes = v1.to_string();
        assert!(
            bytes.len() + text.len() <= v1_bytes.len() + 20,
            "{} vs {}",
            bytes.len(),
            v1_bytes.len()
        );
        let read = InboundEvent::decode(v1_bytes.as_bytes()).expect("v1 with its text");
        let EventBody::Message(m) = read.body else {
            panic!("a message")
        };
        assert_eq!((m.text.as_deref(), m.text_at), (Some(text), None));
    }

    #[test]
    fn a_text_that_is_not_at_its_pointer_is_written_out() {
        let mut e = with_text_in_raw("hello");
        if let EventBody::Message(m) = &mut e.body {
            m.raw = serde_json::json!({"type": "text", "text": {"body": "edited"}});
        }
        let bytes = e.encode().expect("encode");
        let read = InboundEvent::decode(&bytes).expect("decode");
        let EventBody::Message(m) = read.body else {
            panic!("a message")
        };
        assert_eq!((m.text.as_deref(), m.text_at), (Some("hello"), None));
    }

    proptest! {
        /// Years before 0 and after 9999 included, and each width of the
        /// fraction (none, milli, micro, nano).
        #[test]
        fn a_time_is_written_as_chronos_serialize_writes_it(
            secs in -70_000_000_000i64..300_000_000_000i64,
            nanos in 0u32..1_000_000_000,
            width in 0u32..4,
        ) {
            #[derive(Serialize)]
            struct Written<'a>(#[serde(serialize_with = "rfc3339")] &'a DateTime<Utc>);
            let unit = [1_000_000_000, 1_000_000, 1_000, 1][width as usize];
            let nanos = nanos / unit * unit;
            let at = DateTime::from_timestamp(secs, nanos).expect("in range");
            prop_assert_eq!(
                serde_json::to_string(&Written(&at)).expect("json"),
                serde_json::to_string(&at).expect("json")
            );
        }

        /// Any strings (escapes, control characters, characters beyond
        /// ASCII and beyond the BMP), any optional part, any time
        /// (chrono's fallback included): the two writers agree byte for
        /// byte, and the hand-written bytes are exactly as long as needed.
        #[test]
        fn a_message_envelope_is_written_as_envelope_ref_writes_it(
            strings in proptest::collection::vec("(?s)[\\x00-\\x7f\u{e9}\u{2028}\u{1F600}]{0,12}", 5),
            optional in proptest::collection::vec(
                proptest::option::of("(?s)[\\x00-\\x7f\u{e9}\u{1F600}]{0,12}"), 6),
            provider in 0usize..3,
            text in "(?s).{0,40}",
            secs in [-70_000_000_000i64..300_000_000_000i64, 1_600_000_000i64..1_800_000_000i64],
            nanos in [0u32..1_000_000_000, 0u32..1_000_000_000],
        ) {
            let [received_at, timestamp] = [0, 1].map(|i| {
                DateTime::from_timestamp(secs[i], nanos[i]).expect("in range")
            });
            let raw = serde_json::to_string(&serde_json::json!({
                "id": strings[3], "type": "text", "text": {"body": text}
            })).expect("json");
            let contact = ContactRef {
                wa_id: &strings[2],
                profile_name: optional[0].as_deref(),
                user_id: optional[1].as_deref(),
                username: optional[2].as_deref(),
                parent_user_id: optional[3].as_deref(),
            };
            let provider = [Provider::Meta, Provider::Wasender, Provider::Sandbox][provider];
            let written = MessageEnvelope {
                provider,
                region: &strings[0],
                business_number: &strings[1],
                contact,
                account: optional[4].as_deref(),
                received_at: &received_at,
                id: &strings[3],
                timestamp: &timestamp,
                message_type: &strings[4],
                text_at: optional[5].as_deref(),
                raw: &raw,
            }
            .write()
            .expect("written");
            let owned = contact.to_contact();
            let raw = serde_json::value::RawValue::from_string(raw).expect("raw");
            let expected = write_envelope(&EnvelopeRef {
                version: ENVELOPE_VERSION,
                provider,
                region: &strings[0],
                business_number: &strings[1],
                contact: &owned,
                account: optional[4].as_deref(),
                received_at: &received_at,
                body: BodyRef::Message(StoredMessageRef {
                    id: &strings[3],
                    timestamp: &timestamp,
                    message_type: &strings[4],
                    text: None,
                    text_at: optional[5].as_deref(),
                    raw: &*raw,
                    echo: false,
                }),
            })
            .expect("written");
            prop_assert_eq!(String::from_utf8_lossy(&written), String::from_utf8_lossy(&expected));
            prop_assert_eq!(written.capacity(), written.len());
        }

        #[test]
        fn envelope_round_trips(id in "[a-zA-Z0-9.=_-]{1,40}", text in proptest::option::of(".{0,200}"),
                                wa_id in "[0-9]{6,15}", status in any::<bool>(), in_raw in any::<bool>()) {
            let e = match &text {
                Some(t) if in_raw && !status => with_text_in_raw(t),
                _ => event(id, text, wa_id, status),
            };
            let bytes = e.encode().expect("encode");
            prop_assert_eq!(InboundEvent::decode(&bytes).expect("decode"), e);
        }

        #[test]
        fn pointer_finds_what_serde_jsons_finds(tokens in prop::collection::vec(
            prop::sample::select(vec!["", "a", "b", "a/b", "a~1b", "~0", "~", "0", "1", "01", "+1", "10", "text", "body"]),
            0..4,
        ), absolute in any::<bool>()) {
            let doc = serde_json::json!({
                "a": {"b": [1, {"text": {"body": "x"}}], "": "empty"},
                "a/b": "slash", "~": "tilde",
                "text": [[0, 1], {"body": "y"}, 2, 3, 4, 5, 6, 7, 8, 9, "ten"],
                "0": "zero"
            });
            let mut path: String = tokens.iter().map(|t| format!("/{t}")).collect();
            if !absolute && !path.is_empty() {
                path.remove(0);
            }
            prop_assert_eq!(pointer(&doc, &path), doc.pointer(&path), "{}", path);
        }
    }
}

/// One reply to send, as stored in OUTBOUND. The database row (`message_id`)
/// is the truth; this carries what the sender needs without a join.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundReply {
    /// Our message row id; also the dedupe id (`out:<id>`).
    pub message_id: i64,
    pub conversation_id: i64,
    /// The business phone number id it is sent from.
    pub business_number: String,
    /// The customer's WhatsApp id.
    pub to: String,
    pub content: ReplyContent,
    /// The campaign it belongs to: sent on the sender's campaign lane,
    /// after the support replies (absent for a reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<i64>,
}

/// What a reply says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ReplyContent {
    /// Free-form text: only inside the 24-hour customer-service window.
    Text { body: String },
    /// An approved template: allowed at any time.
    Template {
        name: String,
        language: String,
        #[serde(default)]
        parameters: Vec<String>,
    },
    /// Media by URL (the provider fetches it): like text, only inside the
    /// 24-hour window.
    Media {
        kind: MediaKind,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        /// Shown for documents.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
    /// A file an agent uploaded, stored in the media bucket as `object`:
    /// the sender hands it to the provider (Meta: upload, then send by
    /// media id; WasenderApi: upload, then send by the URL it serves).
    /// Like text, only inside the 24-hour window.
    Attachment {
        kind: MediaKind,
        /// The object's name in the media bucket.
        object: String,
        /// The file's MIME type.
        mime: String,
        /// Its size in bytes and SHA-256 (lowercase hex), checked again
        /// when the sender reads it.
        size: u64,
        sha256: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
        /// An image's width and height in pixels (its row's size hint).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dimensions: Option<(i32, i32)>,
    },
    /// A question with choices the customer picks from (the
    /// customer-satisfaction question, `crate::csat`): Meta shows up to
    /// 3 choices as reply buttons and more (up to 10) as a list message
    /// opened by `button`; a picked choice comes back with its `id`.
    /// WasenderApi, which has no interactive messages, sends it as text:
    /// the body, one choice per line, the footer. Like text, only inside
    /// the 24-hour window.
    Interactive {
        body: String,
        /// The label of the button that opens a list (Meta: at most 20
        /// characters).
        button: String,
        choices: Vec<Choice>,
        /// A line under the body (Meta: at most 60 characters).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
    },
}

/// One choice of [`ReplyContent::Interactive`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What comes back when it is picked (Meta: at most 200 characters).
    pub id: String,
    /// What the customer sees (Meta: 20 characters on a button, 24 in a
    /// list).
    pub title: String,
}

/// What kind of media a reply carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
        }
    }
}

impl OutboundReply {
    /// `out:<message id>`.
    pub fn msg_id(&self) -> String {
        format!("out:{}", self.message_id)
    }

    /// The subject this reply is published on: its lane's.
    pub fn subject(&self, partitions: u16) -> String {
        match self.campaign_id {
            Some(campaign) => topology::outbound_campaign_subject(&self.business_number, campaign),
            None => topology::outbound_subject(
                &self.business_number,
                topology::partition_of(&self.to, partitions),
            ),
        }
    }
}
