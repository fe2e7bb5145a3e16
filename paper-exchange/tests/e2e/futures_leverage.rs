//! The perpetuals' leverage over real sockets: the bracket table, leverage per symbol and the
//! margin the engine then asks, and the one-way position mode.

use std::time::Duration;

use hedgeflow_paper_exchange::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Client, Exchange, assert_error, dec, dec_of};

/// An exchange whose account has `usdt` in its futures wallet, and whose market stays still
/// (one tick, as it starts) so that margins read at different times agree.
async fn exchange_with(usdt: &str) -> Exchange {
    let mut config = Config {
        seed: Some(9),
        tick_interval: Duration::from_secs(3600),
        ..Config::default()
    };
    config.accounts[0].futures_usdt = dec(usdt);
    let exchange = Exchange::start(config).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    exchange
}

async fn set_leverage(client: &Client, leverage: &str) -> (StatusCode, Value) {
    let params = [("symbol", "ETHUSDT"), ("leverage", leverage)];
    client
        .signed(Method::POST, "/fapi/v1/leverage", &params)
        .await
}

async fn buy(client: &Client, params: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut all = vec![("symbol", "ETHUSDT"), ("side", "BUY")];
    all.extend_from_slice(params);
    client.signed(Method::POST, "/fapi/v1/order", &all).await
}

async fn market_buy(client: &Client, qty: &str) -> (StatusCode, Value) {
    buy(client, &[("type", "MARKET"), ("quantity", qty)]).await
}

/// The account's ETHUSDT position entry (`/fapi/v2/account`) and positionRisk entry.
async fn eth_position(client: &Client) -> (Value, Value) {
    let (status, account) = client.signed(Method::GET, "/fapi/v2/account", &[]).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    let position = account["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["symbol"] == "ETHUSDT")
        .unwrap()
        .clone();
    let params = [("symbol", "ETHUSDT")];
    let (status, risk) = client
        .signed(Method::GET, "/fapi/v2/positionRisk", &params)
        .await;
    assert_eq!(status, StatusCode::OK, "{risk}");
    (position, risk[0].clone())
}

#[tokio::test]
async fn the_bracket_table_lists_every_perpetual() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let bracket = json!([{
        "bracket": 1,
        "initialLeverage": 125,
        "notionalCap": 9_000_000.0,
        "notionalFloor": 0.0,
        "maintMarginRatio": 0.004,
        "cum": 0.0,
    }]);
    let (status, all) = client
        .signed(Method::GET, "/fapi/v1/leverageBracket", &[])
        .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        all,
        json!([
            { "symbol": "ETHUSDT", "brackets": bracket },
            { "symbol": "BTCUSDT", "brackets": bracket },
        ])
    );
    let params = [("symbol", "BTCUSDT")];
    let (status, one) = client
        .signed(Method::GET, "/fapi/v1/leverageBracket", &params)
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one, json!({ "symbol": "BTCUSDT", "brackets": bracket }));
    let params = [("symbol", "ETHBTC")];
    let not_perpetual = client
        .signed(Method::GET, "/fapi/v1/leverageBracket", &params)
        .await;
    assert_error(&not_perpetual, StatusCode::BAD_REQUEST, -1121);
}

