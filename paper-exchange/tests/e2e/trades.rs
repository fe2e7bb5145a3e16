//! The account's trades (`GET /api/v3/myTrades`) and the public tickers (`ticker/24hr`,
//! `ticker/price`, `ticker/bookTicker`) over a real socket, with Binance's shapes and errors.

use std::time::Duration;

use hedgeflow_paper_exchange::Config;
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{Client, Exchange, assert_error, dec, dec_of};

/// A request's parameters.
type Query<'a> = &'a [(&'a str, &'a str)];

const MAKER_KEY: &str = "trades-maker-key";
const MAKER_SECRET: &str = "trades-maker-secret";

/// The default exchange with a market that stays still (one tick, at start), so that a
/// resting order is only ever filled by a taker, and a second funded account.
async fn still_exchange() -> (Exchange, Client, Client) {
    let mut config = Config {
        seed: Some(5),
        tick_interval: Duration::from_secs(3600),
        ..Config::default()
    };
    let mut maker = config.accounts[0].clone();
    maker.api_key = MAKER_KEY.into();
    maker.secret_key = MAKER_SECRET.into();
    config.accounts.push(maker);
    let exchange = Exchange::start(config).await;
    // past the market's one tick, which happens as it starts
    tokio::time::sleep(Duration::from_millis(300)).await;
    let taker = exchange.client();
    let maker = Client::new(exchange.base_url(), MAKER_KEY, MAKER_SECRET);
    (exchange, taker, maker)
}

async fn order(client: &Client, params: &[(&str, &str)]) -> Value {
    let (status, order) = client.signed(Method::POST, "/api/v3/order", params).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    order
}

async fn market(client: &Client, side: &str, qty: &str) -> Value {
    let params = [
        ("symbol", "ETHUSDT"),
        ("side", side),
        ("type", "MARKET"),
        ("quantity", qty),
    ];
    order(client, &params).await
}

async fn my_trades(client: &Client, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut all = vec![("symbol", "ETHUSDT")];
    all.extend_from_slice(params);
    client.signed(Method::GET, "/api/v3/myTrades", &all).await
}

async fn ok_trades(client: &Client, params: &[(&str, &str)]) -> Vec<Value> {
    let (status, trades) = my_trades(client, params).await;
    assert_eq!(status, StatusCode::OK, "{trades}");
    trades.as_array().unwrap().clone()
}

