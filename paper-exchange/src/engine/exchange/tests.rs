//! Engine tests: makers and takers between accounts, the market crossing resting orders, and
//! determinism.

use rust_decimal::Decimal;

use super::place::{MarketSize, NewOrder, OrderKind};
use super::{Exchange, Reject};
use crate::config::{AccountConfig, Config};
use crate::engine::accounts::{AccountId, Balance};
use crate::engine::orders::{Side, Status, TimeInForce};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn config() -> Config {
    let mut config = Config {
        seed: Some(1),
        ..Config::default()
    };
    let second = AccountConfig {
        api_key: "b".into(),
        secret_key: "b".into(),
        public_key: None,
        balances: config.accounts[0].balances.clone(),
        futures_usdt: config.accounts[0].futures_usdt,
    };
    config.accounts.push(second);
    config
}

fn limit(side: Side, price: Decimal, qty: &str) -> NewOrder {
    NewOrder {
        symbol: "ETHUSDT".into(),
        side,
        kind: OrderKind::Limit {
            price,
            qty: d(qty),
            time_in_force: TimeInForce::Gtc,
        },
        client_order_id: None,
    }
}

fn balance(exchange: &Exchange, account: AccountId, asset: &str) -> Balance {
    exchange
        .ledger
        .accounts
        .get(account)
        .balances
        .get(asset)
        .copied()
        .unwrap_or_default()
}

fn best(exchange: &Exchange) -> (Decimal, Decimal) {
    let snapshot = exchange.snapshot("ETHUSDT", 1).unwrap();
    (snapshot.bids[0].0, snapshot.asks[0].0)
}

#[test]
fn a_taker_fills_another_accounts_resting_order_first() {
    let mut exchange = Exchange::new(&config(), 1);
    let (maker, taker) = (AccountId(1), AccountId(0));
    let (_, ask) = best(&exchange);
    let inside = ask - d("0.01");
    let resting = exchange
        .place(maker, limit(Side::Sell, inside, "0.5"), 1)
        .unwrap();
    assert_eq!(resting.status, Status::New);
    assert_eq!(balance(&exchange, maker, "ETH").locked, d("0.5"));
    assert_eq!(best(&exchange).1, inside);

    let market = NewOrder {
        symbol: "ETHUSDT".into(),
        side: Side::Buy,
        kind: OrderKind::Market(MarketSize::Base(d("1"))),
        client_order_id: None,
    };
    let bought = exchange.place(taker, market, 2).unwrap();
    assert_eq!(bought.status, Status::Filled);
    assert_eq!(
        (bought.fills[0].price, bought.fills[0].qty),
        (inside, d("0.5"))
    );
    assert_eq!(bought.fills[1].price, ask);

    let maker_order = exchange
        .query(
            maker,
            "ETHUSDT",
            &super::manage::OrderRef {
                order_id: Some(resting.id),
                client_order_id: None,
            },
        )
        .unwrap();
    assert_eq!(
        (maker_order.status, maker_order.executed_qty),
        (Status::Filled, d("0.5"))
    );
    assert_eq!(
        balance(&exchange, maker, "ETH"),
        Balance {
            free: d("499.5"),
            locked: Decimal::ZERO
        }
    );
    // maker commission (0.1 %) on the USDT received
    let proceeds = inside * d("0.5");
    assert_eq!(
        balance(&exchange, maker, "USDT").free,
        d("1000000") + proceeds - (proceeds * d("0.001")).round_dp(8)
    );
}

#[test]
fn the_market_moving_through_a_resting_order_fills_it_at_its_price() {
    let mut config = config();
    config.symbols[0].volatility = 100.0;
    let mut exchange = Exchange::new(&config, 4);
    let account = AccountId(0);
    let (bid, ask) = best(&exchange);
    let buy = exchange
        .place(account, limit(Side::Buy, bid, "0.2"), 0)
        .unwrap();
    let sell = exchange
        .place(account, limit(Side::Sell, ask, "0.2"), 0)
        .unwrap();
    let status = |exchange: &Exchange, id| exchange.ledger.orders[&id].status;
    let mut ticks = 0;
    while status(&exchange, buy.id) == Status::New && status(&exchange, sell.id) == Status::New {
        exchange.tick(ticks);
        ticks += 1;
        assert!(ticks < 1000, "the market never crossed either order");
    }
    let filled = if status(&exchange, buy.id) == Status::Filled {
        &exchange.ledger.orders[&buy.id]
    } else {
        &exchange.ledger.orders[&sell.id]
    };
    assert_eq!(filled.status, Status::Filled);
    assert_eq!(filled.cummulative_quote_qty, filled.price * d("0.2"));
    assert_eq!(filled.locked, Decimal::ZERO);
    // the filled order no longer rests on the book at its price (unless synthetic liquidity sits there)
    let snapshot = exchange.snapshot("ETHUSDT", 1000).unwrap();
    let (bids, asks): (Vec<_>, Vec<_>) = (snapshot.bids, snapshot.asks);
    assert!(
        bids.first().unwrap().0 < asks.first().unwrap().0,
        "crossed book after a tick"
    );
}

#[test]
fn rejected_orders_change_nothing() {
    let mut exchange = Exchange::new(&config(), 1);
    let account = AccountId(0);
    let before = exchange.snapshot("ETHUSDT", 1000).unwrap();
    let too_big = limit(Side::Buy, d("3000"), "500");
    assert_eq!(
        exchange.place(account, too_big, 0).unwrap_err(),
        Reject::InsufficientBalance
    );
    let off_tick = limit(Side::Buy, d("3000.001"), "1");
    assert_eq!(
        exchange.place(account, off_tick, 0).unwrap_err(),
        Reject::Filter("PRICE_FILTER")
    );
    assert_eq!(exchange.snapshot("ETHUSDT", 1000).unwrap(), before);
    assert_eq!(
        balance(&exchange, account, "USDT"),
        Balance {
            free: d("1000000"),
            locked: Decimal::ZERO
        }
    );
    assert!(exchange.ledger.orders.is_empty());
}

#[test]
fn the_same_seed_and_requests_give_the_same_books() {
    let run = |seed| {
        let mut exchange = Exchange::new(&config(), seed);
        for now in 0..30 {
            exchange.tick(now);
        }
        let (bid, _) = best(&exchange);
        exchange
            .place(AccountId(0), limit(Side::Buy, bid - d("1"), "0.3"), 30)
            .unwrap();
        exchange.tick(31);
        ["ETHUSDT", "BTCUSDT", "ETHBTC"].map(|s| exchange.snapshot(s, 1000).unwrap())
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}
