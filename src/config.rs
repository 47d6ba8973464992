//! The one typed configuration: embedded commented defaults
//! (`defaults.toml`), then an optional TOML file, then `WHARF__SECTION__KEY`
//! environment variables. Validated once at start; an invalid value names its
//! key and environment variable. Secrets stay wrapped in `relay::secret::Secret`.

use std::path::{Path, PathBuf};

use admin::AdminSettings;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use relay::edge::EdgeSettings;
use relay::provider::NumberCredentials;
use relay::provider::sandbox::SandboxSettings;
use relay::router::RouterSettings;
use relay::sender::SenderSettings;
use relay::topology::TopologySettings;
use serde::{Deserialize, Serialize};

/// The embedded defaults, with their comments.
pub const DEFAULTS: &str = include_str!("defaults.toml");

/// Prefix of environment overrides.
pub const ENV_PREFIX: &str = "WHARF__";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub numbers: Vec<NumberCredentials>,
    pub log: LogSettings,
    /// Span export (`[traces]`): off unless an OTLP endpoint is set.
    pub traces: TraceSettings,
    pub nats: NatsSettings,
    pub database: DatabaseSettings,
    pub topology: TopologySettings,
    pub edge: EdgeSettings,
    pub router: RouterSettings,
    pub sender: SenderSettings,
    /// Inbound media fetch (`[media]`), run in the router processes.
    #[serde(default)]
    pub media: relay::media::MediaSettings,
    pub sandbox: SandboxSettings,
    pub admin: AdminSettings,
    pub alerts: admin::alerts::AlertSettings,
    pub reconciler: relay::completeness::ReconcilerSettings,
    pub ops: OpsSettings,
    pub up: UpSettings,
    pub secrets: SecretsSettings,
    pub tls: relay::tls::TlsSettings,
}

/// `[secrets]`: the key that seals provider credentials in the database
/// (relay::vault), and earlier keys still accepted while rotating.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    pub key: relay::secret::Secret,
    pub previous_keys: Vec<relay::secret::Secret>,
}

impl SecretsSettings {
    /// The vault of these keys.
    ///
    /// # Errors
    /// When the key is missing or malformed (named with its env variable).
    pub fn vault(&self) -> Result<relay::vault::Vault, ConfigError> {
        relay::vault::Vault::new(&self.key, &self.previous_keys).map_err(|err| match err {
            relay::vault::VaultError::BadKey { which } => {
                ConfigError::invalid(&which, "must be 32 bytes of base64 (`wharf keygen`)")
            }
            other => ConfigError::invalid("secrets.key", other.to_string()),
        })
    }
}

/// `[ops]`: health endpoints of the roles without HTTP of their own.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OpsSettings {
    pub router_listen: std::net::SocketAddr,
    pub sender_listen: std::net::SocketAddr,
    pub reconciler_listen: std::net::SocketAddr,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub filter: String,
    pub format: LogFormat,
}

/// `[traces]`: OpenTelemetry span export over OTLP/HTTP with JSON bodies
/// (`src/telemetry.rs`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TraceSettings {
    /// The collector's base URL (`http://collector:4318`); spans are posted
    /// to `<url>/v1/traces`. Empty: nothing is exported.
    pub otlp_endpoint: String,
    /// Extra request headers for the collector, `name=value` pairs separated
    /// by commas (a hosted backend's key): a secret, never logged.
    pub otlp_headers: relay::secret::Secret,
    /// Share of new traces kept, 0.0 to 1.0; a trace continued from a
    /// `traceparent` keeps its parent's decision.
    pub sample_ratio: f64,
    /// `service.name` of this process's spans; empty: `wharf-<role>`
    /// (`wharf` for `wharf up`).
    pub service_name: String,
}

