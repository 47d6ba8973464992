//! The webhooks part of `wharf-bench` (issue 23): what an enabled webhook
//! endpoint costs the routers (routed text events per second and router CPU
//! per event, without and with an endpoint taking every event), and how fast
//! a sender delivers the events to a local receiver that answers at once,
//! against the deliverer's own HTTP client posting to the same receiver in
//! the same run (the ceiling). The routers, the sender, the outbox, the
//! WEBHOOKS stream and the deliverer are the real ones; the receiver is in
//! this process.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use entities::{webhook_endpoint, webhook_outbox};
use futures::StreamExt;
use relay::hooks::deliver::{self, HookSettings};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use serde::Serialize;

use crate::children::{RoleConfig, spawn_role, stop_with_peak};
use crate::pipeline::{self, BenchDb, Rig, Routers};
use crate::report::{Median, RoleMemory};

/// What the webhooks part runs.
#[derive(Debug, Clone)]
pub struct HooksOptions {
    /// Rounds, each: routing without, routing with, the ceiling, delivery.
    pub rounds: usize,
    /// Seconds of text load of each routing run.
    pub seconds: u64,
    /// Text webhooks in flight.
    pub concurrency: usize,
}

/// One round.
#[derive(Debug, Clone, Serialize)]
pub struct HooksRound {
    pub round: usize,
    /// Routed text events per second with no endpoint (the outbox is not
    /// written) and with one endpoint taking every event type.
    pub routed_per_second_without: f64,
    pub routed_per_second_with: f64,
    /// With over without.
    pub routing_ratio: f64,
    /// Router CPU µs per routed event without and with the endpoint.
    pub router_cpu_us_without: f64,
    pub router_cpu_us_with: f64,
    /// Events the routers wrote to the outbox in the run with the endpoint.
    pub events: usize,
    /// Of those, delivered (answered 2xx) before the deadline: distinct
    /// `webhook-id`s.
    pub delivered: usize,
    /// Deliveries of an id the receiver had already answered: allowed
    /// (delivery is at least once, and integrators deduplicate on the id,
    /// docs/webhooks.md), counted so that a rise shows.
    pub duplicates: usize,
    /// Deliveries per second, from the first arrival to the last.
    pub delivered_per_second: f64,
    /// The deliverer's HTTP client posting the same number of bodies of
    /// the same size to the same receiver, `in_flight` at once.
    pub ceiling_per_second: f64,
    /// Outbox rows published into WEBHOOKS per second (each waits for its
    /// PubAck, in order) from the sender's start: a bound of the delivery
    /// rate.
    pub published_per_second: f64,
    /// `delivered_per_second` over `ceiling_per_second`.
    pub ratio_to_ceiling: f64,
    /// Events in flight per endpoint (`sender.webhooks.in_flight`).
    pub in_flight: usize,
    /// Sender CPU µs per delivered event (publishing the outbox, the
    /// endpoint's consumer, signing, the HTTP call, the attempt row),
    /// including the process's start.
    pub sender_cpu_us_per_delivery: f64,
}

/// The webhooks part's results.
#[derive(Debug, Clone, Serialize)]
pub struct HooksReport {
    pub database: &'static str,
    pub rounds: Vec<HooksRound>,
    /// With more than one round: routing with against without, delivery
    /// against the ceiling.
    pub medians: Vec<Median>,
}

/// The receiver: counts deliveries (distinct `webhook-id`s; a request
/// without one counts as its own) and when each arrived.
#[derive(Default)]
struct Receiver {
    count: AtomicU64,
    duplicates: AtomicU64,
    ids: std::sync::Mutex<std::collections::HashSet<String>>,
    arrivals: std::sync::Mutex<Vec<Instant>>,
}

impl Receiver {
    fn reset(&self) {
        self.count.store(0, Ordering::Relaxed);
        self.duplicates.store(0, Ordering::Relaxed);
        if let Ok(mut ids) = self.ids.lock() {
            ids.clear();
        }
        if let Ok(mut arrivals) = self.arrivals.lock() {
            arrivals.clear();
        }
    }

