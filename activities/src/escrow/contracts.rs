//! Bindings of our escrow contracts, generated from the committed artifacts (so they cannot
//! drift from what `contracts/build` compiled), and the reads the pipeline makes through them.

use alloy::sol;

sol!(
    #[sol(rpc)]
    Escrow,
    "../contracts/artifacts/Escrow.json"
);
sol!(
    #[sol(rpc)]
    PaymentRegistry,
    "../contracts/artifacts/PaymentRegistry.json"
);
sol!(
    #[sol(rpc)]
    L1Messenger,
    "../contracts/artifacts/L1Messenger.json"
);
sol!(
    #[sol(rpc)]
    L2Messenger,
    "../contracts/artifacts/L2Messenger.json"
);

/// `Escrow.Order.status` values.
pub mod order_status {
    pub const NONE: u8 = 0;
    pub const OPEN: u8 = 1;
    pub const CLAIMED: u8 = 2;
    pub const RECLAIMED: u8 = 3;
}
