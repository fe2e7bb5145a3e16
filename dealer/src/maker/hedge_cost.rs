//! Hedge cost: what buying or selling base on the exchange costs or raises in the market's quote
//! asset, fees included. Strategies implement [`HedgeCost`]: [`DirectHedgeCost`] on one symbol, and
//! [`super::cross::CrossHedgeCost`] through a common asset.
//!
//! All four directions are needed because a request is sized on either side: for a base size we
//! ask what that base costs; for a quote size we ask how much base that quote buys (or how much
//! base must be sold to raise it).

use rust_decimal::Decimal;

use super::book::BookSnapshot;
use super::walk::{WalkError, walk_base, walk_quote};

/// Fee-inclusive hedge conversions between a market's base and quote asset, human units.
pub trait HedgeCost {
    /// Quote spent to end up with `base` bought on the exchange, taker fee included.
    fn cost_to_buy(&self, base: Decimal) -> Result<Decimal, WalkError>;
    /// Base bought on the exchange by spending `quote`, taker fee included.
    fn base_buyable(&self, quote: Decimal) -> Result<Decimal, WalkError>;
    /// Quote raised by selling `base` on the exchange, net of the taker fee.
    fn proceeds_of_sell(&self, base: Decimal) -> Result<Decimal, WalkError>;
    /// Base to sell on the exchange to raise `quote` net of the taker fee.
    fn base_to_sell(&self, quote: Decimal) -> Result<Decimal, WalkError>;
}

/// Hedging on one symbol: walk the asks to buy, the bids to sell; the fee scales the notional
/// by `(1 + fee)` on a buy and `(1 - fee)` on a sell.
#[derive(Clone, Copy, Debug)]
pub struct DirectHedgeCost<'a> {
    pub book: &'a BookSnapshot,
    pub taker_fee: Decimal,
}

impl HedgeCost for DirectHedgeCost<'_> {
    fn cost_to_buy(&self, base: Decimal) -> Result<Decimal, WalkError> {
        Ok(walk_base(&self.book.asks, base)?.quote * (Decimal::ONE + self.taker_fee))
    }

    fn base_buyable(&self, quote: Decimal) -> Result<Decimal, WalkError> {
        Ok(walk_quote(&self.book.asks, quote / (Decimal::ONE + self.taker_fee))?.base)
    }

    fn proceeds_of_sell(&self, base: Decimal) -> Result<Decimal, WalkError> {
        Ok(walk_base(&self.book.bids, base)?.quote * (Decimal::ONE - self.taker_fee))
    }

    fn base_to_sell(&self, quote: Decimal) -> Result<Decimal, WalkError> {
        Ok(walk_quote(&self.book.bids, quote / (Decimal::ONE - self.taker_fee))?.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{book, d};

    #[test]
    fn fee_table() {
        let b = book(
            "ETHUSDC",
            &[("99", "1"), ("98", "1")],
            &[("100", "1"), ("101", "1")],
        );
        let h = DirectHedgeCost {
            book: &b,
            taker_fee: d("0.001"),
        };
        // Buy 2: 201 notional × 1.001.
        assert_eq!(h.cost_to_buy(d("2")).unwrap(), d("201.201"));
        // 201.201 buys exactly 2 back.
        assert_eq!(h.base_buyable(d("201.201")).unwrap(), d("2"));
        // Sell 2: 197 × 0.999.
        assert_eq!(h.proceeds_of_sell(d("2")).unwrap(), d("196.803"));
        assert_eq!(h.base_to_sell(d("196.803")).unwrap(), d("2"));
        // 1.5 on the bids: 99 + 49 = 148 × 0.999.
        assert_eq!(h.proceeds_of_sell(d("1.5")).unwrap(), d("147.852"));
        let free = DirectHedgeCost {
            book: &b,
            taker_fee: d("0"),
        };
        assert_eq!(free.cost_to_buy(d("1.5")).unwrap(), d("150.5"));
    }
}
