//! Roles as real `wharf` child processes (edges, routers, senders) that a
//! fault test may kill with SIGKILL, stop with SIGTERM and start again, on
//! the same config and ports. `ProcessStack` puts them beside the harness's
//! real NATS servers, a database given by URL and the in-process sandbox
//! provider. Everything is stopped on `Drop`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_nats::jetstream;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use wharf::child::ChildProcess;
use wharf::config::Config;
use wharf::nats_server::free_port;
use wharf::roles;

use crate::support::{Nats, test_number};

/// `wharf --config <config> <role…>` as a started child process, logging
/// beside its config file at `warn`.
pub fn role_process(
    name: &str,
    config: &Path,
    role: &[&str],
    env: Vec<(String, String)>,
) -> ChildProcess {
    let log = config.with_file_name(format!("{name}.log"));
    let mut process = ChildProcess::new(name, env!("CARGO_BIN_EXE_wharf"), log)
        .args([std::ffi::OsStr::new("--config"), config.as_os_str()])
        .args(role)
        .envs([("WHARF__LOG__FILTER", "warn")])
        .envs(env);
    process.start().unwrap();
    process
}

/// A region's edge as a process, on a fixed port so a restart keeps its URL.
pub struct EdgeProcess {
    pub region: String,
    pub url: String,
    pub process: ChildProcess,
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
    pub routers: Vec<ChildProcess>,
    pub senders: Vec<ChildProcess>,
    /// `wharf reconcile`, as the README's deployment runs it: keeps INBOUND
    /// complete and its sources live.
    pub reconciler: ChildProcess,
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
        config.ops.reconciler_listen = "127.0.0.1:0".parse().unwrap();
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
        config.write_file(&config_file).unwrap();

        let mut edges = Vec::new();
        for (i, leaf) in nats.leaves.iter().enumerate() {
            let process = role_process(
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
            .map(|i| role_process(&format!("router-{i}"), &config_file, &["router"], vec![]))
            .collect();
        let senders = (0..options.senders)
            .map(|i| role_process(&format!("sender-{i}"), &config_file, &["sender"], vec![]))
            .collect();
        let reconciler = role_process("reconciler", &config_file, &["reconcile"], vec![]);
        let stack = Self {
            nats,
            config,
            edges,
            routers,
            senders,
            reconciler,
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
        // As `wharf up`: traffic starts once every source feeds INBOUND and
        // the routers pull (on 2.11+ a source can start seconds late).
        let probe = wharf::stack::PathProbe::new(
            stack.hub_js().await.client(),
            stack.config.topology.regions.clone(),
            stack.config.topology.partitions,
        );
        probe.wait_live(Duration::from_secs(60)).await.unwrap();
        stack
    }

    /// Waits until edge `i` answers `/readyz` with 200.
    pub async fn wait_edge_ready(&self, i: usize) {
        let url = format!("{}/readyz", self.edges[i].url);
        // A minute: beside a fault scenario on two cores a start can be slow.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let ready = match self.http.get(&url).send().await {
                Ok(response) => response.status().is_success(),
                Err(_) => false,
            };
            if ready {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "edge {i} not ready after 60 s:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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
            .chain(&self.senders)
            .chain(std::iter::once(&self.reconciler));
        for p in all {
            out.push_str(&format!("--- {} ---\n{}\n", p.name, p.log_tail(20)));
        }
        out
    }
}

impl Drop for ProcessStack {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
