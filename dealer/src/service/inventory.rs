//! The inventory the maker quotes against: the hot wallet's token balances and the exchange
//! account's free balances, each re-read on its own timer by [`super::QuoteService`].

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use arc_swap::ArcSwap;
use hedgeflow_proto::grpc::auth::HotWalletClient;
use hedgeflow_proto::grpc::exchange::{
    self as exchange_wire, exchange_account_client::ExchangeAccountClient,
};
use hedgeflow_proto::grpc::hot_wallet as wire;
use rust_decimal::Decimal;
use tonic::transport::Channel;

use super::config::Token;
use super::units;
use crate::maker::Inventory;

/// Reads with `read` every `every`, forever, and applies each reading to the inventory (the rest
/// of it kept); a failed read keeps the last reading and logs.
pub(super) async fn refresh_inventory<T, Fut>(
    every: Duration,
    what: &'static str,
    inventory: Arc<ArcSwap<Inventory>>,
    read: impl Fn() -> Fut,
    apply: impl Fn(&mut Inventory, T),
) where
    T: Clone,
    Fut: Future<Output = Result<T, String>>,
{
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match read().await {
            Ok(reading) => {
                inventory.rcu(|current| {
                    let mut next = Inventory::clone(current);
                    apply(&mut next, reading.clone());
                    next
                });
            }
            Err(error) => tracing::warn!(%error, "{what} not refreshed"),
        }
    }
}

/// The exchange account's free balances, by our asset symbols (`assets`: ours → the exchange's).
pub(super) async fn read_exchange_funds(
    mut client: ExchangeAccountClient<Channel>,
    assets: Arc<BTreeMap<String, String>>,
) -> Result<HashMap<String, Decimal>, String> {
    let reply = client
        .balances(exchange_wire::BalancesRequest {})
        .await
        .map_err(|status| status.message().to_owned())?;
    let free: HashMap<String, Decimal> = reply
        .into_inner()
        .balances
        .into_iter()
        .filter_map(|b| Some((b.asset, b.free.parse().ok()?)))
        .collect();
    Ok(assets
        .iter()
        .map(|(ours, theirs)| (ours.clone(), free.get(theirs).copied().unwrap_or_default()))
        .collect())
}

/// The hot wallet's balance of each of `tokens`, by symbol, in human units.
pub async fn read_funds(
    mut client: HotWalletClient,
    tokens: &[Token],
) -> Result<HashMap<String, Decimal>, String> {
    let request = wire::FundsRequest {
        owner: String::new(),
        tokens: tokens.iter().map(|t| t.address.to_string()).collect(),
    };
    let reply = client
        .funds(request)
        .await
        .map_err(|status| status.message().to_owned())?
        .into_inner();
    let mut balances = HashMap::new();
    for funds in reply.tokens {
        let address: Address = funds.token.parse().map_err(|_| "bad token address")?;
        let token = tokens
            .iter()
            .find(|t| t.address == address)
            .ok_or("funds for an unknown token")?;
        let units = U256::from_str_radix(&funds.balance, 10).map_err(|_| "bad balance")?;
        // A balance beyond Decimal's range is more than any quote can deliver.
        let human = units::to_human(units, token.decimals).unwrap_or(Decimal::MAX);
        balances.insert(token.symbol.clone(), human);
    }
    Ok(balances)
}
