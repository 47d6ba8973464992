//! Running real `nats-server` processes: the hub cluster (three nodes from the
//! root `nats.conf`) and one leaf node per region (`deploy/leaf.conf`), each
//! with its own store directory. Used by `wharf up` and by the test harness.
//! A process is killed and reaped when its handle drops; a pid file lets the
//! next start clean up after a `wharf up` that was killed with -9.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use relay::nats::Access;
use relay::secret::Secret;

use crate::child::ChildProcess;

/// The hub node config (root `nats.conf`).
pub const HUB_CONF: &str = include_str!("../nats.conf");
/// The edge region leaf node config template.
pub const LEAF_CONF: &str = include_str!("../deploy/leaf.conf");
/// The hub node config with TLS (includes `nats.conf`).
pub const HUB_TLS_CONF: &str = include_str!("../nats-tls.conf");
/// The leaf node config with TLS (includes `deploy/leaf.conf`).
pub const LEAF_TLS_CONF: &str = include_str!("../deploy/leaf-tls.conf");

/// Where `scripts/ensure-nats.sh` installs the pinned server, relative to
/// the repository root.
pub const TOOLS_NATS_SERVER: &str = ".tools/nats/bin/nats-server";

/// The server binary to run for `binary`: a bare `nats-server` means the
/// pinned one in `.tools/nats/bin` when found above the working directory or
/// the running executable (a checkout's `target/`), else the first on PATH;
/// any other value is used as given.
pub fn server_binary(binary: &str) -> PathBuf {
    if binary != "nats-server" {
        return PathBuf::from(binary);
    }
    let starts = [
        std::env::current_dir().ok(),
        std::env::current_exe().ok(),
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
    ];
    starts
        .iter()
        .flatten()
        .flat_map(|start| start.ancestors())
        .map(|dir| dir.join(TOOLS_NATS_SERVER))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| PathBuf::from(binary))
}

/// Runs `binary --version` (once per binary per process), logs the version
/// and refuses a server older than [`relay::nats::MIN_SERVER_VERSION`].
///
/// # Errors
/// When the binary cannot be run or is too old, naming both versions.
pub fn check_server_binary(binary: &Path) -> anyhow::Result<relay::nats::ServerVersion> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CHECKED: OnceLock<Mutex<HashMap<PathBuf, relay::nats::ServerVersion>>> = OnceLock::new();
    let checked = CHECKED.get_or_init(Mutex::default);
    if let Some(version) = checked
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(binary)
    {
        return Ok(*version);
    }
    let output = Command::new(binary).arg("--version").output().with_context(|| {
        format!(
            "cannot run {} (`make deps` installs the pinned nats-server into {TOOLS_NATS_SERVER})",
            binary.display()
        )
    })?;
    let reported = String::from_utf8_lossy(&output.stdout);
    let version = relay::nats::ServerVersion::check(&reported, &binary.display().to_string())?;
    tracing::info!(%version, binary = %binary.display(), "nats-server");
    checked
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(binary.to_owned(), version);
    Ok(version)
}

/// Writes `base` as `<dir>/<name>.conf`, and with `tls` the TLS variant
/// (`tls_template`, whose `include` line names the base file) beside it;
/// returns the file the server is to run.
fn write_conf(
    dir: &Path,
    name: &str,
    base: &str,
    tls_template: &str,
    base_include: &str,
    tls: bool,
) -> anyhow::Result<PathBuf> {
    let conf = dir.join(format!("{name}.conf"));
    std::fs::write(&conf, base)?;
    if !tls {
        return Ok(conf);
    }
    let tls_conf = dir.join(format!("{name}-tls.conf"));
    let text = tls_template.replace(
        &format!("include {base_include}"),
        &format!("include ./{name}.conf"),
    );
    anyhow::ensure!(
        text != tls_template,
        "the TLS template lost its include line"
    );
    std::fs::write(&tls_conf, text)?;
    Ok(tls_conf)
}

