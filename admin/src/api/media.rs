//! `/api/v1/messages/{id}/media`: a media message's file, from the media
//! bucket (read only: the admin server's NATS user may not write it). Who
//! may see the message's conversation may download it (agents: their
//! teams' and their own, 403 otherwise). The answer carries the stored type,
//! `Content-Disposition` (`inline` for images, audio and video, else
//! `attachment`, with the file name; never sniffed, sandboxed), `ETag`
//! (the SHA-256), `Cache-Control: private`
//! (the bytes of a message never change) and serves one `Range` (206), so
//! audio and video players can seek.
//!
//! Not there (yet): 404 `not_found` for a message without media; 409
//! `media_pending` while it is fetched (retry shortly) and 409
//! `media_failed` when the fetch was given up (a dead letter with reason
//! `media`; replay it); 404 `media_expired` once the bucket's retention
//! dropped the bytes (the row then says `expired`).

use entities::message::{self, MediaState};
use poem::Body;
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{Binary, Json, Response};
use poem_openapi::{ApiResponse, OpenApi};
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter};

use super::ApiTags;
use crate::AppState;
use crate::auth::AnyTokenAuth;
use crate::error::{ApiError, ApiResult, ErrorOut};

/// How long a client may keep a file (the bytes of a message never change).
const CACHE_CONTROL: &str = "private, max-age=86400";

/// A file, whole or in part.
#[derive(ApiResponse)]
pub enum MediaResponse {
    /// The whole file, with its own `Content-Type`.
    #[oai(status = 200)]
    Whole(
        Binary<Body>,
        /// `inline` (images, audio, video, stickers) or `attachment`
        /// (documents), with the file name.
        #[oai(header = "Content-Disposition")]
        String,
        /// The file's SHA-256, quoted.
        #[oai(header = "ETag")]
        String,
        #[oai(header = "Cache-Control")] String,
        /// `bytes`: one `Range` is served.
        #[oai(header = "Accept-Ranges")]
        String,
    ),
    /// The part asked for with `Range: bytes=…`.
    #[oai(status = 206)]
    Partial(
        Binary<Body>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
        #[oai(header = "Accept-Ranges")] String,
        /// `bytes <first>-<last>/<size>`.
        #[oai(header = "Content-Range")]
        String,
    ),
    /// `If-None-Match` names the stored file: the client's copy is current.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The range lies outside the file (`Content-Range: bytes */<size>`).
    #[oai(status = 416)]
    RangeNotSatisfiable(Json<ErrorOut>, #[oai(header = "Content-Range")] String),
}

pub struct MediaApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Conversations")]
impl MediaApi {
    /// A message's media file
    ///
    /// The file of an image, video, audio (voice note), document or sticker
    /// message, as the customer sent it: its stored type, `inline` or (for
    /// documents) `attachment` with its file name, an `ETag` (SHA-256),
    /// private caching, and one `Range` (206) so players can seek. 404
    /// without media or once expired (`media_expired`); 409 while it is
    /// being fetched (`media_pending`) or when the fetch failed
    /// (`media_failed`, see the dead letters with reason `media`). The
    /// token may come as `?token=` for media elements that cannot send
    /// headers.
    #[oai(
        path = "/messages/:id/media",
        method = "get",
        operation_id = "getMessageMedia"
    )]
    async fn media(
        &self,
        auth: AnyTokenAuth,
        state: Data<&AppState>,
        /// Message id.
        id: Path<i64>,
        /// `bytes=<first>-<last>`, `bytes=<first>-` or `bytes=-<suffix>`.
        #[oai(name = "Range")]
        range: Header<Option<String>>,
        /// An ETag from an earlier answer.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> ApiResult<Response<MediaResponse>> {
        let row = message::Entity::find_by_id(id.0)
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::not_found("message"))?;
        crate::scope::visible_conversation(&state.db, auth.principal(), row.conversation_id)
            .await?;
        let media_state = row
            .media_state()
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found("media of this message"))?;
        match media_state {
            MediaState::Stored => {}
            MediaState::Pending => {
                return Err(ApiError::Conflict(Json(ErrorOut {
                    code: "media_pending".into(),
                    detail: "the file is being fetched from the provider; retry shortly".into(),
                })));
            }
            MediaState::Failed => {
                return Err(ApiError::Conflict(Json(ErrorOut {
                    code: "media_failed".into(),
                    detail: "the file could not be fetched; see the dead letters with reason media and replay it".into(),
                })));
            }
            MediaState::Expired => return Err(expired()),
        }
        let (Some(key), Some(sha256), Some(size)) = (
            row.media_key.as_deref(),
            row.media_sha256.as_deref(),
            row.media_size.and_then(|s| u64::try_from(s).ok()),
        ) else {
            return Err(ApiError::internal(format!(
                "message {} is stored without key, sha256 or size",
                row.id
            )));
        };
        let etag = format!("\"{sha256}\"");
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
        {
            return Ok(Response::new(MediaResponse::NotModified(
                etag,
                CACHE_CONTROL.into(),
            )));
        }
        let wanted = match range.0.as_deref().map(|r| parse_range(r, size)) {
            None => None,
            Some(Ok(span)) => span,
            Some(Err(())) => {
                return Ok(Response::new(MediaResponse::RangeNotSatisfiable(
                    Json(ErrorOut {
                        code: "range_not_satisfiable".into(),
                        detail: format!("the file has {size} bytes"),
                    }),
                    format!("bytes */{size}"),
                )));
            }
        };
        let (start, len) = wanted.map_or((0, size), |(first, last)| (first, last - first + 1));
        let store = relay::media::store::MediaStore::open(&state.js)
            .await
            .map_err(ApiError::unavailable)?;
        let Some(reader) = store
            .read(key, start, len)
            .await
            .map_err(ApiError::unavailable)?
        else {
            // The bucket's retention dropped it: the row says so from now on.
            message::Entity::update_many()
                .col_expr(
                    message::Column::MediaState,
                    Expr::value(MediaState::Expired.as_str()),
                )
                .filter(message::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            return Err(expired());
        };
        let mime = row
            .media_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let disposition = disposition(&row, &mime);
        let body = Binary(Body::from_async_read(reader));
        let answer = match wanted {
            None => MediaResponse::Whole(
                body,
                disposition,
                etag,
                CACHE_CONTROL.into(),
                "bytes".into(),
            ),
            Some((first, last)) => MediaResponse::Partial(
                body,
                disposition,
                etag,
                CACHE_CONTROL.into(),
                "bytes".into(),
                format!("bytes {first}-{last}/{size}"),
            ),
        };
        Ok(Response::new(answer)
            .header(poem::http::header::CONTENT_TYPE, mime)
            .header(poem::http::header::CONTENT_LENGTH, len.to_string())
            // The provider's type is the customer's word: never sniffed,
            // never run as a page.
            .header(poem::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(
                poem::http::header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'",
            ))
    }
}

