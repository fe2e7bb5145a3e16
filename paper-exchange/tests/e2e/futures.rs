//! The perpetual futures market over real sockets: `/fapi` REST, positions and margin, the
//! mark price streams and the listen-key user data stream.

use std::time::Duration;

use futures::StreamExt;
use hedgeflow_paper_exchange::{Config, FaultConfig};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::support::{Client, Exchange, assert_error, dec, dec_of};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The taker commission of the default futures config.
const TAKER: &str = "0.0005";

/// An amount as the exchange prints it: 8 decimals.
fn printed(value: Decimal) -> String {
    let mut value = value.round_dp(8);
    value.rescale(8);
    value.to_string()
}

async fn order(client: &Client, params: &[(&str, &str)]) -> (StatusCode, Value) {
    client.signed(Method::POST, "/fapi/v1/order", params).await
}

/// A MARKET order answered with RESULT; panics unless it is accepted.
async fn market(client: &Client, side: &str, qty: &str, extra: &[(&str, &str)]) -> Value {
    let mut params = vec![
        ("symbol", "ETHUSDT"),
        ("side", side),
        ("type", "MARKET"),
        ("quantity", qty),
        ("newOrderRespType", "RESULT"),
    ];
    params.extend_from_slice(extra);
    let (status, answer) = order(client, &params).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn position_risk(client: &Client) -> Value {
    let (status, risk) = client
        .signed(
            Method::GET,
            "/fapi/v2/positionRisk",
            &[("symbol", "ETHUSDT")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{risk}");
    assert_eq!(risk.as_array().unwrap().len(), 1, "{risk}");
    risk[0].clone()
}

async fn wallet(client: &Client) -> Decimal {
    let (status, account) = client.signed(Method::GET, "/fapi/v2/account", &[]).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    dec_of(&account["totalWalletBalance"])
}

async fn mark(client: &Client) -> Decimal {
    let (status, index) = client.get("/fapi/v1/premiumIndex?symbol=ETHUSDT").await;
    assert_eq!(status, StatusCode::OK, "{index}");
    dec_of(&index["markPrice"])
}

/// The next text frame as JSON, within 5 s.
pub async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("no frame within 5 s")
            .expect("socket closed")
            .unwrap();
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

#[tokio::test]
async fn public_endpoints_list_the_usdt_perpetuals_and_their_mark_prices() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    assert_eq!(client.get("/fapi/v1/ping").await.1, serde_json::json!({}));
    assert!(
        client.get("/fapi/v1/time").await.1["serverTime"]
            .as_u64()
            .is_some()
    );

    let (status, info) = client.get("/fapi/v1/exchangeInfo").await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let symbols: Vec<&str> = info["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["symbol"].as_str().unwrap())
        .collect();
    // ETHBTC is not quoted in USDT: no perpetual
    assert_eq!(symbols, ["ETHUSDT", "BTCUSDT"]);
    let eth = &info["symbols"][0];
    assert_eq!(eth["contractType"], "PERPETUAL");
    assert_eq!(eth["marginAsset"], "USDT");
    let filter = |kind: &str| {
        eth["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["filterType"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {eth}"))
            .clone()
    };
    assert_eq!(filter("PRICE_FILTER")["tickSize"], "0.01000000");
    assert_eq!(filter("LOT_SIZE")["stepSize"], "0.00010000");
    assert_eq!(filter("MARKET_LOT_SIZE")["minQty"], "0.00010000");
    assert_eq!(filter("MIN_NOTIONAL")["notional"], "5.00000000");

    let (_, index) = client.get("/fapi/v1/premiumIndex?symbol=ETHUSDT").await;
    for field in [
        "symbol",
        "markPrice",
        "indexPrice",
        "estimatedSettlePrice",
        "lastFundingRate",
        "nextFundingTime",
        "interestRate",
        "time",
    ] {
        assert!(!index[field].is_null(), "{field} missing in {index}");
    }
    assert_eq!(index["markPrice"], index["indexPrice"]);
    assert_eq!(index["lastFundingRate"], "0.00010000");
    let mark = dec_of(&index["markPrice"]);
    assert!(mark > dec("2000") && mark < dec("4000"), "{index}");
    let next_funding = index["nextFundingTime"].as_u64().unwrap();
    assert_eq!(next_funding % (8 * 3600 * 1000), 0);
    assert!(next_funding > index["time"].as_u64().unwrap());
    let (_, all) = client.get("/fapi/v1/premiumIndex").await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert_error(
        &client.get("/fapi/v1/premiumIndex?symbol=ETHBTC").await,
        StatusCode::BAD_REQUEST,
        -1121,
    );
}

#[tokio::test]
async fn an_order_is_placed_queried_and_canceled() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let price = printed((mark(&client).await * dec("0.8")).round_dp(2));
    let params = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "0.5"),
        ("price", price.as_str()),
        ("positionSide", "BOTH"),
        ("newClientOrderId", "fut-1"),
    ];
    let (status, placed) = order(&client, &params).await;
    assert_eq!(status, StatusCode::OK, "{placed}");
    assert_eq!(placed["status"], "NEW");
    assert_eq!(placed["clientOrderId"], "fut-1");
    assert_eq!(placed["positionSide"], "BOTH");
    assert_eq!(placed["reduceOnly"], false);
    assert_eq!(placed["price"], price.as_str());
    let order_id = placed["orderId"].as_u64().unwrap().to_string();

    // the id is taken while its order is open
    assert_error(
        &order(&client, &params).await,
        StatusCode::BAD_REQUEST,
        -4116,
    );
    let mut hedge_mode = params;
    hedge_mode[6] = ("positionSide", "LONG");
    hedge_mode[7] = ("newClientOrderId", "fut-2");
    assert_error(
        &order(&client, &hedge_mode).await,
        StatusCode::BAD_REQUEST,
        -4061,
    );

    let by_id = client
        .signed(
            Method::GET,
            "/fapi/v1/order",
            &[("symbol", "ETHUSDT"), ("orderId", &order_id)],
        )
        .await;
    let by_client_id = [("symbol", "ETHUSDT"), ("origClientOrderId", "fut-1")];
    let by_client = client
        .signed(Method::GET, "/fapi/v1/order", &by_client_id)
        .await;
    assert_eq!(by_id.0, StatusCode::OK, "{}", by_id.1);
    assert_eq!(by_id.1, by_client.1);
    assert_eq!(by_id.1["executedQty"], "0.00000000");
    assert!(by_id.1["time"].as_u64().is_some());
    let (_, open) = client
        .signed(Method::GET, "/fapi/v1/openOrders", &[("symbol", "ETHUSDT")])
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");
    // an open order holds initial margin
    let (_, account) = client.signed(Method::GET, "/fapi/v2/account", &[]).await;
    assert_eq!(
        account["totalOpenOrderInitialMargin"],
        printed(dec(&price) * dec("0.5") / dec("20")).as_str()
    );

    let (status, canceled) = client
        .signed(Method::DELETE, "/fapi/v1/order", &by_client_id)
        .await;
    assert_eq!(status, StatusCode::OK, "{canceled}");
    assert_eq!(canceled["status"], "CANCELED");
    assert_error(
        &client
            .signed(Method::DELETE, "/fapi/v1/order", &by_client_id)
            .await,
        StatusCode::BAD_REQUEST,
        -2011,
    );
    let unknown = client
        .signed(
            Method::GET,
            "/fapi/v1/order",
            &[("symbol", "ETHUSDT"), ("origClientOrderId", "nope")],
        )
        .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, -2013);
    assert_eq!(unknown.1["msg"], "Order does not exist.");
    let (_, open) = client.signed(Method::GET, "/fapi/v1/openOrders", &[]).await;
    assert_eq!(open, serde_json::json!([]));

    // once its order is finished, the id may name a new order, which a query then finds
    let (status, again) = order(&client, &params).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_ne!(again["orderId"].as_u64().unwrap().to_string(), order_id);
    let (_, found) = client
        .signed(Method::GET, "/fapi/v1/order", &by_client_id)
        .await;
    assert_eq!(found["orderId"], again["orderId"], "{found}");
    assert_eq!(found["status"], "NEW");
}

