//! The configuration side of the admin API driven only through the
//! generated client: sessions, agents, teams, routing rules, integrator
//! tokens, business numbers, contacts, the audit trail and the system
//! facts. Each operation's happy path with its effect on state, and the
//! refusals it gives (401 / 403 / 404 / 409 / 400-422) as typed
//! `{code, detail}` that change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/client.rs"]
mod client_support;
mod support;

use std::time::Duration;

use client_support::*;
use serde_json::json;
use support::*;
use wharf_client::{Client, types};

async fn agents_sign_in_and_are_managed_through_the_client(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let anonymous = Client::new(url);
    let bad_token = client_with(url, "not-a-token");

    // An integrator token acts as admin, without an agent.
    let me = admin.me().await.unwrap().into_inner();
    assert_eq!((me.role.as_str(), me.agent.is_none()), ("admin", true));
    refused(anonymous.me().await, 401, "unauthorized");
    refused(bad_token.me().await, 401, "unauthorized");
    refused(anonymous.logout().await, 401, "unauthorized");

    let support_team = admin
        .create_team(&body(
            json!({"name": "Support", "strategy": "least_loaded"}),
        ))
        .await
        .unwrap()
        .into_inner();

    // Create: the email is stored lower-case, languages normalised.
    let ana = admin
        .create_agent(&body(json!({
            "email": "  Ana@Example.com ", "name": "Ana", "password": "correct horse battery",
            "role": "agent", "capacity": 2, "languages": ["EN", "pt-BR", "en"],
            "teams": [support_team.id],
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ana.email, "ana@example.com");
    assert_eq!(ana.languages, vec!["en", "pt-br"]);
    assert_eq!(
        (ana.presence.as_str(), ana.capacity, ana.teams.clone()),
        ("offline", 2, vec![support_team.id])
    );
    let ana_json = serde_json::to_string(&ana).unwrap();
    assert!(!ana_json.contains("correct horse") && !ana_json.contains("password"));

    // Create refusals change nothing.
    let new_agent = |email: &str, languages: serde_json::Value, teams: serde_json::Value| {
        body::<types::AgentIn>(json!({
            "email": email, "name": "Someone", "password": "long enough pass",
            "role": "agent", "languages": languages, "teams": teams,
        }))
    };
    refused(
        anonymous
            .create_agent(&new_agent("x@example.com", json!([]), json!([])))
            .await,
        401,
        "unauthorized",
    );
    let detail = refused(
        admin
            .create_agent(&new_agent("ANA@example.com", json!([]), json!([])))
            .await,
        409,
        "conflict",
    );
    assert!(detail.contains("email"), "{detail}");
    let detail = refused(
        admin
            .create_agent(&new_agent("x@example.com", json!([]), json!([424_242])))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("teams:"), "{detail}");
    let detail = refused(
        admin
            .create_agent(&new_agent(
                "x@example.com",
                json!(["not a code!"]),
                json!([]),
            ))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("languages:"), "{detail}");
    // The spec's constraints reach the client: a short password is refused
    // before any request.
    assert!(types::AgentInPassword::try_from("short".to_owned()).is_err());
    assert_eq!(admin.list_agents().await.unwrap().into_inner().len(), 1);

    // Logins.
    let (sue_id, sue) = signed_in(&admin, url, "sue@example.com", "supervisor", &[]).await;
    let login = anonymous
        .login(&body(
            json!({"email": "ANA@example.com", "password": "correct horse battery"}),
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (login.agent.id, login.agent.role.as_str()),
        (ana.id, "agent")
    );
    let detail = refused(
        anonymous
            .login(&body(
                json!({"email": "ana@example.com", "password": "wrong password!"}),
            ))
            .await,
        401,
        "unauthorized",
    );
    assert!(!detail.contains("correct horse"));
    refused(
        anonymous
            .login(&body(
                json!({"email": "nobody@example.com", "password": "whatever it is"}),
            ))
            .await,
        401,
        "unauthorized",
    );
    let ana_client = client_with(url, &login.token);
    let me = ana_client.me().await.unwrap().into_inner();
    assert_eq!(me.role, "agent");
    assert_eq!(
        me.agent.map(|a| (a.id, a.name)),
        Some((ana.id, "Ana".into()))
    );

    // Roles: an agent reads only itself; a supervisor reads all, changes none.
    refused(ana_client.list_agents().await, 403, "forbidden");
    assert_eq!(
        ana_client.get_agent(ana.id).await.unwrap().into_inner().id,
        ana.id
    );
    refused(ana_client.get_agent(sue_id).await, 403, "forbidden");
    refused(
        ana_client
            .create_agent(&new_agent("y@example.com", json!([]), json!([])))
            .await,
        403,
        "forbidden",
    );
    refused(
        ana_client
            .update_agent(ana.id, &body(json!({"capacity": 50})))
            .await,
        403,
        "forbidden",
    );
    refused(ana_client.delete_agent(sue_id).await, 403, "forbidden");
    assert_eq!(sue.list_agents().await.unwrap().into_inner().len(), 2);
    assert_eq!(
        sue.get_agent(ana.id).await.unwrap().into_inner().email,
        "ana@example.com"
    );
    refused(
        sue.update_agent(ana.id, &body(json!({"capacity": 50})))
            .await,
        403,
        "forbidden",
    );
    refused(sue.delete_agent(ana.id).await, 403, "forbidden");
    refused(anonymous.list_agents().await, 401, "unauthorized");
    refused(anonymous.get_agent(ana.id).await, 401, "unauthorized");

    // Unknown ids.
    for detail in [
        refused(admin.get_agent(987_654).await, 404, "not_found"),
        refused(
            admin
                .update_agent(987_654, &body(json!({"name": "Ghost"})))
                .await,
            404,
            "not_found",
        ),
        refused(admin.delete_agent(987_654).await, 404, "not_found"),
        refused(
            admin
                .set_agent_presence(987_654, &body(json!({"presence": "online"})))
                .await,
            404,
            "not_found",
        ),
    ] {
        assert!(detail.contains("agent"), "{detail}");
    }

    // Update: name, capacity, languages, teams (replaced, deduplicated) and
    // the password; the email and role stay.
    let sales = admin
        .create_team(&body(json!({"name": "Sales", "strategy": "round_robin"})))
        .await
        .unwrap()
        .into_inner();
    let updated = admin
        .update_agent(
            ana.id,
            &body(json!({
                "name": "Ana Lima", "capacity": 4, "languages": ["es"],
                "teams": [sales.id, support_team.id, sales.id],
                "password": "a brand new password",
            })),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            updated.name.as_str(),
            updated.capacity,
            updated.languages.clone()
        ),
        ("Ana Lima", 4, vec!["es".to_owned()])
    );
    let mut both = vec![support_team.id, sales.id];
    both.sort_unstable();
    assert_eq!(updated.teams, both);
    assert_eq!(
        (updated.email.as_str(), updated.role.as_str()),
        ("ana@example.com", "agent")
    );
    assert!(
        admin
            .get_team(sales.id)
            .await
            .unwrap()
            .into_inner()
            .members
            .contains(&ana.id)
    );
    let detail = refused(
        admin
            .update_agent(ana.id, &body(json!({"teams": [424_242], "name": "Nope"})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("teams:"), "{detail}");
    refused(
        admin
            .update_agent(ana.id, &body(json!({"languages": ["??"]})))
            .await,
        422,
        "invalid_field",
    );
    let stored = admin.get_agent(ana.id).await.unwrap().into_inner();
    assert_eq!(
        (stored.name.as_str(), stored.teams.clone()),
        ("Ana Lima", both)
    );
    // The old password no longer logs in; the new one does.
    refused(
        anonymous
            .login(&body(
                json!({"email": "ana@example.com", "password": "correct horse battery"}),
            ))
            .await,
        401,
        "unauthorized",
    );
    let relogin = anonymous
        .login(&body(
            json!({"email": "ana@example.com", "password": "a brand new password"}),
        ))
        .await
        .unwrap()
        .into_inner();
    let ana_again = client_with(url, &relogin.token);

    // Presence: agents set their own, admins anyone's.
    let away = ana_client
        .set_agent_presence(ana.id, &body(json!({"presence": "away"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (away.agent_id, away.presence.as_str(), away.assigned.len()),
        (ana.id, "away", 0)
    );
    refused(
        ana_client
            .set_agent_presence(sue_id, &body(json!({"presence": "online"})))
            .await,
        403,
        "forbidden",
    );
    let detail = refused(
        admin
            .set_agent_presence(ana.id, &body(json!({"presence": "busy"})))
            .await,
        400,
        "invalid_body",
    );
    assert!(detail.contains("presence"), "{detail}");
    assert_eq!(
        admin.get_agent(ana.id).await.unwrap().into_inner().presence,
        "away"
    );
    admin
        .set_agent_presence(sue_id, &body(json!({"presence": "online"})))
        .await
        .unwrap();
    assert_eq!(
        sue.get_agent(sue_id).await.unwrap().into_inner().presence,
        "online"
    );

    // An admin agent may not delete its own account.
    let (root_id, root) = signed_in(&admin, url, "root@example.com", "admin", &[]).await;
    let detail = refused(root.delete_agent(root_id).await, 409, "conflict");
    assert!(detail.contains("own account"), "{detail}");

    // Delete: the account, its sessions and memberships go.
    admin.delete_agent(ana.id).await.unwrap();
    refused(admin.get_agent(ana.id).await, 404, "not_found");
    refused(ana_again.me().await, 401, "unauthorized");
    assert!(
        !admin
            .get_team(support_team.id)
            .await
            .unwrap()
            .into_inner()
            .members
            .contains(&ana.id)
    );
    refused(admin.delete_agent(ana.id).await, 404, "not_found");

    // Logout revokes the presented token only.
    let out = sue.logout().await.unwrap().into_inner();
    assert_eq!(out.role, "supervisor");
    refused(sue.me().await, 401, "unauthorized");
    refused(sue.logout().await, 401, "unauthorized");
    assert_eq!(root.me().await.unwrap().into_inner().role, "admin");

    // Five wrong passwords for an email: even the right one waits (429).
    let as_sue = |password: &str| {
        body::<types::LoginIn>(json!({"email": "sue@example.com", "password": password}))
    };
    // (The address's own count, from earlier wrong passwords in this test,
    // may say 429 first: a valid login no longer resets it.)
    for _ in 0..5 {
        let (status, _) = failure(anonymous.login(&as_sue("not her password")).await);
        assert!(status == 401 || status == 429, "{status}");
    }
    let detail = refused(
        anonymous.login(&as_sue("correct horse battery")).await,
        429,
        "too_many_requests",
    );
    assert!(detail.contains("try again"), "{detail}");

    // Every change is in the audit trail, attributed.
    let trail = admin
        .list_audit(None, None, Some(&ana.id.to_string()), Some("agent"))
        .await
        .unwrap()
        .into_inner();
    let actions: Vec<&str> = trail.items.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "agent.delete",
            "auth.login",
            "agent.update",
            "auth.login",
            "agent.create"
        ],
        "newest first, her sign-ins included"
    );
    // Changes by the admin token, sign-ins by Ana herself.
    let ana_actor = format!("agent:{}", ana.id);
    assert!(trail.items.iter().all(|e| if e.action == "auth.login" {
        e.actor == ana_actor
    } else {
        e.actor == "token:test"
    }));
    let trail_json = serde_json::to_string(&trail).unwrap();
    assert!(!trail_json.contains("brand new password") && !trail_json.contains("argon2"));
}

on_sqlite_and_postgres!(agents_sign_in_and_are_managed_through_the_client);

async fn teams_rules_tokens_and_the_audit_trail_through_the_client(db: TestDb) {
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let anonymous = Client::new(url);
    let (_, agent) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;
    let (bo_id, _) = signed_in(&admin, url, "bo@example.com", "agent", &[]).await;
    let (sue_id, sue) = signed_in(&admin, url, "sue@example.com", "supervisor", &[]).await;

    // Teams: create, with refusals that store nothing.
    let team = admin
        .create_team(&body(json!({
            "name": "  Billing ", "strategy": "round_robin", "members": [bo_id, sue_id, bo_id],
        })))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(team.name, "Billing");
    assert_eq!(team.strategy, "round_robin");
    let mut members = vec![bo_id, sue_id];
    members.sort_unstable();
    assert_eq!(team.members, members);
    let team_in = |name: &str, members: serde_json::Value| {
        body::<types::TeamIn>(json!({"name": name, "strategy": "manual", "members": members}))
    };
    refused(
        anonymous.create_team(&team_in("X", json!([]))).await,
        401,
        "unauthorized",
    );
    refused(
        agent.create_team(&team_in("X", json!([]))).await,
        403,
        "forbidden",
    );
    refused(
        sue.create_team(&team_in("X", json!([]))).await,
        403,
        "forbidden",
    );
    refused(
        admin.create_team(&team_in("Billing", json!([]))).await,
        409,
        "conflict",
    );
    let detail = refused(
        admin.create_team(&team_in("   ", json!([]))).await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("name:"), "{detail}");
    let detail = refused(
        admin.create_team(&team_in("X", json!([777_777]))).await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("members:"), "{detail}");
    let teams = sue.list_teams().await.unwrap().into_inner();
    assert_eq!(
        teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["Billing"]
    );
    refused(agent.list_teams().await, 403, "forbidden");
    assert_eq!(
        sue.get_team(team.id).await.unwrap().into_inner().name,
        "Billing"
    );
    refused(agent.get_team(team.id).await, 403, "forbidden");
    refused(admin.get_team(555_555).await, 404, "not_found");

    // Update: strategy, members (replaced), name; the refusals keep it.
    let sales = admin
        .create_team(&team_in("Sales", json!([])))
        .await
        .unwrap()
        .into_inner();
    let changed = admin
        .update_team(
            team.id,
            &body(json!({"name": "Billing EU", "strategy": "manual", "members": [bo_id]})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            changed.name.as_str(),
            changed.strategy.as_str(),
            changed.members.clone()
        ),
        ("Billing EU", "manual", vec![bo_id])
    );
    refused(
        admin
            .update_team(team.id, &body(json!({"name": "Sales"})))
            .await,
        409,
        "conflict",
    );
    let detail = refused(
        admin
            .update_team(team.id, &body(json!({"members": [bo_id, 777_777]})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("members:"), "{detail}");
    refused(
        admin
            .update_team(team.id, &body(json!({"name": " "})))
            .await,
        422,
        "invalid_field",
    );
    refused(
        sue.update_team(team.id, &body(json!({"strategy": "least_loaded"})))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .update_team(555_555, &body(json!({"strategy": "least_loaded"})))
            .await,
        404,
        "not_found",
    );
    let stored = admin.get_team(team.id).await.unwrap().into_inner();
    assert_eq!(
        (
            stored.name.as_str(),
            stored.strategy.as_str(),
            stored.members
        ),
        ("Billing EU", "manual", vec![bo_id])
    );
    // Membership shows on the agent too.
    assert_eq!(
        admin.get_agent(bo_id).await.unwrap().into_inner().teams,
        vec![team.id]
    );

    // Routing rules: create, list in order, get.
    let team_rule = |name: &str, keyword: &str, team_id: i64, priority: i32| {
        body::<types::RuleIn>(json!({
            "name": name, "conditions": {"keywords": [keyword]},
            "action": {"type": "team", "team_id": team_id, "priority": priority},
        }))
    };
    let invoices = admin
        .create_rule(&team_rule("invoices", "invoice", team.id, 2))
        .await
        .unwrap()
        .into_inner();
    let deals = admin
        .create_rule(&team_rule("deals", "discount", sales.id, 0))
        .await
        .unwrap()
        .into_inner();
    let greeter = admin
        .create_rule(&body(json!({
            "name": "greeter", "conditions": {"regex": "^(hi|hello)\\b"},
            "action": {"type": "bot", "bot": {
                "replies": [{"keyword": "hello", "text": "Hello! How can we help?"}],
                "handover_keywords": ["human"], "handover_team_id": sales.id,
            }},
        })))
        .await
        .unwrap()
        .into_inner();
    assert!(invoices.enabled && invoices.position < deals.position);
    assert!(deals.position < greeter.position);
    assert_eq!(greeter.action.bot.as_ref().unwrap().replies.len(), 1);
    let order = |rules: Vec<types::RuleOut>| rules.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        order(sue.list_rules().await.unwrap().into_inner()),
        [invoices.id, deals.id, greeter.id]
    );
    refused(agent.list_rules().await, 403, "forbidden");
    let got = sue.get_rule(deals.id).await.unwrap().into_inner();
    assert_eq!(
        (
            got.name.as_str(),
            got.action.team_id,
            got.conditions.keywords
        ),
        ("deals", Some(sales.id), vec!["discount".to_owned()])
    );
    refused(agent.get_rule(deals.id).await, 403, "forbidden");
    refused(admin.get_rule(999_999).await, 404, "not_found");

    // Create refusals name the field and store nothing.
    for (rule, field) in [
        (
            json!({"name": "r", "conditions": {"regex": "(unclosed"},
                   "action": {"type": "team", "team_id": team.id}}),
            "conditions.regex",
        ),
        (
            json!({"name": "r", "action": {"type": "team", "team_id": 999_999}}),
            "action.team_id",
        ),
        (
            json!({"name": "r", "action": {"type": "team"}}),
            "action.team_id",
        ),
        (
            json!({"name": "r", "action": {"type": "bot"}}),
            "action.bot",
        ),
        (
            json!({"name": "r", "conditions": {"hours": {
                "time_zone": "Mars/Olympus", "from": "09:00", "to": "17:00"}},
                   "action": {"type": "team", "team_id": team.id}}),
            "conditions.hours.time_zone",
        ),
        (
            json!({"name": "r", "conditions": {"hours": {
                "time_zone": "Europe/Berlin", "days": [9], "from": "09:00", "to": "17:00"}},
                   "action": {"type": "team", "team_id": team.id}}),
            "conditions.hours.days",
        ),
    ] {
        let detail = refused(admin.create_rule(&body(rule)).await, 422, "invalid_field");
        assert!(
            detail.starts_with(&format!("{field}:")),
            "{field}: {detail}"
        );
    }
    refused(
        sue.create_rule(&team_rule("x", "x", team.id, 0)).await,
        403,
        "forbidden",
    );
    refused(
        anonymous
            .create_rule(&team_rule("x", "x", team.id, 0))
            .await,
        401,
        "unauthorized",
    );
    assert_eq!(admin.list_rules().await.unwrap().into_inner().len(), 3);

    // Dry run: the first enabled match decides.
    let dry = |text: &str| {
        body::<types::DryRunIn>(
            json!({"text": text, "business_number": PHONE_NUMBER_ID, "language": "en"}),
        )
    };
    let hit = sue
        .dry_run_rules(&dry("my invoice, and a discount?"))
        .await
        .unwrap()
        .into_inner();
    assert!(hit.matched);
    assert_eq!(hit.rule.map(|r| r.id), Some(invoices.id));
    let outcome = hit.outcome.unwrap();
    assert_eq!(
        (outcome.type_, outcome.team_id, outcome.priority),
        (types::DryRunOutcomeType::Queue, Some(team.id), Some(2))
    );
    assert_eq!(hit.rules_evaluated, 3);
    let bot = admin
        .dry_run_rules(&dry("hello there"))
        .await
        .unwrap()
        .into_inner();
    let outcome = bot.outcome.unwrap();
    assert_eq!(outcome.type_, types::DryRunOutcomeType::Bot);
    assert_eq!(outcome.reply.as_deref(), Some("Hello! How can we help?"));
    let miss = admin
        .dry_run_rules(&dry("nothing here"))
        .await
        .unwrap()
        .into_inner();
    assert!(!miss.matched && miss.rule.is_none() && miss.outcome.is_none());
    refused(agent.dry_run_rules(&dry("invoice")).await, 403, "forbidden");
    refused(
        anonymous.dry_run_rules(&dry("invoice")).await,
        401,
        "unauthorized",
    );

    // Update: disable the first rule; the dry run moves on to the next.
    let disabled = admin
        .update_rule(
            invoices.id,
            &body(json!({"enabled": false, "name": "invoices (paused)"})),
        )
        .await
        .unwrap()
        .into_inner();
    assert!(!disabled.enabled);
    assert_eq!(disabled.name, "invoices (paused)");
    assert_eq!(disabled.action.team_id, Some(team.id), "the action stays");
    let next = admin
        .dry_run_rules(&dry("my invoice, and a discount?"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(next.rule.map(|r| r.id), Some(deals.id));
    assert_eq!(next.rules_evaluated, 2);
    let replaced = admin
        .update_rule(
            deals.id,
            &body(json!({"conditions": {"keywords": ["coupon"]}, "action": {"type": "team", "team_id": team.id, "priority": 5}})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replaced.conditions.keywords, vec!["coupon".to_owned()]);
    assert_eq!(
        (replaced.action.team_id, replaced.action.priority),
        (Some(team.id), 5)
    );
    let detail = refused(
        admin
            .update_rule(deals.id, &body(json!({"conditions": {"regex": "[a-"}})))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("conditions.regex:"), "{detail}");
    refused(
        sue.update_rule(deals.id, &body(json!({"enabled": false})))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .update_rule(999_999, &body(json!({"enabled": false})))
            .await,
        404,
        "not_found",
    );
    let kept = admin.get_rule(deals.id).await.unwrap().into_inner();
    assert_eq!(kept.conditions.keywords, vec!["coupon".to_owned()]);
    assert!(kept.conditions.regex.is_none() && kept.enabled);

    // Reorder: all or nothing.
    let reordered = admin
        .reorder_rules(&body(json!({"ids": [greeter.id, invoices.id, deals.id]})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        reordered
            .iter()
            .map(|r| (r.id, r.position))
            .collect::<Vec<_>>(),
        [(greeter.id, 0), (invoices.id, 1), (deals.id, 2)]
    );
    let detail = refused(
        admin
            .reorder_rules(&body(
                json!({"ids": [deals.id, deals.id, greeter.id, invoices.id]}),
            ))
            .await,
        422,
        "invalid_field",
    );
    assert!(detail.starts_with("ids:"), "{detail}");
    refused(
        admin
            .reorder_rules(&body(
                json!({"ids": [deals.id, greeter.id, invoices.id, 999_999]}),
            ))
            .await,
        404,
        "not_found",
    );
    let detail = refused(
        admin
            .reorder_rules(&body(json!({"ids": [deals.id, greeter.id]})))
            .await,
        409,
        "conflict",
    );
    assert!(detail.contains(&invoices.id.to_string()), "{detail}");
    refused(
        sue.reorder_rules(&body(json!({"ids": [deals.id, greeter.id, invoices.id]})))
            .await,
        403,
        "forbidden",
    );
    assert_eq!(
        order(admin.list_rules().await.unwrap().into_inner()),
        [greeter.id, invoices.id, deals.id],
        "refused reorders change nothing"
    );

    // A team a rule routes to cannot be deleted (409 naming the rule).
    let detail = refused(admin.delete_team(sales.id).await, 409, "conflict");
    assert!(detail.contains("greeter"), "{detail}");
    refused(agent.delete_team(sales.id).await, 403, "forbidden");
    refused(admin.delete_team(555_555).await, 404, "not_found");

    // Delete rules; then the team goes.
    refused(sue.delete_rule(greeter.id).await, 403, "forbidden");
    admin.delete_rule(greeter.id).await.unwrap();
    refused(admin.get_rule(greeter.id).await, 404, "not_found");
    refused(admin.delete_rule(greeter.id).await, 404, "not_found");
    assert_eq!(
        order(admin.list_rules().await.unwrap().into_inner()),
        [invoices.id, deals.id]
    );
    admin.delete_team(sales.id).await.unwrap();
    refused(admin.get_team(sales.id).await, 404, "not_found");
    assert_eq!(admin.list_teams().await.unwrap().into_inner().len(), 1);

    // Integrator tokens: shown once, listed without it, unique names.
    let created = admin
        .create_token(&body(json!({"name": "crm-sync"})))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.name, "crm-sync");
    assert!(created.token.len() >= 32, "a long random token");
    refused(
        admin.create_token(&body(json!({"name": "crm-sync"}))).await,
        409,
        "conflict",
    );
    refused(
        sue.create_token(&body(json!({"name": "mine"}))).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.create_token(&body(json!({"name": "mine"}))).await,
        401,
        "unauthorized",
    );
    assert!(types::TokenInName::try_from("not a name!".to_owned()).is_err());
    let crm = client_with(url, &created.token);
    let crm_me = crm.me().await.unwrap().into_inner();
    assert_eq!(
        (crm_me.role.as_str(), crm_me.agent.is_none()),
        ("admin", true)
    );
    let listed = sue.list_tokens().await.unwrap().into_inner();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"crm-sync") && names.contains(&"test"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("login:")),
        "sessions are not integrator tokens: {names:?}"
    );
    let listed_json = serde_json::to_string(&listed).unwrap();
    assert!(!listed_json.contains(&created.token) && !listed_json.contains(ADMIN_TOKEN));
    refused(agent.list_tokens().await, 403, "forbidden");
    refused(sue.revoke_token(created.id).await, 403, "forbidden");
    admin.revoke_token(created.id).await.unwrap();
    refused(crm.me().await, 401, "unauthorized");
    refused(admin.revoke_token(created.id).await, 404, "not_found");
    assert!(
        admin
            .list_tokens()
            .await
            .unwrap()
            .into_inner()
            .iter()
            .all(|t| t.id != created.id)
    );

    // The audit trail: admins only, newest first, filtered, paged.
    refused(
        sue.list_audit(None, None, None, None).await,
        403,
        "forbidden",
    );
    refused(
        agent.list_audit(None, None, None, None).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.list_audit(None, None, None, None).await,
        401,
        "unauthorized",
    );
    let team_trail = admin
        .list_audit(None, None, Some(&team.id.to_string()), Some("team"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        team_trail
            .items
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["team.update", "team.create"]
    );
    assert_eq!(
        team_trail.items[0].detail["after"]["strategy"], "manual",
        "{:?}",
        team_trail.items[0].detail
    );
    let limit = std::num::NonZeroU64::new(2);
    let first = admin
        .list_audit(None, limit, None, Some("routing_rule"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.items.len(), 2);
    let cursor: types::ListAuditCursor = first.next_cursor.clone().unwrap().parse().unwrap();
    let second = admin
        .list_audit(Some(&cursor), limit, None, Some("routing_rule"))
        .await
        .unwrap()
        .into_inner();
    assert!(!second.items.is_empty());
    assert!(
        second.items[0].id < first.items[1].id,
        "the next page continues after the first"
    );
    let all_rule_entries = admin
        .list_audit(None, None, None, Some("routing_rule"))
        .await
        .unwrap()
        .into_inner()
        .items;
    // 3 creates, 2 updates, 1 reorder, 1 delete; refusals left no entry.
    assert_eq!(all_rule_entries.len(), 7, "{all_rule_entries:?}");
    let detail = refused(
        admin
            .list_audit(None, std::num::NonZeroU64::new(500), None, None)
            .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("limit"), "{detail}");
    let token_trail = admin
        .list_audit(None, None, None, Some("api_token"))
        .await
        .unwrap()
        .into_inner();
    let token_json = serde_json::to_string(&token_trail).unwrap();
    assert!(token_json.contains("token.revoke") && !token_json.contains(&created.token));
}

on_sqlite_and_postgres!(teams_rules_tokens_and_the_audit_trail_through_the_client);

async fn numbers_contacts_and_system_facts_through_the_client(db: TestDb) {
    let postgres = matches!(db, TestDb::Postgres { .. });
    let stack = spawn_stack(db, StackOptions::default()).await;
    let url = stack.admin_url.as_str();
    let admin = client_with(url, ADMIN_TOKEN);
    let anonymous = Client::new(url);
    let (_, agent) = signed_in(&admin, url, "ana@example.com", "agent", &[]).await;

    // System facts.
    let info = agent.get_system_info().await.unwrap().into_inner();
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        info.database_backend,
        if postgres { "postgres" } else { "sqlite" }
    );
    assert!(info.nats_connected);
    refused(anonymous.get_system_info().await, 401, "unauthorized");

    // Business numbers: the seeded ones, secrets never answered.
    let numbers = agent.list_numbers().await.unwrap().into_inner();
    let seeded = numbers
        .iter()
        .find(|n| n.phone_number_id == PHONE_NUMBER_ID)
        .unwrap();
    assert_eq!(seeded.provider, "meta");
    assert!(seeded.has_app_secret && seeded.has_verify_token);
    assert!(
        numbers
            .iter()
            .any(|n| n.phone_number_id == WASENDER_SESSION)
    );
    let numbers_json = serde_json::to_string(&numbers).unwrap();
    for secret in [APP_SECRET, VERIFY_TOKEN, WASENDER_SECRET] {
        assert!(!numbers_json.contains(secret), "a secret in the list");
    }
    refused(anonymous.list_numbers().await, 401, "unauthorized");

    // Create: the new number's secret lets its webhooks in at the edges.
    let new_secret = "fresh-app-secret-31415";
    let number_in = |phone_number_id: &str| {
        body::<types::NumberIn>(json!({
            "provider": "meta", "phone_number_id": phone_number_id,
            "display_phone": "+1 555 0199", "name": "Second line",
            "app_secret": new_secret, "verify_token": "fresh-verify-271",
            "access_token": "fresh-access-161", "api_base_url": stack.sandbox_url,
        }))
    };
    let created = admin
        .create_number(&number_in("200300400500"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (created.provider.as_str(), created.name.as_str()),
        ("meta", "Second line")
    );
    assert!(created.has_app_secret && created.has_verify_token && created.has_access_token);
    let created_json = serde_json::to_string(&created).unwrap();
    for secret in [new_secret, "fresh-verify-271", "fresh-access-161"] {
        assert!(!created_json.contains(secret), "a secret in the answer");
    }
    refused(
        admin.create_number(&number_in("200300400500")).await,
        409,
        "conflict",
    );
    refused(
        admin.create_number(&number_in(PHONE_NUMBER_ID)).await,
        409,
        "conflict",
    );
    refused(
        agent.create_number(&number_in("200300400501")).await,
        403,
        "forbidden",
    );
    refused(
        anonymous.create_number(&number_in("200300400501")).await,
        401,
        "unauthorized",
    );
    assert!(types::NumberInPhoneNumberId::try_from("has spaces".to_owned()).is_err());
    assert_eq!(admin.list_numbers().await.unwrap().into_inner().len(), 3);
    let got = agent.get_number(created.id).await.unwrap().into_inner();
    assert_eq!(
        (got.phone_number_id.as_str(), got.display_phone.as_str()),
        ("200300400500", "+1 555 0199")
    );
    assert!(!serde_json::to_string(&got).unwrap().contains(new_secret));
    refused(admin.get_number(424_242).await, 404, "not_found");
    refused(anonymous.get_number(created.id).await, 401, "unauthorized");

    let webhook = |wamid: &str| {
        meta_text(
            "200300400500",
            "4915100000901",
            "Gus",
            wamid,
            "hello second line",
            chrono::Utc::now().timestamp(),
        )
    };
    eventually(
        Duration::from_secs(20),
        "the edges to accept the new number's webhooks",
        || async {
            let status = stack
                .post_meta("eu", &webhook("wamid.N1"), new_secret)
                .await
                .status();
            (status == 200).then_some(())
        },
    )
    .await;

    // Update: rename, rotate the secret; the old one is refused after.
    let rotated_secret = "rotated-app-secret-2718";
    let updated = admin
        .update_number(
            created.id,
            &body(json!({"name": "Second line (EU)", "app_secret": rotated_secret})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.name, "Second line (EU)");
    assert!(updated.has_app_secret && updated.updated_at >= created.updated_at);
    assert!(
        !serde_json::to_string(&updated)
            .unwrap()
            .contains(rotated_secret)
    );
    refused(
        agent
            .update_number(created.id, &body(json!({"name": "Mine"})))
            .await,
        403,
        "forbidden",
    );
    refused(
        admin
            .update_number(424_242, &body(json!({"name": "Ghost"})))
            .await,
        404,
        "not_found",
    );
    assert_eq!(
        admin
            .get_number(created.id)
            .await
            .unwrap()
            .into_inner()
            .name,
        "Second line (EU)"
    );
    eventually(
        Duration::from_secs(20),
        "the edges to refuse the old secret",
        || async {
            let old = stack
                .post_meta("eu", &webhook("wamid.N2"), new_secret)
                .await
                .status();
            (old == 401).then_some(())
        },
    )
    .await;
    assert_eq!(
        stack
            .post_meta("eu", &webhook("wamid.N3"), rotated_secret)
            .await
            .status(),
        200
    );
    let number_trail = admin
        .list_audit(
            None,
            None,
            Some(&created.id.to_string()),
            Some("business_number"),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(number_trail.items.len(), 2);
    assert_eq!(
        number_trail.items[0].detail["changed"],
        json!(["name", "app_secret"])
    );
    let trail_json = serde_json::to_string(&number_trail).unwrap();
    assert!(!trail_json.contains(rotated_secret) && !trail_json.contains(new_secret));

    // Issue 27: the number learnt its business account from its webhooks;
    // its template catalog syncs from the provider's listing (the sandbox),
    // and what Meta reports about the account is listed.
    let learnt = eventually(Duration::from_secs(20), "the number's account", || async {
        admin
            .get_number(created.id)
            .await
            .ok()?
            .into_inner()
            .waba_id
    })
    .await;
    assert_eq!(learnt, "102290129340398");
    refused(agent.sync_templates(created.id).await, 403, "forbidden");
    let synced = admin.sync_templates(created.id).await.unwrap().into_inner();
    assert_eq!(synced.listed, 4);
    let approved = agent
        .list_templates(
            Some(&types::ListTemplatesNumber::try_from("200300400500".to_owned()).unwrap()),
            Some(&types::ListTemplatesStatus::try_from("APPROVED".to_owned()).unwrap()),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(approved.len(), 2, "{approved:?}");
    assert!(approved.iter().all(|t| t.status == "APPROVED"));
    refused(
        agent
            .list_templates(
                Some(&types::ListTemplatesNumber::try_from("no-such-number".to_owned()).unwrap()),
                None,
            )
            .await,
        404,
        "not_found",
    );
    let account_events = agent
        .list_account_events(created.id)
        .await
        .unwrap()
        .into_inner();
    assert!(account_events.is_empty(), "{account_events:?}");
    refused(admin.list_account_events(424_242).await, 404, "not_found");

    // Contacts: the customer who wrote is searchable by name or number.
    let contact = eventually(Duration::from_secs(20), "the contact", || async {
        agent
            .search_contacts(None, Some("Gus"))
            .await
            .ok()?
            .into_inner()
            .pop()
    })
    .await;
    assert_eq!(contact.wa_id, "4915100000901");
    assert_eq!(contact.tier, "standard");
    let by_number = admin
        .search_contacts(None, Some("00000901"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        by_number.iter().map(|c| c.id).collect::<Vec<_>>(),
        [contact.id]
    );
    assert!(
        admin
            .search_contacts(None, Some("nobody like this"))
            .await
            .unwrap()
            .into_inner()
            .is_empty()
    );
    open_conversation(&stack, "4915100000902", "wamid.C2").await;
    let everyone = admin
        .search_contacts(None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(everyone.len(), 2);
    let one = admin
        .search_contacts(std::num::NonZeroU64::new(1), None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(one.len(), 1);
    let detail = refused(
        admin
            .search_contacts(std::num::NonZeroU64::new(500), None)
            .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("limit"), "{detail}");
    refused(
        anonymous.search_contacts(None, None).await,
        401,
        "unauthorized",
    );

    let got = agent.get_contact(contact.id).await.unwrap().into_inner();
    assert_eq!(got.profile_name.as_deref(), Some("Gus"));
    refused(admin.get_contact(424_242).await, 404, "not_found");
    refused(anonymous.get_contact(contact.id).await, 401, "unauthorized");

    let changed = admin
        .update_contact(
            contact.id,
            &body(json!({"tier": "vip", "language": "de", "attributes": {"crm_id": 42}})),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (changed.tier.as_str(), changed.language.as_deref()),
        ("vip", Some("de"))
    );
    assert_eq!(changed.attributes, json!({"crm_id": 42}));
    assert!(changed.marketing_opt_out_at.is_none());
    // Issue 27: an API opt-out of marketing, and back in.
    let opted = admin
        .update_contact(contact.id, &body(json!({"marketing_opt_out": true})))
        .await
        .unwrap()
        .into_inner();
    assert!(opted.marketing_opt_out_at.is_some());
    let back = admin
        .update_contact(contact.id, &body(json!({"marketing_opt_out": false})))
        .await
        .unwrap()
        .into_inner();
    assert!(back.marketing_opt_out_at.is_none());
    let detail = refused(
        admin
            .update_contact(
                contact.id,
                &body(json!({"tier": "gold", "attributes": [1, 2]})),
            )
            .await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("attributes"), "{detail}");
    refused(
        admin
            .update_contact(424_242, &body(json!({"tier": "vip"})))
            .await,
        404,
        "not_found",
    );
    refused(
        anonymous
            .update_contact(contact.id, &body(json!({"tier": "vip"})))
            .await,
        401,
        "unauthorized",
    );
    let stored = admin.get_contact(contact.id).await.unwrap().into_inner();
    assert_eq!(
        (stored.tier.as_str(), stored.attributes.clone()),
        ("vip", json!({"crm_id": 42})),
        "the refused change left it"
    );
    let contact_trail = admin
        .list_audit(None, None, Some(&contact.id.to_string()), Some("contact"))
        .await
        .unwrap()
        .into_inner();
    // The change, then the marketing opt-out and opt-in (newest first).
    assert_eq!(contact_trail.items.len(), 3);
    let first = &contact_trail.items[2];
    assert_eq!(first.detail["before"]["tier"], "standard");
    assert_eq!(first.detail["after"]["tier"], "vip");
    assert!(contact_trail.items[1].detail["after"]["marketing_opt_out_at"].is_string());
    assert!(contact_trail.items[0].detail["after"]["marketing_opt_out_at"].is_null());

    // Stats: stream depths, the router's consumers, conversations by status.
    stack.wait_router_idle().await;
    let stats = agent.get_stats().await.unwrap().into_inner();
    let stream = |name: &str| stats.streams.iter().find(|s| s.name == name).unwrap();
    assert!(stream("INBOUND").messages >= 3, "{:?}", stats.streams);
    assert_eq!(stream("DLQ").messages, 0);
    let partitions = stats
        .consumers
        .iter()
        .filter(|c| c.stream == "INBOUND")
        .count();
    assert_eq!(partitions, usize::from(stack.config.topology.partitions));
    assert!(
        stats
            .consumers
            .iter()
            .filter(|c| c.stream == "INBOUND")
            .all(|c| c.pending == 0 && c.ack_pending == 0)
    );
    let conversations: i64 = stats.conversations.iter().map(|c| c.count).sum();
    assert_eq!(conversations, 2);
    assert!(stats.deliveries.success_rate.is_none(), "no reply yet");
    refused(anonymous.get_stats().await, 401, "unauthorized");

    // Alerts: none configured, none listed.
    let alerts = agent.list_alerts(None).await.unwrap().into_inner();
    assert!(alerts.firing.is_empty() && alerts.pending.is_empty() && alerts.recent.is_empty());
    let detail = refused(
        admin.list_alerts(std::num::NonZeroU64::new(201)).await,
        400,
        "invalid_parameter",
    );
    assert!(detail.contains("limit"), "{detail}");
    refused(anonymous.list_alerts(None).await, 401, "unauthorized");
}

on_sqlite_and_postgres!(numbers_contacts_and_system_facts_through_the_client);
