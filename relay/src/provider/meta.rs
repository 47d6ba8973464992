//! Meta WhatsApp Cloud API webhooks: `X-Hub-Signature-256` verification and
//! the split of `entry[].changes[].value` into one event per message and per
//! status. Sending through the Cloud API lives elsewhere.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{Delivery, NumberDirectory, Rejection, WebhookParser, constant_time_eq};
use crate::envelope::{Contact, DeliveryStatus, EventBody, InboundEvent, InboundMessage, Provider};
use crate::secret::Secret;

/// Header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The Meta Cloud API webhook parser.
pub struct MetaWebhook;

/// `sha256=<hex HMAC-SHA256(secret, body)>`, as Meta sends it.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a `sha256=<hex>` header value against the body, in constant time.
pub fn verify_signature(secret: &Secret, header: &str, body: &[u8]) -> Result<(), Rejection> {
    let hex_sig = header
        .strip_prefix("sha256=")
        .ok_or(Rejection::MissingSignature)?;
    let given = hex::decode(hex_sig.trim()).map_err(|_| Rejection::MissingSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| Rejection::BadSignature)?;
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    if constant_time_eq(&expected, &given) {
        Ok(())
    } else {
        Err(Rejection::BadSignature)
    }
}

impl WebhookParser for MetaWebhook {
    fn accept(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        body: &[u8],
        region: &str,
    ) -> Result<Delivery, Rejection> {
        let header = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .ok_or(Rejection::MissingSignature)?;
        let mut payload: Value = serde_json::from_slice(body)
            .map_err(|e| Rejection::Malformed(format!("not JSON: {e}")))?;
        let values = change_values(&payload)?;
        if values.is_empty() {
            return Err(Rejection::Malformed("no entry[].changes[].value".into()));
        }
        // Every number in one delivery must be ours, and the signature must
        // match the app secret of each (one app signs one delivery).
        for value in &values {
            let number = phone_number_id(value)?;
            let creds = numbers.get(number).ok_or(Rejection::UnknownNumber)?;
            verify_signature(&creds.app_secret, header, body)?;
        }
        let received_at = Utc::now();
        let mut events = Vec::new();
        for value in values {
            split_value(value, region, received_at, &mut events)?;
        }
        keep_raw_objects(&mut payload, &mut events);
        Ok(Delivery { events, echoes: 0 })
    }
}

fn change_values(payload: &Value) -> Result<Vec<&Value>, Rejection> {
    let entries = payload
        .get("entry")
        .and_then(Value::as_array)
        .ok_or_else(|| Rejection::Malformed("missing entry[]".into()))?;
    let mut values = Vec::new();
    for entry in entries {
        for change in entry
            .get("changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(value) = change.get("value") {
                values.push(value);
            }
        }
    }
    Ok(values)
}

/// Moves each message's and status's own object out of the parsed delivery
/// into its event (`raw`), in the order `split_value` made the events:
/// moved, not copied (the copy showed in the edge's profile).
fn keep_raw_objects(payload: &mut Value, events: &mut [InboundEvent]) {
    let mut objects = Vec::with_capacity(events.len());
    for entry in payload
        .get_mut("entry")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        for change in entry
            .get_mut("changes")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let Some(value) = change.get_mut("value") else {
                continue;
            };
            for field in ["messages", "statuses"] {
                if let Some(list) = value.get_mut(field).and_then(Value::as_array_mut) {
                    objects.append(list);
                }
            }
        }
    }
    for (event, object) in events.iter_mut().zip(objects) {
        match &mut event.body {
            EventBody::Message(message) => message.raw = object,
            EventBody::Status(status) => status.raw = object,
            EventBody::Session(_) => {}
        }
    }
}

fn phone_number_id(value: &Value) -> Result<&str, Rejection> {
    let id = crate::envelope::pointer(value, "/metadata/phone_number_id")
        .and_then(Value::as_str)
        .ok_or_else(|| Rejection::Malformed("missing metadata.phone_number_id".into()))?;
    if crate::topology::is_subject_token(id) {
        Ok(id)
    } else {
        Err(Rejection::Malformed("invalid phone_number_id".into()))
    }
}

fn timestamp(object: &Value) -> Result<DateTime<Utc>, Rejection> {
    let ts = object.get("timestamp");
    let secs = ts
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<i64>().ok())
        .or_else(|| ts.and_then(Value::as_i64))
        .ok_or_else(|| Rejection::Malformed("missing or invalid timestamp".into()))?;
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| Rejection::Malformed("timestamp out of range".into()))
}

fn str_field<'a>(object: &'a Value, field: &str) -> Result<&'a str, Rejection> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Rejection::Malformed(format!("missing {field}")))
}

