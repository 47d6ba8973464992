//! Outbound direction for Meta's Cloud API (and the sandbox, which speaks it):
//! `POST /{version}/{phone-number-id}/messages` and the classification of its
//! errors into retryable and permanent.

use std::time::Duration;

use serde_json::{Value, json};

use crate::envelope::{Choice, MediaKind, OutboundReply, ReplyContent};
use crate::provider::client::{self, Answer, Timeouts};
use futures::future::BoxFuture;

use crate::provider::{ReplySender, SendError, UploadFile};
use crate::sender::ratelimit::Limit;

// Where callers found them before they were shared by every provider.
pub use crate::provider::client::{parse_retry_after, without_url};

/// Meta's Graph API, where a number has no `api_base_url` of its own.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The Graph API version Wharf speaks by default.
pub const DEFAULT_API_VERSION: &str = "v21.0";

/// A pooled Cloud API client.
#[derive(Clone)]
pub struct MetaClient {
    endpoint: client::SendEndpoint,
    api_version: String,
}

impl MetaClient {
    /// A client for the Graph API at `base_url` (where a number has none
    /// of its own) in `api_version`, pacing each number at `limit`.
    ///
    /// # Errors
    /// When the TLS backend cannot start.
    pub fn new(
        timeouts: Timeouts,
        base_url: &str,
        api_version: &str,
        limit: Limit,
    ) -> reqwest::Result<Self> {
        Ok(Self {
            endpoint: client::SendEndpoint::new(timeouts, 32, base_url, limit)?,
            api_version: api_version.to_owned(),
        })
    }
}

/// `POST /{version}/{phone-number-id}/messages`; the id is `messages[0].id`
/// (`wamid.…`).
impl ReplySender for MetaClient {
    fn endpoint(&self) -> &client::SendEndpoint {
        &self.endpoint
    }

    fn request(
        &self,
        base_url: &str,
        reply: &OutboundReply,
        media: Option<&str>,
    ) -> Result<(String, Value), SendError> {
        let url = format!(
            "{}/{}/{}/messages",
            base_url.trim_end_matches('/'),
            self.api_version,
            reply.business_number
        );
        Ok((url, request_body(reply, media)?))
    }

    /// `POST /{version}/{phone-number-id}/media`, multipart with
    /// `messaging_product`, `type` and `file`; the answer's `id` is the
    /// media id a message names ([Meta: Media, "Upload media"](https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media)).
    fn upload<'a>(
        &'a self,
        base_url: &'a str,
        token: &'a str,
        file: &'a UploadFile,
    ) -> BoxFuture<'a, Result<String, SendError>> {
        Box::pin(async move {
            let url = format!(
                "{}/{}/{}/media",
                base_url.trim_end_matches('/'),
                self.api_version,
                file.business_number
            );
            let part = reqwest::multipart::Part::stream_with_length(
                reqwest::Body::from(file.bytes.clone()),
                file.bytes.len() as u64,
            )
            .file_name(file.filename.clone().unwrap_or_else(|| "file".into()))
            .mime_str(&file.mime)
            .map_err(|e| SendError {
                retryable: false,
                code: "bad_media_type".into(),
                reason: format!("type {:?}: {e}", file.mime),
                retry_after: None,
            })?;
            let form = reqwest::multipart::Form::new()
                .text("messaging_product", "whatsapp")
                .text("type", file.mime.clone())
                .part("file", part);
            let answer =
                client::call(self.http().post(&url).bearer_auth(token).multipart(form)).await?;
            if !answer.status.is_success() {
                return Err(self.classify(&answer));
            }
            answer
                .body
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| SendError::bad_response("an upload answered without a media id"))
        })
    }

    /// Uploaded media stays usable for 30 days.
    fn upload_lifetime(&self) -> Duration {
        Duration::from_secs(30 * 24 * 3600)
    }

    fn message_id(&self, body: &Value) -> Option<String> {
        body.pointer("/messages/0/id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn classify(&self, answer: &Answer) -> SendError {
        classify(answer.status.as_u16(), &answer.body, answer.retry_after)
    }
}

