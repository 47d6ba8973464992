//! Roles as real `wharf` child processes (edges, routers, senders) that a
//! fault test may kill with SIGKILL, stop with SIGTERM and start again, on
//! the same config and ports. `ProcessStack` puts them beside the harness's
//! real NATS servers, a database given by URL and the in-process sandbox
//! provider. Everything is stopped on `Drop`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use async_nats::jetstream;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use wharf::config::Config;
use wharf::nats_server::free_port;
use wharf::roles;

use crate::support::{Nats, eventually, test_number};

/// One `wharf <role>` process.
pub struct RoleProcess {
    pub name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl RoleProcess {
    pub fn new(name: &str, config: &Path, role: &[&str], env: Vec<(String, String)>) -> Self {
        let mut args = vec!["--config".to_owned(), config.display().to_string()];
        args.extend(role.iter().map(|s| (*s).to_owned()));
        let log = config.with_file_name(format!("{name}.log"));
        let mut process = Self {
            name: name.to_owned(),
            args,
            env,
            log,
            child: None,
        };
        process.start();
        process
    }

    /// Starts the process (again); no-op while it runs.
    pub fn start(&mut self) {
        if self.child.is_some() {
            return;
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_wharf"))
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("WHARF__LOG__FILTER", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
    }

    /// SIGKILL: no shutdown path runs (a crash).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, then up to `grace` for a clean exit, then SIGKILL.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(child) = self.child.as_mut() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = std::time::Instant::now() + grace;
            while std::time::Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }

    /// Whether the process is still running (it did not exit on its own).
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Its process id while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The last lines of the process's output (for failure messages).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for RoleProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A region's edge as a process, on a fixed port so a restart keeps its URL.
pub struct EdgeProcess {
    pub region: String,
    pub url: String,
    pub process: RoleProcess,
}

/// Options of a process stack.
pub struct ProcessOptions {
    pub regions: Vec<&'static str>,
    pub partitions: u16,
    pub routers: usize,
    pub senders: usize,
    pub tune: fn(&mut Config),
}

impl Default for ProcessOptions {
    fn default() -> Self {
        Self {
            regions: vec!["eu", "us"],
            partitions: 4,
            routers: 2,
            senders: 2,
            tune: |_| {},
        }
    }
}

/// Real NATS (3-node hub, a leaf per region), the database at a URL, the
/// sandbox provider in-process, and edges, routers and senders as processes.
pub struct ProcessStack {
    pub nats: Nats,
    pub config: Config,
    pub edges: Vec<EdgeProcess>,
    pub routers: Vec<RoleProcess>,
    pub senders: Vec<RoleProcess>,
    pub sandbox_url: String,
    pub database: sea_orm::DatabaseConnection,
    pub http: reqwest::Client,
    pub config_file: PathBuf,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

/// Settings that make a fault cheap to wait out: short ack waits (a killed
/// consumer's message comes back in seconds), quick sender retries.
pub fn quick_recovery(config: &mut Config) {
    config.router.ack_wait_secs = 5;
    config.router.max_nak_delay_ms = 1000;
    config.router.max_deliver = 50;
    config.sender.max_attempts = 6;
    config.sender.ack_wait_secs = 4;
    config.sender.backoff_base_ms = 50;
    config.sender.backoff_max_ms = 400;
    // A provider that accepts and then answers late gets the retry only after
    // the floor; short values here made a busy host double-send (the known
    // window of ARCHITECTURE.md), so these stay near the defaults.
    config.sender.request_timeout_ms = 3000;
    config.sender.timeout_retry_floor_ms = 5000;
    config.sender.rate.allowance_ms = 100;
    config.edge.ack_timeout_ms = 2000;
    config.edge.retry_after_secs = 1;
}

impl ProcessStack {
    pub async fn start(database_url: &str, options: ProcessOptions) -> Self {
        let nats = Nats::start(&options.regions).await;
        let env = figment::providers::Env::prefixed("WHARF_TEST_UNSET_PREFIX__");
        let mut config = Config::load_from(None, env).unwrap();
        config.numbers = vec![test_number()];
        config.nats.url = nats.hub.client_urls();
        nats.security.apply(&mut config.nats.users);
        config.nats.connect_wait_secs = 10;
        config.database.url = database_url.to_owned();
        config.database.max_connections = 5;
        config.topology.partitions = options.partitions;
        config.topology.regions = options.regions.iter().map(|r| r.to_string()).collect();
        config.ops.router_listen = "127.0.0.1:0".parse().unwrap();
        config.ops.sender_listen = "127.0.0.1:0".parse().unwrap();
        config.secrets.key = relay::secret::Secret::new(relay::vault::Vault::generate_key());
        quick_recovery(&mut config);
        (options.tune)(&mut config);

        roles::provision(&config, Duration::from_secs(30))
            .await
            .unwrap();

        // Edges on fixed ports, so the sandbox knows where statuses go.
        let edge_ports: Vec<u16> = options
            .regions
            .iter()
            .map(|_| free_port().unwrap())
            .collect();
        let shutdown = CancellationToken::new();
        let mut sandbox_settings = config.sandbox.clone();
        sandbox_settings.listen = "127.0.0.1:0".parse().unwrap();
        sandbox_settings.webhook_url = format!("http://127.0.0.1:{}/webhooks/meta", edge_ports[0]);
        sandbox_settings.status_delay_ms = 20;
        let sandbox = roles::bind_sandbox(&config, sandbox_settings)
            .await
            .unwrap();
        let sandbox_url = format!("http://{}", sandbox.local_addr());
        config.numbers[0].api_base_url = Some(sandbox_url.clone());
        let token = shutdown.clone();
        tokio::spawn(async move { sandbox.run(token).await.unwrap() });

        let database = roles::connect_database(&config.database).await.unwrap();
        roles::migrate(&database).await.unwrap();
        roles::seed_numbers(&database, &config.numbers, &roles::vault(&config).unwrap())
            .await
            .unwrap();

        let dir = tempfile::tempdir().unwrap();
        let config_file = dir.path().join("wharf.toml");
        std::fs::write(&config_file, config_toml(&config)).unwrap();

        let mut edges = Vec::new();
        for (i, leaf) in nats.leaves.iter().enumerate() {
            let process = RoleProcess::new(
                &format!("edge-{}", leaf.region),
                &config_file,
                &["edge", "--region", &leaf.region],
                vec![
                    (
                        "WHARF__EDGE__LISTEN".into(),
                        format!("127.0.0.1:{}", edge_ports[i]),
                    ),
                    (
                        "WHARF__EDGE__NATS_URL".into(),
                        leaf.process.client_url.clone(),
                    ),
                ],
            );
            edges.push(EdgeProcess {
                region: leaf.region.clone(),
                url: format!("http://127.0.0.1:{}", edge_ports[i]),
                process,
            });
        }
        let routers = (0..options.routers)
            .map(|i| RoleProcess::new(&format!("router-{i}"), &config_file, &["router"], vec![]))
            .collect();
        let senders = (0..options.senders)
            .map(|i| RoleProcess::new(&format!("sender-{i}"), &config_file, &["sender"], vec![]))
            .collect();
        let stack = Self {
            nats,
            config,
            edges,
            routers,
            senders,
            sandbox_url,
            database,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
            config_file,
            shutdown,
            _dir: dir,
        };
        for i in 0..stack.edges.len() {
            stack.wait_edge_ready(i).await;
        }
        stack
    }

    /// Waits until edge `i` answers `/readyz` with 200.
    pub async fn wait_edge_ready(&self, i: usize) {
        let url = format!("{}/readyz", self.edges[i].url);
        eventually(Duration::from_secs(30), "the edge to be ready", || async {
            let response = self.http.get(&url).send().await.ok()?;
            response.status().is_success().then_some(())
        })
        .await;
    }

    pub async fn hub_js(&self) -> jetstream::Context {
        self.nats.hub_js().await
    }

    /// Sets the sandbox's injected faults (`PUT /sandbox/faults`).
    pub async fn set_faults(&self, faults: Value) {
        let response = self
            .http
            .put(format!("{}/sandbox/faults", self.sandbox_url))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Output of every role process, for failure messages.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        let all = self
            .edges
            .iter()
            .map(|e| &e.process)
            .chain(&self.routers)
            .chain(&self.senders);
        for p in all {
            out.push_str(&format!("--- {} ---\n{}\n", p.name, p.log_tail()));
        }
        out
    }
}

impl Drop for ProcessStack {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The config as a TOML file for the role processes, secrets included
/// (serialization redacts them, so they are put back here).
pub fn config_toml(config: &Config) -> String {
    let mut value = serde_json::to_value(config).unwrap();
    if let Some(numbers) = value["numbers"].as_array_mut() {
        for (n, creds) in numbers.iter_mut().zip(&config.numbers) {
            n["app_secret"] = creds.app_secret.expose().into();
            n["verify_token"] = creds.verify_token.expose().into();
            n["access_token"] = creds.access_token.expose().into();
        }
    }
    value["secrets"]["key"] = config.secrets.key.expose().into();
    let users = &config.nats.users;
    for (role, user) in [
        ("ops", &users.ops),
        ("router", &users.router),
        ("sender", &users.sender),
        ("admin", &users.admin),
        ("edge", &users.edge),
    ] {
        value["nats"]["users"][role]["password"] = user.password.expose().into();
    }
    value["secrets"]["previous_keys"] = config
        .secrets
        .previous_keys
        .iter()
        .map(|k| Value::from(k.expose()))
        .collect();
    let mut out = String::new();
    write_table(&mut out, "", &value);
    out
}

/// Writes a JSON object as TOML: scalars and scalar arrays first, then
/// sub-tables `[a.b]` and arrays of tables `[[a]]`.
fn write_table(out: &mut String, path: &str, value: &Value) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (key, v) in map {
        match v {
            Value::Null | Value::Object(_) => {}
            Value::Array(items) if items.iter().any(Value::is_object) => {}
            other => out.push_str(&format!("{} = {}\n", quote(key), toml_scalar(other))),
        }
    }
    for (key, v) in map {
        let child = if path.is_empty() {
            quote(key)
        } else {
            format!("{path}.{}", quote(key))
        };
        match v {
            Value::Object(_) => {
                out.push_str(&format!("\n[{child}]\n"));
                write_table(out, &child, v);
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for item in items {
                    out.push_str(&format!("\n[[{child}]]\n"));
                    write_table(out, &child, item);
                }
            }
            _ => {}
        }
    }
}

fn quote(key: &str) -> String {
    serde_json::to_string(key).unwrap()
}

fn toml_scalar(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_scalar).collect::<Vec<_>>().join(", ")
        ),
        // JSON strings, numbers and booleans are valid TOML values.
        other => other.to_string(),
    }
}
