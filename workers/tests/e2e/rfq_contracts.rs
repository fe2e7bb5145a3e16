//! `contracts/src/RfqSettlement.sol` on a real anvil: every rule of an RFQ fill, each with its
//! positive case and its negative ones (wrong submitter, wrong signer, another order, replay,
//! expiry, cancellation, tokens that do not pay). Each test starts its own anvil and deploys the
//! settlement and two `TestToken`s (a WETH-like with 18 decimals the maker sells, a USDC-like with
//! 6 the taker pays), so tests share no balances, nonces or clock.
//!
//! The EIP-712 types are declared here a second time, in Rust, the way the dealer's off-chain
//! signer declares them; every signature is made over the Rust-computed digest, and one test
//! compares those digests and type strings with the contract's, pinning the layout. Reverts are
//! asserted by their custom error (selector and arguments), decoded from the revert data of the
//! failed gas estimation.
//!
//! The last tests serve the hot wallet's quote signer (`hedgeflow_activities::settlement`) over a
//! real gRPC socket against the same anvil: what it signs fills on chain, and what it must not
//! sign it refuses.

use crate::rfq_stack;

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::DynProvider,
    signers::{SignerSync, local::PrivateKeySigner},
    sol_types::{Eip712Domain, SolEvent, SolStruct, SolValue},
};
use hedgeflow::dev::process;
use hedgeflow_activities::{
    chain::{ChainClient, ChainConfig},
    rfq::QuoteSigner,
};
use hedgeflow_proto::grpc::{
    auth,
    hot_wallet::{
        self as wire, FundsRequest, SignRfqOrderRequest, hot_wallet_client::HotWalletClient,
    },
};
use rfq_stack::contract_chain::{
    self, events, high_s_twin, increase_time, mined, now, reverts, reverts_for, set_code,
};
use rfq_stack::{RfqSettlement, TestToken};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Code, transport::Channel};

// The signed types as the dealer and the hot wallet declare them: these tests pin them to
// the contract.
use hedgeflow_proto::rfq::quote::{self, RfqFillApproval, RfqOrder};

const CHAIN_ID: u64 = 41350;
const ORDER_TYPE: &str = "RfqOrder(address makerToken,address takerToken,uint128 makerAmount,\
    uint128 takerAmount,address maker,address taker,address txOrigin,bytes32 pool,uint64 expiry,\
    uint256 salt)";

/// Account indices of the dev mnemonic.
const HOT_WALLET: usize = 0;
const TAKER: usize = 1;
const OTHER: usize = 2;
const SUBMITTER: usize = 3;
const DEPLOYER: usize = 9;

/// Order statuses.
const NONE: u8 = 0;
const FILLED: u8 = 1;
const CANCELLED: u8 = 2;

/// What the standard order trades: 2 WETH for 6,000 USDC.
const MAKER_AMOUNT: u128 = 2 * WETH;
const TAKER_AMOUNT: u128 = 6_000 * USDC;
const WETH: u128 = 1_000_000_000_000_000_000;
const USDC: u128 = 1_000_000;
/// The maker's and the taker's starting balances.
const MAKER_WETH: u128 = 10 * WETH;
const TAKER_USDC: u128 = 100_000 * USDC;

type Settlement = RfqSettlement::RfqSettlementInstance<DynProvider>;
type Token = TestToken::TestTokenInstance<DynProvider>;

struct Env {
    _anvil: process::Supervised,
    _dir: tempfile::TempDir,
    /// Anvil's HTTP endpoint.
    rpc: String,
    /// Signs transactions with any of the ten dev accounts, chosen by each one's `from`.
    provider: DynProvider,
    signers: Vec<PrivateKeySigner>,
    settlement: Settlement,
    weth: Token,
    usdc: Token,
    domain: Eip712Domain,
}

impl Env {
    /// A fresh anvil with the settlement and both tokens deployed; the maker holds 10 WETH, the
    /// taker 100,000 USDC, and both approved the settlement for all of it.
    async fn start() -> Env {
        let chain = contract_chain::dev_chain("rfq-contracts", CHAIN_ID).await;
        let (provider, signers, rpc) = (chain.provider, chain.signers, chain.rpc);

        let deployer = signers[DEPLOYER].address();
        let settlement = RfqSettlement::deploy_builder(provider.clone())
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let weth =
            TestToken::deploy_builder(provider.clone(), "Wrapped Ether".into(), "WETH".into(), 18)
                .from(deployer)
                .deploy()
                .await
                .unwrap();
        let usdc = TestToken::deploy_builder(provider.clone(), "USD Coin".into(), "USDC".into(), 6)
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let env = Env {
            _anvil: chain.anvil,
            _dir: chain.dir,
            settlement: RfqSettlement::new(settlement, provider.clone()),
            weth: TestToken::new(weth, provider.clone()),
            usdc: TestToken::new(usdc, provider.clone()),
            domain: quote::domain(CHAIN_ID, settlement),
            rpc,
            provider,
            signers,
        };
        let (maker, taker) = (env.account(HOT_WALLET), env.account(TAKER));
        mined(env.weth.mint(maker, U256::from(MAKER_WETH)).from(deployer)).await;
        mined(env.usdc.mint(taker, U256::from(TAKER_USDC)).from(deployer)).await;
        mined(env.weth.approve(settlement, U256::MAX).from(maker)).await;
        mined(env.usdc.approve(settlement, U256::MAX).from(taker)).await;
        env
    }

