//! Meta's common delivery, written straight into envelopes: customers'
//! text messages on `messages` changes, read into borrowed, typed parts
//! (no `serde_json::Value` tree), each message object stored as the bytes
//! it came in. The edge's hot path: the tree, its copies and its
//! re-serialisation were most of Wharf's own work per webhook.
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
use serde::Deserialize;
use serde_json::value::RawValue;
use smallvec::SmallVec;

use super::{Card, Sender, TEXT_BODY, customer, seconds, verify_for_numbers};
use crate::envelope::{
    BodyRef, ENVELOPE_VERSION, EnvelopeRef, Provider, ReadyEvent, StoredMessageRef, message_msg_id,
    write_envelope,
};
use crate::provider::{NumberDirectory, Rejection};

/// A JSON string, borrowed from the bytes where it has no escapes (serde's
/// own `Cow` is always owned inside an `Option`).
struct Str<'a>(Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Visitor(std::marker::PhantomData))
    }
}

/// A list that holds its first item in place, for the small items of
/// which the common delivery has one (a message's bytes, a contact card, a
/// number): a heap list each was an allocation per delivery. The large
/// parts (entries, changes, contact objects) stay in `Vec`s: moving them
/// in place cost more than the allocation (criterion, 2026-12-06).
type One<T> = SmallVec<[T; 1]>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delivery<'a> {
    #[serde(rename = "object", default)]
    _object: Option<Walk>,
    #[serde(borrow)]
    entry: Vec<Entry<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(rename = "time", default)]
    _time: Option<Walk>,
    #[serde(borrow)]
    changes: Vec<Change<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change<'a> {
    #[serde(borrow, default)]
    field: Option<Str<'a>>,
    #[serde(borrow)]
    value: MessagesValue<'a>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesValue<'a> {
    #[serde(rename = "messaging_product", default)]
    _product: Option<Walk>,
    #[serde(borrow)]
    metadata: Metadata<'a>,
    #[serde(borrow, default)]
    contacts: Option<Vec<ContactCard<'a>>>,
    /// Kept as their bytes here; each is read, and checked whole, by
    /// [`text_message`].
    #[serde(borrow)]
    messages: One<&'a RawValue>,
}

/// An object of optional fields read from the keys named; the value of
/// every other key is walked ([`Walk`]: checked as `serde_json::Value`
/// checks it, kept nowhere), so one pass over the bytes both reads and
/// checks them. A key given twice is refused, as serde's derive does.
macro_rules! walked {
    ($(#[$doc:meta])* $name:ident<$lt:lifetime> { $($field:ident: $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$doc])*
        struct $name<$lt> {
            $($field: Option<$ty>,)*
            _borrowed: std::marker::PhantomData<&$lt ()>,
        }

        impl<'de: $lt, $lt> Deserialize<'de> for $name<$lt> {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor<$lt>(std::marker::PhantomData<&$lt ()>);
                impl<'de: $lt, $lt> serde::de::Visitor<'de> for Visitor<$lt> {
                    type Value = $name<$lt>;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("an object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        $(let mut $field: Option<Option<$ty>> = None;)*
                        while let Some(key) = map.next_key::<Str<'de>>()? {
                            match &*key {
                                $($key => {
                                    if $field.is_some() {
                                        return Err(serde::de::Error::duplicate_field($key));
                                    }
                                    $field = Some(map.next_value()?);
                                })*
                                _ => {
                                    map.next_value::<Walk>()?;
                                }
                            }
                        }
                        Ok($name {
                            $($field: $field.flatten(),)*
                            _borrowed: std::marker::PhantomData,
                        })
                    }
                }
                deserializer.deserialize_map(Visitor(std::marker::PhantomData))
            }
        }
    };
}

walked!(Metadata<'a> {
    phone_number_id: Str<'a> = "phone_number_id",
});

walked!(ContactCard<'a> {
    wa_id: Str<'a> = "wa_id",
    user_id: Str<'a> = "user_id",
    profile: Profile<'a> = "profile",
    username: Str<'a> = "username",
    parent_user_id: Str<'a> = "parent_user_id",
});

walked!(Profile<'a> {
    name: Str<'a> = "name",
    username: Str<'a> = "username",
});

impl ContactCard<'_> {
    fn card(&self) -> Card<'_> {
        let profile = self.profile.as_ref();
        Card {
            wa_id: self.wa_id.as_deref(),
            user_id: self.user_id.as_deref(),
            profile_name: profile.and_then(|p| p.name.as_deref()),
            profile_username: profile.and_then(|p| p.username.as_deref()),
            username: self.username.as_deref(),
            parent_user_id: self.parent_user_id.as_deref(),
        }
    }
}

