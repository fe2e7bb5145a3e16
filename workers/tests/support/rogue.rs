//! A rogue worker: a workflow that is not ours, on a task queue of its own, asking the hot
//! wallet to sign whatever it likes, as any process that reaches the Temporal frontend can.

use super::Stack;
use hedgeflow_proto::{activities::HotWalletActivities, chain::TxIntent};
use hedgeflow_workflows::options::{Retries, submit_transaction};
use temporalio_client::{WorkflowGetResultOptions, WorkflowStartOptions};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{Worker, WorkerOptions, WorkflowContext, WorkflowResult};

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
    let client = stack.client.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker_queue = queue.clone();
    // A worker is not `Send`: it runs on a thread and runtime of its own.
    let worker = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let runtime = hedgeflow::telemetry::runtime(None).unwrap();
                let options = WorkerOptions::new(worker_queue)
                    .register_workflow::<RogueWorkflow>()
                    .unwrap()
                    .build();
                let mut worker = Worker::new(&runtime, client, options).unwrap();
                tokio::select! {
                    ran = worker.run() => ran.unwrap(),
                    _ = stopped => {}
                }
            })
    });
    let handle = stack
        .client
        .start_workflow(
            RogueWorkflow::run,
            intent,
            WorkflowStartOptions::new(queue.clone(), queue).build(),
        )
        .await
        .unwrap();
    let answer = handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .unwrap();
    let _ = stop.send(());
    worker.join().unwrap();
    answer
}
