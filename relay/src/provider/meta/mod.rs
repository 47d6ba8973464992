//! Meta WhatsApp Cloud API webhooks: `X-Hub-Signature-256` verification and
//! the split of `entry[].changes[].value` into one event per message and per
//! status. Sending through the Cloud API lives elsewhere.

mod fast;
pub mod media;
mod scan;
pub mod send;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{Delivery, NumberDirectory, ParseError, Rejection, WebhookParser, constant_time_eq};
use crate::envelope::{
    Contact, ContactRef, DeliveryStatus, EventBody, InboundEvent, InboundMessage, Provider,
    ReadyEvent,
};
use crate::secret::Secret;

/// Header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The Meta Cloud API webhook parser.
pub struct MetaWebhook;

/// An app secret as the HMAC-SHA256 key of Meta's signatures, its two
/// padded key blocks hashed once ([`NumberDirectory`] keeps one per
/// number): two of the ~20 compressions a common delivery's check took.
#[derive(Clone)]
pub struct SigningKey(Hmac<Sha256>);

impl SigningKey {
    pub fn new(secret: &str) -> Self {
        Self(
            Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length")),
        )
    }

    /// HMAC-SHA256 of `body` under this key.
    fn mac(&self, body: &[u8]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(body);
        mac.finalize().into_bytes().into()
    }
}

/// Nothing of the key is shown.
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// `sha256=<hex HMAC-SHA256(secret, body)>`, as Meta sends it.
pub fn sign(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(SigningKey::new(secret).mac(body)))
}

/// Checks a `sha256=<hex>` header value against the body, in constant time.
pub fn verify_signature(secret: &Secret, header: &str, body: &[u8]) -> Result<(), Rejection> {
    verify_signature_with(&SigningKey::new(secret.expose()), header, body)
}

/// [`verify_signature`] with the secret's key made already.
pub fn verify_signature_with(key: &SigningKey, header: &str, body: &[u8]) -> Result<(), Rejection> {
    let hex_sig = header
        .strip_prefix("sha256=")
        .ok_or(Rejection::MissingSignature)?;
    let hex_sig = hex_sig.trim();
    // A SHA-256 MAC is 32 bytes: decoded in place; other well-formed hex
    // is a wrong signature, anything else a missing one.
    let mut given = [0u8; 32];
    if hex::decode_to_slice(hex_sig, &mut given).is_err() {
        return Err(
            if hex_sig.len() % 2 == 0 && hex_sig.bytes().all(|b| b.is_ascii_hexdigit()) {
                Rejection::BadSignature
            } else {
                Rejection::MissingSignature
            },
        );
    }
    if constant_time_eq(&key.mac(body), &given) {
        Ok(())
    } else {
        Err(Rejection::BadSignature)
    }
}

impl WebhookParser for MetaWebhook {
    /// Customers' text messages ([`fast`]).
    fn accept_common(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        region: &str,
    ) -> Option<Result<Vec<ReadyEvent>, Rejection>> {
        fast::accept(numbers, headers, body, region, Utc::now())
    }

    /// See [`verify_for_numbers`].
    fn verify(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        payload: &Value,
    ) -> Result<Option<String>, Rejection> {
        let ids: Vec<&str> = change_values(payload)
            .filter_map(|value| {
                crate::envelope::pointer(value, "/metadata/phone_number_id").and_then(Value::as_str)
            })
            .collect();
        verify_for_numbers(numbers, headers, body, &ids)
    }

    fn parse(
        &self,
        mut payload: Value,
        _signer: Option<&str>,
        region: &str,
        received_at: DateTime<Utc>,
    ) -> Delivery {
        let mut split = Split {
            region,
            received_at,
            object: payload.get("object").cloned().unwrap_or(Value::Null),
            current_account: None,
            out: Delivery::default(),
        };
        let Some(entries) = payload.get_mut("entry").and_then(Value::as_array_mut) else {
            split.park(None, &ParseError::NoEntries, payload);
            return split.out;
        };
        for entry in entries.iter_mut() {
            let waba = entry.get("id").and_then(Value::as_str).map(str::to_owned);
            let time = entry.get("time").cloned().unwrap_or(Value::Null);
            let Some(changes) = entry.get_mut("changes").and_then(Value::as_array_mut) else {
                let raw = split.delivery_of(entry.take());
                split.park(
                    waba.as_deref(),
                    &ParseError::without("an entry", "changes[]"),
                    raw,
                );
                continue;
            };
            for change in changes.iter_mut() {
                split.change(waba.as_deref(), &time, change.take());
            }
        }
        split.out
    }
}

