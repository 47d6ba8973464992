//! Media on the wire, for tests: files the sandbox serves as Meta's media
//! API does, and Meta deliveries naming them (tests/media.rs,
//! tests/observability.rs).
#![allow(dead_code)]

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::{PHONE_NUMBER_ID, Stack};

/// SHA-256 of `bytes`, base64, as Meta's webhooks state it.
pub fn sha256_b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes))
}

/// Registers a file with the sandbox under `media_id`.
pub async fn serve(stack: &Stack, media_id: &str, mime: &str, bytes: &[u8], fail_downloads: u32) {
    let response = stack
        .http
        .put(format!("{}/sandbox/media/{media_id}", stack.sandbox_url))
        .json(&json!({
            "mime_type": mime,
            "data_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
            "fail_downloads": fail_downloads,
        }))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// One media message as Meta's webhook carries it.
pub struct Media<'a> {
    pub wamid: &'a str,
    pub kind: &'a str,
    pub media_id: &'a str,
    pub mime: &'a str,
    /// The SHA-256 the webhook states (of the right bytes).
    pub sha256: String,
    pub extra: Value,
}

/// A signed-ready Meta delivery of several media messages from `from`.
pub fn meta_media(from: &str, messages: &[Media<'_>]) -> Vec<u8> {
    let now = chrono::Utc::now().timestamp().to_string();
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| {
            let mut object = json!({"id": m.media_id, "mime_type": m.mime, "sha256": m.sha256});
            if let (Some(object), Some(extra)) = (object.as_object_mut(), m.extra.as_object()) {
                object.extend(extra.clone());
            }
            json!({"from": from, "id": m.wamid, "timestamp": now, "type": m.kind, m.kind: object})
        })
        .collect();
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Mia"}, "wa_id": from}],
            "messages": messages,
        }}]}],
    })
    .to_string()
    .into_bytes()
}
