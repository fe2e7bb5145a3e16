//! Fixtures shared by the maker's tests.

use std::time::Duration;

use rust_decimal::Decimal;

use super::book::{BookSnapshot, Level};
use super::market::{Asset, HedgeLeg, Market, Route};

/// Parses a decimal literal; panics on a typo in a test.
pub(crate) fn d(text: &str) -> Decimal {
    text.parse()
        .unwrap_or_else(|e| panic!("bad decimal {text:?}: {e}"))
}

/// Equal within Decimal's last digits (relative 1e-20).
pub(crate) fn assert_close(got: Decimal, want: Decimal) {
    let tolerance = want.abs() * d("1e-20") + d("1e-26");
    assert!(
        (got - want).abs() <= tolerance,
        "{got} is not close to {want}"
    );
}

/// A snapshot stamped at 1,000 ms from `(price, qty)` string pairs.
pub(crate) fn book(symbol: &str, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> BookSnapshot {
    let levels = |side: &[(&str, &str)]| side.iter().map(|(p, q)| Level::new(d(p), d(q))).collect();
    BookSnapshot {
        symbol: symbol.to_owned(),
        snapshot_id: 7,
        update_id: 1_000,
        updated_at_ms: 1_000,
        bids: levels(bids),
        asks: levels(asks),
    }
}

/// ETH/USDC hedged on ETHUSDC: no fee, premium, widening or skew, so tests add only what they
/// exercise. Sizes 0.01..=10 ETH, 1,000 bps max deviation, 10 s TTL, 1 s max book age.
pub(crate) fn eth_usdc() -> Market {
    Market {
        id: "ETH/USDC".into(),
        base: Asset::new("ETH", 18),
        quote: Asset::new("USDC", 6),
        route: Route::Direct(HedgeLeg::new("ETHUSDC", Decimal::ZERO)),
        premium_bps: Decimal::ZERO,
        volatility_multiplier: Decimal::ZERO,
        skew_factor_bps: Decimal::ZERO,
        inventory_limit: d("100"),
        min_base: d("0.01"),
        max_base: d("10"),
        max_deviation_bps: d("1000"),
        quote_ttl: Duration::from_secs(10),
        max_book_age: Duration::from_secs(1),
    }
}

/// ETH/BTC through USDT on ETHUSDT and BTCUSDT, no fees or markups.
pub(crate) fn eth_btc() -> Market {
    Market {
        id: "ETH/BTC".into(),
        base: Asset::new("ETH", 18),
        quote: Asset::new("BTC", 8),
        route: Route::Via {
            via: "USDT".into(),
            base_leg: HedgeLeg::new("ETHUSDT", Decimal::ZERO),
            quote_leg: HedgeLeg::new("BTCUSDT", Decimal::ZERO),
        },
        ..eth_usdc()
    }
}
