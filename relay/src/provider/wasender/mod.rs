//! WasenderApi webhooks: the `X-Webhook-Signature` check (the session's
//! webhook secret, compared in constant time) and the split of its events —
//! `messages.received` (object form), `messages.upsert` (array form; `fromMe`
//! echoes of our own sends are recognised and not stored),
//! `messages.update` / `message-receipt.update` (statuses) and
//! `session.status` (connection health) — into [`InboundEvent`]s.

pub mod media;
pub mod send;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Delivery, NumberDirectory, ParseError, Rejection, WebhookParser, constant_time_eq};
use crate::envelope::{
    Contact, DeliveryStatus, ENVELOPE_VERSION, EventBody, InboundEvent, InboundMessage, Provider,
    SessionState,
};

/// Header WasenderApi puts the session's webhook secret in.
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";

/// The WasenderApi webhook parser.
pub struct WasenderWebhook;

/// WasenderApi's numeric message status, as a word.
pub fn status_name(code: i64) -> Option<&'static str> {
    Some(match code {
        0 => "failed",
        1 => "pending",
        2 => "sent",
        3 => "delivered",
        4 => "read",
        5 => "played",
        _ => return None,
    })
}

impl WebhookParser for WasenderWebhook {
    /// The secret identifies the session: every WasenderApi number's is
    /// checked, without stopping at the first match, so timing says nothing.
    fn verify(
        &self,
        numbers: &NumberDirectory,
        headers: &http::HeaderMap,
        _body: &[u8],
        _payload: &Value,
    ) -> Result<Option<String>, Rejection> {
        let presented = super::signature_header(headers, SIGNATURE_HEADER)?;
        let mut matched = None;
        for number in numbers.of_provider(Provider::Wasender) {
            if constant_time_eq(number.app_secret.expose().as_bytes(), presented.as_bytes()) {
                matched = Some(number.phone_number_id.clone());
            }
        }
        matched.map(Some).ok_or(Rejection::BadSignature)
    }

    fn parse(
        &self,
        payload: Value,
        signer: Option<&str>,
        region: &str,
        received_at: DateTime<Utc>,
    ) -> Delivery {
        let number = signer.unwrap_or(super::UNKNOWN_NUMBER).to_owned();
        let split = Split {
            number,
            region: region.to_owned(),
            received_at,
            fallback_time: payload.get("timestamp").and_then(millis),
        };
        let mut delivery = Delivery::default();
        let event = payload.get("event").and_then(Value::as_str);
        let outcome = match (event.map(canonical_event), payload.get("data")) {
            (None, _) => Err(ParseError::without("a delivery", "event")),
            (Some(_), None) => Err(ParseError::without("a delivery", "data")),
            (
                Some(
                    "messages.received"
                    | "messages.upsert"
                    | "messages-personal.received"
                    | "messages-group.received"
                    | "message.sent",
                ),
                Some(data),
            ) => {
                let messages = data.get("messages").unwrap_or(data);
                one_or_many(messages)
                    .into_iter()
                    .try_for_each(|message| split.message(message, &mut delivery))
            }
            (Some("messages.update" | "message-receipt.update"), Some(data)) => one_or_many(data)
                .into_iter()
                // Receipts come as `{key, receipt}` or inside `message`.
                .map(|update| match update.get("message") {
                    Some(inner) if inner.get("key").is_some() => inner,
                    _ => update,
                })
                .try_for_each(|update| split.status(update, &mut delivery)),
            (Some("messages.reaction"), Some(data)) => one_or_many(data)
                .into_iter()
                .try_for_each(|reaction| split.reaction(reaction, &mut delivery)),
            (Some("session.status"), Some(data)) => split.session(data, &mut delivery),
            (Some(other), Some(_)) => Err(ParseError::UnknownEvent(other.to_owned())),
        };
        if let Err(reason) = outcome {
            let reason = reason.to_string();
            // The whole event is parked (what was split of it is dropped:
            // the replay splits it again, dedupe keeps one of each).
            tracing::warn!(reason, "wasender webhook not understood; stored unparsed");
            delivery.events.clear();
            delivery.events.push(super::parked(
                Provider::Wasender,
                region,
                signer,
                received_at,
                &reason,
                payload,
            ));
        }
        delivery
    }
}

