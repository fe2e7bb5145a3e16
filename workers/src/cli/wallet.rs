//! `hedgeflow wallet transfer` and `hedgeflow wallet balances`.

use crate::{config::Config, temporal};
use alloy::primitives::Address;
use anyhow::{Context, bail};
use clap::Subcommand;
use hedgeflow_activities::{
    chain::Chains,
    store::Store,
    treasury::{self, TreasuryError},
};
use hedgeflow_proto::workflows::TransferWorkflow;
use hedgeflow_proto::{Amount, ids, transfer::TransferRequest};
use std::collections::BTreeMap;
use temporalio_client::WorkflowGetResultOptions;

#[derive(Subcommand)]
pub enum WalletCommand {
    /// Pay native ETH or a configured ERC-20 from the hot wallet, as a durable workflow.
    Transfer {
        /// Chain name from the config (`l1`, `l2`).
        #[arg(long)]
        chain: String,
        /// Token symbol from the chain's config, or ETH.
        #[arg(long)]
        token: String,
        /// Recipient address.
        #[arg(long)]
        to: String,
        /// Human amount in token units (`1.5` USDC is 1500000 base units).
        #[arg(long)]
        amount: String,
        /// Idempotency key: the same id never pays twice (defaults to a new one).
        #[arg(long)]
        request_id: Option<String>,
        /// Return once the workflow has started instead of waiting for confirmations.
        #[arg(long)]
        no_wait: bool,
    },
    /// The latest treasury transfers with their status, transaction and workflow link.
    History {
        #[arg(long, default_value_t = 20)]
        limit: u64,
    },
    /// Native and token balances of the hot wallet (or of `--address`) on every chain.
    Balances {
        #[arg(long)]
        chain: Option<String>,
        #[arg(long)]
        address: Option<String>,
    },
}

pub async fn run(config: Config, command: WalletCommand) -> anyhow::Result<()> {
    match command {
        WalletCommand::Transfer {
            chain,
            token,
            to,
            amount,
            request_id,
            no_wait,
        } => {
            let request_id = request_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            transfer(&config, &chain, &token, &to, &amount, request_id, !no_wait).await
        }
        WalletCommand::History { limit } => history(&config, limit).await,
        WalletCommand::Balances { chain, address } => {
            balances(&config, chain.as_deref(), address.as_deref()).await
        }
    }
}

fn parse_address(text: &str) -> anyhow::Result<Address> {
    text.trim().parse().map_err(|_| {
        anyhow::anyhow!("{text:?} is not an address (expected 0x followed by 40 hex digits)")
    })
}

/// Connects only the chains asked for, after checking they are configured.
async fn connect(config: &Config, only: Option<&str>) -> anyhow::Result<Chains> {
    let mut selected = BTreeMap::new();
    for (name, chain) in &config.chains {
        if only.is_none_or(|wanted| wanted == name) {
            selected.insert(name.clone(), chain.clone());
        }
    }
    if selected.is_empty() {
        let known: Vec<_> = config.chains.keys().map(String::as_str).collect();
        return Err(
            TreasuryError::UnknownChain(only.unwrap_or_default().into(), known.join(", ")).into(),
        );
    }
    Ok(Chains::connect(&selected).await?)
}

async fn transfer(
    config: &Config,
    chain_name: &str,
    token: &str,
    to: &str,
    amount: &str,
    request_id: String,
    wait: bool,
) -> anyhow::Result<()> {
    let to = parse_address(to)?;
    if request_id.is_empty() || request_id.contains(char::is_whitespace) {
        bail!("request id must be non-empty and contain no whitespace");
    }
    let chains = connect(config, Some(chain_name)).await?;
    let chain = treasury::chain(&chains, chain_name)?;
    let asset = treasury::asset(chain, token)?;
    let amount = Amount::parse_units(amount, asset.decimals)?;
    let request = TransferRequest {
        request_id,
        chain: chain_name.into(),
        token: asset.symbol,
        to,
        amount,
    };
    // The same checks the workflow's first step makes: refuse here, start nothing.
    let plan = treasury::plan(&chains, config.hot_wallet.address, &request).await?;

    let client = temporal::connect(&config.temporal, "cli").await?;
    let workflow_id = ids::transfer_workflow(plan.chain_id, &request.request_id);
    let started = treasury::starters::start_transfer(&client, plan.chain_id, &request)
        .await
        .with_context(|| format!("starting {workflow_id}"))?;
    if started {
        println!("started {workflow_id}");
    } else {
        same_transfer_as_before(config, &workflow_id, &request).await?;
        println!("following {workflow_id}, started earlier for this very request");
    }
    let handle = client.get_workflow_handle::<TransferWorkflow>(workflow_id.clone());
    println!(
        "  {}",
        temporal::workflow_url(&config.temporal, &workflow_id)
    );
    if !wait {
        return Ok(());
    }
    let result = handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .with_context(|| format!("{workflow_id} did not complete"))?;
    println!(
        "confirmed: {} {} to {} in tx {} (block {}, {} confirmations)",
        result.plan.amount.format_units(result.plan.decimals),
        result.plan.token,
        result.plan.to,
        result.receipt.tx_hash,
        result.receipt.block_number,
        result.receipt.confirmations,
    );
    Ok(())
}

/// A request id already used: fine for the same transfer (a retried command), refused for any
/// other, before anything is started or sent.
async fn same_transfer_as_before(
    config: &Config,
    workflow_id: &str,
    request: &TransferRequest,
) -> anyhow::Result<()> {
    let store = Store::connect_read_only(config.database.read_url())
        .await
        .context("database (read)")?;
    let used = || {
        format!(
            "request id {} is already used ({workflow_id}); choose a new one",
            request.request_id
        )
    };
    let Some(row) = store.transfer(workflow_id).await? else {
        bail!("{}, and its record is not written yet", used());
    };
    let same = row.chain == request.chain
        && row.token == request.token
        && row.recipient.eq_ignore_ascii_case(&request.to.to_string())
        && row.amount == request.amount.to_string();
    if !same {
        bail!(
            "{} for another transfer: {} {} (base units) to {} on {}",
            used(),
            row.amount,
            row.token,
            row.recipient,
            row.chain
        );
    }
    Ok(())
}

async fn history(config: &Config, limit: u64) -> anyhow::Result<()> {
    let store = Store::connect_read_only(config.database.read_url())
        .await
        .context("database (read)")?;
    for row in store.recent_transfers(limit).await? {
        println!(
            "{}  {:<10} {} {} (base units) to {}  tx {}",
            row.updated_at.format("%Y-%m-%d %H:%M:%S"),
            row.status,
            row.amount,
            row.token,
            row.recipient,
            row.tx_hash.as_deref().unwrap_or("-"),
        );
        if let Some(error) = &row.error {
            println!("    error: {error}");
        }
        println!(
            "    {}",
            temporal::workflow_url(&config.temporal, &row.workflow_id)
        );
    }
    Ok(())
}

async fn balances(
    config: &Config,
    chain: Option<&str>,
    address: Option<&str>,
) -> anyhow::Result<()> {
    let owner = match address {
        Some(text) => parse_address(text)?,
        None => config.hot_wallet.address,
    };
    let chains = connect(config, chain).await?;
    println!("balances of {owner}");
    for chain in chains.iter() {
        for asset in treasury::assets(chain) {
            let balance = treasury::balance_of(chain, &asset, owner).await?;
            println!(
                "  {:<4} {:>6}  {}",
                chain.name,
                asset.symbol,
                balance.format_units(asset.decimals)
            );
        }
    }
    Ok(())
}
