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
}
