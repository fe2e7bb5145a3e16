//! `hedgeflow orders`: what the Temporal UI cannot do for escrow orders: list them by status
//! across workflows, show one with its history, transactions and errors, and retry a FAILED one.
//! Reads go through the read connection (`database.read-url`, a replica when configured).

use super::reader;
use crate::{config::Config, temporal};
use anyhow::{Context, bail};
use clap::Subcommand;
use hedgeflow_activities::store::{Store, entity::escrow_order, escrow::OrderFilter};
use hedgeflow_proto::workflows::EscrowOrderWorkflow;
use hedgeflow_proto::{
    Amount,
    escrow::EscrowStatus,
    ids::{self, EscrowOrderName},
};
use temporalio_client::WorkflowSignalOptions;

#[derive(Subcommand)]
pub enum OrdersCommand {
    /// Orders, newest first.
    List {
        /// Only orders in this status (PENDING, PROCESSING, TRANSFERRING, FULFILLED, CLAIMING,
        /// COMPLETED, DROPPED, FAILED).
        #[arg(long)]
        status: Option<String>,
        /// Only orders of this L2 (chain name or id).
        #[arg(long)]
        chain: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
    /// One order: its fields, status history, transactions, errors and workflow link.
    Show {
        /// `escrow-<chainId>-<orderId>-<tx>` or `<chainId>-<orderId>`.
        id: String,
    },
    /// Resume a FAILED order from the step that failed (a transfer that happened is not redone).
    Retry { id: String },
}

pub async fn run(config: Config, command: OrdersCommand) -> anyhow::Result<()> {
    match command {
        OrdersCommand::List {
            status,
            chain,
            limit,
        } => list(&config, status.as_deref(), chain.as_deref(), limit).await,
        OrdersCommand::Show { id } => show(&config, &id).await,
        OrdersCommand::Retry { id } => retry(&config, &id).await,
    }
}

/// The stored order `id` names: a workflow id, or `<chainId>-<orderId>` (the newest order with
/// that id).
async fn find(store: &Store, id: &str) -> anyhow::Result<escrow_order::Model> {
    let name = ids::parse_escrow_id(id).with_context(|| {
        format!(
            "{id:?} is not an order id; use escrow-<chainId>-<orderId>-<tx> or <chainId>-<orderId>"
        )
    })?;
    let found = match &name {
        EscrowOrderName::Workflow(workflow_id) => store.escrow_order(workflow_id).await?,
        EscrowOrderName::Id { chain_id, order_id } => {
            store.escrow_order_numbered(*chain_id, *order_id).await?
        }
    };
    found.with_context(|| format!("no order {id} in the database"))
}

fn chain_id(config: &Config, chain: &str) -> anyhow::Result<u64> {
    if let Some(known) = config.chains.get(chain) {
        return Ok(known.chain_id);
    }
    match chain.parse::<u64>() {
        Ok(id) if config.chains.values().any(|c| c.chain_id == id) => Ok(id),
        _ => bail!(
            "unknown chain {chain:?}; configured chains: {}",
            config.chains.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    }
}

fn eth(wei: &str) -> String {
    wei.parse::<Amount>()
        .map_or_else(|_| wei.to_owned(), |a| a.format_units(18))
}

async fn list(
    config: &Config,
    status: Option<&str>,
    chain: Option<&str>,
    limit: u64,
) -> anyhow::Result<()> {
    let status = status
        .map(|s| {
            EscrowStatus::parse(s).with_context(|| {
                let known: Vec<_> = EscrowStatus::ALL.iter().map(|s| s.as_str()).collect();
                format!("unknown status {s:?}; one of {}", known.join(", "))
            })
        })
        .transpose()?;
    let chain_id = chain.map(|c| chain_id(config, c)).transpose()?;
    let filter = OrderFilter {
        status,
        chain_id,
        limit,
    };
    let store = reader(config).await?;
    print_per_chain(config, &store.escrow_order_counts().await?);
    let rows = store.escrow_orders(&filter).await?;
    if rows.is_empty() {
        println!("no orders");
        return Ok(());
    }
    println!(
        "{:<24} {:<12} {:>14} {:>22}  {:<42}  updated",
        "order", "status", "amount (ETH)", "fee (wei)", "recipient"
    );
    for row in rows {
        println!(
            "{:<24} {:<12} {:>14} {:>22}  {:<42}  {}",
            row.workflow_id,
            row.status,
            eth(&row.amount),
            row.fee,
            row.recipient,
            row.updated_at.format("%Y-%m-%d %H:%M:%S"),
        );
        if let Some(detail) = &row.detail {
            println!("    {detail}");
        }
    }
    Ok(())
}

/// One line per L2: its orders by status (each L2 has its own processor, scan and claims).
fn print_per_chain(config: &Config, counts: &[(u64, String, u64)]) {
    let mut chains: Vec<u64> = counts.iter().map(|(chain, ..)| *chain).collect();
    chains.dedup();
    for chain in chains {
        let name = config
            .chains
            .iter()
            .find(|(_, c)| c.chain_id == chain)
            .map_or("?", |(name, _)| name.as_str());
        let statuses: Vec<String> = counts
            .iter()
            .filter(|(c, ..)| *c == chain)
            .map(|(_, status, count)| format!("{status} {count}"))
            .collect();
        let total: u64 = counts
            .iter()
            .filter(|(c, ..)| *c == chain)
            .map(|(.., count)| count)
            .sum();
        println!("{name} ({chain}): {total} orders: {}", statuses.join(", "));
    }
    if !counts.is_empty() {
        println!();
    }
}

async fn show(config: &Config, id: &str) -> anyhow::Result<()> {
    let store = reader(config).await?;
    let row = find(&store, id).await?;
    let workflow_id = row.workflow_id.clone();
    println!("{}  {}", row.workflow_id, row.status);
    if let Some(detail) = &row.detail {
        println!("  detail     {detail}");
    }
    println!("  chain      {} (order {})", row.chain_id, row.order_id);
    println!("  recipient  {}", row.recipient);
    println!("  amount     {} ETH ({} wei)", eth(&row.amount), row.amount);
    println!("  fee        {} wei", row.fee);
    println!(
        "  placed     tx {} in L2 block {} (seen by {})",
        row.set_order_tx, row.set_order_block, row.source
    );
    let tx = |name: &str, hash: &Option<String>, block: Option<i64>| {
        if let Some(hash) = hash {
            println!(
                "  {name:<10} tx {hash} in block {}",
                block.unwrap_or_default()
            );
        }
    };
    tx("transfer", &row.transfer_tx, row.transfer_block);
    tx("claim", &row.claim_tx, row.claim_block);
    tx("release", &row.release_tx, row.release_block);
    super::print_history(&row.status_history);
    let errors = store.escrow_order_errors(&workflow_id).await?;
    if !errors.is_empty() {
        println!("  errors");
        for error in errors {
            println!(
                "    #{} {}  {:<9} {}",
                error.seq,
                error.at.format("%Y-%m-%d %H:%M:%S"),
                error.step,
                error.message
            );
        }
    }
    println!(
        "  {}",
        temporal::workflow_url(&config.temporal, &workflow_id)
    );
    Ok(())
}

async fn retry(config: &Config, id: &str) -> anyhow::Result<()> {
    // The main DB, not the replica: a lagging replica must not hide a fresh failure.
    let store = Store::connect_read_only(&config.database.url)
        .await
        .context("database")?;
    let row = find(&store, id).await?;
    let workflow_id = row.workflow_id.clone();
    if row.status != EscrowStatus::Failed.as_str() {
        bail!(
            "{workflow_id} is {}; only FAILED orders can be retried",
            row.status
        );
    }
    let client = temporal::connect(&config.temporal, "cli").await?;
    let who = format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    );
    client
        .get_workflow_handle::<EscrowOrderWorkflow>(workflow_id.clone())
        .signal(
            EscrowOrderWorkflow::retry,
            who,
            WorkflowSignalOptions::default(),
        )
        .await
        .with_context(|| format!("signalling {workflow_id}"))?;
    println!("retry requested for {workflow_id}");
    println!(
        "  {}",
        temporal::workflow_url(&config.temporal, &workflow_id)
    );
    Ok(())
}
