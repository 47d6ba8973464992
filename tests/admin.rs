//! The admin API's sessions and live events on a real stack: email and
//! password login (argon2), roles, rate-limited failures, logout, and
//! Server-Sent Events that carry a new customer message as it is routed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use support::*;

async fn login(stack: &Stack, email: &str, password: &str) -> (u16, serde_json::Value) {
    let response = stack
        .http
        .post(format!("{}/api/v1/auth/login", stack.admin_url))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn get_with(stack: &Stack, token: &str, path: &str) -> (u16, serde_json::Value) {
    let response = stack
        .http
        .get(format!("{}{path}", stack.admin_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agent_logs_in_with_a_password_and_the_token_works_until_logout() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    admin::accounts::ensure_admin(&stack.database, "boss@example.com", "Boss", "s3cure-pass")
        .await
        .unwrap();

    let (status, session) = login(&stack, "Boss@Example.com ", "s3cure-pass").await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap().to_owned();
    assert_eq!(session["agent"]["role"], "admin");
    assert!(
        !session.to_string().contains("argon2"),
        "no hash in the answer"
    );

    let (status, me) = get_with(&stack, &token, "/api/v1/auth/me").await;
    assert_eq!(
        (status, me["agent"]["email"].as_str()),
        (200, Some("boss@example.com"))
    );
    let (status, _) = get_with(&stack, &token, "/api/v1/conversations").await;
    assert_eq!(status, 200);

    let logout = stack
        .http
        .post(format!("{}/api/v1/auth/logout", stack.admin_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 200);
    let (status, error) = get_with(&stack, &token, "/api/v1/auth/me").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (401, Some("unauthorized"))
    );

    // An integrator token (no agent) acts as admin.
    let (status, me) = get_with(&stack, ADMIN_TOKEN, "/api/v1/auth/me").await;
    assert_eq!((status, me["role"].as_str()), (200, Some("admin")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_get_401_and_then_429_even_for_the_right_one() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    admin::accounts::ensure_admin(&stack.database, "boss@example.com", "Boss", "s3cure-pass")
        .await
        .unwrap();
    for _ in 0..admin::accounts::MAX_FAILED_LOGINS {
        let (status, error) = login(&stack, "boss@example.com", "guess").await;
        assert_eq!(
            (status, error["code"].as_str()),
            (401, Some("unauthorized"))
        );
    }
    let (status, error) = login(&stack, "boss@example.com", "s3cure-pass").await;
    assert_eq!(
        (status, error["code"].as_str()),
        (429, Some("too_many_requests"))
    );
    let (status, _) = login(&stack, "nobody@example.com", "x").await;
    assert_eq!(status, 429, "the client address is limited too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_events_carry_a_new_message_to_an_open_event_stream() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let unauthorized = stack
        .http
        .get(format!("{}/api/v1/events", stack.admin_url))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);

    let response = stack
        .http
        .get(format!(
            "{}/api/v1/events?token={ADMIN_TOKEN}",
            stack.admin_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut chunks = response.bytes_stream();

    // An agent in no team sees none of it.
    let (status, created) = stack
        .admin_post(
            "/api/v1/agents",
            serde_json::json!({"email": "solo@example.com", "name": "Solo", "password": "long enough pass",
                "role": "agent", "capacity": 1, "languages": [], "teams": []}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, session) = stack
        .admin_post(
            "/api/v1/auth/login",
            serde_json::json!({"email": "solo@example.com", "password": "long enough pass"}),
        )
        .await;
    assert_eq!(status, 200, "{session}");
    let agent_stream = stack
        .http
        .get(format!(
            "{}/api/v1/events?token={}",
            stack.admin_url,
            session["token"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(agent_stream.status(), 200);
    let mut agent_chunks = agent_stream.bytes_stream();

    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000090",
        "Live",
        "wamid.LIVE1",
        "are you there?",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);

    let mut seen = String::new();
    let event = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(chunk) = chunks.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if let Some(line) = seen.lines().find(|l| l.starts_with("data:")) {
                return serde_json::from_str::<serde_json::Value>(
                    line.trim_start_matches("data:").trim(),
                )
                .unwrap();
            }
        }
        panic!("stream ended: {seen}");
    })
    .await
    .expect("an event within 20 s");
    assert_eq!(event["kind"], "message");
    let (_, page) = stack.admin_get("/api/v1/conversations").await;
    assert_eq!(event["conversation_id"], page["items"][0]["id"]);

    let mut agent_seen = String::new();
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(Ok(chunk)) = agent_chunks.next().await {
            agent_seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        !agent_seen.lines().any(|l| l.starts_with("data:")),
        "an agent outside the conversation's team got its event: {agent_seen}"
    );
}

async fn send_json(
    stack: &Stack,
    method: reqwest::Method,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = stack
        .http
        .request(method, format!("{}{path}", stack.admin_url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// Logs in a new agent with the plain `agent` role; returns its token.
async fn agent_token(stack: &Stack) -> String {
    use sea_orm::{ActiveModelTrait, Set};
    entities::agent::ActiveModel {
        email: Set("ann@example.com".into()),
        name: Set("Ann".into()),
        role: Set("agent".into()),
        presence: Set("online".into()),
        capacity: Set(5),
        languages: Set(serde_json::json!(["en"])),
        password_hash: Set(Some(admin::accounts::hash_password("agent-pass").unwrap())),
        ..Default::default()
    }
    .insert(&stack.database)
    .await
    .unwrap();
    let (status, session) = login(stack, "ann@example.com", "agent-pass").await;
    assert_eq!(status, 200);
    session["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn numbers_keep_secrets_write_only_and_only_admins_change_them() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let new_number = serde_json::json!({
        "provider": "meta", "phone_number_id": "200000000000001", "name": "Sales",
        "app_secret": "very-secret-app", "verify_token": "very-secret-vt", "access_token": "very-secret-at"
    });
    let agent = agent_token(&stack).await;
    let (status, error) = send_json(
        &stack,
        reqwest::Method::POST,
        &agent,
        "/api/v1/numbers",
        new_number.clone(),
    )
    .await;
    assert_eq!((status, error["code"].as_str()), (403, Some("forbidden")));

    let (status, created) = send_json(
        &stack,
        reqwest::Method::POST,
        ADMIN_TOKEN,
        "/api/v1/numbers",
        new_number.clone(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (
            created["has_app_secret"].as_bool(),
            created["has_access_token"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let (status, _) = send_json(
        &stack,
        reqwest::Method::POST,
        ADMIN_TOKEN,
        "/api/v1/numbers",
        new_number,
    )
    .await;
    assert_eq!(status, 409, "the same phone number id twice");
    let (status, error) = send_json(
        &stack,
        reqwest::Method::POST,
        ADMIN_TOKEN,
        "/api/v1/numbers",
        serde_json::json!({"provider": "telegram", "phone_number_id": "x1", "name": "x", "app_secret": "s"}),
    )
    .await;
    assert_eq!(status, 400, "an unknown provider: {error}");
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("provider"),
        "the error names the field: {error}"
    );

    let id = created["id"].as_i64().unwrap();
    let (status, patched) = send_json(
        &stack,
        reqwest::Method::PATCH,
        ADMIN_TOKEN,
        &format!("/api/v1/numbers/{id}"),
        serde_json::json!({"app_secret": "rotated-secret-value", "name": "Sales EU"}),
    )
    .await;
    assert_eq!((status, patched["name"].as_str()), (200, Some("Sales EU")));
    let (status, _) = send_json(
        &stack,
        reqwest::Method::PATCH,
        ADMIN_TOKEN,
        "/api/v1/numbers/999999",
        serde_json::json!({"name": "x"}),
    )
    .await;
    assert_eq!(status, 404);

    let (_, listed) = stack.admin_get("/api/v1/numbers").await;
    let (_, audit) = stack
        .admin_get("/api/v1/audit?target_type=business_number")
        .await;
    for text in [
        listed.to_string(),
        audit.to_string(),
        created.to_string(),
        patched.to_string(),
    ] {
        for secret in ["very-secret", "rotated-secret-value", APP_SECRET] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["number.update", "number.create"]);
    assert_eq!(
        audit["items"][0]["detail"]["changed"],
        serde_json::json!(["name", "app_secret"])
    );
    let (status, _) = get_with(&stack, &agent, "/api/v1/audit").await;
    assert_eq!(status, 403, "agents do not read the audit trail");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contacts_are_searchable_and_their_changes_are_audited() {
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000091",
        "Hannah Search",
        "wamid.C1",
        "hi",
        1_764_300_000,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let found = eventually(Duration::from_secs(20), "the contact", || async {
        let (_, list) = stack.admin_get("/api/v1/contacts?q=Hannah").await;
        list.as_array()?.first().cloned()
    })
    .await;
    assert_eq!(found["wa_id"], "4915100000091");
    let (_, none) = stack.admin_get("/api/v1/contacts?q=nobody-like-this").await;
    assert_eq!(none.as_array().unwrap().len(), 0);

    let id = found["id"].as_i64().unwrap();
    let (status, error) = send_json(
        &stack,
        reqwest::Method::PATCH,
        ADMIN_TOKEN,
        &format!("/api/v1/contacts/{id}"),
        serde_json::json!({"attributes": [1, 2]}),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let (status, updated) = send_json(
        &stack,
        reqwest::Method::PATCH,
        ADMIN_TOKEN,
        &format!("/api/v1/contacts/{id}"),
        serde_json::json!({"tier": "gold", "attributes": {"plan": "pro"}}),
    )
    .await;
    assert_eq!((status, updated["tier"].as_str()), (200, Some("gold")));
    let (_, audit) = stack
        .admin_get(&format!("/api/v1/audit?target_type=contact&target_id={id}"))
        .await;
    let entry = &audit["items"][0];
    assert_eq!(entry["action"], "contact.update");
    assert_eq!(entry["detail"]["before"]["tier"], "standard");
    assert_eq!(entry["detail"]["after"]["attributes"]["plan"], "pro");
    let (status, _) = stack.admin_get("/api/v1/contacts/999999").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stats_show_stream_depths_partition_backlogs_and_delivery_outcomes() {
    // Alerts off, but `[alerts]` given: the harness fills in an edge's
    // /metrics URL, which the stats read for the ingest counters.
    let options = StackOptions {
        alerts: Some(admin::alerts::AlertSettings::default()),
        ..StackOptions::default()
    };
    let stack = spawn_stack(TestDb::sqlite(), options).await;
    let now = chrono::Utc::now().timestamp();
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100000092",
        "Stat",
        "wamid.S1",
        "hello",
        now,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    stack.wait_routed(1).await;
    let (_, page) = stack.admin_get("/api/v1/conversations").await;
    let id = page["items"][0]["id"].as_i64().unwrap();
    let (status, _) = stack
        .admin_post(
            &format!("/api/v1/conversations/{id}/reply"),
            serde_json::json!({"text": "hi!"}),
        )
        .await;
    assert_eq!(status, 202);
    let stats = eventually(
        Duration::from_secs(30),
        "the reply's read status in the stats",
        || async {
            let (_, stats) = stack.admin_get("/api/v1/stats").await;
            (stats["deliveries"]["success_rate"].as_f64() == Some(1.0)).then_some(stats)
        },
    )
    .await;
    let stream = |name: &str| {
        stats["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap()
    };
    assert!(stream("INBOUND")["messages"].as_u64().unwrap() >= 1);
    assert_eq!(stream("OUTBOUND")["messages"], 1);
    let partitions = stats["consumers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["stream"] == "INBOUND" && c["name"].as_str().unwrap().starts_with("router-p"))
        .count();
    assert_eq!(partitions, usize::from(stack.config.topology.partitions));
    assert_eq!(stats["conversations"][0]["count"], 1);
    // The edges' counters, read from their /metrics (cumulative: the
    // dashboard derives rates from two readings).
    let ingest = &stats["ingest"];
    assert!(ingest["edges"].as_u64().unwrap() >= 1, "{ingest}");
    assert_eq!(ingest["edges_unreachable"], 0, "{ingest}");
    assert!(
        ingest["webhooks_accepted"].as_u64().unwrap() >= 1,
        "{ingest}"
    );
    assert!(ingest["events_stored"].as_u64().unwrap() >= 1, "{ingest}");
    assert!(
        ingest["ack_seconds_count"].as_u64().unwrap() >= 1,
        "{ingest}"
    );
    assert!(
        ingest["ack_seconds_sum"].as_f64().unwrap() > 0.0,
        "{ingest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stats_leave_out_the_ingest_counters_when_no_edge_metrics_are_known() {
    // No `[alerts]` given: the harness names no edge /metrics URL.
    let stack = spawn_stack(TestDb::sqlite(), StackOptions::default()).await;
    let (status, stats) = stack.admin_get("/api/v1/stats").await;
    assert_eq!(status, 200);
    assert!(stats.get("ingest").is_none(), "{stats}");
    let streams: Vec<&str> = stats["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(streams, ["INBOUND", "OUTBOUND", "DLQ", "MEDIA"], "{stats}");
}
