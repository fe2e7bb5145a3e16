//! Binance's API over the engine: REST routes and their JSON, the websocket market and user
//! data streams, the WebSocket API, SIGNED request checks and Binance's errors. It turns
//! requests into [`crate::engine`] calls, and the engine's answers and rejects into Binance's
//! shapes and codes. [`Shared`] is the state its handlers, its websocket connections and the
//! market loop hold. Its modules are listed in the crate's doc.

pub mod auth;
pub mod error;
pub mod faults;
pub mod futures_stream;
pub mod params;
pub mod rest;
pub mod stream;
pub mod used_weight;
pub mod user_data;
pub mod ws_api;

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::broadcast;

use crate::engine::exchange::{self, Exchange};
use crate::engine::wallet;
use faults::Faults;
use stream::StreamEvent;
use used_weight::UsedWeight;

/// State shared by the HTTP handlers, the websocket connections and the market loop.
pub struct Shared {
    pub exchange: Mutex<Exchange>,
    pub keys: auth::Keys,
    /// Kept only to hand new websocket connections their own receiver.
    pub events: broadcast::Receiver<Arc<StreamEvent>>,
    pub faults: Faults,
    pub used_weight: UsedWeight,
    /// The on-chain wallet, when `[wallet]` is configured.
    pub wallet: Option<wallet::WalletService>,
}

impl Shared {
    /// The engine (a poisoned lock still serves, see [`crate::engine::exchange::lock`]).
    pub fn exchange(&self) -> MutexGuard<'_, Exchange> {
        exchange::lock(&self.exchange)
    }
}
