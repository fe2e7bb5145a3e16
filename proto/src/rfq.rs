//! The RFQ dealer's settlement order: the maker-signed `RfqOrder` (0x v4's RFQ layout) and the
//! taker's `RfqFillApproval`, as `contracts/src/RfqSettlement.sol` hashes them (EIP-712). The
//! dealer, the hot wallet and the fill workflow all sign or check these same types.

use alloy::primitives::Address;
use alloy::sol_types::Eip712Domain;
use std::borrow::Cow;

alloy::sol! {
    /// The order the maker (our hot wallet) signs; its EIP-712 digest is the order's id.
    #[derive(Debug, PartialEq, Eq)]
    struct RfqOrder {
        address makerToken;
        address takerToken;
        uint128 makerAmount;
        uint128 takerAmount;
        address maker;
        address taker;
        address txOrigin;
        bytes32 pool;
        uint64 expiry;
        uint256 salt;
    }

    /// The taker's consent to fill exactly this order (it embeds the whole order).
    #[derive(Debug, PartialEq, Eq)]
    struct RfqFillApproval {
        RfqOrder order;
    }
}

/// The EIP-712 domain name of `RfqSettlement`.
pub const DOMAIN_NAME: &str = "hedgeflow RfqSettlement";
/// The EIP-712 domain version of `RfqSettlement`.
pub const DOMAIN_VERSION: &str = "1";

/// The domain of the `RfqSettlement` deployed at `settlement` on `chain_id`.
pub fn domain(chain_id: u64, settlement: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(alloy::primitives::U256::from(chain_id)),
        Some(settlement),
        None,
    )
}
