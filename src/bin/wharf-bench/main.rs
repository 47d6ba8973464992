//! `wharf-bench` (`make bench`): Wharf against the physical limits under it,
//! side by side in one run on freshly started local NATS servers (a 3-node
//! hub and a leaf), with the roles as real `wharf` child processes on loopback,
//! reported as ratios: raw JetStream publish vs edge ingest (and an HTTP +
//! signature-only server), end to end through router processes on SQLite and
//! PostgreSQL, the sender against the sandbox with and without a rate limit,
//! inbound media fetched from the sandbox vs a plain download (and text
//! routing with and without a media burst), and the peak RSS of every
//! process. Every phase is bounded in time.
//!
//! A binary of its own, beside `wharf`: the production binary carries none
//! of it. It runs the `wharf` binary of the same folder for the roles.
#![forbid(unsafe_code)]

mod campaigns;
mod children;
mod hooks;
mod load;
mod media;
mod pipeline;
mod report;
mod reports;
mod traffic;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use tokio_util::sync::CancellationToken;
use wharf::child::{ChildProcess, own_peak_rss_kib, peak_rss_kib};
use wharf::config::Config;
use wharf::nats_server::{LocalNats, NatsSecurity, Ports, free_port};
use wharf::roles;

use children::{RoleConfig, spawn_role, stop_with_peak};
use load::CpuGroups;
use pipeline::BenchDb;
use report::{
    EDGE_HUB, EDGE_LEAF, EDGE_TRACED, EndToEnd, FORWARD_ONLY, FORWARD_VERIFIED, HTTP_ONLY, Phase,
    RAW_HUB, RAW_LEAF, Report, RoleMemory, SenderRun, TraceExport, compare_with_raw, markdown,
    medians, raw_rate,
};
use std::sync::Arc;
use traffic::{
    OtlpSink, VerifyOnly, inbound_leader, measure, raw_publish, serve_meta_webhooks, serve_post,
    webhook_phase,
};

pub(crate) const NUMBER: &str = "106540352242922";
/// Support replies per second in the campaigns part: an agent team's
/// pace, far under the number's limit.
const CAMPAIGN_BENCH_REPLIES_PER_SECOND: u32 = 5;
pub(crate) const SECRET: &str = "bench-app-secret";

/// The bench's one Meta number, signing with [`SECRET`]; its replies go to
/// `api_base_url` (the run's sandbox).
pub(crate) fn bench_number(api_base_url: Option<String>) -> NumberCredentials {
    NumberCredentials {
        api_base_url,
        ..NumberCredentials::signed_by(Provider::Meta, NUMBER, SECRET)
    }
}

