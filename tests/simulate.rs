//! `wharf simulate` behaves like a provider (issue 27): what the edge cannot
//! take yet (429, 503 `overloaded`, no answer) is retried with backoff,
//! never sooner than `Retry-After` and a bounded number of times; a refusal
//! is final; the report counts retries, refusals by reason and deliveries
//! given up. Against real edges (the binary, its printed report, the rows
//! in the database) and against a scripted HTTP server for the exact
//! timing of each attempt.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use entities::message;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::{APP_SECRET, PHONE_NUMBER_ID, StackOptions, TestDb, eventually};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wharf::simulate::{RetryPolicy, SimulateOptions, Target};

/// The number just before `suffix` in `text` (`12` of `"12 retries"`).
fn number_before(text: &str, suffix: &str) -> Option<usize> {
    let at = text.find(suffix)?;
    let digits: String = text[..at]
        .trim_end()
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// `wharf simulate` against two edges that take one delivery at a time: the
/// rest are answered 503 `overloaded` with `Retry-After: 1`, retried, and
/// every message ends stored exactly once; the printed report says so and
/// names the refusals by reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wharf_simulate_retries_an_overloaded_edge_until_every_message_is_stored() {
    let stack = support::spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| {
                config.edge.max_in_flight = 1;
                config.edge.retry_after_secs = 1;
            },
            ..StackOptions::default()
        },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let stack_json = dir.path().join("stack.json");
    let info = wharf::stack::StackInfo {
        edges: stack
            .edges
            .iter()
            .map(|(region, url)| wharf::stack::EdgeInfo {
                region: region.clone(),
                url: url.clone(),
                nats_url: String::new(),
            })
            .collect(),
        admin_url: stack.admin_url.clone(),
        sandbox_url: Some(stack.sandbox_url.clone()),
        nats: wharf::stack::NatsInfo {
            hub: Vec::new(),
            leaves: Vec::new(),
            ops_user: String::new(),
            ops_password: String::new(),
        },
        database: String::new(),
        credentials: wharf::stack::DevCredentials {
            phone_number_id: PHONE_NUMBER_ID.into(),
            app_secret: APP_SECRET.into(),
            verify_token: String::new(),
            access_token: String::new(),
            admin_token: String::new(),
            admin_email: String::new(),
            admin_password: String::new(),
        },
        tls_ca_file: None,
        nats_pids: Vec::new(),
        pid: std::process::id(),
    };
    std::fs::write(&stack_json, serde_json::to_vec(&info).unwrap()).unwrap();

    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_wharf"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WHARF") {
            command.env_remove(key);
        }
    }
    let started = Instant::now();
    let output = command
        .args(["simulate", "-n", "60", "-m", "6", "--concurrency", "16"])
        .arg("--stack")
        .arg(&stack_json)
        .output()
        .await
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("sending 60 messages from 6 contacts to 2 edges"),
        "{stdout}"
    );
    assert!(
        stdout.contains("60 sent, 60 stored, 0 refused, 0 given up after the last attempt"),
        "{stdout}"
    );
    let retries = number_before(&stdout, "retries").unwrap();
    assert!(
        retries > 0,
        "an edge taking one at a time refuses some: {stdout}"
    );
    let overloaded = stdout
        .lines()
        .find(|l| l.contains("answered 503 overloaded:"))
        .unwrap_or_else(|| panic!("no 503 overloaded line: {stdout}"));
    assert_eq!(
        number_before(overloaded, "(retryable)"),
        Some(retries),
        "every retry answers a 503 overloaded: {stdout}"
    );
    assert!(
        took >= Duration::from_secs(1),
        "a retry waits for Retry-After (1 s), the run took {took:?}"
    );
    eventually(
        Duration::from_secs(20),
        "60 messages in 6 conversations",
        || async {
            let inbound = message::Entity::find()
                .filter(message::Column::Direction.eq("inbound"))
                .all(&stack.database)
                .await
                .ok()?;
            let (_, page) = stack.admin_get("/api/v1/conversations?limit=200").await;
            let conversations = page["items"].as_array()?.len();
            (inbound.len() == 60 && conversations == 6).then_some(())
        },
    )
    .await;
}

/// One scripted answer: status, `Retry-After` header, JSON `code`.
type Answer = (u16, Option<&'static str>, &'static str);

