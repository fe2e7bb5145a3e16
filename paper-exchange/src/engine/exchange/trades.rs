//! Every spot execution, kept for the life of the process: what `GET /api/v3/myTrades` lists
//! per account and what the 24 h tickers count per symbol.
//!
//! One match has one trade id, as on Binance: a taker meeting a user's resting order is
//! recorded twice under that id (the taker's side, then the maker's), a taker meeting the
//! synthetic liquidity or the market crossing a resting order once. Ids only grow, so the
//! list is in id order and the two records of a match are next to each other.

use rust_decimal::Decimal;

use crate::engine::accounts::AccountId;
use crate::engine::orders::{Fill, Order, Side};

/// Binance's default and largest `limit` of `myTrades`.
pub const DEFAULT_TRADES_LIMIT: usize = 500;
pub const MAX_TRADES_LIMIT: usize = 1000;
/// The longest `startTime`..`endTime` span `myTrades` accepts, and the window of the tickers.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// One side of one execution, as `myTrades` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Trade {
    pub id: u64,
    pub order_id: u64,
    pub account: AccountId,
    pub symbol: String,
    pub price: Decimal,
    pub qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub time: u64,
    pub buyer: bool,
    pub maker: bool,
}

impl Trade {
    pub fn new(order: &Order, fill: &Fill, maker: bool, now: u64) -> Self {
        Trade {
            id: fill.trade_id,
            order_id: order.id,
            account: order.account,
            symbol: order.symbol.clone(),
            price: fill.price,
            qty: fill.qty,
            commission: fill.commission,
            commission_asset: fill.commission_asset.clone(),
            time: now,
            buyer: order.side == Side::Buy,
            maker,
        }
    }
}

/// Which of an account's trades on a symbol `myTrades` asks for (already checked against
/// Binance's supported combinations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TradeQuery {
    /// The most recent ones.
    Recent,
    /// From this trade id on.
    FromId(u64),
    /// Those of one order, from a trade id on.
    Order { order_id: u64, from_id: u64 },
    /// Within `start..=end` (ms); from the start when it was given, else the latest.
    Between {
        start: u64,
        end: u64,
        from_start: bool,
    },
}

/// All trades, in id order.
#[derive(Debug, Default)]
pub struct Trades {
    all: Vec<Trade>,
}

impl Trades {
    pub fn record(&mut self, trade: Trade) {
        self.all.push(trade);
    }

    /// `account`'s trades on `symbol` that `query` selects, at most `limit`, in id order.
    pub fn of_account(
        &self,
        account: AccountId,
        symbol: &str,
        query: TradeQuery,
        limit: usize,
    ) -> Vec<&Trade> {
        let mine = self
            .all
            .iter()
            .filter(|t| t.account == account && t.symbol == symbol);
        let selected: Vec<&Trade> = match query {
            TradeQuery::Recent => mine.collect(),
            TradeQuery::FromId(from) => mine.filter(|t| t.id >= from).collect(),
            TradeQuery::Order { order_id, from_id } => mine
                .filter(|t| t.order_id == order_id && t.id >= from_id)
                .collect(),
            TradeQuery::Between { start, end, .. } => {
                mine.filter(|t| (start..=end).contains(&t.time)).collect()
            }
        };
        let from_start = match query {
            TradeQuery::Recent => false,
            TradeQuery::Between { from_start, .. } => from_start,
            TradeQuery::FromId(_) | TradeQuery::Order { .. } => true,
        };
        if from_start {
            selected.into_iter().take(limit).collect()
        } else {
            let skip = selected.len().saturating_sub(limit);
            selected.into_iter().skip(skip).collect()
        }
    }

    /// The market's executions on `symbol` since `since` (ms), each match once (its first
    /// record: the taker's, or the maker's when the market crossed a resting order).
    pub fn public_since<'a>(
        &'a self,
        symbol: &'a str,
        since: u64,
    ) -> impl Iterator<Item = &'a Trade> + 'a {
        let mut previous = None;
        self.all
            .iter()
            .filter(move |t| t.symbol == symbol && t.time >= since)
            .filter(move |t| previous.replace(t.id) != Some(t.id))
    }

    /// The last execution on `symbol` before `before` (ms).
    pub fn last_before(&self, symbol: &str, before: u64) -> Option<&Trade> {
        self.all
            .iter()
            .rev()
            .find(|t| t.symbol == symbol && t.time < before)
    }
}

impl super::Exchange {
    /// `GET /api/v3/myTrades`: `account`'s trades on `symbol` that `query` selects.
    pub fn my_trades(
        &self,
        account: AccountId,
        symbol: &str,
        query: TradeQuery,
        limit: usize,
    ) -> Result<Vec<&Trade>, super::Reject> {
        self.venue(symbol)?;
        Ok(self.ledger.trades.of_account(account, symbol, query, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(id: u64, account: usize, time: u64, maker: bool) -> Trade {
        Trade {
            id,
            order_id: id * 10 + u64::from(maker),
            account: AccountId(account),
            symbol: "ETHUSDT".into(),
            price: Decimal::from(3000 + id),
            qty: Decimal::ONE,
            commission: Decimal::ZERO,
            commission_asset: "ETH".into(),
            time,
            buyer: !maker,
            maker,
        }
    }

    fn ids(trades: Vec<&Trade>) -> Vec<u64> {
        trades.iter().map(|t| t.id).collect()
    }

    fn trades() -> Trades {
        let mut trades = Trades::default();
        // trade 2 is a match between accounts 0 (taker) and 1 (maker)
        for t in [
            trade(1, 0, 100, false),
            trade(2, 0, 200, false),
            trade(2, 1, 200, true),
            trade(3, 0, 300, false),
            trade(4, 0, 400, true),
        ] {
            trades.record(t);
        }
        trades
    }

    #[test]
    fn an_accounts_trades_by_recency_id_order_and_time() {
        let trades = trades();
        let me = AccountId(0);
        let of = |query, limit| ids(trades.of_account(me, "ETHUSDT", query, limit));
        assert_eq!(of(TradeQuery::Recent, 500), [1, 2, 3, 4]);
        assert_eq!(of(TradeQuery::Recent, 2), [3, 4]);
        assert_eq!(of(TradeQuery::FromId(2), 2), [2, 3]);
        let order = TradeQuery::Order {
            order_id: 30,
            from_id: 0,
        };
        assert_eq!(of(order, 500), [3]);
        let between = |start, end, from_start| TradeQuery::Between {
            start,
            end,
            from_start,
        };
        assert_eq!(of(between(150, 400, true), 2), [2, 3]);
        assert_eq!(of(between(150, 400, false), 2), [3, 4]);
        assert_eq!(
            ids(trades.of_account(AccountId(1), "ETHUSDT", TradeQuery::Recent, 500)),
            [2]
        );
        assert!(
            trades
                .of_account(me, "BTCUSDT", TradeQuery::Recent, 500)
                .is_empty()
        );
    }

    #[test]
    fn the_market_counts_each_match_once() {
        let trades = trades();
        let public: Vec<u64> = trades.public_since("ETHUSDT", 0).map(|t| t.id).collect();
        assert_eq!(public, [1, 2, 3, 4]);
        assert!(!trades.public_since("ETHUSDT", 0).nth(1).unwrap().maker);
        assert_eq!(trades.public_since("ETHUSDT", 250).count(), 2);
        assert_eq!(trades.last_before("ETHUSDT", 300).map(|t| t.id), Some(2));
        assert_eq!(trades.last_before("ETHUSDT", 100), None);
    }
}
