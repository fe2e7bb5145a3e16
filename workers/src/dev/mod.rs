//! `hedgeflow dev`: the whole stack on one machine, no account anywhere.
//!
//! Starts the Temporal dev server (SQLite under the data dir, UI on, search attributes
//! registered), one anvil per configured dev chain (state saved to and reloaded from the data dir,
//! so chain state and workflow history stay consistent across restarts), deploys the test tokens
//! where they are missing, then runs every role as a child process of this one and restarts a
//! role that dies. Ctrl-C or SIGTERM stops the children in reverse order. With an `[escrow]` and
//! a `[relayer]` section it also deploys the escrow contracts and runs the indexer and the
//! relayer; with `[paper-exchange]` and `[obm]`, the paper exchange and the order book manager;
//! with `[dealer]`, the RFQ dealer (its admin token generated into the data dir).
//!
//! - [`tools`]: finding the bootstrapped binaries;
//! - [`process`]: child processes (spawn, readiness, graceful stop);
//! - [`temporal_server`], [`anvil`]: the two external servers;
//! - [`deploy`]: the test tokens and the escrow contracts.

pub mod anvil;
pub mod deploy;
pub mod process;
pub mod temporal_server;
pub mod tools;

use crate::{
    config::{Config, DevConfig},
    roles,
};
use anyhow::{Context, bail};
use hedgeflow_activities::chain::signer::{SecretRef, SignerSource, load_signer};
use hedgeflow_dealer::rpc::SecretSource;
use process::Supervised;
use std::{path::Path, time::Duration};
use tokio::signal::unix::{SignalKind, signal};
use tracing::info;
use uuid::Uuid;

/// anvil's well-known development mnemonic: public, funded only on local chains.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Where `dev` puts [`DEV_MNEMONIC`] for the dev config's signers to read, like any key file.
pub const DEV_MNEMONIC_FILE: &str = "dev-mnemonic";
/// The dev mnemonic's account the taker example signs with (anvil's account 1).
pub const DEV_TAKER_INDEX: u32 = 1;

pub async fn run(config_path: &Path, config: Config) -> anyhow::Result<()> {
    let Some(dev) = config.dev.clone() else {
        bail!(
            "{} has no [dev] section; `hedgeflow dev` runs only the local stack",
            config_path.display()
        );
    };
    std::fs::create_dir_all(&dev.data_dir)
        .with_context(|| format!("creating {}", dev.data_dir.display()))?;
    let logs = dev.data_dir.join("logs");
    std::fs::create_dir_all(&logs)?;

    let mut children: Vec<Supervised> = Vec::new();
    let result = start_and_supervise(config_path, &config, &dev, &mut children).await;
    info!("stopping {} processes", children.len());
    for child in children.iter_mut().rev() {
        child.stop(Duration::from_secs(10)).await;
    }
    result
}

/// The stack in the order it needs: servers, then contracts, then the roles; then watches it.
async fn start_and_supervise(
    config_path: &Path,
    config: &Config,
    dev: &DevConfig,
    children: &mut Vec<Supervised>,
) -> anyhow::Result<()> {
    let logs = dev.data_dir.join("logs");
    start_servers(config, dev, &logs, children).await?;
    deploy_contracts(config, dev).await?;
    let exe = std::env::current_exe()?;
    for role in roles_to_run(config) {
        children.push(process::spawn_role(&exe, config_path, role)?);
    }
    print_endpoints(config, dev);
    supervise(children, &logs).await
}

/// The Temporal dev server and every configured anvil chain.
async fn start_servers(
    config: &Config,
    dev: &DevConfig,
    logs: &Path,
    children: &mut Vec<Supervised>,
) -> anyhow::Result<()> {
    children.push(
        temporal_server::start(&temporal_server::Options {
            port: dev.temporal_port,
            ui_port: Some(dev.temporal_ui_port),
            db_file: Some(dev.data_dir.join("temporal.db")),
            log: logs.join("temporal.log"),
        })
        .await?,
    );
    for (name, anvil) in &dev.anvil {
        let chain = config
            .chains
            .get(name)
            .with_context(|| format!("dev.anvil.{name} has no [chains.{name}]"))?;
        children.push(
            anvil::start(&anvil::Options {
                name: name.clone(),
                port: anvil.port,
                chain_id: chain.chain_id,
                block_time: anvil.block_time,
                state: Some(dev.data_dir.join(format!("anvil-{name}.json"))),
                log: logs.join(format!("anvil-{name}.log")),
            })
            .await?,
        );
        // Restarted from its saved state, a chain resumes at its last block's time.
        tokio::spawn(anvil::keep_on_wall_clock(name.clone(), anvil.port));
    }

    Ok(())
}