#[tokio::test]
async fn leverage_is_set_per_symbol_and_margins_orders_and_positions() {
    let exchange = exchange_with("1000").await;
    let client = exchange.client();
    for bad in ["0", "126"] {
        assert_error(
            &set_leverage(&client, bad).await,
            StatusCode::BAD_REQUEST,
            -4028,
        );
    }
    assert_error(
        &set_leverage(&client, "2.5").await,
        StatusCode::BAD_REQUEST,
        -1100,
    );
    let params = [("symbol", "ETHUSDT")];
    let missing = client
        .signed(Method::POST, "/fapi/v1/leverage", &params)
        .await;
    assert_error(&missing, StatusCode::BAD_REQUEST, -1102);

    // 1,000 USDT at 1x cannot hold 0.5 ETH (~1,500); at 2x it can
    let (status, answer) = set_leverage(&client, "1").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!({ "leverage": 1, "maxNotionalValue": "9000000", "symbol": "ETHUSDT" })
    );
    assert_error(
        &market_buy(&client, "0.5").await,
        StatusCode::BAD_REQUEST,
        -2019,
    );
    assert_eq!(set_leverage(&client, "2").await.0, StatusCode::OK);
    let (status, bought) = market_buy(&client, "0.5").await;
    assert_eq!(status, StatusCode::OK, "{bought}");

    let (position, risk) = eth_position(&client).await;
    assert_eq!(
        (&position["leverage"], &risk["leverage"]),
        (&json!("2"), &json!("2"))
    );
    let notional = dec_of(&risk["notional"]);
    assert_eq!(
        dec_of(&position["positionInitialMargin"]),
        (notional / dec("2")).round_dp(8)
    );
    let (status, account) = client.signed(Method::GET, "/fapi/v2/account", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let btc = account["positions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["symbol"] == "BTCUSDT")
        .unwrap();
    assert_eq!(btc["leverage"], "20", "the default elsewhere");

    // back to 1x would need ~1,500 of initial margin: refused, the leverage stays
    assert_error(
        &set_leverage(&client, "1").await,
        StatusCode::BAD_REQUEST,
        -2028,
    );
    assert_eq!(eth_position(&client).await.1["leverage"], "2");
    assert_eq!(set_leverage(&client, "5").await.0, StatusCode::OK);
    assert_eq!(eth_position(&client).await.1["leverage"], "5");
}

#[tokio::test]
async fn a_position_past_the_brackets_cap_is_refused() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    assert_eq!(set_leverage(&client, "125").await.0, StatusCode::OK);
    // far below the market, so nothing fills: 5,000 ETH at 2,000 is 10,000,000 of notional
    let order = |qty| {
        [
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("price", "2000"),
            ("quantity", qty),
        ]
    };
    assert_error(
        &buy(&client, &order("5000")).await,
        StatusCode::BAD_REQUEST,
        -2027,
    );
    let (status, resting) = buy(&client, &order("4000")).await;
    assert_eq!(status, StatusCode::OK, "{resting}");
}

#[tokio::test]
async fn the_position_mode_is_one_way_only() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let path = "/fapi/v1/positionSide/dual";
    let mode = |value| [("dualSidePosition", value)];
    let (status, current) = client.signed(Method::GET, path, &[]).await;
    assert_eq!(
        (status, current),
        (StatusCode::OK, json!({ "dualSidePosition": false }))
    );
    let (status, answer) = client.signed(Method::POST, path, &mode("false")).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({ "code": 200, "msg": "success" }))
    );
    let hedge = client.signed(Method::POST, path, &mode("true")).await;
    assert_error(&hedge, StatusCode::BAD_REQUEST, -1020);
    assert_error(
        &client.signed(Method::POST, path, &mode("yes")).await,
        StatusCode::BAD_REQUEST,
        -1100,
    );
    assert_error(
        &client.signed(Method::POST, path, &[]).await,
        StatusCode::BAD_REQUEST,
        -1102,
    );

    // what Binance answers when orders or a position forbid the change
    let resting = [
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("price", "2000"),
        ("quantity", "0.01"),
        ("newClientOrderId", "resting-1"),
    ];
    assert_eq!(buy(&client, &resting).await.0, StatusCode::OK);
    let hedge = client.signed(Method::POST, path, &mode("true")).await;
    assert_error(&hedge, StatusCode::BAD_REQUEST, -4067);
    let cancel = [("symbol", "ETHUSDT"), ("origClientOrderId", "resting-1")];
    let (status, _) = client
        .signed(Method::DELETE, "/fapi/v1/order", &cancel)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(market_buy(&client, "0.01").await.0, StatusCode::OK);
    let hedge = client.signed(Method::POST, path, &mode("true")).await;
    assert_error(&hedge, StatusCode::BAD_REQUEST, -4068);
}
