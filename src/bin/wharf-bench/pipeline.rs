//! The end-to-end and sender phases of `wharf-bench`: signed webhooks through
//! the edge until routed rows exist (router processes on SQLite or
//! PostgreSQL, lag sampled every second), and replies through a sender
//! process to the sandbox provider with and without a rate limit.
//! Owns only the traffic and the measuring; the roles are the real ones.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use async_nats::jetstream;
use entities::{conversation, message};
use futures::{StreamExt, TryStreamExt};
use relay::envelope::ReplyContent;
use relay::topology;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use serde::Serialize;

use wharf::child::ChildProcess;
use wharf::config::{Config, DatabaseSettings};
use wharf::roles;

use crate::children::{RoleConfig, spawn_role, stop_with_peak};
use crate::report::RoleMemory;

/// A database of one end-to-end run.
pub enum BenchDb {
    Sqlite {
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl BenchDb {
    /// A fresh SQLite file under `dir`.
    pub fn sqlite(dir: &Path, name: &str) -> Self {
        Self::Sqlite {
            url: format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{name}.db")).display()
            ),
        }
    }

    /// A fresh database on the PostgreSQL server of `admin_url`.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses `CREATE DATABASE`.
    pub async fn postgres(admin_url: &str) -> anyhow::Result<Self> {
        let name = format!("wharf_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
        let admin = Database::connect(admin_url)
            .await
            .context("connecting to the PostgreSQL server of --postgres-url")?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .context("creating the bench database")?;
        admin.close().await.ok();
        let url = wharf::config::with_database(admin_url, &name);
        Ok(Self::Postgres {
            admin_url: admin_url.to_owned(),
            name,
            url,
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgresql",
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url } | Self::Postgres { url, .. } => url,
        }
    }

    /// Drops a PostgreSQL database (SQLite files go with the run's folder).
    pub async fn remove(self) {
        if let Self::Postgres {
            admin_url, name, ..
        } = self
            && let Ok(admin) = Database::connect(admin_url.as_str()).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

/// Migrates and seeds the bench number; returns the open pool.
///
/// # Errors
/// Database errors.
pub async fn prepare_database(
    db: &BenchDb,
    numbers: &[relay::provider::NumberCredentials],
    secrets_key: &str,
) -> anyhow::Result<DatabaseConnection> {
    let conn = roles::connect_database(&DatabaseSettings {
        url: db.url().to_owned(),
        max_connections: 4,
    })
    .await?;
    roles::migrate(&conn).await?;
    // What a feature's work on the routers' writes costs: e.g.
    // `WHARF_BENCH_SETUP_POSTGRESQL='DROP TRIGGER tr_messages_volume ON
    // messages'` runs the end-to-end parts on PostgreSQL without that
    // trigger (`WHARF_BENCH_SETUP_SQLITE` for SQLite; run as one script
    // after migrating).
    let variable = format!("WHARF_BENCH_SETUP_{}", db.kind().to_uppercase());
    if let Ok(setup) = std::env::var(&variable) {
        conn.execute_unprepared(&setup)
            .await
            .with_context(|| format!("{variable}: {setup}"))?;
    }
    let vault = relay::vault::Vault::new(&relay::secret::Secret::new(secrets_key), &[])
        .map_err(anyhow::Error::msg)?;
    roles::seed_numbers(&conn, numbers, &vault).await?;
    Ok(conn)
}

/// One end-to-end run: webhooks → edge → INBOUND → routers → rows.
#[derive(Debug, Clone, Serialize)]
pub struct EndToEnd {
    pub database: String,
    pub routers: usize,
    pub partitions: u16,
    pub concurrency: usize,
    /// Seconds webhooks were posted.
    pub load_seconds: f64,
    /// Events the edge stored (answered 200).
    pub posted: u64,
    pub edge_per_second: f64,
    /// Message rows written by the routers.
    pub routed: u64,
    /// Rows per second from the first post until the last row (or the deadline).
    pub routed_per_second: f64,
    /// `routed_per_second` over the raw leaf publish at the nearest concurrency.
    pub ratio_to_raw: Option<f64>,
    /// Every stored event became a row before the deadline.
    pub drained: bool,
    /// Seconds from the end of the load until the last row.
    pub drain_seconds: f64,
    /// Events stored but not yet routed (INBOUND consumers' pending and
    /// unacked, plus the EDGE_EU → INBOUND source lag), once a second.
    pub lag: Vec<u64>,
    pub max_lag: u64,
    /// The backlog when the load stopped.
    pub lag_at_load_end: u64,
    /// The routers kept up: everything was routed before the deadline, at
    /// ≥ 0.9× the edge's rate.
    pub keeps_up: bool,
    /// CPU time of the router processes (together) per routed event, µs,
    /// over the load and the drain.
    pub router_cpu_us_per_event: f64,
    /// The same for the four NATS servers (the edge's publishes, the
    /// sourcing into INBOUND, the routers' pulls and acks).
    pub nats_cpu_us_per_event: f64,
    /// The same for the edge process.
    pub edge_cpu_us_per_event: f64,
    /// The same for the PostgreSQL server's processes (`None` on SQLite,
    /// whose work is the routers' own CPU).
    pub database_cpu_us_per_event: Option<f64>,
    /// The whole machine's busy CPU (all processes) over the load and the
    /// drain, as a share of all its CPUs' time: near 1, the run was
    /// CPU-bound and every process's CPU per event took from the others.
    pub machine_busy_share: Option<f64>,
    /// The nice values the routers' threads ran at (`router.nice`; one
    /// value unless setting it failed part-way).
    pub router_nice: Vec<i32>,
}

/// Whether `name` is a router partition consumer (`topology::router_consumer`).
fn is_router_consumer(name: &str) -> bool {
    let first = topology::router_consumer(0);
    let prefix = first.trim_end_matches('0');
    name.strip_prefix(prefix)
        .is_some_and(|n| n.parse::<u16>().is_ok())
}

/// Events stored but not yet applied by the routers.
async fn backlog(js: &jetstream::Context) -> Option<u64> {
    let mut stream = js.get_stream(topology::INBOUND).await.ok()?;
    let info = stream.info().await.ok()?;
    let source_lag: u64 = info.sources.iter().map(|s| s.lag).sum();
    let consumers: Vec<_> = stream.consumers().try_collect().await.ok()?;
    let pending: u64 = consumers
        .iter()
        .filter(|c| is_router_consumer(&c.name))
        .map(|c| c.num_pending + c.num_ack_pending as u64)
        .sum();
    Some(pending + source_lag)
}

/// Waits until INBOUND has taken in everything the edge stream holds (the
/// source lag is 0 and nothing arrives for a moment), at most 60 s: a phase
/// must not share the hub with the previous phase's sourcing backlog.
/// Returns when, after the call, the last event arrived in INBOUND (to
/// 100 ms).
///
/// # Errors
/// When JetStream refuses.
pub async fn settle(js: &jetstream::Context) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut stream = js.get_stream(topology::INBOUND).await?;
    let deadline = started + Duration::from_secs(60);
    let mut last = stream.info().await?.state.last_sequence;
    let mut last_change = Duration::ZERO;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let info = stream.info().await?;
        let lag: u64 = info.sources.iter().map(|s| s.lag).sum();
        if info.state.last_sequence != last {
            last = info.state.last_sequence;
            last_change = started.elapsed();
        } else if lag == 0 && started.elapsed() >= last_change + Duration::from_millis(300) {
            return Ok(last_change);
        }
        if Instant::now() > deadline {
            return Ok(started.elapsed());
        }
    }
}

/// How long the hub is left idle before a compared phase, after its
/// replicas have caught up: time for the servers to finish what the last
/// phase left them (flushes, collection), so neither compared phase starts
/// on the tail of another's load.
const QUIET: Duration = Duration::from_secs(1);

/// Waits until INBOUND is still: its sources caught up ([`settle`]), every
/// replica current with no lag (at most 60 s), then [`QUIET`]. Each of two
/// compared phases starts from the same state of the hub, whichever ran
/// before it.
///
/// # Errors
/// When JetStream refuses.
pub async fn quiesce(js: &jetstream::Context) -> anyhow::Result<()> {
    settle(js).await?;
    let mut stream = js.get_stream(topology::INBOUND).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let info = stream.info().await?;
        let caught_up = info.cluster.as_ref().is_none_or(|cluster| {
            cluster
                .replicas
                .iter()
                .all(|peer| peer.current && peer.lag.unwrap_or(0) == 0)
        });
        if caught_up || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(QUIET).await;
    Ok(())
}

/// Empties INBOUND and the `region`'s edge stream once INBOUND has taken in
/// what the edge stream held ([`settle`]), so each concurrency of the edge
/// phases starts on empty streams. Kept, a run's streams grew through it:
/// every phase ran on a bigger store than the one before (each round after
/// the first measured slower), and a 4-round run wrote ~19 GB of replicas
/// and filled the disk.
///
/// # Errors
/// When JetStream refuses.
pub async fn empty_streams(
    hub: &jetstream::Context,
    edge_domain: &jetstream::Context,
    region: &str,
) -> anyhow::Result<()> {
    settle(hub).await?;
    edge_domain
        .get_stream(topology::edge_stream(region))
        .await?
        .purge()
        .await?;
    hub.get_stream(topology::INBOUND).await?.purge().await?;
    Ok(())
}

/// Removes the router consumers and every stored event, so a run starts on
/// an empty INBOUND: waits for the edge stream's source to settle first.
///
/// # Errors
/// When JetStream refuses.
pub async fn reset_inbound(js: &jetstream::Context, partitions: u16) -> anyhow::Result<()> {
    settle(js).await?;
    let stream = js.get_stream(topology::INBOUND).await?;
    for partition in 0..partitions {
        let _ = stream
            .delete_consumer(&topology::router_consumer(partition))
            .await;
    }
    stream.purge().await?;
    Ok(())
}

/// Inbound text message rows (the routed events of the text load).
async fn inbound_text_rows(db: &DatabaseConnection) -> u64 {
    message::Entity::find()
        .filter(message::Column::Direction.eq("inbound"))
        .filter(message::Column::Kind.eq(message::MessageKind::Text.as_str()))
        .count(db)
        .await
        .unwrap_or(0)
}

/// Everything an end-to-end or sender run needs from the bench.
pub struct Rig<'a> {
    pub dir: &'a Path,
    pub hub_js: jetstream::Context,
    pub http: reqwest::Client,
    /// The load generator's connections to the edge.
    pub edge: crate::load::Client,
    pub role: RoleConfig,
    /// The bench's own config, under each role's.
    pub base: &'a Config,
    pub numbers: &'a [relay::provider::NumberCredentials],
    /// The NATS servers, the edges and the bench process, by group.
    pub cpu: crate::load::CpuGroups,
}

/// Router processes on one database, up: every partition consumer exists.
pub struct Routers {
    processes: Vec<ChildProcess>,
    /// The run's database, migrated and seeded.
    pub conn: DatabaseConnection,
    database: &'static str,
    /// The nice values the routers' threads run at, as the kernel has them.
    router_nice: Vec<i32>,
}

impl Routers {
    /// Empties INBOUND, prepares `db` and starts `count` router processes
    /// named `<name>-<i>`; returns once every partition consumer exists.
    ///
    /// # Errors
    /// When a router does not start, its consumers do not appear within
    /// 60 s, or the database fails.
    pub async fn start(
        rig: &Rig<'_>,
        db: &BenchDb,
        count: usize,
        name: &str,
    ) -> anyhow::Result<Self> {
        let partitions = rig.role.partitions;
        reset_inbound(&rig.hub_js, partitions).await?;
        let conn = prepare_database(db, rig.numbers, &rig.role.secrets_key).await?;
        let role = RoleConfig {
            database_url: db.url().to_owned(),
            ..rig.role.clone()
        };
        let config = role.write(rig.base, rig.dir, name)?;
        let mut processes = (0..count)
            .map(|i| spawn_role(&format!("{name}-{}", i + 1), &["router"], &config, rig.dir))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            for p in &mut processes {
                p.check_running(20)?;
            }
            let stream = rig.hub_js.get_stream(topology::INBOUND).await?;
            let consumers: Vec<_> = stream.consumers().try_collect().await.unwrap_or_default();
            let ready = consumers
                .iter()
                .filter(|c| is_router_consumer(&c.name))
                .count();
            if ready >= usize::from(partitions) {
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "{name}: consumers not created in 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut router_nice: Vec<i32> = processes
            .iter()
            .filter_map(|p| p.pid())
            .filter_map(|pid| wharf::priority::thread_nice_values(pid).ok())
            .flatten()
            .map(|(_, nice)| nice)
            .collect();
        router_nice.sort_unstable();
        router_nice.dedup();
        Ok(Self {
            processes,
            conn,
            database: db.kind(),
            router_nice,
        })
    }

    /// `groups` and the routers as group `router`.
    pub fn with_cpu(&self, groups: &crate::load::CpuGroups) -> crate::load::CpuGroups {
        let mut cpu = groups.clone();
        for process in &self.processes {
            cpu.add("router", process.pid());
        }
        cpu
    }

    pub fn count(&self) -> usize {
        self.processes.len()
    }

    /// # Errors
    /// When a router has exited (its log's end in the error).
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        for process in &mut self.processes {
            process.check_running(20)?;
        }
        Ok(())
    }

