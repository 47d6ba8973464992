//! `wharf up`: the whole stack on one machine — a 3-node hub cluster, a leaf
//! node per region, migrations, an edge relay per region, a router and the
//! admin server, sender and sandbox provider — described in
//! `<data_dir>/stack.json`. Dev credentials are generated once and kept, so
//! starting again keeps all data.
//!
//! [`Stack::build`] binds the roles in one order and
//! [`Stack::run_until_stopped`] runs them; `wharf up` and the test harness
//! both start a stack this way.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use rand::Rng;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use relay::secret::Secret;
use relay::sources::SourceState;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use relay::edge::EdgeServer;
use relay::provider::sandbox::SandboxServer;
use relay::router::Router;
use relay::sender::Sender;
use sea_orm::DatabaseConnection;

use crate::config::Config;
use crate::nats_server::{LocalNats, NatsSecurity, Ports};
use crate::roles;

/// Hub nodes of the local stack.
pub const HUB_NODES: usize = 3;

/// Credentials `wharf up` generates on first start (`dev-credentials.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevCredentials {
    pub phone_number_id: String,
    pub app_secret: String,
    pub verify_token: String,
    /// The demo number's send-API token (the sandbox checks it; stored
    /// sealed like any provider token).
    #[serde(default)]
    pub access_token: String,
    pub admin_token: String,
    /// The first admin agent's login (the dashboard's).
    #[serde(default)]
    pub admin_email: String,
    #[serde(default)]
    pub admin_password: String,
}

impl DevCredentials {
    fn generate() -> Self {
        let mut rng = rand::rng();
        let hex = |rng: &mut rand::rngs::ThreadRng, n: usize| {
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            hex::encode(bytes)
        };
        Self {
            phone_number_id: format!("1{:014}", rng.random_range(0..100_000_000_000_000u64)),
            app_secret: hex(&mut rng, 16),
            verify_token: hex(&mut rng, 12),
            access_token: format!("EAAdev{}", hex(&mut rng, 16)),
            admin_token: format!("wharf_dev_{}", hex(&mut rng, 20)),
            admin_email: "admin@wharf.local".into(),
            admin_password: hex(&mut rng, 10),
        }
    }

    /// Loads the credentials of `data_dir`, generating them on first start.
    ///
    /// # Errors
    /// When the file is unreadable or cannot be written.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join("dev-credentials.json");
        if path.exists() {
            let text = std::fs::read_to_string(&path)?;
            return serde_json::from_str(&text)
                .with_context(|| format!("reading {}", path.display()));
        }
        let credentials = Self::generate();
        write_private(&path, &serde_json::to_vec_pretty(&credentials)?)?;
        Ok(credentials)
    }

    pub fn number(&self) -> NumberCredentials {
        NumberCredentials {
            provider: Provider::Meta,
            phone_number_id: self.phone_number_id.clone(),
            display_phone: "+1 555 0100".into(),
            app_secret: Secret::new(&self.app_secret),
            verify_token: Secret::new(&self.verify_token),
            access_token: Secret::new(&self.access_token),
            api_base_url: None,
        }
    }
}

/// The secrets key of a local stack (`<data_dir>/secrets.key`), generated on
/// first start, readable by its owner only.
fn load_or_create_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("secrets.key");
    if path.exists() {
        let key = std::fs::read_to_string(&path)?.trim().to_owned();
        return Ok(key);
    }
    let key = relay::vault::Vault::generate_key();
    write_private(&path, key.as_bytes())?;
    tracing::info!(path = %path.display(), "generated the key sealing stored secrets");
    Ok(key)
}

