//! The built dashboard served beside the API: files from `web_dir`,
//! `index.html` for the dashboard's own routes, and the API still winning
//! over both. A real server on a free port with a migrated SQLite file; NATS
//! is never reached (the client retries in the background), which these
//! routes do not need.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use admin::{AdminServer, AdminSettings};
use migrations::{Migrator, MigratorTrait};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database};
use tokio_util::sync::CancellationToken;

const INDEX: &str = "<!doctype html><title>Wharf</title><div id=root></div>";

struct Served {
    base: String,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn serve_dashboard() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let web = dir.path().join("dist");
    std::fs::create_dir_all(web.join("assets")).unwrap();
    std::fs::write(web.join("index.html"), INDEX).unwrap();
    std::fs::write(web.join("assets/app-1234.js"), "console.log(1)").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();

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
    let nats = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect("nats://127.0.0.1:1")
        .await
        .unwrap();
    let settings = AdminSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        web_dir: Some(web),
        ..AdminSettings::default()
    };
    let server = AdminServer::bind(settings, db, nats, 4, test_vault())
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let shutdown = CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    Served {
        base,
        shutdown,
        _dir: dir,
    }
}

#[tokio::test]
async fn dashboard_index_is_served_at_the_root_and_for_its_own_routes() {
    let app = serve_dashboard().await;
    for path in ["/", "/conversations/42", "/system?x=1"] {
        let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert_eq!(res.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn dashboard_assets_are_served_with_their_type_and_missing_ones_are_404() {
    let app = serve_dashboard().await;
    let res = reqwest::get(format!("{}/assets/app-1234.js", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let res = reqwest::get(format!("{}/assets/gone.js", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn dashboard_never_serves_files_outside_its_directory() {
    let app = serve_dashboard().await;
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
    ] {
        let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
        let body = res.text().await.unwrap();
        assert!(!body.contains("outside"), "{path} leaked a file");
    }
}

#[tokio::test]
async fn api_routes_win_over_the_dashboard() {
    let app = serve_dashboard().await;
    let res = reqwest::get(format!("{}/api/v1/conversations", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = reqwest::get(format!("{}/api/v1/no-such-route", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json")
    );
    let res = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("\"openapi\""));
}

fn test_vault() -> std::sync::Arc<relay::vault::Vault> {
    let key = relay::secret::Secret::new(relay::vault::Vault::generate_key());
    std::sync::Arc::new(relay::vault::Vault::new(&key, &[]).unwrap())
}
