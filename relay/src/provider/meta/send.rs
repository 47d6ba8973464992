//! Outbound direction for Meta's Cloud API (and the sandbox, which speaks it):
//! `POST /{version}/{phone-number-id}/messages` and the classification of its
//! errors into retryable and permanent.

use std::time::Duration;

use serde_json::{Value, json};

use crate::envelope::{MediaKind, OutboundReply, ReplyContent};

/// Why a send failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    pub retryable: bool,
    /// Bounded label for metrics and the DLQ subject.
    pub code: String,
    /// The provider's error, for people.
    pub reason: String,
    /// The provider's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

/// Meta's Graph API, where a number has no `api_base_url` of its own.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The Graph API version Wharf speaks by default.
pub const DEFAULT_API_VERSION: &str = "v21.0";

/// A pooled Cloud API client.
#[derive(Clone)]
pub struct MetaClient {
    http: reqwest::Client,
    api_version: String,
}

impl MetaClient {
    /// # Errors
    /// When the TLS backend cannot start.
    pub fn new(
        connect_timeout: Duration,
        request_timeout: Duration,
        api_version: &str,
    ) -> reqwest::Result<Self> {
        Ok(Self {
            http: crate::tls::client_builder()
                .connect_timeout(connect_timeout)
                .timeout(request_timeout)
                .pool_max_idle_per_host(32)
                .build()?,
            api_version: api_version.to_owned(),
        })
    }

    /// Sends one reply; returns the provider's message id (`wamid.…`).
    ///
    /// # Errors
    /// A classified [`SendError`].
    pub async fn send(
        &self,
        base_url: &str,
        access_token: &str,
        reply: &OutboundReply,
    ) -> Result<String, SendError> {
        let url = format!(
            "{}/{}/{}/messages",
            base_url.trim_end_matches('/'),
            self.api_version,
            reply.business_number
        );
        let (status, retry_after, body) =
            post_json(&self.http, &url, access_token, &request_body(reply)).await?;
        if status.is_success() {
            return body
                .pointer("/messages/0/id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| SendError {
                    retryable: true,
                    code: "bad_response".into(),
                    reason: "provider answered without a message id".into(),
                    retry_after: None,
                });
        }
        Err(classify(status.as_u16(), &body, retry_after))
    }
}

/// POSTs `body` as JSON with a bearer token; returns the status, the
/// `Retry-After` and the JSON answer (`Null` when it is not JSON). A request
/// that got no answer is a retryable [`SendError`] (`timeout` or
/// `connection`), shared by every provider client.
///
/// # Errors
/// The request got no answer.
pub(crate) async fn post_json(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(reqwest::StatusCode, Option<Duration>, Value), SendError> {
    let response = http
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| SendError {
            retryable: true,
            code: if e.is_timeout() {
                "timeout".into()
            } else {
                "connection".into()
            },
            reason: format!("request failed: {}", without_url(&e)),
            retry_after: None,
        })?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body: Value = response.json().await.unwrap_or(Value::Null);
    Ok((status, retry_after, body))
}

pub fn without_url(err: &reqwest::Error) -> String {
    // The URL holds nothing secret, but the error is shorter without it.
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), "<provider>");
    }
    text
}

/// The Cloud API request for a reply; our message id rides along as
/// `biz_opaque_callback_data` so statuses can be matched to the row.
pub fn request_body(reply: &OutboundReply) -> Value {
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
        ReplyContent::Media {
            kind,
            url,
            caption,
            filename,
        } => {
            let mut media = json!({ "link": url });
            // Audio takes no caption; only documents take a file name.
            if let Some(caption) = caption.as_ref().filter(|_| *kind != MediaKind::Audio) {
                media["caption"] = json!(caption);
            }
            if let Some(filename) = filename.as_ref().filter(|_| *kind == MediaKind::Document) {
                media["filename"] = json!(filename);
            }
            body["type"] = json!(kind.as_str());
            body[kind.as_str()] = media;
        }
    }
    body
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

/// `Retry-After` as seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = at.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
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

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn text_and_template_bodies_carry_our_id() {
        let mut reply = OutboundReply {
            message_id: 42,
            conversation_id: 1,
            business_number: "1065".into(),
            to: "4915".into(),
            content: ReplyContent::Text { body: "hi".into() },
        };
        let body = request_body(&reply);
        assert_eq!(body["text"]["body"], "hi");
        assert_eq!(body["biz_opaque_callback_data"], "42");
        reply.content = ReplyContent::Template {
            name: "order_update".into(),
            language: "en".into(),
            parameters: vec!["A1".into()],
        };
        let body = request_body(&reply);
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
        let body = request_body(&reply);
        assert_eq!(body["type"], "document");
        assert_eq!(body["document"]["link"], "https://example.com/invoice.pdf");
        assert_eq!(body["document"]["filename"], "invoice.pdf");
        assert_eq!(body["document"]["caption"], "Your invoice");
        assert_eq!(body["biz_opaque_callback_data"], "42");
    }
}
