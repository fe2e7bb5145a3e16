//! The exchange's domain: markets, books, accounts, spot and futures orders, the wallet. It
//! knows Binance's names and numbers but nothing of HTTP or websockets; `api` serves it (and a
//! test in `lib.rs` keeps it that way).
//!
//! - `market/`: the synthetic market (`walk`: random-walk mid; `liquidity`: bid/ask ladders).
//! - `book`: one symbol's synthetic levels and resting orders; how takers and the moving market
//!   execute against them.
//! - `depth`: the published book, its update id, snapshots and diffs.
//! - `exchange/`: the matching engine behind one lock (`place`, `manage`: cancel and lookups;
//!   `ledger`: accounts, orders and the money of each execution; `trades`: every execution;
//!   `ticker`: the 24 h statistics, and what they approximate).
//! - `accounts`, `orders`: balances, and orders with Binance's enums and amounts.
//! - `user_data`: the user data stream's events, published by the engine under its lock.
//! - `futures/`: the perpetual futures engine (`position`, `place`, `manage`, `events`,
//!   `listen_keys`, `leverage`).
//! - `wallet/`: transfers, withdrawals and deposits (`transfer`, `withdraw`, `deposit`;
//!   `chain`: the tasks sending withdrawals and watching deposits; `config`, `keys`, `units`).

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
