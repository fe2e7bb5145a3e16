//! `[wallet]`: the chain the exchange's on-chain wallet lives on, the coins it moves, the key
//! withdrawals are sent from and the phrase deposit addresses are derived from.
//!
//! Secrets are never in the file itself: they are read from an environment variable or a
//! file ([`SecretRef`]), the way the workers' `signer = { kind = "mnemonic", ... }` sections
//! do. (The workers' loader lives in `hedgeflow-activities`, whose Temporal dependencies this
//! crate should not pull in, so the two variants the exchange needs are declared here with
//! the same TOML shape.)

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::Address;
use serde::Deserialize;

/// The on-chain wallet. Without it the `/sapi/v1/capital/*` endpoints answer -1020.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WalletConfig {
    /// JSON-RPC endpoint of the chain, e.g. "http://127.0.0.1:8545".
    pub rpc_url: String,
    /// Binance's name of the network, what clients send as `network`, e.g. "ETH".
    pub network: String,
    /// The chain's id; withdrawals are signed for it.
    pub chain_id: u64,
    /// The ERC-20 tokens, by Binance coin name, e.g. `[wallet.coins.USDT]`.
    pub coins: BTreeMap<String, CoinConfig>,
    /// The key withdrawals are sent from (it must hold the tokens and gas).
    pub withdraw_signer: SignerSource,
    /// Deposit addresses: account `n` (0-based, in `[[accounts]]` order) receives at
    /// `m/44'/60'/0'/0/<first-index + n>` of this phrase.
    pub deposit_addresses: DepositAddressConfig,
    /// Blocks a deposit's block needs on top of it, itself included, before it is credited.
    #[serde(default = "default_confirmations")]
    pub confirmations: u64,
    /// How often the chain is asked for new deposits (human-readable, e.g. "1s").
    #[serde(default = "default_poll_interval", with = "humantime_serde")]
    pub poll_interval: Duration,
    /// First block scanned for deposits. Unset: the chain's head when the exchange starts.
    #[serde(default)]
    pub start_block: Option<u64>,
}

/// One coin's ERC-20 token.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CoinConfig {
    /// The token contract.
    pub token: Address,
    /// The token's `decimals()`: 1 coin is 10^decimals base units.
    pub decimals: u8,
}

/// Where deposit addresses come from.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DepositAddressConfig {
    /// The BIP-39 phrase. Whoever holds it can sweep the deposits: the exchange never does.
    pub mnemonic: SecretRef,
    /// Derivation index of the first account's address.
    #[serde(default)]
    pub first_index: u32,
}

/// Where a signing key comes from (the workers' `SignerSource`, without keystores).
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SignerSource {
    /// BIP-39 phrase, account `m/44'/60'/0'/0/<index>`.
    Mnemonic {
        phrase: SecretRef,
        #[serde(default)]
        index: u32,
    },
    /// Hex private key.
    PrivateKey { key: SecretRef },
}

/// A secret's location: `{ env = "NAME" }` or `{ file = "/run/secrets/x" }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

fn default_confirmations() -> u64 {
    1
}

fn default_poll_interval() -> Duration {
    Duration::from_secs(1)
}

/// Decimals a token may have: amounts must fit `rust_decimal` (28 digits).
const MAX_TOKEN_DECIMALS: u8 = 18;

impl WalletConfig {
    /// What serde cannot check; the reason names the field, never a secret.
    pub fn validate(&self) -> Result<(), String> {
        if self
            .rpc_url
            .parse::<alloy::transports::http::reqwest::Url>()
            .is_err()
        {
            return Err("rpc-url is not a URL".into());
        }
        if self.network.is_empty() || self.coins.is_empty() {
            return Err("network and at least one coin are required".into());
        }
        if self.confirmations == 0 || self.poll_interval.is_zero() {
            return Err("confirmations and poll-interval must be positive".into());
        }
        for (coin, config) in &self.coins {
            if config.decimals > MAX_TOKEN_DECIMALS {
                return Err(format!("coin {coin}: decimals above {MAX_TOKEN_DECIMALS}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
        rpc-url = "http://127.0.0.1:8545"
        network = "ETH"
        chain-id = 31337
        confirmations = 2
        poll-interval = "500ms"
        withdraw-signer = { kind = "mnemonic", phrase = { env = "PAPER_WALLET_PHRASE" }, index = 3 }
        deposit-addresses = { mnemonic = { file = "/run/secrets/deposits" }, first-index = 100 }
        [coins.USDT]
        token = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
        decimals = 6
    "#;

    #[test]
    fn the_example_parses_and_validates() {
        let config: WalletConfig = toml::from_str(EXAMPLE).unwrap();
        config.validate().unwrap();
        assert_eq!(config.coins["USDT"].decimals, 6);
        assert_eq!(config.poll_interval, Duration::from_millis(500));
        assert!(matches!(
            config.withdraw_signer,
            SignerSource::Mnemonic { index: 3, .. }
        ));
        assert_eq!(config.deposit_addresses.first_index, 100);
    }

    #[test]
    fn the_exchange_config_takes_it_as_its_wallet_table() {
        let toml = format!("[wallet]\n{}", EXAMPLE.replace("[coins.", "[wallet.coins."));
        let config: crate::config::Config = toml::from_str(&toml).unwrap();
        config.validate().unwrap();
        assert_eq!(config.wallet.map(|w| w.network), Some("ETH".to_string()));
        assert!(crate::config::Config::default().wallet.is_none());
    }

    #[test]
    fn validation_rejects_zero_confirmations_and_huge_decimals() {
        let mut config: WalletConfig = toml::from_str(EXAMPLE).unwrap();
        config.confirmations = 0;
        assert!(config.validate().is_err());
        let mut config: WalletConfig = toml::from_str(EXAMPLE).unwrap();
        config.coins.get_mut("USDT").unwrap().decimals = 30;
        assert!(config.validate().is_err());
    }
}
