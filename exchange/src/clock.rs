//! Request timestamps on the server's clock: Binance refuses a SIGNED request whose
//! `timestamp` is older than its `recvWindow` or a second ahead (-1021), so a host clock a few
//! seconds off would fail every order. The offset is measured from `GET /api/v3/time` (the
//! server's time against the midpoint of the round trip) and re-measured after a -1021.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// The host clock, and its measured offset to the server's.
#[derive(Debug)]
pub struct Clock {
    /// How far this "host" clock is off the system clock; non-zero only to simulate a
    /// drifting host in tests.
    local_skew_ms: i64,
    /// Server time minus local time, once measured.
    offset_ms: Mutex<Option<i64>>,
}

impl Clock {
    /// The system clock, offset not measured yet.
    pub fn system() -> Self {
        Self::skewed(0)
    }

    /// A host clock running `skew_ms` off the real time: lets tests show that requests still
    /// land inside `recvWindow` once the offset is measured.
    pub fn skewed(skew_ms: i64) -> Self {
        Clock {
            local_skew_ms: skew_ms,
            offset_ms: Mutex::new(None),
        }
    }

    /// Local time, ms since the epoch.
    pub fn local_ms(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        system + self.local_skew_ms
    }

    /// The measured offset, if any.
    pub fn offset_ms(&self) -> Option<i64> {
        *self.offset_ms.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the offset (a measurement, or a value known from elsewhere).
    pub fn set_offset_ms(&self, offset_ms: i64) {
        *self.offset_ms.lock().unwrap_or_else(|e| e.into_inner()) = Some(offset_ms);
    }

    /// Records a measurement: the server said `server_ms` between local `sent_ms` and
    /// `received_ms`; it is taken to have said it at the midpoint.
    pub fn record(&self, sent_ms: i64, server_ms: i64, received_ms: i64) -> i64 {
        let offset = server_ms - (sent_ms + received_ms) / 2;
        self.set_offset_ms(offset);
        offset
    }

    /// Now on the server's clock (local time when no offset is measured).
    pub fn server_now_ms(&self) -> i64 {
        self.local_ms() + self.offset_ms().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_is_taken_at_the_round_trip_midpoint() {
        let clock = Clock::skewed(-60_000);
        assert_eq!(clock.offset_ms(), None);
        assert_eq!(clock.record(1_000, 61_100, 1_200), 60_000);
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        assert!((clock.server_now_ms() - real).abs() < 1_000);
    }
}
