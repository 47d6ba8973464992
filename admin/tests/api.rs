//! Black-box tests of the admin HTTP API: a real SQLite file migrated with the
//! real migrations, a real `nats-server`, and the real server bound on a free
//! port, spoken to over HTTP with reqwest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use admin::{AdminServer, AdminSettings};
use chrono::{DateTime, TimeZone, Utc};
use entities::{business_number, contact, conversation, message};
use migrations::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "test-admin-token-5e2d";
/// The pinned server `make deps` installs, else the one on PATH.
fn nats_server_binary() -> std::path::PathBuf {
    let pinned =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/nats/bin/nats-server");
    if pinned.is_file() {
        pinned
    } else {
        "nats-server".into()
    }
}
const APP_SECRET: &str = "app-secret-never-shown-91c4";
const VERIFY_TOKEN: &str = "verify-token-never-shown-2b7e";
const ACCESS_TOKEN: &str = "access-token-never-shown-d03a";
const NUMBER_A: &str = "100000000000001";
const NUMBER_B: &str = "100000000000002";

/// Polls `check` until it yields `Some`, or panics after `wait`.
async fn eventually<T, F, Fut>(wait: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A `nats-server` on a free port in a temp dir; killed on drop.
struct NatsServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl NatsServer {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(nats_server_binary())
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server runs (`make deps` installs it)");
        let server = NatsServer {
            child,
            url: format!("nats://127.0.0.1:{port}"),
            _dir: dir,
        };
        eventually(
            Duration::from_secs(10),
            "nats-server to accept connections",
            || async {
                tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .ok()
                    .map(|_| ())
            },
        )
        .await;
        server
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One running admin server with its own database and NATS.
struct TestApp {
    base: String,
    db: DatabaseConnection,
    http: reqwest::Client,
    shutdown: CancellationToken,
    server: Option<tokio::task::JoinHandle<admin::Result<()>>>,
    _nats: NatsServer,
    _dir: tempfile::TempDir,
}

impl TestApp {
    async fn spawn() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("admin.db").display()
        );
        let db = Database::connect(url.as_str()).await.unwrap();
        // WAL, as `wharf` opens SQLite (src/roles.rs): a request's read never
        // waits behind the server's background writers.
        db.execute_unprepared("PRAGMA journal_mode=WAL")
            .await
            .unwrap();
        Migrator::up(&db, None).await.unwrap();
        admin::tokens::ensure_token(&db, "test", TOKEN)
            .await
            .unwrap();

        let nats = NatsServer::start().await;
        let client = async_nats::connect(&nats.url).await.unwrap();
        let settings = AdminSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            web_dir: None,
            ..AdminSettings::default()
        };
        let server = AdminServer::bind(settings, db.clone(), client, 4, test_vault())
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(server.run(shutdown.clone()));
        TestApp {
            base,
            db,
            http: reqwest::Client::new(),
            shutdown,
            server: Some(handle),
            _nats: nats,
            _dir: dir,
        }
    }

    async fn get_as(&self, path: &str, token: Option<&str>) -> (StatusCode, String) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    /// GET with the valid token; the body parsed as JSON.
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (status, body) = self.get_as(path, Some(TOKEN)).await;
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
        (status, json)
    }

    async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(15), handle)
                .await
                .expect("server stops when cancelled")
                .unwrap()
                .unwrap();
        }
    }
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_790_000_000 + secs, 0).single().unwrap()
}

/// What `seed` put into the database.
struct Seeded {
    number_a: i64,
    /// Conversation ids in insertion (= id) order.
    conversations: Vec<i64>,
}

