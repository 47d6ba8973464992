//! Prometheus metrics for every role: one process-wide recorder (the
//! `metrics` facade), rendered at `/metrics` by whichever HTTP server the
//! role has. Owns metric names and their help texts; the code that counts
//! calls `metrics::counter!` etc. with these names. Labels stay bounded:
//! provider, reason, outcome, stream — never a phone number or message id.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Webhook deliveries received by the edge, by provider.
pub const WEBHOOKS_RECEIVED: &str = "wharf_edge_webhooks_received_total";
/// Deliveries answered 200, by provider.
pub const WEBHOOKS_ACCEPTED: &str = "wharf_edge_webhooks_accepted_total";
/// Deliveries refused, by provider and reason.
pub const WEBHOOKS_REJECTED: &str = "wharf_edge_webhooks_rejected_total";
/// Accepted events with something odd about them (a provider timestamp in
/// the future), by provider and reason.
pub const WEBHOOKS_FLAGGED: &str = "wharf_edge_webhooks_flagged_total";
/// Events stored, by provider.
pub const EVENTS_STORED: &str = "wharf_edge_events_stored_total";
/// Events the stream already had, by provider.
pub const EVENTS_DUPLICATE: &str = "wharf_edge_events_duplicate_total";
/// Echoes of our own sends recognised and skipped, by provider.
pub const EVENTS_ECHO: &str = "wharf_edge_events_echo_total";
/// Events stored unparsed (a signed part the parser did not understand,
/// parked raw), by provider.
pub const EVENTS_UNPARSED: &str = "wharf_edge_events_unparsed_total";
/// Publishes that failed or were not acked in time.
pub const PUBLISH_ERRORS: &str = "wharf_edge_publish_errors_total";
/// Accepted events INBOUND lacked, re-published from their edge stream by
/// the reconciler or `wharf audit --repair`, by region.
pub const RECONCILED: &str = "wharf_reconciled_total";
/// Times the source watch asked INBOUND's leader to step down because a
/// region's source into it went silent (`relay::sources`).
pub const INBOUND_STEPDOWNS: &str = "wharf_inbound_stepdowns_total";
/// Deliveries an edge holds right now (of its `max_in_flight` bound), by region.
pub const EDGE_IN_FLIGHT: &str = "wharf_edge_in_flight";
/// Seconds from a delivery's arrival to its last PubAck.
pub const ACK_SECONDS: &str = "wharf_edge_ack_seconds";
/// Messages in a hub stream, by stream (sampled by the admin server).
pub const STREAM_MESSAGES: &str = "wharf_stream_messages";
/// Messages a durable consumer has not yet been given, by stream and consumer.
pub const CONSUMER_PENDING: &str = "wharf_consumer_pending_messages";
/// Messages a durable consumer holds unacked, by stream and consumer.
pub const CONSUMER_ACK_PENDING: &str = "wharf_consumer_ack_pending_messages";
/// Redeliveries of a durable consumer, by stream and consumer.
pub const CONSUMER_REDELIVERED: &str = "wharf_consumer_redelivered_messages";
/// Reply send attempts, by provider and outcome (sent, skipped, retry,
/// failed, malformed).
pub const SENDS: &str = "wharf_sender_sends_total";
/// Seconds of one provider API call, by provider.
pub const SEND_SECONDS: &str = "wharf_sender_send_seconds";
/// Seconds of one attachment upload to the provider (before the message
/// that carries it), by provider and outcome (uploaded, failed).
pub const MEDIA_UPLOAD_SECONDS: &str = "wharf_sender_media_upload_seconds";
/// Seconds a reply waited for its number's rate-limit slot, by provider.
pub const RATE_LIMIT_WAIT_SECONDS: &str = "wharf_sender_rate_limit_wait_seconds";
/// Seconds from a reply being queued to the provider accepting it, by provider.
pub const REPLY_SECONDS: &str = "wharf_sender_reply_seconds";
/// Seconds of one media fetch attempt (look-up, download, checksum and
/// store), by provider and outcome (stored, retry, failed).
pub const MEDIA_FETCH_SECONDS: &str = "wharf_media_fetch_seconds";
/// Seconds a media fetch waited for the routing of its process to catch up
/// before starting (`media.yield_backlog`).
pub const MEDIA_YIELD_SECONDS: &str = "wharf_media_yield_seconds";
/// Bytes of media stored in the media bucket, by media class.
pub const MEDIA_STORED_BYTES: &str = "wharf_media_stored_bytes_total";
/// Media files stored, by media class.
pub const MEDIA_STORED: &str = "wharf_media_stored_total";
/// Failed media fetch attempts, by reason (provider_error,
/// provider_refused, timeout, connection, checksum, too_large,
/// type_not_allowed, no_reference, unknown_number, storage, …) and whether
/// the file was given up on (`final` true: dead-lettered).
pub const MEDIA_FAILURES: &str = "wharf_media_failures_total";
/// Webhook delivery attempts, by outcome (delivered, retrying, failed).
pub const WEBHOOK_ATTEMPTS: &str = "wharf_webhook_attempts_total";
/// Seconds of one webhook delivery attempt, by outcome.
pub const WEBHOOK_SECONDS: &str = "wharf_webhook_attempt_seconds";
/// Webhook endpoints disabled by Wharf, by reason (gone, failing).
pub const WEBHOOK_DISABLED: &str = "wharf_webhook_endpoints_disabled_total";
/// Letters indexed from the DLQ stream, by origin and reason.
pub const DLQ_LETTERS: &str = "wharf_dlq_letters_total";
/// Campaigns Wharf paused (provider feedback, template status or quality).
pub const CAMPAIGN_PAUSES: &str = "wharf_campaign_pauses_total";
/// Campaign sends the provider throttled (each holds the number's
/// campaign sends a while).
pub const CAMPAIGN_THROTTLED: &str = "wharf_campaign_throttled_total";
/// Events a router handled, by outcome (applied, duplicate, ignored,
/// cached, dead_lettered, malformed, retried).
pub const ROUTER_EVENTS: &str = "wharf_router_events_total";
/// Seconds a router took to apply one event (retries included), by outcome.
pub const ROUTER_APPLY_SECONDS: &str = "wharf_router_apply_seconds";
/// Batches of one partition a router applied in one transaction, by outcome
/// (committed; failed: rolled back and applied one by one; contended: left
/// to redelivery because another router held part of the partition).
pub const ROUTER_BATCHES: &str = "wharf_router_batches_total";
/// Events in a committed batch.
pub const ROUTER_BATCH_EVENTS: &str = "wharf_router_batch_events";
/// Look-ups in the router's recently-applied id cache (moka), by result
/// (hit, miss).
pub const ROUTER_CACHE: &str = "wharf_router_applied_cache_total";
/// Look-ups in the router's session state cache (moka), by result.
pub const SESSION_CACHE: &str = "wharf_router_session_cache_total";
/// Events or replies a consumer lost and the repair scan re-applied or
/// re-published, by role (see `repair`).
pub const REPAIRED: &str = "wharf_repaired_total";
/// Refused admin API requests, by reason (unknown_token, session_expired,
/// agent_gone, bad_credentials, locked_out, forbidden).
pub const AUTH_FAILURES: &str = "wharf_admin_auth_failures_total";
/// Alerts firing now, by rule (set by the admin servers' evaluators).
pub const ALERTS_FIRING: &str = "wharf_alerts_firing";
/// Alert state changes announced, by rule and state (firing, resolved).
pub const ALERT_TRANSITIONS: &str = "wharf_alert_transitions_total";
/// Alert notifications handed to a sink, by sink kind and outcome
/// (delivered, failed).
pub const ALERT_NOTIFICATIONS: &str = "wharf_alert_notifications_total";
/// Conversations not resolved now, by team, business number and status
/// (sampled from the database by the admin servers,
/// `admin::support_metrics`).
pub const SUPPORT_OPEN: &str = "wharf_support_open_conversations";
/// Support measures recorded, by kind, team and business number (opened,
/// first_response, resolution, handoff, bot_resolved, …; sampled).
pub const SUPPORT_MEASURES: &str = "wharf_support_measures_total";
/// The timed support measures' seconds as a cumulative histogram
/// (`_bucket` with `le`, `_sum`, `_count`), by kind, team and business
/// number (sampled from the database, exact).
pub const SUPPORT_SECONDS: &str = "wharf_support_seconds";
/// Agents by presence now (sampled).
pub const SUPPORT_AGENTS: &str = "wharf_support_agents";
/// Customer-satisfaction answers ever recorded, by score (1–5), team and
/// business number (sampled; `crate::csat`).
pub const SUPPORT_CSAT: &str = "wharf_support_csat_answers_total";
/// SLA outcomes ever recorded (`sla_outcomes`), by clock, result (`met`,
/// `missed`) and team (sampled).
pub const SUPPORT_SLA_OUTCOMES: &str = "wharf_support_sla_outcomes_total";
/// SLA breaches ever recorded (`sla_breaches`), by clock and team (sampled).
pub const SUPPORT_SLA_BREACHES: &str = "wharf_support_sla_breaches_total";
/// Build information (value 1), labelled with the version.
pub const BUILD_INFO: &str = "wharf_build_info";