/// Checks a delivery's signature for the numbers its changes name (`ids`,
/// each change's `metadata.phone_number_id`). Signatures are per Meta app,
/// not per number: a delivery whose numbers are all configured must match
/// each number's app secret; one without a number (account and template
/// updates carry a business account id only) or with a number not
/// configured here verifies against the app secrets this deployment knows.
fn verify_for_numbers(
    numbers: &NumberDirectory,
    headers: &http::HeaderMap,
    body: &[u8],
    ids: &[&str],
) -> Result<Option<String>, Rejection> {
    let header = super::signature_header(headers, SIGNATURE_HEADER)?;
    // Each number looked up once (the common delivery names one).
    let keys: Option<smallvec::SmallVec<[&SigningKey; 1]>> =
        ids.iter().map(|id| numbers.signing_key(id)).collect();
    if let Some(keys) = keys.filter(|keys| !keys.is_empty()) {
        for key in keys {
            verify_signature_with(key, header, body)?;
        }
        return Ok(None);
    }
    // Every app secret is tried, without stopping at a match.
    let mut matched = false;
    let mut tried = std::collections::HashSet::new();
    for creds in numbers
        .of_provider(Provider::Meta)
        .chain(numbers.of_provider(Provider::Sandbox))
    {
        if !tried.insert(creds.app_secret.expose()) {
            continue;
        }
        match verify_signature(&creds.app_secret, header, body) {
            Ok(()) => matched = true,
            Err(Rejection::BadSignature) => {}
            Err(other) => return Err(other),
        }
    }
    if matched {
        Ok(None)
    } else {
        Err(Rejection::BadSignature)
    }
}

