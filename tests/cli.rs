//! The `wharf` binary as a user meets it: help, the OpenAPI document, config
//! errors, and `wharf up` bringing up and tearing down the whole stack.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
#[path = "support/up.rs"]
mod up;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::eventually;

fn wharf() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
    for (key, _) in std::env::vars() {
        if key.starts_with("WHARF") {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn help_lists_every_role() {
    let output = wharf().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for role in [
        "up", "edge", "router", "sender", "admin", "migrate", "openapi",
    ] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(role)),
            "{role} missing:\n{help}"
        );
    }
}

#[test]
fn openapi_prints_an_openapi_3_document() {
    let output = wharf().arg("openapi").output().unwrap();
    assert!(output.status.success());
    let spec: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/api/v1/conversations"].is_object());
}

#[test]
fn the_committed_openapi_spec_matches_the_code() {
    let committed = include_str!("../admin/openapi.json");
    assert!(
        committed.trim() == admin::openapi_spec().trim(),
        "admin/openapi.json is stale: run `make openapi` and commit it"
    );
}

#[test]
fn an_invalid_setting_names_its_key_and_variable() {
    let output = wharf()
        .arg("migrate")
        .env("WHARF__TOPOLOGY__REPLICAS", "seven")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("topology.replicas"), "{stderr}");
    assert!(stderr.contains("WHARF__TOPOLOGY__REPLICAS"), "{stderr}");
}

#[test]
fn config_output_never_shows_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wharf.toml");
    std::fs::write(
        &file,
        "[[numbers]]\nprovider = \"meta\"\nphone_number_id = \"1065\"\napp_secret = \"s3cr3t-app\"\nverify_token = \"s3cr3t-vt\"\n\
         [database]\nurl = \"postgres://wharf:s3cr3t-db@localhost/wharf\"\nmax_connections = 2\n\
         [secrets]\nkey = \"s3cr3tKEYs3cr3tKEYs3cr3tKEYs3cr3tKEYs3cr3tA=\"\n",
    )
    .unwrap();
    let output = wharf()
        .arg("--config")
        .arg(&file)
        .arg("config")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(printed.contains("1065"));
    assert!(!printed.contains("s3cr3t"), "{printed}");
}

fn alive(pid: u32) -> bool {
    // A zombie is dead for our purposes.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.split_whitespace()
            .nth(2)
            .is_none_or(|state| state != "Z")
    })
}

