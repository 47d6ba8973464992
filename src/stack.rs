//! `wharf up`: the whole stack on one machine — a 3-node hub cluster, a leaf
//! node per region, migrations, an edge relay per region, a router and the
//! admin server, sender and sandbox provider — described in `<data_dir>/stack.json`. Dev credentials are
//! generated once and kept, so starting again keeps all data.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use rand::Rng;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use relay::secret::Secret;
use serde::{Deserialize, Serialize};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::nats_server::{HubCluster, LeafNode, NatsSecurity, Ports};
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
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
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
    let regions = config.topology.regions.clone();
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
        regions.len(),
    )?;
    let nats_dir = data_dir.join("nats");
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
    let scheme = if config.tls.cert_file.is_empty() {
        "http"
    } else {
        "https"
    };
    let mut hub = HubCluster::start(&up.nats_server, &nats_dir, &ports, &security)?;
    let mut leaves = regions
        .iter()
        .enumerate()
        .map(|(i, region)| {
            LeafNode::start(
                &up.nats_server,
                &nats_dir,
                region,
                ports.leaf_client[i],
                ports.leaf_monitor[i],
                &ports.hub_leafnode,
                &security,
            )
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let ready_wait = Duration::from_secs(60);
    hub.wait_ready(ready_wait).await?;
    for leaf in &mut leaves {
        leaf.wait_ready(ready_wait).await?;
    }
    config.nats.url = hub.client_urls();
    security.apply(&mut config.nats.users);

    let hub_client = roles::provision(&config, ready_wait).await?;

    let mut tasks: JoinSet<anyhow::Result<()>> = JoinSet::new();
    let mut edges = Vec::new();
    for (i, leaf) in leaves.iter().enumerate() {
        let mut settings = config.edge.clone();
        settings.region = leaf.region.clone();
        settings.nats_url = leaf.process.client_url.clone();
        settings.direct_to_hub = false;
        settings
            .listen
            .set_port(offset_port(config.up.edge_http_port, i)?);
        let edge = roles::bind_edge(&config, settings).await?;
        edges.push(EdgeInfo {
            region: leaf.region.clone(),
            url: format!("{scheme}://{}", edge.local_addr()),
            nats_url: leaf.process.client_url.clone(),
        });
        let token = shutdown.clone();
        tasks.spawn(async move { edge.run(token).await.map_err(Into::into) });
    }

    // The evaluator reads the edges' refusals from their /metrics. Here every
    // role shares this process's one metrics registry, so each edge's
    // /metrics shows all edges' counts: one URL counts each refusal once.
    if config.alerts.edge_metrics_urls.is_empty() {
        config.alerts.edge_metrics_urls = edges
            .iter()
            .take(1)
            .map(|e| format!("{}/metrics", e.url))
            .collect();
        if !config
            .alerts
            .rules
            .iter()
            .any(|r| r.kind == admin::alerts::RuleKind::EdgeRejections)
        {
            config
                .alerts
                .rules
                .push(admin::alerts::rules::edge_unavailable_rule());
        }
    }

    // The sandbox stands in for Meta: the demo number sends through it, and
    // it posts status webhooks back to the first region's edge.
    let mut sandbox_settings = config.sandbox.clone();
    sandbox_settings.listen.set_port(config.up.sandbox_port);
    if let Some(first) = edges.first() {
        sandbox_settings.webhook_url = format!("{}/webhooks/meta", first.url);
    }
    let sandbox = roles::bind_sandbox(&config, sandbox_settings).await?;
    let sandbox_url = format!("{scheme}://{}", sandbox.local_addr());
    if let Some(demo) = config.numbers.last_mut() {
        demo.api_base_url = Some(sandbox_url.clone());
    }
    let token = shutdown.clone();
    tasks.spawn(async move { sandbox.run(token).await.map_err(Into::into) });

    let db = roles::connect_database(&config.database).await?;
    roles::migrate(&db).await?;
    roles::seed_numbers(&db, &config.numbers, &*roles::vault(&config)?).await?;
    admin::tokens::ensure_token(&db, "dev", &credentials.admin_token).await?;
    admin::accounts::ensure_admin(
        &db,
        &credentials.admin_email,
        "Admin",
        &credentials.admin_password,
    )
    .await?;

    let router = roles::build_router(&config, db.clone()).await?;
    let token = shutdown.clone();
    tasks.spawn(async move { router.run(token).await.map_err(Into::into) });
    let sender = roles::build_sender(&config, db.clone()).await?;
    let token = shutdown.clone();
    tasks.spawn(async move { sender.run(token).await.map_err(Into::into) });
    let admin_server = roles::bind_admin(&config, db.clone()).await?;
    let admin_url = format!("{scheme}://{}", admin_server.local_addr());
    let token = shutdown.clone();
    tasks.spawn(async move { admin_server.run(token).await.map_err(Into::into) });

    let info = StackInfo {
        edges,
        admin_url,
        sandbox_url: Some(sandbox_url),
        nats: NatsInfo {
            hub: hub.nodes.iter().map(|n| n.client_url.clone()).collect(),
            leaves: leaves
                .iter()
                .map(|l| EdgeLeaf {
                    region: l.region.clone(),
                    url: l.process.client_url.clone(),
                })
                .collect(),
            ops_user: config.nats.users.ops.user.clone(),
            ops_password: security.ops.expose().to_owned(),
        },
        database: crate::config::redact_url(&config.database.url),
        credentials,
        tls_ca_file: (!config.nats.tls_ca_file.is_empty()).then(|| config.nats.tls_ca_file.clone()),
        nats_pids: hub
            .nodes
            .iter()
            .chain(leaves.iter().map(|l| &l.process))
            .filter_map(|n| n.pid())
            .collect(),
        pid: std::process::id(),
    };
    let stack_json = data_dir.join("stack.json");
    write_private(&stack_json, &serde_json::to_vec_pretty(&info)?)?;
    print_summary(&info, &stack_json);

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
    drop(hub_client);
    db.close().await.ok();
    // Leaves first, then the hub; each is stopped and reaped on drop.
    drop(leaves);
    drop(hub);
    let _ = std::fs::remove_file(&stack_json);
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
