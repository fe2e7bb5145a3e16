//! The escrow contracts (`contracts/src`: L1Messenger, L2Messenger, PaymentRegistry, Escrow)
//! on a real anvil: every rule of the order flow, each with its positive case and its negative
//! ones (wrong caller, second attempt, wrong data, timeout). Each test starts its own anvil
//! (about a tenth of a second) and deploys all four contracts on it, so tests share no balances,
//! nonces or clock; both "chains" are that one anvil, registered under its chain id. The tests
//! play the relayer: they read `MessageSent` from the L1Messenger's receipt and call
//! `relayMessage` from the relayer account. Reverts are asserted by their custom error, decoded
//! from the revert data of the failed gas estimation (selector and arguments).

use crate::contract_chain;
use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::{TransactionReceipt, TransactionRequest},
    sol,
    sol_types::{SolCall, SolError, SolValue},
};
use contract_chain::{events, increase_time, mined, reverts, reverts_for, set_code, timestamp};
use hedgeflow::dev::process;
use std::fmt::Debug;

sol!(
    #[sol(rpc, all_derives)]
    L1Messenger,
    "../contracts/artifacts/L1Messenger.json"
);
sol!(
    #[sol(rpc, all_derives)]
    L2Messenger,
    "../contracts/artifacts/L2Messenger.json"
);
sol!(
    #[sol(rpc, all_derives)]
    PaymentRegistry,
    "../contracts/artifacts/PaymentRegistry.json"
);
sol!(
    #[sol(rpc, all_derives)]
    Escrow,
    "../contracts/artifacts/Escrow.json"
);

const CHAIN_ID: u64 = 41340;
/// The L2 chain id the escrow is registered under (the anvil's own).
const L2: u128 = CHAIN_ID as u128;
/// Seconds before an order's sender may reclaim it.
const RECLAIM_DELAY: u64 = 3_600;

/// Account indices of the dev mnemonic.
const MARKET_MAKER: usize = 0;
const RELAYER: usize = 8;
const DEPLOYER: usize = 9;

/// Order statuses.
const OPEN: u8 = 1;
const CLAIMED: u8 = 2;
const RECLAIMED: u8 = 3;

/// `milli` thousandths of an ether, in wei.
fn eth(milli: u64) -> U256 {
    U256::from(milli) * U256::from(1_000_000_000_000_000u64)
}

struct Env {
    _anvil: process::Supervised,
    _dir: tempfile::TempDir,
    /// Signs with any of the ten dev accounts, chosen by each transaction's `from`.
    provider: DynProvider,
    accounts: Vec<Address>,
    l1_messenger: L1Messenger::L1MessengerInstance<DynProvider>,
    l2_messenger: L2Messenger::L2MessengerInstance<DynProvider>,
    registry: PaymentRegistry::PaymentRegistryInstance<DynProvider>,
    escrow: Escrow::EscrowInstance<DynProvider>,
}

impl Env {
    /// A fresh anvil with the four contracts deployed by the deployer and the escrow's chain
    /// registered.
    async fn start() -> Env {
        let chain = contract_chain::dev_chain("escrow-contracts", CHAIN_ID).await;
        let (provider, signers) = (chain.provider, chain.signers);
        let accounts: Vec<Address> = signers.iter().map(|s| s.address()).collect();

        let deployer = accounts[DEPLOYER];
        let l1_messenger = L1Messenger::deploy_builder(provider.clone())
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let l2_messenger = L2Messenger::deploy_builder(provider.clone(), accounts[RELAYER])
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let registry = PaymentRegistry::deploy_builder(provider.clone(), accounts[MARKET_MAKER])
            .from(deployer)
            .deploy()
            .await
            .unwrap();
        let escrow = Escrow::deploy_builder(
            provider.clone(),
            l2_messenger,
            registry,
            accounts[MARKET_MAKER],
            RECLAIM_DELAY,
        )
        .from(deployer)
        .deploy()
        .await
        .unwrap();
        let env = Env {
            _anvil: chain.anvil,
            _dir: chain.dir,
            l1_messenger: L1Messenger::new(l1_messenger, provider.clone()),
            l2_messenger: L2Messenger::new(l2_messenger, provider.clone()),
            registry: PaymentRegistry::new(registry, provider.clone()),
            escrow: Escrow::new(escrow, provider.clone()),
            provider,
            accounts,
        };
        mined(
            env.registry
                .registerChain(L2, l1_messenger, escrow)
                .from(deployer),
        )
        .await;
        env
    }

    fn mm(&self) -> Address {
        self.accounts[MARKET_MAKER]
    }

    fn relayer(&self) -> Address {
        self.accounts[RELAYER]
    }

    fn deployer(&self) -> Address {
        self.accounts[DEPLOYER]
    }

    /// Users are accounts 1 to 3.
    fn user(&self, n: usize) -> Address {
        assert!((1..=3).contains(&n));
        self.accounts[n]
    }

    async fn balance(&self, address: Address) -> U256 {
        self.provider.get_balance(address).await.unwrap()
    }

    async fn order(&self, order_id: U256) -> Escrow::Order {
        self.escrow.get_order(order_id).call().await.unwrap()
    }

    async fn status(&self, order_id: U256) -> u8 {
        self.order(order_id).await.status
    }

    async fn transfer_state(&self, key: B256) -> (bool, bool) {
        let state = self.registry.transfers(key).call().await.unwrap();
        (state.transferred, state.claimed)
    }

    async fn relayed(&self, nonce: U256) -> bool {
        self.l2_messenger.relayed(nonce).call().await.unwrap()
    }

