//! The RFQ dealer's hedger: per market, one long-lived `hedge-<market>` workflow nets the
//! epoch's settled fills and hedges the net with one exchange order at the epoch's end.
//!
//! Signs: a *net* is the base quantity the hedge must **buy** (positive) or **sell**
//! (negative). A taker who bought base took it from our hot wallet, so it adds to what we buy
//! back; a taker who sold adds to what we sell.

use crate::{ids, rfq::side::Side};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A settled fill, handed by its fill workflow to its market's hedger (the `filled` signal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilledTrade {
    pub quote_id: String,
    /// The dealer's market (`WETH/USDC`).
    pub market: String,
    /// The exchange symbol the market hedges on (`ETHUSDT`).
    pub symbol: String,
    /// The taker's side of the base asset.
    pub side: Side,
    /// Human units at the all-in price the taker got.
    pub base_amount: Decimal,
    pub quote_amount: Decimal,
    pub price: Decimal,
}

impl FilledTrade {
    /// What this fill adds to the hedge's net (see the module's signs).
    pub fn net(&self) -> Decimal {
        self.side.signed(self.base_amount)
    }
}

/// How a market is hedged: the `[hedger]` configuration, fixed for a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HedgerSettings {
    pub market: String,
    pub symbol: String,
    /// Length of an epoch, ms. Epoch `n` covers `[n·epoch_ms, (n+1)·epoch_ms)` of Unix time.
    pub epoch_ms: u64,
    /// The hedge order's limit: at most this far beyond the touch (best ask for a buy, best bid
    /// for a sell), bps.
    pub max_slippage_bps: Decimal,
}

/// The hedger's input, and what one run hands the next when it continues as new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HedgerInput {
    pub settings: HedgerSettings,
    /// Fills received and not hedged yet.
    #[serde(default)]
    pub pending: Vec<FilledTrade>,
    /// What earlier hedges left unfilled (signed, see the module's signs): added to the next
    /// epoch's net, so inventory converges.
    #[serde(default)]
    pub carry: Decimal,
    /// Whether the carry is a remainder the exchange could still fill (an order left it), worth
    /// an epoch of its own; a carry below the symbol's minimum waits for the next fill instead.
    #[serde(default)]
    pub carry_placeable: bool,
    /// The last epoch hedged; the next one is later.
    #[serde(default)]
    pub last_epoch: Option<u64>,
    /// The quotes the last epoch hedged: a late, repeated hand-off of one is ignored.
    #[serde(default)]
    pub recently_hedged: Vec<String>,
}

impl HedgerInput {
    pub fn new(settings: HedgerSettings) -> Self {
        HedgerInput {
            settings,
            pending: Vec::new(),
            carry: Decimal::ZERO,
            carry_placeable: false,
            last_epoch: None,
            recently_hedged: Vec::new(),
        }
    }

    /// `hedge-<market>`.
    pub fn workflow_id(&self) -> String {
        ids::hedge_workflow(&self.settings.market)
    }
}

/// What the maker can lean against: the hedger's current unhedged net (the `unhedged` query).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unhedged {
    /// Carry plus every fill not hedged yet (see the module's signs).
    pub net: Decimal,
    /// Fills not hedged yet.
    pub fills: usize,
    /// The part of `net` left unfilled by earlier hedges.
    pub carry: Decimal,
}

/// One epoch's hedge order, placed by the exchange role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HedgeOrder {
    /// `hedge-<market>-<epoch>`: the order's `newClientOrderId`, so a retry finds it.
    pub client_order_id: String,
    pub symbol: String,
    pub side: Side,
    /// Base quantity before rounding to the symbol's step.
    pub quantity: Decimal,
    pub max_slippage_bps: Decimal,
}

impl HedgeOrder {
    /// The order hedging `net` (non-zero) in `epoch`.
    pub fn for_epoch(settings: &HedgerSettings, epoch: u64, net: Decimal) -> Self {
        HedgeOrder {
            client_order_id: ids::hedge_order(&settings.market, epoch),
            symbol: settings.symbol.clone(),
            side: if net.is_sign_negative() {
                Side::Sell
            } else {
                Side::Buy
            },
            quantity: net.abs(),
            max_slippage_bps: settings.max_slippage_bps,
        }
    }

    /// `executed` in the signs of a net.
    pub fn signed(&self, executed: Decimal) -> Decimal {
        self.side.signed(executed)
    }
}

/// [`HedgeExecution::status`] of an order that was not placed.
pub const NOT_PLACED: &str = "NOT_PLACED";

/// How a hedge order ended, as the exchange reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HedgeExecution {
    pub client_order_id: String,
    /// `None` when nothing was placed: the quantity rounds to less than the symbol's minimum.
    #[serde(default)]
    pub order_id: Option<u64>,
    pub symbol: String,
    pub side: Side,
    /// Binance's final status (`FILLED`, `EXPIRED`, …), or `NOT_PLACED`.
    pub status: String,
    /// The quantity ordered (rounded to the step) and its limit price; zero when not placed.
    pub quantity: Decimal,
    pub limit_price: Decimal,
    pub executed: Decimal,
    /// Average execution price; `None` when nothing executed.
    #[serde(default)]
    pub average_price: Option<Decimal>,
    /// The book's mid when the order was priced: the mark of fills that netted out.
    pub mark_price: Decimal,
    /// Commissions per asset, and their total in the symbol's quote asset.
    pub fees: BTreeMap<String, Decimal>,
    pub fees_in_quote: Decimal,
    /// Whether every trade's commission was seen (a crash can hide some; then a lower bound).
    pub fees_complete: bool,
    /// When the exchange role saw the final state (Unix ms).
    pub at_ms: u64,
}

