//! Binance's wallet API (`/sapi/...`) on the Spot [`Client`](crate::Client): moving collateral
//! between the spot and USDⓈ-M futures wallets, and between the broker and the chain.
//!
//! - [`transfer`]: universal transfers (`MAIN_UMFUTURE`, `UMFUTURE_MAIN`) and their history.
//! - [`withdraw`]: withdrawals, their history, and idempotent
//!   [`withdraw_once`](crate::Client::withdraw_once) by `withdrawOrderId`.
//! - [`deposit`]: the account's deposit address and its deposits.
//!
//! Addresses and transaction ids are kept as Binance writes them (strings): this crate does
//! not depend on a chain library.

pub mod deposit;
pub mod transfer;
pub mod withdraw;
