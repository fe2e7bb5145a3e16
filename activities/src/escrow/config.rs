//! `[escrow]`: which chains, contracts and economics the escrow pipeline runs with.

use alloy::primitives::{Address, U256};
use hedgeflow_proto::Amount;
use serde::{Deserialize, Deserializer};
use std::{collections::BTreeMap, path::PathBuf, time::Duration};

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EscrowConfig {
    /// The chain (by name) where users are paid and the `PaymentRegistry` lives.
    pub l1: String,
    pub payment_registry: Address,
    /// Where searches for registry events start (the registry's deployment block).
    #[serde(default)]
    pub registry_start_block: u64,
    /// Every L2 whose `Escrow` we serve, by chain name.
    pub l2: BTreeMap<String, L2Escrow>,
    /// L1 gas of a `transfer`, for the fee check.
    #[serde(default = "default_transfer_gas")]
    pub transfer_gas: u64,
    /// L1 gas of one order's share of a claim, for the fee check.
    #[serde(default = "default_claim_gas")]
    pub claim_gas: u64,
    /// Margin over the estimated gas cost the fee must cover, in basis points.
    #[serde(default = "default_fee_margin_bps")]
    pub fee_margin_bps: u32,
    /// The largest order we fill, in ETH (`"5"`, `"0.25"`).
    #[serde(deserialize_with = "eth")]
    pub max_order: Amount,
    /// ETH the hot wallet keeps on L1 for gas; never lent to orders.
    #[serde(default, deserialize_with = "eth")]
    pub gas_reserve: Amount,
    /// An order whose user could reclaim it sooner than this is not filled.
    #[serde(default = "default_min_time_left", with = "humantime_serde")]
    pub min_time_left: Duration,
    /// L1 confirmations by order size: the largest tier whose `above` the amount exceeds wins;
    /// below every tier, the L1 chain's own `confirmations`.
    #[serde(default)]
    pub confirmation_tiers: Vec<ConfirmationTier>,
    /// The longest a ready claim waits for others to share its transaction.
    #[serde(default = "default_claim_window", with = "humantime_serde")]
    pub claim_window: Duration,
    #[serde(default = "default_claim_max_batch")]
    pub claim_max_batch: u32,
    /// Claim batches in flight at once per L2 (each is one L1 transaction from the hot wallet).
    #[serde(default = "default_claim_concurrency")]
    pub claim_concurrency: u32,
    /// L1 confirmations of a claim transaction.
    #[serde(default = "default_claim_confirmations")]
    pub claim_confirmations: u64,
    /// How often the accepted-blocks scan runs (a Temporal Schedule).
    #[serde(default = "default_scan_interval", with = "humantime_serde")]
    pub scan_interval: Duration,
    /// Where the indexer keeps its per-chain cursor files.
    pub indexer_dir: PathBuf,
}

/// One L2's escrow.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct L2Escrow {
    pub escrow: Address,
    /// The escrow's deployment block: where the indexer and the scan start.
    #[serde(default)]
    pub start_block: u64,
    /// L2 blocks on top of an order's (its own included) before it is evaluated, for orders
    /// below every `confirmation-tiers` entry.
    #[serde(default = "default_l2_confirmations")]
    pub confirmations: u64,
    /// L2 confirmations by order size, as the L1 ones: paying before finality is a bet on the
    /// order's block, and a bigger order bets more.
    #[serde(default)]
    pub confirmation_tiers: Vec<ConfirmationTier>,
    /// Blocks behind the head the scan treats as final.
    #[serde(default = "default_finality_depth")]
    pub finality_depth: u64,
    /// The most ETH paid on L1 for this L2's orders whose blocks are not yet final (the reorg
    /// exposure); an order that would exceed it waits for its own block to be final. Unset: no
    /// cap.
    #[serde(default, deserialize_with = "optional_eth")]
    pub max_unfinal_value: Option<Amount>,
}