/// Every metric name above: what dashboards and alert rules may use
/// (histograms also as `_bucket`, `_sum`, `_count`).
pub const ALL: &[&str] = &[
    WEBHOOKS_RECEIVED,
    WEBHOOKS_ACCEPTED,
    WEBHOOKS_REJECTED,
    WEBHOOKS_FLAGGED,
    EVENTS_STORED,
    EVENTS_DUPLICATE,
    EVENTS_ECHO,
    EVENTS_UNPARSED,
    PUBLISH_ERRORS,
    EDGE_IN_FLIGHT,
    RECONCILED,
    INBOUND_STEPDOWNS,
    ACK_SECONDS,
    STREAM_MESSAGES,
    CONSUMER_PENDING,
    CONSUMER_ACK_PENDING,
    CONSUMER_REDELIVERED,
    SENDS,
    SEND_SECONDS,
    MEDIA_UPLOAD_SECONDS,
    WEBHOOK_ATTEMPTS,
    WEBHOOK_SECONDS,
    WEBHOOK_DISABLED,
    RATE_LIMIT_WAIT_SECONDS,
    REPLY_SECONDS,
    DLQ_LETTERS,
    CAMPAIGN_PAUSES,
    CAMPAIGN_THROTTLED,
    MEDIA_FETCH_SECONDS,
    MEDIA_YIELD_SECONDS,
    MEDIA_STORED_BYTES,
    MEDIA_STORED,
    MEDIA_FAILURES,
    AUTH_FAILURES,
    ALERTS_FIRING,
    ALERT_TRANSITIONS,
    ALERT_NOTIFICATIONS,
    REPAIRED,
    ROUTER_EVENTS,
    ROUTER_APPLY_SECONDS,
    ROUTER_BATCHES,
    ROUTER_BATCH_EVENTS,
    ROUTER_CACHE,
    SESSION_CACHE,
    SUPPORT_OPEN,
    SUPPORT_MEASURES,
    SUPPORT_SECONDS,
    SUPPORT_AGENTS,
    SUPPORT_CSAT,
    SUPPORT_SLA_OUTCOMES,
    SUPPORT_SLA_BREACHES,
    BUILD_INFO,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the recorder once per process and returns its handle. Later
/// calls return the same handle; if another recorder was installed first,
/// a detached handle is returned (it renders nothing).
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Suffix("_seconds".into()),
                &[
                    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
                ],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_ok() {
            describe();
            metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            keep_up(handle.clone());
        }
        handle
    })
}

