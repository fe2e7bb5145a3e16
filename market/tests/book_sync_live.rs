//! The order book manager against a live paper exchange over real sockets: the local book,
//! kept from the `@depth@100ms` stream and a REST snapshot, equals the exchange's own REST
//! snapshot whenever both are at the same update id, tick after tick; the market watcher
//! reports a volatility; and when the exchange goes away the book turns unusable instead of
//! being served stale.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use hedgeflow_market::binance::MarketData;
use hedgeflow_market::book::{OrderBook, Side};
use hedgeflow_market::manager::{BookKey, Books, Feed, Settings, Status};
use std::time::{Duration, Instant};

fn settings() -> Settings {
    Settings {
        stale_after: Duration::from_secs(2),
        sample_interval: Duration::from_millis(200),
        volatility_window: Duration::from_secs(10),
        reconnect_delay: Duration::from_millis(200),
    }
}

async fn paper_exchange() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let config = hedgeflow_paper_exchange::Config {
        seed: Some(42),
        // Slow enough that the stream catches up between ticks, so both sides often sit at the
        // same update id.
        tick_interval: Duration::from_millis(700),
        ..Default::default()
    };
    let server = tokio::spawn(async move {
        hedgeflow_paper_exchange::serve(config, listener)
            .await
            .unwrap();
    });
    (format!("127.0.0.1:{}", address.port()), server)
}

fn feed(address: &str, symbol: &str) -> (BookKey, MarketData, Feed) {
    let data = MarketData::new(
        format!("http://{address}").parse().unwrap(),
        format!("ws://{address}").parse().unwrap(),
        1000,
    );
    let key = BookKey {
        exchange: "paper".into(),
        symbol: symbol.into(),
    };
    let feed = Feed {
        key: key.clone(),
        market_data: data.clone(),
    };
    (key, data, feed)
}

fn same_levels(local: &OrderBook, exchange: &OrderBook) -> bool {
    [Side::Bids, Side::Asks]
        .into_iter()
        .all(|side| local.levels(side).eq(exchange.levels(side)))
}

#[tokio::test]
async fn the_local_book_equals_the_exchanges_at_every_common_update_id() {
    let (address, server) = paper_exchange().await;
    let (key, data, feed) = feed(&address, "ETHUSDT");
    let books = Books::spawn(vec![feed], settings());

    let mut compared = std::collections::BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while compared.len() < 5 {
        assert!(
            Instant::now() < deadline,
            "only {} comparisons",
            compared.len()
        );
        let snapshot = data.snapshot("ETHUSDT").await.unwrap();
        let view = books.get(&key).unwrap();
        if let Ok(local) = view.usable()
            && local.update_id() == snapshot.update_id
        {
            let exchange = OrderBook::new(snapshot.update_id, &snapshot.bids, &snapshot.asks);
            assert!(
                same_levels(local, &exchange),
                "books differ at update {}",
                snapshot.update_id
            );
            compared.insert(snapshot.update_id);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The watcher has sampled a moving mid by now.
    let view = books.get(&key).unwrap();
    assert!(view.volatility.samples > 0);
    assert!(!view.volatility.per_second.is_sign_negative());

    // The exchange goes away: the book is no longer served.
    server.abort();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let view = books.get(&key).unwrap();
        if let Err(status) = view.usable() {
            assert!(
                matches!(status, Status::Disconnected(_) | Status::Stale { .. }),
                "{status}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "book still live after the exchange stopped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
