//! Activity signatures. Implementations live in `activities/` and name these with
//! `#[activity(definition = ...)]`, so the compiler checks that both sides agree on types.
//!
//! Each doc says where the activity runs, whether it is idempotent and what a retry does.

#![allow(clippy::unused_async)]

use crate::{
    balance::{
        BalanceRequest, BalanceSheet, BrokerAsset, BrokerDeposit, BrokerFunds, BrokerWithdrawal,
    },
    chain::{ReceiptOutcome, SubmittedTx, TxIntent, WatchReceipt},
    escrow::{
        ClaimAnswer, ClaimBatch, ClaimPlan, ClaimRequest, Decision, EscrowOrder, EscrowRecord,
        FoundTx, Released, ScanReport, ScanRequest,
    },
    intent::{
        BrokerExecution, BrokerOrder, BrokerPosition, ChainQuote, IntentDecision, IntentRecord,
        IntentRef, PriceRequest, SignedPrice, ValidationReport, ValidationRequest,
    },
    rfq::fill::{FillCheck, FillOrder, FillRecord},
    rfq::hedge::{FilledTrade, HedgeExecution, HedgeOrder, HedgeRecord},
    transfer::{TransferPlan, TransferRecord, TransferRequest},
};
use temporalio_macros::activity_definitions;
use temporalio_sdk::activities::ActivityError;

/// Activities that need the signing key. Task queue [`crate::queues::HOT_WALLET`].
pub struct HotWalletActivities;

#[activity_definitions]
impl HotWalletActivities {
    /// Signs and broadcasts `intent`, replaces it with a higher fee while it is stuck, and returns
    /// once one of its transactions is included in a block. Heartbeats while waiting.
    ///
    /// Idempotent by `intent.intent_key`: every signed transaction is journaled before it is
    /// broadcast, so a retry after a crash (before or after the broadcast) finds the journaled
    /// transaction, rebroadcasts it if the chain does not know it, and waits for it; it never
    /// signs a new transaction for an intent that already has one. Fails non-retryably when the
    /// call would revert or the wallet cannot pay for it (nothing is signed then), when the key
    /// names another call, and when the transaction was mined and reverted (failure type
    /// [`crate::chain::TX_REVERTED`], the transaction as details): a revert is never returned as
    /// sent. A refused call first looks for our own earlier transaction of the same call and
    /// returns that one (a retry whose journal was lost).
    #[activity]
    pub fn submit_transaction(intent: TxIntent) -> Result<SubmittedTx, ActivityError> {
        unimplemented!()
    }

    /// Reads the chain just before a fill is sent, as the seed's hot wallet does: the order is
    /// neither filled nor cancelled, will not expire before it can be mined (the configured
    /// margin against the latest block's time), the taker holds and has approved what the order
    /// takes, and `fillRfqOrder` from the hot wallet simulates cleanly. Read-only; a refusal is a
    /// verdict, not an error.
    #[activity]
    pub fn check_rfq_fill(fill: FillOrder) -> Result<FillCheck, ActivityError> {
        unimplemented!()
    }
}

/// Chain reads that need no secret. Task queue [`crate::queues::ORCHESTRATOR`].
pub struct ChainActivities;

#[activity_definitions]
impl ChainActivities {
    /// Waits for the receipt to reach the requested confirmations, heartbeating each new block.
    /// Read-only, so any retry is safe. A reverted transaction fails non-retryably (failure type
    /// [`crate::chain::TX_REVERTED`]); a receipt that disappears (reorg) returns
    /// [`ReceiptOutcome::Reorged`].
    #[activity]
    pub fn watch_receipt(watch: WatchReceipt) -> Result<ReceiptOutcome, ActivityError> {
        unimplemented!()
    }

    /// Resolves a transfer request against the configured tokens and the chain: known chain and
    /// token, non-zero amount within the hot wallet's balance. Read-only. Invalid requests fail
    /// non-retryably with the reason.
    #[activity]
    pub fn plan_transfer(request: TransferRequest) -> Result<TransferPlan, ActivityError> {
        unimplemented!()
    }
}

/// Our database. Task queue [`crate::queues::ORCHESTRATOR`] (the only role with DB credentials).
pub struct StoreActivities;

