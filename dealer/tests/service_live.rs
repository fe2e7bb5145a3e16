//! The real dealer service against live neighbours over real sockets, in one test binary: a
//! paper exchange, the order book manager (`hedgeflow_market`'s `Books` behind its tonic
//! service) and the dealer's book cache subscribed to it.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hedgeflow_dealer::maker::MarketView;
use hedgeflow_dealer::service::{BookCache, CacheSettings};
use hedgeflow_market::binance::MarketData;
use hedgeflow_market::manager::{BookKey, Books, Feed, Settings};

const EXCHANGE: &str = "paper";

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A paper exchange and an OBM following `symbols` on it, on a runtime of their own so that
/// dropping [`Obm`] kills them like a process (every connection included).
struct Obm {
    endpoint: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Obm {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn listener() -> (std::net::TcpListener, std::net::SocketAddr) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    (listener, address)
}

fn obm(symbols: &[&str]) -> Obm {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (paper_listener, exchange) = listener();
    let (grpc_listener, address) = listener();
    let symbols: Vec<String> = symbols.iter().map(|s| (*s).to_owned()).collect();
    runtime.spawn(async move {
        let config = hedgeflow_paper_exchange::Config {
            seed: Some(7),
            tick_interval: Duration::from_millis(100),
            ..Default::default()
        };
        let paper_listener = tokio::net::TcpListener::from_std(paper_listener).unwrap();
        tokio::spawn(async move {
            hedgeflow_paper_exchange::serve(config, paper_listener)
                .await
                .unwrap();
        });
        let data = MarketData::new(
            format!("http://{exchange}").parse().unwrap(),
            format!("ws://{exchange}").parse().unwrap(),
            1000,
        );
        let feeds = symbols
            .into_iter()
            .map(|symbol| Feed {
                key: BookKey {
                    exchange: EXCHANGE.into(),
                    symbol,
                },
                market_data: data.clone(),
            })
            .collect();
        let settings = Settings {
            stale_after: Duration::from_secs(2),
            sample_interval: Duration::from_millis(100),
            volatility_window: Duration::from_secs(10),
            reconnect_delay: Duration::from_millis(200),
        };
        let books = Arc::new(Books::spawn(feeds, settings));
        let grpc_listener = tokio::net::TcpListener::from_std(grpc_listener).unwrap();
        tonic::transport::Server::builder()
            .add_service(hedgeflow_market::grpc::Service::new(books).server())
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(
                grpc_listener,
            ))
            .await
            .unwrap();
    });
    Obm {
        endpoint: format!("http://{address}"),
        runtime: Some(runtime),
    }
}

fn cache_settings(endpoint: &str, symbols: &[&str]) -> CacheSettings {
    CacheSettings {
        endpoint: endpoint.into(),
        exchange: EXCHANGE.into(),
        symbols: symbols.iter().map(|s| (*s).into()).collect(),
        levels: 50,
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_secs(1),
    }
}

/// Waits until every symbol has a usable book the maker would price from.
async fn converged(cache: &BookCache, symbols: &[&str], within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let view = cache.snapshot();
        let ready = symbols.iter().all(|symbol| {
            view.book(symbol)
                .is_some_and(|b| b.check(now_ms(), Duration::from_secs(3)).is_ok())
                && view.volatility(symbol).is_some()
        });
        if ready {
            return;
        }
        assert!(Instant::now() < deadline, "books not usable: {view:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_book_cache_converges_to_the_obms_live_books_and_follows_them() {
    let obm = obm(&["ETHUSDT"]);
    let cache = BookCache::spawn(cache_settings(&obm.endpoint, &["ETHUSDT"])).unwrap();
    // Before anything arrived the symbol is known but has no book.
    converged(&cache, &["ETHUSDT"], Duration::from_secs(30)).await;

    let first = cache.snapshot().book("ETHUSDT").unwrap().clone();
    assert_eq!(first.symbol, "ETHUSDT");
    assert!(first.bids.len() > 1 && first.asks.len() > 1);
    assert!(first.best_bid().unwrap() < first.best_ask().unwrap());
    // The book moves with the exchange (100 ms ticks).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = cache.snapshot();
        if now
            .book("ETHUSDT")
            .is_some_and(|b| b.update_id > first.update_id)
        {
            break;
        }
        assert!(Instant::now() < deadline, "book never advanced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_book_cache_reconnects_and_drops_books_while_the_obm_is_away() {
    // Subscribe before any OBM listens: the cache retries with backoff.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let cache = BookCache::spawn(cache_settings(
        &format!("http://127.0.0.1:{port}"),
        &["ETHUSDT"],
    ))
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let view = cache.snapshot();
    let entry = view.entry("ETHUSDT").unwrap();
    assert!(entry.book.is_none(), "{entry:?}");
    assert!(entry.reason.contains("OBM unreachable"), "{}", entry.reason);

    // An OBM appears on another port; a second cache reaches it while the first keeps failing.
    let obm = obm(&["ETHUSDT"]);
    let live = BookCache::spawn(cache_settings(&obm.endpoint, &["ETHUSDT"])).unwrap();
    converged(&live, &["ETHUSDT"], Duration::from_secs(30)).await;
    assert!(cache.snapshot().book("ETHUSDT").is_none());

    // The OBM goes away: the live cache drops the book instead of serving it stale.
    drop(obm);
    let deadline = Instant::now() + Duration::from_secs(10);
    while live.snapshot().book("ETHUSDT").is_some() {
        assert!(Instant::now() < deadline, "book kept after the OBM left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