/// The passwords of one stack's NATS users (nats.conf, deploy/leaf.conf),
/// random per start: the servers get them through their environment, the
/// roles through `[nats.users]` ([`NatsSecurity::apply`]).
#[derive(Clone)]
pub struct NatsSecurity {
    pub route: Secret,
    pub leaf: Secret,
    pub ops: Secret,
    pub router: Secret,
    pub sender: Secret,
    pub admin: Secret,
    pub edge: Secret,
    pub reconciler: Secret,
    /// TLS on every NATS connection (clients, routes, leaf links) when set.
    pub tls: Option<crate::certs::TlsFiles>,
}

impl NatsSecurity {
    pub fn generate() -> Self {
        let new = || {
            let bytes: [u8; 18] = rand::random();
            Secret::new(hex::encode(bytes))
        };
        Self {
            route: new(),
            leaf: new(),
            ops: new(),
            router: new(),
            sender: new(),
            admin: new(),
            edge: new(),
            reconciler: new(),
            tls: None,
        }
    }

    /// The same, with TLS from `files`.
    #[must_use]
    pub fn with_tls(mut self, files: crate::certs::TlsFiles) -> Self {
        self.tls = Some(files);
        self
    }

    /// Puts each role's password into `users`.
    pub fn apply(&self, users: &mut crate::config::NatsUsers) {
        users.ops.password = self.ops.clone();
        users.router.password = self.router.clone();
        users.sender.password = self.sender.clone();
        users.admin.password = self.admin.clone();
        users.edge.password = self.edge.clone();
        users.reconciler.password = self.reconciler.clone();
    }

    /// How an operator (or a test) connects: the ops user, everything allowed.
    pub fn ops_access(&self) -> Access {
        Access {
            user: "wharf".into(),
            password: self.ops.clone(),
            ca_file: self.tls.as_ref().map(|t| t.ca.clone()),
            ..Access::default()
        }
    }

    fn server_env(&self) -> Vec<(String, String)> {
        let quoted = |path: &Path| format!("\"{}\"", path.display());
        let tls = self.tls.iter().flat_map(|t| {
            [
                ("WHARF_NATS_TLS_CERT".to_owned(), quoted(&t.cert)),
                ("WHARF_NATS_TLS_KEY".to_owned(), quoted(&t.key)),
                ("WHARF_NATS_TLS_CA".to_owned(), quoted(&t.ca)),
            ]
        });
        [
            ("OPS", &self.ops),
            ("ROUTER", &self.router),
            ("SENDER", &self.sender),
            ("ADMIN", &self.admin),
            ("EDGE", &self.edge),
            ("RECONCILER", &self.reconciler),
            ("ROUTE", &self.route),
            ("LEAF", &self.leaf),
        ]
        .into_iter()
        // nats-server reads a variable's value as config text: quoted, a
        // password is a string whatever it starts with.
        .map(|(who, pw)| {
            (
                format!("WHARF_NATS_{who}_PASSWORD"),
                format!("\"{}\"", pw.expose()),
            )
        })
        .chain(tls)
        .collect()
    }
}

/// Ports of one local stack. Node or region `i` gets `base + i`.
#[derive(Debug, Clone)]
pub struct Ports {
    pub hub_client: Vec<u16>,
    pub hub_cluster: Vec<u16>,
    pub hub_leafnode: Vec<u16>,
    pub hub_monitor: Vec<u16>,
    pub leaf_client: Vec<u16>,
    pub leaf_monitor: Vec<u16>,
}

