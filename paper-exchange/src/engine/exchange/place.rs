//! Placing an order: symbol filters, the worst-case balance check, execution against the book,
//! then resting, expiring or completing the rest.

use rust_decimal::Decimal;

use super::ledger::{Assets, Role};
use super::{Exchange, Reject};
use crate::config::SymbolConfig;
use crate::engine::accounts::AccountId;
use crate::engine::book::{Maker, Want};
use crate::engine::orders::{
    Order, OrderType, Side, Status, TimeInForce, generate_client_order_id,
};
use crate::engine::user_data::Execution;

/// A validated new order request.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub kind: OrderKind,
    /// `newClientOrderId`; generated when absent.
    pub client_order_id: Option<String>,
}

/// What the order asks for, by type.
#[derive(Clone, Copy, Debug)]
pub enum OrderKind {
    Limit {
        price: Decimal,
        qty: Decimal,
        time_in_force: TimeInForce,
    },
    LimitMaker {
        price: Decimal,
        qty: Decimal,
    },
    Market(MarketSize),
}

/// A market order's size.
#[derive(Clone, Copy, Debug)]
pub enum MarketSize {
    /// `quantity`: base asset.
    Base(Decimal),
    /// `quoteOrderQty`: quote asset to spend (buy) or receive (sell).
    Quote(Decimal),
}

impl Exchange {
    /// Places an order for `account`. Either the whole request applies or nothing does.
    pub fn place(
        &mut self,
        account: AccountId,
        request: NewOrder,
        now: u64,
    ) -> Result<Order, Reject> {
        let index = self.venue_index(&request.symbol)?;
        if let Some(client_id) = &request.client_order_id {
            let duplicate = self.ledger.orders.values().any(|o| {
                o.account == account && o.status.is_open() && &o.client_order_id == client_id
            });
            if duplicate {
                return Err(Reject::DuplicateOrder);
            }
        }
        let mid = self.mid(index);
        let venue = &mut self.venues[index];
        check_filters(&venue.config, &request.kind, mid)?;

        let side = request.side;
        let (limit, want) = match request.kind {
            OrderKind::Limit { price, qty, .. } | OrderKind::LimitMaker { price, qty } => {
                (Some(price), Want::Base(qty))
            }
            OrderKind::Market(MarketSize::Base(qty)) => (None, Want::Base(qty)),
            OrderKind::Market(MarketSize::Quote(amount)) => (
                None,
                Want::Quote {
                    amount,
                    step: venue.config.step_size,
                },
            ),
        };
        let mut takes = venue.book.plan(side, limit, want);
        let filled: Decimal = takes.iter().map(|t| t.qty).sum();
        let cost: Decimal = takes.iter().map(|t| t.price * t.qty).sum();
        match request.kind {
            OrderKind::LimitMaker { .. } if !takes.is_empty() => return Err(Reject::WouldTake),
            OrderKind::Market(MarketSize::Quote(_)) if takes.is_empty() => {
                return Err(Reject::NoLiquidity);
            }
            // fill-or-kill: all or nothing, and nothing is not an error but an expired order
            OrderKind::Limit {
                qty,
                time_in_force: TimeInForce::Fok,
                ..
            } if filled < qty => takes.clear(),
            _ => {}
        }

        let assets = venue.assets();
        let (asset, needed) = worst_case_debit(side, request.kind, assets, filled, cost);
        if self.ledger.accounts.get(account).free(asset) < needed {
            return Err(Reject::InsufficientBalance);
        }

        let id = self.ledger.next_order_id();
        let (order_type, time_in_force, price, orig_qty, orig_quote_order_qty) = match request.kind
        {
            OrderKind::Limit {
                price,
                qty,
                time_in_force,
            } => (OrderType::Limit, time_in_force, price, qty, Decimal::ZERO),
            OrderKind::LimitMaker { price, qty } => (
                OrderType::LimitMaker,
                TimeInForce::Gtc,
                price,
                qty,
                Decimal::ZERO,
            ),
            OrderKind::Market(MarketSize::Base(qty)) => (
                OrderType::Market,
                TimeInForce::Gtc,
                Decimal::ZERO,
                qty,
                Decimal::ZERO,
            ),
            OrderKind::Market(MarketSize::Quote(amount)) => (
                OrderType::Market,
                TimeInForce::Gtc,
                Decimal::ZERO,
                filled,
                amount,
            ),
        };
        let mut order = Order {
            id,
            account,
            symbol: request.symbol,
            client_order_id: request
                .client_order_id
                .unwrap_or_else(generate_client_order_id),
            side,
            order_type,
            time_in_force,
            price,
            orig_qty,
            orig_quote_order_qty,
            executed_qty: Decimal::ZERO,
            cummulative_quote_qty: Decimal::ZERO,
            status: Status::New,
            time: now,
            update_time: now,
            locked: Decimal::ZERO,
            fills: Vec::new(),
        };

        self.ledger.events.order(&order, Execution::New, now);
        let venue = &mut self.venues[index];
        venue.book.apply(side, &takes);
        let assets = venue.assets();
        for take in &takes {
            let trade_id = self.ledger.next_trade_id();
            let fill = self.ledger.settle(
                account,
                assets,
                side,
                Role::Taker,
                take.price,
                take.qty,
                trade_id,
            );
            order.execute(take.price, take.qty, now);
            self.ledger.record_taker_trade(&order, &fill, now);
            order.fills.push(fill);
            if let Maker::Order(maker_id) = take.maker {
                self.ledger
                    .fill_resting(maker_id, assets, take.qty, trade_id, now);
            }
        }

        let remaining = order.remaining();
        if !remaining.is_zero() {
            let rests = matches!(order_type, OrderType::LimitMaker)
                || matches!(
                    request.kind,
                    OrderKind::Limit {
                        time_in_force: TimeInForce::Gtc,
                        ..
                    }
                );
            if rests {
                let (asset, amount) = match side {
                    Side::Buy => (assets.quote, price * remaining),
                    Side::Sell => (assets.base, remaining),
                };
                self.ledger.accounts.get_mut(account).lock(asset, amount);
                order.locked = amount;
                venue.book.rest(side, price, id, remaining);
            } else {
                order.status = Status::Expired;
                self.ledger.events.order(&order, Execution::Expired, now);
            }
        }
        self.ledger.accounts.get_mut(account).update_time = now;
        venue.publish();
        self.ledger
            .publish_position(account, self.venues[index].assets(), now);
        tracing::info!(
            order_id = id,
            symbol = %order.symbol,
            side = side.as_str(),
            r#type = order_type.as_str(),
            status = order.status.as_str(),
            executed = %order.executed_qty,
            "order placed"
        );
        self.ledger.orders.insert(id, order.clone());
        Ok(order)
    }
}

