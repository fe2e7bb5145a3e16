//! A rogue worker: a workflow that is not ours, on a task queue of its own, asking the hot
//! wallet to sign whatever it likes, as any process that reaches the Temporal frontend can.

use super::Stack;
use hedgeflow_proto::{activities::HotWalletActivities, chain::TxIntent};
use hedgeflow_workflows::options::{Retries, submit_transaction};
use temporalio_client::{WorkflowGetResultOptions, WorkflowStartOptions};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

#[workflow]
#[derive(Default)]
pub struct RogueWorkflow;

#[workflow_methods]
impl RogueWorkflow {
    /// Asks the hot wallet to sign `intent` once; answers what it said.
    #[run]
    pub async fn run(ctx: &mut WorkflowContext<Self>, intent: TxIntent) -> WorkflowResult<String> {
        let sent = ctx
            .execute_activity(
                HotWalletActivities::submit_transaction,
                intent,
                submit_transaction(Retries::Attempts(1)),
            )
            .await;
        Ok(match sent {
            Ok(sent) => format!("signed {}", sent.tx_hash),
            Err(error) => format!("refused: {}", hedgeflow_workflows::failure::reason(&error)),
        })
    }
}

/// Runs a rogue worker for one request of `intent` to the hot wallet (on `queues::HOT_WALLET`,
/// like our own workflows) and returns the hot wallet's answer.
pub async fn ask_hot_wallet(stack: &Stack, intent: TxIntent) -> String {
    let queue = format!("rogue-{}", uuid::Uuid::new_v4());
    let _worker = super::worker::TestWorker::start::<RogueWorkflow>(stack.client.clone(), &queue);
    let handle = stack
        .client
        .start_workflow(
            RogueWorkflow::run,
            intent,
            WorkflowStartOptions::new(queue.clone(), queue).build(),
        )
        .await
        .unwrap();
    handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .unwrap()
}