    fn account(&self, index: usize) -> Address {
        self.signers[index].address()
    }

    /// The standard order: the hot wallet sells 2 WETH to the taker for 6,000 USDC and submits
    /// the fill itself; it expires in an hour.
    async fn order(&self, salt: u64) -> RfqOrder {
        RfqOrder {
            makerToken: *self.weth.address(),
            takerToken: *self.usdc.address(),
            makerAmount: MAKER_AMOUNT,
            takerAmount: TAKER_AMOUNT,
            maker: self.account(HOT_WALLET),
            taker: self.account(TAKER),
            txOrigin: self.account(HOT_WALLET),
            pool: keccak256("hedgeflow rfq"),
            expiry: now(&self.provider).await + 3_600,
            salt: U256::from(salt),
        }
    }

    /// `signer`'s signature of `order` as its maker, in the contract's (r, s, v) bytes.
    fn sign_order(&self, signer: usize, order: &RfqOrder) -> Bytes {
        self.sign(signer, order.eip712_signing_hash(&self.domain))
    }

    /// `signer`'s approval of `order` as its taker.
    fn approve(&self, signer: usize, order: &RfqOrder) -> Bytes {
        let approval = RfqFillApproval {
            order: order.clone(),
        };
        self.sign(signer, approval.eip712_signing_hash(&self.domain))
    }

    fn sign(&self, signer: usize, digest: B256) -> Bytes {
        let signature = self.signers[signer].sign_hash_sync(&digest).unwrap();
        signature.as_bytes().into()
    }

