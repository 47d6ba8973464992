//! Webhook abuse limits of the edge: requests per source address, checked
//! before the body is read, so a flood of forgeries costs no HMAC work.
//! Excess gets 429 and nothing is published. A verified delivery is never
//! limited: it cannot be forged, a replay of it is absorbed by dedupe, and
//! a spike is exactly what the edge exists to take (the only volume answer
//! left after the signature is 503 when the store cannot take more). Also
//! the sanity check of provider timestamps. Owns the limiter state only;
//! `edge` decides when to ask.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Checks between two sweeps of idle keys (bounds the limiters' memory).
const SWEEP_EVERY: u64 = 4096;

/// The per-address limiter; `None` where the limit is 0 (off).
pub struct AbuseLimits {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    checks: AtomicU64,
}

/// `per_second` sustained, with one second's worth as burst.
fn limiter<K: std::hash::Hash + Eq + Clone>(per_second: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    let rate = NonZeroU32::new(per_second)?;
    Some(RateLimiter::keyed(
        Quota::per_second(rate).allow_burst(rate),
    ))
}

impl AbuseLimits {
    /// A limit of `per_ip_per_second` requests per source address; 0 is off.
    pub fn new(per_ip_per_second: u32) -> Self {
        Self {
            per_ip: limiter(per_ip_per_second),
            checks: AtomicU64::new(0),
        }
    }

    /// Whether a request from `ip` may proceed.
    pub fn allow_ip(&self, ip: IpAddr) -> bool {
        let Some(limiter) = &self.per_ip else {
            return true;
        };
        self.sweep(limiter);
        limiter.check_key(&ip).is_ok()
    }

    /// Now and then, forgets keys whose budget is full again, so addresses
    /// seen once do not stay in memory.
    fn sweep(&self, limiter: &DefaultKeyedRateLimiter<IpAddr>) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY != SWEEP_EVERY - 1 {
            return;
        }
        limiter.retain_recent();
        limiter.shrink_to_fit();
    }
}

/// Whether a provider timestamp lies further in the future than
/// `tolerance_secs` (a wrong clock, or a forged or replayed-and-edited
/// delivery): such events are stored but flagged.
pub fn from_the_future(timestamp: DateTime<Utc>, now: DateTime<Utc>, tolerance_secs: u64) -> bool {
    let tolerance =
        chrono::Duration::seconds(i64::try_from(tolerance_secs).unwrap_or(i64::MAX / 1000));
    timestamp > now + tolerance
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_own_budget() {
        let limits = AbuseLimits::new(3);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..3).all(|_| limits.allow_ip(a)));
        assert!(!limits.allow_ip(a), "the fourth within the second");
        assert!(limits.allow_ip(b), "another address is not affected");
    }

    #[test]
    fn zero_is_no_limit_and_sweeping_keeps_budgets_working() {
        let limits = AbuseLimits::new(0);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..10_000).all(|_| limits.allow_ip(a)));
        let limited = AbuseLimits::new(1);
        for i in 0..(SWEEP_EVERY as u32 * 2) {
            let ip = IpAddr::from([10, 0, (i >> 8) as u8, i as u8]);
            limited.allow_ip(ip);
        }
        let fresh: IpAddr = "203.0.113.9".parse().unwrap();
        assert!(limited.allow_ip(fresh));
        assert!(!limited.allow_ip(fresh));
    }

    #[test]
    fn timestamps_beyond_the_tolerance_are_from_the_future() {
        let now = Utc::now();
        assert!(!from_the_future(now, now, 300));
        assert!(!from_the_future(
            now + chrono::Duration::seconds(299),
            now,
            300
        ));
        assert!(from_the_future(
            now + chrono::Duration::seconds(301),
            now,
            300
        ));
        assert!(!from_the_future(now - chrono::Duration::days(3), now, 300));
    }
}
