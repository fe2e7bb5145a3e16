//! Tables as sea-orm entities.

pub mod chain_cursor;
pub mod dealer_profile;
pub mod escrow_order;
pub mod escrow_order_error;
pub mod intent_mismatch;
pub mod intent_quote;
pub mod rfq_hedge;
pub mod rfq_quote;
pub mod transfer;