/// Writes a file readable by its owner only (it holds credentials).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// `stack.json`: where everything listens, for people and scripts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StackInfo {
    pub edges: Vec<EdgeInfo>,
    pub admin_url: String,
    /// The sandbox provider's URL, once it exists.
    pub sandbox_url: Option<String>,
    pub nats: NatsInfo,
    /// The database URL, password redacted.
    pub database: String,
    pub credentials: DevCredentials,
    /// The CA to trust when the stack runs with TLS (`wharf up --tls`).
    pub tls_ca_file: Option<String>,
    /// Process ids of the nats-server children.
    pub nats_pids: Vec<u32>,
    /// Process id of `wharf up` itself.
    pub pid: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeInfo {
    pub region: String,
    pub url: String,
    pub nats_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NatsInfo {
    /// Client URLs of the hub nodes.
    pub hub: Vec<String>,
    /// Client URL of each region's leaf node.
    pub leaves: Vec<EdgeLeaf>,
    /// The operators' user (everything allowed) on the hub and the leaves,
    /// e.g. for the `nats` CLI; new each start.
    pub ops_user: String,
    pub ops_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EdgeLeaf {
    pub region: String,
    pub url: String,
}

/// What a stack is built from besides the NATS servers: the config (whose
/// `[nats]` already points at the hub), each region's leaf the edges publish
/// into, and what to seed.
pub struct StackConfig {
    pub config: Config,
    pub leaves: Vec<EdgeLeaf>,
    /// How long NATS may take to accept the streams (provisioning).
    pub ready_wait: Duration,
    /// The numbers whose replies go to the sandbox provider.
    pub sandboxed: Sandboxed,
    /// Where the alert evaluator reads the edges' refusals.
    pub edge_metrics: EdgeMetrics,
    /// An admin API token: (name, token).
    pub admin_token: (String, String),
    /// The first admin agent's login (email, password), if any.
    pub admin_account: Option<(String, String)>,
}

/// The numbers whose replies go to the sandbox provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sandboxed {
    /// Every configured number (the tests').
    All,
    /// The last one: the demo number `wharf up` adds after the operator's.
    Last,
}

/// Where the alert evaluator reads the edges' refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeMetrics {
    /// `[alerts]` as configured.
    AsConfigured,
    /// Without `[alerts] edge_metrics_urls`, the first edge's `/metrics`:
    /// every role here shares this process's one metrics registry, so each
    /// edge's `/metrics` shows all edges' counts and one URL counts each
    /// refusal once. With `edge_rule`, also the rule on the edges' refusals
    /// when no rule watches them.
    FirstEdge { edge_rule: bool },
}

/// The roles of a stack, bound and connected but not yet running, and where
/// they listen ([`Stack::build`], then [`Stack::run_until_stopped`]).
pub struct Stack {
    /// The effective config (numbers pointing at the sandbox, alert sources).
    pub config: Config,
    pub edges: Vec<EdgeInfo>,
    pub admin_url: String,
    pub sandbox_url: String,
    pub database: DatabaseConnection,
    /// The router. A caller that stops and starts it on its own takes it
    /// out before running the stack.
    pub router: Option<Router>,
    /// The ops connection of provisioning, held while the stack runs.
    ops_client: async_nats::Client,
    /// The reconciler's own connection, as its least-privilege user.
    reconciler_client: async_nats::Client,
    edge_servers: Vec<EdgeServer>,
    sandbox: SandboxServer,
    /// The sender. A caller that runs senders of its own (processes it
    /// kills) takes it out before running the stack.
    pub sender: Option<Sender>,
    admin: admin::AdminServer,
}