impl Ports {
    /// Consecutive ports from each base, or free ports where a base is 0.
    ///
    /// # Errors
    /// When no free port can be had.
    pub fn plan(bases: [u16; 6], hub_nodes: usize, regions: usize) -> anyhow::Result<Self> {
        // Free ports stay bound until the whole plan is made, so one plan
        // never hands out the same port twice.
        let mut held = Vec::new();
        let mut range = |base: u16, n: usize| -> anyhow::Result<Vec<u16>> {
            (0..n)
                .map(|i| {
                    if base == 0 {
                        let listener = TcpListener::bind("127.0.0.1:0")?;
                        let port = listener.local_addr()?.port();
                        held.push(listener);
                        Ok(port)
                    } else {
                        u16::try_from(usize::from(base) + i).context("port out of range")
                    }
                })
                .collect()
        };
        Ok(Self {
            hub_client: range(bases[0], hub_nodes)?,
            hub_cluster: range(bases[1], hub_nodes)?,
            hub_leafnode: range(bases[2], hub_nodes)?,
            hub_monitor: range(bases[3], hub_nodes)?,
            leaf_client: range(bases[4], regions)?,
            leaf_monitor: range(bases[5], regions)?,
        })
    }
}

/// A free TCP port on loopback for a server started next (bound, then
/// released for it). Picked at random below the kernel's ephemeral range,
/// from which outgoing connections take their local ports: a port the OS
/// hands out with `bind(0)` can be taken by a connection before the server
/// that was meant to have it binds it (a bench run ended on "Address
/// already in use" that way). Falls back to the OS's choice when that range
/// is too small or taken.
///
/// # Errors
/// When the OS has no port at all.
pub fn free_port() -> anyhow::Result<u16> {
    use rand::Rng;
    const LOWEST: u16 = 10_000;
    let below = ephemeral_low().unwrap_or(32_768);
    if below > LOWEST + 1_000 {
        let mut rng = rand::rng();
        for _ in 0..200 {
            let port = rng.random_range(LOWEST..below);
            if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
                return Ok(listener.local_addr()?.port());
            }
        }
    }
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The lowest port of Linux's ephemeral range
/// (`net.ipv4.ip_local_port_range`); `None` elsewhere.
fn ephemeral_low() -> Option<u16> {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    range.split_whitespace().next()?.parse().ok()
}

/// One running `nats-server`; stopped and reaped on drop.
pub struct NatsProcess {
    pub name: String,
    pub client_url: String,
    pub monitor_url: String,
    pub store_dir: PathBuf,
    process: ChildProcess,
    pid_file: PathBuf,
    ops: Access,
}

impl NatsProcess {
    fn spawn(
        binary: &str,
        conf: &Path,
        dir: &Path,
        name: &str,
        (client_port, monitor_port): (u16, u16),
        mut env: Vec<(String, String)>,
        security: &NatsSecurity,
    ) -> anyhow::Result<Self> {
        let store_dir = dir.join(name);
        std::fs::create_dir_all(&store_dir)?;
        env.extend(security.server_env());
        env.extend([
            ("WHARF_NATS_NAME".to_owned(), name.to_owned()),
            (
                "WHARF_NATS_LISTEN".to_owned(),
                format!("127.0.0.1:{client_port}"),
            ),
            (
                "WHARF_NATS_HTTP".to_owned(),
                format!("127.0.0.1:{monitor_port}"),
            ),
            (
                "WHARF_NATS_STORE_DIR".to_owned(),
                store_dir.display().to_string(),
            ),
        ]);
        let binary = server_binary(binary);
        check_server_binary(&binary)?;
        let pid_file = dir.join(format!("{name}.pid"));
        let process = ChildProcess::new(name, &binary, dir.join(format!("{name}.log")))
            .args([
                std::ffi::OsStr::new("-c"),
                conf.as_os_str(),
                std::ffi::OsStr::new("-P"),
                pid_file.as_os_str(),
            ])
            .envs(env)
            // Ctrl-C reaches `wharf up` only, which then stops the roles
            // before the servers, leaves before the hub.
            .own_process_group();
        let mut process = Self {
            name: name.to_owned(),
            client_url: format!("nats://127.0.0.1:{client_port}"),
            monitor_url: format!("http://127.0.0.1:{monitor_port}"),
            pid_file,
            store_dir,
            process,
            ops: security.ops_access(),
        };
        kill_stale(&process.pid_file);
        process.start()?;
        Ok(process)
    }