impl TraceSettings {
    /// The collector's traces URL, or `None` when export is off.
    ///
    /// # Errors
    /// `(field, reason)` for an endpoint that is not an http(s) URL.
    pub fn traces_url(&self) -> Result<Option<String>, (&'static str, String)> {
        let base = self.otlp_endpoint.trim();
        if base.is_empty() {
            return Ok(None);
        }
        let url = reqwest::Url::parse(base)
            .map_err(|err| ("otlp_endpoint", format!("not a URL: {err}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(("otlp_endpoint", "must be an http:// or https:// URL".into()));
        }
        let base = base.trim_end_matches('/');
        Ok(Some(if base.ends_with("/v1/traces") {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        }))
    }

    /// The collector headers, parsed.
    ///
    /// # Errors
    /// `(field, reason)` naming the malformed pair by position, never its
    /// value.
    pub fn headers(&self) -> Result<Vec<(String, String)>, (&'static str, String)> {
        let raw = self.otlp_headers.expose().trim();
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        raw.split(',')
            .enumerate()
            .map(|(i, pair)| {
                let (name, value) = pair
                    .split_once('=')
                    .ok_or_else(|| ("otlp_headers", format!("pair {} is not name=value", i + 1)))?;
                let name = name.trim();
                let valid = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                if !valid {
                    return Err((
                        "otlp_headers",
                        format!("pair {} has no valid header name", i + 1),
                    ));
                }
                Ok((name.to_owned(), value.trim().to_owned()))
            })
            .collect()
    }

    /// Checks every field.
    ///
    /// # Errors
    /// `(field, reason)`.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        self.traces_url()?;
        self.headers()?;
        if !(0.0..=1.0).contains(&self.sample_ratio) {
            return Err(("sample_ratio", "must be between 0.0 and 1.0".into()));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NatsSettings {
    pub url: String,
    pub connect_wait_secs: u64,
    /// PEM file of the CA that signed the NATS servers' certificates; when
    /// set, every NATS connection of this process requires TLS.
    pub tls_ca_file: String,
    pub users: NatsUsers,
}

/// `[nats.users]`: the user each role connects as (nats.conf, deploy/leaf.conf).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NatsUsers {
    pub ops: NatsUser,
    pub router: NatsUser,
    pub sender: NatsUser,
    pub admin: NatsUser,
    pub edge: NatsUser,
    pub reconciler: NatsUser,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NatsUser {
    /// Empty: connect without credentials (a server without users).
    pub user: String,
    pub password: relay::secret::Secret,
}

/// Who connects to NATS: each has its own user and inbox prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role<'a> {
    /// Provisioning and operators (`wharf up`, `wharf provision`, tests).
    Ops,
    Router,
    Sender,
    Admin,
    /// An edge of a region; `direct` when it publishes to the hub.
    Edge {
        region: &'a str,
        direct: bool,
    },
    /// `wharf reconcile` (and the reconciler of `wharf up`).
    Reconciler,
}

impl NatsSettings {
    /// How `role` connects: its user, inbox prefix and the TLS CA.
    pub fn access(&self, role: Role<'_>) -> relay::nats::Access {
        let (user, inbox_prefix) = match role {
            Role::Ops => (&self.users.ops, "_INBOX".to_owned()),
            Role::Router => (&self.users.router, "_INBOX_router".to_owned()),
            Role::Sender => (&self.users.sender, "_INBOX_sender".to_owned()),
            Role::Admin => (&self.users.admin, "_INBOX_admin".to_owned()),
            Role::Edge { direct: true, .. } => (&self.users.edge, "_INBOX_edge_hub".to_owned()),
            Role::Edge { region, .. } => (&self.users.edge, format!("_INBOX_edge_{region}")),
            Role::Reconciler => (&self.users.reconciler, "_INBOX_reconciler".to_owned()),
        };
        relay::nats::Access {
            user: user.user.clone(),
            password: user.password.clone(),
            inbox_prefix,
            ca_file: (!self.tls_ca_file.is_empty()).then(|| PathBuf::from(&self.tls_ca_file)),
        }
    }
}

#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May hold a password: never printed (see the `Debug` impl).
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// `postgres://u:p@h:5432/postgres?x` with the database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_end = base
        .rfind('/')
        .filter(|&i| i > "postgres://".len())
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpSettings {
    pub data_dir: PathBuf,
    pub hub_client_port: u16,
    pub hub_cluster_port: u16,
    pub hub_leafnode_port: u16,
    pub hub_monitor_port: u16,
    pub leaf_client_port: u16,
    pub leaf_monitor_port: u16,
    pub edge_http_port: u16,
    pub sandbox_port: u16,
    pub nats_server: String,
    /// TLS everywhere (`wharf up --tls`): a local CA in `<data_dir>/tls`.
    pub tls: bool,
}

/// A configuration that cannot be used, with the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: `{key}` (env {env}): {reason}")]
    Invalid {
        key: String,
        env: String,
        reason: String,
    },
    #[error("cannot read config file {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

impl ConfigError {
    fn invalid(key: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            key: key.to_owned(),
            env: env_var_of(key),
            reason: reason.into(),
        }
    }
}

/// `edge.listen` → `WHARF__EDGE__LISTEN`.
pub fn env_var_of(key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        key.replace('.', "__").to_ascii_uppercase()
    )
}

impl Config {
    /// Loads defaults, `file` and the process environment, then validates.
    ///
    /// # Errors
    /// When the file is unreadable or a value is missing, mistyped or invalid.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, Env::prefixed(ENV_PREFIX).split("__"))
    }

