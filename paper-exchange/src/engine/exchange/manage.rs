//! Looking up and cancelling orders.

use super::{Exchange, Reject};
use crate::engine::accounts::AccountId;
use crate::engine::orders::{Order, Status};
use crate::engine::user_data::Execution;

/// How a request names an order: `orderId`, `origClientOrderId`, or both (then both must match).
#[derive(Clone, Debug, Default)]
pub struct OrderRef {
    pub order_id: Option<u64>,
    pub client_order_id: Option<String>,
}

impl Exchange {
    /// The order `by` names, if `account` placed it on `symbol`. By client id alone, an open
    /// order wins over finished ones, and a later one over an earlier one.
    fn find(&self, account: AccountId, symbol: &str, by: &OrderRef) -> Option<&Order> {
        let mine = |o: &&Order| o.account == account && o.symbol == symbol;
        match (by.order_id, &by.client_order_id) {
            (Some(id), client) => self
                .ledger
                .orders
                .get(&id)
                .filter(mine)
                .filter(|o| client.as_ref().is_none_or(|c| &o.client_order_id == c)),
            (None, Some(client)) => self
                .ledger
                .orders
                .values()
                .filter(mine)
                .filter(|o| &o.client_order_id == client)
                .max_by_key(|o| (o.status.is_open(), o.id)),
            (None, None) => None,
        }
    }

    pub fn query(&self, account: AccountId, symbol: &str, by: &OrderRef) -> Result<&Order, Reject> {
        self.venue(symbol)?;
        self.find(account, symbol, by).ok_or(Reject::NoSuchOrder)
    }

    /// Open orders of `account`, on one symbol or all, oldest first.
    pub fn open_orders(
        &self,
        account: AccountId,
        symbol: Option<&str>,
    ) -> Result<Vec<&Order>, Reject> {
        if let Some(symbol) = symbol {
            self.venue(symbol)?;
        }
        Ok(self
            .ledger
            .orders
            .values()
            .filter(|o| o.account == account && o.status.is_open())
            .filter(|o| symbol.is_none_or(|s| o.symbol == s))
            .collect())
    }

    /// Cancels an open order: off the book, its lock released. `cancel_client_order_id` is
    /// the cancel request's own id, which Binance reports in the cancel's `executionReport`.
    pub fn cancel(
        &mut self,
        account: AccountId,
        symbol: &str,
        by: &OrderRef,
        cancel_client_order_id: &str,
        now: u64,
    ) -> Result<Order, Reject> {
        let index = self.venue_index(symbol)?;
        let order = self
            .find(account, symbol, by)
            .filter(|o| o.status.is_open())
            .ok_or(Reject::UnknownOrder)?;
        let (id, side, price) = (order.id, order.side, order.price);
        let venue = &mut self.venues[index];
        venue.book.remove(side, price, id);
        self.ledger.release(id, venue.assets());
        let order = self.ledger.orders.get_mut(&id).expect("order found above");
        order.status = Status::Canceled;
        order.update_time = now;
        let order = order.clone();
        let canceled = Execution::Canceled {
            cancel_client_order_id: cancel_client_order_id.to_string(),
        };
        self.ledger.events.order(&order, canceled, now);
        self.ledger.accounts.get_mut(account).update_time = now;
        self.ledger.publish_position(account, venue.assets(), now);
        venue.publish();
        tracing::info!(order_id = id, symbol, "order canceled");
        Ok(order)
    }
}
