//! Placing a futures order: filters, reduce-only trimming, the margin check, execution
//! against the perpetual's book, then resting, expiring or completing the rest.

use rust_decimal::Decimal;

use super::events::{Execution, account_update, order_trade_update};
use super::{FilterFailure, Futures, FuturesOrder, FuturesReject, money};
use crate::config::SymbolConfig;
use crate::engine::accounts::AccountId;
use crate::engine::book::{Book, Maker, Take, Want};
use crate::engine::exchange::Exchange;
use crate::engine::orders::{
    Order, OrderType, Side, Status, TimeInForce, generate_client_order_id,
};

/// A validated new futures order request.
#[derive(Clone, Debug)]
pub struct NewFuturesOrder {
    pub symbol: String,
    pub side: Side,
    /// `quantity`, in the base asset.
    pub qty: Decimal,
    /// `Some` for LIMIT orders (with their time in force), `None` for MARKET.
    pub limit: Option<(Decimal, TimeInForce)>,
    pub reduce_only: bool,
    /// `newClientOrderId`; generated when absent.
    pub client_order_id: Option<String>,
}

/// Whether an execution takes or makes liquidity, and so which commission rate applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Taker,
    Maker,
}

impl Exchange {
    /// Places a futures order for `account`. Either the whole request applies or nothing
    /// does: every check comes before the first change. Returns the order as it was accepted
    /// (the ACK answer) and as it is now.
    pub fn place_futures(
        &mut self,
        account: AccountId,
        request: NewFuturesOrder,
        now: u64,
    ) -> Result<(FuturesOrder, FuturesOrder), FuturesReject> {
        let index = self.perp_index(&request.symbol)?;
        if let Some(client_id) = &request.client_order_id {
            // Binance: "a unique id among open orders"; a finished order's id may be reused
            let duplicate = self.futures.orders.values().any(|o| {
                o.order.account == account
                    && &o.order.client_order_id == client_id
                    && o.order.status.is_open()
            });
            if duplicate {
                return Err(FuturesReject::DuplicateClientOrderId);
            }
        }
        let mark = self.mid(index);
        let config = &self.venues[index].config;
        check_filters(config, &request)?;

        let position = self.futures.position(account, &request.symbol);
        let reducible = position.reducible(request.side == Side::Buy);
        // reduce-only: never opens or increases; more than the position is trimmed to it
        let qty = if request.reduce_only {
            if reducible.is_zero() {
                return Err(FuturesReject::ReduceOnly);
            }
            request.qty.min(reducible)
        } else {
            request.qty
        };
        let notional_price = request.limit.map_or(mark, |(price, _)| price);
        if !request.reduce_only && qty * notional_price < config.min_notional {
            return Err(FuturesReject::Filter(FilterFailure::Notional));
        }

        let (takes, filled) = self.plan_futures(index, &request, qty);
        if !request.reduce_only {
            let opening = Opening {
                qty,
                reducible,
                filled,
                notional_price,
            };
            self.check_opening(account, &request.symbol, &opening, &takes)?;
        }

        let id = self.futures.next_order_id();
        let mut order = new_futures_order(id, account, request, qty, now);
        let accepted = order.clone();
        let futures = &mut self.futures;
        let book = self.venues[index]
            .perp
            .as_mut()
            .expect("perp_index found a perp");
        futures.publish(order_trade_update(&order, &Execution::New, now));
        futures.execute_takes(book, &mut order, &takes, now);
        futures.rest_or_expire(book, &mut order, now);
        tracing::info!(
            order_id = order.order.id,
            symbol = %order.order.symbol,
            side = order.order.side.as_str(),
            r#type = order.order.order_type.as_str(),
            status = order.order.status.as_str(),
            executed = %order.order.executed_qty,
            "futures order placed"
        );
        futures.orders.insert(order.order.id, order.clone());
        Ok((accepted, order))
    }

