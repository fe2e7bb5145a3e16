//! The RFQ dealer's on-chain settlement (`RfqSettlement`): the hot wallet's quote signer and
//! funds reports, served over gRPC by the `hot-wallet` role, and its check of a fill before the
//! fill workflow sends it.

mod config;
pub mod contract;
mod fill_check;
mod signer;

pub use config::SettlementConfig;
pub use fill_check::FillChecker;
pub use signer::QuoteSigner;
