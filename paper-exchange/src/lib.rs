//! A Binance-compatible paper exchange with a synthetic, live-moving market: the dev stack's and
//! the tests' stand-in for Binance Spot (no real exchange is reachable there).
//!
//! It speaks Binance's REST API (`/api/v3/ping`, `time`, `exchangeInfo`, `depth`, the
//! `ticker/24hr`, `ticker/price` and `ticker/bookTicker` tickers; SIGNED `order`
//! POST/DELETE/GET, `openOrders`, `account`, `myTrades`) with Binance's field names, error codes
//! and HTTP statuses, and Binance's diff depth streams over websocket, whose update ids agree
//! with the REST snapshots so that Binance's local order book procedure rebuilds the book
//! exactly.
//! Each symbol's mid price follows a random walk; synthetic liquidity is re-quoted around it
//! every tick; users' orders take that liquidity, rest on the book (and in the streams), and
//! are filled when the market moves through them. Given a seed the market is deterministic.
//!
//! Binance's WebSocket API at `/ws-api/v3` carries the user data stream
//! (`userDataStream.subscribe.signature`): an `executionReport` for every change of an order
//! and an `outboundAccountPosition` after every balance change.
//!
//! Accounts have API keys of each kind Binance issues: HMAC (a shared secret), Ed25519 and RSA
//! (a public key), and SIGNED requests are checked as Binance checks each kind, on REST and on
//! the WebSocket API ([`config::AccountConfig`]).
//!
//! A USDⓈ-M-style perpetual futures market runs beside it (`engine/futures/`,
//! `api/rest/futures/`): one perpetual per symbol quoted in USDT, with Binance's futures API
//! names (`/fapi/v1/ping`, `time`, `exchangeInfo`, `premiumIndex`; SIGNED `order`
//! POST/DELETE/GET, `openOrders`, `/fapi/v2/positionRisk`, `/fapi/v2/account`,
//! `leverageBracket`, `leverage`, `positionSide/dual`; `/fapi/v1/listenKey`), the
//! `<symbol>@markPrice@1s` and `<symbol>@markPrice` (3 s) streams, and the user data stream
//! of `ORDER_TRADE_UPDATE` and `ACCOUNT_UPDATE` events at `/ws/<listenKey>`. Each perpetual
//! has a book of its own fed with the spot symbol's synthetic ladders (same prices, separate
//! liquidity); its mark and index price are the spot mid. Accounts are in one-way mode
//! (`positionSide` BOTH), cross margin at a leverage per account and symbol (default 20x, at
//! most the one bracket's; initial margin is notional / leverage, maintenance a fixed rate,
//! default 0.4 %, up to a 9,000,000 USDT notional per position), with a USDT futures wallet
//! separate from the spot balances ([`config::AccountConfig::futures_usdt`]). Commissions
//! (default 0.02 % maker, 0.05 % taker) and realized profit are booked in the wallet. The
//! funding rate (default 0.0001) is reported, never charged. Only LIMIT (GTC, IOC, FOK) and
//! MARKET orders; no margin type changes, no hedge mode, no liquidations.
//!
//! Binance's wallet API (`/sapi`, SIGNED): universal transfers between the spot and futures
//! wallets (`/sapi/v1/asset/transfer`, `MAIN_UMFUTURE` / `UMFUTURE_MAIN`), and with
//! [`config::WalletConfig`] an on-chain wallet: `/sapi/v1/capital/withdraw/apply` sends
//! ERC-20 tokens from the exchange's own key (`withdraw/history` follows them to mined), and
//! deposits to per-account addresses (`deposit/address`, derived from a configured
//! mnemonic) are found in the tokens' `Transfer` logs and credited once after the configured
//! confirmations (`deposit/hisrec`). Without `[wallet]` the `capital` endpoints answer -1020.
//!
//! Limits: state lives in memory for the life of the process (orders are never archived); only
//! LIMIT, LIMIT_MAKER and MARKET orders; no rate limits (every REST request weighs 1 in
//! `X-MBX-USED-WEIGHT-1M`, nothing is refused for it); of the WebSocket API only `ping`,
//! `time` and the user data stream methods (so no `session.logon`).
//!
//! For clients' recovery tests, [`config::FaultConfig`] makes the first order placements
//! (spot and futures, one shared count) answer -1007 (HTTP 503) or hang after they applied,
//! and the first requests 429.
//!
//! Layout:
//! Public API: [`Config`] (with [`DEV_API_KEY`] / [`DEV_SECRET_KEY`] in its default) and
//! [`serve`]. Inside (`src/`), two trees: `engine` imports nothing of `api` nor of an HTTP,
//! websocket or JSON crate (a test below reads its sources to keep it so), and `api` serves
//! it.
//! - `config`: the configuration and its defaults.
//! - `api_keys`: the API keys' kinds (HMAC, Ed25519, RSA) and their signature checks, below
//!   both `config` (which checks the configured keys) and `api/auth`.
//! - `engine/`: the domain, behind one lock.
//!   - `market/`: the synthetic market (`walk`: random-walk mid; `liquidity`: bid/ask ladders).
//!   - `book`: one symbol's synthetic levels and resting orders; how takers and the moving
//!     market execute against them.
//!   - `depth`: the published book, its update id, snapshots and diffs.
//!   - `exchange/`: the matching engine behind one lock (`place`, `manage`: cancel and
//!     lookups; `ledger`: accounts, orders and the money of each execution; `trades`: every
//!     execution; `ticker`: the 24 h statistics, and what they approximate).
//!   - `accounts`, `orders`: balances, and orders with Binance's enums and amounts.
//!   - `user_data`: the user data streams' events, published by the engine under its lock.
//!   - `futures/`: the perpetual futures engine (`position`, `margins`, `place`, `manage`,
//!     `events`, `listen_keys`, `leverage`).
//!   - `wallet/`: transfers, withdrawals and deposits (`transfer`, `withdraw`, `deposit`;
//!     `chain`: the tasks sending withdrawals and watching deposits; `config`, `keys`,
//!     `units`).
//! - `api/`: Binance's API over the engine, and `Shared`, the state its handlers hold.
//!   - `rest/`: the HTTP routes, order parameters and JSON shapes, the used-weight header
//!     (`used_weight`: its count, held by `Shared`);
//!     `rest/futures/` and `rest/wallet/`: the `/fapi` and `/sapi` routes.
//!   - `stream`: the websocket market streams (diff depth, mark price); `futures_stream`: the
//!     futures user data stream websocket.
//!   - `ws_api/`: the WebSocket API and its user data stream subscriptions; `user_data`:
//!     Binance's JSON of the user data streams' events (spot and futures).
//!   - `auth`: SIGNED request checks (API key, signature, recvWindow).
//!   - `params`: query string and form body parameters.
//!   - `error`: Binance's `{"code","msg"}` errors and HTTP statuses.
//!   - `faults`: the injected failures still to happen.
//! - `test_utils` (feature `test-utils`): anvil and a `TestToken` for wallet tests; `keys`:
//!   Ed25519 and RSA API key pairs generated at test time.