    /// `sender` locks `amount + fee` for `recipient`; returns the order id from `SetOrder`.
    async fn set_order(
        &self,
        sender: Address,
        recipient: Address,
        amount: U256,
        fee: U256,
    ) -> U256 {
        let receipt = mined(
            self.escrow
                .set_order(recipient, fee)
                .value(amount + fee)
                .from(sender),
        )
        .await;
        let [event] = events::<Escrow::SetOrder>(&receipt, *self.escrow.address())
            .try_into()
            .unwrap();
        event.order_id
    }

    /// The market maker pays `amount` to `dest` for `order_id` through the registry.
    async fn transfer(&self, order_id: U256, dest: Address, amount: U256) -> TransactionReceipt {
        mined(
            self.registry
                .transfer(order_id, dest, L2)
                .value(amount)
                .from(self.mm()),
        )
        .await
    }

    /// The market maker claims a transferred payment; returns the message the claim sent.
    async fn claim(&self, order_id: U256, dest: Address, amount: U256) -> L1Messenger::MessageSent {
        let receipt = mined(
            self.registry
                .claimPayment(order_id, dest, amount, L2)
                .from(self.mm()),
        )
        .await;
        self.message(&receipt)
    }

    /// The one message a receipt carries, as the relayer reads it.
    fn message(&self, receipt: &TransactionReceipt) -> L1Messenger::MessageSent {
        let [message] = events::<L1Messenger::MessageSent>(receipt, *self.l1_messenger.address())
            .try_into()
            .unwrap();
        message
    }

    fn relay_call(
        &self,
        message: &L1Messenger::MessageSent,
    ) -> alloy::contract::SolCallBuilder<&DynProvider, L2Messenger::relayMessageCall> {
        self.l2_messenger.relayMessage(
            message.nonce,
            message.sender,
            message.target,
            message.data.clone(),
        )
    }

    /// Relays `message` as the relayer, which must succeed.
    async fn relay(&self, message: &L1Messenger::MessageSent) -> TransactionReceipt {
        mined(self.relay_call(message).from(self.relayer())).await
    }

    /// The timestamp of the block that mined `receipt`.
    async fn timestamp(&self, receipt: &TransactionReceipt) -> u64 {
        timestamp(&self.provider, receipt.block_number.unwrap().into()).await
    }
}

/// The registry's payment key, computed off-chain the way the pipeline does.
fn key(order_id: U256, dest: Address, amount: U256) -> B256 {
    keccak256((order_id, dest, amount, L2).abi_encode_params())
}

/// What the transaction's sender paid for gas.
fn gas_cost(receipt: &TransactionReceipt) -> U256 {
    U256::from(receipt.gas_used) * U256::from(receipt.effective_gas_price)
}

