//! Outbound direction for WasenderApi: `POST /api/send-message` with the
//! session's API key as Bearer token, and the classification of its errors.
//! WasenderApi has no message templates and no field that carries our id:
//! statuses are matched by the `msgId` it answers with, which its
//! `messages.update` webhooks name as `key.id`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::envelope::{MediaKind, OutboundReply, ReplyContent};
use crate::provider::client::{self, Answer, Timeouts};
use futures::future::BoxFuture;

use crate::provider::{ReplySender, SendError, UploadFile};
use crate::sender::ratelimit::Limit;

/// WasenderApi, where a number has no `api_base_url` of its own.
pub const DEFAULT_BASE_URL: &str = "https://www.wasenderapi.com";

/// A pooled WasenderApi client.
#[derive(Clone)]
pub struct WasenderClient {
    endpoint: client::SendEndpoint,
}

impl WasenderClient {
    /// A client for WasenderApi at `base_url` (where a number has none of
    /// its own), pacing each session at `limit`.
    ///
    /// # Errors
    /// When the TLS backend cannot start.
    pub fn new(timeouts: Timeouts, base_url: &str, limit: Limit) -> reqwest::Result<Self> {
        Ok(Self {
            endpoint: client::SendEndpoint::new(timeouts, 8, base_url, limit)?,
        })
    }
}

/// `POST /api/send-message` with the session's API key as Bearer token;
/// the id is `data.msgId`.
impl ReplySender for WasenderClient {
    fn endpoint(&self) -> &client::SendEndpoint {
        &self.endpoint
    }

    fn request(
        &self,
        base_url: &str,
        reply: &OutboundReply,
        media: Option<&str>,
    ) -> Result<(String, Value), SendError> {
        let url = format!("{}/api/send-message", base_url.trim_end_matches('/'));
        Ok((url, request_body(reply, media)?))
    }

    /// `POST /api/upload` with the raw file as body and its type as
    /// `Content-Type`; WasenderApi serves it at the answer's `publicUrl`
    /// for 24 hours ([WasenderApi: Upload Media File](https://wasenderapi.com/api-docs/messages/upload-media-file)).
    fn upload<'a>(
        &'a self,
        base_url: &'a str,
        token: &'a str,
        file: &'a UploadFile,
    ) -> BoxFuture<'a, Result<String, SendError>> {
        Box::pin(async move {
            let url = format!("{}/api/upload", base_url.trim_end_matches('/'));
            let request = self
                .http()
                .post(&url)
                .bearer_auth(token)
                .header(reqwest::header::CONTENT_TYPE, file.mime.as_str())
                .body(file.bytes.clone());
            let answer = client::call(request).await?;
            if !self.accepted(&answer) {
                return Err(self.classify(&answer));
            }
            upload_url(&answer.body)
                .ok_or_else(|| SendError::bad_response("an upload answered without a publicUrl"))
        })
    }

    /// WasenderApi serves an upload for 24 hours; an hour is kept in hand.
    fn upload_lifetime(&self) -> Duration {
        Duration::from_secs(23 * 3600)
    }

    /// WasenderApi may answer 200 with `success: false`.
    fn accepted(&self, answer: &Answer) -> bool {
        answer.status.is_success()
            && answer.body.get("success").and_then(Value::as_bool) != Some(false)
    }

    fn message_id(&self, body: &Value) -> Option<String> {
        message_id(body)
    }

    fn classify(&self, answer: &Answer) -> SendError {
        classify(answer.status.as_u16(), &answer.body, answer.retry_after)
    }
}

/// `data.msgId`, a number in WasenderApi's answers (a string accepted too).
fn message_id(body: &Value) -> Option<String> {
    match body.pointer("/data/msgId")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// Where an upload answer says the file is: `publicUrl` (as its
/// decrypt-media answer), also looked for under `data`.
fn upload_url(body: &Value) -> Option<String> {
    ["/publicUrl", "/data/publicUrl", "/data/url", "/url"]
        .iter()
        .find_map(|p| body.pointer(p).and_then(Value::as_str))
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_owned)
}

/// The WasenderApi request for a reply: E.164 recipient and the text, or
/// a file by URL (an attachment's is `media`, where its upload serves it).
///
/// # Errors
/// Templates: WasenderApi has none (permanent).
pub fn request_body(reply: &OutboundReply, media: Option<&str>) -> Result<Value, SendError> {
    let to = format!("+{}", reply.to.trim_start_matches('+'));
    let by_url =
        |kind: &MediaKind, url: &str, caption: &Option<String>, filename: &Option<String>| {
            let field = match kind {
                MediaKind::Image => "imageUrl",
                MediaKind::Video => "videoUrl",
                MediaKind::Audio => "audioUrl",
                MediaKind::Document => "documentUrl",
            };
            let mut body = json!({ "to": to, field: url });
            if let Some(caption) = caption {
                body["text"] = json!(caption);
            }
            if let Some(filename) = filename.as_ref().filter(|_| *kind == MediaKind::Document) {
                body["fileName"] = json!(filename);
            }
            body
        };
    match &reply.content {
        ReplyContent::Text { body } => Ok(json!({ "to": to, "text": body })),
        // No interactive messages on WasenderApi: the choices as lines of
        // text; the customer answers by typing one.
        ReplyContent::Interactive {
            body,
            choices,
            footer,
            ..
        } => {
            let mut text = body.clone();
            text.push('\n');
            for choice in choices {
                text.push('\n');
                text.push_str(&choice.title);
            }
            if let Some(footer) = footer {
                text.push_str("\n\n");
                text.push_str(footer);
            }
            Ok(json!({ "to": to, "text": text }))
        }
        ReplyContent::Media {
            kind,
            url,
            caption,
            filename,
        } => Ok(by_url(kind, url, caption, filename)),
        ReplyContent::Attachment {
            kind,
            caption,
            filename,
            ..
        } => {
            let url = media.ok_or_else(|| SendError {
                retryable: false,
                code: "not_uploaded".into(),
                reason: "an attachment reached the send without its URL".into(),
                retry_after: None,
            })?;
            Ok(by_url(kind, url, caption, filename))
        }
        ReplyContent::Template { .. } => Err(SendError {
            retryable: false,
            code: "template_unsupported".into(),
            reason: "WasenderApi cannot send message templates".into(),
            retry_after: None,
        }),
    }
}

