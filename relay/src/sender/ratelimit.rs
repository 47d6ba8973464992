//! Send rate limits per business number, holding in total across every sender
//! process. Owns the limit arithmetic and the `RATE_LIMITS` KV bucket; does
//! not decide what to send (that is `sender`).
//!
//! Design (two layers):
//!
//! 1. **In-process token bucket** (governor, one per number): a process never
//!    asks faster than the number's limit, which keeps the shared layer's
//!    contention low and is the whole limiter when no KV is configured.
//! 2. **Shared reservation in NATS KV** (GCRA, "virtual scheduling"): one key
//!    per number holds the theoretical time (unix ms) of the next free send.
//!    A sender reads it, takes `max(tat, now)` as its slot, writes
//!    `slot + spacing` with compare-and-set on the key's revision (a lost
//!    race re-reads), then waits until its slot. Every send of every process
//!    therefore gets its own slot, `spacing` apart. With a limit of `L` sends
//!    per period `T` and an allowance `J` for the time between a slot and
//!    the request reaching the provider (scheduling, connection reuse, clock
//!    skew), arrivals lie within ±J of their slots, so the arrivals in any
//!    window of length `T` come from slots within `T + 2J`: at most
//!    `floor((T + 2J) / spacing) + 1` of them. The spacing is therefore the
//!    shortest one strictly above `(T + 2J) / L` (whole µs): any window of
//!    length `T` holds at most `L` arrivals. The cost is a little throughput
//!    (Meta 80/s with J = 25 ms → ~76.2/s, 0.952×) and one KV
//!    compare-and-set per send.
//!    Slots are wall-clock times, so hosts running senders need synchronised
//!    clocks (NTP skew adds to J). The bucket is replicated like the streams.
//!
//! Partition ownership was the alternative: cheaper per send, but it needs
//! leases and rebalancing when a sender dies, and a number's limit would be
//! split statically between owners. The shared schedule needs neither.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::Result;

/// A send limit: `sends` per `period_ms`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub sends: u32,
    pub period_ms: u64,
}

impl Limit {
    /// Meta Cloud API default: 80 messages per second.
    pub const META: Limit = Limit {
        sends: 80,
        period_ms: 1000,
    };
    /// WasenderApi default: 256 per minute.
    pub const WASENDER: Limit = Limit {
        sends: 256,
        period_ms: 60_000,
    };
    /// WasenderApi account-protection mode: 1 per 5 s.
    pub const WASENDER_PROTECTED: Limit = Limit {
        sends: 1,
        period_ms: 5000,
    };

    /// Distance between two shared slots, see the module docs: the
    /// shortest whole number of µs above `(T + 2J) / L`.
    pub fn spacing(self, allowance: Duration) -> Duration {
        let span_us = (self.period_ms + 2 * u64::try_from(allowance.as_millis()).unwrap_or(0))
            .saturating_mul(1000);
        Duration::from_micros(span_us / u64::from(self.sends.max(1)) + 1)
    }

    fn quota(self) -> Quota {
        let sends = NonZeroU32::new(self.sends.max(1)).unwrap_or(NonZeroU32::MIN);
        let per = Duration::from_millis(self.period_ms.max(1)) / sends.get();
        Quota::with_period(per)
            .unwrap_or_else(|| Quota::per_second(sends))
            .allow_burst(NonZeroU32::MIN)
    }
}

/// `[sender.rate]` settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RateSettings {
    /// Share the limit across sender processes through NATS KV.
    pub shared: bool,
    /// J: allowance between a slot and the provider seeing the request, ms.
    pub allowance_ms: u64,
    pub meta: Limit,
    pub wasender: Limit,
    /// Per business number (phone number id / session): overrides the
    /// provider default, e.g. WasenderApi account protection `{sends = 1,
    /// period_ms = 5000}`.
    pub numbers: HashMap<String, Limit>,
}

impl Default for RateSettings {
    fn default() -> Self {
        Self {
            shared: true,
            allowance_ms: 25,
            meta: Limit::META,
            wasender: Limit::WASENDER,
            numbers: HashMap::new(),
        }
    }
}

impl RateSettings {
    /// The limit of a number: its own, else its provider's (`provider`,
    /// from [`crate::provider::ReplySender::rate_limit`]).
    pub fn limit_for(&self, number: &str, provider: Limit) -> Limit {
        self.numbers.get(number).copied().unwrap_or(provider)
    }
}

