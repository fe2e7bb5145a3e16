//! Binance's API over the engine: REST routes and their JSON, the websocket market and user
//! data streams, the WebSocket API, SIGNED request checks and Binance's errors. It turns
//! requests into [`crate::engine`] calls and the engine's answers and rejects into Binance's
//! shapes and codes.
//!
//! - `rest/`: the HTTP routes, order parameters and JSON shapes, the used-weight header;
//!   `rest/futures/` and `rest/wallet/` for the `/fapi` and `/sapi` routes.
//! - `stream`: the websocket market streams (diff depth, mark price); `futures_stream`: the
//!   futures user data stream at `/ws/<listenKey>`.
//! - `ws_api/`: the WebSocket API and its user data stream subscriptions.
//! - `auth`: SIGNED request checks (API key, signature of the key's kind: HMAC, Ed25519 or
//!   RSA; recvWindow).
//! - `params`: query string and form body parameters.
//! - `error`: Binance's `{"code","msg"}` errors and HTTP statuses, and the engine's rejects
//!   mapped to them.
//! - `faults`: the injected failures still to happen.

pub mod auth;
pub mod error;
pub mod faults;
pub mod futures_stream;
pub mod params;
pub mod rest;
pub mod stream;
pub mod ws_api;