impl Stack {
    /// Provisions NATS, binds an edge per leaf, the sandbox provider,
    /// migrates and seeds the database, builds the router and the sender and
    /// binds the admin server — in the order `wharf up` has always used.
    ///
    /// # Errors
    /// When a part cannot start; what was started is dropped.
    pub async fn build(spec: StackConfig) -> anyhow::Result<Self> {
        let StackConfig {
            mut config,
            leaves,
            ready_wait,
            sandboxed,
            edge_metrics,
            admin_token,
            admin_account,
        } = spec;
        let scheme = if config.tls.cert_file.is_empty() {
            "http"
        } else {
            "https"
        };
        let ops_client = roles::provision(&config, ready_wait).await?;

        let mut edges = Vec::new();
        let mut edge_servers = Vec::new();
        for (i, leaf) in leaves.iter().enumerate() {
            let mut settings = config.edge.clone();
            settings.region = leaf.region.clone();
            settings.nats_url = leaf.url.clone();
            settings.direct_to_hub = false;
            settings
                .listen
                .set_port(offset_port(config.up.edge_http_port, i)?);
            let edge = roles::bind_edge(&config, settings).await?;
            edges.push(EdgeInfo {
                region: leaf.region.clone(),
                url: format!("{scheme}://{}", edge.local_addr()),
                nats_url: leaf.url.clone(),
            });
            edge_servers.push(edge);
        }

        if let EdgeMetrics::FirstEdge { edge_rule } = edge_metrics
            && config.alerts.edge_metrics_urls.is_empty()
        {
            config.alerts.edge_metrics_urls = edges
                .iter()
                .take(1)
                .map(|e| format!("{}/metrics", e.url))
                .collect();
            let watched = config
                .alerts
                .rules
                .iter()
                .any(|r| r.kind == admin::alerts::RuleKind::EdgeRejections);
            if edge_rule && !watched {
                config
                    .alerts
                    .rules
                    .push(admin::alerts::rules::edge_unavailable_rule());
            }
        }

        // The sandbox stands in for Meta: the sandboxed numbers send through
        // it, and it posts status webhooks back to the first region's edge.
        let mut sandbox_settings = config.sandbox.clone();
        sandbox_settings.listen.set_port(config.up.sandbox_port);
        if let Some(first) = edges.first() {
            sandbox_settings.webhook_url = format!("{}/webhooks/meta", first.url);
        }
        let sandbox = roles::bind_sandbox(&config, sandbox_settings).await?;
        let sandbox_url = format!("{scheme}://{}", sandbox.local_addr());
        let numbers = match sandboxed {
            Sandboxed::All => &mut config.numbers[..],
            Sandboxed::Last => {
                let n = config.numbers.len();
                &mut config.numbers[n.saturating_sub(1)..]
            }
        };
        for number in numbers {
            number.api_base_url = Some(sandbox_url.clone());
        }

        let database = roles::connect_database(&config.database).await?;
        roles::migrate(&database).await?;
        roles::seed_numbers(&database, &config.numbers, &*roles::vault(&config)?).await?;
        admin::tokens::ensure_token(&database, &admin_token.0, &admin_token.1).await?;
        if let Some((email, password)) = &admin_account {
            admin::accounts::ensure_admin(&database, email, "Admin", password).await?;
        }

        let router = roles::build_router(&config, database.clone()).await?;
        let reconciler_client =
            roles::hub_client(&config, crate::config::Role::Reconciler, "wharf-reconcile").await?;
        let sender = roles::build_sender(&config, database.clone()).await?;
        let admin = roles::bind_admin(&config, database.clone()).await?;
        let admin_url = format!("{scheme}://{}", admin.local_addr());
        Ok(Self {
            config,
            edges,
            admin_url,
            sandbox_url,
            database,
            router: Some(router),
            ops_client,
            reconciler_client,
            edge_servers,
            sandbox,
            sender: Some(sender),
            admin,
        })
    }

    /// A probe of the inbound path of this stack (see [`PathProbe`]).
    pub fn path_probe(&self) -> PathProbe {
        PathProbe::new(
            self.ops_client.clone(),
            self.edges.iter().map(|e| e.region.clone()).collect(),
            self.config.topology.partitions,
        )
    }

    /// Runs every role until `shutdown`; a role that stops with an error
    /// stops the others. Closes the database at the end.
    ///
    /// # Errors
    /// The first role's error.
    pub async fn run_until_stopped(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let mut tasks: JoinSet<anyhow::Result<()>> = JoinSet::new();
        for edge in self.edge_servers {
            let token = shutdown.clone();
            tasks.spawn(async move { edge.run(token).await.map_err(Into::into) });
        }
        let token = shutdown.clone();
        let sandbox = self.sandbox;
        tasks.spawn(async move { sandbox.run(token).await.map_err(Into::into) });
        if let Some(router) = self.router {
            let token = shutdown.clone();
            tasks.spawn(async move { router.run(token).await.map_err(Into::into) });
        }
        if let Some(sender) = self.sender {
            let token = shutdown.clone();
            tasks.spawn(async move { sender.run(token).await.map_err(Into::into) });
        }
        let token = shutdown.clone();
        let admin = self.admin;
        tasks.spawn(async move { admin.run(token).await.map_err(Into::into) });
        // The reconciler, as its own user.
        let reconciler = relay::completeness::Reconciler {
            client: self.reconciler_client.clone(),
            regions: self.edges.iter().map(|e| e.region.clone()).collect(),
            settings: self.config.reconciler.clone(),
        };
        let token = shutdown.clone();
        tasks.spawn(async move {
            reconciler.run(token).await;
            Ok(())
        });

        let mut outcome = Ok(());
        while let Some(done) = tasks.join_next().await {
            let result = done.map_err(anyhow::Error::from).and_then(|r| r);
            if let Err(err) = result {
                tracing::error!(error = %format!("{err:#}"), "a role stopped; stopping the stack");
                shutdown.cancel();
                if outcome.is_ok() {
                    outcome = Err(err);
                }
            }
        }
        drop(self.ops_client);
        drop(self.reconciler_client);
        self.database.close().await.ok();
        outcome
    }
}

