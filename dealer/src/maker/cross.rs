//! Implied cross rates: hedging BASE/QUOTE through a common asset VIA on two books, BASE/VIA and
//! QUOTE/VIA (e.g. ETH/BTC through ETHUSDT and BTCUSDT), each leg paying its own taker fee.
//!
//! Every direction is a composition of two direct conversions through VIA. Taker buys ETH for
//! BTC: we buy the ETH on ETHUSDT (asks) and sell the BTC we receive on BTCUSDT (bids) to pay
//! for it. Taker sells ETH for BTC: we sell the ETH on ETHUSDT (bids) and buy the BTC we owe on
//! BTCUSDT (asks).

use rust_decimal::Decimal;

use super::hedge_cost::{DirectHedgeCost, HedgeCost};
use super::walk::WalkError;

/// [`HedgeCost`] through a common asset.
#[derive(Clone, Copy, Debug)]
pub struct CrossHedgeCost<'a> {
    /// BASE/VIA.
    pub base_leg: DirectHedgeCost<'a>,
    /// QUOTE/VIA.
    pub quote_leg: DirectHedgeCost<'a>,
}

impl HedgeCost for CrossHedgeCost<'_> {
    /// VIA needed to buy `base`, then QUOTE to sell to raise that VIA.
    fn cost_to_buy(&self, base: Decimal) -> Result<Decimal, WalkError> {
        let via = self.base_leg.cost_to_buy(base)?;
        self.quote_leg.base_to_sell(via)
    }

    /// VIA raised by selling `quote`, then BASE that VIA buys.
    fn base_buyable(&self, quote: Decimal) -> Result<Decimal, WalkError> {
        let via = self.quote_leg.proceeds_of_sell(quote)?;
        self.base_leg.base_buyable(via)
    }

    /// VIA raised by selling `base`, then QUOTE that VIA buys.
    fn proceeds_of_sell(&self, base: Decimal) -> Result<Decimal, WalkError> {
        let via = self.base_leg.proceeds_of_sell(base)?;
        self.quote_leg.base_buyable(via)
    }

    /// VIA needed to buy `quote`, then BASE to sell to raise that VIA.
    fn base_to_sell(&self, quote: Decimal) -> Result<Decimal, WalkError> {
        let via = self.quote_leg.cost_to_buy(quote)?;
        self.base_leg.base_to_sell(via)
    }
}

/// `base_mid / quote_mid`: the implied mid of BASE/QUOTE.
pub fn implied_mid(base_leg_mid: Decimal, quote_leg_mid: Decimal) -> Decimal {
    base_leg_mid / quote_leg_mid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{assert_close, book, d};

    #[test]
    fn cross_rate_table() {
        let eth = book("ETHUSDT", &[("1999", "10")], &[("2000", "10")]);
        let btc = book("BTCUSDT", &[("40000", "10")], &[("40100", "10")]);
        let fee = d("0.001");
        let cross = CrossHedgeCost {
            base_leg: DirectHedgeCost {
                book: &eth,
                taker_fee: fee,
            },
            quote_leg: DirectHedgeCost {
                book: &btc,
                taker_fee: fee,
            },
        };
        // Buy 1 ETH: 2000 × 1.001 = 2002 USDT; raise it selling BTC at 40000 × 0.999 = 39960.
        assert_close(cross.cost_to_buy(d("1")).unwrap(), d("2002") / d("39960"));
        // Sell 1 ETH: 1999 × 0.999 = 1997.001 USDT buys BTC at 40100 × 1.001 = 40140.1.
        assert_close(
            cross.proceeds_of_sell(d("1")).unwrap(),
            d("1997.001") / d("40140.1"),
        );
        // The inverses give the base back (to Decimal precision).
        let q = cross.cost_to_buy(d("1")).unwrap();
        assert_close(cross.base_buyable(q).unwrap(), d("1"));
        let q = cross.proceeds_of_sell(d("1")).unwrap();
        assert_close(cross.base_to_sell(q).unwrap(), d("1"));
        assert_eq!(
            implied_mid(d("1999.5"), d("40050")),
            d("1999.5") / d("40050")
        );
    }

    #[test]
    fn cross_buy_walks_both_books() {
        let eth = book(
            "ETHUSDT",
            &[("1999", "10")],
            &[("2000", "1"), ("2010", "1")],
        );
        let btc = book(
            "BTCUSDT",
            &[("40000", "0.05"), ("39000", "1")],
            &[("40100", "10")],
        );
        let free = d("0");
        let cross = CrossHedgeCost {
            base_leg: DirectHedgeCost {
                book: &eth,
                taker_fee: free,
            },
            quote_leg: DirectHedgeCost {
                book: &btc,
                taker_fee: free,
            },
        };
        // 1.5 ETH costs 2000 + 1005 = 3005 USDT; 0.05 BTC raises 2000, the remaining 1005 at
        // 39000 needs 1005/39000 BTC.
        let want = d("0.05") + d("1005") / d("39000");
        assert_close(cross.cost_to_buy(d("1.5")).unwrap(), want);
    }
}