#[tokio::test]
async fn the_default_ack_shows_the_order_as_accepted() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let params = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "MARKET"),
        ("quantity", "0.1"),
        ("newClientOrderId", "ack-1"),
    ];
    let (status, ack) = order(&client, &params).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!(
        (&ack["status"], &ack["executedQty"]),
        (&"NEW".into(), &"0.00000000".into())
    );
    let (_, now) = client
        .signed(
            Method::GET,
            "/fapi/v1/order",
            &[("symbol", "ETHUSDT"), ("origClientOrderId", "ack-1")],
        )
        .await;
    assert_eq!(
        (&now["status"], &now["executedQty"]),
        (&"FILLED".into(), &"0.10000000".into())
    );
}

#[tokio::test]
async fn a_position_is_opened_increased_reduced_and_closed() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let start = wallet(&client).await;
    let fee = |answer: &Value| dec_of(&answer["cumQuote"]) * dec(TAKER);

    let open = market(&client, "BUY", "0.5", &[]).await;
    assert_eq!(open["status"], "FILLED", "{open}");
    let increase = market(&client, "BUY", "0.5", &[]).await;
    // 0.5 + 0.5: the entry is the two fills' value over 1
    let entry = dec_of(&open["cumQuote"]) + dec_of(&increase["cumQuote"]);
    let risk = position_risk(&client).await;
    assert_eq!(risk["positionAmt"], "1.00000000");
    assert_eq!(risk["entryPrice"], printed(entry).as_str());
    let risk_mark = dec_of(&risk["markPrice"]);
    assert_eq!(
        risk["unRealizedProfit"],
        printed(risk_mark - entry).as_str()
    );
    assert_eq!(risk["notional"], printed(risk_mark).as_str());
    assert_eq!(
        (
            &risk["leverage"],
            &risk["marginType"],
            &risk["positionSide"]
        ),
        (&"20".into(), &"cross".into(), &"BOTH".into())
    );
    for field in ["liquidationPrice", "isolatedMargin", "updateTime"] {
        assert!(!risk[field].is_null(), "{field} missing in {risk}");
    }

    let reduce = market(&client, "SELL", "0.4", &[]).await;
    let realized_1 = dec_of(&reduce["cumQuote"]) - dec("0.4") * entry;
    let risk = position_risk(&client).await;
    assert_eq!(risk["positionAmt"], "0.60000000");
    assert_eq!(
        risk["entryPrice"],
        printed(entry).as_str(),
        "reducing keeps the entry"
    );

    let close = market(&client, "SELL", "0.6", &[("reduceOnly", "true")]).await;
    assert_eq!(close["reduceOnly"], true);
    let realized_2 = dec_of(&close["cumQuote"]) - dec("0.6") * entry;
    let risk = position_risk(&client).await;
    assert_eq!(
        (&risk["positionAmt"], &risk["entryPrice"]),
        (&"0.00000000".into(), &"0.00000000".into())
    );

    let fees = fee(&open) + fee(&increase) + fee(&reduce) + fee(&close);
    assert_eq!(
        wallet(&client).await,
        start + realized_1 + realized_2 - fees
    );
}

