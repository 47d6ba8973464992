//! The traffic of the edge phases: the signed delivery, the timed load of
//! a phase, raw JetStream publish, and the two in-process servers the edge
//! is compared with (HTTP + signature only; forward only).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use tokio_util::sync::CancellationToken;

use crate::load::{self, CpuGroups};
use crate::report::{CpuShare, Phase};

use crate::{NUMBER, SECRET};

/// A signed, realistic Meta delivery with one text message of ~1 KiB,
/// sent now (so replies to it are inside the 24-hour window). Written from
/// a template: the load generator's own CPU is taken from what it measures.
pub fn delivery(n: u64) -> (Vec<u8>, String) {
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
pub async fn post_signed(client: &load::Client, n: u64) -> bool {
    let (body, signature) = delivery(n);
    client
        .post((relay::provider::META_SIGNATURE_HEADER, &signature), &body)
        .await
        .is_ok_and(|status| (200..300).contains(&status))
}

/// Runs `op` from `concurrency` tasks until `seconds` pass; `op(n)` is one
/// request numbered `n`, returning whether it succeeded.
pub async fn measure<F, Fut>(
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
    cpu.quiet(Duration::from_secs(10)).await;
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
pub async fn webhook_phase(
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
pub async fn raw_publish(
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

/// The name of the hub node that leads INBOUND. Asked again for up to
/// a minute ([`relay::nats::retry_within`]): right after a phase's
/// load the hub may still be replicating it and answer late, and one slow
/// answer must not throw away a run.
pub async fn inbound_leader(js: &async_nats::jetstream::Context) -> anyhow::Result<String> {
    relay::nats::retry_within(
        "asking for INBOUND's leader",
        Duration::from_secs(60),
        |_: &anyhow::Error| false,
        || inbound_leader_once(js),
    )
    .await
    .context("INBOUND's leader still unknown after 60 s")
}

async fn inbound_leader_once(js: &async_nats::jetstream::Context) -> anyhow::Result<String> {
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
pub async fn serve_meta_webhooks<E>(
    endpoint: E,
    shutdown: &CancellationToken,
) -> anyhow::Result<String>
where
    E: poem::Endpoint<Output = poem::Response> + 'static,
{
    serve_post("/webhooks/meta", endpoint, shutdown).await
}

/// Serves `endpoint` for POSTs to `path` on a free loopback port in this
/// process until `shutdown`; the URL to POST to.
pub async fn serve_post<E>(
    path: &str,
    endpoint: E,
    shutdown: &CancellationToken,
) -> anyhow::Result<String>
where
    E: poem::Endpoint + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = poem::Route::new().at(path, poem::post(endpoint));
    let acceptor = poem::listener::TcpAcceptor::from_tokio(listener)?;
    let stop = shutdown.clone();
    tokio::spawn(async move {
        poem::Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(app, async move { stop.cancelled().await }, None)
            .await
    });
    Ok(format!("http://{addr}{path}"))
}

/// Whether `body` carries the signature of the bench's app secret in its
/// `X-Hub-Signature-256` header: the edge's own check.
fn signed(key: &relay::provider::meta::SigningKey, req: &poem::Request, body: &[u8]) -> bool {
    let signature = req
        .headers()
        .get(relay::provider::META_SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    relay::provider::meta::verify_signature_with(key, signature, body).is_ok()
}

/// 401: the signature does not match (nothing published).
fn unsigned() -> poem::Response {
    poem::Response::builder()
        .status(poem::http::StatusCode::UNAUTHORIZED)
        .finish()
}

/// An endpoint that checks a delivery's signature like the edge, then
/// answers 200 without storing anything (bench only).
pub struct VerifyOnly {
    pub key: relay::provider::meta::SigningKey,
}

impl poem::Endpoint for VerifyOnly {
    type Output = poem::Response;

    async fn call(&self, mut req: poem::Request) -> poem::Result<Self::Output> {
        let body = req.take_body().into_bytes_limit(1 << 20).await?;
        Ok(if signed(&self.key, &req, &body) {
            poem::Response::builder().finish()
        } else {
            unsigned()
        })
    }
}

/// An endpoint that publishes the body as it came into INBOUND with a
/// fresh `Nats-Msg-Id` and answers 200 after the PubAck: no parse, no
/// envelope (bench only; the bound of any HTTP edge). With `verify`, it
/// first checks the delivery's signature as Meta requires of any receiver
/// (401 when it does not match): the bound of an HTTP edge that may only
/// store what the provider signed.
pub struct ForwardOnly {
    pub js: async_nats::jetstream::Context,
    pub partitions: u16,
    pub next: std::sync::atomic::AtomicU64,
    /// This process's dedupe ids start with it: two forwarders never
    /// publish the same id.
    pub id_prefix: String,
    pub verify: Option<relay::provider::meta::SigningKey>,
}

impl poem::Endpoint for ForwardOnly {
    type Output = poem::Response;

    async fn call(&self, mut req: poem::Request) -> poem::Result<Self::Output> {
        let body = req.take_body().into_bytes_limit(1 << 20).await?;
        if let Some(key) = &self.verify
            && !signed(key, &req, &body)
        {
            return Ok(unsigned());
        }
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("{}{n}", self.id_prefix).as_str());
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

/// `wharf-bench --serve-forward-only`: [`ForwardOnly`] at
/// `/webhooks/meta` (and `/readyz`) on `listen`, publishing to `nats_url`
/// as the direct edge's user, until the bench kills the process; checking
/// each delivery's signature first when `verify`.
///
/// # Errors
/// When NATS or the address cannot be reached.
pub async fn serve_forward_only(
    config: &wharf::config::Config,
    listen: std::net::SocketAddr,
    nats_url: String,
    verify: bool,
) -> anyhow::Result<()> {
    let js = crate::raw_publisher(config, nats_url, "wharf-bench-forward", true).await?;
    let forward = ForwardOnly {
        js,
        partitions: config.topology.partitions,
        next: std::sync::atomic::AtomicU64::new(0),
        id_prefix: format!("bench:forward:{}:", std::process::id()),
        verify: verify.then(|| relay::provider::meta::SigningKey::new(SECRET)),
    };
    let app = poem::Route::new()
        .at("/webhooks/meta", poem::post(forward))
        .at("/readyz", poem::get(poem::endpoint::make_sync(|_| "ready")));
    poem::Server::new(poem::listener::TcpListener::bind(listen))
        .run(app)
        .await?;
    Ok(())
}

/// An OTLP/HTTP trace receiver that only counts: export requests, the
/// spans in them (their `"spanId"` keys: JSON encoding) and bytes. Answers
/// 200 at once, so the traced edge pays only its own export work.
#[derive(Default)]
pub struct OtlpSink {
    pub requests: std::sync::atomic::AtomicU64,
    pub spans: std::sync::atomic::AtomicU64,
    pub bytes: std::sync::atomic::AtomicU64,
}

impl poem::Endpoint for OtlpSink {
    type Output = poem::Response;

    async fn call(&self, mut req: poem::Request) -> poem::Result<poem::Response> {
        use std::sync::atomic::Ordering::Relaxed;
        let body = req.take_body().into_bytes().await?;
        let spans = body.windows(9).filter(|w| w == b"\"spanId\":").count();
        self.requests.fetch_add(1, Relaxed);
        self.spans.fetch_add(spans as u64, Relaxed);
        self.bytes.fetch_add(body.len() as u64, Relaxed);
        Ok(poem::Response::builder()
            .content_type("application/json")
            .body("{}"))
    }
}
