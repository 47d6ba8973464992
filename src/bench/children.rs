//! Roles of a bench run as child processes of this binary (`wharf edge`,
//! `wharf router`, `wharf sender` with a config file written for the run),
//! so each role's peak resident set (`VmHWM`) can be read on its own.
//! Owns the processes and their config files; not what they do.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::{NUMBER, SECRET};

/// What a role's config file says (the rest are the embedded defaults).
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
    pub nats_users: crate::config::NatsUsers,
}

/// A TOML string literal (JSON string escapes are valid TOML basic strings).
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl RoleConfig {
    /// The config file's text.
    pub fn toml(&self) -> String {
        format!(
            r#"[[numbers]]
provider = "meta"
phone_number_id = {number}
app_secret = {secret}
api_base_url = {sandbox}

[log]
filter = "warn,async_nats=error"

[nats]
url = {hub}

[nats.users]
{users}

[database]
url = {db}
max_connections = 10

[topology]
partitions = {partitions}
regions = ["eu"]

[edge]
region = "eu"
listen = {listen}
nats_url = {edge_nats}
direct_to_hub = {edge_to_hub}
max_in_flight = 65536
# The load generator is one address and one number: no abuse limits here.
per_ip_per_second = 0

[sender.rate]
meta = {{ sends = {sends}, period_ms = {period} }}

[secrets]
key = {key}

[ops]
router_listen = "127.0.0.1:0"
sender_listen = "127.0.0.1:0"
"#,
            number = quoted(NUMBER),
            secret = quoted(SECRET),
            sandbox = quoted(&self.sandbox_url),
            hub = quoted(&self.hub_urls),
            users = [
                ("router", &self.nats_users.router),
                ("sender", &self.nats_users.sender),
                ("edge", &self.nats_users.edge),
            ]
            .iter()
            .map(|(role, u)| format!(
                "{role} = {{ user = {}, password = {} }}",
                quoted(&u.user),
                quoted(u.password.expose())
            ))
            .collect::<Vec<_>>()
            .join("\n"),
            db = quoted(&self.database_url),
            partitions = self.partitions,
            listen = quoted(&self.edge_listen.to_string()),
            edge_nats = quoted(if self.edge_to_hub {
                &self.hub_urls
            } else {
                &self.leaf_url
            }),
            edge_to_hub = self.edge_to_hub,
            sends = self.sends,
            period = self.period_ms,
            key = quoted(&self.secrets_key),
        )
    }

    /// Writes the file as `<dir>/<name>.toml`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, self.toml())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

/// Peak resident set (`VmHWM`) of a live process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    peak_rss_of(&format!("/proc/{pid}/status"))
}

/// Peak resident set of this process, in KiB.
pub fn own_peak_rss_kib() -> Option<u64> {
    peak_rss_of("/proc/self/status")
}

fn peak_rss_of(path: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One role running as a child process; killed and reaped on drop.
pub struct RoleProcess {
    pub name: String,
    child: Option<Child>,
    log: PathBuf,
}

impl RoleProcess {
    /// Starts `wharf <args> --config <config>`, logging to `<dir>/<name>.log`.
    ///
    /// # Errors
    /// When the binary cannot be started.
    pub fn spawn(name: &str, args: &[&str], config: &Path, dir: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe().context("locating the wharf binary")?;
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log)?;
        let child = Command::new(exe)
            .args(args)
            .arg("--config")
            .arg(config)
            .env_remove("RUST_LOG")
            .env_remove("WHARF_CONFIG")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        Ok(Self {
            name: name.to_owned(),
            child: Some(child),
            log,
        })
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Peak RSS so far, in KiB (None once it exited).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.pid().and_then(peak_rss_kib)
    }

    /// Fails with the end of its log when the process has exited.
    ///
    /// # Errors
    /// When it is no longer running.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        if let Some(child) = self.child.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            anyhow::bail!("{} exited ({status}):\n{}", self.name, self.log_tail());
        }
        Ok(())
    }

    /// The last 20 lines of its log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Reads the peak RSS, then stops the process (SIGTERM, then SIGKILL
    /// after `grace`). Returns the peak in KiB.
    pub fn stop(mut self, grace: Duration) -> Option<u64> {
        let peak = self.peak_rss_kib();
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let deadline = Instant::now() + grace;
            while Instant::now() < deadline {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return peak;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        peak
    }
}

impl Drop for RoleProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_config_is_valid_wharf_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
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
                let mut users = crate::config::Config::load_from(
                    None,
                    figment::providers::Env::prefixed("WHARF_BENCH_TEST_NOTHING__"),
                )
                .unwrap_or_else(|e| panic!("{e}"))
                .nats
                .users;
                users.router.password = relay::secret::Secret::new("r\"pw");
                users
            },
        };
        let path = role
            .write(dir.path(), "x")
            .unwrap_or_else(|e| panic!("{e}"));
        let config = crate::config::Config::load_from(
            Some(&path),
            figment::providers::Env::prefixed("WHARF_BENCH_TEST_NOTHING__"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
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
        let config = crate::config::Config::load_from(
            Some(
                &to_hub
                    .write(dir.path(), "y")
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
            figment::providers::Env::prefixed("WHARF_BENCH_TEST_NOTHING__"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
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
            relay::sender::ratelimit::Limit {
                sends: 80,
                period_ms: 1000
            }
        );
    }

    #[test]
    fn peak_rss_is_read_from_proc() {
        assert!(own_peak_rss_kib().is_some_and(|kib| kib > 0));
    }
}