/// The limiter of one sender process.
pub struct RateLimits {
    settings: RateSettings,
    local: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    shared: Option<kv::Store>,
    /// Campaign schedules' next slots (unix µs) when nothing is shared.
    own: Mutex<HashMap<String, i64>>,
    /// Numbers whose campaign sends wait (the provider throttled them).
    holds: Mutex<HashMap<String, std::time::Instant>>,
}

impl RateLimits {
    /// Opens (or creates) the shared bucket when `settings.shared`.
    ///
    /// # Errors
    /// When the KV bucket cannot be opened or created.
    pub async fn open(
        settings: RateSettings,
        js: &jetstream::Context,
        replicas: usize,
    ) -> Result<Self> {
        let shared = if settings.shared {
            Some(crate::topology::ensure_bucket(js, &crate::topology::RATE_LIMITS, replicas).await?)
        } else {
            None
        };
        Ok(Self {
            settings,
            local: Mutex::new(HashMap::new()),
            shared,
            own: Mutex::new(HashMap::new()),
            holds: Mutex::new(HashMap::new()),
        })
    }

    /// Waits until `number` may send once more (at its own limit, else at
    /// its `provider`'s); returns when it may. A slot
    /// woken up later than the allowance is given up and another taken.
    /// `keep_alive` is called about every `keep_alive_every` while waiting
    /// (the sender uses it to tell JetStream it is still working).
    pub async fn acquire<F, Fut>(
        &self,
        number: &str,
        provider: Limit,
        keep_alive_every: Duration,
        mut keep_alive: F,
    ) where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let limit = self.settings.limit_for(number, provider);
        let local = self.local_bucket(number, limit);
        local.until_ready().await;
        let Some(store) = &self.shared else {
            return;
        };
        let allowance = Duration::from_millis(self.settings.allowance_ms);
        let spacing = limit.spacing(allowance);
        let late_after = i64::try_from(allowance.as_micros()).unwrap_or(i64::MAX);
        loop {
            let slot = loop {
                match reserve(store, number, spacing).await {
                    Ok(slot) => break slot,
                    Err(err) => {
                        tracing::warn!(%err, number, "rate slot reservation failed; retrying");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            };
            loop {
                let now = now_us();
                if slot <= now {
                    break;
                }
                let wait = Duration::from_micros(u64::try_from(slot - now).unwrap_or(0));
                if wait <= keep_alive_every {
                    tokio::time::sleep(wait).await;
                    break;
                }
                tokio::time::sleep(keep_alive_every).await;
                keep_alive().await;
            }
            // Woken too late (a busy host): sending now could bunch with the
            // next slots' holders, so this slot is given up for a fresh one.
            if now_us() - slot <= late_after {
                return;
            }
            tracing::debug!(number, "rate slot missed; taking another");
        }
    }

    /// Like [`Self::acquire`], for a campaign's message: it takes a slot
    /// only when the number's schedule holds no support reply waiting (the
    /// next free slot is at most one spacing ahead), so replies arriving
    /// meanwhile wait at most about one spacing behind a campaign. With
    /// `cap` (sends per second; the campaign's own rate) it also takes a
    /// slot of the campaign's own schedule (`key`), shared by every sender
    /// process like the number's. `hold` is checked before each try: a
    /// number the provider throttled sends no campaign message until then.
    pub async fn acquire_spare<F, Fut>(
        &self,
        number: &str,
        provider: Limit,
        cap: Option<(String, f64)>,
        keep_alive_every: Duration,
        mut keep_alive: F,
    ) where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let limit = self.settings.limit_for(number, provider);
        let allowance = Duration::from_millis(self.settings.allowance_ms);
        let spacing = limit.spacing(allowance);
        // Sleeps are at most half the keep-alive period and a keep-alive is
        // due after each sleep that ends half a period or more after the
        // last one: JetStream hears from us at least every period.
        let half = keep_alive_every / 2;
        let mut last_alive = std::time::Instant::now();
        let mut idle = |wait: Duration| {
            let due = last_alive.elapsed() + wait.min(half) >= half;
            if due {
                last_alive = std::time::Instant::now() + wait.min(half);
            }
            (due, wait.min(half))
        };
        if let Some((key, per_second)) = &cap {
            let own = Duration::from_secs_f64(1.0 / per_second.max(0.001));
            self.take_own_slot(key, own, &mut idle, &mut keep_alive)
                .await;
        }
        loop {
            let held = self.hold_left(number);
            if !held.is_zero() {
                let (due, wait) = idle(held);
                tokio::time::sleep(wait).await;
                if due {
                    keep_alive().await;
                }
                continue;
            }
            let Some(store) = &self.shared else {
                // One process: the local bucket alone, asked without
                // queueing (a reply waiting on it goes first).
                let local = self.local_bucket(number, limit);
                if local.check().is_ok() {
                    return;
                }
                let (due, wait) = idle(spacing);
                tokio::time::sleep(wait).await;
                if due {
                    keep_alive().await;
                }
                continue;
            };
            match reserve_if_free(store, number, spacing).await {
                Ok(Ok(slot)) => {
                    let now = now_us();
                    if slot > now {
                        tokio::time::sleep(Duration::from_micros(
                            u64::try_from(slot - now).unwrap_or(0),
                        ))
                        .await;
                    }
                    return;
                }
                Ok(Err(busy_until)) => {
                    let ahead = u64::try_from(busy_until - now_us()).unwrap_or(0);
                    let (due, wait) = idle(Duration::from_micros(ahead).max(spacing));
                    tokio::time::sleep(wait).await;
                    if due {
                        keep_alive().await;
                    }
                }
                Err(err) => {
                    tracing::warn!(%err, number, "rate slot reservation failed; retrying");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    /// A campaign's own pace: the next slot of its schedule (`key`), shared
    /// through the KV bucket when there is one, else this process's bucket.
    async fn take_own_slot<F, Fut>(
        &self,
        key: &str,
        spacing: Duration,
        idle: &mut impl FnMut(Duration) -> (bool, Duration),
        keep_alive: &mut F,
    ) where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let slot = match &self.shared {
            Some(store) => loop {
                match reserve(store, key, spacing).await {
                    Ok(slot) => break slot,
                    Err(err) => {
                        tracing::warn!(%err, key, "campaign slot reservation failed; retrying");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            },
            None => {
                let mut own = self
                    .own
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let next = own.entry(key.to_owned()).or_insert(0);
                let step = i64::try_from(spacing.as_micros()).unwrap_or(i64::MAX);
                let slot = (*next).max(now_us());
                *next = slot.saturating_add(step);
                slot
            }
        };
        loop {
            let now = now_us();
            if slot <= now {
                return;
            }
            let (due, wait) = idle(Duration::from_micros(
                u64::try_from(slot - now).unwrap_or(0),
            ));
            tokio::time::sleep(wait).await;
            if due {
                keep_alive().await;
            }
        }
    }

    /// Campaign sends of `number` wait `for_how_long` from now (the
    /// provider throttled it); a hold already longer stays.
    pub fn hold(&self, number: &str, for_how_long: Duration) {
        let until = std::time::Instant::now() + for_how_long;
        let mut holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = holds.entry(number.to_owned()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }

    fn hold_left(&self, number: &str) -> Duration {
        let holds = self
            .holds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        holds
            .get(number)
            .map(|until| until.saturating_duration_since(std::time::Instant::now()))
            .unwrap_or_default()
    }

    fn local_bucket(&self, number: &str, limit: Limit) -> Arc<DefaultDirectRateLimiter> {
        let mut local = self
            .local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(
            local
                .entry(number.to_owned())
                .or_insert_with(|| Arc::new(RateLimiter::direct(limit.quota()))),
        )
    }
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

fn key_of(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("next.{safe}")
}

/// Why no slot could be taken.
#[derive(Debug, thiserror::Error)]
enum ReserveError {
    #[error("{0}")]
    Read(#[from] kv::EntryError),
    #[error("too much contention on the rate schedule")]
    Contention,
}

/// Takes the next free slot (unix µs) of `number` with compare-and-set.
async fn reserve(store: &kv::Store, number: &str, spacing: Duration) -> Result<i64, ReserveError> {
    match reserve_when(store, number, spacing, |_, _| true).await? {
        Ok(slot) => Ok(slot),
        Err(_) => Err(ReserveError::Contention),
    }
}

/// Takes the next slot of `number` only when it is at most one `spacing`
/// ahead of now (nobody is waiting for the number); else `Err` with the
/// time (unix µs) the schedule is booked until.
async fn reserve_if_free(
    store: &kv::Store,
    number: &str,
    spacing: Duration,
) -> Result<Result<i64, i64>, ReserveError> {
    let step = i64::try_from(spacing.as_micros()).unwrap_or(i64::MAX);
    reserve_when(store, number, spacing, |tat, now| tat <= now + step).await
}

/// The compare-and-set loop of both reservations: `take(tat, now)` says
/// whether to take the slot; `Ok(Err(tat))` when it said no.
async fn reserve_when(
    store: &kv::Store,
    number: &str,
    spacing: Duration,
    take: impl Fn(i64, i64) -> bool,
) -> Result<Result<i64, i64>, ReserveError> {
    let key = key_of(number);
    let step = i64::try_from(spacing.as_micros()).unwrap_or(i64::MAX);
    for _ in 0..1000 {
        let entry = store.entry(&key).await?;
        let now = now_us();
        let (tat, revision) = match &entry {
            Some(e) if e.operation == kv::Operation::Put => (
                std::str::from_utf8(&e.value)
                    .ok()
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0),
                Some(e.revision),
            ),
            Some(e) => (0, Some(e.revision)),
            None => (0, None),
        };
        if !take(tat, now) {
            return Ok(Err(tat));
        }
        let slot = tat.max(now);
        let next = slot.saturating_add(step).to_string();
        let written = match revision {
            Some(rev) => store.update(&key, next.into(), rev).await.is_ok(),
            None => store.create(&key, next.into()).await.is_ok(),
        };
        if written {
            return Ok(Ok(slot));
        }
    }
    Err(ReserveError::Contention)
}

/// The most of `sorted` (times in ms, ascending) inside any window of
/// `window_ms`, sliding: what a provider counting arrivals against a limit
/// of so many per `window_ms` sees. Two times `window_ms` apart are in
/// different windows.
pub fn busiest_window(sorted: &[i64], window_ms: i64) -> usize {
    debug_assert!(sorted.is_sorted(), "times must be in ascending order");
    let mut best = 0;
    let mut start = 0;
    for end in 0..sorted.len() {
        while sorted[end] - sorted[start] >= window_ms {
            start += 1;
        }
        best = best.max(end - start + 1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_window_counts_arrivals_less_than_a_window_apart() {
        assert_eq!(busiest_window(&[], 1000), 0);
        assert_eq!(busiest_window(&[0, 999, 1000, 1001, 1999], 1000), 3);
        assert_eq!(busiest_window(&[0, 1000, 2000], 1000), 1);
        assert_eq!(
            busiest_window(&[0, 100, 999, 1000, 1200, 1500, 1999, 2999], 1000),
            4
        );
    }

    #[test]
    fn spacing_keeps_any_period_at_or_under_the_limit_and_no_further() {
        for limit in [
            Limit::META,
            Limit::WASENDER,
            Limit::WASENDER_PROTECTED,
            Limit {
                sends: 7,
                period_ms: 700,
            },
        ] {
            let allowance = Duration::from_millis(25);
            let d = limit.spacing(allowance).as_micros();
            // Slots `d` apart, arrivals within ±J of them: a window of T
            // holds the arrivals of a slot window of T + 2J, i.e. at most
            // floor((T + 2J) / d) + 1.
            let window = u128::from(limit.period_ms + 50) * 1000;
            assert!(window / d < u128::from(limit.sends), "{limit:?}");
            // One µs closer and a window could hold L + 1: no throughput
            // is given away beyond what the bound needs.
            assert!(window / (d - 1) >= u128::from(limit.sends), "{limit:?}");
        }
        // Meta's 80/s with J = 25 ms: 13.126 ms apart, ~76.2 sends/s.
        assert_eq!(
            Limit::META.spacing(Duration::from_millis(25)),
            Duration::from_micros(13_126)
        );
    }

    #[test]
    fn numbers_override_provider_defaults() {
        let mut settings = RateSettings::default();
        settings
            .numbers
            .insert("s1".into(), Limit::WASENDER_PROTECTED);
        assert_eq!(
            settings.limit_for("s1", settings.wasender),
            Limit::WASENDER_PROTECTED
        );
        assert_eq!(settings.limit_for("s2", settings.wasender), Limit::WASENDER);
        assert_eq!(settings.limit_for("n", settings.meta), Limit::META);
        assert_eq!(key_of("a.b*"), "next.a_b_");
    }
}