#[tokio::test]
async fn set_order_stores_the_order_and_emits_set_order() {
    let env = Env::start().await;
    let (user, recipient) = (env.user(1), Address::repeat_byte(0xa1));
    assert_eq!(
        env.escrow.current_order_id().call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(
        env.escrow.messenger().call().await.unwrap(),
        *env.l2_messenger.address()
    );
    assert_eq!(
        env.escrow.paymentRegistry().call().await.unwrap(),
        *env.registry.address()
    );
    assert_eq!(env.escrow.mm_address().call().await.unwrap(), env.mm());
    assert_eq!(
        env.escrow.reclaim_delay().call().await.unwrap(),
        RECLAIM_DELAY
    );

    let receipt = mined(
        env.escrow
            .set_order(recipient, eth(1))
            .value(eth(101))
            .from(user),
    )
    .await;
    assert_eq!(
        events::<Escrow::SetOrder>(&receipt, *env.escrow.address()),
        vec![Escrow::SetOrder {
            order_id: U256::ZERO,
            recipient_address: recipient,
            amount: eth(100),
            fee: eth(1),
        }]
    );
    assert_eq!(
        env.order(U256::ZERO).await,
        Escrow::Order {
            recipient_address: recipient,
            amount: eth(100),
            fee: eth(1),
            sender: user,
            created_at: env.timestamp(&receipt).await,
            status: OPEN,
        }
    );
    assert_eq!(env.balance(*env.escrow.address()).await, eth(101));

    let second = env
        .set_order(env.user(2), recipient, eth(5), U256::ZERO)
        .await;
    assert_eq!(second, U256::from(1), "ids are sequential");
    assert_eq!(
        env.escrow.current_order_id().call().await.unwrap(),
        U256::from(2)
    );
    assert_eq!(
        env.order(second).await.fee,
        U256::ZERO,
        "a zero fee is allowed"
    );
    assert_eq!(
        env.status(U256::from(2)).await,
        0,
        "an unset id has status none"
    );
}

#[tokio::test]
async fn set_order_rejects_a_zero_recipient_and_a_value_not_above_the_fee() {
    let env = Env::start().await;
    let user = env.user(1);
    reverts(
        env.escrow
            .set_order(Address::ZERO, eth(1))
            .value(eth(10))
            .from(user),
        Escrow::InvalidRecipient {},
    )
    .await;
    for (value, fee) in [(eth(1), eth(1)), (eth(1), eth(2)), (U256::ZERO, U256::ZERO)] {
        reverts(
            env.escrow
                .set_order(Address::repeat_byte(0xa1), fee)
                .value(value)
                .from(user),
            Escrow::InsufficientValue { value, fee },
        )
        .await;
    }
    assert_eq!(
        env.escrow.current_order_id().call().await.unwrap(),
        U256::ZERO
    );
    assert_eq!(env.status(U256::ZERO).await, 0);
    assert_eq!(env.balance(*env.escrow.address()).await, U256::ZERO);
}

#[tokio::test]
async fn register_chain_is_for_the_owner_only() {
    let env = Env::start().await;
    assert_eq!(env.registry.owner().call().await.unwrap(), env.deployer());
    assert_eq!(env.registry.marketMaker().call().await.unwrap(), env.mm());
    let chain = env.registry.chains(L2).call().await.unwrap();
    assert_eq!(
        (chain.messenger, chain.escrow),
        (*env.l1_messenger.address(), *env.escrow.address())
    );

    let (other_messenger, other_escrow) = (Address::repeat_byte(0xb1), Address::repeat_byte(0xb2));
    reverts(
        env.registry
            .registerChain(7, other_messenger, other_escrow)
            .from(env.mm()),
        PaymentRegistry::NotOwner { caller: env.mm() },
    )
    .await;
    reverts(
        env.registry
            .registerChain(7, Address::ZERO, other_escrow)
            .from(env.deployer()),
        PaymentRegistry::ZeroAddress {},
    )
    .await;
    let unset = env.registry.chains(7).call().await.unwrap();
    assert_eq!(
        (unset.messenger, unset.escrow),
        (Address::ZERO, Address::ZERO)
    );

    let receipt = mined(
        env.registry
            .registerChain(7, other_messenger, other_escrow)
            .from(env.deployer()),
    )
    .await;
    assert_eq!(
        events::<PaymentRegistry::ChainRegistered>(&receipt, *env.registry.address()),
        vec![PaymentRegistry::ChainRegistered {
            chainId: 7,
            messenger: other_messenger,
            escrow: other_escrow,
        }]
    );
    let set = env.registry.chains(7).call().await.unwrap();
    assert_eq!((set.messenger, set.escrow), (other_messenger, other_escrow));
}

#[tokio::test]
async fn transfer_pays_the_destination_exactly_and_only_once_per_key() {
    let env = Env::start().await;
    let (order_id, dest, amount) = (U256::from(7), Address::repeat_byte(0xd1), eth(250));
    let key = key(order_id, dest, amount);
    assert_eq!(
        env.registry
            .transferKey(order_id, dest, amount, L2)
            .call()
            .await
            .unwrap(),
        key,
        "the on-chain key is keccak256(abi.encode(orderId, destAddress, amount, chainId))"
    );
    assert_eq!(env.transfer_state(key).await, (false, false));

    let receipt = env.transfer(order_id, dest, amount).await;
    assert_eq!(
        env.balance(dest).await,
        amount,
        "the destination got exactly the value"
    );
    assert_eq!(
        env.balance(*env.registry.address()).await,
        U256::ZERO,
        "nothing stays behind"
    );
    assert_eq!(env.transfer_state(key).await, (true, false));
    assert_eq!(
        events::<PaymentRegistry::Transfer>(&receipt, *env.registry.address()),
        vec![PaymentRegistry::Transfer {
            orderId: order_id,
            srcAddress: env.mm(),
            destAddress: dest,
            amount,
            chainId: L2,
        }]
    );

    reverts(
        env.registry
            .transfer(order_id, dest, L2)
            .value(amount)
            .from(env.mm()),
        PaymentRegistry::AlreadyTransferred { key },
    )
    .await;
    assert_eq!(env.balance(dest).await, amount, "paid once");
}

#[tokio::test]
async fn transfer_rejects_another_caller_an_unregistered_chain_no_value_and_no_destination() {
    let env = Env::start().await;
    let (order_id, dest, amount) = (U256::from(3), Address::repeat_byte(0xd2), eth(10));
    let user = env.user(1);
    reverts(
        env.registry
            .transfer(order_id, dest, L2)
            .value(amount)
            .from(user),
        PaymentRegistry::NotMarketMaker { caller: user },
    )
    .await;
    reverts(
        env.registry
            .transfer(order_id, dest, L2 + 1)
            .value(amount)
            .from(env.mm()),
        PaymentRegistry::ChainNotRegistered { chainId: L2 + 1 },
    )
    .await;
    reverts(
        env.registry.transfer(order_id, dest, L2).from(env.mm()),
        PaymentRegistry::ZeroValue {},
    )
    .await;
    reverts(
        env.registry
            .transfer(order_id, Address::ZERO, L2)
            .value(amount)
            .from(env.mm()),
        PaymentRegistry::ZeroAddress {},
    )
    .await;
    assert_eq!(env.balance(dest).await, U256::ZERO);
    assert_eq!(
        env.transfer_state(key(order_id, dest, amount)).await,
        (false, false)
    );
}

#[tokio::test]
async fn claim_is_rejected_before_the_transfer_for_other_data_and_from_another_caller() {
    let env = Env::start().await;
    let (order_id, dest, amount) = (U256::from(4), Address::repeat_byte(0xd3), eth(20));
    reverts(
        env.registry
            .claimPayment(order_id, dest, amount, L2)
            .from(env.mm()),
        PaymentRegistry::NotTransferred {
            key: key(order_id, dest, amount),
        },
    )
    .await;

    env.transfer(order_id, dest, amount).await;
    let wrong_amount = amount - U256::from(1);
    reverts(
        env.registry
            .claimPayment(order_id, dest, wrong_amount, L2)
            .from(env.mm()),
        PaymentRegistry::NotTransferred {
            key: key(order_id, dest, wrong_amount),
        },
    )
    .await;
    let wrong_dest = Address::repeat_byte(0xd4);
    reverts(
        env.registry
            .claimPayment(order_id, wrong_dest, amount, L2)
            .from(env.mm()),
        PaymentRegistry::NotTransferred {
            key: key(order_id, wrong_dest, amount),
        },
    )
    .await;
    reverts(
        env.registry
            .claimPayment(order_id, dest, amount, L2 + 1)
            .from(env.mm()),
        PaymentRegistry::ChainNotRegistered { chainId: L2 + 1 },
    )
    .await;
    let user = env.user(1);
    reverts(
        env.registry
            .claimPayment(order_id, dest, amount, L2)
            .from(user),
        PaymentRegistry::NotMarketMaker { caller: user },
    )
    .await;
    assert_eq!(
        env.transfer_state(key(order_id, dest, amount)).await,
        (true, false)
    );
    assert_eq!(
        env.l1_messenger.messageNonce().call().await.unwrap(),
        U256::ZERO,
        "no message"
    );
}

#[tokio::test]
async fn claim_sends_one_message_to_the_escrow_and_cannot_be_repeated() {
    let env = Env::start().await;
    let (order_id, dest, amount) = (U256::from(5), Address::repeat_byte(0xd5), eth(30));
    env.transfer(order_id, dest, amount).await;
    let receipt = mined(
        env.registry
            .claimPayment(order_id, dest, amount, L2)
            .from(env.mm()),
    )
    .await;
    assert_eq!(
        env.message(&receipt),
        L1Messenger::MessageSent {
            nonce: U256::ZERO,
            sender: *env.registry.address(),
            target: *env.escrow.address(),
            data: Escrow::claim_paymentCall {
                order_id,
                recipient_address: dest,
                amount,
            }
            .abi_encode()
            .into(),
        }
    );
    assert_eq!(
        events::<PaymentRegistry::ClaimPayment>(&receipt, *env.registry.address()),
        vec![PaymentRegistry::ClaimPayment {
            orderId: order_id,
            destAddress: dest,
            amount,
            chainId: L2,
        }]
    );
    assert_eq!(
        env.transfer_state(key(order_id, dest, amount)).await,
        (true, true)
    );
    assert_eq!(
        env.l1_messenger.messageNonce().call().await.unwrap(),
        U256::from(1)
    );

    reverts(
        env.registry
            .claimPayment(order_id, dest, amount, L2)
            .from(env.mm()),
        PaymentRegistry::AlreadyClaimed {
            key: key(order_id, dest, amount),
        },
    )
    .await;
    assert_eq!(
        env.l1_messenger.messageNonce().call().await.unwrap(),
        U256::from(1),
        "one message"
    );
}

#[tokio::test]
async fn relaying_the_claim_releases_amount_and_fee_to_the_market_maker_exactly_once() {
    let env = Env::start().await;
    let (recipient, amount, fee) = (Address::repeat_byte(0xa2), eth(400), eth(3));
    let order_id = env.set_order(env.user(1), recipient, amount, fee).await;
    env.transfer(order_id, recipient, amount).await;
    assert_eq!(env.balance(recipient).await, amount);
    let message = env.claim(order_id, recipient, amount).await;
    assert_eq!(
        env.status(order_id).await,
        OPEN,
        "a claim alone releases nothing"
    );

    let mm_before = env.balance(env.mm()).await;
    let escrow_before = env.balance(*env.escrow.address()).await;
    let receipt = env.relay(&message).await;
    assert_eq!(
        env.balance(env.mm()).await,
        mm_before + amount + fee,
        "amount + fee, exactly"
    );
    assert_eq!(
        env.balance(*env.escrow.address()).await,
        escrow_before - amount - fee
    );
    assert_eq!(env.status(order_id).await, CLAIMED);
    assert!(env.relayed(message.nonce).await);
    assert_eq!(
        env.l2_messenger
            .xDomainMessageSender()
            .call()
            .await
            .unwrap(),
        Address::ZERO,
        "the L1 sender is only set during the relay"
    );
    assert_eq!(
        events::<Escrow::ClaimPayment>(&receipt, *env.escrow.address()),
        vec![Escrow::ClaimPayment {
            order_id,
            mm_address: env.mm(),
            amount: amount + fee,
        }]
    );
    assert_eq!(
        events::<L2Messenger::MessageRelayed>(&receipt, *env.l2_messenger.address()),
        vec![L2Messenger::MessageRelayed {
            nonce: message.nonce,
            sender: *env.registry.address(),
            target: *env.escrow.address(),
        }]
    );

    // The same message again: the messenger refuses the nonce.
    reverts(
        env.relay_call(&message).from(env.relayer()),
        L2Messenger::AlreadyRelayed {
            nonce: message.nonce,
        },
    )
    .await;
    // The same claim again: the registry refuses the key.
    reverts(
        env.registry
            .claimPayment(order_id, recipient, amount, L2)
            .from(env.mm()),
        PaymentRegistry::AlreadyClaimed {
            key: key(order_id, recipient, amount),
        },
    )
    .await;
    // A second valid message for the same order (a second chain id the owner routed to the same
    // escrow, so the registry's key differs): the escrow itself releases an order once.
    mined(
        env.registry
            .registerChain(L2 + 1, *env.l1_messenger.address(), *env.escrow.address())
            .from(env.deployer()),
    )
    .await;
    mined(
        env.registry
            .transfer(order_id, recipient, L2 + 1)
            .value(amount)
            .from(env.mm()),
    )
    .await;
    let again = env.message(
        &mined(
            env.registry
                .claimPayment(order_id, recipient, amount, L2 + 1)
                .from(env.mm()),
        )
        .await,
    );
    let mm_after = env.balance(env.mm()).await;
    reverts(
        env.relay_call(&again).from(env.relayer()),
        Escrow::OrderNotOpen {
            order_id,
            status: CLAIMED,
        },
    )
    .await;
    assert!(
        !env.relayed(again.nonce).await,
        "a failed relay leaves the nonce unrelayed"
    );
    // Nor can the sender reclaim a claimed order, however late.
    increase_time(&env.provider, RECLAIM_DELAY + 1).await;
    reverts(
        env.escrow.reclaim_order(order_id).from(env.user(1)),
        Escrow::OrderNotOpen {
            order_id,
            status: CLAIMED,
        },
    )
    .await;
    assert_eq!(env.balance(env.mm()).await, mm_after);
    assert_eq!(
        env.balance(*env.escrow.address()).await,
        escrow_before - amount - fee
    );
}

#[tokio::test]
async fn claim_payment_not_called_by_the_messenger_is_rejected() {
    let env = Env::start().await;
    let (recipient, amount, fee) = (Address::repeat_byte(0xa3), eth(40), eth(1));
    let order_id = env.set_order(env.user(1), recipient, amount, fee).await;
    for caller in [env.mm(), env.user(1), env.relayer(), env.deployer()] {
        reverts(
            env.escrow
                .claim_payment(order_id, recipient, amount)
                .from(caller),
            Escrow::NotRegistry {},
        )
        .await;
        reverts(
            env.escrow
                .claim_payment_batch(vec![order_id], vec![recipient], vec![amount])
                .from(caller),
            Escrow::NotRegistry {},
        )
        .await;
    }
    assert_eq!(env.status(order_id).await, OPEN);
    assert_eq!(env.balance(*env.escrow.address()).await, amount + fee);
}

#[tokio::test]
async fn a_message_from_another_l1_sender_is_rejected() {
    let env = Env::start().await;
    let (recipient, amount, fee) = (Address::repeat_byte(0xa4), eth(50), eth(2));
    let order_id = env.set_order(env.user(1), recipient, amount, fee).await;
    // Anyone may send through the L1Messenger, with a claim that matches the order exactly...
    let forged = Escrow::claim_paymentCall {
        order_id,
        recipient_address: recipient,
        amount,
    };
    for sender in [env.user(2), env.mm()] {
        let receipt = mined(
            env.l1_messenger
                .sendMessage(*env.escrow.address(), forged.abi_encode().into())
                .from(sender),
        )
        .await;
        let message = env.message(&receipt);
        assert_eq!(message.sender, sender);
        // ...but the escrow refuses it when relayed, because the L1 sender is not the registry.
        reverts(
            env.relay_call(&message).from(env.relayer()),
            Escrow::NotRegistry {},
        )
        .await;
        assert!(!env.relayed(message.nonce).await);
    }
    assert_eq!(
        env.l1_messenger.messageNonce().call().await.unwrap(),
        U256::from(2)
    );
    assert_eq!(env.status(order_id).await, OPEN);
    assert_eq!(env.balance(*env.escrow.address()).await, amount + fee);
}

#[tokio::test]
async fn only_the_relayer_relays() {
    let env = Env::start().await;
    let (recipient, amount, fee) = (Address::repeat_byte(0xa5), eth(60), eth(2));
    let order_id = env.set_order(env.user(1), recipient, amount, fee).await;
    env.transfer(order_id, recipient, amount).await;
    let message = env.claim(order_id, recipient, amount).await;
    for caller in [env.mm(), env.user(1), env.deployer()] {
        reverts(
            env.relay_call(&message).from(caller),
            L2Messenger::NotRelayer { caller },
        )
        .await;
    }
    assert!(!env.relayed(message.nonce).await);
    assert_eq!(env.status(order_id).await, OPEN);

    let mm_before = env.balance(env.mm()).await;
    env.relay(&message).await;
    assert_eq!(env.balance(env.mm()).await, mm_before + amount + fee);
    assert_eq!(env.status(order_id).await, CLAIMED);
}

#[tokio::test]
async fn a_claim_for_another_recipient_or_amount_does_not_release_the_order() {
    let env = Env::start().await;
    let (recipient, amount, fee) = (Address::repeat_byte(0xa6), eth(70), eth(2));
    let order_id = env.set_order(env.user(1), recipient, amount, fee).await;
    // The market maker paid, but the wrong recipient, the wrong amount, or for an unknown order:
    // the registry accepts each claim (it matches a transfer), the escrow refuses to release.
    let wrong_recipient = Address::repeat_byte(0xa7);
    let unknown = U256::from(99);
    let mismatch = Escrow::EscrowErrors::OrderMismatch(Escrow::OrderMismatch { order_id });
    for (id, dest, paid, expected) in [
        (order_id, wrong_recipient, amount, mismatch.clone()),
        (
            order_id,
            recipient,
            amount - U256::from(1),
            mismatch.clone(),
        ),
        (order_id, recipient, amount + fee, mismatch),
        (
            unknown,
            recipient,
            amount,
            Escrow::EscrowErrors::OrderNotOpen(Escrow::OrderNotOpen {
                order_id: unknown,
                status: 0,
            }),
        ),
    ] {
        env.transfer(id, dest, paid).await;
        let message = env.claim(id, dest, paid).await;
        let error = env
            .relay_call(&message)
            .from(env.relayer())
            .send()
            .await
            .map(|pending| *pending.tx_hash())
            .expect_err("the relay must revert");
        assert_eq!(
            error.as_decoded_interface_error::<Escrow::EscrowErrors>(),
            Some(expected),
            "{error:?}"
        );
        assert!(!env.relayed(message.nonce).await);
    }
    assert_eq!(env.status(order_id).await, OPEN);
    assert_eq!(
        env.balance(*env.escrow.address()).await,
        amount + fee,
        "nothing released"
    );
}

#[tokio::test]
async fn batch_claim_releases_the_sum_with_one_event_per_order() {
    let env = Env::start().await;
    let mut ids = Vec::new();
    let mut recipients = Vec::new();
    let mut amounts = Vec::new();
    let mut total = U256::ZERO;
    for n in 1..=3u8 {
        let (recipient, amount, fee) = (
            Address::repeat_byte(0xc0 + n),
            eth(100 * u64::from(n)),
            eth(u64::from(n)),
        );
        let id = env
            .set_order(env.user(n.into()), recipient, amount, fee)
            .await;
        env.transfer(id, recipient, amount).await;
        ids.push(id);
        recipients.push(recipient);
        amounts.push(amount);
        total += amount + fee;
    }

    let receipt = mined(
        env.registry
            .claimPaymentBatch(ids.clone(), recipients.clone(), amounts.clone(), L2)
            .from(env.mm()),
    )
    .await;
    let message = env.message(&receipt);
    assert_eq!(
        message.data,
        Bytes::from(
            Escrow::claim_payment_batchCall {
                order_ids: ids.clone(),
                recipient_addresses: recipients.clone(),
                amounts: amounts.clone(),
            }
            .abi_encode()
        ),
        "one message for the whole batch"
    );
    assert_eq!(
        events::<PaymentRegistry::ClaimPayment>(&receipt, *env.registry.address()),
        (0..3)
            .map(|i| PaymentRegistry::ClaimPayment {
                orderId: ids[i],
                destAddress: recipients[i],
                amount: amounts[i],
                chainId: L2,
            })
            .collect::<Vec<_>>()
    );
    for i in 0..3 {
        assert_eq!(
            env.transfer_state(key(ids[i], recipients[i], amounts[i]))
                .await,
            (true, true)
        );
    }

    let mm_before = env.balance(env.mm()).await;
    let receipt = env.relay(&message).await;
    assert_eq!(
        env.balance(env.mm()).await,
        mm_before + total,
        "the sum, paid once"
    );
    assert_eq!(env.balance(*env.escrow.address()).await, U256::ZERO);
    let mut expected = Vec::new();
    for id in &ids {
        assert_eq!(env.status(*id).await, CLAIMED);
        let order = env.order(*id).await;
        expected.push(Escrow::ClaimPayment {
            order_id: *id,
            mm_address: env.mm(),
            amount: order.amount + order.fee,
        });
    }
    assert_eq!(
        events::<Escrow::ClaimPayment>(&receipt, *env.escrow.address()),
        expected
    );

    reverts(
        env.registry
            .claimPaymentBatch(ids.clone(), recipients.clone(), amounts.clone(), L2)
            .from(env.mm()),
        PaymentRegistry::AlreadyClaimed {
            key: key(ids[0], recipients[0], amounts[0]),
        },
    )
    .await;
    reverts(
        env.relay_call(&message).from(env.relayer()),
        L2Messenger::AlreadyRelayed {
            nonce: message.nonce,
        },
    )
    .await;
    assert_eq!(env.balance(env.mm()).await, mm_before + total);
}

#[tokio::test]
async fn a_batch_with_one_bad_element_reverts_as_a_whole() {
    let env = Env::start().await;
    let mut ids = Vec::new();
    let mut recipients = Vec::new();
    let mut amounts = Vec::new();
    for n in 1..=3u8 {
        let (recipient, amount) = (Address::repeat_byte(0xc0 + n), eth(10 * u64::from(n)));
        ids.push(
            env.set_order(env.user(n.into()), recipient, amount, eth(1))
                .await,
        );
        recipients.push(recipient);
        amounts.push(amount);
    }
    let escrow_before = env.balance(*env.escrow.address()).await;
    env.transfer(ids[0], recipients[0], amounts[0]).await;
    env.transfer(ids[1], recipients[1], amounts[1]).await;
    // The third order was paid one wei short.
    let short = amounts[2] - U256::from(1);
    env.transfer(ids[2], recipients[2], short).await;

    let batch = |ids: &[U256], recipients: &[Address], amounts: &[U256]| {
        env.registry
            .claimPaymentBatch(ids.to_vec(), recipients.to_vec(), amounts.to_vec(), L2)
            .from(env.mm())
    };
    // At the registry: an element without a transfer, a duplicate, ragged or empty arrays.
    reverts(
        batch(&ids, &recipients, &amounts),
        PaymentRegistry::NotTransferred {
            key: key(ids[2], recipients[2], amounts[2]),
        },
    )
    .await;
    reverts(
        batch(&[ids[0], ids[0]], &[recipients[0]; 2], &[amounts[0]; 2]),
        PaymentRegistry::AlreadyClaimed {
            key: key(ids[0], recipients[0], amounts[0]),
        },
    )
    .await;
    reverts(
        batch(&ids[..2], &recipients[..1], &amounts[..2]),
        PaymentRegistry::LengthMismatch {},
    )
    .await;
    reverts(
        batch(&ids[..2], &recipients[..2], &amounts[..3]),
        PaymentRegistry::LengthMismatch {},
    )
    .await;
    reverts(batch(&[], &[], &[]), PaymentRegistry::EmptyBatch {}).await;
    for i in 0..2 {
        assert_eq!(
            env.transfer_state(key(ids[i], recipients[i], amounts[i]))
                .await,
            (true, false),
            "no element of a failed batch is claimed"
        );
    }
    assert_eq!(
        env.l1_messenger.messageNonce().call().await.unwrap(),
        U256::ZERO
    );

    // At the escrow: the registry accepts the short payment's claim, the escrow refuses the
    // whole batch, including the two valid orders before it.
    let claimed = [amounts[0], amounts[1], short];
    let message = env.message(&mined(batch(&ids, &recipients, &claimed)).await);
    let mm_before = env.balance(env.mm()).await;
    reverts_for(
        "the relay",
        env.relay_call(&message).from(env.relayer()),
        Escrow::OrderMismatch { order_id: ids[2] },
    )
    .await;
    assert!(!env.relayed(message.nonce).await);
    for id in &ids {
        assert_eq!(env.status(*id).await, OPEN);
    }
    assert_eq!(env.balance(env.mm()).await, mm_before);
    assert_eq!(env.balance(*env.escrow.address()).await, escrow_before);
}

#[tokio::test]
async fn reclaim_before_the_delay_or_by_another_account_is_rejected() {
    let env = Env::start().await;
    let (sender, other) = (env.user(1), env.user(2));
    let (amount, fee) = (eth(80), eth(2));
    let order_id = env
        .set_order(sender, Address::repeat_byte(0xa8), amount, fee)
        .await;
    let reclaimable_at = U256::from(env.order(order_id).await.created_at + RECLAIM_DELAY);
    reverts(
        env.escrow.reclaim_order(order_id).from(sender),
        Escrow::ReclaimTooEarly {
            order_id,
            reclaimable_at,
        },
    )
    .await;
    increase_time(&env.provider, RECLAIM_DELAY - 100).await;
    reverts(
        env.escrow.reclaim_order(order_id).from(sender),
        Escrow::ReclaimTooEarly {
            order_id,
            reclaimable_at,
        },
    )
    .await;
    increase_time(&env.provider, 200).await;
    for caller in [other, env.mm()] {
        reverts(
            env.escrow.reclaim_order(order_id).from(caller),
            Escrow::NotOrderSender { order_id, caller },
        )
        .await;
    }
    let unknown = U256::from(42);
    reverts(
        env.escrow.reclaim_order(unknown).from(sender),
        Escrow::OrderNotOpen {
            order_id: unknown,
            status: 0,
        },
    )
    .await;
    assert_eq!(env.status(order_id).await, OPEN);
    assert_eq!(env.balance(*env.escrow.address()).await, amount + fee);
}

#[tokio::test]
async fn reclaim_after_the_delay_refunds_the_sender_once_and_a_later_claim_is_rejected() {
    let env = Env::start().await;
    let (sender, recipient) = (env.user(1), Address::repeat_byte(0xa9));
    let (amount, fee) = (eth(90), eth(4));
    let order_id = env.set_order(sender, recipient, amount, fee).await;
    increase_time(&env.provider, RECLAIM_DELAY).await;

    let before = env.balance(sender).await;
    let receipt = mined(env.escrow.reclaim_order(order_id).from(sender)).await;
    assert_eq!(
        env.balance(sender).await,
        before + amount + fee - gas_cost(&receipt),
        "amount + fee back, less the gas"
    );
    assert_eq!(env.balance(*env.escrow.address()).await, U256::ZERO);
    assert_eq!(env.status(order_id).await, RECLAIMED);
    assert_eq!(
        events::<Escrow::ReclaimOrder>(&receipt, *env.escrow.address()),
        vec![Escrow::ReclaimOrder {
            order_id,
            sender,
            amount: amount + fee,
        }]
    );

    reverts(
        env.escrow.reclaim_order(order_id).from(sender),
        Escrow::OrderNotOpen {
            order_id,
            status: RECLAIMED,
        },
    )
    .await;
    // The market maker paid too late: its claim reaches the escrow and is refused.
    env.transfer(order_id, recipient, amount).await;
    let message = env.claim(order_id, recipient, amount).await;
    let mm_before = env.balance(env.mm()).await;
    reverts(
        env.relay_call(&message).from(env.relayer()),
        Escrow::OrderNotOpen {
            order_id,
            status: RECLAIMED,
        },
    )
    .await;
    assert!(!env.relayed(message.nonce).await);
    assert_eq!(env.balance(env.mm()).await, mm_before);
    assert_eq!(env.status(order_id).await, RECLAIMED);
}

/// Sends `data` with `value` from user 1 to `to`, which must succeed.
async fn through(env: &Env, to: Address, data: Vec<u8>, value: U256) {
    let request = TransactionRequest::default()
        .with_from(env.user(1))
        .with_to(to)
        .with_input(data)
        .with_value(value);
    let receipt = env
        .provider
        .send_transaction(request)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status(), "{receipt:?}");
}

