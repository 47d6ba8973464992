//! What a bench run measured and its tables: phases compared with raw
//! publish into the same stream, medians over rounds, and the Markdown of
//! `make bench`.

use std::time::Duration;

use serde::Serialize;

pub use crate::campaigns::CampaignsReport;
pub use crate::hooks::HooksReport;
use crate::media::MediaFetch;
pub use crate::media::MediaReport;
pub use crate::pipeline::{EndToEnd, SenderRun};
pub use crate::reports::ReportsReport;

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
    /// (NATS servers; the edges and the forward-only process; the bench
    /// process: load generator and the HTTP-only server), in µs.
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
    pub fn sourced(&mut self, sourced_after: Duration) {
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
    /// The media part (`None` when it did not run).
    pub media: Option<MediaReport>,
    /// The webhooks part (`None` when it did not run).
    pub hooks: Option<HooksReport>,
    /// The campaigns part (`None` when it did not run).
    pub campaigns: Option<CampaignsReport>,
    /// The reports part (`None` when it did not run).
    pub reports: Option<ReportsReport>,
    /// What the traced edge exported during the edge phases (`None`
    /// without them).
    pub trace_export: Option<TraceExport>,
    pub memory: Vec<RoleMemory>,
    /// Each phase's median over the rounds (with more than one round).
    pub medians: Vec<Median>,
    /// The direct edge against the forwarders ([`against_forwarders`]).
    pub against_forwarders: Vec<Median>,
}

/// What the OTLP sink received from the traced edge.
#[derive(Debug, Clone, Serialize)]
pub struct TraceExport {
    /// Export requests (batches) and the spans and bytes in them.
    pub requests: u64,
    pub spans: u64,
    pub bytes: u64,
    /// Spans per webhook the traced edge answered 200 (one request and one
    /// event each: the `webhook` span and its `store_event`).
    pub spans_per_webhook: f64,
}

/// One phase (name, concurrency) over every round; of the media part, one
/// figure against its baseline (the plain download of the same files, the
/// routing without the burst) as `ratio_to_raw`.
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

impl Median {
    /// The median of each round's rate and ratio, with the lowest and
    /// highest ratio.
    pub fn over(name: String, concurrency: usize, rates: Vec<f64>, ratios: Vec<f64>) -> Self {
        Self {
            name,
            concurrency,
            rounds: rates.len(),
            per_second: median(rates).unwrap_or(0.0),
            min_ratio: ratios.iter().copied().reduce(f64::min),
            max_ratio: ratios.iter().copied().reduce(f64::max),
            ratio_to_raw: median(ratios),
        }
    }
}

pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some(f64::midpoint(values[n / 2 - 1], values[n / 2])),
    }
}

/// The direct edge against the forwarders, each round's rates divided
/// (same round, same concurrency), as medians over the rounds: edge ÷
/// forward (what Wharf's work costs beyond a bare HTTP hop, issue 29's
/// criterion), edge ÷ forward with the signature check (beyond what any
/// edge must do before it may store a delivery) and the signature check's
/// own share (forward with it ÷ forward). `per_second` is the first
/// phase's median rate; nothing without the phases.
pub fn against_forwarders(phases: &[Phase]) -> Vec<Median> {
    let pairs = [
        ("direct edge ÷ forward", EDGE_HUB, FORWARD_ONLY),
        (
            "direct edge ÷ forward + signature check",
            EDGE_HUB,
            FORWARD_VERIFIED,
        ),
        (
            "forward + signature check ÷ forward",
            FORWARD_VERIFIED,
            FORWARD_ONLY,
        ),
    ];
    let mut concurrencies: Vec<usize> = phases.iter().map(|p| p.concurrency).collect();
    concurrencies.sort_unstable();
    concurrencies.dedup();
    let mut out = Vec::new();
    for c in concurrencies {
        for (name, over, under) in pairs {
            let (rates, ratios): (Vec<f64>, Vec<f64>) = phases
                .iter()
                .filter(|p| p.name == over && p.concurrency == c)
                .filter_map(|p| {
                    phases
                        .iter()
                        .find(|q| q.name == under && q.concurrency == c && q.round == p.round)
                        .map(|q| (p.per_second, p.per_second / q.per_second.max(1e-9)))
                })
                .unzip();
            if !ratios.is_empty() {
                out.push(Median::over(name.to_owned(), c, rates, ratios));
            }
        }
    }
    out
}

