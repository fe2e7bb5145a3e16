//! The ledger: accounts, orders and the money movements of every execution.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::trades::{Trade, Trades};
use crate::config::CommissionConfig;
use crate::engine::accounts::{AccountId, Accounts};
use crate::engine::orders::{Fill, Order, Side};
use crate::engine::user_data::{Execution, SpotEvent, UserEvents};

/// Decimal places of commissions (the symbols' commission precision).
const COMMISSION_DP: u32 = 8;

/// The two assets of a symbol.
#[derive(Clone, Copy, Debug)]
pub struct Assets<'a> {
    pub base: &'a str,
    pub quote: &'a str,
}

/// Accounts, all orders and trades ever made (kept for the life of the process), and trade
/// ids.
#[derive(Debug)]
pub struct Ledger {
    pub accounts: Accounts,
    pub orders: BTreeMap<u64, Order>,
    pub trades: Trades,
    commission: CommissionConfig,
    next_order_id: u64,
    next_trade_id: u64,
    /// The user data stream: every change of an order or a balance is published here.
    pub events: UserEvents<SpotEvent>,
}

/// Whether an execution takes or makes liquidity, and so which commission rate applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Taker,
    Maker,
}

impl Ledger {
    pub fn new(accounts: Accounts, commission: CommissionConfig) -> Self {
        Ledger {
            accounts,
            orders: BTreeMap::new(),
            trades: Trades::default(),
            commission,
            next_order_id: 1,
            next_trade_id: 1,
            events: UserEvents::default(),
        }
    }

    pub fn next_order_id(&mut self) -> u64 {
        let id = self.next_order_id;
        self.next_order_id += 1;
        id
    }

    /// The id of a new match; both sides of it carry it.
    pub fn next_trade_id(&mut self) -> u64 {
        let id = self.next_trade_id;
        self.next_trade_id += 1;
        id
    }

    pub fn commission(&self) -> &CommissionConfig {
        &self.commission
    }

    /// Moves the money of one execution for `account` on `side`: it pays the quote (buy) or
    /// base (sell), a taker from its free funds and a maker (a resting order) from the order's
    /// lock, and receives the other asset less the role's commission. `trade_id` names the
    /// match (from [`Ledger::next_trade_id`]).
    #[allow(clippy::too_many_arguments)]
    pub fn settle(
        &mut self,
        account: AccountId,
        assets: Assets<'_>,
        side: Side,
        role: Role,
        price: Decimal,
        qty: Decimal,
        trade_id: u64,
    ) -> Fill {
        let rate = match role {
            Role::Taker => self.commission.taker,
            Role::Maker => self.commission.maker,
        };
        let notional = price * qty;
        let (paid_asset, paid, received_asset, received) = match side {
            Side::Buy => (assets.quote, notional, assets.base, qty),
            Side::Sell => (assets.base, qty, assets.quote, notional),
        };
        let commission = (received * rate).round_dp(COMMISSION_DP);
        let account = self.accounts.get_mut(account);
        match role {
            Role::Taker => account.debit(paid_asset, paid),
            Role::Maker => account.debit_locked(paid_asset, paid),
        }
        account.credit(received_asset, received - commission);
        Fill {
            price,
            qty,
            commission,
            commission_asset: received_asset.to_string(),
            trade_id,
        }
    }

    /// Executes `qty` of resting order `order_id` at its price, paying from its lock, in the
    /// match `trade_id`; records and publishes the maker's trade and balances.
    pub fn fill_resting(
        &mut self,
        order_id: u64,
        assets: Assets<'_>,
        qty: Decimal,
        trade_id: u64,
        now: u64,
    ) {
        let Some(order) = self.orders.get(&order_id) else {
            return;
        };
        let (account, side, price) = (order.account, order.side, order.price);
        let fill = self.settle(account, assets, side, Role::Maker, price, qty, trade_id);
        let order = self
            .orders
            .get_mut(&order_id)
            .expect("order looked up above");
        order.execute(price, qty, now);
        order.locked -= match side {
            Side::Buy => price * qty,
            Side::Sell => qty,
        };
        record_trade(&mut self.trades, &mut self.events, order, &fill, true, now);
        self.accounts.get_mut(account).update_time = now;
        self.publish_position(account, assets, now);
    }

    /// Records one execution of `order` (not yet in [`Ledger::orders`]: a new order taking
    /// liquidity) and publishes its `executionReport`.
    pub fn record_taker_trade(&mut self, order: &Order, fill: &Fill, now: u64) {
        record_trade(&mut self.trades, &mut self.events, order, fill, false, now);
    }

    /// Publishes `account`'s balances of the two assets of a symbol.
    pub fn publish_position(&self, account: AccountId, assets: Assets<'_>, now: u64) {
        self.events.position(
            account,
            self.accounts.get(account),
            [assets.base, assets.quote],
            now,
        );
    }

    /// Returns an order's remaining lock to the free funds (on cancel or expiry).
    pub fn release(&mut self, order_id: u64, assets: Assets<'_>) {
        let Some(order) = self.orders.get_mut(&order_id) else {
            return;
        };
        let asset = match order.side {
            Side::Buy => assets.quote,
            Side::Sell => assets.base,
        };
        let locked = std::mem::take(&mut order.locked);
        self.accounts.get_mut(order.account).unlock(asset, locked);
    }
}

/// Keeps one execution of `order` (already applied to it) for `myTrades` and the tickers, and
/// publishes its `executionReport`.
fn record_trade(
    trades: &mut Trades,
    events: &mut UserEvents<SpotEvent>,
    order: &Order,
    fill: &Fill,
    maker: bool,
    now: u64,
) {
    trades.record(Trade::new(order, fill, maker, now));
    events.order(
        order,
        Execution::Trade {
            fill: fill.clone(),
            maker,
        },
        now,
    );
}
