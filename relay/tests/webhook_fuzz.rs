//! Bounded fuzzing of the webhook parsers and signature checks (proptest at
//! a high case count; `WHARF_FUZZ_CASES` per property, 10 000 by default, so
//! CI's time stays bounded). The unit tests beside the parsers run the same
//! kind of properties at proptest's default 256 cases; these mutate real,
//! correctly signed deliveries so the parsers' deep paths are reached, and
//! check that nothing but the exact secret or signature is ever accepted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use proptest::test_runner::Config;
use relay::envelope::Provider;
use relay::provider::meta::{MetaWebhook, sign, verify_signature};
use relay::provider::wasender::WasenderWebhook;
use relay::provider::{NumberCredentials, NumberDirectory, WebhookParser};
use relay::secret::Secret;

const META_SECRET: &str = "fuzz-app-secret";
const WASENDER_SECRET: &str = "fuzz-wasender-secret";

fn cases() -> u32 {
    std::env::var("WHARF_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    }
}

fn directory() -> NumberDirectory {
    NumberDirectory::new(&[
        NumberCredentials {
            verify_token: Secret::new("vt"),
            ..NumberCredentials::signed_by(Provider::Meta, "1065", META_SECRET)
        },
        NumberCredentials::signed_by(Provider::Wasender, "session-7", WASENDER_SECRET),
    ])
}

fn meta_delivery() -> Vec<u8> {
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001", "phone_number_id": "1065"},
            "contacts": [{"profile": {"name": "Ana"}, "wa_id": "4915112345"}],
            "messages": [
                {"from": "4915112345", "id": "wamid.A", "timestamp": "1700000000", "type": "text", "text": {"body": "hi"}},
                {"from": "4915112345", "id": "wamid.B", "timestamp": "1700000001", "type": "image", "image": {"id": "m1", "caption": "c"}}
            ],
            "statuses": [{"id": "wamid.OUT", "status": "failed", "timestamp": "1700000002", "recipient_id": "4915112345",
                          "biz_opaque_callback_data": "42",
                          "errors": [{"code": 131026, "title": "Message undeliverable"}]}]
        }}]}]
    })
    .to_string()
    .into_bytes()
}

fn wasender_delivery() -> Vec<u8> {
    serde_json::json!({
        "event": "messages.upsert",
        "sessionId": "session-7",
        "timestamp": 1_700_000_000,
        "data": {"messages": {
            "key": {"id": "3EB0X", "remoteJid": "4915112345@s.whatsapp.net", "fromMe": false},
            "pushName": "Ana",
            "messageTimestamp": 1_700_000_000,
            "message": {"conversation": "hi"}
        }}
    })
    .to_string()
    .into_bytes()
}

fn meta_headers(signature: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    if let Ok(value) = signature.parse() {
        h.insert(relay::provider::meta::SIGNATURE_HEADER, value);
    }
    h
}

fn wasender_headers(secret: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    if let Ok(value) = secret.parse() {
        h.insert(relay::provider::wasender::SIGNATURE_HEADER, value);
    }
    h
}

/// A byte-level edit of a delivery: flip, delete, insert or truncate.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<usize>(),
            prop::collection::vec(
                prop_oneof![
                    any::<u8>(),
                    Just(b'"'),
                    Just(b'{'),
                    Just(b'}'),
                    Just(b'['),
                    Just(b','),
                    Just(b'\\')
                ],
                1..8
            )
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ];
    prop::collection::vec(edit, 1..4)
}

fn apply(mut body: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = body.len().max(1);
        match edit {
            Edit::Flip(i, bit) => {
                if !body.is_empty() {
                    body[i % len] ^= 1 << bit;
                }
            }
            Edit::Delete(i, n) => {
                let start = (i % len).min(body.len());
                let end = (start + n).min(body.len());
                body.drain(start..end);
            }
            Edit::Insert(i, bytes) => {
                let at = (i % len).min(body.len());
                body.splice(at..at, bytes.iter().copied());
            }
            Edit::Truncate(i) => body.truncate(i % len),
        }
    }
    body
}

proptest! {
    #![proptest_config(config())]

    /// Mutated, correctly signed Meta deliveries never panic; whatever is
    /// accepted carries Meta message ids for our number.
    #[test]
    fn mutated_signed_meta_deliveries_never_panic(edits in edits()) {
        let body = apply(meta_delivery(), &edits);
        let headers = meta_headers(&sign(META_SECRET, &body));
        if let Ok(delivery) = MetaWebhook.accept(&directory(), &headers, &body, "eu") {
            for event in &delivery.events {
                prop_assert!(event.msg_id().starts_with("meta:"), "{}", event.msg_id());
            }
        }
    }

    /// The same mutations signed with another secret are always refused.
    #[test]
    fn meta_deliveries_signed_with_another_secret_are_refused(edits in edits(), secret in "[a-zA-Z0-9]{1,24}") {
        prop_assume!(secret != META_SECRET);
        let body = apply(meta_delivery(), &edits);
        let headers = meta_headers(&sign(&secret, &body));
        prop_assert!(MetaWebhook.accept(&directory(), &headers, &body, "eu").is_err());
    }

    /// No signature header but the exact HMAC verifies.
    #[test]
    fn only_the_exact_meta_signature_verifies(header in "(sha256=)?[0-9a-fA-F]{0,70}|.{0,80}") {
        let body = meta_delivery();
        let good = sign(META_SECRET, &body);
        let verdict = verify_signature(&Secret::new(META_SECRET), &header, &body);
        if header == good {
            prop_assert!(verdict.is_ok());
        } else {
            prop_assert!(verdict.is_err(), "{header} verified");
        }
    }

    /// Mutated WasenderApi deliveries with the right secret never panic.
    #[test]
    fn mutated_wasender_deliveries_never_panic(edits in edits()) {
        let body = apply(wasender_delivery(), &edits);
        let _ = WasenderWebhook.accept(&directory(), &wasender_headers(WASENDER_SECRET), &body, "eu");
    }

    /// Only the session's exact webhook secret is accepted.
    #[test]
    fn only_the_exact_wasender_secret_is_accepted(secret in ".{0,40}") {
        let body = wasender_delivery();
        let verdict = WasenderWebhook.accept(&directory(), &wasender_headers(&secret), &body, "eu");
        if secret != WASENDER_SECRET {
            prop_assert!(verdict.is_err(), "accepted with {secret:?}");
        }
    }
}

#[test]
fn the_unmutated_deliveries_are_accepted() {
    let body = meta_delivery();
    let delivery = MetaWebhook
        .accept(
            &directory(),
            &meta_headers(&sign(META_SECRET, &body)),
            &body,
            "eu",
        )
        .unwrap();
    assert_eq!(delivery.events.len(), 3);
    let body = wasender_delivery();
    let delivery = WasenderWebhook
        .accept(
            &directory(),
            &wasender_headers(WASENDER_SECRET),
            &body,
            "eu",
        )
        .unwrap();
    assert_eq!(delivery.events.len(), 1);
}