/// The dev secrets, and every contract the config names, deployed and funded where missing.
async fn deploy_contracts(config: &Config, dev: &DevConfig) -> anyhow::Result<()> {
    write_secret_file(&dev.data_dir.join(DEV_MNEMONIC_FILE), DEV_MNEMONIC)?;
    write_dealer_admin_token(config)?;
    write_paper_exchange_keys(config)?;
    deploy::ensure_tokens(&config.chains, config.hot_wallet.address, &dev.deployer)
        .await
        .context("deploying test tokens")?;

    ensure_escrow(config, dev).await?;
    if let Some(settlement) = &config.settlement {
        let chain = &config.chains[&settlement.chain];
        deploy::ensure_settlement(chain, settlement.contract, &dev.deployer)
            .await
            .context("deploying RfqSettlement")?;
        // The dev taker (`--example taker`'s default key) holds and approves tokens, and the
        // hot wallet approves what it delivers, so a quote fills on the first try.
        let taker = SignerSource::Mnemonic {
            phrase: SecretRef::File(dev.data_dir.join(DEV_MNEMONIC_FILE)),
            index: DEV_TAKER_INDEX,
        };
        deploy::ensure_dev_taker_funds(
            chain,
            load_signer(&taker)?.address(),
            100_000,
            &dev.deployer,
        )
        .await
        .context("funding the dev taker")?;
        deploy::ensure_settlement_allowances(
            chain,
            settlement.contract,
            &[config.hot_wallet.signer.clone(), taker],
        )
        .await
        .context("approving RfqSettlement")?;
    }

    if let (Some(intents), Some(price_signer)) = (&config.intents, &config.price_signer) {
        let chain = &config.chains[&intents.chain];
        deploy::ensure_intent_book(
            chain,
            intents,
            price_signer.address,
            &config.hot_wallet.signer,
            &dev.deployer,
            config.paper_exchange_wallet()?,
        )
        .await
        .context("deploying IntentBook")?;
    }

    Ok(())
}

/// The roles the config has sections for; the orchestrator and the hot wallet always.
fn roles_to_run(config: &Config) -> Vec<&'static str> {
    let mut roles = vec![roles::orchestrator::ROLE, roles::hot_wallet::ROLE];
    if config.escrow.is_some() || config.intents.is_some() {
        roles.push(roles::indexer::ROLE);
    }
    if config.price_signer.is_some() {
        roles.push(roles::price_signer::ROLE);
    }
    if config.hedger_api.is_some() {
        roles.push(roles::hedger_api::ROLE);
    }
    if config.relayer.is_some() {
        roles.push(roles::relayer::ROLE);
    }
    if config.paper_exchange.is_some() {
        roles.push(roles::paper_exchange::ROLE);
    }
    if config.obm.is_some() {
        roles.push(roles::obm::ROLE);
    }
    if config.exchange.is_some() {
        roles.push(roles::exchange::ROLE);
    }
    if config.dealer.is_some() {
        roles.push(roles::dealer::ROLE);
    }
    roles
}

/// Until ctrl-c or SIGTERM, restarts any child that exits.
async fn supervise(children: &mut [Supervised], logs: &Path) -> anyhow::Result<()> {
    let mut terminate = signal(SignalKind::terminate())?;
    let mut check = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
            _ = check.tick() => {
                for child in children.iter_mut() {
                    // Every child, the Temporal server and the chains included, comes back after
                    // a crash; only one that never gets past its start-up stops the stack.
                    child
                        .keep_alive()
                        .with_context(|| format!("see its log under {}", logs.display()))?;
                }
            }
        }
    }
}

