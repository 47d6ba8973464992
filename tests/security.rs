//! Security hardening (issue 11) on real processes: provider secrets sealed
//! at rest and still usable by the roles that need them, key rotation, and
//! a full `wharf up` run whose every log line is searched for the secrets it
//! handled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
#[path = "support/up.rs"]
mod up;

use std::time::Duration;

use entities::business_number;
use relay::secret::Secret;
use relay::vault::{self, Vault};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use support::*;
use up::{UpProcess, message_and_reply};

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
        .unwrap_err()
        .to_string();
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

/// `wharf up` at debug level, a customer message, a reply, a new number
/// with its secrets, a failed login: not one of the secrets handled shows
/// in any log line, and the database holds them sealed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_at_debug_level_never_logs_a_secret() {
    let mut up = UpProcess::start(
        &[],
        "debug,async_nats=info,hyper=info,hyper_util=info,h2=info,rustls=info,tower=info",
    )
    .await;
    let credentials = up.stack["credentials"].clone();
    let text = |k: &str| up.credential(k);
    let (number, app_secret, token) = (
        text("phone_number_id"),
        text("app_secret"),
        text("admin_token"),
    );
    let (admin_url, edge_url) = (up.admin_url(), up.edge_url());
    let http = reqwest::Client::new();
    message_and_reply(&up, &http, "wamid.LOGS.1", &["sent", "delivered", "read"]).await;
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

    let held = ["verify_token", "access_token", "admin_password"].map(text);
    let status = up.stop().await;
    assert!(status.success(), "wharf up exited with {status}");

    let logs = up.log();
    let data = up.data.clone();
    let db_url = up.db_url.clone();
    assert!(
        logs.lines().count() > 50 && logs.contains("DEBUG"),
        "debug logs were written"
    );
    let key = std::fs::read_to_string(data.join("secrets.key")).unwrap();
    let [verify_token, access_token, admin_password] = held;
    let mut secrets = vec![
        app_secret,
        verify_token,
        access_token,
        token,
        admin_password,
        key.trim().to_owned(),
        "never-logged-app-secret".into(),
        "never-logged-verify".into(),
        "never-logged-access-token".into(),
        "never-logged-wrong-password".into(),
        up.stack["nats"]["ops_password"]
            .as_str()
            .unwrap()
            .to_owned(),
    ];
    secrets.retain(|s| !s.is_empty());
    assert_eq!(secrets.len(), 11);
    // Ours, and the NATS servers' (their routes and leaf links carry passwords).
    let mut nats_logs = String::new();
    for entry in std::fs::read_dir(data.join("nats")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "log") {
            nats_logs.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(nats_logs.contains("Server is ready"), "NATS logs were read");
    // Every role did its part with its own NATS user: nothing was refused.
    let refused: Vec<&str> = nats_logs
        .lines()
        .filter(|l| l.contains("Violation"))
        .collect();
    assert!(refused.is_empty(), "{refused:#?}");
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()) && !nats_logs.contains(secret.as_str()),
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

