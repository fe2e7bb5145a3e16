//! Property tests over generated books, markets and sizes.
//!
//! Prices are compared with a relative tolerance of 1e-20: Decimal divides at 28 significant
//! digits, so two mathematically equal prices (two sizes inside one level) may differ in their
//! last digit. Every such error is many orders of magnitude below the assets' smallest units.

use std::time::Duration;

use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

use super::book::{BookSnapshot, Level};
use super::error::MakerError;
use super::market::{Asset, HedgeLeg, Market, Route, Size, TakerSide};
use super::price::{Maker, MarketData, PricedQuote, QuoteContext, QuoteRequest};
use super::risk::{ExposureBook, Inventory, RiskLimits};
use super::walk::walk_base;

const NOW: u64 = 1_000;

fn tolerance(x: Decimal) -> Decimal {
    x.abs() * Decimal::new(1, 20)
}

/// One side best first from `start` (in 0.01 ticks), moving `dir` ticks per step.
fn side(start: i64, dir: i64) -> impl Strategy<Value = Vec<Level>> {
    prop::collection::vec((1i64..50, 1i64..10_000), 1..8).prop_map(move |steps| {
        let mut ticks = start;
        steps
            .into_iter()
            .map(|(step, qty)| {
                let level = Level::new(Decimal::new(ticks, 2), Decimal::new(qty, 3));
                ticks += dir * step;
                level
            })
            .collect()
    })
}

/// A sane, fresh book: best bid 5.00..100,000.00, spread 1..100 ticks.
fn arb_book(symbol: &'static str) -> impl Strategy<Value = BookSnapshot> {
    (500i64..10_000_000, 1i64..100)
        .prop_flat_map(|(bid, gap)| (side(bid, -1), side(bid + gap, 1)))
        .prop_map(move |(bids, asks)| BookSnapshot {
            symbol: symbol.to_owned(),
            snapshot_id: 1,
            update_id: 1,
            updated_at_ms: NOW,
            bids,
            asks,
        })
}

/// Pricing parameters: (fee, premium bps, volatility multiplier, volatility, skew bps,
/// position).
#[derive(Clone, Debug)]
struct Params {
    fee: Decimal,
    premium_bps: Decimal,
    multiplier: Decimal,
    volatility: Decimal,
    skew_bps: Decimal,
    position: Decimal,
}

fn arb_params() -> impl Strategy<Value = Params> {
    (
        0i64..=20,
        0i64..=50,
        0i64..=30,
        0i64..=1_000,
        0i64..=50,
        -200i64..=200,
    )
        .prop_map(|(fee, premium, mult, vol, skew, pos)| Params {
            fee: Decimal::new(fee, 4),
            premium_bps: Decimal::from(premium),
            multiplier: Decimal::new(mult, 1),
            volatility: Decimal::new(vol, 6),
            skew_bps: Decimal::from(skew),
            position: Decimal::new(pos, 1),
        })
}

fn market(
    id: &str,
    base: &str,
    quote: &str,
    quote_decimals: u32,
    route: Route,
    p: &Params,
) -> Market {
    Market {
        id: id.into(),
        base: Asset::new(base, 8),
        quote: Asset::new(quote, quote_decimals),
        route,
        premium_bps: p.premium_bps,
        volatility_multiplier: p.multiplier,
        skew_factor_bps: p.skew_bps,
        inventory_limit: Decimal::TEN,
        min_base: Decimal::new(1, 8),
        max_base: Decimal::from(1_000_000_000),
        max_deviation_bps: Decimal::from(5_000),
        quote_ttl: Duration::from_secs(10),
        max_book_age: Duration::from_secs(1),
    }
}

struct World {
    maker: Maker,
    data: MarketData,
    inventory: Inventory,
    exposure: ExposureBook,
}

impl World {
    fn new(markets: Vec<Market>, books: Vec<BookSnapshot>, p: &Params) -> Self {
        let mut data = MarketData::default();
        for b in books {
            data.insert(b, p.volatility);
        }
        let mut inventory = Inventory::default();
        for m in &markets {
            inventory
                .hot_wallet
                .insert(m.base.symbol.clone(), Decimal::from(1_000_000_000));
            inventory
                .hot_wallet
                .insert(m.quote.symbol.clone(), Decimal::from(1_000_000_000));
            inventory.position.insert(m.base.symbol.clone(), p.position);
        }
        Self {
            maker: Maker::new(markets, RiskLimits::default()).unwrap(),
            data,
            inventory,
            exposure: ExposureBook::new(),
        }
    }

