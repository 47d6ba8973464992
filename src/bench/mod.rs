//! `wharf bench`: Wharf against the physical limits under it, side by side in
//! one run on freshly started local NATS servers (3-node hub + a leaf), with
//! the roles as real child processes on loopback, reported as ratios:
//! raw JetStream publish vs edge ingest (and an HTTP + signature-only
//! server), end to end through router processes on SQLite and PostgreSQL,
//! the sender against the sandbox with and without a rate limit, and the peak
//! RSS of every process. Every phase is bounded in time.

mod children;
mod load;
mod pipeline;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use relay::secret::Secret;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use children::{RoleConfig, RoleProcess, own_peak_rss_kib, peak_rss_kib};
use load::CpuGroups;
pub use pipeline::{BenchDb, EndToEnd, SenderRun, busiest_window};

use crate::config::Config;
use crate::nats_server::{HubCluster, LeafNode, NatsSecurity, Ports, free_port};
use crate::roles;

/// Options of one bench run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Seconds each measured phase runs.
    pub seconds: u64,
    /// Requests (or acks) in flight, one phase each.
    pub concurrency: Vec<usize>,
    /// Where to write the JSON result (the table goes to stdout).
    pub json_out: Option<std::path::PathBuf>,
    /// A PostgreSQL server (a URL whose user may create databases) for the
    /// end-to-end runs on PostgreSQL; without it those runs are left out.
    pub postgres_url: Option<String>,
    /// Router processes, one end-to-end run each (per database).
    pub routers: Vec<usize>,
    /// Webhooks in flight during the end-to-end runs.
    pub end_to_end_concurrency: usize,
    /// Replies of the sender run without a limit.
    pub replies: usize,
    /// Sends per second of the rate-limited sender run.
    pub sender_limit: u32,
    /// The parts to run (all by default).
    pub parts: Vec<Part>,
    /// Rounds of the edge phases: on a shared machine one run cannot tell
    /// a 10–20 % change, the median of a few interleaved rounds can.
    pub rounds: usize,
}

/// A part of the bench run, to run some alone (e.g. under a profiler).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// Raw publish, HTTP-only and edge ingest phases.
    Edge,
    /// End to end through routers.
    E2e,
    /// The sender runs (on the conversations of the last SQLite end-to-end run).
    Sender,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            seconds: 5,
            concurrency: vec![16, 256],
            json_out: None,
            postgres_url: None,
            routers: vec![1, 3],
            end_to_end_concurrency: 16,
            replies: 400,
            sender_limit: 80,
            parts: vec![Part::Edge, Part::E2e, Part::Sender],
            rounds: 1,
        }
    }
}

/// One measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: String,
    pub concurrency: usize,
    /// Which round of the edge phases (0 with a single round); a phase is
    /// compared with the raw publish of its own round.
    pub round: usize,
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    /// The raw publish phase this one is compared with (same stream, same
    /// concurrency), when there is one.
    pub baseline: Option<String>,
    /// `per_second` over the baseline's.
    pub ratio_to_raw: Option<f64>,
    /// CPU seconds per request of each group of processes during the phase
    /// (NATS servers, edges, the bench process: load generator and the
    /// HTTP-only and forward-only servers), in µs.
    pub cpu_us_per_request: Vec<CpuShare>,
    /// Phases into the leaf's stream: requests over the phase's time plus
    /// the time until the hub had sourced them all into INBOUND (R3), i.e.
    /// the rate at which they became durable in the replicated stream.
    pub sustained_per_second: Option<f64>,
    /// `sustained_per_second` over the baseline's.
    pub sustained_ratio: Option<f64>,
}

impl Phase {
    /// Records that the hub had sourced the phase's events `sourced_after`
    /// its end.
    fn sourced(&mut self, sourced_after: Duration) {
        let phase_seconds = self.requests as f64 / self.per_second.max(1e-9);
        self.sustained_per_second =
            Some(self.requests as f64 / (phase_seconds + sourced_after.as_secs_f64()).max(1e-9));
    }
}

/// CPU time per request of one group of processes.
#[derive(Debug, Clone, Serialize)]
pub struct CpuShare {
    pub group: &'static str,
    pub us: f64,
}

/// Peak resident set of one process over the run.
#[derive(Debug, Clone, Serialize)]
pub struct RoleMemory {
    pub role: String,
    /// `VmHWM` just before the process stopped; `None` when unreadable.
    pub peak_rss_mib: Option<f64>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cores: usize,
    /// The hub node leading INBOUND, which the raw publisher into INBOUND
    /// and the direct edge connect to.
    pub inbound_leader: String,
    pub seconds: u64,
    /// Conversation partitions (one ordered router consumer each).
    pub partitions: u16,
    pub phases: Vec<Phase>,
    pub end_to_end: Vec<EndToEnd>,
    pub sender: Vec<SenderRun>,
    pub memory: Vec<RoleMemory>,
    /// Each phase's median over the rounds (with more than one round).
    pub medians: Vec<Median>,
}

