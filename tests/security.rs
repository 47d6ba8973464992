//! Security hardening (issue 11) on real processes: provider secrets sealed
//! at rest and still usable by the roles that need them, key rotation, and
//! a full `wharf up` run whose every log line is searched for the secrets it
//! handled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use entities::business_number;
use relay::secret::Secret;
use relay::vault::{self, Vault};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use support::*;

fn vault_with(key: &str, previous: &[&str]) -> Vault {
    let previous: Vec<Secret> = previous.iter().map(|k| Secret::new(*k)).collect();
    Vault::new(&Secret::new(key), &previous).unwrap()
}

/// Every secret column of every row: sealed, never the plaintext.
async fn assert_all_sealed(db: &sea_orm::DatabaseConnection, plaintexts: &[&str]) -> usize {
    let rows = business_number::Entity::find().all(db).await.unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        for value in [
            row.app_secret.as_str(),
            row.verify_token.as_str(),
            row.access_token.as_deref().unwrap_or_default(),
        ] {
            assert!(
                value.is_empty() || value.starts_with("enc:v1:"),
                "number {} holds a value in clear",
                row.id
            );
            for plain in plaintexts {
                assert!(!value.contains(plain), "number {} shows a secret", row.id);
            }
        }
    }
    rows.len()
}

async fn secrets_are_sealed_at_rest_and_the_roles_still_use_them(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    assert_all_sealed(
        &stack.database,
        &[APP_SECRET, VERIFY_TOKEN, WASENDER_SECRET],
    )
    .await;

    // A number created through the API: sealed, never returned.
    let (status, created) = stack
        .admin_post(
            "/api/v1/numbers",
            json!({
                "provider": "meta", "phone_number_id": "1065999000111",
                "display_phone": "+1 555 0199", "name": "Sealed",
                "app_secret": "sealed-app-secret-41", "verify_token": "sealed-verify-42",
                "access_token": "sealed-access-token-43",
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["has_access_token"], true);
    assert!(!created.to_string().contains("sealed-"));
    assert_all_sealed(
        &stack.database,
        &[
            "sealed-app-secret-41",
            "sealed-verify-42",
            "sealed-access-token-43",
        ],
    )
    .await;

    // The edge verifies with the opened app secret (through the hub's
    // bucket), and the Meta verification handshake with the verify token.
    let body = meta_text(
        "1065999000111",
        "4915100000411",
        "Sia",
        "wamid.SEALED.1",
        "hello",
        chrono::Utc::now().timestamp(),
    );
    eventually(
        Duration::from_secs(20),
        "the new number at the edge",
        || {
            let body = body.clone();
            let stack = &stack;
            async move {
                (stack
                    .post_meta("eu", &body, "sealed-app-secret-41")
                    .await
                    .status()
                    == 200)
                    .then_some(())
            }
        },
    )
    .await;
    let challenge = stack
        .http
        .get(format!(
            "{}/webhooks/meta?hub.mode=subscribe&hub.verify_token=sealed-verify-42&hub.challenge=c42",
            stack.edge_url("eu")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 200);
    assert_eq!(challenge.text().await.unwrap(), "c42");

    // The sender opens the access token: the sandbox (which checks it)
    // accepts a reply through the seeded number.
    let conversation = open_conversation(&stack, "4915100000412", "wamid.SEALED.2").await;
    let (status, reply) = stack
        .admin_post(
            &format!("/api/v1/conversations/{conversation}/reply"),
            json!({"text": "sealed and sent"}),
        )
        .await;
    assert_eq!(status, 202, "{reply}");
    let id = reply["id"].as_i64().unwrap();
    eventually(Duration::from_secs(30), "the reply sent", || async {
        let row = entities::message::Entity::find_by_id(id)
            .one(&stack.database)
            .await
            .ok()??;
        ["sent", "delivered", "read"]
            .contains(&row.status.as_str())
            .then_some(())
    })
    .await;
}

on_sqlite_and_postgres!(secrets_are_sealed_at_rest_and_the_roles_still_use_them);

#[tokio::test]
async fn rotation_reseals_every_value_under_the_new_key() {
    let db = TestDb::sqlite();
    let conn = sea_orm::Database::connect(db.url()).await.unwrap();
    wharf::roles::migrate(&conn).await.unwrap();
    let old_key = Vault::generate_key();
    let old = vault_with(&old_key, &[]);
    let mut number = test_number();
    number.access_token = Secret::new("rotating-access-token");
    wharf::roles::seed_numbers(&conn, &[number, test_wasender_number()], &old)
        .await
        .unwrap();
    // A value written before encryption existed.
    let legacy: business_number::ActiveModel = business_number::ActiveModel {
        provider: Set("meta".into()),
        phone_number_id: Set("1065000000777".into()),
        display_phone: Set(String::new()),
        name: Set("legacy".into()),
        app_secret: Set("legacy-app-secret".into()),
        verify_token: Set(String::new()),
        access_token: Set(Some("legacy-access-token".into())),
        api_base_url: Set(None),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    legacy.insert(&conn).await.unwrap();

    // The new key alone cannot open the old values: re-sealing says which
    // number, never a value.
    let new_key = Vault::generate_key();
    let err = vault::reseal_numbers(&conn, &vault_with(&new_key, &[]))
        .await
        .unwrap_err();
    assert!(err.contains("not configured"), "{err}");
    assert!(!err.contains("rotating-access-token"));

    let rotating = vault_with(&new_key, &[&old_key]);
    assert_eq!(vault::reseal_numbers(&conn, &rotating).await.unwrap(), 3);
    assert_eq!(vault::reseal_numbers(&conn, &rotating).await.unwrap(), 0);
    assert_all_sealed(
        &conn,
        &[
            APP_SECRET,
            "rotating-access-token",
            "legacy-app-secret",
            "legacy-access-token",
        ],
    )
    .await;
    // After the rotation the old key can go.
    let new_only = vault_with(&new_key, &[]);
    let rows = business_number::Entity::find().all(&conn).await.unwrap();
    let opened: Vec<String> = rows
        .iter()
        .map(|r| {
            vault::open_number(&new_only, r)
                .unwrap()
                .access_token
                .expose()
                .to_owned()
        })
        .collect();
    assert!(opened.contains(&"rotating-access-token".to_owned()));
    assert!(opened.contains(&"legacy-access-token".to_owned()));
    assert!(
        rows.iter()
            .all(|r| vault::open_number(&old, r).is_err() || r.app_secret.is_empty())
    );
}

fn wharf() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// `wharf up` at debug level, a customer message, a reply, a new number
/// with its secrets, a failed login: not one of the secrets handled shows
/// in any log line, and the database holds them sealed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_at_debug_level_never_logs_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_path = dir.path().join("up.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let db_url = format!("sqlite://{}?mode=rwc", data.join("wharf.db").display());
    let mut command = wharf();
    command
        .arg("up")
        .env_remove("WHARF_CONFIG")
        .env("WHARF__UP__DATA_DIR", &data)
        .env("WHARF__DATABASE__URL", &db_url)
        .env("WHARF__ADMIN__LISTEN", "127.0.0.1:0")
        .env(
            "RUST_LOG",
            "debug,async_nats=info,hyper=info,hyper_util=info,h2=info,rustls=info,tower=info",
        );
    for key in [
        "HUB_CLIENT_PORT",
        "HUB_CLUSTER_PORT",
        "HUB_LEAFNODE_PORT",
        "HUB_MONITOR_PORT",
        "LEAF_CLIENT_PORT",
        "LEAF_MONITOR_PORT",
        "EDGE_HTTP_PORT",
        "SANDBOX_PORT",
    ] {
        command.env(format!("WHARF__UP__{key}"), "0");
    }
    let mut child = command
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap();
    let guard = scopeguard(child.id());

    let stack = eventually(Duration::from_secs(90), "stack.json", || async {
        read_json(&data.join("stack.json"))
    })
    .await;
    let credentials = stack["credentials"].clone();
    let text = |k: &str| credentials[k].as_str().unwrap().to_owned();
    let (number, app_secret, token) = (
        text("phone_number_id"),
        text("app_secret"),
        text("admin_token"),
    );
    let admin_url = stack["admin_url"].as_str().unwrap().to_owned();
    let edge_url = stack["edges"][0]["url"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();

    let body = meta_text(
        &number,
        "4915100000421",
        "Ida",
        "wamid.LOGS.1",
        "please call me",
        chrono::Utc::now().timestamp(),
    );
    let accepted = http
        .post(format!("{edge_url}/webhooks/meta"))
        .header(
            "x-hub-signature-256",
            relay::provider::meta::sign(&app_secret, &body),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 200);
    let conversation = eventually(Duration::from_secs(30), "the conversation", || async {
        let page: serde_json::Value = http
            .get(format!("{admin_url}/api/v1/conversations"))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        page["items"].as_array()?.first()?["id"].as_i64()
    })
    .await;
    let reply: serde_json::Value = http
        .post(format!(
            "{admin_url}/api/v1/conversations/{conversation}/reply"
        ))
        .bearer_auth(&token)
        .json(&json!({"text": "calling you now"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reply_id = reply["id"].as_i64().expect("a queued reply");
    eventually(Duration::from_secs(30), "the reply delivered", || async {
        let detail: serde_json::Value = http
            .get(format!("{admin_url}/api/v1/conversations/{conversation}"))
            .bearer_auth(&token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        detail["messages"].as_array()?.iter().find(|m| {
            m["id"].as_i64() == Some(reply_id)
                && ["sent", "delivered", "read"].contains(&m["status"].as_str().unwrap_or(""))
        })?;
        Some(())
    })
    .await;
    let created = http
        .post(format!("{admin_url}/api/v1/numbers"))
        .bearer_auth(&token)
        .json(&json!({
            "provider": "meta", "phone_number_id": "1065999000222",
            "display_phone": "+1 555 0222", "name": "Logged?",
            "app_secret": "never-logged-app-secret", "verify_token": "never-logged-verify",
            "access_token": "never-logged-access-token",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let refused = http
        .post(format!("{admin_url}/api/v1/auth/login"))
        .json(&json!({"email": credentials["admin_email"], "password": "never-logged-wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let bad_signature = http
        .post(format!("{edge_url}/webhooks/meta"))
        .header("x-hub-signature-256", "sha256=00")
        .body(meta_text(
            &number,
            "4915100000421",
            "Ida",
            "wamid.LOGS.2",
            "forged",
            chrono::Utc::now().timestamp(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_signature.status(), 401);

    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    drop(guard);
    assert!(status.success(), "wharf up exited with {status}");

    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.lines().count() > 50 && logs.contains("DEBUG"),
        "debug logs were written"
    );
    let key = std::fs::read_to_string(data.join("secrets.key")).unwrap();
    let mut secrets = vec![
        app_secret,
        text("verify_token"),
        text("access_token"),
        token,
        text("admin_password"),
        key.trim().to_owned(),
        "never-logged-app-secret".into(),
        "never-logged-verify".into(),
        "never-logged-access-token".into(),
        "never-logged-wrong-password".into(),
    ];
    secrets.retain(|s| !s.is_empty());
    assert_eq!(secrets.len(), 10);
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret of length {} is in the logs",
            secret.len()
        );
    }

    let conn = sea_orm::Database::connect(&db_url).await.unwrap();
    assert_eq!(
        assert_all_sealed(
            &conn,
            &secrets.iter().map(String::as_str).collect::<Vec<_>>()
        )
        .await,
        2
    );
}

/// Kills `wharf up` if the test fails before stopping it.
fn scopeguard(pid: u32) -> impl Drop {
    struct Kill(u32);
    impl Drop for Kill {
        fn drop(&mut self) {
            if std::thread::panicking() {
                let _ = Command::new("kill")
                    .arg("-TERM")
                    .arg(self.0.to_string())
                    .status();
                std::thread::sleep(Duration::from_secs(3));
            }
        }
    }
    Kill(pid)
}
