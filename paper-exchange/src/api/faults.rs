//! Injected failures (see [`crate::config::FaultConfig`]): counters of the requests still to
//! fail, shared by every connection. Counted from the configuration at start, and topped up at
//! runtime by `POST /paper/v1/faults` ([`Faults::arm`]), which is how a chaos run makes the
//! exchange misbehave without restarting it (a restart would lose every account).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;

use crate::config::FaultConfig;

/// What to do with a placement's answer once the order is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterPlacement {
    Answer,
    /// Answer HTTP 503 / -1007 instead of the order.
    UnknownStatus,
    /// Hold the answer this long first.
    Hang(Duration),
}

/// Faults to add to those still to inject (the body of `POST /paper/v1/faults`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Arm {
    /// Placements to answer with -1007 once applied.
    pub unknown_status_placements: u32,
    /// Placements whose answer is held for the configured `hang-for` once applied.
    pub hung_placements: u32,
    /// REST requests to refuse with a 429.
    pub rate_limited_requests: u32,
}

/// The faults still to inject.
#[derive(Debug)]
pub struct Faults {
    unknown_status: AtomicU32,
    hung: AtomicU32,
    hang_for: Duration,
    rate_limited: AtomicU32,
    retry_after: Duration,
    hang_prefix: Option<String>,
    hang_quantity: Option<Decimal>,
}

impl Faults {
    pub fn new(config: &FaultConfig) -> Self {
        Faults {
            unknown_status: AtomicU32::new(config.unknown_status_placements),
            hung: AtomicU32::new(config.hung_placements),
            hang_for: config.hang_for,
            rate_limited: AtomicU32::new(config.rate_limited_requests),
            retry_after: config.retry_after,
            hang_prefix: config.hang_client_order_prefix.clone(),
            hang_quantity: config.hang_quantity,
        }
    }

    /// Adds `arm`'s faults to those still to inject.
    pub fn arm(&self, arm: Arm) {
        for (counter, more) in [
            (&self.unknown_status, arm.unknown_status_placements),
            (&self.hung, arm.hung_placements),
            (&self.rate_limited, arm.rate_limited_requests),
        ] {
            counter.fetch_add(more, Ordering::SeqCst);
        }
    }

    /// Decides the fate of an applied placement's answer (called once per placement), from its
    /// client order id and quantity.
    pub fn after_placement(&self, client_order_id: &str, qty: Decimal) -> AfterPlacement {
        let marked = self
            .hang_prefix
            .as_deref()
            .is_some_and(|prefix| client_order_id.starts_with(prefix))
            || self.hang_quantity == Some(qty);
        if marked {
            AfterPlacement::Hang(self.hang_for)
        } else if take(&self.unknown_status) {
            AfterPlacement::UnknownStatus
        } else if take(&self.hung) {
            AfterPlacement::Hang(self.hang_for)
        } else {
            AfterPlacement::Answer
        }
    }

    /// `Some(Retry-After seconds)` when this request is to be refused with a 429.
    pub fn rate_limit(&self) -> Option<u64> {
        take(&self.rate_limited).then(|| self.retry_after.as_secs_f64().ceil() as u64)
    }
}

/// Uses up one of `counter`'s faults, if any is left.
fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fault_fires_its_count_then_stops() {
        let faults = Faults::new(&FaultConfig {
            unknown_status_placements: 1,
            hung_placements: 1,
            hang_for: Duration::from_millis(1500),
            rate_limited_requests: 1,
            retry_after: Duration::from_millis(1500),
            hang_client_order_prefix: Some("crash-".into()),
            hang_quantity: Some(Decimal::new(4321, 4)),
        });
        let hang = AfterPlacement::Hang(Duration::from_millis(1500));
        let qty = Decimal::ONE;
        assert_eq!(faults.after_placement("crash-1", qty), hang);
        assert_eq!(
            faults.after_placement("x", qty),
            AfterPlacement::UnknownStatus
        );
        assert_eq!(faults.after_placement("x", qty), hang);
        assert_eq!(faults.after_placement("x", qty), AfterPlacement::Answer);
        assert_eq!(faults.after_placement("crash-2", qty), hang);
        // 0.4321 is the marked quantity, whatever the id; 0.43210 is the same quantity.
        assert_eq!(faults.after_placement("x", Decimal::new(4321, 4)), hang);
        assert_eq!(faults.after_placement("y", Decimal::new(43210, 5)), hang);
        assert_eq!(faults.after_placement("x", qty), AfterPlacement::Answer);
        assert_eq!(faults.rate_limit(), Some(2));
        assert_eq!(faults.rate_limit(), None);
    }

    #[test]
    fn armed_faults_add_to_those_left_and_fire_once_each() {
        let faults = Faults::new(&FaultConfig {
            unknown_status_placements: 1,
            ..FaultConfig::default()
        });
        faults.arm(Arm {
            unknown_status_placements: 1,
            hung_placements: 1,
            rate_limited_requests: 2,
        });
        let qty = Decimal::ONE;
        for _ in 0..2 {
            assert_eq!(
                faults.after_placement("x", qty),
                AfterPlacement::UnknownStatus
            );
        }
        assert!(matches!(
            faults.after_placement("x", qty),
            AfterPlacement::Hang(_)
        ));
        assert_eq!(faults.after_placement("x", qty), AfterPlacement::Answer);
        assert!(faults.rate_limit().is_some() && faults.rate_limit().is_some());
        assert_eq!(faults.rate_limit(), None);
    }
}