    /// Stops the routers, recording each one's peak RSS in `memory`.
    pub async fn stop(self, memory: &mut Vec<RoleMemory>) {
        for process in self.processes {
            let role = process.name.clone();
            memory.push(RoleMemory {
                role,
                peak_rss_mib: stop_with_peak(process, Duration::from_secs(10))
                    .map(|kib| kib as f64 / 1024.0),
            });
        }
        self.conn.close().await.ok();
    }
}

/// Runs one end-to-end measurement on `db` with `routers` router processes.
///
/// # Errors
/// When a router does not start or the database fails.
pub async fn end_to_end(
    rig: &Rig<'_>,
    db: &BenchDb,
    routers: usize,
    concurrency: usize,
    seconds: u64,
    base: u64,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<EndToEnd> {
    let name = format!("router-{}-{routers}", db.kind());
    let processes = Routers::start(rig, db, routers, &name).await?;
    let result = route_text(rig, &processes, concurrency, seconds, base).await;
    processes.stop(memory).await;
    result
}

/// Posts signed text webhooks through the edge for `seconds` (numbered
/// from `base`) to running `routers`, then waits until each stored event
/// is a text row (or a deadline): the routed rate, the backlog once a
/// second, the CPU per routed event. Rows of other kinds (media) are not
/// counted.
///
/// # Errors
/// When the load cannot run.
pub async fn route_text(
    rig: &Rig<'_>,
    routers: &Routers,
    concurrency: usize,
    seconds: u64,
    base: u64,
) -> anyhow::Result<EndToEnd> {
    let conn = &routers.conn;
    // Lag sampler: once a second until told to stop.
    let stop = tokio_util::sync::CancellationToken::new();
    let sampler = {
        let (js, stop) = (rig.hub_js.clone(), stop.clone());
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => samples.push(backlog(&js).await.unwrap_or(0)),
                    () = stop.cancelled() => return samples,
                }
            }
        })
    };
    let cpu = routers.with_cpu(&rig.cpu);
    let rows_before = inbound_text_rows(conn).await;
    let cpu_before = cpu.sample();
    let machine_before = crate::load::machine_busy_ticks();
    // SQLite's work is the routers' own CPU.
    let on_postgres = routers.database == "postgresql";
    let postgres_before = on_postgres.then(crate::load::postgres_ticks);
    let started = Instant::now();
    let posted = Arc::new(AtomicU64::new(0));
    let load = {
        let (edge, posted) = (rig.edge.clone(), Arc::clone(&posted));
        let cpu = crate::load::CpuGroups::default();
        crate::traffic::measure("end to end", concurrency, seconds, &cpu, move |n| {
            let (edge, posted) = (edge.clone(), Arc::clone(&posted));
            async move {
                let ok = crate::traffic::post_signed(&edge, base + n).await;
                if ok {
                    posted.fetch_add(1, Ordering::Relaxed);
                }
                ok
            }
        })
        .await?
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let lag_at_load_end = backlog(&rig.hub_js).await.unwrap_or(0);
    let posted = posted.load(Ordering::Relaxed);

    // Drain: until every stored event is a row, or the deadline.
    let drain_deadline = Instant::now() + Duration::from_secs((seconds * 2).max(5));
    let routed_now = || async { inbound_text_rows(conn).await.saturating_sub(rows_before) };
    let mut routed = routed_now().await;
    let mut last_change = Instant::now();
    while routed < posted && Instant::now() < drain_deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Rows are counted once nothing is left to route (routers ack after
        // the commit): a count reads the whole table, and a count every
        // 200 ms took the database's CPU from the routers it measures.
        if backlog(&rig.hub_js).await.is_some_and(|left| left > 0) {
            continue;
        }
        let now = routed_now().await;
        if now != routed {
            routed = now;
            last_change = Instant::now();
        }
    }
    let drained = routed >= posted;
    let finished = if drained { last_change } else { Instant::now() };
    stop.cancel();
    let lag = sampler.await.unwrap_or_default();
    let used = cpu.since(&cpu_before);
    let postgres_seconds = postgres_before
        .map(|before| crate::load::ticks_between(&before, &crate::load::postgres_ticks()));
    let machine_seconds = started.elapsed().as_secs_f64();
    let machine_busy_share = machine_before.zip(crate::load::machine_busy_ticks()).map(
        |((before, cpus), (after, _))| {
            after.saturating_sub(before) as f64
                / crate::load::clock_ticks_per_second()
                / (machine_seconds * cpus.max(1) as f64)
        },
    );
    let per_event = |group: &str| {
        let seconds: f64 = used
            .iter()
            .filter(|u| u.group == group)
            .map(|u| u.seconds)
            .sum();
        seconds * 1e6 / routed.max(1) as f64
    };
    let edge_per_second = load.per_second;
    let total = finished.duration_since(started).as_secs_f64().max(0.001);
    Ok(EndToEnd {
        database: routers.database.to_owned(),
        routers: routers.count(),
        partitions: rig.role.partitions,
        concurrency,
        load_seconds,
        posted,
        edge_per_second,
        routed,
        routed_per_second: routed as f64 / total,
        ratio_to_raw: None,
        drained,
        drain_seconds: (total - load_seconds).max(0.0),
        max_lag: lag.iter().copied().max().unwrap_or(0).max(lag_at_load_end),
        lag,
        lag_at_load_end,
        keeps_up: drained && routed as f64 / total >= 0.9 * edge_per_second,
        router_cpu_us_per_event: per_event("router"),
        nats_cpu_us_per_event: per_event("nats"),
        edge_cpu_us_per_event: per_event("edge"),
        database_cpu_us_per_event: postgres_seconds
            .map(|seconds| seconds * 1e6 / routed.max(1) as f64),
        machine_busy_share,
        router_nice: routers.router_nice.clone(),
    })
}