/// One phase (name, concurrency) over every round.
#[derive(Debug, Clone, Serialize)]
pub struct Median {
    pub name: String,
    pub concurrency: usize,
    pub rounds: usize,
    pub per_second: f64,
    pub ratio_to_raw: Option<f64>,
    pub min_ratio: Option<f64>,
    pub max_ratio: Option<f64>,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some(f64::midpoint(values[n / 2 - 1], values[n / 2])),
    }
}

/// Each phase's median rate and ratio over the rounds, in first-seen order.
fn medians(phases: &[Phase]) -> Vec<Median> {
    let mut keys: Vec<(&str, usize)> = Vec::new();
    for phase in phases {
        let key = (phase.name.as_str(), phase.concurrency);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(name, concurrency)| {
            let of: Vec<&Phase> = phases
                .iter()
                .filter(|p| p.name == name && p.concurrency == concurrency)
                .collect();
            let ratios: Vec<f64> = of.iter().filter_map(|p| p.ratio_to_raw).collect();
            Median {
                name: name.to_owned(),
                concurrency,
                rounds: of.len(),
                per_second: median(of.iter().map(|p| p.per_second).collect()).unwrap_or(0.0),
                ratio_to_raw: median(ratios.clone()),
                min_ratio: ratios.iter().copied().reduce(f64::min),
                max_ratio: ratios.iter().copied().reduce(f64::max),
            }
        })
        .collect()
}

pub(crate) const NUMBER: &str = "106540352242922";
pub(crate) const SECRET: &str = "bench-app-secret";

/// A signed, realistic Meta delivery with one text message of ~1 KiB,
/// sent now (so replies to it are inside the 24-hour window). Written from
/// a template: the load generator's own CPU is taken from what it measures.
fn delivery(n: u64) -> (Vec<u8>, String) {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| "x".repeat(700));
    let from = format!("4915{:09}", n % 5000);
    let body = format!(
        concat!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"field":"messages","value":{{"#,
            r#""messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550100","phone_number_id":"{number}"}},"#,
            r#""contacts":[{{"profile":{{"name":"Bench"}},"wa_id":"{from}"}}],"#,
            r#""messages":[{{"from":"{from}","id":"wamid.BENCH{n}","timestamp":"{ts}","type":"text","text":{{"body":"order {n}: {text}"}}}}]"#,
            r#"}}}}]}}]}}"#
        ),
        number = NUMBER,
        from = from,
        n = n,
        ts = chrono::Utc::now().timestamp(),
        text = TEXT.as_str(),
    )
    .into_bytes();
    let signature = relay::provider::meta::sign(SECRET, &body);
    (body, signature)
}

/// POSTs delivery `n` through `client`; whether it was answered 2xx.
async fn post_signed(client: &load::Client, n: u64) -> bool {
    let (body, signature) = delivery(n);
    client
        .post((relay::provider::META_SIGNATURE_HEADER, &signature), &body)
        .await
        .is_ok_and(|status| (200..300).contains(&status))
}

/// Runs `op` from `concurrency` tasks until `seconds` pass; `op(n)` is one
/// request numbered `n`, returning whether it succeeded.
async fn measure<F, Fut>(
    name: &str,
    concurrency: usize,
    seconds: u64,
    cpu: &CpuGroups,
    op: F,
) -> anyhow::Result<Phase>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let cpu_before = cpu.sample();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let op = Arc::clone(&op);
        let counter = Arc::clone(&counter);
        tasks.push(tokio::spawn(async move {
            let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).ok();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let started = Instant::now();
                let ok = op(n).await;
                let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                if ok {
                    if let Some(h) = histogram.as_mut() {
                        let _ = h.record(micros.max(1));
                    }
                } else {
                    errors += 1;
                }
            }
            (histogram, errors)
        }));
    }
    let started = Instant::now();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for task in tasks {
        let (histogram, task_errors) = task.await?;
        if let Some(h) = histogram {
            all.add(h)?;
        }
        errors += task_errors;
    }
    let elapsed = started.elapsed().as_secs_f64().max(0.001);
    let requests = all.len().max(1) as f64;
    let cpu_us_per_request = cpu
        .since(&cpu_before)
        .into_iter()
        .map(|used| CpuShare {
            group: used.group,
            us: used.seconds * 1e6 / requests,
        })
        .collect();
    let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
    Ok(Phase {
        name: name.to_owned(),
        concurrency,
        round: 0,
        requests: all.len(),
        errors,
        per_second: all.len() as f64 / elapsed,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
        baseline: None,
        ratio_to_raw: None,
        cpu_us_per_request,
        sustained_per_second: None,
        sustained_ratio: None,
    })
}

