//! Partition leases of the routers: which router process pulls a partition.
//! One key per partition (`p<N>`) in the KV bucket [`crate::topology::ROUTER_LEASES_BUCKET`], holding
//! the owner and the time its claim runs out; taken and renewed by
//! compare-and-set on the revision read, so two routers never both believe
//! they hold a live lease. A router pulls only the partitions it holds;
//! the others stand by and take over when a holder stops renewing (a crash)
//! or lets go (shutdown).
//!
//! On PostgreSQL the partitions are shared: every router keeps itself in a
//! roster (the key `routers`: owner → claim end, renewed like a lease) and
//! holds at most its fair share, `ceil(partitions / live routers)`; a router
//! above its share (another one joined) lets partitions go between batches
//! and the newcomer takes them. On SQLite one router holds them all (its
//! partitions take turns on one in-process write lock; several processes
//! would queue in SQLite's busy handler instead): the holder of partition
//! 0's lease is the one, the others take no other partition and let go of
//! any they took before it won (routers started at the same moment).
//!
//! A lease is what keeps two routers from holding parts of one partition's
//! backlog at once (each would wait for the other); ordering itself does
//! not rest on it: the router applies a batch only while nothing else of its
//! partition is pending (`router`). Clocks are assumed NTP-synchronised, as
//! for the shared send schedule (`ratelimit`).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream::kv;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// The key of the roster of live routers in the leases bucket.
const ROSTER_KEY: &str = crate::topology::ROUTER_ROSTER_KEY;

/// How many partitions one router process may hold: all of them, or (when
/// shared) its fair part of them among the live routers.
pub struct Share {
    store: kv::Store,
    owner: String,
    ttl: Duration,
    partitions: usize,
    shared: bool,
    /// Routers in the roster at the last heartbeat, this one included.
    live: AtomicUsize,
    /// Partition leases this process holds.
    held: AtomicUsize,
    /// Whether this process holds partition 0's lease, which on SQLite
    /// (`shared = false`) makes it the one router holding them all.
    anchor: AtomicBool,
    /// Wakes this process's standing-by partitions when it takes partition 0.
    anchored: tokio::sync::Notify,
}

impl Share {
    /// `shared = false`: this router may hold every partition (SQLite).
    pub fn new(
        store: kv::Store,
        owner: &str,
        ttl: Duration,
        partitions: u16,
        shared: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            owner: owner.to_owned(),
            ttl,
            partitions: usize::from(partitions),
            shared,
            live: AtomicUsize::new(1),
            held: AtomicUsize::new(0),
            anchor: AtomicBool::new(false),
            anchored: tokio::sync::Notify::new(),
        })
    }

    /// The most partitions this router should hold now.
    pub fn fair(&self) -> usize {
        if self.shared {
            self.partitions
                .div_ceil(self.live.load(Ordering::Relaxed).max(1))
        } else {
            self.partitions
        }
    }

    /// Whether this router may take `partition`'s lease while it holds
    /// `held` partitions: within its fair share when shared; on SQLite
    /// partition 0 always, the others only by partition 0's holder.
    fn may_take(&self, partition: u16, held: usize) -> bool {
        if self.shared {
            held < self.fair()
        } else {
            partition == 0 || self.anchor.load(Ordering::Relaxed)
        }
    }

    /// Partitions held by this process.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Routers alive at the last heartbeat, this one included.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Puts this router in the roster (first call: before any lease is
    /// taken, so a newcomer's share counts the routers already running).
    pub async fn join(&self) {
        self.beat(false).await;
    }

    /// Keeps this router in the roster until `shutdown`, then takes it out.
    pub async fn heartbeat(self: Arc<Self>, shutdown: CancellationToken) {
        if !self.shared {
            return;
        }
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.ttl / 3) => self.beat(false).await,
            }
        }
        self.beat(true).await;
    }

    /// One compare-and-set of the roster: this router's claim renewed (or
    /// removed when `leaving`), run-out claims dropped.
    async fn beat(&self, leaving: bool) {
        if !self.shared {
            return;
        }
        for _ in 0..20 {
            let (mut roster, revision) = match self.store.entry(ROSTER_KEY).await {
                Ok(Some(entry)) if entry.operation == kv::Operation::Put => (
                    serde_json::from_slice::<BTreeMap<String, i64>>(&entry.value)
                        .unwrap_or_default(),
                    Some(entry.revision),
                ),
                Ok(Some(entry)) => (BTreeMap::new(), Some(entry.revision)),
                Ok(None) => (BTreeMap::new(), None),
                Err(err) => {
                    tracing::debug!(%err, "router roster not read");
                    return;
                }
            };
            let now = now_ms();
            roster.retain(|_, until| *until >= now);
            if leaving {
                roster.remove(&self.owner);
            } else {
                let ttl_ms = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2);
                roster.insert(self.owner.clone(), now + ttl_ms);
            }
            let value: bytes::Bytes = serde_json::to_vec(&roster).unwrap_or_default().into();
            let written = match revision {
                Some(revision) => self.store.update(ROSTER_KEY, value, revision).await.is_ok(),
                None => self.store.create(ROSTER_KEY, value).await.is_ok(),
            };
            if written {
                let before = self.live.swap(roster.len().max(1), Ordering::Relaxed);
                if before != roster.len().max(1) && !leaving {
                    tracing::info!(
                        routers = roster.len(),
                        share = self.fair(),
                        "routers sharing the partitions"
                    );
                }
                return;
            }
        }
        tracing::warn!("router roster not updated (contended)");
    }
}

