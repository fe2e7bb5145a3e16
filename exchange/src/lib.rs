//! The exchange role's Binance Spot and USDⓈ-M Futures clients: signed REST, idempotent
//! orders by client order id, and order fills followed from the user data stream and REST
//! polling.
//!
//! It talks to Binance, its Spot testnet or the paper exchange, chosen by [`Config`] alone.
//! Every placement goes through [`Client::place_once`], which never places two orders for one
//! client order id (see its doc for how, and for its limits). [`OrderWatch`] follows orders to
//! their final state.
//!
//! Layout:
//! - `config`: endpoints, credentials (the secret never reaches `Debug`), timeouts.
//! - `signing`: the signatures of REST and WebSocket API requests with each kind of API key
//!   ([`KeyKind`]: HMAC, Ed25519, RSA, in `key_kind`).
//! - `clock`: request timestamps on the server's clock.
//! - `rest`: the [`Client`] transport: signing, rate limit gate, used weight, errors.
//! - `error`: [`Error`], and which failures leave an order's fate unknown.
//! - `orders`: orders, the client order id, and the REST order answers.
//! - `filters`: a symbol's trading rules and rounding to them.
//! - `trading`: the endpoints (rules, place, query, cancel, open orders, balances).
//! - `trades`: the account's trades of an order (`myTrades`), with their commissions.
//! - `place_once`: idempotent placement.
//! - `execution_report`, `user_stream`: the user data stream over the WebSocket API.
//! - `watch`: [`OrderWatch`], the stream and polling combined.
//! - `wallet/`: the wallet API on [`Client`]: universal transfers, withdrawals (with
//!   [`Client::withdraw_once`], idempotent by `withdrawOrderId`), deposit address and deposits.
//! - `futures/`: [`FuturesClient`], the USDⓈ-M Futures client on the same transport and
//!   idempotency rules (`orders`, `market`, `positions`, `user_stream`, and
//!   [`FuturesOrderWatch`] in `watch`).

mod clock;
mod config;
mod error;
mod execution_report;
mod filters;
mod futures;
mod key_kind;
mod orders;
mod place_once;
mod rest;
mod signing;
mod trades;
mod trading;
mod user_stream;
mod wallet;
mod watch;

pub use clock::Clock;
pub use config::{
    BINANCE_FUTURES_REST_URL, BINANCE_FUTURES_WS_URL, BINANCE_REST_URL, BINANCE_WS_API_URL, Config,
    Credentials, DEFAULT_RECV_WINDOW, DEFAULT_RESOLVE_TIMEOUT, DEFAULT_TIMEOUT,
    TESTNET_FUTURES_REST_URL, TESTNET_FUTURES_WS_URL, TESTNET_REST_URL, TESTNET_WS_API_URL,
};
pub use error::{
    CODE_DUPLICATE_CLIENT_ORDER_ID, CODE_DUPLICATE_WITHDRAW_ORDER_ID, CODE_INVALID_TIMESTAMP,
    CODE_NEW_ORDER_REJECTED, CODE_NO_SUCH_ORDER, CODE_TIMEOUT, Error,
};
pub use execution_report::{ExecutionReport, ExecutionType};
pub use filters::{Rounding, SymbolFilters};
pub use futures::FuturesClient;
pub use futures::market::MarkPrice;
pub use futures::orders::{FuturesOrder, FuturesOrderKind, FuturesOrderRequest};
pub use futures::positions::{FuturesAccount, Position};
pub use futures::watch::FuturesOrderWatch;
pub use key_kind::KeyKind;
pub use orders::{
    ClientOrderId, Fill, Order, OrderKind, OrderRequest, OrderStatus, Side, TimeInForce,
};
pub use place_once::Placement;
pub use rest::Client;
pub use signing::KeyError;
pub use trades::Trade;
pub use trading::{Balance, Touch};
pub use wallet::deposit::{Deposit, DepositAddress, DepositStatus};
pub use wallet::transfer::{Transfer, TransferType};
pub use wallet::withdraw::{WithdrawRequest, WithdrawStatus, Withdrawal};
pub use watch::{FinalOrder, OrderWatch, Source};
