//! The admin API's control plane on a real stack (real NATS, SQLite and
//! PostgreSQL, HTTP): agents, teams, routing rules with reorder and dry run,
//! conversation notes and integrator tokens — each with its happy path and
//! its 401 / 403 / 404 / 409 / 400–422 answers, the audit trail of every
//! change, and a dry run that agrees with what the router then does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

/// One request with an optional bearer token and JSON body.
async fn call(
    stack: &Stack,
    method: Method,
    token: Option<&str>,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = stack
        .http
        .request(method, format!("{}{path}", stack.admin_url));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn admin(stack: &Stack, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    call(stack, method, Some(ADMIN_TOKEN), path, body).await
}

async fn login(stack: &Stack, email: &str, password: &str) -> String {
    let (status, session) = call(
        stack,
        Method::POST,
        None,
        "/api/v1/auth/login",
        Some(json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(status, 200, "login {email}: {session}");
    session["token"].as_str().unwrap().to_owned()
}

/// Creates an agent with `role` through the API and logs it in.
async fn signed_in(stack: &Stack, email: &str, role: &str) -> (i64, String) {
    let (status, agent) = admin(
        stack,
        Method::POST,
        "/api/v1/agents",
        Some(json!({"email": email, "name": email, "password": "long-enough-pass", "role": role})),
    )
    .await;
    assert_eq!(status, 201, "{agent}");
    (
        agent["id"].as_i64().unwrap(),
        login(stack, email, "long-enough-pass").await,
    )
}

/// Asserts a `{code, detail}` error with `status` whose detail names `field`.
fn assert_names(answer: &(u16, Value), status: u16, field: &str) {
    let (got, body) = answer;
    assert_eq!(*got, status, "{body}");
    assert!(body["code"].is_string(), "a code: {body}");
    assert!(
        body["detail"].as_str().unwrap_or_default().contains(field),
        "the detail names {field}: {body}"
    );
}

fn code(answer: &(u16, Value)) -> (u16, &str) {
    (answer.0, answer.1["code"].as_str().unwrap_or_default())
}

async fn audit_actions(stack: &Stack, target_type: &str) -> Vec<Value> {
    let (status, page) = admin(
        stack,
        Method::GET,
        &format!("/api/v1/audit?target_type={target_type}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    page["items"].as_array().unwrap().clone()
}

/// An admin agent (not a token) signed in.
async fn login_admin(stack: &Stack) -> String {
    admin::accounts::ensure_admin(&stack.database, "ada@example.com", "Ada", "ada-admin-pass")
        .await
        .unwrap();
    login(stack, "ada@example.com", "ada-admin-pass").await
}

async fn create_team(stack: &Stack, name: &str, strategy: &str) -> i64 {
    let (status, team) = admin(
        stack,
        Method::POST,
        "/api/v1/teams",
        Some(json!({"name": name, "strategy": strategy})),
    )
    .await;
    assert_eq!(status, 201, "{team}");
    team["id"].as_i64().unwrap()
}

async fn agents_are_managed_by_admins_and_never_show_a_password(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let support_team = create_team(&stack, "Support", "round_robin").await;

    assert_eq!(
        code(&call(&stack, Method::GET, None, "/api/v1/agents", None).await),
        (401, "unauthorized")
    );
    assert_eq!(
        call(
            &stack,
            Method::GET,
            Some("not-a-token"),
            "/api/v1/agents",
            None
        )
        .await
        .0,
        401
    );

    let new_agent = json!({
        "email": " Carla@Example.com", "name": "Carla", "password": "tulip-secret-pw",
        "role": "agent", "capacity": 3, "languages": ["PT", "en"], "teams": [support_team]
    });
    let created = admin(
        &stack,
        Method::POST,
        "/api/v1/agents",
        Some(new_agent.clone()),
    )
    .await;
    assert_eq!(created.0, 201, "{}", created.1);
    let carla = &created.1;
    assert_eq!(carla["email"], "carla@example.com");
    assert_eq!(carla["languages"], json!(["pt", "en"]));
    assert_eq!(carla["teams"], json!([support_team]));
    assert_eq!(
        (carla["role"].as_str(), carla["capacity"].as_i64()),
        (Some("agent"), Some(3))
    );
    let carla_id = carla["id"].as_i64().unwrap();
    // The password works (argon2 hash stored) and is never answered.
    let carla_token = login(&stack, "carla@example.com", "tulip-secret-pw").await;
    let (supervisor_id, supervisor) = signed_in(&stack, "sam@example.com", "supervisor").await;

    assert_eq!(
        code(
            &admin(
                &stack,
                Method::POST,
                "/api/v1/agents",
                Some(new_agent.clone())
            )
            .await
        ),
        (409, "conflict"),
        "the same email twice"
    );
    for (body, status, field) in [
        (
            json!({"email": "no-at-sign", "name": "x", "password": "long-enough", "role": "agent"}),
            400,
            "email",
        ),
        (
            json!({"email": "d@example.com", "name": "x", "password": "short", "role": "agent"}),
            400,
            "password",
        ),
        (
            json!({"email": "d@example.com", "name": "x", "password": "long-enough", "role": "owner"}),
            400,
            "role",
        ),
        (
            json!({"email": "d@example.com", "name": "x", "password": "long-enough", "role": "agent", "capacity": -1}),
            400,
            "capacity",
        ),
        (
            json!({"email": "d@example.com", "name": "x", "password": "long-enough", "role": "agent", "teams": [999]}),
            422,
            "teams",
        ),
        (
            json!({"email": "d@example.com", "name": "x", "password": "long-enough", "role": "agent", "languages": ["english language"]}),
            422,
            "languages",
        ),
    ] {
        let answer = admin(&stack, Method::POST, "/api/v1/agents", Some(body)).await;
        assert_names(&answer, status, field);
    }
    let (_, all) = admin(&stack, Method::GET, "/api/v1/agents", None).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        2,
        "failed creates stored nothing: {all}"
    );

    // Supervisors read, agents may not; neither may change.
    let (status, listed) = call(
        &stack,
        Method::GET,
        Some(&supervisor),
        "/api/v1/agents",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(
        code(
            &call(
                &stack,
                Method::GET,
                Some(&carla_token),
                "/api/v1/agents",
                None
            )
            .await
        ),
        (403, "forbidden")
    );
    let (status, me) = call(
        &stack,
        Method::GET,
        Some(&carla_token),
        &format!("/api/v1/agents/{carla_id}"),
        None,
    )
    .await;
    assert_eq!(
        (status, me["id"].as_i64()),
        (200, Some(carla_id)),
        "an agent reads itself"
    );
    assert_eq!(
        call(
            &stack,
            Method::GET,
            Some(&carla_token),
            &format!("/api/v1/agents/{supervisor_id}"),
            None
        )
        .await
        .0,
        403
    );
    for token in [&carla_token, &supervisor] {
        assert_eq!(
            code(
                &call(
                    &stack,
                    Method::PATCH,
                    Some(token),
                    &format!("/api/v1/agents/{carla_id}"),
                    Some(json!({"capacity": 50}))
                )
                .await
            ),
            (403, "forbidden")
        );
        assert_eq!(
            call(
                &stack,
                Method::DELETE,
                Some(token),
                &format!("/api/v1/agents/{carla_id}"),
                None
            )
            .await
            .0,
            403
        );
    }

    let sales = create_team(&stack, "Sales", "least_loaded").await;
    let (status, patched) = admin(
        &stack,
        Method::PATCH,
        &format!("/api/v1/agents/{carla_id}"),
        Some(json!({"capacity": 8, "languages": ["es"], "teams": [sales, support_team], "role": "supervisor", "name": "Carla M."})),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["capacity"], 8);
    assert_eq!(patched["languages"], json!(["es"]));
    assert_eq!(patched["teams"], json!([support_team, sales]));
    assert_eq!(
        (patched["role"].as_str(), patched["name"].as_str()),
        (Some("supervisor"), Some("Carla M."))
    );
    let (_, sales_team) = admin(&stack, Method::GET, &format!("/api/v1/teams/{sales}"), None).await;
    assert_eq!(
        sales_team["members"],
        json!([carla_id]),
        "membership seen from the team"
    );
    assert_names(
        &admin(
            &stack,
            Method::PATCH,
            &format!("/api/v1/agents/{carla_id}"),
            Some(json!({"teams": [sales, 4242]})),
        )
        .await,
        422,
        "teams",
    );
    let (_, unchanged) = admin(
        &stack,
        Method::GET,
        &format!("/api/v1/agents/{carla_id}"),
        None,
    )
    .await;
    assert_eq!(
        unchanged["teams"],
        json!([support_team, sales]),
        "a refused patch changes nothing"
    );
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"capacity": 1}))),
        (Method::DELETE, None),
    ] {
        assert_eq!(
            code(&admin(&stack, method, "/api/v1/agents/999999", body).await),
            (404, "not_found")
        );
    }

    let audit = audit_actions(&stack, "agent").await;
    let carla_key = carla_id.to_string();
    let update = audit
        .iter()
        .find(|e| e["action"] == "agent.update")
        .unwrap();
    assert_eq!(update["detail"]["before"]["capacity"], 3);
    assert_eq!(update["detail"]["after"]["capacity"], 8);
    assert_eq!(update["actor"], "token:test");
    assert!(
        audit.iter().any(|e| e["action"] == "agent.create"
            && e["target_id"].as_str() == Some(carla_key.as_str()))
    );

    let (status, _) = admin(
        &stack,
        Method::DELETE,
        &format!("/api/v1/agents/{carla_id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        code(
            &call(
                &stack,
                Method::GET,
                Some(&carla_token),
                "/api/v1/auth/me",
                None
            )
            .await
        ),
        (401, "unauthorized"),
        "a deleted agent's session ends"
    );
    assert_eq!(
        admin(
            &stack,
            Method::GET,
            &format!("/api/v1/agents/{carla_id}"),
            None
        )
        .await
        .0,
        404
    );
    assert!(
        audit_actions(&stack, "agent")
            .await
            .iter()
            .any(|e| e["action"] == "agent.delete")
    );

    let everything = format!("{carla}{listed}{patched}{}", json!(audit));
    for secret in [
        "tulip-secret-pw",
        "long-enough-pass",
        "argon2",
        "password_hash",
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} leaked: {everything}"
        );
    }
}
on_sqlite_and_postgres!(agents_are_managed_by_admins_and_never_show_a_password);