/// Whether the whole inbound path is live: every region's source into
/// `INBOUND` live ([`relay::sources::state`]) and a pull waiting on every router
/// partition consumer. `wharf up` says it is up only then.
#[derive(Clone)]
pub struct PathProbe {
    js: async_nats::jetstream::Context,
    regions: Vec<String>,
    partitions: u16,
}

impl PathProbe {
    /// A probe through `client` (one that may read INBOUND and its
    /// consumers) of `regions`' sources and `partitions` router consumers.
    pub fn new(client: async_nats::Client, regions: Vec<String>, partitions: u16) -> Self {
        Self {
            js: async_nats::jetstream::new(client),
            regions,
            partitions,
        }
    }

    /// `Ok` when live.
    ///
    /// # Errors
    /// The first part of the path that is not live yet.
    pub async fn check(&self) -> Result<(), NotLive> {
        let inbound = |e: &dyn std::fmt::Display| NotLive::Inbound(e.to_string());
        let mut stream = self
            .js
            .get_stream(relay::topology::INBOUND)
            .await
            .map_err(|e| inbound(&e))?;
        let info = stream.info().await.map_err(|e| inbound(&e))?;
        for region in &self.regions {
            let name = relay::topology::edge_stream(region);
            match relay::sources::state(info, region) {
                SourceState::Live => {}
                SourceState::Missing => return Err(NotLive::NoSource(name)),
                SourceState::Silent(active) => return Err(NotLive::SourceIdle { name, active }),
            }
        }
        for partition in 0..self.partitions {
            let name = relay::topology::router_consumer(partition);
            let consumer = |e: &dyn std::fmt::Display| NotLive::Consumer {
                name: name.clone(),
                message: e.to_string(),
            };
            let mut pull: async_nats::jetstream::consumer::PullConsumer =
                stream.get_consumer(&name).await.map_err(|e| consumer(&e))?;
            let info = pull.info().await.map_err(|e| consumer(&e))?;
            if info.num_waiting == 0 {
                return Err(NotLive::NoPuller(name));
            }
        }
        Ok(())
    }

