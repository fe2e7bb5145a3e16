//! The binding of `RfqSettlement`, generated from the committed artifact (so it cannot drift
//! from what `contracts/build` compiled), and its order states.

use alloy::sol;

sol!(
    // 0x v4's event has eight fields, and the generated code takes them as arguments
    #[allow(clippy::too_many_arguments)]
    #[sol(rpc)]
    RfqSettlement,
    "../contracts/artifacts/RfqSettlement.json"
);

/// `RfqSettlement.orderStatus` values.
pub mod order_status {
    pub const FILLED: u8 = 1;
    pub const CANCELLED: u8 = 2;
}
