//! Connecting to NATS: one named client per role, with a bounded wait for the
//! server at start-up. Owns connection options only; names live in `topology`.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;
use crate::{Error, Result};

/// Who a process connects as: its NATS user (none when `user` is empty),
/// the inbox prefix its answers and deliveries arrive on (`_INBOX_<role>`:
/// the servers let each role subscribe to its own prefix only), and the CA
/// that signed the servers' TLS certificates (set: TLS required).
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub user: String,
    pub password: Secret,
    pub inbox_prefix: String,
    pub ca_file: Option<PathBuf>,
}

impl Access {
    /// The connection options this access implies.
    pub fn options(&self) -> async_nats::ConnectOptions {
        let mut options = async_nats::ConnectOptions::new();
        if !self.user.is_empty() {
            options =
                options.user_and_password(self.user.clone(), self.password.expose().to_owned());
        }
        if !self.inbox_prefix.is_empty() {
            options = options.custom_inbox_prefix(&self.inbox_prefix);
        }
        if let Some(ca) = &self.ca_file {
            crate::tls::install_crypto();
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        options
    }
}

/// Connects to `url` (comma-separated server list allowed) as `access`,
/// retrying until `wait` has passed so roles can start before the servers.
/// A refused user or password fails at once.
///
/// # Errors
/// When no server accepted a connection within `wait`, or the server
/// refused the credentials (named by user, never by password).
pub async fn connect(
    url: &str,
    name: &str,
    wait: Duration,
    access: &Access,
) -> Result<async_nats::Client> {
    let deadline = tokio::time::Instant::now() + wait;
    let servers: Vec<async_nats::ServerAddr> = url
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Config(format!("invalid NATS url: {e}")))?;
    let mut delay = Duration::from_millis(50);
    loop {
        let options = access
            .options()
            .name(name)
            .connection_timeout(Duration::from_secs(2))
            .max_reconnects(None);
        match options.connect(servers.clone()).await {
            Ok(client) => return Ok(client),
            Err(err)
                if matches!(
                    err.kind(),
                    async_nats::ConnectErrorKind::AuthorizationViolation
                        | async_nats::ConnectErrorKind::Authentication
                ) =>
            {
                return Err(Error::Config(format!(
                    "NATS refused user {:?}: {err} (check its password in [nats.users])",
                    access.user
                )));
            }
            Err(err) if tokio::time::Instant::now() < deadline => {
                tracing::debug!(%err, "NATS not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(1));
            }
            Err(err) => return Err(Error::nats(err)),
        }
    }
}

/// Runs `op` until it succeeds, backing off from 100 ms to 2 s, while
/// JetStream is temporarily unavailable (a cluster electing leaders after a
/// restart, a node rejoining). `None` when `shutdown` fires first; errors
/// that `fatal` recognises are returned at once.
///
/// # Errors
/// The first error `fatal` says will not clear by waiting.
pub async fn retry_transient<T, E, Fut>(
    what: &str,
    shutdown: &tokio_util::sync::CancellationToken,
    fatal: impl Fn(&E) -> bool,
    mut op: impl FnMut() -> Fut,
) -> std::result::Result<Option<T>, E>
where
    E: std::fmt::Display,
    Fut: std::future::Future<Output = std::result::Result<T, E>>,
{
    let mut delay = Duration::from_millis(100);
    let mut attempts = 0u32;
    loop {
        match op().await {
            Ok(value) => return Ok(Some(value)),
            Err(err) if fatal(&err) => return Err(err),
            Err(err) => {
                attempts += 1;
                if attempts % 10 == 1 {
                    tracing::warn!(%err, attempts, "{what}: JetStream not available yet; retrying");
                }
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(None),
                    () = tokio::time::sleep(delay) => {}
                }
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        }
    }
}
