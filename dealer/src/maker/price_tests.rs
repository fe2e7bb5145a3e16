//! Table tests for [`Maker::quote`]: hand-computed prices, rounding, records and every refusal.

use std::time::Duration;

use rust_decimal::Decimal;

use super::book::BookSnapshot;
use super::error::MakerError;
use super::market::{HedgeLeg, Market, Route, Size, TakerSide};
use super::price::{Maker, MarketData, PricedQuote, QuoteContext, QuoteRequest};
use super::risk::{Exposure, ExposureBook, Inventory, RiskLimits, adverse_move_bps};
use super::testkit::{book, d, eth_btc, eth_usdc};

const NOW: u64 = 1_500;

fn eth_book() -> BookSnapshot {
    book(
        "ETHUSDC",
        &[("1999", "1"), ("1998", "2")],
        &[("2001", "1"), ("2002", "2")],
    )
}

/// Everything a quote needs, with generous balances and no outstanding quotes.
struct Fixture {
    maker: Maker,
    data: MarketData,
    inventory: Inventory,
    exposure: ExposureBook,
    now_ms: u64,
}

impl Fixture {
    fn new(markets: Vec<Market>, books: Vec<BookSnapshot>, volatility: &str) -> Self {
        let mut data = MarketData::default();
        for b in books {
            data.insert(b, d(volatility));
        }
        let hot_wallet = ["ETH", "USDC", "BTC"]
            .map(|a| (a.to_owned(), d("1000000")))
            .into();
        Self {
            maker: Maker::new(markets, RiskLimits::default()).unwrap(),
            data,
            inventory: Inventory {
                hot_wallet,
                ..Default::default()
            },
            exposure: ExposureBook::new(),
            now_ms: NOW,
        }
    }

    fn quote(&self, market: &str, side: TakerSide, size: Size) -> Result<PricedQuote, i32> {
        self.try_quote(market, side, size).map_err(|e| e.code())
    }

    fn try_quote(
        &self,
        market: &str,
        side: TakerSide,
        size: Size,
    ) -> Result<PricedQuote, MakerError> {
        let ctx = QuoteContext {
            now_ms: self.now_ms,
            market_data: &self.data,
            inventory: &self.inventory,
            exposure: &self.exposure,
        };
        let request = QuoteRequest {
            market: market.into(),
            side,
            size,
        };
        self.maker.quote(&request, &ctx)
    }
}

/// Fee 10 bps, premium 10 bps, widening 1 × 0.0001/s × sqrt(4 s) = 2 bps, no skew.
fn full_market() -> Market {
    Market {
        route: Route::Direct(HedgeLeg::new("ETHUSDC", d("0.001"))),
        premium_bps: d("10"),
        volatility_multiplier: d("1"),
        quote_ttl: Duration::from_secs(4),
        ..eth_usdc()
    }
}

#[test]
fn the_mid_now_measures_how_far_a_quote_s_market_moved() {
    let mut f = Fixture::new(vec![full_market()], vec![eth_book()], "0.0001");
    let q = f
        .quote("ETH/USDC", TakerSide::Buy, Size::Base(d("1")))
        .unwrap();
    let mid = |f: &Fixture, market: &str| f.maker.mid(market, &f.data, f.now_ms);
    assert_eq!(mid(&f, "ETH/USDC").unwrap(), q.inputs.mid);
    // The book rises 0.2 %: against a taker's buy (we buy back dearer), for a taker's sell.
    let risen = book("ETHUSDC", &[("2003", "1")], &[("2005", "1")]);
    f.data.insert(risen, d("0.0001"));
    let mid_now = mid(&f, "ETH/USDC").unwrap();
    assert_eq!(
        adverse_move_bps(TakerSide::Buy, q.inputs.mid, mid_now),
        d("20")
    );
    assert_eq!(
        adverse_move_bps(TakerSide::Sell, q.inputs.mid, mid_now),
        d("-20")
    );
    // No fresh book, no mid: a soft cancel cannot be checked.
    f.now_ms += 60_000;
    assert_eq!(mid(&f, "ETH/USDC").unwrap_err().code(), -42013);
    assert_eq!(mid(&f, "BTC/USDC").unwrap_err().code(), -42009);
}

