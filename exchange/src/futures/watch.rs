//! [`FuturesOrderWatch`]: futures orders followed to their final state from the futures user
//! data stream and REST polling together, whichever reports it first (as [`crate::OrderWatch`]
//! does for Spot, sharing its bookkeeping).
//!
//! Commissions come from the stream's trades only (futures order answers carry no fills): a
//! fill the stream missed leaves [`FinalOrder::commissions_complete`] false.

use std::sync::Arc;
use std::time::Duration;

use super::FuturesClient;
use super::user_stream;
use crate::error::Error;
use crate::orders::ClientOrderId;
use crate::watch::{FinalOrder, Follower, PolledOrder};

/// Follows the futures account's orders; one per client, started inside a tokio runtime.
/// The user data stream runs in a background task until the watch is dropped.
#[derive(Debug)]
pub struct FuturesOrderWatch {
    client: Arc<FuturesClient>,
    follower: Follower,
}

impl FuturesOrderWatch {
    /// Starts following the futures user data stream; [`FuturesOrderWatch::wait_final`] also
    /// polls every `poll_every`.
    pub fn start(client: Arc<FuturesClient>, poll_every: Duration) -> Self {
        let follower = Follower::start(poll_every, {
            let client = client.clone();
            |on_report, connected| async move {
                user_stream::follow(&client, &connected, |report| on_report(report)).await
            }
        });
        FuturesOrderWatch { client, follower }
    }

    /// Whether the user data stream is connected right now.
    pub fn stream_connected(&self) -> bool {
        self.follower.stream_connected()
    }

    /// Waits until the order with `client_order_id` is final, from the stream or from
    /// polling (the first poll is immediate), for at most `timeout`.
    #[tracing::instrument(skip(self))]
    pub async fn wait_final(
        &self,
        symbol: &str,
        client_order_id: &ClientOrderId,
        timeout: Duration,
    ) -> Result<FinalOrder, Error> {
        self.follower
            .wait_final(client_order_id, timeout, || async {
                let order = self.client.order(symbol, client_order_id).await?;
                Ok(order.map(PolledOrder::from))
            })
            .await
    }
}
