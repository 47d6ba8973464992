//! Connecting to NATS: one named client per role, with a bounded wait for the
//! server at start-up. Owns connection options only; names live in `topology`.

use std::path::PathBuf;
use std::time::Duration;

use crate::secret::Secret;
use crate::{Error, Result};

/// The oldest nats-server Wharf runs on. 2.11 brought what the roles rely
/// on (consumer priority groups, per-message TTL, answers to every request
/// async-nats' KV API makes); older servers lost redeliveries under load
/// (nats-server issue 5727). Every role refuses an older server at connect.
pub const MIN_SERVER_VERSION: ServerVersion = ServerVersion(2, 11, 0);

/// A nats-server release, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerVersion(pub u32, pub u32, pub u32);

impl ServerVersion {
    /// Parses `2.15.1`, `v2.15.1`, `2.12.0-RC.1` or the output of
    /// `nats-server --version` (`nats-server: v2.15.1`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.rsplit(' ').next().unwrap_or(text);
        let text = text.strip_prefix('v').unwrap_or(text);
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let version = Self(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }

    /// Refuses a server older than [`MIN_SERVER_VERSION`] or one whose
    /// version cannot be read, naming both versions.
    ///
    /// # Errors
    /// [`Error::Config`] with the versions found and required.
    pub fn check(reported: &str, server: &str) -> Result<Self> {
        match Self::parse(reported) {
            Some(version) if version >= MIN_SERVER_VERSION => Ok(version),
            Some(version) => Err(Error::Config(format!(
                "{server} runs nats-server {version}; Wharf needs {MIN_SERVER_VERSION} or newer \
                 (`make deps` installs the pinned one into .tools/nats/bin)"
            ))),
            None => Err(Error::Config(format!(
                "{server} reports nats-server version {reported:?}, which is not a version; \
                 Wharf needs {MIN_SERVER_VERSION} or newer"
            ))),
        }
    }
}

impl std::fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

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

/// How often a client pings its server. A server that vanished without
/// closing the connection (a host powered off, a link cut) is noticed after
/// about three unanswered pings, and the client moves to another hub node:
/// with the library's default (60 s) that took minutes, while JetStream
/// requests through that connection timed out (the admin's replies answered
/// 503; found by `make rehearsal`).
pub const PING_INTERVAL: Duration = Duration::from_secs(5);

impl Access {
    /// The connection options this access implies.
    pub fn options(&self) -> async_nats::ConnectOptions {
        let mut options = async_nats::ConnectOptions::new().ping_interval(PING_INTERVAL);
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
            Ok(client) => {
                let info = client.server_info();
                let version = ServerVersion::check(&info.version, &info.server_name)?;
                tracing::debug!(%version, server = %info.server_name, "connected to NATS");
                return Ok(client);
            }
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

/// [`retry_transient`] for at most `limit` instead of until a shutdown:
/// for tools and checks that read JetStream while a cluster may still be
/// settling. Errors that `fatal` recognises are returned at once; after
/// `limit`, the next error is.
///
/// # Errors
/// A fatal error, or the first error after `limit`.
pub async fn retry_within<T, E, Fut>(
    what: &str,
    limit: Duration,
    fatal: impl Fn(&E) -> bool,
    op: impl FnMut() -> Fut,
) -> std::result::Result<T, E>
where
    E: std::fmt::Display,
    Fut: std::future::Future<Output = std::result::Result<T, E>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    let never = tokio_util::sync::CancellationToken::new();
    let late = |err: &E| fatal(err) || tokio::time::Instant::now() >= deadline;
    match retry_transient(what, &never, late, op).await {
        Ok(Some(value)) => Ok(value),
        Err(err) => Err(err),
        Ok(None) => unreachable!("the token is never cancelled"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_from_every_form_the_server_prints() {
        assert_eq!(
            ServerVersion::parse("2.15.1"),
            Some(ServerVersion(2, 15, 1))
        );
        assert_eq!(
            ServerVersion::parse("nats-server: v2.9.10\n"),
            Some(ServerVersion(2, 9, 10))
        );
        assert_eq!(
            ServerVersion::parse("v2.12.0-RC.1"),
            Some(ServerVersion(2, 12, 0))
        );
        assert_eq!(ServerVersion::parse("2.15"), None);
        assert_eq!(ServerVersion::parse("2.15.1.4"), None);
        assert_eq!(ServerVersion::parse("latest"), None);
        assert!(ServerVersion(2, 10, 99) < ServerVersion(2, 11, 0));
        assert!(ServerVersion(3, 0, 0) > ServerVersion(2, 15, 1));
    }

    #[test]
    fn an_older_server_is_refused_with_both_versions_named() {
        let err = ServerVersion::check("2.9.10", "hub-1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("2.9.10") && err.contains("2.11.0"), "{err}");
        assert!(err.contains("hub-1"), "{err}");
        assert!(ServerVersion::check("garbage", "hub-1").is_err());
        assert_eq!(
            ServerVersion::check("2.11.0", "hub-1").unwrap(),
            MIN_SERVER_VERSION
        );
        assert!(ServerVersion::check("2.15.1", "hub-1").is_ok());
    }

    #[tokio::test]
    async fn retry_within_waits_out_passing_errors_and_gives_up_on_time_or_fatal_ones() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let calls = AtomicU32::new(0);
        let limit = Duration::from_secs(5);
        // Two passing failures, then the answer.
        let got = retry_within(
            "test",
            limit,
            |_: &String| false,
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err("not yet".to_owned()),
                    n => Ok(n),
                }
            },
        )
        .await;
        assert_eq!(got, Ok(2));
        // A fatal error is returned at its first occurrence.
        calls.store(0, Ordering::SeqCst);
        let got: std::result::Result<(), String> = retry_within(
            "test",
            limit,
            |e: &String| e == "gone",
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("gone".to_owned())
            },
        )
        .await;
        assert_eq!(got, Err("gone".to_owned()));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // An error that never clears is returned once the limit has passed.
        let started = tokio::time::Instant::now();
        let got: std::result::Result<(), String> = retry_within(
            "test",
            Duration::from_millis(250),
            |_: &String| false,
            || async { Err("down".to_owned()) },
        )
        .await;
        assert_eq!(got, Err("down".to_owned()));
        assert!(started.elapsed() >= Duration::from_millis(250));
    }
}
