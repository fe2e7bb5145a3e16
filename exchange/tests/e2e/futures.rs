//! The futures client against the paper exchange: idempotent placement, positions, the mark
//! price, and the order watch by stream and by polling.

use std::sync::Arc;
use std::time::Duration;

use hedgeflow_exchange::{
    Error, FuturesClient, FuturesOrderKind, FuturesOrderRequest, FuturesOrderWatch, OrderStatus,
    Placement, Rounding, Side, Source, TimeInForce,
};
use hedgeflow_paper_exchange::FaultConfig;
use rust_decimal::Decimal;

use crate::support::{Paper, SYMBOL, dec, eventually, id, paper_config};

/// Polling that never comes again after the first, immediate poll.
const NO_POLLING: Duration = Duration::from_secs(3600);
const WAIT: Duration = Duration::from_secs(20);

fn futures(paper: &Paper) -> Arc<FuturesClient> {
    Arc::new(FuturesClient::new(paper.config()).unwrap())
}

fn market(side: Side, qty: &str, reduce_only: bool, client_order_id: &str) -> FuturesOrderRequest {
    FuturesOrderRequest {
        symbol: SYMBOL.into(),
        side,
        kind: FuturesOrderKind::Market { qty: dec(qty) },
        reduce_only,
        client_order_id: id(client_order_id),
    }
}

#[tokio::test]
async fn place_once_twice_places_one_order_and_moves_the_position() {
    let paper = Paper::start_default().await;
    let client = futures(&paper);
    let rules = client.rules(SYMBOL).await.unwrap();
    assert_eq!(
        (rules.tick_size, rules.step_size, rules.min_notional),
        (dec("0.01"), dec("0.0001"), dec("5"))
    );
    let mark = client.mark_price(SYMBOL).await.unwrap();
    assert_eq!(mark.mark_price, mark.index_price);
    assert_eq!(mark.funding_rate, dec("0.0001"));

    let order = market(Side::Sell, "0.5", false, "hedge-perp-1");
    let first = client.place_once(&order).await.unwrap();
    let Placement::Placed(placed) = &first else {
        panic!("first call did not place: {first:?}");
    };
    assert_eq!(placed.status, OrderStatus::Filled);
    let second = client.place_once(&order).await.unwrap();
    assert_eq!(second, Placement::Found(placed.clone()));

    let position = client.position(SYMBOL).await.unwrap();
    assert_eq!(position.position_amt, dec("-0.5"));
    assert_eq!(
        position.entry_price,
        placed.average_price().unwrap().round_dp(8)
    );
    assert_eq!(position.leverage, Decimal::from(20));
    let open: Vec<_> = client.positions().await.unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        (open[0].symbol.as_str(), open[0].position_amt),
        (SYMBOL, dec("-0.5"))
    );

    let close = client
        .place_once(&market(Side::Buy, "0.5", true, "hedge-perp-2"))
        .await
        .unwrap()
        .into_order();
    assert!(close.reduce_only);
    assert_eq!(
        client.position(SYMBOL).await.unwrap().position_amt,
        Decimal::ZERO
    );
    assert!(client.positions().await.unwrap().is_empty());
    let account = client.account().await.unwrap();
    assert!(
        account.total_wallet_balance < dec("1000000"),
        "commissions were paid: {account:?}"
    );
    assert_eq!(account.total_initial_margin, Decimal::ZERO);

    // a reduce-only order with nothing to reduce is Binance's definite refusal
    let refused = client
        .place_once(&market(Side::Buy, "0.1", true, "hedge-perp-3"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(-2022), "{refused}");
}

#[tokio::test]
async fn concurrent_calls_for_one_id_place_one_order() {
    let paper = Paper::start_default().await;
    let client = futures(&paper);
    let order = market(Side::Buy, "0.2", false, "hedge-perp-4");
    let (a, b) = tokio::join!(client.place_once(&order), client.place_once(&order));
    assert!(matches!(a, Ok(Placement::Placed(_))), "{a:?}");
    assert!(matches!(b, Err(Error::AlreadyInFlight(_))), "{b:?}");
    assert_eq!(
        client.position(SYMBOL).await.unwrap().position_amt,
        dec("0.2")
    );
}

#[tokio::test]
async fn a_lost_answer_is_recovered_by_client_order_id() {
    let mut config = paper_config();
    config.faults = FaultConfig {
        unknown_status_placements: 1,
        ..FaultConfig::default()
    };
    let paper = Paper::start(config).await;
    let client = futures(&paper);
    let order = market(Side::Sell, "0.3", false, "hedge-perp-5");
    let placement = client.place_once(&order).await.unwrap();
    let Placement::Found(found) = placement else {
        panic!("the lost answer was not recovered: {placement:?}");
    };
    assert_eq!(
        (found.status, found.executed_qty),
        (OrderStatus::Filled, dec("0.3"))
    );
    assert_eq!(
        client.position(SYMBOL).await.unwrap().position_amt,
        dec("-0.3"),
        "one order only"
    );
}

