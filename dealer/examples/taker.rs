//! A taker against the dealer's JSON-RPC front door: get a quote, approve its order, request the
//! fill.
//!
//! ```sh
//! cargo run -p hedgeflow-dealer --example taker -- \
//!     [--url http://127.0.0.1:8547] [--maker-asset <address>] [--taker-asset <address>] \
//!     [--maker-size <base units> | --taker-size <base units>]
//! ```
//!
//! Defaults: the front door at `http://127.0.0.1:8547` (or `DEALER_URL`; the dev config gives the
//! dealer no listen address yet, so this is only a convention), the dev stack's WETH as the maker
//! asset (what the taker receives) and USDC as the taker asset (what it pays), and a maker size
//! of 1 WETH: buy 1 WETH for USDC.
//!
//! The taker's key comes from `TAKER_PRIVATE_KEY` (hex), by default anvil's development account
//! #1: a public test key, never to hold anything of value.

use alloy::primitives::{Address, U256};
use alloy::signers::local::PrivateKeySigner;
use anyhow::anyhow;
use clap::Parser;
use hedgeflow_dealer::api::Size;
use hedgeflow_dealer::taker::TakerClient;

/// The dev stack's WETH-like token (config/dev.toml).
const DEV_WETH: &str = "0x700b6A60ce7EaaEA56F065753d8dcB9653dbAD35";
/// The dev stack's USDC-like token (config/dev.toml).
const DEV_USDC: &str = "0xA15BB66138824a1c7167f5E85b957d04Dd34E468";
/// Anvil's development account #1: public, for test chains only.
const ANVIL_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ONE_WETH: u64 = 1_000_000_000_000_000_000;

/// Quote, approve and fill on the dealer's front door (the key comes from TAKER_PRIVATE_KEY).
#[derive(Parser)]
struct Args {
    /// The front door's URL.
    #[arg(long, env = "DEALER_URL", default_value = "http://127.0.0.1:8547")]
    url: String,
    /// The asset to receive (the dealer's maker asset); default the dev WETH.
    #[arg(long, default_value = DEV_WETH)]
    maker_asset: Address,
    /// The asset to pay with; default the dev USDC.
    #[arg(long, default_value = DEV_USDC)]
    taker_asset: Address,
    /// How much maker asset to receive, in base units (default 1 WETH, 10^18).
    #[arg(long, conflicts_with = "taker_size")]
    maker_size: Option<U256>,
    /// How much taker asset to pay, in base units (instead of --maker-size).
    #[arg(long)]
    taker_size: Option<U256>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let signer = taker_key()?;
    let taker = signer.address();
    let size = match (args.maker_size, args.taker_size) {
        (_, Some(taker_size)) => Size::TakerSize(taker_size),
        (Some(maker_size), None) => Size::MakerSize(maker_size),
        (None, None) => Size::MakerSize(U256::from(ONE_WETH)),
    };
    let client = TakerClient::new(&args.url)?;

    let dealer_time = client.time().await?;
    println!("dealer {} at {dealer_time} ms; taker {taker}", args.url);

    let quote = client
        .quote(args.maker_asset, args.taker_asset, size, taker)
        .await?;
    let (q, signed) = (quote.quote(), quote.order());
    println!("quote {}", q.quote_id);
    println!("  receive {} of {}", q.maker_size, q.maker_asset);
    println!("  pay     {} of {}", q.taker_size, q.taker_asset);
    println!(
        "  expires {} ms (order expiry {} s)",
        q.expiration_ms, signed.order.expiry
    );
    println!("  order   {} (salt {})", signed.hash, signed.order.salt);
    println!(
        "  settles on chain {} through {}, gas price {}",
        signed.chain_id, signed.verifying_contract, q.trade_info.gas_price
    );

    let approval = client.approve(&quote, &signer)?;
    println!("approved: {approval}");

    let ack = client.submit_fill(&quote, &approval, taker).await?;
    println!("fill submitted: transaction {}", ack.transaction_hash);
    println!("  at {} ms, extra {}", ack.submitted_at_ms, ack.extra);
    // Follow it to a final status (confirmations, or a revert).
    let mut state = client.fill_status(ack.quote_id).await?;
    while !state.is_final() {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        state = client.fill_status(ack.quote_id).await?;
    }
    println!("fill status: {}", state.status);
    Ok(())
}

/// `TAKER_PRIVATE_KEY`, or anvil's public account #1. The key never appears in an error.
fn taker_key() -> anyhow::Result<PrivateKeySigner> {
    let key = match std::env::var("TAKER_PRIVATE_KEY") {
        Ok(key) => key,
        Err(std::env::VarError::NotPresent) => ANVIL_KEY_1.to_owned(),
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(anyhow!("TAKER_PRIVATE_KEY is not UTF-8"));
        }
    };
    key.trim()
        .parse()
        .map_err(|_| anyhow!("TAKER_PRIVATE_KEY is not a 32-byte hex private key"))
}
