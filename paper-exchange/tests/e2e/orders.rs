//! Orders, balances and Binance's error codes over a real socket.

use std::time::Duration;

use hedgeflow_paper_exchange::Config;
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{Client, Exchange, assert_error, dec, dec_of};

/// Best bid and ask of `symbol`.
async fn best(client: &Client, symbol: &str) -> (Decimal, Decimal) {
    let (status, depth) = client
        .get(&format!("/api/v3/depth?symbol={symbol}&limit=5"))
        .await;
    assert_eq!(status, StatusCode::OK, "{depth}");
    (dec_of(&depth["bids"][0][0]), dec_of(&depth["asks"][0][0]))
}

/// Rounds down to the ETHUSDT tick.
fn to_tick(price: Decimal) -> Decimal {
    (price * Decimal::from(100)).floor() / Decimal::from(100)
}

async fn place(client: &Client, params: &[(&str, &str)]) -> (StatusCode, Value) {
    client.signed(Method::POST, "/api/v3/order", params).await
}

#[tokio::test]
async fn a_resting_order_locks_funds_shows_in_the_book_and_cancels() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (usdt_free, usdt_locked) = client.balance("USDT").await;
    assert_eq!(usdt_locked, Decimal::ZERO);

    let (bid, _) = best(&client, "ETHUSDT").await;
    let price = to_tick(bid * dec("0.8")).to_string();
    let params = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "0.5"),
        ("price", price.as_str()),
        ("newClientOrderId", "my-order-1"),
    ];
    let (status, order) = place(&client, &params).await;
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "NEW");
    assert_eq!(order["clientOrderId"], "my-order-1");
    assert_eq!(order["origQty"], "0.50000000");
    assert_eq!(order["executedQty"], "0.00000000");
    assert_eq!(order["orderListId"], -1);
    assert_eq!(order["fills"], serde_json::json!([]));
    let order_id = order["orderId"].as_u64().unwrap();
    let cost = dec(&price) * dec("0.5");
    assert_eq!(client.balance("USDT").await, (usdt_free - cost, cost));

    // the same client order id while the first is open
    assert_error(
        &place(&client, &params).await,
        StatusCode::BAD_REQUEST,
        -2010,
    );

    let (_, depth) = client.get("/api/v3/depth?symbol=ETHUSDT&limit=1000").await;
    let level = depth["bids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| dec_of(&l[0]) == dec(&price))
        .cloned();
    assert_eq!(
        level.map(|l| dec_of(&l[1])),
        Some(dec("0.5")),
        "resting order missing from the book"
    );

    let id = order_id.to_string();
    let (status, by_id) = client
        .signed(
            Method::GET,
            "/api/v3/order",
            &[("symbol", "ETHUSDT"), ("orderId", &id)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{by_id}");
    assert_eq!(
        (by_id["status"].as_str(), by_id["isWorking"].as_bool()),
        (Some("NEW"), Some(true))
    );
    assert_eq!(dec_of(&by_id["price"]), dec(&price));
    let by_client_id = [("symbol", "ETHUSDT"), ("origClientOrderId", "my-order-1")];
    let (_, by_client) = client
        .signed(Method::GET, "/api/v3/order", &by_client_id)
        .await;
    assert_eq!(by_client["orderId"], order_id);
    let mismatch = [
        ("symbol", "ETHUSDT"),
        ("orderId", id.as_str()),
        ("origClientOrderId", "other"),
    ];
    assert_error(
        &client.signed(Method::GET, "/api/v3/order", &mismatch).await,
        StatusCode::BAD_REQUEST,
        -2013,
    );

    let (_, open) = client
        .signed(Method::GET, "/api/v3/openOrders", &[("symbol", "ETHUSDT")])
        .await;
    assert_eq!(open.as_array().map(|o| o.len()), Some(1), "{open}");
    let (_, all_open) = client.signed(Method::GET, "/api/v3/openOrders", &[]).await;
    assert_eq!(all_open[0]["orderId"], order_id);

    let (status, canceled) = client
        .signed(Method::DELETE, "/api/v3/order", &by_client_id)
        .await;
    assert_eq!(status, StatusCode::OK, "{canceled}");
    assert_eq!(canceled["status"], "CANCELED");
    assert_eq!(canceled["origClientOrderId"], "my-order-1");
    assert_ne!(canceled["clientOrderId"], "my-order-1");
    assert_eq!(client.balance("USDT").await, (usdt_free, Decimal::ZERO));
    let (_, open) = client
        .signed(Method::GET, "/api/v3/openOrders", &[("symbol", "ETHUSDT")])
        .await;
    assert_eq!(open, serde_json::json!([]));

    let again = client
        .signed(
            Method::DELETE,
            "/api/v3/order",
            &[("symbol", "ETHUSDT"), ("orderId", &id)],
        )
        .await;
    assert_error(&again, StatusCode::BAD_REQUEST, -2011);
    let (_, after) = client
        .signed(
            Method::GET,
            "/api/v3/order",
            &[("symbol", "ETHUSDT"), ("orderId", &id)],
        )
        .await;
    assert_eq!(after["status"], "CANCELED");
    let unknown = client
        .signed(
            Method::GET,
            "/api/v3/order",
            &[("symbol", "ETHUSDT"), ("orderId", "999999")],
        )
        .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, -2013);
    // the freed client order id can be used again
    assert_eq!(place(&client, &params).await.0, StatusCode::OK);
}

#[tokio::test]
async fn takers_get_fills_with_commission_and_balances_follow() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (eth_before, _) = client.balance("ETH").await;
    let (usdt_before, _) = client.balance("USDT").await;

    let (status, bought) = place(
        &client,
        &[
            ("symbol", "ETHUSDT"),
            ("side", "BUY"),
            ("type", "MARKET"),
            ("quantity", "12"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{bought}");
    assert_eq!(bought["status"], "FILLED");
    assert_eq!(bought["executedQty"], "12.00000000");
    let fills = bought["fills"].as_array().unwrap();
    assert!(
        fills.len() > 1,
        "12 ETH should walk several levels: {bought}"
    );
    let mut commission = Decimal::ZERO;
    let mut previous_price = Decimal::ZERO;
    for fill in fills {
        assert_eq!(fill["commissionAsset"], "ETH");
        assert_eq!(
            dec_of(&fill["commission"]),
            (dec_of(&fill["qty"]) * dec("0.001")).round_dp(8)
        );
        assert!(
            dec_of(&fill["price"]) >= previous_price,
            "fills walk up the asks"
        );
        previous_price = dec_of(&fill["price"]);
        commission += dec_of(&fill["commission"]);
    }
    let spent = dec_of(&bought["cummulativeQuoteQty"]);
    let fills_value: Decimal = fills
        .iter()
        .map(|f| dec_of(&f["price"]) * dec_of(&f["qty"]))
        .sum();
    assert_eq!(spent, fills_value);
    assert_eq!(
        client.balance("ETH").await.0,
        eth_before + dec("12") - commission
    );
    assert_eq!(client.balance("USDT").await.0, usdt_before - spent);

    let quote_sell = [
        ("symbol", "ETHUSDT"),
        ("side", "SELL"),
        ("type", "MARKET"),
        ("quoteOrderQty", "100"),
        ("newOrderRespType", "RESULT"),
    ];
    let (status, sold) = place(&client, &quote_sell).await;
    assert_eq!(status, StatusCode::OK, "{sold}");
    assert_eq!(sold["status"], "FILLED");
    assert_eq!(sold["origQuoteOrderQty"], "100.00000000");
    assert!(sold.get("fills").is_none(), "RESULT has no fills: {sold}");
    let received = dec_of(&sold["cummulativeQuoteQty"]);
    assert!(received <= dec("100") && received > dec("99"), "{sold}");

    let ack = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "MARKET"),
        ("quantity", "0.01"),
        ("newOrderRespType", "ACK"),
    ];
    let (_, acked) = place(&client, &ack).await;
    let mut keys: Vec<_> = acked.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "clientOrderId",
            "orderId",
            "orderListId",
            "symbol",
            "transactTime"
        ]
    );

    let (bid, ask) = best(&client, "ETHUSDT").await;
    let far = to_tick(bid * dec("0.5")).to_string();
    let ioc = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "IOC"),
        ("quantity", "1"),
        ("price", far.as_str()),
    ];
    let (_, expired) = place(&client, &ioc).await;
    assert_eq!(
        (expired["status"].as_str(), expired["executedQty"].as_str()),
        (Some("EXPIRED"), Some("0.00000000"))
    );
    let ask_price = ask.to_string();
    let fok = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "FOK"),
        ("quantity", "100"),
        ("price", ask_price.as_str()),
    ];
    let (_, killed) = place(&client, &fok).await;
    assert_eq!(killed["status"], "EXPIRED", "{killed}");
    assert_eq!(killed["fills"], serde_json::json!([]));
    // well above the ask, so it would take even if the market moved since `best`
    let above_ask = to_tick(ask * dec("1.01")).to_string();
    let maker = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT_MAKER"),
        ("quantity", "1"),
        ("price", above_ask.as_str()),
    ];
    let would_take = place(&client, &maker).await;
    assert_error(&would_take, StatusCode::BAD_REQUEST, -2010);
    assert_eq!(
        would_take.1["msg"],
        "Order would immediately match and take."
    );
}