async fn teams_have_a_strategy_and_members_and_stay_while_rules_use_them(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let (agent_id, agent) = signed_in(&stack, "ann@example.com", "agent").await;
    let (_, supervisor) = signed_in(&stack, "sue@example.com", "supervisor").await;

    assert_eq!(
        call(&stack, Method::GET, None, "/api/v1/teams", None)
            .await
            .0,
        401
    );
    let body = json!({"name": "Billing", "strategy": "manual", "members": [agent_id]});
    for token in [&agent, &supervisor] {
        assert_eq!(
            code(
                &call(
                    &stack,
                    Method::POST,
                    Some(token),
                    "/api/v1/teams",
                    Some(body.clone())
                )
                .await
            ),
            (403, "forbidden")
        );
    }
    let (status, team) = admin(&stack, Method::POST, "/api/v1/teams", Some(body.clone())).await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(
        (team["strategy"].as_str(), &team["members"]),
        (Some("manual"), &json!([agent_id]))
    );
    let id = team["id"].as_i64().unwrap();
    assert_eq!(
        code(&admin(&stack, Method::POST, "/api/v1/teams", Some(body)).await),
        (409, "conflict")
    );
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/teams",
            Some(json!({"name": "X", "strategy": "random"})),
        )
        .await,
        400,
        "strategy",
    );
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/teams",
            Some(json!({"name": "X", "strategy": "manual", "members": [77777]})),
        )
        .await,
        422,
        "members",
    );
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/teams",
            Some(json!({"strategy": "manual"})),
        )
        .await,
        400,
        "name",
    );

    let (status, list) = call(
        &stack,
        Method::GET,
        Some(&supervisor),
        "/api/v1/teams",
        None,
    )
    .await;
    assert_eq!((status, list.as_array().unwrap().len()), (200, 1));
    assert_eq!(
        call(&stack, Method::GET, Some(&agent), "/api/v1/teams", None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(
            &stack,
            Method::GET,
            Some(&agent),
            &format!("/api/v1/teams/{id}"),
            None
        )
        .await
        .0,
        403
    );

    let (status, patched) = admin(
        &stack,
        Method::PATCH,
        &format!("/api/v1/teams/{id}"),
        Some(json!({"strategy": "least_loaded", "members": []})),
    )
    .await;
    assert_eq!(
        (status, patched["strategy"].as_str()),
        (200, Some("least_loaded")),
        "{patched}"
    );
    assert_eq!(patched["members"], json!([]));
    create_team(&stack, "Sales", "round_robin").await;
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::PATCH,
                &format!("/api/v1/teams/{id}"),
                Some(json!({"name": "Sales"}))
            )
            .await
        ),
        (409, "conflict"),
        "renaming onto another team's name"
    );
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(json!({"strategy": "manual"}))),
        (Method::DELETE, None),
    ] {
        assert_eq!(
            code(&admin(&stack, method, "/api/v1/teams/424242", body).await),
            (404, "not_found")
        );
    }

    // A rule routes to the team: it stays until the rule goes.
    let (status, rule) = admin(
        &stack,
        Method::POST,
        "/api/v1/rules",
        Some(json!({"name": "billing", "action": {"type": "team", "team_id": id}})),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    let refused = admin(&stack, Method::DELETE, &format!("/api/v1/teams/{id}"), None).await;
    assert_names(&refused, 409, "billing");
    let rule_id = rule["id"].as_i64().unwrap();
    assert_eq!(
        admin(
            &stack,
            Method::DELETE,
            &format!("/api/v1/rules/{rule_id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        admin(&stack, Method::DELETE, &format!("/api/v1/teams/{id}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        admin(&stack, Method::GET, &format!("/api/v1/teams/{id}"), None)
            .await
            .0,
        404
    );
    let (_, me) = call(
        &stack,
        Method::GET,
        Some(&agent),
        &format!("/api/v1/agents/{agent_id}"),
        None,
    )
    .await;
    assert_eq!(me["teams"], json!([]), "membership went with the team");

    let team_key = id.to_string();
    let actions: Vec<String> = audit_actions(&stack, "team")
        .await
        .iter()
        .filter(|e| e["target_id"].as_str() == Some(team_key.as_str()))
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["team.delete", "team.update", "team.create"]);
}
on_sqlite_and_postgres!(teams_have_a_strategy_and_members_and_stay_while_rules_use_them);

async fn dry_run(stack: &Stack, text: &str, at: i64) -> Value {
    let at = chrono::DateTime::from_timestamp(at, 0)
        .unwrap()
        .to_rfc3339();
    let (status, result) = admin(
        stack,
        Method::POST,
        "/api/v1/rules/dry-run",
        Some(json!({"text": text, "business_number": PHONE_NUMBER_ID, "at": at})),
    )
    .await;
    assert_eq!(status, 200, "{result}");
    result
}

/// Sends `text` as a new customer's first message and checks the router put
/// the conversation where the dry run said.
async fn router_agrees(stack: &Stack, wa_id: &str, text: &str, at: i64) -> Value {
    let predicted = dry_run(stack, text, at).await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        wa_id,
        "Customer",
        &format!("wamid.{wa_id}"),
        text,
        at,
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let routed = eventually(
        Duration::from_secs(30),
        "the conversation routed",
        || async {
            let (_, page) =
                admin(stack, Method::GET, "/api/v1/conversations?limit=200", None).await;
            page["items"]
                .as_array()?
                .iter()
                .find(|c| c["contact"]["wa_id"] == wa_id)
                .cloned()
        },
    )
    .await;
    stack.wait_router_idle().await;
    let (_, detail) = admin(
        stack,
        Method::GET,
        &format!("/api/v1/conversations/{}", routed["id"]),
        None,
    )
    .await;
    let routed = &detail["conversation"];
    match predicted["outcome"]["type"].as_str() {
        Some("queue") => {
            assert_eq!(
                routed["status"], "queued",
                "{text}: {routed} vs {predicted}"
            );
            assert_eq!(routed["team_id"], predicted["outcome"]["team_id"], "{text}");
            assert_eq!(
                routed["priority"], predicted["outcome"]["priority"],
                "{text}"
            );
        }
        Some("bot") => {
            assert_eq!(routed["status"], "bot", "{text}: {routed} vs {predicted}");
            assert!(routed["team_id"].is_null());
        }
        other => panic!("unexpected outcome {other:?}: {predicted}"),
    }
    predicted
}

async fn routing_rules_reorder_all_or_nothing_and_the_dry_run_agrees_with_the_router(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let billing = create_team(&stack, "Billing", "manual").await;
    let orders = create_team(&stack, "Orders", "manual").await;
    let (_, agent) = signed_in(&stack, "ann@example.com", "agent").await;
    let (_, supervisor) = signed_in(&stack, "sue@example.com", "supervisor").await;

    let nats = relay::nats::connect(
        &stack.nats.hub.client_urls(),
        "test",
        Duration::from_secs(10),
        &stack.config.nats.access(wharf::config::Role::Ops),
    )
    .await
    .unwrap();
    let mut rule_events = nats.subscribe("wa.events.rules").await.unwrap();
    nats.flush().await.unwrap();

    let refund = json!({"name": "refunds", "conditions": {"keywords": ["refund"]},
        "action": {"type": "team", "team_id": billing, "priority": 5}});
    assert_eq!(
        call(
            &stack,
            Method::POST,
            None,
            "/api/v1/rules",
            Some(refund.clone())
        )
        .await
        .0,
        401
    );
    for token in [&agent, &supervisor] {
        assert_eq!(
            code(
                &call(
                    &stack,
                    Method::POST,
                    Some(token),
                    "/api/v1/rules",
                    Some(refund.clone())
                )
                .await
            ),
            (403, "forbidden")
        );
    }
    let (status, r_refund) = admin(&stack, Method::POST, "/api/v1/rules", Some(refund)).await;
    assert_eq!(status, 201, "{r_refund}");
    let event = tokio::time::timeout(Duration::from_secs(5), rule_events.next())
        .await
        .expect("a rules event")
        .unwrap();
    let event: Value = serde_json::from_slice(&event.payload).unwrap();
    assert_eq!(
        (event["kind"].as_str(), event["action"].as_str()),
        (Some("rules"), Some("create"))
    );
    assert_eq!(event["id"], r_refund["id"]);

    let (_, r_order) = admin(
        &stack,
        Method::POST,
        "/api/v1/rules",
        Some(
            json!({"name": "orders", "conditions": {"regex": "order\\s+#?\\d+"},
            "action": {"type": "team", "team_id": orders, "priority": 1}}),
        ),
    )
    .await;
    let (status, r_bot) = admin(
        &stack,
        Method::POST,
        "/api/v1/rules",
        Some(json!({"name": "everyone else", "action": {"type": "bot", "bot": {
            "fallback": "Hi! How can we help?", "handover_keywords": ["human"], "handover_team_id": orders,
            "handover_priority": 2}}})),
    )
    .await;
    assert_eq!(status, 201, "{r_bot}");
    let ids: Vec<i64> = [&r_refund, &r_order, &r_bot]
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        [
            r_refund["position"].as_i64(),
            r_order["position"].as_i64(),
            r_bot["position"].as_i64()
        ],
        [Some(0), Some(1), Some(2)]
    );

    for (body, field) in [
        (
            json!({"name": "x", "conditions": {"regex": "("}, "action": {"type": "team", "team_id": billing}}),
            "conditions.regex",
        ),
        (
            json!({"name": "x", "action": {"type": "team", "team_id": 987654}}),
            "action.team_id",
        ),
        (
            json!({"name": "x", "action": {"type": "team"}}),
            "action.team_id",
        ),
        (
            json!({"name": "x", "action": {"type": "bot"}}),
            "action.bot",
        ),
        (
            json!({"name": "x", "conditions": {"hours": {"time_zone": "Mars/Olympus", "from": "09:00", "to": "17:00"}}, "action": {"type": "team", "team_id": billing}}),
            "conditions.hours.time_zone",
        ),
        (
            json!({"name": "x", "conditions": {"hours": {"time_zone": "UTC", "days": [8], "from": "09:00", "to": "17:00"}}, "action": {"type": "team", "team_id": billing}}),
            "conditions.hours.days",
        ),
    ] {
        assert_names(
            &admin(&stack, Method::POST, "/api/v1/rules", Some(body)).await,
            422,
            field,
        );
    }
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/rules",
            Some(json!({"name": "x", "action": {"type": "escalate"}})),
        )
        .await,
        400,
        "action.type: must be one of team, bot",
    );
    assert_names(
        &admin(&stack, Method::POST, "/api/v1/rules", Some(json!({"name": "x", "conditions": {"hours": {"time_zone": "UTC", "from": "9am", "to": "17:00"}}, "action": {"type": "team", "team_id": billing}}))).await,
        400,
        "conditions.hours.from",
    );
    let (_, listed) = call(
        &stack,
        Method::GET,
        Some(&supervisor),
        "/api/v1/rules",
        None,
    )
    .await;
    let listed_ids: Vec<i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed_ids, ids, "refused rules were not stored");
    assert_eq!(
        call(&stack, Method::GET, Some(&agent), "/api/v1/rules", None)
            .await
            .0,
        403
    );
    for (method, path, body) in [
        (Method::GET, "/api/v1/rules/31337", None),
        (
            Method::PATCH,
            "/api/v1/rules/31337",
            Some(json!({"enabled": false})),
        ),
        (Method::DELETE, "/api/v1/rules/31337", None),
    ] {
        assert_eq!(
            code(&admin(&stack, method, path, body).await),
            (404, "not_found")
        );
    }

    // The dry run, then real messages through the edges and the router.
    let at = chrono::Utc::now().timestamp();
    let predicted =
        router_agrees(&stack, "4915100001001", "I want a refund for order 12", at).await;
    assert_eq!(
        (
            predicted["rule"]["id"].as_i64(),
            predicted["outcome"]["team_id"].as_i64()
        ),
        (Some(ids[0]), Some(billing))
    );
    assert_eq!(predicted["rules_evaluated"], 3);
    let predicted = router_agrees(&stack, "4915100001002", "where is my order #42?", at).await;
    assert_eq!(predicted["rule"]["id"].as_i64(), Some(ids[1]));
    let predicted = router_agrees(&stack, "4915100001003", "hello there", at).await;
    assert_eq!(predicted["rule"]["id"].as_i64(), Some(ids[2]));
    assert_eq!(predicted["outcome"]["reply"], "Hi! How can we help?");
    let predicted = router_agrees(&stack, "4915100001004", "a human please", at).await;
    assert_eq!(
        (
            predicted["outcome"]["type"].as_str(),
            predicted["outcome"]["team_id"].as_i64()
        ),
        (Some("queue"), Some(orders)),
        "the bot's handover"
    );

    // Reorder: refused lists change nothing.
    let order_now = || async {
        let (_, listed) = admin(&stack, Method::GET, "/api/v1/rules", None).await;
        listed
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/rules/reorder",
            Some(json!({"ids": [ids[1], ids[1], ids[0], ids[2]]})),
        )
        .await,
        422,
        "ids",
    );
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::POST,
                "/api/v1/rules/reorder",
                Some(json!({"ids": [ids[1], ids[0], 555555, ids[2]]}))
            )
            .await
        ),
        (404, "not_found")
    );
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::POST,
                "/api/v1/rules/reorder",
                Some(json!({"ids": [ids[1], ids[0]]}))
            )
            .await
        ),
        (409, "conflict")
    );
    assert_eq!(
        code(
            &call(
                &stack,
                Method::POST,
                Some(&supervisor),
                "/api/v1/rules/reorder",
                Some(json!({"ids": [ids[1], ids[0], ids[2]]}))
            )
            .await
        ),
        (403, "forbidden")
    );
    assert_eq!(order_now().await, ids, "refused reorders change nothing");
    let (status, reordered) = admin(
        &stack,
        Method::POST,
        "/api/v1/rules/reorder",
        Some(json!({"ids": [ids[1], ids[0], ids[2]]})),
    )
    .await;
    assert_eq!(status, 200, "{reordered}");
    assert_eq!(order_now().await, vec![ids[1], ids[0], ids[2]]);
    let predicted = router_agrees(&stack, "4915100001005", "refund for order 77", at).await;
    assert_eq!(
        (
            predicted["rule"]["id"].as_i64(),
            predicted["outcome"]["team_id"].as_i64()
        ),
        (Some(ids[1]), Some(orders)),
        "order rule first now"
    );

    // Disabling a rule takes it out of the dry run and the router alike.
    let (status, _) = admin(
        &stack,
        Method::PATCH,
        &format!("/api/v1/rules/{}", ids[1]),
        Some(json!({"enabled": false})),
    )
    .await;
    assert_eq!(status, 200);
    let predicted = router_agrees(&stack, "4915100001006", "refund for order 78", at).await;
    assert_eq!(predicted["rule"]["id"].as_i64(), Some(ids[0]));
    assert_names(
        &admin(
            &stack,
            Method::PATCH,
            &format!("/api/v1/rules/{}", ids[0]),
            Some(json!({"conditions": {"regex": "[a-"}})),
        )
        .await,
        422,
        "conditions.regex",
    );
    let (_, kept) = admin(
        &stack,
        Method::GET,
        &format!("/api/v1/rules/{}", ids[0]),
        None,
    )
    .await;
    assert_eq!(
        kept["conditions"]["keywords"],
        json!(["refund"]),
        "a refused patch changes nothing"
    );

    let (status, none) = call(
        &stack,
        Method::POST,
        Some(&supervisor),
        "/api/v1/rules/dry-run",
        Some(json!({"text": "anything", "business_number": "other"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        none["rule"]["id"].as_i64(),
        Some(ids[2]),
        "the catch-all bot: {none}"
    );
    assert_eq!(
        call(
            &stack,
            Method::POST,
            Some(&agent),
            "/api/v1/rules/dry-run",
            Some(json!({"text": "x"}))
        )
        .await
        .0,
        403
    );

    let actions: Vec<String> = audit_actions(&stack, "routing_rule")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "rule.update",
            "rule.reorder",
            "rule.create",
            "rule.create",
            "rule.create"
        ]
    );
}
on_sqlite_and_postgres!(
    routing_rules_reorder_all_or_nothing_and_the_dry_run_agrees_with_the_router
);

