//! Composition: a quote request and a consistent view of books, volatility, inventory and
//! exposure in, a priced and risk-checked quote (or a [`MakerError`]) out.
//!
//! Order of work: market lookup → size limits (base-sized requests) → books fresh and sane →
//! volatility → mid → early size limit (quote-sized requests, see [`check_quote_size`]) →
//! spread → hedge cost through the market's [`Route`] → rounding in our favour → size limits on
//! the resulting base → deviation from mid → hot-wallet balance → exposure cap.
//!
//! Pricing, with `hedge` the fee-inclusive hedge cost in quote units (see
//! [`super::hedge_cost`]) and `factor = 1 ± markup` (see [`super::spread`]):
//!
//! | taker | size given | we compute                                                     |
//! |-------|------------|----------------------------------------------------------------|
//! | buys  | base `B`   | pays `cost_to_buy(B) × factor`, rounded up                      |
//! | buys  | quote `Q`  | receives `base_buyable(Q / factor)`, rounded down               |
//! | sells | base `B`   | receives `proceeds_of_sell(B) × factor`, rounded down           |
//! | sells | quote `Q`  | pays `base_to_sell(Q / factor)`, rounded up                     |
//!
//! A size given with more decimals than its asset has is first rounded in our favour too (down
//! for what the taker receives, up for what it pays).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::book::{BookError, BookRef, BookSnapshot};
use super::cross::{CrossHedgeCost, implied_mid};
use super::error::MakerError;
use super::hedge_cost::{DirectHedgeCost, HedgeCost};
use super::market::{ConfigError, HedgeLeg, Market, Route, Size, TakerSide};
use super::risk::{
    ExposureBook, Inventory, RiskLimits, check_balance, check_base_size, check_exposure,
    check_hedge_funds, check_quote_size, check_unfillable, too_small,
};
use super::spread::{Spread, to_bps};
use super::walk::WalkError;

/// Read access to the order book manager's and market watcher's data.
pub trait MarketView {
    fn book(&self, symbol: &str) -> Option<&BookSnapshot>;
    /// Standard deviation of the symbol's mid log returns per second, a plain fraction.
    fn volatility(&self, symbol: &str) -> Option<Decimal>;
}

/// A plain [`MarketView`]: books and volatilities keyed by exchange symbol.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarketData {
    pub books: HashMap<String, BookSnapshot>,
    pub volatility: HashMap<String, Decimal>,
}

impl MarketData {
    pub fn insert(&mut self, book: BookSnapshot, volatility: Decimal) {
        self.volatility.insert(book.symbol.clone(), volatility);
        self.books.insert(book.symbol.clone(), book);
    }
}

impl MarketView for MarketData {
    fn book(&self, symbol: &str) -> Option<&BookSnapshot> {
        self.books.get(symbol)
    }

    fn volatility(&self, symbol: &str) -> Option<Decimal> {
        self.volatility.get(symbol).copied()
    }
}

/// What the taker asks for, already mapped from maker/taker assets to a market and side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    pub market: String,
    pub side: TakerSide,
    pub size: Size,
}

/// Everything outside the request a quote depends on, as of `now_ms` (Unix ms).
#[derive(Clone, Copy, Debug)]
pub struct QuoteContext<'a, V> {
    pub now_ms: u64,
    pub market_data: &'a V,
    pub inventory: &'a Inventory,
    pub exposure: &'a ExposureBook,
}

/// The inputs a price was computed from, kept with the quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceInputs {
    /// The snapshots walked, in route order (base leg first for a cross).
    pub books: Vec<BookRef>,
    /// Taker fee per leg, same order as `books`, fractions.
    pub fee_rates: Vec<Decimal>,
    /// Mid (implied mid for a cross), quote per base.
    pub mid: Decimal,
    /// Volatility used, per-second log-return stdev; the sum of the legs' for a cross (an upper
    /// bound on the cross's, so conservative).
    pub volatility: Decimal,
    pub premium_bps: Decimal,
    pub widening_bps: Decimal,
    /// Skew applied to this side: negative narrowed the quote, positive widened it.
    pub skew_bps: Decimal,
    /// Base position the skew was computed from.
    pub position: Decimal,
    /// Fee-inclusive hedge cost (buy) or proceeds (sell), quote per base, before markup.
    pub hedge_price: Decimal,
}

