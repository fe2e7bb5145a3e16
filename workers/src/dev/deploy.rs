//! The dev stack's contracts, each deployed from a fixed nonce of the deployer so its address is
//! known in advance and the config can name it:
//!
//! - nonces 0–3 on every chain: the ERC-20 test tokens and their mints to the hot wallet;
//! - for `n` L2s, on L1: one `L1Messenger` per L2 (nonces 4 to 3 + n), the `PaymentRegistry`
//!   (market maker = hot wallet; nonce 4 + n), and each L2's registration; on each L2, nonces
//!   4–5: its `L2Messenger` (relayer = its own key) and its `Escrow`. Contracts from the same
//!   nonce share an address across chains;
//! - the nonce after those on the settlement chain (L1; 7 with one L2, 9 with two):
//!   `RfqSettlement`;
//! - nonces 6–7 on the intents chain (L2): the collateral `TestToken` (USDT, 18 decimals) and
//!   `IntentBook`, then its symbols, the hot wallet as party B and its collateral deposit, and
//!   gas and collateral for the paper exchange's withdrawal key.

use crate::config::Config;
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
    rfq::contract::RfqSettlement,
};
use std::collections::BTreeMap;
use tracing::info;

sol!(
    #[sol(rpc)]
    TestToken,
    "../contracts/artifacts/TestToken.json"
);

/// The deployer's first nonce after the test tokens on every chain.
const FIRST_CONTRACT_NONCE: u64 = 4;

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
        for (symbol, token_name, decimals, minted) in &TOKENS {
            let configured = chain
                .tokens
                .get(*symbol)
                .with_context(|| format!("chains.{name}.tokens has no {symbol}"))?;
            let label = format!("{symbol} on {name}");
            if !needs_deploy(&provider, deployer_address, configured.address, &label).await? {
                continue;
            }
            let token = TestToken::deploy(
                &provider,
                token_name.to_string(),
                symbol.to_string(),
                *decimals,
            )
            .await?;
            let amount = base_units(*minted, *decimals);
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

/// The address `RfqSettlement` gets on a fresh settlement chain (L1) from `deployer`, after the
/// escrow contracts of `l2s` L2s.
pub fn settlement_address(deployer: Address, l2s: usize) -> Address {
    deployer.create(FIRST_CONTRACT_NONCE + 1 + 2 * l2s as u64)
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
        let units = base_units(amount, token.decimals);
        erc20.mint(taker, units).send().await?.get_receipt().await?;
        info!(%taker, %symbol, amount, "dev taker funded");
    }
    Ok(())
}

/// Whether the contract the config places at `configured` must still be deployed: no code there
/// yet, and the deployer exactly at the nonce that creates that address (anything else means the
/// dev data dir and the config disagree, and deploying would put the contract elsewhere).
async fn needs_deploy(
    provider: &impl Provider,
    deployer: Address,
    configured: Address,
    label: &str,
) -> anyhow::Result<bool> {
    if !provider.get_code_at(configured).await?.is_empty() {
        return Ok(false);
    }
    let current = provider.get_transaction_count(deployer).await?;
    if deployer.create(current) != configured {
        bail!(
            "{label}: the config says {configured}, but the deployer's next contract (nonce \
             {current}) would be at {}; reset the dev data dir or fix the config",
            deployer.create(current)
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
    /// Where `deployer` puts the contracts of the `index`-th of `l2s` L2s on fresh chains (after
    /// the tokens): the L1 messengers first, then the one registry.
    pub fn of(deployer: Address, index: usize, l2s: usize) -> Self {
        Self {
            l1_messenger: deployer.create(FIRST_CONTRACT_NONCE + index as u64),
            payment_registry: deployer.create(FIRST_CONTRACT_NONCE + l2s as u64),
            l2_messenger: deployer.create(FIRST_CONTRACT_NONCE),
            escrow: deployer.create(FIRST_CONTRACT_NONCE + 1),
        }
    }
}

/// One L2 of the bridge and its escrow contracts.
pub struct EscrowL2<'a> {
    pub chain: &'a ChainConfig,
    pub contracts: EscrowContracts,
}

/// Every L2 the relayer serves with an `[escrow.l2.*]` section, and the escrow contracts the
/// config names for it.
pub fn escrow_l2s(config: &Config) -> Vec<EscrowL2<'_>> {
    let (Some(escrow), Some(relayer)) = (&config.escrow, &config.relayer) else {
        return Vec::new();
    };
    relayer
        .routes
        .iter()
        .filter_map(|route| {
            let l2_escrow = escrow.l2.get(&route.to)?;
            Some(EscrowL2 {
                chain: &config.chains[&route.to],
                contracts: EscrowContracts {
                    l1_messenger: route.l1_messenger,
                    payment_registry: escrow.payment_registry,
                    l2_messenger: route.l2_messenger,
                    escrow: l2_escrow.escrow,
                },
            })
        })
        .collect()
}

