//! Meta's common delivery, written straight into envelopes: customers'
//! text messages on `messages` changes, read in one pass ([`super::scan`])
//! into borrowed parts (no `serde_json::Value` tree), each message object
//! stored as the bytes it came in. The edge's hot path: the tree, its
//! copies and its re-serialisation were most of Wharf's own work per
//! webhook.
//!
//! Only that shape is read here, strictly: an unknown key in an entry, a
//! change or a value, a status, an echo, another message type or field
//! type, anything the general parser would park, and [`accept`] answers
//! `None`. The delivery then goes through [`MetaWebhook::accept`], which
//! reads everything. The rules shared by both ways (the customer and its
//! card, the timestamp, where a text is, the signature, the dedupe id, the
//! envelope's layout) are written once, in the parent module and
//! `envelope`; the tests below check that both ways store the same events.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use smallvec::SmallVec;

use super::scan::Cursor;
use super::{Card, Sender, TEXT_BODY, customer, seconds, verify_for_numbers};
use crate::envelope::{ContactRef, MessageEnvelope, Provider, ReadyEvent, message_msg_id};
use crate::provider::{NumberDirectory, Rejection};

/// A list that holds its first item in place, for the parts of which the
/// common delivery has one (an entry, a change, a message, a contact
/// card, a number): a heap list each was an allocation per delivery. The
/// parts are written where they are kept ([`list`]), so holding the large
/// ones in place moves nothing.
type One<T> = SmallVec<[T; 1]>;

/// A string of the delivery, borrowed where it has no escapes.
type Str<'a> = Cow<'a, str>;

/// The keys of an object read so far, one bit each: a key given twice is
/// given up on (serde's derive refuses it, and a `Value` keeps the last).
#[derive(Default)]
struct Seen(u16);

impl Seen {
    fn first(&mut self, bit: u16) -> Option<()> {
        (self.0 & bit == 0).then(|| self.0 |= bit)
    }

    /// Every key of `bits` was read (the required ones).
    fn has(&self, bits: u16) -> Option<()> {
        (self.0 & bits == bits).then_some(())
    }
}

/// The delivery as this way reads it: `{"object", "entry"}`, no other key.
#[derive(Default)]
struct Delivery<'a> {
    entry: One<Entry<'a>>,
}

/// `{"id", "time", "changes"}`, no other key.
#[derive(Default)]
struct Entry<'a> {
    id: Option<Str<'a>>,
    changes: One<Change<'a>>,
}

/// `{"field", "value"}`, no other key.
#[derive(Default)]
struct Change<'a> {
    field: Option<Str<'a>>,
    value: MessagesValue<'a>,
}

/// `{"messaging_product", "metadata", "contacts", "messages"}`, no other
/// key.
#[derive(Default)]
struct MessagesValue<'a> {
    /// `metadata.phone_number_id`.
    number: Option<Str<'a>>,
    contacts: One<ContactCard<'a>>,
    messages: One<Message<'a>>,
}

/// A `contacts[]` card: the keys read; every other is checked and passed.
#[derive(Default)]
struct ContactCard<'a> {
    wa_id: Option<Str<'a>>,
    user_id: Option<Str<'a>>,
    profile_name: Option<Str<'a>>,
    profile_username: Option<Str<'a>>,
    username: Option<Str<'a>>,
    parent_user_id: Option<Str<'a>>,
}

/// A message object: the keys read, and its bytes as they came; every
/// other key is checked and stays in the bytes.
#[derive(Default)]
struct Message<'a> {
    raw: &'a str,
    from: Option<Str<'a>>,
    from_user_id: Option<Str<'a>>,
    from_parent_user_id: Option<Str<'a>>,
    id: Option<Str<'a>>,
    timestamp: Option<Str<'a>>,
    kind: Option<Str<'a>>,
    /// `text.body` is a string (the text itself stays in the bytes).
    text_body: bool,
}

/// Each item of an array, read by `fill` where it is kept (the parts are
/// a few hundred bytes: written in place, not moved there).
fn list<'a, T: Default, L: Extend<T> + AsMut<[T]>>(
    c: &mut Cursor<'a>,
    out: &mut L,
    mut fill: impl FnMut(&mut Cursor<'a>, &mut T) -> Option<()>,
) -> Option<()> {
    c.array(|c| {
        out.extend(Some(T::default()));
        fill(c, out.as_mut().last_mut()?)
    })
}

