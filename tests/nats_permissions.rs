//! Least-privilege NATS users (issue 11) on real servers: the hub cluster of
//! nats.conf and the leaf nodes of deploy/leaf.conf, each role connecting as
//! its own user. A stolen edge credential can publish its region's events
//! and nothing else; each hub role is refused what is not its part; wrong
//! passwords and unauthenticated leaf links are refused. (That every role
//! can do its own part is shown by the rest of the suite, which runs on
//! these users.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use async_nats::jetstream;
use relay::nats::Access;
use support::*;
use tokio::sync::mpsc;
use wharf::config::{Config, Role};
use wharf::nats_server::{LeafNode, NatsSecurity, free_port};

/// The defaults with this run's passwords and hub URLs.
fn config_for(nats: &Nats) -> Config {
    let env = figment::providers::Env::prefixed("WHARF_TEST_UNSET_PREFIX__");
    let mut config = Config::load_from(None, env).unwrap();
    config.nats.url = nats.hub.client_urls();
    config.nats.connect_wait_secs = 10;
    config.topology.regions = nats.leaves.iter().map(|l| l.region.clone()).collect();
    nats.security.apply(&mut config.nats.users);
    config
}

/// A client as `access`, with the server's refusals (`-ERR`) collected.
async fn client_as(
    url: &str,
    access: &Access,
) -> (async_nats::Client, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let client = access
        .options()
        .event_callback(move |event| {
            let tx = tx.clone();
            async move {
                if let async_nats::Event::ServerError(err) = event {
                    let _ = tx.send(err.to_string());
                }
            }
        })
        .connect(url)
        .await
        .unwrap();
    (client, rx)
}

/// Waits for the server to refuse `subject` on this connection.
async fn assert_refused(errors: &mut mpsc::UnboundedReceiver<String>, subject: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let error = tokio::time::timeout_at(deadline, errors.recv())
            .await
            .unwrap_or_else(|_| panic!("the server did not refuse {subject}"))
            .expect("connection open");
        // A request in the hub's own domain is checked (and reported) by
        // the hub under its local API name.
        let local = subject.replace("$JS.hub.API.", "$JS.API.");
        if error.contains("Permissions Violation")
            && (error.contains(subject) || error.contains(&local))
        {
            return;
        }
    }
}

/// Publishes to `subject` and expects the server to refuse it.
async fn assert_publish_refused(
    client: &async_nats::Client,
    errors: &mut mpsc::UnboundedReceiver<String>,
    subject: &str,
) {
    client
        .publish(subject.to_owned(), "forged".into())
        .await
        .unwrap();
    client.flush().await.unwrap();
    assert_refused(errors, subject).await;
}

/// Asks the JetStream API `subject` and expects the server to refuse it.
async fn assert_api_refused(
    client: &async_nats::Client,
    errors: &mut mpsc::UnboundedReceiver<String>,
    subject: &str,
) {
    let answer = tokio::time::timeout(
        Duration::from_secs(3),
        client.request(subject.to_owned(), "{}".into()),
    )
    .await;
    assert!(
        !matches!(answer, Ok(Ok(_))),
        "{subject} was answered: {answer:?}"
    );
    assert_refused(errors, subject).await;
}