/// Parameters added to a LIMIT GTC buy of ETHUSDT, the expected code, and the expected message
/// (empty: any).
type Case = (&'static [(&'static str, &'static str)], i64, &'static str);

#[tokio::test]
async fn bad_input_gets_binance_errors_and_http_statuses() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    assert_error(
        &client.get("/api/v3/depth").await,
        StatusCode::BAD_REQUEST,
        -1102,
    );
    assert_error(
        &client.get("/api/v3/depth?symbol=FOOBAR").await,
        StatusCode::BAD_REQUEST,
        -1121,
    );
    assert_error(
        &client.get("/api/v3/depth?symbol=ETHUSDT&limit=abc").await,
        StatusCode::BAD_REQUEST,
        -1100,
    );
    assert_error(
        &client.get("/api/v3/exchangeInfo?symbol=FOOBAR").await,
        StatusCode::BAD_REQUEST,
        -1121,
    );
    assert_eq!(client.get("/api/v3/nothing").await.0, StatusCode::NOT_FOUND);

    let order = |extra: &'static [(&'static str, &'static str)]| {
        let mut params = vec![
            ("symbol", "ETHUSDT"),
            ("side", "BUY"),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
        ];
        params.extend_from_slice(extra);
        params
    };
    let cases: [Case; 8] = [
        (
            &[("quantity", "1"), ("price", "1000.001")],
            -1013,
            "Filter failure: PRICE_FILTER",
        ),
        (
            &[("quantity", "0.00001"), ("price", "1000")],
            -1013,
            "Filter failure: LOT_SIZE",
        ),
        (
            &[("quantity", "0.001"), ("price", "1000")],
            -1013,
            "Filter failure: NOTIONAL",
        ),
        (&[("quantity", "abc"), ("price", "1000")], -1100, ""),
        (&[("quantity", "0.123456789"), ("price", "1000")], -1111, ""),
        (
            &[("price", "1000")],
            -1102,
            "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
        ),
        (
            &[("quantity", "8000"), ("price", "3000")],
            -2010,
            "Account has insufficient balance for requested action.",
        ),
        (
            &[("quantity", "1"), ("price", "1000"), ("symbol", "FOOBAR")],
            -1121,
            "Invalid symbol.",
        ),
    ];
    for (extra, code, msg) in cases {
        let mut params = order(extra);
        if let Some(symbol) = extra.iter().find(|(k, _)| *k == "symbol") {
            params.retain(|(k, _)| *k != "symbol");
            params.insert(0, *symbol);
        }
        let response = place(&client, &params).await;
        assert_error(&response, StatusCode::BAD_REQUEST, code);
        if !msg.is_empty() {
            assert_eq!(response.1["msg"], msg);
        }
    }
    let oversell = [
        ("symbol", "ETHUSDT"),
        ("side", "SELL"),
        ("type", "MARKET"),
        ("quantity", "1000"),
    ];
    assert_error(
        &place(&client, &oversell).await,
        StatusCode::BAD_REQUEST,
        -2010,
    );
    let no_ref = client
        .signed(Method::DELETE, "/api/v3/order", &[("symbol", "ETHUSDT")])
        .await;
    assert_error(&no_ref, StatusCode::BAD_REQUEST, -1102);
    // a rejected order changes nothing
    assert_eq!(
        client.balance("USDT").await,
        (dec("1000000"), Decimal::ZERO)
    );
}

