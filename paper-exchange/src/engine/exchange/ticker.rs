//! A symbol's rolling 24 h statistics and best prices, as Binance's tickers report them,
//! computed from the paper exchange's own executions and book.
//!
//! Approximations (the synthetic market quotes but never trades by itself): the statistics
//! count users' executions only (against the synthetic liquidity or each other), each match
//! once. The open price is the window's first execution (Binance: the price at the window's
//! start) and the previous close the last execution before the window, else the open. A symbol
//! with no execution in the window reports its synthetic mid as open, high, low, last and
//! weighted average price, zero volume and no trade ids. Bid and ask are the published book's.

use rust_decimal::Decimal;

use super::trades::DAY_MS;
use super::{Exchange, Reject};

/// One symbol's ticker.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticker {
    pub symbol: String,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub last: Decimal,
    /// Quantity of the last execution; zero without one.
    pub last_qty: Decimal,
    pub prev_close: Decimal,
    /// Base asset traded in the window.
    pub volume: Decimal,
    /// Quote asset traded in the window.
    pub quote_volume: Decimal,
    /// First and last trade id in the window, `None` without executions.
    pub trade_ids: Option<(u64, u64)>,
    pub count: u64,
    pub open_time: u64,
    pub close_time: u64,
    pub best: BestPrices,
}

/// The best bid and ask with their quantities; zeros for an empty side.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BestPrices {
    pub bid: (Decimal, Decimal),
    pub ask: (Decimal, Decimal),
}

impl Ticker {
    /// Quote volume over base volume; the last price without volume.
    pub fn weighted_average(&self) -> Decimal {
        if self.volume.is_zero() {
            self.last
        } else {
            self.quote_volume / self.volume
        }
    }

    pub fn price_change(&self) -> Decimal {
        self.last - self.open
    }

    /// The change in percent of the open price, to three decimals as Binance prints it.
    pub fn price_change_percent(&self) -> Decimal {
        if self.open.is_zero() {
            return Decimal::ZERO;
        }
        let mut percent = (self.price_change() / self.open * Decimal::ONE_HUNDRED).round_dp(3);
        percent.rescale(3);
        percent
    }
}

impl Exchange {
    /// The 24 h ticker of `symbol` at `now` (ms).
    pub fn ticker(&self, symbol: &str, now: u64) -> Result<Ticker, Reject> {
        let index = self.venue_index(symbol)?;
        let open_time = now.saturating_sub(DAY_MS);
        let trades = &self.ledger.trades;
        let mut window = trades.public_since(symbol, open_time).peekable();
        let mid = self.mid(index);
        let mut ticker = Ticker {
            symbol: symbol.to_string(),
            open: window.peek().map_or(mid, |t| t.price),
            high: Decimal::MIN,
            low: Decimal::MAX,
            last: mid,
            last_qty: Decimal::ZERO,
            prev_close: Decimal::ZERO,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            trade_ids: None,
            count: 0,
            open_time,
            close_time: now,
            best: self.best_prices(symbol)?,
        };
        for trade in window {
            ticker.high = ticker.high.max(trade.price);
            ticker.low = ticker.low.min(trade.price);
            ticker.last = trade.price;
            ticker.last_qty = trade.qty;
            ticker.volume += trade.qty;
            ticker.quote_volume += trade.price * trade.qty;
            ticker.count += 1;
            let first = ticker.trade_ids.map_or(trade.id, |(first, _)| first);
            ticker.trade_ids = Some((first, trade.id));
        }
        if ticker.count == 0 {
            (ticker.high, ticker.low) = (mid, mid);
        }
        ticker.prev_close = trades
            .last_before(symbol, open_time)
            .map_or(ticker.open, |t| t.price);
        Ok(ticker)
    }

    /// The best bid and ask of `symbol`'s published book.
    pub fn best_prices(&self, symbol: &str) -> Result<BestPrices, Reject> {
        let top = self.snapshot(symbol, 1)?;
        let zero = (Decimal::ZERO, Decimal::ZERO);
        Ok(BestPrices {
            bid: top.bids.first().copied().unwrap_or(zero),
            ask: top.asks.first().copied().unwrap_or(zero),
        })
    }
}
