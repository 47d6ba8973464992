//! The command line: global flags and one subcommand per role. Parsing only;
//! `run` hands each role to `roles` / `stack`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Role};
use crate::roles;

/// Wharf: a fault-tolerant WhatsApp customer-support backbone.
#[derive(Debug, Parser)]
#[command(name = "wharf", version, about)]
pub struct Cli {
    /// TOML config file layered over the embedded defaults.
    #[arg(long, short, global = true, env = "WHARF_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole stack on this machine: NATS hub cluster and leaf nodes,
    /// migrations, an edge per region, router and admin server.
    Up {
        /// TLS on every connection, with a local CA (same as `[up] tls`).
        #[arg(long)]
        tls: bool,
    },
    /// Run an edge relay: verified provider webhooks into the region's stream.
    Edge {
        /// Region to serve (overrides `edge.region`).
        #[arg(long)]
        region: Option<String>,
    },
    /// Run a router: the consumer group that applies INBOUND to the database.
    Router,
    /// Run a sender: the consumer group that delivers OUTBOUND replies.
    Sender,
    /// Run the admin API and dashboard server.
    Admin,
    /// Create (or check) the NATS streams and buckets as the ops user: the
    /// hub's, then each region's edge stream through its leaf. Run it before
    /// the roles, whose own users may not create streams.
    Provision,
    /// Completeness of the inbound path for a time range: per region, the
    /// events its edge accepted, how many reached INBOUND, how many customer
    /// messages became rows, and each that did not. Exits 1 when anything is
    /// missing. As the ops user.
    Audit {
        /// Start: RFC 3339, or an age such as 15m, 2h, 7d.
        #[arg(long, default_value = "1h")]
        since: String,
        /// End (default: 30 s ago, so events still on their way are not
        /// counted missing).
        #[arg(long)]
        until: Option<String>,
        /// Re-publish what INBOUND lacks from the edge streams, then report again.
        #[arg(long)]
        repair: bool,
        /// One JSON object instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Run the reconciler (`[reconciler]`) as its own NATS user: every pass
    /// re-publishes into INBOUND what an edge accepted and INBOUND lacks.
    Reconcile,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the admin API's OpenAPI 3 document.
    Openapi,
    /// Print the effective configuration (secrets redacted).
    Config,
    /// Print a new random key for `[secrets] key` (WHARF__SECRETS__KEY).
    Keygen,
    /// Create (or replace) the admin API token NAME in the database and
    /// print it once: a new deployment's first token (more are made, listed
    /// and revoked through the API).
    Token {
        /// The token's name in the API's token list.
        name: String,
    },
    /// Run the sandbox provider, a stand-in for Meta's API (`[sandbox]`,
    /// and the `[[numbers]]` whose status webhooks it signs), for
    /// rehearsals and staging.
    Sandbox,
    /// Send N signed customer messages from M contacts to the edges of a
    /// running stack (`stack.json` of `wharf up`), for demos and load.
    Simulate {
        /// Messages to send.
        #[arg(long, short = 'n', default_value_t = 100)]
        messages: usize,
        /// Distinct contacts sending them.
        #[arg(long, short = 'm', default_value_t = 10)]
        contacts: usize,
        /// Requests in flight.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Attempts per message before giving up: a 429, 5xx (the edge's
        /// 503 `overloaded`) or no answer is retried with exponential
        /// backoff and full jitter, never sooner than `Retry-After`.
        #[arg(long, default_value_t = crate::simulate::DEFAULT_MAX_ATTEMPTS,
              value_parser = clap::value_parser!(u32).range(1..=100))]
        max_attempts: u32,
        /// The longest wait between two attempts, in milliseconds (caps
        /// `Retry-After` too).
        #[arg(long, default_value_t = 10_000)]
        max_wait_ms: u64,
        /// The stack description (default: `<up.data_dir>/stack.json`).
        #[arg(long, conflicts_with = "edges")]
        stack: Option<PathBuf>,
        /// Send to this edge (base URL; repeat for several) instead of a
        /// stack.json's, for the number `--phone-number-id` whose app secret
        /// is in WHARF_SIMULATE_APP_SECRET; HTTPS edges are checked against
        /// `[tls] ca_file`.
        #[arg(long = "edge", requires = "phone_number_id")]
        edges: Vec<String>,
        #[arg(long, requires = "app_secret")]
        phone_number_id: Option<String>,
        #[arg(long, env = "WHARF_SIMULATE_APP_SECRET", hide_env_values = true)]
        app_secret: Option<String>,
    },
}