/// The Cloud API request for a reply; our message id rides along as
/// `biz_opaque_callback_data` so statuses can be matched to the row. An
/// attachment is named by `media`, its uploaded media id.
///
/// # Errors
/// An attachment without its media id (permanent: a bug, never sent).
pub fn request_body(reply: &OutboundReply, media: Option<&str>) -> Result<Value, SendError> {
    let mut body = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "biz_opaque_callback_data": reply.message_id.to_string(),
    });
    // A user known only by a BSUID (a username hides the phone) is
    // addressed by `recipient`; a phone number by `to`.
    let field = if crate::envelope::is_bsuid(&reply.to) {
        "recipient"
    } else {
        "to"
    };
    body[field] = json!(reply.to);
    match &reply.content {
        ReplyContent::Text { body: text } => {
            body["type"] = json!("text");
            body["text"] = json!({ "body": text, "preview_url": false });
        }
        ReplyContent::Template {
            name,
            language,
            parameters,
        } => {
            body["type"] = json!("template");
            let params: Vec<Value> = parameters
                .iter()
                .map(|p| json!({"type": "text", "text": p}))
                .collect();
            body["template"] = json!({
                "name": name,
                "language": { "code": language },
                "components": [{ "type": "body", "parameters": params }],
            });
        }
        ReplyContent::Interactive {
            body: text,
            button,
            choices,
            footer,
        } => {
            body["type"] = json!("interactive");
            body["interactive"] = interactive(text, button, choices, footer.as_deref());
        }
        ReplyContent::Media {
            kind,
            url,
            caption,
            filename,
        } => {
            body["type"] = json!(kind.as_str());
            body[kind.as_str()] = media_object(
                json!({ "link": url }),
                *kind,
                caption.as_ref(),
                filename.as_ref(),
            );
        }
        ReplyContent::Attachment {
            kind,
            caption,
            filename,
            ..
        } => {
            let id = media.ok_or_else(|| SendError {
                retryable: false,
                code: "not_uploaded".into(),
                reason: "an attachment reached the send without its media id".into(),
                retry_after: None,
            })?;
            body["type"] = json!(kind.as_str());
            body[kind.as_str()] = media_object(
                json!({ "id": id }),
                *kind,
                caption.as_ref(),
                filename.as_ref(),
            );
        }
    }
    Ok(body)
}

/// Meta allows at most this many reply buttons.
const MAX_REPLY_BUTTONS: usize = 3;

/// An `interactive` object: up to [`MAX_REPLY_BUTTONS`] choices as reply
/// buttons (`type: button`, [Meta: Interactive reply buttons
/// messages](https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages)),
/// more as one section of a list message opened by `button` (`type:
/// list`, up to 10 rows, [Meta: Interactive list
/// messages](https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-list-messages)).
/// A pick comes back as `interactive.button_reply` / `list_reply` with
/// the choice's `id`.
fn interactive(text: &str, button: &str, choices: &[Choice], footer: Option<&str>) -> Value {
    let mut object = if choices.len() <= MAX_REPLY_BUTTONS {
        let buttons: Vec<Value> = choices
            .iter()
            .map(|c| json!({"type": "reply", "reply": {"id": c.id, "title": c.title}}))
            .collect();
        json!({"type": "button", "body": {"text": text}, "action": {"buttons": buttons}})
    } else {
        let rows: Vec<Value> = choices
            .iter()
            .map(|c| json!({"id": c.id, "title": c.title}))
            .collect();
        json!({
            "type": "list",
            "body": {"text": text},
            "action": {"button": button, "sections": [{"rows": rows}]},
        })
    };
    if let Some(footer) = footer {
        object["footer"] = json!({ "text": footer });
    }
    object
}

/// A media message's object (`link` or `id` in `source`): audio takes no
/// caption; only documents take a file name.
fn media_object(
    mut source: Value,
    kind: MediaKind,
    caption: Option<&String>,
    filename: Option<&String>,
) -> Value {
    if let Some(caption) = caption.filter(|_| kind != MediaKind::Audio) {
        source["caption"] = json!(caption);
    }
    if let Some(filename) = filename.filter(|_| kind == MediaKind::Document) {
        source["filename"] = json!(filename);
    }
    source
}

/// Meta error codes that clear up by waiting.
const RETRYABLE_CODES: &[i64] = &[4, 80007, 130429, 131000, 131016, 131056, 133004];