#[tokio::test]
async fn reduce_only_orders_never_open_increase_or_flip() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let reduce_only = |side: &'static str, qty: &'static str| {
        [
            ("symbol", "ETHUSDT"),
            ("side", side),
            ("type", "MARKET"),
            ("quantity", qty),
            ("reduceOnly", "true"),
            ("newOrderRespType", "RESULT"),
        ]
    };
    // flat: nothing to reduce
    assert_error(
        &order(&client, &reduce_only("SELL", "0.1")).await,
        StatusCode::BAD_REQUEST,
        -2022,
    );
    market(&client, "BUY", "0.5", &[]).await;
    // a buy would increase the long
    assert_error(
        &order(&client, &reduce_only("BUY", "0.1")).await,
        StatusCode::BAD_REQUEST,
        -2022,
    );
    // more than the position is trimmed to it: closed, not flipped
    let (status, trimmed) = order(&client, &reduce_only("SELL", "2")).await;
    assert_eq!(status, StatusCode::OK, "{trimmed}");
    assert_eq!(
        (
            &trimmed["origQty"],
            &trimmed["executedQty"],
            &trimmed["status"]
        ),
        (&"0.50000000".into(), &"0.50000000".into(), &"FILLED".into())
    );
    assert_eq!(position_risk(&client).await["positionAmt"], "0.00000000");
}