/// A priced, risk-checked quote, amounts in human units rounded to each asset's decimals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedQuote {
    pub market: String,
    pub base_asset: String,
    pub quote_asset: String,
    pub side: TakerSide,
    /// The size as requested (after rounding to the asset's decimals).
    pub size: Size,
    pub base_amount: Decimal,
    pub quote_amount: Decimal,
    /// All-in price, quote per base, before the amounts were rounded. The rounded amounts are
    /// never better for the taker than this.
    pub price: Decimal,
    pub priced_at_ms: u64,
    /// `priced_at_ms + quote_ttl`.
    pub expires_at_ms: u64,
    pub inputs: PriceInputs,
}

impl PricedQuote {
    /// The asset and amount we deliver (the JSON-RPC's maker asset).
    pub fn maker_leg(&self) -> (&str, Decimal) {
        match self.side {
            TakerSide::Buy => (&self.base_asset, self.base_amount),
            TakerSide::Sell => (&self.quote_asset, self.quote_amount),
        }
    }

    /// The asset and amount the taker pays (the JSON-RPC's taker asset).
    pub fn taker_leg(&self) -> (&str, Decimal) {
        match self.side {
            TakerSide::Buy => (&self.quote_asset, self.quote_amount),
            TakerSide::Sell => (&self.base_asset, self.base_amount),
        }
    }
}

/// The maker: market configuration and cross-market limits. Stateless between quotes.
#[derive(Clone, Debug)]
pub struct Maker {
    markets: HashMap<String, Market>,
    limits: RiskLimits,
}

impl Maker {
    /// Validates every market; ids must be unique.
    pub fn new(
        markets: impl IntoIterator<Item = Market>,
        limits: RiskLimits,
    ) -> Result<Self, ConfigError> {
        let mut by_id = HashMap::new();
        for market in markets {
            market.validate()?;
            if by_id.contains_key(&market.id) {
                return Err(ConfigError::Duplicate(market.id));
            }
            by_id.insert(market.id.clone(), market);
        }
        Ok(Self {
            markets: by_id,
            limits,
        })
    }

    pub fn market(&self, id: &str) -> Option<&Market> {
        self.markets.get(id)
    }

    pub fn markets(&self) -> impl Iterator<Item = &Market> {
        self.markets.values()
    }

    /// `market`'s mid now (the implied mid for a cross), from books fresh enough to quote from:
    /// what a quote's soft cancel compares its own mid with.
    pub fn mid<V: MarketView>(
        &self,
        market: &str,
        market_data: &V,
        now_ms: u64,
    ) -> Result<Decimal, MakerError> {
        let market = self
            .markets
            .get(market)
            .ok_or_else(|| MakerError::UnknownMarket {
                market: market.to_owned(),
            })?;
        let books = market
            .route
            .legs()
            .iter()
            .map(|leg| usable_book(market_data, now_ms, &leg.symbol, market))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(route_mid(&market.route, &mids(&books)?))
    }