/// The asset and amount an order may take from the free funds at most: a limit buy's full
/// price times quantity, a market buy's planned cost or quote amount, a sell's base quantity.
/// `filled` and `cost` are the planned executions' quantity and value.
fn worst_case_debit<'a>(
    side: Side,
    kind: OrderKind,
    assets: Assets<'a>,
    filled: Decimal,
    cost: Decimal,
) -> (&'a str, Decimal) {
    match (side, kind) {
        (Side::Buy, OrderKind::Limit { price, qty, .. } | OrderKind::LimitMaker { price, qty }) => {
            (assets.quote, price * qty)
        }
        (Side::Buy, OrderKind::Market(MarketSize::Base(_))) => (assets.quote, cost),
        (Side::Buy, OrderKind::Market(MarketSize::Quote(amount))) => (assets.quote, amount),
        (Side::Sell, OrderKind::Limit { qty, .. } | OrderKind::LimitMaker { qty, .. }) => {
            (assets.base, qty)
        }
        (Side::Sell, OrderKind::Market(MarketSize::Base(qty))) => (assets.base, qty),
        (Side::Sell, OrderKind::Market(MarketSize::Quote(_))) => (assets.base, filled),
    }
}

/// PRICE_FILTER, LOT_SIZE and NOTIONAL, in Binance's order. A market order's notional is
/// valued at the mid (Binance uses a recent average price).
fn check_filters(symbol: &SymbolConfig, kind: &OrderKind, mid: Decimal) -> Result<(), Reject> {
    let on_grid = |value: Decimal, min: Decimal, step: Decimal| ((value - min) % step).is_zero();
    let price_ok = |price: Decimal| {
        price >= symbol.tick_size
            && price <= symbol.max_price
            && on_grid(price, symbol.tick_size, symbol.tick_size)
    };
    let qty_ok = |qty: Decimal| {
        qty >= symbol.min_qty
            && qty <= symbol.max_qty
            && on_grid(qty, symbol.min_qty, symbol.step_size)
    };
    let notional = match *kind {
        OrderKind::Limit { price, qty, .. } | OrderKind::LimitMaker { price, qty } => {
            if !price_ok(price) {
                return Err(Reject::Filter("PRICE_FILTER"));
            }
            if !qty_ok(qty) {
                return Err(Reject::Filter("LOT_SIZE"));
            }
            price * qty
        }
        OrderKind::Market(MarketSize::Base(qty)) => {
            if !qty_ok(qty) {
                return Err(Reject::Filter("LOT_SIZE"));
            }
            mid * qty
        }
        OrderKind::Market(MarketSize::Quote(amount)) => amount,
    };
    if notional < symbol.min_notional {
        return Err(Reject::Filter("NOTIONAL"));
    }
    Ok(())
}
