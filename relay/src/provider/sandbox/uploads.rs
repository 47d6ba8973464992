//! Attachment uploads, as the providers take them: Meta's
//! `POST /{version}/{phone-number-id}/media` (multipart: `messaging_product`,
//! `type`, `file`; answers `{id}`) and WasenderApi's `POST /api/upload` (the
//! raw file, its type as `Content-Type`; answers `{success, publicUrl}`).
//! An upload is counted once its whole body arrived: one cut short (a
//! sender killed mid-upload) is refused and leaves nothing. Uploaded files
//! are served like registered ones, so a test can compare their bytes.

use std::sync::Arc;
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json, Multipart, Path};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::media::sha256_hex;

use super::{
    MediaHits, SandboxMedia, SandboxState, base_of, bearer, meta_error, meta_token,
    wasender_session,
};

/// What `GET /sandbox/uploads` answers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Uploads {
    /// Upload requests that reached the sandbox, finished or not.
    pub started: u32,
    /// Uploads whose whole body arrived, in order.
    pub uploads: Vec<Upload>,
}

/// One finished upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    /// The media id (Meta) or the id in the public URL (WasenderApi).
    pub id: String,
    /// `meta` or `wasender`.
    pub api: String,
    /// The phone number id (Meta) or session id (WasenderApi).
    pub number: String,
    pub mime_type: String,
    pub filename: Option<String>,
    pub size: usize,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
}

#[handler]
pub(super) fn list_uploads(state: Data<&Arc<SandboxState>>) -> Json<Uploads> {
    Json(state.uploads.lock().map(|u| u.clone()).unwrap_or_default())
}

/// Counts an upload request and waits out `upload_stall_ms`.
async fn start(state: &SandboxState) {
    let stall = state.faults.lock().map(|f| f.upload_stall_ms).unwrap_or(0);
    if let Ok(mut uploads) = state.uploads.lock() {
        uploads.started += 1;
    }
    if stall > 0 {
        tokio::time::sleep(Duration::from_millis(stall)).await;
    }
}

/// Keeps an uploaded file: served under `id` from now on, and listed.
fn keep(state: &SandboxState, upload: Upload, bytes: Vec<u8>) {
    if let Ok(mut media) = state.media.lock() {
        media.insert(
            upload.id.clone(),
            SandboxMedia {
                mime_type: upload.mime_type.clone(),
                sha256: upload.sha256.clone(),
                bytes,
                fail_downloads: 0,
                hash: String::new(),
                hits: MediaHits::default(),
            },
        );
    }
    if let Ok(mut uploads) = state.uploads.lock() {
        uploads.uploads.push(upload);
    }
}

/// Meta's media upload for a phone number.
#[handler]
pub(super) async fn upload_meta(
    Path((_version, number)): Path<(String, String)>,
    req: &poem::Request,
    mut form: Multipart,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    start(&state).await;
    if state.numbers.get(&number).is_none() {
        return meta_error(
            StatusCode::BAD_REQUEST,
            100,
            "Unsupported post request: unknown phone number id",
        );
    }
    if !meta_token(&state, bearer(req)) {
        return meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token");
    }
    let (mut product, mut declared, mut file) = (None, None, None);
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            // Cut short: nothing of it is kept.
            Err(err) => {
                return meta_error(StatusCode::BAD_REQUEST, 100, &format!("bad upload: {err}"));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let content_type = field.content_type().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let Ok(bytes) = field.bytes().await else {
            return meta_error(StatusCode::BAD_REQUEST, 100, "bad upload: body cut short");
        };
        match name.as_str() {
            "messaging_product" => product = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "type" => declared = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "file" => file = Some((bytes, content_type, file_name)),
            _ => {}
        }
    }
    if product.as_deref() != Some("whatsapp") {
        return meta_error(
            StatusCode::BAD_REQUEST,
            100,
            "messaging_product must be whatsapp",
        );
    }
    let Some((bytes, part_type, filename)) = file else {
        return meta_error(StatusCode::BAD_REQUEST, 100, "Missing parameter: file");
    };
    let Some(mime_type) = declared.or(part_type) else {
        return meta_error(StatusCode::BAD_REQUEST, 100, "Missing parameter: type");
    };
    // Meta's media ids are long numbers.
    let id = (rand::Rng::random_range(&mut rand::rng(), 10u64.pow(15)..10u64.pow(16))).to_string();
    let upload = Upload {
        id: id.clone(),
        api: "meta".into(),
        number,
        mime_type,
        filename,
        size: bytes.len(),
        sha256: sha256_hex(&bytes),
    };
    keep(&state, upload, bytes);
    Json(json!({ "id": id })).into_response()
}

/// WasenderApi's media upload: the raw file, for a session's API key.
#[handler]
pub(super) async fn upload_wasender(
    req: &poem::Request,
    body: poem::Body,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    let refuse = |status: StatusCode, message: &str| {
        Json(json!({"success": false, "message": message}))
            .with_status(status)
            .into_response()
    };
    start(&state).await;
    let Some(session) = wasender_session(&state, bearer(req)).cloned() else {
        return refuse(StatusCode::UNAUTHORIZED, "Invalid API key");
    };
    let mime_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if mime_type.is_empty() || mime_type.starts_with("application/json") {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "send the file as the body with its Content-Type",
        );
    }
    let Ok(bytes) = body.into_vec().await else {
        return refuse(StatusCode::BAD_REQUEST, "body cut short");
    };
    if bytes.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "the file is empty");
    }
    let id = format!("upl{}", uuid::Uuid::new_v4().simple());
    let upload = Upload {
        id: id.clone(),
        api: "wasender".into(),
        number: session.phone_number_id,
        mime_type,
        filename: None,
        size: bytes.len(),
        sha256: sha256_hex(&bytes),
    };
    keep(&state, upload, bytes);
    Json(json!({
        "success": true,
        "publicUrl": format!("{}/sandbox/download/{id}?hash=public", base_of(req)),
    }))
    .into_response()
}

/// Meta's refusal of a send naming a media id it never handed out for the
/// number (`{type: {id}}`), as its error 131053 ("Media upload error").
pub(super) fn unknown_media(state: &SandboxState, number: &str, body: &Value) -> Option<Response> {
    let kind = body.get("type").and_then(Value::as_str)?;
    let id = body.get(kind)?.get("id")?.as_str()?;
    let known = state.uploads.lock().is_ok_and(|u| {
        u.uploads
            .iter()
            .any(|up| up.id == id && up.api == "meta" && up.number == number)
    });
    (!known).then(|| {
        meta_error(
            StatusCode::BAD_REQUEST,
            131_053,
            "Media upload error: unknown media id",
        )
    })
}
