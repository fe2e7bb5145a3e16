//! The RFQ dealer's pipeline, one module per step of a quote's life:
//!
//! - [`quote`]: the maker-signed `RfqOrder` and the taker's fill approval (EIP-712);
//! - [`fill`]: a taker's fill of a quote, as the `fill-<quoteId>` workflow settles it;
//! - [`hedge`]: the hedger's epochs, hedge orders and per-quote P&L;
//! - [`side`]: the taker's side of a market, shared by the fill and the hedger.

pub mod fill;
pub mod hedge;
pub mod quote;
pub mod side;
