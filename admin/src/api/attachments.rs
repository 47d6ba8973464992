//! `POST /api/v1/conversations/{id}/attachments`: an agent's file to the
//! customer. The file is checked (the conversation visible to the caller,
//! the 24-hour window, its type and size for the number's provider), stored
//! in the media bucket, and queued as a reply the sender delivers through
//! the provider's upload (Meta: upload, then send by media id; WasenderApi:
//! upload, then send by the URL it serves), with retries and the DLQ as any
//! reply. A refused file changes nothing; one whose reply could not be
//! queued is deleted from the bucket again.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Binary;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiRequest, Multipart, OpenApi};
use relay::envelope::ReplyContent;
use relay::outbound::{check_reply, enqueue_checked};

use super::ApiTags;
use super::conversations::{ReplyResponse, replied, reply_error};
use crate::AppState;
use crate::auth::TokenAuth;
use crate::error::{ApiError, ApiResult};
use crate::scope::visible_conversation;

/// Longest caption Meta takes under a file.
const MAX_CAPTION: usize = 1024;
/// Longest file name kept.
const MAX_FILENAME: usize = 240;

/// A file as a form.
#[derive(Debug, Multipart)]
pub struct AttachmentForm {
    /// The file; its name and type come from the part.
    file: Upload,
    /// Shown under the file (images, video, documents; audio takes none).
    caption: Option<String>,
}

/// The file: as `multipart/form-data`, or the raw bytes.
#[derive(Debug, ApiRequest)]
pub enum AttachmentBody {
    /// The file as the `file` part (its name and type from the part), and
    /// an optional `caption`.
    Form(AttachmentForm),
    /// The raw file, for clients without multipart: name it with
    /// `filename`, its type with `type` (else the request's
    /// `Content-Type`), the caption with `caption`.
    Raw(Binary<Vec<u8>>),
}

pub struct AttachmentsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl AttachmentsApi {
    /// Send a file to a conversation
    ///
    /// The file goes out as an image (JPEG, PNG), video (MP4, 3GPP), audio
    /// (AAC, AMR, MP3, M4A, OGG) or, for anything else the provider takes
    /// and anything over its kind's limit, a document, within the
    /// configured `[media.limits]` (Meta's maxima by default; WasenderApi
    /// takes documents up to 50 MB). It is stored in the media bucket
    /// (served by `GET /api/v1/messages/{id}/media` like a customer's) and
    /// queued (`202`) for the sender, which uploads it to the provider and
    /// then sends it. Refused, changing nothing: 413 `too_large`, 422
    /// `type_not_allowed`, `empty` or `window_closed`, 403 for a
    /// conversation the caller may not see.
    #[oai(
        path = "/conversations/:id/attachments",
        method = "post",
        operation_id = "sendAttachment"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn send(
        &self,
        auth: TokenAuth,
        state: Data<&AppState>,
        req: &poem::Request,
        /// Conversation id.
        id: Path<i64>,
        /// The file's name (raw uploads; a form's part names its own).
        filename: Query<Option<String>>,
        /// The file's MIME type (raw uploads; else the request's
        /// `Content-Type`, unless that is `application/octet-stream`).
        #[oai(name = "type")]
        mime: Query<Option<String>>,
        /// Shown under the file (raw uploads; a form has a `caption` part).
        caption: Query<Option<String>>,
        body: AttachmentBody,
    ) -> ApiResult<ReplyResponse> {
        visible_conversation(&state.db, &auth.0, id.0).await?;
        let file = match body {
            AttachmentBody::Form(form) => {
                let name = form.file.file_name().map(str::to_owned);
                let mime = form.file.content_type().map(str::to_owned);
                let bytes = form.file.into_vec().await.map_err(|e| {
                    ApiError::bad_request(
                        "invalid_body",
                        format!("the file could not be read: {e}"),
                    )
                })?;
                File {
                    bytes,
                    name,
                    mime,
                    caption: form.caption,
                }
            }
            AttachmentBody::Raw(Binary(bytes)) => {
                let declared = req
                    .headers()
                    .get(poem::http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .filter(|t| !t.starts_with("application/octet-stream"))
                    .map(str::to_owned);
                File {
                    bytes,
                    name: filename.0,
                    mime: mime.0.or(declared),
                    caption: caption.0,
                }
            }
        };
        let checked = file.checked()?;
        // The window and the conversation before the bytes are stored.
        let probe = checked.content(String::new(), relay::envelope::MediaKind::Document);
        let target = check_reply(&state.db, id.0, &probe)
            .await
            .map_err(reply_error)?;
        let provider = target
            .provider()
            .ok_or_else(|| ApiError::internal("the conversation's number has no known provider"))?;
        let kind = state
            .media_limits
            .outbound_kind(provider, &checked.mime, checked.bytes.len() as u64)
            .map_err(|err| match err.reason {
                "too_large" => ApiError::too_large(err.detail),
                reason => ApiError::unprocessable(reason, err.detail),
            })?;
        let store = relay::media::store::MediaStore::open(&state.js)
            .await
            .map_err(ApiError::unavailable)?;
        let object = relay::topology::attachment_object(&uuid::Uuid::new_v4().simple().to_string());
        store
            .put_named(object.clone(), &checked.mime, &checked.bytes)
            .await
            .map_err(ApiError::unavailable)?;
        let content = checked.content(object.clone(), kind);
        match enqueue_checked(
            &state.db,
            &state.js,
            state.partitions,
            target,
            auth.0.agent_id,
            content,
        )
        .await
        {
            Ok(row) => replied(&state, &auth.0, row).await,
            Err(err) => {
                // Not queued: the bytes go again (a failed row, if any,
                // says so; a retry of it finds the file gone).
                if let Err(gone) = store.delete(&object).await {
                    tracing::warn!(%gone, "an unqueued attachment stays in the media bucket");
                }
                Err(reply_error(err))
            }
        }
    }
}

/// An uploaded file as it came.
struct File {
    bytes: Vec<u8>,
    name: Option<String>,
    mime: Option<String>,
    caption: Option<String>,
}

/// A file whose name, type and caption are acceptable.
struct Checked {
    bytes: Vec<u8>,
    sha256: String,
    filename: Option<String>,
    mime: String,
    caption: Option<String>,
}

impl File {
    /// Cleans the name (no path, no control characters), defaults the
    /// type, checks the caption's length.
    fn checked(self) -> ApiResult<Checked> {
        let caption = self.caption.filter(|c| !c.trim().is_empty());
        if caption
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_CAPTION)
        {
            return Err(ApiError::bad_request(
                "invalid_body",
                format!("the caption is longer than {MAX_CAPTION} characters"),
            ));
        }
        let filename = self.name.as_deref().and_then(clean_filename);
        let mime = self
            .mime
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty() && m.contains('/') && m.is_ascii() && m.len() <= 127)
            .unwrap_or_else(|| "application/octet-stream".into());
        let sha256 = relay::media::sha256_hex(&self.bytes);
        Ok(Checked {
            bytes: self.bytes,
            sha256,
            filename,
            mime,
            caption,
        })
    }
}

