//! Binance's API over the engine: REST routes and their JSON, the websocket market and user
//! data streams, the WebSocket API, SIGNED request checks and Binance's errors. It turns
//! requests into [`crate::engine`] calls, and the engine's answers and rejects into Binance's
//! shapes and codes. Its modules are listed in the crate's doc.

pub mod auth;
pub mod error;
pub mod faults;
pub mod futures_stream;
pub mod keys;
pub mod params;
pub mod rest;
pub mod stream;
pub mod ws_api;
