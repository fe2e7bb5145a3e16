//! ccxt (PyPI `ccxt`), the general-purpose trading library, unmodified, against the paper
//! exchange: `tests/ccxt_client.py` drives its `binance` class through markets, tickers, the
//! book, balances, orders by client order id, the account's trades and the perpetuals
//! (leverage, position mode, positions, a reduce-only close).

use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY};

use crate::support::{Exchange, run_python_client};

#[tokio::test(flavor = "multi_thread")]
async fn ccxt_binance_trades_spot_and_perpetuals_on_the_paper_exchange() {
    let exchange = Exchange::start_default().await;
    run_python_client(
        "ccxt_client.py",
        "ccxt/binance.py",
        &exchange,
        &[
            ("PAPER_EXCHANGE_API_KEY", DEV_API_KEY),
            ("PAPER_EXCHANGE_SECRET_KEY", DEV_SECRET_KEY),
        ],
        "all checks passed",
    )
    .await;
}