/// A phase of signed deliveries POSTed through `client`, numbered from `first`.
async fn webhook_phase(
    name: &str,
    client: &load::Client,
    concurrency: usize,
    seconds: u64,
    cpu: &CpuGroups,
    first: u64,
) -> anyhow::Result<Phase> {
    let client = client.clone();
    measure(name, concurrency, seconds, cpu, move |n| {
        let client = client.clone();
        async move { post_signed(&client, first + n).await }
    })
    .await
}

/// Publishes delivery `n` as a ~1 KiB event with a `Nats-Msg-Id`, like the edge.
async fn raw_publish(
    js: &async_nats::jetstream::Context,
    region: &str,
    id: u64,
    n: u64,
    partitions: u16,
) -> bool {
    let (body, _) = delivery(id);
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", format!("bench:{region}:{id}").as_str());
    let subject =
        relay::topology::inbound_subject(region, NUMBER, (n % u64::from(partitions)) as u16);
    match js.publish_with_headers(subject, headers, body.into()).await {
        Ok(ack) => ack.await.is_ok(),
        Err(_) => false,
    }
}

const RAW_LEAF: &str = "raw publish → EDGE_EU (leaf, R1)";
const EDGE_LEAF: &str = "edge → EDGE_EU: signed webhook, 200 after PubAck";
const RAW_HUB: &str = "raw publish → INBOUND (hub, R3)";
const EDGE_HUB: &str = "edge → INBOUND (direct_to_hub): 200 after PubAck";
const HTTP_ONLY: &str = "HTTP + signature check only (no publish)";
const FORWARD_ONLY: &str =
    "forward: body → INBOUND, 200 after PubAck; no verify, parse or envelope";

/// The raw publish each phase is compared with: the same stream.
fn baseline_of(name: &str) -> &'static str {
    if name == EDGE_HUB || name == RAW_HUB || name == FORWARD_ONLY {
        RAW_HUB
    } else {
        RAW_LEAF
    }
}

/// Sets every phase's baseline and ratio (same stream, same concurrency).
fn compare_with_raw(phases: &mut [Phase]) {
    let rates: Vec<(String, usize, usize, f64, Option<f64>)> = phases
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.concurrency,
                p.round,
                p.per_second,
                p.sustained_per_second,
            )
        })
        .collect();
    for phase in phases.iter_mut() {
        let baseline = baseline_of(&phase.name);
        if let Some((_, _, _, raw, raw_sustained)) = rates.iter().find(|(name, c, round, _, _)| {
            name == baseline && *c == phase.concurrency && *round == phase.round
        }) {
            phase.baseline = Some(baseline.to_owned());
            phase.ratio_to_raw = Some(phase.per_second / raw.max(1e-9));
            phase.sustained_ratio = phase
                .sustained_per_second
                .zip(*raw_sustained)
                .map(|(ours, raw)| ours / raw.max(1e-9));
        }
    }
}

/// The raw leaf publish rate nearest concurrency `c` (end-to-end runs).
fn raw_rate(phases: &[Phase], c: usize) -> Option<f64> {
    phases
        .iter()
        .filter(|p| p.name == RAW_LEAF)
        .min_by_key(|p| p.concurrency.abs_diff(c))
        .map(|p| p.per_second.max(1e-9))
}