    /// Prices `request` and runs the risk checks. Pure: the same inputs give the same quote.
    pub fn quote<V: MarketView>(
        &self,
        request: &QuoteRequest,
        ctx: &QuoteContext<'_, V>,
    ) -> Result<PricedQuote, MakerError> {
        let market =
            self.markets
                .get(&request.market)
                .ok_or_else(|| MakerError::UnknownMarket {
                    market: request.market.clone(),
                })?;
        let side = request.side;
        let size = round_size(market, side, request.size);
        match size {
            Size::Base(base) => check_base_size(market, base)?,
            Size::Quote(quote) if quote <= Decimal::ZERO => return Err(too_small(market)),
            Size::Quote(_) => {}
        }

        let legs = market.route.legs();
        let (books, volatility) = books_and_volatility(market, &legs, ctx)?;
        let mid = route_mid(&market.route, &mids(&books)?);

        if let Size::Quote(quote) = size {
            check_quote_size(market, quote, mid)?;
        }

        let position = ctx.inventory.position(&market.base.symbol);
        let spread = Spread::new(market, volatility, position);
        let factor = spread.factor(side);
        if factor <= Decimal::ZERO {
            return Err(MakerError::PriceDeviation {
                price: Decimal::ZERO,
                mid,
                deviation_bps: to_bps(Decimal::ONE),
                max_bps: market.max_deviation_bps,
            });
        }

        let (base_exact, quote_exact, hedge_quote) =
            exact_amounts(market, &legs, &books, side, size, factor)
                .map_err(|_| check_unfillable(market, size, mid))?;
        let (base_amount, quote_amount) =
            rounded_amounts(market, side, size, base_exact, quote_exact)?;

        let price = quote_exact / base_exact;
        check_deviation(market, price, mid)?;
        self.check_funds(market, side, base_amount, quote_amount, ctx)?;

        let now_ms = ctx.now_ms;
        let ttl_ms = u64::try_from(market.quote_ttl.as_millis()).unwrap_or(u64::MAX);
        Ok(PricedQuote {
            market: market.id.clone(),
            base_asset: market.base.symbol.clone(),
            quote_asset: market.quote.symbol.clone(),
            side,
            size,
            base_amount,
            quote_amount,
            price,
            priced_at_ms: now_ms,
            expires_at_ms: now_ms.saturating_add(ttl_ms),
            inputs: PriceInputs {
                books: books.iter().map(|b| b.book_ref()).collect(),
                fee_rates: legs.iter().map(|l| l.taker_fee).collect(),
                mid,
                volatility,
                premium_bps: to_bps(spread.premium),
                widening_bps: to_bps(spread.widening),
                skew_bps: to_bps(spread.skew(side)),
                position,
                hedge_price: hedge_quote / base_exact,
            },
        })
    }

    /// The hot-wallet balance and exposure cap for what we deliver, and the exchange funds for
    /// the hedge that buys it back.
    fn check_funds<V>(
        &self,
        market: &Market,
        side: TakerSide,
        base_amount: Decimal,
        quote_amount: Decimal,
        ctx: &QuoteContext<'_, V>,
    ) -> Result<(), MakerError> {
        let (deliver_asset, deliver_amount) = match side {
            TakerSide::Buy => (&market.base.symbol, base_amount),
            TakerSide::Sell => (&market.quote.symbol, quote_amount),
        };
        let (now_ms, inv, exp) = (ctx.now_ms, ctx.inventory, ctx.exposure);
        check_balance(inv, exp, deliver_asset, deliver_amount, now_ms)?;
        check_exposure(&self.limits, exp, deliver_asset, deliver_amount, now_ms)?;
        // The hedge buys back what we deliver, paying (at most about) what the taker pays us.
        let (hedge_asset, hedge_pays) = match side {
            TakerSide::Buy => (&market.quote.symbol, quote_amount),
            TakerSide::Sell => (&market.base.symbol, base_amount),
        };
        check_hedge_funds(inv, hedge_asset, hedge_pays)
    }
}

/// Each leg's book, usable to quote from, and the legs' volatilities summed.
fn books_and_volatility<'v, V: MarketView>(
    market: &Market,
    legs: &[&HedgeLeg],
    ctx: &QuoteContext<'v, V>,
) -> Result<(Vec<&'v BookSnapshot>, Decimal), MakerError> {
    let mut books = Vec::with_capacity(legs.len());
    let mut volatility = Decimal::ZERO;
    for leg in legs {
        let book = usable_book(ctx.market_data, ctx.now_ms, &leg.symbol, market)?;
        // A negative reading would narrow the quote: treat it as missing.
        volatility += ctx
            .market_data
            .volatility(&leg.symbol)
            .filter(|v| *v >= Decimal::ZERO)
            .ok_or_else(|| MakerError::NoVolatility {
                symbol: leg.symbol.clone(),
            })?;
        books.push(book);
    }
    Ok((books, volatility))
}

/// The market's mid from its legs' `mids`: the book's own, or the implied cross mid.
fn route_mid(route: &Route, mids: &[Decimal]) -> Decimal {
    match route {
        Route::Direct(_) => mids[0],
        Route::Via { .. } => implied_mid(mids[0], mids[1]),
    }
}

