//! What a bench run measured and its tables: phases compared with raw
//! publish into the same stream, medians over rounds, and the Markdown of
//! `make bench`.

use std::time::Duration;

use serde::Serialize;

pub use crate::campaigns::CampaignsReport;
pub use crate::hooks::HooksReport;
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

/// The raw publish each phase is compared with: the same stream.
fn baseline_of(name: &str) -> &'static str {
    if name == EDGE_HUB || name == RAW_HUB || name == FORWARD_ONLY {
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
        out.push_str("| phase | in flight | req/s | p50 ms | p99 ms | p99.9 ms | errors | vs raw publish, same stream | in INBOUND (R3) incl. sourcing, /s | that vs raw | CPU µs/req: NATS servers | edge (or forward process) | load generator |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for phase in &report.phases {
            let cpu = |group: &str| cpu_cell(&phase.cpu_us_per_request, group, 1.0, 0);
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
    median_table(
        &mut out,
        "| phase, median over rounds | in flight | rounds | req/s | vs raw publish, same stream | lowest–highest |",
        &report.medians,
    );
    if !report.end_to_end.is_empty() {
        out.push_str("\n| end to end | routers | router nice | partitions | edge events/s | routed events/s | vs raw leaf publish | max lag | lag at load end | drained after load | keeps up | CPU µs/event: routers | NATS servers | edge | PostgreSQL | machine busy |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
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
                "| {} | {} | {} | {} | {:.0} | {:.0} | {} | {} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {} | {} |",
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
                run.edge_cpu_us_per_event,
                run.database_cpu_us_per_event
                    .map_or_else(|| "–".to_owned(), |us| format!("{us:.0}")),
                run.machine_busy_share
                    .map_or_else(|| "–".to_owned(), |share| format!("{share:.2}"))
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
    if let Some(traces) = &report.trace_export {
        let _ = writeln!(
            out,
            "\nTrace export (the `{EDGE_TRACED}` phases): {} spans in {} OTLP requests ({} KiB), {:.2} spans per webhook.",
            traces.spans,
            traces.requests,
            traces.bytes / 1024,
            traces.spans_per_webhook
        );
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
        out.push_str("\n| reports: 30 days, all agents | database | measures in range (of all) | message measures, SLA rows in range | groups | runs | p50 ms | p95 ms |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        for t in &reports.timings {
            out.push_str(&format!(
                "| by {} | {} | {} ({}) | {}, {} | {} | {} | {:.1} | {:.1} |\n",
                t.grouping,
                t.database,
                t.in_range,
                t.measures,
                t.messages_in_range,
                t.sla_in_range,
                t.groups,
                t.runs,
                t.median_ms,
                t.p95_ms
            ));
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

/// The media part's tables: fetch against a plain download, text routing
/// with and without a burst, and the medians over the rounds.
fn media_tables(out: &mut String, media: &MediaReport) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "\nmedia: {} router(s) on {}, {} files in flight (routers × media.concurrency)\n",
        media.routers, media.database, media.fetch_concurrency
    );
    out.push_str("| media fetch → WHARF_MEDIA | round | files | plain download files/s | MB/s | CPU ms/file: bench | fetched and stored files/s | MB/s | vs plain download | stored | CPU ms/file: routers | NATS servers | edge | bench |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for fetch in &media.fetches {
        // In ms: a file costs milliseconds.
        let cpu = |group: &str| cpu_cell(&fetch.fetch_cpu_us_per_file, group, 1e3, 1);
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {} | {} | {} | {} | {} |",
            fetch.size,
            fetch.kind,
            fetch.round,
            fetch.files,
            fetch.download_files_per_second,
            fetch.download_mb_per_second,
            fetch.download_cpu_us_per_file / 1e3,
            fetch.fetch_files_per_second,
            fetch.fetch_mb_per_second,
            fetch.ratio_to_download,
            fetch.stored,
            cpu("router"),
            cpu("nats"),
            cpu("edge"),
            cpu("bench"),
        );
    }
    out.push_str("\n| text routing and a media burst | round | routers | in flight | routed text events/s without | with the burst | with vs without | drained | max lag without / with | burst files per size | burst MB | burst stored during the load | burst stored after s |\n|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|\n");
    for burst in &media.bursts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} | {} | {} / {} | {} | {:.0} | {} of {} | {:.1} |",
            media.database,
            burst.round,
            burst.routers,
            burst.concurrency,
            burst.routed_per_second_without,
            burst.routed_per_second_with,
            burst.ratio,
            if burst.drained { "yes" } else { "no" },
            burst.max_lag_without,
            burst.max_lag_with,
            burst.burst_files_per_size,
            burst.burst_mb,
            burst.stored_during_load,
            2 * burst.burst_files_per_size,
            burst.burst_seconds,
        );
    }
    median_table(
        out,
        "| media, median over rounds | in flight | rounds | files/s, routed events/s | vs plain download, vs no burst | lowest–highest |",
        &media.medians,
    );
}

