//! The RFQ dealer's on-chain settlement (`RfqSettlement`): the hot wallet's quote signer and
//! funds reports, served over gRPC by the `hot-wallet` role.

mod config;
mod signer;

pub use config::SettlementConfig;
pub use signer::QuoteSigner;