/// Deploys whatever of the escrow contracts of every L2 in `l2s` is missing, in the deployer's
/// nonce order ([`EscrowContracts::of`]): each L2's `L1Messenger`, the `PaymentRegistry` they
/// share, each L2's `L2Messenger` and `Escrow`, then each L2's registration with the registry.
pub async fn ensure_escrow(
    l1: &ChainConfig,
    l2s: &[EscrowL2<'_>],
    market_maker: Address,
    relayer: Address,
    reclaim_delay: u64,
    deployer: &SignerSource,
) -> anyhow::Result<()> {
    let Some(first) = l2s.first() else {
        return Ok(());
    };
    let payment_registry = first.contracts.payment_registry;
    if let Some(other) = l2s
        .iter()
        .find(|l2| l2.contracts.payment_registry != payment_registry)
    {
        bail!(
            "every L2 shares one PaymentRegistry; chain {} names {}, chain {} names {payment_registry}",
            other.chain.chain_id,
            other.contracts.payment_registry,
            first.chain.chain_id
        );
    }
    let signer = load_signer(deployer)?;
    let me = signer.address();
    let wallet = EthereumWallet::from(signer);
    let connect = |chain: &ChainConfig| -> anyhow::Result<_> {
        let rpc = chain.rpc.first().context("no rpc endpoint")?.http.clone();
        Ok(ProviderBuilder::new()
            .wallet(wallet.clone())
            .connect_http(rpc))
    };
    let l1p = connect(l1)?;
    for l2 in l2s {
        if needs_deploy(&l1p, me, l2.contracts.l1_messenger, "L1Messenger").await? {
            L1Messenger::deploy(&l1p).await?;
        }
    }
    if needs_deploy(&l1p, me, payment_registry, "PaymentRegistry").await? {
        PaymentRegistry::deploy(&l1p, market_maker).await?;
    }
    let registry = PaymentRegistry::new(payment_registry, &l1p);
    for l2 in l2s {
        let (chain, contracts) = (l2.chain, l2.contracts);
        let l2p = connect(chain)?;
        if needs_deploy(&l2p, me, contracts.l2_messenger, "L2Messenger").await? {
            L2Messenger::deploy(&l2p, relayer).await?;
        }
        if needs_deploy(&l2p, me, contracts.escrow, "Escrow").await? {
            Escrow::deploy(
                &l2p,
                contracts.l2_messenger,
                payment_registry,
                market_maker,
                reclaim_delay,
            )
            .await?;
        }
        let registered = registry.chains(chain.chain_id as u128).call().await?;
        if registered.escrow != contracts.escrow || registered.messenger != contracts.l1_messenger {
            registry
                .registerChain(
                    chain.chain_id as u128,
                    contracts.l1_messenger,
                    contracts.escrow,
                )
                .send()
                .await?
                .get_receipt()
                .await?;
            info!(l2 = chain.chain_id, escrow = %contracts.escrow, "escrow contracts deployed and registered");
        }
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
    if needs_deploy(&provider, me, contract, "RfqSettlement").await? {
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
    if needs_deploy(&provider, me, collateral, label).await? {
        TestToken::deploy(&provider, "Tether USD".to_owned(), "USDT".to_owned(), 18).await?;
    }
    if needs_deploy(&provider, me, intents.book, "IntentBook").await? {
        deploy_intent_book(
            &provider,
            intents,
            collateral,
            price_signer,
            party_b_address,
        )
        .await?;
    }
    deposit_party_b_collateral(&provider, intents.book, collateral, party_b_address).await?;
    if let Some(exchange_wallet) = exchange_wallet {
        fund_exchange_wallet(&provider, collateral, exchange_wallet).await?;
    }
    Ok(())
}

/// A fresh `IntentBook` with the configured symbols (ids in order from 1), the hot wallet
/// registered as party B and holding collateral.
async fn deploy_intent_book(
    provider: &impl Provider,
    intents: &IntentsConfig,
    collateral: Address,
    price_signer: Address,
    party_b_address: Address,
) -> anyhow::Result<()> {
    IntentBook::deploy(
        provider,
        collateral,
        price_signer,
        U256::from(INTENT_FORCE_CANCEL_COOLDOWN),
        U256::from(INTENT_FORCE_CANCEL_COOLDOWN),
        U256::from(INTENT_PRICE_VALIDITY),
        U256::from(INTENT_MAX_PRICE_DEVIATION_BPS),
    )
    .await?;
    let book = IntentBook::new(intents.book, provider);
    let mut symbols = intents.symbols.clone();
    symbols.sort_by_key(|s| s.id);
    for (position, symbol) in symbols.iter().enumerate() {
        if symbol.id != position as u64 + 1 {
            bail!("[intents] symbol ids must be 1, 2, … (found {})", symbol.id);
        }
        book.addSymbol(symbol.name.clone(), whole(1))
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
    TestToken::new(collateral, provider)
        .mint(party_b_address, whole(INTENT_HOT_WALLET_MINT))
        .send()
        .await?
        .get_receipt()
        .await?;
    info!(book = %intents.book, %collateral, "IntentBook deployed");
    Ok(())
}

/// Party B's first deposit in the book, once: the hot wallet approves and deposits.
async fn deposit_party_b_collateral(
    provider: &impl Provider,
    book_address: Address,
    collateral: Address,
    party_b_address: Address,
) -> anyhow::Result<()> {
    let book = IntentBook::new(book_address, provider);
    if book.balanceOf(party_b_address).call().await?.is_zero() {
        let deposit = whole(INTENT_HOT_WALLET_DEPOSIT);
        TestToken::new(collateral, provider)
            .approve(book_address, U256::MAX)
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
    Ok(())
}

/// The paper exchange's withdrawal key gets collateral and gas to pay withdrawals with.
async fn fund_exchange_wallet(
    provider: &impl Provider,
    collateral: Address,
    exchange_wallet: Address,
) -> anyhow::Result<()> {
    let token = TestToken::new(collateral, provider);
    if token.balanceOf(exchange_wallet).call().await?.is_zero() {
        token
            .mint(exchange_wallet, whole(INTENT_HOT_WALLET_MINT))
            .send()
            .await?
            .get_receipt()
            .await?;
    }
    if provider.get_balance(exchange_wallet).await?.is_zero() {
        let gas_money = TransactionRequest::default()
            .with_to(exchange_wallet)
            .with_value(whole(EXCHANGE_WALLET_GAS_ETH));
        provider
            .send_transaction(gas_money)
            .await?
            .get_receipt()
            .await?;
    }
    info!(%exchange_wallet, "paper exchange's withdrawal key funded");
    Ok(())
}

/// `amount` whole tokens of `decimals` decimals, in base units.
fn base_units(amount: u64, decimals: u8) -> U256 {
    U256::from(amount) * U256::from(10u64).pow(U256::from(decimals))
}

/// `amount` whole tokens (or ether) of 18 decimals.
fn whole(amount: u64) -> U256 {
    base_units(amount, 18)
}

/// Ether the paper exchange's withdrawal key gets for gas.
const EXCHANGE_WALLET_GAS_ETH: u64 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// `config/dev.toml` names every contract where `hedgeflow dev` deploys it: each L2's escrow
    /// contracts, the settlement after them, and the intents book.
    #[test]
    fn the_dev_contracts_are_where_the_deployer_puts_them() {
        let config = Config::parse(include_str!("../../../config/dev.toml"), []).unwrap();
        // anvil's account 9, `[dev] deployer`
        let deployer: Address = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"
            .parse()
            .unwrap();
        let escrow = config.escrow.as_ref().unwrap();
        let routes = &config.relayer.as_ref().unwrap().routes;
        assert_eq!(routes.len(), 2, "dev runs two L2s");
        for (index, route) in routes.iter().enumerate() {
            let expected = EscrowContracts::of(deployer, index, routes.len());
            assert_eq!(route.l1_messenger, expected.l1_messenger, "{}", route.to);
            assert_eq!(route.l2_messenger, expected.l2_messenger, "{}", route.to);
            assert_eq!(escrow.l2[&route.to].escrow, expected.escrow, "{}", route.to);
            assert_eq!(escrow.payment_registry, expected.payment_registry);
        }
        assert_eq!(
            config.settlement.unwrap().contract,
            settlement_address(deployer, routes.len())
        );
        let intents = config.intents.unwrap();
        assert_eq!(intents.book, intent_book_address(deployer));
        assert_eq!(intents.chain, "l2");
    }
}