/// Polls `url` until it answers 2xx.
async fn wait_ready(
    http: &reqwest::Client,
    url: &str,
    edge: &mut RoleProcess,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        edge.check_running()?;
        if http
            .get(url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "{url} not ready in 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs every phase and prints the tables.
///
/// # Errors
/// When the servers or a role cannot start, or PostgreSQL is unreachable.
pub async fn run(mut config: Config, options: BenchOptions) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let ports = Ports::plan([0; 6], 3, 1)?;
    let security = NatsSecurity::generate();
    security.apply(&mut config.nats.users);
    let mut hub = HubCluster::start(&config.up.nats_server, dir.path(), &ports, &security)?;
    let mut leaf = LeafNode::start(
        &config.up.nats_server,
        dir.path(),
        "eu",
        ports.leaf_client[0],
        ports.leaf_monitor[0],
        &ports.hub_leafnode,
        &security,
    )?;
    hub.wait_ready(Duration::from_secs(60)).await?;
    leaf.wait_ready(Duration::from_secs(60)).await?;
    config.nats.url = hub.client_urls();
    config.topology.regions = vec!["eu".into()];
    let partitions = config.topology.partitions;
    let hub_client = roles::provision(&config, Duration::from_secs(60)).await?;
    // The raw publisher into INBOUND and the direct edge both connect to the
    // stream's leader: a client on another node pays a route hop each way,
    // and with a node picked at random by each client the comparison was
    // decided by which of them drew the leader (0.45x-0.88x between runs).
    let leader = inbound_leader(&async_nats::jetstream::new(hub_client.clone())).await?;
    let leader_url = hub
        .nodes
        .iter()
        .find(|node| node.name == leader)
        .map(|node| node.client_url.clone())
        .with_context(|| format!("INBOUND's leader {leader} is not a hub node"))?;

    // The sandbox provider (in this process) sends status webhooks to the edge.
    let edge_listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let edge_url = format!("http://{edge_listen}/webhooks/meta");
    let shutdown = CancellationToken::new();
    config.numbers = vec![NumberCredentials {
        provider: Provider::Meta,
        phone_number_id: NUMBER.into(),
        display_phone: String::new(),
        app_secret: Secret::new(SECRET),
        verify_token: Secret::default(),
        access_token: Secret::default(),
        api_base_url: None,
    }];
    let sandbox = roles::bind_sandbox(
        &config,
        relay::provider::sandbox::SandboxSettings {
            listen: "127.0.0.1:0".parse()?,
            webhook_url: edge_url.clone(),
            ..config.sandbox.clone()
        },
    )
    .await?;
    let sandbox_url = format!("http://{}", sandbox.local_addr());
    tokio::spawn(sandbox.run(shutdown.clone()));
    // Replies of the bench number go to the sandbox.
    config.numbers[0].api_base_url = Some(sandbox_url.clone());

    let role = RoleConfig {
        hub_urls: hub.client_urls(),
        leaf_url: leaf.process.client_url.clone(),
        edge_to_hub: false,
        // The edge never opens a database; router and sender runs set theirs.
        database_url: BenchDb::sqlite(dir.path(), "unused").url().to_owned(),
        edge_listen,
        partitions,
        sandbox_url: sandbox_url.clone(),
        sends: 1_000_000,
        period_ms: 1000,
        secrets_key: relay::vault::Vault::generate_key(),
        nats_users: config.nats.users.clone(),
    };
    let edge_config = role.write(dir.path(), "edge")?;
    let mut edge = RoleProcess::spawn(
        "edge",
        &["edge", "--region", "eu"],
        &edge_config,
        dir.path(),
    )?;
    // A second edge writing INBOUND on the hub itself (`direct_to_hub`):
    // the edge against raw publish into the very same R3 stream.
    let hub_edge_listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let hub_edge_config = RoleConfig {
        edge_to_hub: true,
        edge_listen: hub_edge_listen,
        hub_urls: leader_url.clone(),
        ..role.clone()
    }
    .write(dir.path(), "edge-hub")?;
    let mut hub_edge = RoleProcess::spawn(
        "edge-hub",
        &["edge", "--region", "eu"],
        &hub_edge_config,
        dir.path(),
    )?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30))
        .build()?;
    wait_ready(&http, &format!("http://{edge_listen}/readyz"), &mut edge).await?;
    wait_ready(
        &http,
        &format!("http://{hub_edge_listen}/readyz"),
        &mut hub_edge,
    )
    .await?;

    // The same HTTP stack and signature check, answering without publishing:
    // where the time goes that is not JetStream's (runs in this process).
    let directory = std::sync::Arc::new(relay::provider::NumberDirectory::new(&config.numbers));
    let verify_only = serve_meta_webhooks(VerifyOnly { directory }, &shutdown).await?;

    // As the edge's own user: the server checks the same permissions.
    let raw_publisher = |url: String, name: &'static str, direct: bool| {
        let access = config.nats.access(crate::config::Role::Edge {
            region: "eu",
            direct,
        });
        async move {
            let client = relay::nats::connect(&url, name, Duration::from_secs(10), &access).await?;
            anyhow::Ok(async_nats::jetstream::new(client))
        }
    };
    let leaf_js = raw_publisher(leaf.process.client_url.clone(), "wharf-bench-raw", false).await?;
    let leader_js = raw_publisher(leader_url.clone(), "wharf-bench-raw-hub", true).await?;
    // The least an HTTP edge can do: publish the body as it came and answer
    // after the PubAck (runs in this process, on its own connection to the
    // leader). What separates the edge from it is the edge's own work.
    let forward_only = serve_meta_webhooks(
        ForwardOnly {
            js: raw_publisher(leader_url.clone(), "wharf-bench-forward", true).await?,
            partitions,
            next: std::sync::atomic::AtomicU64::new(0),
        },
        &shutdown,
    )
    .await?;
    let hub_js = async_nats::jetstream::new(hub_client.clone());

    // Where each phase's CPU goes.
    let mut cpu = CpuGroups::default();
    for node in &hub.nodes {
        cpu.add("nats", node.pid());
    }
    cpu.add("nats", leaf.process.pid());
    cpu.add("edge", edge.pid());
    cpu.add("edge", hub_edge.pid());
    cpu.add("bench", Some(std::process::id()));

    let mut phases = Vec::new();
    let mut round = 0u64;
    let edge_concurrency: &[usize] = if options.parts.contains(&Part::Edge) {
        &options.concurrency
    } else {
        &[]
    };
    let edge_load = load::Client::new(load::Target::parse(&edge_url)?);
    let hub_edge_load = load::Client::new(load::Target::parse(&format!(
        "http://{hub_edge_listen}/webhooks/meta"
    ))?);
    let verify_load = load::Client::new(load::Target::parse(&verify_only)?);
    let forward_load = load::Client::new(load::Target::parse(&forward_only)?);
    for edge_round in 0..options.rounds.max(1) {
        let first = phases.len();
        for &c in edge_concurrency {
            round += 1;
            let base = round * 100_000_000;
            // Before each phase the hub takes in what the previous one left in
            // the edge stream: no phase pays for another's sourcing.
            pipeline::settle(&hub_js).await?;
            // Limit: the same ~1 KiB event with a Nats-Msg-Id into the same stream.
            let js = leaf_js.clone();
            let mut raw = measure(RAW_LEAF, c, options.seconds, &cpu, move |n| {
                let js = js.clone();
                async move { raw_publish(&js, "eu", base + n, n, partitions).await }
            })
            .await?;
            raw.sourced(pipeline::settle(&hub_js).await?);
            phases.push(raw);
            let mut ingest = webhook_phase(
                EDGE_LEAF,
                &edge_load,
                c,
                options.seconds,
                &cpu,
                base + 10_000_000,
            )
            .await?;
            ingest.sourced(pipeline::settle(&hub_js).await?);
            phases.push(ingest);
            edge.check_running()?;
            // Straight into the R3 stream: durable there at the PubAck.
            let js = leader_js.clone();
            let mut raw = measure(RAW_HUB, c, options.seconds, &cpu, move |n| {
                let js = js.clone();
                async move { raw_publish(&js, "hub", base + 20_000_000 + n, n, partitions).await }
            })
            .await?;
            raw.sourced(Duration::ZERO);
            phases.push(raw);
            let mut ingest = webhook_phase(
                EDGE_HUB,
                &hub_edge_load,
                c,
                options.seconds,
                &cpu,
                base + 30_000_000,
            )
            .await?;
            ingest.sourced(Duration::ZERO);
            phases.push(ingest);
            hub_edge.check_running()?;
            let mut forward = webhook_phase(
                FORWARD_ONLY,
                &forward_load,
                c,
                options.seconds,
                &cpu,
                base + 50_000_000,
            )
            .await?;
            forward.sourced(Duration::ZERO);
            phases.push(forward);
            phases.push(
                webhook_phase(
                    HTTP_ONLY,
                    &verify_load,
                    c,
                    options.seconds,
                    &cpu,
                    base + 40_000_000,
                )
                .await?,
            );
        }
        for phase in &mut phases[first..] {
            phase.round = edge_round;
        }
    }
    compare_with_raw(&mut phases);
    let leader_after = inbound_leader(&hub_js).await?;

    // End to end, then the sender on the conversations of the last SQLite run.
    let mut memory = Vec::new();
    let hub_edge_peak = hub_edge.stop(Duration::from_secs(10));
    let rig = pipeline::Rig {
        dir: dir.path(),
        hub_js: hub_js.clone(),
        http: http.clone(),
        edge: edge_load.clone(),
        role: role.clone(),
        numbers: &config.numbers,
        cpu: cpu.clone(),
    };
    let mut end_to_end = Vec::new();
    let mut kept_sqlite = None;
    let mut databases = vec!["sqlite"];
    if options.postgres_url.is_some() {
        databases.push("postgresql");
    }
    let routers_runs: &[usize] = if options.parts.contains(&Part::E2e) {
        &options.routers
    } else {
        &[]
    };
    for kind in databases {
        for &routers in routers_runs {
            round += 1;
            let db = match (kind, &options.postgres_url) {
                ("postgresql", Some(url)) => BenchDb::postgres(url).await?,
                _ => BenchDb::sqlite(dir.path(), &format!("e2e-{routers}")),
            };
            let result = pipeline::end_to_end(
                &rig,
                &db,
                routers.max(1),
                options.end_to_end_concurrency.max(1),
                options.seconds,
                round * 100_000_000,
                &mut memory,
            )
            .await;
            edge.check_running()?;
            let mut result =
                result.with_context(|| format!("end to end on {kind} with {routers} routers"))?;
            result.ratio_to_raw =
                raw_rate(&phases, result.concurrency).map(|raw| result.routed_per_second / raw);
            end_to_end.push(result);
            if kind == "sqlite" {
                kept_sqlite = Some(db);
            } else {
                db.remove().await;
            }
        }
    }
    let mut sender = Vec::new();
    if let Some(db) = kept_sqlite
        .as_ref()
        .filter(|_| options.parts.contains(&Part::Sender))
    {
        sender.push(
            pipeline::sender(
                &rig,
                db,
                &sandbox_url,
                options.replies.max(2),
                None,
                "sender-unlimited",
                &mut memory,
            )
            .await
            .context("sender without a limit")?,
        );
        let limit = options.sender_limit.max(1);
        let replies = (limit as usize * options.seconds as usize).max(2 * limit as usize);
        sender.push(
            pipeline::sender(
                &rig,
                db,
                &sandbox_url,
                replies,
                Some(limit),
                "sender-limited",
                &mut memory,
            )
            .await
            .context("sender with a limit")?,
        );
    }

    let mib = |kib: Option<u64>| kib.map(|k| k as f64 / 1024.0);
    memory.insert(
        0,
        RoleMemory {
            role: "edge".into(),
            peak_rss_mib: mib(edge.peak_rss_kib()),
        },
    );
    memory.insert(
        1,
        RoleMemory {
            role: "edge (direct_to_hub)".into(),
            peak_rss_mib: mib(hub_edge_peak),
        },
    );
    for node in &hub.nodes {
        memory.push(RoleMemory {
            role: format!("nats-server {}", node.name),
            peak_rss_mib: mib(node.pid().and_then(peak_rss_kib)),
        });
    }
    memory.push(RoleMemory {
        role: "nats-server leaf eu".into(),
        peak_rss_mib: mib(leaf.process.pid().and_then(peak_rss_kib)),
    });
    memory.push(RoleMemory {
        role: "wharf bench (load generator, sandbox, HTTP-only and forward-only servers)".into(),
        peak_rss_mib: mib(own_peak_rss_kib()),
    });
    let _ = edge.stop(Duration::from_secs(10));
    shutdown.cancel();

    let phase_medians = if options.rounds > 1 {
        medians(&phases)
    } else {
        Vec::new()
    };
    let report = Report {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        inbound_leader: if leader_after == leader {
            leader
        } else {
            format!("{leader} (moved to {leader_after} during the edge phases)")
        },
        seconds: options.seconds,
        partitions,
        phases,
        end_to_end,
        sender,
        memory,
        medians: phase_medians,
    };
    println!("{}", markdown(&report));
    if let Some(path) = &options.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    drop(leaf);
    drop(hub);
    Ok(report)
}