#[tokio::test]
async fn exchange_info_lists_symbols_with_binance_filters() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (status, info) = client.get("/api/v3/exchangeInfo").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let names: Vec<_> = info["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ETHUSDT", "BTCUSDT", "ETHBTC"]);
    let (_, one) = client.get("/api/v3/exchangeInfo?symbol=ETHBTC").await;
    let symbol = &one["symbols"][0];
    assert_eq!(
        (
            symbol["status"].as_str(),
            symbol["baseAsset"].as_str(),
            symbol["quoteAsset"].as_str()
        ),
        (Some("TRADING"), Some("ETH"), Some("BTC"))
    );
    let filters: Vec<_> = symbol["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filterType"].as_str().unwrap())
        .collect();
    assert_eq!(filters, ["PRICE_FILTER", "LOT_SIZE", "NOTIONAL"]);
    assert_eq!(symbol["filters"][0]["tickSize"], "0.00001000");
    let (_, listed) = client
        .get("/api/v3/exchangeInfo?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D")
        .await;
    assert_eq!(
        listed["symbols"].as_array().map(|s| s.len()),
        Some(2),
        "{listed}"
    );
    let (_, time) = client.get("/api/v3/time").await;
    assert!(time["serverTime"].as_u64().is_some());
    assert_eq!(
        client.get("/api/v3/ping").await,
        (StatusCode::OK, serde_json::json!({}))
    );
}