/// Peak resident set (`VmHWM`) of a live process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    peak_rss_of(&format!("/proc/{pid}/status"))
}

/// Peak resident set of this process, in KiB.
pub fn own_peak_rss_kib() -> Option<u64> {
    peak_rss_of("/proc/self/status")
}

fn peak_rss_of(path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// How often the recorder's samples are folded into their histograms.
pub const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Folds every histogram's recorded samples into its buckets each
/// [`UPKEEP_EVERY`], on a thread of its own (the recorder may be
/// installed outside a runtime). A recorder built without its exporter
/// keeps each sample until the next render, i.e. the next scrape: an
/// unscraped edge held about 16 bytes per delivery for as long as it ran
/// (its peak RSS reached 112 MiB in a `make bench`).
fn keep_up(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new()
        .name("wharf-metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_EVERY);
                handle.run_upkeep();
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "no metrics upkeep thread: histograms grow until scraped");
    }
}

/// A series set from its source when the metrics are rendered (a gauge,
/// a [`HotCounter`]); `false` once the source is gone (it is then dropped).
type Refresh = Box<dyn Fn() -> bool + Send + Sync>;

static REFRESH: std::sync::Mutex<Vec<Refresh>> = std::sync::Mutex::new(Vec::new());

/// The refreshes, even after one panicked (the others still run).
fn refreshes() -> std::sync::MutexGuard<'static, Vec<Refresh>> {
    REFRESH
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sets a series from its source at each render instead of on each
/// change: what a hot path counts anyway (the edge's slots, its
/// deliveries) costs it no shared write per request. `refresh` answers
/// `false` once its source is gone. A refresh must not render.
pub fn refresh_before_render(refresh: impl Fn() -> bool + Send + Sync + 'static) {
    refreshes().push(Box::new(refresh));
}

