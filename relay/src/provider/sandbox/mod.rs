//! The sandbox provider: a stand-in for Meta's Cloud API for local use and
//! tests. It accepts `POST /{version}/{phone-number-id}/messages` like Meta,
//! then sends signed `sent` → `delivered` → `read` status webhooks back to an
//! edge, as Meta would. Recipients ending in `131026` fail permanently
//! (undeliverable); ending in `130429` are throttled once (429, Retry-After).
//!
//! Fault knobs ([`Faults`]: latency, 5xx rate, 429 rate with `Retry-After`,
//! timeout rate) come from `[sandbox.faults]` and can be changed at run time
//! with `PUT /sandbox/faults`. A faulted request is never accepted, so a
//! client retry cannot double-send here. Every request's arrival time is kept
//! (`GET /sandbox/arrivals`) so tests can check rate limits.
//!
//! Media is served like Meta's: `GET /{version}/{media-id}` with a number's
//! Bearer token answers `{url, mime_type, sha256, file_size, id}`, and the
//! URL (carrying a one-off `hash`, as Meta's do) downloads the bytes with
//! the same token. Tests register a file with `PUT /sandbox/media/{id}`
//! (its bytes, type, the SHA-256 the look-up states, and how many
//! downloads fail with 500 first); WasenderApi's `POST /api/decrypt-media`
//! answers a public URL of a registered file named by the message id.
//!
//! Attachments are uploaded as to the providers ([`uploads`]): Meta's
//! `POST /{version}/{phone-number-id}/media` (multipart) answers a media id
//! a message may then name, WasenderApi's `POST /api/upload` (the raw file)
//! a public URL; both files are then served like registered ones, and
//! `GET /sandbox/uploads` lists them. A send naming a media id the sandbox
//! never handed out is refused as Meta would (131053).

mod uploads;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, IntoResponse, Response, Route, get, handler, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::provider::{NumberCredentials, NumberDirectory, constant_time_eq};
use crate::{Error, Result};

/// `[sandbox]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    pub listen: SocketAddr,
    /// Where status webhooks go (an edge's `/webhooks/meta`).
    pub webhook_url: String,
    /// Pause between one status webhook and the next, milliseconds.
    pub status_delay_ms: u64,
    /// Injected faults (`[sandbox.faults]`).
    pub faults: Faults,
}

/// Faults the sandbox injects into sends. Rates are fractions in 0..=1 and
/// are rolled once per request in this order: timeout, 5xx, 429.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every send, milliseconds.
    pub latency_ms: u64,
    /// Share of sends answered 500/503 (code 131000), not accepted.
    pub error_rate: f64,
    /// Share of sends answered 429 (code 130429) with `Retry-After`.
    pub throttle_rate: f64,
    pub retry_after_secs: u64,
    /// Share of sends that hang for `hang_ms` and then answer 504, not
    /// accepted (a client with a shorter timeout sees a timeout).
    pub timeout_rate: f64,
    pub hang_ms: u64,
    /// An upload waits this long before its body is read (a sender killed
    /// meanwhile has not finished its upload).
    pub upload_stall_ms: u64,
    /// Share of sends accepted (the message goes out, its status webhooks
    /// follow) but answered 200 with a body that is not Meta's JSON, so
    /// the answer does not name the message: a proxy's page, or a body cut
    /// short.
    pub garbled_rate: f64,
}

/// One request that reached the send endpoint, accepted or not.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Arrival {
    /// Unix time, milliseconds.
    pub at_ms: i64,
    pub phone_number_id: String,
    /// Our message id (`biz_opaque_callback_data`), when given.
    pub callback: Option<String>,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
            webhook_url: "http://127.0.0.1:8081/webhooks/meta".into(),
            status_delay_ms: 50,
            faults: Faults::default(),
        }
    }
}

/// One message the sandbox accepted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxMessage {
    pub id: String,
    pub phone_number_id: String,
    pub to: String,
    pub request: Value,
}