/// The name of the hub node that leads INBOUND.
async fn inbound_leader(js: &async_nats::jetstream::Context) -> anyhow::Result<String> {
    let mut stream = js
        .get_stream(relay::topology::INBOUND)
        .await
        .context("looking up INBOUND")?;
    let info = stream.info().await.context("reading INBOUND's info")?;
    info.cluster
        .as_ref()
        .and_then(|cluster| cluster.leader.clone())
        .context("INBOUND has no leader")
}

/// Serves `endpoint` at `/webhooks/meta` on a free loopback port in this
/// process until `shutdown`; the URL to POST to.
async fn serve_meta_webhooks<E>(endpoint: E, shutdown: &CancellationToken) -> anyhow::Result<String>
where
    E: poem::Endpoint<Output = poem::Response> + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = poem::Route::new().at("/webhooks/meta", poem::post(endpoint));
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener)?;
    let stop = shutdown.clone();
    tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, async move { stop.cancelled().await }, None)
            .await
    });
    Ok(format!("http://{addr}/webhooks/meta"))
}

/// An endpoint that reads and verifies a delivery like the edge, then
/// answers 200 without storing anything (bench only).
struct VerifyOnly {
    directory: std::sync::Arc<relay::provider::NumberDirectory>,
}

impl poem::Endpoint for VerifyOnly {
    type Output = poem::Response;