/// Measure Wharf against the limits under it, side by side on freshly
/// started local NATS servers (loopback only): raw JetStream publish vs
/// edge ingest, end to end through routers (SQLite, PostgreSQL), the
/// sender with and without a rate limit, peak RSS of every process.
#[derive(Debug, Parser)]
#[command(name = "wharf-bench", version, about)]
struct Cli {
    /// TOML config file layered over the embedded defaults.
    #[arg(long, short, env = "WHARF_CONFIG")]
    config: Option<PathBuf>,
    /// Seconds per phase.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Requests in flight, one phase each (comma separated).
    #[arg(long, value_delimiter = ',', default_value = "16,256")]
    concurrency: Vec<usize>,
    /// Also write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// PostgreSQL server for the end-to-end runs on PostgreSQL (its user
    /// creates and drops a scratch database); without it, SQLite only.
    #[arg(long, env = "WHARF_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// Router processes, one end-to-end run each per database.
    #[arg(long, value_delimiter = ',', default_value = "1,3")]
    routers: Vec<usize>,
    /// Webhooks in flight during the end-to-end runs.
    #[arg(long, default_value_t = 16)]
    end_to_end_concurrency: usize,
    /// Replies of the sender run without a rate limit.
    #[arg(long, default_value_t = 400)]
    replies: usize,
    /// Sends per second of the rate-limited sender run (Meta's default: 80).
    #[arg(long, default_value_t = 80)]
    sender_limit: u32,
    /// Only these parts (comma separated: edge, e2e, sender, media, hooks,
    /// campaigns, reports);
    /// all by default. `sender` needs `e2e` (it replies to its conversations).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "edge,e2e,sender,media,hooks,campaigns,reports"
    )]
    only: Vec<Part>,
    /// Support measures in the reports part's history (100,000: what some
    /// 200,000 messages leave).
    #[arg(long, default_value_t = 100_000)]
    report_measures: i64,
    /// Reports per grouping and database in the reports part.
    #[arg(long, default_value_t = 20)]
    report_runs: usize,
    /// Times the edge phases (and the media part's) run, interleaved (raw,
    /// edge, raw, edge …); with more than one, a table of medians.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Files of 100 KB and of 5 MB (comma separated) each media fetch
    /// measurement fetches, and downloads plainly.
    #[arg(long, value_delimiter = ',', default_values_t = [200, 20])]
    media_files: Vec<usize>,
    /// Router processes (each with its media fetcher) of the media part.
    #[arg(long, default_value_t = 1)]
    media_routers: usize,
    /// Recipients of the campaign that runs beside the support replies
    /// (at least what the run can send: the limit × (seconds + 10)).
    #[arg(long, default_value_t = 10_000)]
    campaign_recipients: usize,
    /// Internal: serve the forward-only endpoint on this address, as a
    /// process of its own like the edge (the bench starts it).
    #[arg(long, hide = true, requires = "forward_nats_url")]
    serve_forward_only: Option<std::net::SocketAddr>,
    /// Internal: the NATS server the forward-only process publishes to.
    #[arg(long, hide = true)]
    forward_nats_url: Option<String>,
    /// Internal: the forward-only process checks each delivery's signature
    /// before publishing it.
    #[arg(long, hide = true)]
    forward_verify: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match bench(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wharf-bench: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn bench(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    let _traces = wharf::telemetry::init(&config.log, &config.traces, "wharf-bench")?;
    relay::tls::install_crypto();
    config.tls.trust_for_clients()?;
    if let (Some(listen), Some(url)) = (cli.serve_forward_only, cli.forward_nats_url.clone()) {
        return traffic::serve_forward_only(&config, listen, url, cli.forward_verify).await;
    }
    anyhow::ensure!(
        cli.media_files.len() == 2,
        "--media-files takes two counts: files of 100 KB, files of 5 MB"
    );
    let options = BenchOptions {
        seconds: cli.seconds.clamp(1, 120),
        concurrency: cli.concurrency,
        json_out: cli.json,
        postgres_url: cli.postgres_url,
        routers: cli.routers,
        end_to_end_concurrency: cli.end_to_end_concurrency,
        replies: cli.replies.clamp(2, 100_000),
        sender_limit: cli.sender_limit.clamp(1, 10_000),
        parts: cli.only,
        rounds: cli.rounds.clamp(1, 20),
        media_files: [
            cli.media_files[0].clamp(1, 10_000),
            cli.media_files[1].clamp(1, 1_000),
        ],
        media_routers: cli.media_routers.clamp(1, 16),
        campaign_recipients: cli.campaign_recipients.clamp(1, 1_000_000),
        reports: reports::ReportsOptions {
            measures: cli.report_measures.clamp(100, 10_000_000),
            runs: cli.report_runs.clamp(1, 1_000),
        },
    };
    run(config, options).await.map(|_| ())
}

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
    /// Files of 100 KB and of 5 MB per media fetch measurement.
    pub media_files: [usize; 2],
    /// Router processes of the media part.
    pub media_routers: usize,
    /// Recipients of the campaigns part's campaign.
    pub campaign_recipients: usize,
    /// The reports part's history and runs.
    pub reports: reports::ReportsOptions,
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
    /// Inbound media fetched vs a plain download; routing during a media burst.
    Media,
    /// Routing with a webhook endpoint vs without; delivery vs the HTTP ceiling.
    Hooks,
    /// Support replies' time to the provider without and with a campaign;
    /// the campaign's rate vs the limit left to it.
    Campaigns,
    /// A 30-day support report over a large history, per database.
    Reports,
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
            parts: vec![
                Part::Edge,
                Part::E2e,
                Part::Sender,
                Part::Media,
                Part::Hooks,
                Part::Campaigns,
                Part::Reports,
            ],
            rounds: 1,
            media_files: [200, 20],
            media_routers: 1,
            campaign_recipients: 10_000,
            reports: reports::ReportsOptions {
                measures: 100_000,
                runs: 20,
            },
        }
    }
}