/// Each phase's median rate and ratio over the rounds, in first-seen order.
pub fn medians(phases: &[Phase]) -> Vec<Median> {
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
            Median::over(
                name.to_owned(),
                concurrency,
                of.iter().map(|p| p.per_second).collect(),
                of.iter().filter_map(|p| p.ratio_to_raw).collect(),
            )
        })
        .collect()
}

pub const RAW_LEAF: &str = "raw publish → EDGE_EU (leaf, R1)";
pub const EDGE_LEAF: &str = "edge → EDGE_EU: signed webhook, 200 after PubAck";
/// The same edge with span export on (`[traces]`, OTLP/HTTP to a sink in
/// this process): what tracing costs the hot path.
pub const EDGE_TRACED: &str = "edge → EDGE_EU, spans exported over OTLP";
pub const RAW_HUB: &str = "raw publish → INBOUND (hub, R3)";
pub const EDGE_HUB: &str = "edge → INBOUND (direct_to_hub): 200 after PubAck";
pub const HTTP_ONLY: &str = "HTTP + signature check only (no publish)";
pub const FORWARD_ONLY: &str =
    "forward (own process): body → INBOUND, 200 after PubAck; no verify, parse or envelope";
pub const FORWARD_VERIFIED: &str = "forward + signature check (own process): signed body → INBOUND, 200 after PubAck; no parse or envelope";

/// The raw publish each phase is compared with: the same stream.
fn baseline_of(name: &str) -> &'static str {
    if [EDGE_HUB, RAW_HUB, FORWARD_ONLY, FORWARD_VERIFIED].contains(&name) {
        RAW_HUB
    } else {
        RAW_LEAF
    }
}

/// Sets every phase's baseline and ratio (same stream, same concurrency).
pub fn compare_with_raw(phases: &mut [Phase]) {
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
pub fn raw_rate(phases: &[Phase], c: usize) -> Option<f64> {
    phases
        .iter()
        .filter(|p| p.name == RAW_LEAF)
        .min_by_key(|p| p.concurrency.abs_diff(c))
        .map(|p| p.per_second.max(1e-9))
}

fn ratio(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"))
}

/// One group's CPU share as a table cell: µs over `divisor`, to `decimals`
/// places; "–" when the group was not measured.
fn cpu_cell(shares: &[CpuShare], group: &str, divisor: f64, decimals: usize) -> String {
    shares
        .iter()
        .find(|share| share.group == group)
        .map_or_else(
            || "–".to_owned(),
            |share| format!("{:.*}", decimals, share.us / divisor),
        )
}

/// A Markdown table of `rows`: per column its header, whether it holds
/// figures (right-aligned), and how a row shows in it.
struct Table<'a, T> {
    rows: &'a [T],
    columns: Vec<Column<'a, T>>,
}

/// A column: header, figures (right-aligned) or not, and its cell.
type Column<'a, T> = (&'a str, bool, Box<dyn Fn(&T) -> String + 'a>);

impl<'a, T> Table<'a, T> {
    fn new(rows: &'a [T]) -> Self {
        Self {
            rows,
            columns: Vec::new(),
        }
    }

    /// A column of words (left-aligned).
    fn words(mut self, header: &'a str, cell: impl Fn(&T) -> String + 'a) -> Self {
        self.columns.push((header, false, Box::new(cell)));
        self
    }

    /// A column of figures (right-aligned).
    fn figures(mut self, header: &'a str, cell: impl Fn(&T) -> String + 'a) -> Self {
        self.columns.push((header, true, Box::new(cell)));
        self
    }

