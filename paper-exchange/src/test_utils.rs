//! Helpers for tests of the wallet (feature `test-utils`): a local `anvil` on a free port and
//! the project's `TestToken` ERC-20. Both this crate's and the client crate's end-to-end tests
//! use them. They panic on failure: a test cannot go on without its chain.
//!
//! [`keys`]: Ed25519 and RSA API key pairs generated at test time.

pub mod keys;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::{MnemonicBuilder, PrivateKeySigner, coins_bip39::English};

use crate::config::{CoinConfig, DepositAddressConfig, SecretRef, SignerSource, WalletConfig};

alloy::sol!(
    #[sol(rpc)]
    TestToken,
    "../contracts/artifacts/TestToken.json"
);

/// Anvil's development phrase; its first 10 accounts hold 10,000 ETH each.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";
/// Anvil's default chain id.
pub const CHAIN_ID: u64 = 31337;
/// Derivation index of the first deposit address in [`wallet_config`], clear of anvil's
/// funded accounts so that deposits are the only tokens there.
pub const FIRST_DEPOSIT_INDEX: u32 = 100;

/// A dev account of [`DEV_MNEMONIC`].
pub fn dev_signer(index: u32) -> PrivateKeySigner {
    MnemonicBuilder::<English>::default()
        .phrase(DEV_MNEMONIC)
        .index(index)
        .expect("derivation index")
        .build()
        .expect("anvil's mnemonic")
}

/// `anvil` from `$HEDGEFLOW_TOOLS_DIR`, else `.tools/bin` above the crate, else `PATH`.
fn anvil_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("HEDGEFLOW_TOOLS_DIR") {
        return Path::new(&dir).join("anvil");
    }
    let repo_tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/bin/anvil");
    if repo_tools.exists() {
        repo_tools
    } else {
        PathBuf::from("anvil")
    }
}

/// A local chain mining every transaction at once; killed when dropped.
pub struct Anvil {
    child: Child,
    pub url: String,
}

impl Anvil {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(anvil_path())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--chain-id",
                &CHAIN_ID.to_string(),
                "--mnemonic",
                DEV_MNEMONIC,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("anvil starts (set HEDGEFLOW_TOOLS_DIR)");
        let anvil = Anvil {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if anvil.provider(0).get_block_number().await.is_ok() {
                return anvil;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("anvil did not answer on port {port}");
    }

    /// A provider signing with dev account `index`.
    pub fn provider(&self, index: u32) -> DynProvider {
        ProviderBuilder::new()
            .wallet(EthereumWallet::from(dev_signer(index)))
            .connect_http(self.url.parse().expect("anvil's URL"))
            .erased()
    }

    /// Deploys a `TestToken` from dev account 0.
    pub async fn deploy_token(&self, symbol: &str, decimals: u8) -> Address {
        let token = TestToken::deploy(
            self.provider(0),
            format!("Test {symbol}"),
            symbol.to_string(),
            decimals,
        )
        .await
        .expect("TestToken deploys");
        *token.address()
    }

    /// Mints `amount` base units of `token` to `to` (dev account 0 owns the token).
    pub async fn mint(&self, token: Address, to: Address, amount: U256) {
        TestToken::new(token, self.provider(0))
            .mint(to, amount)
            .send()
            .await
            .expect("mint sent")
            .get_receipt()
            .await
            .expect("mint mined");
    }

    /// Transfers `amount` base units of `token` from dev account `from` to `to`, mined.
    pub async fn transfer(&self, from: u32, token: Address, to: Address, amount: U256) -> B256 {
        let receipt = TestToken::new(token, self.provider(from))
            .transfer(to, amount)
            .send()
            .await
            .expect("transfer sent")
            .get_receipt()
            .await
            .expect("transfer mined");
        assert!(receipt.status(), "transfer reverted");
        receipt.transaction_hash
    }

    pub async fn balance_of(&self, token: Address, owner: Address) -> U256 {
        TestToken::new(token, self.provider(0))
            .balanceOf(owner)
            .call()
            .await
            .expect("balanceOf")
    }

    /// Mines `blocks` empty blocks.
    pub async fn mine(&self, blocks: u64) {
        self.provider(0)
            .raw_request::<_, ()>("anvil_mine".into(), (U256::from(blocks),))
            .await
            .expect("anvil_mine");
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `[wallet]` on `anvil` for one coin: withdrawals from dev account `withdraw_index`,
/// deposit addresses from [`FIRST_DEPOSIT_INDEX`] on, the phrase read from a file (as a
/// deployment would) written to the temporary directory.
pub fn wallet_config(
    anvil: &Anvil,
    coin: &str,
    token: Address,
    decimals: u8,
    withdraw_index: u32,
) -> WalletConfig {
    let phrase = std::env::temp_dir().join(format!("paper-wallet-phrase-{}", std::process::id()));
    std::fs::write(&phrase, DEV_MNEMONIC).expect("phrase file written");
    WalletConfig {
        rpc_url: anvil.url.clone(),
        network: "ETH".into(),
        chain_id: CHAIN_ID,
        coins: [(coin.to_string(), CoinConfig { token, decimals })].into(),
        withdraw_signer: SignerSource::Mnemonic {
            phrase: SecretRef::File(phrase.clone()),
            index: withdraw_index,
        },
        deposit_addresses: DepositAddressConfig {
            mnemonic: SecretRef::File(phrase),
            first_index: FIRST_DEPOSIT_INDEX,
        },
        confirmations: 1,
        poll_interval: Duration::from_millis(100),
        start_block: Some(0),
    }
}
