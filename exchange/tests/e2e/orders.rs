//! Plain REST: rules, place, query, open orders, cancel, balances.

use hedgeflow_exchange::{OrderStatus, Side};
use rust_decimal::Decimal;

use crate::support::{Paper, SYMBOL, dec, id, limit};

#[tokio::test]
async fn place_query_cancel_round_trip() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let filters = client.symbol_filters(SYMBOL).await.unwrap();
    assert_eq!(
        (filters.tick_size, filters.step_size),
        (dec("0.01"), dec("0.0001"))
    );
    let (bid, _) = paper.best().await;
    let order = limit(
        &filters,
        Side::Buy,
        bid * dec("0.9"),
        "0.01",
        "round-trip-1",
    );

    let placed = client.place(&order).await.unwrap();
    assert_eq!(placed.status, OrderStatus::New);
    assert_eq!(placed.client_order_id, "round-trip-1");
    assert!(placed.fills.is_empty());

    let queried = client.query(SYMBOL, &order.client_order_id).await.unwrap();
    assert_eq!(queried.as_ref().map(|o| o.order_id), Some(placed.order_id));
    let open = client.open_orders(Some(SYMBOL)).await.unwrap();
    assert_eq!(
        open.iter().map(|o| o.order_id).collect::<Vec<_>>(),
        [placed.order_id]
    );
    let usdt = client.balances().await.unwrap();
    let locked = usdt.iter().find(|b| b.asset == "USDT").unwrap().locked;
    assert!(locked > Decimal::ZERO);

    let canceled = client.cancel(SYMBOL, &order.client_order_id).await.unwrap();
    assert_eq!(canceled.status, OrderStatus::Canceled);
    assert_eq!(canceled.client_order_id, "round-trip-1");
    let queried = client.query(SYMBOL, &order.client_order_id).await.unwrap();
    assert_eq!(queried.map(|o| o.status), Some(OrderStatus::Canceled));
    assert!(client.open_orders(None).await.unwrap().is_empty());

    assert_eq!(
        client.query(SYMBOL, &id("never-placed")).await.unwrap(),
        None
    );
    assert!(client.used_weight_1m().is_some_and(|w| w > 0));
}

#[tokio::test]
async fn binance_refusals_keep_their_code() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let filters = client.symbol_filters(SYMBOL).await.unwrap();
    let (bid, _) = paper.best().await;
    // far below the minimum notional
    let tiny = limit(&filters, Side::Buy, bid * dec("0.9"), "0.0001", "tiny-1");
    let error = client.place(&tiny).await.unwrap_err();
    assert_eq!(error.code(), Some(-1013), "{error}");
    assert!(!error.is_unknown_outcome() && !error.is_retryable());
    let error = client.cancel(SYMBOL, &id("no-such")).await.unwrap_err();
    assert_eq!(error.code(), Some(-2011), "{error}");
}
