//! The one config writer: a [`Config`] as a TOML file that `wharf <role>
//! --config` reads back to the same config, secrets included (serialization
//! redacts them, so they are put back here). The bench's and the tests'
//! role processes are started on such files.

use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::config::Config;

impl Config {
    /// The config as TOML, secrets in clear.
    ///
    /// # Errors
    /// When the config does not serialize.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut value = serde_json::to_value(self)?;
        if let Some(numbers) = value["numbers"].as_array_mut() {
            for (n, creds) in numbers.iter_mut().zip(&self.numbers) {
                n["app_secret"] = creds.app_secret.expose().into();
                n["verify_token"] = creds.verify_token.expose().into();
                n["access_token"] = creds.access_token.expose().into();
            }
        }
        value["secrets"]["key"] = self.secrets.key.expose().into();
        value["traces"]["otlp_headers"] = self.traces.otlp_headers.expose().into();
        let users = &self.nats.users;
        // Each `[nats.users]` key is the field's name.
        macro_rules! by_name {
            ($($role:ident),*) => { [$((stringify!($role), &users.$role)),*] };
        }
        for (role, user) in by_name!(ops, router, sender, admin, edge, reconciler) {
            value["nats"]["users"][role]["password"] = user.password.expose().into();
        }
        value["secrets"]["previous_keys"] = self
            .secrets
            .previous_keys
            .iter()
            .map(|k| Value::from(k.expose()))
            .collect();
        let mut out = String::new();
        write_table(&mut out, "", &value);
        Ok(out)
    }

    /// Writes [`Config::to_toml`] to `path`, readable by its owner only (it
    /// holds secrets).
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write_file(&self, path: &Path) -> anyhow::Result<()> {
        crate::stack::write_private(path, self.to_toml()?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Writes a JSON object as TOML: scalars and scalar arrays first, then
/// sub-tables `[a.b]` and arrays of tables `[[a]]`.
fn write_table(out: &mut String, path: &str, value: &Value) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (key, v) in map {
        match v {
            Value::Null | Value::Object(_) => {}
            Value::Array(items) if items.iter().any(Value::is_object) => {}
            other => out.push_str(&format!("{} = {}\n", quote(key), toml_scalar(other))),
        }
    }
    for (key, v) in map {
        let child = if path.is_empty() {
            quote(key)
        } else {
            format!("{path}.{}", quote(key))
        };
        match v {
            Value::Object(_) => {
                out.push_str(&format!("\n[{child}]\n"));
                write_table(out, &child, v);
            }
            Value::Array(items) if items.iter().any(Value::is_object) => {
                for item in items {
                    out.push_str(&format!("\n[[{child}]]\n"));
                    write_table(out, &child, item);
                }
            }
            _ => {}
        }
    }
}

/// A TOML key or string (JSON string escapes are valid TOML basic strings).
fn quote(key: &str) -> String {
    Value::String(key.to_owned()).to_string()
}

fn toml_scalar(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_scalar).collect::<Vec<_>>().join(", ")
        ),
        // JSON strings, numbers and booleans are valid TOML values.
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(path: Option<&Path>) -> Config {
        Config::load_from(
            path,
            figment::providers::Env::prefixed("WHARF_CONFIG_FILE_TEST_NOTHING__"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_written_config_reads_back_the_same_secrets_included() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut config = load(None);
        config.database.url = "postgres://u:p\"w@h/db".into();
        config.topology.partitions = 5;
        config.nats.users.router.password = relay::secret::Secret::new("r\"pw");
        config.secrets.key = relay::secret::Secret::new(relay::vault::Vault::generate_key());
        config.edge.listen = "127.0.0.1:4".parse().unwrap_or_else(|e| panic!("{e}"));
        config.edge.nats_url = "nats://127.0.0.1:3".into();
        config.traces.otlp_endpoint = "http://127.0.0.1:4318".into();
        config.traces.otlp_headers = relay::secret::Secret::new("x-api-key=otlp-key");
        config.numbers = vec![relay::provider::NumberCredentials {
            provider: relay::envelope::Provider::Meta,
            phone_number_id: "106540352242922".into(),
            display_phone: String::new(),
            app_secret: relay::secret::Secret::new("bench-app-secret"),
            verify_token: relay::secret::Secret::default(),
            access_token: relay::secret::Secret::default(),
            api_base_url: Some("http://127.0.0.1:5".into()),
        }];
        let path = dir.path().join("x.toml");
        config.write_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let read = load(Some(&path));
        assert_eq!(read.database.url, "postgres://u:p\"w@h/db");
        assert_eq!(read.topology.partitions, 5);
        assert_eq!(read.nats.users.router.password.expose(), "r\"pw");
        assert_eq!(read.edge.listen.port(), 4);
        assert_eq!(read.edge.nats_url, "nats://127.0.0.1:3");
        assert_eq!(read.numbers[0].app_secret.expose(), "bench-app-secret");
        assert_eq!(read.secrets.key.expose(), config.secrets.key.expose());
        assert_eq!(read.traces.otlp_headers.expose(), "x-api-key=otlp-key");
        assert_eq!(read, config);
    }
}
