//! API keys of every kind (HMAC, Ed25519, RSA) against the paper exchange: the client signs its
//! Spot and futures REST requests and its WebSocket API subscription with each, places an
//! order and follows it to its end through the user data stream; a key the exchange does not
//! hold for the API key is refused (-1022).

use std::sync::Arc;
use std::time::Duration;

use hedgeflow_exchange::{
    Client, Config, Credentials, FuturesClient, KeyKind, OrderStatus, OrderWatch, Side, Source,
};
use hedgeflow_paper_exchange::test_utils::keys::TestKey;
use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY};

use crate::support::{Paper, SYMBOL, dec, eventually, limit, paper_config};

/// Polling that never comes again after the first, immediate poll.
const NO_POLLING: Duration = Duration::from_secs(3600);
const WAIT: Duration = Duration::from_secs(10);
/// Binance's "Signature for this request is not valid."
const INVALID_SIGNATURE: i64 = -1022;

fn client(paper: &Paper, credentials: Credentials) -> (Arc<Client>, FuturesClient) {
    let url = format!("http://{}", paper.addr).parse().unwrap();
    let config = Config::paper(url, credentials);
    (
        Arc::new(Client::new(config.clone()).unwrap()),
        FuturesClient::new(config).unwrap(),
    )
}

#[tokio::test]
async fn every_key_kind_signs_rest_and_the_websocket_api() {
    let (ed25519, rsa) = (TestKey::ed25519(), TestKey::rsa());
    let mut config = paper_config();
    config.accounts.push(ed25519.account("ed25519-key"));
    config.accounts.push(rsa.account("rsa-key"));
    let paper = Paper::start(config).await;
    let kinds = [
        (KeyKind::Hmac, DEV_API_KEY, DEV_SECRET_KEY.to_string()),
        (
            KeyKind::Ed25519,
            "ed25519-key",
            ed25519.private_key_pem.clone(),
        ),
        (KeyKind::Rsa, "rsa-key", rsa.private_key_pem.clone()),
    ];
    for (kind, api_key, secret) in kinds {
        let credentials = Credentials::with_key(api_key, kind, &secret).unwrap();
        assert_eq!(credentials.key_kind(), kind);
        let (spot, futures) = client(&paper, credentials);

        // the WebSocket API: the subscription's signature is accepted
        let watch = OrderWatch::start(spot.clone(), NO_POLLING);
        assert!(
            eventually(WAIT, || watch.stream_connected()).await,
            "{kind}: the user data stream never subscribed"
        );
        // REST: a resting order placed, then canceled; the cancel arrives by the stream
        let filters = spot.symbol_filters(SYMBOL).await.unwrap();
        let (bid, _) = paper.best().await;
        let order = limit(
            &filters,
            Side::Buy,
            bid * dec("0.9"),
            "0.01",
            &format!("{kind}-1"),
        );
        let placed = spot.place_once(&order).await.unwrap().into_order();
        assert_eq!(placed.status, OrderStatus::New, "{kind}");
        let (done, canceled) = tokio::join!(
            watch.wait_final(SYMBOL, &order.client_order_id, WAIT),
            async {
                // after wait_final's first, immediate poll, which sees the order open
                tokio::time::sleep(Duration::from_millis(300)).await;
                spot.cancel(SYMBOL, &order.client_order_id).await
            }
        );
        assert_eq!(canceled.unwrap().status, OrderStatus::Canceled, "{kind}");
        let done = done.unwrap();
        assert_eq!(
            (done.status, done.source),
            (OrderStatus::Canceled, Source::Stream),
            "{kind}"
        );
        // the futures API: the same transport and signer
        futures.account().await.unwrap();
    }
}

#[tokio::test]
async fn a_key_the_exchange_does_not_hold_is_refused() {
    let mut config = paper_config();
    config
        .accounts
        .push(TestKey::ed25519().account("ed25519-key"));
    config.accounts.push(TestKey::rsa().account("rsa-key"));
    let paper = Paper::start(config).await;
    // another key of the account's kind, and a key of the other kind
    for (api_key, kind, stranger) in [
        ("ed25519-key", KeyKind::Ed25519, TestKey::ed25519()),
        ("ed25519-key", KeyKind::Rsa, TestKey::rsa()),
        ("rsa-key", KeyKind::Rsa, TestKey::rsa()),
        ("rsa-key", KeyKind::Ed25519, TestKey::ed25519()),
    ] {
        let credentials = Credentials::with_key(api_key, kind, &stranger.private_key_pem).unwrap();
        let (spot, futures) = client(&paper, credentials);
        let refused = spot.balances().await.unwrap_err();
        assert_eq!(
            refused.code(),
            Some(INVALID_SIGNATURE),
            "{api_key}, {kind}: {refused}"
        );
        assert!(!refused.is_retryable(), "{api_key}, {kind}");
        let refused = futures.account().await.unwrap_err();
        assert_eq!(
            refused.code(),
            Some(INVALID_SIGNATURE),
            "{api_key}, {kind}: {refused}"
        );
    }
}
