//! The dev stack's contracts: the ERC-20 test tokens, deployed from the deployer's first nonces
//! (so their addresses are fixed and the config can name them) and minted to the hot wallet.

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{Provider, ProviderBuilder},
    sol,
};
use anyhow::{Context, bail};
use hedgeflow_activities::chain::{
    ChainConfig,
    signer::{SignerSource, load_signer},
};
use std::collections::BTreeMap;
use tracing::info;

sol!(
    #[sol(rpc)]
    TestToken,
    "../contracts/artifacts/TestToken.json"
);

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
            if !provider.get_code_at(configured.address).await?.is_empty() {
                continue;
            }
            let expected = deployer_address.create(nonce as u64);
            let current = provider.get_transaction_count(deployer_address).await?;
            if expected != configured.address || current != nonce as u64 {
                bail!(
                    "{symbol} on {name}: expected at {expected} (deployer nonce {nonce}), deployer is at nonce \
                     {current} and the config says {}; reset the dev data dir or fix the config",
                    configured.address
                );
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