    /// As [`Config::load`] with an explicit environment provider (for tests).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_from(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::File {
                    path: path.to_owned(),
                    reason: "no such file".into(),
                });
            }
            figment = figment.merge(Toml::file(path));
        }
        let config: Config = figment.merge(env).extract().map_err(|err| {
            let key = err.path.join(".");
            let reason = err.kind.to_string();
            if key.is_empty() {
                ConfigError::Invalid {
                    key: "(root)".into(),
                    env: format!("{ENV_PREFIX}…"),
                    reason,
                }
            } else {
                ConfigError::invalid(&key, reason)
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks that the alert rules can be measured by an admin server with
    /// this configuration (see `AlertSettings::validate_sources`).
    ///
    /// # Errors
    /// The invalid key.
    pub fn validate_alert_sources(&self) -> Result<(), ConfigError> {
        self.alerts
            .validate_sources()
            .map_err(|(field, reason)| ConfigError::invalid(&format!("alerts.{field}"), reason))
    }

    /// Checks values that parse but cannot work.
    ///
    /// # Errors
    /// The first invalid key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // A key is needed only by the roles that touch stored secrets (they
        // build the vault at start); a given one must be usable everywhere.
        if !self.secrets.key.is_empty() || !self.secrets.previous_keys.is_empty() {
            self.secrets.vault()?;
        }
        self.topology.validate().map_err(|(field, reason)| {
            ConfigError::invalid(&format!("topology.{field}"), reason)
        })?;
        self.traces
            .validate()
            .map_err(|(field, reason)| ConfigError::invalid(&format!("traces.{field}"), reason))?;
        relay::topology::validate_region(&self.edge.region)
            .map_err(|err| ConfigError::invalid("edge.region", err.to_string()))?;
        if self.edge.max_body_bytes < 1024 {
            return Err(ConfigError::invalid(
                "edge.max_body_bytes",
                "must be at least 1024",
            ));
        }
        if self.edge.ack_timeout_ms == 0 {
            return Err(ConfigError::invalid(
                "edge.ack_timeout_ms",
                "must be at least 1",
            ));
        }
        if self.router.max_deliver < 1 {
            return Err(ConfigError::invalid(
                "router.max_deliver",
                "must be at least 1",
            ));
        }
        if !(-20..=19).contains(&self.router.nice) {
            return Err(ConfigError::invalid(
                "router.nice",
                "must be between -20 and 19",
            ));
        }
        if self.sender.max_attempts < 1 {
            return Err(ConfigError::invalid(
                "sender.max_attempts",
                "must be at least 1",
            ));
        }
        if self.sender.concurrency == 0 {
            return Err(ConfigError::invalid(
                "sender.concurrency",
                "must be at least 1",
            ));
        }
        if self.sender.backoff_base_ms > self.sender.backoff_max_ms {
            return Err(ConfigError::invalid(
                "sender.backoff_base_ms",
                "must not exceed sender.backoff_max_ms",
            ));
        }
        if self.media.max_attempts < 1 {
            return Err(ConfigError::invalid(
                "media.max_attempts",
                "must be at least 1",
            ));
        }
        if self.media.concurrency == 0 {
            return Err(ConfigError::invalid(
                "media.concurrency",
                "must be at least 1",
            ));
        }
        if self.media.backoff_base_ms > self.media.backoff_max_ms {
            return Err(ConfigError::invalid(
                "media.backoff_base_ms",
                "must not exceed media.backoff_max_ms",
            ));
        }
        self.alerts
            .validate()
            .map_err(|(field, reason)| ConfigError::invalid(&format!("alerts.{field}"), reason))?;
        if self.database.max_connections == 0 {
            return Err(ConfigError::invalid(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        let db = &self.database.url;
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(ConfigError::invalid(
                "database.url",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        if self.nats.url.trim().is_empty() {
            return Err(ConfigError::invalid("nats.url", "must not be empty"));
        }
        for (i, number) in self.numbers.iter().enumerate() {
            if !relay::topology::is_subject_token(&number.phone_number_id) {
                return Err(ConfigError::invalid(
                    &format!("numbers.{i}.phone_number_id"),
                    "must be 1-64 characters of letters, digits, '-' or '_'",
                ));
            }
            if number.app_secret.is_empty() {
                return Err(ConfigError::invalid(
                    &format!("numbers.{i}.app_secret"),
                    "must not be empty",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closure type, not ours
mod tests {
    use super::*;

    /// An environment layer that sees nothing of the process environment.
    fn no_env() -> Env {
        Env::prefixed("WHARF_TEST_UNSET_PREFIX__")
    }

    #[test]
    fn defaults_load_and_validate() {
        let config = Config::load_from(None, no_env()).expect("defaults are valid");
        assert_eq!(config.topology.replicas, 3);
        assert_eq!(config.up.hub_client_port, 4322);
        assert!(config.numbers.is_empty());
    }

    #[test]
    fn an_env_override_wins_and_a_bad_one_names_key_and_variable() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("WHARF__TOPOLOGY__PARTITIONS", "4");
            let config = Config::load(None).expect("valid");
            assert_eq!(config.topology.partitions, 4);
            jail.set_env("WHARF__EDGE__LISTEN", "not-an-address");
            let err = Config::load(None).expect_err("invalid").to_string();
            assert!(err.contains("edge.listen"), "{err}");
            assert!(err.contains("WHARF__EDGE__LISTEN"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn semantic_errors_name_key_and_variable() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("WHARF__TOPOLOGY__PARTITIONS", "0");
            let err = Config::load(None).expect_err("invalid").to_string();
            assert!(
                err.contains("topology.partitions") && err.contains("WHARF__TOPOLOGY__PARTITIONS"),
                "{err}"
            );
            jail.set_env("WHARF__TOPOLOGY__PARTITIONS", "4");
            for (nice, valid) in [("-21", false), ("20", false), ("-20", true), ("19", true)] {
                jail.set_env("WHARF__ROUTER__NICE", nice);
                match Config::load(None) {
                    Ok(config) => {
                        assert!(valid, "router.nice = {nice} accepted");
                        assert_eq!(config.router.nice.to_string(), nice);
                    }
                    Err(err) => {
                        assert!(!valid, "router.nice = {nice} refused: {err}");
                        let err = err.to_string();
                        assert!(
                            err.contains("router.nice") && err.contains("-20 and 19"),
                            "{err}"
                        );
                    }
                }
            }
            Ok(())
        });
    }

    #[test]
    fn trace_export_settings_are_checked_and_their_headers_never_shown() {
        figment::Jail::expect_with(|jail| {
            let config = Config::load(None).expect("defaults");
            assert_eq!(config.traces.traces_url(), Ok(None), "off by default");
            jail.set_env("WHARF__TRACES__OTLP_ENDPOINT", "http://collector:4318/");
            jail.set_env(
                "WHARF__TRACES__OTLP_HEADERS",
                "x-api-key=topsecret-otlp, tenant=a",
            );
            let config = Config::load(None).expect("valid");
            assert_eq!(
                config.traces.traces_url(),
                Ok(Some("http://collector:4318/v1/traces".to_owned()))
            );
            assert_eq!(
                config.traces.headers().expect("valid headers"),
                vec![
                    ("x-api-key".to_owned(), "topsecret-otlp".to_owned()),
                    ("tenant".to_owned(), "a".to_owned())
                ]
            );
            assert!(!format!("{config:?}").contains("topsecret-otlp"));
            for (key, value, says) in [
                ("WHARF__TRACES__OTLP_ENDPOINT", "collector:4318", "http"),
                ("WHARF__TRACES__OTLP_ENDPOINT", "ftp://collector", "http"),
                (
                    "WHARF__TRACES__OTLP_HEADERS",
                    "x-api-key topsecret-otlp",
                    "pair 1",
                ),
                (
                    "WHARF__TRACES__OTLP_HEADERS",
                    "a=1,=topsecret-otlp",
                    "pair 2",
                ),
                ("WHARF__TRACES__SAMPLE_RATIO", "1.5", "0.0 and 1.0"),
            ] {
                jail.set_env(key, value);
                let err = Config::load(None).expect_err(value).to_string();
                assert!(err.contains(says) && err.contains(key), "{value}: {err}");
                assert!(!err.contains("topsecret-otlp"), "{err}");
                jail.set_env("WHARF__TRACES__OTLP_ENDPOINT", "http://collector:4318");
                jail.set_env("WHARF__TRACES__OTLP_HEADERS", "");
                jail.set_env("WHARF__TRACES__SAMPLE_RATIO", "0.5");
            }
            Ok(())
        });
    }

    #[test]
    fn a_file_layer_overrides_defaults_and_secrets_do_not_print() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "wharf.toml",
                r#"
                [[numbers]]
                provider = "meta"
                phone_number_id = "1065"
                app_secret = "topsecret-app"
                [database]
                url = "postgres://wharf:topsecret-db@localhost/wharf"
                max_connections = 3
                "#,
            )?;
            let config = Config::load(Some(Path::new("wharf.toml"))).expect("valid");
            assert_eq!(config.numbers.len(), 1);
            assert_eq!(config.database.max_connections, 3);
            let printed = format!("{config:?}");
            assert!(!printed.contains("topsecret-app"), "{printed}");
            assert!(!printed.contains("topsecret-db"), "{printed}");
            Ok(())
        });
    }

    #[test]
    fn default_alert_rules_are_valid_and_a_bad_rule_names_its_key() {
        let config = Config::load_from(None, no_env()).expect("defaults are valid");
        assert!(config.alerts.enabled);
        assert!(
            config
                .alerts
                .rules
                .iter()
                .any(|r| r.name == "inbound-backlog")
        );
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "wharf.toml",
                r#"
                [[alerts.rules]]
                name = "backlog"
                kind = "consumer_pending"
                threshold = 10
                for_secs = 30
                [[alerts.sinks]]
                kind = "slack"
                url = "https://hooks.example/services/T0/B0/very-secret-token"
                "#,
            )?;
            let err = Config::load(Some(Path::new("wharf.toml")))
                .expect_err("no stream")
                .to_string();
            assert!(err.contains("alerts.rules.0.stream"), "{err}");
            jail.create_file(
                "wharf.toml",
                r#"
                [[alerts.rules]]
                name = "backlog"
                kind = "consumer_pending"
                stream = "INBOUND"
                threshold = 10
                for_secs = 30
                [[alerts.sinks]]
                kind = "slack"
                url = "https://hooks.example/services/T0/B0/very-secret-token"
                "#,
            )?;
            let config = Config::load(Some(Path::new("wharf.toml"))).expect("valid");
            assert_eq!(
                config.alerts.rules.len(),
                1,
                "a file's rules replace the defaults"
            );
            let printed = format!("{config:?}");
            assert!(!printed.contains("very-secret-token"), "{printed}");
            let serialized = serde_json::to_string(&config).expect("serializes");
            assert!(!serialized.contains("very-secret-token"), "{serialized}");
            jail.set_env("WHARF__ALERTS__INTERVAL_MS", "5");
            let err = Config::load(Some(Path::new("wharf.toml")))
                .expect_err("too fast")
                .to_string();
            assert!(err.contains("WHARF__ALERTS__INTERVAL_MS"), "{err}");
            jail.set_env("WHARF__ALERTS__INTERVAL_MS", "1000");
            jail.create_file(
                "wharf.toml",
                r#"
                [[alerts.rules]]
                name = "refusals"
                kind = "edge_rejections"
                window_secs = 60
                "#,
            )?;
            let config = Config::load(Some(Path::new("wharf.toml"))).expect("loads for wharf up");
            let err = config
                .validate_alert_sources()
                .expect_err("an admin server cannot measure it")
                .to_string();
            assert!(
                err.contains("alerts.edge_metrics_urls")
                    && err.contains("WHARF__ALERTS__EDGE_METRICS_URLS"),
                "{err}"
            );
            Ok(())
        });
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let err = Config::load_from(Some(Path::new("/nonexistent/wharf.toml")), no_env())
            .expect_err("missing");
        assert!(err.to_string().contains("/nonexistent/wharf.toml"));
    }

    #[test]
    fn urls_lose_their_password() {
        assert_eq!(redact_url("postgres://u:p@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }
}