/// Issue 11, TLS: `wharf up --tls` runs every connection over TLS with a
/// local CA (NATS clients, routes between the hub nodes, leaf links; HTTPS
/// at the edges, the admin server and the sandbox) and the whole path works:
/// a signed webhook to the HTTPS edge, routed, replied to, and delivered —
/// the sandbox's status webhook comes back to the edge over HTTPS. Without
/// the CA, or in plain text, nothing connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_tls_on_every_connection_the_whole_path_works_and_plain_text_is_refused() {
    let up = UpProcess::start(&["--tls"], "info,async_nats=warn").await;
    let ca_path = up.stack["tls_ca_file"]
        .as_str()
        .expect("stack.json names the CA")
        .to_owned();
    let ca = reqwest::Certificate::from_pem(&std::fs::read(&ca_path).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(ca)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(up.edge_url().starts_with("https://"), "{}", up.edge_url());
    assert!(up.admin_url().starts_with("https://"), "{}", up.admin_url());
    message_and_reply(&up, &http, "wamid.TLS.1", &["delivered", "read"]).await;

    // HTTPS only, and only for clients that trust the CA.
    let untrusting = reqwest::Client::new();
    for url in [up.edge_url(), up.admin_url()] {
        let refused = untrusting.get(format!("{url}/healthz")).send().await;
        assert!(refused.is_err(), "{url} answered a client without the CA");
        let plain = url.replace("https://", "http://");
        let answer = http.get(format!("{plain}/healthz")).send().await;
        assert!(
            !matches!(answer, Ok(ref r) if r.status().is_success()),
            "{plain} answered in plain text"
        );
    }

    // NATS requires TLS: with the CA the ops user gets in, and INBOUND's
    // three replicas are current (the routes run over TLS); without it, no.
    let ops = relay::nats::Access {
        user: up.stack["nats"]["ops_user"].as_str().unwrap().to_owned(),
        password: Secret::new(up.stack["nats"]["ops_password"].as_str().unwrap()),
        inbox_prefix: String::new(),
        ca_file: Some(ca_path.clone().into()),
    };
    let hub_url = up.stack["nats"]["hub"][0].as_str().unwrap().to_owned();
    let leaf_url = up.stack["nats"]["leaves"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = ops.options().connect(hub_url.as_str()).await.unwrap();
    let js = async_nats::jetstream::new(client);
    let mut inbound = js.get_stream("INBOUND").await.unwrap();
    // A replica one message behind at the instant of asking is not a
    // broken route: current within a few seconds is what counts.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let info = loop {
        let info = inbound.info().await.unwrap().clone();
        let all_current = info
            .cluster
            .as_ref()
            .is_some_and(|c| c.replicas.iter().all(|r| r.current));
        if all_current || tokio::time::Instant::now() > deadline {
            break info;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let cluster = info.cluster.expect("a replicated stream");
    assert_eq!(cluster.replicas.len(), 2, "three replicas");
    assert!(cluster.replicas.iter().all(|r| r.current), "{cluster:?}");
    assert!(
        info.state.messages >= 2,
        "the message and the status arrived"
    );
    let leaf = ops.options().connect(leaf_url.as_str()).await.unwrap();
    leaf.flush().await.unwrap();
    let no_ca = relay::nats::Access {
        ca_file: None,
        ..ops
    };
    for url in [&hub_url, &leaf_url] {
        let refused = tokio::time::timeout(
            Duration::from_secs(10),
            no_ca.options().connect(url.as_str()),
        )
        .await;
        assert!(
            !matches!(refused, Ok(Ok(_))),
            "{url} let a client in without the CA"
        );
    }
}

/// Issue 11, abuse limits at a real edge: past the per-address budget a
/// flood gets 429 before its body is read (bad signatures included);
/// verified deliveries are never refused for volume (issue 27: no
/// per-number limit) and every one is stored; nothing refused is stored;
/// a provider timestamp a day ahead is stored and flagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_edge_limits_floods_per_address_and_flags_future_timestamps() {
    let stack = spawn_stack(
        TestDb::sqlite(),
        StackOptions {
            tune: |config| {
                config.edge.per_ip_per_second = 6;
                // An old configuration's number limit loads and is ignored.
                config.edge.per_number_per_second = Some(1);
            },
            ..StackOptions::default()
        },
    )
    .await;
    let now = chrono::Utc::now().timestamp();
    let post = |wamid: String, secret: &'static str| {
        let stack = &stack;
        async move {
            let body = meta_text(PHONE_NUMBER_ID, "4915100000431", "Flo", &wamid, "hi", now);
            stack.post_meta("eu", &body, secret).await
        }
    };
    // Forged deliveries spend the address budget (6/s): 401 while it
    // lasts, then 429 without the body being looked at. Sent at once, so
    // hardly any budget comes back meanwhile (one per 167 ms).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let forged: Vec<u16> = futures::future::join_all(
        (0..12).map(|n| post(format!("wamid.FORGED.{n}"), "wrong-secret")),
    )
    .await
    .iter()
    .map(|r| r.status().as_u16())
    .collect();
    let count = |list: &[u16], status: u16| list.iter().filter(|s| **s == status).count();
    assert_eq!(count(&forged, 401) + count(&forged, 429), 12, "{forged:?}");
    assert!((6..=8).contains(&count(&forged, 401)), "{forged:?}");
    let metrics = stack
        .http
        .get(format!("{}/metrics", stack.edge_url("eu")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("reason=\"rate_limited_source\""),
        "refusals by reason"
    );

    // Genuine deliveries for one number, five at once, the number limit
    // of the old configuration at 1/s: every one is accepted.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let statuses: Vec<u16> =
        futures::future::join_all((0..5).map(|n| post(format!("wamid.FLOOD.{n}"), APP_SECRET)))
            .await
            .iter()
            .map(|r| r.status().as_u16())
            .collect();
    assert_eq!(
        statuses,
        vec![200; 5],
        "verified deliveries are never limited"
    );
    let accepted = count(&statuses, 200);

    // Only the accepted ones are stored; the refused ones left no trace.
    stack.wait_router_idle().await;
    let stored = entities::message::Entity::find()
        .all(&stack.database)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| m.provider_message_id)
        .filter(|id| id.starts_with("wamid.FLOOD.") || id.starts_with("wamid.FORGED."))
        .count();
    assert_eq!(
        stored, accepted,
        "exactly the accepted deliveries are stored"
    );

    // A second later the budgets are back; a timestamp a day ahead is
    // accepted (never lose a genuine message) and flagged.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000432",
        "Tim",
        "wamid.FUTURE.1",
        "from tomorrow",
        now + 86_400,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let metrics = stack
        .http
        .get(format!("{}/metrics", stack.edge_url("eu")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let flagged = metrics
        .lines()
        .find(|l| {
            l.starts_with("wharf_edge_webhooks_flagged_total")
                && l.contains("reason=\"future_timestamp\"")
        })
        .unwrap_or_else(|| panic!("no flagged counter in:\n{metrics}"));
    assert!(
        flagged.ends_with(" 1")
            || flagged
                .split(' ')
                .next_back()
                .unwrap()
                .parse::<f64>()
                .unwrap()
                >= 1.0
    );
    assert!(
        counted(
            &metrics,
            "wharf_edge_webhooks_rejected_total",
            "rate_limited_source"
        ),
        "rate_limited_source counted"
    );
    // Verified deliveries are never refused for volume (issue 27).
    assert!(
        !counted(
            &metrics,
            "wharf_edge_webhooks_rejected_total",
            "rate_limited_number"
        ),
        "no verified delivery refused"
    );
}

/// Issue 11, admin hardening on a real server: security headers and no
/// CORS, the password policy, login sessions that expire, and every refused
/// authentication counted and audited (without what was presented).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_api_hardens_headers_passwords_and_sessions() {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let http = &stack.http;
    let url = |path: &str| format!("{}{path}", stack.admin_url);

    // Headers on API answers (even refusals) and the docs page; a
    // cross-origin preflight gets no CORS grant.
    let refused = http.get(url("/api/v1/auth/me")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let csp = refused.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self';"),
        "{csp}"
    );
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    assert_eq!(refused.headers()["x-frame-options"], "DENY");
    assert_eq!(refused.headers()["referrer-policy"], "no-referrer");
    let preflight = http
        .request(reqwest::Method::OPTIONS, url("/api/v1/conversations"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let docs = http.get(url("/api/docs/")).send().await.unwrap();
    assert!(
        docs.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );

    // The password policy: a clear 422 naming the field; nothing created.
    let agents_before = entities::agent::Entity::find()
        .count(&stack.database)
        .await
        .unwrap();
    for weak in ["password123", "mallory-2026-x", "aaaabbbbaaaa"] {
        let (status, body) = stack
            .admin_post(
                "/api/v1/agents",
                json!({"email": "mallory@example.com", "name": "Mallory", "password": weak,
                       "role": "agent", "capacity": 1, "languages": [], "teams": []}),
            )
            .await;
        assert_eq!(status, 422, "{weak}: {body}");
        assert!(
            body["detail"].as_str().unwrap().starts_with("password"),
            "{body}"
        );
        assert!(!body.to_string().contains(weak));
    }
    assert_eq!(
        entities::agent::Entity::find()
            .count(&stack.database)
            .await
            .unwrap(),
        agents_before
    );
    let (status, _) = stack
        .admin_post(
            "/api/v1/agents",
            json!({"email": "mallory@example.com", "name": "Mallory",
                   "password": "tulips in the rain", "role": "agent", "capacity": 1,
                   "languages": [], "teams": []}),
        )
        .await;
    assert_eq!(status, 201);

    // A wrong password, then a session that outlives session_hours (12).
    let wrong = http
        .post(url("/api/v1/auth/login"))
        .json(&json!({"email": "mallory@example.com", "password": "tulips in the snow"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let login: serde_json::Value = http
        .post(url("/api/v1/auth/login"))
        .json(&json!({"email": "mallory@example.com", "password": "tulips in the rain"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();
    let me = |token: String| async move {
        http.get(url("/api/v1/auth/me"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(me(token.clone()).await.status(), 200);
    let used = entities::api_token::Entity::find()
        .filter(entities::api_token::Column::Name.starts_with("login:"))
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    assert!(used.last_used_at.is_some(), "a used token says when");
    assert_eq!(me("not-a-token-at-all".to_owned()).await.status(), 401);
    let session = entities::api_token::Entity::find()
        .filter(entities::api_token::Column::Name.starts_with("login:"))
        .one(&stack.database)
        .await
        .unwrap()
        .unwrap();
    let mut aged: entities::api_token::ActiveModel = session.into();
    aged.created_at = Set(chrono::Utc::now() - chrono::Duration::hours(13));
    aged.update(&stack.database).await.unwrap();
    let expired = me(token.clone()).await;
    assert_eq!(expired.status(), 401);
    let body: serde_json::Value = expired.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert_eq!(
        me(token.clone()).await.status(),
        401,
        "an expired session stays gone"
    );
    // The admin's integrator token does not expire.
    assert_eq!(me(ADMIN_TOKEN.to_owned()).await.status(), 200);

    // Every refusal audited by reason, without the password or token.
    let failures = entities::audit_log::Entity::find()
        .filter(entities::audit_log::Column::Action.eq("auth.failure"))
        .all(&stack.database)
        .await
        .unwrap();
    for reason in ["unknown_token", "bad_credentials", "session_expired"] {
        assert!(
            failures
                .iter()
                .any(|f| f.target_id.as_deref() == Some(reason)),
            "{reason} audited: {failures:?}"
        );
    }
    let audited =
        serde_json::to_string(&failures.iter().map(|f| &f.detail).collect::<Vec<_>>()).unwrap();
    assert!(!audited.contains("tulips") && !audited.contains(&token));
    let metrics = http
        .get(url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for reason in ["unknown_token", "bad_credentials", "session_expired"] {
        assert!(
            counted(&metrics, "wharf_admin_auth_failures_total", reason),
            "{reason} counted"
        );
    }
}

/// A valid login forgets its email's failures but not its address's: one
/// working account does not let an address keep guessing other emails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successful_login_does_not_reset_its_address_for_other_emails() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let (status, _) = stack
        .admin_post(
            "/api/v1/agents",
            json!({"email": "vera@example.com", "name": "Vera",
                   "password": "violets by the door", "role": "agent", "capacity": 1,
                   "languages": [], "teams": []}),
        )
        .await;
    assert_eq!(status, 201);
    let login = |email: String, password: &'static str| {
        let stack = &stack;
        async move {
            stack
                .http
                .post(format!("{}/api/v1/auth/login", stack.admin_url))
                .json(&json!({"email": email, "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for n in 0..4 {
        assert_eq!(
            login(format!("guess{n}@example.com"), "violets by the door").await,
            401
        );
    }
    assert_eq!(
        login("vera@example.com".into(), "violets by the door").await,
        200
    );
    assert_eq!(
        login("guess4@example.com".into(), "violets by the door").await,
        401
    );
    // Five failures from this address: now even the right password waits.
    assert_eq!(
        login("vera@example.com".into(), "violets by the door").await,
        429
    );
}

/// Whether a Prometheus exposition has a `name` series with `reason`.
fn counted(metrics: &str, name: &str, reason: &str) -> bool {
    let label = format!("reason=\"{reason}\"");
    metrics
        .lines()
        .any(|l| l.starts_with(name) && l.contains(&label))
}