#[activity_definitions]
impl StoreActivities {
    /// Upserts the transfer's row by workflow id and appends the status to its history.
    /// Idempotent: recording the same status twice leaves one history entry.
    #[activity]
    pub fn record_transfer(record: TransferRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Upserts the escrow order's row by workflow id, appends the status to its history unless it
    /// is already the latest entry, and adds `record.error` to the order's error table once (keyed
    /// by its sequence number). Idempotent.
    #[activity]
    pub fn record_escrow_order(record: EscrowRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Sets the fill's status (appended to the quote's history unless already latest), its
    /// settlement transaction and the reason of a refusal or failure on the quote's row.
    /// Idempotent.
    #[activity]
    pub fn record_rfq_fill(record: FillRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Stores an epoch's hedge (its row in `rfq_hedges`, keyed by client order id) and writes
    /// the hedge trade, the realized P&L and the status `hedged` on every quote it covered, in
    /// one transaction. Idempotent: a repeated record changes nothing.
    #[activity]
    pub fn record_hedge(record: HedgeRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Upserts the intent's row (`intent_quotes`, by workflow id) with the chain's quote, our
    /// broker and chain positions, orders and transactions, and appends the hedger state to its
    /// history unless it is already the latest entry. Idempotent.
    #[activity]
    pub fn record_intent(record: IntentRecord) -> Result<(), ActivityError> {
        unimplemented!()
    }
}

/// The intent hedger's chain reads and policy. Task queue [`crate::queues::ORCHESTRATOR`];
/// none of them signs anything.
pub struct IntentActivities;

#[activity_definitions]
impl IntentActivities {
    /// The quote as the `IntentBook` holds it now. Read-only.
    #[activity]
    pub fn read_intent(intent: IntentRef) -> Result<ChainQuote, ActivityError> {
        unimplemented!()
    }

    /// The hedger's policy on a new quote: still PENDING, this hedger whitelisted, symbol
    /// supported, notional within the symbol's cap, open interest within the hedger's cap,
    /// requested price within the allowed range of the broker's mark price, enough allocated to
    /// its party A, enough time before the deadline, a MARKET quantity on the broker's step.
    /// Read-only; a refusal is a verdict with its hedger API error code, not an error.
    #[activity]
    pub fn evaluate_intent(intent: IntentRef) -> Result<IntentDecision, ActivityError> {
        unimplemented!()
    }

    /// The position validator's comparison: every quote our DB holds a position for against
    /// the chain, and each symbol's sum against the broker's `positions`. Stores and alerts
    /// (log event, metric, the optional webhook) every mismatch; changes nothing else.
    /// Idempotent but for the alerts, which a retry repeats.
    #[activity]
    pub fn validate_positions(
        request: (ValidationRequest, Vec<BrokerPosition>),
    ) -> Result<ValidationReport, ActivityError> {
        unimplemented!()
    }

    /// Posts a validator run's mismatches as JSON to the configured `[intents] mismatch-webhook`
    /// (does nothing when none is configured), with a timeout. A hook that does not answer 2xx
    /// fails the attempt retryably: delivery is at least once, a retry posts again, and the
    /// body's `run` (the validator run's workflow and run ids) lets the receiver drop repeats.
    #[activity]
    pub fn notify_mismatches(
        run: (ValidationRequest, ValidationReport),
    ) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// The balance manager's view of party B's collateral on the book: its free balance, and
    /// per party A (every one we hold a quote of) the allocation, reservations and unrealized
    /// P&L at the broker's mark, with the configured policy. Read-only.
    #[activity]
    pub fn read_balance_sheet(request: BalanceRequest) -> Result<BalanceSheet, ActivityError> {
        unimplemented!()
    }

    /// What party B's allocation for the quote's party A lacks to pay `owed` (party B's loss on
    /// a close about to be filled: the book takes it from that allocation), rounded up to a
    /// millionth; zero when it suffices. Read-only.
    #[activity]
    pub fn close_allocation_shortfall(
        request: (IntentRef, rust_decimal::Decimal),
    ) -> Result<rust_decimal::Decimal, ActivityError> {
        unimplemented!()
    }
}

/// The price signer (SYMMIO's oracle stand-in). Task queue [`crate::queues::PRICE_SIGNER`],
/// polled only by the `price-signer` role, the only process with its key.
pub struct PriceSignerActivities;

#[activity_definitions]
impl PriceSignerActivities {
    /// Signs the broker's current mark price of the request's symbol for the `IntentBook`.
    /// Stateless, so any retry is safe (a retry signs a fresher price).
    #[activity]
    pub fn sign_price(request: PriceRequest) -> Result<SignedPrice, ActivityError> {
        unimplemented!()
    }
}

/// The hand-off from fills to the hedger. Task queue [`crate::queues::ORCHESTRATOR`].
pub struct HedgerActivities;

#[activity_definitions]
impl HedgerActivities {
    /// Hands a settled fill to its market's hedger (`hedge-<market>`, signal-with-start with the
    /// configured `[hedger]` settings). Idempotent: the hedger ignores a quote it already holds
    /// or hedged.
    #[activity]
    pub fn hedge_fill(trade: FilledTrade) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Hands every fill settled more than `[hedger] sweep-after` ago and still `filled,
    /// unhedged` to its market's hedger again, as `hedge_fill` does (a hedger that failed or was
    /// terminated took its fills with it). Returns how many. Idempotent like `hedge_fill`.
    #[activity]
    pub fn sweep_unhedged_fills() -> Result<u32, ActivityError> {
        unimplemented!()
    }
}

/// Orders on the exchange. Task queue [`crate::queues::EXCHANGE`], polled only by the
/// `exchange` role, the only process with the exchange's API keys.
pub struct ExchangeActivities;

#[activity_definitions]
impl ExchangeActivities {
    /// Places the hedge as one IOC limit order (the limit `max_slippage_bps` beyond the touch,
    /// the quantity rounded down to the symbol's step) and follows it to its final state, from
    /// the user data stream and REST polling. A quantity below the symbol's minimum is not
    /// placed (`NOT_PLACED`, with the book's mid as the mark).
    ///
    /// Idempotent by `order.client_order_id`: every attempt first asks the exchange for that
    /// order, so a retry after a crash, a timeout or an unknown status (-1007) finds the order
    /// placed before and never places a second one.
    // Named `place_hedge` in the histories of hedgers already running: renaming what they
    // recorded would stop them replaying.
    #[activity(name = "ExchangeActivities::place_hedge")]
    pub fn place_hedge_order(order: HedgeOrder) -> Result<HedgeExecution, ActivityError> {
        unimplemented!()
    }

    /// Places one order on the perpetual futures broker and follows it (user data stream and
    /// REST polling) until it is final, or for at most `order.wait_ms`, after which the rest is
    /// cancelled; returns what executed. Heartbeats while it waits.
    ///
    /// Idempotent by `order.client_order_id`, like `place_hedge_order`: every attempt asks the
    /// broker for that order first, so a retry never places a second one.
    #[activity]
    pub fn execute_broker_order(order: BrokerOrder) -> Result<BrokerExecution, ActivityError> {
        unimplemented!()
    }

    /// The broker's net positions in `symbols` (`positionRisk`). Read-only.
    #[activity]
    pub fn broker_positions(symbols: Vec<String>) -> Result<Vec<BrokerPosition>, ActivityError> {
        unimplemented!()
    }

    /// Cancels what is left of a resting broker order (party A cancelled while it rested); the
    /// order's `execute_broker_order` then returns what executed. Idempotent: an order already
    /// final or unknown is left as it is.
    #[activity]
    pub fn cancel_broker_order(order: BrokerOrder) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// The broker account's collateral in the futures wallet (`/fapi/v2/account`). Read-only.
    #[activity]
    pub fn read_broker_funds(asset: String) -> Result<BrokerFunds, ActivityError> {
        unimplemented!()
    }

    /// Moves `withdrawal.amount` from the futures wallet to spot and withdraws it to
    /// `withdrawal.address`, then waits, heartbeating, until the withdrawal completed; returns
    /// its transaction. Idempotent by `withdrawal.id`: the withdrawal history is asked for that
    /// `withdrawOrderId` first, and the wallet transfer is looked up in the transfer history
    /// (same kind and amount, after `withdrawal.transfer_mark`) before one is made.
    #[activity]
    pub fn withdraw_from_broker(
        withdrawal: BrokerWithdrawal,
    ) -> Result<alloy::primitives::B256, ActivityError> {
        unimplemented!()
    }

    /// The newest wallet transfer's `tranId` (0 when none): recorded by a move before it
    /// transfers, so a retry tells its own transfer from an older one of the same amount.
    /// Read-only.
    #[activity]
    pub fn broker_transfer_mark() -> Result<u64, ActivityError> {
        unimplemented!()
    }

    /// The broker account's deposit address for `asset` on its network. Read-only.
    #[activity]
    pub fn broker_deposit_address(
        asset: BrokerAsset,
    ) -> Result<alloy::primitives::Address, ActivityError> {
        unimplemented!()
    }

    /// Waits, heartbeating, until the broker credited `deposit` (by its transaction), then moves
    /// it from spot to the futures wallet. Idempotent like `withdraw_from_broker`'s transfer.
    #[activity]
    pub fn credit_broker_deposit(deposit: BrokerDeposit) -> Result<(), ActivityError> {
        unimplemented!()
    }
}

/// The escrow pipeline's chain reads and Temporal calls. Task queue [`crate::queues::ORCHESTRATOR`];
/// none of them signs anything.
pub struct EscrowActivities;

#[activity_definitions]
impl EscrowActivities {
    /// Checks the order against the L2 `Escrow` (it exists, matches the event, is open, has the
    /// configured L2 confirmations and enough time before the user may reclaim it) and decides:
    /// the fee covers the estimated L1 gas of transfer and claim plus the margin, the amount is
    /// within the per-order cap and the hot wallet's free L1 balance. Read-only.
    #[activity]
    pub fn evaluate_escrow_order(order: EscrowOrder) -> Result<Decision, ActivityError> {
        unimplemented!()
    }

    /// The order's L1 transfer if the `PaymentRegistry` already has it (a transfer sent before a
    /// crash), with its transaction. Read-only; asked before every send.
    #[activity]
    pub fn find_escrow_transfer(order: EscrowOrder) -> Result<Option<FoundTx>, ActivityError> {
        unimplemented!()
    }

    /// Hands the order to its L2's claim batcher (`escrow-claims-<chainId>`, signal-with-start),
    /// which answers with the `claim_done` signal. Idempotent: the batcher ignores a claim it
    /// already holds.
    #[activity]
    pub fn enqueue_escrow_claim(request: ClaimRequest) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Tells each order of a batch how its claim went (the `claim_done` signal, sent from here
    /// rather than from the batcher, whose history would otherwise carry two events per order
    /// and wake once per delivery). An order that no longer runs is skipped. Idempotent: a
    /// repeated answer carries the same outcome.
    #[activity]
    pub fn answer_escrow_claims(answers: Vec<ClaimAnswer>) -> Result<(), ActivityError> {
        unimplemented!()
    }

    /// Sorts a batch by the registry's state: still to claim, claimed already (with the claim's
    /// transaction), or not claimable. Read-only; asked before every claim is sent.
    #[activity]
    pub fn plan_escrow_claims(batch: ClaimBatch) -> Result<ClaimPlan, ActivityError> {
        unimplemented!()
    }

    /// Waits, heartbeating, until the L2 `Escrow` shows the order claimed (the messenger relayed
    /// our claim) and returns the release. Fails non-retryably if the user reclaimed it instead.
    #[activity]
    pub fn await_escrow_release(order: EscrowOrder) -> Result<Released, ActivityError> {
        unimplemented!()
    }

    /// The accepted-blocks scan: reads `SetOrder` logs from the stored cursor to the finalized
    /// head, starts a workflow for every order (the id refuses ones already known) and advances
    /// the cursor. Idempotent.
    #[activity]
    pub fn scan_escrow_orders(request: ScanRequest) -> Result<ScanReport, ActivityError> {
        unimplemented!()
    }
}

/// The marker type of each activity, for `#[activity(definition = definitions::…)]` in the
/// implementing crate (the macro's own modules are private to this one).
pub mod definitions {
    pub use super::chain_activities::{PlanTransfer, WatchReceipt};
    pub use super::escrow_activities::{
        AnswerEscrowClaims, AwaitEscrowRelease, EnqueueEscrowClaim, EvaluateEscrowOrder,
        FindEscrowTransfer, PlanEscrowClaims, ScanEscrowOrders,
    };
    pub use super::exchange_activities::{
        BrokerDepositAddress, BrokerPositions, BrokerTransferMark, CancelBrokerOrder,
        CreditBrokerDeposit, ExecuteBrokerOrder, PlaceHedgeOrder, ReadBrokerFunds,
        WithdrawFromBroker,
    };
    pub use super::hedger_activities::{HedgeFill, SweepUnhedgedFills};
    pub use super::hot_wallet_activities::{CheckRfqFill, SubmitTransaction};
    pub use super::intent_activities::NotifyMismatches;
    pub use super::intent_activities::{
        CloseAllocationShortfall, EvaluateIntent, ReadBalanceSheet, ReadIntent, ValidatePositions,
    };
    pub use super::price_signer_activities::SignPrice;
    pub use super::store_activities::{
        RecordEscrowOrder, RecordHedge, RecordIntent, RecordRfqFill, RecordTransfer,
    };
}
