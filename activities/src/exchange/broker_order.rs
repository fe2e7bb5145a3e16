//! The intent hedger's broker orders on the perpetual futures market (task queue `exchange`):
//! placed once by client order id, followed from the futures user data stream and REST polling,
//! and cancelled when a resting order has waited long enough or party A withdrew.

use super::ExchangeError;
use crate::{failure::to_activity_error, heartbeat, observe};
use hedgeflow_exchange::{
    ClientOrderId, Error, FinalOrder, FuturesClient, FuturesOrderKind, FuturesOrderRequest,
    FuturesOrderWatch, Rounding, Side, TimeInForce,
};
use hedgeflow_proto::{
    activities::definitions,
    intent::{BrokerExecution, BrokerOrder, BrokerPosition, BrokerSide},
};
use rust_decimal::Decimal;
use std::{sync::Arc, time::Duration};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use tracing::{Instrument, info, info_span};

/// `status` of an order too small for the symbol's rules: nothing was placed.
pub const NOT_PLACED: &str = "NOT_PLACED";

/// The exchange role's futures client and its order watch.
pub struct BrokerOrders {
    client: Arc<FuturesClient>,
    watch: FuturesOrderWatch,
    /// How long an immediate order (IOC, market) may take to be reported final.
    order_timeout: Duration,
}

impl BrokerOrders {
    /// Connects the futures user data stream; call inside the runtime.
    pub fn new(
        client: Arc<FuturesClient>,
        poll_interval: Duration,
        order_timeout: Duration,
    ) -> Self {
        let watch = FuturesOrderWatch::start(client.clone(), poll_interval);
        Self {
            client,
            watch,
            order_timeout,
        }
    }

    async fn execute(&self, order: &BrokerOrder) -> Result<BrokerExecution, Error> {
        let id = ClientOrderId::new(order.client_order_id.clone())?;
        let rules = self.client.rules(&order.symbol).await?;
        let qty = rules.round_qty(order.quantity);
        let side = match order.side {
            BrokerSide::Buy => Side::Buy,
            BrokerSide::Sell => Side::Sell,
        };
        let kind = match order.limit_price {
            // On the tick, never beyond the limit: down for a buy, up for a sell.
            Some(limit) => FuturesOrderKind::Limit {
                price: rules.round_price(
                    limit,
                    match side {
                        Side::Buy => Rounding::Down,
                        Side::Sell => Rounding::Up,
                    },
                ),
                qty,
                time_in_force: if order.immediate {
                    TimeInForce::Ioc
                } else {
                    TimeInForce::Gtc
                },
            },
            None => FuturesOrderKind::Market { qty },
        };
        let price = match kind {
            FuturesOrderKind::Limit { price, .. } => price,
            FuturesOrderKind::Market { .. } => {
                self.client.mark_price(&order.symbol).await?.mark_price
            }
        };
        if qty.is_zero() || !rules.accepts(price, qty) {
            info!(%qty, %price, "below the symbol's minimums; not placed");
            return Ok(not_placed(order));
        }
        let request = FuturesOrderRequest {
            symbol: order.symbol.clone(),
            side,
            kind,
            reduce_only: false,
            client_order_id: id.clone(),
        };
        let placement = self.client.place_once(&request).await?;
        info!(
            order_id = placement.order().order_id,
            "broker order placed or found"
        );
        let wait = if order.immediate {
            self.order_timeout
        } else {
            Duration::from_millis(order.wait_ms)
        };
        let done = match self.watch.wait_final(&order.symbol, &id, wait).await {
            Err(Error::WatchTimeout { .. }) if !order.immediate => {
                // It rested as long as allowed: cancel the rest, keep what executed.
                self.cancel(&order.symbol, &id).await?;
                self.watch
                    .wait_final(&order.symbol, &id, self.order_timeout)
                    .await?
            }
            done => done?,
        };
        Ok(execution(order, &done))
    }

    /// Cancels the order's rest; an order already final or unknown is left as it is.
    async fn cancel(&self, symbol: &str, id: &ClientOrderId) -> Result<(), Error> {
        match self.client.cancel(symbol, id).await {
            Ok(_) => Ok(()),
            Err(error) if matches!(error.code(), Some(-2011) | Some(-2013)) => Ok(()),
            Err(error) => Err(error),
        }
    }
}

fn not_placed(order: &BrokerOrder) -> BrokerExecution {
    BrokerExecution {
        client_order_id: order.client_order_id.clone(),
        order_id: 0,
        status: NOT_PLACED.to_owned(),
        executed: Decimal::ZERO,
        avg_price: Decimal::ZERO,
        fee: Decimal::ZERO,
    }
}

fn execution(order: &BrokerOrder, done: &FinalOrder) -> BrokerExecution {
    BrokerExecution {
        client_order_id: order.client_order_id.clone(),
        order_id: done.order_id,
        status: done.status.as_str().to_owned(),
        executed: done.executed_qty,
        avg_price: done.average_price.unwrap_or_default(),
        fee: done.commissions.values().copied().sum(),
    }
}

#[activities]
impl BrokerOrders {
    /// See [`definitions::ExecuteBrokerOrder`]: idempotent by client order id.
    #[activity(definition = definitions::ExecuteBrokerOrder)]
    pub async fn execute_broker_order(
        self: Arc<Self>,
        ctx: ActivityContext,
        order: BrokerOrder,
    ) -> Result<BrokerExecution, ActivityError> {
        let span = info_span!(
            "execute_broker_order",
            client_order_id = %order.client_order_id,
            symbol = %order.symbol,
            attempt = ctx.info().attempt,
        );
        let executing = async {
            let result = self.execute(&order).await;
            observe::broker_order_executed(&order, &result);
            result.map_err(ExchangeError::from)
        };
        heartbeat::while_running(&ctx, || serde_json::Value::Null, executing.instrument(span))
            .await
            .map_err(to_activity_error)
    }

    /// See [`definitions::CancelBrokerOrder`]: idempotent.
    #[activity(definition = definitions::CancelBrokerOrder)]
    pub async fn cancel_broker_order(
        self: Arc<Self>,
        _ctx: ActivityContext,
        order: BrokerOrder,
    ) -> Result<(), ActivityError> {
        let span = info_span!("cancel_broker_order", client_order_id = %order.client_order_id);
        async {
            let id = ClientOrderId::new(order.client_order_id.clone())?;
            self.cancel(&order.symbol, &id)
                .await
                .inspect_err(|e| observe::broker_request_failed("cancel_broker_order", e))
        }
        .instrument(span)
        .await
        .map_err(ExchangeError::from)
        .map_err(to_activity_error)
    }

    /// See [`definitions::BrokerPositions`]: read-only.
    #[activity(definition = definitions::BrokerPositions)]
    pub async fn broker_positions(
        self: Arc<Self>,
        _ctx: ActivityContext,
        symbols: Vec<String>,
    ) -> Result<Vec<BrokerPosition>, ActivityError> {
        let mut positions = Vec::with_capacity(symbols.len());
        for symbol in &symbols {
            let position = self
                .client
                .position(symbol)
                .await
                .inspect_err(|e| observe::broker_request_failed("broker_positions", e))
                .map_err(ExchangeError::from)
                .map_err(to_activity_error)?;
            positions.push(BrokerPosition {
                symbol: position.symbol,
                amount: position.position_amt,
                entry_price: position.entry_price,
                unrealized_pnl: position.unrealized_profit,
            });
        }
        Ok(positions)
    }
}