    /// Deliveries per second from the first arrival to the last.
    fn rate(&self) -> f64 {
        let arrivals = self.arrivals.lock().map(|a| a.clone()).unwrap_or_default();
        match (arrivals.iter().min(), arrivals.iter().max()) {
            (Some(first), Some(last)) if last > first => {
                (arrivals.len() - 1) as f64 / last.duration_since(*first).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// Serves `POST /hook` answering 204 at once; its URL.
async fn serve_receiver(
    receiver: Arc<Receiver>,
    shutdown: &tokio_util::sync::CancellationToken,
) -> anyhow::Result<String> {
    let endpoint = poem::endpoint::make(move |req: poem::Request| {
        let receiver = Arc::clone(&receiver);
        async move {
            let first = match req
                .headers()
                .get("webhook-id")
                .and_then(|v| v.to_str().ok())
            {
                Some(id) => receiver
                    .ids
                    .lock()
                    .map(|mut ids| ids.insert(id.to_owned()))
                    .unwrap_or(true),
                None => true,
            };
            if first {
                receiver.count.fetch_add(1, Ordering::Relaxed);
            } else {
                receiver.duplicates.fetch_add(1, Ordering::Relaxed);
            }
            if let Ok(mut arrivals) = receiver.arrivals.lock() {
                arrivals.push(Instant::now());
            }
            poem::http::StatusCode::NO_CONTENT
        }
    });
    crate::traffic::serve_post("/hook", endpoint, shutdown).await
}

/// An unordered endpoint taking every event type, pointed at `url`.
async fn add_endpoint(rig: &Rig<'_>, routers: &Routers, url: &str) -> anyhow::Result<()> {
    let vault = relay::vault::Vault::new(&relay::secret::Secret::new(&rig.role.secrets_key), &[])
        .map_err(anyhow::Error::msg)?;
    webhook_endpoint::ActiveModel {
        url: Set(vault.seal(deliver::URL_FIELD, url)),
        url_origin: Set(url.split("/hook").next().unwrap_or_default().to_owned()),
        description: Set("wharf-bench receiver".into()),
        event_types: Set(serde_json::json!([])),
        business_number: Set(None),
        team_id: Set(None),
        enabled: Set(true),
        disabled_reason: Set(None),
        ordered: Set(false),
        rate_per_second: Set(None),
        headers: Set(vault.seal(deliver::HEADERS_FIELD, "")),
        secret: Set(vault.seal(deliver::SECRET_FIELD, &relay::hooks::sign::new_secret())),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        failing_since: Set(None),
        ..Default::default()
    }
    .insert(&routers.conn)
    .await
    .context("adding the bench's webhook endpoint")?;
    Ok(())
}

/// Outbox rows after the first `skip` published per second, from `since`
/// (the sender's start) until the last was marked published (a batch's
/// rows are marked at once).
async fn publish_rate(
    conn: &sea_orm::DatabaseConnection,
    skip: u64,
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<f64> {
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let times: Vec<Option<chrono::DateTime<chrono::Utc>>> = webhook_outbox::Entity::find()
        .select_only()
        .column(webhook_outbox::Column::PublishedAt)
        .filter(webhook_outbox::Column::Id.gt(i64::try_from(skip).unwrap_or(i64::MAX)))
        .into_tuple()
        .all(conn)
        .await?;
    let times: Vec<_> = times.into_iter().flatten().collect();
    Ok(match times.iter().max() {
        Some(last) if *last > since => times.len() as f64 / (*last - since).as_seconds_f64(),
        _ => 0.0,
    })
}

/// The deliverer's HTTP client posting `count` copies of `body` to `url`,
/// `in_flight` at once: requests per second.
async fn ceiling(
    settings: &HookSettings,
    url: &str,
    body: &[u8],
    count: usize,
) -> anyhow::Result<f64> {
    let http = deliver::http_client(settings)?;
    let body = bytes::Bytes::copy_from_slice(body);
    let started = Instant::now();
    let failed = futures::stream::iter(0..count)
        .map(|_| {
            let (http, body) = (http.clone(), body.clone());
            async move {
                http.post(url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .buffer_unordered(settings.in_flight.max(1))
        .filter(|ok| std::future::ready(!ok))
        .count()
        .await;
    anyhow::ensure!(failed == 0, "{failed} of {count} ceiling posts failed");
    Ok(count as f64 / started.elapsed().as_secs_f64().max(0.001))
}

/// The webhooks part on SQLite: `options.rounds` rounds of routing without
/// and with an endpoint (one router each), the ceiling, then a sender
/// delivering the round's events.
///
/// # Errors
/// When a role does not start, the database fails, or the receiver refuses.
pub async fn run(
    rig: &Rig<'_>,
    options: &HooksOptions,
    round: &mut u64,
    memory: &mut Vec<RoleMemory>,
) -> anyhow::Result<HooksReport> {
    let shutdown = tokio_util::sync::CancellationToken::new();
    let result = rounds(rig, options, round, memory, &shutdown).await;
    shutdown.cancel();
    result
}

async fn rounds(
    rig: &Rig<'_>,
    options: &HooksOptions,
    round: &mut u64,
    memory: &mut Vec<RoleMemory>,
    shutdown: &tokio_util::sync::CancellationToken,
) -> anyhow::Result<HooksReport> {
    let receiver = Arc::new(Receiver::default());
    let url = serve_receiver(Arc::clone(&receiver), shutdown).await?;
    // One database each, kept over the rounds: the outbox's ids (the
    // events' ids, deduplicated by the WEBHOOKS stream) keep growing.
    let without_db = BenchDb::sqlite(rig.dir, "hooks-without");
    let with_db = BenchDb::sqlite(rig.dir, "hooks-with");
    let settings = &rig.base.sender.webhooks;
    let mut results = Vec::new();
    let mut endpoint_added = false;
    for r in 0..options.rounds.max(1) {
        *round += 1;
        let base = *round * 100_000_000;
        let routers = Routers::start(rig, &without_db, 1, "router-hooks-without").await?;
        let without =
            pipeline::route_text(rig, &routers, options.concurrency, options.seconds, base).await;
        routers.stop(memory).await;
        let without = without.context("routing without an endpoint")?;

        let routers = Routers::start(rig, &with_db, 1, "router-hooks-with").await?;
        if !endpoint_added {
            add_endpoint(rig, &routers, &url).await?;
            endpoint_added = true;
            // The router's "is any endpoint enabled" answer lives 2 s.
            tokio::time::sleep(Duration::from_millis(2500)).await;
        }
        let outbox_before = webhook_outbox::Entity::find().count(&routers.conn).await?;
        let with = pipeline::route_text(
            rig,
            &routers,
            options.concurrency,
            options.seconds,
            base + 50_000_000,
        )
        .await;
        let events = webhook_outbox::Entity::find().count(&routers.conn).await? - outbox_before;
        let sample = webhook_outbox::Entity::find()
            .order_by_desc(webhook_outbox::Column::Id)
            .one(&routers.conn)
            .await?;
        routers.stop(memory).await;
        let with = with.context("routing with an endpoint")?;
        let events = usize::try_from(events).unwrap_or(usize::MAX);
        anyhow::ensure!(events > 0, "the routers wrote no webhook events");
        let body = serde_json::to_vec(&sample.map(|s| s.payload).unwrap_or_default())?;

        // The ceiling, then the sender delivering this round's events.
        receiver.reset();
        let ceiling_per_second = ceiling(settings, &url, &body, events).await?;
        receiver.reset();
        let role = RoleConfig {
            database_url: with_db.url().to_owned(),
            ..rig.role.clone()
        };
        let config = role.write(rig.base, rig.dir, "sender-hooks")?;
        let sender_started = chrono::Utc::now();
        let mut process = spawn_role("sender-hooks", &["sender"], &config, rig.dir)?;
        let mut cpu = crate::load::CpuGroups::default();
        cpu.add("delivering sender", process.pid());
        let cpu_before = cpu.sample();
        let deadline = Instant::now() + Duration::from_secs(60 + events as u64 / 50);
        loop {
            process.check_running(20)?;
            let got = usize::try_from(receiver.count.load(Ordering::Relaxed)).unwrap_or(0);
            if got >= events || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let sender_seconds: f64 = cpu.since(&cpu_before).iter().map(|u| u.seconds).sum();
        let delivered = usize::try_from(receiver.count.load(Ordering::Relaxed)).unwrap_or(0);
        if delivered < events {
            tracing::warn!(
                "sender-hooks: {delivered} of {events} events delivered; its log ends:\n{}",
                process.log_tail(20)
            );
        }
        memory.push(RoleMemory {
            role: "sender-hooks".into(),
            peak_rss_mib: stop_with_peak(process, Duration::from_secs(10))
                .map(|kib| kib as f64 / 1024.0),
        });
        let delivered_per_second = receiver.rate();
        let conn = pipeline::prepare_database(&with_db, rig.numbers, &rig.role.secrets_key).await?;
        let published_per_second = publish_rate(&conn, outbox_before, sender_started).await?;
        conn.close().await.ok();
        results.push(HooksRound {
            round: r,
            routed_per_second_without: without.routed_per_second,
            routed_per_second_with: with.routed_per_second,
            routing_ratio: with.routed_per_second / without.routed_per_second.max(0.001),
            router_cpu_us_without: without.router_cpu_us_per_event,
            router_cpu_us_with: with.router_cpu_us_per_event,
            events,
            delivered,
            duplicates: usize::try_from(receiver.duplicates.load(Ordering::Relaxed))
                .unwrap_or(usize::MAX),
            delivered_per_second,
            ceiling_per_second,
            published_per_second,
            ratio_to_ceiling: delivered_per_second / ceiling_per_second.max(0.001),
            in_flight: settings.in_flight,
            sender_cpu_us_per_delivery: sender_seconds * 1e6 / delivered.max(1) as f64,
        });
    }
    let medians = if results.len() > 1 {
        vec![
            Median::over(
                "routing with a webhook endpoint".into(),
                options.concurrency,
                results.iter().map(|r| r.routed_per_second_with).collect(),
                results.iter().map(|r| r.routing_ratio).collect(),
            ),
            Median::over(
                "webhook delivery".into(),
                settings.in_flight,
                results.iter().map(|r| r.delivered_per_second).collect(),
                results.iter().map(|r| r.ratio_to_ceiling).collect(),
            ),
        ]
    } else {
        Vec::new()
    };
    Ok(HooksReport {
        database: "sqlite",
        rounds: results,
        medians,
    })
}
