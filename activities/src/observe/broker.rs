//! The futures broker (the exchange role's side of the intent hedger): orders followed to their
//! final state, and failed calls by what failed, which tells "the broker is unreachable" apart
//! from "the broker refused".

use super::{Registry, record_one};
use hedgeflow_exchange::Error;
use hedgeflow_proto::intent::{BrokerExecution, BrokerOrder};
use temporalio_common::telemetry::metrics::Counter;
use tracing::{info, warn};

pub(super) struct Metrics {
    orders: Counter,
    request_errors: Counter,
}

impl Metrics {
    pub(super) fn register(r: &mut Registry) -> Self {
        Self {
            orders: r.counter(
                "hedgeflow_broker_orders",
                "Broker orders followed to their final state (label status: filled, canceled, \
                 expired, not_placed…)",
            ),
            request_errors: r.counter(
                "hedgeflow_broker_request_errors",
                "Failed broker calls by activity (label endpoint) and by kind (label kind: \
                 unreachable, rate_limited, refused, other)",
            ),
        }
    }
}

/// An attempt of `execute_broker_order` ended: with the order's final state, or failed (the
/// attempt is retried by its client order id).
pub fn broker_order_executed(order: &BrokerOrder, result: &Result<BrokerExecution, Error>) {
    match result {
        Ok(done) => {
            info!(
                client_order_id = %order.client_order_id,
                symbol = %order.symbol,
                status = %done.status,
                executed = %done.executed,
                avg_price = %done.avg_price,
                "broker order final"
            );
            let status = done.status.to_ascii_lowercase();
            record_one(&[("status", status.as_str())], |m| &m.broker.orders);
        }
        Err(error) => broker_request_failed("execute_broker_order", error),
    }
}

/// A broker call failed. `endpoint` names the activity (or the read) that made it.
pub fn broker_request_failed(endpoint: &'static str, error: &Error) {
    let kind = kind(error);
    warn!(endpoint, kind, %error, "broker call failed");
    record_one(&[("endpoint", endpoint), ("kind", kind)], |m| {
        &m.broker.request_errors
    });
}

/// What kind of failure: `unreachable` when no answer came (what the broker-unreachable alert
/// watches), `rate_limited`, `refused` when the broker answered no.
fn kind(error: &Error) -> &'static str {
    match error {
        Error::Connect(_) | Error::Transport(_) | Error::Timeout(_) | Error::Server { .. } => {
            "unreachable"
        }
        Error::RateLimited { .. } => "rate_limited",
        Error::Api { .. } => "refused",
        Error::NotPlaced { cause: inner, .. } | Error::OutcomeUnknown { last: inner, .. } => {
            kind(inner)
        }
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn unanswered_calls_count_as_unreachable() {
        let timeout = Error::Timeout(Duration::from_secs(1));
        assert_eq!(kind(&timeout), "unreachable");
        let unknown = Error::OutcomeUnknown {
            client_order_id: "i-1-2-open".into(),
            last: Box::new(timeout),
        };
        assert_eq!(kind(&unknown), "unreachable");
        let refused = Error::Api {
            status: 400,
            code: -2010,
            msg: "insufficient".into(),
        };
        assert_eq!(kind(&refused), "refused");
    }
}