    async fn call(&self, req: poem::Request) -> poem::Result<Self::Output> {
        use relay::provider::WebhookParser;
        let headers = req.headers().clone();
        let body = req.into_body().into_bytes_limit(1 << 20).await?;
        let status =
            match relay::provider::meta::MetaWebhook.accept(&self.directory, &headers, &body, "eu")
            {
                Ok(_) => poem::http::StatusCode::OK,
                Err(_) => poem::http::StatusCode::UNAUTHORIZED,
            };
        Ok(poem::Response::builder().status(status).finish())
    }
}

/// An endpoint that publishes the body as it came into INBOUND with a
/// fresh `Nats-Msg-Id` and answers 200 after the PubAck: no signature
/// check, no parse, no envelope (bench only; the bound of any HTTP edge).
struct ForwardOnly {
    js: async_nats::jetstream::Context,
    partitions: u16,
    next: std::sync::atomic::AtomicU64,
}

impl poem::Endpoint for ForwardOnly {
    type Output = poem::Response;

    async fn call(&self, req: poem::Request) -> poem::Result<Self::Output> {
        let body = req.into_body().into_bytes_limit(1 << 20).await?;
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("bench:forward:{n}").as_str());
        let subject = relay::topology::inbound_subject(
            relay::topology::HUB_REGION,
            NUMBER,
            (n % u64::from(self.partitions)) as u16,
        );
        let stored = match self.js.publish_with_headers(subject, headers, body).await {
            Ok(ack) => ack.await.is_ok(),
            Err(_) => false,
        };
        let status = if stored {
            poem::http::StatusCode::OK
        } else {
            poem::http::StatusCode::SERVICE_UNAVAILABLE
        };
        Ok(poem::Response::builder().status(status).finish())
    }
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"))
}

