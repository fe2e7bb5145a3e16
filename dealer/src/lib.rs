//! The RFQ dealer (role `dealer`).
//!
//! - [`maker`]: pricing and risk checks, pure and deterministic (books, volatility, inventory
//!   and time come in as arguments).

pub mod maker;