/// The servers and processes every phase shares: NATS, the sandbox, the two
/// edges, the in-process comparison servers, and where their CPU goes.
struct Rig {
    dir: tempfile::TempDir,
    /// The bench's config: the run's NATS, its number through the sandbox.
    config: Config,
    nats: LocalNats,
    hub_client: async_nats::Client,
    /// The hub node leading INBOUND, and its client URL.
    leader: String,
    leader_url: String,
    partitions: u16,
    shutdown: CancellationToken,
    sandbox_url: String,
    /// What every role's config says beyond the bench's.
    role: RoleConfig,
    /// The edge into the leaf, and the edge straight into INBOUND.
    edge: ChildProcess,
    hub_edge: Option<ChildProcess>,
    /// A third edge like the first, exporting its spans to `otlp`.
    traced_edge: Option<ChildProcess>,
    traced_edge_url: String,
    otlp: Arc<OtlpSink>,
    /// The load generator's connections to the edge.
    edge_load: load::Client,
    hub_edge_url: String,
    verify_only_url: String,
    forward_only_url: String,
    /// The forward-only server's process (killed with the rig).
    forward_only: ChildProcess,
    /// The forwarder that checks each delivery's signature first.
    forward_verified_url: String,
    forward_verified: ChildProcess,
    http: reqwest::Client,
    cpu: CpuGroups,
}

/// Runs every phase and prints the tables.
///
/// # Errors
/// When the servers or a role cannot start, or PostgreSQL is unreachable.
pub async fn run(config: Config, options: BenchOptions) -> anyhow::Result<Report> {
    let mut rig = start(config).await?;
    let mut round = 0u64;
    let mut phases = edge_phases(&mut rig, &options, &mut round).await?;
    compare_with_raw(&mut phases);
    let hub_js = async_nats::jetstream::new(rig.hub_client.clone());
    let leader_after = inbound_leader(&hub_js).await?;

    // End to end, then the sender on the conversations of the last SQLite run.
    let mut memory = Vec::new();
    let hub_edge_peak = rig
        .hub_edge
        .take()
        .and_then(|p| stop_with_peak(p, Duration::from_secs(10)));
    // Stopped (its last spans flushed) before the sink is read.
    if let Some(traced) = rig.traced_edge.take() {
        let _ = stop_with_peak(traced, Duration::from_secs(10));
    }
    let traced_webhooks: u64 = phases
        .iter()
        .filter(|p| p.name == EDGE_TRACED)
        .map(|p| p.requests - p.errors)
        .sum();
    let trace_export = (traced_webhooks > 0).then(|| {
        use std::sync::atomic::Ordering::Relaxed;
        let spans = rig.otlp.spans.load(Relaxed);
        TraceExport {
            requests: rig.otlp.requests.load(Relaxed),
            spans,
            bytes: rig.otlp.bytes.load(Relaxed),
            spans_per_webhook: spans as f64 / traced_webhooks as f64,
        }
    });
    let (end_to_end, kept_sqlite) =
        end_to_end_runs(&mut rig, &options, &phases, &mut round, &mut memory).await?;
    let sender = match kept_sqlite.filter(|_| options.parts.contains(&Part::Sender)) {
        Some(db) => sender_runs(&rig, &options, &db, &mut memory).await?,
        None => Vec::new(),
    };
    let media = if options.parts.contains(&Part::Media) {
        let media_options = media::MediaOptions {
            routers: options.media_routers,
            files: options.media_files,
            rounds: options.rounds,
            seconds: options.seconds,
            concurrency: options.end_to_end_concurrency,
        };
        let result = media::run(&pipeline_rig(&rig), &media_options, &mut round, &mut memory).await;
        rig.edge.check_running(20)?;
        Some(result.context("the media part")?)
    } else {
        None
    };
    let hooks = if options.parts.contains(&Part::Hooks) {
        let hooks_options = hooks::HooksOptions {
            rounds: options.rounds,
            seconds: options.seconds,
            concurrency: options.end_to_end_concurrency,
        };
        let result = hooks::run(&pipeline_rig(&rig), &hooks_options, &mut round, &mut memory).await;
        rig.edge.check_running(20)?;
        Some(result.context("the webhooks part")?)
    } else {
        None
    };
    let campaigns = if options.parts.contains(&Part::Campaigns) {
        let campaign_options = campaigns::CampaignOptions {
            rounds: options.rounds,
            seconds: options.seconds,
            limit: options.sender_limit.max(1),
            replies_per_second: CAMPAIGN_BENCH_REPLIES_PER_SECOND,
            recipients: options.campaign_recipients,
        };
        let result = campaigns::run(
            &pipeline_rig(&rig),
            &rig.sandbox_url,
            &campaign_options,
            &mut memory,
        )
        .await;
        rig.edge.check_running(20)?;
        Some(result.context("the campaigns part")?)
    } else {
        None
    };
    let reports = if options.parts.contains(&Part::Reports) {
        let result = reports::run(
            rig.dir.path(),
            options.postgres_url.as_deref(),
            options.reports,
        )
        .await;
        Some(result.context("the reports part")?)
    } else {
        None
    };
    memory_table(&rig, hub_edge_peak, &mut memory);
    let Rig {
        nats,
        edge,
        shutdown,
        leader,
        partitions,
        ..
    } = rig;
    let _ = stop_with_peak(edge, Duration::from_secs(10));
    shutdown.cancel();

    let phase_medians = if options.rounds > 1 {
        medians(&phases)
    } else {
        Vec::new()
    };
    let against_forwarders = report::against_forwarders(&phases);
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
        media,
        hooks,
        campaigns,
        reports,
        trace_export,
        memory,
        medians: phase_medians,
        against_forwarders,
    };
    println!("{}", markdown(&report));
    if let Some(path) = &options.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    drop(nats);
    Ok(report)
}

