//! Heartbeats for activities that wait on the outside world (a block, an exchange): sent every
//! couple of seconds, whatever the work waits on, so a killed worker is noticed within the
//! activity's heartbeat timeout and its retry starts promptly.

use std::{future::Future, time::Duration};
use temporalio_sdk::activities::ActivityContext;

/// Well inside the shortest heartbeat timeout the workflows set (10 s).
const EVERY: Duration = Duration::from_secs(2);

/// Runs `work`, heartbeating with `details()` (what the UI shows for the pending activity)
/// until it finishes.
pub async fn while_running<F: Future>(
    ctx: &ActivityContext,
    details: impl Fn() -> serde_json::Value,
    work: F,
) -> F::Output {
    let heartbeats = async {
        loop {
            // A failed heartbeat only means the server may time us out; nothing to do here.
            let _ = ctx.record_heartbeat(details()).await;
            tokio::time::sleep(EVERY).await;
        }
    };
    tokio::select! {
        done = work => done,
        never = heartbeats => never,
    }
}
