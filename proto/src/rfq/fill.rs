//! The RFQ dealer's fills: a taker's accepted request to fill a stored quote, settled on chain by
//! the `fill-<quoteId>` workflow (check → submit `RfqSettlement.fillRfqOrder` → confirmations).

use crate::{
    Amount,
    chain::{ConfirmedReceipt, TxIntent},
    ids,
    rfq::hedge::FilledTrade,
    rfq::quote::{self, RfqOrder},
    rfq::side::Side,
};
use alloy::primitives::{Address, B256, Bytes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The fill workflow's input: a fill request the dealer validated against the stored quote (the
/// order as signed, the taker's approval of exactly that order), plus the trade in market terms
/// for the hedger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillOrder {
    pub quote_id: String,
    pub chain_id: u64,
    /// The `RfqSettlement` the order is signed for.
    pub settlement: Address,
    pub order: RfqOrder,
    /// The order's EIP-712 digest: its id on chain.
    pub order_hash: B256,
    /// The hot wallet's signature of the order.
    pub maker_signature: Bytes,
    /// The taker's `RfqFillApproval` signature.
    pub taker_signature: Bytes,
    /// The dealer's market (`WETH/USDC`), the taker's side of its base asset, and the amounts in
    /// human units at the quoted all-in price.
    pub market: String,
    pub side: Side,
    pub base_amount: Decimal,
    pub quote_amount: Decimal,
    pub price: Decimal,
    /// The exchange symbol the market hedges its base on (`ETHUSDT`).
    #[serde(default)]
    pub hedge_symbol: String,
    /// When the dealer accepted the request (Unix ms).
    pub requested_at_ms: u64,
}

impl FillOrder {
    /// `fill-<quoteId>`.
    pub fn workflow_id(&self) -> String {
        ids::fill_workflow(&self.quote_id)
    }

    /// The settled fill as its market's hedger takes it.
    pub fn filled_trade(&self) -> FilledTrade {
        FilledTrade {
            quote_id: self.quote_id.clone(),
            market: self.market.clone(),
            symbol: self.hedge_symbol.clone(),
            side: self.side,
            base_amount: self.base_amount,
            quote_amount: self.quote_amount,
            price: self.price,
        }
    }

    /// The order's expiry in Unix ms.
    pub fn expiry_ms(&self) -> u64 {
        self.order.expiry.saturating_mul(1000)
    }

    /// `RfqSettlement.fillRfqOrder(order, makerSignature, takerApproval)`, sent by the hot
    /// wallet (the order's `txOrigin`), keyed by the fill workflow so it is signed at most once.
    pub fn settle_intent(&self) -> TxIntent {
        TxIntent {
            intent_key: ids::tx_intent_key(&self.workflow_id(), "settle"),
            chain_id: self.chain_id,
            to: self.settlement,
            value: Amount::ZERO,
            data: quote::fill_calldata(&self.order, &self.maker_signature, &self.taker_signature)
                .into(),
        }
    }
}

/// Where a fill stands: stored with the quote (its `status` and history), upserted as the `Stage`
/// search attribute, and shown to the taker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FillStatus {
    /// Accepted by the dealer; the hot wallet's checks are under way.
    #[serde(rename = "fill requested")]
    Requested,
    /// Refused before anything was sent (expired, taker funds, chain state).
    #[serde(rename = "fill rejected")]
    Rejected,
    /// The settlement transaction is in a block; waiting for confirmations.
    #[serde(rename = "fill submitted")]
    Submitted,
    /// Settled and confirmed; the hedger has not hedged it yet.
    #[serde(rename = "filled, unhedged")]
    FilledUnhedged,
    /// The settlement transaction reverted, or could not be sent; final, never hedged.
    #[serde(rename = "fill failed")]
    Failed,
    /// Its market's hedger hedged it: the quote holds the hedge trade and its realized P&L.
    #[serde(rename = "hedged")]
    Hedged,
}

impl FillStatus {
    pub const ALL: [Self; 6] = [
        Self::Requested,
        Self::Rejected,
        Self::Submitted,
        Self::FilledUnhedged,
        Self::Failed,
        Self::Hedged,
    ];

    /// The status named `text` (as [`FillStatus::as_str`] writes it).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Requested => "fill requested",
            Self::Rejected => "fill rejected",
            Self::Submitted => "fill submitted",
            Self::FilledUnhedged => "filled, unhedged",
            Self::Failed => "fill failed",
            Self::Hedged => "hedged",
        }
    }

    /// No further change will come from the fill workflow (a filled quote is hedged later, by
    /// its market's hedger).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Failed | Self::FilledUnhedged | Self::Hedged
        )
    }
}

