//! The bridge market maker's escrow pipeline: a user locks `amount + fee` in the L2 `Escrow`, we
//! pay `amount` to their L1 recipient through the `PaymentRegistry`, then claim, which makes the
//! L1→L2 messenger release `amount + fee` to us on L2.

pub use crate::chain::FoundTx;
use crate::{Amount, ids};
use alloy::{
    primitives::{Address, B256, Bytes, U256},
    sol,
    sol_types::SolCall,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

sol! {
    /// `PaymentRegistry` (L1): pays the user; one transfer per (order, recipient, amount, chain).
    interface IPaymentRegistry {
        function transfer(uint256 orderId, address destAddress, uint128 chainId) external payable;
        function claimPayment(uint256 orderId, address destAddress, uint256 amount, uint128 chainId) external;
        function claimPaymentBatch(uint256[] orderIds, address[] destAddresses, uint256[] amounts, uint128 chainId) external;
    }
}

/// An order as the L2 `Escrow` emitted it (`SetOrder`), plus where it was seen. The workflow's
/// input: the indexer and the scan both build it from the same log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowOrder {
    /// The L2 the order was placed on.
    pub chain_id: u64,
    pub order_id: u64,
    /// Who gets paid on L1.
    pub recipient: Address,
    /// Wei paid to the recipient on L1.
    pub amount: Amount,
    /// Wei we earn: released to us on L2 with the amount when the claim lands.
    pub fee: Amount,
    pub block_number: u64,
    pub tx_hash: B256,
    /// Which input saw it first (the others were refused by the workflow id).
    pub source: OrderSource,
}

impl EscrowOrder {
    /// `escrow-<chainId>-<orderId>-<tx>` (see [`ids::escrow_workflow`]).
    pub fn workflow_id(&self) -> String {
        ids::escrow_workflow(self.chain_id, self.order_id, &self.tx_hash)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderSource {
    Websocket,
    Poller,
    Scan,
}

impl OrderSource {
    /// The name stored with the order and logged (the same as its serde name).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Websocket => "websocket",
            Self::Poller => "poller",
            Self::Scan => "scan",
        }
    }
}

/// Where an order stands; stored with the order and upserted as the `Stage` search attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EscrowStatus {
    Pending,
    Processing,
    Transferring,
    Fulfilled,
    Claiming,
    Completed,
    Dropped,
    Failed,
}

impl EscrowStatus {
    pub const ALL: [Self; 8] = [
        Self::Pending,
        Self::Processing,
        Self::Transferring,
        Self::Fulfilled,
        Self::Claiming,
        Self::Completed,
        Self::Dropped,
        Self::Failed,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Processing => "PROCESSING",
            Self::Transferring => "TRANSFERRING",
            Self::Fulfilled => "FULFILLED",
            Self::Claiming => "CLAIMING",
            Self::Completed => "COMPLETED",
            Self::Dropped => "DROPPED",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

/// The evaluation's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Accept(Accepted),
    /// Not worth or not safe to fill; final. The reason is stored and shown to ops.
    Drop {
        reason: String,
    },
}

/// What the workflow needs to pay an accepted order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub l1_chain_id: u64,
    pub payment_registry: Address,
    /// L1 confirmations the transfer waits for: more for bigger orders (reorg risk is priced by
    /// value).
    pub confirmations: u64,
    /// The fee the order had to cover (estimated L1 gas for transfer and claim, plus margin).
    pub min_fee: Amount,
}

impl Accepted {
    /// `PaymentRegistry.transfer(orderId, recipient, chainId)` with `value = amount`, keyed by the
    /// order's workflow so the hot wallet signs it at most once.
    pub fn transfer_intent(&self, order: &EscrowOrder) -> crate::chain::TxIntent {
        let data = IPaymentRegistry::transferCall {
            orderId: U256::from(order.order_id),
            destAddress: order.recipient,
            chainId: order.chain_id as u128,
        }
        .abi_encode();
        crate::chain::TxIntent {
            intent_key: ids::tx_intent_key(&order.workflow_id(), "transfer"),
            chain_id: self.l1_chain_id,
            to: self.payment_registry,
            value: order.amount,
            data: data.into(),
        }
    }
}

