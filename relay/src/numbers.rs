//! Distribution of business-number credentials to the edges. The admin side
//! writes each number to the replicated KV bucket [`NUMBERS_BUCKET`] in the
//! hub; every edge watches it (from its leaf, through the hub's JetStream
//! domain) and keeps the last snapshot in memory, layered over the numbers in
//! its own config. While the hub is unreachable an edge keeps verifying with
//! the snapshot it has. The edge never reads the database.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::envelope::Provider;
use crate::provider::{NumberCredentials, NumberDirectory};
use crate::secret::Secret;
use crate::topology::{HUB_DOMAIN, NUMBERS_BUCKET};
use crate::{Error, Result};

/// A number as stored in the bucket. Secrets are in clear here: the bucket is
/// internal to the NATS deployment, like the streams that carry messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredNumber {
    provider: Provider,
    phone_number_id: String,
    #[serde(default)]
    display_phone: String,
    app_secret: String,
    #[serde(default)]
    verify_token: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    api_base_url: Option<String>,
}

impl From<&NumberCredentials> for StoredNumber {
    fn from(n: &NumberCredentials) -> Self {
        Self {
            provider: n.provider,
            phone_number_id: n.phone_number_id.clone(),
            display_phone: n.display_phone.clone(),
            app_secret: n.app_secret.expose().to_owned(),
            verify_token: n.verify_token.expose().to_owned(),
            access_token: n.access_token.expose().to_owned(),
            api_base_url: n.api_base_url.clone(),
        }
    }
}

impl From<StoredNumber> for NumberCredentials {
    fn from(n: StoredNumber) -> Self {
        Self {
            provider: n.provider,
            phone_number_id: n.phone_number_id,
            display_phone: n.display_phone,
            app_secret: Secret::new(n.app_secret),
            verify_token: Secret::new(n.verify_token),
            access_token: Secret::new(n.access_token),
            api_base_url: n.api_base_url,
        }
    }
}

/// Writes (or replaces) one number in the bucket.
///
/// # Errors
/// When the bucket is unreachable.
pub async fn publish(store: &kv::Store, number: &NumberCredentials) -> Result<()> {
    let value = serde_json::to_vec(&StoredNumber::from(number))?;
    store
        .put(&number.phone_number_id, value.into())
        .await
        .map(|_| ())
        .map_err(Error::nats)
}

/// Writes one number to the hub's bucket (which `topology::ensure_hub`
/// creates).
///
/// # Errors
/// When the bucket is missing or unreachable.
pub async fn publish_to_hub(js: &jetstream::Context, number: &NumberCredentials) -> Result<()> {
    let store = js
        .get_key_value(NUMBERS_BUCKET)
        .await
        .map_err(Error::nats)?;
    publish(&store, number).await
}

/// The edge's view: config numbers, overlaid by the bucket's.
#[derive(Clone)]
pub struct NumberBook {
    configured: Arc<Vec<NumberCredentials>>,
    watched: Arc<RwLock<HashMap<String, NumberCredentials>>>,
    current: Arc<RwLock<Arc<NumberDirectory>>>,
}

impl NumberBook {
    pub fn new(configured: &[NumberCredentials]) -> Self {
        Self {
            configured: Arc::new(configured.to_vec()),
            watched: Arc::default(),
            current: Arc::new(RwLock::new(Arc::new(NumberDirectory::new(configured)))),
        }
    }

    /// The directory to verify the next delivery with.
    pub fn snapshot(&self) -> Arc<NumberDirectory> {
        self.current
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }

    fn rebuild(&self) {
        let watched = self.watched.read().map(|w| w.clone()).unwrap_or_default();
        let mut all: HashMap<String, NumberCredentials> = self
            .configured
            .iter()
            .map(|n| (n.phone_number_id.clone(), n.clone()))
            .collect();
        all.extend(watched);
        let numbers: Vec<NumberCredentials> = all.into_values().collect();
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(NumberDirectory::new(&numbers));
        }
    }

    fn apply(&self, entry: &kv::Entry) {
        let Ok(mut watched) = self.watched.write() else {
            return;
        };
        match entry.operation {
            kv::Operation::Put => match serde_json::from_slice::<StoredNumber>(&entry.value) {
                Ok(number) => {
                    watched.insert(entry.key.clone(), number.into());
                }
                Err(err) => {
                    tracing::warn!(key = %entry.key, %err, "unreadable number in the bucket")
                }
            },
            kv::Operation::Delete | kv::Operation::Purge => {
                watched.remove(&entry.key);
            }
        }
    }

    /// Follows the hub's bucket until `shutdown`, reconnecting as needed;
    /// the last snapshot stays in use while the hub is away.
    pub async fn follow(self, client: async_nats::Client, shutdown: CancellationToken) {
        let js = jetstream::with_domain(client, HUB_DOMAIN);
        let mut delay = Duration::from_millis(200);
        while !shutdown.is_cancelled() {
            let watch = async {
                let store = js
                    .get_key_value(NUMBERS_BUCKET)
                    .await
                    .map_err(Error::nats)?;
                store.watch_with_history(">").await.map_err(Error::nats)
            }
            .await;
            match watch {
                Ok(mut entries) => {
                    delay = Duration::from_millis(200);
                    loop {
                        let next = tokio::select! {
                            () = shutdown.cancelled() => return,
                            next = entries.next() => next,
                        };
                        match next {
                            Some(Ok(entry)) => {
                                self.apply(&entry);
                                self.rebuild();
                            }
                            Some(Err(err)) => {
                                tracing::debug!(%err, "number watch interrupted");
                                break;
                            }
                            None => break,
                        }
                    }
                }
                Err(err) => tracing::debug!(%err, "number bucket not reachable yet"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
}
