//! `hedgeflow`: see the library docs for the layout.

use anyhow::Context;
use clap::{Parser, Subcommand};
use hedgeflow::{cli, config::Config, dev, roles, telemetry};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "hedgeflow",
    version,
    about = "A market maker's back office as durable Temporal pipelines"
)]
struct Args {
    /// Configuration file.
    #[arg(
        long,
        global = true,
        env = "HEDGEFLOW_CONFIG",
        default_value = "config/dev.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole local stack: Temporal dev server, two anvil chains, contracts, every role.
    Dev,
    /// Run the orchestrator role: workflows, store and chain-read activities (holds DB credentials).
    Orchestrator,
    /// Run the hot-wallet role: signs and sends transactions (holds the signing key, nothing else).
    HotWallet,
    /// Run the indexer role: follows each L2 escrow and starts a workflow per order (no secrets).
    Indexer,
    /// Run the local L1→L2 message relayer (development stand-in for a rollup's messaging).
    Relayer,
    /// Run the order book manager: exchange books and volatility over gRPC (no secrets).
    Obm,
    /// Run the RFQ dealer: the public Dealer JSON-RPC front door and its admin endpoint.
    Dealer,
    /// Run the exchange role: places and follows hedge orders (holds the exchange API keys only).
    Exchange,
    /// Run the price signer: signs broker prices for the intent hedger's `IntentBook` (holds its
    /// key only).
    PriceSigner,
    /// Run the intent hedger's web server (SYMMIO front ends' REST and websocket).
    HedgerApi,
    /// Run the paper exchange: a Binance-compatible exchange with a synthetic market (dev only).
    PaperExchange,
    /// Treasury operations of the hot wallet.
    #[command(subcommand)]
    Wallet(cli::wallet::WalletCommand),
    /// Escrow orders: list, show, retry.
    #[command(subcommand)]
    Orders(cli::orders::OrdersCommand),
    /// RFQ quotes: show one with its fill, hedge trade and P&L.
    #[command(subcommand)]
    Quotes(cli::quotes::QuotesCommand),
    /// What the market maker holds per asset: hot wallet, exchange, fills and hedges in flight.
    Inventory,
    /// Demo traffic for the local stack.
    #[command(subcommand)]
    Demo(cli::demo::DemoCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = Config::load(&args.config)?;
    let role = match &args.command {
        Command::Dev => "dev",
        Command::Orchestrator => roles::orchestrator::ROLE,
        Command::HotWallet => roles::hot_wallet::ROLE,
        Command::Indexer => roles::indexer::ROLE,
        Command::Relayer => roles::relayer::ROLE,
        Command::Obm => roles::obm::ROLE,
        Command::Dealer => roles::dealer::ROLE,
        Command::PaperExchange => roles::paper_exchange::ROLE,
        Command::Exchange => roles::exchange::ROLE,
        Command::PriceSigner => roles::price_signer::ROLE,
        Command::HedgerApi => roles::hedger_api::ROLE,
        Command::Wallet(_)
        | Command::Orders(_)
        | Command::Quotes(_)
        | Command::Inventory
        | Command::Demo(_) => "cli",
    };
    let _telemetry = telemetry::init(role, &config.observability).context("telemetry")?;
    match args.command {
        Command::Dev => dev::run(&args.config, config).await,
        Command::Orchestrator => roles::orchestrator::run(config).await,
        Command::HotWallet => roles::hot_wallet::run(config).await,
        Command::Indexer => roles::indexer::run(config).await,
        Command::Relayer => roles::relayer::run(config).await,
        Command::Obm => roles::obm::run(config).await,
        Command::Dealer => roles::dealer::run(config).await,
        Command::PaperExchange => roles::paper_exchange::run(config).await,
        Command::Exchange => roles::exchange::run(config).await,
        Command::PriceSigner => roles::price_signer::run(config).await,
        Command::HedgerApi => roles::hedger_api::run(config).await,
        Command::Wallet(command) => cli::wallet::run(config, command).await,
        Command::Orders(command) => cli::orders::run(config, command).await,
        Command::Quotes(command) => cli::quotes::run(config, command).await,
        Command::Inventory => cli::inventory::run(config).await,
        Command::Demo(command) => cli::demo::run(config, command).await,
    }
}