mod api;
mod api_keys;
pub mod config;
mod engine;
#[cfg(feature = "test-utils")]
pub mod test_utils;

use std::convert::Infallible;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::time::MissedTickBehavior;

use api::faults::Faults;
use api::stream::StreamEvent;
use api::used_weight::UsedWeight;
use api::{Shared, auth, rest};
pub use config::{Config, ConfigError, DEV_API_KEY, DEV_SECRET_KEY, FaultConfig, WalletConfig};
use engine::depth::Speed;
use engine::exchange::Exchange;
use engine::now_ms;
use engine::wallet;
pub use wallet::chain::WalletError;
pub use wallet::keys::{KeyError, withdraw_signer};

/// How often the `@depth@100ms` streams send the book's changes.
const FAST_STREAM_EVERY: Duration = Duration::from_millis(100);
/// How often the `@depth` streams send them.
const SLOW_STREAM_EVERY: Duration = Duration::from_secs(1);
/// How often the `@markPrice@1s` streams send the mark price.
const MARK_PRICE_FAST_EVERY: Duration = Duration::from_secs(1);
/// How often the `@markPrice` streams send it.
const MARK_PRICE_SLOW_EVERY: Duration = Duration::from_secs(3);
/// Stream events a websocket connection may fall behind by before it is closed.
const STREAM_BUFFER: usize = 4096;

/// Why [`serve`] stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid paper exchange configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("paper exchange server failed: {0}")]
    Serve(#[from] std::io::Error),
    #[error("paper exchange wallet: {0}")]
    Wallet(#[from] wallet::chain::WalletError),
}

/// Serves the paper exchange on `listener` until the returned future is dropped (or the server
/// fails). Open websocket connections end when it is dropped.
pub async fn serve(config: Config, listener: TcpListener) -> Result<(), Error> {
    config.validate()?;
    let seed = config.seed.unwrap_or_else(rand::random);
    let (sender, receiver) = broadcast::channel(STREAM_BUFFER);
    let (wallet, chain) = match &config.wallet {
        Some(wallet) => {
            let (service, chain) = wallet::chain::start(wallet, config.accounts.len())?;
            (Some(service), Some(chain))
        }
        None => (None, None),
    };
    let shared = Arc::new(Shared {
        exchange: Mutex::new(Exchange::new(&config, seed)),
        keys: auth::Keys::new(&config.accounts)?,
        events: receiver,
        faults: Faults::new(&config.faults),
        used_weight: UsedWeight::default(),
        wallet,
    });
    let symbols: Vec<&str> = config.symbols.iter().map(|s| s.symbol.as_str()).collect();
    tracing::info!(address = ?listener.local_addr().ok(), ?symbols, seed, accounts = config.accounts.len(), "paper exchange listening");
    let app = rest::router(shared.clone());
    tokio::select! {
        served = axum::serve(listener, app).into_future() => served.map_err(Error::Serve),
        never = run_market(&shared, sender, config.tick_interval) => match never {},
        never = wallet::chain::run(&shared.exchange, chain) => match never {},
    }
}

/// A paper exchange serving on a free local port (tests and benches); it stops when dropped.
pub struct Running {
    pub addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `127.0.0.1:0` and serves `config` there in a task of its own, which panics if serving
/// fails (a test's exchange must not vanish silently).
pub async fn spawn(config: Config) -> std::io::Result<Running> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        serve(config, listener)
            .await
            .expect("paper exchange failed")
    });
    Ok(Running { addr, task })
}

