//! `wharf up` as a child process on free ports in a temp dir, for the tests
//! that need the whole stack as users start it; and the one conversation
//! (a customer message, an agent's reply, its delivery) they drive through it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::Duration;

use serde_json::{Value, json};
use wharf::child::ChildProcess;

use crate::support::{eventually, meta_text};

/// The environment of a `wharf up` keeping its data in `data`, every port
/// free-picked, logging at `rust_log`.
pub fn up_env(data: &Path, db_url: &str, rust_log: &str) -> Vec<(String, String)> {
    let mut env = vec![
        ("WHARF__UP__DATA_DIR".to_owned(), data.display().to_string()),
        ("WHARF__DATABASE__URL".to_owned(), db_url.to_owned()),
        ("WHARF__ADMIN__LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("RUST_LOG".to_owned(), rust_log.to_owned()),
    ];
    for key in [
        "HUB_CLIENT_PORT",
        "HUB_CLUSTER_PORT",
        "HUB_LEAFNODE_PORT",
        "HUB_MONITOR_PORT",
        "LEAF_CLIENT_PORT",
        "LEAF_MONITOR_PORT",
        "EDGE_HTTP_PORT",
        "SANDBOX_PORT",
    ] {
        env.push((format!("WHARF__UP__{key}"), "0".to_owned()));
    }
    env
}

/// `wharf up` keeping its data in `data`, every port free-picked, logging
/// at `rust_log`; the caller adds arguments and starts it.
pub fn up_command(data: &Path, db_url: &str, rust_log: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
    command
        .arg("up")
        .env_remove("WHARF_CONFIG")
        .envs(up_env(data, db_url, rust_log));
    command
}

/// A running `wharf up`; stopped (SIGTERM, 5 s grace) on drop if the test
/// did not.
pub struct UpProcess {
    process: ChildProcess,
    _dir: tempfile::TempDir,
    pub data: PathBuf,
    pub log_path: PathBuf,
    pub db_url: String,
    /// `stack.json`: URLs, credentials, NATS.
    pub stack: Value,
}

impl UpProcess {
    /// Starts `wharf up <args>` at `rust_log` and waits for its stack.json.
    pub async fn start(args: &[&str], rust_log: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let log_path = dir.path().join("up.log");
        let db_url = format!("sqlite://{}?mode=rwc", data.join("wharf.db").display());
        let mut process = ChildProcess::new("wharf up", env!("CARGO_BIN_EXE_wharf"), &log_path)
            .args(["up"])
            .args(args)
            .env_remove(["WHARF_CONFIG"])
            .envs(up_env(&data, &db_url, rust_log))
            .envs([
                ("WHARF__OPS__ROUTER_LISTEN", "127.0.0.1:0"),
                ("WHARF__OPS__SENDER_LISTEN", "127.0.0.1:0"),
            ]);
        process.start().unwrap();
        let mut up = Self {
            process,
            _dir: dir,
            data,
            log_path,
            db_url,
            stack: Value::Null,
        };
        let stack_json = up.data.join("stack.json");
        let log_path = up.log_path.clone();
        up.stack = eventually(Duration::from_secs(90), "stack.json", || async {
            let stack = read_json(&stack_json);
            if stack.is_none() {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                assert!(!log.contains("panicked"), "wharf up failed:\n{log}");
            }
            stack
        })
        .await;
        up
    }

    /// A value of the dev credentials (`stack.json` → `credentials`).
    pub fn credential(&self, key: &str) -> String {
        self.stack["credentials"][key].as_str().unwrap().to_owned()
    }

    pub fn admin_url(&self) -> String {
        self.stack["admin_url"].as_str().unwrap().to_owned()
    }

    pub fn edge_url(&self) -> String {
        self.stack["edges"][0]["url"].as_str().unwrap().to_owned()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit.
    pub async fn stop(&mut self) -> ExitStatus {
        self.process.terminate_and_wait().await.expect("running")
    }
}

impl Drop for UpProcess {
    fn drop(&mut self) {
        self.process.stop(Duration::from_secs(5));
    }
}

pub fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// A signed customer message to the first edge, then an agent's reply
/// through the admin API, until the reply's status is one of `settled`.
/// Returns the conversation's id.
pub async fn message_and_reply(
    up: &UpProcess,
    http: &reqwest::Client,
    wamid: &str,
    settled: &[&str],
) -> i64 {
    let (admin_url, edge_url, token) =
        (up.admin_url(), up.edge_url(), up.credential("admin_token"));
    let body = meta_text(
        &up.credential("phone_number_id"),
        "4915100000421",
        "Ida",
        wamid,
        "please call me",
        chrono::Utc::now().timestamp(),
    );
    let accepted = http
        .post(format!("{edge_url}/webhooks/meta"))
        .header(
            "x-hub-signature-256",
            relay::provider::meta::sign(&up.credential("app_secret"), &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let get = |path: String| {
        let request = http.get(format!("{admin_url}{path}")).bearer_auth(&token);
        async move { request.send().await.ok()?.json::<Value>().await.ok() }
    };
    let conversation = eventually(Duration::from_secs(30), "the conversation", || async {
        let page = get("/api/v1/conversations".into()).await?;
        page["items"].as_array()?.first()?["id"].as_i64()
    })
    .await;
    let reply: Value = http
        .post(format!(
            "{admin_url}/api/v1/conversations/{conversation}/reply"
        ))
        .bearer_auth(&token)
        .json(&json!({"text": "calling you now"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reply_id = reply["id"].as_i64().expect("a queued reply");
    eventually(Duration::from_secs(30), "the reply delivered", || async {
        let detail = get(format!("/api/v1/conversations/{conversation}")).await?;
        detail["messages"].as_array()?.iter().find(|m| {
            m["id"].as_i64() == Some(reply_id)
                && settled.contains(&m["status"].as_str().unwrap_or(""))
        })?;
        Some(())
    })
    .await;
    conversation
}
