//! Alert records in the hub's `WHARF_ALERTS` KV bucket, one key per
//! `<rule>.<instance>`. Every write is a compare-and-set on the revision the
//! writer read, so when several admin servers evaluate the same rules only
//! the one whose write lands announces the transition, and a restarted
//! server picks up where the bucket stands instead of re-announcing.

use async_nats::jetstream::{self, kv};
use futures::TryStreamExt;

use super::state::AlertRecord;

/// A stored record and the revision it was read at.
#[derive(Debug, Clone)]
pub struct Stored {
    pub record: AlertRecord,
    pub revision: u64,
}

/// Errors reaching the bucket.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("alerts bucket: {0}")]
    Bucket(String),
    /// Another writer changed the key since it was read.
    #[error("alert record changed meanwhile")]
    Conflict,
}

/// The alerts bucket.
#[derive(Clone)]
pub struct AlertStore {
    kv: kv::Store,
}

/// The KV key of one (rule, instance): characters outside the key alphabet
/// become `_`.
pub fn key_of(rule: &str, instance: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}.{}", clean(rule), clean(instance))
}

impl AlertStore {
    /// Opens the bucket, creating it when missing.
    ///
    /// # Errors
    /// When JetStream is unreachable.
    pub async fn open(js: &jetstream::Context, replicas: usize) -> Result<Self, StoreError> {
        let kv = relay::topology::ensure_bucket(js, &relay::topology::ALERTS, replicas)
            .await
            .map_err(|e| StoreError::Bucket(e.to_string()))?;
        Ok(Self { kv })
    }

    /// Opens the bucket if it exists (the API reads; it does not create).
    ///
    /// # Errors
    /// When JetStream is unreachable or the bucket does not exist.
    pub async fn existing(js: &jetstream::Context) -> Result<Self, StoreError> {
        let kv = js
            .get_key_value(relay::topology::ALERTS_BUCKET)
            .await
            .map_err(|e| StoreError::Bucket(e.to_string()))?;
        Ok(Self { kv })
    }

    /// Every record, with its key. A value that does not decode is skipped.
    ///
    /// # Errors
    /// When the bucket cannot be listed.
    pub async fn all(&self) -> Result<Vec<(String, Stored)>, StoreError> {
        let bucket = |e: &dyn std::fmt::Display| StoreError::Bucket(e.to_string());
        let keys: Vec<String> = match self.kv.keys().await {
            Ok(keys) => keys.try_collect().await.map_err(|e| bucket(&e))?,
            Err(err) => return Err(bucket(&err)),
        };
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let Some(entry) = self.kv.entry(&key).await.map_err(|e| bucket(&e))? else {
                continue;
            };
            if entry.operation != kv::Operation::Put {
                continue;
            }
            match serde_json::from_slice::<AlertRecord>(&entry.value) {
                Ok(record) => out.push((
                    key,
                    Stored {
                        record,
                        revision: entry.revision,
                    },
                )),
                Err(err) => tracing::warn!(%key, %err, "undecodable alert record skipped"),
            }
        }
        Ok(out)
    }

    /// Writes `record` at `key` if the key is still at `revision` (`None`:
    /// if it has no live value).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when another writer was first.
    pub async fn write(
        &self,
        key: &str,
        record: &AlertRecord,
        revision: Option<u64>,
    ) -> Result<u64, StoreError> {
        let value = serde_json::to_vec(record).map_err(|e| StoreError::Bucket(e.to_string()))?;
        let written = match revision {
            Some(revision) => {
                self.kv
                    .update(key, value.into(), revision)
                    .await
                    .map_err(|e| match e.kind() {
                        kv::UpdateErrorKind::WrongLastRevision => StoreError::Conflict,
                        _ => StoreError::Bucket(e.to_string()),
                    })
            }
            None => self
                .kv
                .create(key, value.into())
                .await
                .map_err(|e| match e.kind() {
                    kv::CreateErrorKind::AlreadyExists => StoreError::Conflict,
                    _ => StoreError::Bucket(e.to_string()),
                }),
        }?;
        Ok(written)
    }

    /// Removes `key` if it is still at `revision`.
    ///
    /// # Errors
    /// When another writer was first (the server refuses the expected
    /// revision) or the bucket is unreachable.
    pub async fn remove(&self, key: &str, revision: u64) -> Result<(), StoreError> {
        self.kv
            .delete_expect_revision(key, Some(revision))
            .await
            .map_err(|e| StoreError::Bucket(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_to_the_kv_alphabet() {
        assert_eq!(key_of("backlog", "router-p0"), "backlog.router-p0");
        assert_eq!(key_of("quiet", "+49 151/2"), "quiet._49_151_2");
    }
}