/// One sender run against the sandbox.
#[derive(Debug, Clone, Serialize)]
pub struct SenderRun {
    /// `None`: no effective limit.
    pub limit_per_second: Option<f64>,
    pub replies: usize,
    /// Replies that reached the sandbox before the deadline.
    pub sent: usize,
    /// From the first arrival to the last.
    pub per_second: f64,
    /// `per_second / limit`.
    pub ratio_to_limit: Option<f64>,
    /// The most arrivals in any 1 s window (sliding).
    pub max_in_1s: usize,
}

/// Queues `replies` replies on the conversations of `db` (routed by an
/// end-to-end run), then starts a sender with the limit and times the
/// arrivals at the sandbox.
///
/// # Errors
/// When no conversation exists, the sender does not start, or queueing fails.
#[allow(clippy::too_many_arguments)]
pub async fn sender(
    rig: &Rig<'_>,
    db: &BenchDb,
    sandbox_url: &str,
    replies: usize,
    limit: Option<u32>,
    name: &str,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<SenderRun> {
    // A fresh consumer for each run: the previous sender process's pull
    // requests can outlive it on nats-server 2.9.10 and swallow new
    // replies until ack_wait ends (a stall that is not the limiter's). Its
    // replies are all settled, so OUTBOUND can be emptied too.
    if let Ok(outbound) = rig.hub_js.get_stream(topology::OUTBOUND).await {
        let _ = outbound
            .delete_consumer(relay::sender::SENDER_CONSUMER)
            .await;
        let _ = outbound.purge().await;
    }
    let conn = prepare_database(db, rig.numbers, &rig.role.secrets_key).await?;
    let conversations: Vec<i64> = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::Id)
        .limit(64)
        .into_tuple()
        .all(&conn)
        .await?;
    anyhow::ensure!(
        !conversations.is_empty(),
        "no conversation to reply to (the end-to-end run routed nothing)"
    );
    let partitions = rig.role.partitions;
    let ids: Vec<i64> = futures::stream::iter(0..replies)
        .map(|i| {
            let (conn, js) = (conn.clone(), rig.hub_js.clone());
            let conversation = conversations[i % conversations.len()];
            async move {
                relay::outbound::enqueue_reply(
                    &conn,
                    &js,
                    partitions,
                    conversation,
                    None,
                    ReplyContent::Text {
                        body: format!("bench reply {i}"),
                    },
                )
                .await
                .map(|row| row.id)
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await
        .context("queueing replies")?;
    let ours: HashSet<String> = ids.iter().map(ToString::to_string).collect();
    let role = RoleConfig {
        database_url: db.url().to_owned(),
        sends: limit.unwrap_or(1_000_000),
        period_ms: 1000,
        ..rig.role.clone()
    };
    let config = role.write(rig.base, rig.dir, name)?;
    let mut process = spawn_role(name, &["sender"], &config, rig.dir)?;
    let expected_seconds = limit.map_or(10.0, |l| replies as f64 / f64::from(l.max(1)));
    let deadline = Instant::now() + Duration::from_secs_f64(expected_seconds * 2.0 + 20.0);
    let mut times: Vec<i64>;
    loop {
        process.check_running(20)?;
        let arrivals: Vec<relay::provider::sandbox::Arrival> = rig
            .http
            .get(format!("{sandbox_url}/sandbox/arrivals"))
            .send()
            .await?
            .json()
            .await?;
        times = arrivals
            .iter()
            .filter(|a| a.callback.as_ref().is_some_and(|c| ours.contains(c)))
            .map(|a| a.at_ms)
            .collect();
        if times.len() >= replies || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    if times.len() < replies {
        let rows = message::Entity::find()
            .filter(message::Column::Id.is_in(ids.clone()))
            .all(&conn)
            .await
            .unwrap_or_default();
        let mut states: std::collections::BTreeMap<String, usize> = Default::default();
        for row in rows {
            *states
                .entry(format!("{} {}", row.status, row.error.unwrap_or_default()))
                .or_default() += 1;
        }
        tracing::warn!(
            "{name}: {} of {replies} replies reached the sandbox (rows: {states:?}); its log ends:\n{}",
            times.len(),
            process.log_tail(20)
        );
    }
    memory.push(RoleMemory {
        role: name.to_owned(),
        peak_rss_mib: stop_with_peak(process, Duration::from_secs(10))
            .map(|kib| kib as f64 / 1024.0),
    });
    conn.close().await.ok();
    times.sort_unstable();
    let per_second = match (times.first(), times.last()) {
        (Some(first), Some(last)) if last > first => {
            (times.len() - 1) as f64 * 1000.0 / (last - first) as f64
        }
        _ => 0.0,
    };
    Ok(SenderRun {
        limit_per_second: limit.map(f64::from),
        replies,
        sent: times.len(),
        per_second,
        ratio_to_limit: limit.map(|l| per_second / f64::from(l.max(1))),
        max_in_1s: relay::sender::ratelimit::busiest_window(&times, 1000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn router_consumers_are_told_from_the_others() {
        assert!(is_router_consumer(&topology::router_consumer(0)));
        assert!(is_router_consumer(&topology::router_consumer(17)));
        assert!(!is_router_consumer(relay::sender::SENDER_CONSUMER));
        assert!(!is_router_consumer(&format!(
            "{}x",
            topology::router_consumer(1)
        )));
    }

    #[test]
    fn the_database_name_is_replaced_keeping_the_query() {
        assert_eq!(
            wharf::config::with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "b"),
            "postgres://u:p@h:5432/b?sslmode=disable"
        );
        assert_eq!(
            wharf::config::with_database("postgres://u@h", "b"),
            "postgres://u@h/b"
        );
    }
}
