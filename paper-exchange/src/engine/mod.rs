//! The exchange's domain: markets, books, accounts, spot and futures orders, the wallet. It
//! knows Binance's names, enums and numbers, but nothing of HTTP, websockets or JSON: `api`
//! serves it, and a test in `lib.rs` fails if a file here names `api` or an HTTP, websocket or
//! JSON crate. Its modules are listed in the crate's doc.

pub mod accounts;
pub mod book;
pub mod depth;
pub mod exchange;
pub mod futures;
pub mod market;
pub mod orders;
pub mod user_data;
pub mod wallet;

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, Binance's time unit.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
