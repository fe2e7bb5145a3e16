//! Workflow signatures: each workflow's type name, input and output, and those of its signals,
//! queries and updates. The bodies live in `workflows/`, which checks that they match these
//! (`workflows/src/definitions_test.rs`). Whatever starts, signals or asks a workflow (the
//! activities that start orders, the CLI, the dealer, the orchestrator's schedules, the tests)
//! names it from here, so nothing outside `workflows/` depends on a workflow body.
//!
//! A handler is an associated constant named as the body's method (`EscrowOrderWorkflow::run`,
//! `EscrowOrderWorkflow::claim_done`), the way the SDK's `#[workflow_methods]` names them, so a
//! call reads the same whichever side it is written against.

#![allow(non_upper_case_globals)]

use crate::{
    balance::{BalanceReport, BalanceRequest},
    escrow::{
        ClaimBatcherInput, ClaimOutcome, ClaimRequest, EscrowOrder, EscrowResult, ScanReport,
        ScanRequest,
    },
    intent::{IntentEvent, IntentRecord, IntentRef, ValidationReport, ValidationRequest},
    rfq::fill::{FillAnswer, FillOrder, FillResult},
    rfq::hedge::{FilledTrade, HedgerInput, Unhedged},
    transfer::{TransferRequest, TransferResult},
};
use std::marker::PhantomData;
use temporalio_common::{
    HasWorkflowDefinition, QueryDefinition, SignalDefinition, UpdateDefinition, WorkflowDefinition,
    data_converters::{TemporalDeserializable, TemporalSerializable},
};

/// A payload type a handler may take or return.
pub trait Payload: TemporalSerializable + TemporalDeserializable + 'static {}
impl<T: TemporalSerializable + TemporalDeserializable + 'static> Payload for T {}

/// The types a handler marker stands for; it holds none of them, so it is `Send` and `Sync`
/// whatever they are.
type Types<T> = PhantomData<fn() -> T>;

/// A signal of workflow `W` taking `I`.
pub struct Signal<W, I> {
    name: &'static str,
    types: Types<(W, I)>,
}

/// A query of workflow `W` answering `O`.
pub struct Query<W, O> {
    name: &'static str,
    types: Types<(W, O)>,
}

/// An update of workflow `W` taking `I` and answering `O`.
pub struct Update<W, I, O> {
    name: &'static str,
    types: Types<(W, I, O)>,
}

impl<W, I> Signal<W, I> {
    const fn named(name: &'static str) -> Self {
        Self {
            name,
            types: PhantomData,
        }
    }
}

impl<W, O> Query<W, O> {
    const fn named(name: &'static str) -> Self {
        Self {
            name,
            types: PhantomData,
        }
    }
}

impl<W, I, O> Update<W, I, O> {
    const fn named(name: &'static str) -> Self {
        Self {
            name,
            types: PhantomData,
        }
    }
}

impl<W: WorkflowDefinition, I: Payload> SignalDefinition for Signal<W, I> {
    type Workflow = W;
    type Input = I;
    fn name(&self) -> &str {
        self.name
    }
}

impl<W: WorkflowDefinition, O: Payload> QueryDefinition for Query<W, O> {
    type Workflow = W;
    type Input = ();
    type Output = O;
    fn name(&self) -> &str {
        self.name
    }
}

impl<W: WorkflowDefinition, I: Payload, O: Payload> UpdateDefinition for Update<W, I, O> {
    type Workflow = W;
    type Input = I;
    type Output = O;
    fn name(&self) -> &str {
        self.name
    }
}

/// Declares a workflow: a marker named as its body's type (its Temporal type name), with `run`.
macro_rules! workflow {
    ($(#[$doc:meta])* $workflow:ident($input:ty) -> $output:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $workflow;

        impl $workflow {
            /// The workflow itself, to start it.
            pub const run: Self = Self;

            /// The workflow's type name, as histories and the UI show it.
            pub const fn name() -> &'static str {
                stringify!($workflow)
            }
        }

        impl WorkflowDefinition for $workflow {
            type Input = $input;
            type Output = $output;
            fn name(&self) -> &str {
                Self::name()
            }
        }

        impl HasWorkflowDefinition for $workflow {
            type Run = Self;
        }
    };
}

workflow!(
    /// The hot wallet's treasury transfer, `transfer-<requestId>`.
    TransferWorkflow(TransferRequest) -> TransferResult
);

workflow!(
    /// One escrow order, `escrow-<chainId>-<orderId>-<tx>`: from detection to the release on L2.
    EscrowOrderWorkflow(EscrowOrder) -> EscrowResult
);

impl EscrowOrderWorkflow {
    /// Ops ask a FAILED order to run its failed step again; the input names who asked.
    pub const retry: Signal<Self, String> = Signal::named("retry");
    /// The claim batcher's answer: the order's claim landed on L1, or why it could not.
    pub const claim_done: Signal<Self, ClaimOutcome> = Signal::named("claim_done");
}

workflow!(
    /// One L2's claim batcher, `escrow-claims-<chainId>`: batches fulfilled orders' claims.
    EscrowClaimsWorkflow(ClaimBatcherInput) -> ()
);

impl EscrowClaimsWorkflow {
    /// An order asks for its claim.
    pub const claim: Signal<Self, ClaimRequest> = Signal::named("claim");
}

workflow!(
    /// One run of an L2's accepted-blocks scan (schedule `escrow-scan-<chainId>`).
    EscrowScanWorkflow(ScanRequest) -> ScanReport
);

workflow!(
    /// A taker's fill of an RFQ quote, `fill-<quoteId>`: settlement on L1, then the hand-off to
    /// the market's hedger.
    FillWorkflow(FillOrder) -> FillResult
);

impl FillWorkflow {
    /// `dealer_submitFill`'s answer: the fill is refused or its settlement is in a block.
    pub const submit: Update<Self, (), FillAnswer> = Update::named("submit");
}

workflow!(
    /// One market's hedger, netting settled fills per epoch.
    HedgeWorkflow(HedgerInput) -> ()
);

impl HedgeWorkflow {
    /// A settled fill to hedge.
    pub const filled: Signal<Self, FilledTrade> = Signal::named("filled");
    /// What the hedger holds unhedged.
    pub const unhedged: Query<Self, Unhedged> = Query::named("unhedged");
}

workflow!(
    /// One run of the unhedged-fills sweep (schedule `rfq-hedge-sweep`): fills still unhedged
    /// well after they settled go to their market's hedger again.
    HedgeSweepWorkflow(()) -> u32
);

workflow!(
    /// One `IntentBook` quote, from `SendQuote` to its position's close.
    IntentWorkflow(IntentRef) -> IntentRecord
);

impl IntentWorkflow {
    /// A chain event of the quote, from the indexer.
    pub const event: Signal<Self, IntentEvent> = Signal::named("event");
    /// The events the workflow received.
    pub const events: Query<Self, Vec<IntentEvent>> = Query::named("events");
}

workflow!(
    /// One run of the position validator (schedule `intent-validate-<chainId>`): the broker's,
    /// the chain's and our positions compared, mismatches reported.
    IntentValidatorWorkflow(ValidationRequest) -> ValidationReport
);

workflow!(
    /// One run of the balance manager (schedule `intent-balance-<chainId>`): party B's collateral
    /// moved so every allocation keeps the configured health.
    IntentBalanceWorkflow(BalanceRequest) -> BalanceReport
);