fn read_stack(data: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(data.join("stack.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn start_up(data: &Path) -> std::process::Child {
    let db_url = format!("sqlite://{}?mode=rwc", data.join("wharf.db").display());
    up::up_command(data, &db_url, "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn terminate(child: &mut std::process::Child, signal: &str) -> std::process::ExitStatus {
    Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "wharf up did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wharf_up_runs_the_stack_keeps_data_and_leaves_no_nats_server_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = start_up(&data);
    let stack = eventually(Duration::from_secs(90), "stack.json", || async {
        read_stack(&data)
    })
    .await;

    let pids: Vec<u32> = stack["nats_pids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as u32)
        .collect();
    assert_eq!(pids.len(), 5, "3 hub nodes + 2 leaves: {stack}");
    assert!(pids.iter().all(|&p| alive(p)));
    let edges = stack["edges"].as_array().unwrap();
    assert_eq!(
        edges
            .iter()
            .map(|e| e["region"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["eu", "us"]
    );
    assert!(
        stack["nats"]["hub"][0]
            .as_str()
            .unwrap()
            .starts_with("nats://")
    );
    let credentials = &stack["credentials"];
    let token = credentials["admin_token"].as_str().unwrap().to_owned();
    let admin_url = stack["admin_url"].as_str().unwrap().to_owned();

    let http = reqwest::Client::new();
    assert_eq!(
        post_text(&http, &stack, 1, "4915100000009", "wamid.UP1").await,
        200
    );
    let list = |http: reqwest::Client, admin_url: String, token: String| async move {
        let page: serde_json::Value = http
            .get(format!("{admin_url}/api/v1/conversations"))
            .bearer_auth(token)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        (page["items"].as_array()?.len() == 1).then_some(page)
    };
    eventually(
        Duration::from_secs(30),
        "the conversation via wharf up",
        || list(http.clone(), admin_url.clone(), token.clone()),
    )
    .await;

    // The first admin can log in to the dashboard with the written credentials.
    let session = http
        .post(format!("{admin_url}/api/v1/auth/login"))
        .json(&serde_json::json!({
            "email": credentials["admin_email"],
            "password": credentials["admin_password"],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 200);

    let status = terminate(&mut child, "TERM");
    assert!(status.success(), "wharf up exited with {status}");
    for pid in &pids {
        assert!(!alive(*pid), "nats-server {pid} left behind");
    }

    // Starting again keeps the data and the credentials.
    let mut child = start_up(&data);
    let again = eventually(Duration::from_secs(90), "stack.json again", || async {
        read_stack(&data).filter(|s| s["pid"] != stack["pid"])
    })
    .await;
    assert_eq!(again["credentials"]["admin_token"], token);
    let admin_url = again["admin_url"].as_str().unwrap().to_owned();
    eventually(
        Duration::from_secs(30),
        "the old conversation after restart",
        || list(http.clone(), admin_url.clone(), token.clone()),
    )
    .await;
    let pids: Vec<u32> = again["nats_pids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap() as u32)
        .collect();
    // Ctrl-C: SIGINT to `wharf up` alone (the servers run in their own
    // process group), which stops everything it started.
    assert!(terminate(&mut child, "INT").success());
    for pid in &pids {
        assert!(!alive(*pid), "nats-server {pid} left behind");
    }
}

/// Posts a signed Meta text webhook from `from` to an edge of `stack`.
async fn post_text(
    http: &reqwest::Client,
    stack: &serde_json::Value,
    edge: usize,
    from: &str,
    wamid: &str,
) -> reqwest::StatusCode {
    let credentials = &stack["credentials"];
    let number = credentials["phone_number_id"].as_str().unwrap();
    let secret = credentials["app_secret"].as_str().unwrap();
    let body = support::meta_text(number, from, "Eve", wamid, "hello", 1_764_300_400);
    http.post(format!(
        "{}/webhooks/meta",
        stack["edges"][edge]["url"].as_str().unwrap()
    ))
    .header(
        "x-hub-signature-256",
        relay::provider::meta::sign(secret, &body),
    )
    .body(body)
    .send()
    .await
    .unwrap()
    .status()
}

/// `wharf up` says it is up (stack.json, "Wharf is up.") only once the whole
/// inbound path is live: each region's source into INBOUND active and the
/// router pulling. A webhook to every edge at that moment becomes a row
/// within 2 s (on 2.15 without the live check: 12 s, sometimes over 30 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_moment_wharf_up_is_up_a_webhook_to_every_edge_becomes_a_row_within_2_s() {
    let mut up = up::UpProcess::start(&[], "warn").await;
    let stack = up.stack.clone();
    let http = reqwest::Client::new();
    let edges = stack["edges"].as_array().unwrap().len();
    assert_eq!(edges, 2, "{stack}");
    let posts = (0..edges).map(|i| {
        let from = format!("49151000001{i:02}");
        let wamid = format!("wamid.LIVE{i}");
        let (http, stack) = (&http, &stack);
        async move { post_text(http, stack, i, &from, &wamid).await }
    });
    let statuses = futures::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let posted = std::time::Instant::now();
    let admin_url = stack["admin_url"].as_str().unwrap();
    let token = stack["credentials"]["admin_token"].as_str().unwrap();
    eventually(
        Duration::from_secs(2),
        "a conversation per edge within 2 s of `wharf up` saying it is up",
        || async {
            let page: serde_json::Value = http
                .get(format!("{admin_url}/api/v1/conversations"))
                .bearer_auth(token)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (page["items"].as_array()?.len() == edges).then_some(())
        },
    )
    .await;
    eprintln!(
        "first webhooks became rows {:?} after posting",
        posted.elapsed()
    );

    // `wharf audit` (ops user) sees each event accepted, in INBOUND and a row.
    let hub: Vec<&str> = stack["nats"]["hub"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    let until = (chrono::Utc::now() + chrono::Duration::minutes(1)).to_rfc3339();
    let audit = wharf()
        .args(["audit", "--since", "10m", "--until", &until, "--json"])
        .env("WHARF__NATS__URL", hub.join(","))
        .env(
            "WHARF__NATS__USERS__OPS__PASSWORD",
            stack["nats"]["ops_password"].as_str().unwrap(),
        )
        .env("WHARF__DATABASE__URL", &up.db_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["complete"], true, "{report}");
    for region in report["regions"].as_array().unwrap() {
        assert_eq!(
            (
                &region["accepted"],
                &region["in_inbound"],
                &region["message_rows"]
            ),
            (&1.into(), &1.into(), &1.into()),
            "{report}"
        );
    }
    assert!(up.stop().await.success(), "wharf up stops cleanly");
}

/// Kills the child on drop (a role under test).
struct Role(std::process::Child);

impl Drop for Role {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_sender_and_admin_processes_answer_health_and_readiness() {
    let nats = support::Nats::start(&["eu"]).await;
    let db = support::TestDb::sqlite();
    let key = relay::vault::Vault::generate_key();
    let env = |command: &mut Command| {
        command
            .env("WHARF__SECRETS__KEY", &key)
            .env("WHARF__NATS__URL", nats.hub.client_urls())
            .env("WHARF__DATABASE__URL", db.url())
            .env("WHARF__TOPOLOGY__REGIONS", "[\"eu\"]")
            .env(
                "WHARF__NATS__USERS__OPS__PASSWORD",
                nats.security.ops.expose(),
            )
            .env(
                "WHARF__NATS__USERS__ROUTER__PASSWORD",
                nats.security.router.expose(),
            )
            .env(
                "WHARF__NATS__USERS__SENDER__PASSWORD",
                nats.security.sender.expose(),
            )
            .env(
                "WHARF__NATS__USERS__ADMIN__PASSWORD",
                nats.security.admin.expose(),
            )
            .env("RUST_LOG", "warn");
    };
    let mut migrate = wharf();
    env(&mut migrate);
    assert!(migrate.arg("migrate").output().unwrap().status.success());
    // The roles' users may not create streams: provisioning comes first.
    let mut provision = wharf();
    env(&mut provision);
    let output = provision.arg("provision").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    for (role, key) in [
        ("router", "WHARF__OPS__ROUTER_LISTEN"),
        ("sender", "WHARF__OPS__SENDER_LISTEN"),
        ("admin", "WHARF__ADMIN__LISTEN"),
    ] {
        let port = support::unique_port();
        let mut command = wharf();
        env(&mut command);
        let _process = Role(
            command
                .arg(role)
                .env(key, format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let http = reqwest::Client::new();
        eventually(
            Duration::from_secs(30),
            &format!("{role} to be ready"),
            || {
                let http = http.clone();
                async move {
                    let response = http
                        .get(format!("http://127.0.0.1:{port}/readyz"))
                        .send()
                        .await
                        .ok()?;
                    (response.status() == 200).then_some(())
                }
            },
        )
        .await;
        let health = http
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200, "{role}");
    }
}

#[test]
fn keygen_prints_a_usable_key_and_a_sender_without_one_refuses_to_start() {
    let output = wharf().arg("keygen").output().unwrap();
    assert!(output.status.success());
    let key = String::from_utf8(output.stdout).unwrap();
    let key = key.trim();
    assert_ne!(
        key,
        String::from_utf8(wharf().arg("keygen").output().unwrap().stdout)
            .unwrap()
            .trim()
    );
    relay::vault::Vault::new(&relay::secret::Secret::new(key), &[]).unwrap();

    let output = wharf()
        .arg("sender")
        .env_remove("WHARF__SECRETS__KEY")
        .env("WHARF__NATS__URL", "nats://127.0.0.1:1")
        .env("WHARF__DATABASE__URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("secrets.key"), "{stderr}");
    assert!(stderr.contains("WHARF__SECRETS__KEY"), "{stderr}");

    let output = wharf()
        .arg("config")
        .env("WHARF__SECRETS__KEY", "not-a-key")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("secrets.key") && stderr.contains("base64"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-a-key"), "{stderr}");
}

#[tokio::test]
async fn logs_to_a_pipe_carry_no_colour_codes_and_the_first_admin_token_is_made_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.db").display());
    let output = wharf()
        .arg("migrate")
        .env("WHARF__DATABASE__URL", &url)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("INFO"), "logs expected: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI codes in a piped log: {stderr}"
    );

    let token = |name: &str| {
        let output = wharf()
            .args(["token", name])
            .env("WHARF__DATABASE__URL", &url)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    };
    let first = token("ops");
    assert!(first.starts_with("wharf_") && first.len() > 40, "{first}");
    let again = token("ops");
    assert_ne!(first, again, "a new token each time, replacing the old");
    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    let row = admin::tokens::find(&db, &again).await.unwrap();
    assert_eq!(row.map(|r| r.name).as_deref(), Some("ops"));
    assert!(admin::tokens::find(&db, &first).await.unwrap().is_none());
}

/// The names a deployment text uses: environment variables (`WHARF_…`),
/// config and env files (`*.conf`, `*.env`; `router-$n.env` and
/// `router-<n>.env` are one), and `wharf` subcommands.
fn deployment_names(text: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || "_-./$<>".contains(c)));
    for word in words {
        let word = word.trim_matches(|c: char| ".$".contains(c));
        if word.starts_with("WHARF_") {
            names.insert(word.trim_end_matches('_').to_owned());
        } else if word.ends_with(".conf") || word.ends_with(".env") {
            let file = word.rsplit('/').next().unwrap_or(word);
            names.insert(file.replace("$n", "<n>").replace("$1", "<n>"));
        }
    }
    for line in text.lines() {
        for role in [
            "migrate",
            "provision",
            "token",
            "router",
            "sender",
            "admin",
            "reconcile",
            "edge",
        ] {
            // The script runs them as `"$WHARF" router`, or `ops migrate` (as ops).
            if [
                format!("wharf {role}"),
                format!("\" {role}"),
                format!("ops {role}"),
            ]
            .iter()
            .any(|form| line.contains(form.as_str()))
            {
                names.insert(format!("wharf {role}"));
            }
        }
    }
    names
}

#[test]
fn the_readme_deployment_steps_and_the_rehearsal_name_the_same_files_and_variables() {
    let readme = include_str!("../README.md");
    let start = readme.find("## Deploying multi-region").unwrap();
    let rest = &readme[start + 3..];
    let section = &rest[..rest.find("\n##").unwrap()];
    let script = include_str!("../scripts/rehearsal.sh");
    let steps =
        &script[script.find("README step 1:").unwrap()..script.find("the traffic\n").unwrap()];
    let documented = deployment_names(section);
    let rehearsed = deployment_names(steps);
    for step in 1..=10 {
        assert!(
            section.contains(&format!("\n{step}. ")),
            "README step {step}"
        );
        assert!(
            steps.contains(&format!("README step {step}:")),
            "rehearsal step {step}"
        );
    }
    let only_doc: Vec<_> = documented.difference(&rehearsed).collect();
    let only_script: Vec<_> = rehearsed.difference(&documented).collect();
    assert!(
        only_doc.is_empty() && only_script.is_empty(),
        "README only: {only_doc:?}\nrehearsal only: {only_script:?}"
    );
    for name in [
        "nats-tls.conf",
        "leaf-tls.conf",
        "WHARF__NATS__URL",
        "wharf provision",
    ] {
        assert!(documented.contains(name), "{name}: {documented:?}");
    }
}

#[test]
fn simulate_sends_to_edges_named_on_the_command_line_without_a_stack_json() {
    let dir = tempfile::tempdir().unwrap();
    let port = support::unique_port();
    let output = wharf()
        .current_dir(dir.path())
        .args(["simulate", "-n", "2", "--max-attempts", "1"])
        .args(["--edge", &format!("http://127.0.0.1:{port}")])
        .args(["--phone-number-id", "1065"])
        .env("WHARF_SIMULATE_APP_SECRET", "s3cret")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stdout.contains("to 1 edges"), "{stdout}");
    assert!(stdout.contains("answered connection: 2"), "{stdout}");
    assert!(
        stderr.contains("2 of 2 messages were not stored"),
        "{stderr}"
    );
    assert!(!stderr.contains("stack.json"), "{stderr}");

    // Without the secret the edges are refused at parse time.
    let output = wharf()
        .args(["simulate", "--edge", "http://127.0.0.1:1"])
        .args(["--phone-number-id", "1065"])
        .output()
        .unwrap();
    assert!(!output.status.success());
}