/// The `value` of every `entry[].changes[]`.
fn change_values(payload: &Value) -> impl Iterator<Item = &Value> {
    payload
        .get("entry")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|entry| {
            entry
                .get("changes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .filter_map(|change| change.get("value"))
}

/// Keys of a `messages` change's value this build reads.
const MESSAGES_VALUE_KEYS: &[&str] = &[
    "messaging_product",
    "metadata",
    "contacts",
    "messages",
    "statuses",
    "message_echoes",
];

/// Fields of a WhatsApp Business Account this build understands besides
/// `messages`: recorded where they belong (see `updates` in the router).
pub const UPDATE_FIELDS: &[&str] = &[
    "account_update",
    "account_review_update",
    "account_alerts",
    "business_capability_update",
    "message_template_status_update",
    "message_template_quality_update",
    "message_template_components_update",
    "template_category_update",
    "phone_number_quality_update",
    "phone_number_name_update",
    "security",
    "user_preferences",
    "user_id_update",
];

/// Message types this build knows; any other arrives as `unknown` (its
/// object kept whole, parsed again on replay by a build that knows it).
pub const KNOWN_MESSAGE_TYPES: &[&str] = &[
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "button",
    "reaction",
    "order",
    "system",
    "request_welcome",
    "edit",
    "revoke",
    "unsupported",
];

/// The split of one delivery.
struct Split<'a> {
    region: &'a str,
    received_at: DateTime<Utc>,
    /// The delivery's `object`, repeated in every parked part.
    object: Value,
    /// The business account (`entry[].id`) of the change being split.
    current_account: Option<String>,
    out: Delivery,
}

impl Split<'_> {
    fn park(&mut self, number: Option<&str>, reason: &ParseError, raw: Value) {
        let reason = reason.to_string();
        tracing::warn!(reason, "meta webhook part not understood; stored unparsed");
        self.out.events.push(super::parked(
            Provider::Meta,
            self.region,
            number,
            self.received_at,
            &reason,
            raw,
        ));
    }

    /// A delivery of its own around one entry, for a parked part.
    fn delivery_of(&self, entry: Value) -> Value {
        serde_json::json!({"object": self.object, "entry": [entry]})
    }

    /// A delivery of its own around one change, for a parked part.
    fn delivery_of_change(&self, waba: Option<&str>, time: &Value, change: Value) -> Value {
        let mut entry = serde_json::Map::new();
        if let Some(waba) = waba {
            entry.insert("id".into(), waba.into());
        }
        if !time.is_null() {
            entry.insert("time".into(), time.clone());
        }
        entry.insert("changes".into(), Value::Array(vec![change]));
        self.delivery_of(Value::Object(entry))
    }

    fn change(&mut self, waba: Option<&str>, time: &Value, mut change: Value) {
        let field = change
            .get("field")
            .and_then(Value::as_str)
            .unwrap_or("messages")
            .to_owned();
        if UPDATE_FIELDS.contains(&field.as_str())
            && let Some(value) = change.get_mut("value").filter(|v| v.is_object())
        {
            let value = value.take();
            let number = phone_number_id(&value)
                .map(str::to_owned)
                .or_else(|| waba.map(str::to_owned))
                .filter(|n| crate::topology::is_subject_token(n))
                .unwrap_or_else(|| super::UNKNOWN_NUMBER.to_owned());
            let timestamp = update_time(&value, time).unwrap_or(self.received_at);
            self.current_account = waba.map(str::to_owned);
            self.push(
                &number,
                Contact::default(),
                EventBody::Update(crate::envelope::ProviderUpdate {
                    id: crate::envelope::digest(&value),
                    field,
                    timestamp,
                    raw: value,
                }),
            );
            return;
        }
        if field != "messages" && field != "smb_message_echoes" {
            let number = phone_number_id(change.get("value").unwrap_or(&Value::Null))
                .map(str::to_owned)
                .or_else(|| waba.map(str::to_owned));
            let raw = self.delivery_of_change(waba, time, change);
            self.park(number.as_deref(), &ParseError::UnknownField(field), raw);
            return;
        }
        let Some(value) = change.get_mut("value").and_then(Value::as_object_mut) else {
            let raw = self.delivery_of_change(waba, time, change);
            self.park(
                waba,
                &ParseError::without("a messages change", "a value object"),
                raw,
            );
            return;
        };
        let Some(number) = value
            .get("metadata")
            .and_then(|m| m.get("phone_number_id"))
            .and_then(Value::as_str)
            .filter(|id| crate::topology::is_subject_token(id))
            .map(str::to_owned)
        else {
            let raw = self.delivery_of_change(waba, time, change);
            self.park(
                waba,
                &ParseError::without("a messages change", "a valid metadata.phone_number_id"),
                raw,
            );
            return;
        };
        self.current_account = waba.map(str::to_owned);
        let messages = value.remove("messages");
        let statuses = value.remove("statuses");
        let echoes = value.remove("message_echoes");
        let unknown: Vec<&str> = value
            .keys()
            .map(String::as_str)
            .filter(|k| !MESSAGES_VALUE_KEYS.contains(k))
            .collect();
        let unknown = (!unknown.is_empty()).then(|| unknown.join(", "));
        let cards: Vec<Card<'_>> = value
            .get("contacts")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(Card::of).collect())
            .unwrap_or_default();
        let mut unreadable: Vec<(&'static str, ParseError, Value)> = Vec::new();
        for message in into_list(messages) {
            match read_message(&message, &cards) {
                Ok((contact, mut body)) => {
                    body.raw = message;
                    self.push(&number, contact, EventBody::Message(body));
                }
                Err(reason) => unreadable.push(("messages", reason, message)),
            }
        }
        for echo in into_list(echoes) {
            match read_echo(&echo, &cards) {
                Ok((contact, mut body)) => {
                    body.raw = echo;
                    self.push(&number, contact, EventBody::Message(body));
                }
                Err(reason) => unreadable.push(("message_echoes", reason, echo)),
            }
        }
        for status in into_list(statuses) {
            match read_status(&status) {
                Ok((contact, mut body)) => {
                    body.raw = status;
                    self.push(&number, contact, EventBody::Status(body));
                }
                Err(reason) => unreadable.push(("statuses", reason, status)),
            }
        }
        // Each unreadable message or status is parked on its own, with
        // the value's metadata and contacts, so the rest goes on.
        let frame = |value: &serde_json::Map<String, Value>, list: &str, object: Value| {
            let mut parked = serde_json::Map::new();
            for key in ["messaging_product", "metadata", "contacts"] {
                if let Some(v) = value.get(key) {
                    parked.insert(key.into(), v.clone());
                }
            }
            parked.insert(list.into(), Value::Array(vec![object]));
            let field = if list == "message_echoes" {
                "smb_message_echoes"
            } else {
                "messages"
            };
            serde_json::json!({"field": field, "value": parked})
        };
        let mut parked_parts = Vec::new();
        for (list, reason, object) in unreadable {
            parked_parts.push((reason, frame(value, list, object)));
        }
        if let Some(keys) = unknown {
            // What is left of the value (no messages or statuses: those
            // became events above) is parked for its unknown keys.
            let rest =
                serde_json::json!({"field": "messages", "value": Value::Object(value.clone())});
            parked_parts.push((ParseError::UnknownKeys(keys), rest));
        }
        for (reason, change) in parked_parts {
            let raw = self.delivery_of_change(waba, time, change);
            self.park(Some(&number), &reason, raw);
        }
    }

    fn push(&mut self, number: &str, contact: Contact, body: EventBody) {
        self.out.events.push(InboundEvent {
            version: crate::envelope::ENVELOPE_VERSION,
            provider: Provider::Meta,
            region: self.region.to_owned(),
            business_number: number.to_owned(),
            contact,
            account: self.current_account.clone(),
            received_at: self.received_at,
            body,
        });
    }
}