    /// Appends the table (nothing without rows), after a blank line.
    fn write(self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
        out.push('\n');
        out.push_str(&line(self.columns.iter().map(|c| c.0.to_owned()).collect()));
        let align: Vec<_> = self
            .columns
            .iter()
            .map(|c| if c.1 { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("|{}|\n", align.join("|")));
        for row in self.rows {
            out.push_str(&line(self.columns.iter().map(|c| (c.2)(row)).collect()));
        }
    }
}

/// `value` to `decimals` places.
fn fixed(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

/// `value` to `decimals` places, "–" when there is none.
fn fixed_or_dash(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| fixed(v, decimals))
}

/// The report as Markdown tables.
pub fn markdown(report: &Report) -> String {
    let mut out = format!(
        "{} cores, {} s per phase, {} partitions; the raw publisher into INBOUND and the direct edge connect to its leader, {}\n",
        report.cores, report.seconds, report.partitions, report.inbound_leader
    );
    let cpu = |group: &'static str| move |p: &Phase| cpu_cell(&p.cpu_us_per_request, group, 1.0, 0);
    Table::new(&report.phases)
        .words("phase", |p| p.name.clone())
        .figures("in flight", |p| p.concurrency.to_string())
        .figures("req/s", |p| fixed(p.per_second, 0))
        .figures("p50 ms", |p| fixed(p.p50_ms, 2))
        .figures("p99 ms", |p| fixed(p.p99_ms, 2))
        .figures("p99.9 ms", |p| fixed(p.p999_ms, 2))
        .figures("errors", |p| p.errors.to_string())
        .figures("vs raw publish, same stream", |p| ratio(p.ratio_to_raw))
        .figures("in INBOUND (R3) incl. sourcing, /s", |p| {
            fixed_or_dash(p.sustained_per_second, 0)
        })
        .figures("that vs raw", |p| ratio(p.sustained_ratio))
        .figures("CPU µs/req: NATS servers", cpu("nats"))
        .figures("edge (or forward process)", cpu("edge"))
        .figures("load generator", cpu("bench"))
        .write(&mut out);
    median_table(
        &mut out,
        "phase, median over rounds",
        ["in flight", "req/s", "vs raw publish, same stream"],
        &report.medians,
    );
    median_table(
        &mut out,
        "the direct edge against the forwarders, same round",
        ["in flight", "req/s of the first", "ratio, median"],
        &report.against_forwarders,
    );
    Table::new(&report.end_to_end)
        .words("end to end", |r| r.database.clone())
        .figures("router processes", |r| r.routers.to_string())
        .figures("router nice", |r| {
            r.router_nice
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .figures("partitions", |r| r.partitions.to_string())
        .figures("edge events/s", |r| fixed(r.edge_per_second, 0))
        .figures("routed events/s", |r| fixed(r.routed_per_second, 0))
        .figures("vs raw leaf publish", |r| ratio(r.ratio_to_raw))
        .figures("max lag", |r| r.max_lag.to_string())
        .figures("lag at load end", |r| r.lag_at_load_end.to_string())
        .figures("drained after load", |r| {
            if r.drained {
                format!("{:.1} s", r.drain_seconds)
            } else {
                format!(
                    "no ({} of {} left)",
                    r.posted - r.routed.min(r.posted),
                    r.posted
                )
            }
        })
        .words("keeps up", |r| yes_no(r.keeps_up))
        .figures("CPU µs/event: routers", |r| {
            fixed(r.router_cpu_us_per_event, 0)
        })
        .figures("NATS servers", |r| fixed(r.nats_cpu_us_per_event, 0))
        .figures("edge", |r| fixed(r.edge_cpu_us_per_event, 0))
        .figures("PostgreSQL", |r| {
            fixed_or_dash(r.database_cpu_us_per_event, 0)
        })
        .figures("machine busy", |r| fixed_or_dash(r.machine_busy_share, 2))
        .write(&mut out);
    Table::new(&report.sender)
        .words("sender → sandbox", |r| {
            r.limit_per_second
                .map_or_else(|| "no limit".to_owned(), |l| format!("limit {l:.0}/s"))
        })
        .figures("replies", |r| r.replies.to_string())
        .figures("sent", |r| r.sent.to_string())
        .figures("sends/s", |r| fixed(r.per_second, 1))
        .figures("vs limit", |r| ratio(r.ratio_to_limit))
        .figures("max in any 1 s", |r| r.max_in_1s.to_string())
        .write(&mut out);
    if let Some(traces) = &report.trace_export {
        out.push_str(&format!(
            "\nTrace export (the `{EDGE_TRACED}` phases): {} spans in {} OTLP requests ({} KiB), {:.2} spans per webhook.\n",
            traces.spans,
            traces.requests,
            traces.bytes / 1024,
            traces.spans_per_webhook
        ));
    }
    if let Some(media) = &report.media {
        media_tables(&mut out, media);
    }
    if let Some(campaigns) = &report.campaigns {
        campaigns_tables(&mut out, campaigns);
    }
    if let Some(hooks) = &report.hooks {
        hooks_tables(&mut out, hooks);
    }
    if let Some(reports) = &report.reports {
        Table::new(&reports.timings)
            .words("reports: 30 days, all agents", |t| {
                format!("by {}", t.grouping)
            })
            .words("database", |t| t.database.to_owned())
            .figures("measures in range (of all)", |t| {
                format!("{} ({})", t.in_range, t.measures)
            })
            .figures("message measures, SLA rows in range", |t| {
                format!("{}, {}", t.messages_in_range, t.sla_in_range)
            })
            .figures("groups", |t| t.groups.to_string())
            .figures("runs", |t| t.runs.to_string())
            .figures("p50 ms", |t| fixed(t.median_ms, 1))
            .figures("p95 ms", |t| fixed(t.p95_ms, 1))
            .write(&mut out);
    }
    Table::new(&report.memory)
        .words("process", |r| r.role.clone())
        .figures("peak RSS MiB", |r| fixed_or_dash(r.peak_rss_mib, 1))
        .write(&mut out);
    out
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// The media part's tables: fetch against a plain download, text routing
/// with and without a burst, and the medians over the rounds.
fn media_tables(out: &mut String, media: &MediaReport) {
    out.push_str(&format!(
        "\nmedia: {} router(s) on {}, {} files in flight (routers × media.concurrency)\n",
        media.routers, media.database, media.fetch_concurrency
    ));
    // In ms: a file costs milliseconds.
    let cpu = |group: &'static str| {
        move |f: &MediaFetch| cpu_cell(&f.fetch_cpu_us_per_file, group, 1e3, 1)
    };
    Table::new(&media.fetches)
        .words("media fetch → WHARF_MEDIA", |f| {
            format!("{} ({})", f.size, f.kind)
        })
        .figures("round", |f| f.round.to_string())
        .figures("files", |f| f.files.to_string())
        .figures("plain download files/s", |f| {
            fixed(f.download_files_per_second, 1)
        })
        .figures("MB/s", |f| fixed(f.download_mb_per_second, 1))
        .figures("CPU ms/file: bench", |f| {
            fixed(f.download_cpu_us_per_file / 1e3, 1)
        })
        .figures("fetched and stored files/s", |f| {
            fixed(f.fetch_files_per_second, 1)
        })
        .figures("MB/s", |f| fixed(f.fetch_mb_per_second, 1))
        .figures("vs plain download", |f| fixed(f.ratio_to_download, 2))
        .figures("stored", |f| f.stored.to_string())
        .figures("CPU ms/file: routers", cpu("router"))
        .figures("NATS servers", cpu("nats"))
        .figures("edge", cpu("edge"))
        .figures("bench", cpu("bench"))
        .write(out);
    Table::new(&media.bursts)
        .words("text routing and a media burst", |_| {
            media.database.to_owned()
        })
        .figures("round", |b| b.round.to_string())
        .figures("router processes", |b| b.routers.to_string())
        .figures("in flight", |b| b.concurrency.to_string())
        .figures("routed text events/s without", |b| {
            fixed(b.routed_per_second_without, 0)
        })
        .figures("with the burst", |b| fixed(b.routed_per_second_with, 0))
        .figures("with vs without", |b| fixed(b.ratio, 2))
        .words("drained", |b| yes_no(b.drained))
        .words("max lag without / with", |b| {
            format!("{} / {}", b.max_lag_without, b.max_lag_with)
        })
        .figures("burst files per size", |b| {
            b.burst_files_per_size.to_string()
        })
        .figures("burst MB", |b| fixed(b.burst_mb, 0))
        .figures("burst stored during the load", |b| {
            format!("{} of {}", b.stored_during_load, 2 * b.burst_files_per_size)
        })
        .figures("burst stored after s", |b| fixed(b.burst_seconds, 1))
        .write(out);
    median_table(
        out,
        "media, median over rounds",
        [
            "in flight",
            "files/s, routed events/s",
            "vs plain download, vs no burst",
        ],
        &media.medians,
    );
}

/// The webhooks part's table: routing without and with an endpoint, and
/// delivery against the HTTP ceiling; the medians over the rounds.
fn hooks_tables(out: &mut String, hooks: &HooksReport) {
    Table::new(&hooks.rounds)
        .words("webhooks", |_| hooks.database.to_owned())
        .figures("round", |r| r.round.to_string())
        .figures("routed text events/s without an endpoint", |r| {
            fixed(r.routed_per_second_without, 0)
        })
        .figures("with one", |r| fixed(r.routed_per_second_with, 0))
        .figures("with vs without", |r| fixed(r.routing_ratio, 2))
        .figures("router CPU µs/event without", |r| {
            fixed(r.router_cpu_us_without, 0)
        })
        .figures("with", |r| fixed(r.router_cpu_us_with, 0))
        .figures("events", |r| r.events.to_string())
        .figures("delivered", |r| r.delivered.to_string())
        .figures("repeated", |r| r.duplicates.to_string())
        .figures("delivered/s", |r| fixed(r.delivered_per_second, 0))
        .figures("HTTP ceiling req/s", |r| fixed(r.ceiling_per_second, 0))
        .figures("vs ceiling", |r| fixed(r.ratio_to_ceiling, 2))
        .figures("outbox published/s", |r| fixed(r.published_per_second, 0))
        .figures("in flight", |r| r.in_flight.to_string())
        .figures("sender CPU µs/delivery", |r| {
            fixed(r.sender_cpu_us_per_delivery, 0)
        })
        .write(out);
    median_table(
        out,
        "webhooks, median over rounds",
        [
            "in flight",
            "routed events/s, deliveries/s",
            "vs no endpoint, vs HTTP ceiling",
        ],
        &hooks.medians,
    );
}

/// The campaigns part's table: support replies' times without and with a
/// campaign, and the campaign's rate against the limit left to it.
fn campaigns_tables(out: &mut String, campaigns: &CampaignsReport) {
    Table::new(&campaigns.rounds)
        .words("campaigns", |_| campaigns.database.to_owned())
        .figures("round", |r| r.round.to_string())
        .figures("support replies", |r| r.replies.to_string())
        .figures("p50 ms without a campaign", |r| fixed(r.p50_ms_without, 0))
        .figures("p99 ms without", |r| fixed(r.p99_ms_without, 0))
        .figures("p50 ms with", |r| fixed(r.p50_ms_with, 0))
        .figures("p99 ms with", |r| fixed(r.p99_ms_with, 0))
        .figures("campaign sends/s", |r| fixed(r.campaign_per_second, 1))
        .figures("limit left/s", |r| fixed(r.limit_left_per_second, 1))
        .figures("vs limit left", |r| fixed(r.campaign_ratio, 2))
        .figures("busiest second", |r| r.busiest_second.to_string())
        .figures("limit/s", |r| r.limit.to_string())
        .write(out);
    median_table(
        out,
        "campaigns, median over rounds",
        [
            "replies/s, limit/s",
            "p99 ms, sends/s",
            "vs without, vs limit left",
        ],
        &campaigns.medians,
    );
}

/// A table of medians over rounds (nothing without any): `title`, then
/// `[what the concurrency column holds, the figure, the ratio]`.
fn median_table(out: &mut String, title: &str, names: [&str; 3], medians: &[Median]) {
    let [concurrency, figure, compared] = names;
    Table::new(medians)
        .words(title, |m| m.name.clone())
        .figures(concurrency, |m| m.concurrency.to_string())
        .figures("rounds", |m| m.rounds.to_string())
        // Whole requests/s; a tenth for the media part's few files/s.
        .figures(figure, |m| {
            fixed(m.per_second, if m.per_second >= 100.0 { 0 } else { 1 })
        })
        .figures(compared, |m| ratio(m.ratio_to_raw))
        .words("lowest–highest", |m| {
            format!("{}–{}", ratio(m.min_ratio), ratio(m.max_ratio))
        })
        .write(out);
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

    #[test]
    fn the_edge_meets_each_forwarder_of_its_own_round_at_its_concurrency() {
        let mut phases = Vec::new();
        for (round, edge, forward, verified) in
            [(0, 800.0, 1000.0, 950.0), (1, 900.0, 1000.0, 900.0)]
        {
            for (name, rate) in [
                (EDGE_HUB, edge),
                (FORWARD_ONLY, forward),
                (FORWARD_VERIFIED, verified),
            ] {
                let mut p = phase(name, 16, rate, Duration::ZERO);
                p.round = round;
                phases.push(p);
            }
        }
        // A concurrency whose forwarders did not run, and a round of 256
        // whose forwarder belongs to another round: no pair.
        phases.push(phase(EDGE_HUB, 256, 500.0, Duration::ZERO));
        let mut other = phase(FORWARD_ONLY, 256, 700.0, Duration::ZERO);
        other.round = 1;
        phases.push(other);
        let pairs = against_forwarders(&phases);
        let got: Vec<(&str, usize, usize, f64, f64, f64, f64)> = pairs
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.concurrency,
                    m.rounds,
                    m.per_second,
                    m.ratio_to_raw.unwrap_or(-1.0),
                    m.min_ratio.unwrap_or(-1.0),
                    m.max_ratio.unwrap_or(-1.0),
                )
            })
            .collect();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert_eq!(got.len(), 3, "{got:?}");
        let (name, c, rounds, rate, mid, low, high) = got[0];
        assert_eq!((name, c, rounds), ("direct edge ÷ forward", 16, 2));
        assert!(close(rate, 850.0) && close(mid, 0.85) && close(low, 0.8) && close(high, 0.9));
        let (name, _, _, _, mid, low, high) = got[1];
        assert_eq!(name, "direct edge ÷ forward + signature check");
        assert!(close(low, 800.0 / 950.0) && close(high, 1.0));
        assert!(close(mid, f64::midpoint(800.0 / 950.0, 1.0)));
        let (name, _, _, rate, mid, _, _) = got[2];
        assert_eq!(name, "forward + signature check ÷ forward");
        assert!(close(rate, 925.0) && close(mid, 0.925));
        assert!(against_forwarders(&[]).is_empty());
    }

