//! A taker of the RFQ stack: an account of the dev mnemonic with WETH and USDC on L1, approving
//! the settlement, quoting and filling through the dealer's public JSON-RPC as any taker would.

use super::{Stack, dev_account, eventually};
use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use hedgeflow::dev::deploy::TestToken;
use hedgeflow_dealer::{
    api::Size,
    taker::{FillAck, TakerClient, TakerError, TakerQuote},
};
use std::time::Duration;

/// How long a taker waits for the dealer to serve quotes.
const WAIT: Duration = Duration::from_secs(120);

/// A taker: one of the dev mnemonic's accounts, with a wallet on L1 and the dealer's client.
pub struct Taker {
    pub signer: PrivateKeySigner,
    pub l1: DynProvider,
    pub client: TakerClient,
    pub weth: Address,
    pub usdc: Address,
    pub settlement: Address,
}

impl Taker {
    /// Account `index` of the dev mnemonic, holding `weth` and `usdc` and approving `approved`
    /// of each to the settlement.
    pub async fn new(stack: &Stack, index: u32, funded: (u128, u128), approved: u128) -> Taker {
        let (signer, deployer) = (dev_account(index), dev_account(9));
        let mut wallet = EthereumWallet::from(signer.clone());
        wallet.register_signer(deployer.clone());
        let rpc = stack.direct_rpc(super::L1_ID);
        let l1 = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(rpc)
            .erased();
        let settlement = stack.config.settlement.as_ref().unwrap().contract;
        let taker = Taker {
            client: TakerClient::new(&stack.dealer_url()).unwrap(),
            weth: stack.token("WETH"),
            usdc: stack.token("USDC"),
            signer,
            l1,
            settlement,
        };
        for (token, amount) in [(taker.weth, funded.0), (taker.usdc, funded.1)] {
            let erc20 = TestToken::new(token, &taker.l1);
            let minted = erc20.mint(taker.address(), U256::from(amount));
            minted
                .from(deployer.address())
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap();
            let approve = erc20.approve(settlement, U256::from(approved));
            approve
                .from(taker.address())
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap();
        }
        taker
    }

    pub fn address(&self) -> Address {
        self.signer.address()
    }

    pub async fn balance(&self, token: Address) -> U256 {
        TestToken::new(token, &self.l1)
            .balanceOf(self.address())
            .call()
            .await
            .unwrap()
    }

    /// A quote to buy `weth` WETH with USDC, once the dealer serves quotes.
    pub async fn quote(&self, weth: u128) -> TakerQuote {
        eventually("a quote from the dealer", WAIT, || async {
            self.client
                .quote(
                    self.weth,
                    self.usdc,
                    Size::MakerSize(U256::from(weth)),
                    self.address(),
                )
                .await
                .ok()
        })
        .await
    }

    pub async fn fill(&self, quote: &TakerQuote) -> Result<FillAck, TakerError> {
        let approval = self.client.approve(quote, &self.signer).unwrap();
        self.client
            .submit_fill(quote, &approval, self.address())
            .await
    }
}