/// Starts NATS (a 3-node hub and the leaf `eu`) and provisions it; finds
/// INBOUND's leader.
async fn start_nats(
    config: &mut Config,
    dir: &std::path::Path,
) -> anyhow::Result<(LocalNats, async_nats::Client, String, String)> {
    let security = NatsSecurity::generate();
    security.apply(&mut config.nats.users);
    config.topology.regions = vec!["eu".into()];
    let nats = LocalNats::start(
        &config.up.nats_server,
        dir,
        Ports::plan([0; 6], 3, 1)?,
        &config.topology.regions,
        security,
        Duration::from_secs(60),
    )
    .await?;
    config.nats.url = nats.hub.client_urls();
    let hub_client = roles::provision(config, Duration::from_secs(60)).await?;
    // The raw publisher into INBOUND and the direct edge both connect to the
    // stream's leader: a client on another node pays a route hop each way,
    // and with a node picked at random by each client the comparison was
    // decided by which of them drew the leader (0.45x-0.88x between runs).
    let leader = inbound_leader(&async_nats::jetstream::new(hub_client.clone())).await?;
    let leader_url = nats
        .hub
        .nodes
        .iter()
        .find(|node| node.name == leader)
        .map(|node| node.client_url.clone())
        .with_context(|| format!("INBOUND's leader {leader} is not a hub node"))?;
    Ok((nats, hub_client, leader, leader_url))
}

