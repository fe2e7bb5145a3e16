//! End-to-end tests of the paper exchange over real sockets, in one test binary.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

mod binance_client;
mod ccxt_client;
mod depth_stream;
mod faults;
mod futures;
mod futures_leverage;
mod orders;
mod signing;
mod support;
mod trades;
mod user_data_stream;
mod wallet;
