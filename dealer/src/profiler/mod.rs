//! Taker profiles: who may trade (allow and deny lists) and how fast (a per-taker token bucket),
//! checked by the front door before a request reaches pricing.
//!
//! Layout: this file holds [`Profiler`] and the lists; `limit` the rate limiter; `store` the
//! [`ProfileStore`] admin changes are saved to.
//!
//! Rules, in order: a taker on the deny list is refused (-42006); when the allow list is
//! non-empty, a taker not on it is refused (-42006); then the taker's token bucket must hold a
//! token (-42024). Allowing a taker removes it from the deny list and denying removes it from
//! the allow list, so a taker is on at most one list.
//!
//! Reads happen on every quote and never lock: the lists are an immutable snapshot behind an
//! [`ArcSwap`], replaced whole (read-copy-update) by the rare admin write, and the limiter is
//! `governor`'s keyed GCRA limiter (a sharded concurrent map). Every admin change is saved to a
//! [`ProfileStore`] before it is acknowledged, and the saved profiles are what a restarted
//! front door starts from (the configured lists and rate limit only seed an empty store).
//!
//! Limits: takers are identified by the address they claim (the spec has no taker
//! authentication before the fill signature), so a caller can spend another taker's tokens by
//! naming it, and a caller rotating addresses gets a fresh bucket per address (when the allow
//! list is empty). A per-IP limit at the edge proxy is the complement.

mod keys;
mod limit;
mod store;

pub use keys::{API_KEY_HEADER, ApiKey, ApiKeys, ApiKeysError};
pub use limit::{PerSource, RateLimit};
pub use store::{MemoryProfiles, ProfileStore, ProfileStoreError, Profiles};

use alloy::primitives::Address;
use arc_swap::ArcSwap;
use limit::Limiter;
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::Arc;

/// A taker's standing, as `dealer_authStatus` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorization {
    /// On the allow list.
    AllowListed,
    /// No allow list is configured and the taker is not denied.
    Open,
    /// On the deny list.
    Denied,
    /// An allow list is configured and the taker is not on it.
    NotAllowListed,
}

impl Authorization {
    /// Whether the taker may trade.
    pub fn is_authorized(self) -> bool {
        matches!(self, Self::AllowListed | Self::Open)
    }

    /// The spec's `reason` string.
    pub fn reason(self) -> &'static str {
        match self {
            Self::AllowListed => "WHITELISTED",
            Self::Open => "OPEN",
            Self::Denied => "BLACKLISTED",
            Self::NotAllowListed => "NOT_WHITELISTED",
        }
    }
}

/// Why the profiler refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// -42006.
    #[error("taker not authorized")]
    NotAuthorized,
    /// -42024.
    #[error("request rate limit reached")]
    RateLimited,
}

/// The allow and deny lists at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TakerLists {
    /// Takers served even when others are not; when non-empty, only these are served.
    pub allow: BTreeSet<Address>,
    /// Takers never served.
    pub deny: BTreeSet<Address>,
}

impl TakerLists {
    fn authorization(&self, taker: &Address) -> Authorization {
        if self.deny.contains(taker) {
            Authorization::Denied
        } else if self.allow.contains(taker) {
            Authorization::AllowListed
        } else if self.allow.is_empty() {
            Authorization::Open
        } else {
            Authorization::NotAllowListed
        }
    }
}

/// Taker authorization and rate limits, shared by the public and the admin server.
#[derive(Debug)]
pub struct Profiler {
    lists: ArcSwap<TakerLists>,
    limiter: ArcSwap<Limiter>,
    /// The front door's ceiling over every taker together, if any.
    ceiling: Option<limit::Ceiling>,
    /// The front door's limit per source address, if any.
    per_source: Option<limit::PerSource>,
    /// The integrators' API keys (none issued by default).
    api_keys: ApiKeys,
}

/// Who sent a request to the public server: its connection's source address, or the holder of
/// the API key it carried.
#[derive(Debug, Clone)]
pub enum Caller {
    Source(IpAddr),
    Key(Arc<ApiKey>),
}