impl Command {
    /// The default `service.name` of this command's spans: `wharf-<name>`
    /// (`wharf-edge`, `wharf-router`, …), and `wharf` for `wharf up`, which
    /// runs every role in one process.
    #[must_use]
    pub fn service_name(&self) -> &'static str {
        match self {
            Command::Up { .. } => "wharf",
            Command::Edge { .. } => "wharf-edge",
            Command::Router => "wharf-router",
            Command::Sender => "wharf-sender",
            Command::Admin => "wharf-admin",
            Command::Provision => "wharf-provision",
            Command::Audit { .. } => "wharf-audit",
            Command::Reconcile => "wharf-reconcile",
            Command::Migrate => "wharf-migrate",
            Command::Openapi => "wharf-openapi",
            Command::Config => "wharf-config",
            Command::Keygen => "wharf-keygen",
            Command::Token { .. } => "wharf-token",
            Command::Sandbox => "wharf-sandbox",
            Command::Simulate { .. } => "wharf-simulate",
        }
    }
}

/// Runs the parsed command to completion.
///
/// # Errors
/// Start-up failures of the role, with context.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Openapi = cli.command {
        println!("{}", admin::openapi_spec());
        return Ok(());
    }
    if let Command::Keygen = cli.command {
        println!("{}", relay::vault::Vault::generate_key());
        return Ok(());
    }
    let mut config = Config::load(cli.config.as_deref())?;
    // Held to the end of the command: dropping it flushes queued spans.
    let _traces = crate::telemetry::init(&config.log, &config.traces, cli.command.service_name())?;
    relay::tls::install_crypto();
    config.tls.trust_for_clients()?;
    let shutdown = CancellationToken::new();
    tokio::spawn(roles::cancel_on_signal(shutdown.clone()));
    match cli.command {
        Command::Openapi | Command::Keygen => Ok(()),
        Command::Config => {
            println!("{config:#?}");
            Ok(())
        }
        Command::Up { tls } => {
            config.up.tls |= tls;
            crate::stack::up(config, shutdown).await
        }
        Command::Simulate {
            messages,
            contacts,
            concurrency,
            max_attempts,
            max_wait_ms,
            stack,
            edges,
            phone_number_id,
            app_secret,
        } => {
            let target = match (phone_number_id, app_secret) {
                (Some(phone_number_id), Some(app_secret)) if !edges.is_empty() => {
                    crate::simulate::Target {
                        edges,
                        phone_number_id,
                        app_secret,
                        tls_ca_file: (!config.tls.ca_file.is_empty())
                            .then(|| config.tls.ca_file.clone()),
                    }
                }
                _ => {
                    let path = stack.unwrap_or_else(|| config.up.data_dir.join("stack.json"));
                    crate::simulate::Target::from_stack_json(&path)?
                }
            };
            let options = crate::simulate::SimulateOptions {
                messages,
                contacts,
                concurrency,
            };
            let policy = crate::simulate::RetryPolicy {
                max_attempts,
                max_delay: std::time::Duration::from_millis(max_wait_ms),
                ..crate::simulate::RetryPolicy::default()
            };
            println!(
                "sending {messages} messages from {} contacts to {} edges \
                 ({} in flight, at most {max_attempts} attempts each, \
                 waits up to {max_wait_ms} ms)",
                contacts.max(1),
                target.edges.len(),
                concurrency.max(1),
            );
            let report = crate::simulate::run_with(&target, options, policy).await?;
            println!("{report}");
            anyhow::ensure!(
                report.failed == 0,
                "{} of {} messages were not stored",
                report.failed,
                report.sent
            );
            Ok(())
        }
        Command::Audit {
            since,
            until,
            repair,
            json,
        } => {
            let now = chrono::Utc::now();
            let since = crate::audit::parse_time(&since, now)?;
            let until = match until {
                Some(until) => crate::audit::parse_time(&until, now)?,
                None => now - chrono::Duration::seconds(30),
            };
            let complete = crate::audit::run(&config, since, until, repair, json).await?;
            anyhow::ensure!(complete, "the inbound path is not complete for this range");
            Ok(())
        }
        Command::Reconcile => {
            let ops = roles::bind_ops(
                &config,
                Role::Reconciler,
                config.ops.reconciler_listen,
                None,
                relay::topology::INBOUND,
            )
            .await?;
            tokio::spawn(ops.run(shutdown.clone()));
            let client =
                roles::hub_client(&config, crate::config::Role::Reconciler, "wharf-reconcile")
                    .await?;
            let reconciler = relay::completeness::Reconciler {
                client,
                regions: config.topology.regions.clone(),
                settings: config.reconciler.clone(),
            };
            anyhow::ensure!(reconciler.settings.enabled, "[reconciler] enabled = false");
            reconciler.run(shutdown).await;
            Ok(())
        }
        Command::Token { name } => {
            let db = roles::connect_database(&config.database).await?;
            let token = roles::create_admin_token(&db, &name).await?;
            println!("{token}");
            Ok(())
        }
        Command::Sandbox => {
            let sandbox = roles::bind_sandbox(&config, config.sandbox.clone()).await?;
            Ok(sandbox.run(shutdown).await?)
        }
        Command::Provision => {
            let wait = std::time::Duration::from_secs(config.nats.connect_wait_secs);
            roles::provision(&config, wait).await?;
            println!("NATS streams and buckets are in place");
            Ok(())
        }
        Command::Migrate => {
            let db = roles::connect_database(&config.database).await?;
            roles::migrate(&db).await?;
            // Numbers to seed are sealed: then (or with a key given) the key
            // is needed; a bare schema migration does without.
            if !config.numbers.is_empty() || !config.secrets.key.is_empty() {
                let vault = roles::vault(&config)?;
                roles::seed_numbers(&db, &config.numbers, &vault).await?;
                relay::vault::reseal_numbers(&db, &vault)
                    .await
                    .map_err(anyhow::Error::msg)?;
            }
            println!("migrations applied");
            Ok(())
        }
        Command::Edge { region } => {
            if let Some(region) = region {
                relay::topology::validate_region(&region).map_err(anyhow::Error::msg)?;
                config.edge.region = region;
            }
            let edge = roles::bind_edge(&config, config.edge.clone()).await?;
            Ok(edge.run(shutdown).await?)
        }
        Command::Router => {
            // Before the database's worker threads start: they inherit it.
            roles::apply_router_priority(config.router.nice);
            let db = roles::connect_database(&config.database).await?;
            let ops = roles::bind_ops(
                &config,
                Role::Router,
                config.ops.router_listen,
                Some(db.clone()),
                relay::topology::INBOUND,
            )
            .await?;
            tokio::spawn(ops.run(shutdown.clone()));
            let router = roles::build_router(&config, db).await?;
            Ok(router.run(shutdown).await?)
        }
        Command::Sender => {
            // Before touching anything: a sender cannot send without it.
            roles::vault(&config)?;
            let db = roles::connect_database(&config.database).await?;
            let ops = roles::bind_ops(
                &config,
                Role::Sender,
                config.ops.sender_listen,
                Some(db.clone()),
                relay::topology::OUTBOUND,
            )
            .await?;
            tokio::spawn(ops.run(shutdown.clone()));
            let sender = roles::build_sender(&config, db).await?;
            Ok(sender.run(shutdown).await?)
        }
        Command::Admin => {
            roles::vault(&config)?;
            let db = roles::connect_database(&config.database).await?;
            let server = roles::bind_admin(&config, db).await?;
            let mut tasks = JoinSet::new();
            tasks.spawn(server.run(shutdown));
            while let Some(done) = tasks.join_next().await {
                done??;
            }
            Ok(())
        }
    }
}
