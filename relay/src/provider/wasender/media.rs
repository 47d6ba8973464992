//! WasenderApi's inbound media: a `messages.upsert` / `messages.received`
//! message carries WhatsApp's encrypted file (`message.<kind>Message`:
//! `url`, `mediaKey`, `mimetype`, `fileSha256`, `fileLength`, `fileName`;
//! WasenderApi's "Processing Media Messages from Webhook Events"). Its
//! `POST /api/decrypt-media` (session API key as Bearer, body
//! `{data: {messages: {key: {id}, message: {<kind>Message: …}}}}`) decrypts
//! it and answers a `publicUrl` valid for one hour ("Decrypt Media File"),
//! downloaded without a token. `fileSha256` is WhatsApp's base64 SHA-256
//! of the decrypted file, checked like Meta's.

use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::provider::media::{
    self, Located, Lookup, MediaClass, MediaError, MediaKeys, MediaRef, MediaSource,
};

/// WasenderApi's media look-up.
pub struct WasenderMedia;

/// The `<kind>Message` object of a message's content, with its class.
fn media_object(raw: &Value) -> Option<(&'static str, MediaClass, &Value)> {
    let content = raw.get("message")?;
    [
        ("imageMessage", MediaClass::Image),
        ("videoMessage", MediaClass::Video),
        ("audioMessage", MediaClass::Audio),
        ("documentMessage", MediaClass::Document),
        ("stickerMessage", MediaClass::Sticker),
    ]
    .into_iter()
    .find_map(|(key, class)| Some((key, class, content.get(key)?)))
}

/// The keys of a WasenderApi (Baileys) media message.
const KEYS: MediaKeys = MediaKeys {
    mime: "mimetype",
    sha256: "fileSha256",
    size: "fileLength",
    filename: "fileName",
    animated: "isAnimated",
};

impl MediaSource for WasenderMedia {
    fn reference(&self, _message_type: &str, raw: &Value) -> Option<MediaRef> {
        let (_, class, object) = media_object(raw)?;
        media::text(object, "url")?;
        media::text(object, "mediaKey")?;
        Some(MediaRef::read(class, object, &KEYS))
    }

    fn locate<'a>(&'a self, lookup: Lookup<'a>) -> BoxFuture<'a, Result<Located, MediaError>> {
        Box::pin(async move {
            let (key, _, object) = media_object(lookup.raw).ok_or_else(|| {
                MediaError::permanent("no_reference", "the message has no media object")
            })?;
            let mut file = serde_json::Map::new();
            for field in [
                "url",
                "mimetype",
                "mediaKey",
                "fileSha256",
                "fileLength",
                "fileName",
            ] {
                if let Some(value) = object.get(field) {
                    file.insert(field.into(), value.clone());
                }
            }
            let body = json!({"data": {"messages": {
                "key": {"id": lookup.message_id},
                "message": {key: Value::Object(file)},
            }}});
            let url = format!(
                "{}/api/decrypt-media",
                lookup.base_url.trim_end_matches('/')
            );
            let response = lookup
                .http
                .post(&url)
                .bearer_auth(lookup.token)
                .json(&body)
                .send()
                .await
                .map_err(|e| MediaError::request("decrypt-media", &e))?;
            if !response.status().is_success() {
                return Err(MediaError::status("decrypt-media", response.status()));
            }
            let answer: Value = response.json().await.map_err(|_| {
                MediaError::retryable("provider_error", "decrypt-media: the answer is not JSON")
            })?;
            let url = media::text(&answer, "publicUrl")
                .or_else(|| answer.get("data").and_then(|d| media::text(d, "publicUrl")))
                .ok_or_else(|| {
                    MediaError::retryable("provider_error", "decrypt-media: no publicUrl")
                })?;
            Ok(Located {
                url,
                bearer: false,
                mime: None,
                sha256: None,
                size: None,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_file_is_a_reference() {
        let raw = json!({"key": {"id": "ABC"}, "message": {"audioMessage": {
            "url": "https://mmg.whatsapp.net/x", "mediaKey": "k", "mimetype": "audio/ogg; codecs=opus",
            "fileSha256": "q83v", "fileLength": "2048", "ptt": true}}});
        let found = WasenderMedia.reference("audio", &raw).expect("a reference");
        assert_eq!(found.class, MediaClass::Audio);
        assert_eq!(found.size, Some(2048));
        assert_eq!(found.sha256.as_deref(), Some("q83v"));
        let text = json!({"message": {"conversation": "hi"}});
        assert_eq!(WasenderMedia.reference("text", &text), None);
    }
}