/// Everything but the measuring: NATS, the sandbox provider (in this
/// process; it sends status webhooks to the edge), the two edge processes,
/// the in-process HTTP-only server and the forward-only process.
async fn start(mut config: Config) -> anyhow::Result<Rig> {
    let dir = tempfile::tempdir()?;
    let (nats, hub_client, leader, leader_url) = start_nats(&mut config, dir.path()).await?;
    let partitions = config.topology.partitions;

    let edge_listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let edge_url = format!("http://{edge_listen}/webhooks/meta");
    let shutdown = CancellationToken::new();
    config.numbers = vec![bench_number(None)];
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
        hub_urls: nats.hub.client_urls(),
        leaf_url: nats.leaves[0].process.client_url.clone(),
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
    // An edge process of region eu from `role`'s settings and `base`.
    let spawn_edge =
        |name: &str, role: RoleConfig, base: &Config| -> anyhow::Result<ChildProcess> {
            let path = role.write(base, dir.path(), name)?;
            spawn_role(name, &["edge", "--region", "eu"], &path, dir.path())
        };
    let mut edge = spawn_edge("edge", role.clone(), &config)?;
    // A second edge writing INBOUND on the hub itself (`direct_to_hub`):
    // the edge against raw publish into the very same R3 stream.
    let hub_edge_listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let hub_edge_role = RoleConfig {
        edge_to_hub: true,
        edge_listen: hub_edge_listen,
        hub_urls: leader_url.clone(),
        ..role.clone()
    };
    let mut hub_edge = spawn_edge("edge-hub", hub_edge_role, &config)?;
    // The first edge again, with span export on, to a sink in this process.
    let otlp = Arc::new(OtlpSink::default());
    let mut traced_base = config.clone();
    traced_base.traces.otlp_endpoint =
        serve_post("/v1/traces", Arc::clone(&otlp), &shutdown).await?;
    let traced_edge_listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let traced_role = RoleConfig {
        edge_listen: traced_edge_listen,
        ..role.clone()
    };
    let mut traced_edge = spawn_edge("edge-traced", traced_role, &traced_base)?;
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
    wait_ready(
        &http,
        &format!("http://{traced_edge_listen}/readyz"),
        &mut traced_edge,
    )
    .await?;

    // The same HTTP stack and signature check, answering without publishing:
    // where the time goes that is not JetStream's (runs in this process).
    let verify_only_url = serve_meta_webhooks(
        VerifyOnly {
            key: relay::provider::meta::SigningKey::new(SECRET),
        },
        &shutdown,
    )
    .await?;
    // The least an HTTP edge can do: publish the body as it came and answer
    // after the PubAck, on its own connection to the leader. A process of
    // its own like the edge (this binary again), so both pay the same
    // process hop; what separates the edge from it is the edge's own work.
    // A second one checks each signature first: the least an edge that
    // stores only what the provider signed can do.
    let (forward_only, forward_only_url) =
        start_forwarder(&config, &leader_url, dir.path(), false, &http).await?;
    let (forward_verified, forward_verified_url) =
        start_forwarder(&config, &leader_url, dir.path(), true, &http).await?;

    // Where each phase's CPU goes.
    let mut cpu = CpuGroups::default();
    for node in &nats.hub.nodes {
        cpu.add("nats", node.pid());
    }
    cpu.add("nats", nats.leaves[0].process.pid());
    cpu.add("edge", edge.pid());
    cpu.add("edge", hub_edge.pid());
    cpu.add("edge", traced_edge.pid());
    cpu.add("edge", forward_only.pid());
    cpu.add("edge", forward_verified.pid());
    cpu.add("bench", Some(std::process::id()));
    Ok(Rig {
        dir,
        config,
        nats,
        hub_client,
        leader,
        leader_url,
        partitions,
        shutdown,
        sandbox_url,
        role,
        edge,
        hub_edge: Some(hub_edge),
        traced_edge: Some(traced_edge),
        traced_edge_url: format!("http://{traced_edge_listen}/webhooks/meta"),
        otlp,
        edge_load: load::Client::new(load::Target::parse(&edge_url)?),
        hub_edge_url: format!("http://{hub_edge_listen}/webhooks/meta"),
        verify_only_url,
        forward_only_url,
        forward_only,
        forward_verified_url,
        forward_verified,
        http,
        cpu,
    })
}

/// JetStream as the edge's own user: the server checks the same permissions.
async fn raw_publisher(
    config: &Config,
    url: String,
    name: &'static str,
    direct: bool,
) -> anyhow::Result<async_nats::jetstream::Context> {
    let access = config.nats.access(wharf::config::Role::Edge {
        region: "eu",
        direct,
    });
    let client = relay::nats::connect(&url, name, Duration::from_secs(10), &access).await?;
    Ok(async_nats::jetstream::new(client))
}