struct SandboxState {
    settings: SandboxSettings,
    numbers: NumberDirectory,
    http: reqwest::Client,
    sent: Mutex<Vec<SandboxMessage>>,
    faults: Mutex<Faults>,
    arrivals: Mutex<Vec<Arrival>>,
    throttled: Mutex<HashMap<String, u32>>,
    /// Next WasenderApi `msgId`.
    next_wasender_id: std::sync::atomic::AtomicU64,
    /// Files served by media id.
    media: Mutex<HashMap<String, SandboxMedia>>,
    /// Attachments uploaded ([`uploads`]).
    uploads: Mutex<uploads::Uploads>,
}

/// A file the sandbox serves (`PUT /sandbox/media/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MediaIn {
    pub mime_type: String,
    /// The file, base64.
    pub data_base64: String,
    /// What the look-up states as `sha256` (hex); the bytes' own when absent.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Downloads answered 500 before one succeeds (`u32::MAX`: all).
    #[serde(default)]
    pub fail_downloads: u32,
}

/// What the sandbox did with a registered file (`GET /sandbox/media/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MediaHits {
    pub lookups: u32,
    pub downloads: u32,
}

struct SandboxMedia {
    mime_type: String,
    bytes: Vec<u8>,
    sha256: String,
    fail_downloads: u32,
    /// The `hash` of the last URL handed out.
    hash: String,
    hits: MediaHits,
}

/// A bound, not yet running, sandbox provider.
pub struct SandboxServer {
    listener: crate::tls::Listener,
    state: Arc<SandboxState>,
}

impl SandboxServer {
    /// # Errors
    /// When the port is taken.
    pub async fn bind(settings: SandboxSettings, numbers: &[NumberCredentials]) -> Result<Self> {
        let listener = crate::tls::Listener::bind(settings.listen).await?;
        let http = crate::tls::client_builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| Error::Io(std::io::Error::other(e)))?;
        Ok(Self {
            listener,
            state: Arc::new(SandboxState {
                faults: Mutex::new(settings.faults.clone()),
                arrivals: Mutex::new(Vec::new()),
                settings,
                numbers: NumberDirectory::new(numbers),
                http,
                sent: Mutex::new(Vec::new()),
                throttled: Mutex::new(HashMap::new()),
                next_wasender_id: std::sync::atomic::AtomicU64::new(100_000),
                media: Mutex::new(HashMap::new()),
                uploads: Mutex::new(uploads::Uploads::default()),
            }),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr()
    }

    /// Serves HTTPS with `tls` (when set) instead of plain HTTP.
    #[must_use]
    pub fn with_tls(mut self, tls: Option<&crate::tls::ServerTls>) -> Self {
        self.listener = self.listener.with_tls(tls);
        self
    }

    /// Serves until `shutdown`.
    ///
    /// # Errors
    /// When the listener fails.
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let app = Route::new()
            .at("/:version/:number/messages", post(send_message))
            .at("/:version/:waba/message_templates", get(list_templates))
            .at("/api/send-message", post(send_wasender))
            .at("/api/decrypt-media", post(decrypt_wasender_media))
            .at("/api/upload", post(uploads::upload_wasender))
            .at("/:version/:number/media", post(uploads::upload_meta))
            .at("/sandbox/uploads", get(uploads::list_uploads))
            .at("/:version/:media_id", get(media_url))
            .at("/sandbox/download/:media_id", get(download_media))
            .at("/sandbox/media/:media_id", get(media_hits).put(put_media))
            .at("/sandbox/messages", get(list_messages))
            .at("/sandbox/arrivals", get(list_arrivals))
            .at("/sandbox/faults", get(get_faults).put(put_faults))
            .at("/healthz", get(healthz))
            .data(self.state);
        tracing::info!(addr = %self.listener.local_addr(), "sandbox provider listening");
        self.listener
            .serve(app, shutdown, Duration::from_secs(5))
            .await
            .map_err(Error::from)
    }
}

