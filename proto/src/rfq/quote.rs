//! The RFQ dealer's settlement order: the maker-signed `RfqOrder` (0x v4's RFQ layout) and the
//! taker's `RfqFillApproval`, as `contracts/src/RfqSettlement.sol` hashes them (EIP-712). The
//! dealer, the hot wallet and the fill workflow all sign or check these same types.

use crate::grpc::hot_wallet as wire;
use alloy::primitives::{Address, U256};
use alloy::sol_types::Eip712Domain;
use std::borrow::Cow;

alloy::sol! {
    /// The order the maker (our hot wallet) signs; its EIP-712 digest is the order's id.
    #[derive(Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// `RfqSettlement.fillRfqOrder`: the settlement transaction's call.
    function fillRfqOrder(RfqOrder order, bytes makerSignature, bytes takerApproval)
        external
        returns (bytes32 orderHash);
}

/// The calldata of the settlement transaction filling `order` with both signatures.
pub fn fill_calldata(order: &RfqOrder, maker_signature: &[u8], taker_approval: &[u8]) -> Vec<u8> {
    use alloy::sol_types::SolCall;
    fillRfqOrderCall {
        order: order.clone(),
        makerSignature: maker_signature.to_vec().into(),
        takerApproval: taker_approval.to_vec().into(),
    }
    .abi_encode()
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
        Some(U256::from(chain_id)),
        Some(settlement),
        None,
    )
}

/// A field of a wire order that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct BadField {
    pub field: &'static str,
    pub reason: &'static str,
}

fn parse_address(field: &'static str, value: &str) -> Result<Address, BadField> {
    value.parse().map_err(|_| BadField {
        field,
        reason: "not an address",
    })
}

fn parse_amount(field: &'static str, value: &str) -> Result<U256, BadField> {
    U256::from_str_radix(value, 10).map_err(|_| BadField {
        field,
        reason: "not a base-10 uint256",
    })
}

fn parse_u128(field: &'static str, value: &str) -> Result<u128, BadField> {
    u128::try_from(parse_amount(field, value)?).map_err(|_| BadField {
        field,
        reason: "above uint128",
    })
}

impl TryFrom<wire::RfqOrder> for RfqOrder {
    type Error = BadField;

    fn try_from(order: wire::RfqOrder) -> Result<Self, BadField> {
        Ok(RfqOrder {
            makerToken: parse_address("maker_token", &order.maker_token)?,
            takerToken: parse_address("taker_token", &order.taker_token)?,
            makerAmount: parse_u128("maker_amount", &order.maker_amount)?,
            takerAmount: parse_u128("taker_amount", &order.taker_amount)?,
            maker: parse_address("maker", &order.maker)?,
            taker: parse_address("taker", &order.taker)?,
            txOrigin: parse_address("tx_origin", &order.tx_origin)?,
            pool: order.pool.parse().map_err(|_| BadField {
                field: "pool",
                reason: "not 32 bytes of hex",
            })?,
            expiry: order.expiry,
            salt: parse_amount("salt", &order.salt)?,
        })
    }
}

impl From<&RfqOrder> for wire::RfqOrder {
    fn from(order: &RfqOrder) -> Self {
        wire::RfqOrder {
            maker_token: order.makerToken.to_string(),
            taker_token: order.takerToken.to_string(),
            maker_amount: order.makerAmount.to_string(),
            taker_amount: order.takerAmount.to_string(),
            maker: order.maker.to_string(),
            taker: order.taker.to_string(),
            tx_origin: order.txOrigin.to_string(),
            pool: order.pool.to_string(),
            expiry: order.expiry,
            salt: order.salt.to_string(),
        }
    }
}
