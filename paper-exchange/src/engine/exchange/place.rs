//! Placing an order: symbol filters, the worst-case balance check, execution against the book,
//! then resting, expiring or completing the rest.

use rust_decimal::Decimal;

use super::ledger::{Assets, Role};
use super::{Exchange, Reject, Venue};
use crate::config::SymbolConfig;
use crate::engine::accounts::AccountId;
use crate::engine::book::{Maker, Take, Want};
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

/// The book's liquidity an order would take, and the quantity and value of it. For a
/// fill-or-kill order that cannot fill, `takes` is empty while `filled` and `cost` still say
/// what the book had.
struct Plan {
    takes: Vec<Take>,
    filled: Decimal,
    cost: Decimal,
}

impl Exchange {
    /// Places an order for `account`. Either the whole request applies or nothing does:
    /// every check comes before the first change.
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
        let venue = &self.venues[index];
        check_filters(&venue.config, &request.kind, mid)?;
        let plan = plan(venue, request.side, request.kind)?;
        let assets = venue.assets();
        let (asset, needed) =
            worst_case_debit(request.side, request.kind, assets, plan.filled, plan.cost);
        if self.ledger.accounts.get(account).free(asset) < needed {
            return Err(Reject::InsufficientBalance);
        }

        let kind = request.kind;
        let mut order = new_order(
            self.ledger.next_order_id(),
            account,
            request,
            plan.filled,
            now,
        );
        self.ledger.events.order(&order, Execution::New, now);
        self.execute_takes(index, &mut order, &plan.takes, now);
        self.rest_or_expire(index, &mut order, kind, now);
        self.ledger.accounts.get_mut(account).update_time = now;
        self.venues[index].publish();
        self.ledger
            .publish_position(account, self.venues[index].assets(), now);
        tracing::info!(
            order_id = order.id,
            symbol = %order.symbol,
            side = order.side.as_str(),
            r#type = order.order_type.as_str(),
            status = order.status.as_str(),
            executed = %order.executed_qty,
            "order placed"
        );
        self.ledger.orders.insert(order.id, order.clone());
        Ok(order)
    }

    /// Executes the planned `takes` for the taker `order`: the book loses them, both sides'
    /// balances settle, and resting makers fill.
    fn execute_takes(&mut self, index: usize, order: &mut Order, takes: &[Take], now: u64) {
        let venue = &mut self.venues[index];
        venue.book.apply(order.side, takes);
        let assets = venue.assets();
        for take in takes {
            let trade_id = self.ledger.next_trade_id();
            let fill = self.ledger.settle(
                order.account,
                assets,
                order.side,
                Role::Taker,
                take.price,
                take.qty,
                trade_id,
            );
            order.execute(take.price, take.qty, now);
            self.ledger.record_taker_trade(order, &fill, now);
            order.fills.push(fill);
            if let Maker::Order(maker_id) = take.maker {
                self.ledger
                    .fill_resting(maker_id, assets, take.qty, trade_id, now);
            }
        }
    }

    /// What is left of `order` after taking: a GTC limit or LIMIT_MAKER order rests on the
    /// book with its funds locked; anything else expires.
    fn rest_or_expire(&mut self, index: usize, order: &mut Order, kind: OrderKind, now: u64) {
        let remaining = order.remaining();
        if remaining.is_zero() {
            return;
        }
        let rests = matches!(order.order_type, OrderType::LimitMaker)
            || matches!(
                kind,
                OrderKind::Limit {
                    time_in_force: TimeInForce::Gtc,
                    ..
                }
            );
        if rests {
            let venue = &mut self.venues[index];
            let assets = venue.assets();
            let (asset, amount) = match order.side {
                Side::Buy => (assets.quote, order.price * remaining),
                Side::Sell => (assets.base, remaining),
            };
            self.ledger
                .accounts
                .get_mut(order.account)
                .lock(asset, amount);
            order.locked = amount;
            venue
                .book
                .rest(order.side, order.price, order.id, remaining);
        } else {
            order.status = Status::Expired;
            self.ledger.events.order(order, Execution::Expired, now);
        }
    }
}

/// Plans the order against `venue`'s book, refusing what Binance refuses before any change: a
/// LIMIT_MAKER order that would take, a `quoteOrderQty` market order with nothing to take.
fn plan(venue: &Venue, side: Side, kind: OrderKind) -> Result<Plan, Reject> {
    let (limit, want) = match kind {
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
    match kind {
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
    Ok(Plan {
        takes,
        filled,
        cost,
    })
}

/// The new order `id` as accepted, before any execution. A `quoteOrderQty` market order's
/// quantity is what the plan will fill (`filled`).
fn new_order(id: u64, account: AccountId, request: NewOrder, filled: Decimal, now: u64) -> Order {
    let (order_type, time_in_force, price, orig_qty, orig_quote_order_qty) = match request.kind {
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
    Order {
        id,
        account,
        symbol: request.symbol,
        client_order_id: request
            .client_order_id
            .unwrap_or_else(generate_client_order_id),
        side: request.side,
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