/// Runtime code of an order sender that re-enters the escrow when refunded. Called with calldata,
/// it forwards the call and its value to `escrow` (so the test can `set_order` and
/// `reclaim_order` through it, making it the order's sender) and bubbles up a revert. Called
/// without calldata (the escrow's refund), it calls `escrow.reclaim_order(order_id)` again,
/// ignores the outcome so the refund itself succeeds, and records it: slot 0 = success + 1,
/// slot 1 = the revert's selector, slot 2 and 3 = its first two arguments.
fn reentrant_sender_code(escrow: Address, order_id: U256) -> Bytes {
    const PUSH0: u8 = 0x5f;
    const PUSH1: u8 = 0x60;
    const PUSH2: u8 = 0x61;
    const PUSH20: u8 = 0x73;
    const PUSH32: u8 = 0x7f;
    const JUMPI: u8 = 0x57;
    const JUMPDEST: u8 = 0x5b;
    const CALLDATASIZE: u8 = 0x36;
    const CALLDATACOPY: u8 = 0x37;
    const CALLVALUE: u8 = 0x34;
    const RETURNDATASIZE: u8 = 0x3d;
    const RETURNDATACOPY: u8 = 0x3e;
    const ISZERO: u8 = 0x15;
    const ADD: u8 = 0x01;
    const SHR: u8 = 0x1c;
    const MLOAD: u8 = 0x51;
    const MSTORE: u8 = 0x52;
    const SSTORE: u8 = 0x55;
    const GAS: u8 = 0x5a;
    const CALL: u8 = 0xf1;
    const STOP: u8 = 0x00;
    const REVERT: u8 = 0xfd;

    let mut code = vec![CALLDATASIZE, ISZERO, PUSH2, 0, 0, JUMPI];
    let to_receive = 3;
    // forward: calldatacopy(0, 0, calldatasize); call(gas, escrow, callvalue, 0, calldatasize, 0, 0)
    code.extend([CALLDATASIZE, PUSH0, PUSH0, CALLDATACOPY]);
    code.extend([PUSH0, PUSH0, CALLDATASIZE, PUSH0, CALLVALUE, PUSH20]);
    code.extend(escrow.as_slice());
    code.extend([GAS, CALL, PUSH2, 0, 0, JUMPI]);
    let to_done = code.len() - 3;
    // the forwarded call reverted: revert with its data
    code.extend([
        RETURNDATASIZE,
        PUSH0,
        PUSH0,
        RETURNDATACOPY,
        RETURNDATASIZE,
        PUSH0,
        REVERT,
    ]);
    let done = code.len();
    code.extend([JUMPDEST, STOP]);

    // receive: mem[0..36] = reclaim_order(order_id); call(gas, escrow, 0, 0, 36, 0, 0)
    let receive = code.len();
    code.push(JUMPDEST);
    code.push(PUSH32);
    code.extend(Escrow::reclaim_orderCall::SELECTOR);
    code.extend([0; 28]);
    code.extend([PUSH0, MSTORE, PUSH32]);
    code.extend(order_id.to_be_bytes::<32>());
    code.extend([PUSH1, 4, MSTORE]);
    code.extend([PUSH0, PUSH0, PUSH1, 0x24, PUSH0, PUSH0, PUSH20]);
    code.extend(escrow.as_slice());
    code.extend([GAS, CALL]);
    // sstore(0, success + 1); returndatacopy(0, 0, returndatasize);
    // sstore(1, mload(0) >> 224); sstore(2, mload(4)); sstore(3, mload(36))
    code.extend([PUSH1, 1, ADD, PUSH0, SSTORE]);
    code.extend([RETURNDATASIZE, PUSH0, PUSH0, RETURNDATACOPY]);
    code.extend([PUSH0, MLOAD, PUSH1, 0xe0, SHR, PUSH1, 1, SSTORE]);
    code.extend([PUSH1, 4, MLOAD, PUSH1, 2, SSTORE]);
    code.extend([PUSH1, 0x24, MLOAD, PUSH1, 3, SSTORE, STOP]);

    code[to_receive..to_receive + 2].copy_from_slice(&(receive as u16).to_be_bytes());
    code[to_done..to_done + 2].copy_from_slice(&(done as u16).to_be_bytes());
    code.into()
}