/// Classifies a failed WasenderApi answer: 429, 408 and 5xx clear up by
/// waiting (a 429 waits at least `Retry-After`, or `retry_after` seconds in
/// the body, or 5 s: the account-protection pace); other 4xx (bad key,
/// invalid number, validation) do not.
pub fn classify(status: u16, body: &Value, retry_after: Option<Duration>) -> SendError {
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no error message");
    let retryable = status == 429 || status == 408 || status >= 500;
    let body_wait = body
        .get("retry_after")
        .and_then(Value::as_u64)
        .map(Duration::from_secs);
    SendError {
        retryable,
        code: format!("wasender_{status}"),
        reason: format!("HTTP {status}: {message}"),
        retry_after: retry_after
            .or(body_wait)
            .or_else(|| (status == 429).then(|| Duration::from_secs(5))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reply(content: ReplyContent) -> OutboundReply {
        OutboundReply {
            message_id: 7,
            conversation_id: 1,
            business_number: "session-1".into(),
            to: "4915100000001".into(),
            content,
            campaign_id: None,
        }
    }

    fn request_body_of(reply: &OutboundReply) -> Result<Value, SendError> {
        request_body(reply, None)
    }

    #[test]
    fn attachments_go_by_the_url_their_upload_answered() {
        let content = ReplyContent::Attachment {
            kind: MediaKind::Document,
            object: "out-1".into(),
            mime: "application/pdf".into(),
            size: 10,
            sha256: "00".into(),
            caption: Some("Your invoice".into()),
            filename: Some("invoice.pdf".into()),
            dimensions: None,
        };
        assert!(request_body(&reply(content.clone()), None).is_err());
        let body = request_body(&reply(content), Some("https://files.example/x.pdf")).unwrap();
        assert_eq!(
            body,
            json!({"to": "+4915100000001", "documentUrl": "https://files.example/x.pdf",
                   "text": "Your invoice", "fileName": "invoice.pdf"})
        );
        assert_eq!(
            upload_url(&json!({"success": true, "publicUrl": "https://u.example/f"})),
            Some("https://u.example/f".into())
        );
        assert_eq!(
            upload_url(&json!({"data": {"publicUrl": "https://u.example/g"}})),
            Some("https://u.example/g".into())
        );
        assert_eq!(
            upload_url(&json!({"publicUrl": "javascript:alert(1)"})),
            None
        );
    }

    #[test]
    fn text_goes_to_an_e164_number_and_templates_are_refused() {
        let body = request_body_of(&reply(ReplyContent::Text { body: "hi".into() })).unwrap();
        assert_eq!(body, json!({"to": "+4915100000001", "text": "hi"}));
        let body = request_body_of(&reply(ReplyContent::Media {
            kind: MediaKind::Image,
            url: "https://example.com/a.jpg".into(),
            caption: Some("look".into()),
            filename: None,
        }))
        .unwrap();
        assert_eq!(
            body,
            json!({"to": "+4915100000001", "imageUrl": "https://example.com/a.jpg", "text": "look"})
        );
        let err = request_body_of(&reply(ReplyContent::Template {
            name: "t".into(),
            language: "en".into(),
            parameters: vec![],
        }))
        .unwrap_err();
        assert!(!err.retryable);
        assert_eq!(err.code, "template_unsupported");
    }

    #[test]
    fn throttling_and_server_errors_retry_bad_keys_and_numbers_do_not() {
        let throttled = classify(
            429,
            &json!({"message": "slow down", "retry_after": 12}),
            None,
        );
        assert!(throttled.retryable);
        assert_eq!(throttled.retry_after, Some(Duration::from_secs(12)));
        assert_eq!(
            classify(429, &Value::Null, None).retry_after,
            Some(Duration::from_secs(5))
        );
        assert!(classify(503, &Value::Null, None).retryable);
        let bad_key = classify(401, &json!({"message": "Invalid API key"}), None);
        assert!(!bad_key.retryable);
        assert_eq!(bad_key.code, "wasender_401");
        assert!(bad_key.reason.contains("Invalid API key"));
        assert!(!classify(422, &json!({"message": "to is invalid"}), None).retryable);
    }

    #[test]
    fn the_message_id_is_read_as_number_or_string() {
        assert_eq!(
            message_id(
                &json!({"success": true, "data": {"msgId": 100_000, "status": "in_progress"}})
            ),
            Some("100000".into())
        );
        assert_eq!(
            message_id(&json!({"data": {"msgId": "abc"}})),
            Some("abc".into())
        );
        assert_eq!(message_id(&json!({"data": {}})), None);
    }
}
