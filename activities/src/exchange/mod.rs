//! The exchange role's activities (task queue `exchange`): hedge orders placed once by client
//! order id and followed to their final state. Only the exchange role builds these, so only it
//! holds the API keys.
//!
//! - [`config`]: `[exchange]`, the venue and where its keys are kept;
//! - [`account`]: the role's gRPC service: balances and open orders, for the inventory;
//! - [`hedge_order`]: pricing, placing and following one epoch's hedge.
//! - [`broker_order`]: the intent hedger's perpetual futures orders;
//! - [`broker_wallet`]: the broker account's collateral and its moves to and from the chain,
//!   for the intent hedger's balance manager.

pub mod account;
pub mod broker_order;
pub mod broker_wallet;
pub mod config;
pub mod hedge_order;

pub use config::ExchangeConfig;

use crate::{
    failure::{Retryable, to_activity_error},
    heartbeat,
};
use hedgeflow_exchange::{Client, OrderWatch};
use hedgeflow_proto::{
    activities::definitions,
    rfq::hedge::{HedgeExecution, HedgeOrder},
};
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info_span};

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ExchangeError(#[from] hedgeflow_exchange::Error);

impl Retryable for ExchangeError {
    /// Every failure is retried, refusals included (an empty balance heals when ops top it
    /// up): the hedge keeps its epoch's client order id, so a retry can never place a second
    /// order, and giving up would leave filled quotes unhedged. The one exception is an id the
    /// exchange can never accept.
    fn is_retryable(&self) -> bool {
        !matches!(self.0, hedgeflow_exchange::Error::InvalidClientOrderId(_))
    }
}

/// The exchange role's client and its order watch (user data stream plus polling).
pub struct HedgeOrders {
    client: Arc<Client>,
    watch: OrderWatch,
    order_timeout: Duration,
}

impl HedgeOrders {
    /// Connects the user data stream; call inside the runtime.
    pub fn new(client: Arc<Client>, poll_interval: Duration, order_timeout: Duration) -> Self {
        let watch = OrderWatch::start(client.clone(), poll_interval);
        HedgeOrders {
            client,
            watch,
            order_timeout,
        }
    }
}

#[activities]
impl HedgeOrders {
    /// See [`definitions::PlaceHedgeOrder`]: idempotent by client order id.
    #[activity(definition = definitions::PlaceHedgeOrder)]
    pub async fn place_hedge_order(
        self: Arc<Self>,
        ctx: ActivityContext,
        order: HedgeOrder,
    ) -> Result<HedgeExecution, ActivityError> {
        let span = info_span!(
            "place_hedge_order",
            client_order_id = %order.client_order_id,
            attempt = ctx.info().attempt,
        );
        let placing = hedge_order::execute(&self.client, &self.watch, &order, self.order_timeout);
        heartbeat::while_running(&ctx, || serde_json::Value::Null, placing.instrument(span))
            .await
            .map_err(to_activity_error)
    }
}
