//! The one place that decides whether an error is worth retrying.

use hedgeflow_proto::chain::{FoundTx, TX_REVERTED};
use temporalio_common::error::ApplicationFailure;
use temporalio_sdk::activities::ActivityError;
use tracing::warn;

/// Errors that know whether a retry could succeed.
pub trait Retryable: std::error::Error + Send + Sync + 'static {
    fn is_retryable(&self) -> bool;

    /// The activity stopped because Temporal asked it to, not because it failed.
    fn is_cancellation(&self) -> bool {
        false
    }

    /// The transaction, when the error is one that was mined and reverted.
    fn reverted(&self) -> Option<FoundTx> {
        None
    }
}

/// `text` with every control character but newline and tab escaped (`\u{0}`), so that what a node
/// or a venue says can be logged, shown and stored as text anywhere (PostgreSQL refuses a NUL in
/// text and JSON alike).
pub fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\n' | '\t' => vec![c],
            c if c.is_control() => c.escape_unicode().collect(),
            c => vec![c],
        })
        .collect()
}

/// Maps a typed error to a Temporal failure: retryable errors go back to the engine's retry
/// policy, the rest fail the activity for good (a bad request; a revert, typed [`TX_REVERTED`]
/// with the transaction as details, so a workflow tells it from a refusal). Each is logged here,
/// in the activity's span, since the workflow history shows only an activity's last failure.
/// The failure's message, and the log line, are the error's made [`printable`]: it travels into
/// workflow records and rows.
pub fn to_activity_error<E: Retryable>(error: E) -> ActivityError {
    let message = printable(&error.to_string());
    if error.is_cancellation() {
        ActivityError::cancelled()
    } else if let Some(tx) = error.reverted() {
        warn!(error = %message, "transaction reverted");
        ActivityError::application(
            ApplicationFailure::builder(message)
                .non_retryable(true)
                .type_name(TX_REVERTED.to_owned())
                .details(tx)
                .build(),
        )
    } else if error.is_retryable() {
        warn!(error = %message, "activity attempt failed; Temporal retries it");
        ActivityError::application(ApplicationFailure::new(message))
    } else {
        warn!(error = %message, "activity failed for good");
        ActivityError::application(ApplicationFailure::non_retryable(message))
    }
}
