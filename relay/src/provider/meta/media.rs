//! Meta's inbound media: the webhook names a media id (`image.id`,
//! `audio.id`, …, with `mime_type`, `sha256`, a document's `filename`, a
//! sticker's `animated`); `GET {graph}/{version}/{media-id}` with the
//! number's access token answers `{url, mime_type, sha256, file_size, id}`,
//! and the file is a `GET` of that URL with the same Bearer token. The URL
//! expires within minutes (Meta's Cloud API media reference, "Retrieve
//! media URL" and "Download media"), so it is looked up again on every
//! attempt and never stored or logged. The sandbox answers the same way.

use futures::future::BoxFuture;
use serde_json::Value;

use crate::provider::media::{
    self, Located, Lookup, MediaClass, MediaError, MediaKeys, MediaRef, MediaSource,
};

/// The keys of Meta's media object in a webhook.
const KEYS: MediaKeys = MediaKeys {
    mime: "mime_type",
    sha256: "sha256",
    size: "file_size",
    filename: "filename",
    animated: "animated",
};

/// Meta's (and the sandbox's) media look-up.
pub struct MetaMedia;

impl MediaSource for MetaMedia {
    fn reference(&self, message_type: &str, raw: &Value) -> Option<MediaRef> {
        let class = MediaClass::of(message_type)?;
        let object = raw.get(message_type)?;
        media::text(object, "id")?;
        Some(MediaRef::read(class, object, &KEYS))
    }

    fn locate<'a>(&'a self, lookup: Lookup<'a>) -> BoxFuture<'a, Result<Located, MediaError>> {
        Box::pin(async move {
            let id = lookup
                .raw
                .get(lookup.message_type)
                .and_then(|o| media::text(o, "id"))
                .ok_or_else(|| {
                    MediaError::permanent("no_reference", "the message has no media id")
                })?;
            if !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(MediaError::permanent(
                    "no_reference",
                    "the media id is not an id",
                ));
            }
            let url = format!(
                "{}/{}/{id}",
                lookup.base_url.trim_end_matches('/'),
                lookup.api_version
            );
            let response = lookup
                .http
                .get(&url)
                .bearer_auth(lookup.token)
                .send()
                .await
                .map_err(|e| MediaError::request("media URL look-up", &e))?;
            if !response.status().is_success() {
                return Err(MediaError::status("media URL look-up", response.status()));
            }
            let body: Value = response.json().await.map_err(|_| {
                MediaError::retryable(
                    "provider_error",
                    "media URL look-up: the answer is not JSON",
                )
            })?;
            let url = media::text(&body, "url").ok_or_else(|| {
                MediaError::retryable("provider_error", "media URL look-up: the answer has no url")
            })?;
            Ok(Located {
                url,
                bearer: true,
                mime: media::text(&body, "mime_type"),
                sha256: media::text(&body, "sha256"),
                size: media::size(&body, "file_size"),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_webhook_media_object_is_a_reference() {
        let raw = json!({"type": "document", "document": {
            "id": "1234", "mime_type": "application/pdf", "sha256": "abc=", "filename": "invoice.pdf"}});
        let found = MetaMedia.reference("document", &raw).expect("a reference");
        assert_eq!(found.class, MediaClass::Document);
        assert_eq!(found.filename.as_deref(), Some("invoice.pdf"));
        assert_eq!(found.mime.as_deref(), Some("application/pdf"));
        let sticker = json!({"sticker": {"id": "9", "animated": true, "mime_type": "image/webp"}});
        assert!(
            MetaMedia
                .reference("sticker", &sticker)
                .expect("a reference")
                .animated
        );
        assert_eq!(
            MetaMedia.reference("text", &json!({"text": {"body": "x"}})),
            None
        );
        assert_eq!(MetaMedia.reference("image", &json!({"image": {}})), None);
    }
}