fn expired() -> ApiError {
    ApiError::NotFound(Json(ErrorOut {
        code: "media_expired".into(),
        detail: "the file is older than the media retention and was dropped".into(),
    }))
}

/// `inline` for images (not SVG), audio and video, `attachment` for
/// documents and anything else (a customer's file must never render as a
/// page on the admin's origin), with a file name (the customer's, else
/// `<message id>.<extension of its type>`).
fn disposition(row: &message::Model, mime: &str) -> String {
    let essence = relay::media::limits::essence(mime);
    let displayable = ["image/", "audio/", "video/"]
        .iter()
        .any(|family| essence.starts_with(family))
        && essence != "image/svg+xml";
    let kind = if row.kind == message::MessageKind::Document.as_str() || !displayable {
        "attachment"
    } else {
        "inline"
    };
    let name = row
        .media_filename
        .clone()
        .unwrap_or_else(|| format!("{}.{}", row.id, extension(mime)));
    // Quotes, backslashes and control characters cannot stand in the header.
    let name: String = name
        .chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{kind}; filename=\"{name}\"")
}

/// A file name extension for a MIME type.
fn extension(mime: &str) -> &'static str {
    match relay::media::limits::essence(mime).as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/3gpp" | "video/3gp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// One `bytes=` range of a file of `size` bytes as (first, last), both
/// inclusive; `Ok(None)` for a header this server ignores (several ranges,
/// another unit: the whole file is served); `Err` when it lies outside.
fn parse_range(header: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let (first, last) = (first.trim(), last.trim());
    let span = match (first.parse::<u64>(), last.parse::<u64>()) {
        (Ok(first), Ok(last)) if first <= last => (first, last.min(size.saturating_sub(1))),
        (Ok(first), Err(_)) if last.is_empty() => (first, size.saturating_sub(1)),
        (Err(_), Ok(suffix)) if first.is_empty() && suffix > 0 => {
            (size.saturating_sub(suffix), size.saturating_sub(1))
        }
        _ => return Ok(None),
    };
    if size == 0 || span.0 >= size {
        return Err(());
    }
    Ok(Some(span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_audio_and_video_are_shown_inline() {
        let row = |kind: &str, filename: Option<&str>| message::Model {
            id: 7,
            conversation_id: 1,
            direction: "inbound".into(),
            provider: "meta".into(),
            provider_message_id: None,
            kind: kind.into(),
            body: None,
            payload: serde_json::Value::Null,
            status: "received".into(),
            error: None,
            provider_timestamp: chrono::Utc::now(),
            edited_at: None,
            deleted_at: None,
            reply_to: None,
            origin: None,
            agent_id: None,
            campaign_id: None,
            media_state: Some("stored".into()),
            media_type: None,
            media_size: None,
            media_sha256: None,
            media_filename: filename.map(str::to_owned),
            media_key: None,
            media_fetched_at: None,
            media_width: None,
            media_height: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        assert_eq!(
            disposition(&row("image", None), "image/jpeg"),
            "inline; filename=\"7.jpg\""
        );
        assert_eq!(
            disposition(&row("audio", None), "audio/ogg; codecs=opus"),
            "inline; filename=\"7.ogg\""
        );
        assert_eq!(
            disposition(&row("document", Some("a\"b.pdf")), "application/pdf"),
            "attachment; filename=\"a_b.pdf\""
        );
        assert!(disposition(&row("image", None), "text/html").starts_with("attachment"));
        assert!(disposition(&row("sticker", None), "image/svg+xml").starts_with("attachment"));
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(parse_range("bytes=0-99", 1000), Ok(Some((0, 99))));
        assert_eq!(parse_range("bytes=900-", 1000), Ok(Some((900, 999))));
        assert_eq!(parse_range("bytes=-100", 1000), Ok(Some((900, 999))));
        assert_eq!(parse_range("bytes=990-2000", 1000), Ok(Some((990, 999))));
        assert_eq!(parse_range("bytes=1000-", 1000), Err(()));
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), Ok(None));
        assert_eq!(parse_range("items=0-1", 1000), Ok(None));
        assert_eq!(parse_range("bytes=9-1", 1000), Ok(None));
    }
}
