//! The dev stack's contracts, each deployed from a fixed nonce of the deployer so its address is
//! known in advance and the config can name it:
//!
//! - nonces 0–3 on every chain: the ERC-20 test tokens and their mints to the hot wallet;
//! - nonces 4–6 on L1: `L1Messenger`, `PaymentRegistry` (market maker = hot wallet), and the
//!   registration of the L2's escrow; nonces 4–5 on the L2: `L2Messenger` (relayer = its own
//!   key) and `Escrow`. Contracts from the same nonce share an address across chains;
//! - nonce 7 on the settlement chain (L1): `RfqSettlement`;
//! - nonces 6–7 on the intents chain (L2): the collateral `TestToken` (USDT, 18 decimals) and
//!   `IntentBook`, then its symbols, the hot wallet as party B and its collateral deposit, and
//!   gas and collateral for the paper exchange's withdrawal key.

use alloy::{
    network::EthereumWallet,
    network::TransactionBuilder,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    sol,
};
use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::{
        ChainConfig,
        signer::{SignerSource, load_signer},
    },
    escrow::contracts::{Escrow, L1Messenger, L2Messenger, PaymentRegistry},
    intent::{IntentsConfig, contract::IntentBook},
    settlement::contract::RfqSettlement,
};
use std::collections::BTreeMap;
use tracing::info;

sol!(
    #[sol(rpc)]
    TestToken,
    "../contracts/artifacts/TestToken.json"
);

/// The deployer's nonce that creates `RfqSettlement` on the settlement chain.
const SETTLEMENT_NONCE: u64 = 7;

/// The deployer's nonces that create the intents collateral and `IntentBook`.
const INTENT_COLLATERAL_NONCE: u64 = 6;
const INTENT_BOOK_NONCE: u64 = 7;

/// The `IntentBook`'s dev parameters: cooldowns, price validity (s) and deviation (bps).
const INTENT_FORCE_CANCEL_COOLDOWN: u64 = 60;
const INTENT_PRICE_VALIDITY: u64 = 120;
const INTENT_MAX_PRICE_DEVIATION_BPS: u64 = 200;

/// Collateral minted to the hot wallet, and what it deposits in the book, in whole USDT.
const INTENT_HOT_WALLET_MINT: u64 = 10_000_000;
const INTENT_HOT_WALLET_DEPOSIT: u64 = 1_000_000;
/// The intents collateral the dev hot wallet keeps outside the book (`wallet-float`).
pub const INTENT_HOT_WALLET_FLOAT: u64 = INTENT_HOT_WALLET_MINT - INTENT_HOT_WALLET_DEPOSIT;

/// The test tokens in deployment order: symbol, name, decimals, amount minted to the hot wallet.
pub const TOKENS: [(&str, &str, u8, u64); 2] = [
    ("WETH", "Wrapped Ether", 18, 1_000),
    ("USDC", "USD Coin", 6, 1_000_000),
];

/// Deploys each token that has no code at its configured address yet, on every chain, and mints
/// its supply to `mint_to` (the hot wallet).
pub async fn ensure_tokens(
    chains: &BTreeMap<String, ChainConfig>,
    mint_to: Address,
    deployer: &SignerSource,
) -> anyhow::Result<()> {
    let signer = load_signer(deployer)?;
    let deployer_address = signer.address();
    let wallet = EthereumWallet::from(signer);
    for (name, chain) in chains {
        let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
        let provider = ProviderBuilder::new()
            .wallet(wallet.clone())
            .connect_http(rpc);
        // Deploy every missing token first (nonces 0, 1, …), then mint: the addresses depend
        // on the deployer's nonce at deployment.
        let mut deployed = Vec::new();
        for (nonce, (symbol, token_name, decimals, minted)) in TOKENS.iter().enumerate() {
            let configured = chain
                .tokens
                .get(*symbol)
                .with_context(|| format!("chains.{name}.tokens has no {symbol}"))?;
            let label = format!("{symbol} on {name}");
            if !needs_deploy(
                &provider,
                deployer_address,
                nonce as u64,
                configured.address,
                &label,
            )
            .await?
            {
                continue;
            }
            let token = TestToken::deploy(
                &provider,
                token_name.to_string(),
                symbol.to_string(),
                *decimals,
            )
            .await?;
            let amount = U256::from(*minted) * U256::from(10u64).pow(U256::from(*decimals));
            deployed.push((symbol, token, amount));
        }
        for (symbol, token, amount) in deployed {
            token
                .mint(mint_to, amount)
                .send()
                .await?
                .get_receipt()
                .await?;
            info!(chain = name, %symbol, address = %token.address(), "test token deployed and minted to the hot wallet");
        }
    }
    Ok(())
}

