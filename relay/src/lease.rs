//! Partition leases of the routers: which router process pulls a partition.
//! One key per partition (`p<N>`) in the KV bucket `ROUTER_LEASES`, holding
//! the owner and the time its claim runs out; taken and renewed by
//! compare-and-set on the revision read, so two routers never both believe
//! they hold a live lease. A router pulls only the partitions it holds;
//! the others stand by and take over when a holder stops renewing (a crash)
//! or lets go (shutdown).
//!
//! A lease is what keeps two routers from holding parts of one partition's
//! backlog at once (each would wait for the other); ordering itself does
//! not rest on it: the router applies a batch only while nothing else of its
//! partition is pending (`router`). Clocks are assumed NTP-synchronised, as
//! for the shared send schedule (`ratelimit`).

use std::time::{Duration, Instant};

use async_nats::jetstream::kv;
use serde::{Deserialize, Serialize};

/// What a lease key holds.
#[derive(Debug, Serialize, Deserialize)]
struct Claim {
    /// The holding router process (empty: released).
    owner: String,
    /// Unix milliseconds after which the claim is void.
    until_ms: i64,
}

/// One router's view of its lease on one partition.
pub struct PartitionLease {
    store: kv::Store,
    key: String,
    owner: String,
    ttl: Duration,
    /// The revision of our last write while we hold the lease.
    revision: Option<u64>,
    renewed: Instant,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl PartitionLease {
    /// The lease on `partition` as seen by router `owner`; nothing is taken yet.
    pub fn new(store: kv::Store, partition: u16, owner: &str, ttl: Duration) -> Self {
        Self {
            store,
            key: format!("p{partition}"),
            owner: owner.to_owned(),
            ttl,
            revision: None,
            renewed: Instant::now(),
        }
    }

    /// How long a claim lasts without renewal.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn claim(&self) -> bytes::Bytes {
        let until_ms = now_ms() + i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2);
        serde_json::to_vec(&Claim {
            owner: self.owner.clone(),
            until_ms,
        })
        .unwrap_or_default()
        .into()
    }

    /// Takes the lease when free or run out, renews it when held and a third
    /// of its time has passed. `true` while this router holds it.
    pub async fn hold(&mut self) -> bool {
        if let Some(revision) = self.revision {
            if self.renewed.elapsed() < self.ttl / 3 {
                return true;
            }
            match self.store.update(&self.key, self.claim(), revision).await {
                Ok(next) => {
                    self.revision = Some(next);
                    self.renewed = Instant::now();
                    return true;
                }
                Err(err) => {
                    tracing::warn!(key = %self.key, %err, "partition lease lost");
                    self.revision = None;
                }
            }
        }
        let taken = match self.store.entry(&self.key).await {
            Ok(None) => self.store.create(&self.key, self.claim()).await.ok(),
            Ok(Some(entry)) => {
                let free = entry.operation != kv::Operation::Put
                    || serde_json::from_slice::<Claim>(&entry.value)
                        .map_or(true, |c| c.owner.is_empty() || c.until_ms < now_ms());
                if free {
                    self.store
                        .update(&self.key, self.claim(), entry.revision)
                        .await
                        .ok()
                } else {
                    None
                }
            }
            Err(err) => {
                tracing::debug!(key = %self.key, %err, "partition lease not read");
                None
            }
        };
        if let Some(revision) = taken {
            tracing::info!(key = %self.key, owner = %self.owner, "partition lease taken");
            self.revision = Some(revision);
            self.renewed = Instant::now();
        }
        self.revision.is_some()
    }

    /// Lets the lease go (at shutdown), so a standby takes over at once.
    pub async fn release(&mut self) {
        let Some(revision) = self.revision.take() else {
            return;
        };
        let released = serde_json::to_vec(&Claim {
            owner: String::new(),
            until_ms: 0,
        })
        .unwrap_or_default();
        if let Err(err) = self
            .store
            .update(&self.key, released.into(), revision)
            .await
        {
            tracing::debug!(key = %self.key, %err, "partition lease not released");
        }
    }
}
