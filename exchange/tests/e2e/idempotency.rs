//! `place_once`: one order per client order id, whatever happens to the answers.

use std::time::Duration;

use hedgeflow_exchange::{Client, Error, OrderStatus, Placement, Side};
use hedgeflow_paper_exchange::FaultConfig;
use rust_decimal::Decimal;

use crate::support::{Paper, SYMBOL, dec, free, limit, market_buy, paper_config};

/// The ETH one filled market buy of `qty` credits: the quantity less 0.1 % commission.
fn credited(qty: &str) -> Decimal {
    dec(qty) - dec(qty) * dec("0.001")
}

#[tokio::test]
async fn place_once_twice_places_one_order() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let eth_before = free(&client, "ETH").await;

    let order = market_buy("0.5", "hedge-epoch-1");
    let first = client.place_once(&order).await.unwrap();
    let Placement::Placed(placed) = &first else {
        panic!("first call did not place: {first:?}");
    };
    assert_eq!(placed.status, OrderStatus::Filled);
    assert!(!placed.fills.is_empty());
    // the order is no longer open, so Binance itself would accept the id again
    let second = client.place_once(&order).await.unwrap();
    let Placement::Found(found) = &second else {
        panic!("second call placed again: {second:?}");
    };
    assert_eq!(found.order_id, placed.order_id);
    assert_eq!(free(&client, "ETH").await - eth_before, credited("0.5"));

    // a resting order: found again, and only one on the book
    let filters = client.symbol_filters(SYMBOL).await.unwrap();
    let (bid, _) = paper.best().await;
    let resting = limit(
        &filters,
        Side::Buy,
        bid * dec("0.9"),
        "0.01",
        "hedge-epoch-2",
    );
    let first = client.place_once(&resting).await.unwrap().into_order();
    let second = client.place_once(&resting).await.unwrap();
    assert_eq!(
        second,
        Placement::Found(
            client
                .query(SYMBOL, &resting.client_order_id)
                .await
                .unwrap()
                .unwrap()
        )
    );
    assert_eq!(second.order().order_id, first.order_id);
    assert_eq!(client.open_orders(Some(SYMBOL)).await.unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_calls_for_one_id_place_one_order() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let eth_before = free(&client, "ETH").await;
    let order = market_buy("0.25", "hedge-epoch-3");
    let (a, b) = tokio::join!(client.place_once(&order), client.place_once(&order));
    assert!(matches!(a, Ok(Placement::Placed(_))), "{a:?}");
    assert!(matches!(b, Err(Error::AlreadyInFlight(_))), "{b:?}");
    assert_eq!(free(&client, "ETH").await - eth_before, credited("0.25"));
}

#[tokio::test]
async fn an_unknown_status_after_placing_yields_exactly_one_order() {
    let mut config = paper_config();
    config.faults = FaultConfig {
        unknown_status_placements: 2,
        ..FaultConfig::default()
    };
    let paper = Paper::start(config).await;
    let client = paper.client();
    let eth_before = free(&client, "ETH").await;

    // a bare placement shows what Binance answers: -1007, outcome unknown
    let error = client
        .place(&market_buy("0.1", "bare-1"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(-1007), "{error}");
    assert!(error.is_unknown_outcome());

    let order = market_buy("0.5", "hedge-epoch-4");
    let placement = client.place_once(&order).await.unwrap();
    let Placement::Found(found) = placement else {
        panic!("the lost answer was not recovered: {placement:?}");
    };
    assert_eq!(found.client_order_id, "hedge-epoch-4");
    assert_eq!(found.status, OrderStatus::Filled);
    assert_eq!(found.executed_qty, dec("0.5"));
    // both orders applied once each, nothing more
    assert_eq!(
        free(&client, "ETH").await - eth_before,
        credited("0.1") + credited("0.5")
    );
    assert_eq!(
        client.place_once(&order).await.unwrap(),
        Placement::Found(found)
    );
}

#[tokio::test]
async fn a_placement_answer_lost_to_a_timeout_yields_exactly_one_order() {
    let mut config = paper_config();
    config.faults = FaultConfig {
        hung_placements: 1,
        hang_for: Duration::from_secs(5),
        ..FaultConfig::default()
    };
    let paper = Paper::start(config).await;
    let mut client_config = paper.config();
    client_config.timeout = Duration::from_millis(800);
    let client = Client::new(client_config).unwrap();
    let eth_before = free(&client, "ETH").await;

    let order = market_buy("0.3", "hedge-epoch-5");
    let placement = client.place_once(&order).await.unwrap();
    let Placement::Found(found) = placement else {
        panic!("the timed-out placement was not recovered: {placement:?}");
    };
    assert_eq!(found.status, OrderStatus::Filled);
    assert_eq!(free(&client, "ETH").await - eth_before, credited("0.3"));
}
