//! Roles of a bench run as child processes (`wharf edge`, `wharf router`,
//! `wharf sender` with a config file written for the run), so each role's
//! peak resident set (`VmHWM`) can be read on its own. Says what differs
//! from the bench's own config; the file is `wharf::config_file`'s, the
//! process `wharf::child::ChildProcess`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use relay::secret::Secret;
use relay::sender::ratelimit::Limit;
use wharf::child::ChildProcess;
use wharf::config::Config;

/// What a role's config says beyond the bench's own config.
#[derive(Debug, Clone)]
pub struct RoleConfig {
    pub hub_urls: String,
    pub leaf_url: String,
    /// The edge publishes straight into INBOUND on the hub
    /// (`edge.direct_to_hub`) instead of into its leaf's stream.
    pub edge_to_hub: bool,
    pub database_url: String,
    pub edge_listen: SocketAddr,
    pub partitions: u16,
    /// The sandbox's base URL: where the sender sends the number's replies.
    pub sandbox_url: String,
    /// Per-number send limit: sends per `period_ms`.
    pub sends: u32,
    pub period_ms: u64,
    /// `[secrets] key` of every role (the bench's own, random per run).
    pub secrets_key: String,
    /// `[nats.users]` of the run's servers (random passwords per run).
    pub nats_users: wharf::config::NatsUsers,
}

impl RoleConfig {
    /// `base` (the bench's config) with this run's servers, database and
    /// limits.
    pub fn config(&self, base: &Config) -> Config {
        let mut config = base.clone();
        config.numbers = vec![super::bench_number(Some(self.sandbox_url.clone()))];
        config.log.filter = "warn,async_nats=error".into();
        config.nats.url = self.hub_urls.clone();
        config.nats.users = self.nats_users.clone();
        config.database.url = self.database_url.clone();
        config.database.max_connections = 10;
        config.topology.partitions = self.partitions;
        config.topology.regions = vec!["eu".into()];
        config.edge.region = "eu".into();
        config.edge.listen = self.edge_listen;
        config.edge.nats_url = if self.edge_to_hub {
            self.hub_urls.clone()
        } else {
            self.leaf_url.clone()
        };
        config.edge.direct_to_hub = self.edge_to_hub;
        config.edge.max_in_flight = 65536;
        // The load generator is one address and one number: no abuse limits here.
        config.edge.per_ip_per_second = 0;
        config.sender.rate.meta = Limit {
            sends: self.sends,
            period_ms: self.period_ms,
        };
        config.secrets.key = Secret::new(&self.secrets_key);
        config.ops.router_listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.ops.sender_listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.ops.reconciler_listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config
    }

    /// Writes the role's config as `<dir>/<name>.toml`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, base: &Config, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        let path = dir.join(format!("{name}.toml"));
        self.config(base).write_file(&path)?;
        Ok(path)
    }
}

/// Starts `wharf <args> --config <config>`, logging to `<dir>/<name>.log`.
///
/// # Errors
/// When the binary cannot be started.
pub fn spawn_role(
    name: &str,
    args: &[&str],
    config: &Path,
    dir: &Path,
) -> anyhow::Result<ChildProcess> {
    let mut process = ChildProcess::new(
        name,
        wharf::child::wharf_binary()?,
        dir.join(format!("{name}.log")),
    )
    .args(args)
    .args([std::ffi::OsStr::new("--config"), config.as_os_str()])
    .env_remove(["RUST_LOG", "WHARF_CONFIG"]);
    process.start()?;
    Ok(process)
}

/// Reads the peak RSS, then stops the process (SIGTERM, then SIGKILL after
/// `grace`). Returns the peak in KiB.
pub fn stop_with_peak(mut process: ChildProcess, grace: std::time::Duration) -> Option<u64> {
    let peak = process.peak_rss_kib();
    process.stop(grace);
    peak
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NUMBER, SECRET};

    fn load(path: Option<&Path>) -> Config {
        Config::load_from(
            path,
            figment::providers::Env::prefixed("WHARF_BENCH_TEST_NOTHING__"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_role_config_is_valid_wharf_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let base = load(None);
        let role = RoleConfig {
            hub_urls: "nats://127.0.0.1:1,nats://127.0.0.1:2".into(),
            leaf_url: "nats://127.0.0.1:3".into(),
            edge_to_hub: false,
            database_url: "postgres://u:p\"w@h/db".into(),
            edge_listen: SocketAddr::from(([127, 0, 0, 1], 4)),
            partitions: 5,
            sandbox_url: "http://127.0.0.1:5".into(),
            sends: 80,
            period_ms: 1000,
            secrets_key: relay::vault::Vault::generate_key(),
            nats_users: {
                let mut users = base.nats.users.clone();
                users.router.password = relay::secret::Secret::new("r\"pw");
                users
            },
        };
        let path = role
            .write(&base, dir.path(), "x")
            .unwrap_or_else(|e| panic!("{e}"));
        let config = load(Some(&path));
        assert_eq!(config.database.url, "postgres://u:p\"w@h/db");
        assert_eq!(config.topology.partitions, 5);
        assert_eq!(config.nats.users.router.password.expose(), "r\"pw");
        assert_eq!(config.edge.listen.port(), 4);
        assert_eq!(config.edge.nats_url, "nats://127.0.0.1:3");
        assert!(!config.edge.direct_to_hub);
        let to_hub = RoleConfig {
            edge_to_hub: true,
            ..role
        };
        let config = load(Some(
            &to_hub
                .write(&base, dir.path(), "y")
                .unwrap_or_else(|e| panic!("{e}")),
        ));
        assert_eq!(
            config.edge.nats_url,
            "nats://127.0.0.1:1,nats://127.0.0.1:2"
        );
        assert!(config.edge.direct_to_hub);
        assert_eq!(config.numbers[0].app_secret.expose(), SECRET);
        assert_eq!(
            config
                .sender
                .rate
                .limit_for(NUMBER, config.sender.rate.meta),
            Limit {
                sends: 80,
                period_ms: 1000
            }
        );
    }
}