/// The address a test token gets on a fresh chain from `deployer`.
pub fn token_address(deployer: Address, symbol: &str) -> Option<Address> {
    TOKENS
        .iter()
        .position(|(s, ..)| *s == symbol)
        .map(|nonce| deployer.create(nonce as u64))
}

/// The address `RfqSettlement` gets on a fresh settlement chain from `deployer`.
pub fn settlement_address(deployer: Address) -> Address {
    deployer.create(SETTLEMENT_NONCE)
}

/// Has each of `owners` approve `settlement` for every token configured on `chain`, unless it
/// already has: the hot wallet must let `RfqSettlement` move what it delivers, and the dev taker
/// what it pays. Dev stack and tests only (owners' keys are the dev mnemonic's).
pub async fn ensure_settlement_allowances(
    chain: &ChainConfig,
    settlement: Address,
    owners: &[SignerSource],
) -> anyhow::Result<()> {
    let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
    for owner in owners {
        let signer = load_signer(owner)?;
        let me = signer.address();
        let provider = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(rpc.clone());
        for (symbol, token) in &chain.tokens {
            let token = TestToken::new(token.address, &provider);
            if token.allowance(me, settlement).call().await? >= U256::MAX >> 1 {
                continue;
            }
            token
                .approve(settlement, U256::MAX)
                .send()
                .await?
                .get_receipt()
                .await?;
            info!(%me, %symbol, %settlement, "settlement approved");
        }
    }
    Ok(())
}

/// Mints the dev taker `amount` whole units of every token configured on `chain` unless it
/// holds some already, so `cargo run --example taker` can fill a quote on the dev stack.
pub async fn ensure_dev_taker_funds(
    chain: &ChainConfig,
    taker: Address,
    amount: u64,
    deployer: &SignerSource,
) -> anyhow::Result<()> {
    let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(load_signer(deployer)?))
        .connect_http(rpc);
    for (symbol, token) in &chain.tokens {
        let erc20 = TestToken::new(token.address, &provider);
        if !erc20.balanceOf(taker).call().await?.is_zero() {
            continue;
        }
        let units = U256::from(amount) * U256::from(10u64).pow(U256::from(token.decimals));
        erc20.mint(taker, units).send().await?.get_receipt().await?;
        info!(%taker, %symbol, amount, "dev taker funded");
    }
    Ok(())
}

/// Whether the contract meant for the deployer's `nonce` must still be deployed: no code at
/// `configured` yet, and the deployer exactly at that nonce (anything else means the dev data
/// dir and the config disagree, and deploying would put the contract elsewhere).
async fn needs_deploy(
    provider: &impl Provider,
    deployer: Address,
    nonce: u64,
    configured: Address,
    label: &str,
) -> anyhow::Result<bool> {
    if !provider.get_code_at(configured).await?.is_empty() {
        return Ok(false);
    }
    let expected = deployer.create(nonce);
    let current = provider.get_transaction_count(deployer).await?;
    if expected != configured || current != nonce {
        bail!(
            "{label}: expected at {expected} (deployer nonce {nonce}), deployer is at nonce \
             {current} and the config says {configured}; reset the dev data dir or fix the config"
        );
    }
    Ok(true)
}

/// The escrow contracts of one L1/L2 pair, as the config names them.
#[derive(Clone, Copy, Debug)]
pub struct EscrowContracts {
    pub l1_messenger: Address,
    pub payment_registry: Address,
    pub l2_messenger: Address,
    pub escrow: Address,
}