/// An order ready to be claimed, queued with its chain's claim batcher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    pub workflow_id: String,
    pub order: EscrowOrder,
}

/// The claim batcher's settings and carried-over state (`escrow-claims-<chainId>`); it continues
/// as new with the claims still pending, so its history stays short.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBatcherInput {
    /// The L2 whose orders it claims.
    pub chain_id: u64,
    pub l1_chain_id: u64,
    pub payment_registry: Address,
    /// The longest a claim waits for others to join its batch.
    #[serde(with = "humantime_millis")]
    pub window: Duration,
    pub max_batch: u32,
    /// Batches in flight at once: a batch spends most of its time waiting for L1 blocks, and the
    /// claims behind it should not wait that out.
    #[serde(default = "one_batch")]
    pub concurrency: u32,
    /// L1 confirmations of the claim transaction.
    pub confirmations: u64,
    #[serde(default)]
    pub pending: Vec<ClaimRequest>,
    #[serde(default)]
    pub next_batch: u64,
}

fn one_batch() -> u32 {
    1
}

impl ClaimBatcherInput {
    /// `claimPayment` for one order, `claimPaymentBatch` for several (same chain), keyed by the
    /// batcher's run and the batch's sequence number.
    pub fn claim_intent(
        &self,
        run_id: &str,
        batch: u64,
        claims: &[ClaimRequest],
    ) -> crate::chain::TxIntent {
        let chain_id = self.chain_id as u128;
        let data: Bytes = match claims {
            [one] => IPaymentRegistry::claimPaymentCall {
                orderId: U256::from(one.order.order_id),
                destAddress: one.order.recipient,
                amount: one.order.amount.0,
                chainId: chain_id,
            }
            .abi_encode()
            .into(),
            many => IPaymentRegistry::claimPaymentBatchCall {
                orderIds: many.iter().map(|c| U256::from(c.order.order_id)).collect(),
                destAddresses: many.iter().map(|c| c.order.recipient).collect(),
                amounts: many.iter().map(|c| c.order.amount.0).collect(),
                chainId: chain_id,
            }
            .abi_encode()
            .into(),
        };
        crate::chain::TxIntent {
            intent_key: ids::tx_intent_key(
                &ids::escrow_claims_workflow(self.chain_id),
                &format!("{run_id}/batch-{batch}"),
            ),
            chain_id: self.l1_chain_id,
            to: self.payment_registry,
            value: Amount::ZERO,
            data,
        }
    }
}

/// A batch of claims checked against the registry just before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimBatch {
    pub l1_chain_id: u64,
    pub payment_registry: Address,
    pub claims: Vec<ClaimRequest>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimPlan {
    /// Transferred and not yet claimed: to send now.
    pub to_claim: Vec<ClaimRequest>,
    /// Claimed already (a retry after a crash mid-send): the claim transaction found on L1.
    pub already_claimed: Vec<(String, FoundTx)>,
    /// Cannot be claimed (no matching transfer): the reason goes to the order.
    pub invalid: Vec<(String, String)>,
}

/// The batcher's answer to an order workflow: its claim landed on L1, or why it could not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ClaimOutcome {
    Claimed { claim: FoundTx, batch_size: u32 },
    Failed { reason: String },
}

/// One order's answer from the batcher, delivered as its `claim_done` signal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimAnswer {
    pub workflow_id: String,
    pub outcome: ClaimOutcome,
}

/// The release of `amount + fee` to us on L2, as the `Escrow` recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Released {
    pub tx_hash: B256,
    pub block_number: u64,
    pub amount: Amount,
}

/// One error of an order, as stored in its error table. `seq` numbers the order's errors, so a
/// retried write stores it once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderError {
    pub seq: u32,
    pub step: String,
    pub message: String,
}