#[tokio::test]
async fn orders_beyond_the_margin_are_refused() {
    let mut config = Config {
        seed: Some(7),
        ..Config::default()
    };
    config.accounts[0].futures_usdt = dec("100");
    let exchange = Exchange::start(config).await;
    let client = exchange.client();
    // 1 ETH at ~3000 needs ~150 USDT of initial margin at 20x
    let params = |qty: &'static str| {
        [
            ("symbol", "ETHUSDT"),
            ("side", "BUY"),
            ("type", "MARKET"),
            ("quantity", qty),
        ]
    };
    let refused = order(&client, &params("1")).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, -2019);
    assert_eq!(refused.1["msg"], "Margin is insufficient.");
    assert_eq!(order(&client, &params("0.5")).await.0, StatusCode::OK);
    assert_error(
        &order(&client, &params("0.5")).await,
        StatusCode::BAD_REQUEST,
        -2019,
    );
    // reducing needs no margin
    let close = [
        ("symbol", "ETHUSDT"),
        ("side", "SELL"),
        ("type", "MARKET"),
        ("quantity", "0.5"),
    ];
    assert_eq!(order(&client, &close).await.0, StatusCode::OK);

    let (_, account) = client.signed(Method::GET, "/fapi/v2/account", &[]).await;
    for field in [
        "totalWalletBalance",
        "totalUnrealizedProfit",
        "totalMarginBalance",
        "totalInitialMargin",
        "totalMaintMargin",
        "availableBalance",
        "maxWithdrawAmount",
    ] {
        assert!(account[field].is_string(), "{field} missing in {account}");
    }
    assert_eq!(account["assets"][0]["asset"], "USDT");
    assert_eq!(
        account["positions"].as_array().unwrap().len(),
        2,
        "{account}"
    );
    assert_eq!(account["totalInitialMargin"], "0.00000000");
    assert!(
        dec_of(&account["totalWalletBalance"]) < dec("100"),
        "commissions were paid"
    );
}

#[tokio::test]
async fn a_lost_futures_placement_answer_still_applied_the_order() {
    let exchange = Exchange::start(Config {
        seed: Some(7),
        faults: FaultConfig {
            unknown_status_placements: 1,
            ..FaultConfig::default()
        },
        ..Config::default()
    })
    .await;
    let client = exchange.client();
    let params = [
        ("symbol", "ETHUSDT"),
        ("side", "BUY"),
        ("type", "MARKET"),
        ("quantity", "0.1"),
        ("newClientOrderId", "lost-1"),
    ];
    assert_error(
        &order(&client, &params).await,
        StatusCode::SERVICE_UNAVAILABLE,
        -1007,
    );
    let (status, found) = client
        .signed(
            Method::GET,
            "/fapi/v1/order",
            &[("symbol", "ETHUSDT"), ("origClientOrderId", "lost-1")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["status"], "FILLED");
}

#[tokio::test]
async fn mark_price_streams_push_mark_price_updates() {
    let exchange = Exchange::start_default().await;
    let (mut fast, _) = connect_async(exchange.ws_url("/ws/ethusdt@markPrice@1s"))
        .await
        .unwrap();
    let update = next(&mut fast).await;
    assert_eq!(
        (&update["e"], &update["s"]),
        (&"markPriceUpdate".into(), &"ETHUSDT".into()),
        "{update}"
    );
    for field in ["E", "p", "i", "P", "r", "T"] {
        assert!(!update[field].is_null(), "{field} missing in {update}");
    }
    assert_eq!(update["p"], update["i"]);
    let second = next(&mut fast).await;
    let gap = second["E"].as_u64().unwrap() - update["E"].as_u64().unwrap();
    assert!(
        (800..=1500).contains(&gap),
        "1 s stream came after {gap} ms"
    );

    let (mut slow, _) = connect_async(exchange.ws_url("/stream?streams=btcusdt@markPrice"))
        .await
        .unwrap();
    let wrapped = next(&mut slow).await;
    assert_eq!(wrapped["stream"], "btcusdt@markPrice");
    assert_eq!(wrapped["data"]["s"], "BTCUSDT");
}

#[tokio::test]
async fn the_listen_key_stream_delivers_order_and_account_updates() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let url = format!("{}/fapi/v1/listenKey", client.base);
    let no_key = Client::new(client.base.clone(), "", "");
    assert_error(
        &no_key.send_unsigned(Method::POST, &url, "").await,
        StatusCode::UNAUTHORIZED,
        -2014,
    );
    let (status, created) = client.send_unsigned(Method::POST, &url, "").await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let key = created["listenKey"].as_str().unwrap().to_string();
    assert_eq!(
        client.send_unsigned(Method::PUT, &url, "").await.0,
        StatusCode::OK
    );
    let (mut socket, _) = connect_async(exchange.ws_url(&format!("/ws/{key}")))
        .await
        .unwrap();

    market(&client, "BUY", "0.2", &[("newClientOrderId", "stream-1")]).await;
    let new = next(&mut socket).await;
    assert_eq!(
        (&new["e"], &new["o"]["x"], &new["o"]["X"]),
        (&"ORDER_TRADE_UPDATE".into(), &"NEW".into(), &"NEW".into()),
        "{new}"
    );
    let mut trades = Decimal::ZERO;
    while trades < dec("0.2") {
        let event = next(&mut socket).await;
        match event["e"].as_str() {
            Some("ORDER_TRADE_UPDATE") => {
                let o = &event["o"];
                assert_eq!(
                    (&o["c"], &o["x"], &o["N"], &o["ps"]),
                    (
                        &"stream-1".into(),
                        &"TRADE".into(),
                        &"USDT".into(),
                        &"BOTH".into()
                    ),
                    "{event}"
                );
                for field in [
                    "s", "S", "o", "f", "q", "p", "ap", "sp", "i", "l", "z", "L", "n", "T", "t",
                    "R", "rp",
                ] {
                    assert!(!o[field].is_null(), "{field} missing in {event}");
                }
                trades += dec_of(&o["l"]);
                assert_eq!(dec_of(&o["z"]), trades);
            }
            Some("ACCOUNT_UPDATE") => {
                assert_eq!(event["a"]["B"][0]["a"], "USDT", "{event}");
                assert_eq!(event["a"]["P"][0]["s"], "ETHUSDT", "{event}");
            }
            _ => panic!("unexpected event {event}"),
        }
    }
    let last = next(&mut socket).await;
    assert_eq!(last["e"], "ACCOUNT_UPDATE", "{last}");
    assert_eq!(last["a"]["P"][0]["pa"], "0.20000000");

    assert_eq!(
        client.send_unsigned(Method::DELETE, &url, "").await.0,
        StatusCode::OK
    );
    assert_eq!(next(&mut socket).await["e"], "listenKeyExpired");
    assert_error(
        &client.send_unsigned(Method::PUT, &url, "").await,
        StatusCode::BAD_REQUEST,
        -1125,
    );
}

