//! Chains: configuration, providers with failover, signing and sending transactions, receipts.
//!
//! - [`config`]: a chain's RPC endpoints, tokens and confirmation depth;
//! - [`client`]: [`ChainClient`], the provider over every endpoint plus a head tracker;
//! - `metered`: each endpoint's transport, counting its own failures;
//! - [`signer`]: loading the hot-wallet key (mnemonic, private key or keystore);
//! - [`logs`]: a contract's logs followed by websocket and poller, for the indexers;
//! - [`journal`]: the hot wallet's write-ahead record of every transaction it signs;
//! - [`nonce`]: nonce allocation across concurrent workflows;
//! - [`submit`]: `submit_transaction` (hot-wallet role only);
//! - [`receipt`][]: `watch_receipt`.

pub mod client;
pub mod config;
pub mod error;
pub mod journal;
pub mod logs;
mod metered;
pub mod nonce;
pub mod receipt;
pub mod signer;
pub mod submit;

pub use client::{ChainClient, Chains};
pub use config::{ChainConfig, RpcEndpoint, TokenConfig};
pub use error::ChainError;