#[tokio::test]
async fn a_hanging_answer_is_recovered_by_client_order_id() {
    let mut config = paper_config();
    config.faults = FaultConfig {
        hung_placements: 1,
        hang_for: Duration::from_secs(5),
        ..FaultConfig::default()
    };
    let paper = Paper::start(config).await;
    let mut client_config = paper.config();
    client_config.timeout = Duration::from_millis(800);
    let client = FuturesClient::new(client_config).unwrap();
    let placement = client
        .place_once(&market(Side::Buy, "0.3", false, "hedge-perp-6"))
        .await
        .unwrap();
    assert!(matches!(placement, Placement::Found(_)), "{placement:?}");
    assert_eq!(
        client.position(SYMBOL).await.unwrap().position_amt,
        dec("0.3"),
        "one order only"
    );
}

#[tokio::test]
async fn the_watch_sees_a_cancel_on_the_stream() {
    let paper = Paper::start_default().await;
    let client = futures(&paper);
    let watch = FuturesOrderWatch::start(client.clone(), NO_POLLING);
    assert!(eventually(Duration::from_secs(5), || watch.stream_connected()).await);
    let rules = client.rules(SYMBOL).await.unwrap();
    let mark = client.mark_price(SYMBOL).await.unwrap().mark_price;
    let order = FuturesOrderRequest {
        symbol: SYMBOL.into(),
        side: Side::Buy,
        kind: FuturesOrderKind::Limit {
            price: rules.round_price(mark * dec("0.9"), Rounding::Down),
            qty: dec("0.1"),
            time_in_force: TimeInForce::Gtc,
        },
        reduce_only: false,
        client_order_id: id("hedge-perp-7"),
    };
    assert_eq!(
        client.place_once(&order).await.unwrap().order().status,
        OrderStatus::New
    );
    let waiting = watch.wait_final(SYMBOL, &order.client_order_id, WAIT);
    let cancel = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        client.cancel(SYMBOL, &order.client_order_id).await.unwrap()
    };
    let (done, canceled) = tokio::join!(waiting, cancel);
    let done = done.unwrap();
    assert_eq!(canceled.status, OrderStatus::Canceled);
    assert_eq!(
        (done.status, done.source),
        (OrderStatus::Canceled, Source::Stream)
    );
    assert_eq!(done.executed_qty, Decimal::ZERO);
}

#[tokio::test]
async fn the_watch_reports_a_fill_with_its_commission_from_the_stream() {
    let paper = Paper::start_default().await;
    let client = futures(&paper);
    let watch = FuturesOrderWatch::start(client.clone(), NO_POLLING);
    assert!(eventually(Duration::from_secs(5), || watch.stream_connected()).await);
    let order = market(Side::Buy, "0.4", false, "hedge-perp-8");
    let placed = client.place_once(&order).await.unwrap().into_order();
    let done = watch
        .wait_final(SYMBOL, &order.client_order_id, WAIT)
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.executed_qty),
        (OrderStatus::Filled, dec("0.4"))
    );
    assert_eq!(done.order_id, placed.order_id);
    assert!(done.commissions_complete, "{done:?}");
    // 0.05 % taker commission in USDT
    assert_eq!(done.commissions["USDT"], placed.cum_quote * dec("0.0005"));
}

#[tokio::test]
async fn without_a_stream_the_watch_polls() {
    let paper = Paper::start_default().await;
    // a websocket base nobody listens on: the stream never connects
    let config = paper.config().with_futures(
        format!("http://{}", paper.addr).parse().unwrap(),
        "ws://127.0.0.1:9".parse().unwrap(),
    );
    let client = Arc::new(FuturesClient::new(config).unwrap());
    let watch = FuturesOrderWatch::start(client.clone(), Duration::from_millis(200));
    let order = market(Side::Sell, "0.2", false, "hedge-perp-9");
    client.place_once(&order).await.unwrap();
    let done = watch
        .wait_final(SYMBOL, &order.client_order_id, WAIT)
        .await
        .unwrap();
    assert_eq!(
        (done.status, done.source),
        (OrderStatus::Filled, Source::Poll)
    );
    assert!(done.average_price.is_some());
    assert!(!watch.stream_connected());
    let missing = watch
        .wait_final(SYMBOL, &id("never-placed"), WAIT)
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::OrderNotFound(_)), "{missing}");
}