    /// (Re)starts the process with the same config, ports and store.
    ///
    /// # Errors
    /// When the binary cannot be run.
    pub fn start(&mut self) -> anyhow::Result<()> {
        self.process
            .start()
            .context("cannot run nats-server (`make deps` installs the pinned one)")
    }

    /// Kills the process with SIGKILL (a crash, for fault tests) and reaps it.
    pub fn kill(&mut self) {
        self.process.kill();
        let _ = std::fs::remove_file(&self.pid_file);
    }

    /// Asks the process to stop (SIGTERM), waits up to `grace`, then kills it.
    pub fn stop(&mut self, grace: Duration) {
        self.process.stop(grace);
        self.kill();
    }

    /// A client of this server as the ops user.
    ///
    /// # Errors
    /// When it does not accept the connection.
    pub async fn connect(&self) -> anyhow::Result<async_nats::Client> {
        Ok(self.ops.options().connect(self.client_url.as_str()).await?)
    }

    pub fn pid(&self) -> Option<u32> {
        self.process.pid()
    }

    /// The server's log so far (for test failure messages).
    pub fn log_tail(&self) -> String {
        self.process.log_tail(30)
    }

    /// Fails early when the process exited (bad config, port taken).
    fn check_alive(&mut self) -> anyhow::Result<()> {
        self.process.check_running(30)
    }
}

impl Drop for NatsProcess {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
        self.report_violations();
    }
}

impl NatsProcess {
    /// Lines of the server's log where it refused a client a subject
    /// (a role's permissions in nats.conf / deploy/leaf.conf too narrow, or
    /// a client trying what it may not).
    pub fn violations(&self) -> Vec<String> {
        std::fs::read_to_string(self.process.log_path())
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Violation"))
            .map(str::to_owned)
            .collect()
    }

    /// Prints the refusals, and appends them to the file named by
    /// `WHARF_NATS_VIOLATIONS` when set (to audit a whole test run).
    fn report_violations(&self) {
        let lines = self.violations();
        if lines.is_empty() {
            return;
        }
        eprintln!(
            "{}: permission violations:\n{}",
            self.name,
            lines.join("\n")
        );
        if let Ok(path) = std::env::var("WHARF_NATS_VIOLATIONS") {
            use std::io::Write;
            if let Ok(mut file) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
            {
                let _ = writeln!(file, "{}", lines.join("\n"));
            }
        }
    }
}

/// Kills a server left behind by a previous run that was killed with -9.
fn kill_stale(pid_file: &Path) {
    let Ok(pid) = std::fs::read_to_string(pid_file) else {
        return;
    };
    let pid = pid.trim();
    let is_nats = std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|cmd| cmd.contains("nats-server"));
    if is_nats {
        let _ = Command::new("kill").arg("-9").arg(pid).status();
    }
    let _ = std::fs::remove_file(pid_file);
}

/// The three-node hub cluster (JetStream domain `hub`).
pub struct HubCluster {
    pub nodes: Vec<NatsProcess>,
}