async fn number(db: &DatabaseConnection, phone_number_id: &str) -> i64 {
    business_number::ActiveModel {
        provider: Set("meta".into()),
        phone_number_id: Set(phone_number_id.into()),
        display_phone: Set(format!("+{phone_number_id}")),
        name: Set(format!("Support {phone_number_id}")),
        app_secret: Set(APP_SECRET.into()),
        verify_token: Set(VERIFY_TOKEN.into()),
        access_token: Set(Some(ACCESS_TOKEN.into())),
        api_base_url: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn contact(db: &DatabaseConnection, wa_id: &str, name: &str, tier: &str) -> i64 {
    contact::ActiveModel {
        wa_id: Set(wa_id.into()),
        profile_name: Set(Some(name.into())),
        tier: Set(tier.into()),
        language: Set(Some("en".into())),
        attributes: Set(serde_json::json!({})),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn conversation(
    db: &DatabaseConnection,
    number: i64,
    contact: i64,
    status: &str,
    last: i64,
) -> i64 {
    conversation::ActiveModel {
        business_number_id: Set(number),
        contact_id: Set(contact),
        status: Set(status.into()),
        team_id: Set(None),
        assignee_id: Set(None),
        priority: Set(0),
        version: Set(1),
        last_inbound_at: Set(Some(at(last))),
        last_message_at: Set(at(last)),
        resolved_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

async fn message(
    db: &DatabaseConnection,
    conversation: i64,
    wamid: &str,
    body: &str,
    provider_secs: i64,
) -> i64 {
    message::ActiveModel {
        conversation_id: Set(conversation),
        direction: Set("inbound".into()),
        provider: Set("meta".into()),
        provider_message_id: Set(Some(wamid.into())),
        kind: Set("text".into()),
        body: Set(Some(body.into())),
        payload: Set(serde_json::json!({})),
        status: Set("received".into()),
        error: Set(None),
        provider_timestamp: Set(at(provider_secs)),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
    .id
}

/// Two numbers, three contacts, seven conversations: five `queued` ones on
/// number A, one `resolved` on A and one `bot` on number B.
async fn seed(db: &DatabaseConnection) -> Seeded {
    let number_a = number(db, NUMBER_A).await;
    let number_b = number(db, NUMBER_B).await;
    let alice = contact(db, "447700900001", "Alice", "gold").await;
    let bob = contact(db, "447700900002", "Bob", "standard").await;
    let carol = contact(db, "447700900003", "Carol", "standard").await;
    let mut conversations = Vec::new();
    for i in 0..5 {
        let who = if i % 2 == 0 { alice } else { bob };
        conversations.push(conversation(db, number_a, who, "queued", i).await);
    }
    conversations.push(conversation(db, number_a, carol, "resolved", 10).await);
    conversations.push(conversation(db, number_b, carol, "bot", 20).await);
    Seeded {
        number_a,
        conversations,
    }
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items is an array")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_without_a_token_get_a_json_401() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_as("/api/v1/conversations", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let json: Value = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(json["code"], "unauthorized");
    assert!(json["detail"].is_string());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_with_an_unknown_token_get_a_json_401() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .get_as("/api/v1/conversations", Some("not-the-token"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let json: Value = serde_json::from_str(&body).expect("JSON body");
    assert_eq!(json["code"], "unauthorized");
    let (status, _) = app
        .get_as("/api/v1/system/info", Some("not-the-token"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_returns_every_conversation_newest_id_first_with_its_contact() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app.db).await;

    let (status, page) = app.get("/api/v1/conversations").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut expected = seeded.conversations.clone();
    expected.reverse();
    assert_eq!(ids(&page), expected);
    assert!(page["next_cursor"].is_null(), "one page holds all: {page}");

    let first = &page["items"][0];
    assert_eq!(first["status"], "bot");
    assert_eq!(first["business_number"], NUMBER_B);
    assert_eq!(first["contact"]["wa_id"], "447700900003");
    assert_eq!(first["contact"]["profile_name"], "Carol");
    assert_eq!(first["contact"]["tier"], "standard");
    assert_eq!(first["version"], 1);
    let oldest = &page["items"][6];
    assert_eq!(oldest["contact"]["profile_name"], "Alice");
    assert_eq!(oldest["contact"]["tier"], "gold");
    assert_eq!(oldest["business_number"], NUMBER_A);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listing_filters_by_status_and_by_business_number() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app.db).await;

    let (status, page) = app.get("/api/v1/conversations?status=queued").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut queued = seeded.conversations[..5].to_vec();
    queued.reverse();
    assert_eq!(ids(&page), queued);

    let (_, page) = app.get("/api/v1/conversations?status=resolved").await;
    assert_eq!(ids(&page), vec![seeded.conversations[5]]);

    let (_, page) = app
        .get(&format!("/api/v1/conversations?number={NUMBER_B}"))
        .await;
    assert_eq!(ids(&page), vec![seeded.conversations[6]]);

    let (_, page) = app
        .get(&format!(
            "/api/v1/conversations?number={NUMBER_A}&status=bot"
        ))
        .await;
    assert_eq!(ids(&page), Vec::<i64>::new());

    let (_, page) = app.get("/api/v1/conversations?number=999").await;
    assert_eq!(ids(&page), Vec::<i64>::new());
    assert!(seeded.number_a > 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_with_limit_and_cursor_visits_every_conversation_exactly_once() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app.db).await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=3&cursor={c}"),
            None => "/api/v1/conversations?limit=3".to_owned(),
        };
        let (status, page) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 3, "limit respected: {page}");
        seen.extend(page_ids);
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "paging terminates");
    }
    let mut expected = seeded.conversations.clone();
    expected.reverse();
    assert_eq!(seen, expected, "no overlap, no gap, newest first");
    assert_eq!(pages, 3);

    // Paging composes with a filter.
    let (_, first) = app.get("/api/v1/conversations?status=queued&limit=2").await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("more queued pages")
        .to_owned();
    let (_, second) = app
        .get(&format!(
            "/api/v1/conversations?status=queued&limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(
        [ids(&first), ids(&second)].concat(),
        vec![
            seeded.conversations[4],
            seeded.conversations[3],
            seeded.conversations[2],
            seeded.conversations[1]
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_status_is_a_400_invalid_parameter() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/conversations?status=closed").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_parameter");
    assert!(body["detail"].is_string());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_out_of_range_or_malformed_limit_or_cursor_is_a_400_invalid_parameter() {
    let app = TestApp::spawn().await;
    for query in ["limit=0", "limit=201", "limit=ten", "cursor=abc"] {
        let (status, body) = app.get(&format!("/api/v1/conversations?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["code"], "invalid_parameter", "{query}: {body}");
    }
    let (status, page) = app.get("/api/v1/conversations?limit=200").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn detail_returns_the_conversation_and_its_messages_in_provider_time_order() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app.db).await;
    let id = seeded.conversations[0];
    // Stored out of order: provider time decides, then id.
    let third = message(&app.db, id, "wamid.3", "third", 30).await;
    let first = message(&app.db, id, "wamid.1", "first", 10).await;
    let second_a = message(&app.db, id, "wamid.2a", "second a", 20).await;
    let second_b = message(&app.db, id, "wamid.2b", "second b", 20).await;
    message(
        &app.db,
        seeded.conversations[1],
        "wamid.other",
        "elsewhere",
        15,
    )
    .await;

    let (status, detail) = app.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["conversation"]["id"], id);
    assert_eq!(detail["conversation"]["contact"]["profile_name"], "Alice");
    let messages = detail["messages"].as_array().expect("messages");
    let order: Vec<i64> = messages.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert_eq!(order, vec![first, second_a, second_b, third]);
    assert_eq!(messages[0]["body"], "first");
    assert_eq!(messages[0]["direction"], "inbound");
    assert_eq!(messages[0]["provider_message_id"], "wamid.1");
    assert_eq!(messages[0]["kind"], "text");
    assert_eq!(messages[0]["status"], "received");
    assert!(messages[0]["provider_timestamp"].is_string());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_conversation_is_a_404_not_found() {
    let app = TestApp::spawn().await;
    seed(&app.db).await;
    let (status, body) = app.get("/api/v1/conversations/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");

    let (status, body) = app.get("/api/v1/conversations/not-a-number").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_parameter");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_response_ever_contains_a_business_number_secret() {
    let app = TestApp::spawn().await;
    let seeded = seed(&app.db).await;
    message(&app.db, seeded.conversations[0], "wamid.x", "hello", 1).await;

    let paths = [
        "/api/v1/conversations".to_owned(),
        format!("/api/v1/conversations?number={NUMBER_A}"),
        format!("/api/v1/conversations/{}", seeded.conversations[0]),
        "/api/v1/system/info".to_owned(),
        "/api/openapi.json".to_owned(),
    ];
    for path in paths {
        let (status, body) = app.get_as(&path, Some(TOKEN)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        for secret in [APP_SECRET, VERIFY_TOKEN, ACCESS_TOKEN, TOKEN] {
            assert!(!body.contains(secret), "{path} leaks a secret: {body}");
        }
        assert!(
            !body.contains(&admin::tokens::hash_token(TOKEN)),
            "{path} leaks the token hash"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn system_info_reports_version_sqlite_and_a_live_nats_connection() {
    let app = TestApp::spawn().await;
    let (status, info) = app.get("/api/v1/system/info").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["database_backend"], "sqlite");
    assert_eq!(info["nats_connected"], true);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn healthz_is_ok_while_the_database_answers() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_as("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "ok");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_served_spec_and_swagger_ui_need_no_token() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get_as("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, admin::openapi_spec(), "served spec is openapi_spec()");
    let (status, html) = app.get_as("/api/docs", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.to_lowercase().contains("swagger"), "{html}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_under_the_api_get_a_json_404() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_found");
    app.stop().await;
}

#[test]
fn openapi_spec_is_openapi_3_and_documents_the_conversation_routes_and_bearer_auth() {
    let spec: Value = serde_json::from_str(&admin::openapi_spec()).expect("spec is JSON");
    assert!(
        spec["openapi"]
            .as_str()
            .expect("openapi field")
            .starts_with("3."),
        "{}",
        spec["openapi"]
    );
    assert_eq!(spec["info"]["title"], "Wharf admin API");
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = spec["paths"].as_object().expect("paths");
    assert!(
        paths.contains_key("/api/v1/conversations"),
        "{:?}",
        paths.keys()
    );
    assert!(
        paths.contains_key("/api/v1/conversations/{id}"),
        "{:?}",
        paths.keys()
    );
    assert!(
        paths.contains_key("/api/v1/system/info"),
        "{:?}",
        paths.keys()
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            assert!(
                op["operationId"].is_string(),
                "{method} {path} has an operationId"
            );
            assert!(op["summary"].is_string(), "{method} {path} has a summary");
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
            // Logging in is the one operation that cannot need a token.
            let public = path == "/api/v1/auth/login";
            assert_eq!(
                op["security"].as_array().is_some_and(|s| !s.is_empty()),
                !public,
                "{method} {path} needs auth unless it is the login"
            );
        }
    }
    let schemes = spec["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    assert!(
        schemes
            .values()
            .any(|s| s["type"] == "http" && s["scheme"] == "bearer"),
        "{schemes:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ensure_token_is_idempotent_and_replaces_the_hash_of_a_renamed_token() {
    let app = TestApp::spawn().await;
    admin::tokens::ensure_token(&app.db, "test", TOKEN)
        .await
        .unwrap();
    let (status, _) = app.get_as("/api/v1/system/info", Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK);

    admin::tokens::ensure_token(&app.db, "test", "rotated-token")
        .await
        .unwrap();
    let (status, _) = app.get_as("/api/v1/system/info", Some(TOKEN)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "old token no longer works"
    );
    let (status, _) = app
        .get_as("/api/v1/system/info", Some("rotated-token"))
        .await;
    assert_eq!(status, StatusCode::OK, "rotated token works");
    app.stop().await;
}

fn test_vault() -> std::sync::Arc<relay::vault::Vault> {
    let key = relay::secret::Secret::new(relay::vault::Vault::generate_key());
    std::sync::Arc::new(relay::vault::Vault::new(&key, &[]).unwrap())
}