#[tokio::test]
async fn the_moving_market_fills_resting_orders_as_a_maker() {
    let mut config = Config {
        seed: Some(11),
        ..Config::default()
    };
    config.symbols[0].volatility = 200.0;
    let exchange = Exchange::start(config).await;
    let client = exchange.client();
    let mark = mark(&client).await;
    // 2 % away, as in the spot test: one tick moves about 1 % at this volatility, so closer
    // orders were sometimes crossed on arrival and filled as takers
    let below = printed((mark * dec("0.98")).round_dp(2));
    let above = printed((mark * dec("1.02")).round_dp(2));
    for (side, price, id) in [("BUY", &below, "rest-buy"), ("SELL", &above, "rest-sell")] {
        let params = [
            ("symbol", "ETHUSDT"),
            ("side", side),
            ("type", "LIMIT"),
            ("timeInForce", "GTC"),
            ("quantity", "0.1"),
            ("price", price.as_str()),
            ("newClientOrderId", id),
            // RESULT, not the default ACK, so an order filled on arrival shows as FILLED
            ("newOrderRespType", "RESULT"),
        ];
        let (status, placed) = order(&client, &params).await;
        assert_eq!(
            (status, &placed["status"]),
            (StatusCode::OK, &"NEW".into()),
            "{placed}"
        );
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let filled = loop {
        assert!(
            tokio::time::Instant::now() < deadline,
            "neither resting order filled"
        );
        let (_, open) = client.signed(Method::GET, "/fapi/v1/openOrders", &[]).await;
        if open.as_array().unwrap().len() < 2 {
            let (_, buy) = client
                .signed(
                    Method::GET,
                    "/fapi/v1/order",
                    &[("symbol", "ETHUSDT"), ("origClientOrderId", "rest-buy")],
                )
                .await;
            let (_, sell) = client
                .signed(
                    Method::GET,
                    "/fapi/v1/order",
                    &[("symbol", "ETHUSDT"), ("origClientOrderId", "rest-sell")],
                )
                .await;
            break if buy["status"] == "FILLED" {
                (buy, dec("0.1"))
            } else {
                (sell, dec("-0.1"))
            };
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (filled, amt) = filled;
    assert_eq!(filled["status"], "FILLED", "{filled}");
    // a maker fill at the order's own price
    assert_eq!(filled["avgPrice"], filled["price"]);
    let risk = position_risk(&client).await;
    assert_eq!(risk["positionAmt"], printed(amt).as_str());
    assert_eq!(risk["entryPrice"], filled["price"]);
}
