//! Party A of the intent book: an account of the dev mnemonic with collateral deposited and
//! allocated in the stack's `IntentBook` on l2, sending quotes and asking to close or cancel them
//! as a SYMMIO front end would. Accounts 10 and up get their gas money from the deployer.

use super::{DEPLOYER, Stack, dev_account};
use alloy::{
    eips::Encodable2718,
    network::{Ethereum, EthereumWallet, NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use hedgeflow::dev::deploy::{self, TestToken};
use hedgeflow_activities::intent::contract::IntentBook;
use hedgeflow_proto::intent::to_wad;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

pub const LONG: u8 = 0;
pub const LIMIT: u8 = 0;
pub const MARKET: u8 = 1;
/// Gas of party A's calls.
pub const GAS: u64 = 1_000_000;
/// `[intents]` symbols 1 and 2.
pub const ETHUSDT: u64 = 1;
pub const BTCUSDT: u64 = 2;
/// How long party A's quotes and close requests stay valid, unless a test says otherwise.
pub const TTL: u64 = 120;
/// The steps of a quote's broker orders (`i-<tag>-<quoteId>-<step>`) a quote's workflow reaches
/// in the tests: an open and its undo, and up to three closes and theirs.
pub const BROKER_STEPS: [&str; 8] = [
    "open",
    "undo-open",
    "close-1",
    "undo-close-1",
    "close-2",
    "undo-close-2",
    "close-3",
    "undo-close-3",
];

/// The deployer funds every party A: one at a time, or their transactions' nonces clash.
static DEPLOYER_TURN: Mutex<()> = Mutex::const_new(());

/// Mints `amount` of the collateral to `to` as the deployer (the token's owner), through
/// `collateral`'s provider, which must sign for the deployer. At the deployer's pending nonce:
/// other parties' providers may have sent from the deployer since this one cached it.
pub async fn mint_as_deployer(
    collateral: &TestToken::TestTokenInstance<DynProvider>,
    to: Address,
    amount: U256,
) {
    let deployer: Address = DEPLOYER.parse().unwrap();
    let _turn = DEPLOYER_TURN.lock().await;
    let nonce = collateral
        .provider()
        .get_transaction_count(deployer)
        .pending()
        .await
        .unwrap();
    let minted = collateral
        .mint(to, amount)
        .from(deployer)
        .nonce(nonce)
        .send()
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(minted.status(), "minted {amount} to {to}");
}

/// What party A asks for: a LONG of `quantity` on `symbol` at `price`, valid for `ttl` seconds.
#[derive(Clone, Copy)]
pub struct Ask {
    pub symbol: u64,
    pub order_type: u8,
    pub price: Decimal,
    pub quantity: Decimal,
    pub ttl: u64,
}

impl Ask {
    pub fn eth(order_type: u8, price: Decimal, quantity: Decimal) -> Ask {
        Ask {
            symbol: ETHUSDT,
            order_type,
            price,
            quantity,
            ttl: TTL,
        }
    }
}

/// Party A's account, book and collateral token.
pub struct Party {
    pub address: Address,
    signer: PrivateKeySigner,
    pub book: IntentBook::IntentBookInstance<DynProvider>,
    /// The book's collateral token, through this party's provider (which also signs for the
    /// deployer, the token's owner).
    pub collateral: TestToken::TestTokenInstance<DynProvider>,
}

impl Party {
    /// Account `index` of the dev mnemonic, with 100,000 of collateral deposited and allocated.
    pub async fn funded(stack: &Stack, index: u32) -> Party {
        let (signer, deployer) = (dev_account(index), dev_account(9));
        let address = signer.address();
        let mut wallet = EthereumWallet::from(signer.clone());
        wallet.register_signer(deployer.clone());
        let rpc = stack.config.chains["l2"].rpc[1].http.clone();
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(rpc)
            .erased();
        let intents = stack.config.intents.as_ref().unwrap();
        let book = IntentBook::new(intents.book, provider.clone());
        let collateral = TestToken::new(
            deploy::intent_collateral_address(deployer.address()),
            provider.clone(),
        );
        let amount = wad(dec!(100000));
        let mined = |call: alloy::rpc::types::TransactionReceipt| assert!(call.status());
        let deployer_turn = DEPLOYER_TURN.lock().await;
        // anvil funds accounts 0 to 9 only: gas money for the others.
        if index >= 10 {
            let gas_money = TransactionRequest::default()
                .with_from(deployer.address())
                .with_to(address)
                .with_value(U256::from(10u128.pow(19)));
            let sent = provider.send_transaction(gas_money).await.unwrap();
            mined(sent.get_receipt().await.unwrap());
        }
        drop(deployer_turn);
        mint_as_deployer(&collateral, address, amount).await;
        mined(
            collateral
                .approve(intents.book, U256::MAX)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        mined(
            book.deposit(amount)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        mined(
            book.allocate(amount)
                .from(address)
                .send()
                .await
                .unwrap()
                .get_receipt()
                .await
                .unwrap(),
        );
        Party {
            address,
            signer,
            book,
            collateral,
        }
    }

    /// Sends a LONG quote on ETHUSDT and returns its id.
    pub async fn send_quote(&self, order_type: u8, price: Decimal, quantity: Decimal) -> u64 {
        self.send(Ask::eth(order_type, price, quantity)).await
    }

    /// The `sendQuote` call of `ask`.
    fn quote_call(&self, ask: Ask) -> TransactionRequest {
        let deadline = U256::from(now() + ask.ttl);
        self.book
            .sendQuote(
                vec![],
                U256::from(ask.symbol),
                LONG,
                ask.order_type,
                wad(ask.price.round_dp(2)),
                wad(ask.quantity),
                wad(dec!(100)),
                wad(dec!(20)),
                wad(dec!(200)),
                wad(dec!(200)),
                U256::ZERO,
                deadline,
            )
            .from(self.address)
            // The book's estimate can fall short by a storage write's refund; leave room.
            .gas(GAS)
            .into_transaction_request()
    }

    /// The quote `ask` signed at `nonce` and not sent (for a test to send or mine itself).
    pub async fn signed_quote(&self, ask: Ask, nonce: u64) -> (Bytes, B256) {
        let fees = self.book.provider().estimate_eip1559_fees().await.unwrap();
        let request = self
            .quote_call(ask)
            .with_nonce(nonce)
            .with_chain_id(self.book.provider().get_chain_id().await.unwrap())
            .with_max_fee_per_gas(fees.max_fee_per_gas * 2)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let wallet = EthereumWallet::from(self.signer.clone());
        let envelope =
            <TransactionRequest as NetworkTransactionBuilder<Ethereum>>::build(request, &wallet)
                .await
                .unwrap();
        (envelope.encoded_2718().into(), *envelope.tx_hash())
    }

    /// Sends the quote `ask` and returns its id.
    pub async fn send(&self, ask: Ask) -> u64 {
        let receipt = self
            .book
            .provider()
            .send_transaction(self.quote_call(ask))
            .await
            .unwrap()
            .get_receipt()
            .await
            .unwrap();
        assert!(receipt.status());
        let sent = receipt
            .decoded_log::<IntentBook::SendQuote>()
            .expect("a SendQuote event");
        sent.quoteId.try_into().unwrap()
    }

    pub async fn request_close(
        &self,
        quote_id: u64,
        order_type: u8,
        price: Decimal,
        quantity: Decimal,
    ) {
        assert!(
            self.try_request_close(quote_id, order_type, price, quantity)
                .await,
            "requestToClosePosition reverted"
        );
    }

    /// Asks to close `quantity` of the position; `false` when the book refused (the quote is
    /// not OPENED, or has less open).
    pub async fn try_request_close(
        &self,
        quote_id: u64,
        order_type: u8,
        price: Decimal,
        quantity: Decimal,
    ) -> bool {
        let call = self
            .book
            .requestToClosePosition(
                U256::from(quote_id),
                wad(price.round_dp(2)),
                wad(quantity),
                order_type,
                U256::from(now() + TTL),
            )
            .from(self.address)
            // The book's estimate can fall short by a storage write's refund; leave room.
            .gas(GAS);
        let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
        receipt.status()
    }

    pub async fn request_cancel(&self, quote_id: u64) {
        assert!(
            self.try_cancel(quote_id).await,
            "requestToCancelQuote reverted"
        );
    }

    /// Asks to cancel the quote; `false` when the book refused (the quote is past cancelling).
    pub async fn try_cancel(&self, quote_id: u64) -> bool {
        let call = self
            .book
            .requestToCancelQuote(U256::from(quote_id))
            .from(self.address)
            .gas(GAS);
        let receipt = call.send().await.unwrap().get_receipt().await.unwrap();
        receipt.status()
    }
}

pub fn wad(value: Decimal) -> U256 {
    to_wad(value).expect("a representable amount")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
