//! Tables as sea-orm entities.

pub mod chain_cursor;
pub mod escrow_order;
pub mod escrow_order_error;
pub mod transfer;