walked!(
    /// The fields of a message object this way reads; the rest is walked
    /// and stays in its bytes.
    Message<'a> {
        from: Str<'a> = "from",
        from_user_id: Str<'a> = "from_user_id",
        from_parent_user_id: Str<'a> = "from_parent_user_id",
        id: Str<'a> = "id",
        timestamp: Str<'a> = "timestamp",
        kind: Str<'a> = "type",
        text: Text<'a> = "text",
    }
);

walked!(
    /// Only whether `body` is a string matters: the text stays in the
    /// bytes.
    Text<'a> {
        body: Str<'a> = "body",
    }
);

/// Every value of a JSON text, read as [`serde_json::Value`] reads it (so
/// refused where it refuses), keeping nothing.
struct Walk;

impl<'de> Deserialize<'de> for Walk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Walk)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk {
    type Value = Walk;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_str<E>(self, _: &str) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        while seq.next_element::<Walk>()?.is_some() {}
        Ok(Walk)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        while map.next_entry::<Walk, Walk>()?.is_some() {}
        Ok(Walk)
    }
}

/// One text message, read and checked.
struct TextMessage<'a> {
    number: &'a str,
    account: Option<&'a str>,
    contact: crate::envelope::Contact,
    id: Str<'a>,
    timestamp: DateTime<Utc>,
    raw: &'a RawValue,
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
    let delivery: Delivery<'_> = serde_json::from_slice(body).ok()?;
    // Every value is read or walked on the way (the message objects by
    // `text_message`), so what the general parser refuses as not JSON (a
    // lone surrogate, a number out of range) is not taken here either.
    let read = read(&delivery)?;
    let numbers_named: One<&str> = delivery
        .entry
        .iter()
        .flat_map(|e| &e.changes)
        .filter_map(|c| c.value.metadata.phone_number_id.as_deref())
        .collect();
    if let Err(rejection) = verify_for_numbers(numbers, headers, body, &numbers_named) {
        return Some(Err(rejection));
    }
    let mut events = Vec::with_capacity(read.len());
    for message in &read {
        let envelope = EnvelopeRef {
            version: ENVELOPE_VERSION,
            provider: Provider::Meta,
            region,
            business_number: message.number,
            contact: &message.contact,
            account: message.account,
            received_at: &received_at,
            body: BodyRef::Message(StoredMessageRef {
                id: &message.id,
                timestamp: &message.timestamp,
                message_type: "text",
                text: None,
                text_at: Some(TEXT_BODY),
                raw: message.raw,
                echo: false,
            }),
        };
        events.push(ReadyEvent {
            business_number: message.number.to_owned(),
            partition_key: message.contact.partition_key().to_owned(),
            msg_id: message_msg_id(Provider::Meta, &message.id),
            timestamp: message.timestamp,
            unparsed: false,
            payload: write_envelope(&envelope).ok()?,
        });
    }
    Some(Ok(events))
}

/// Every message of the delivery, when each is a text message this way
/// reads as the general parser would.
fn read<'a, 'b: 'a>(delivery: &'a Delivery<'b>) -> Option<One<TextMessage<'a>>> {
    let mut out = One::new();
    for entry in &delivery.entry {
        for change in &entry.changes {
            if change.field.as_deref().is_some_and(|f| f != "messages") {
                return None;
            }
            let number: &str = change.value.metadata.phone_number_id.as_deref()?;
            if !crate::topology::is_subject_token(number) {
                return None;
            }
            let cards: One<Card<'_>> = change
                .value
                .contacts
                .iter()
                .flatten()
                .map(ContactCard::card)
                .collect();
            for raw in &change.value.messages {
                out.push(text_message(raw, &cards, number, entry.id.as_deref())?);
            }
        }
    }
    Some(out)
}

fn text_message<'a>(
    raw: &'a RawValue,
    cards: &[Card<'_>],
    number: &'a str,
    account: Option<&'a str>,
) -> Option<TextMessage<'a>> {
    let message: Message<'a> = serde_json::from_str(raw.get()).ok()?;
    let id = message.id?;
    if id.is_empty() || message.kind.as_deref() != Some("text") {
        return None;
    }
    message.text?.body?;
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
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::InboundEvent;
    use crate::provider::{NumberCredentials, WebhookParser};
    use crate::secret::Secret;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const SECRET: &str = "s3cret";

    fn directory() -> NumberDirectory {
        NumberDirectory::new(&[NumberCredentials {
            provider: Provider::Meta,
            phone_number_id: "1065".into(),
            display_phone: String::new(),
            app_secret: Secret::new(SECRET),
            verify_token: Secret::default(),
            access_token: Secret::default(),
            api_base_url: None,
        }])
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
