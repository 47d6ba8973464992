//! Start-up of each role from the config: connect NATS and the database, build
//! the library server or consumer, run it until the shutdown token fires.
//! `wharf up` and the single-role subcommands both go through here.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use entities::business_number;
use migrations::{Migrator, MigratorTrait};
use relay::edge::{EdgeServer, EdgeSettings};
use relay::provider::NumberCredentials;
use relay::provider::sandbox::{SandboxServer, SandboxSettings};
use relay::router::Router;
use relay::sender::Sender;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    EntityTrait, QueryFilter, Set,
};
use tokio_util::sync::CancellationToken;

use crate::config::{Config, DatabaseSettings, Role, redact_url};

/// Opens the database pool; for SQLite creates the file's folder and turns on WAL.
///
/// # Errors
/// When the database cannot be reached.
pub async fn connect_database(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = &settings.url;
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:")
            .split('?')
            .next()
            .unwrap_or_default();
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(settings.max_connections)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to database {}", redact_url(url)))?;
    if sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
    }
    Ok(db)
}

/// Applies every pending migration.
///
/// # Errors
/// When a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        // PostgreSQL: sea-orm-migration wraps each migration in a
        // transaction of its own.
        return Migrator::up(db, None).await.context("running migrations");
    }
    // SQLite: sea-orm-migration runs SQLite migrations without a
    // transaction, so their statements spread over the pool's connections,
    // some with an older schema loaded (an index dropped and created again
    // failed that way; a seed right after migrating once read a row without
    // a column the last migration added). One transaction keeps every
    // statement on one connection and applies all of them or none.
    let txn = sea_orm::TransactionTrait::begin(db)
        .await
        .context("running migrations")?;
    Migrator::up(&txn, None)
        .await
        .context("running migrations")?;
    txn.commit().await.context("running migrations")
}

/// The vault sealing stored secrets, from `[secrets]`.
///
/// # Errors
/// When the key is missing or malformed.
pub fn vault(config: &Config) -> anyhow::Result<std::sync::Arc<relay::vault::Vault>> {
    Ok(std::sync::Arc::new(config.secrets.vault()?))
}

/// Makes sure every configured number has its row, with current credentials
/// (sealed by `vault`).
///
/// # Errors
/// Database errors.
pub async fn seed_numbers(
    db: &DatabaseConnection,
    numbers: &[NumberCredentials],
    vault: &relay::vault::Vault,
) -> anyhow::Result<()> {
    let now = Utc::now();
    for number in numbers {
        let existing = business_number::Entity::find()
            .filter(business_number::Column::PhoneNumberId.eq(&number.phone_number_id))
            .one(db)
            .await?;
        let mut row: business_number::ActiveModel = match existing {
            Some(row) => row.into(),
            None => business_number::ActiveModel {
                phone_number_id: Set(number.phone_number_id.clone()),
                name: Set(number.phone_number_id.clone()),
                created_at: Set(now),
                api_base_url: Set(None),
                ..Default::default()
            },
        };
        row.provider = Set(number.provider.as_str().to_owned());
        row.display_phone = Set(number.display_phone.clone());
        relay::vault::seal_number(
            vault,
            &mut row,
            number.app_secret.expose(),
            number.verify_token.expose(),
            Some(number.access_token.expose()),
        );
        row.api_base_url = Set(number.api_base_url.clone());
        row.updated_at = Set(now);
        row.save(db).await?;
    }
    Ok(())
}

/// Connects to the hub as `role`'s user.
///
/// # Errors
/// When no hub node answers in time, or the credentials are refused.
pub async fn hub_client(
    config: &Config,
    role: Role<'_>,
    name: &str,
) -> anyhow::Result<async_nats::Client> {
    relay::nats::connect(
        &config.nats.url,
        name,
        Duration::from_secs(config.nats.connect_wait_secs),
        &config.nats.access(role),
    )
    .await
    .context("connecting to the NATS hub")
}

/// The HTTP servers' certificate from `[tls]`, if set.
///
/// # Errors
/// When the files are unusable.
pub fn server_tls(config: &Config) -> anyhow::Result<Option<relay::tls::ServerTls>> {
    Ok(config.tls.server()?)
}