/// The report as Markdown tables.
pub fn markdown(report: &Report) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} cores, {} s per phase, {} partitions; the raw publisher into INBOUND and the direct edge connect to its leader, {}\n",
        report.cores, report.seconds, report.partitions, report.inbound_leader
    );
    if !report.phases.is_empty() {
        out.push_str("| phase | in flight | req/s | p50 ms | p99 ms | p99.9 ms | errors | vs raw publish, same stream | in INBOUND (R3) incl. sourcing, /s | that vs raw | CPU µs/req: NATS servers | edge | load generator |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for phase in &report.phases {
            let cpu = |group: &str| {
                phase
                    .cpu_us_per_request
                    .iter()
                    .find(|share| share.group == group)
                    .map_or_else(|| "–".to_owned(), |share| format!("{:.0}", share.us))
            };
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} | {} | {} | {} |",
                phase.name,
                phase.concurrency,
                phase.per_second,
                phase.p50_ms,
                phase.p99_ms,
                phase.p999_ms,
                phase.errors,
                ratio(phase.ratio_to_raw),
                phase
                    .sustained_per_second
                    .map_or_else(|| "–".to_owned(), |r| format!("{r:.0}")),
                ratio(phase.sustained_ratio),
                cpu("nats"),
                cpu("edge"),
                cpu("bench"),
            );
        }
    }
    if !report.medians.is_empty() {
        out.push_str("\n| phase, median over rounds | in flight | rounds | req/s | vs raw publish, same stream | lowest–highest |\n|---|---:|---:|---:|---:|---|\n");
        for median in &report.medians {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {:.0} | {} | {}–{} |",
                median.name,
                median.concurrency,
                median.rounds,
                median.per_second,
                ratio(median.ratio_to_raw),
                ratio(median.min_ratio),
                ratio(median.max_ratio),
            );
        }
    }
    if !report.end_to_end.is_empty() {
        out.push_str("\n| end to end | routers | router nice | partitions | edge events/s | routed events/s | vs raw leaf publish | max lag | lag at load end | drained after load | keeps up | CPU µs/event: routers | NATS servers | edge |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for run in &report.end_to_end {
            let drained = if run.drained {
                format!("{:.1} s", run.drain_seconds)
            } else {
                format!(
                    "no ({} of {} left)",
                    run.posted - run.routed.min(run.posted),
                    run.posted
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.0} | {:.0} | {} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} |",
                run.database,
                run.routers,
                run.router_nice
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                run.partitions,
                run.edge_per_second,
                run.routed_per_second,
                ratio(run.ratio_to_raw),
                run.max_lag,
                run.lag_at_load_end,
                drained,
                if run.keeps_up { "yes" } else { "no" },
                run.router_cpu_us_per_event,
                run.nats_cpu_us_per_event,
                run.edge_cpu_us_per_event
            );
        }
    }
    if !report.sender.is_empty() {
        out.push_str("\n| sender → sandbox | replies | sent | sends/s | vs limit | max in any 1 s |\n|---|---:|---:|---:|---:|---:|\n");
        for run in &report.sender {
            let limit = run
                .limit_per_second
                .map_or_else(|| "no limit".to_owned(), |l| format!("limit {l:.0}/s"));
            let _ = writeln!(
                out,
                "| {limit} | {} | {} | {:.1} | {} | {} |",
                run.replies,
                run.sent,
                run.per_second,
                ratio(run.ratio_to_limit),
                run.max_in_1s
            );
        }
    }
    if !report.memory.is_empty() {
        out.push_str("\n| process | peak RSS MiB |\n|---|---:|\n");
        for role in &report.memory {
            let _ = writeln!(
                out,
                "| {} | {} |",
                role.role,
                role.peak_rss_mib
                    .map_or_else(|| "–".to_owned(), |m| format!("{m:.1}"))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(name: &str, concurrency: usize, per_second: f64, sourced_after: Duration) -> Phase {
        let mut phase = Phase {
            name: name.to_owned(),
            concurrency,
            round: 0,
            requests: (per_second * 10.0) as u64,
            errors: 0,
            per_second,
            p50_ms: 1.0,
            p99_ms: 2.0,
            p999_ms: 3.0,
            baseline: None,
            ratio_to_raw: None,
            cpu_us_per_request: Vec::new(),
            sustained_per_second: None,
            sustained_ratio: None,
        };
        if name != HTTP_ONLY {
            phase.sourced(sourced_after);
        }
        phase
    }

    #[test]
    fn each_phase_is_compared_with_raw_publish_into_its_own_stream_at_its_concurrency() {
        let mut phases = vec![
            phase(RAW_LEAF, 16, 1000.0, Duration::from_secs(10)),
            phase(EDGE_LEAF, 16, 500.0, Duration::ZERO),
            phase(RAW_HUB, 16, 800.0, Duration::ZERO),
            phase(EDGE_HUB, 16, 600.0, Duration::ZERO),
            phase(HTTP_ONLY, 16, 4000.0, Duration::ZERO),
            phase(RAW_LEAF, 256, 2000.0, Duration::ZERO),
            phase(EDGE_LEAF, 256, 500.0, Duration::ZERO),
            phase(FORWARD_ONLY, 16, 720.0, Duration::ZERO),
        ];
        compare_with_raw(&mut phases);
        let ratio = |i: usize| phases[i].ratio_to_raw.unwrap_or(-1.0);
        assert!((ratio(1) - 0.5).abs() < 1e-9);
        assert_eq!(phases[1].baseline.as_deref(), Some(RAW_LEAF));
        assert!(
            (ratio(3) - 0.75).abs() < 1e-9,
            "the edge to the hub against raw INBOUND"
        );
        assert_eq!(phases[3].baseline.as_deref(), Some(RAW_HUB));
        assert!((ratio(4) - 4.0).abs() < 1e-9);
        assert!((ratio(6) - 0.25).abs() < 1e-9, "same concurrency only");
        assert!(
            (ratio(7) - 0.9).abs() < 1e-9,
            "forwarding, like the direct edge, against raw INBOUND"
        );
        assert_eq!(phases[7].baseline.as_deref(), Some(RAW_HUB));
        // The raw leaf phase took 10 s and its sourcing 10 s more: half the
        // rate into INBOUND, against which the edge (sourced at once) is 1.0.
        assert!((phases[0].sustained_per_second.unwrap_or(0.0) - 500.0).abs() < 1e-6);
        assert!((phases[1].sustained_ratio.unwrap_or(0.0) - 1.0).abs() < 1e-9);
        assert_eq!(phases[4].sustained_per_second, None);
        assert_eq!(raw_rate(&phases, 20), Some(1000.0));
        assert_eq!(raw_rate(&phases, 200), Some(2000.0));
    }

    #[test]
    fn rounds_compare_within_their_round_and_report_the_median_ratio() {
        let rounds = [(1000.0, 500.0), (2000.0, 500.0), (500.0, 450.0)];
        let mut phases = Vec::new();
        for (round, (raw, edge)) in rounds.into_iter().enumerate() {
            for (name, rate) in [(RAW_HUB, raw), (EDGE_HUB, edge)] {
                let mut p = phase(name, 16, rate, Duration::ZERO);
                p.round = round;
                phases.push(p);
            }
        }
        compare_with_raw(&mut phases);
        let ratios: Vec<f64> = phases
            .iter()
            .filter(|p| p.name == EDGE_HUB)
            .filter_map(|p| p.ratio_to_raw)
            .collect();
        assert_eq!(ratios, vec![0.5, 0.25, 0.9], "each against its own round");
        let summary = medians(&phases);
        assert_eq!(summary.len(), 2);
        let edge = &summary[1];
        assert_eq!((edge.name.as_str(), edge.rounds), (EDGE_HUB, 3));
        assert_eq!(edge.ratio_to_raw, Some(0.5));
        assert_eq!((edge.min_ratio, edge.max_ratio), (Some(0.25), Some(0.9)));
        assert_eq!(edge.per_second, 500.0);
        assert_eq!(summary[0].ratio_to_raw, Some(1.0));
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(Vec::new()), None);
    }
}
