//! The RFQ dealer's side effects: the on-chain settlement (`RfqSettlement`), with the hot
//! wallet's quote signer and funds reports served over gRPC by the `hot-wallet` role and its
//! check of a fill before the fill workflow sends it; the hand-off of settled fills to
//! their market's hedger ([`hedger`]); and how the fill and hedge workflows begin
//! ([`starters`]).

mod config;
pub mod contract;
mod fill_check;
pub mod hedger;
mod quote_signer;
pub mod starters;

pub use config::SettlementConfig;
pub use fill_check::FillChecker;
pub use quote_signer::QuoteSigner;
pub use starters::TemporalFills;