impl Profiler {
    /// A profiler with these lists (an address on both is denied) and rate limit.
    pub fn new(
        allow: impl IntoIterator<Item = Address>,
        deny: impl IntoIterator<Item = Address>,
        rate_limit: RateLimit,
    ) -> Self {
        let deny: BTreeSet<Address> = deny.into_iter().collect();
        let allow = allow.into_iter().filter(|a| !deny.contains(a)).collect();
        Self {
            lists: ArcSwap::from_pointee(TakerLists { allow, deny }),
            limiter: ArcSwap::from_pointee(Limiter::new(rate_limit)),
            ceiling: None,
            per_source: None,
            api_keys: ApiKeys::default(),
        }
    }

    /// Adds a ceiling on requests of all takers together, past their own buckets.
    pub fn with_ceiling(mut self, ceiling: RateLimit) -> Self {
        self.ceiling = Some(limit::Ceiling::new(ceiling));
        self
    }

    /// Adds a bucket per source address, spent by every request (see [`Profiler::check_caller`]).
    pub fn with_per_source(mut self, limit: RateLimit) -> Self {
        self.per_source = Some(limit::PerSource::new(limit));
        self
    }

    /// Issues `keys` to integrators (see `profiler::keys`).
    pub fn with_api_keys(mut self, keys: ApiKeys) -> Self {
        self.api_keys = keys;
        self
    }

    /// The issued key `presented` is, if any.
    pub fn api_key(&self, presented: &[u8]) -> Option<Arc<ApiKey>> {
        self.api_keys.find(presented)
    }

    /// Spend one of the caller's tokens: every public request does, whatever taker it names.
    /// A key holder spends its key's bucket, anyone else its source address's. A request with
    /// no known caller (an in-process call) is not limited here.
    pub fn check_caller(&self, caller: Option<&Caller>) -> Result<(), Refusal> {
        let admitted = match caller {
            Some(Caller::Key(key)) => key.check(),
            Some(Caller::Source(source)) => {
                self.per_source.as_ref().is_none_or(|l| l.check(source))
            }
            None => true,
        };
        admitted.then_some(()).ok_or(Refusal::RateLimited)
    }

    /// A profiler starting from saved profiles.
    pub fn from_profiles(profiles: Profiles) -> Self {
        Self::new(profiles.allow, profiles.deny, profiles.rate_limit)
    }

    /// The lists and rate limit now, as saved.
    pub fn profiles(&self) -> Profiles {
        Profiles::new(&self.lists.load(), self.rate_limit())
    }

    /// Puts back the lists and rate limit of `profiles` (an admin change whose save failed).
    /// Buckets start full again only if the rate limit differs.
    pub fn restore(&self, profiles: Profiles) {
        if profiles.rate_limit != self.rate_limit() {
            self.set_rate_limit(profiles.rate_limit);
        }
        self.lists.store(Arc::new(TakerLists {
            allow: profiles.allow,
            deny: profiles.deny,
        }));
    }

    /// The taker's standing (no rate limit token spent).
    pub fn authorization(&self, taker: &Address) -> Authorization {
        self.lists.load().authorization(taker)
    }

    /// Spend one of the taker's rate-limit tokens, then one of the ceiling's. A key holder
    /// names only the takers its key serves, and spends no taker address's tokens (its key's
    /// were spent by [`Self::check_caller`]): naming a keyed taker's address drains nothing of
    /// its holder's.
    pub fn check_rate(&self, taker: &Address, caller: Option<&Caller>) -> Result<(), Refusal> {
        let own_bucket = match caller {
            Some(Caller::Key(key)) if !key.serves(taker) => return Err(Refusal::NotAuthorized),
            Some(Caller::Key(_)) => true,
            _ => self.limiter.load().check(taker),
        };
        let under_ceiling = || self.ceiling.as_ref().is_none_or(limit::Ceiling::check);
        if own_bucket && under_ceiling() {
            Ok(())
        } else {
            Err(Refusal::RateLimited)
        }
    }