/// (base, quote, hedge quote), exact: the hedge cost through the market's route, the taker's
/// side marked up by `factor`.
fn exact_amounts(
    market: &Market,
    legs: &[&HedgeLeg],
    books: &[&BookSnapshot],
    side: TakerSide,
    size: Size,
    factor: Decimal,
) -> Result<(Decimal, Decimal, Decimal), WalkError> {
    let direct = |i: usize| DirectHedgeCost {
        book: books[i],
        taker_fee: legs[i].taker_fee,
    };
    let (direct_cost, cross_cost);
    let hedge_cost: &dyn HedgeCost = match &market.route {
        Route::Direct(_) => {
            direct_cost = direct(0);
            &direct_cost
        }
        Route::Via { .. } => {
            cross_cost = CrossHedgeCost {
                base_leg: direct(0),
                quote_leg: direct(1),
            };
            &cross_cost
        }
    };
    match (side, size) {
        (TakerSide::Buy, Size::Base(b)) => hedge_cost.cost_to_buy(b).map(|h| (b, h * factor, h)),
        (TakerSide::Sell, Size::Base(b)) => {
            hedge_cost.proceeds_of_sell(b).map(|h| (b, h * factor, h))
        }
        (TakerSide::Buy, Size::Quote(q)) => {
            let h = q / factor;
            hedge_cost.base_buyable(h).map(|b| (b, q, h))
        }
        (TakerSide::Sell, Size::Quote(q)) => {
            let h = q / factor;
            hedge_cost.base_to_sell(h).map(|b| (b, q, h))
        }
    }
}

/// The exact amounts rounded in our favour (the size given kept as is), then checked against
/// the size limits.
fn rounded_amounts(
    market: &Market,
    side: TakerSide,
    size: Size,
    base_exact: Decimal,
    quote_exact: Decimal,
) -> Result<(Decimal, Decimal), MakerError> {
    let (base_amount, quote_amount) = match (side, size) {
        (_, Size::Base(b)) => (b, round_taker(market, side, false, quote_exact)),
        (_, Size::Quote(q)) => (round_taker(market, side, true, base_exact), q),
    };
    check_base_size(market, base_amount)?;
    // A base that underflowed Decimal's 28 places is dust, whatever min_base says.
    if quote_amount <= Decimal::ZERO || base_exact <= Decimal::ZERO {
        return Err(too_small(market));
    }
    Ok((base_amount, quote_amount))
}

/// Refuses a `price` further from `mid` than the market allows.
fn check_deviation(market: &Market, price: Decimal, mid: Decimal) -> Result<(), MakerError> {
    let deviation_bps = to_bps((price / mid - Decimal::ONE).abs());
    if deviation_bps > market.max_deviation_bps {
        return Err(MakerError::PriceDeviation {
            price,
            mid,
            deviation_bps,
            max_bps: market.max_deviation_bps,
        });
    }
    Ok(())
}

/// Rounds the requested size to its asset's decimals in our favour.
fn round_size(market: &Market, side: TakerSide, size: Size) -> Size {
    match size {
        Size::Base(b) => Size::Base(round_taker(market, side, true, b)),
        Size::Quote(q) => Size::Quote(round_taker(market, side, false, q)),
    }
}

/// Rounds an amount of base (`is_base`) or quote in our favour: down if the taker receives it,
/// up if the taker pays it.
fn round_taker(market: &Market, side: TakerSide, is_base: bool, amount: Decimal) -> Decimal {
    let asset = if is_base { &market.base } else { &market.quote };
    let taker_receives = (side == TakerSide::Buy) == is_base;
    if taker_receives {
        asset.round_received(amount)
    } else {
        asset.round_paid(amount)
    }
}

fn usable_book<'v, V: MarketView>(
    market_data: &'v V,
    now_ms: u64,
    symbol: &str,
    market: &Market,
) -> Result<&'v BookSnapshot, MakerError> {
    let book = market_data
        .book(symbol)
        .ok_or_else(|| unusable(symbol, BookError::Missing))?;
    book.check(now_ms, market.max_book_age)
        .map_err(|reason| unusable(symbol, reason))?;
    Ok(book)
}

/// Each book's mid.
fn mids(books: &[&BookSnapshot]) -> Result<Vec<Decimal>, MakerError> {
    books
        .iter()
        .map(|b| {
            b.mid()
                .ok_or_else(|| unusable(&b.symbol, BookError::EmptySide))
        })
        .collect()
}

fn unusable(symbol: &str, reason: BookError) -> MakerError {
    MakerError::BookUnusable {
        symbol: symbol.to_owned(),
        reason,
    }
}