impl<'a> Delivery<'a> {
    fn read(c: &mut Cursor<'a>, out: &mut Self) -> Option<()> {
        let mut seen = Seen::default();
        c.object(|c, key| match key {
            "object" => seen.first(1).and_then(|()| c.pass_over()),
            "entry" => seen
                .first(2)
                .and_then(|()| list(c, &mut out.entry, Entry::read)),
            _ => None,
        })?;
        seen.has(2)
    }
}

impl<'a> Entry<'a> {
    fn read(c: &mut Cursor<'a>, out: &mut Self) -> Option<()> {
        let mut seen = Seen::default();
        c.object(|c, key| match key {
            "id" => {
                seen.first(1)?;
                out.id = c.string_or_null()?;
                Some(())
            }
            "time" => seen.first(2).and_then(|()| c.pass_over()),
            "changes" => seen
                .first(4)
                .and_then(|()| list(c, &mut out.changes, Change::read)),
            _ => None,
        })?;
        seen.has(4)
    }
}

impl<'a> Change<'a> {
    fn read(c: &mut Cursor<'a>, out: &mut Self) -> Option<()> {
        let mut seen = Seen::default();
        c.object(|c, key| match key {
            "field" => {
                seen.first(1)?;
                out.field = c.string_or_null()?;
                Some(())
            }
            "value" => seen
                .first(2)
                .and_then(|()| MessagesValue::read(c, &mut out.value)),
            _ => None,
        })?;
        seen.has(2)
    }
}

impl<'a> MessagesValue<'a> {
    fn read(c: &mut Cursor<'a>, out: &mut Self) -> Option<()> {
        let mut seen = Seen::default();
        c.object(|c, key| match key {
            "messaging_product" => seen.first(1).and_then(|()| c.pass_over()),
            "metadata" => {
                seen.first(2)?;
                let mut named = Seen::default();
                c.object(|c, key| match key {
                    "phone_number_id" => {
                        named.first(1)?;
                        out.number = c.string_or_null()?;
                        Some(())
                    }
                    _ => c.pass_over(),
                })
            }
            "contacts" => {
                seen.first(4)?;
                if c.null() {
                    return Some(());
                }
                list(c, &mut out.contacts, ContactCard::read)
            }
            "messages" => seen
                .first(8)
                .and_then(|()| list(c, &mut out.messages, Message::read)),
            _ => None,
        })?;
        seen.has(2 | 8)
    }
}

impl<'a> ContactCard<'a> {
    fn read(c: &mut Cursor<'a>, card: &mut Self) -> Option<()> {
        let mut seen = Seen::default();
        c.object(|c, key| {
            let (bit, slot) = match key {
                "wa_id" => (1, &mut card.wa_id),
                "user_id" => (2, &mut card.user_id),
                "username" => (4, &mut card.username),
                "parent_user_id" => (8, &mut card.parent_user_id),
                "profile" => {
                    seen.first(16)?;
                    if c.null() {
                        return Some(());
                    }
                    let mut named = Seen::default();
                    return c.object(|c, key| {
                        let (bit, slot) = match key {
                            "name" => (1, &mut card.profile_name),
                            "username" => (2, &mut card.profile_username),
                            _ => return c.pass_over(),
                        };
                        named.first(bit)?;
                        *slot = c.string_or_null()?;
                        Some(())
                    });
                }
                _ => return c.pass_over(),
            };
            seen.first(bit)?;
            *slot = c.string_or_null()?;
            Some(())
        })
    }

    fn card(&self) -> Card<'_> {
        Card {
            wa_id: self.wa_id.as_deref(),
            user_id: self.user_id.as_deref(),
            profile_name: self.profile_name.as_deref(),
            profile_username: self.profile_username.as_deref(),
            username: self.username.as_deref(),
            parent_user_id: self.parent_user_id.as_deref(),
        }
    }
}