/// A plain HTTP server that answers each request with the next scripted
/// answer (then 200) and records when each request came and whether it
/// was signed.
struct Scripted {
    url: String,
    arrivals: Arc<Mutex<Vec<(Instant, bool)>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Scripted {
    async fn start(script: Vec<Answer>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&arrivals);
        let task = tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let body_at = loop {
                    let n = socket.read(&mut buf).await.unwrap();
                    assert!(n > 0, "request cut short");
                    request.extend_from_slice(&buf[..n]);
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                };
                let head = String::from_utf8_lossy(&request[..body_at]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < body_at + length {
                    let n = socket.read(&mut buf).await.unwrap();
                    assert!(n > 0, "body cut short");
                    request.extend_from_slice(&buf[..n]);
                }
                let signed = head.contains("x-hub-signature-256: sha256=");
                seen.lock().unwrap().push((Instant::now(), signed));
                let (status, retry_after, code) = script
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or((200, None, ""));
                let body = serde_json::json!({ "code": code }).to_string();
                let retry_after =
                    retry_after.map_or(String::new(), |v| format!("retry-after: {v}\r\n"));
                let response = format!(
                    "HTTP/1.1 {status} Scripted\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n{retry_after}\r\n{body}",
                    body.len()
                );
                socket.write_all(response.as_bytes()).await.unwrap();
                socket.shutdown().await.ok();
            }
        });
        Self {
            url,
            arrivals,
            task,
        }
    }

    fn target(&self) -> Target {
        Target {
            edges: vec![self.url.clone()],
            phone_number_id: PHONE_NUMBER_ID.into(),
            app_secret: APP_SECRET.into(),
            tls_ca_file: None,
        }
    }

    /// The gaps between consecutive requests.
    fn gaps(&self) -> Vec<Duration> {
        let arrivals = self.arrivals.lock().unwrap();
        assert!(
            arrivals.iter().all(|(_, signed)| *signed),
            "every attempt signed"
        );
        arrivals
            .windows(2)
            .map(|w| w[1].0.duration_since(w[0].0))
            .collect()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const ONE: SimulateOptions = SimulateOptions {
    messages: 1,
    contacts: 1,
    concurrency: 1,
};

/// Each attempt, as the server saw it: a 429 with `Retry-After: 1` is
/// retried no sooner than a second later, a 503 without one after the
/// jittered backoff (at most 200 ms for the second retry), then the 2xx ends
/// the delivery; a 400 is final at once; a server that keeps failing is
/// given up after `max_attempts`; a closed port is retried the same way.
#[tokio::test]
async fn simulate_honours_retry_after_stops_at_a_refusal_and_gives_up_when_bounded() {
    let server = Scripted::start(vec![
        (429, Some("1"), "rate_limited"),
        (503, None, "overloaded"),
    ])
    .await;
    let report = wharf::simulate::run(&server.target(), ONE).await.unwrap();
    assert_eq!(
        (report.sent, report.stored, report.failed, report.retried),
        (1, 1, 0, 2),
        "{report:?}"
    );
    assert_eq!(report.given_up, 0);
    assert_eq!(
        report.refusals,
        BTreeMap::from([
            ("429 rate_limited".to_owned(), 1),
            ("503 overloaded".to_owned(), 1)
        ])
    );
    assert!(report.refused.is_empty(), "{report:?}");
    let gaps = server.gaps();
    assert_eq!(gaps.len(), 2, "three attempts: {gaps:?}");
    assert!(gaps[0] >= Duration::from_secs(1), "Retry-After: {gaps:?}");
    assert!(
        gaps[0] < Duration::from_millis(1500),
        "plus jitter: {gaps:?}"
    );
    assert!(gaps[1] < Duration::from_millis(700), "backoff: {gaps:?}");
    drop(server);

    // A refusal other than 429 is final: one attempt, reported by reason.
    let server = Scripted::start(vec![(400, None, "malformed")]).await;
    let report = wharf::simulate::run(&server.target(), ONE).await.unwrap();
    assert_eq!(
        (
            report.stored,
            report.failed,
            report.retried,
            report.given_up
        ),
        (0, 1, 0, 0),
        "{report:?}"
    );
    assert_eq!(report.refused.get("400 malformed"), Some(&1), "{report:?}");
    assert!(server.gaps().is_empty(), "one attempt only");
    drop(server);

    // Bounded: a server that keeps failing gets `max_attempts` attempts,
    // each wait no longer than `max_delay` (its Retry-After of 60 s too).
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(200),
    };
    let server = Scripted::start(vec![(503, Some("60"), "not_stored"); 10]).await;
    let options = SimulateOptions { messages: 2, ..ONE };
    let started = Instant::now();
    let report = wharf::simulate::run_with(&server.target(), options, policy)
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{report:?}");
    assert_eq!(
        (report.sent, report.stored, report.retried, report.given_up),
        (2, 0, 4, 2),
        "{report:?}"
    );
    assert_eq!(report.refusals.get("503 not_stored"), Some(&6));
    assert!(report.refused.is_empty(), "given up, not refused");
    assert_eq!(server.arrivals.lock().unwrap().len(), 6);
    drop(server);

    // No answer at all (nothing listens) is retried the same way.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let target = Target {
        edges: vec![url],
        phone_number_id: PHONE_NUMBER_ID.into(),
        app_secret: APP_SECRET.into(),
        tls_ca_file: None,
    };
    let report = wharf::simulate::run_with(&target, options, policy)
        .await
        .unwrap();
    assert_eq!(
        (
            report.stored,
            report.failed,
            report.retried,
            report.given_up
        ),
        (0, 2, 4, 2),
        "{report:?}"
    );
    assert_eq!(
        report.refusals,
        BTreeMap::from([("connection".to_owned(), 6)])
    );
}