/// Ticks the markets and sends the depth and mark price streams, forever.
async fn run_market(
    shared: &Shared,
    events: broadcast::Sender<Arc<StreamEvent>>,
    tick_every: Duration,
) -> Infallible {
    let mut tick = tokio::time::interval(tick_every);
    let mut fast = tokio::time::interval(FAST_STREAM_EVERY);
    let mut slow = tokio::time::interval(SLOW_STREAM_EVERY);
    let mut mark_fast = tokio::time::interval(MARK_PRICE_FAST_EVERY);
    let mut mark_slow = tokio::time::interval(MARK_PRICE_SLOW_EVERY);
    for timer in [
        &mut tick,
        &mut fast,
        &mut slow,
        &mut mark_fast,
        &mut mark_slow,
    ] {
        // after a stall, carry on at the normal pace instead of bursting to catch up
        timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    }
    loop {
        let speed = tokio::select! {
            _ = tick.tick() => {
                shared.exchange().tick(now_ms());
                continue;
            }
            _ = fast.tick() => Speed::Fast,
            _ = slow.tick() => Speed::Slow,
            _ = mark_fast.tick() => {
                send_mark_prices(shared, &events, true);
                continue;
            }
            _ = mark_slow.tick() => {
                send_mark_prices(shared, &events, false);
                continue;
            }
        };
        let diffs = shared.exchange().drain(speed);
        let now = now_ms();
        for (symbol, diff) in diffs {
            // no subscribers is not an error
            let _ = events.send(Arc::new(StreamEvent::depth(&symbol, speed, &diff, now)));
        }
    }
}

/// Sends every perpetual's `markPriceUpdate` on its 1 s or 3 s stream.
fn send_mark_prices(
    shared: &Shared,
    events: &broadcast::Sender<Arc<StreamEvent>>,
    every_second: bool,
) {
    let now = now_ms();
    let marks: Vec<StreamEvent> = {
        let exchange = shared.exchange();
        let rate = exchange.futures.config.funding_rate;
        exchange
            .perpetuals()
            .filter_map(|v| {
                let mark = exchange.mark_price(&v.config.symbol).ok()?;
                Some(StreamEvent::mark_price(
                    &v.config.symbol,
                    every_second,
                    mark,
                    rate,
                    now,
                ))
            })
            .collect()
    };
    for mark in marks {
        // no subscribers is not an error
        let _ = events.send(Arc::new(mark));
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Crates that speak HTTP, websockets or JSON: `engine` must use none of them (Binance's
    /// JSON is `api`'s).
    const WIRE_CRATES: [&str; 5] = ["axum", "tokio_tungstenite", "hyper", "http", "serde_json"];

    /// The `.rs` files under `dir`, recursively.
    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }

    /// Whether `line` names crate `name` as the first segment of a path (`name::…`), so that
    /// another crate's module of the same name (alloy's `transports::http::`) does not count.
    fn names_crate(line: &str, name: &str) -> bool {
        let pattern = format!("{name}::");
        line.match_indices(&pattern).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            !before.is_some_and(|c| c == ':' || c == '_' || c.is_alphanumeric())
        })
    }

    #[test]
    fn engine_imports_neither_the_api_nor_wire_crates() {
        let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine");
        let files = sources(&engine);
        assert!(files.len() > 20, "found only {files:?}");
        let mut offences = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let wire = WIRE_CRATES.iter().find(|c| names_crate(line, c));
                if line.contains("crate::api") || wire.is_some() {
                    offences.push(format!("{}:{}: {line}", file.display(), number + 1));
                }
            }
        }
        assert!(
            offences.is_empty(),
            "engine/ reaches up:\n{}",
            offences.join("\n")
        );
    }

    #[test]
    fn crate_paths_are_told_from_modules_of_the_same_name() {
        assert!(names_crate("use axum::Router;", "axum"));
        assert!(names_crate("    http::StatusCode::OK", "http"));
        assert!(!names_crate(
            "use alloy::transports::http::reqwest::Url;",
            "http"
        ));
        assert!(!names_crate("let url = \"http://127.0.0.1\";", "http"));
        assert!(!names_crate("my_http::x", "http"));
    }
}