impl Checked {
    /// The reply carrying this file as bucket object `object`.
    fn content(&self, object: String, kind: relay::envelope::MediaKind) -> ReplyContent {
        ReplyContent::Attachment {
            kind,
            object,
            mime: self.mime.clone(),
            size: self.bytes.len() as u64,
            sha256: self.sha256.clone(),
            caption: self.caption.clone(),
            filename: self.filename.clone(),
            dimensions: relay::media::dimensions(&self.mime, &self.bytes),
        }
    }
}

/// A file name as shown to the customer: the last path segment, without
/// control characters, at most [`MAX_FILENAME`] characters; `None` when
/// nothing is left.
fn clean_filename(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_FILENAME)
        .collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean != "." && clean != "..").then(|| clean.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_filename("C:\\Users\\a\\invoice.pdf").as_deref(),
            Some("invoice.pdf")
        );
        assert_eq!(
            clean_filename("../../etc/pass\nwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(clean_filename("dir/"), None);
        assert_eq!(clean_filename(".."), None);
        assert_eq!(clean_filename(&"a".repeat(500)).map(|n| n.len()), Some(240));
    }

    #[test]
    fn types_default_and_captions_are_bounded() {
        let file = |mime: Option<&str>, caption: Option<String>| File {
            bytes: b"%PDF-1.7".to_vec(),
            name: Some("x.pdf".into()),
            mime: mime.map(str::to_owned),
            caption,
        };
        let checked = file(None, Some("  ".into())).checked().expect("fine");
        assert_eq!(checked.mime, "application/octet-stream");
        assert_eq!(checked.caption, None);
        assert_eq!(checked.sha256.len(), 64);
        assert_eq!(
            file(Some("nonsense"), None).checked().expect("fine").mime,
            "application/octet-stream"
        );
        assert!(file(None, Some("x".repeat(1025))).checked().is_err());
    }
}
