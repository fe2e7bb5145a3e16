//! End-to-end tests of the Binance client against the paper exchange over real sockets, in
//! one test binary.

mod clock_and_limits;
mod futures;
mod idempotency;
mod key_kinds;
mod orders;
mod support;
mod wallet;
mod watch;
