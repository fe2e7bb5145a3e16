//! `hedgeflow inventory`: the inventory manager's one view of what the market maker holds, per
//! asset, across the hot wallet (on chain, from its gRPC `Funds`) and the exchange (from the
//! exchange role's gRPC `ExchangeAccount`), with what is in flight: fills requested or submitted
//! but not settled (from the quote records), what the hedgers have not hedged yet (their
//! `unhedged` query) and the exchange's open orders. A source that cannot be reached is
//! reported as such; the others still print.

use super::reader;
use crate::{config::Config, hedgers};
use anyhow::Context;
use hedgeflow_dealer::service::{Token, read_funds, units};
use hedgeflow_proto::grpc::{
    auth::SendToken,
    exchange::{
        BalancesRequest, OpenOrdersRequest, exchange_account_client::ExchangeAccountClient,
    },
    hot_wallet::hot_wallet_client::HotWalletClient,
};
use hedgeflow_proto::rfq::hedge::Unhedged;
use rust_decimal::Decimal;
use std::{collections::BTreeMap, time::Duration};
use tonic::transport::{Channel, Endpoint};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Per asset symbol of the settlement chain: on chain, and in flight.
#[derive(Default)]
struct OnChain {
    hot_wallet: Option<Decimal>,
    /// What in-flight fills will bring in and take out.
    fills_in: Decimal,
    fills_out: Decimal,
    /// Signed base the hedgers still have to trade (positive: to buy on the exchange).
    unhedged: Decimal,
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let dealer = config
        .dealer_config()
        .context("the inventory is the RFQ dealer's: the config needs [dealer]")?;
    let settings = dealer.settings()?;
    let tokens: Vec<Token> = settings.tokens.values().cloned().collect();
    let mut assets: BTreeMap<String, OnChain> = tokens
        .iter()
        .map(|t| (t.symbol.clone(), OnChain::default()))
        .collect();

    let hot_wallet = channel(&settings.hot_wallet.endpoint)?;
    let token = SendToken(config.quote_signer_token()?);
    match read_funds(
        HotWalletClient::with_interceptor(hot_wallet, token),
        &tokens,
    )
    .await
    {
        Ok(funds) => {
            for (symbol, balance) in funds {
                assets.entry(symbol).or_default().hot_wallet = Some(balance);
            }
        }
        Err(error) => println!("hot wallet unreachable: {error}"),
    }

    let store = reader(&config).await?;
    for quote in store.rfq_fills_in_flight().await? {
        let amount = |asset: &str, units_text: &str| -> Option<(String, Decimal)> {
            let address: alloy::primitives::Address = asset.parse().ok()?;
            let token = settings.tokens.get(&address)?;
            let units: alloy::primitives::U256 = units_text.parse().ok()?;
            Some((
                token.symbol.clone(),
                units::to_human(units, token.decimals)?,
            ))
        };
        if let Some((symbol, out)) = amount(&quote.maker_asset, &quote.maker_amount) {
            assets.entry(symbol).or_default().fills_out += out;
        }
        if let Some((symbol, into)) = amount(&quote.taker_asset, &quote.taker_amount) {
            assets.entry(symbol).or_default().fills_in += into;
        }
    }

    let client = crate::temporal::connect(&config.temporal, "cli").await?;
    let mut hedgers_seen = Vec::new();
    for market in &dealer.markets {
        match hedgers::unhedged(&client, &market.id).await {
            Ok(unhedged) => {
                assets.entry(market.base.clone()).or_default().unhedged += unhedged.net;
                hedgers_seen.push((market.id.clone(), unhedged));
            }
            Err(error) => println!("hedger of {} unreadable: {error}", market.id),
        }
    }

    print_on_chain(&settings.hot_wallet.address, &assets, hedgers_seen);
    exchange(&config).await
}

/// The assets on chain and in flight, then what each hedger has not hedged yet.
fn print_on_chain(
    hot_wallet: &impl std::fmt::Display,
    assets: &BTreeMap<String, OnChain>,
    hedgers_seen: Vec<(String, Unhedged)>,
) {
    println!("on chain (hot wallet {hot_wallet})");
    println!(
        "  {:<8} {:>20} {:>16} {:>16} {:>16}",
        "asset", "hot wallet", "fills in", "fills out", "unhedged"
    );
    for (symbol, held) in assets {
        let balance = held
            .hot_wallet
            .map_or_else(|| "?".to_owned(), |b| b.normalize().to_string());
        println!(
            "  {symbol:<8} {balance:>20} {:>16} {:>16} {:>16}",
            held.fills_in.normalize(),
            held.fills_out.normalize(),
            held.unhedged.normalize(),
        );
    }
    println!("hedgers");
    for (market, unhedged) in hedgers_seen {
        println!(
            "  {market:<12} net {} to {} ({} fills, carry {})",
            unhedged.net.abs().normalize(),
            if unhedged.net.is_sign_negative() {
                "sell"
            } else {
                "buy"
            },
            unhedged.fills,
            unhedged.carry.normalize(),
        );
    }
}

/// The exchange account's balances and open orders, from the exchange role.
async fn exchange(config: &Config) -> anyhow::Result<()> {
    let Some(listen) = config.exchange.as_ref().and_then(|e| e.listen) else {
        println!("exchange: no [exchange] listen configured; balances not shown");
        return Ok(());
    };
    let mut account = ExchangeAccountClient::new(channel(&format!("http://{listen}"))?);
    match account.balances(BalancesRequest {}).await {
        Ok(reply) => {
            println!("exchange");
            println!("  {:<8} {:>20} {:>16}", "asset", "free", "locked");
            for balance in reply.into_inner().balances {
                println!(
                    "  {:<8} {:>20} {:>16}",
                    balance.asset, balance.free, balance.locked
                );
            }
        }
        Err(status) => println!("exchange unreachable: {}", status.message()),
    }
    if let Ok(reply) = account
        .open_orders(OpenOrdersRequest {
            symbol: String::new(),
        })
        .await
    {
        let orders = reply.into_inner().orders;
        println!("open exchange orders: {}", orders.len());
        for order in orders {
            println!(
                "  {} {} {} {} @ {} (executed {}, {})",
                order.client_order_id,
                order.symbol,
                order.side,
                order.orig_qty,
                order.price,
                order.executed_qty,
                order.status
            );
        }
    }
    Ok(())
}

fn channel(endpoint: &str) -> anyhow::Result<Channel> {
    Ok(Endpoint::from_shared(endpoint.to_owned())
        .with_context(|| format!("{endpoint:?} is not a valid endpoint"))?
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(CONNECT_TIMEOUT)
        .connect_lazy())
}