impl HedgeExecution {
    /// The price every quote of the epoch is marked at: the execution's average, or the mid
    /// when nothing executed.
    pub fn mark(&self) -> Decimal {
        self.average_price.unwrap_or(self.mark_price)
    }
}

/// One quote's share of a hedge: its realized P&L in the market's quote asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteHedge {
    pub quote_id: String,
    pub pnl: Decimal,
}

/// An epoch's hedge as stored: the exchange's answer and every quote it covered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HedgeRecord {
    pub market: String,
    pub epoch: u64,
    /// The net before this hedge (carry included) and what is left for the next epoch.
    pub net: Decimal,
    pub carried_in: Decimal,
    pub carried_out: Decimal,
    pub execution: HedgeExecution,
    pub quotes: Vec<QuoteHedge>,
}

/// Each fill's realized P&L once hedged, in quote units: what the taker paid or received
/// against the mark, less a share of the hedge's fees in proportion to its base amount.
///
/// The fills of an epoch were netted into one order, so they share one mark (the hedge's
/// average price); the P&L of the whole epoch is then the quote asset we gained. Fills the
/// order did not need (they netted out) are marked at the same price.
pub fn realized_pnl(fills: &[FilledTrade], execution: &HedgeExecution) -> Vec<QuoteHedge> {
    let mark = execution.mark();
    let total_base: Decimal = fills.iter().map(|f| f.base_amount).sum();
    fills
        .iter()
        .map(|fill| {
            let edge = match fill.side {
                // we sold base at `price` and buy it back at the mark
                Side::Buy => fill.price - mark,
                Side::Sell => mark - fill.price,
            };
            let fee_share = if total_base.is_zero() {
                Decimal::ZERO
            } else {
                execution.fees_in_quote * fill.base_amount / total_base
            };
            QuoteHedge {
                quote_id: fill.quote_id.clone(),
                pnl: (edge * fill.base_amount - fee_share).round_dp(8),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(id: &str, side: Side, base: &str, price: &str) -> FilledTrade {
        let base: Decimal = base.parse().unwrap();
        let price: Decimal = price.parse().unwrap();
        FilledTrade {
            quote_id: id.into(),
            market: "WETH/USDC".into(),
            symbol: "ETHUSDT".into(),
            side,
            base_amount: base,
            quote_amount: base * price,
            price,
        }
    }

    fn execution(average: Option<&str>, fees_in_quote: &str) -> HedgeExecution {
        HedgeExecution {
            client_order_id: "hedge-WETH-USDC-1".into(),
            order_id: Some(1),
            symbol: "ETHUSDT".into(),
            side: Side::Buy,
            status: "FILLED".into(),
            quantity: Decimal::ONE,
            limit_price: Decimal::ONE,
            executed: Decimal::ONE,
            average_price: average.map(|a| a.parse().unwrap()),
            mark_price: "2990".parse().unwrap(),
            fees: BTreeMap::new(),
            fees_in_quote: fees_in_quote.parse().unwrap(),
            fees_complete: true,
            at_ms: 0,
        }
    }

    #[test]
    fn fills_net_by_side_and_the_order_takes_the_net_s_side() {
        let settings = HedgerSettings {
            market: "WETH/USDC".into(),
            symbol: "ETHUSDT".into(),
            epoch_ms: 10_000,
            max_slippage_bps: Decimal::TEN,
        };
        let net: Decimal = [
            fill("a", Side::Buy, "1.5", "3000"),
            fill("b", Side::Sell, "2", "2990"),
        ]
        .iter()
        .map(FilledTrade::net)
        .sum();
        assert_eq!(net, "-0.5".parse::<Decimal>().unwrap());
        let order = HedgeOrder::for_epoch(&settings, 7, net);
        assert_eq!(order.client_order_id, "hedge-WETH-USDC-7");
        assert_eq!(order.side, Side::Sell);
        assert_eq!(order.quantity, "0.5".parse::<Decimal>().unwrap());
        assert_eq!(order.signed(Decimal::ONE), -Decimal::ONE);
    }

    #[test]
    fn pnl_marks_every_fill_at_the_hedge_price_and_splits_fees_by_size() {
        let fills = [
            fill("a", Side::Buy, "1", "3010"),
            fill("b", Side::Sell, "3", "2980"),
        ];
        let pnl = realized_pnl(&fills, &execution(Some("3000"), "4"));
        // a: sold at 3010, marked 3000: +10, fee 1; b: bought at 2980, marked 3000: +60, fee 3
        assert_eq!(pnl[0].pnl, Decimal::from(9));
        assert_eq!(pnl[1].pnl, Decimal::from(57));
        // nothing executed: the mid marks them
        let pnl = realized_pnl(&fills, &execution(None, "0"));
        assert_eq!(pnl[0].pnl, Decimal::from(20));
    }
}
