//! The matching engine: every symbol's book, depth and synthetic market, and the ledger of
//! accounts and orders. All of it sits behind one lock, so an order moves books and balances
//! atomically and a depth snapshot always matches the update id it reports.
//!
//! - [`ledger`]: accounts, orders, and the money movements of an execution.
//! - [`place`]: new orders (filters, balance checks, matching, resting).
//! - [`manage`]: cancelling and looking up orders.
//! - [`trades`]: every execution, per account (`myTrades`) and per symbol.
//! - [`ticker`]: a symbol's 24 h statistics and best prices, for the tickers.

pub mod ledger;
pub mod manage;
pub mod place;
#[cfg(test)]
mod tests;
pub mod ticker;
pub mod trades;

use std::sync::{Mutex, MutexGuard, PoisonError};

use rust_decimal::Decimal;

use crate::config::{Config, SymbolConfig};
use crate::engine::accounts::Accounts;
use crate::engine::book::Book;
use crate::engine::depth::{Depth, Diff, Snapshot, Speed};
use crate::engine::futures::{Futures, FuturesReject, MARGIN_ASSET};
use crate::engine::market::SyntheticMarket;
use crate::engine::orders::Side;
use crate::engine::wallet::WalletBook;
use ledger::{Assets, Ledger};

/// Why the engine refuses a request; each maps to one Binance error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Reject {
    #[error("Invalid symbol.")]
    UnknownSymbol,
    #[error("Filter failure: {0}")]
    Filter(&'static str),
    #[error("Account has insufficient balance for requested action.")]
    InsufficientBalance,
    #[error("Duplicate order sent.")]
    DuplicateOrder,
    #[error("Order would immediately match and take.")]
    WouldTake,
    #[error("Order book liquidity is less than symbol minimum quantity.")]
    NoLiquidity,
    /// A cancel found no open order.
    #[error("Unknown order sent.")]
    UnknownOrder,
    /// A query found no order.
    #[error("Order does not exist.")]
    NoSuchOrder,
}

/// Locks the engine. A panic while it was held leaves it as the panicking request left it; the
/// exchange keeps serving rather than failing every later request.
pub fn lock(exchange: &Mutex<Exchange>) -> MutexGuard<'_, Exchange> {
    exchange.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One listed symbol.
#[derive(Debug)]
pub struct Venue {
    pub config: SymbolConfig,
    book: Book,
    depth: Depth,
    market: SyntheticMarket,
    /// The perpetual's book, for symbols quoted in USDT: the same synthetic ladders as
    /// `book`, with liquidity and resting orders of its own.
    pub(crate) perp: Option<Book>,
}

impl Venue {
    fn assets(&self) -> Assets<'_> {
        Assets {
            base: &self.config.base_asset,
            quote: &self.config.quote_asset,
        }
    }

    /// Makes the book's current state the published depth.
    fn publish(&mut self) {
        self.depth
            .publish(self.book.ladder(Side::Buy), self.book.ladder(Side::Sell));
    }
}

/// The whole exchange's state.
#[derive(Debug)]
pub struct Exchange {
    pub(crate) venues: Vec<Venue>,
    pub ledger: Ledger,
    pub futures: Futures,
    /// Transfers, withdrawals and deposits (`crate::engine::wallet`).
    pub wallet: WalletBook,
}

impl Exchange {
    /// Opens every symbol's market with its first ladders (update id 1).
    pub fn new(config: &Config, seed: u64) -> Self {
        let tick_seconds = config.tick_interval.as_secs_f64();
        let venues = config
            .symbols
            .iter()
            .enumerate()
            .map(|(index, symbol)| {
                // one stream of random numbers per symbol, so symbols do not perturb each other
                let mut market =
                    SyntheticMarket::new(symbol, tick_seconds, seed.wrapping_add(index as u64));
                let (bids, asks) = market.quote();
                let mut book = Book::default();
                book.set_synthetic(&bids, &asks);
                let perp = (symbol.quote_asset == MARGIN_ASSET).then(|| {
                    let mut perp = Book::default();
                    perp.set_synthetic(&bids, &asks);
                    perp
                });
                let mut venue = Venue {
                    config: symbol.clone(),
                    book,
                    depth: Depth::default(),
                    market,
                    perp,
                };
                venue.publish();
                venue
            })
            .collect();
        Exchange {
            venues,
            ledger: Ledger::new(Accounts::new(&config.accounts), config.commission.clone()),
            futures: Futures::new(config),
            wallet: WalletBook::default(),
        }
    }

    pub fn venues(&self) -> impl Iterator<Item = &Venue> {
        self.venues.iter()
    }

    pub fn venue(&self, symbol: &str) -> Result<&Venue, Reject> {
        self.venues
            .iter()
            .find(|v| v.config.symbol == symbol)
            .ok_or(Reject::UnknownSymbol)
    }

    pub(crate) fn venue_index(&self, symbol: &str) -> Result<usize, Reject> {
        self.venues
            .iter()
            .position(|v| v.config.symbol == symbol)
            .ok_or(Reject::UnknownSymbol)
    }

    pub fn snapshot(&self, symbol: &str, limit: usize) -> Result<Snapshot, Reject> {
        Ok(self.venue(symbol)?.depth.snapshot(limit))
    }

    /// Moves every market one tick: new mid, fresh synthetic liquidity, and fills for the
    /// resting orders the market now crosses.
    pub fn tick(&mut self, now: u64) {
        for venue in &mut self.venues {
            let (bids, asks) = venue.market.tick();
            venue.book.set_synthetic(&bids, &asks);
            if let Some(perp) = &mut venue.perp {
                perp.set_synthetic(&bids, &asks);
                for cross in perp.cross_resting() {
                    self.futures.fill_resting(perp, &cross, now);
                }
            }
            let crosses = venue.book.cross_resting();
            let assets = Assets {
                base: &venue.config.base_asset,
                quote: &venue.config.quote_asset,
            };
            for cross in &crosses {
                let trade_id = self.ledger.next_trade_id();
                self.ledger
                    .fill_resting(cross.order_id, assets, cross.qty, trade_id, now);
            }
            if !crosses.is_empty() {
                tracing::debug!(symbol = %venue.config.symbol, fills = crosses.len(), "market crossed resting orders");
            }
            venue.publish();
        }
    }

    /// Per symbol, the depth changes not yet sent at `speed`.
    pub fn drain(&mut self, speed: Speed) -> Vec<(String, Diff)> {
        self.venues
            .iter_mut()
            .filter_map(|venue| Some((venue.config.symbol.clone(), venue.depth.drain(speed)?)))
            .collect()
    }

    /// The synthetic mid of `symbol`, the reference price for market orders' notional.
    pub(crate) fn mid(&self, index: usize) -> Decimal {
        self.venues[index].market.mid()
    }

    /// The venues that list a perpetual.
    pub fn perpetuals(&self) -> impl Iterator<Item = &Venue> {
        self.venues.iter().filter(|v| v.perp.is_some())
    }

    /// The venue of the perpetual `symbol`.
    pub(crate) fn perp_index(&self, symbol: &str) -> Result<usize, FuturesReject> {
        self.venues
            .iter()
            .position(|v| v.config.symbol == symbol && v.perp.is_some())
            .ok_or(FuturesReject::UnknownSymbol)
    }

    /// The mark (and index) price of the perpetual `symbol`: the spot symbol's mid.
    pub fn mark_price(&self, symbol: &str) -> Result<Decimal, FuturesReject> {
        Ok(self.mid(self.perp_index(symbol)?))
    }
}
