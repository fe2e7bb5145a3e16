//! The hot wallet's transaction policy: what it agrees to sign, whichever workflow asks. Any
//! process that reaches the Temporal frontend can schedule `submit_transaction`, so the key's
//! power is bounded here, in the only process that holds it, before anything is journaled:
//!
//! - an allowlist of calls, each a [`Rule`]: (chain, contract, function selector), the first
//!   address argument's allowed values (an `approve`'s spender, a `transfer`'s recipient) and
//!   whether it may carry value. The hot-wallet role builds it from the pipelines its config
//!   runs (`policy_from_config`) plus `[hot-wallet.policy] recipients`;
//! - value limits per asset: per transaction and per rolling period, summed from the journal
//!   (every intent's first signature), so a restart forgets nothing;
//! - chain checks ([`checks`]) where the chain can vouch for a call: an escrow transfer pays
//!   exactly the L2 order's amount to its recipient; a settlement fills an order the hot wallet
//!   itself signed; an intent action is one the quote's state on the book takes, on a quote the
//!   hot wallet may act on, for no more than the quote has left.
//!
//! A refusal is a [`Refusal`] naming its rule: non-retryable, logged and counted
//! (`hedgeflow_policy_refusals`); nothing is signed.

pub mod checks;

use crate::chain::journal::TxJournal;
use alloy::{
    consensus::{Transaction, TxEnvelope},
    eips::Decodable2718,
    primitives::{Address, U256},
};
use hedgeflow_proto::chain::TxIntent;
use std::time::Duration;

/// `transfer(address,uint256)`: the ERC-20 call whose amount counts against a token's limits.
const ERC20_TRANSFER: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];

/// Why the policy refused a transaction: the rule and what broke it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("policy rule {rule} refuses it: {reason}")]
pub struct Refusal {
    pub rule: String,
    pub reason: String,
}

impl Refusal {
    fn new(rule: &str, reason: impl Into<String>) -> Self {
        Self {
            rule: rule.to_owned(),
            reason: reason.into(),
        }
    }
}

/// Which call a rule allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Names the rule in refusals and metrics (`escrow-transfer`, `intent-party-b`…).
    pub name: String,
    pub chain_id: u64,
    pub to: Address,
    /// `None`: a plain value transfer (empty calldata).
    pub selector: Option<[u8; 4]>,
    /// When set, the call's first argument must be one of these addresses.
    pub first_argument: Option<Vec<Address>>,
    /// Whether the call may carry native value.
    pub payable: bool,
    /// The chain check the call must pass as well.
    pub check: Option<checks::Check>,
}

/// What an asset may move, per transaction and per rolling period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub chain_id: u64,
    /// `None`: the chain's native asset; otherwise the token (its `transfer` amounts count).
    pub token: Option<Address>,
    pub per_tx: U256,
    pub per_period: U256,
    pub period: Duration,
}

/// The hot wallet's policy. An empty policy refuses everything.
#[derive(Clone, Debug, Default)]
pub struct TxPolicy {
    pub rules: Vec<Rule>,
    pub limits: Vec<Limit>,
    pub checks: checks::Checks,
}

impl TxPolicy {
    /// Whether a rule allows `intent` (its contract, function, first argument and value) and
    /// its chain check passes; `me` is the hot wallet, the maker a settlement must be signed by.
    /// The value limits are [`TxPolicy::within_limits`], checked under the signing lock.
    pub async fn allows(&self, intent: &TxIntent, me: Address) -> Result<(), Refusal> {
        let rule = self.rule_for(intent)?;
        if !rule.payable && !intent.value.is_zero() {
            return Err(Refusal::new(
                &rule.name,
                format!("it carries {} wei and the call takes none", intent.value),
            ));
        }
        if let Some(allowed) = &rule.first_argument {
            let first = first_address(&intent.data);
            if !first.is_some_and(|first| allowed.contains(&first)) {
                return Err(Refusal::new(
                    &rule.name,
                    format!(
                        "its first argument {} is not an allowed address",
                        first.map_or("(none)".into(), |a| a.to_string())
                    ),
                ));
            }
        }
        if let Some(check) = &rule.check {
            self.checks.run(check, intent, me).await?;
        }
        Ok(())
    }

    fn rule_for(&self, intent: &TxIntent) -> Result<&Rule, Refusal> {
        let selector = selector(&intent.data);
        self.rules
            .iter()
            .find(|rule| {
                rule.chain_id == intent.chain_id
                    && rule.to == intent.to
                    && rule.selector == selector
            })
            .ok_or_else(|| {
                Refusal::new(
                    "allowlist",
                    format!(
                        "no rule allows {} on {} on chain {}",
                        selector.map_or("a plain transfer".into(), |s| format!(
                            "function 0x{}",
                            alloy::hex::encode(s)
                        )),
                        intent.to,
                        intent.chain_id
                    ),
                )
            })
    }

    /// Whether `intent` keeps every limit of its chain, counting what `journal` shows signed in
    /// each limit's period before Unix second `now`. Called under the hot wallet's signing lock,
    /// so concurrent intents cannot both spend the same allowance.
    pub fn within_limits(
        &self,
        intent: &TxIntent,
        journal: &TxJournal,
        now: u64,
    ) -> Result<(), Refusal> {
        for limit in self.limits.iter().filter(|l| l.chain_id == intent.chain_id) {
            let Some(amount) = moved(limit, intent.to, intent.value.0, &intent.data) else {
                continue;
            };
            let asset = limit
                .token
                .map_or("the native asset".into(), |t| format!("token {t}"));
            if amount > limit.per_tx {
                return Err(Refusal::new(
                    "value-limit",
                    format!(
                        "{amount} of {asset} is above the {} allowed per transaction",
                        limit.per_tx
                    ),
                ));
            }
            let since = now.saturating_sub(limit.period.as_secs());
            let spent: U256 = journal
                .first_attempts_since(intent.chain_id, since)
                .iter()
                .filter_map(|entry| {
                    let tx = TxEnvelope::decode_2718(&mut entry.raw.as_ref()).ok()?;
                    moved(limit, tx.to()?, tx.value(), tx.input())
                })
                .fold(U256::ZERO, |sum, amount| sum.saturating_add(amount));
            if spent.saturating_add(amount) > limit.per_period {
                return Err(Refusal::new(
                    "value-limit",
                    format!(
                        "{amount} of {asset} would bring the last {}s to {}, above their {}",
                        limit.period.as_secs(),
                        spent.saturating_add(amount),
                        limit.per_period
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// What a call to `to` with `value` and `data` moves of `limit`'s asset, if it moves any.
fn moved(limit: &Limit, to: Address, value: U256, data: &[u8]) -> Option<U256> {
    match limit.token {
        None => (!value.is_zero()).then_some(value),
        Some(token) if token == to && selector(data) == Some(ERC20_TRANSFER) => {
            data.get(36..68).map(U256::from_be_slice)
        }
        Some(_) => None,
    }
}

fn selector(data: &[u8]) -> Option<[u8; 4]> {
    data.get(..4).map(|s| s.try_into().expect("four bytes"))
}

/// The first ABI word of the arguments as an address, when it is one.
fn first_address(data: &[u8]) -> Option<Address> {
    let word = data.get(4..36)?;
    word[..12]
        .iter()
        .all(|b| *b == 0)
        .then(|| Address::from_slice(&word[12..]))
}
