//! `[intents]`: the `IntentBook` the intent hedger serves and its policy.

use alloy::primitives::Address;
use hedgeflow_proto::balance::{BalancePolicy, BrokerAsset};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::{path::PathBuf, time::Duration};
use url::Url;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IntentsConfig {
    /// The chain (by name) of the book.
    pub chain: String,
    pub book: Address,
    /// The book's deployment block: where the indexer starts.
    #[serde(default)]
    pub start_block: u64,
    /// The broker's public futures REST base (mark prices, symbol rules); no keys.
    pub broker_rest: Url,
    /// Symbols we hedge.
    pub symbols: Vec<IntentSymbol>,
    /// The most notional (quote asset) all open positions may hold together.
    pub open_interest_cap: Decimal,
    /// A quote's requested price must lie within this many bps of the broker's mark price.
    #[serde(default = "default_price_range_bps")]
    pub price_range_bps: Decimal,
    /// A quote whose deadline is nearer than this is left alone.
    #[serde(default = "default_min_time_left", with = "humantime_serde")]
    pub min_time_left: Duration,
    /// How long a LIMIT quote's broker order rests before the rest is cancelled.
    #[serde(default = "default_limit_wait", with = "humantime_serde")]
    pub limit_wait: Duration,
    /// How often the position validator runs (a Temporal Schedule).
    #[serde(default = "default_validate_every", with = "humantime_serde")]
    pub validate_every: Duration,
    /// Where the indexer keeps its cursor file.
    pub indexer_dir: PathBuf,
    /// Where the position validator posts each run's mismatches (JSON, see
    /// `intent::webhook`); none when absent. The URL may carry a token: it is never logged, and
    /// can be set from the environment (`HEDGEFLOW__INTENTS__MISMATCH_WEBHOOK`).
    #[serde(default)]
    pub mismatch_webhook: Option<Url>,
    /// The balance manager (a Temporal Schedule); none without this section.
    #[serde(default)]
    pub balance: Option<BalanceConfig>,
}

/// `[intents.balance]`: how often the balance manager runs and the health it keeps (see
/// `hedgeflow_proto::balance::BalancePolicy` for each threshold).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BalanceConfig {
    #[serde(with = "humantime_serde")]
    pub every: Duration,
    pub min_health: Decimal,
    pub target_health: Decimal,
    pub release_above: Decimal,
    #[serde(default = "default_min_move")]
    pub min_move: Decimal,
    #[serde(default)]
    pub chain_reserve: Decimal,
    /// An allocation is released only when none of its party A's quotes changed for this long.
    #[serde(default = "default_release_after", with = "humantime_serde")]
    pub release_after: Duration,
    /// Moves between the broker account and the chain; off unless this is set.
    #[serde(default)]
    pub broker: Option<BrokerBalanceConfig>,
    /// Collateral the hot wallet keeps outside the book; the balance manager deposits what it
    /// holds beyond this into the book.
    #[serde(default)]
    pub wallet_float: Decimal,
}

/// `[intents.balance.broker]`: the broker account's floor and what a move to it aims for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BrokerBalanceConfig {
    /// The broker's name of the book's collateral.
    pub asset: String,
    /// The broker's name of the book's chain (withdrawal and deposit `network`).
    pub network: String,
    pub min_available: Decimal,
    pub target_available: Decimal,
}

impl BalanceConfig {
    /// The policy as the balance manager's plan reads it; `Err` when its thresholds contradict
    /// each other.
    pub fn policy(&self) -> Result<BalancePolicy, String> {
        let broker = self.broker.as_ref();
        let policy = BalancePolicy {
            min_health: self.min_health,
            target_health: self.target_health,
            release_above: self.release_above,
            broker_min_available: broker.map_or(Decimal::ZERO, |b| b.min_available),
            broker_target_available: broker.map_or(Decimal::ZERO, |b| b.target_available),
            chain_reserve: self.chain_reserve,
            min_move: self.min_move,
            broker_moves: broker.is_some(),
            broker_asset: broker
                .map(|b| BrokerAsset {
                    asset: b.asset.clone(),
                    network: b.network.clone(),
                })
                .unwrap_or_default(),
            wallet_float: self.wallet_float,
        };
        if !(Decimal::ONE <= policy.min_health
            && policy.min_health <= policy.target_health
            && policy.target_health < policy.release_above)
        {
            return Err(
                "[intents.balance] needs 1 <= min-health <= target-health < release-above".into(),
            );
        }
        if policy.broker_min_available > policy.broker_target_available {
            return Err("[intents.balance.broker] needs min-available <= target-available".into());
        }
        if policy.min_move <= Decimal::ZERO
            || policy.chain_reserve.is_sign_negative()
            || policy.wallet_float.is_sign_negative()
        {
            return Err(
                "[intents.balance] needs min-move > 0, chain-reserve >= 0 and wallet-float >= 0"
                    .into(),
            );
        }
        Ok(policy)
    }
}

/// One symbol of the book as we hedge it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IntentSymbol {
    /// The book's symbol id.
    pub id: u64,
    /// The book's name of it (`ETHUSDT`).
    pub name: String,
    /// The broker's perpetual hedging it.
    pub broker_symbol: String,
    /// The most notional its open positions may hold.
    pub notional_cap: Decimal,
    /// What the hedger asks party A to lock, in percent of the notional (the hedger API's
    /// `get_locked_params`).
    #[serde(default)]
    pub locked_params: LockedParams,
}

/// CVA, maintenance margin and liquidator fee, in percent of the notional.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LockedParams {
    pub cva: Decimal,
    pub mm: Decimal,
    pub lf: Decimal,
}

impl Default for LockedParams {
    /// 2 % CVA, 5 % maintenance, 1 % liquidator fee.
    fn default() -> Self {
        Self {
            cva: Decimal::from(2),
            mm: Decimal::from(5),
            lf: Decimal::from(1),
        }
    }
}

impl IntentsConfig {
    pub fn symbol(&self, id: u64) -> Option<&IntentSymbol> {
        self.symbols.iter().find(|s| s.id == id)
    }

    /// The symbol by the book's name (`ETHUSDT`).
    pub fn symbol_named(&self, name: &str) -> Option<&IntentSymbol> {
        self.symbols.iter().find(|s| s.name == name)
    }
}

fn default_price_range_bps() -> Decimal {
    Decimal::from(300)
}

fn default_min_time_left() -> Duration {
    Duration::from_secs(10)
}

fn default_validate_every() -> Duration {
    Duration::from_secs(60)
}

fn default_release_after() -> Duration {
    Duration::from_secs(10 * 60)
}

fn default_min_move() -> Decimal {
    Decimal::ONE
}

fn default_limit_wait() -> Duration {
    Duration::from_secs(30)
}