/// What a lease key holds.
#[derive(Debug, Serialize, Deserialize)]
struct Claim {
    /// The holding router process (empty: released).
    owner: String,
    /// Unix milliseconds after which the claim is void (released: when).
    until_ms: i64,
}

/// One router's view of its lease on one partition.
pub struct PartitionLease {
    store: kv::Store,
    share: Arc<Share>,
    partition: u16,
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
    pub fn new(
        store: kv::Store,
        partition: u16,
        owner: &str,
        ttl: Duration,
        share: Arc<Share>,
    ) -> Self {
        Self {
            store,
            share,
            partition,
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
                    self.share.held.fetch_sub(1, Ordering::Relaxed);
                    self.set_anchor(false);
                }
            }
        }
        // Within its share a router takes any free lease; beyond it only one
        // that nobody took for a whole lease time (its share's holders
        // would have: they try every third of it), so no partition is
        // left without a router.
        let within_share = self.share.may_take(self.partition, self.share.held());
        let ttl_ms = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let taken = match self.store.entry(&self.key).await {
            Ok(None) if within_share || self.share.shared => {
                self.store.create(&self.key, self.claim()).await.ok()
            }
            Ok(None) => None,
            Ok(Some(entry)) => {
                // Free since: the end of a run-out claim, the moment of a
                // release; a deleted or unreadable key is free since ever.
                let free_since = if entry.operation == kv::Operation::Put {
                    serde_json::from_slice::<Claim>(&entry.value).map_or(Some(0), |c| {
                        (c.owner.is_empty() || c.until_ms < now_ms()).then_some(c.until_ms)
                    })
                } else {
                    Some(0)
                };
                match free_since {
                    Some(since) if within_share || since + ttl_ms < now_ms() => self
                        .store
                        .update(&self.key, self.claim(), entry.revision)
                        .await
                        .ok(),
                    _ => None,
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
            self.share.held.fetch_add(1, Ordering::Relaxed);
            self.set_anchor(true);
        }
        self.revision.is_some()
    }

    fn set_anchor(&self, held: bool) {
        if self.partition == 0 {
            self.share.anchor.store(held, Ordering::Relaxed);
            if held {
                self.share.anchored.notify_waiters();
            }
        }
    }

    /// Stands by for `wait`; on SQLite a partition other than 0 also wakes
    /// when this process takes partition 0 (then it may take this one at
    /// once, instead of a third of a lease time later).
    pub async fn stand_by(&self, wait: Duration) {
        if self.share.shared || self.partition == 0 {
            tokio::time::sleep(wait).await;
            return;
        }
        let anchored = self.share.anchored.notified();
        if self.share.anchor.load(Ordering::Relaxed) {
            // Partition 0 is ours already: another router's claim on this
            // one has to run out first.
            tokio::time::sleep(wait).await;
            return;
        }
        tokio::select! {
            () = anchored => {}
            () = tokio::time::sleep(wait) => {}
        }
    }

    /// Lets this partition go when the router holds more than its share
    /// (another router joined); call between batches only. `true` when
    /// it was let go.
    pub async fn yield_over_share(&mut self) -> bool {
        if self.revision.is_none() {
            return false;
        }
        let held = self.share.held();
        if !self.share.shared && self.partition != 0 {
            // On SQLite only partition 0's holder keeps the others.
            if self.share.anchor.load(Ordering::Relaxed) {
                return false;
            }
            self.share.held.fetch_sub(1, Ordering::Relaxed);
            if let Some(revision) = self.revision.take() {
                self.write_release(revision).await;
            }
            return true;
        }
        if held <= self.share.fair()
            || self
                .share
                .held
                .compare_exchange(held, held - 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return false;
        }
        if let Some(revision) = self.revision.take() {
            self.write_release(revision).await;
        }
        true
    }

    /// Lets the lease go (at shutdown), so a standby takes over at once.
    pub async fn release(&mut self) {
        let Some(revision) = self.revision.take() else {
            return;
        };
        self.share.held.fetch_sub(1, Ordering::Relaxed);
        self.set_anchor(false);
        self.write_release(revision).await;
    }

    async fn write_release(&self, revision: u64) {
        // No owner; free since now.
        let released = serde_json::to_vec(&Claim {
            owner: String::new(),
            until_ms: now_ms(),
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