/// One write to the order's row (the workflow calls `record_escrow_order` at each status).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowRecord {
    pub workflow_id: String,
    pub order: EscrowOrder,
    pub status: EscrowStatus,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub transfer: Option<FoundTx>,
    #[serde(default)]
    pub claim: Option<FoundTx>,
    #[serde(default)]
    pub release: Option<Released>,
    #[serde(default)]
    pub error: Option<OrderError>,
}

/// The order workflow's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscrowResult {
    pub status: EscrowStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub transfer: Option<FoundTx>,
    #[serde(default)]
    pub claim: Option<FoundTx>,
    #[serde(default)]
    pub release: Option<Released>,
}

/// The accepted-blocks scan of one L2: re-read finalized blocks since the stored cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRequest {
    pub chain_id: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanReport {
    pub chain_id: u64,
    pub from_block: u64,
    pub to_block: u64,
    pub orders_seen: u32,
    /// Orders no other input had started: each one is an order the scan saved.
    pub started: u32,
}

/// Durations as integer milliseconds, readable in histories.
mod humantime_millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: u64) -> EscrowOrder {
        EscrowOrder {
            chain_id: 31338,
            order_id: id,
            recipient: Address::repeat_byte(7),
            amount: Amount::from(U256::from(1_000u64)),
            fee: Amount::from(U256::from(10u64)),
            block_number: 5,
            tx_hash: B256::repeat_byte(1),
            source: OrderSource::Poller,
        }
    }

    #[test]
    fn claim_intents_are_keyed_by_batch_and_pick_the_call_by_size() {
        let batcher = ClaimBatcherInput {
            chain_id: 31338,
            l1_chain_id: 31337,
            payment_registry: Address::repeat_byte(9),
            window: Duration::from_secs(2),
            max_batch: 20,
            concurrency: 4,
            confirmations: 1,
            pending: vec![],
            next_batch: 0,
        };
        let claim = |id| ClaimRequest {
            workflow_id: order(id).workflow_id(),
            order: order(id),
        };
        let one = batcher.claim_intent("run-a", 3, &[claim(1)]);
        assert_eq!(one.intent_key, "escrow-claims-31338/run-a/batch-3");
        assert_eq!(
            one.data[..4],
            IPaymentRegistry::claimPaymentCall::SELECTOR[..]
        );
        let two = batcher.claim_intent("run-a", 4, &[claim(1), claim(2)]);
        assert_eq!(
            two.data[..4],
            IPaymentRegistry::claimPaymentBatchCall::SELECTOR[..]
        );
        let decoded = IPaymentRegistry::claimPaymentBatchCall::abi_decode(&two.data).unwrap();
        assert_eq!(decoded.orderIds, vec![U256::from(1), U256::from(2)]);
        assert_eq!(decoded.chainId, 31338);
        assert_eq!(two.chain_id, 31337);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in EscrowStatus::ALL {
            assert_eq!(EscrowStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
        }
        assert_eq!(EscrowStatus::parse("failed"), Some(EscrowStatus::Failed));
        assert_eq!(EscrowStatus::parse("done"), None);
    }

    #[test]
    fn the_transfer_pays_the_amount_to_the_registry_for_the_recipient() {
        let accepted = Accepted {
            l1_chain_id: 31337,
            payment_registry: Address::repeat_byte(9),
            confirmations: 2,
            min_fee: Amount::ZERO,
        };
        let intent = accepted.transfer_intent(&order(42));
        assert_eq!(intent.intent_key, "escrow-31338-42-01010101/transfer");
        assert_eq!(intent.value, order(42).amount);
        let call = IPaymentRegistry::transferCall::abi_decode(&intent.data).unwrap();
        assert_eq!(call.orderId, U256::from(42));
        assert_eq!(call.destAddress, Address::repeat_byte(7));
        assert_eq!(call.chainId, 31338);
    }
}