fn meta_error(status: StatusCode, code: i64, message: &str) -> Response {
    Json(json!({"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox"}}))
        .with_status(status)
        .into_response()
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// The sandbox's template catalog, as Meta's listing shows templates.
pub fn sandbox_templates() -> Vec<Value> {
    let template = |id: &str, name: &str, language: &str, category: &str, status: &str| {
        json!({"id": id, "name": name, "language": language, "category": category, "status": status,
               "quality_score": {"score": "GREEN"},
               "components": [{"type": "BODY", "text": format!("{name}: {{{{1}}}}")}]})
    };
    let mut rejected = template("9003", "spring_promo", "en_US", "MARKETING", "REJECTED");
    rejected["rejected_reason"] = json!("PROMOTIONAL");
    vec![
        template("9001", "order_update", "en_US", "UTILITY", "APPROVED"),
        template("9002", "order_update", "de", "UTILITY", "APPROVED"),
        rejected,
        template("9004", "welcome_back", "en_US", "MARKETING", "PENDING"),
    ]
}

#[derive(Deserialize)]
struct TemplatePage {
    limit: Option<usize>,
    after: Option<usize>,
}

/// Meta's `GET /<version>/<waba>/message_templates`: the catalog in pages
/// (`limit`, cursor `after`, `paging.next`), for a bearer token of one of
/// the sandbox's numbers.
#[handler]
async fn list_templates(
    Path((version, waba)): Path<(String, String)>,
    Query(page): Query<TemplatePage>,
    req: &poem::Request,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    if !meta_token(&state, bearer(req)) {
        return meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token");
    }
    let all = sandbox_templates();
    let limit = page.limit.unwrap_or(25).clamp(1, 100);
    let from = page.after.unwrap_or(0).min(all.len());
    let to = (from + limit).min(all.len());
    let mut body = json!({"data": all[from..to]});
    if to < all.len() {
        let base = base_of(req);
        body["paging"] = json!({"next": format!(
            "{base}/{version}/{waba}/message_templates?limit={limit}&after={to}"
        )});
    }
    Json(body).into_response()
}

/// The Bearer token of a request.
fn bearer(req: &poem::Request) -> &str {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
}

/// Whether `presented` is the token of one of the Meta (sandbox) numbers.
fn meta_token(state: &SandboxState, presented: &str) -> bool {
    [
        crate::envelope::Provider::Meta,
        crate::envelope::Provider::Sandbox,
    ]
    .into_iter()
    .flat_map(|p| state.numbers.of_provider(p))
    .any(|n| {
        let expected = n.access_token.expose();
        expected.is_empty() || constant_time_eq(expected.as_bytes(), presented.as_bytes())
    })
}

/// The WasenderApi session whose API key is `presented` (a session
/// configured without a key accepts any).
fn wasender_session<'a>(state: &'a SandboxState, presented: &str) -> Option<&'a NumberCredentials> {
    state
        .numbers
        .of_provider(crate::envelope::Provider::Wasender)
        .find(|n| {
            let key = n.access_token.expose();
            key.is_empty() || constant_time_eq(key.as_bytes(), presented.as_bytes())
        })
}

/// `<scheme>://<host>` of a request: where URLs the sandbox hands out
/// point (HTTPS under `wharf up --tls`).
fn base_of(req: &poem::Request) -> String {
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", req.scheme())
}

#[handler]
fn put_media(
    Path(media_id): Path<String>,
    Json(file): Json<MediaIn>,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&file.data_base64) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let own = crate::media::sha256_hex(&bytes);
    let hits = MediaHits::default();
    if let Ok(mut media) = state.media.lock() {
        media.insert(
            media_id,
            SandboxMedia {
                mime_type: file.mime_type,
                sha256: file.sha256.unwrap_or(own),
                bytes,
                fail_downloads: file.fail_downloads,
                hash: String::new(),
                hits,
            },
        );
    }
    StatusCode::NO_CONTENT.into_response()
}

