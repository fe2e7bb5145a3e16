//! The RFQ dealer's workflows: a taker's fill settled on chain, then hedged by its market's
//! hedger; the scheduled sweep hands a hedger the fills it lost.

pub mod fill;
pub mod hedge;
pub mod hedge_sweep;