    /// The perpetual's liquidity the order would take for `qty`, and the quantity of it. For a
    /// fill-or-kill order that cannot fill the takes are empty, the quantity still what the
    /// book had.
    fn plan_futures(
        &self,
        index: usize,
        request: &NewFuturesOrder,
        qty: Decimal,
    ) -> (Vec<Take>, Decimal) {
        let book = self.venues[index]
            .perp
            .as_ref()
            .expect("perp_index found a perp");
        let mut takes = book.plan(request.side, request.limit.map(|(p, _)| p), Want::Base(qty));
        let filled: Decimal = takes.iter().map(|t| t.qty).sum();
        if matches!(request.limit, Some((_, TimeInForce::Fok))) && filled < qty {
            takes.clear();
        }
        (takes, filled)
    }

    /// Refuses an order whose part that opens or increases the position would take the
    /// position past the bracket's notional cap, or needs more initial margin (and
    /// commission) than is available. Both are valued at the planned fills and the limit
    /// price for the rest.
    fn check_opening(
        &self,
        account: AccountId,
        symbol: &str,
        opening: &Opening,
        takes: &[Take],
    ) -> Result<(), FuturesReject> {
        let Opening {
            qty,
            reducible,
            filled,
            notional_price,
        } = *opening;
        let cost: Decimal = takes.iter().map(|t| t.price * t.qty).sum();
        let average = if filled.is_zero() {
            notional_price
        } else {
            cost / filled
        };
        let opened = (qty - reducible).max(Decimal::ZERO);
        // the position after it, valued at the order's prices, within the bracket's cap
        let position = self.futures.position(account, symbol);
        let cap = self.futures.bracket().notional_cap;
        if (position.amt.abs() - reducible + opened) * average > cap {
            return Err(FuturesReject::MaxNotional);
        }
        let leverage = self.futures.leverage(account, symbol);
        let needed =
            opened * average / leverage + qty * average * self.futures.config.taker_commission;
        if needed > self.futures_margins(account).available() {
            return Err(FuturesReject::Margin);
        }
        Ok(())
    }
}

/// What the margin check of a new order needs: its quantity after reduce-only trimming, the
/// part of it that reduces the position, the planned fills' quantity, and the price the rest
/// is valued at (the limit price, or the mark for a market order).
#[derive(Clone, Copy)]
struct Opening {
    qty: Decimal,
    reducible: Decimal,
    filled: Decimal,
    notional_price: Decimal,
}

/// The new futures order `id` as accepted, for `qty` (after reduce-only trimming), before any
/// execution.
fn new_futures_order(
    id: u64,
    account: AccountId,
    request: NewFuturesOrder,
    qty: Decimal,
    now: u64,
) -> FuturesOrder {
    let (order_type, time_in_force, price) = match request.limit {
        Some((price, tif)) => (OrderType::Limit, tif, price),
        None => (OrderType::Market, TimeInForce::Gtc, Decimal::ZERO),
    };
    FuturesOrder {
        order: Order {
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
            orig_qty: qty,
            orig_quote_order_qty: Decimal::ZERO,
            executed_qty: Decimal::ZERO,
            cummulative_quote_qty: Decimal::ZERO,
            status: Status::New,
            time: now,
            update_time: now,
            locked: Decimal::ZERO,
            fills: Vec::new(),
        },
        reduce_only: request.reduce_only,
    }
}

impl Futures {
    /// Executes the planned `takes` for the taker `order`: the book loses them, the order
    /// executes, and resting makers fill.
    fn execute_takes(
        &mut self,
        book: &mut Book,
        order: &mut FuturesOrder,
        takes: &[Take],
        now: u64,
    ) {
        book.apply(order.order.side, takes);
        for take in takes {
            self.execute(order, Role::Taker, take.price, take.qty, now);
            if let Maker::Order(maker_id) = take.maker {
                self.fill_maker(book, maker_id, take.price, take.qty, now);
            }
        }
    }

    /// What is left of `order` after taking: a GTC limit order rests on the book; anything
    /// else expires.
    fn rest_or_expire(&mut self, book: &mut Book, order: &mut FuturesOrder, now: u64) {
        let remaining = order.order.remaining();
        if remaining.is_zero() {
            return;
        }
        let gtc_limit = matches!(order.order.order_type, OrderType::Limit)
            && matches!(order.order.time_in_force, TimeInForce::Gtc);
        if gtc_limit {
            book.rest(
                order.order.side,
                order.order.price,
                order.order.id,
                remaining,
            );
        } else {
            order.order.status = Status::Expired;
            order.order.update_time = now;
            self.publish(order_trade_update(order, &Execution::Expired, now));
        }
    }

