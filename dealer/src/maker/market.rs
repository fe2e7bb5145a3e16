//! A market's typed configuration: what we quote, how we hedge it, and our pricing and size
//! parameters.
//!
//! Every amount here is in human units of its asset (`0.01` ETH), never in on-chain base units
//! (wei); conversion to the JSON-RPC's integer strings happens at the front door.

use std::time::Duration;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Largest number of decimals an asset may have: keeps every amount well inside Decimal's 28
/// significant digits.
pub const MAX_DECIMALS: u32 = 18;

/// An asset as quoted: its symbol and its on-chain decimals, which amounts are rounded to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub symbol: String,
    pub decimals: u32,
}

impl Asset {
    pub fn new(symbol: &str, decimals: u32) -> Self {
        Self {
            symbol: symbol.to_owned(),
            decimals,
        }
    }

    /// Rounds an amount the taker receives: down, so we never give away a fraction of a unit.
    pub fn round_received(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.decimals, RoundingStrategy::ToNegativeInfinity)
    }

    /// Rounds an amount the taker pays: up, so we are never short a fraction of a unit.
    pub fn round_paid(&self, amount: Decimal) -> Decimal {
        amount.round_dp_with_strategy(self.decimals, RoundingStrategy::ToPositiveInfinity)
    }
}

/// One exchange symbol we hedge on, with the exchange's taker fee for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HedgeLeg {
    /// Exchange symbol, e.g. `ETHUSDT`.
    pub symbol: String,
    /// Taker fee as a fraction of traded notional (`0.001` = 10 bps). Modelled as paid in the
    /// symbol's quote asset on top of a buy and out of a sell's proceeds, as Binance charges it
    /// when fees are paid in BNB (the fee's value is notional × rate either way).
    pub taker_fee: Decimal,
}

impl HedgeLeg {
    pub fn new(symbol: &str, taker_fee: Decimal) -> Self {
        Self {
            symbol: symbol.to_owned(),
            taker_fee,
        }
    }
}

/// How a market is hedged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Route {
    /// On one symbol whose base and quote are the market's base and quote.
    Direct(HedgeLeg),
    /// Through a common asset `via` (implied cross): `base_leg` is BASE/VIA and `quote_leg` is
    /// QUOTE/VIA, e.g. ETH/BTC via USDT hedges on ETHUSDT and BTCUSDT. Both legs must be quoted
    /// in `via`; inverted legs (VIA/QUOTE) are not supported.
    Via {
        via: String,
        base_leg: HedgeLeg,
        quote_leg: HedgeLeg,
    },
}

impl Route {
    /// The leg the base asset trades on.
    pub fn base_leg(&self) -> &HedgeLeg {
        match self {
            Route::Direct(leg) | Route::Via { base_leg: leg, .. } => leg,
        }
    }

    pub fn legs(&self) -> Vec<&HedgeLeg> {
        match self {
            Route::Direct(leg) => vec![leg],
            Route::Via {
                base_leg,
                quote_leg,
                ..
            } => vec![base_leg, quote_leg],
        }
    }
}

/// Which way the taker trades the market's base asset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TakerSide {
    /// The taker buys base from us and pays quote; we hedge by buying base (walk the asks).
    Buy,
    /// The taker sells base to us and receives quote; we hedge by selling base (walk the bids).
    Sell,
}

/// The request's exact size, on either side of the market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Size {
    /// An exact amount of the base asset (human units); the maker fills in the quote amount.
    Base(Decimal),
    /// An exact amount of the quote asset (human units); the maker fills in the base amount.
    Quote(Decimal),
}

/// A market's configuration. Rates named `*_bps` are basis points (1 bp = 0.0001).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Market {
    /// Market id, e.g. `ETH/USDC`.
    pub id: String,
    pub base: Asset,
    pub quote: Asset,
    pub route: Route,
    /// Our margin over the fee-adjusted hedge cost, on both sides.
    pub premium_bps: Decimal,
    /// Widening = `volatility_multiplier × volatility × sqrt(quote_ttl in seconds)`, a fraction.
    pub volatility_multiplier: Decimal,
    /// The inventory lean reached at `|position| >= inventory_limit`; linear below it.
    pub skew_factor_bps: Decimal,
    /// Base position (human units, long positive) at which the skew saturates. Must be > 0.
    pub inventory_limit: Decimal,
    /// Smallest base amount we quote (human units of base).
    pub min_base: Decimal,
    /// Largest base amount we quote (human units of base).
    pub max_base: Decimal,
    /// Largest allowed distance of the all-in price from mid.
    pub max_deviation_bps: Decimal,
    /// How long a quote stays fillable.
    pub quote_ttl: Duration,
    /// Oldest book snapshot we price from.
    pub max_book_age: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("market {market}: {field} must be {rule}")]
    Invalid {
        market: String,
        field: &'static str,
        rule: &'static str,
    },
    #[error("market {0} is configured twice")]
    Duplicate(String),
}

