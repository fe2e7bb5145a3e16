//! `hedgeflow demo escrow`: users of the local stack place escrow orders on the L2, so a new
//! user watches the pipeline run. Development only: the users are anvil's funded accounts 1–7,
//! derived from the dev mnemonic; recipients are fresh addresses, so each L1 balance shows
//! exactly what its order paid.

use crate::config::Config;
use alloy::{
    network::EthereumWallet,
    primitives::U256,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, bail};
use clap::Subcommand;
use hedgeflow_activities::{
    chain::signer::{SignerSource, load_signer},
    escrow::{EscrowConfig, config::L2Escrow, contracts::Escrow, orders},
};
use hedgeflow_proto::{Amount, escrow::OrderSource};

/// Anvil accounts used as demo users (0 is the hot wallet, 8 the relayer, 9 the deployer).
const USERS: std::ops::RangeInclusive<u32> = 1..=7;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Place escrow orders on an L2 from funded user accounts.
    Escrow {
        /// How many orders.
        #[arg(long, default_value_t = 5)]
        orders: u32,
        /// The L2 (chain name) whose escrow gets the orders; the first configured by default.
        #[arg(long)]
        chain: Option<String>,
        /// ETH paid to each recipient on L1.
        #[arg(long, default_value = "0.01")]
        amount: String,
        /// Fee per order in wei; by default twice the pipeline's current minimum.
        #[arg(long)]
        fee: Option<String>,
    },
}

pub async fn run(config: Config, command: DemoCommand) -> anyhow::Result<()> {
    let DemoCommand::Escrow {
        orders,
        chain,
        amount,
        fee,
    } = command;
    let placed = place_orders(&config, orders, chain.as_deref(), &amount, fee.as_deref()).await?;
    for order in &placed {
        println!(
            "placed {}  {} ETH to {}  fee {} wei",
            order.workflow_id(),
            order.amount.format_units(18),
            order.recipient,
            order.fee
        );
    }
    println!("follow them: hedgeflow orders list   (or the Temporal UI: Pipeline=\"escrow\")");
    Ok(())
}

/// Places `count` orders and returns them as the escrow's `SetOrder` events report them.
pub async fn place_orders(
    config: &Config,
    count: u32,
    chain: Option<&str>,
    amount: &str,
    fee: Option<&str>,
) -> anyhow::Result<Vec<hedgeflow_proto::escrow::EscrowOrder>> {
    let escrow = config
        .escrow
        .as_ref()
        .context("the config has no [escrow] section")?;
    let dev = config
        .dev
        .as_ref()
        .context("demo traffic needs the local stack's [dev] section (its funded accounts)")?;
    let (name, l2_escrow) = escrow_l2(escrow, chain)?;
    if count == 0 {
        bail!("--orders must be at least 1");
    }
    let amount = Amount::parse_units(amount, 18).context("--amount (ETH)")?;
    if amount.is_zero() {
        bail!("--amount must be greater than zero");
    }
    let l2 = &config.chains[name];
    let l1 = &config.chains[&escrow.l1];
    let rpc = |c: &hedgeflow_activities::chain::ChainConfig| c.rpc[0].http.clone();
    let fee = match fee {
        Some(text) => text.parse::<U256>().context("--fee (wei, an integer)")?,
        None => {
            let gas_price = ProviderBuilder::new()
                .connect_http(rpc(l1))
                .get_gas_price()
                .await?;
            escrow.min_fee(gas_price) * U256::from(2)
        }
    };

    let users = demo_users(&dev.deployer)?;
    let reader = ProviderBuilder::new().connect_http(rpc(l2));
    let mut sent = Vec::new();
    let mut nonces = Vec::new();
    for user in &users {
        nonces.push(reader.get_transaction_count(user.address()).await?);
    }
    for i in 0..count as usize {
        let user = &users[i % users.len()];
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(user.clone()))
            .connect_http(rpc(l2));
        let recipient = PrivateKeySigner::random().address();
        let nonce = nonces[i % users.len()];
        nonces[i % users.len()] += 1;
        let pending = Escrow::new(l2_escrow.escrow, &provider)
            .set_order(recipient, fee)
            .value(amount.0 + fee)
            .nonce(nonce)
            .send()
            .await
            .with_context(|| format!("placing order {} of {count}", i + 1))?;
        sent.push(pending);
    }
    let mut placed = Vec::new();
    for pending in sent {
        let receipt = pending.get_receipt().await?;
        if !receipt.status() {
            bail!("set_order reverted in {}", receipt.transaction_hash);
        }
        placed.extend(
            receipt
                .inner
                .logs()
                .iter()
                .filter_map(|log| orders::decode(l2.chain_id, log, OrderSource::Poller)),
        );
    }
    Ok(placed)
}

/// The escrow L2 named `chain`, or the first configured, with its escrow settings.
fn escrow_l2<'a>(
    escrow: &'a EscrowConfig,
    chain: Option<&'a str>,
) -> anyhow::Result<(&'a str, &'a L2Escrow)> {
    Ok(match chain {
        Some(name) => (
            name,
            escrow
                .l2
                .get(name)
                .with_context(|| format!("{name:?} is not an escrow L2 of this config"))?,
        ),
        None => escrow
            .l2
            .iter()
            .next()
            .map(|(n, e)| (n.as_str(), e))
            .context("[escrow.l2] is empty")?,
    })
}

/// The funded demo users: the dev mnemonic's accounts 1–7.
fn demo_users(deployer: &SignerSource) -> anyhow::Result<Vec<PrivateKeySigner>> {
    let SignerSource::Mnemonic { phrase, .. } = deployer else {
        bail!("demo users come from the dev mnemonic; [dev] deployer must be a mnemonic");
    };
    USERS
        .map(|index| {
            load_signer(&SignerSource::Mnemonic {
                phrase: phrase.clone(),
                index,
            })
            .context("demo user key")
        })
        .collect()
}
