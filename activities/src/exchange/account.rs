//! The exchange role's gRPC service (`ExchangeAccount`): the account's balances and open
//! orders, for the inventory manager. Read-only; the keys never leave the role.

use hedgeflow_exchange::Client;
use hedgeflow_proto::grpc::exchange::{
    self as wire, exchange_account_server::ExchangeAccount as Service,
    exchange_account_server::ExchangeAccountServer,
};
use std::sync::Arc;
use tonic::{Request, Response, Status};

pub struct ExchangeAccount {
    client: Arc<Client>,
}

impl ExchangeAccount {
    pub fn new(client: Arc<Client>) -> Self {
        ExchangeAccount { client }
    }

    pub fn server(self) -> ExchangeAccountServer<Self> {
        ExchangeAccountServer::new(self)
    }
}

/// The exchange's refusal or outage, as the caller's `UNAVAILABLE`.
fn unavailable(error: hedgeflow_exchange::Error) -> Status {
    Status::unavailable(format!("exchange: {error}"))
}

#[tonic::async_trait]
impl Service for ExchangeAccount {
    async fn balances(
        &self,
        _request: Request<wire::BalancesRequest>,
    ) -> Result<Response<wire::BalancesReply>, Status> {
        let balances = self.client.balances().await.map_err(unavailable)?;
        Ok(Response::new(wire::BalancesReply {
            balances: balances
                .into_iter()
                .map(|b| wire::Balance {
                    asset: b.asset,
                    free: b.free.to_string(),
                    locked: b.locked.to_string(),
                })
                .collect(),
        }))
    }

    async fn open_orders(
        &self,
        request: Request<wire::OpenOrdersRequest>,
    ) -> Result<Response<wire::OpenOrdersReply>, Status> {
        let symbol = request.into_inner().symbol;
        let symbol = (!symbol.is_empty()).then_some(symbol.as_str());
        let orders = self.client.open_orders(symbol).await.map_err(unavailable)?;
        Ok(Response::new(wire::OpenOrdersReply {
            orders: orders
                .into_iter()
                .map(|o| wire::OpenOrder {
                    symbol: o.symbol,
                    order_id: o.order_id,
                    client_order_id: o.client_order_id,
                    side: o.side.as_str().to_owned(),
                    price: o.price.to_string(),
                    orig_qty: o.orig_qty.to_string(),
                    executed_qty: o.executed_qty.to_string(),
                    status: o.status.as_str().to_owned(),
                })
                .collect(),
        }))
    }
}