    /// Polls [`Self::check`] until the path is live.
    ///
    /// # Errors
    /// When it is not live within `wait`, saying what is missing.
    pub async fn wait_live(&self, wait: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.check().await {
                Ok(()) => return Ok(()),
                Err(missing) if tokio::time::Instant::now() >= deadline => {
                    anyhow::bail!("the inbound path is not live after {wait:?}: {missing}")
                }
                Err(missing) => tracing::debug!(%missing, "inbound path not live yet"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The part of the inbound path that is not live yet ([`PathProbe::check`]).
#[derive(Debug, thiserror::Error)]
pub enum NotLive {
    #[error("INBOUND: {0}")]
    Inbound(String),
    #[error("INBOUND has no source {0}")]
    NoSource(String),
    #[error("the source {name} is not active yet (last heard {active:?} ago)")]
    SourceIdle {
        name: String,
        active: Option<Duration>,
    },
    #[error("router consumer {name}: {message}")]
    Consumer { name: String, message: String },
    #[error("no router is pulling from {0} yet")]
    NoPuller(String),
}

/// Runs the stack until `shutdown` (Ctrl-C / SIGTERM in `main`).
///
/// # Errors
/// When a part cannot start; everything started so far is stopped.
pub async fn up(mut config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let data_dir: PathBuf = config.up.data_dir.clone();
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let credentials = DevCredentials::load_or_create(&data_dir)?;
    if config.secrets.key.is_empty() {
        config.secrets.key = Secret::new(load_or_create_key(&data_dir)?);
    }
    config.numbers.push(credentials.number());
    let up = &config.up;
    let ports = Ports::plan(
        [
            up.hub_client_port,
            up.hub_cluster_port,
            up.hub_leafnode_port,
            up.hub_monitor_port,
            up.leaf_client_port,
            up.leaf_monitor_port,
        ],
        HUB_NODES,
        config.topology.regions.len(),
    )?;
    // Fresh NATS passwords each start; every role gets its own user.
    let mut security = NatsSecurity::generate();
    if config.up.tls {
        let files = crate::certs::ensure_local_ca(&data_dir.join("tls"))?;
        let path = |p: &Path| p.display().to_string();
        config.nats.tls_ca_file = path(&files.ca);
        config.tls.cert_file = path(&files.cert);
        config.tls.key_file = path(&files.key);
        config.tls.ca_file = path(&files.ca);
        config.tls.trust_for_clients()?;
        security = security.with_tls(files);
    }
    let ready_wait = Duration::from_secs(60);
    let nats = LocalNats::start(
        &config.up.nats_server,
        &data_dir.join("nats"),
        ports,
        &config.topology.regions,
        security,
        ready_wait,
    )
    .await?;
    config.nats.url = nats.hub.client_urls();
    nats.security.apply(&mut config.nats.users);

    let stack = Stack::build(StackConfig {
        config,
        leaves: nats.edge_leaves(),
        ready_wait,
        sandboxed: Sandboxed::Last,
        edge_metrics: EdgeMetrics::FirstEdge { edge_rule: true },
        admin_token: ("dev".into(), credentials.admin_token.clone()),
        admin_account: Some((
            credentials.admin_email.clone(),
            credentials.admin_password.clone(),
        )),
    })
    .await?;
    let config = &stack.config;
    let info = StackInfo {
        edges: stack.edges.clone(),
        admin_url: stack.admin_url.clone(),
        sandbox_url: Some(stack.sandbox_url.clone()),
        nats: NatsInfo {
            hub: nats
                .hub
                .nodes
                .iter()
                .map(|n| n.client_url.clone())
                .collect(),
            leaves: nats.edge_leaves(),
            ops_user: config.nats.users.ops.user.clone(),
            ops_password: nats.security.ops.expose().to_owned(),
        },
        database: crate::config::redact_url(&config.database.url),
        credentials,
        tls_ca_file: (!config.nats.tls_ca_file.is_empty()).then(|| config.nats.tls_ca_file.clone()),
        nats_pids: nats.pids(),
        pid: std::process::id(),
    };
    // Up only once the whole path is live: the roles run, each region's
    // source feeds INBOUND and the router pulls every partition.
    let probe = stack.path_probe();
    let mut run = tokio::spawn(stack.run_until_stopped(shutdown.clone()));
    let live = tokio::select! {
        live = probe.wait_live(ready_wait) => live,
        stopped = &mut run => Err(stopped.map_err(anyhow::Error::from).and_then(|r| r).err()
            .unwrap_or_else(|| anyhow::anyhow!("the stack stopped before it was up"))),
    };
    let outcome = match live {
        Ok(()) => {
            let stack_json = data_dir.join("stack.json");
            match serde_json::to_vec_pretty(&info)
                .map_err(anyhow::Error::from)
                .and_then(|json| write_private(&stack_json, &json))
            {
                Ok(()) => print_summary(&info, &stack_json),
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "cannot write stack.json; stopping");
                    shutdown.cancel();
                }
            }
            let outcome = (&mut run).await;
            let _ = std::fs::remove_file(&stack_json);
            outcome
        }
        Err(err) => {
            shutdown.cancel();
            if !run.is_finished() {
                let _ = (&mut run).await;
            }
            Ok(Err(err))
        }
    };
    let outcome = outcome.map_err(anyhow::Error::from).and_then(|r| r);
    // Leaves first, then the hub; each is stopped and reaped on drop.
    drop(nats);
    outcome
}

/// `base + i`, or 0 (a free port) when the base is 0.
fn offset_port(base: u16, i: usize) -> anyhow::Result<u16> {
    if base == 0 {
        return Ok(0);
    }
    base.checked_add(u16::try_from(i)?)
        .context("port out of range")
}

fn print_summary(info: &StackInfo, stack_json: &Path) {
    let mut out = String::from("\nWharf is up.\n");
    for edge in &info.edges {
        out.push_str(&format!(
            "  edge {:<4} {}/webhooks/meta   (NATS leaf {})\n",
            edge.region, edge.url, edge.nats_url
        ));
    }
    out.push_str(&format!(
        "  admin     {}   (API docs {}/api/docs)\n",
        info.admin_url, info.admin_url
    ));
    if let Some(sandbox) = &info.sandbox_url {
        out.push_str(&format!(
            "  sandbox   {sandbox}   (stand-in for Meta's API)\n"
        ));
    }
    out.push_str(&format!("  NATS hub  {}\n", info.nats.hub.join(", ")));
    out.push_str(&format!("  database  {}\n", info.database));
    if let Some(ca) = &info.tls_ca_file {
        out.push_str(&format!(
            "  TLS on every connection; trust the local CA {ca}\n  (e.g. curl --cacert {ca})\n"
        ));
    }
    out.push_str(&format!(
        "  demo number {}; its app secret, verify token, the admin token and the\n  dashboard login ({}) are in {}\n",
        info.credentials.phone_number_id,
        info.credentials.admin_email,
        stack_json.display()
    ));
    out.push_str("Ctrl-C stops everything.\n");
    println!("{out}");
}
