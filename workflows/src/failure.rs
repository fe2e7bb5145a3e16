//! The reason an activity failed, as stored with an order and shown to ops.

use temporalio_common::error::ActivityExecutionError;

/// The innermost failure message: Temporal wraps an application failure in "activity task
/// failed", and ops want the application's own words.
pub fn reason(error: &ActivityExecutionError) -> String {
    let Some(mut failure) = error.failure() else {
        return error.to_string();
    };
    while let Some(cause) = failure.cause.as_deref() {
        failure = cause;
    }
    failure.message.clone()
}