/// Why a fill was refused before its settlement was sent, as the Dealer JSON-RPC v1.0 codes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillRefusal {
    /// -42014: the order expired before the fill could be checked.
    Expired,
    /// -42016: the order is filled (or cancelled) on chain already.
    AlreadyFilled,
    /// -42017: the chain would not accept the fill now (simulation reverted, the order would
    /// expire before it could be mined, the maker lacks funds).
    ValidationFailed,
    /// -42018: the taker holds less of the taker token than the order takes.
    InsufficientBalance,
    /// -42019: the taker's allowance to the settlement is below what the order takes.
    InsufficientAllowance,
}

impl FillRefusal {
    /// The Dealer JSON-RPC v1.0 error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Expired => -42014,
            Self::AlreadyFilled => -42016,
            Self::ValidationFailed => -42017,
            Self::InsufficientBalance => -42018,
            Self::InsufficientAllowance => -42019,
        }
    }
}

/// The hot wallet's verdict on a fill, read from the chain just before sending it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum FillCheck {
    Fillable,
    Refused {
        refusal: FillRefusal,
        reason: String,
    },
}

/// What `dealer_submitFill` answers, as the fill workflow decided it (the `submit` update). A
/// repeated submit of the same fill gets the same answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum FillAnswer {
    /// The settlement transaction is in a block (not yet confirmed).
    Submitted { tx_hash: B256, submitted_at_ms: u64 },
    Refused {
        refusal: FillRefusal,
        reason: String,
    },
    /// Sending failed for a reason that is ours, not the taker's (the hot wallet could not pay
    /// gas, the chain was unreachable until the retries ran out): the fill is "fill failed".
    Failed { reason: String },
}

/// One write of the fill's state to its quote's row (the workflow calls `record_rfq_fill` at
/// each status). Idempotent: a status already latest is not appended again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillRecord {
    pub quote_id: String,
    pub status: FillStatus,
    #[serde(default)]
    pub tx_hash: Option<B256>,
    #[serde(default)]
    pub block_number: Option<u64>,
    /// Why it was refused or failed.
    #[serde(default)]
    pub detail: Option<String>,
    /// Once settled: the fill as its hedger takes it, kept for the unhedged-fills sweep.
    #[serde(default)]
    pub trade: Option<crate::rfq::hedge::FilledTrade>,
}

/// The fill workflow's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillResult {
    pub status: FillStatus,
    pub answer: FillAnswer,
    #[serde(default)]
    pub receipt: Option<ConfirmedReceipt>,
    #[serde(default)]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::U256;
    use alloy::sol_types::SolCall;

    #[test]
    fn statuses_serialize_as_the_words_takers_see() {
        for status in FillStatus::ALL {
            assert_eq!(FillStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<FillStatus>(&json).unwrap(), status);
        }
    }

    #[test]
    fn the_settlement_is_keyed_by_the_fill_and_carries_both_signatures() {
        let order = RfqOrder {
            makerToken: Address::repeat_byte(1),
            takerToken: Address::repeat_byte(2),
            makerAmount: 10,
            takerAmount: 20,
            maker: Address::repeat_byte(3),
            taker: Address::repeat_byte(4),
            txOrigin: Address::repeat_byte(3),
            pool: B256::ZERO,
            expiry: 1_700_000_000,
            salt: U256::from(7),
        };
        let fill = FillOrder {
            quote_id: "q1".into(),
            chain_id: 31337,
            settlement: Address::repeat_byte(9),
            order: order.clone(),
            order_hash: B256::repeat_byte(5),
            maker_signature: vec![1; 65].into(),
            taker_signature: vec![2; 65].into(),
            market: "WETH/USDC".into(),
            side: Side::Buy,
            base_amount: Decimal::ONE,
            quote_amount: Decimal::TEN,
            price: Decimal::TEN,
            hedge_symbol: "ETHUSDT".into(),
            requested_at_ms: 1,
        };
        let intent = fill.settle_intent();
        assert_eq!(intent.intent_key, "fill-q1/settle");
        assert_eq!(intent.to, fill.settlement);
        let call = quote::fillRfqOrderCall::abi_decode(&intent.data).unwrap();
        assert_eq!(call.order, order);
        assert_eq!(call.makerSignature.as_ref(), &[1; 65]);
        assert_eq!(call.takerApproval.as_ref(), &[2; 65]);
        assert_eq!(fill.expiry_ms(), 1_700_000_000_000);
    }
}