/// Deploys the escrow contracts of every L2 the relayer serves, as `[escrow]` names them.
async fn ensure_escrow(config: &Config, dev: &DevConfig) -> anyhow::Result<()> {
    let (Some(escrow), Some(relayer)) = (&config.escrow, &config.relayer) else {
        return Ok(());
    };
    let relayer_address = load_signer(&relayer.signer)
        .context("relayer signer")?
        .address();
    deploy::ensure_escrow(
        &config.chains[&escrow.l1],
        &deploy::escrow_l2s(config),
        config.hot_wallet.address,
        relayer_address,
        dev.escrow_reclaim_delay.as_secs(),
        &dev.deployer,
    )
    .await
    .context("deploying the escrow contracts")
}

/// Writes `contents` to `path` unless it exists, owner-only (as any secret file should be).
fn write_secret_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    if !path.exists() {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?;
        file.write_all(contents.as_bytes())?;
    }
    Ok(())
}

/// The paper exchange's public dev account keys, where the exchange role reads its keys from
/// files (the dev stack's `data/exchange-*-key`); an existing file is left alone.
fn write_paper_exchange_keys(config: &Config) -> anyhow::Result<()> {
    use hedgeflow_paper_exchange::config::{DEV_API_KEY, DEV_SECRET_KEY};
    if let (Some(_), Some(exchange)) = (&config.paper_exchange, &config.exchange) {
        for (secret, value) in [
            (&exchange.api_key, DEV_API_KEY),
            (&exchange.secret_key, DEV_SECRET_KEY),
        ] {
            if let SecretRef::File(path) = secret {
                write_secret_file(path, value)?;
            }
        }
    }
    Ok(())
}

/// A fresh random dealer admin token where the config reads it from a file that does not
/// exist yet (the dev stack's `data/dealer-admin-token`); kept across restarts.
fn write_dealer_admin_token(config: &Config) -> anyhow::Result<()> {
    if let Some(dealer) = &config.dealer
        && let SecretSource::File(path) = &dealer.front_door.admin_token
    {
        let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        write_secret_file(path, &token)?;
    }
    Ok(())
}

fn print_endpoints(config: &Config, dev: &DevConfig) {
    println!();
    println!("hedgeflow dev is up");
    println!("  Temporal UI       {}", config.temporal.ui_url);
    println!("  Temporal gRPC     {}", config.temporal.address);
    for (name, chain) in &config.chains {
        if let Some(rpc) = chain.rpc.first() {
            println!(
                "  chain {name:<11} {} (chain id {})",
                rpc.http, chain.chain_id
            );
        }
    }
    for (role, addr) in &config.metrics {
        println!("  metrics {role:<9} http://{addr}/metrics");
    }
    println!("  hot wallet        {}", config.hot_wallet.address);
    if let Some(paper) = &config.paper_exchange {
        println!(
            "  paper exchange    http://{} (Binance Spot API)",
            paper.listen
        );
    }
    if let Some(obm) = &config.obm {
        println!(
            "  order books       grpc://{} ({} books)",
            obm.listen,
            obm.books.len()
        );
    }
    if let Some(settlement) = &config.settlement {
        println!("  quote signer      grpc://{}", settlement.signer_listen);
    }
    if let Some(listen) = config.exchange.as_ref().and_then(|e| e.listen) {
        println!("  exchange account  grpc://{listen} (balances, open orders)");
    }
    if let Some(dealer) = &config.dealer {
        let front_door = &dealer.front_door;
        println!(
            "  dealer JSON-RPC   http://{} (Dealer JSON-RPC v1.0)",
            front_door.listen
        );
        println!(
            "  dealer admin      http://{} (token: {})",
            front_door.admin_listen, front_door.admin_token
        );
    }
    println!("  data and logs     {}", dev.data_dir.display());
    println!();
    println!(
        "try: hedgeflow wallet transfer --chain l1 --token USDC --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --amount 25"
    );
    if config.escrow.is_some() {
        println!("try: hedgeflow demo escrow --orders 5      (then: hedgeflow orders list)");
    }
    if config.dealer.is_some() {
        println!(
            "try: cargo run -p hedgeflow-dealer --example taker      (a quote, signed and filled)"
        );
        println!(
            "     then: hedgeflow quotes show <quoteId>   (fill, hedge trade, P&L); hedgeflow inventory"
        );
    }
    println!("Ctrl-C stops everything; running `hedgeflow dev` again resumes where it stopped.");
}