    /// The fill of `order` signed by its maker and approved by its taker, as anyone may send it.
    fn fill(&self, order: &RfqOrder) -> FillCall<'_> {
        let maker = self.index_of(order.maker);
        let taker = self.index_of(order.taker);
        self.fill_with(
            order,
            self.sign_order(maker, order),
            self.approve(taker, order),
        )
    }

    fn fill_with(&self, order: &RfqOrder, maker_signature: Bytes, approval: Bytes) -> FillCall<'_> {
        self.settlement
            .fillRfqOrder(onchain(order), maker_signature, approval)
    }

    fn index_of(&self, account: Address) -> usize {
        self.signers
            .iter()
            .position(|signer| signer.address() == account)
            .unwrap()
    }

    async fn hash(&self, order: &RfqOrder) -> B256 {
        self.settlement
            .getRfqOrderHash(onchain(order))
            .call()
            .await
            .unwrap()
    }

    async fn status(&self, order: &RfqOrder) -> u8 {
        let hash = self.hash(order).await;
        self.settlement.orderStatus(hash).call().await.unwrap()
    }

    /// The (WETH, USDC) balances of `account`.
    async fn balances(&self, account: Address) -> (U256, U256) {
        (
            self.weth.balanceOf(account).call().await.unwrap(),
            self.usdc.balanceOf(account).call().await.unwrap(),
        )
    }

    /// Puts `code` at an address derived from it (so different codes get different ones).
    async fn deploy_code(&self, code: Vec<u8>) -> Address {
        let address = Address::from_word(keccak256(&code));
        set_code(&self.provider, address, code.into()).await;
        address
    }

    /// The hot wallet's quote signer, served over gRPC on a free local port and requiring
    /// [`SIGNER_TOKEN`], and a client of it sending `token`. It holds the hot wallet's key, knows
    /// only WETH as a token (so it signs no order selling USDC) and signs orders that expire
    /// within [`MAX_ORDER_TTL`].
    async fn quote_signer_with(&self, token: Option<&str>) -> auth::HotWalletClient {
        let config: ChainConfig = toml::from_str(&format!(
            r#"
            chain-id = {CHAIN_ID}
            rpc = [{{ http = "{}" }}]
            [tokens]
            WETH = {{ address = "{}", decimals = 18 }}
            "#,
            self.rpc,
            self.weth.address()
        ))
        .unwrap();
        let chain = ChainClient::connect("rfq-contracts", config).await.unwrap();
        let signer = QuoteSigner::new(
            self.signers[HOT_WALLET].clone(),
            chain,
            *self.settlement.address(),
            MAX_ORDER_TTL,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let required = auth::RequireToken(Some(auth::Token::new(SIGNER_TOKEN)));
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(signer.server(required))
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        let channel = Channel::from_shared(format!("http://{address}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        HotWalletClient::with_interceptor(channel, auth::SendToken(token.map(auth::Token::new)))
    }

    /// The quote signer, called with its token.
    async fn quote_signer(&self) -> auth::HotWalletClient {
        self.quote_signer_with(Some(SIGNER_TOKEN)).await
    }
}

/// The bearer token the quote signer under test requires.
const SIGNER_TOKEN: &str = "test-quote-signer-token";

/// The longest order life the quote signer under test signs.
const MAX_ORDER_TTL: Duration = Duration::from_secs(120);

/// Unix seconds by the system clock, which is what the quote signer checks expiries against
/// (anvil's blocks follow the same clock).
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A request to sign `order` on the wire.
fn sign_request(order: &RfqOrder) -> SignRfqOrderRequest {
    SignRfqOrderRequest {
        order: Some(wire::RfqOrder::from(order)),
        quote_id: format!("quote-{}", order.salt),
    }
}

type FillCall<'a> =
    alloy::contract::SolCallBuilder<&'a DynProvider, RfqSettlement::fillRfqOrderCall>;

/// The same order in the contract binding's type (identical ABI encoding).
fn onchain(order: &RfqOrder) -> RfqSettlement::RfqOrder {
    RfqSettlement::RfqOrder::abi_decode(&order.abi_encode()).unwrap()
}

/// Runtime code that forwards its calldata to `target` and returns or reverts with the result:
/// a contract between the submitter and the settlement.
fn forwarder_code(target: Address) -> Vec<u8> {
    const PUSH0: u8 = 0x5f;
    const PUSH1: u8 = 0x60;
    const PUSH20: u8 = 0x73;
    const CALLDATASIZE: u8 = 0x36;
    const CALLDATACOPY: u8 = 0x37;
    const RETURNDATASIZE: u8 = 0x3d;
    const RETURNDATACOPY: u8 = 0x3e;
    const GAS: u8 = 0x5a;
    const CALL: u8 = 0xf1;
    const JUMPI: u8 = 0x57;
    const JUMPDEST: u8 = 0x5b;
    const RETURN: u8 = 0xf3;
    const REVERT: u8 = 0xfd;

    // calldatacopy(0, 0, calldatasize); call(gas, target, 0, 0, calldatasize, 0, 0)
    let mut code = vec![CALLDATASIZE, PUSH0, PUSH0, CALLDATACOPY];
    code.extend([PUSH0, PUSH0, CALLDATASIZE, PUSH0, PUSH0, PUSH20]);
    code.extend(target.as_slice());
    code.extend([GAS, CALL, RETURNDATASIZE, PUSH0, PUSH0, RETURNDATACOPY]);
    let ok = code.len() + 6;
    code.extend([PUSH1, ok as u8, JUMPI, RETURNDATASIZE, PUSH0, REVERT]);
    code.extend([JUMPDEST, RETURNDATASIZE, PUSH0, RETURN]);
    code
}

#[tokio::test]
async fn the_rust_eip712_encoding_matches_the_contracts() {
    let env = Env::start().await;
    let settlement = &env.settlement;
    assert_eq!(RfqOrder::eip712_encode_type(), ORDER_TYPE);
    assert_eq!(
        RfqFillApproval::eip712_encode_type(),
        format!("RfqFillApproval(RfqOrder order){ORDER_TYPE}")
    );
    let order = env.order(1).await;
    let approval = RfqFillApproval {
        order: order.clone(),
    };
    assert_eq!(
        settlement.RFQ_ORDER_TYPEHASH().call().await.unwrap(),
        order.eip712_type_hash()
    );
    assert_eq!(
        settlement
            .RFQ_FILL_APPROVAL_TYPEHASH()
            .call()
            .await
            .unwrap(),
        approval.eip712_type_hash()
    );
    assert_eq!(
        settlement.DOMAIN_SEPARATOR().call().await.unwrap(),
        env.domain.separator()
    );
    let domain = settlement.eip712Domain().call().await.unwrap();
    assert_eq!(
        (
            domain.fields.0,
            domain.name.as_str(),
            domain.version.as_str(),
            domain.chainId,
            domain.verifyingContract,
            domain.salt,
            domain.extensions.len(),
        ),
        (
            [0x0f],
            "hedgeflow RfqSettlement",
            "1",
            U256::from(CHAIN_ID),
            *settlement.address(),
            B256::ZERO,
            0,
        )
    );

    // The digests, for this order and for one that differs in each field.
    let mut orders = vec![order.clone()];
    for field in 0..10 {
        let mut other = order.clone();
        let one = Address::repeat_byte(0x77);
        match field {
            0 => other.makerToken = one,
            1 => other.takerToken = one,
            2 => other.makerAmount += 1,
            3 => other.takerAmount += 1,
            4 => other.maker = one,
            5 => other.taker = one,
            6 => other.txOrigin = one,
            7 => other.pool = B256::repeat_byte(0x77),
            8 => other.expiry += 1,
            _ => other.salt += U256::from(1),
        }
        orders.push(other);
    }
    let mut seen = std::collections::HashSet::new();
    for order in &orders {
        let hash = order.eip712_signing_hash(&env.domain);
        assert_eq!(env.hash(order).await, hash, "{order:?}");
        let approval = RfqFillApproval {
            order: order.clone(),
        };
        assert_eq!(
            settlement
                .getRfqFillApprovalHash(onchain(order))
                .call()
                .await
                .unwrap(),
            approval.eip712_signing_hash(&env.domain),
            "{order:?}"
        );
        assert!(seen.insert(hash), "every field is part of the hash");
        assert!(seen.insert(approval.eip712_signing_hash(&env.domain)));
    }
}

#[tokio::test]
async fn a_fill_moves_both_amounts_exactly_once_and_emits_rfq_order_filled() {
    let env = Env::start().await;
    let (maker, taker) = (env.account(HOT_WALLET), env.account(TAKER));
    let order = env.order(1).await;
    let hash = order.eip712_signing_hash(&env.domain);
    assert_eq!(env.status(&order).await, NONE);
    assert!(!env.settlement.filled(hash).call().await.unwrap());
    assert_eq!(
        env.fill(&order).from(maker).call().await.unwrap(),
        hash,
        "fillRfqOrder returns the order hash"
    );

    let receipt = mined(env.fill(&order).from(maker)).await;
    let (maker_amount, taker_amount) = (U256::from(MAKER_AMOUNT), U256::from(TAKER_AMOUNT));
    assert_eq!(
        env.balances(maker).await,
        (U256::from(MAKER_WETH) - maker_amount, taker_amount)
    );
    assert_eq!(
        env.balances(taker).await,
        (maker_amount, U256::from(TAKER_USDC) - taker_amount)
    );
    assert_eq!(
        env.balances(*env.settlement.address()).await,
        (U256::ZERO, U256::ZERO),
        "nothing stays behind"
    );
    assert_eq!(
        events::<RfqSettlement::RfqOrderFilled>(&receipt, *env.settlement.address()),
        vec![RfqSettlement::RfqOrderFilled {
            orderHash: hash,
            maker,
            taker,
            makerToken: *env.weth.address(),
            takerToken: *env.usdc.address(),
            takerTokenFilledAmount: TAKER_AMOUNT,
            makerTokenFilledAmount: MAKER_AMOUNT,
            pool: order.pool,
        }]
    );
    assert_eq!(
        RfqSettlement::RfqOrderFilled::SIGNATURE,
        "RfqOrderFilled(bytes32,address,address,address,address,uint128,uint128,bytes32)",
        "0x v4's event"
    );
    assert_eq!(env.status(&order).await, FILLED);
    assert!(env.settlement.filled(hash).call().await.unwrap());

    // The same fill again, and again after its expiry: what happened is reported first.
    reverts(
        env.fill(&order).from(maker),
        RfqSettlement::OrderAlreadyFilled { orderHash: hash },
    )
    .await;
    increase_time(&env.provider, 3_600).await;
    reverts(
        env.fill(&order).from(maker),
        RfqSettlement::OrderAlreadyFilled { orderHash: hash },
    )
    .await;
    assert_eq!(
        env.balances(taker).await,
        (maker_amount, U256::from(TAKER_USDC) - taker_amount),
        "filled once"
    );
}

#[tokio::test]
async fn only_tx_origin_may_submit_and_only_directly() {
    let env = Env::start().await;
    let (hot_wallet, other, submitter) = (
        env.account(HOT_WALLET),
        env.account(OTHER),
        env.account(SUBMITTER),
    );
    let order = env.order(1).await;
    for sender in [other, env.account(TAKER)] {
        reverts(
            env.fill(&order).from(sender),
            RfqSettlement::OnlyTxOrigin {
                txOrigin: hot_wallet,
                sender,
                origin: sender,
            },
        )
        .await;
    }
    // The hot wallet's transaction, through a contract: tx.origin is right, msg.sender is not.
    let forwarder = env
        .deploy_code(forwarder_code(*env.settlement.address()))
        .await;
    let via_forwarder = RfqSettlement::new(forwarder, env.provider.clone());
    let call = |order: &RfqOrder| {
        let maker = env.sign_order(HOT_WALLET, order);
        let approval = env.approve(TAKER, order);
        via_forwarder.fillRfqOrder(onchain(order), maker, approval)
    };
    reverts(
        call(&order).from(hot_wallet),
        RfqSettlement::OnlyTxOrigin {
            txOrigin: hot_wallet,
            sender: forwarder,
            origin: hot_wallet,
        },
    )
    .await;
    // An order naming a contract as txOrigin (as a delegated EOA would be), called by it from
    // someone else's transaction: msg.sender is right, tx.origin is not.
    let mut named_forwarder = env.order(2).await;
    named_forwarder.txOrigin = forwarder;
    reverts(
        call(&named_forwarder).from(hot_wallet),
        RfqSettlement::OnlyTxOrigin {
            txOrigin: forwarder,
            sender: forwarder,
            origin: hot_wallet,
        },
    )
    .await;
    // txOrigin need not be the maker: then the maker may not submit, and the named one may.
    let mut named_submitter = env.order(3).await;
    named_submitter.txOrigin = submitter;
    reverts(
        env.fill(&named_submitter).from(hot_wallet),
        RfqSettlement::OnlyTxOrigin {
            txOrigin: submitter,
            sender: hot_wallet,
            origin: hot_wallet,
        },
    )
    .await;
    assert_eq!(env.status(&order).await, NONE);
    mined(env.fill(&named_submitter).from(submitter)).await;
    mined(env.fill(&order).from(hot_wallet)).await;
    assert_eq!(env.status(&named_submitter).await, FILLED);
    assert_eq!(env.status(&order).await, FILLED);
}

#[tokio::test]
async fn an_order_fills_only_before_its_expiry() {
    let env = Env::start().await;
    let hot_wallet = env.account(HOT_WALLET);
    // Expiring at the latest block's time: the next block is at or after it.
    let mut expired = env.order(1).await;
    expired.expiry = now(&env.provider).await;
    reverts(
        env.fill(&expired).from(hot_wallet),
        RfqSettlement::OrderExpired {
            orderHash: expired.eip712_signing_hash(&env.domain),
            expiry: expired.expiry,
        },
    )
    .await;

    let mut soon = env.order(2).await;
    soon.expiry = now(&env.provider).await + 60;
    env.fill(&soon)
        .from(hot_wallet)
        .call()
        .await
        .expect("fillable before its expiry");
    let later = env.order(3).await;
    increase_time(&env.provider, 60).await;
    reverts(
        env.fill(&soon).from(hot_wallet),
        RfqSettlement::OrderExpired {
            orderHash: soon.eip712_signing_hash(&env.domain),
            expiry: soon.expiry,
        },
    )
    .await;
    assert_eq!(env.status(&soon).await, NONE);
    mined(env.fill(&later).from(hot_wallet)).await;
    assert_eq!(env.status(&later).await, FILLED);
}

#[tokio::test]
async fn the_maker_signature_must_be_the_makers_one_canonical_signature_of_the_order() {
    let env = Env::start().await;
    let hot_wallet = env.account(HOT_WALLET);
    let order = env.order(1).await;
    let hash = order.eip712_signing_hash(&env.domain);
    let approval = env.approve(TAKER, &order);
    let good = env.signers[HOT_WALLET].sign_hash_sync(&hash).unwrap();
    // Its malleable twin recovers to the same key.
    let twin = high_s_twin(&good);
    assert_eq!(
        twin.recover_address_from_prehash(&hash).unwrap(),
        hot_wallet
    );
    let with_v = |v: u8| {
        let mut bytes = good.as_bytes();
        bytes[64] = v;
        Bytes::from(bytes)
    };
    let bad = [
        ("another key", env.sign_order(OTHER, &order)),
        ("the taker's key", env.sign_order(TAKER, &order)),
        ("the taker's approval", approval.clone()),
        (
            "another order",
            env.sign_order(HOT_WALLET, &env.order(2).await),
        ),
        ("the high-s twin", twin.as_bytes().into()),
        ("v as a parity bit", with_v(good.v() as u8)),
        ("v out of range", with_v(29)),
        ("the 64-byte EIP-2098 form", good.as_erc2098().into()),
        (
            "65 bytes and one more",
            [&good.as_bytes()[..], &[0u8][..]].concat().into(),
        ),
        ("nothing", Bytes::new()),
    ];
    for (what, signature) in bad {
        reverts_for(
            what,
            env.fill_with(&order, signature, approval.clone())
                .from(hot_wallet),
            RfqSettlement::BadMakerSignature { orderHash: hash },
        )
        .await;
    }
    // A changed amount under the original signatures is another order, signed by nobody.
    let mut tampered = order.clone();
    tampered.makerAmount *= 2;
    reverts(
        env.fill_with(&tampered, good.as_bytes().into(), approval.clone())
            .from(hot_wallet),
        RfqSettlement::BadMakerSignature {
            orderHash: tampered.eip712_signing_hash(&env.domain),
        },
    )
    .await;
    assert_eq!(env.status(&order).await, NONE);
    mined(
        env.fill_with(&order, good.as_bytes().into(), approval)
            .from(hot_wallet),
    )
    .await;
    assert_eq!(env.status(&order).await, FILLED);
}

#[tokio::test]
async fn the_taker_approval_must_be_the_takers_for_this_order() {
    let env = Env::start().await;
    let hot_wallet = env.account(HOT_WALLET);
    let order = env.order(1).await;
    let hash = order.eip712_signing_hash(&env.domain);
    let maker_signature = env.sign_order(HOT_WALLET, &order);
    let good = env.signers[TAKER]
        .sign_hash_sync(
            &RfqFillApproval {
                order: order.clone(),
            }
            .eip712_signing_hash(&env.domain),
        )
        .unwrap();
    let twin = high_s_twin(&good);
    let bad = [
        ("another key", env.approve(OTHER, &order)),
        ("the maker's key", env.approve(HOT_WALLET, &order)),
        ("another order", env.approve(TAKER, &env.order(2).await)),
        // The taker signing the order digest, not an approval, approves nothing.
        ("the order digest", env.sign_order(TAKER, &order)),
        ("the high-s twin", twin.as_bytes().into()),
        ("nothing", Bytes::new()),
    ];
    for (what, approval) in bad {
        reverts_for(
            what,
            env.fill_with(&order, maker_signature.clone(), approval)
                .from(hot_wallet),
            RfqSettlement::BadTakerApproval { orderHash: hash },
        )
        .await;
    }
    // The approval names the taker only through the order: an order for another taker, signed
    // by the maker, cannot borrow this taker's approval.
    let mut other_taker = order.clone();
    other_taker.taker = env.account(OTHER);
    reverts(
        env.fill_with(
            &other_taker,
            env.sign_order(HOT_WALLET, &other_taker),
            good.as_bytes().into(),
        )
        .from(hot_wallet),
        RfqSettlement::BadTakerApproval {
            orderHash: other_taker.eip712_signing_hash(&env.domain),
        },
    )
    .await;
    // An order without a taker is refused before any signature is looked at.
    let mut anyone = order.clone();
    anyone.taker = Address::ZERO;
    reverts(
        env.fill_with(&anyone, env.sign_order(HOT_WALLET, &anyone), Bytes::new())
            .from(hot_wallet),
        RfqSettlement::TakerRequired {
            orderHash: anyone.eip712_signing_hash(&env.domain),
        },
    )
    .await;
    assert_eq!(env.status(&order).await, NONE);
    mined(
        env.fill_with(&order, maker_signature, good.as_bytes().into())
            .from(hot_wallet),
    )
    .await;
    assert_eq!(env.status(&order).await, FILLED);
}

#[tokio::test]
async fn only_the_maker_cancels_and_a_cancelled_order_never_fills() {
    let env = Env::start().await;
    let hot_wallet = env.account(HOT_WALLET);
    let order = env.order(1).await;
    let hash = order.eip712_signing_hash(&env.domain);
    for caller in [env.account(TAKER), env.account(OTHER)] {
        reverts(
            env.settlement.cancelRfqOrder(onchain(&order)).from(caller),
            RfqSettlement::NotMaker {
                orderHash: hash,
                caller,
            },
        )
        .await;
    }
    assert_eq!(env.status(&order).await, NONE);

    let receipt = mined(
        env.settlement
            .cancelRfqOrder(onchain(&order))
            .from(hot_wallet),
    )
    .await;
    assert_eq!(
        events::<RfqSettlement::RfqOrderCancelled>(&receipt, *env.settlement.address()),
        vec![RfqSettlement::RfqOrderCancelled {
            orderHash: hash,
            maker: hot_wallet,
        }]
    );
    assert_eq!(env.status(&order).await, CANCELLED);
    assert!(!env.settlement.filled(hash).call().await.unwrap());
    reverts(
        env.fill(&order).from(hot_wallet),
        RfqSettlement::OrderCancelled { orderHash: hash },
    )
    .await;
    reverts(
        env.settlement
            .cancelRfqOrder(onchain(&order))
            .from(hot_wallet),
        RfqSettlement::OrderCancelled { orderHash: hash },
    )
    .await;

    // A filled order cannot be cancelled: the maker learns it came too late.
    let filled = env.order(2).await;
    mined(env.fill(&filled).from(hot_wallet)).await;
    reverts(
        env.settlement
            .cancelRfqOrder(onchain(&filled))
            .from(hot_wallet),
        RfqSettlement::OrderAlreadyFilled {
            orderHash: filled.eip712_signing_hash(&env.domain),
        },
    )
    .await;
    assert_eq!(env.status(&filled).await, FILLED);
    assert_eq!(
        env.balances(env.account(TAKER)).await.0,
        U256::from(MAKER_AMOUNT),
        "only the open order filled"
    );
}

#[tokio::test]
async fn a_fill_the_tokens_refuse_reverts_whole_and_leaves_the_order_open() {
    let env = Env::start().await;
    let (hot_wallet, taker) = (env.account(HOT_WALLET), env.account(TAKER));
    let settlement = *env.settlement.address();
    let (weth, usdc) = (*env.weth.address(), *env.usdc.address());

    // The taker's allowance is one unit short.
    let order = env.order(1).await;
    let taker_amount = U256::from(TAKER_AMOUNT);
    mined(
        env.usdc
            .approve(settlement, taker_amount - U256::from(1))
            .from(taker),
    )
    .await;
    reverts(
        env.fill(&order).from(hot_wallet),
        RfqSettlement::TransferFailed {
            token: usdc,
            from: taker,
            to: hot_wallet,
            amount: taker_amount,
        },
    )
    .await;
    mined(env.usdc.approve(settlement, U256::MAX).from(taker)).await;

    // The maker sells more than it holds; the taker's leg, which would succeed, is undone too.
    let mut too_big = env.order(2).await;
    too_big.makerAmount = MAKER_WETH + 1;
    reverts(
        env.fill(&too_big).from(hot_wallet),
        RfqSettlement::TransferFailed {
            token: weth,
            from: hot_wallet,
            to: taker,
            amount: U256::from(MAKER_WETH + 1),
        },
    )
    .await;
    assert_eq!(env.status(&order).await, NONE);
    assert_eq!(env.status(&too_big).await, NONE);
    assert_eq!(
        env.balances(taker).await,
        (U256::ZERO, U256::from(TAKER_USDC))
    );

    // Once the allowance is back, the same signed order fills.
    mined(env.fill(&order).from(hot_wallet)).await;
    assert_eq!(env.status(&order).await, FILLED);
}

#[tokio::test]
async fn a_token_may_return_nothing_but_not_false_and_must_be_a_contract() {
    let env = Env::start().await;
    let (hot_wallet, taker) = (env.account(HOT_WALLET), env.account(TAKER));
    // Raw tokens whose transferFrom stops without returning data (USDT-style), returns a false
    // word, or reverts; and an address without code, where any call succeeds.
    let silent = env.deploy_code(vec![0x00]).await;
    let returns_false = env.deploy_code(vec![0x60, 0x20, 0x5f, 0xf3]).await;
    let reverting = env.deploy_code(vec![0x5f, 0x5f, 0xfd]).await;
    let no_code = Address::repeat_byte(0x42);

    for (salt, token) in (1..).zip([returns_false, reverting, no_code]) {
        let mut order = env.order(salt).await;
        order.makerToken = token;
        reverts(
            env.fill(&order).from(hot_wallet),
            RfqSettlement::TransferFailed {
                token,
                from: hot_wallet,
                to: taker,
                amount: U256::from(MAKER_AMOUNT),
            },
        )
        .await;
        assert_eq!(env.status(&order).await, NONE);
    }
    assert_eq!(env.balances(taker).await.1, U256::from(TAKER_USDC));

    let mut order = env.order(10).await;
    order.makerToken = silent;
    let receipt = mined(env.fill(&order).from(hot_wallet)).await;
    assert_eq!(env.status(&order).await, FILLED);
    assert_eq!(
        env.balances(taker).await.1,
        U256::from(TAKER_USDC - TAKER_AMOUNT),
        "the taker's leg moved"
    );
    assert_eq!(
        events::<RfqSettlement::RfqOrderFilled>(&receipt, *env.settlement.address()).len(),
        1
    );
}

#[tokio::test]
async fn the_quote_signer_signs_the_hot_wallets_orders_and_they_fill() {
    let env = Env::start().await;
    let (hot_wallet, taker) = (env.account(HOT_WALLET), env.account(TAKER));
    let mut signer = env.quote_signer().await;
    let mut order = env.order(1).await;
    order.expiry = unix_now() + 60;

    let reply = signer
        .sign_rfq_order(sign_request(&order))
        .await
        .expect("the hot wallet's own order within the horizon is signed")
        .into_inner();
    let order_hash: B256 = reply.order_hash.parse().unwrap();
    assert_eq!(
        order_hash,
        env.hash(&order).await,
        "the contract's order hash"
    );
    let signature: Bytes = reply.signature.parse().unwrap();
    assert_eq!(signature.len(), 65, "r, s and v");

    let receipt = mined(
        env.fill_with(&order, signature, env.approve(TAKER, &order))
            .from(hot_wallet),
    )
    .await;
    assert_eq!(env.status(&order).await, FILLED);
    let (maker_amount, taker_amount) = (U256::from(MAKER_AMOUNT), U256::from(TAKER_AMOUNT));
    assert_eq!(
        env.balances(hot_wallet).await,
        (U256::from(MAKER_WETH) - maker_amount, taker_amount)
    );
    assert_eq!(
        env.balances(taker).await,
        (maker_amount, U256::from(TAKER_USDC) - taker_amount)
    );

    // The last second of the horizon is still inside it (the signer's clock can only be later).
    let mut at_the_horizon = env.order(2).await;
    at_the_horizon.expiry = unix_now() + MAX_ORDER_TTL.as_secs();
    signer
        .sign_rfq_order(sign_request(&at_the_horizon))
        .await
        .expect("an expiry exactly max-order-ttl ahead is signed");

    // Funds: the hot wallet's (no owner given) and the taker's, exactly as the tokens report
    // them, with allowances to the settlement, at or after the fill's block.
    let (weth, usdc) = (*env.weth.address(), *env.usdc.address());
    let tokens = vec![weth.to_string(), usdc.to_string()];
    let funds = |owner: String| FundsRequest {
        owner,
        tokens: tokens.clone(),
    };
    // What the tokens hold and allow, for (WETH, USDC).
    let expected = |balances: (U256, U256), allowances: (U256, U256)| {
        vec![
            wire::TokenFunds {
                token: weth.to_string(),
                balance: balances.0.to_string(),
                allowance: allowances.0.to_string(),
            },
            wire::TokenFunds {
                token: usdc.to_string(),
                balance: balances.1.to_string(),
                allowance: allowances.1.to_string(),
            },
        ]
    };
    for (owner, reported_owner, tokens) in [
        (
            String::new(),
            hot_wallet,
            expected(
                (U256::from(MAKER_WETH) - maker_amount, taker_amount),
                (U256::MAX, U256::ZERO),
            ),
        ),
        (
            taker.to_string(),
            taker,
            expected(
                (maker_amount, U256::from(TAKER_USDC) - taker_amount),
                (U256::ZERO, U256::MAX),
            ),
        ),
    ] {
        let reply = signer.funds(funds(owner)).await.unwrap().into_inner();
        assert_eq!(reply.owner.parse::<Address>().unwrap(), reported_owner);
        assert_eq!(reply.tokens, tokens);
        assert!(reply.block >= receipt.block_number.unwrap());
    }
    let status = signer
        .funds(funds("0x12".into()))
        .await
        .expect_err("a malformed owner");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
}

#[tokio::test]
async fn the_quote_signer_refuses_what_the_hot_wallet_must_not_sign() {
    let env = Env::start().await;
    let mut signer = env.quote_signer().await;
    let order = |salt: u64| {
        let env = &env;
        async move {
            let mut order = env.order(salt).await;
            order.expiry = unix_now() + 60;
            order
        }
    };

    let mut someone_elses = order(1).await;
    someone_elses.maker = env.account(OTHER);
    let mut submitted_by_another = order(2).await;
    submitted_by_another.txOrigin = env.account(SUBMITTER);
    let mut selling_usdc = order(3).await;
    (selling_usdc.makerToken, selling_usdc.takerToken) = (*env.usdc.address(), *env.weth.address());
    let mut too_long = order(4).await;
    too_long.expiry = unix_now() + MAX_ORDER_TTL.as_secs() + 3_600;
    let mut expired = order(5).await;
    expired.expiry = unix_now() - 1;
    for (what, order) in [
        ("maker not the hot wallet", someone_elses),
        ("txOrigin not the hot wallet", submitted_by_another),
        ("a maker token not configured", selling_usdc),
        ("an expiry beyond max-order-ttl", too_long),
        ("an expiry in the past", expired),
    ] {
        let status = signer
            .sign_rfq_order(sign_request(&order))
            .await
            .expect_err(what);
        assert_eq!(status.code(), Code::PermissionDenied, "{what}: {status:?}");
    }

    let mut malformed = sign_request(&order(6).await);
    malformed.order.as_mut().unwrap().maker_amount = "12a".into();
    let missing = SignRfqOrderRequest {
        order: None,
        quote_id: "quote-7".into(),
    };
    for (what, request) in [("a malformed amount", malformed), ("no order", missing)] {
        let status = signer.sign_rfq_order(request).await.expect_err(what);
        assert_eq!(status.code(), Code::InvalidArgument, "{what}: {status:?}");
    }

    // Refusals are not a broken service: the same order, well formed, is signed.
    signer
        .sign_rfq_order(sign_request(&order(6).await))
        .await
        .expect("a valid order after refusals");

    // A caller without the signer's token, or with another, is refused before anything is
    // looked at, let alone signed; the funds report is closed to it too.
    for token in [None, Some("not-the-token")] {
        let mut stranger = env.quote_signer_with(token).await;
        let status = stranger
            .sign_rfq_order(sign_request(&order(7).await))
            .await
            .expect_err("signed for a caller without the token");
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "{token:?}: {status:?}"
        );
        let status = stranger
            .funds(FundsRequest {
                owner: String::new(),
                tokens: vec![env.weth.address().to_string()],
            })
            .await
            .expect_err("funds for a caller without the token");
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "{token:?}: {status:?}"
        );
    }
}