#[test]
fn walk_fee_premium_widening_and_rounding() {
    let f = Fixture::new(vec![full_market()], vec![eth_book()], "0.0001");
    // Buy 1.5: asks 2001 + 1001 = 3002, × 1.001 fee = 3005.002, × 1.0012 = 3008.6080024,
    // rounded up to 6 decimals.
    let q = f
        .quote("ETH/USDC", TakerSide::Buy, Size::Base(d("1.5")))
        .unwrap();
    assert_eq!(
        (q.base_amount, q.quote_amount),
        (d("1.5"), d("3008.608003"))
    );
    assert_eq!(q.expires_at_ms, NOW + 4_000);
    assert_eq!(q.inputs.mid, d("2000"));
    assert_eq!(q.inputs.premium_bps, d("10"));
    assert_eq!(q.inputs.widening_bps.round_dp(20).normalize(), d("2"));
    assert_eq!(q.inputs.skew_bps, d("0"));
    assert_eq!(q.inputs.fee_rates, vec![d("0.001")]);
    assert_eq!(q.inputs.hedge_price, d("3005.002") / d("1.5"));
    assert_eq!(q.inputs.books[0].symbol, "ETHUSDC");
    assert_eq!(q.maker_leg(), ("ETH", d("1.5")));
    assert_eq!(q.taker_leg(), ("USDC", d("3008.608003")));

    // Sell 1.5: bids 1999 + 999 = 2998, × 0.999 = 2995.002, × 0.9988 = 2991.4079976, rounded
    // down.
    let q = f
        .quote("ETH/USDC", TakerSide::Sell, Size::Base(d("1.5")))
        .unwrap();
    assert_eq!(
        (q.base_amount, q.quote_amount),
        (d("1.5"), d("2991.407997"))
    );
    assert_eq!(q.maker_leg(), ("USDC", d("2991.407997")));
}

#[test]
fn size_from_the_quote_side() {
    let m = Market {
        premium_bps: d("25"),
        ..eth_usdc()
    };
    let f = Fixture::new(vec![m], vec![eth_book()], "0");
    // (side, quote size, base) with factor 1.0025 (buy) / 0.9975 (sell):
    // 2001 × 1.0025 = 2006.0025; + 1001 × 1.0025 = 3009.505; 1999 × 0.9975 = 1994.0025;
    // + 999 × 0.9975 = 2990.505.
    let cases = [
        (TakerSide::Buy, "2006.0025", "1"),
        (TakerSide::Buy, "3009.505", "1.5"),
        (TakerSide::Sell, "1994.0025", "1"),
        (TakerSide::Sell, "2990.505", "1.5"),
    ];
    for (side, quote, base) in cases {
        let q = f.quote("ETH/USDC", side, Size::Quote(d(quote))).unwrap();
        assert_eq!(
            (q.base_amount, q.quote_amount),
            (d(base), d(quote)),
            "{side:?} {quote}"
        );
    }
    // 100 USDC buys 100 / 1.0025 / 2001 ETH, rounded down to 18 decimals.
    let q = f
        .quote("ETH/USDC", TakerSide::Buy, Size::Quote(d("100")))
        .unwrap();
    assert_eq!(q.base_amount, d("0.049850386527434537"));
    // A requested size with too many decimals is rounded in our favour first.
    let q = f
        .quote("ETH/USDC", TakerSide::Buy, Size::Quote(d("2006.0024991")))
        .unwrap();
    assert_eq!(q.quote_amount, d("2006.0025"));
}