/// Starts a forward-only process (`verify`: checking each signature
/// first) publishing into INBOUND on `leader_url`; it and its URL once it
/// answers.
async fn start_forwarder(
    config: &Config,
    leader_url: &str,
    dir: &std::path::Path,
    verify: bool,
    http: &reqwest::Client,
) -> anyhow::Result<(ChildProcess, String)> {
    let name = if verify {
        "forward-verified"
    } else {
        "forward-only"
    };
    let listen: std::net::SocketAddr = format!("127.0.0.1:{}", free_port()?).parse()?;
    let mut args = vec![
        "--serve-forward-only".to_owned(),
        listen.to_string(),
        "--forward-nats-url".to_owned(),
        leader_url.to_owned(),
    ];
    if verify {
        args.push("--forward-verify".to_owned());
    }
    let mut child = ChildProcess::new(
        name,
        std::env::current_exe()?,
        dir.join(format!("{name}.log")),
    )
    .args(args)
    .envs([
        (
            "WHARF__NATS__USERS__EDGE__PASSWORD",
            config.nats.users.edge.password.expose().to_owned(),
        ),
        (
            "WHARF__TOPOLOGY__PARTITIONS",
            config.topology.partitions.to_string(),
        ),
    ])
    .env_remove(["RUST_LOG", "WHARF_CONFIG"]);
    child.start()?;
    wait_ready(http, &format!("http://{listen}/readyz"), &mut child).await?;
    Ok((child, format!("http://{listen}/webhooks/meta")))
}

