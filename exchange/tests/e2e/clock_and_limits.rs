//! Server time offset and rate limits.

use std::time::Duration;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use hedgeflow_exchange::{Client, Clock, Config, Credentials, Error};
use hedgeflow_paper_exchange::FaultConfig;

use crate::support::{Paper, paper_config};

const HOUR_MS: i64 = 3_600_000;

#[tokio::test]
async fn a_skewed_host_clock_is_corrected_by_the_server_time_offset() {
    let paper = Paper::start_default().await;
    // an hour behind: every timestamp would be outside recvWindow (-1021) without the offset
    let client = Client::with_clock(paper.config(), Clock::skewed(-HOUR_MS)).unwrap();
    client.balances().await.unwrap();
    let offset = client.clock().offset_ms().unwrap();
    assert!((offset - HOUR_MS).abs() < 1_000, "offset {offset}");

    // a stale offset: the -1021 it causes makes the client re-measure and send again
    let client = Client::with_clock(paper.config(), Clock::skewed(-HOUR_MS)).unwrap();
    client.clock().set_offset_ms(0);
    client.balances().await.unwrap();
    let offset = client.clock().offset_ms().unwrap();
    assert!((offset - HOUR_MS).abs() < 1_000, "offset {offset}");
}

#[tokio::test]
async fn retry_after_holds_every_request_back() {
    let mut config = paper_config();
    config.faults = FaultConfig {
        rate_limited_requests: 1,
        retry_after: Duration::from_secs(1),
        ..FaultConfig::default()
    };
    let paper = Paper::start(config).await;
    let client = paper.client();

    let error = client.sync_time().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 429, retry_after } if retry_after == Duration::from_secs(1)),
        "{error}"
    );
    assert!(error.is_retryable() && !error.is_unknown_outcome());

    // the exchange would answer this one (only one 429 is injected), so an error here means
    // the client held it back
    let held = client.sync_time().await.unwrap_err();
    let Error::RateLimited { retry_after, .. } = held else {
        panic!("not held back: {held}");
    };
    assert!(retry_after <= Duration::from_secs(1));
    tokio::time::sleep(retry_after).await;
    client.sync_time().await.unwrap();
    client.balances().await.unwrap();
}

/// An IP ban (418) holds requests back like a 429; the stub counts what reaches it.
#[tokio::test]
async fn an_ip_ban_holds_every_request_back_for_its_retry_after() {
    let hits = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route(
        "/api/v3/time",
        get({
            let hits = hits.clone();
            move || async move {
                hits.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::IM_A_TEAPOT,
                    [("retry-after", "120")],
                    r#"{"code":-1003,"msg":"Way too much request weight used; IP banned until 1."}"#,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::new(Config::paper(
        url.parse().unwrap(),
        Credentials::new("k", "s"),
    ))
    .unwrap();

    let error = client.sync_time().await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { status: 418, retry_after } if retry_after == Duration::from_secs(120)),
        "{error}"
    );
    for _ in 0..3 {
        let held = client.balances().await.unwrap_err();
        assert!(
            matches!(held, Error::RateLimited { status: 418, retry_after } if retry_after > Duration::from_secs(110)),
            "{held}"
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a request was sent during the ban"
    );
    server.abort();
}