/// When an update happened: its own `timestamp`, else its entry's `time`
/// (both Unix seconds, as numbers or strings).
fn update_time(value: &Value, entry_time: &Value) -> Option<DateTime<Utc>> {
    [value.get("timestamp"), Some(entry_time)]
        .into_iter()
        .flatten()
        .find_map(|t| {
            t.as_i64()
                .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
}

/// The items of a JSON array taken out of a value (none when absent).
fn into_list(list: Option<Value>) -> Vec<Value> {
    match list {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn phone_number_id(value: &Value) -> Option<&str> {
    crate::envelope::pointer(value, "/metadata/phone_number_id")
        .and_then(Value::as_str)
        .filter(|id| crate::topology::is_subject_token(id))
}

fn timestamp(object: &Value) -> Result<DateTime<Utc>, ParseError> {
    let ts = object.get("timestamp");
    seconds(
        ts.and_then(Value::as_str)
            .and_then(|s| s.parse::<i64>().ok())
            .or_else(|| ts.and_then(Value::as_i64)),
    )
}

/// A `timestamp` of Unix seconds, when there is one and it is in range.
pub(crate) fn seconds(secs: Option<i64>) -> Result<DateTime<Utc>, ParseError> {
    DateTime::from_timestamp(secs.ok_or(ParseError::Timestamp)?, 0)
        .ok_or(ParseError::TimestampOutOfRange)
}

fn str_field<'a>(object: &'a Value, field: &str) -> Option<&'a str> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Where a text message's text is.
pub(crate) const TEXT_BODY: &str = "/text/body";

/// The human-readable text of a message of any type, where it has one,
/// and the JSON pointer it was found at.
fn message_text(message: &Value, message_type: &str) -> Option<(&'static str, String)> {
    let pointers: &[&str] = match message_type {
        "text" => &[TEXT_BODY],
        "image" | "video" | "document" => {
            &["/image/caption", "/video/caption", "/document/caption"]
        }
        "interactive" => &[
            "/interactive/button_reply/title",
            "/interactive/list_reply/title",
            "/interactive/nfm_reply/body",
        ],
        "button" => &["/button/text"],
        "reaction" => &["/reaction/emoji"],
        "location" => &["/location/name", "/location/address"],
        "system" => &["/system/body"],
        "edit" => &[
            "/edit/message/text/body",
            "/edit/message/image/caption",
            "/edit/message/video/caption",
            "/edit/message/document/caption",
        ],
        "order" => &["/order/text"],
        _ => &[],
    };
    pointers.iter().find_map(|&p| {
        crate::envelope::pointer(message, p)
            .and_then(Value::as_str)
            .map(|text| (p, text.to_owned()))
    })
}

/// What a message (or an echo, read from its recipient) says of its
/// customer: the phone (`from`), the BSUID (`from_user_id`) and the parent
/// BSUID, as given.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sender<'a> {
    pub phone: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub parent_user_id: Option<&'a str>,
}

/// What one `contacts[]` entry of a change says, as given.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Card<'a> {
    pub wa_id: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub profile_name: Option<&'a str>,
    pub profile_username: Option<&'a str>,
    pub username: Option<&'a str>,
    pub parent_user_id: Option<&'a str>,
}

impl<'a> Card<'a> {
    fn of(entry: &'a Value) -> Self {
        let at = |pointer: &str| crate::envelope::pointer(entry, pointer).and_then(Value::as_str);
        Self {
            wa_id: at("/wa_id"),
            user_id: at("/user_id"),
            profile_name: at("/profile/name"),
            profile_username: at("/profile/username"),
            username: at("/username"),
            parent_user_id: at("/parent_user_id"),
        }
    }
}

/// `s`, unless empty.
fn given(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// The customer of a message: keyed by phone when the payload has one,
/// else by BSUID (users with a username may hide their phone). Its
/// `contacts[]` card is the one with its phone or BSUID, or the only one.
/// Empty strings count as absent.
pub(crate) fn customer<'a>(
    sender: Sender<'a>,
    cards: &[Card<'a>],
) -> Result<ContactRef<'a>, ParseError> {
    let phone = given(sender.phone);
    let from_user = given(sender.user_id);
    let card = cards
        .iter()
        .find(|c| {
            (phone.is_some() && c.wa_id == phone) || (from_user.is_some() && c.user_id == from_user)
        })
        .or_else(|| (cards.len() == 1).then(|| &cards[0]));
    let on_card = |field: fn(&Card<'a>) -> Option<&'a str>| card.and_then(|c| given(field(c)));
    let user_id = from_user.or_else(|| on_card(|c| c.user_id));
    let key = phone
        .or(user_id)
        .ok_or(ParseError::without("a message", "from or from_user_id"))?;
    if !crate::envelope::is_contact_id(key) {
        return Err(ParseError::Invalid("from"));
    }
    Ok(ContactRef {
        wa_id: key,
        profile_name: on_card(|c| c.profile_name),
        user_id: user_id.filter(|u| crate::envelope::is_contact_id(u)),
        username: on_card(|c| c.profile_username).or_else(|| on_card(|c| c.username)),
        parent_user_id: given(sender.parent_user_id).or_else(|| on_card(|c| c.parent_user_id)),
    })
}

fn read_message(
    message: &Value,
    cards: &[Card<'_>],
) -> Result<(Contact, InboundMessage), ParseError> {
    let sender = Sender {
        phone: message.get("from").and_then(Value::as_str),
        user_id: message.get("from_user_id").and_then(Value::as_str),
        parent_user_id: message.get("from_parent_user_id").and_then(Value::as_str),
    };
    let contact = customer(sender, cards)?.to_contact();
    Ok((contact, inbound_message(message, "a message", false)?))
}

/// A coexistence echo: a message the business sent from the WhatsApp
/// Business app; its customer is the recipient (`to`, `to_user_id`).
fn read_echo(echo: &Value, cards: &[Card<'_>]) -> Result<(Contact, InboundMessage), ParseError> {
    let recipient = Sender {
        phone: echo.get("to").and_then(Value::as_str),
        user_id: echo.get("to_user_id").and_then(Value::as_str),
        parent_user_id: echo.get("to_parent_user_id").and_then(Value::as_str),
    };
    let contact = customer(recipient, cards)?.to_contact();
    Ok((contact, inbound_message(echo, "an echo", true)?))
}

/// The message fields of a message or an echo object (`what` names it in
/// a parse error); its `raw` is moved in by the caller.
fn inbound_message(
    object: &Value,
    what: &'static str,
    echo: bool,
) -> Result<InboundMessage, ParseError> {
    let given = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("unsupported");
    let message_type = if KNOWN_MESSAGE_TYPES.contains(&given) {
        given
    } else {
        "unknown"
    };
    let (text_at, text) = message_text(object, message_type).unzip();
    Ok(InboundMessage {
        id: str_field(object, "id")
            .ok_or(ParseError::without(what, "id"))?
            .to_owned(),
        timestamp: timestamp(object)?,
        text,
        text_at: text_at.map(std::borrow::Cow::Borrowed),
        message_type: message_type.to_owned(),
        raw: Value::Null,
        echo,
    })
}

fn read_status(status: &Value) -> Result<(Contact, DeliveryStatus), ParseError> {
    let phone = str_field(status, "recipient_id");
    let user_id = str_field(status, "recipient_user_id");
    let key = phone.or(user_id).ok_or(ParseError::without(
        "a status",
        "recipient_id or recipient_user_id",
    ))?;
    if !crate::envelope::is_contact_id(key) {
        return Err(ParseError::Invalid("recipient_id"));
    }
    let error = status.pointer("/errors/0").map(|e| {
        let code = e.get("code").map(Value::to_string).unwrap_or_default();
        let title = e.get("title").and_then(Value::as_str).unwrap_or_default();
        format!("{code} {title}").trim().to_owned()
    });
    Ok((
        Contact {
            wa_id: key.to_owned(),
            profile_name: None,
            user_id: user_id
                .filter(|u| crate::envelope::is_contact_id(u))
                .map(str::to_owned),
            username: None,
            parent_user_id: str_field(status, "recipient_parent_user_id").map(str::to_owned),
        },
        DeliveryStatus {
            id: str_field(status, "id")
                .ok_or(ParseError::without("a status", "id"))?
                .to_owned(),
            status: str_field(status, "status")
                .ok_or(ParseError::without("a status", "status"))?
                .to_owned(),
            timestamp: timestamp(status)?,
            error,
            callback_data: status
                .get("biz_opaque_callback_data")
                .and_then(Value::as_str)
                .map(str::to_owned),
            raw: Value::Null,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::NumberCredentials;
    use proptest::prelude::*;

    fn directory() -> NumberDirectory {
        NumberDirectory::new(&[NumberCredentials {
            verify_token: Secret::new("vt"),
            ..NumberCredentials::signed_by(Provider::Meta, "1065", "s3cret")
        }])
    }

    fn delivery() -> Vec<u8> {
        serde_json::json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550001", "phone_number_id": "1065"},
                "contacts": [{"profile": {"name": "Ana"}, "wa_id": "4915112345"}],
                "messages": [
                    {"from": "4915112345", "id": "wamid.A", "timestamp": "1700000000", "type": "text", "text": {"body": "hi"}},
                    {"from": "4915112345", "id": "wamid.B", "timestamp": "1700000001", "type": "sticker", "sticker": {"id": "m1"}}
                ],
                "statuses": [{"id": "wamid.OUT", "status": "failed", "timestamp": "1700000002", "recipient_id": "4915112345",
                              "errors": [{"code": 131026, "title": "Message undeliverable"}]}]
            }}]}]
        })
        .to_string()
        .into_bytes()
    }

    fn headers(sig: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(SIGNATURE_HEADER, sig.parse().expect("header"));
        h
    }

    #[test]
    fn a_signed_delivery_splits_into_messages_and_statuses() {
        let body = delivery();
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].msg_id(), "meta:msg:wamid.A");
        assert_eq!(events[0].contact.profile_name.as_deref(), Some("Ana"));
        assert_eq!(events[1].msg_id(), "meta:msg:wamid.B");
        assert_eq!(events[2].msg_id(), "meta:status:wamid.OUT:failed");
        match &events[2].body {
            EventBody::Status(s) => {
                assert_eq!(s.error.as_deref(), Some("131026 Message undeliverable"))
            }
            other => panic!("expected a status, got {other:?}"),
        }
    }

    #[test]
    fn every_event_keeps_its_own_object_across_entries_and_changes() {
        let message = |id: &str| {
            serde_json::json!({"from": "4915112345", "id": id, "timestamp": "1700000000",
                               "type": "text", "text": {"body": id}})
        };
        let status = |id: &str| {
            serde_json::json!({"id": id, "status": "read", "timestamp": "1700000001",
                               "recipient_id": "4915112345"})
        };
        let value = |messages: Vec<Value>, statuses: Vec<Value>| {
            serde_json::json!({"field": "messages", "value": {
                "metadata": {"phone_number_id": "1065"},
                "messages": messages, "statuses": statuses}})
        };
        let body = serde_json::json!({"entry": [
            {"changes": [value(vec![message("m1"), message("m2")], vec![status("s1")]),
                         value(vec![], vec![status("s2"), status("s3")])]},
            {"changes": [value(vec![message("m3")], vec![])]}
        ]})
        .to_string()
        .into_bytes();
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        let raw_ids: Vec<(String, String)> = events
            .iter()
            .map(|e| match &e.body {
                EventBody::Message(m) => (m.id.clone(), m.raw["id"].to_string()),
                EventBody::Status(s) => (s.id.clone(), s.raw["id"].to_string()),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        let expected: Vec<(String, String)> = ["m1", "m2", "s1", "s2", "s3", "m3"]
            .iter()
            .map(|id| ((*id).to_owned(), format!("\"{id}\"")))
            .collect();
        assert_eq!(raw_ids, expected);
        match &events[0].body {
            EventBody::Message(m) => assert_eq!(m.raw, message("m1")),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_wrong_signature_is_rejected() {
        let body = delivery();
        let err = MetaWebhook
            .accept(&directory(), &headers(&sign("other", &body)), &body, "eu")
            .expect_err("rejected");
        assert_eq!(err, Rejection::BadSignature);
    }

    #[test]
    fn broken_json_is_rejected_and_an_unknown_number_verifies_against_the_app() {
        let body = String::from_utf8(delivery())
            .expect("utf8")
            .replace("1065", "9999")
            .into_bytes();
        // Signed by the app this deployment knows: stored, not refused.
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].business_number, "9999");
        let err = MetaWebhook
            .accept(
                &directory(),
                &headers(&sign("other-app", &body)),
                &body,
                "eu",
            )
            .expect_err("rejected");
        assert_eq!(err, Rejection::BadSignature);
        let body = b"{not json".to_vec();
        let err = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect_err("rejected");
        assert_eq!(err.code(), "malformed");
    }

    fn unparsed(event: &InboundEvent) -> &crate::envelope::Unparsed {
        match &event.body {
            EventBody::Unparsed(u) => u,
            other => panic!("expected an unparsed event, got {other:?}"),
        }
    }

    #[test]
    fn updates_without_a_number_verify_against_the_app_and_unknown_fields_are_parked() {
        let delivery = |field: &str| {
            serde_json::json!({"object": "whatsapp_business_account", "entry": [{"id": "WABA7", "time": 1_700_000_000,
                "changes": [{"field": field, "value": {"event": "ACCOUNT_VIOLATION",
                    "violation_info": {"violation_type": "SCAM"}}}]}]})
            .to_string()
            .into_bytes()
        };
        // An account update: understood, for the account, no number.
        let body = delivery("account_update");
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].account.as_deref(), Some("WABA7"));
        match &events[0].body {
            EventBody::Update(u) => {
                assert_eq!(u.field, "account_update");
                assert_eq!(u.raw["event"], "ACCOUNT_VIOLATION");
                assert_eq!(u.timestamp.timestamp(), 1_700_000_000);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            events[0]
                .msg_id()
                .starts_with("meta:update:account_update:")
        );
        // A field this build does not know: parked whole.
        let body = delivery("quantum_update");
        let parked_delivery = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted");
        assert_eq!(parked_delivery.events.len(), 1);
        let event = &parked_delivery.events[0];
        assert_eq!(event.business_number, "WABA7");
        let parked = unparsed(event);
        assert!(
            parked.reason.contains("quantum_update"),
            "{}",
            parked.reason
        );
        assert_eq!(
            parked.raw["entry"][0]["changes"][0]["value"]["event"],
            "ACCOUNT_VIOLATION"
        );
        assert!(event.msg_id().starts_with("meta:unparsed:"));
        // The same delivery again (a provider retry) has the same dedupe id.
        let again = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted");
        assert_eq!(again.events[0].msg_id(), event.msg_id());
        // Parsed again, it is parked again, the same.
        let reparsed = crate::provider::reparse(event, parked);
        assert_eq!(reparsed.events.len(), 1);
        assert_eq!(reparsed.events[0].msg_id(), event.msg_id());
        assert!(
            MetaWebhook
                .accept(&directory(), &headers(&sign("wrong", &body)), &body, "eu")
                .is_err()
        );
    }

    #[test]
    fn a_username_user_without_a_phone_is_keyed_by_bsuid() {
        let body = serde_json::json!({"entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Sheena", "username": "@sheena"}, "user_id": "US.13491208655302741918"}],
            "messages": [{"from_user_id": "US.13491208655302741918", "id": "wamid.U1", "timestamp": "1700000000",
                          "type": "text", "text": {"body": "hi from a username"}}],
            "statuses": [{"id": "wamid.OUT2", "status": "delivered", "timestamp": "1700000001",
                          "recipient_user_id": "US.13491208655302741918"}]}}]}]})
        .to_string()
        .into_bytes();
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        assert_eq!(events.len(), 2);
        let contact = &events[0].contact;
        assert_eq!(contact.wa_id, "US.13491208655302741918");
        assert_eq!(contact.user_id.as_deref(), Some("US.13491208655302741918"));
        assert_eq!(contact.username.as_deref(), Some("@sheena"));
        assert_eq!(contact.profile_name.as_deref(), Some("Sheena"));
        assert_eq!(contact.phone_number(), None);
        assert_eq!(events[1].contact.wa_id, "US.13491208655302741918");
        // Ordered by BSUID: the same partition with or without a phone.
        let with_phone = Contact {
            wa_id: "4915112345".into(),
            ..contact.clone()
        };
        assert_eq!(
            events[0].subject(16),
            InboundEvent {
                contact: with_phone,
                ..events[0].clone()
            }
            .subject(16)
        );
    }

    #[test]
    fn unknown_types_arrive_as_unknown_and_unreadable_parts_are_parked_alone() {
        let body = serde_json::json!({"entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": "4915112345"}],
            "messages": [
                {"from": "4915112345", "id": "wamid.H", "timestamp": "1700000000", "type": "hologram", "hologram": {"x": 1}},
                {"from": "4915112345", "timestamp": "1700000001", "type": "text", "text": {"body": "no id"}},
                {"from": "4915112345", "id": "wamid.T", "timestamp": "1700000002", "type": "text", "text": {"body": "fine"}}
            ],
            "quantum": {"entangled": true}}}]}]})
        .to_string()
        .into_bytes();
        let delivery = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted");
        let events = &delivery.events;
        assert_eq!(events.len(), 4, "{events:#?}");
        match &events[0].body {
            EventBody::Message(m) => {
                assert_eq!(m.message_type, "unknown");
                assert_eq!(m.raw["type"], "hologram");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(events[1].msg_id(), "meta:msg:wamid.T");
        let missing_id = unparsed(&events[2]);
        assert!(
            missing_id.reason.contains("without id"),
            "{}",
            missing_id.reason
        );
        let value = &missing_id.raw["entry"][0]["changes"][0]["value"];
        assert_eq!(value["messages"][0]["text"]["body"], "no id");
        assert_eq!(value["contacts"][0]["wa_id"], "4915112345");
        let keys = unparsed(&events[3]);
        assert!(keys.reason.contains("quantum"), "{}", keys.reason);
        assert!(
            keys.raw["entry"][0]["changes"][0]["value"]
                .get("messages")
                .is_none()
        );
        assert_eq!(delivery.unparsed(), 2);
    }

    /// One delivery with every message type Meta documents, in two entries
    /// (shared with the integration tests; number id `1065`).
    fn every_type() -> Vec<u8> {
        include_bytes!("../../../../tests/fixtures/meta_every_type.json").to_vec()
    }

    #[test]
    fn every_documented_message_type_is_kept_whole() {
        let body = every_type();
        let events = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect("accepted")
            .events;
        assert_eq!(events.len(), 15, "13 messages and 2 statuses");
        let kinds: Vec<(String, Option<String>)> = events[..13]
            .iter()
            .map(|e| match &e.body {
                EventBody::Message(m) => (m.message_type.clone(), m.text.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        let expect = [
            ("text", Some("hello")),
            ("image", Some("my receipt")),
            ("audio", None),
            ("video", None),
            ("document", Some("invoice")),
            ("sticker", None),
            ("location", Some("Office")),
            ("contacts", None),
            ("interactive", Some("Yes please")),
            ("interactive", Some("Refund")),
            ("button", Some("Stop promotions")),
            ("reaction", Some("👍")),
            ("unsupported", None),
        ];
        for (got, want) in kinds.iter().zip(expect) {
            assert_eq!((got.0.as_str(), got.1.as_deref()), want);
        }
        // Each text is stored once, as a pointer into the object, and read back.
        for event in &events {
            let bytes = event.encode().expect("encode");
            assert_eq!(&InboundEvent::decode(&bytes).expect("decode"), event);
            if let EventBody::Message(InboundMessage { text: Some(_), .. }) = &event.body {
                let stored = String::from_utf8(bytes).expect("utf8");
                assert!(stored.contains(r#""text_at":"/"#), "{stored}");
            }
        }
        // The provider's object is kept whole.
        match &events[7].body {
            EventBody::Message(m) => {
                assert_eq!(m.raw["contacts"][0]["name"]["formatted_name"], "Bo")
            }
            other => panic!("{other:?}"),
        }
        match &events[13].body {
            EventBody::Status(s) => {
                assert_eq!(s.callback_data.as_deref(), Some("77"));
                assert_eq!(s.raw["pricing"]["billable"], true);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(events[14].msg_id(), "meta:status:wamid.OUT:read");
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("entry".to_string()),
            Just("changes".to_string()),
            Just("value".to_string()),
            Just("metadata".to_string()),
            Just("phone_number_id".to_string()),
            Just("messages".to_string()),
            Just("statuses".to_string()),
            Just("from".to_string()),
            Just("id".to_string()),
            Just("timestamp".to_string()),
            Just("type".to_string()),
            Just("recipient_id".to_string()),
            Just("status".to_string()),
            Just("contacts".to_string()),
            Just("wa_id".to_string()),
            ".{0,6}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            prop_oneof![
                Just("1065".to_string()),
                Just("1700000000".to_string()),
                ".{0,10}"
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let sig = sign("s3cret", &bytes);
            let _ = MetaWebhook.accept(&directory(), &headers(&sig), &bytes, "eu");
        }

        #[test]
        fn arbitrary_signed_json_never_panics(value in arbitrary_json()) {
            let body = value.to_string().into_bytes();
            let _ = MetaWebhook.accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu");
        }

        #[test]
        fn any_flipped_body_byte_breaks_the_signature(idx in 0usize..200, bit in 0u8..8) {
            let body = delivery();
            let sig = sign("s3cret", &body);
            let mut tampered = body.clone();
            let i = idx % tampered.len();
            tampered[i] ^= 1 << bit;
            prop_assert_eq!(verify_signature(&Secret::new("s3cret"), &sig, &tampered), Err(Rejection::BadSignature));
            prop_assert_eq!(verify_signature(&Secret::new("s3cret"), &sig, &body), Ok(()));
        }
    }
}