/// An event name as WasenderApi documents it: its SDK spells
/// `messages.received` as `messages.recieved`.
fn canonical_event(event: &str) -> &str {
    match event {
        "messages.recieved" => "messages.received",
        other => other,
    }
}

/// The message id and the customer's jid of a message or reaction
/// (`what` names it in a parse error); `None`, counted as an echo, when
/// the business sent it.
fn customer_key<'a>(
    item: &'a Value,
    what: &'static str,
    out: &mut Delivery,
) -> Result<Option<(&'a str, &'a str)>, ParseError> {
    let key = item.get("key").ok_or(ParseError::without(what, "key"))?;
    if from_me(key) {
        out.echoes += 1;
        return Ok(None);
    }
    let id = key
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(ParseError::without(what, "key.id"))?;
    let jid = key
        .get("cleanedSenderPn")
        .or_else(|| key.get("remoteJid"))
        .and_then(Value::as_str)
        .ok_or(ParseError::without(what, "remoteJid"))?;
    Ok(Some((id, jid)))
}

/// The `fromMe` flag of a message key.
fn from_me(key: &Value) -> bool {
    key.get("fromMe").and_then(Value::as_bool) == Some(true)
}

fn one_or_many(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

/// Seconds or milliseconds since the epoch (WasenderApi uses both).
fn millis(value: &Value) -> Option<DateTime<Utc>> {
    let n = value
        .as_i64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))?;
    if n > 100_000_000_000 {
        DateTime::from_timestamp_millis(n)
    } else {
        DateTime::from_timestamp(n, 0)
    }
}

/// `4915112345678@s.whatsapp.net` → `4915112345678`.
fn wa_id(jid: &str) -> Result<String, ParseError> {
    // `4915…@s.whatsapp.net`, `4915…:12@…`, or `+4915…` (reactions).
    let id = jid.split(['@', ':']).next().unwrap_or_default();
    let id = id.strip_prefix('+').unwrap_or(id);
    if crate::topology::is_subject_token(id) {
        Ok(id.to_owned())
    } else {
        Err(ParseError::Invalid("remoteJid"))
    }
}

struct Split {
    number: String,
    region: String,
    received_at: DateTime<Utc>,
    fallback_time: Option<DateTime<Utc>>,
}

impl Split {
    fn event(&self, contact: Contact, body: EventBody) -> InboundEvent {
        InboundEvent {
            version: ENVELOPE_VERSION,
            provider: Provider::Wasender,
            region: self.region.clone(),
            business_number: self.number.clone(),
            contact,
            account: None,
            received_at: self.received_at,
            body,
        }
    }

    fn time(&self, object: &Value, field: &'static str) -> Result<DateTime<Utc>, ParseError> {
        object
            .get(field)
            .and_then(millis)
            .or(self.fallback_time)
            .ok_or(ParseError::Missing(field))
    }

    fn message(&self, message: &Value, out: &mut Delivery) -> Result<(), ParseError> {
        let Some((id, jid)) = customer_key(message, "message", out)? else {
            return Ok(());
        };
        let content = message.get("message").unwrap_or(&Value::Null);
        let (message_type, text) = content_of(content);
        let (text_at, text) = message
            .get("messageBody")
            .and_then(Value::as_str)
            .map(|body| ("/messageBody", body.to_owned()))
            .or(text)
            .unzip();
        out.events.push(
            self.event(
                Contact::phone(
                    wa_id(jid)?,
                    message
                        .get("pushName")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                ),
                EventBody::Message(InboundMessage {
                    id: id.to_owned(),
                    timestamp: self.time(message, "messageTimestamp")?,
                    message_type,
                    text,
                    text_at: text_at.map(std::borrow::Cow::Borrowed),
                    raw: message.clone(),
                    echo: false,
                }),
            ),
        );
        Ok(())
    }