#[handler]
fn media_hits(Path(media_id): Path<String>, state: Data<&Arc<SandboxState>>) -> Response {
    let hits = state
        .media
        .lock()
        .ok()
        .and_then(|m| m.get(&media_id).map(|f| f.hits.clone()));
    match hits {
        Some(hits) => Json(hits).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Meta's `GET /{version}/{media-id}`: where a file is, for a number's token.
#[handler]
fn media_url(
    Path((_version, media_id)): Path<(String, String)>,
    req: &poem::Request,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    if !meta_token(&state, bearer(req)) {
        return meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token");
    }
    let hash = uuid::Uuid::new_v4().simple().to_string();
    let found = state.media.lock().ok().and_then(|mut media| {
        let file = media.get_mut(&media_id)?;
        file.hits.lookups += 1;
        file.hash.clone_from(&hash);
        Some((
            file.mime_type.clone(),
            file.sha256.clone(),
            file.bytes.len(),
        ))
    });
    let Some((mime_type, sha256, size)) = found else {
        return meta_error(
            StatusCode::NOT_FOUND,
            100,
            "Unsupported get request: unknown media id",
        );
    };
    Json(json!({
        "messaging_product": "whatsapp",
        "url": format!("{}/sandbox/download/{media_id}?hash={hash}", base_of(req)),
        "mime_type": mime_type,
        "sha256": sha256,
        "file_size": size,
        "id": media_id,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct DownloadQuery {
    hash: Option<String>,
}

/// The download URL of [`media_url`]: the bytes, for the same token (a
/// URL of WasenderApi's decrypt answer needs none).
#[handler]
fn download_media(
    Path(media_id): Path<String>,
    Query(query): Query<DownloadQuery>,
    req: &poem::Request,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    let Ok(mut media) = state.media.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(file) = media.get_mut(&media_id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let public = query.hash.as_deref() == Some("public");
    if !public {
        if query.hash.as_deref() != Some(file.hash.as_str()) {
            return StatusCode::NOT_FOUND.into_response();
        }
        if !meta_token(&state, bearer(req)) {
            return meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token");
        }
    }
    file.hits.downloads += 1;
    if file.fail_downloads > 0 {
        if file.fail_downloads != u32::MAX {
            file.fail_downloads -= 1;
        }
        return meta_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            131_000,
            "Something went wrong",
        );
    }
    Response::builder()
        .content_type(file.mime_type.clone())
        .body(file.bytes.clone())
}

/// WasenderApi's `POST /api/decrypt-media`: a public URL of the registered
/// file named by the message's `key.id`, for a session's API key.
#[handler]
fn decrypt_wasender_media(
    req: &poem::Request,
    Json(body): Json<Value>,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    if wasender_session(&state, bearer(req)).is_none() {
        return Json(json!({"success": false, "message": "Invalid API key"}))
            .with_status(StatusCode::UNAUTHORIZED)
            .into_response();
    }
    let Some(id) = crate::envelope::pointer(&body, "/data/messages/key/id").and_then(Value::as_str)
    else {
        return StatusCode::UNPROCESSABLE_ENTITY.into_response();
    };
    let known = state
        .media
        .lock()
        .is_ok_and(|mut m| m.get_mut(id).map(|f| f.hits.lookups += 1).is_some());
    if !known {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(json!({"publicUrl": format!("{}/sandbox/download/{id}?hash=public", base_of(req))}))
        .into_response()
}

#[handler]
async fn list_messages(state: Data<&Arc<SandboxState>>) -> Json<Vec<SandboxMessage>> {
    Json(state.sent.lock().map(|s| s.clone()).unwrap_or_default())
}

#[handler]
async fn list_arrivals(state: Data<&Arc<SandboxState>>) -> Json<Vec<Arrival>> {
    Json(state.arrivals.lock().map(|s| s.clone()).unwrap_or_default())
}

#[handler]
async fn get_faults(state: Data<&Arc<SandboxState>>) -> Json<Faults> {
    Json(state.faults.lock().map(|f| f.clone()).unwrap_or_default())
}

#[handler]
async fn put_faults(Json(faults): Json<Faults>, state: Data<&Arc<SandboxState>>) -> Json<Faults> {
    if let Ok(mut current) = state.faults.lock() {
        current.clone_from(&faults);
    }
    Json(faults)
}

/// Rolls the configured faults for one request; `Some` is the answer to give.
async fn injected_fault(state: &SandboxState) -> Option<Response> {
    let faults = state.faults.lock().map(|f| f.clone()).unwrap_or_default();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let roll: f64 = rand::Rng::random(&mut rand::rng());
    if roll < faults.timeout_rate {
        tokio::time::sleep(Duration::from_millis(faults.hang_ms)).await;
        return Some(meta_error(
            StatusCode::GATEWAY_TIMEOUT,
            131_000,
            "Timed out",
        ));
    }
    if roll < faults.timeout_rate + faults.error_rate {
        let status = if roll < faults.timeout_rate + faults.error_rate / 2.0 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return Some(meta_error(status, 131_000, "Something went wrong"));
    }
    if roll < faults.timeout_rate + faults.error_rate + faults.throttle_rate {
        let mut response = meta_error(StatusCode::TOO_MANY_REQUESTS, 130_429, "Rate limit hit");
        if let Ok(v) = faults.retry_after_secs.to_string().parse() {
            response
                .headers_mut()
                .insert(poem::http::header::RETRY_AFTER, v);
        }
        return Some(response);
    }
    None
}

/// Whether this is the first send of message `callback` to `to` (the
/// faults that refuse only a first attempt).
fn first_send(state: &SandboxState, to: &str, callback: Option<&str>) -> bool {
    let key = format!("{to}/{}", callback.unwrap_or_default());
    state
        .throttled
        .lock()
        .map(|mut t| {
            let n = t.entry(key).or_insert(0);
            *n += 1;
            *n == 1
        })
        .unwrap_or(false)
}

#[handler]
async fn send_message(
    Path((_version, number)): Path<(String, String)>,
    req: &poem::Request,
    Json(body): Json<Value>,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    if let Ok(mut arrivals) = state.arrivals.lock() {
        arrivals.push(Arrival {
            at_ms: chrono::Utc::now().timestamp_millis(),
            phone_number_id: number.clone(),
            callback: body
                .get("biz_opaque_callback_data")
                .and_then(Value::as_str)
                .map(str::to_owned),
        });
    }
    let Some(credentials) = state.numbers.get(&number).cloned() else {
        return meta_error(
            StatusCode::BAD_REQUEST,
            100,
            "Unsupported post request: unknown phone number id",
        );
    };
    let presented = bearer(req);
    let expected = credentials.access_token.expose();
    if !expected.is_empty() && !constant_time_eq(expected.as_bytes(), presented.as_bytes()) {
        return meta_error(StatusCode::UNAUTHORIZED, 190, "Invalid OAuth access token");
    }
    // `to` (a phone number) wins over `recipient` (a BSUID), as Meta
    // documents for users with usernames.
    let Some(to) = body
        .get("to")
        .or_else(|| body.get("recipient"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return meta_error(
            StatusCode::BAD_REQUEST,
            100,
            "Missing parameter: to or recipient",
        );
    };
    if body.get("messaging_product").and_then(Value::as_str) != Some("whatsapp") {
        return meta_error(
            StatusCode::BAD_REQUEST,
            100,
            "messaging_product must be whatsapp",
        );
    }
    if let Some(refusal) = uploads::unknown_media(&state, &number, &body) {
        return refusal;
    }
    if let Some(fault) = injected_fault(&state).await {
        return fault;
    }
    if to.ends_with("131026") {
        return meta_error(StatusCode::BAD_REQUEST, 131_026, "Message undeliverable");
    }
    // Meta's per-user marketing limit ("healthy ecosystem engagement"):
    // every marketing send to such a recipient fails.
    if to.ends_with("131049") {
        return meta_error(
            StatusCode::BAD_REQUEST,
            131_049,
            "This message was not delivered to maintain healthy ecosystem engagement.",
        );
    }
    let callback = body
        .get("biz_opaque_callback_data")
        .and_then(Value::as_str)
        .map(str::to_owned);
    // The number's spam rate limit: the first send of each message to such
    // a recipient is refused (a campaign pauses on it), later ones pass.
    if to.ends_with("131048") && first_send(&state, &to, callback.as_deref()) {
        return meta_error(StatusCode::BAD_REQUEST, 131_048, "Spam rate limit hit");
    }
    if to.ends_with("130429") && first_send(&state, &to, callback.as_deref()) {
        let mut response = meta_error(StatusCode::TOO_MANY_REQUESTS, 130_429, "Rate limit hit");
        if let Ok(v) = "1".parse() {
            response
                .headers_mut()
                .insert(poem::http::header::RETRY_AFTER, v);
        }
        return response;
    }
    let id = format!("wamid.SANDBOX{}", uuid::Uuid::new_v4().simple());
    if let Ok(mut sent) = state.sent.lock() {
        sent.push(SandboxMessage {
            id: id.clone(),
            phone_number_id: number.clone(),
            to: to.clone(),
            request: body.clone(),
        });
    }
    let garbled = state.faults.lock().map(|f| f.garbled_rate).unwrap_or(0.0);
    let garbled = garbled > 0.0 && rand::Rng::random::<f64>(&mut rand::rng()) < garbled;
    let state = Arc::clone(&state);
    let (wamid, recipient) = (id.clone(), to.clone());
    tokio::spawn(
        async move { send_statuses(&state, &credentials, &wamid, &recipient, callback).await },
    );
    if garbled {
        return poem::Response::builder()
            .status(StatusCode::OK)
            .content_type("text/html")
            .body("<html><body>upstream answered</body></html>");
    }
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [if crate::envelope::is_bsuid(&to) {
            json!({"input": to, "user_id": to})
        } else {
            json!({"input": to, "wa_id": to})
        }],
        "messages": [{"id": id}],
    }))
    .into_response()
}

/// WasenderApi's `POST /api/send-message`: the Bearer key names the session
/// (a session configured without a key accepts any); answers a numeric
/// `msgId` and posts `messages.update` webhooks for it (sent, delivered,
/// read) to the edge's `/webhooks/wasender`, signed with the session's
/// webhook secret.
#[handler]
async fn send_wasender(
    req: &poem::Request,
    Json(body): Json<Value>,
    state: Data<&Arc<SandboxState>>,
) -> Response {
    let wasender_error = |status: StatusCode, message: &str| {
        Json(json!({"success": false, "message": message}))
            .with_status(status)
            .into_response()
    };
    let presented = bearer(req);
    let session = wasender_session(&state, presented).cloned();
    let Some(session) = session else {
        return wasender_error(StatusCode::UNAUTHORIZED, "Invalid API key");
    };
    if let Ok(mut arrivals) = state.arrivals.lock() {
        arrivals.push(Arrival {
            at_ms: chrono::Utc::now().timestamp_millis(),
            phone_number_id: session.phone_number_id.clone(),
            callback: None,
        });
    }
    let Some(to) = body
        .get("to")
        .and_then(Value::as_str)
        .filter(|t| t.starts_with('+') && t.len() > 4)
        .map(str::to_owned)
    else {
        return wasender_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The to field must be an E.164 number",
        );
    };
    let has_media = ["imageUrl", "videoUrl", "audioUrl", "documentUrl"]
        .iter()
        .any(|f| {
            body.get(*f)
                .and_then(Value::as_str)
                .is_some_and(|u| !u.is_empty())
        });
    if !has_media
        && body
            .get("text")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        return wasender_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The text field is required when no media is sent",
        );
    }
    if let Some(fault) = injected_fault(&state).await {
        return fault;
    }
    let id = state
        .next_wasender_id
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(mut sent) = state.sent.lock() {
        sent.push(SandboxMessage {
            id: id.to_string(),
            phone_number_id: session.phone_number_id.clone(),
            to: to.clone(),
            request: body.clone(),
        });
    }
    let state = Arc::clone(&state);
    let jid = format!("{}@s.whatsapp.net", to.trim_start_matches('+'));
    tokio::spawn(async move { send_wasender_statuses(&state, &session, id, &jid).await });
    Json(json!({"success": true, "data": {"msgId": id, "jid": to, "status": "in_progress"}}))
        .into_response()
}

/// `messages.update` webhooks (status 2 sent, 3 delivered, 4 read).
async fn send_wasender_statuses(
    state: &SandboxState,
    session: &NumberCredentials,
    id: u64,
    jid: &str,
) {
    let url = state
        .settings
        .webhook_url
        .replace("/webhooks/meta", "/webhooks/wasender");
    for code in [2, 3, 4] {
        tokio::time::sleep(Duration::from_millis(state.settings.status_delay_ms)).await;
        let body = json!({
            "event": "messages.update",
            "timestamp": chrono::Utc::now().timestamp_millis(),
            "data": {
                "key": {"id": id.to_string(), "remoteJid": jid, "fromMe": true},
                "update": {"status": code, "timestamp": chrono::Utc::now().timestamp_millis()},
            },
        })
        .to_string();
        post_until_accepted(
            state,
            &url,
            crate::provider::wasender::SIGNATURE_HEADER,
            session.app_secret.expose(),
            body,
        )
        .await;
    }
}

/// Posts one webhook, retrying a few times while the edge answers non-200.
async fn post_until_accepted(
    state: &SandboxState,
    url: &str,
    header: &str,
    signature: &str,
    body: String,
) {
    for attempt in 0..20u32 {
        let result = state
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(header, signature)
            .body(body.clone())
            .send()
            .await;
        if result.as_ref().is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt + 1))).await;
    }
}