impl<'a> Message<'a> {
    fn read(c: &mut Cursor<'a>, message: &mut Self) -> Option<()> {
        let start = c.start()?;
        let mut seen = Seen::default();
        c.object(|c, key| {
            let (bit, slot) = match key {
                "from" => (1, &mut message.from),
                "from_user_id" => (2, &mut message.from_user_id),
                "from_parent_user_id" => (4, &mut message.from_parent_user_id),
                "id" => (8, &mut message.id),
                "timestamp" => (16, &mut message.timestamp),
                "type" => (32, &mut message.kind),
                "text" => {
                    seen.first(64)?;
                    if c.null() {
                        return Some(());
                    }
                    let mut named = Seen::default();
                    return c.object(|c, key| match key {
                        "body" => {
                            named.first(1)?;
                            message.text_body = c.string_or_null()?.is_some();
                            Some(())
                        }
                        _ => c.pass_over(),
                    });
                }
                _ => return c.pass_over(),
            };
            seen.first(bit)?;
            *slot = c.string_or_null()?;
            Some(())
        })?;
        message.raw = c.since(start);
        Some(())
    }
}

/// One text message, read and checked.
struct TextMessage<'a> {
    number: &'a str,
    account: Option<&'a str>,
    contact: ContactRef<'a>,
    id: &'a str,
    timestamp: DateTime<Utc>,
    /// The message object as it came, read whole by the cursor.
    raw: &'a str,
}

/// Verifies and writes a delivery of the common shape (see the module's
/// documentation); `None` for any other, which the caller reads with the
/// general parser. `Some(Err)`: the signature does not match, and nothing
/// of the delivery may be stored.
pub(super) fn accept(
    numbers: &NumberDirectory,
    headers: &http::HeaderMap,
    body: &[u8],
    region: &str,
    received_at: DateTime<Utc>,
) -> Option<Result<Vec<ReadyEvent>, Rejection>> {
    // Every value is read or checked on the way ([`super::scan`]), so what
    // the general parser refuses as not JSON (a lone surrogate, a number
    // out of range) is not taken here either.
    let mut cursor = Cursor::new(body)?;
    let mut delivery = Delivery::default();
    Delivery::read(&mut cursor, &mut delivery)?;
    cursor.end()?;
    let read = read(&delivery)?;
    let numbers_named: One<&str> = delivery
        .entry
        .iter()
        .flat_map(|e| &e.changes)
        .filter_map(|c| c.value.number.as_deref())
        .collect();
    if let Err(rejection) = verify_for_numbers(numbers, headers, body, &numbers_named) {
        return Some(Err(rejection));
    }
    let mut events = Vec::with_capacity(read.len());
    for message in &read {
        let envelope = MessageEnvelope {
            provider: Provider::Meta,
            region,
            business_number: message.number,
            contact: message.contact,
            account: message.account,
            received_at: &received_at,
            id: message.id,
            timestamp: &message.timestamp,
            message_type: "text",
            text_at: Some(TEXT_BODY),
            raw: message.raw,
        };
        events.push(ReadyEvent {
            business_number: message.number.to_owned(),
            partition_key: message.contact.partition_key().to_owned(),
            msg_id: message_msg_id(Provider::Meta, message.id),
            timestamp: message.timestamp,
            unparsed: false,
            payload: envelope.write().ok()?,
        });
    }
    Some(Ok(events))
}

/// Every message of the delivery, when each is a text message this way
/// reads as the general parser would.
fn read<'a>(delivery: &'a Delivery<'_>) -> Option<One<TextMessage<'a>>> {
    let mut out = One::new();
    for entry in &delivery.entry {
        for change in &entry.changes {
            if change.field.as_deref().is_some_and(|f| f != "messages") {
                return None;
            }
            let number: &str = change.value.number.as_deref()?;
            if !crate::topology::is_subject_token(number) {
                return None;
            }
            let cards: One<Card<'_>> = change
                .value
                .contacts
                .iter()
                .map(ContactCard::card)
                .collect();
            for message in &change.value.messages {
                out.push(text_message(message, &cards, number, entry.id.as_deref())?);
            }
        }
    }
    Some(out)
}