/// Shards of a [`HotCounter`]: more than the threads that count.
const SHARDS: usize = 16;

/// A counter incremented on a hot path by every worker thread: counted
/// per thread, each on a cache line of its own, and added into its series
/// when the metrics are rendered ([`refresh_before_render`]). One shared
/// series moved its cache line between the cores on each delivery, twice
/// (the recorder counts a generation beside the value).
pub struct HotCounter {
    series: metrics::Counter,
    shards: Box<[Shard]>,
    /// What the series was given so far.
    added: std::sync::Mutex<u64>,
}

#[repr(align(128))]
struct Shard(std::sync::atomic::AtomicU64);

impl HotCounter {
    pub fn new(series: metrics::Counter) -> std::sync::Arc<Self> {
        let counter = std::sync::Arc::new(Self {
            series,
            shards: (0..SHARDS)
                .map(|_| Shard(std::sync::atomic::AtomicU64::new(0)))
                .collect(),
            added: std::sync::Mutex::new(0),
        });
        let source = std::sync::Arc::downgrade(&counter);
        refresh_before_render(move || source.upgrade().map(|c| c.flush()).is_some());
        counter
    }

    pub fn increment(&self, by: u64) {
        thread_local! {
            static SHARD: usize = {
                static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % SHARDS
            };
        }
        let shard = SHARD.with(|shard| *shard);
        if let Some(Shard(count)) = self.shards.get(shard) {
            count.fetch_add(by, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Adds what was counted since the last time into the series.
    fn flush(&self) {
        let total: u64 = self
            .shards
            .iter()
            .map(|Shard(count)| count.load(std::sync::atomic::Ordering::Relaxed))
            .sum();
        let mut added = self
            .added
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if total > *added {
            self.series.increment(total - *added);
            *added = total;
        }
    }
}

/// What was counted after the last render is not lost.
impl Drop for HotCounter {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The current metrics in Prometheus text format.
pub fn render() -> String {
    refreshes().retain(|refresh| refresh());
    install().render()
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(ROUTER_EVENTS, "Events a router handled, by outcome");
    describe_histogram!(
        ROUTER_APPLY_SECONDS,
        Unit::Seconds,
        "Time to apply one event, retries included, by outcome"
    );
    describe_counter!(
        ROUTER_BATCHES,
        "Batches a router applied in one transaction, by outcome"
    );
    describe_histogram!(ROUTER_BATCH_EVENTS, "Events in a committed router batch");
    describe_counter!(
        ROUTER_CACHE,
        "Look-ups in the router's recently-applied id cache, by result"
    );
    describe_counter!(
        SESSION_CACHE,
        "Look-ups in the router's session state cache, by result"
    );
    describe_counter!(
        REPAIRED,
        "Events or replies a JetStream consumer lost, re-applied or re-published by the repair scan"
    );
    describe_counter!(WEBHOOKS_RECEIVED, "Webhook deliveries received by the edge");
    describe_counter!(
        WEBHOOKS_ACCEPTED,
        "Webhook deliveries answered 200 after every PubAck"
    );
    describe_counter!(WEBHOOKS_REJECTED, "Webhook deliveries refused, by reason");
    describe_counter!(WEBHOOKS_FLAGGED, "Accepted events flagged, by reason");
    describe_counter!(EVENTS_STORED, "Inbound events stored in JetStream");
    describe_counter!(EVENTS_DUPLICATE, "Inbound events the stream already had");
    describe_counter!(EVENTS_ECHO, "Echoes of our own sends, skipped");
    describe_counter!(
        EVENTS_UNPARSED,
        "Signed parts stored unparsed (parked raw for the DLQ and replay)"
    );
    describe_counter!(PUBLISH_ERRORS, "Edge publishes that failed or timed out");
    describe_counter!(
        RECONCILED,
        "Accepted events INBOUND lacked, re-published from their edge stream"
    );
    describe_counter!(
        INBOUND_STEPDOWNS,
        "INBOUND leader stepdowns asked for because a source into it went silent"
    );
    describe_gauge!(
        EDGE_IN_FLIGHT,
        "Deliveries an edge holds now, of its max_in_flight bound"
    );
    describe_histogram!(
        ACK_SECONDS,
        Unit::Seconds,
        "Delivery arrival to last PubAck"
    );
    describe_counter!(SENDS, "Reply send attempts, by provider and outcome");
    describe_histogram!(SEND_SECONDS, Unit::Seconds, "One provider API call");
    describe_counter!(WEBHOOK_ATTEMPTS, "Webhook delivery attempts");
    describe_histogram!(
        WEBHOOK_SECONDS,
        Unit::Seconds,
        "One webhook delivery attempt"
    );
    describe_counter!(WEBHOOK_DISABLED, "Webhook endpoints disabled by Wharf");
    describe_histogram!(
        MEDIA_UPLOAD_SECONDS,
        Unit::Seconds,
        "One attachment upload to the provider"
    );
    describe_histogram!(
        RATE_LIMIT_WAIT_SECONDS,
        Unit::Seconds,
        "Wait for the number's rate-limit slot"
    );
    describe_histogram!(
        REPLY_SECONDS,
        Unit::Seconds,
        "Reply queued to accepted by the provider"
    );
    describe_counter!(DLQ_LETTERS, "Dead letters indexed, by origin and reason");
    describe_histogram!(
        MEDIA_FETCH_SECONDS,
        Unit::Seconds,
        "One media fetch attempt (look-up, download, checksum, store), by provider and outcome"
    );
    describe_histogram!(
        MEDIA_YIELD_SECONDS,
        Unit::Seconds,
        "Wait of a media fetch for its router's backlog to clear"
    );
    describe_counter!(
        MEDIA_STORED_BYTES,
        Unit::Bytes,
        "Bytes of media stored in the media bucket, by class"
    );
    describe_counter!(MEDIA_STORED, "Media files stored, by class");
    describe_counter!(
        MEDIA_FAILURES,
        "Failed media fetch attempts, by reason and whether final"
    );
    describe_gauge!(BUILD_INFO, "Build information");
    describe_gauge!(
        SUPPORT_OPEN,
        "Conversations not resolved, by team, business number and status"
    );
    describe_counter!(
        SUPPORT_MEASURES,
        "Support measures recorded, by kind, team and business number"
    );
    describe_gauge!(SUPPORT_AGENTS, "Agents by presence");
    describe_counter!(
        SUPPORT_CSAT,
        "Customer-satisfaction answers, by score, team and business number"
    );
    describe_counter!(
        SUPPORT_SLA_OUTCOMES,
        "SLA outcomes recorded, by clock, result (met, missed) and team"
    );
    describe_counter!(
        SUPPORT_SLA_BREACHES,
        "SLA breaches recorded, by clock and team"
    );
    describe_gauge!(ALERTS_FIRING, "Alerts firing now, by rule");
    describe_counter!(AUTH_FAILURES, "Refused admin API requests, by reason");
    describe_counter!(
        ALERT_TRANSITIONS,
        "Alert state changes announced, by rule and state"
    );
    describe_counter!(
        ALERT_NOTIFICATIONS,
        "Alert notifications handed to a sink, by sink kind and outcome"
    );
    describe_gauge!(STREAM_MESSAGES, "Messages stored in a hub stream");
    describe_gauge!(CONSUMER_PENDING, "Messages not yet delivered to a consumer");
    describe_gauge!(CONSUMER_ACK_PENDING, "Messages delivered and not yet acked");
    describe_gauge!(CONSUMER_REDELIVERED, "Messages delivered more than once");
}

/// A poem endpoint answering the metrics text.
#[poem::handler]
pub fn metrics_endpoint() -> poem::Response {
    poem::Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn line(rendered: &str, name: &str) -> Option<String> {
        rendered
            .lines()
            .find(|l| l.starts_with(name))
            .map(str::to_owned)
    }

    /// Unscraped, the samples of a histogram are still let go: four
    /// batches of a million, each let go at the next upkeep, raise the
    /// peak by about one batch, not four. Without the upkeep thread the
    /// peak rose by 64 MiB (needs a process of its own, as nextest gives
    /// each test).
    #[test]
    fn unscraped_histogram_samples_are_let_go_at_each_upkeep() {
        const NAME: &str = "wharf_test_unscraped_seconds";
        install();
        let histogram = metrics::histogram!(NAME);
        let before = own_peak_rss_kib().unwrap_or(0);
        for _ in 0..4 {
            for i in 0..1_000_000u32 {
                histogram.record(f64::from(i % 1000) / 1000.0);
            }
            std::thread::sleep(UPKEEP_EVERY * 2);
        }
        let grown_mib = (own_peak_rss_kib().unwrap_or(0) - before) / 1024;
        assert!(
            grown_mib < 20,
            "the peak grew by {grown_mib} MiB for samples nobody scraped"
        );
        // Nothing was lost: all four million are in the histogram.
        assert!(
            render()
                .lines()
                .any(|l| l == format!("{NAME}_count 4000000")),
            "count missing:\n{}",
            render()
        );
    }

    #[test]
    fn a_refreshed_gauge_shows_its_source_at_each_render_until_the_source_is_gone() {
        const NAME: &str = "wharf_test_refreshed_gauge";
        install();
        let source = Arc::new(AtomicUsize::new(3));
        let gauge = metrics::gauge!(NAME);
        let weak = Arc::downgrade(&source);
        refresh_before_render(move || {
            weak.upgrade()
                .map(|held| gauge.set(held.load(Ordering::Relaxed) as f64))
                .is_some()
        });
        assert_eq!(
            line(&render(), NAME).as_deref(),
            Some("wharf_test_refreshed_gauge 3")
        );
        source.store(7, Ordering::Relaxed);
        assert_eq!(
            line(&render(), NAME).as_deref(),
            Some("wharf_test_refreshed_gauge 7")
        );
        let hooks = || refreshes().len();
        let before = hooks();
        drop(source);
        render();
        assert_eq!(
            hooks(),
            before - 1,
            "the hook of a dropped source is let go"
        );
    }

    #[test]
    fn a_hot_counter_renders_what_every_thread_counted_and_keeps_it_when_dropped() {
        const NAME: &str = "wharf_test_hot_total";
        install();
        let counter = HotCounter::new(metrics::counter!(NAME));
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..1000 {
                        counter.increment(1);
                    }
                });
            }
        });
        counter.increment(5);
        assert_eq!(
            line(&render(), NAME).as_deref(),
            Some("wharf_test_hot_total 4005")
        );
        // Rendered again with nothing new: nothing is added twice.
        assert_eq!(
            line(&render(), NAME).as_deref(),
            Some("wharf_test_hot_total 4005")
        );
        counter.increment(2);
        drop(counter);
        assert_eq!(
            line(&render(), NAME).as_deref(),
            Some("wharf_test_hot_total 4007")
        );
    }
}