#[test]
fn inventory_skew_table() {
    // Premium 10 bps, skew 20 bps at a 10 ETH position, no fee or widening.
    let m = Market {
        premium_bps: d("10"),
        skew_factor_bps: d("20"),
        inventory_limit: d("10"),
        ..eth_usdc()
    };
    // (position, buy quote for 1, buy skew bps, sell quote for 1, sell skew bps)
    let cases = [
        ("0", "2003.001", "0", "1997.001", "0"),
        // Long: the ask narrows by the 10 bps lean, the bid widens by it.
        ("5", "2001", "-10", "1995.002", "10"),
        // Short: the mirror image.
        ("-5", "2005.002", "10", "1999", "-10"),
        // Saturated long (20 bps lean): ask narrowing capped at the 10 bps premium.
        ("50", "2001", "-10", "1993.003", "20"),
    ];
    for (position, buy, buy_skew, sell, sell_skew) in cases {
        let mut f = Fixture::new(vec![m.clone()], vec![eth_book()], "0");
        f.inventory.position.insert("ETH".into(), d(position));
        let b = f
            .quote("ETH/USDC", TakerSide::Buy, Size::Base(d("1")))
            .unwrap();
        let s = f
            .quote("ETH/USDC", TakerSide::Sell, Size::Base(d("1")))
            .unwrap();
        assert_eq!(
            (b.quote_amount, b.inputs.skew_bps),
            (d(buy), d(buy_skew)),
            "{position}"
        );
        assert_eq!(
            (s.quote_amount, s.inputs.skew_bps),
            (d(sell), d(sell_skew)),
            "{position}"
        );
        assert_eq!(b.inputs.position, d(position));
    }
}

#[test]
fn implied_cross_table() {
    let fee = d("0.001");
    let m = Market {
        premium_bps: d("10"),
        route: Route::Via {
            via: "USDT".into(),
            base_leg: HedgeLeg::new("ETHUSDT", fee),
            quote_leg: HedgeLeg::new("BTCUSDT", fee),
        },
        ..eth_btc()
    };
    let books = vec![
        book("ETHUSDT", &[("1999", "10")], &[("2000", "10")]),
        book("BTCUSDT", &[("40000", "10")], &[("40100", "10")]),
    ];
    let f = Fixture::new(vec![m], books, "0");
    // Buy 1 ETH: 2000 × 1.001 = 2002 USDT, raised selling BTC at 40000 × 0.999 = 39960, so
    // 2002 / 39960 BTC, × 1.001 premium = 0.0501502002…, rounded up to 8 decimals.
    let q = f
        .quote("ETH/BTC", TakerSide::Buy, Size::Base(d("1")))
        .unwrap();
    assert_eq!(q.quote_amount, d("0.05015021"));
    assert_eq!(q.inputs.mid, d("1999.5") / d("40050"));
    assert_eq!(q.inputs.books.len(), 2);
    assert_eq!(q.inputs.fee_rates, vec![fee, fee]);
    // Sell 1 ETH: 1999 × 0.999 = 1997.001 USDT buys BTC at 40100 × 1.001 = 40140.1, × 0.999
    // premium = 0.0497010221…, rounded down.
    let q = f
        .quote("ETH/BTC", TakerSide::Sell, Size::Base(d("1")))
        .unwrap();
    assert_eq!(q.quote_amount, d("0.04970102"));
    assert_eq!(q.maker_leg(), ("BTC", d("0.04970102")));
}