/// Binds an edge relay (its NATS is the region's leaf, or the hub).
///
/// # Errors
/// When NATS is unreachable, the stream drifted or the port is taken.
pub async fn bind_edge(config: &Config, settings: EdgeSettings) -> anyhow::Result<EdgeServer> {
    let role = Role::Edge {
        region: &settings.region,
        direct: settings.direct_to_hub,
    };
    let client = relay::nats::connect(
        &settings.nats_url,
        &format!("wharf-edge-{}", settings.region),
        Duration::from_secs(config.nats.connect_wait_secs),
        &config.nats.access(role),
    )
    .await
    .with_context(|| format!("connecting edge {} to NATS", settings.region))?;
    let tls = server_tls(config)?;
    Ok(
        EdgeServer::bind(settings, &config.topology, &config.numbers, client)
            .await
            .context("starting the edge relay")?
            .with_tls(tls.as_ref()),
    )
}

/// Gives every thread of this router process the scheduling priority
/// `nice` (`router.nice`); a refusal is logged and the process keeps its
/// priority.
pub fn apply_router_priority(nice: i32) {
    if nice == 0 {
        return;
    }
    match crate::priority::set_process_nice(nice) {
        Ok(threads) => tracing::info!(nice, threads, "router scheduling priority set"),
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => tracing::warn!(
            nice,
            %err,
            "router.nice not applied: below 0 needs CAP_SYS_NICE (root); \
             running at the default priority (router.nice = 0 silences this)"
        ),
        Err(err) => tracing::warn!(nice, %err, "router.nice not applied"),
    }
}

/// Builds a router process.
///
/// # Errors
/// When NATS or the database is unreachable.
pub async fn build_router(config: &Config, db: DatabaseConnection) -> anyhow::Result<Router> {
    let client = hub_client(config, Role::Router, "wharf-router").await?;
    let router = Router::new(
        config.router.clone(),
        config.topology.clone(),
        db.clone(),
        client.clone(),
    );
    if !config.media.enabled {
        return Ok(router);
    }
    // The fetcher opens the numbers' tokens: without a secrets key it stays off.
    let vault = match vault(config) {
        Ok(vault) => vault,
        Err(err) => {
            tracing::warn!(error = %format!("{err:#}"), "media fetcher off: no usable [secrets] key");
            return Ok(router);
        }
    };
    let apis = relay::media::ProviderApis {
        meta_base_url: config.sender.meta_base_url.clone(),
        meta_api_version: config.sender.meta_api_version.clone(),
        wasender_base_url: config.sender.wasender_base_url.clone(),
    };
    let fetcher = relay::media::fetch::Fetcher::new(
        config.media.clone(),
        config.topology.clone(),
        apis,
        db,
        client,
        vault,
    )?;
    Ok(router.with_media(fetcher))
}

/// Builds a sender process.
///
/// # Errors
/// When NATS is unreachable or the HTTP client cannot start.
pub async fn build_sender(config: &Config, db: DatabaseConnection) -> anyhow::Result<Sender> {
    let vault = vault(config)?;
    let client = hub_client(config, Role::Sender, "wharf-sender").await?;
    Ok(Sender::new(
        config.sender.clone(),
        config.topology.clone(),
        db,
        client,
        vault,
    )?)
}

/// Binds the sandbox provider for the configured numbers.
///
/// # Errors
/// When the port is taken.
pub async fn bind_sandbox(
    config: &Config,
    settings: SandboxSettings,
) -> anyhow::Result<SandboxServer> {
    let tls = server_tls(config)?;
    Ok(SandboxServer::bind(settings, &config.numbers)
        .await
        .context("starting the sandbox provider")?
        .with_tls(tls.as_ref()))
}

/// A new random admin API token stored under `name` (replacing the token
/// of that name, if any); returned once, only its hash is kept.
///
/// # Errors
/// When the database fails.
pub async fn create_admin_token(db: &DatabaseConnection, name: &str) -> anyhow::Result<String> {
    let bytes: [u8; 24] = rand::random();
    let token = format!("wharf_{}", hex::encode(bytes));
    admin::tokens::ensure_token(db, name, &token)
        .await
        .context("storing the admin token")?;
    Ok(token)
}