/// Classifies a failed Cloud API answer.
pub fn classify(status: u16, body: &Value, retry_after: Option<Duration>) -> SendError {
    let code = body.pointer("/error/code").and_then(Value::as_i64);
    let message = body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap_or("no error message");
    let retryable =
        status == 429 || status >= 500 || code.is_some_and(|c| RETRYABLE_CODES.contains(&c));
    SendError {
        retryable,
        code: code.map_or_else(|| format!("http_{status}"), |c| c.to_string()),
        reason: format!(
            "HTTP {status}, code {}: {message}",
            code.map_or("-".into(), |c| c.to_string())
        ),
        retry_after: retry_after.or_else(|| (status == 429).then(|| Duration::from_secs(1))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn throughput_and_server_errors_are_retryable_undeliverable_is_not() {
        assert!(classify(429, &json!({"error": {"code": 130429}}), None).retryable);
        assert!(classify(400, &json!({"error": {"code": 131056}}), None).retryable);
        assert!(classify(503, &Value::Null, None).retryable);
        let permanent = classify(
            400,
            &json!({"error": {"code": 131026, "message": "Message undeliverable"}}),
            None,
        );
        assert!(!permanent.retryable);
        assert_eq!(permanent.code, "131026");
        assert!(!classify(400, &json!({"error": {"code": 131047}}), None).retryable);
    }

    /// Up to three choices are reply buttons, as "Interactive reply
    /// buttons messages" shows the request
    /// (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/interactive-reply-buttons-messages);
    /// more are one section of a list ("Interactive list messages").
    #[test]
    fn few_choices_are_reply_buttons_more_a_list() {
        let choice = |n: usize| Choice {
            id: format!("c{n}"),
            title: format!("Choice {n}"),
        };
        let mut reply = OutboundReply {
            message_id: 7,
            conversation_id: 1,
            business_number: "1065".into(),
            to: "4915".into(),
            content: ReplyContent::Interactive {
                body: "Pick one".into(),
                button: "Choose".into(),
                choices: (1..=3).map(choice).collect(),
                footer: None,
            },
            campaign_id: None,
        };
        let body = request_body(&reply, None).unwrap();
        assert_eq!(body["type"], "interactive");
        assert_eq!(
            body["interactive"],
            json!({"type": "button", "body": {"text": "Pick one"}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": "c1", "title": "Choice 1"}},
                {"type": "reply", "reply": {"id": "c2", "title": "Choice 2"}},
                {"type": "reply", "reply": {"id": "c3", "title": "Choice 3"}},
            ]}})
        );
        if let ReplyContent::Interactive {
            choices, footer, ..
        } = &mut reply.content
        {
            choices.push(choice(4));
            *footer = Some("Tap one".into());
        }
        let body = request_body(&reply, None).unwrap();
        let interactive = &body["interactive"];
        assert_eq!(interactive["type"], "list");
        assert_eq!(interactive["action"]["button"], "Choose");
        assert_eq!(
            interactive["action"]["sections"][0]["rows"][3],
            json!({"id": "c4", "title": "Choice 4"})
        );
        assert_eq!(interactive["footer"]["text"], "Tap one");
    }

    #[test]
    fn text_and_template_bodies_carry_our_id() {
        let mut reply = OutboundReply {
            message_id: 42,
            conversation_id: 1,
            business_number: "1065".into(),
            to: "4915".into(),
            content: ReplyContent::Text { body: "hi".into() },
            campaign_id: None,
        };
        let body = request_body(&reply, None).unwrap();
        assert_eq!(body["text"]["body"], "hi");
        assert_eq!(body["biz_opaque_callback_data"], "42");
        reply.content = ReplyContent::Template {
            name: "order_update".into(),
            language: "en".into(),
            parameters: vec!["A1".into()],
        };
        let body = request_body(&reply, None).unwrap();
        assert_eq!(
            body["template"]["components"][0]["parameters"][0]["text"],
            "A1"
        );
        reply.content = ReplyContent::Media {
            kind: MediaKind::Document,
            url: "https://example.com/invoice.pdf".into(),
            caption: Some("Your invoice".into()),
            filename: Some("invoice.pdf".into()),
        };
        let body = request_body(&reply, None).unwrap();
        assert_eq!(body["type"], "document");
        assert_eq!(body["document"]["link"], "https://example.com/invoice.pdf");
        assert_eq!(body["document"]["filename"], "invoice.pdf");
        assert_eq!(body["document"]["caption"], "Your invoice");
        assert_eq!(body["biz_opaque_callback_data"], "42");
        reply.content = ReplyContent::Attachment {
            kind: MediaKind::Audio,
            object: "out-1".into(),
            mime: "audio/ogg".into(),
            size: 10,
            sha256: "00".into(),
            caption: Some("ignored for audio".into()),
            filename: Some("note.ogg".into()),
            dimensions: None,
        };
        let err = request_body(&reply, None).expect_err("no media id");
        assert!(!err.retryable);
        let body = request_body(&reply, Some("4490709327384033")).unwrap();
        assert_eq!(body["type"], "audio");
        assert_eq!(body["audio"], json!({"id": "4490709327384033"}));
    }
}