    /// `messages.reaction`: a reaction of the customer to a message, kept
    /// as a message of type `reaction` (the dashboard shows it on its
    /// target).
    fn reaction(&self, item: &Value, out: &mut Delivery) -> Result<(), ParseError> {
        let Some((id, jid)) = customer_key(item, "reaction", out)? else {
            return Ok(());
        };
        let pointer = "/reaction/text";
        let text = crate::envelope::pointer(item, pointer)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty());
        out.events.push(self.event(
            Contact::phone(wa_id(jid)?, None),
            EventBody::Message(InboundMessage {
                id: id.to_owned(),
                timestamp: self.time(item, "messageTimestamp")?,
                message_type: "reaction".into(),
                text: text.map(str::to_owned),
                text_at: text.map(|_| std::borrow::Cow::Borrowed(pointer)),
                raw: item.clone(),
                echo: false,
            }),
        ));
        Ok(())
    }

    fn status(&self, update: &Value, out: &mut Delivery) -> Result<(), ParseError> {
        let key = update
            .get("key")
            .ok_or(ParseError::without("status", "key"))?;
        let id = key
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(ParseError::without("status", "key.id"))?;
        let jid = key
            .get("remoteJid")
            .and_then(Value::as_str)
            .ok_or(ParseError::without("status", "remoteJid"))?;
        let (status, timestamp) = if let Some(receipt) = update.get("receipt") {
            // message-receipt.update: read if it has a read time, else delivered.
            if let Some(read) = receipt.get("readTimestamp").and_then(millis) {
                ("read", read)
            } else {
                let at = receipt
                    .get("receiptTimestamp")
                    .and_then(millis)
                    .or(self.fallback_time)
                    .ok_or(ParseError::without("receipt", "time"))?;
                ("delivered", at)
            }
        } else {
            let code = update
                .pointer("/update/status")
                .and_then(Value::as_i64)
                .ok_or(ParseError::without("update", "status"))?;
            let status = status_name(code).ok_or(ParseError::UnknownStatusCode(code))?;
            let at = update
                .pointer("/update/timestamp")
                .and_then(millis)
                .or(self.fallback_time)
                .unwrap_or(self.received_at);
            (status, at)
        };
        out.events.push(self.event(
            Contact::phone(wa_id(jid)?, None),
            EventBody::Status(DeliveryStatus {
                id: id.to_owned(),
                status: status.to_owned(),
                timestamp,
                error: None,
                callback_data: None,
                raw: update.clone(),
            }),
        ));
        Ok(())
    }

    fn session(&self, data: &Value, out: &mut Delivery) -> Result<(), ParseError> {
        let status = data
            .get("status")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(ParseError::without("session.status", "status"))?;
        out.events.push(self.event(
            Contact::phone(self.number.clone(), None),
            EventBody::Session(SessionState {
                status: status.to_owned(),
                timestamp: self.fallback_time.unwrap_or(self.received_at),
                raw: data.clone(),
            }),
        ));
        Ok(())
    }
}