/// Polls `url` until it answers 2xx.
async fn wait_ready(
    http: &reqwest::Client,
    url: &str,
    edge: &mut ChildProcess,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        edge.check_running(20)?;
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

/// Seconds of unmeasured load on the direct edge and the forwarder at each
/// concurrency before the first round ([`edge_phases`]); no more than a
/// measured phase lasts.
const WARM_UP_SECONDS: u64 = 2;

/// The edge phases, round after round, each concurrency in turn: raw publish
/// and the edge into the leaf, raw publish into INBOUND, the direct edge
/// and the two forwarders (each round another goes first), the HTTP-only
/// server. Each concurrency starts on emptied streams; the direct edge and
/// the forwarders are warmed up once before round 0.
async fn edge_phases(
    rig: &mut Rig,
    options: &BenchOptions,
    round: &mut u64,
) -> anyhow::Result<Vec<Phase>> {
    let mut phases = Vec::new();
    if !options.parts.contains(&Part::Edge) {
        return Ok(phases);
    }
    let partitions = rig.partitions;
    let leaf_url = rig.nats.leaves[0].process.client_url.clone();
    let leaf_js = raw_publisher(&rig.config, leaf_url, "wharf-bench-raw", false).await?;
    let leader_js = raw_publisher(
        &rig.config,
        rig.leader_url.clone(),
        "wharf-bench-raw-hub",
        true,
    )
    .await?;
    let hub_js = async_nats::jetstream::new(rig.hub_client.clone());
    let eu_js = async_nats::jetstream::with_domain(
        rig.hub_client.clone(),
        relay::topology::edge_domain("eu"),
    );
    let edge_load = rig.edge_load.clone();
    let hub_edge_load = load::Client::new(load::Target::parse(&rig.hub_edge_url)?);
    let traced_load = load::Client::new(load::Target::parse(&rig.traced_edge_url)?);
    let verify_load = load::Client::new(load::Target::parse(&rig.verify_only_url)?);
    let forward_load = load::Client::new(load::Target::parse(&rig.forward_only_url)?);
    let verified_load = load::Client::new(load::Target::parse(&rig.forward_verified_url)?);
    let (seconds, cpu) = (options.seconds, &rig.cpu);
    // The three compared servers meet each concurrency once before it
    // counts, so none pays for opening its connections and growing its
    // buffers in a measured phase (in round 0 the edge would always meet
    // it first).
    let warm_up = WARM_UP_SECONDS.min(seconds);
    for &c in &options.concurrency {
        *round += 1;
        let base = *round * 100_000_000;
        pipeline::quiesce(&hub_js).await?;
        webhook_phase(EDGE_HUB, &hub_edge_load, c, warm_up, cpu, base).await?;
        webhook_phase(
            FORWARD_ONLY,
            &forward_load,
            c,
            warm_up,
            cpu,
            base + 50_000_000,
        )
        .await?;
        webhook_phase(
            FORWARD_VERIFIED,
            &verified_load,
            c,
            warm_up,
            cpu,
            base + 70_000_000,
        )
        .await?;
    }
    for edge_round in 0..options.rounds.max(1) {
        let first = phases.len();
        for &c in &options.concurrency {
            *round += 1;
            let base = *round * 100_000_000;
            // Each concurrency starts on empty streams (no phase runs on a
            // store the ones before it grew), and before each phase the hub
            // takes in what the previous one left in the edge stream: no
            // phase pays for another's sourcing.
            pipeline::empty_streams(&hub_js, &eu_js, "eu").await?;
            // Limit: the same ~1 KiB event with a Nats-Msg-Id into the same stream.
            let js = leaf_js.clone();
            let mut raw = measure(RAW_LEAF, c, seconds, cpu, move |n| {
                let js = js.clone();
                async move { raw_publish(&js, "eu", base + n, n, partitions).await }
            })
            .await?;
            raw.sourced(pipeline::settle(&hub_js).await?);
            phases.push(raw);
            let mut ingest =
                webhook_phase(EDGE_LEAF, &edge_load, c, seconds, cpu, base + 10_000_000).await?;
            ingest.sourced(pipeline::settle(&hub_js).await?);
            phases.push(ingest);
            rig.edge.check_running(20)?;
            // The same edge exporting its spans, right after the untraced one.
            let mut traced = webhook_phase(
                EDGE_TRACED,
                &traced_load,
                c,
                seconds,
                cpu,
                base + 60_000_000,
            )
            .await?;
            traced.sourced(pipeline::settle(&hub_js).await?);
            phases.push(traced);
            if let Some(edge) = rig.traced_edge.as_mut() {
                edge.check_running(20)?;
            }
            // Straight into the R3 stream: durable there at the PubAck.
            let js = leader_js.clone();
            let mut raw = measure(RAW_HUB, c, seconds, cpu, move |n| {
                let js = js.clone();
                async move { raw_publish(&js, "hub", base + 20_000_000 + n, n, partitions).await }
            })
            .await?;
            raw.sourced(Duration::ZERO);
            phases.push(raw);
            // The direct edge and the two forwarders it is held to take
            // turns at going first (the slot right after raw publish's
            // load): over a multiple of three rounds none gains from the
            // order. Each starts on a still hub (`pipeline::quiesce`): what
            // the phase before it left the servers to do is done first.
            let mut order = [EDGE_HUB, FORWARD_ONLY, FORWARD_VERIFIED];
            order.rotate_left(edge_round % 3);
            for name in order {
                pipeline::quiesce(&hub_js).await?;
                let (load, offset) = match name {
                    EDGE_HUB => (&hub_edge_load, 30_000_000),
                    FORWARD_ONLY => (&forward_load, 50_000_000),
                    _ => (&verified_load, 70_000_000),
                };
                let mut phase = webhook_phase(name, load, c, seconds, cpu, base + offset).await?;
                phase.sourced(Duration::ZERO);
                phases.push(phase);
                if let Some(hub_edge) = rig.hub_edge.as_mut() {
                    hub_edge.check_running(20)?;
                }
                rig.forward_only.check_running(20)?;
                rig.forward_verified.check_running(20)?;
            }
            phases.push(
                webhook_phase(HTTP_ONLY, &verify_load, c, seconds, cpu, base + 40_000_000).await?,
            );
        }
        for phase in &mut phases[first..] {
            phase.round = edge_round;
        }
    }
    Ok(phases)
}

/// The end-to-end runs: per database, per router count. Keeps the database
/// of the last SQLite run (the sender runs reply to its conversations).
async fn end_to_end_runs(
    rig: &mut Rig,
    options: &BenchOptions,
    phases: &[Phase],
    round: &mut u64,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<(Vec<EndToEnd>, Option<BenchDb>)> {
    let mut end_to_end = Vec::new();
    let mut kept_sqlite = None;
    if !options.parts.contains(&Part::E2e) {
        return Ok((end_to_end, kept_sqlite));
    }
    let mut databases = vec!["sqlite"];
    if options.postgres_url.is_some() {
        databases.push("postgresql");
    }
    for kind in databases {
        for &routers in &options.routers {
            *round += 1;
            let db = match (kind, &options.postgres_url) {
                ("postgresql", Some(url)) => BenchDb::postgres(url).await?,
                _ => BenchDb::sqlite(rig.dir.path(), &format!("e2e-{routers}")),
            };
            let result = pipeline::end_to_end(
                &pipeline_rig(rig),
                &db,
                routers.max(1),
                options.end_to_end_concurrency.max(1),
                options.seconds,
                *round * 100_000_000,
                memory,
            )
            .await;
            rig.edge.check_running(20)?;
            let mut result =
                result.with_context(|| format!("end to end on {kind} with {routers} routers"))?;
            result.ratio_to_raw =
                raw_rate(phases, result.concurrency).map(|raw| result.routed_per_second / raw);
            end_to_end.push(result);
            if kind == "sqlite" {
                kept_sqlite = Some(db);
            } else {
                db.remove().await;
            }
        }
    }
    Ok((end_to_end, kept_sqlite))
}

/// The sender runs, without and with the rate limit.
async fn sender_runs(
    rig: &Rig,
    options: &BenchOptions,
    db: &BenchDb,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<Vec<SenderRun>> {
    let pipeline_rig = pipeline_rig(rig);
    let unlimited = pipeline::sender(
        &pipeline_rig,
        db,
        &rig.sandbox_url,
        options.replies.max(2),
        None,
        "sender-unlimited",
        memory,
    )
    .await
    .context("sender without a limit")?;
    let limit = options.sender_limit.max(1);
    let replies = (limit as usize * options.seconds as usize).max(2 * limit as usize);
    let limited = pipeline::sender(
        &pipeline_rig,
        db,
        &rig.sandbox_url,
        replies,
        Some(limit),
        "sender-limited",
        memory,
    )
    .await
    .context("sender with a limit")?;
    Ok(vec![unlimited, limited])
}

/// What the end-to-end and sender runs need of the rig.
fn pipeline_rig(rig: &Rig) -> pipeline::Rig<'_> {
    pipeline::Rig {
        dir: rig.dir.path(),
        hub_js: async_nats::jetstream::new(rig.hub_client.clone()),
        http: rig.http.clone(),
        edge: rig.edge_load.clone(),
        role: rig.role.clone(),
        base: &rig.config,
        numbers: &rig.config.numbers,
        cpu: rig.cpu.clone(),
    }
}

/// Every process's peak RSS: the edges first, then the runs' roles (already
/// in `memory`), the NATS servers and this process.
fn memory_table(rig: &Rig, hub_edge_peak: Option<u64>, memory: &mut Vec<RoleMemory>) {
    let mib = |kib: Option<u64>| kib.map(|k| k as f64 / 1024.0);
    memory.insert(
        0,
        RoleMemory {
            role: "edge".into(),
            peak_rss_mib: mib(rig.edge.peak_rss_kib()),
        },
    );
    memory.insert(
        1,
        RoleMemory {
            role: "edge (direct_to_hub)".into(),
            peak_rss_mib: mib(hub_edge_peak),
        },
    );
    for node in &rig.nats.hub.nodes {
        memory.push(RoleMemory {
            role: format!("nats-server {}", node.name),
            peak_rss_mib: mib(node.pid().and_then(peak_rss_kib)),
        });
    }
    memory.push(RoleMemory {
        role: "nats-server leaf eu".into(),
        peak_rss_mib: mib(rig.nats.leaves[0].process.pid().and_then(peak_rss_kib)),
    });
    memory.push(RoleMemory {
        role: "wharf-bench (load generator, sandbox, HTTP-only server)".into(),
        peak_rss_mib: mib(own_peak_rss_kib()),
    });
}
