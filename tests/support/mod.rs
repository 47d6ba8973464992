//! Test harness: real `nats-server` processes (3-node hub + one leaf per
//! region) on free ports with temp stores, a fresh SQLite file or PostgreSQL
//! database per test, and the roles running in-process on free ports, built
//! by `wharf::stack::Stack` as `wharf up` builds them.
//! Everything is stopped and removed on `Drop`. No mocks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream;
use relay::envelope::Provider;
use relay::provider::NumberCredentials;
use relay::secret::Secret;
use sea_orm::{ConnectionTrait, Database};
use tokio_util::sync::CancellationToken;
use wharf::config::Config;
use wharf::nats_server::{LeafNode, LocalNats, NatsSecurity, Ports, free_port};
use wharf::roles;
use wharf::stack::{EdgeMetrics, Sandboxed, StackConfig};

pub const PHONE_NUMBER_ID: &str = "106540352242922";
pub const APP_SECRET: &str = "test-app-secret-7f3a";
pub const VERIFY_TOKEN: &str = "test-verify-token";
pub const ADMIN_TOKEN: &str = "test-admin-token-0b1c";
pub const WASENDER_SESSION: &str = "wasender-session-1";
pub const WASENDER_SECRET: &str = "test-wasender-webhook-secret";

/// Runs an `async fn scenario(db: TestDb)` twice, as `scenario::on_sqlite`
/// and `scenario::on_postgres` (skipped by hand without TEST_POSTGRES_URL;
/// required under CI).
#[macro_export]
macro_rules! on_sqlite_and_postgres {
    ($scenario:ident) => {
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$scenario($crate::support::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_postgres() {
                if let Some(db) = $crate::support::TestDb::postgres().await {
                    super::$scenario(db).await;
                }
            }
        }
    };
}