/// Posts sent, delivered and read webhooks, signed like Meta's, retrying each
/// a few times as Meta does while the edge answers non-200.
async fn send_statuses(
    state: &SandboxState,
    credentials: &NumberCredentials,
    wamid: &str,
    to: &str,
    callback: Option<String>,
) {
    for status in ["sent", "delivered", "read"] {
        tokio::time::sleep(Duration::from_millis(state.settings.status_delay_ms)).await;
        let mut object = json!({
            "id": wamid,
            "status": status,
            "timestamp": chrono::Utc::now().timestamp().to_string(),
        });
        // A BSUID recipient's statuses name it by `recipient_user_id` only
        // (its phone is not shown).
        let field = if crate::envelope::is_bsuid(to) {
            "recipient_user_id"
        } else {
            "recipient_id"
        };
        object[field] = json!(to);
        if let Some(data) = &callback {
            object["biz_opaque_callback_data"] = json!(data);
        }
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "sandbox", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": credentials.display_phone, "phone_number_id": credentials.phone_number_id},
                "statuses": [object],
            }}]}],
        })
        .to_string();
        let signature =
            crate::provider::meta::sign(credentials.app_secret.expose(), body.as_bytes());
        post_until_accepted(
            state,
            &state.settings.webhook_url,
            crate::provider::meta::SIGNATURE_HEADER,
            &signature,
            body,
        )
        .await;
    }
}