impl EscrowContracts {
    /// Where `deployer` puts them on fresh chains (after the tokens).
    pub fn of(deployer: Address) -> Self {
        Self {
            l1_messenger: deployer.create(4),
            payment_registry: deployer.create(5),
            l2_messenger: deployer.create(4),
            escrow: deployer.create(5),
        }
    }
}

/// Deploys whatever of the escrow contracts is missing on `l1` and `l2`, and registers the L2's
/// messenger and escrow with the registry.
pub async fn ensure_escrow(
    l1: &ChainConfig,
    l2: &ChainConfig,
    contracts: EscrowContracts,
    market_maker: Address,
    relayer: Address,
    reclaim_delay: u64,
    deployer: &SignerSource,
) -> anyhow::Result<()> {
    let signer = load_signer(deployer)?;
    let me = signer.address();
    let wallet = EthereumWallet::from(signer);
    let connect = |chain: &ChainConfig| -> anyhow::Result<_> {
        let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
        Ok(ProviderBuilder::new()
            .wallet(wallet.clone())
            .connect_http(rpc))
    };
    let (l1p, l2p) = (connect(l1)?, connect(l2)?);
    if needs_deploy(&l1p, me, 4, contracts.l1_messenger, "L1Messenger").await? {
        L1Messenger::deploy(&l1p).await?;
    }
    if needs_deploy(&l1p, me, 5, contracts.payment_registry, "PaymentRegistry").await? {
        PaymentRegistry::deploy(&l1p, market_maker).await?;
    }
    if needs_deploy(&l2p, me, 4, contracts.l2_messenger, "L2Messenger").await? {
        L2Messenger::deploy(&l2p, relayer).await?;
    }
    if needs_deploy(&l2p, me, 5, contracts.escrow, "Escrow").await? {
        Escrow::deploy(
            &l2p,
            contracts.l2_messenger,
            contracts.payment_registry,
            market_maker,
            reclaim_delay,
        )
        .await?;
    }
    let registry = PaymentRegistry::new(contracts.payment_registry, &l1p);
    let registered = registry.chains(l2.chain_id as u128).call().await?;
    if registered.escrow != contracts.escrow || registered.messenger != contracts.l1_messenger {
        registry
            .registerChain(
                l2.chain_id as u128,
                contracts.l1_messenger,
                contracts.escrow,
            )
            .send()
            .await?
            .get_receipt()
            .await?;
        info!(l2 = l2.chain_id, escrow = %contracts.escrow, "escrow contracts deployed and registered");
    }
    Ok(())
}

/// Deploys `RfqSettlement` on `chain` unless it is already at `contract`.
pub async fn ensure_settlement(
    chain: &ChainConfig,
    contract: Address,
    deployer: &SignerSource,
) -> anyhow::Result<()> {
    let signer = load_signer(deployer)?;
    let me = signer.address();
    let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(rpc);
    if needs_deploy(&provider, me, SETTLEMENT_NONCE, contract, "RfqSettlement").await? {
        RfqSettlement::deploy(&provider).await?;
        info!(%contract, "RfqSettlement deployed");
    }
    Ok(())
}

/// The address `IntentBook` gets on a fresh intents chain from `deployer`.
pub fn intent_book_address(deployer: Address) -> Address {
    deployer.create(INTENT_BOOK_NONCE)
}

/// The address of the book's collateral token on a fresh intents chain from `deployer`.
pub fn intent_collateral_address(deployer: Address) -> Address {
    deployer.create(INTENT_COLLATERAL_NONCE)
}