/// Polls `check` until it yields `Some`, or panics with `what` after `wait`.
pub async fn eventually<T, F, Fut>(wait: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {wait:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A database of its own for one test.
pub enum TestDb {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("wharf.db").display()
        );
        TestDb::Sqlite { _dir: dir, url }
    }

    /// A fresh database on `TEST_POSTGRES_URL`. Without it, `None` — except
    /// under CI, where PostgreSQL must be there (`make test` provides it).
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("CI").is_err(),
                "TEST_POSTGRES_URL must be set under CI (make test sets it)"
            );
            eprintln!(
                "SKIPPED: PostgreSQL variant: TEST_POSTGRES_URL is not set (make test sets it)"
            );
            return None;
        };
        let name = format!("wharf_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url.as_str())
            .await
            .expect("connect to TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.ok();
        let url = wharf::config::with_database(&admin_url, &name);
        Some(TestDb::Postgres {
            admin_url,
            name,
            url,
        })
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres {
            admin_url, name, ..
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Real NATS: the hub cluster and one leaf per region, in a temp dir.
pub struct Nats {
    pub servers: LocalNats,
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for Nats {
    type Target = LocalNats;
    fn deref(&self) -> &LocalNats {
        &self.servers
    }
}

impl std::ops::DerefMut for Nats {
    fn deref_mut(&mut self) -> &mut LocalNats {
        &mut self.servers
    }
}

impl Nats {
    /// Starts the servers; a start that fails (a free port taken by another
    /// test in between) is retried on new ports.
    pub async fn start(regions: &[&str]) -> Self {
        init_logs();
        let regions: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
        let mut last_error = None;
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let started = async {
                let ports = Ports::plan([0; 6], 3, regions.len())?;
                let security = NatsSecurity::generate();
                let wait = Duration::from_secs(30);
                LocalNats::start("nats-server", dir.path(), ports, &regions, security, wait).await
            };
            match started.await {
                Ok(servers) => return Self { servers, dir },
                Err(err) => last_error = Some(err),
            }
        }
        panic!("NATS did not start: {:#}", last_error.unwrap());
    }

    pub async fn hub_js(&self) -> jetstream::Context {
        let client = relay::nats::connect(
            &self.hub.client_urls(),
            "test",
            Duration::from_secs(10),
            &self.security.ops_access(),
        )
        .await
        .unwrap();
        jetstream::new(client)
    }

    pub fn leaf(&mut self, region: &str) -> &mut LeafNode {
        self.leaves.iter_mut().find(|l| l.region == region).unwrap()
    }
}

/// Options of a test stack.
pub struct StackOptions {
    pub regions: Vec<&'static str>,
    pub partitions: u16,
    pub edge_ack_timeout_ms: u64,
    /// Adjusts the config before the roles start (e.g. sender settings).
    pub tune: fn(&mut Config),
    /// Replaces `[alerts]` before the roles start (a test's sinks and rules).
    pub alerts: Option<admin::alerts::AlertSettings>,
    /// Runs the in-process sender; off for a test that runs (and kills)
    /// sender processes of its own.
    pub sender: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            regions: vec!["eu", "us"],
            partitions: 4,
            edge_ack_timeout_ms: 5000,
            tune: |_| {},
            alerts: None,
            sender: true,
        }
    }
}

/// The whole pipeline on real processes: NATS, a database, edges per region,
/// a router and the admin server.
pub struct Stack {
    pub nats: Nats,
    pub db: TestDb,
    pub config: Config,
    pub edges: Vec<(String, String)>,
    pub admin_url: String,
    pub sandbox_url: String,
    pub database: sea_orm::DatabaseConnection,
    pub http: reqwest::Client,
    pub shutdown: CancellationToken,
    /// The other roles ([`wharf::stack::Stack::run_until_stopped`]).
    task: tokio::task::JoinHandle<()>,
    /// Stops the running router alone (see [`Stack::stop_router`]).
    router: Option<(CancellationToken, tokio::task::JoinHandle<()>)>,
}

pub fn test_number() -> NumberCredentials {
    NumberCredentials {
        display_phone: "+1 555 0100".into(),
        verify_token: Secret::new(VERIFY_TOKEN),
        ..NumberCredentials::signed_by(Provider::Meta, PHONE_NUMBER_ID, APP_SECRET)
    }
}

pub fn test_wasender_number() -> NumberCredentials {
    NumberCredentials {
        display_phone: "+49 151 0000".into(),
        ..NumberCredentials::signed_by(Provider::Wasender, WASENDER_SESSION, WASENDER_SECRET)
    }
}

pub fn test_config(nats: &Nats, db: &TestDb, options: &StackOptions) -> Config {
    let env = figment::providers::Env::prefixed("WHARF_TEST_UNSET_PREFIX__");
    let mut config = Config::load_from(None, env).unwrap();
    config.numbers = vec![test_number(), test_wasender_number()];
    config.nats.url = nats.hub.client_urls();
    nats.security.apply(&mut config.nats.users);
    config.nats.connect_wait_secs = 10;
    config.database.url = db.url().to_owned();
    config.topology.partitions = options.partitions;
    config.topology.regions = options.regions.iter().map(|r| r.to_string()).collect();
    config.edge.ack_timeout_ms = options.edge_ack_timeout_ms;
    config.edge.retry_after_secs = 2;
    config.edge.listen = "127.0.0.1:0".parse().unwrap();
    config.admin.listen = "127.0.0.1:0".parse().unwrap();
    config.sandbox.listen = "127.0.0.1:0".parse().unwrap();
    config.sandbox.status_delay_ms = 20;
    config.up.edge_http_port = 0;
    config.up.sandbox_port = 0;
    config.router.max_nak_delay_ms = 1000;
    config.secrets.key = relay::secret::Secret::new(relay::vault::Vault::generate_key());
    config.validate().unwrap();
    config
}

/// Sends the in-process roles' logs to the test's captured output, so a
/// failing test shows what the stack did (warnings, and Wharf's own info
/// lines); `WHARF_TEST_LOG` overrides the filter.
pub fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_env("WHARF_TEST_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,relay=info,wharf=info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// Starts everything for one test: the stack `wharf up` builds, with the
/// router run on its own so a test can stop and start it.
pub async fn spawn_stack(db: TestDb, options: StackOptions) -> Stack {
    init_logs();
    let nats = Nats::start(&options.regions).await;
    let mut config = test_config(&nats, &db, &options);
    (options.tune)(&mut config);
    // A test's alerts; with no edge URLs of their own, an edge's /metrics.
    let edge_metrics = match options.alerts {
        Some(alerts) => {
            config.alerts = alerts;
            EdgeMetrics::FirstEdge { edge_rule: false }
        }
        None => EdgeMetrics::AsConfigured,
    };
    let mut built = wharf::stack::Stack::build(StackConfig {
        config,
        leaves: nats.edge_leaves(),
        ready_wait: Duration::from_secs(30),
        sandboxed: Sandboxed::All,
        edge_metrics,
        admin_token: ("test".into(), ADMIN_TOKEN.into()),
        admin_account: None,
    })
    .await
    .unwrap();
    built.config.validate().unwrap();
    let shutdown = CancellationToken::new();
    if !options.sender {
        built.sender = None;
    }
    let router = built.router.take().expect("a router");
    let router_token = shutdown.child_token();
    let token = router_token.clone();
    let router_task = tokio::spawn(async move { router.run(token).await.unwrap() });
    Stack {
        nats,
        db,
        config: built.config.clone(),
        edges: built
            .edges
            .iter()
            .map(|e| (e.region.clone(), e.url.clone()))
            .collect(),
        admin_url: built.admin_url.clone(),
        sandbox_url: built.sandbox_url.clone(),
        database: built.database.clone(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap(),
        shutdown: shutdown.clone(),
        task: tokio::spawn(async move { built.run_until_stopped(shutdown).await.unwrap() }),
        router: Some((router_token, router_task)),
    }
}

impl Stack {
    /// Stops the router (its consumers stay, so INBOUND backs up) and waits
    /// until it has let go of what it held.
    pub async fn stop_router(&mut self) {
        if let Some((token, task)) = self.router.take() {
            token.cancel();
            tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .expect("router stops")
                .unwrap();
        }
    }

    /// Starts a router again (after [`Stack::stop_router`]).
    pub async fn start_router(&mut self) {
        assert!(self.router.is_none(), "a router is running");
        let router = roles::build_router(&self.config, self.database.clone())
            .await
            .unwrap();
        let token = self.shutdown.child_token();
        let run = token.clone();
        let task = tokio::spawn(async move { router.run(run).await.unwrap() });
        self.router = Some((token, task));
    }

    pub fn edge_url(&self, region: &str) -> String {
        self.edges
            .iter()
            .find(|(r, _)| r == region)
            .map(|(_, u)| u.clone())
            .unwrap()
    }

    /// A customer's text message sent at `ts` (unix seconds) through the
    /// edge to the main number; the conversation it joined, once the
    /// router stored it (waits up to 40 s).
    pub async fn customer_writes(&self, from: &str, wamid: &str, text: &str, ts: i64) -> i64 {
        use entities::message;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let webhook = meta_text(PHONE_NUMBER_ID, from, "Client", wamid, text, ts);
        assert_eq!(
            self.post_meta("eu", &webhook, APP_SECRET).await.status(),
            200
        );
        eventually(
            Duration::from_secs(40),
            &format!("message {wamid} stored"),
            || async {
                message::Entity::find()
                    .filter(message::Column::ProviderMessageId.eq(wamid))
                    .one(&self.database)
                    .await
                    .ok()
                    .flatten()
                    .map(|m| m.conversation_id)
            },
        )
        .await
    }

    /// POSTs a Meta delivery signed with `secret` to an edge.
    pub async fn post_meta(&self, region: &str, body: &[u8], secret: &str) -> reqwest::Response {
        post_signed_meta(
            &self.http,
            &format!("{}/webhooks/meta", self.edge_url(region)),
            body,
            secret,
        )
        .await
    }

    /// POSTs a WasenderApi delivery to an edge with `secret` as its
    /// signature header.
    pub async fn post_wasender(&self, region: &str, body: &str, secret: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/webhooks/wasender", self.edge_url(region)))
            .header("content-type", "application/json")
            .header("x-webhook-signature", secret)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// GET on the admin API with the test token; returns (status, JSON).
    pub async fn admin_get(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.admin_url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// POST on the admin API with the test token; returns (status, JSON).
    pub async fn admin_post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.admin_url))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// GET on the sandbox provider (`/sandbox/...`); its JSON.
    pub async fn sandbox_get(&self, path: &str) -> serde_json::Value {
        self.http
            .get(format!("{}{path}", self.sandbox_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The first edge's `/metrics` (in-process roles share one registry,
    /// so it shows every role's figures).
    pub async fn metrics_text(&self) -> String {
        let edge = &self.edges[0].1;
        self.http
            .get(format!("{edge}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Waits until INBOUND holds `expected` events (sourcing from the regions
    /// is asynchronous), then until the routers have applied them all.
    pub async fn wait_routed(&self, expected: u64) {
        let js = self.nats.hub_js().await;
        eventually(
            Duration::from_secs(30),
            "INBOUND to hold every event",
            || {
                let js = js.clone();
                async move {
                    let mut stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
                    (stream.info().await.ok()?.state.messages >= expected).then_some(())
                }
            },
        )
        .await;
        self.wait_router_idle().await;
    }

    /// Waits until the routers applied everything INBOUND holds
    /// ([`routers_caught_up`]).
    pub async fn wait_router_idle(&self) {
        let js = self.nats.hub_js().await;
        let partitions = self.config.topology.partitions;
        eventually(Duration::from_secs(20), "router consumers idle", || {
            routers_caught_up(js.clone(), partitions)
        })
        .await;
    }
}

/// How long a check reading a stream waits out JetStream being briefly
/// unavailable (a hub node restarting, leaders being elected) per request.
const READ_PATIENCE: Duration = Duration::from_secs(60);

/// Every message stored in stream `name`, in sequence order. Each request
/// is retried through passing unavailability ([`relay::nats::retry_within`]),
/// so a check made right after a fault sees the whole stream or fails
/// loudly; sequences deleted from the stream are skipped.
pub async fn stream_messages(
    js: &jetstream::Context,
    name: &str,
) -> Vec<jetstream::message::StreamMessage> {
    use async_nats::jetstream::stream::LastRawMessageErrorKind;
    let what = format!("reading stream {name}");
    let stream = relay::nats::retry_within(&what, READ_PATIENCE, |_| false, || js.get_stream(name))
        .await
        .unwrap_or_else(|err| panic!("{what}: {err}"));
    let last = stream.cached_info().state.last_sequence;
    let mut messages = Vec::new();
    for seq in 1..=last {
        let gone = |err: &async_nats::jetstream::stream::RawMessageError| {
            err.kind() == LastRawMessageErrorKind::NoMessageFound
        };
        match relay::nats::retry_within(&what, READ_PATIENCE, gone, || stream.get_raw_message(seq))
            .await
        {
            Ok(message) => messages.push(message),
            Err(err) if gone(&err) => {}
            Err(err) => panic!("{what}, sequence {seq}: {err}"),
        }
    }
    messages
}

/// The sender's dead letters in the hub's DLQ: our message id → the
/// subject (its reason) and error header of each, in order.
pub async fn sender_dead_letters(
    js: &jetstream::Context,
) -> std::collections::HashMap<i64, Vec<(String, String)>> {
    let mut letters: std::collections::HashMap<i64, Vec<(String, String)>> =
        std::collections::HashMap::new();
    let sender = relay::topology::dlq_subject(relay::topology::DLQ_ORIGIN_SENDER, "");
    for raw in stream_messages(js, relay::topology::DLQ).await {
        if !raw.subject.starts_with(&sender) {
            continue;
        }
        let reply: relay::envelope::OutboundReply = serde_json::from_slice(&raw.payload).unwrap();
        let error = raw
            .headers
            .get(relay::dlq::headers::ERROR)
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        letters
            .entry(reply.message_id)
            .or_default()
            .push((raw.subject.to_string(), error));
    }
    letters
}

/// Whether the routers applied everything INBOUND holds: on every partition
/// consumer nothing pending or unacked and the ack floor at the partition's
/// last event (right after an event is stored, nats-server 2.11+ can report
/// a consumer with nothing pending before it has delivered it), and the
/// regions' sources caught up.
pub async fn routers_caught_up(js: jetstream::Context, partitions: u16) -> Option<()> {
    let mut stream = js.get_stream(relay::topology::INBOUND).await.ok()?;
    for p in 0..partitions {
        let mut consumer: jetstream::consumer::PullConsumer = stream
            .get_consumer(&relay::topology::router_consumer(p))
            .await
            .ok()?;
        let info = consumer.info().await.ok()?;
        if info.num_pending > 0 || info.num_ack_pending > 0 {
            return None;
        }
        let last = stream
            .get_last_raw_message_by_subject(&relay::topology::inbound_partition_filter(p))
            .await;
        match last {
            Ok(last) if info.ack_floor.stream_sequence < last.sequence => return None,
            Ok(_) => {}
            Err(err)
                if err.kind() == jetstream::stream::LastRawMessageErrorKind::NoMessageFound => {}
            Err(_) => return None,
        }
    }
    let info = stream.info().await.ok()?;
    info.sources.iter().all(|s| s.lag == 0).then_some(())
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.task.abort();
        if let Some((_, task)) = &self.router {
            task.abort();
        }
    }
}

/// A realistic Meta delivery with one text message.
pub fn meta_text(
    number: &str,
    from: &str,
    name: &str,
    wamid: &str,
    text: &str,
    ts: i64,
) -> Vec<u8> {
    serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "102290129340398",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550100", "phone_number_id": number},
                    "contacts": [{"profile": {"name": name}, "wa_id": from}],
                    "messages": [{"from": from, "id": wamid, "timestamp": ts.to_string(), "type": "text", "text": {"body": text}}]
                }
            }]
        }]
    })
    .to_string()
    .into_bytes()
}

/// The stage names of a `/api/v1/messages/{id}/lifecycle` answer, in order.
pub fn stages(lifecycle: &serde_json::Value) -> Vec<String> {
    lifecycle["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap().to_owned())
        .collect()
}

pub fn unique_port() -> u16 {
    free_port().unwrap()
}

/// A customer writes now (so the 24 h window is open); returns the id of
/// the conversation the router opened for them.
pub async fn open_conversation(stack: &Stack, from: &str, wamid: &str) -> i64 {
    let now = chrono::Utc::now().timestamp();
    let body = meta_text(PHONE_NUMBER_ID, from, "Fay", wamid, "I need help", now);
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    eventually(Duration::from_secs(20), "the conversation", || async {
        let (_, page) = stack.admin_get("/api/v1/conversations").await;
        page["items"]
            .as_array()?
            .iter()
            .find(|c| c["contact"]["wa_id"] == from)
            .and_then(|c| c["id"].as_i64())
    })
    .await
}

/// `n` bytes that do not compress or repeat, starting with `magic`.
pub fn file_bytes(magic: &[u8], n: usize, seed: u64) -> Vec<u8> {
    let mut bytes = magic.to_vec();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push((x >> 24) as u8);
    }
    bytes
}

/// A JPEG of `width` × `height` as its header says (SOI, JFIF, a
/// baseline SOF0), filled to `n` bytes like [`file_bytes`].
pub fn jpeg_bytes(width: u16, height: u16, n: usize, seed: u64) -> Vec<u8> {
    let mut header = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10];
    header.extend_from_slice(b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00");
    header.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08]);
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    file_bytes(&header, n, seed)
}

/// POSTs a Meta delivery to `url`, signed with `secret`.
pub async fn post_signed_meta(
    http: &reqwest::Client,
    url: &str,
    body: &[u8],
    secret: &str,
) -> reqwest::Response {
    http.post(url)
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            relay::provider::meta::sign(secret, body),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}