/// The human-readable text of a message of any type, where it has one.
/// The text of a message and the JSON pointer it was found at.
fn message_text(message: &Value, message_type: &str) -> Option<(&'static str, String)> {
    let pointers: &[&str] = match message_type {
        "text" => &["/text/body"],
        "image" | "video" | "document" => {
            &["/image/caption", "/video/caption", "/document/caption"]
        }
        "interactive" => &[
            "/interactive/button_reply/title",
            "/interactive/list_reply/title",
        ],
        "button" => &["/button/text"],
        "reaction" => &["/reaction/emoji"],
        "location" => &["/location/name", "/location/address"],
        _ => &[],
    };
    pointers.iter().find_map(|&p| {
        crate::envelope::pointer(message, p)
            .and_then(Value::as_str)
            .map(|text| (p, text.to_owned()))
    })
}

fn split_value(
    value: &Value,
    region: &str,
    received_at: DateTime<Utc>,
    out: &mut Vec<InboundEvent>,
) -> Result<(), Rejection> {
    let number = phone_number_id(value)?.to_owned();
    let contacts = value.get("contacts").and_then(Value::as_array);
    let profile_of = |wa_id: &str| {
        contacts.into_iter().flatten().find_map(|c| {
            (c.get("wa_id").and_then(Value::as_str) == Some(wa_id))
                .then(|| {
                    crate::envelope::pointer(c, "/profile/name")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .flatten()
        })
    };
    for message in value
        .get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let from = str_field(message, "from")?;
        if !crate::topology::is_subject_token(from) {
            return Err(Rejection::Malformed("invalid from".into()));
        }
        let message_type = message
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unsupported")
            .to_owned();
        let (text_at, text) = message_text(message, &message_type).unzip();
        out.push(InboundEvent {
            version: crate::envelope::ENVELOPE_VERSION,
            provider: Provider::Meta,
            region: region.to_owned(),
            business_number: number.clone(),
            contact: Contact {
                wa_id: from.to_owned(),
                profile_name: profile_of(from),
            },
            received_at,
            body: EventBody::Message(InboundMessage {
                id: str_field(message, "id")?.to_owned(),
                timestamp: timestamp(message)?,
                text,
                text_at: text_at.map(std::borrow::Cow::Borrowed),
                message_type,
                // Moved in by `keep_raw_objects`.
                raw: Value::Null,
            }),
        });
    }
    for status in value
        .get("statuses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let recipient = str_field(status, "recipient_id")?;
        if !crate::topology::is_subject_token(recipient) {
            return Err(Rejection::Malformed("invalid recipient_id".into()));
        }
        let error = status.pointer("/errors/0").map(|e| {
            let code = e.get("code").map(Value::to_string).unwrap_or_default();
            let title = e.get("title").and_then(Value::as_str).unwrap_or_default();
            format!("{code} {title}").trim().to_owned()
        });
        out.push(InboundEvent {
            version: crate::envelope::ENVELOPE_VERSION,
            provider: Provider::Meta,
            region: region.to_owned(),
            business_number: number.clone(),
            contact: Contact {
                wa_id: recipient.to_owned(),
                profile_name: None,
            },
            received_at,
            body: EventBody::Status(DeliveryStatus {
                id: str_field(status, "id")?.to_owned(),
                status: str_field(status, "status")?.to_owned(),
                timestamp: timestamp(status)?,
                error,
                callback_data: status
                    .get("biz_opaque_callback_data")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                raw: Value::Null,
            }),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::NumberCredentials;
    use proptest::prelude::*;

    fn directory() -> NumberDirectory {
        NumberDirectory::new(&[NumberCredentials {
            provider: Provider::Meta,
            phone_number_id: "1065".into(),
            display_phone: String::new(),
            app_secret: Secret::new("s3cret"),
            verify_token: Secret::new("vt"),
            access_token: Secret::default(),
            api_base_url: None,
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
    fn an_unknown_number_and_broken_json_are_rejected() {
        let body = String::from_utf8(delivery())
            .expect("utf8")
            .replace("1065", "9999")
            .into_bytes();
        let err = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect_err("rejected");
        assert_eq!(err, Rejection::UnknownNumber);
        let body = b"{not json".to_vec();
        let err = MetaWebhook
            .accept(&directory(), &headers(&sign("s3cret", &body)), &body, "eu")
            .expect_err("rejected");
        assert_eq!(err.code(), "malformed");
    }

    /// One delivery with every message type Meta documents, in two entries
    /// (shared with the integration tests; number id `1065`).
    fn every_type() -> Vec<u8> {
        include_bytes!("../../../tests/fixtures/meta_every_type.json").to_vec()
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