impl HubCluster {
    /// Starts `nodes` hub servers from `nats.conf` under `dir`.
    ///
    /// # Errors
    /// When a server cannot start.
    pub fn start(
        binary: &str,
        dir: &Path,
        ports: &Ports,
        security: &NatsSecurity,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let conf = write_conf(
            dir,
            "hub",
            HUB_CONF,
            HUB_TLS_CONF,
            "./nats.conf",
            security.tls.is_some(),
        )?;
        let route_password = security.route.expose();
        let routes = ports
            .hub_cluster
            .iter()
            .map(|p| format!("nats-route://route:{route_password}@127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let nodes = (0..ports.hub_client.len())
            .map(|i| {
                NatsProcess::spawn(
                    binary,
                    &conf,
                    dir,
                    &format!("hub-{}", i + 1),
                    (ports.hub_client[i], ports.hub_monitor[i]),
                    vec![
                        (
                            "WHARF_NATS_CLUSTER".into(),
                            format!("127.0.0.1:{}", ports.hub_cluster[i]),
                        ),
                        ("WHARF_NATS_ROUTES".into(), format!("[{routes}]")),
                        (
                            "WHARF_NATS_LEAFNODES".into(),
                            format!("127.0.0.1:{}", ports.hub_leafnode[i]),
                        ),
                    ],
                    security,
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { nodes })
    }

    /// Client URLs of every node, comma separated.
    pub fn client_urls(&self) -> String {
        self.nodes
            .iter()
            .map(|n| n.client_url.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Waits until JetStream answers on every node (meta leader elected).
    ///
    /// # Errors
    /// When not ready within `wait`, with the servers' logs.
    pub async fn wait_ready(&mut self, wait: Duration) -> anyhow::Result<()> {
        for node in &mut self.nodes {
            wait_jetstream(node, wait).await?;
        }
        Ok(())
    }
}

/// A region's leaf node, with JetStream domain = region.
pub struct LeafNode {
    pub region: String,
    pub process: NatsProcess,
}

impl LeafNode {
    /// Starts the leaf of `region`, linked to every hub leafnode port.
    ///
    /// # Errors
    /// When the server cannot start.
    pub fn start(
        binary: &str,
        dir: &Path,
        region: &str,
        client_port: u16,
        monitor_port: u16,
        hub_leafnode_ports: &[u16],
        security: &NatsSecurity,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        // One file per leaf: leaves share `dir`, and rewriting a shared file
        // while a just-spawned server reads it handed that server an empty
        // config (default port 4222, no JetStream domain).
        let conf = write_conf(
            dir,
            &format!("leaf-{region}"),
            LEAF_CONF,
            LEAF_TLS_CONF,
            "./leaf.conf",
            security.tls.is_some(),
        )?;
        let leaf_password = security.leaf.expose();
        let hubs = hub_leafnode_ports
            .iter()
            .map(|p| format!("nats-leaf://leaf:{leaf_password}@127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(", ");
        let process = NatsProcess::spawn(
            binary,
            &conf,
            dir,
            &format!("leaf-{region}"),
            (client_port, monitor_port),
            vec![
                ("WHARF_NATS_DOMAIN".into(), region.to_owned()),
                ("WHARF_NATS_HUB_URLS".into(), format!("[{hubs}]")),
                (
                    "WHARF_NATS_EDGE_SUBJECTS".into(),
                    format!("\"{}\"", relay::topology::region_inbound_subjects(region)),
                ),
                (
                    "WHARF_NATS_EDGE_INBOX".into(),
                    format!("\"_INBOX_edge_{region}.>\""),
                ),
            ],
            security,
        )?;
        Ok(Self {
            region: region.to_owned(),
            process,
        })
    }

    /// Waits until the leaf's own JetStream answers.
    ///
    /// # Errors
    /// When not ready within `wait`.
    pub async fn wait_ready(&mut self, wait: Duration) -> anyhow::Result<()> {
        wait_jetstream(&mut self.process, wait).await
    }
}

/// The NATS servers of one local stack: the hub cluster and a leaf node per
/// region, started together and waited for. Leaves stop before the hub.
pub struct LocalNats {
    pub leaves: Vec<LeafNode>,
    pub hub: HubCluster,
    pub ports: Ports,
    pub security: NatsSecurity,
}

impl LocalNats {
    /// Starts `binary` as the hub (`ports.hub_client.len()` nodes) and one
    /// leaf per region under `dir`, then waits up to `wait` for each
    /// JetStream.
    ///
    /// # Errors
    /// When a server cannot start or is not ready in time.
    pub async fn start(
        binary: &str,
        dir: &Path,
        ports: Ports,
        regions: &[String],
        security: NatsSecurity,
        wait: Duration,
    ) -> anyhow::Result<Self> {
        let mut hub = HubCluster::start(binary, dir, &ports, &security)?;
        let mut leaves = regions
            .iter()
            .enumerate()
            .map(|(i, region)| {
                LeafNode::start(
                    binary,
                    dir,
                    region,
                    ports.leaf_client[i],
                    ports.leaf_monitor[i],
                    &ports.hub_leafnode,
                    &security,
                )
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        hub.wait_ready(wait).await?;
        for leaf in &mut leaves {
            leaf.wait_ready(wait).await?;
        }
        Ok(Self {
            leaves,
            hub,
            ports,
            security,
        })
    }

    /// Each region's leaf as the edges see it.
    pub fn edge_leaves(&self) -> Vec<crate::stack::EdgeLeaf> {
        self.leaves
            .iter()
            .map(|l| crate::stack::EdgeLeaf {
                region: l.region.clone(),
                url: l.process.client_url.clone(),
            })
            .collect()
    }

    /// Process ids of every server.
    pub fn pids(&self) -> Vec<u32> {
        self.hub
            .nodes
            .iter()
            .chain(self.leaves.iter().map(|l| &l.process))
            .filter_map(NatsProcess::pid)
            .collect()
    }
}

async fn wait_jetstream(node: &mut NatsProcess, wait: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        node.check_alive()?;
        let ready = async {
            let client = node
                .ops
                .options()
                .connection_timeout(Duration::from_millis(500))
                .connect(node.client_url.as_str())
                .await
                .map_err(|e| e.to_string())?;
            // Ready when JetStream answers account info without an error.
            tokio::time::timeout(
                Duration::from_secs(1),
                async_nats::jetstream::new(client).query_account(),
            )
            .await
            .map_err(|_| "JetStream did not answer".to_owned())?
            .map_err(|e| e.to_string())
        }
        .await;
        let ready = match ready {
            Ok(info) => Some(info),
            Err(err) => {
                tracing::debug!(node = %node.name, %err, "JetStream not ready yet");
                None
            }
        };
        if ready.is_some() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(
                "{} not ready after {wait:?}:\n{}",
                node.name,
                node.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_lie_below_the_ephemeral_range_and_can_be_bound() {
        let below = ephemeral_low().expect("Linux names its ephemeral range");
        for _ in 0..50 {
            let port = free_port().expect("a free port");
            assert!((10_000..below).contains(&port), "{port} not below {below}");
            let listener = TcpListener::bind(("127.0.0.1", port));
            assert!(listener.is_ok(), "{port} was given out but cannot be bound");
        }
    }

    /// The text of the top-level block `name { ... }` (its last definition).
    fn block<'a>(conf: &'a str, name: &str) -> &'a str {
        let start = conf
            .rfind(&format!("\n{name} {{"))
            .unwrap_or_else(|| panic!("no {name} block"));
        let mut depth = 0;
        for (i, c) in conf[start..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return &conf[start..start + i];
                    }
                }
                _ => {}
            }
        }
        panic!("unclosed {name} block")
    }

    /// What a block says, ignoring its TLS: variables and `key: value` lines.
    fn facts(block: &str) -> Vec<String> {
        block
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim())
            .filter(|l| l.contains('$') || l.starts_with("name:") || l.starts_with("user:"))
            .flat_map(|l| {
                l.split([' ', ',', '{', '}'])
                    .filter(|t| t.starts_with("$WHARF"))
            })
            .map(str::to_owned)
            .chain(
                block
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with("name:") || l.starts_with("user:"))
                    .map(str::to_owned),
            )
            .collect()
    }

    #[test]
    fn the_tls_configs_restate_the_blocks_they_replace() {
        for (base, tls, names) in [
            (HUB_CONF, HUB_TLS_CONF, &["cluster", "leafnodes"][..]),
            (LEAF_CONF, LEAF_TLS_CONF, &["leafnodes"][..]),
        ] {
            for name in names {
                let wanted = facts(block(base, name));
                assert!(!wanted.is_empty(), "{name}");
                let restated = block(tls, name);
                for fact in wanted {
                    assert!(restated.contains(&fact), "{name} lost {fact}");
                }
                assert!(restated.contains("tls"), "{name} has no TLS");
            }
        }
        assert!(HUB_TLS_CONF.contains("include ./nats.conf"));
        assert!(LEAF_TLS_CONF.contains("include ./leaf.conf"));
    }
}