/// Deploys the intents collateral and `IntentBook` on `chain` unless they are there, with the
/// configured symbols (ids in order from 1), the hot wallet registered as party B and holding
/// collateral, and deposits part of it in the book from the hot wallet. `exchange_wallet`, the
/// paper exchange's withdrawal key, gets gas and collateral to pay withdrawals with.
pub async fn ensure_intent_book(
    chain: &ChainConfig,
    intents: &IntentsConfig,
    price_signer: Address,
    hot_wallet: &SignerSource,
    deployer: &SignerSource,
    exchange_wallet: Option<Address>,
) -> anyhow::Result<()> {
    let signer = load_signer(deployer)?;
    let me = signer.address();
    let party_b = load_signer(hot_wallet)?;
    let party_b_address = party_b.address();
    let mut wallet = EthereumWallet::from(signer);
    wallet.register_signer(party_b);
    let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(rpc);
    let collateral = intent_collateral_address(me);
    if intents.book != intent_book_address(me) {
        bail!(
            "[intents] book is {}, the dev deployer puts it at {}",
            intents.book,
            intent_book_address(me)
        );
    }
    let label = "intents collateral (USDT)";
    if needs_deploy(&provider, me, INTENT_COLLATERAL_NONCE, collateral, label).await? {
        TestToken::deploy(&provider, "Tether USD".to_owned(), "USDT".to_owned(), 18).await?;
    }
    let unit = U256::from(10u64).pow(U256::from(18));
    if needs_deploy(&provider, me, INTENT_BOOK_NONCE, intents.book, "IntentBook").await? {
        IntentBook::deploy(
            &provider,
            collateral,
            price_signer,
            U256::from(INTENT_FORCE_CANCEL_COOLDOWN),
            U256::from(INTENT_FORCE_CANCEL_COOLDOWN),
            U256::from(INTENT_PRICE_VALIDITY),
            U256::from(INTENT_MAX_PRICE_DEVIATION_BPS),
        )
        .await?;
        let book = IntentBook::new(intents.book, &provider);
        let mut symbols = intents.symbols.clone();
        symbols.sort_by_key(|s| s.id);
        for (position, symbol) in symbols.iter().enumerate() {
            if symbol.id != position as u64 + 1 {
                bail!("[intents] symbol ids must be 1, 2, … (found {})", symbol.id);
            }
            book.addSymbol(symbol.name.clone(), unit)
                .send()
                .await?
                .get_receipt()
                .await?;
        }
        book.registerPartyB(party_b_address)
            .send()
            .await?
            .get_receipt()
            .await?;
        TestToken::new(collateral, &provider)
            .mint(party_b_address, U256::from(INTENT_HOT_WALLET_MINT) * unit)
            .send()
            .await?
            .get_receipt()
            .await?;
        info!(book = %intents.book, %collateral, "IntentBook deployed");
    }
    let book = IntentBook::new(intents.book, &provider);
    if book.balanceOf(party_b_address).call().await?.is_zero() {
        let deposit = U256::from(INTENT_HOT_WALLET_DEPOSIT) * unit;
        TestToken::new(collateral, &provider)
            .approve(intents.book, U256::MAX)
            .from(party_b_address)
            .send()
            .await?
            .get_receipt()
            .await?;
        book.deposit(deposit)
            .from(party_b_address)
            .send()
            .await?
            .get_receipt()
            .await?;
        info!(%party_b_address, %deposit, "hot wallet deposited collateral in the IntentBook");
    }
    if let Some(exchange_wallet) = exchange_wallet {
        let token = TestToken::new(collateral, &provider);
        if token.balanceOf(exchange_wallet).call().await?.is_zero() {
            token
                .mint(exchange_wallet, U256::from(INTENT_HOT_WALLET_MINT) * unit)
                .send()
                .await?
                .get_receipt()
                .await?;
        }
        if provider.get_balance(exchange_wallet).await?.is_zero() {
            let gas_money = TransactionRequest::default()
                .with_to(exchange_wallet)
                .with_value(U256::from(EXCHANGE_WALLET_GAS_ETH) * unit);
            provider
                .send_transaction(gas_money)
                .await?
                .get_receipt()
                .await?;
        }
        info!(%exchange_wallet, "paper exchange's withdrawal key funded");
    }
    Ok(())
}

/// Ether the paper exchange's withdrawal key gets for gas.
const EXCHANGE_WALLET_GAS_ETH: u64 = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// `config/dev.toml` names the book where `hedgeflow dev` deploys it.
    #[test]
    fn the_dev_intents_book_is_where_the_deployer_puts_it() {
        let config = Config::parse(include_str!("../../../config/dev.toml"), []).unwrap();
        // anvil's account 9, `[dev] deployer`
        let deployer: Address = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"
            .parse()
            .unwrap();
        let intents = config.intents.unwrap();
        assert_eq!(intents.book, intent_book_address(deployer));
        assert_eq!(intents.chain, "l2");
    }
}
