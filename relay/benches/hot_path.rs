//! Micro-benchmarks of the edge's hot path, per webhook delivery: the Meta
//! signature check, parsing and splitting a delivery into events, and
//! encoding an event for JetStream (with its dedupe id, subject and trace
//! header), and the whole delivery both ways: built as events and encoded,
//! and as the edge takes it (`accept_ready`). `cargo bench -p wharf-relay --bench hot_path`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use relay::envelope::Provider;
use relay::provider::meta::{MetaWebhook, sign, verify_signature};
use relay::provider::{NumberCredentials, NumberDirectory, WebhookParser};
use relay::secret::Secret;

const NUMBER: &str = "106540352242922";
const SECRET: &str = "bench-app-secret";

/// The delivery `wharf-bench` posts: one ~1 KiB text message.
fn delivery() -> Vec<u8> {
    let text = format!("order 1: {}", "x".repeat(700));
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550100", "phone_number_id": NUMBER},
            "contacts": [{"profile": {"name": "Bench"}, "wa_id": "4915000000001"}],
            "messages": [{"from": "4915000000001", "id": "wamid.BENCH1",
                          "timestamp": "1764300000", "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
    .into_bytes()
}

fn directory() -> NumberDirectory {
    NumberDirectory::new(&[NumberCredentials::signed_by(Provider::Meta, NUMBER, SECRET)])
}

fn hot_path(c: &mut Criterion) {
    let body = delivery();
    let signature = sign(SECRET, &body);
    let secret = Secret::new(SECRET);
    let numbers = directory();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        relay::provider::META_SIGNATURE_HEADER,
        signature.parse().unwrap(),
    );

    let mut group = c.benchmark_group("edge");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("meta signature check", |b| {
        b.iter(|| verify_signature(black_box(&secret), black_box(&signature), black_box(&body)))
    });
    group.bench_function("meta accept (verify + parse + split)", |b| {
        b.iter(|| {
            MetaWebhook
                .accept(
                    black_box(&numbers),
                    black_box(&headers),
                    black_box(&body),
                    "eu",
                )
                .unwrap()
        })
    });
    let delivery = MetaWebhook.accept(&numbers, &headers, &body, "eu").unwrap();
    let event = &delivery.events[0];
    group.bench_function("envelope encode", |b| {
        b.iter(|| black_box(event).encode().unwrap())
    });
    group.bench_function("publish metadata (msg id, subject, traceparent)", |b| {
        b.iter(|| {
            let event = black_box(event);
            (
                event.msg_id(),
                event.subject(8),
                relay::envelope::traceparent(None),
            )
        })
    });
    group.bench_function("whole delivery (accept + encode + metadata)", |b| {
        b.iter(|| {
            let delivery = MetaWebhook
                .accept(
                    black_box(&numbers),
                    black_box(&headers),
                    black_box(&body),
                    "eu",
                )
                .unwrap();
            delivery
                .events
                .iter()
                .map(|e| {
                    (
                        e.encode().unwrap(),
                        e.msg_id(),
                        e.subject(8),
                        relay::envelope::traceparent(None),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    group.bench_function(
        "whole delivery, the edge's way (accept_ready: verify + write straight from the bytes)",
        |b| {
            b.iter(|| {
                let ready = MetaWebhook
                    .accept_ready(
                        black_box(&numbers),
                        black_box(&headers),
                        black_box(&body),
                        "eu",
                    )
                    .unwrap()
                    .unwrap();
                ready
                    .events
                    .into_iter()
                    .map(|e| {
                        (
                            relay::topology::inbound_subject(
                                "eu",
                                &e.business_number,
                                relay::topology::partition_of(&e.partition_key, 8),
                            ),
                            relay::envelope::traceparent(None),
                            e,
                        )
                    })
                    .collect::<Vec<_>>()
            })
        },
    );
    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