    fn quote(&self, market: &str, side: TakerSide, size: Size) -> Result<PricedQuote, MakerError> {
        let ctx = QuoteContext {
            now_ms: NOW,
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

fn direct_world(book: &BookSnapshot, p: &Params) -> World {
    let route = Route::Direct(HedgeLeg::new("ETHUSD", p.fee));
    World::new(
        vec![market("ETH/USD", "ETH", "USD", 6, route, p)],
        vec![book.clone()],
        p,
    )
}

/// Sizes at `per_mille` of what both sides can fill: base depth, or quote notional.
fn sizes(book: &BookSnapshot, per_mille: i64) -> (Size, Size) {
    let depth = |levels: &[Level]| levels.iter().map(|l| l.qty).sum::<Decimal>();
    let notional = |levels: &[Level]| levels.iter().map(|l| l.qty * l.price).sum::<Decimal>();
    let k = Decimal::new(per_mille, 3);
    let round = |x: Decimal, dp| x.round_dp_with_strategy(dp, RoundingStrategy::ToZero);
    let base = round(depth(&book.asks).min(depth(&book.bids)) * k, 8);
    let quote = round(notional(&book.asks).min(notional(&book.bids)) * k, 6);
    (Size::Base(base), Size::Quote(quote))
}

const SIDES: [TakerSide; 2] = [TakerSide::Buy, TakerSide::Sell];

proptest! {
    /// A bigger size never gets a better all-in price, for both sides and both denominations,
    /// and the rounded amounts are never better for the taker than that price.
    #[test]
    fn bigger_size_never_gets_a_better_price(
        book in arb_book("ETHUSD"),
        p in arb_params(),
        small in 1i64..=900,
        extra in 0i64..=900,
    ) {
        let w = direct_world(&book, &p);
        let (small_base, small_quote) = sizes(&book, small);
        let (big_base, big_quote) = sizes(&book, (small + extra).min(900));
        for side in SIDES {
            for (a, b) in [(small_base, big_base), (small_quote, big_quote)] {
                let (qa, qb) = (w.quote("ETH/USD", side, a), w.quote("ETH/USD", side, b));
                // Dust sizes below one unit are refused; proptest fails if that happens too often.
                prop_assume!(qa.is_ok() && qb.is_ok());
                let (qa, qb) = (qa.unwrap(), qb.unwrap());
                match side {
                    TakerSide::Buy => prop_assert!(qb.price >= qa.price - tolerance(qa.price)),
                    TakerSide::Sell => prop_assert!(qb.price <= qa.price + tolerance(qa.price)),
                }
                for q in [&qa, &qb] {
                    let at_price = q.price * q.base_amount;
                    match side {
                        TakerSide::Buy => prop_assert!(q.quote_amount >= at_price - tolerance(at_price)),
                        TakerSide::Sell => prop_assert!(q.quote_amount <= at_price + tolerance(at_price)),
                    }
                }
            }
        }
    }

    /// For the same size the taker's buy price is strictly above its sell price, in the exact
    /// price and in the rounded amounts.
    #[test]
    fn buy_is_always_above_sell(book in arb_book("ETHUSD"), p in arb_params(), k in 1i64..=900) {
        let w = direct_world(&book, &p);
        let (base, quote) = sizes(&book, k);
        for size in [base, quote] {
            let (buy, sell) =
                (w.quote("ETH/USD", TakerSide::Buy, size), w.quote("ETH/USD", TakerSide::Sell, size));
            prop_assume!(buy.is_ok() && sell.is_ok());
            let (buy, sell) = (buy.unwrap(), sell.unwrap());
            prop_assert!(buy.price > sell.price, "{} <= {}", buy.price, sell.price);
            match size {
                Size::Base(_) => prop_assert!(buy.quote_amount > sell.quote_amount),
                Size::Quote(_) => prop_assert!(buy.base_amount < sell.base_amount),
            }
        }
    }

    /// Hedging the rounded amounts after the fill costs no more than the taker pays (buy) and
    /// raises no less than the taker receives (sell): fees and premium are ours.
    #[test]
    fn fees_and_premium_favour_the_dealer(
        book in arb_book("ETHUSD"),
        p in arb_params(),
        k in 1i64..=900,
    ) {
        let w = direct_world(&book, &p);
        let (base, quote) = sizes(&book, k);
        let one = Decimal::ONE;
        for size in [base, quote] {
            let (buy, sell) =
                (w.quote("ETH/USD", TakerSide::Buy, size), w.quote("ETH/USD", TakerSide::Sell, size));
            prop_assume!(buy.is_ok() && sell.is_ok());
            if let Ok(q) = buy {
                let hedge = walk_base(&book.asks, q.base_amount).unwrap().quote * (one + p.fee);
                prop_assert!(q.quote_amount >= hedge, "pays {} < hedge {}", q.quote_amount, hedge);
                prop_assert!(q.price >= q.inputs.hedge_price - tolerance(q.price));
            }
            if let Ok(q) = sell {
                // Rounding the base paid up can step past the book's depth; nothing to hedge-check.
                let Ok(fill) = walk_base(&book.bids, q.base_amount) else { continue };
                let hedge = fill.quote * (one - p.fee);
                prop_assert!(q.quote_amount <= hedge, "gets {} > hedge {}", q.quote_amount, hedge);
                prop_assert!(q.price <= q.inputs.hedge_price + tolerance(q.price));
            }
        }
    }

    /// The implied cross price is the composition of the two legs' all-in prices (legs quoted
    /// without markup, the cross's markup applied once), and its amount matches within one
    /// unit of rounding.
    #[test]
    fn implied_cross_is_the_composition_of_its_legs(
        eth in arb_book("ETHUSDT"),
        btc in arb_book("BTCUSDT"),
        p in arb_params(),
        fee2 in 0i64..=20,
        k in 1i64..=300,
    ) {
        let (f1, f2) = (p.fee, Decimal::new(fee2, 4));
        let flat = Params {
            premium_bps: Decimal::ZERO,
            multiplier: Decimal::ZERO,
            skew_bps: Decimal::ZERO,
            ..p.clone()
        };
        // USDT with 18 decimals so the legs' own rounding does not blur the composition.
        let leg = |id, base, sym, fee| market(id, base, "USDT", 18, Route::Direct(HedgeLeg::new(sym, fee)), &flat);
        let cross = market(
            "ETH/BTC",
            "ETH",
            "BTC",
            8,
            Route::Via {
                via: "USDT".into(),
                base_leg: HedgeLeg::new("ETHUSDT", f1),
                quote_leg: HedgeLeg::new("BTCUSDT", f2),
            },
            &p,
        );
        let legs = World::new(
            vec![leg("ETH/USDT", "ETH", "ETHUSDT", f1), leg("BTC/USDT", "BTC", "BTCUSDT", f2)],
            vec![eth.clone(), btc.clone()],
            &flat,
        );
        let world = World::new(vec![cross], vec![eth.clone(), btc.clone()], &p);
        // Size within both books: the ETH depth, and the ETH the BTC book's USDT can cover.
        let (Size::Base(eth_depth), _) = sizes(&eth, 1_000) else { unreachable!() };
        let (_, Size::Quote(btc_usdt)) = sizes(&btc, 1_000) else { unreachable!() };
        let worst_eth = eth.asks.last().unwrap().price;
        let size = (eth_depth.min(btc_usdt / worst_eth) * Decimal::new(k, 3))
            .round_dp_with_strategy(8, RoundingStrategy::ToZero);
        prop_assume!(size > Decimal::ZERO);
        for (side, other) in [(TakerSide::Buy, TakerSide::Sell), (TakerSide::Sell, TakerSide::Buy)] {
            let x = world.quote("ETH/BTC", side, Size::Base(size));
            prop_assume!(x.is_ok(), "{:?}", x);
            let x = x.unwrap();
            let eth_leg = legs.quote("ETH/USDT", side, Size::Base(size)).unwrap();
            let usdt = eth_leg.price * size;
            // The BTC we sell (taker buys ETH) or buy (taker sells ETH) for that USDT.
            let btc_leg = legs.quote("BTC/USDT", other, Size::Quote(usdt)).unwrap();
            let markup = Decimal::from(if side == TakerSide::Buy { 1 } else { -1 })
                * (x.inputs.premium_bps + x.inputs.widening_bps + x.inputs.skew_bps)
                / Decimal::from(10_000);
            let composed = eth_leg.price / btc_leg.price * (Decimal::ONE + markup);
            let rel = ((x.price - composed) / composed).abs();
            prop_assert!(rel < Decimal::new(1, 12), "cross {} vs composed {}", x.price, composed);
            let unit = Decimal::new(1, 8);
            let amount = composed * size;
            prop_assert!((x.quote_amount - amount).abs() <= unit + amount * Decimal::new(1, 12));
        }
    }
}
