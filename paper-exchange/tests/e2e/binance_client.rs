//! Binance's official Python client (PyPI `binance-connector`), unmodified, against the paper
//! exchange: `tests/binance_client.py` places, queries and cancels an order and reads depth,
//! signing with an HMAC key, then with an Ed25519 key (the client's own Ed25519 signing, so
//! the exchange's verification is checked against Binance's client).

use std::path::Path;

use hedgeflow_paper_exchange::test_utils::keys::TestKey;
use hedgeflow_paper_exchange::{Config, DEV_API_KEY, DEV_SECRET_KEY};

use crate::support::Exchange;

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
async fn run_client(exchange: &Exchange, api_key: &str, (key_variable, key): (&str, &str)) {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clients = crate_dir
        .parent()
        .expect("the crate sits in the workspace")
        .join(".tools/python-clients");
    assert!(
        clients.join("binance").join("spot").is_dir(),
        "the Binance Python client is not installed in {}: run scripts/bootstrap",
        clients.display()
    );
    let output = tokio::process::Command::new("python3")
        .arg(crate_dir.join("tests/binance_client.py"))
        .env("PYTHONPATH", &clients)
        .env("PAPER_EXCHANGE_URL", exchange.base_url())
        .env("PAPER_EXCHANGE_API_KEY", api_key)
        .env_remove("PAPER_EXCHANGE_SECRET_KEY")
        .env_remove("PAPER_EXCHANGE_PRIVATE_KEY")
        .env(key_variable, key)
        .output()
        .await
        .expect("python3 runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "binance_client.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("binance-connector: all checks passed"),
        "{stdout}"
    );
}
