//! Trace export's side in the roles: one W3C trace follows one message from
//! the edge to the router, and one reply from the admin API to the sender,
//! through the `traceparent` NATS header ([`crate::envelope::TRACEPARENT_HEADER`]).
//!
//! When the process exports spans (OTLP, `[traces] otlp_endpoint`; the
//! subscriber is set up by the `wharf` binary, which calls
//! [`set_exporting`]), the spans the roles open are joined to the remote
//! span a header names ([`continue_from`]) and the header a role publishes
//! names its own span ([`traceparent_of`]), so a tracing backend (Jaeger,
//! Tempo) shows one webhook's path across processes. When it does not, every
//! function here is a relaxed load and a return: the edge keeps its cheap
//! byte-by-byte `traceparent` ([`crate::envelope::traceparent`]).

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing_opentelemetry::OpenTelemetrySpanExt;

static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Declares that spans are exported (once, at start-up, by whoever installs
/// the OpenTelemetry layer).
pub fn set_exporting(on: bool) {
    EXPORTING.store(on, Ordering::Relaxed);
}

/// Whether spans are exported: the roles open their per-message spans only
/// then.
#[must_use]
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// The remote span a W3C `traceparent` names
/// ([`crate::envelope::traceparent_fields`]), or `None`.
#[must_use]
pub fn parse_traceparent(value: &str) -> Option<SpanContext> {
    let (trace, span, flags) = crate::envelope::traceparent_fields(value)?;
    let context = SpanContext::new(
        TraceId::from_hex(trace).ok()?,
        SpanId::from_hex(span).ok()?,
        TraceFlags::new(u8::from_str_radix(flags, 16).ok()?),
        true,
        TraceState::default(),
    );
    context.is_valid().then_some(context)
}

/// Makes `span` a child of the remote span `traceparent` names, when spans
/// are exported and the header is well formed; otherwise leaves it alone
/// (a root of its own trace).
pub fn continue_from(span: &tracing::Span, traceparent: Option<&str>) {
    if !exporting() {
        return;
    }
    let Some(remote) = traceparent.and_then(parse_traceparent) else {
        return;
    };
    let parent = opentelemetry::Context::new().with_remote_span_context(remote);
    // Fails only for a span no layer records (filtered out): nothing to join.
    let _ = span.set_parent(parent);
}

/// The `traceparent` naming `span` itself, for the next hop to continue:
/// `None` when spans are not exported or `span` is not recorded.
#[must_use]
pub fn traceparent_of(span: &tracing::Span) -> Option<String> {
    if !exporting() || span.is_disabled() {
        return None;
    }
    let context = span.context();
    let remote = context.span();
    let own = remote.span_context();
    own.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            own.trace_id(),
            own.span_id(),
            own.trace_flags().to_u8()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_parses_to_its_ids_and_bad_ones_do_not() {
        let good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let context = parse_traceparent(good).expect("a valid traceparent");
        assert_eq!(
            context.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(context.span_id().to_string(), "00f067aa0ba902b7");
        assert!(context.is_sampled());
        assert!(context.is_remote());
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
        ] {
            assert!(parse_traceparent(bad).is_none(), "{bad:?} parsed");
        }
    }

    #[test]
    fn without_export_nothing_is_joined_or_named() {
        set_exporting(false);
        let span = tracing::info_span!("anything");
        continue_from(
            &span,
            Some("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        );
        assert!(traceparent_of(&span).is_none());
    }
}
