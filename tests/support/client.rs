//! Helpers for the tests that drive the admin API only through the
//! generated client (`wharf-client`): typed refusals, request bodies from
//! JSON, signed-in clients per role, and the Server-Sent Events reader.
//! Included by `tests/client*.rs` with `#[path]`; the harness itself
//! (`support/mod.rs`) does not depend on it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use serde_json::json;
use wharf_client::{Client, Error, types};

/// The HTTP status of a failed call, and its `{code, detail}` when typed.
pub fn failure<R: std::fmt::Debug>(
    result: Result<R, Error<types::ErrorOut>>,
) -> (u16, Option<types::ErrorOut>) {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(Error::ErrorResponse(response)) => {
            (response.status().as_u16(), Some(response.into_inner()))
        }
        Err(Error::UnexpectedResponse(response)) => (response.status().as_u16(), None),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
    }
}

/// Asserts a refusal with `status` and a typed body with `code`; returns
/// its (non-empty) detail.
#[track_caller]
pub fn refused<R: std::fmt::Debug>(
    result: Result<R, Error<types::ErrorOut>>,
    status: u16,
    code: &str,
) -> String {
    let (got, error) = failure(result);
    let error = error.unwrap_or_else(|| panic!("a {got} without a typed {{code, detail}}"));
    assert_eq!(
        (got, error.code.as_str()),
        (status, code),
        "{}",
        error.detail
    );
    assert!(!error.detail.is_empty(), "{status} {code} without a detail");
    error.detail
}

/// A typed request body from JSON (the generated types validate it).
pub fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a valid request body")
}

/// A client presenting `token`.
pub fn client_with(admin_url: &str, token: &str) -> Client {
    Client::with_token(admin_url, token).unwrap()
}

/// Creates an agent with `role` in `teams` (password `correct horse
/// battery`), logs it in; its id and a client with its login token.
pub async fn signed_in(
    admin: &Client,
    admin_url: &str,
    email: &str,
    role: &str,
    teams: &[i64],
) -> (i64, Client) {
    let agent = admin
        .create_agent(&body(json!({
            "email": email, "name": email.split('@').next().unwrap(),
            "password": "correct horse battery", "role": role, "capacity": 3,
            "languages": [], "teams": teams,
        })))
        .await
        .unwrap()
        .into_inner();
    let login = Client::new(admin_url)
        .login(&body(
            json!({"email": email, "password": "correct horse battery"}),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(login.agent.id, agent.id);
    (agent.id, client_with(admin_url, &login.token))
}

/// Logs `email` in (password `correct horse battery`); the token.
pub async fn log_in(admin_url: &str, email: &str) -> String {
    Client::new(admin_url)
        .login(&body(
            json!({"email": email, "password": "correct horse battery"}),
        ))
        .await
        .unwrap()
        .into_inner()
        .token
}

/// Live events read from one `streamEvents` answer in the background.
pub struct EventLog {
    events: Arc<Mutex<Vec<types::LiveEventOut>>>,
    task: tokio::task::JoinHandle<()>,
}

impl EventLog {
    /// Opens the stream for `token` and collects every `data:` event. The
    /// client has no overall timeout ([`Client::with_token`]'s 30 s would
    /// end a long-lived stream).
    pub async fn open(admin_url: &str, token: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        let stream = Client::new_with_client(admin_url, http)
            .stream_events()
            .await
            .expect("the event stream opens")
            .into_inner_stream();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let task = tokio::spawn(async move {
            let mut stream = stream;
            let mut buffer = String::new();
            while let Some(Ok(chunk)) = stream.next().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let frame: String = buffer.drain(..end + 2).collect();
                    for line in frame.lines() {
                        if let Some(data) = line.strip_prefix("data:") {
                            let event: types::LiveEventOut =
                                serde_json::from_str(data.trim()).expect("a LiveEventOut");
                            sink.lock().unwrap().push(event);
                        }
                    }
                }
            }
        });
        Self { events, task }
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<types::LiveEventOut> {
        self.events.lock().unwrap().clone()
    }

    /// The kinds of the events about `conversation`, in order.
    pub fn kinds_for(&self, conversation: i64) -> Vec<String> {
        self.events()
            .into_iter()
            .filter(|e| e.conversation_id == conversation)
            .map(|e| e.kind)
            .collect()
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The support report's CSV (`getSupportReportCsv`) as text, its content
/// type checked.
pub async fn report_csv(
    client: &Client,
    from: &chrono::DateTime<chrono::Utc>,
    to: &chrono::DateTime<chrono::Utc>,
    group_by: types::ReportGroupBy,
) -> String {
    report_csv_on(client, from, to, group_by, None).await
}

/// [`report_csv`] on `clock` (absent: the API's default, wall time).
pub async fn report_csv_on(
    client: &Client,
    from: &chrono::DateTime<chrono::Utc>,
    to: &chrono::DateTime<chrono::Utc>,
    group_by: types::ReportGroupBy,
    clock: Option<types::Clock>,
) -> String {
    use futures::TryStreamExt;
    let response = client
        .get_support_report_csv(clock, from, Some(group_by), to)
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    let bytes: Vec<u8> = response
        .into_inner()
        .into_inner()
        .map_ok(|chunk| chunk.to_vec())
        .try_concat()
        .await
        .unwrap();
    String::from_utf8(bytes).unwrap()
}