/// Message type and text of a WhatsApp (Baileys-style) message object, with
/// the JSON pointer the text was found at (into the whole message object,
/// whose `message` is `content`).
fn content_of(content: &Value) -> (String, Option<(&'static str, String)>) {
    let kinds: &[(&str, &str, &str)] = &[
        ("conversation", "text", "/message/conversation"),
        (
            "extendedTextMessage",
            "text",
            "/message/extendedTextMessage/text",
        ),
        ("imageMessage", "image", "/message/imageMessage/caption"),
        ("videoMessage", "video", "/message/videoMessage/caption"),
        ("audioMessage", "audio", ""),
        (
            "documentMessage",
            "document",
            "/message/documentMessage/caption",
        ),
        ("stickerMessage", "sticker", ""),
        (
            "locationMessage",
            "location",
            "/message/locationMessage/name",
        ),
        (
            "contactMessage",
            "contacts",
            "/message/contactMessage/displayName",
        ),
        (
            "reactionMessage",
            "reaction",
            "/message/reactionMessage/text",
        ),
        (
            "buttonsResponseMessage",
            "button",
            "/message/buttonsResponseMessage/selectedDisplayText",
        ),
        (
            "listResponseMessage",
            "interactive",
            "/message/listResponseMessage/title",
        ),
    ];
    for &(field, kind, pointer) in kinds {
        if content.get(field).is_some() {
            let body = pointer
                .strip_prefix("/message")
                .and_then(|inner| crate::envelope::pointer(content, inner))
                .and_then(Value::as_str)
                .map(|text| (pointer, text.to_owned()));
            return (kind.to_owned(), body);
        }
    }
    ("unsupported".to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::NumberCredentials;
    use proptest::prelude::*;
    use serde_json::json;

    fn directory() -> NumberDirectory {
        NumberDirectory::new(&[NumberCredentials::signed_by(
            Provider::Wasender,
            "session-7",
            "wh-secret",
        )])
    }

    fn headers(secret: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(SIGNATURE_HEADER, secret.parse().expect("header"));
        h
    }

    fn accept(body: &Value, secret: &str) -> Result<Delivery, Rejection> {
        WasenderWebhook.accept(
            &directory(),
            &headers(secret),
            body.to_string().as_bytes(),
            "eu",
        )
    }

    #[test]
    fn the_sdk_spelling_is_read_and_unknown_events_are_parked_not_refused() {
        let message = json!({"key": {"id": "3EB0SDK", "fromMe": false, "remoteJid": "4915112345@s.whatsapp.net"},
                             "messageTimestamp": 1_700_000_000, "message": {"conversation": "hi"}});
        let sdk = json!({"event": "messages.recieved", "data": {"messages": message}});
        let delivery = accept(&sdk, "wh-secret").expect("accepted");
        assert_eq!(delivery.events.len(), 1);
        assert_eq!(delivery.events[0].msg_id(), "wasender:msg:3EB0SDK");
        let unknown = json!({"event": "presence.teleport", "data": {"to": "mars"}});
        let delivery = accept(&unknown, "wh-secret").expect("accepted, not refused");
        assert_eq!(delivery.unparsed(), 1);
        let event = &delivery.events[0];
        assert_eq!(event.business_number, "session-7");
        match &event.body {
            EventBody::Unparsed(u) => {
                assert!(u.reason.contains("presence.teleport"), "{}", u.reason);
                assert_eq!(u.raw, unknown);
            }
            other => panic!("{other:?}"),
        }
        // A message it cannot read parks the whole event (nothing half-split).
        let broken = json!({"event": "messages.upsert", "data": {"messages": [
            message, {"key": {"fromMe": false, "remoteJid": "1@s.whatsapp.net"}}]}});
        let delivery = accept(&broken, "wh-secret").expect("accepted");
        assert_eq!((delivery.events.len(), delivery.unparsed()), (1, 1));
    }

    #[test]
    fn a_received_message_in_object_form_becomes_one_event() {
        let body = json!({"event": "messages.received", "timestamp": 1_700_000_000_123i64, "data": {"messages": {
            "key": {"id": "3EB0A1", "fromMe": false, "remoteJid": "4915112345@s.whatsapp.net"},
            "pushName": "Ana", "messageTimestamp": 1_700_000_000, "message": {"conversation": "hola"}}}});
        let delivery = accept(&body, "wh-secret").expect("accepted");
        assert_eq!(delivery.events.len(), 1);
        let event = &delivery.events[0];
        assert_eq!(event.msg_id(), "wasender:msg:3EB0A1");
        assert_eq!(event.business_number, "session-7");
        assert_eq!(event.contact.wa_id, "4915112345");
        match &event.body {
            EventBody::Message(m) => {
                assert_eq!(m.text.as_deref(), Some("hola"));
                assert_eq!(m.text_at.as_deref(), Some("/message/conversation"));
                assert_eq!(m.timestamp.timestamp(), 1_700_000_000);
            }
            other => panic!("expected a message, got {other:?}"),
        }
    }

    #[test]
    fn upsert_arrays_skip_our_own_echoes() {
        let body = json!({"event": "messages.upsert", "data": {"messages": [
            {"key": {"id": "A", "fromMe": false, "remoteJid": "111@s.whatsapp.net"}, "messageTimestamp": 1_700_000_000,
             "message": {"imageMessage": {"caption": "receipt"}}},
            {"key": {"id": "B", "fromMe": true, "remoteJid": "111@s.whatsapp.net"}, "messageTimestamp": 1_700_000_001,
             "message": {"conversation": "our reply"}}]}});
        let delivery = accept(&body, "wh-secret").expect("accepted");
        assert_eq!(delivery.events.len(), 1);
        assert_eq!(delivery.echoes, 1);
        let bytes = delivery.events[0].encode().expect("encode");
        assert_eq!(
            InboundEvent::decode(&bytes).expect("decode"),
            delivery.events[0]
        );
        assert!(
            !String::from_utf8(bytes)
                .expect("utf8")
                .contains(r#""text":"receipt""#)
        );
        match &delivery.events[0].body {
            EventBody::Message(m) => assert_eq!(
                (
                    m.message_type.as_str(),
                    m.text.as_deref(),
                    m.text_at.as_deref()
                ),
                (
                    "image",
                    Some("receipt"),
                    Some("/message/imageMessage/caption")
                )
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn status_codes_and_receipts_map_to_words() {
        let body = json!({"event": "messages.update", "data": [
            {"key": {"id": "M1", "remoteJid": "111@s.whatsapp.net", "fromMe": true}, "update": {"status": 3, "timestamp": 1_700_000_000_500i64}},
            {"key": {"id": "M2", "remoteJid": "111@s.whatsapp.net", "fromMe": true}, "update": {"status": 0}}]});
        let delivery = accept(&body, "wh-secret").expect("accepted");
        let ids: Vec<String> = delivery.events.iter().map(InboundEvent::msg_id).collect();
        assert_eq!(
            ids,
            ["wasender:status:M1:delivered", "wasender:status:M2:failed"]
        );
        assert_eq!(
            delivery.events[0].timestamp().timestamp_millis(),
            1_700_000_000_500
        );
        let receipt = json!({"event": "message-receipt.update", "data": {"key": {"id": "M1", "remoteJid": "111@s.whatsapp.net"},
            "receipt": {"userJid": "111@s.whatsapp.net", "readTimestamp": 1_700_000_100}}});
        let delivery = accept(&receipt, "wh-secret").expect("accepted");
        assert_eq!(delivery.events[0].msg_id(), "wasender:status:M1:read");
        for (code, word) in [
            (0, "failed"),
            (1, "pending"),
            (2, "sent"),
            (3, "delivered"),
            (4, "read"),
            (5, "played"),
        ] {
            assert_eq!(status_name(code), Some(word));
        }
        assert_eq!(status_name(6), None);
    }

    #[test]
    fn session_status_is_kept_for_health() {
        let body = json!({"event": "session.status", "timestamp": 1_700_000_000_000i64, "data": {"status": "need_scan"}});
        let delivery = accept(&body, "wh-secret").expect("accepted");
        match &delivery.events[0].body {
            EventBody::Session(s) => assert_eq!(s.status, "need_scan"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrong_or_missing_secret_is_rejected_before_parsing() {
        let body = json!({"event": "messages.received", "data": {}});
        assert_eq!(accept(&body, "guess"), Err(Rejection::BadSignature));
        let err = WasenderWebhook.accept(&directory(), &http::HeaderMap::new(), b"{}", "eu");
        assert_eq!(err, Err(Rejection::MissingSignature));
        let err = WasenderWebhook.accept(&directory(), &headers("wh-secret"), b"not json", "eu");
        assert_eq!(err.map_err(|e| e.code()), Err("malformed"));
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("event"),
                Just("data"),
                Just("messages"),
                Just("key"),
                Just("id")
            ]
            .prop_map(|s| Value::String(s.into())),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("event".to_string()),
                        Just("data".to_string()),
                        Just("messages".to_string()),
                        Just("key".to_string()),
                        Just("id".to_string()),
                        Just("remoteJid".to_string()),
                        Just("fromMe".to_string()),
                        Just("update".to_string()),
                        Just("status".to_string()),
                        Just("receipt".to_string()),
                        Just("message".to_string()),
                        Just("messageTimestamp".to_string()),
                        ".{0,6}",
                    ],
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = WasenderWebhook.accept(&directory(), &headers("wh-secret"), &bytes, "eu");
        }

        #[test]
        fn arbitrary_json_never_panics(value in arbitrary_json()) {
            let _ = WasenderWebhook.accept(&directory(), &headers("wh-secret"), value.to_string().as_bytes(), "eu");
        }
    }
}
