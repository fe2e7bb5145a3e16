//! The reason an activity failed, as stored with an order and shown to ops.

use hedgeflow_proto::chain::{FoundTx, TX_REVERTED};
use temporalio_common::{
    error::ActivityExecutionError,
    protos::temporal::api::failure::v1::{Failure, failure::FailureInfo},
};

/// The innermost failure message: Temporal wraps an application failure in "activity task
/// failed", and ops want the application's own words.
pub fn reason(error: &ActivityExecutionError) -> String {
    innermost(error).map_or_else(|| error.to_string(), |failure| failure.message.clone())
}

/// The transaction, when the activity failed because it was mined and reverted
/// ([`TX_REVERTED`]), as opposed to refused before anything was sent.
pub fn reverted(error: &ActivityExecutionError) -> Option<FoundTx> {
    let Some(FailureInfo::ApplicationFailureInfo(info)) = &innermost(error)?.failure_info else {
        return None;
    };
    if info.r#type != TX_REVERTED {
        return None;
    }
    let payload = info.details.as_ref()?.payloads.first()?;
    serde_json::from_slice(&payload.data).ok()
}

fn innermost(error: &ActivityExecutionError) -> Option<&Failure> {
    let mut failure = error.failure()?;
    while let Some(cause) = failure.cause.as_deref() {
        failure = cause;
    }
    Some(failure)
}