fn text_message<'a>(
    message: &'a Message<'_>,
    cards: &[Card<'a>],
    number: &'a str,
    account: Option<&'a str>,
) -> Option<TextMessage<'a>> {
    let id = message.id.as_deref()?;
    if id.is_empty() || message.kind.as_deref() != Some("text") || !message.text_body {
        return None;
    }
    let timestamp = seconds(message.timestamp.as_deref()?.parse().ok()).ok()?;
    let contact = customer(
        Sender {
            phone: message.from.as_deref(),
            user_id: message.from_user_id.as_deref(),
            parent_user_id: message.from_parent_user_id.as_deref(),
        },
        cards,
    )
    .ok()?;
    Some(TextMessage {
        number,
        account,
        contact,
        id,
        timestamp,
        // Checked whole by the cursor: stored as the object's bytes.
        raw: message.raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::InboundEvent;
    use crate::provider::{NumberCredentials, WebhookParser};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const SECRET: &str = "s3cret";

    fn directory() -> NumberDirectory {
        NumberDirectory::new(&[NumberCredentials::signed_by(Provider::Meta, "1065", SECRET)])
    }

    fn signed(body: &[u8]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        let signature = super::super::sign(SECRET, body);
        headers.insert(
            super::super::SIGNATURE_HEADER,
            signature.parse().expect("header"),
        );
        headers
    }

    fn delivery(changes: Vec<Value>) -> Value {
        json!({"object": "whatsapp_business_account",
               "entry": [{"id": "WABA1", "time": 1_700_000_000, "changes": changes}]})
    }

    fn messages(contacts: Value, messages: Vec<Value>) -> Value {
        json!({"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001", "phone_number_id": "1065"},
            "contacts": contacts,
            "messages": messages}})
    }

    fn text(from: &str, id: &str, body: &str) -> Value {
        json!({"from": from, "id": id, "timestamp": "1700000000", "type": "text",
               "text": {"body": body}})
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_100, 0).expect("time")
    }

    /// The common way's events, and the general parser's for the same bytes.
    fn both(body: &[u8]) -> (Option<Vec<ReadyEvent>>, Vec<InboundEvent>) {
        let common =
            accept(&directory(), &signed(body), body, "eu", at()).map(|read| read.expect("signed"));
        let payload: Value = serde_json::from_slice(body).expect("json");
        let general = super::super::MetaWebhook
            .parse(payload, None, "eu", at())
            .events;
        (common, general)
    }

    /// The common way's events, for any bytes.
    fn common(body: &[u8]) -> Option<Vec<ReadyEvent>> {
        accept(&directory(), &signed(body), body, "eu", at()).map(|read| read.expect("signed"))
    }

    /// Both ways store the same events, routed and deduped alike.
    fn assert_same(body: &[u8]) {
        let (common, general) = both(body);
        let common = common.unwrap_or_else(|| {
            panic!(
                "left to the general parser: {}",
                String::from_utf8_lossy(body)
            )
        });
        assert_eq!(common.len(), general.len());
        for (written, event) in common.iter().zip(&general) {
            let expected = event.ready().expect("encodes");
            assert_eq!(
                InboundEvent::decode(&written.payload).expect("decodes"),
                InboundEvent::decode(&expected.payload).expect("decodes"),
            );
            assert_eq!(
                ReadyEvent {
                    payload: Vec::new(),
                    ..written.clone()
                },
                ReadyEvent {
                    payload: Vec::new(),
                    ..expected
                }
            );
        }
    }

    #[test]
    fn text_messages_are_written_as_the_general_parser_writes_them() {
        let bsuid_only = json!({"from_user_id": "US.13491208655302741918", "id": "wamid.U",
            "timestamp": "1700000001", "type": "text", "text": {"body": "no phone"}});
        let with_context = json!({"from": "4915112345", "id": "wamid.C", "timestamp": "1700000002",
            "type": "text", "text": {"body": "re", "preview_url": false},
            "context": {"from": "15550001", "id": "wamid.OUT"}, "referral": {"source_url": "x"}});
        let cases = [
            // The bench's delivery: one contact, one message.
            delivery(vec![messages(
                json!([{"profile": {"name": "Ana"}, "wa_id": "4915112345"}]),
                vec![text("4915112345", "wamid.A", "hello")],
            )]),
            // Escapes and characters beyond ASCII in the text and the name.
            delivery(vec![messages(
                json!([{"profile": {"name": "Zoë \"Z\" \\ Ω"}, "wa_id": "4915112345"}]),
                vec![text(
                    "4915112345",
                    "wamid.E",
                    "line\nbreak \"quoted\" \u{1F600} \\ é",
                )],
            )]),
            // A user known only by a BSUID, with a username and a parent.
            delivery(vec![messages(
                json!([{"profile": {"name": "Bo", "username": "@bo"},
                        "user_id": "US.13491208655302741918", "parent_user_id": "US.ENT.1"}]),
                vec![bsuid_only],
            )]),
            // Two contacts, two messages, fields the common way does not read.
            delivery(vec![messages(
                json!([{"profile": {"name": "Ana"}, "wa_id": "4915112345"},
                       {"profile": {"name": "Bea"}, "wa_id": "4915199999"}]),
                vec![with_context, text("4915199999", "wamid.B2", "second")],
            )]),
            // An id with escapes.
            delivery(vec![messages(
                json!([{"wa_id": "4915112345"}]),
                vec![text("4915112345", "wamid.\u{00e9}\\\"q", "escaped id")],
            )]),
            // No contacts at all; two changes.
            delivery(vec![
                messages(Value::Null, vec![text("4915112345", "wamid.N1", "a")]),
                messages(json!([]), vec![text("4915112346", "wamid.N2", "b")]),
            ]),
        ];
        for case in &cases {
            assert_same(case.to_string().as_bytes());
            // Laid out differently, the same.
            assert_same(serde_json::to_string_pretty(case).expect("json").as_bytes());
        }
    }

    #[test]
    fn every_other_shape_is_left_to_the_general_parser() {
        let contacts = json!([{"profile": {"name": "Ana"}, "wa_id": "4915112345"}]);
        let with = |key: &str, value: Value| {
            let mut m = text("4915112345", "wamid.X", "hi");
            m[key] = value;
            m
        };
        let mut unknown_key = messages(contacts.clone(), vec![text("4915112345", "wamid.K", "k")]);
        unknown_key["value"]["new_thing"] = json!(1);
        let mut status = messages(contacts.clone(), vec![]);
        status["value"]["statuses"] = json!([{"id": "wamid.S", "status": "read",
            "timestamp": "1700000000", "recipient_id": "4915112345"}]);
        let mut bad_number = messages(contacts.clone(), vec![text("4915112345", "wamid.P", "p")]);
        bad_number["value"]["metadata"]["phone_number_id"] = json!("10.65");
        let mut echo_field = messages(contacts.clone(), vec![text("4915112345", "wamid.F", "f")]);
        echo_field["field"] = json!("smb_message_echoes");
        let others = [
            unknown_key,
            status,
            bad_number,
            echo_field,
            json!({"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}),
            messages(contacts.clone(), vec![with("type", json!("image"))]),
            messages(
                contacts.clone(),
                vec![with("timestamp", json!(1_700_000_000))],
            ),
            messages(
                contacts.clone(),
                vec![with("text", json!({"preview_url": true}))],
            ),
            messages(contacts.clone(), vec![with("id", json!(""))]),
            messages(contacts.clone(), vec![with("from", json!("not a phone!"))]),
            messages(
                json!("not a list"),
                vec![text("4915112345", "wamid.L", "l")],
            ),
        ];
        for change in others {
            let body = delivery(vec![change]).to_string();
            let (common, general) = both(body.as_bytes());
            assert!(common.is_none(), "taken: {body}");
            // Still stored, by the general parser.
            assert!(!general.is_empty(), "{body}");
        }
        assert!(both(b"{\"entry\": [], \"extra\": 1}").0.is_none());
        // A key given twice, even after a null: the general parser's.
        let twice = delivery(vec![messages(
            contacts.clone(),
            vec![text("4915112345", "wamid.T", "t")],
        )])
        .to_string()
        .replacen("\"id\":\"wamid.T\"", "\"id\":null,\"id\":\"wamid.T\"", 1);
        assert!(twice.contains("\"id\":null"), "{twice}");
        let (common, general) = both(twice.as_bytes());
        assert!(common.is_none(), "taken: {twice}");
        assert_eq!(general.len(), 1, "{twice}");
        // What the general parser refuses as not JSON, the common way does
        // not store either: a lone surrogate, a number out of range (in the
        // stored message object, and in a part it does not store).
        let ok = delivery(vec![messages(
            contacts.clone(),
            vec![text("4915112345", "wamid.J", "TEXT")],
        )])
        .to_string();
        let mut bodies: Vec<Vec<u8>> = [
            // In the stored message object: its text, a key beside it, a
            // key of the text object.
            ("\"TEXT\"", "\"a \\ud83d b\""),
            ("\"TEXT\"", "\"x\", \"n\": 1e999, \"y\": \"z\""),
            ("\"TEXT\"", "\"x\", \"preview_url\": 1e999"),
            // In parts it does not store: the metadata, the entry, a
            // contact's name.
            ("\"15550001\"", "1e999"),
            ("\"time\":1700000000", "\"time\":-1e999"),
            ("\"Ana\"", "\"\\udc00\""),
        ]
        .into_iter()
        .map(|(from, to)| {
            let body = ok.replacen(from, to, 1);
            assert_ne!(body, ok, "{from}");
            body.into_bytes()
        })
        .collect();
        // Bytes that are not UTF-8, in a part it does not store.
        let at_15550001 = ok.find("15550001").expect("in the body");
        let mut not_utf8 = ok.clone().into_bytes();
        not_utf8[at_15550001] = 0xff;
        bodies.push(not_utf8);
        for body in &bodies {
            let shown = String::from_utf8_lossy(body);
            assert!(
                accept(&directory(), &signed(body), body, "eu", at()).is_none(),
                "taken: {shown}"
            );
            assert!(
                matches!(
                    super::super::MetaWebhook.accept(&directory(), &signed(body), body, "eu"),
                    Err(Rejection::Malformed(_))
                ),
                "{shown}"
            );
        }
    }

    #[test]
    fn keys_are_read_as_serde_reads_them() {
        let ok = delivery(vec![messages(
            json!([{"profile": {"name": "Ana"}, "wa_id": "4915112345"}]),
            vec![text("4915112345", "wamid.K", "TEXT")],
        )])
        .to_string();
        let edit = |from: &str, to: &str| {
            let body = ok.replacen(from, to, 1);
            assert_ne!(body, ok, "{from}");
            body
        };
        // Taken, and written as the general parser writes it: keys with
        // escapes, numbers, nesting and nulls where they may be.
        for body in [
            edit("\"id\":\"wamid.K\"", "\"\\u0069d\":\"wamid.K\""),
            edit(
                "\"TEXT\"",
                "\"TEXT\", \"n\": [-0, 1.25, 123456789012345678901234567890, {\"deep\": [[[]]]}, true, false, null]",
            ),
            edit("\"Ana\"", "\"Ana\", \"extra\": {\"x\": \"\\ud83d\\ude00\"}"),
            edit("\"time\":1700000000", "\"time\":null"),
            edit("\"id\":\"WABA1\"", "\"id\":null"),
            edit("\"field\":\"messages\"", "\"field\":null"),
            edit("\"profile\":{\"name\":\"Ana\"}", "\"profile\":null"),
            format!(" \n\t{}\r\n ", ok.replace(',', " ,\n ").replace(':', " : ")),
        ] {
            assert_same(body.as_bytes());
        }
        // Given up on: keys given twice at every level (serde's derive
        // refuses them), a required part missing or null, a value of the
        // wrong type, anything after the body.
        let value_at = ok.find("\"value\"").expect("value");
        for body in [
            edit("\"object\"", "\"object\":1,\"object\""),
            edit("\"entry\":[", "\"entry\":[],\"entry\":["),
            edit("\"time\"", "\"time\":1,\"time\""),
            edit("\"changes\":[", "\"changes\":[],\"changes\":["),
            edit("\"field\"", "\"field\":null,\"field\""),
            edit("\"metadata\"", "\"metadata\":{},\"metadata\""),
            edit(
                "\"phone_number_id\"",
                "\"phone_number_id\":null,\"phone_number_id\"",
            ),
            edit("\"contacts\"", "\"contacts\":null,\"contacts\""),
            edit("\"wa_id\"", "\"wa_id\":null,\"wa_id\""),
            edit("\"name\"", "\"name\":null,\"name\""),
            edit("\"profile\"", "\"profile\":null,\"profile\""),
            edit("\"type\"", "\"type\":null,\"type\""),
            edit("\"text\":{", "\"text\":null,\"text\":{"),
            edit("\"body\"", "\"body\":null,\"body\""),
            edit("\"messages\":[", "\"messages\":[],\"messages\":["),
            edit("\"metadata\":{", "\"metadata_\":{"),
            edit("\"messages\":[", "\"messages_\":["),
            edit("\"messages\":[", "\"messages\":null,\"other\":["),
            edit("\"value\":{", "\"value\":null,\"other\":{"),
            edit("\"metadata\":{", "\"metadata\":null,\"other\":{"),
            edit("\"contacts\":[", "\"contacts\":[null,"),
            edit("\"messages\":[", "\"messages\":[1,"),
            edit("\"entry\":[", "\"entry\":\"x\",\"e\":["),
            edit("\"wa_id\":\"4915112345\"", "\"wa_id\":4915112345"),
            format!("{ok} {{}}"),
            ok[..value_at].to_owned(),
        ] {
            assert!(common(body.as_bytes()).is_none(), "taken: {body}");
        }
        // Each required part left out.
        let whole: Value = serde_json::from_str(&ok).expect("json");
        for pointer in [
            "/entry",
            "/entry/0/changes",
            "/entry/0/changes/0/value",
            "/entry/0/changes/0/value/metadata",
            "/entry/0/changes/0/value/messages",
        ] {
            let (parent, key) = pointer.rsplit_once('/').expect("a key");
            let mut body = whole.clone();
            body.pointer_mut(if parent.is_empty() { "" } else { parent })
                .and_then(Value::as_object_mut)
                .and_then(|object| object.remove(key))
                .expect(pointer);
            let body = body.to_string();
            assert!(common(body.as_bytes()).is_none(), "taken: {body}");
        }
    }

    #[test]
    fn the_common_way_checks_the_signature_first() {
        let body = delivery(vec![messages(
            json!([{"wa_id": "4915112345"}]),
            vec![text("4915112345", "wamid.A", "hello")],
        )])
        .to_string();
        let mut forged = signed(body.as_bytes());
        forged.insert(
            super::super::SIGNATURE_HEADER,
            super::super::sign("not-the-secret", body.as_bytes())
                .parse()
                .expect("header"),
        );
        assert_eq!(
            accept(&directory(), &forged, body.as_bytes(), "eu", at()),
            Some(Err(Rejection::BadSignature))
        );
        let ready = super::super::MetaWebhook
            .accept_ready(
                &directory(),
                &signed(body.as_bytes()),
                body.as_bytes(),
                "eu",
            )
            .expect("verified")
            .expect("encoded");
        assert_eq!(ready.events.len(), 1);
        assert_eq!(ready.events[0].msg_id, "meta:msg:wamid.A");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any text, name and sender: written as the general parser would.
        #[test]
        fn generated_text_messages_are_written_alike(
            body in "\\PC{0,300}",
            name in proptest::option::of("\\PC{0,40}"),
            phone in proptest::option::of("[1-9][0-9]{6,14}"),
            bsuid in proptest::option::of("[A-Z]{2}\\.[0-9]{5,20}"),
            id in "wamid\\.[A-Za-z0-9=_-]{1,40}",
        ) {
            prop_assume!(phone.is_some() || bsuid.is_some());
            let mut message = json!({"id": id, "timestamp": "1700000000", "type": "text",
                                     "text": {"body": body}});
            let mut card = json!({});
            if let Some(phone) = &phone {
                message["from"] = json!(phone);
                card["wa_id"] = json!(phone);
            }
            if let Some(bsuid) = &bsuid {
                message["from_user_id"] = json!(bsuid);
                card["user_id"] = json!(bsuid);
            }
            if let Some(name) = &name {
                card["profile"] = json!({"name": name});
            }
            let bytes = delivery(vec![messages(json!([card]), vec![message])]).to_string();
            assert_same(bytes.as_bytes());
        }
    }
}
