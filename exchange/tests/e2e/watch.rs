//! `OrderWatch`: orders followed to their final state by the user data stream, or by polling
//! when the stream is unreachable.

use std::sync::Arc;
use std::time::Duration;

use hedgeflow_exchange::{Client, FinalOrder, OrderRequest, OrderStatus, OrderWatch, Side, Source};
use rust_decimal::Decimal;

use crate::support::{
    Paper, SYMBOL, dec, eventually, limit, market_buy, paper_config, volatile_config,
};

/// Polling that never comes again after the first, immediate poll.
const NO_POLLING: Duration = Duration::from_secs(3600);
const WAIT: Duration = Duration::from_secs(30);

/// A buy 1 % below the bid and a sell 1 % above the ask: they rest, and the volatile market
/// crosses one of them within a few ticks.
async fn two_resting_orders(paper: &Paper, client: &Client, prefix: &str) -> [OrderRequest; 2] {
    let filters = client.symbol_filters(SYMBOL).await.unwrap();
    let (bid, ask) = paper.best().await;
    let orders = [
        limit(
            &filters,
            Side::Buy,
            bid * dec("0.99"),
            "0.01",
            &format!("{prefix}-buy"),
        ),
        limit(
            &filters,
            Side::Sell,
            ask * dec("1.01"),
            "0.01",
            &format!("{prefix}-sell"),
        ),
    ];
    for order in &orders {
        let placed = client.place_once(order).await.unwrap().into_order();
        assert_eq!(placed.status, OrderStatus::New, "{order:?} did not rest");
    }
    orders
}

/// The first of `orders` to become final.
async fn first_final(watch: &OrderWatch, orders: &[OrderRequest; 2]) -> (FinalOrder, OrderRequest) {
    let [buy, sell] = orders;
    tokio::select! {
        done = watch.wait_final(SYMBOL, &buy.client_order_id, WAIT) => (done.unwrap(), buy.clone()),
        done = watch.wait_final(SYMBOL, &sell.client_order_id, WAIT) => (done.unwrap(), sell.clone()),
    }
}

/// A maker fill at the order's own price, 0.1 % commission in the received asset.
fn assert_filled_at_limit(done: &FinalOrder, order: &OrderRequest) {
    let hedgeflow_exchange::OrderKind::Limit { price, qty, .. } = order.kind else {
        unreachable!("limit orders only")
    };
    assert_eq!(done.status, OrderStatus::Filled);
    assert_eq!(done.executed_qty, qty);
    assert_eq!(done.average_price, Some(price));
    assert_eq!(done.cumulative_quote_qty, price * qty);
    assert_eq!(done.client_order_id, order.client_order_id.as_str());
}

#[tokio::test]
async fn a_resting_order_filled_by_the_market_is_followed_through_the_stream() {
    let paper = Paper::start(volatile_config()).await;
    let client = paper.client();
    let watch = OrderWatch::start(client.clone(), NO_POLLING);
    assert!(
        eventually(Duration::from_secs(5), || watch.stream_connected()).await,
        "user data stream never subscribed"
    );
    let orders = two_resting_orders(&paper, &client, "stream").await;
    let (done, order) = first_final(&watch, &orders).await;
    assert_eq!(done.source, Source::Stream);
    assert_filled_at_limit(&done, &order);
    let (asset, commission) = match order.side {
        Side::Buy => ("ETH", done.executed_qty * dec("0.001")),
        Side::Sell => ("USDT", done.cumulative_quote_qty * dec("0.001")),
    };
    assert!(done.commissions_complete);
    assert_eq!(done.commissions.get(asset), Some(&commission));
}

#[tokio::test]
async fn a_resting_order_is_followed_by_polling_when_the_stream_is_unreachable() {
    let paper = Paper::start(volatile_config()).await;
    let mut config = paper.config();
    // a port nobody listens on
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    config.ws_api_url = format!("ws://{}/ws-api/v3", closed.local_addr().unwrap())
        .parse()
        .unwrap();
    drop(closed);
    let client = Arc::new(Client::new(config).unwrap());
    let watch = OrderWatch::start(client.clone(), Duration::from_millis(200));
    let orders = two_resting_orders(&paper, &client, "poll").await;
    let (done, order) = first_final(&watch, &orders).await;
    assert!(!watch.stream_connected());
    assert_eq!(done.source, Source::Poll);
    assert_filled_at_limit(&done, &order);
    // the maker fill was only in the stream, so its commission is unknown, and said so
    assert!(!done.commissions_complete);
    assert!(done.commissions.is_empty());
}

#[tokio::test]
async fn a_cancel_and_a_market_fill_are_followed_through_the_stream() {
    let paper = Paper::start(paper_config()).await;
    let client = paper.client();
    let watch = OrderWatch::start(client.clone(), NO_POLLING);
    assert!(eventually(Duration::from_secs(5), || watch.stream_connected()).await);

    let filters = client.symbol_filters(SYMBOL).await.unwrap();
    let (bid, _) = paper.best().await;
    let resting = limit(&filters, Side::Buy, bid * dec("0.8"), "0.01", "cancel-me");
    client.place_once(&resting).await.unwrap();
    let (done, canceled) = tokio::join!(
        watch.wait_final(SYMBOL, &resting.client_order_id, WAIT),
        async {
            // after the watch's first poll has seen the order open
            tokio::time::sleep(Duration::from_secs(1)).await;
            client.cancel(SYMBOL, &resting.client_order_id).await
        }
    );
    let done = done.unwrap();
    assert_eq!(canceled.unwrap().status, OrderStatus::Canceled);
    assert_eq!(
        (done.status, done.source),
        (OrderStatus::Canceled, Source::Stream)
    );
    assert_eq!(done.client_order_id, "cancel-me");
    assert_eq!(done.executed_qty, Decimal::ZERO);

    // a taker fill shows in both the placement's answer and the stream: counted once
    let order = market_buy("0.2", "market-1");
    let placed = client.place_once(&order).await.unwrap().into_order();
    watch.record_fills(&placed);
    let done = watch
        .wait_final(SYMBOL, &order.client_order_id, WAIT)
        .await
        .unwrap();
    assert_eq!(done.status, OrderStatus::Filled);
    assert!(done.commissions_complete);
    assert_eq!(
        done.commissions.get("ETH"),
        Some(&(dec("0.2") * dec("0.001")))
    );
    assert_eq!(done.average_price, placed.average_price());
}
