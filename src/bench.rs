//! `wharf bench`: throughput and latency of the edge against the physical
//! limit under it — a raw async-nats publish loop with the same number of
//! acks in flight into the same stream — measured side by side in one run on
//! freshly started local NATS servers, and reported as ratios.
//! Loopback only; every phase is bounded in time.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use relay::secret::Secret;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::nats_server::{HubCluster, LeafNode, Ports};
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
}

/// One measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
    pub name: String,
    pub concurrency: usize,
    pub requests: u64,
    pub errors: u64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub cores: usize,
    pub seconds: u64,
    pub phases: Vec<Phase>,
}

const NUMBER: &str = "106540352242922";
const SECRET: &str = "bench-app-secret";

/// A signed, realistic Meta delivery with one text message of ~1 KiB.
fn delivery(n: u64) -> (Vec<u8>, String) {
    let text = format!("order {n}: {}", "x".repeat(700));
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": NUMBER},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": format!("4915{:09}", n % 5000)}],
            "messages": [{"from": format!("4915{:09}", n % 5000), "id": format!("wamid.BENCH{n}"),
                          "timestamp": "1764300000", "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
    .into_bytes();
    let signature = relay::provider::meta::sign(SECRET, &body);
    (body, signature)
}

/// Runs `op` from `concurrency` tasks until `seconds` pass; `op(n)` is one
/// request numbered `n`, returning whether it succeeded.
async fn measure<F, Fut>(
    name: &str,
    concurrency: usize,
    seconds: u64,
    op: F,
) -> anyhow::Result<Phase>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let op = Arc::new(op);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
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
    let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
    Ok(Phase {
        name: name.to_owned(),
        concurrency,
        requests: all.len(),
        errors,
        per_second: all.len() as f64 / elapsed,
        p50_ms: ms(0.5),
        p99_ms: ms(0.99),
        p999_ms: ms(0.999),
    })
}

