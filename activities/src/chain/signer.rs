//! The hot-wallet key, from a mnemonic, a private key or an encrypted keystore.
//!
//! Only the `hot-wallet` role calls [`load_signer`]. Secret material comes from an environment
//! variable or a file, never from the config file itself, and no error message repeats it.

use super::ChainError;
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where the signing key comes from (`[hot-wallet.signer]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
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
    /// Web3 secret-storage JSON file and its password.
    Keystore { path: PathBuf, password: SecretRef },
}

/// A secret's location: `{ env = "NAME" }` or `{ file = "/run/secrets/x" }`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

impl SecretRef {
    /// Reads the secret. Errors name where it was looked for, never what was found.
    pub fn read(&self) -> Result<String, ChainError> {
        let value = match self {
            Self::Env(name) => std::env::var(name).map_err(|_| {
                ChainError::Signer(format!("environment variable {name} is not set"))
            })?,
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|e| ChainError::Signer(format!("cannot read {}: {e}", path.display())))?,
        };
        Ok(value.trim().to_owned())
    }
}

pub fn load_signer(source: &SignerSource) -> Result<PrivateKeySigner, ChainError> {
    let invalid = |what: &str| ChainError::Signer(format!("{what} is not valid"));
    match source {
        SignerSource::Mnemonic { phrase, index } => MnemonicBuilder::<English>::default()
            .phrase(phrase.read()?)
            .index(*index)
            .map_err(|_| invalid("mnemonic derivation index"))?
            .build()
            .map_err(|_| invalid("mnemonic")),
        SignerSource::PrivateKey { key } => key.read()?.parse().map_err(|_| invalid("private key")),
        SignerSource::Keystore { path, password } => {
            PrivateKeySigner::decrypt_keystore(path, password.read()?)
                .map_err(|e| ChainError::Signer(format!("keystore {}: {e}", path.display())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Anvil's well-known development mnemonic; account 0 is 0xf39F…2266.
    const DEV_PHRASE: &str = "test test test test test test test test test test test junk";

    #[test]
    fn every_source_yields_the_same_account() {
        let dir = tempfile::tempdir().unwrap();
        let phrase_file = dir.path().join("phrase");
        std::fs::write(&phrase_file, format!("{DEV_PHRASE}\n")).unwrap();
        let from_mnemonic = load_signer(&SignerSource::Mnemonic {
            phrase: SecretRef::File(phrase_file),
            index: 0,
        })
        .unwrap();
        assert_eq!(
            from_mnemonic.address().to_string(),
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        );

        let key_file = dir.path().join("key");
        let key = alloy::hex::encode_prefixed(from_mnemonic.credential().to_bytes());
        std::fs::write(&key_file, &key).unwrap();
        let from_key = load_signer(&SignerSource::PrivateKey {
            key: SecretRef::File(key_file),
        })
        .unwrap();
        assert_eq!(from_key.address(), from_mnemonic.address());

        let mut rng = rand08::thread_rng();
        let (_, name) = PrivateKeySigner::encrypt_keystore(
            dir.path(),
            &mut rng,
            from_mnemonic.credential().to_bytes(),
            "pw",
            None,
        )
        .unwrap();
        let password_file = dir.path().join("password");
        std::fs::write(&password_file, "pw").unwrap();
        let from_keystore = load_signer(&SignerSource::Keystore {
            path: dir.path().join(name),
            password: SecretRef::File(password_file),
        })
        .unwrap();
        assert_eq!(from_keystore.address(), from_mnemonic.address());
    }

    #[test]
    fn errors_do_not_echo_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let key_file = dir.path().join("key");
        std::fs::write(&key_file, "0xdeadbeef-not-a-key").unwrap();
        let error = load_signer(&SignerSource::PrivateKey {
            key: SecretRef::File(key_file),
        })
        .unwrap_err()
        .to_string();
        assert!(!error.contains("deadbeef"), "{error}");
        let missing = load_signer(&SignerSource::PrivateKey {
            key: SecretRef::Env("HEDGEFLOW_TEST_UNSET_KEY".into()),
        })
        .unwrap_err();
        assert!(missing.to_string().contains("HEDGEFLOW_TEST_UNSET_KEY"));
    }
}