#[test]
fn refusals_table() {
    let base = || Fixture::new(vec![full_market()], vec![eth_book()], "0.0001");
    type Tweak = fn(&mut Fixture);
    /// (name, market, side, size, setup, (code, variant))
    type Case = (
        &'static str,
        &'static str,
        TakerSide,
        Size,
        Tweak,
        (i32, &'static str),
    );
    let cases: Vec<Case> = vec![
        (
            "unknown market",
            "BTC/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |_| {},
            (-42009, "UnknownMarket"),
        ),
        (
            "below min",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("0.009")),
            |_| {},
            (-42012, "TooSmall"),
        ),
        (
            "zero quote",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Quote(d("0")),
            |_| {},
            (-42012, "TooSmall"),
        ),
        (
            "dust quote",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Quote(d("0.000001")),
            |_| {},
            (-42012, "TooSmall"),
        ),
        (
            "above max",
            "ETH/USDC",
            TakerSide::Sell,
            Size::Base(d("10.1")),
            |_| {},
            (-42011, "TooLarge"),
        ),
        (
            "quote above max",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Quote(d("1000000")),
            |_| {},
            (-42011, "TooLarge"),
        ),
        (
            "too thin",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("5")),
            |_| {},
            (-42013, "TooThin"),
        ),
        (
            "stale book",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |f| f.now_ms = 2_001,
            (-42013, "BookUnusable"),
        ),
        (
            "missing book",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |f| f.data.books.clear(),
            (-42013, "BookUnusable"),
        ),
        (
            "hostile quote size",
            "ETH/USDC",
            TakerSide::Sell,
            Size::Quote(Decimal::MAX),
            |_| {},
            (-42011, "TooLarge"),
        ),
        (
            "negative volatility",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |f| {
                f.data.volatility.insert("ETHUSDC".into(), d("-0.01"));
            },
            (-42013, "NoVolatility"),
        ),
        (
            "no volatility",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |f| f.data.volatility.clear(),
            (-42013, "NoVolatility"),
        ),
        (
            "crossed book",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1")),
            |f| {
                f.data
                    .insert(book("ETHUSDC", &[("2002", "1")], &[("2001", "1")]), d("0"))
            },
            (-42013, "BookUnusable"),
        ),
        (
            "short of ETH",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1.5")),
            |f| {
                f.inventory.hot_wallet.insert("ETH".into(), d("1"));
            },
            (-42011, "InsufficientBalance"),
        ),
        (
            "ETH owed to outstanding quotes",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1.5")),
            |f| {
                f.inventory.hot_wallet.insert("ETH".into(), d("2"));
                let e = Exposure {
                    asset: "ETH".into(),
                    amount: d("1"),
                    expires_at_ms: NOW + 1,
                };
                f.exposure.add("q1", e);
            },
            (-42011, "InsufficientBalance"),
        ),
        (
            "exposure cap",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1.5")),
            |f| {
                let limits = RiskLimits {
                    exposure_caps: [("ETH".into(), d("2"))].into(),
                };
                f.maker = Maker::new(vec![full_market()], limits).unwrap();
                let e = Exposure {
                    asset: "ETH".into(),
                    amount: d("1"),
                    expires_at_ms: NOW + 1,
                };
                f.exposure.add("q1", e);
            },
            (-42013, "ExposureLimit"),
        ),
        (
            "exchange short of what the hedge pays",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1.5")),
            |f| {
                let exchange = [("USDC".to_owned(), d("1000")), ("ETH".to_owned(), d("100"))];
                f.inventory.exchange = Some(exchange.into());
            },
            (-42013, "HedgeUnfunded"),
        ),
        (
            "deviation from mid",
            "ETH/USDC",
            TakerSide::Buy,
            Size::Base(d("1.5")),
            |f| {
                let m = Market {
                    max_deviation_bps: d("20"),
                    ..full_market()
                };
                f.maker = Maker::new(vec![m], RiskLimits::default()).unwrap();
            },
            (-42013, "PriceDeviation"),
        ),
    ];
    for (name, market, side, size, tweak, (code, variant)) in cases {
        let mut f = base();
        tweak(&mut f);
        let err = f.try_quote(market, side, size).expect_err(name);
        let debug = format!("{err:?}");
        assert_eq!(
            (err.code(), debug.split([' ', '{']).next()),
            (code, Some(variant)),
            "{name}"
        );
    }
}

#[test]
fn expired_exposure_frees_the_cap() {
    let limits = RiskLimits {
        exposure_caps: [("ETH".into(), d("2"))].into(),
    };
    let mut f = Fixture::new(vec![full_market()], vec![eth_book()], "0");
    f.maker = Maker::new(vec![full_market()], limits).unwrap();
    f.exposure.add(
        "q1",
        Exposure {
            asset: "ETH".into(),
            amount: d("1"),
            expires_at_ms: NOW,
        },
    );
    assert!(
        f.quote("ETH/USDC", TakerSide::Buy, Size::Base(d("1.5")))
            .is_ok()
    );
}

#[test]
fn maker_rejects_duplicate_and_invalid_markets() {
    assert!(Maker::new(vec![eth_usdc(), eth_usdc()], RiskLimits::default()).is_err());
    let bad = Market {
        max_base: Decimal::ZERO,
        ..eth_usdc()
    };
    assert!(Maker::new(vec![bad], RiskLimits::default()).is_err());
}