    #[test]
    fn a_table_puts_each_value_under_its_own_header() {
        let report = Report {
            cores: 2,
            inbound_leader: "hub-1".into(),
            seconds: 5,
            partitions: 8,
            phases: vec![phase(EDGE_HUB, 16, 1234.4, Duration::ZERO)],
            end_to_end: Vec::new(),
            sender: Vec::new(),
            media: None,
            hooks: None,
            campaigns: None,
            reports: None,
            trace_export: None,
            memory: vec![RoleMemory {
                role: "edge-eu".into(),
                peak_rss_mib: None,
            }],
            medians: Vec::new(),
            against_forwarders: Vec::new(),
        };
        let text = markdown(&report);
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with('|')).collect();
        let cells = |line: &str| -> Vec<String> {
            line.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        };
        // Phases: header, alignment, one row; then the memory table.
        assert_eq!(lines.len(), 6, "{text}");
        let (header, row) = (cells(lines[0]), cells(lines[2]));
        assert_eq!(header.len(), 13);
        assert_eq!(row.len(), 13);
        let at = |name: &str| header.iter().position(|h| h == name).expect(name);
        assert_eq!(row[at("phase")], EDGE_HUB);
        assert_eq!(row[at("in flight")], "16");
        assert_eq!(row[at("req/s")], "1234");
        assert_eq!(row[at("p99 ms")], "2.00");
        assert_eq!(row[at("load generator")], "–");
        assert_eq!(
            lines[1],
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        assert_eq!(lines[3], "| process | peak RSS MiB |");
        assert_eq!(lines[5], "| edge-eu | – |");
    }
}