async fn messages(js: &jetstream::Context, stream: &str) -> u64 {
    js.get_stream(stream)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_edges_credentials_publish_its_regions_events_and_nothing_else() {
    let nats = Nats::start(&["eu", "us"]).await;
    let config = config_for(&nats);
    let ops = wharf::roles::provision(&config, Duration::from_secs(60))
        .await
        .unwrap();
    let hub_js = jetstream::new(ops);
    let leaf = &nats.leaves[0].process;
    let leaf_ops = jetstream::new(leaf.connect().await.unwrap());
    let us_ops = jetstream::new(nats.leaves[1].process.connect().await.unwrap());
    let edge_access = config.nats.access(Role::Edge {
        region: "eu",
        direct: false,
    });
    let (edge, mut errors) = client_as(&leaf.client_url, &edge_access).await;

    // Its own part: an event into its region's stream, acknowledged.
    let edge_js = jetstream::new(edge.clone());
    edge_js
        .publish("wa.in.eu.1065.0", "event".into())
        .await
        .unwrap()
        .await
        .expect("the region's event is stored");
    assert_eq!(messages(&leaf_ops, "EDGE_EU").await, 1);

    // Reading inbound events: refused, and nothing arrives.
    let mut spy = edge.subscribe("wa.in.>").await.unwrap();
    assert_refused(&mut errors, "wa.in.>").await;
    leaf_ops
        .publish("wa.in.eu.1065.1", "private message".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let heard =
        tokio::time::timeout(Duration::from_secs(1), futures::StreamExt::next(&mut spy)).await;
    assert!(
        !matches!(heard, Ok(Some(_))),
        "the edge read an inbound event"
    );

    // Sending a reply: refused, OUTBOUND stays empty.
    assert_publish_refused(&edge, &mut errors, "wa.out.1065.0").await;

    // Another region's stream, INBOUND directly, others' inboxes, the API.
    assert_publish_refused(&edge, &mut errors, "wa.in.us.1065.0").await;
    assert_publish_refused(&edge, &mut errors, "wa.in.hub.1065.0").await;
    let _inbox = edge.subscribe("_INBOX_router.>").await.unwrap();
    assert_refused(&mut errors, "_INBOX_router.>").await;
    let _all = edge.subscribe(">").await.unwrap();
    assert_refused(&mut errors, "\">\"").await;
    for subject in [
        "$JS.API.STREAM.DELETE.EDGE_EU",
        "$JS.API.STREAM.PURGE.EDGE_EU",
        "$JS.API.CONSUMER.CREATE.EDGE_EU",
        "$JS.hub.API.CONSUMER.CREATE.INBOUND",
        "$JS.hub.API.STREAM.MSG.GET.INBOUND",
    ] {
        assert_api_refused(&edge, &mut errors, subject).await;
    }

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(messages(&hub_js, "OUTBOUND").await, 0, "a reply got in");
    assert_eq!(
        messages(&us_ops, "EDGE_US").await,
        0,
        "another region's event got in"
    );
    assert_eq!(
        messages(&leaf_ops, "EDGE_EU").await,
        2,
        "the stream changed"
    );
    let inbound = hub_js.get_stream("INBOUND").await.unwrap();
    let forged = inbound
        .get_last_raw_message_by_subject("wa.in.hub.1065.0")
        .await;
    assert!(forged.is_err(), "a forged event reached INBOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_hub_role_is_refused_what_is_not_its_part() {
    let nats = Nats::start(&["eu"]).await;
    let config = config_for(&nats);
    wharf::roles::provision(&config, Duration::from_secs(60))
        .await
        .unwrap();
    let url = nats.hub.nodes[0].client_url.clone();

    let (router, mut errors) = client_as(&url, &config.nats.access(Role::Router)).await;
    assert_publish_refused(&router, &mut errors, "wa.in.hub.1065.0").await;
    let _inbox = router.subscribe("_INBOX_admin.>").await.unwrap();
    assert_refused(&mut errors, "_INBOX_admin.>").await;
    for subject in [
        "$JS.API.STREAM.DELETE.INBOUND",
        "$JS.API.STREAM.PURGE.OUTBOUND",
        "$JS.API.STREAM.CREATE.SPY",
        "$JS.API.CONSUMER.CREATE.OUTBOUND",
    ] {
        assert_api_refused(&router, &mut errors, subject).await;
    }

    let (sender, mut errors) = client_as(&url, &config.nats.access(Role::Sender)).await;
    let _spy = sender.subscribe("wa.in.>").await.unwrap();
    assert_refused(&mut errors, "wa.in.>").await;
    let _events = sender.subscribe("wa.events.>").await.unwrap();
    assert_refused(&mut errors, "wa.events.>").await;
    for subject in [
        "$JS.API.CONSUMER.CREATE.INBOUND",
        "$JS.API.STREAM.DELETE.DLQ",
        "$JS.API.STREAM.UPDATE.OUTBOUND",
    ] {
        assert_api_refused(&sender, &mut errors, subject).await;
    }
    // The sender reads agents' attachments; it writes nothing there.
    assert_publish_refused(&sender, &mut errors, "$O.WHARF_MEDIA.C.forged").await;
    assert_publish_refused(&sender, &mut errors, "$O.WHARF_MEDIA.M.MTIz").await;
    assert_api_refused(&sender, &mut errors, "$JS.API.STREAM.PURGE.OBJ_WHARF_MEDIA").await;

    let (admin, mut errors) = client_as(&url, &config.nats.access(Role::Admin)).await;
    let _inbox = admin.subscribe("_INBOX_router.>").await.unwrap();
    assert_refused(&mut errors, "_INBOX_router.>").await;
    for subject in [
        "$JS.API.CONSUMER.MSG.NEXT.INBOUND.router-p0",
        "$JS.API.STREAM.DELETE.INBOUND",
        "$JS.API.STREAM.PURGE.INBOUND",
        "$JS.API.STREAM.MSG.GET.INBOUND",
        // Admin writes agents' attachments into the media bucket, but may
        // not drop or reshape the bucket.
        "$JS.API.STREAM.DELETE.OBJ_WHARF_MEDIA",
        "$JS.API.STREAM.UPDATE.OBJ_WHARF_MEDIA",
    ] {
        assert_api_refused(&admin, &mut errors, subject).await;
    }
}

/// The reconciler's user reads INBOUND and, through a region's leaf domain,
/// that region's edge stream, and re-publishes into INBOUND; it may not
/// send replies, read OUTBOUND, the DLQ or the buckets (not even through
/// the hub's domain name), nor delete or purge a stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reconciler_reads_edge_streams_and_republishes_and_nothing_else() {
    let nats = Nats::start(&["eu"]).await;
    let config = config_for(&nats);
    let ops = wharf::roles::provision(&config, Duration::from_secs(60))
        .await
        .unwrap();
    let hub_js = jetstream::new(ops);
    let leaf_ops = jetstream::new(nats.leaves[0].process.connect().await.unwrap());
    leaf_ops
        .publish("wa.in.eu.1065.0", "event".into())
        .await
        .unwrap()
        .await
        .unwrap();
    let url = nats.hub.nodes[0].client_url.clone();
    let (reconciler, mut errors) = client_as(&url, &config.nats.access(Role::Reconciler)).await;

    // Its own part: the edge stream through the region's domain, INBOUND,
    // a re-publish into INBOUND.
    let leaf = jetstream::with_domain(reconciler.clone(), relay::topology::edge_domain("eu"));
    let original = leaf
        .get_stream("EDGE_EU")
        .await
        .unwrap()
        .get_raw_message(1)
        .await
        .unwrap();
    assert_eq!(original.payload.as_ref(), b"event");
    let before = messages(&hub_js, "INBOUND").await;
    jetstream::new(reconciler.clone())
        .publish("wa.in.hub.1065.0", original.payload.clone())
        .await
        .unwrap()
        .await
        .expect("the re-published event is stored");
    assert_eq!(messages(&hub_js, "INBOUND").await, before + 1);

    // Not its part.
    assert_publish_refused(&reconciler, &mut errors, "wa.out.1065.0").await;
    assert_publish_refused(&reconciler, &mut errors, "$KV.WHARF_NUMBERS.forged").await;
    let _inbox = reconciler.subscribe("_INBOX_router.>").await.unwrap();
    assert_refused(&mut errors, "_INBOX_router.>").await;
    let _spy = reconciler.subscribe("wa.in.>").await.unwrap();
    assert_refused(&mut errors, "wa.in.>").await;
    for subject in [
        "$JS.API.CONSUMER.CREATE.OUTBOUND",
        "$JS.API.STREAM.MSG.GET.DLQ",
        "$JS.API.STREAM.DELETE.INBOUND",
        "$JS.API.STREAM.PURGE.INBOUND",
        "$JS.hub.API.CONSUMER.CREATE.OUTBOUND",
        "$JS.hub.API.STREAM.MSG.GET.DLQ",
        "$JS.eu.API.STREAM.DELETE.EDGE_EU",
        "$JS.eu.API.STREAM.PURGE.EDGE_EU",
    ] {
        assert_api_refused(&reconciler, &mut errors, subject).await;
    }
    assert_eq!(
        messages(&leaf_ops, "EDGE_EU").await,
        1,
        "the edge stream changed"
    );
    assert_eq!(messages(&hub_js, "OUTBOUND").await, 0, "a reply got in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_or_missing_credentials_and_unauthenticated_leaf_links_are_refused() {
    let mut nats = Nats::start(&["eu"]).await;
    let config = config_for(&nats);
    let url = nats.hub.client_urls();

    let mut wrong = config.nats.access(Role::Router);
    wrong.password = relay::secret::Secret::new("not-the-router-password");
    let err = relay::nats::connect(&url, "test", Duration::from_secs(5), &wrong)
        .await
        .expect_err("a wrong password is refused");
    let message = err.to_string();
    assert!(message.contains("\"router\""), "{message}");
    assert!(!message.contains("not-the-router-password"), "{message}");
    let anonymous = async_nats::ConnectOptions::new()
        .connect(nats.hub.nodes[0].client_url.as_str())
        .await;
    assert!(anonymous.is_err(), "a client without credentials got in");

    // A leaf node that does not know the hub's leaf password is not linked.
    let linked = |monitor: String| async move {
        let leafz: serde_json::Value = reqwest::get(format!("{monitor}/leafz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        leafz["leafs"].as_array().map_or(0, Vec::len)
    };
    let monitors: Vec<String> = nats
        .hub
        .nodes
        .iter()
        .map(|n| n.monitor_url.clone())
        .collect();
    // The region's leaf links within moments of the hub being up, not at once.
    eventually(Duration::from_secs(20), "the region's leaf to link", || {
        let monitors = monitors.clone();
        async move {
            let mut before = 0;
            for m in &monitors {
                before += linked(m.clone()).await;
            }
            (before == 1).then_some(())
        }
    })
    .await;
    let rogue_security = NatsSecurity::generate();
    let mut rogue = LeafNode::start(
        "nats-server",
        nats.dir.path(),
        "rogue",
        free_port().unwrap(),
        free_port().unwrap(),
        &nats.ports.hub_leafnode,
        &rogue_security,
    )
    .unwrap();
    rogue.wait_ready(Duration::from_secs(30)).await.unwrap();
    eventually(
        Duration::from_secs(10),
        "the hub to refuse the rogue leaf",
        || {
            let log = rogue.process.log_tail();
            async move { log.contains("Authorization Violation").then_some(()) }
        },
    )
    .await;
    let mut after = 0;
    for m in &monitors {
        after += linked(m.clone()).await;
    }
    assert_eq!(after, 1, "a leaf with a wrong password got linked");
    drop(rogue);
    // The legitimate leaf is still there.
    assert!(nats.leaf("eu").process.pid().is_some());
}

/// An edge publishing straight to the hub (`edge.direct_to_hub`) works with
/// the hub's `edge` user alone: a signed webhook is stored in INBOUND, and
/// no server refused it anything on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_direct_to_hub_edge_works_with_its_own_user_and_nothing_more() {
    let nats = Nats::start(&["eu"]).await;
    let mut config = config_for(&nats);
    config.numbers = vec![test_number()];
    let ops = wharf::roles::provision(&config, Duration::from_secs(60))
        .await
        .unwrap();
    let mut settings = config.edge.clone();
    settings.direct_to_hub = true;
    settings.nats_url = nats.hub.client_urls();
    settings.listen = "127.0.0.1:0".parse().unwrap();
    let edge = wharf::roles::bind_edge(&config, settings).await.unwrap();
    let url = format!("http://{}/webhooks/meta", edge.local_addr());
    let shutdown = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(edge.run(shutdown.clone()));
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000001",
        "Ann",
        "wamid.DIRECT.1",
        "hello",
        chrono::Utc::now().timestamp(),
    );
    let answer = post_signed_meta(&reqwest::Client::new(), &url, &body, APP_SECRET).await;
    assert_eq!(answer.status(), 200);
    let hub_js = jetstream::new(ops);
    assert_eq!(messages(&hub_js, "INBOUND").await, 1);
    // The edge also followed the numbers bucket (NumberBook): give it a
    // moment, then no server refused anything.
    tokio::time::sleep(Duration::from_secs(1)).await;
    shutdown.cancel();
    running.await.unwrap().unwrap();
    for node in &nats.hub.nodes {
        assert!(node.violations().is_empty(), "{:?}", node.violations());
    }
}