#[tokio::test]
async fn the_moving_market_fills_resting_orders() {
    let mut config = Config {
        seed: Some(11),
        ..Config::default()
    };
    // a very volatile ETHUSDT, so the market crosses one of the orders within a few ticks
    config.symbols[0].volatility = 200.0;
    let exchange = Exchange::start(config).await;
    let client = exchange.client();
    let (eth_before, _) = client.balance("ETH").await;
    let (usdt_before, _) = client.balance("USDT").await;
    let (bid, ask) = best(&client, "ETHUSDT").await;
    let mut ids = Vec::new();
    // 2 % away: the published book can lag the matching one by a tick, and at this volatility
    // one tick moves about 1 %, so closer orders were sometimes crossed on arrival; at 2 % they
    // rest first and are crossed within a few seconds
    let (below, above) = (to_tick(bid * dec("0.98")), to_tick(ask * dec("1.02")));
    for (side, price) in [("BUY", below.to_string()), ("SELL", above.to_string())] {
        let params = [
            ("symbol", "ETHUSDT"),
            ("side", side),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", "0.01"),
            ("price", price.as_str()),
        ];
        let (status, order) = place(&client, &params).await;
        assert_eq!(
            (status, order["status"].as_str()),
            (StatusCode::OK, Some("NEW")),
            "{order}"
        );
        ids.push(order["orderId"].to_string());
    }

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let filled = loop {
        let mut filled = Vec::new();
        for id in &ids {
            let (_, order) = client
                .signed(
                    Method::GET,
                    "/api/v3/order",
                    &[("symbol", "ETHUSDT"), ("orderId", id)],
                )
                .await;
            if order["status"] == "FILLED" {
                filled.push(order);
            }
        }
        if !filled.is_empty() {
            break filled;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the market never crossed a resting order"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for id in &ids {
        client
            .signed(
                Method::DELETE,
                "/api/v3/order",
                &[("symbol", "ETHUSDT"), ("orderId", id)],
            )
            .await;
    }
    // settle: the orders that ended FILLED, each at its own price, maker commission 0.1 %
    let mut expected_eth = eth_before;
    let mut expected_usdt = usdt_before;
    for id in &ids {
        let (_, order) = client
            .signed(
                Method::GET,
                "/api/v3/order",
                &[("symbol", "ETHUSDT"), ("orderId", id)],
            )
            .await;
        if order["status"] != "FILLED" {
            assert_eq!(order["status"], "CANCELED");
            continue;
        }
        assert_eq!(order["executedQty"], "0.01000000");
        let value = dec_of(&order["price"]) * dec("0.01");
        assert_eq!(dec_of(&order["cummulativeQuoteQty"]), value);
        if order["side"] == "BUY" {
            expected_eth += dec("0.01") * dec("0.999");
            expected_usdt -= value;
        } else {
            expected_eth -= dec("0.01");
            expected_usdt += (value * dec("0.999")).round_dp(8);
        }
    }
    assert!(!filled.is_empty());
    assert_eq!(client.balance("ETH").await, (expected_eth, Decimal::ZERO));
    assert_eq!(client.balance("USDT").await, (expected_usdt, Decimal::ZERO));
}