    /// Executes `qty` of `order` at `price`: the position moves, the wallet books the realized
    /// profit less the commission, and both are published.
    pub(crate) fn execute(
        &mut self,
        order: &mut FuturesOrder,
        role: Role,
        price: Decimal,
        qty: Decimal,
        now: u64,
    ) {
        let rate = match role {
            Role::Taker => self.config.taker_commission,
            Role::Maker => self.config.maker_commission,
        };
        let commission = money(price * qty * rate);
        let signed = match order.order.side {
            Side::Buy => qty,
            Side::Sell => -qty,
        };
        let trade_id = self.next_trade_id();
        let account = &mut self.accounts[order.order.account.0];
        let position = account
            .positions
            .entry(order.order.symbol.clone())
            .or_default();
        let realized = money(position.apply(signed, price, now));
        account.wallet += realized - commission;
        account.update_time = now;
        order.order.execute(price, qty, now);
        let execution = Execution::Trade {
            price,
            qty,
            commission,
            trade_id,
            maker: role == Role::Maker,
            realized,
        };
        self.publish(order_trade_update(order, &execution, now));
        let account = &self.accounts[order.order.account.0];
        let position = &account.positions[&order.order.symbol];
        self.publish(account_update(
            order.order.account,
            account,
            &order.order.symbol,
            position,
            price,
            now,
        ));
    }

    /// Fills `qty` of the resting order `order_id` at `price`, as a maker. A reduce-only order
    /// fills only what still reduces the position; the rest of it is taken off `book` and
    /// expires.
    pub(crate) fn fill_maker(
        &mut self,
        book: &mut Book,
        order_id: u64,
        price: Decimal,
        qty: Decimal,
        now: u64,
    ) {
        let Some(mut order) = self.orders.get(&order_id).cloned() else {
            return;
        };
        let qty = if order.reduce_only {
            let position = self.position(order.order.account, &order.order.symbol);
            qty.min(position.reducible(order.order.side == Side::Buy))
        } else {
            qty
        };
        if !qty.is_zero() {
            self.execute(&mut order, Role::Maker, price, qty, now);
        }
        if order.reduce_only && order.order.status.is_open() {
            let position = self.position(order.order.account, &order.order.symbol);
            if position.reducible(order.order.side == Side::Buy).is_zero() {
                book.remove(order.order.side, order.order.price, order_id);
                order.order.status = Status::Expired;
                order.order.update_time = now;
                self.publish(order_trade_update(&order, &Execution::Expired, now));
            }
        }
        self.orders.insert(order_id, order);
    }
}

/// PRICE_FILTER and LOT_SIZE (MARKET_LOT_SIZE is the same), with futures' codes. The
/// notional is checked after reduce-only trimming.
fn check_filters(symbol: &SymbolConfig, request: &NewFuturesOrder) -> Result<(), FuturesReject> {
    let fail = |failure| Err(FuturesReject::Filter(failure));
    let on_grid = |value: Decimal, min: Decimal, step: Decimal| ((value - min) % step).is_zero();
    if let Some((price, _)) = request.limit {
        if price < symbol.tick_size {
            return fail(FilterFailure::PriceBelowMin);
        }
        if price > symbol.max_price {
            return fail(FilterFailure::PriceAboveMax);
        }
        if !on_grid(price, symbol.tick_size, symbol.tick_size) {
            return fail(FilterFailure::PriceOffTick);
        }
    }
    if request.qty < symbol.min_qty {
        return fail(FilterFailure::QtyBelowMin);
    }
    if request.qty > symbol.max_qty {
        return fail(FilterFailure::QtyAboveMax);
    }
    if !on_grid(request.qty, symbol.min_qty, symbol.step_size) {
        return fail(FilterFailure::QtyOffStep);
    }
    Ok(())
}
