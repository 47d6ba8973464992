//! The NATS topology on a real 3-node hub and leaf nodes: streams are created
//! once, re-running is a no-op, drift is reported, and a leaf's stream is
//! sourced into INBOUND.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use async_nats::jetstream;
use relay::topology::{self, TopologyError, TopologySettings};
use support::*;

fn settings() -> TopologySettings {
    TopologySettings {
        regions: vec!["eu".into()],
        ..TopologySettings::default()
    }
}

/// Creates the hub streams once the new cluster has elected its leaders.
async fn ensure_hub_when_ready(js: &jetstream::Context, settings: &TopologySettings) {
    eventually(Duration::from_secs(30), "hub streams created", || async {
        topology::ensure_hub(js, settings).await.ok()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hub_streams_are_r3_idempotent_and_drift_is_reported() {
    let nats = Nats::start(&["eu"]).await;
    let js = nats.hub_js().await;
    let settings = settings();
    ensure_hub_when_ready(&js, &settings).await;
    topology::ensure_hub(&js, &settings)
        .await
        .expect("second run is a no-op");
    for name in [topology::INBOUND, topology::OUTBOUND, topology::DLQ] {
        let mut stream = js.get_stream(name).await.unwrap();
        let info = stream.info().await.unwrap();
        assert_eq!(info.config.num_replicas, 3, "{name}");
        assert_eq!(
            info.cluster.as_ref().map(|c| c.replicas.len()),
            Some(2),
            "{name} has two followers"
        );
    }

    let mut drifted = settings.clone();
    drifted.duplicate_window_secs = 30;
    let err = topology::ensure_hub(&js, &drifted)
        .await
        .expect_err("drift");
    match &err {
        TopologyError::Drift {
            stream,
            differences,
        } => {
            assert_eq!(stream, topology::INBOUND);
            assert!(
                differences.iter().any(|d| d.contains("duplicate window")),
                "{differences:?}"
            );
        }
        other => panic!("expected drift, got {other}"),
    }

    // A stream someone created by hand with one replica is not silently used.
    js.delete_stream(topology::DLQ).await.unwrap();
    let mut r1 = topology::hub_stream_configs(&settings).remove(2);
    r1.num_replicas = 1;
    js.create_stream(r1).await.unwrap();
    let err = topology::ensure_hub(&js, &settings)
        .await
        .expect_err("drift");
    assert!(err.to_string().contains("replicas 1 (wanted 3)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_region_stream_on_its_leaf_is_sourced_into_inbound() {
    let nats = Nats::start(&["eu"]).await;
    let js = nats.hub_js().await;
    let settings = settings();
    // The edge stream first, as `wharf provision` does: INBOUND's source then
    // finds it at once (made the other way round, nats-server 2.15 retries
    // the source on its backoff, at times for more than 20 s).
    let leaf = nats.leaves[0].process.connect().await.unwrap();
    let leaf_js = jetstream::new(leaf);
    topology::ensure_edge(&leaf_js, &settings, "eu")
        .await
        .unwrap();
    topology::ensure_edge(&leaf_js, &settings, "eu")
        .await
        .expect("idempotent");
    ensure_hub_when_ready(&js, &settings).await;

    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "meta:msg:wamid.SRC1");
    let ack = leaf_js
        .publish_with_headers(
            topology::inbound_subject("eu", "1065", 2),
            headers,
            "{}".into(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    assert_eq!(ack.stream, topology::edge_stream("eu"));
    assert_eq!(ack.domain, "eu");

    // Whether it is sourced, not how fast: beside another stack on a loaded
    // 2-core machine the first sourcing outlasted 20 s twice (2026-12-04).
    eventually(
        Duration::from_secs(60),
        "the event sourced into INBOUND",
        || {
            let js = js.clone();
            async move {
                let mut inbound = js.get_stream(topology::INBOUND).await.ok()?;
                (inbound.info().await.ok()?.state.messages == 1).then_some(())
            }
        },
    )
    .await;
    let inbound = js.get_stream(topology::INBOUND).await.unwrap();
    let stored = inbound
        .get_last_raw_message_by_subject("wa.in.eu.1065.2")
        .await
        .unwrap();
    assert_eq!(&stored.payload[..], b"{}");
}
