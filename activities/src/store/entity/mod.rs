//! Tables as sea-orm entities.

pub mod transfer;