impl Market {
    /// Exchange symbols whose books this market needs.
    pub fn symbols(&self) -> Vec<&str> {
        self.route
            .legs()
            .into_iter()
            .map(|l| l.symbol.as_str())
            .collect()
    }

    /// The taker's side for a swap of `taker_asset` into `maker_asset` (the JSON-RPC's terms),
    /// or `None` if the pair is not this market.
    pub fn side_for(&self, maker_asset: &str, taker_asset: &str) -> Option<TakerSide> {
        if maker_asset == self.base.symbol && taker_asset == self.quote.symbol {
            Some(TakerSide::Buy)
        } else if maker_asset == self.quote.symbol && taker_asset == self.base.symbol {
            Some(TakerSide::Sell)
        } else {
            None
        }
    }

    /// Rejects configurations under which the pricing guarantees would not hold.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, rule| {
            Err(ConfigError::Invalid {
                market: self.id.clone(),
                field,
                rule,
            })
        };
        let zero = Decimal::ZERO;
        let one = Decimal::ONE;
        let bps = Decimal::from(10_000);
        if self.base.decimals > MAX_DECIMALS || self.quote.decimals > MAX_DECIMALS {
            return invalid("decimals", "at most 18");
        }
        if self
            .route
            .legs()
            .iter()
            .any(|l| l.taker_fee < zero || l.taker_fee >= one)
        {
            return invalid("taker_fee", "in [0, 1)");
        }
        if self.premium_bps < zero
            || self.skew_factor_bps < zero
            || self.volatility_multiplier < zero
        {
            return invalid(
                "premium_bps, skew_factor_bps, volatility_multiplier",
                "non-negative",
            );
        }
        // The sell side multiplies by (1 - premium - skew - widening); keep the configured part
        // well below 1 so only an absurd volatility can zero it (and that is refused per quote).
        if self.premium_bps + self.skew_factor_bps >= bps / Decimal::TWO {
            return invalid("premium_bps + skew_factor_bps", "below 5000");
        }
        if self.inventory_limit <= zero {
            return invalid("inventory_limit", "positive");
        }
        if self.min_base <= zero || self.max_base < self.min_base {
            return invalid("min_base, max_base", "0 < min_base <= max_base");
        }
        if self.max_deviation_bps <= zero {
            return invalid("max_deviation_bps", "positive");
        }
        if self.quote_ttl.is_zero() {
            return invalid("quote_ttl", "positive");
        }
        if let Route::Via { via, .. } = &self.route
            && (via == &self.base.symbol || via == &self.quote.symbol)
        {
            return invalid("via", "different from the base and quote assets");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::testkit::{d, eth_usdc};

    #[test]
    fn rounding_table() {
        let usdc = Asset::new("USDC", 6);
        // (amount, received (down), paid (up))
        let cases = [
            ("1.2345674", "1.234567", "1.234568"),
            ("1.234567", "1.234567", "1.234567"),
            ("0.0000001", "0", "0.000001"),
            ("100", "100", "100"),
        ];
        for (amount, down, up) in cases {
            assert_eq!(usdc.round_received(d(amount)), d(down), "{amount}");
            assert_eq!(usdc.round_paid(d(amount)), d(up), "{amount}");
        }
    }

    #[test]
    fn side_for_maps_assets_to_the_taker_side() {
        let m = eth_usdc();
        assert_eq!(m.side_for("ETH", "USDC"), Some(TakerSide::Buy));
        assert_eq!(m.side_for("USDC", "ETH"), Some(TakerSide::Sell));
        assert_eq!(m.side_for("ETH", "DAI"), None);
    }

    #[test]
    fn validate_rejects_unsafe_configs() {
        assert_eq!(eth_usdc().validate(), Ok(()));
        let mut m = eth_usdc();
        m.min_base = d("0");
        assert!(m.validate().is_err());
        let mut m = eth_usdc();
        m.premium_bps = d("4000");
        m.skew_factor_bps = d("1000");
        assert!(m.validate().is_err());
        let mut m = eth_usdc();
        m.route = Route::Direct(HedgeLeg::new("ETHUSDC", d("1")));
        assert!(m.validate().is_err());
    }
}