async fn conversations_take_internal_notes(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let (agent_id, agent) = signed_in(&stack, "ann@example.com", "agent").await;
    let body = meta_text(
        PHONE_NUMBER_ID,
        "4915100002001",
        "Nora",
        "wamid.N1",
        "hi",
        chrono::Utc::now().timestamp(),
    );
    assert_eq!(stack.post_meta("eu", &body, APP_SECRET).await.status(), 200);
    let conversation = eventually(Duration::from_secs(30), "the conversation", || async {
        let (_, page) = admin(&stack, Method::GET, "/api/v1/conversations", None).await;
        page["items"].as_array()?.first().cloned()
    })
    .await;
    let id = conversation["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/notes");
    // Neither of the agent's teams nor assigned to it: 403 until it is.
    assert_eq!(
        call(&stack, Method::GET, Some(&agent), &path, None).await.0,
        403
    );
    let (status, claimed) = admin(
        &stack,
        Method::POST,
        &format!("/api/v1/conversations/{id}/claim"),
        Some(json!({"version": conversation["version"], "agent_id": agent_id})),
    )
    .await;
    assert_eq!(status, 200, "{claimed}");

    assert_eq!(
        call(
            &stack,
            Method::POST,
            None,
            &path,
            Some(json!({"body": "x"}))
        )
        .await
        .0,
        401
    );
    assert_eq!(call(&stack, Method::GET, None, &path, None).await.0, 401);
    let (status, note) = call(
        &stack,
        Method::POST,
        Some(&agent),
        &path,
        Some(json!({"body": "VIP, be gentle"})),
    )
    .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(
        (note["author_id"].as_i64(), note["author"].as_str()),
        (Some(agent_id), Some(format!("agent:{agent_id}").as_str()))
    );
    let (status, _) = admin(
        &stack,
        Method::POST,
        &path,
        Some(json!({"body": "refund approved"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_names(
        &admin(&stack, Method::POST, &path, Some(json!({"body": "   "}))).await,
        422,
        "body",
    );
    assert_names(
        &admin(&stack, Method::POST, &path, Some(json!({"body": ""}))).await,
        400,
        "body",
    );
    assert_names(
        &admin(&stack, Method::POST, &path, Some(json!({}))).await,
        400,
        "body",
    );
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::POST,
                "/api/v1/conversations/999999/notes",
                Some(json!({"body": "x"}))
            )
            .await
        ),
        (404, "not_found")
    );
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::GET,
                "/api/v1/conversations/999999/notes",
                None
            )
            .await
        ),
        (404, "not_found")
    );

    let (status, notes) = call(&stack, Method::GET, Some(&agent), &path, None).await;
    assert_eq!(status, 200);
    let bodies: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["VIP, be gentle", "refund approved"],
        "oldest first; refused notes not stored"
    );
    let (_, detail) = admin(
        &stack,
        Method::GET,
        &format!("/api/v1/conversations/{id}"),
        None,
    )
    .await;
    assert!(
        !detail.to_string().contains("VIP, be gentle"),
        "notes are not messages"
    );
    let audit = audit_actions(&stack, "conversation").await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e["action"] == "conversation.note")
            .count(),
        2
    );

    // An agent with an open conversation (claimed above) stays until it is
    // resolved.
    let refused = admin(
        &stack,
        Method::DELETE,
        &format!("/api/v1/agents/{agent_id}"),
        None,
    )
    .await;
    assert_names(&refused, 409, "open conversation");
    let (status, _) = admin(
        &stack,
        Method::POST,
        &format!("/api/v1/conversations/{id}/resolve"),
        Some(json!({"version": claimed["version"]})),
    )
    .await;
    assert_eq!(status, 200);
    let ada = login_admin(&stack).await;
    let (_, me) = call(&stack, Method::GET, Some(&ada), "/api/v1/auth/me", None).await;
    let ada_id = me["agent"]["id"].as_i64().unwrap();
    assert_names(
        &call(
            &stack,
            Method::DELETE,
            Some(&ada),
            &format!("/api/v1/agents/{ada_id}"),
            None,
        )
        .await,
        409,
        "your own account",
    );
    assert_eq!(
        call(
            &stack,
            Method::DELETE,
            Some(&ada),
            &format!("/api/v1/agents/{agent_id}"),
            None
        )
        .await
        .0,
        204
    );
    let (_, notes) = admin(&stack, Method::GET, &path, None).await;
    assert_eq!(
        notes[0]["author"],
        format!("agent:{agent_id}"),
        "notes outlive their author"
    );
}
on_sqlite_and_postgres!(conversations_take_internal_notes);