/// Runs every phase and prints the table.
///
/// # Errors
/// When the servers or the edge cannot start.
pub async fn run(mut config: Config, options: BenchOptions) -> anyhow::Result<Report> {
    let dir = tempfile::tempdir()?;
    let ports = Ports::plan([0; 6], 3, 1)?;
    let mut hub = HubCluster::start(&config.up.nats_server, dir.path(), &ports)?;
    let mut leaf = LeafNode::start(
        &config.up.nats_server,
        dir.path(),
        "eu",
        ports.leaf_client[0],
        ports.leaf_monitor[0],
        &ports.hub_leafnode,
    )?;
    hub.wait_ready(Duration::from_secs(60)).await?;
    leaf.wait_ready(Duration::from_secs(60)).await?;
    config.nats.url = hub.client_urls();
    config.topology.regions = vec!["eu".into()];
    config.numbers = vec![NumberCredentials {
        provider: Provider::Meta,
        phone_number_id: NUMBER.into(),
        display_phone: String::new(),
        app_secret: Secret::new(SECRET),
        verify_token: Secret::default(),
        access_token: Secret::default(),
        api_base_url: None,
    }];
    config.edge.region = "eu".into();
    config.edge.nats_url = leaf.process.client_url.clone();
    config.edge.listen = "127.0.0.1:0".parse()?;
    config.edge.max_in_flight = 1 << 16;
    let hub_client = roles::hub_client(&config, "wharf-bench").await?;
    roles::ensure_hub_topology(&config, &hub_client, Duration::from_secs(60)).await?;
    let edge = roles::bind_edge(&config, config.edge.clone()).await?;
    let edge_url = format!("http://{}/webhooks/meta", edge.local_addr());
    let shutdown = CancellationToken::new();
    let edge_task = tokio::spawn(edge.run(shutdown.clone()));

    // The same HTTP stack and signature check, answering without publishing:
    // where the time goes that is not JetStream's.
    let verify_only = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let directory = std::sync::Arc::new(relay::provider::NumberDirectory::new(&config.numbers));
        let app = poem::Route::new().at("/webhooks/meta", poem::post(VerifyOnly { directory }));
        let acceptor = poem::listener::TcpAcceptor::from_tokio(listener)?;
        let stop = shutdown.clone();
        tokio::spawn(async move {
            poem::Server::new_with_acceptor(acceptor)
                .run_with_graceful_shutdown(app, async move { stop.cancelled().await }, None)
                .await
        });
        format!("http://{addr}/webhooks/meta")
    };

    let leaf_client = relay::nats::connect(
        &leaf.process.client_url,
        "wharf-bench-raw",
        Duration::from_secs(10),
    )
    .await?;
    let leaf_js = async_nats::jetstream::new(leaf_client);
    let hub_js = async_nats::jetstream::new(hub_client.clone());
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30))
        .build()?;
    let partitions = config.topology.partitions;

    let mut phases = Vec::new();
    let mut round = 0u64;
    for &c in &options.concurrency {
        round += 1;
        let base = round * 100_000_000;
        // Limit: the same ~1 KiB event with a Nats-Msg-Id into the same stream.
        let js = leaf_js.clone();
        phases.push(
            measure(
                "raw publish → EDGE_EU (leaf, R1)",
                c,
                options.seconds,
                move |n| {
                    let js = js.clone();
                    async move {
                        let (body, _) = delivery(base + n);
                        let mut headers = async_nats::HeaderMap::new();
                        headers.insert("Nats-Msg-Id", format!("bench:raw:{}", base + n).as_str());
                        let subject = relay::topology::inbound_subject(
                            "eu",
                            NUMBER,
                            (n % u64::from(partitions)) as u16,
                        );
                        match js.publish_with_headers(subject, headers, body.into()).await {
                            Ok(ack) => ack.await.is_ok(),
                            Err(_) => false,
                        }
                    }
                },
            )
            .await?,
        );
        let js = hub_js.clone();
        phases.push(
            measure(
                "raw publish → INBOUND (hub, R3)",
                c,
                options.seconds,
                move |n| {
                    let js = js.clone();
                    async move {
                        let (body, _) = delivery(base + 50_000_000 + n);
                        let mut headers = async_nats::HeaderMap::new();
                        headers.insert("Nats-Msg-Id", format!("bench:hub:{}", base + n).as_str());
                        let subject = relay::topology::inbound_subject(
                            "hub",
                            NUMBER,
                            (n % u64::from(partitions)) as u16,
                        );
                        match js.publish_with_headers(subject, headers, body.into()).await {
                            Ok(ack) => ack.await.is_ok(),
                            Err(_) => false,
                        }
                    }
                },
            )
            .await?,
        );
        let (http_only, url) = (http.clone(), verify_only.clone());
        phases.push(
            measure(
                "HTTP + signature check only (no publish)",
                c,
                options.seconds,
                move |n| {
                    let (http, url) = (http_only.clone(), url.clone());
                    async move {
                        let (body, signature) = delivery(base + 90_000_000 + n);
                        match http
                            .post(url)
                            .header("content-type", "application/json")
                            .header(relay::provider::META_SIGNATURE_HEADER, signature)
                            .body(body)
                            .send()
                            .await
                        {
                            Ok(response) => response.status().is_success(),
                            Err(_) => false,
                        }
                    }
                },
            )
            .await?,
        );
        let (http, url) = (http.clone(), edge_url.clone());
        phases.push(
            measure(
                "edge: signed webhook → 200 after PubAck",
                c,
                options.seconds,
                move |n| {
                    let (http, url) = (http.clone(), url.clone());
                    async move {
                        let (body, signature) = delivery(base + 80_000_000 + n);
                        match http
                            .post(url)
                            .header("content-type", "application/json")
                            .header(relay::provider::META_SIGNATURE_HEADER, signature)
                            .body(body)
                            .send()
                            .await
                        {
                            Ok(response) => response.status().is_success(),
                            Err(_) => false,
                        }
                    }
                },
            )
            .await?,
        );
    }
    shutdown.cancel();
    let _ = edge_task.await;
    let report = Report {
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        seconds: options.seconds,
        phases,
    };
    print_table(&report);
    if let Some(path) = &options.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    drop(leaf);
    drop(hub);
    Ok(report)
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

fn print_table(report: &Report) {
    let mut out = format!(
        "\n{} cores, {} s per phase\n\n| phase | in flight | req/s | p50 ms | p99 ms | p99.9 ms | errors | vs raw leaf publish |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        report.cores, report.seconds
    );
    for phase in &report.phases {
        let baseline = report
            .phases
            .iter()
            .find(|p| {
                p.concurrency == phase.concurrency && p.name.starts_with("raw publish → EDGE")
            })
            .map_or(1.0, |p| p.per_second.max(1e-9));
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {:.2} |\n",
            phase.name,
            phase.concurrency,
            phase.per_second,
            phase.p50_ms,
            phase.p99_ms,
            phase.p999_ms,
            phase.errors,
            phase.per_second / baseline
        ));
    }
    println!("{out}");
}
