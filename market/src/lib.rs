//! Market data for the order book manager (role `obm`): local order books kept in sync with an
//! exchange's diff depth stream, and the market watcher's short-term volatility.
//!
//! - [`binance`]: the exchange's depth snapshot and diff stream;
//! - [`manager`]: follows every configured book and publishes it, live or unusable;
//! - [`config`]: the `[exchanges]` and `[obm]` configuration sections;
//! - [`grpc`]: the OBM's gRPC service over those books;
//! - [`book`]: a local order book (levels per side at an update id);
//! - [`sync`]: Binance's local-book procedure as a state machine without I/O;
//! - [`volatility`]: the market watcher's short-term volatility of the mid.

pub mod binance;
pub mod book;
pub mod config;
pub mod grpc;
pub mod manager;
pub mod sync;
pub mod volatility;