impl L2Escrow {
    /// L2 confirmations before an order of `amount` wei is paid, when the value already paid
    /// against blocks that are not final is `exposure` wei: the size tier's, or finality
    /// (`finality-depth` blocks on top) when paying now would pass `max-unfinal-value`.
    pub fn confirmations(&self, amount: &Amount, exposure: U256) -> u64 {
        let tiered = tiered(&self.confirmation_tiers, amount, self.confirmations);
        let over_cap = self
            .max_unfinal_value
            .as_ref()
            .is_some_and(|cap| exposure.saturating_add(amount.0) > cap.0);
        if over_cap {
            tiered.max(self.finality_depth + 1)
        } else {
            tiered
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConfirmationTier {
    #[serde(deserialize_with = "eth")]
    pub above: Amount,
    pub confirmations: u64,
}

impl EscrowConfig {
    /// The least fee that pays for an order's L1 gas (transfer and its share of a claim) at
    /// `gas_price` wei, plus the margin.
    pub fn min_fee(&self, gas_price: u128) -> U256 {
        let gas = U256::from(self.transfer_gas + self.claim_gas);
        let cost = U256::from(gas_price) * gas;
        cost * U256::from(10_000 + self.fee_margin_bps) / U256::from(10_000u32)
    }

    /// L1 confirmations for an order of `amount` wei.
    pub fn confirmations(&self, amount: &Amount, l1_default: u64) -> u64 {
        tiered(&self.confirmation_tiers, amount, l1_default)
    }
}

/// The confirmations of the largest tier `amount` is above, else `default`; at least 1.
fn tiered(tiers: &[ConfirmationTier], amount: &Amount, default: u64) -> u64 {
    tiers
        .iter()
        .filter(|tier| amount.0 > tier.above.0)
        .map(|tier| tier.confirmations)
        .max()
        .unwrap_or(default)
        .max(1)
}

fn eth<'de, D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
    let text = String::deserialize(d)?;
    Amount::parse_units(&text, 18)
        .map_err(|e| serde::de::Error::custom(format!("an amount in ETH like \"0.5\": {e}")))
}

fn optional_eth<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
    eth(d).map(Some)
}

fn default_transfer_gas() -> u64 {
    60_000
}
fn default_claim_gas() -> u64 {
    90_000
}
fn default_fee_margin_bps() -> u32 {
    2_000
}
fn default_min_time_left() -> Duration {
    Duration::from_secs(3600)
}
fn default_claim_window() -> Duration {
    Duration::from_secs(2)
}
fn default_claim_max_batch() -> u32 {
    20
}
fn default_claim_concurrency() -> u32 {
    4
}
fn default_claim_confirmations() -> u64 {
    1
}
fn default_scan_interval() -> Duration {
    Duration::from_secs(30)
}
fn default_l2_confirmations() -> u64 {
    1
}
fn default_finality_depth() -> u64 {
    5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> EscrowConfig {
        toml::from_str(&format!(
            r#"
            l1 = "l1"
            payment-registry = "0x0000000000000000000000000000000000000001"
            max-order = "5"
            indexer-dir = "data/indexer"
            {extra}
            [l2.l2]
            escrow = "0x0000000000000000000000000000000000000002"
            "#
        ))
        .unwrap()
    }

    #[test]
    fn min_fee_is_gas_cost_plus_margin() {
        let c = config("");
        // (60k + 90k) gas × 10 gwei × 1.2
        assert_eq!(
            c.min_fee(10_000_000_000),
            U256::from(1_800_000_000_000_000u64)
        );
        assert_eq!(c.max_order.to_string(), "5000000000000000000");
    }

    #[test]
    fn bigger_orders_wait_for_more_confirmations() {
        let c = config(
            r#"confirmation-tiers = [{ above = "1", confirmations = 3 }, { above = "3", confirmations = 6 }]"#,
        );
        let eth = |s: &str| Amount::parse_units(s, 18).unwrap();
        assert_eq!(c.confirmations(&eth("0.5"), 2), 2);
        assert_eq!(c.confirmations(&eth("1"), 2), 2);
        assert_eq!(c.confirmations(&eth("2"), 2), 3);
        assert_eq!(c.confirmations(&eth("4"), 2), 6);
        assert_eq!(c.confirmations(&eth("0.1"), 0), 1);
    }

    #[test]
    fn l2_confirmations_grow_with_the_order_and_reach_finality_past_the_exposure_cap() {
        let c: EscrowConfig = toml::from_str(
            r#"
            l1 = "l1"
            payment-registry = "0x0000000000000000000000000000000000000001"
            max-order = "5"
            indexer-dir = "data/indexer"
            [l2.l2]
            escrow = "0x0000000000000000000000000000000000000002"
            confirmations = 1
            confirmation-tiers = [{ above = "0.5", confirmations = 4 }]
            finality-depth = 10
            max-unfinal-value = "2"
            "#,
        )
        .unwrap();
        let l2 = &c.l2["l2"];
        let eth = |s: &str| Amount::parse_units(s, 18).unwrap();
        let none = U256::ZERO;
        assert_eq!(l2.confirmations(&eth("0.1"), none), 1);
        assert_eq!(l2.confirmations(&eth("1"), none), 4);
        // 1.5 already paid against blocks that may still reorg: 1 more would pass the cap of 2
        assert_eq!(l2.confirmations(&eth("0.1"), eth("1.5").0), 1);
        assert_eq!(l2.confirmations(&eth("1"), eth("1.5").0), 11);
        assert_eq!(
            config("").l2["l2"].confirmations(&eth("100"), eth("100").0),
            1
        );
    }

    #[test]
    fn amounts_must_be_eth_decimals() {
        let bad = toml::from_str::<EscrowConfig>(
            r#"
            l1 = "l1"
            payment-registry = "0x0000000000000000000000000000000000000001"
            max-order = "lots"
            indexer-dir = "x"
            l2 = {}
            "#,
        );
        assert!(bad.unwrap_err().to_string().contains("amount in ETH"));
    }
}
