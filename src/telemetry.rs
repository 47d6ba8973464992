//! Logging and trace export set-up: a tracing subscriber with the configured
//! filter (RUST_LOG wins) in human or JSON format, with colours only when
//! stderr is a terminal (a pipe, a file or journald gets plain text), and,
//! when `[traces] otlp_endpoint` is set, an OpenTelemetry layer exporting
//! the roles' spans over OTLP/HTTP (JSON) in batches. How a span joins the
//! trace a message carries is `relay::trace`'s business.

use std::io::IsTerminal;
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{LogFormat, LogSettings, TraceSettings};

/// The crates whose spans are exported, whatever the log filter says: the
/// roles' own (the log filter may be `warn` and the traces still wanted).
const TRACED_CRATES: [&str; 3] = ["relay", "admin", "wharf"];

/// Keeps span export running; dropping it flushes what is queued (at most
/// a few seconds) and stops the exporter.
#[must_use = "dropping the guard stops trace export"]
pub struct TraceGuard(Option<SdkTracerProvider>);

impl Drop for TraceGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take() {
            relay::trace::set_exporting(false);
            if let Err(err) = provider.shutdown() {
                tracing::warn!(%err, "trace export did not flush at exit");
            }
        }
    }
}

/// Installs the global subscriber once (later calls install nothing and
/// return an idle guard); `service` is the default `service.name`
/// (`wharf-<role>`).
///
/// # Errors
/// The span exporter could not be built (the settings were validated with
/// the configuration, so this is the HTTP client failing to start).
pub fn init(
    settings: &LogSettings,
    traces: &TraceSettings,
    service: &str,
) -> anyhow::Result<TraceGuard> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let fmt = match settings.format {
        LogFormat::Json => fmt.json().boxed(),
        LogFormat::Human => fmt.boxed(),
    };
    let url = traces
        .traces_url()
        .map_err(|(_, reason)| anyhow::anyhow!(reason))?;
    let provider = url
        .as_deref()
        .map(|url| tracer_provider(traces, url, service))
        .transpose()?;
    let otel = provider.as_ref().map(|provider| {
        let targets = TRACED_CRATES.iter().fold(Targets::new(), |t, name| {
            t.with_target(*name, LevelFilter::INFO)
        });
        // Only the fields the roles put on their spans: no source location,
        // thread or busy/idle attributes, which tripled each span's size.
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("wharf"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(targets)
    });
    let installed = tracing_subscriber::registry()
        .with(fmt.with_filter(filter))
        .with(otel)
        .try_init()
        .is_ok();
    if !installed {
        return Ok(TraceGuard(None));
    }
    if let Some(url) = url {
        relay::trace::set_exporting(true);
        tracing::info!(
            endpoint = %origin(&url),
            sample_ratio = traces.sample_ratio,
            "exporting spans over OTLP"
        );
    }
    Ok(TraceGuard(provider))
}

/// `scheme://host:port` of a URL, for logs (no path, no credentials).
fn origin(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

fn tracer_provider(
    traces: &TraceSettings,
    url: &str,
    service: &str,
) -> anyhow::Result<SdkTracerProvider> {
    let headers = traces
        .headers()
        .map_err(|(_, reason)| anyhow::anyhow!(reason))?
        .into_iter()
        .collect();
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(url)
        .with_headers(headers)
        .with_timeout(Duration::from_secs(10))
        .build()
        .map_err(|err| anyhow::anyhow!("the OTLP span exporter did not start: {err}"))?;
    // Small batches often: a trace shows within a second or two, and a burst
    // beyond the queue drops spans, never blocks a role.
    let batch = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_millis(1_000))
                .with_max_queue_size(16_384)
                .with_max_export_batch_size(1_024)
                .build(),
        )
        .build();
    let name = if traces.service_name.trim().is_empty() {
        service.to_owned()
    } else {
        traces.service_name.trim().to_owned()
    };
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name(name)
        .with_attributes([
            KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
            KeyValue::new("service.instance.id", uuid_v4()),
        ])
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(batch)
        .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            traces.sample_ratio,
        ))))
        .with_resource(resource)
        .build())
}

/// A random instance id (this process, among several of one role).
fn uuid_v4() -> String {
    use rand::Rng;
    format!("{:032x}", rand::rng().random::<u128>())
}