    /// Authorization, then one rate-limit token: the gate in front of pricing and fills.
    pub fn admit(&self, taker: &Address, caller: Option<&Caller>) -> Result<(), Refusal> {
        if !self.authorization(taker).is_authorized() {
            return Err(Refusal::NotAuthorized);
        }
        self.check_rate(taker, caller)
    }

    /// Put `taker` on the allow list (and off the deny list).
    pub fn allow(&self, taker: Address) {
        self.lists.rcu(|lists| {
            let mut lists = TakerLists::clone(lists);
            lists.deny.remove(&taker);
            lists.allow.insert(taker);
            lists
        });
    }

    /// Put `taker` on the deny list (and off the allow list).
    pub fn deny(&self, taker: Address) {
        self.lists.rcu(|lists| {
            let mut lists = TakerLists::clone(lists);
            lists.allow.remove(&taker);
            lists.deny.insert(taker);
            lists
        });
    }

    /// Take `taker` off both lists; whether it was on one.
    pub fn remove(&self, taker: Address) -> bool {
        let previous = self.lists.rcu(|lists| {
            let mut lists = TakerLists::clone(lists);
            lists.allow.remove(&taker);
            lists.deny.remove(&taker);
            lists
        });
        previous.allow.contains(&taker) || previous.deny.contains(&taker)
    }

    /// The lists now.
    pub fn lists(&self) -> Arc<TakerLists> {
        self.lists.load_full()
    }

    /// The rate limit now.
    pub fn rate_limit(&self) -> RateLimit {
        self.limiter.load().rate_limit()
    }

    /// Replace the rate limit. Every taker starts again with a full bucket.
    pub fn set_rate_limit(&self, rate_limit: RateLimit) {
        self.limiter.store(Arc::new(Limiter::new(rate_limit)));
    }

    /// Forget buckets that have refilled completely, so the limiter's memory tracks active
    /// takers only. Call periodically ([`crate::rpc::serve`] does, every minute).
    pub fn housekeeping(&self) {
        self.limiter.load().retain_recent();
        if let Some(per_source) = &self.per_source {
            per_source.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn addr(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    fn limit(per_second: u32, burst: u32) -> RateLimit {
        RateLimit::new(
            NonZeroU32::new(per_second).unwrap(),
            NonZeroU32::new(burst).unwrap(),
        )
    }

    #[test]
    fn lists_decide_in_order() {
        let p = Profiler::new([], [addr(2)], limit(1, 1));
        assert_eq!(p.authorization(&addr(1)), Authorization::Open);
        assert_eq!(p.authorization(&addr(2)), Authorization::Denied);
        p.allow(addr(3));
        assert_eq!(p.authorization(&addr(1)), Authorization::NotAllowListed);
        assert_eq!(p.authorization(&addr(3)), Authorization::AllowListed);
        p.allow(addr(2));
        assert_eq!(p.authorization(&addr(2)), Authorization::AllowListed);
        p.deny(addr(3));
        assert_eq!(p.authorization(&addr(3)), Authorization::Denied);
        assert!(p.remove(addr(3)));
        assert!(!p.remove(addr(3)));
        assert_eq!(p.admit(&addr(1), None), Err(Refusal::NotAuthorized));
    }

    #[test]
    fn config_deny_wins_over_allow() {
        let p = Profiler::new([addr(1)], [addr(1)], limit(1, 1));
        assert_eq!(p.authorization(&addr(1)), Authorization::Denied);
    }

    #[test]
    fn burst_then_refused_per_taker() {
        let p = Profiler::new([], [], limit(1, 3));
        for _ in 0..3 {
            assert_eq!(p.admit(&addr(1), None), Ok(()));
        }
        assert_eq!(p.admit(&addr(1), None), Err(Refusal::RateLimited));
        assert_eq!(p.admit(&addr(2), None), Ok(()));
        p.set_rate_limit(limit(1, 5));
        assert_eq!(p.admit(&addr(1), None), Ok(()));
        assert_eq!(p.rate_limit(), limit(1, 5));
    }
}
