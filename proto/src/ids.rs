//! Deterministic workflow ids: a business key names each lifecycle, so a second start for the same
//! key is refused by the engine instead of running twice.

/// `transfer-<chainId>-<requestId>`: one treasury transfer.
pub fn transfer_workflow(chain_id: u64, request_id: &str) -> String {
    format!("transfer-{chain_id}-{request_id}")
}

/// The idempotency key of a transaction a workflow sends: the workflow id plus the step's name.
/// The hot wallet keys its journal by it, so a retried submission finds what was already sent.
pub fn tx_intent_key(workflow_id: &str, step: &str) -> String {
    format!("{workflow_id}/{step}")
}
