//! The adjustments on top of the fee-adjusted hedge cost: premium, volatility widening and
//! inventory skew, combined into one markup per taker side.
//!
//! The all-in price is `hedge × (1 + markup)` when the taker buys base and
//! `hedge × (1 - markup)` when the taker sells, where `hedge` already includes the exchange fee
//! (see [`super::hedge_cost`]). Every markup is `>= widening >= 0`, so a quote is never better
//! for the taker than the fee-adjusted hedge cost.
//!
//! **Skew.** `lean = skew_factor × clamp(position / inventory_limit, -1, 1)`, positive when we
//! are long base. Being long, we lower both prices: the ask (taker buys) narrows by the lean and
//! the bid (taker sells) widens by it; short is the mirror image. Widening is unbounded (it only
//! helps us); narrowing is capped at the premium, so the skew may give away our margin to
//! rebalance inventory but never the volatility protection or the exchange fee:
//!
//! ```text
//! buy  markup = premium + widening - min(lean,  premium)     (lean < 0 widens)
//! sell markup = premium + widening + max(lean, -premium)     (lean > 0 widens)
//! ```

use std::time::Duration;

use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};

use super::market::{Market, TakerSide};

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Basis points to a fraction.
pub fn bps(value: Decimal) -> Decimal {
    value / BPS
}

/// A fraction to basis points.
pub fn to_bps(fraction: Decimal) -> Decimal {
    fraction * BPS
}

/// `multiplier × volatility × sqrt(ttl seconds)`, a fraction.
///
/// `volatility` is the standard deviation of the mid's log returns **per second**, as a plain
/// fraction (`0.0005` = 5 bps per second), as served by the market watcher; over the quote's life
/// it scales with the square root of time.
pub fn widening(multiplier: Decimal, volatility: Decimal, ttl: Duration) -> Decimal {
    let seconds =
        Decimal::from(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX)) / Decimal::ONE_THOUSAND;
    // sqrt of a non-negative Decimal always exists.
    multiplier * volatility * seconds.sqrt().unwrap_or_default()
}

/// The signed inventory lean as a fraction: positive when long base.
pub fn lean(skew_factor_bps: Decimal, position: Decimal, inventory_limit: Decimal) -> Decimal {
    // An overflowing ratio is far beyond the limit either way.
    let ratio = position
        .checked_div(inventory_limit)
        .unwrap_or(if position.is_sign_negative() {
            -Decimal::ONE
        } else {
            Decimal::ONE
        })
        .clamp(-Decimal::ONE, Decimal::ONE);
    bps(skew_factor_bps) * ratio
}

/// The markups for one market at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spread {
    /// Premium, a fraction.
    pub premium: Decimal,
    /// Volatility widening, a fraction.
    pub widening: Decimal,
    /// Raw inventory lean, a fraction, positive when long base.
    pub lean: Decimal,
}

impl Spread {
    pub fn new(market: &Market, volatility: Decimal, position: Decimal) -> Self {
        Self {
            premium: bps(market.premium_bps),
            widening: widening(market.volatility_multiplier, volatility, market.quote_ttl),
            lean: lean(market.skew_factor_bps, position, market.inventory_limit),
        }
    }

    /// The skew actually applied to `side`, as a signed markup: negative narrows the quote,
    /// positive widens it. Narrowing is capped at the premium.
    pub fn skew(&self, side: TakerSide) -> Decimal {
        match side {
            TakerSide::Buy => -self.lean.min(self.premium),
            TakerSide::Sell => self.lean.max(-self.premium),
        }
    }

    /// The total markup for `side`, `>= widening >= 0`.
    pub fn markup(&self, side: TakerSide) -> Decimal {
        self.premium + self.widening + self.skew(side)
    }

    /// The factor applied to the fee-adjusted hedge cost: `1 + markup` or `1 - markup`.
    pub fn factor(&self, side: TakerSide) -> Decimal {
        match side {
            TakerSide::Buy => Decimal::ONE + self.markup(side),
            TakerSide::Sell => Decimal::ONE - self.markup(side),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{d, eth_usdc};

    #[test]
    fn widening_table() {
        // (multiplier, vol per second, ttl ms, widening)
        let cases = [
            ("1", "0.0001", 4_000, "0.0002"),
            ("2", "0.0001", 9_000, "0.0006"),
            ("1.5", "0.0002", 1_000, "0.0003"),
            ("0", "0.01", 9_000, "0"),
            ("1", "0", 9_000, "0"),
        ];
        for (m, vol, ttl, want) in cases {
            let got = widening(d(m), d(vol), Duration::from_millis(ttl));
            assert_eq!(got.normalize(), d(want).normalize(), "{m} {vol} {ttl}");
        }
    }

    #[test]
    fn lean_table() {
        // (factor bps, position, limit, lean)
        let cases = [
            ("10", "0", "5", "0"),
            ("10", "2.5", "5", "0.0005"),
            ("10", "-5", "5", "-0.001"),
            ("10", "50", "5", "0.001"),
            ("10", "-50", "5", "-0.001"),
            ("10", "79228162514264337593543950335", "0.0000001", "0.001"),
        ];
        for (f, pos, lim, want) in cases {
            assert_eq!(lean(d(f), d(pos), d(lim)), d(want), "{f} {pos} {lim}");
        }
    }

    #[test]
    fn premium_and_skew_table() {
        // premium 5 bps, no widening; (lean bps, buy markup bps, sell markup bps)
        let cases = [
            ("0", "5", "5"),
            // Long 3 bps: ask narrows to 2, bid widens to 8.
            ("3", "2", "8"),
            // Long 8 bps: ask narrowing capped at the premium, bid widens fully.
            ("8", "0", "13"),
            // Short 3 bps: ask widens, bid narrows.
            ("-3", "8", "2"),
            ("-8", "13", "0"),
        ];
        for (lean_bps, buy, sell) in cases {
            let s = Spread {
                premium: bps(d("5")),
                widening: d("0"),
                lean: bps(d(lean_bps)),
            };
            assert_eq!(to_bps(s.markup(TakerSide::Buy)), d(buy), "{lean_bps}");
            assert_eq!(to_bps(s.markup(TakerSide::Sell)), d(sell), "{lean_bps}");
        }
    }

    #[test]
    fn widening_survives_a_full_skew() {
        let s = Spread {
            premium: bps(d("5")),
            widening: bps(d("4")),
            lean: bps(d("100")),
        };
        assert_eq!(to_bps(s.markup(TakerSide::Buy)), d("4"));
        assert_eq!(s.factor(TakerSide::Buy), d("1.0004"));
        assert_eq!(s.factor(TakerSide::Sell), d("1") - bps(d("109")));
    }

    #[test]
    fn spread_from_market_config() {
        let mut m = eth_usdc();
        m.premium_bps = d("5");
        m.volatility_multiplier = d("2");
        m.quote_ttl = Duration::from_secs(4);
        m.skew_factor_bps = d("10");
        m.inventory_limit = d("10");
        let s = Spread::new(&m, d("0.0001"), d("5"));
        assert_eq!(s.premium, d("0.0005"));
        assert_eq!(s.widening.normalize(), d("0.0004"));
        assert_eq!(s.lean, d("0.0005"));
        assert_eq!(to_bps(s.markup(TakerSide::Buy)).normalize(), d("4"));
        assert_eq!(to_bps(s.markup(TakerSide::Sell)).normalize(), d("14"));
    }
}