/// Binds the admin server.
///
/// # Errors
/// When NATS is unreachable or the port is taken.
pub async fn bind_admin(
    config: &Config,
    db: DatabaseConnection,
) -> anyhow::Result<admin::AdminServer> {
    config.validate_alert_sources()?;
    let vault = vault(config)?;
    // Values in clear or under a key being rotated out: sealed under the
    // current key before anything reads them.
    relay::vault::reseal_numbers(&db, &vault)
        .await
        .map_err(anyhow::Error::msg)
        .context("re-sealing stored secrets")?;
    let client = hub_client(config, Role::Admin, "wharf-admin").await?;
    let server = admin::AdminServer::bind(
        config.admin.clone(),
        db,
        client,
        config.topology.partitions,
        vault,
    )
    .await
    .context("starting the admin server")?
    .with_tls(server_tls(config)?.as_ref())
    .with_media_limits(config.media.limits.clone());
    Ok(server.with_alerts(config.alerts.clone(), config.topology.replicas))
}

/// Binds the `/healthz` + `/readyz` server of a role without HTTP of its own.
///
/// # Errors
/// When NATS is unreachable or the port is taken.
pub async fn bind_ops(
    config: &Config,
    role: Role<'_>,
    listen: std::net::SocketAddr,
    db: Option<DatabaseConnection>,
    stream: &str,
) -> anyhow::Result<relay::ops::OpsServer> {
    let nats = hub_client(config, role, "wharf-health").await?;
    let readiness = relay::ops::Readiness {
        nats,
        db,
        streams: vec![stream.to_owned()],
    };
    let server = relay::ops::OpsServer::bind(listen, readiness)
        .await
        .with_context(|| format!("binding the health endpoint on {listen}"))?
        .with_tls(server_tls(config)?.as_ref());
    tracing::info!(addr = %server.local_addr(), "health endpoint listening");
    Ok(server)
}

/// Provisions NATS as the ops user: the hub's streams and buckets, then each
/// region's edge stream in its leaf's domain (through the leaf link), creating
/// what is missing and checking what exists. The roles' own users may only
/// read stream configs, so this runs before them (`wharf up`, `wharf
/// provision`). Retries while the cluster elects leaders and leaves link up.
/// Returns the ops connection.
///
/// # Errors
/// On drift at once; on other errors after `wait`.
pub async fn provision(config: &Config, wait: Duration) -> anyhow::Result<async_nats::Client> {
    let client = hub_client(config, Role::Ops, "wharf-provision").await?;
    let hub = async_nats::jetstream::new(client.clone());
    let deadline = tokio::time::Instant::now() + wait;
    // Each region's edge stream first, then the hub: INBOUND's sources then
    // find their streams at once, instead of retrying with the server's
    // growing backoff (seconds on 2.11+) before the first event flows.
    let steps: Vec<Option<&String>> = config
        .topology
        .regions
        .iter()
        .map(Some)
        .chain(std::iter::once(None))
        .collect();
    let mut step = 0;
    while let Some(target) = steps.get(step) {
        let result = match target {
            None => relay::topology::ensure_hub(&hub, &config.topology).await,
            Some(region) => {
                let leaf = async_nats::jetstream::with_domain(
                    client.clone(),
                    relay::topology::edge_domain(region),
                );
                relay::topology::ensure_edge(&leaf, &config.topology, region).await
            }
        };
        match result {
            Ok(()) => step += 1,
            Err(err @ relay::topology::TopologyError::Drift { .. }) => return Err(err.into()),
            Err(err) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%err, "NATS not ready for streams yet");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(client)
}

/// Resolves when Ctrl-C or SIGTERM arrives, then cancels `token`.
pub async fn cancel_on_signal(token: CancellationToken) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
        () = token.cancelled() => {},
    }
    tracing::info!("shutting down");
    token.cancel();
}
