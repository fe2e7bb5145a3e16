//! Looking up and cancelling futures orders, and resting orders filled by the moving market.

use super::events::{Execution, order_trade_update};
use super::{Futures, FuturesOrder, FuturesReject};
use crate::engine::accounts::AccountId;
use crate::engine::book::{Book, Cross};
use crate::engine::exchange::Exchange;
use crate::engine::exchange::manage::OrderRef;
use crate::engine::orders::Status;

impl Futures {
    /// The order `by` names, if `account` placed it on `symbol`.
    fn find(&self, account: AccountId, symbol: &str, by: &OrderRef) -> Option<&FuturesOrder> {
        let mine = |o: &&FuturesOrder| o.order.account == account && o.order.symbol == symbol;
        match (by.order_id, &by.client_order_id) {
            (Some(id), client) => self.orders.get(&id).filter(mine).filter(|o| {
                client
                    .as_ref()
                    .is_none_or(|c| &o.order.client_order_id == c)
            }),
            // unique among open orders only, as on Binance: the newest one with the id
            (None, Some(client)) => self
                .orders
                .values()
                .rev()
                .filter(mine)
                .find(|o| &o.order.client_order_id == client),
            (None, None) => None,
        }
    }

    /// A resting order crossed by the market: a maker fill at its price.
    pub(crate) fn fill_resting(&mut self, book: &mut Book, cross: &Cross, now: u64) {
        self.fill_maker(book, cross.order_id, cross.price, cross.qty, now);
    }
}

impl Exchange {
    pub fn query_futures(
        &self,
        account: AccountId,
        symbol: &str,
        by: &OrderRef,
    ) -> Result<&FuturesOrder, FuturesReject> {
        self.perp_index(symbol)?;
        self.futures
            .find(account, symbol, by)
            .ok_or(FuturesReject::NoSuchOrder)
    }

    /// Open futures orders of `account`, on one symbol or all, oldest first.
    pub fn open_futures_orders(
        &self,
        account: AccountId,
        symbol: Option<&str>,
    ) -> Result<Vec<&FuturesOrder>, FuturesReject> {
        if let Some(symbol) = symbol {
            self.perp_index(symbol)?;
        }
        Ok(self
            .futures
            .orders
            .values()
            .filter(|o| o.order.account == account && o.order.status.is_open())
            .filter(|o| symbol.is_none_or(|s| o.order.symbol == s))
            .collect())
    }

    /// Cancels an open futures order and takes it off the perpetual's book.
    pub fn cancel_futures(
        &mut self,
        account: AccountId,
        symbol: &str,
        by: &OrderRef,
        now: u64,
    ) -> Result<FuturesOrder, FuturesReject> {
        let index = self.perp_index(symbol)?;
        let found = self
            .futures
            .find(account, symbol, by)
            .filter(|o| o.order.status.is_open())
            .ok_or(FuturesReject::UnknownOrder)?;
        let (id, side, price) = (found.order.id, found.order.side, found.order.price);
        if let Some(book) = &mut self.venues[index].perp {
            book.remove(side, price, id);
        }
        let order = self.futures.orders.get_mut(&id).expect("order found above");
        order.order.status = Status::Canceled;
        order.order.update_time = now;
        let order = order.clone();
        self.futures
            .publish(order_trade_update(&order, &Execution::Canceled, now));
        tracing::info!(order_id = id, symbol, "futures order canceled");
        Ok(order)
    }
}
