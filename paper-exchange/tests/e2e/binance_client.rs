//! Binance's official Python client (PyPI `binance-connector`), unmodified, against the paper
//! exchange: `tests/binance_client.py` places, queries and cancels an order and reads depth,
//! signing with an HMAC key, then with an Ed25519 key (the client's own Ed25519 signing, so
//! the exchange's verification is checked against Binance's client).

use hedgeflow_paper_exchange::test_utils::keys::TestKey;
use hedgeflow_paper_exchange::{Config, DEV_API_KEY, DEV_SECRET_KEY};

use crate::support::{Exchange, run_python_client};

#[tokio::test(flavor = "multi_thread")]
async fn the_official_binance_python_client_trades_on_the_paper_exchange() {
    let exchange = Exchange::start_default().await;
    run_client(
        &exchange,
        DEV_API_KEY,
        ("PAPER_EXCHANGE_SECRET_KEY", DEV_SECRET_KEY),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_official_binance_python_client_trades_with_an_ed25519_key() {
    let key = TestKey::ed25519();
    let mut config = Config {
        seed: Some(7),
        ..Config::default()
    };
    config.accounts = vec![key.account("python-ed25519")];
    let exchange = Exchange::start(config).await;
    run_client(
        &exchange,
        "python-ed25519",
        ("PAPER_EXCHANGE_PRIVATE_KEY", &key.private_key_pem),
    )
    .await;
}

/// Runs `binance_client.py` against `exchange` with `api_key` and its key (`(variable, value)`).
async fn run_client(exchange: &Exchange, api_key: &str, key: (&str, &str)) {
    run_python_client(
        "binance_client.py",
        "binance/spot",
        exchange,
        &[("PAPER_EXCHANGE_API_KEY", api_key), key],
        "binance-connector: all checks passed",
    )
    .await;
}
