//! The request weight counted for `X-MBX-USED-WEIGHT-1M` ([`super::rest::limits`]). Apart from
//! the limits so that the server's shared state, which holds the count, imports nothing that
//! imports it back.

use std::sync::{Mutex, PoisonError};

use crate::engine::now_ms;

const MS_PER_MINUTE: u64 = 60_000;

/// Request weight used in the current minute.
#[derive(Debug, Default)]
pub struct UsedWeight {
    /// (minute since the epoch, weight used in it)
    minute: Mutex<(u64, u64)>,
}

impl UsedWeight {
    /// Counts one request, returning the minute's weight so far.
    pub(super) fn add(&self) -> u64 {
        let minute = now_ms() / MS_PER_MINUTE;
        let mut current = self.minute.lock().unwrap_or_else(PoisonError::into_inner);
        if current.0 != minute {
            *current = (minute, 0);
        }
        current.1 += 1;
        current.1
    }
}
