//! ccxt (PyPI `ccxt`), the general-purpose trading library, unmodified, against the paper
//! exchange: `tests/ccxt_client.py` drives its `binance` class through markets, tickers, the
//! book, balances, orders by client order id, the account's trades and the perpetuals
//! (leverage, position mode, positions, a reduce-only close).

use std::path::Path;

use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY};

use crate::support::Exchange;

#[tokio::test(flavor = "multi_thread")]
async fn ccxt_binance_trades_spot_and_perpetuals_on_the_paper_exchange() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clients = crate_dir
        .parent()
        .expect("the crate sits in the workspace")
        .join(".tools/python-clients");
    assert!(
        clients.join("ccxt").join("binance.py").is_file(),
        "ccxt is not installed in {}: run scripts/bootstrap",
        clients.display()
    );
    let exchange = Exchange::start_default().await;
    let output = tokio::process::Command::new("python3")
        .arg(crate_dir.join("tests/ccxt_client.py"))
        .env("PYTHONPATH", &clients)
        .env("PAPER_EXCHANGE_URL", exchange.base_url())
        .env("PAPER_EXCHANGE_API_KEY", DEV_API_KEY)
        .env("PAPER_EXCHANGE_SECRET_KEY", DEV_SECRET_KEY)
        .output()
        .await
        .expect("python3 runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "ccxt_client.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