fn ids(trades: &[Value]) -> Vec<u64> {
    trades.iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

async fn ticker(client: &Client, query: &str) -> Value {
    let (status, ticker) = client.get(&format!("/api/v3/ticker/24hr?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{ticker}");
    ticker
}

#[tokio::test]
async fn both_sides_of_a_match_list_one_trade_with_their_commissions() {
    let (_exchange, taker, maker) = still_exchange().await;
    let (status, depth) = taker.get("/api/v3/depth?symbol=ETHUSDT&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    // one tick inside the spread: the best ask, taken before the synthetic liquidity
    let price = dec_of(&depth["asks"][0][0]) - dec("0.01");
    let resting = order(
        &maker,
        &[
            ("symbol", "ETHUSDT"),
            ("side", "SELL"),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", "0.5"),
            ("price", &price.to_string()),
        ],
    )
    .await;
    let bought = market(&taker, "BUY", "0.3").await;
    assert_eq!(bought["fills"][0]["price"], resting["price"], "{bought}");

    let taker_trades = ok_trades(&taker, &[]).await;
    let maker_trades = ok_trades(&maker, &[]).await;
    assert_eq!((taker_trades.len(), maker_trades.len()), (1, 1));
    let (bought_trade, sold_trade) = (&taker_trades[0], &maker_trades[0]);
    assert_eq!(bought_trade["id"], bought["fills"][0]["tradeId"]);
    assert_eq!(bought_trade["id"], sold_trade["id"], "one match, one id");
    let notional = price * dec("0.3");
    assert_eq!(bought_trade["orderId"], bought["orderId"]);
    assert_eq!(bought_trade["symbol"], "ETHUSDT");
    assert_eq!(dec_of(&bought_trade["price"]), price);
    assert_eq!(dec_of(&bought_trade["qty"]), dec("0.3"));
    assert_eq!(dec_of(&bought_trade["quoteQty"]), notional);
    assert_eq!(dec_of(&bought_trade["commission"]), dec("0.0003"));
    assert_eq!(bought_trade["commissionAsset"], "ETH");
    assert_eq!(
        (
            &bought_trade["isBuyer"],
            &bought_trade["isMaker"],
            &bought_trade["isBestMatch"]
        ),
        (&true.into(), &false.into(), &true.into())
    );
    assert_eq!(sold_trade["orderId"], resting["orderId"]);
    assert_eq!(dec_of(&sold_trade["commission"]), notional * dec("0.001"));
    assert_eq!(sold_trade["commissionAsset"], "USDT");
    assert_eq!(
        (&sold_trade["isBuyer"], &sold_trade["isMaker"]),
        (&false.into(), &true.into())
    );
    assert!(sold_trade["time"].as_u64().unwrap() > 0);

    // the market counts the match once
    let stats = ticker(&taker, "symbol=ETHUSDT").await;
    assert_eq!(stats["count"], 1, "{stats}");
    assert_eq!(dec_of(&stats["volume"]), dec("0.3"));
    assert_eq!(stats["firstId"], bought_trade["id"]);
    assert_eq!(dec_of(&stats["lastPrice"]), price);
}

#[tokio::test]
async fn trades_are_selected_by_order_id_time_and_limit() {
    let (_exchange, taker, _maker) = still_exchange().await;
    let start = crate::support::now_ms();
    let mut orders = Vec::new();
    for qty in ["0.1", "0.2", "20"] {
        orders.push(market(&taker, "BUY", qty).await);
    }
    let all = ok_trades(&taker, &[]).await;
    // the 20 ETH walk several levels
    assert!(all.len() >= 4, "{all:?}");
    assert!(ids(&all).windows(2).all(|w| w[0] < w[1]), "oldest first");

    let last_order = orders[2]["orderId"].to_string();
    let of_order = ok_trades(&taker, &[("orderId", &last_order)]).await;
    assert_eq!(of_order.len(), orders[2]["fills"].as_array().unwrap().len());
    let qty: Decimal = of_order.iter().map(|t| dec_of(&t["qty"])).sum();
    assert_eq!(qty, dec("20"));
    let second = ids(&of_order)[1].to_string();
    let from = [("orderId", last_order.as_str()), ("fromId", &second)];
    assert_eq!(ids(&ok_trades(&taker, &from).await), ids(&of_order)[1..]);

    assert_eq!(
        ids(&ok_trades(&taker, &[("limit", "2")]).await),
        ids(&all)[all.len() - 2..]
    );
    let second_id = ids(&all)[1].to_string();
    let from_two = [("fromId", second_id.as_str()), ("limit", "2")];
    assert_eq!(ids(&ok_trades(&taker, &from_two).await), ids(&all)[1..3]);
    let start = start.to_string();
    let since = [("startTime", start.as_str()), ("limit", "1")];
    assert_eq!(ids(&ok_trades(&taker, &since).await), ids(&all)[..1]);
    let end = (crate::support::now_ms() + 1).to_string();
    let between = [("startTime", start.as_str()), ("endTime", end.as_str())];
    assert_eq!(ids(&ok_trades(&taker, &between).await), ids(&all));
    // endTime is inclusive, and the first trade may fall in `start`'s own millisecond.
    let just_before = (dec(&start) - Decimal::ONE).to_string();
    let before = [("endTime", just_before.as_str())];
    assert!(ok_trades(&taker, &before).await.is_empty());
    let other = [("symbol", "BTCUSDT")];
    let (status, btc) = taker.signed(Method::GET, "/api/v3/myTrades", &other).await;
    assert_eq!((status, btc), (StatusCode::OK, Value::Array(vec![])));

    let too_long = (dec(&start) + Decimal::from(24 * 3600 * 1000 + 1)).to_string();
    let errors: [(Query, i64); 5] = [
        (&[("startTime", &start), ("endTime", &too_long)], -1127),
        (&[("orderId", "1"), ("startTime", &start)], -1128),
        (&[("limit", "1001")], -1102),
        (&[("orderId", "x")], -1100),
        (&[("symbol", "NOPE")], -1121),
    ];
    for (params, code) in errors {
        let mut all = params.to_vec();
        if !params.iter().any(|(name, _)| *name == "symbol") {
            all.push(("symbol", "ETHUSDT"));
        }
        let answer = taker.signed(Method::GET, "/api/v3/myTrades", &all).await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
    }
    let no_symbol = taker.signed(Method::GET, "/api/v3/myTrades", &[]).await;
    assert_error(&no_symbol, StatusCode::BAD_REQUEST, -1102);
}

#[tokio::test]
async fn tickers_report_the_executions_of_the_last_day_and_the_book() {
    let (_exchange, client, _maker) = still_exchange().await;
    let quiet = ticker(&client, "symbol=ETHUSDT").await;
    let (status, depth) = client.get("/api/v3/depth?symbol=ETHUSDT&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    let (bid, ask) = (&depth["bids"][0], &depth["asks"][0]);
    // no execution yet: the synthetic mid, no volume, no ids
    let mid = dec_of(&quiet["lastPrice"]);
    assert!(dec_of(&bid[0]) < mid && mid < dec_of(&ask[0]), "{quiet}");
    for field in ["openPrice", "highPrice", "lowPrice", "weightedAvgPrice"] {
        assert_eq!(dec_of(&quiet[field]), mid, "{field}: {quiet}");
    }
    assert_eq!(
        (&quiet["count"], &quiet["firstId"], &quiet["lastId"]),
        (&0.into(), &(-1).into(), &(-1).into())
    );
    assert_eq!(quiet["volume"], "0.00000000");
    assert_eq!(quiet["priceChangePercent"], "0.000");
    assert_eq!((&quiet["bidPrice"], &quiet["bidQty"]), (&bid[0], &bid[1]));
    assert_eq!((&quiet["askPrice"], &quiet["askQty"]), (&ask[0], &ask[1]));
    let window = quiet["closeTime"].as_u64().unwrap() - quiet["openTime"].as_u64().unwrap();
    assert_eq!(window, 24 * 3600 * 1000);

    let bought = market(&client, "BUY", "0.5").await;
    let sold = market(&client, "SELL", "0.25").await;
    let price = |order: &Value| dec_of(&order["fills"][0]["price"]);
    let stats = ticker(&client, "symbol=ETHUSDT").await;
    assert_eq!(stats["count"], 2, "{stats}");
    assert_eq!(dec_of(&stats["openPrice"]), price(&bought));
    assert_eq!(dec_of(&stats["lastPrice"]), price(&sold));
    assert_eq!(dec_of(&stats["lastQty"]), dec("0.25"));
    assert_eq!(dec_of(&stats["highPrice"]), price(&bought));
    assert_eq!(dec_of(&stats["lowPrice"]), price(&sold));
    assert_eq!(dec_of(&stats["volume"]), dec("0.75"));
    let quote = price(&bought) * dec("0.5") + price(&sold) * dec("0.25");
    assert_eq!(dec_of(&stats["quoteVolume"]), quote);
    assert_eq!(dec_of(&stats["priceChange"]), price(&sold) - price(&bought));
    assert_eq!(
        dec_of(&stats["weightedAvgPrice"]),
        (quote / dec("0.75")).round_dp(8)
    );

    let mini = ticker(&client, "symbol=ETHUSDT&type=MINI").await;
    assert_eq!(mini["lastPrice"], stats["lastPrice"]);
    assert!(mini.get("bidPrice").is_none() && mini.get("priceChange").is_none());
    let (status, price_ticker) = client.get("/api/v3/ticker/price?symbol=ETHUSDT").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        price_ticker,
        serde_json::json!({ "symbol": "ETHUSDT", "price": stats["lastPrice"] })
    );
    let (status, book) = client.get("/api/v3/ticker/bookTicker?symbol=ETHUSDT").await;
    assert_eq!(status, StatusCode::OK);
    let (_, depth) = client.get("/api/v3/depth?symbol=ETHUSDT&limit=1").await;
    assert_eq!(book["bidPrice"], depth["bids"][0][0]);
    assert_eq!(book["askQty"], depth["asks"][0][1]);

    // lists: every symbol, or those named, in their order
    for path in ["ticker/24hr", "ticker/price", "ticker/bookTicker"] {
        let (status, all) = client.get(&format!("/api/v3/{path}")).await;
        assert_eq!(status, StatusCode::OK, "{all}");
        let symbols: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["symbol"].as_str().unwrap())
            .collect();
        assert_eq!(symbols, ["ETHUSDT", "BTCUSDT", "ETHBTC"], "{path}");
        let named = "symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D";
        let (status, some) = client.get(&format!("/api/v3/{path}?{named}")).await;
        assert_eq!(status, StatusCode::OK, "{some}");
        assert_eq!(some[0]["symbol"], "BTCUSDT");
        assert_eq!(some.as_array().unwrap().len(), 2);
        let halted = client
            .get(&format!("/api/v3/{path}?symbolStatus=HALT"))
            .await;
        assert_eq!(halted, (StatusCode::OK, Value::Array(vec![])));
    }

    let errors = [
        ("symbol=NOPE", -1121),
        ("symbols=%5B%22ETHUSDT%22,%22NOPE%22%5D", -1121),
        ("symbols=ETHUSDT", -1100),
        ("symbol=ETHUSDT&symbols=%5B%22ETHUSDT%22%5D", -1106),
        ("symbol=ETHUSDT&type=HUGE", -1139),
        ("symbol=ETHUSDT&symbolStatus=BREAK", -1220),
        ("symbolStatus=SLEEPING", -1122),
    ];
    for (query, code) in errors {
        let answer = client.get(&format!("/api/v3/ticker/24hr?{query}")).await;
        assert_error(&answer, StatusCode::BAD_REQUEST, code);
    }
}
