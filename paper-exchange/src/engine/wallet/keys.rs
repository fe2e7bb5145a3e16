//! The wallet's keys: the withdrawal signer and the accounts' deposit addresses. Errors name
//! where a secret was looked for, never what was found.

use alloy::primitives::Address;
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English};

use super::config::{DepositAddressConfig, SecretRef, SignerSource};

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the {0} is not valid")]
    Invalid(&'static str),
}

impl SecretRef {
    fn read(&self) -> Result<String, KeyError> {
        let value = match self {
            SecretRef::Env(name) => {
                std::env::var(name).map_err(|_| KeyError::MissingEnv(name.clone()))?
            }
            SecretRef::File(path) => {
                std::fs::read_to_string(path).map_err(|e| KeyError::Unreadable {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?
            }
        };
        Ok(value.trim().to_owned())
    }
}

fn from_mnemonic(phrase: &str, index: u32) -> Result<PrivateKeySigner, KeyError> {
    MnemonicBuilder::<English>::default()
        .phrase(phrase)
        .index(index)
        .map_err(|_| KeyError::Invalid("mnemonic derivation index"))?
        .build()
        .map_err(|_| KeyError::Invalid("mnemonic"))
}

/// The key withdrawals are signed with.
pub fn withdraw_signer(source: &SignerSource) -> Result<PrivateKeySigner, KeyError> {
    match source {
        SignerSource::Mnemonic { phrase, index } => from_mnemonic(&phrase.read()?, *index),
        SignerSource::PrivateKey { key } => key
            .read()?
            .parse()
            .map_err(|_| KeyError::Invalid("private key")),
    }
}

/// The deposit address of each of `accounts` accounts, in account order.
pub fn deposit_addresses(
    config: &DepositAddressConfig,
    accounts: usize,
) -> Result<Vec<Address>, KeyError> {
    let phrase = config.mnemonic.read()?;
    (0..accounts)
        .map(|n| {
            let index = u32::try_from(n)
                .ok()
                .and_then(|n| config.first_index.checked_add(n))
                .ok_or(KeyError::Invalid("mnemonic derivation index"))?;
            Ok(from_mnemonic(&phrase, index)?.address())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Anvil's development phrase: account 0 is 0xf39F…2266, account 1 0x7099…79C8.
    const DEV_PHRASE: &str = "test test test test test test test test test test test junk";

    #[test]
    fn deposit_addresses_follow_the_derivation_path() {
        let dir = std::env::temp_dir().join(format!("paper-wallet-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("phrase");
        std::fs::write(&file, format!("{DEV_PHRASE}\n")).unwrap();
        let config = DepositAddressConfig {
            mnemonic: SecretRef::File(file.clone()),
            first_index: 0,
        };
        let addresses = deposit_addresses(&config, 2).unwrap();
        assert_eq!(
            addresses[0].to_string(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );
        assert_eq!(
            addresses[1].to_string(),
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
        );
        let signer = withdraw_signer(&SignerSource::Mnemonic {
            phrase: SecretRef::File(file),
            index: 1,
        })
        .unwrap();
        assert_eq!(signer.address(), addresses[1]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn errors_do_not_echo_secrets() {
        let error = withdraw_signer(&SignerSource::PrivateKey {
            key: SecretRef::Env("PAPER_WALLET_TEST_UNSET_KEY".into()),
        })
        .unwrap_err();
        assert!(error.to_string().contains("PAPER_WALLET_TEST_UNSET_KEY"));
    }
}
