//! How a treasury transfer begins: `transfer-<chainId>-<requestId>`, started by ops through the
//! CLI once the request passed the same checks as the workflow's first step.

use hedgeflow_proto::workflows::TransferWorkflow;
use hedgeflow_proto::{ids, queues, search, transfer::TransferRequest};
use temporalio_client::{
    Client, WorkflowIdReusePolicy, WorkflowStartOptions, errors::WorkflowStartError,
};
use temporalio_common::search_attributes::SearchAttributes;

/// Starts the transfer's workflow; `Ok(false)` when one was started for this request id before
/// (running or closed). A request id names one transfer for good: never a second run under the
/// same id, which would overwrite the first one's record (and its intent key already names its
/// payment).
pub async fn start_transfer(
    client: &Client,
    chain_id: u64,
    request: &TransferRequest,
) -> Result<bool, WorkflowStartError> {
    let workflow_id = ids::transfer_workflow(chain_id, &request.request_id);
    let attributes = SearchAttributes::new([
        search::PIPELINE.value_set("transfer".into()),
        search::ORDER_ID.value_set(request.request_id.clone()),
        search::CHAIN_ID.value_set(chain_id as i64),
        search::STAGE.value_set("requested".into()),
    ]);
    let options = WorkflowStartOptions::new(queues::ORCHESTRATOR, workflow_id)
        .id_reuse_policy(WorkflowIdReusePolicy::RejectDuplicate)
        .search_attributes(attributes)
        .build();
    match client
        .start_workflow(TransferWorkflow::run, request.clone(), options)
        .await
    {
        Ok(_) => Ok(true),
        Err(WorkflowStartError::AlreadyStarted { .. }) => Ok(false),
        Err(error) => Err(error),
    }
}