/// The webhooks part's table: routing without and with an endpoint, and
/// delivery against the HTTP ceiling; the medians over the rounds.
fn hooks_tables(out: &mut String, hooks: &HooksReport) {
    use std::fmt::Write as _;
    out.push_str("\n| webhooks | round | routed text events/s without an endpoint | with one | with vs without | router CPU µs/event without | with | events | delivered | delivered/s | HTTP ceiling req/s | vs ceiling | outbox published/s | in flight | sender CPU µs/delivery |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &hooks.rounds {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.0} | {:.2} | {:.0} | {:.0} | {} | {} | {:.0} | {:.0} | {:.2} | {:.0} | {} | {:.0} |",
            hooks.database,
            r.round,
            r.routed_per_second_without,
            r.routed_per_second_with,
            r.routing_ratio,
            r.router_cpu_us_without,
            r.router_cpu_us_with,
            r.events,
            r.delivered,
            r.delivered_per_second,
            r.ceiling_per_second,
            r.ratio_to_ceiling,
            r.published_per_second,
            r.in_flight,
            r.sender_cpu_us_per_delivery,
        );
    }
    median_table(
        out,
        "| webhooks, median over rounds | in flight | rounds | routed events/s, deliveries/s | vs no endpoint, vs HTTP ceiling | lowest–highest |",
        &hooks.medians,
    );
}

/// The campaigns part's table: support replies' times without and with a
/// campaign, and the campaign's rate against the limit left to it.
fn campaigns_tables(out: &mut String, campaigns: &CampaignsReport) {
    use std::fmt::Write as _;
    out.push_str("\n| campaigns | round | support replies | p50 ms without a campaign | p99 ms without | p50 ms with | p99 ms with | campaign sends/s | limit left/s | vs limit left | busiest second | limit/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &campaigns.rounds {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {:.2} | {} | {} |",
            campaigns.database,
            r.round,
            r.replies,
            r.p50_ms_without,
            r.p99_ms_without,
            r.p50_ms_with,
            r.p99_ms_with,
            r.campaign_per_second,
            r.limit_left_per_second,
            r.campaign_ratio,
            r.busiest_second,
            r.limit,
        );
    }
    median_table(
        out,
        "| campaigns, median over rounds | replies/s, limit/s | rounds | p99 ms, sends/s | vs without, vs limit left | lowest–highest |",
        &campaigns.medians,
    );
}

/// A table of medians over rounds under `header` (nothing without any).
fn median_table(out: &mut String, header: &str, medians: &[Median]) {
    use std::fmt::Write as _;
    if medians.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{header}\n|---|---:|---:|---:|---:|---|");
    for median in medians {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {}–{} |",
            median.name,
            median.concurrency,
            median.rounds,
            // Whole requests/s; a tenth for the media part's few files/s.
            if median.per_second >= 100.0 {
                format!("{:.0}", median.per_second)
            } else {
                format!("{:.1}", median.per_second)
            },
            ratio(median.ratio_to_raw),
            ratio(median.min_ratio),
            ratio(median.max_ratio),
        );
    }
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
