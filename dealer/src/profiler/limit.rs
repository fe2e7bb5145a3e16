//! The per-taker token bucket: `governor`'s keyed GCRA limiter (equivalent to a token bucket
//! refilled at `per_second` with capacity `burst`).

use alloy::primitives::Address;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::num::NonZeroU32;

/// A token bucket: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RateLimit {
    /// Tokens added per second (sustained requests per second per taker).
    pub per_second: NonZeroU32,
    /// Bucket capacity (requests a taker may send at once).
    pub burst: NonZeroU32,
}

impl RateLimit {
    /// A bucket of `burst` tokens refilled at `per_second`.
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32) -> Self {
        Self { per_second, burst }
    }
}

impl Default for RateLimit {
    /// 20 requests per second, bursts of 40.
    fn default() -> Self {
        Self::new(
            NonZeroU32::new(20).expect("non-zero"),
            NonZeroU32::new(40).expect("non-zero"),
        )
    }
}

impl RateLimit {
    pub(super) fn quota(&self) -> Quota {
        Quota::per_second(self.per_second).allow_burst(self.burst)
    }
}

/// One bucket shared by every request, whoever claims to send it: what a caller rotating taker
/// addresses (each with a fresh bucket of its own) runs into.
#[derive(Debug)]
pub(super) struct Ceiling(DefaultDirectRateLimiter);

impl Ceiling {
    pub(super) fn new(limit: RateLimit) -> Self {
        Self(RateLimiter::direct(limit.quota()))
    }

    /// Spend a token of the shared bucket; false when it is empty.
    pub(super) fn check(&self) -> bool {
        self.0.check().is_ok()
    }
}

/// One bucket per source address (the connection's peer IP): what a caller rotating taker
/// addresses, or naming someone else's to drain their bucket, runs into first. The front door's
/// and the hedger API's.
#[derive(Debug)]
pub struct PerSource(DefaultKeyedRateLimiter<IpAddr>);

impl PerSource {
    pub fn new(limit: RateLimit) -> Self {
        Self(RateLimiter::keyed(limit.quota()))
    }

    /// Spend a token of `source`'s bucket; false when it is empty.
    pub fn check(&self, source: &IpAddr) -> bool {
        self.0.check_key(source).is_ok()
    }

    /// Forget buckets that have refilled completely (call periodically).
    pub fn retain_recent(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}

/// One rate limit applied to every taker, a bucket each.
#[derive(Debug)]
pub(super) struct Limiter {
    rate_limit: RateLimit,
    buckets: DefaultKeyedRateLimiter<Address>,
}

impl Limiter {
    pub(super) fn new(rate_limit: RateLimit) -> Self {
        Self {
            rate_limit,
            buckets: RateLimiter::keyed(rate_limit.quota()),
        }
    }

    /// Spend a token of `taker`'s bucket; false when it is empty.
    pub(super) fn check(&self, taker: &Address) -> bool {
        self.buckets.check_key(taker).is_ok()
    }

    pub(super) fn rate_limit(&self) -> RateLimit {
        self.rate_limit
    }

    pub(super) fn retain_recent(&self) {
        self.buckets.retain_recent();
        self.buckets.shrink_to_fit();
    }
}