#[tokio::test]
async fn a_reentrant_sender_cannot_reclaim_twice() {
    let env = Env::start().await;
    let escrow = *env.escrow.address();
    let attacker = Address::repeat_byte(0xee);
    // The first order of this fresh escrow has id 0.
    set_code(
        &env.provider,
        attacker,
        reentrant_sender_code(escrow, U256::ZERO),
    )
    .await;
    let (amount, fee) = (eth(20), eth(1));
    through(
        &env,
        attacker,
        Escrow::set_orderCall {
            recipient_address: Address::repeat_byte(0xab),
            fee,
        }
        .abi_encode(),
        amount + fee,
    )
    .await;
    let order_id = U256::ZERO;
    assert_eq!(env.order(order_id).await.sender, attacker);
    // Another user's order, so the escrow holds more than the attacker's refund.
    let (other_amount, other_fee) = (eth(500), eth(5));
    let other = env
        .set_order(
            env.user(2),
            Address::repeat_byte(0xaa),
            other_amount,
            other_fee,
        )
        .await;

    increase_time(&env.provider, RECLAIM_DELAY).await;
    through(
        &env,
        attacker,
        Escrow::reclaim_orderCall { order_id }.abi_encode(),
        U256::ZERO,
    )
    .await;

    let slot = |n: u64| env.provider.get_storage_at(attacker, U256::from(n));
    assert_eq!(
        slot(0).await.unwrap(),
        U256::from(1),
        "the re-entrant reclaim was tried and failed"
    );
    assert_eq!(
        slot(1).await.unwrap(),
        U256::from(u32::from_be_bytes(Escrow::OrderNotOpen::SELECTOR)),
        "it failed with OrderNotOpen"
    );
    assert_eq!(slot(2).await.unwrap(), order_id);
    assert_eq!(
        slot(3).await.unwrap(),
        U256::from(RECLAIMED),
        "the order was already closed"
    );
    assert_eq!(env.balance(attacker).await, amount + fee, "refunded once");
    assert_eq!(
        env.balance(escrow).await,
        other_amount + other_fee,
        "the other order is intact"
    );
    assert_eq!(env.status(order_id).await, RECLAIMED);
    assert_eq!(env.status(other).await, OPEN);
}

#[tokio::test]
async fn constructors_reject_zero_addresses() {
    let env = Env::start().await;
    let some = Address::repeat_byte(0x5e);
    for (messenger, registry, mm) in [
        (Address::ZERO, some, some),
        (some, Address::ZERO, some),
        (some, some, Address::ZERO),
    ] {
        reverts_for(
            "deploying with a zero address",
            Escrow::deploy_builder(env.provider.clone(), messenger, registry, mm, 1)
                .from(env.deployer()),
            Escrow::ZeroAddress {},
        )
        .await;
    }
    reverts_for(
        "deploying without a relayer",
        L2Messenger::deploy_builder(env.provider.clone(), Address::ZERO).from(env.deployer()),
        L2Messenger::ZeroAddress {},
    )
    .await;
    reverts_for(
        "deploying without a market maker",
        PaymentRegistry::deploy_builder(env.provider.clone(), Address::ZERO).from(env.deployer()),
        PaymentRegistry::ZeroAddress {},
    )
    .await;
    let nonce = env
        .provider
        .get_transaction_count(env.deployer())
        .await
        .unwrap();
    assert_eq!(
        nonce, 5,
        "four deployments and registerChain, nothing since"
    );
}
