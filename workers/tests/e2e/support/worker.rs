//! A Temporal worker of a test's own workflow, on a thread of its own (a worker is not `Send`).

use temporalio_client::Client;
use temporalio_common::WorkflowDefinition;
use temporalio_sdk::{Worker, WorkerOptions, workflows::WorkflowImplementation};

/// A worker polling `queue` with workflow `W`, until dropped.
pub struct TestWorker {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestWorker {
    pub fn start<W>(client: Client, queue: &str) -> TestWorker
    where
        W: WorkflowImplementation + 'static,
        <W::Run as WorkflowDefinition>::Input: Send,
    {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let queue = queue.to_owned();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let runtime = hedgeflow::telemetry::runtime(None).unwrap();
                    let options = WorkerOptions::new(queue)
                        .register_workflow::<W>()
                        .unwrap()
                        .build();
                    let mut worker = Worker::new(&runtime, client, options).unwrap();
                    tokio::select! {
                        ran = worker.run() => ran.unwrap(),
                        _ = stopped => {}
                    }
                })
        });
        TestWorker {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for TestWorker {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