async fn integrator_tokens_are_shown_once_and_revoked_tokens_get_401(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let (_, agent) = signed_in(&stack, "ann@example.com", "agent").await;
    let (_, supervisor) = signed_in(&stack, "sue@example.com", "supervisor").await;

    assert_eq!(
        call(
            &stack,
            Method::POST,
            None,
            "/api/v1/tokens",
            Some(json!({"name": "crm"}))
        )
        .await
        .0,
        401
    );
    for token in [&agent, &supervisor] {
        assert_eq!(
            code(
                &call(
                    &stack,
                    Method::POST,
                    Some(token),
                    "/api/v1/tokens",
                    Some(json!({"name": "crm"}))
                )
                .await
            ),
            (403, "forbidden")
        );
    }
    let (status, created) = admin(
        &stack,
        Method::POST,
        "/api/v1/tokens",
        Some(json!({"name": "crm-sync"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().unwrap().to_owned();
    let id = created["id"].as_i64().unwrap();
    let (status, me) = call(&stack, Method::GET, Some(&secret), "/api/v1/auth/me", None).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("admin")), "{me}");
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::POST,
                "/api/v1/tokens",
                Some(json!({"name": "crm-sync"}))
            )
            .await
        ),
        (409, "conflict")
    );
    assert_names(
        &admin(
            &stack,
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "has spaces"})),
        )
        .await,
        400,
        "name",
    );
    assert_names(
        &admin(&stack, Method::POST, "/api/v1/tokens", Some(json!({}))).await,
        400,
        "name",
    );

    let (status, listed) = call(
        &stack,
        Method::GET,
        Some(&supervisor),
        "/api/v1/tokens",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["test", "crm-sync"],
        "integrator tokens only, not sessions: {listed}"
    );
    assert_eq!(
        call(&stack, Method::GET, Some(&agent), "/api/v1/tokens", None)
            .await
            .0,
        403
    );
    let (_, audit) = admin(
        &stack,
        Method::GET,
        "/api/v1/audit?target_type=api_token",
        None,
    )
    .await;
    let text = format!("{listed}{audit}");
    assert!(!text.contains(&secret), "the token is shown once: {text}");
    assert!(
        !text.contains(&admin::tokens::hash_token(&secret)),
        "nor its hash"
    );

    assert_eq!(
        call(
            &stack,
            Method::DELETE,
            Some(&supervisor),
            &format!("/api/v1/tokens/{id}"),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        admin(
            &stack,
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        code(&call(&stack, Method::GET, Some(&secret), "/api/v1/auth/me", None).await),
        (401, "unauthorized"),
        "a revoked token"
    );
    assert_eq!(
        code(
            &admin(
                &stack,
                Method::DELETE,
                &format!("/api/v1/tokens/{id}"),
                None
            )
            .await
        ),
        (404, "not_found")
    );
    assert_eq!(
        code(&admin(&stack, Method::DELETE, "/api/v1/tokens/888888", None).await),
        (404, "not_found")
    );
    let actions: Vec<String> = audit_actions(&stack, "api_token")
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, ["token.revoke", "token.create"]);
}
on_sqlite_and_postgres!(integrator_tokens_are_shown_once_and_revoked_tokens_get_401);
