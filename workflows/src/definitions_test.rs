//! The signatures callers use (`hedgeflow_proto::workflows`) match the bodies here: the same
//! type names, and the same input and output types (the compiler checks those through the bounds
//! below). A signature that drifts from its body fails to compile or fails this test.

use crate as body;
use hedgeflow_proto::workflows as signature;
use temporalio_common::{QueryDefinition, SignalDefinition, UpdateDefinition, WorkflowDefinition};

fn workflow<S, B>(signature: S, body: B)
where
    S: WorkflowDefinition,
    B: WorkflowDefinition<Input = S::Input, Output = S::Output>,
{
    assert_eq!(signature.name(), body.name());
}

fn signal<S, B>(signature: S, body: B)
where
    S: SignalDefinition,
    B: SignalDefinition<Input = S::Input>,
{
    assert_eq!(signature.name(), body.name());
}

fn query<S, B>(signature: S, body: B)
where
    S: QueryDefinition,
    B: QueryDefinition<Input = S::Input, Output = S::Output>,
{
    assert_eq!(signature.name(), body.name());
}

fn update<S, B>(signature: S, body: B)
where
    S: UpdateDefinition,
    B: UpdateDefinition<Input = S::Input, Output = S::Output>,
{
    assert_eq!(signature.name(), body.name());
}

#[test]
fn every_signature_matches_its_body() {
    use signature::*;
    workflow(TransferWorkflow::run, body::TransferWorkflow::run);

    workflow(EscrowOrderWorkflow::run, body::EscrowOrderWorkflow::run);
    signal(EscrowOrderWorkflow::retry, body::EscrowOrderWorkflow::retry);
    signal(
        EscrowOrderWorkflow::claim_done,
        body::EscrowOrderWorkflow::claim_done,
    );
    workflow(EscrowClaimsWorkflow::run, body::EscrowClaimsWorkflow::run);
    signal(
        EscrowClaimsWorkflow::claim,
        body::EscrowClaimsWorkflow::claim,
    );
    workflow(EscrowScanWorkflow::run, body::EscrowScanWorkflow::run);

    workflow(FillWorkflow::run, body::FillWorkflow::run);
    update(FillWorkflow::submit, body::FillWorkflow::submit);
    workflow(HedgeWorkflow::run, body::HedgeWorkflow::run);
    signal(HedgeWorkflow::filled, body::HedgeWorkflow::filled);
    query(HedgeWorkflow::unhedged, body::HedgeWorkflow::unhedged);
    workflow(HedgeSweepWorkflow::run, body::HedgeSweepWorkflow::run);

    workflow(IntentWorkflow::run, body::IntentWorkflow::run);
    signal(IntentWorkflow::event, body::IntentWorkflow::event);
    query(IntentWorkflow::events, body::IntentWorkflow::events);
    workflow(
        IntentValidatorWorkflow::run,
        body::IntentValidatorWorkflow::run,
    );
    workflow(IntentBalanceWorkflow::run, body::IntentBalanceWorkflow::run);
}
