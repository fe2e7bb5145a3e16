//! The USDⓈ-M Futures client: the exchange role's perpetual hedges (one-way mode, positions
//! opened and closed 1:1 against on-chain positions).
//!
//! It rides the Spot client's transport (signing, server clock, rate limit gate, errors),
//! pointed at [`crate::Config::futures_rest_url`], and places with the same idempotency
//! contract as Spot ([`FuturesClient::place_once`]).
//!
//! - [`orders`]: order requests and orders; place, query, cancel, open orders.
//! - [`market`]: trading rules and the mark price.
//! - [`positions`]: positions and the account's margins.
//! - [`user_stream`]: the listen-key user data stream (`ORDER_TRADE_UPDATE`).
//! - [`watch`]: [`FuturesOrderWatch`], the stream and polling combined.

pub mod market;
pub mod orders;
pub mod positions;
pub mod user_stream;
pub mod watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::error::Error;
use crate::rest::{Api, Client};

/// A Binance USDⓈ-M Futures client. One per API key, like [`Client`].
#[derive(Debug)]
pub struct FuturesClient {
    rest: Client,
}

impl FuturesClient {
    /// A client on the system clock; the server time offset is measured before the first
    /// SIGNED request (`GET /fapi/v1/time`).
    pub fn new(config: Config) -> Result<Self, Error> {
        Self::with_clock(config, Clock::system())
    }

    /// A client on `clock` (see [`Clock::skewed`]).
    pub fn with_clock(config: Config, clock: Clock) -> Result<Self, Error> {
        Ok(FuturesClient {
            rest: Client::for_api(config, clock, Api::UsdMFutures)?,
        })
    }

    pub fn config(&self) -> &Config {
        self.rest.config()
    }

    pub fn clock(&self) -> &Clock {
        self.rest.clock()
    }

    /// Measures the futures server's time offset, in ms.
    pub async fn sync_time(&self) -> Result<i64, Error> {
        self.rest.sync_time().await
    }
}
