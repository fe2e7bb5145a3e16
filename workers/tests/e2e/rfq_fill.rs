//! The RFQ fill end to end, on a real Temporal dev server, anvil, the real `RfqSettlement` and the
//! real role processes (orchestrator, hot wallet, paper exchange, order book manager, dealer): a
//! taker quotes, approves and submits through the public JSON-RPC; the `fill-<quoteId>` workflow
//! checks, settles once and confirms. Refusals keep their spec codes and send nothing; a
//! settlement that reverts on chain ends "fill failed"; a hot wallet SIGKILLed after broadcasting
//! settles exactly once; the recorded history replays. The settled fill is hedged on the paper
//! exchange by its market's hedger; `hedging` tests the hedger's epochs and an exchange worker
//! crash. The Python taker example (`dealer/examples/python/taker.py`) runs unmodified against the
//! same front door, and its fill is checked on chain.
//!
//! Tests that fill through the dealer take turns (`serial`): two of them hold L1's blocks.

mod hedging;

use crate::support;

use alloy::{
    primitives::{B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use hedgeflow::dev::deploy::TestToken;
use hedgeflow_activities::{rfq::contract::RfqSettlement, store::Store};
use hedgeflow_dealer::taker::{FillAck, TakerClient, TakerQuote};
use hedgeflow_proto::rfq::fill::{FillResult, FillStatus};
use hedgeflow_proto::workflows::FillWorkflow;
use std::{path::Path, sync::LazyLock, time::Duration};
use support::{L1_ID, Stack, eventually, rfq_stack, taker::Taker};
use temporalio_client::WorkflowGetResultOptions;
use tokio::sync::{Mutex, MutexGuard};

const WAIT: Duration = Duration::from_secs(120);

/// [`support::run`] with the shared stacks to this module's tests and `hedging`'s (see
/// [`support::run_as`]).
fn run<F>(body: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    support::run_as("rfq_fill", body)
}
const WETH: u128 = 1_000_000_000_000_000_000;
const USDC: u128 = 1_000_000;

static SERIAL: LazyLock<Mutex<()>> = LazyLock::new(|| Mutex::new(()));

async fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().await
}

fn quote_id(quote: &TakerQuote) -> String {
    quote.quote().quote_id.to_string()
}

async fn store(stack: &Stack) -> Store {
    Store::connect(&stack.config.database.url).await.unwrap()
}

/// The quote row's status once it is `status`, with its history and settlement.
async fn row_at(
    stack: &Stack,
    quote_id: &str,
    status: FillStatus,
) -> hedgeflow_activities::store::entity::rfq_quote::Model {
    let store = store(stack).await;
    eventually(&format!("quote {quote_id} at {status:?}"), WAIT, || async {
        let row = store.rfq_quote(quote_id).await.ok()??;
        (row.status == status.as_str()).then_some(row)
    })
    .await
}

fn statuses(row: &hedgeflow_activities::store::entity::rfq_quote::Model) -> Vec<String> {
    row.status_history
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn result(stack: &Stack, quote_id: &str) -> FillResult {
    let handle = stack
        .client
        .get_workflow_handle::<FillWorkflow>(format!("fill-{quote_id}"));
    tokio::time::timeout(WAIT, handle.get_result(WorkflowGetResultOptions::default()))
        .await
        .expect("the fill workflow to finish")
        .expect("its result")
}

/// How many `RfqOrderFilled` events the settlement emitted for `order_hash`.
async fn fills_on_chain(taker: &Taker, order_hash: B256) -> usize {
    let filter = alloy::rpc::types::Filter::new()
        .address(taker.settlement)
        .event_signature(
            <RfqSettlement::RfqOrderFilled as alloy::sol_types::SolEvent>::SIGNATURE_HASH,
        )
        .from_block(0);
    let logs = taker.l1.get_logs(&filter).await.unwrap();
    logs.iter()
        .filter_map(|log| log.log_decode::<RfqSettlement::RfqOrderFilled>().ok())
        .filter(|event| event.inner.data.orderHash == order_hash)
        .count()
}

#[test]
fn a_taker_fill_settles_once_and_moves_exactly_the_quoted_amounts() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        let taker = Taker::new(stack, 1, (0, 100_000 * USDC), u128::MAX).await;
        let quote = taker.quote(WETH).await;
        let id = quote_id(&quote);
        let (maker_size, taker_size) = (quote.quote().maker_size, quote.quote().taker_size);
        let hot_wallet = stack.config.hot_wallet.address;
        let before = (
            taker.balance(taker.weth).await,
            taker.balance(taker.usdc).await,
            stack.balance(L1_ID, Some(taker.weth), hot_wallet).await,
            stack.balance(L1_ID, Some(taker.usdc), hot_wallet).await,
        );

        // The soft cancel is served with the quote: the bound and the mid it counts from.
        let validity = &quote.quote().validity;
        assert_eq!(validity[0].name, "max-adverse-mid-move-bps");
        assert_eq!(validity[0].value, "100");
        assert_eq!(validity[1].name, "reference-mid");
        let ack = taker.fill(&quote).await.expect("the fill is submitted");
        assert_eq!(ack.extra["status"], "fill submitted");
        // The same submit again joins the workflow: the same transaction.
        let again = taker.fill(&quote).await.expect("a repeat answers");
        assert_eq!(again.transaction_hash, ack.transaction_hash);

        let result = result(stack, &id).await;
        assert_eq!(result.status, FillStatus::FilledUnhedged);
        let receipt = result.receipt.expect("a confirmed receipt");
        assert_eq!(receipt.tx_hash, ack.transaction_hash);
        // Settled, then hedged by the market's hedger within an epoch or two.
        let row = row_at(stack, &id, FillStatus::Hedged).await;
        assert_eq!(row.fill_tx, Some(ack.transaction_hash.to_string()));
        assert_eq!(row.fill_block, Some(receipt.block_number as i64));
        assert_eq!(
            statuses(&row),
            [
                "quoted",
                "fill requested",
                "fill submitted",
                "filled, unhedged",
                "hedged"
            ]
        );
        // The hedge: a buy of the netted size on the paper exchange, recorded on the quote.
        let hedge_id = row
            .hedge_order
            .clone()
            .expect("the hedge order on the quote");
        let hedge = store(stack)
            .await
            .rfq_hedges("WETH/USDC")
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.client_order_id == hedge_id)
            .expect("the hedge's row");
        assert!(hedge.quotes.to_string().contains(&id));
        let order = hedging::exchange_order(stack, &hedge_id)
            .await
            .expect("the hedge order on the paper exchange");
        assert_eq!(order.side, hedgeflow_exchange::Side::Buy);
        let net: rust_decimal::Decimal = hedge.net.parse().unwrap();
        assert_eq!(order.orig_qty, net, "the netted size");
        assert!(
            net >= rust_decimal::Decimal::ONE,
            "our 1 WETH is in the net"
        );
        assert_eq!(order.executed_qty.to_string(), hedge.executed);
        let trade = row.hedge_trade.expect("the hedge trade on the quote");
        assert_eq!(trade["order_id"], order.order_id);
        let pnl: rust_decimal::Decimal = row.realized_pnl.expect("a P&L").parse().unwrap();
        assert!(pnl.abs() < rust_decimal::Decimal::from(300), "{pnl}");
        // The taker reads the same through `dealer_getFillStatus`.
        let state = taker
            .client
            .fill_status(quote.quote().quote_id)
            .await
            .unwrap();
        assert_eq!(state.status, "hedged");
        assert_eq!(state.transaction_hash, Some(ack.transaction_hash));
        assert!(state.is_final());
        // Ops read the whole record, and the inventory across hot wallet and exchange.
        let (ok, shown, err) = stack.cli(&["quotes", "show", &id]).await;
        assert!(ok, "{err}");
        for expected in [
            hedge_id.as_str(),
            "realized P&L",
            "hedged",
            &ack.transaction_hash.to_string(),
        ] {
            assert!(shown.contains(expected), "{expected} in {shown}");
        }
        let (ok, inventory, err) = stack.cli(&["inventory"]).await;
        assert!(ok, "{err}");
        for expected in ["WETH", "USDC", "hedgers", "WETH/USDC", "exchange", "USDT"] {
            assert!(inventory.contains(expected), "{expected} in {inventory}");
        }
        let (ok, _, err) = stack.cli(&["quotes", "show", "not-a-quote"]).await;
        assert!(!ok && err.contains("not a quote id"), "{err}");

        // Exactly the quoted amounts moved, once.
        assert_eq!(taker.balance(taker.weth).await, before.0 + maker_size);
        assert_eq!(taker.balance(taker.usdc).await, before.1 - taker_size);
        assert_eq!(
            stack.balance(L1_ID, Some(taker.weth), hot_wallet).await,
            before.2 - maker_size
        );
        assert_eq!(
            stack.balance(L1_ID, Some(taker.usdc), hot_wallet).await,
            before.3 + taker_size
        );
        assert_eq!(fills_on_chain(&taker, quote.order().hash).await, 1);
        assert_eq!(stack.journal_entries(&format!("fill-{id}/settle")).len(), 1);

        replay(stack, &id, "fill-settled.json").await;
    });
}

/// The dev mnemonic's account the Python taker example fills as: beyond anvil's funded 0 to 9 and
/// the other takers here (1 to 6).
const PYTHON_TAKER: u32 = 12;

/// What a taker not written in Rust sees: `dealer/examples/python/taker.py`, unmodified, quotes,
/// checks and approves (eth-account's EIP-712) and fills through the front door. Its printed
/// quote is what the chain moved, once.
#[test]
fn the_python_taker_example_fills_a_quote_that_settles_once_for_exactly_its_sizes() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        // Gas for the taker's approvals (anvil funds accounts 0 to 9 only); the fill itself is
        // sent by the hot wallet.
        let gas = U256::from(10u128.pow(19));
        let account = support::dev_account(PYTHON_TAKER).address();
        let _: () = stack
            .l1
            .raw_request("anvil_setBalance".into(), (account, gas))
            .await
            .unwrap();
        let taker = Taker::new(stack, PYTHON_TAKER, (0, 100_000 * USDC), u128::MAX).await;
        // Once the dealer serves quotes (a small one, left unfilled): the script runs once, so a
        // stack still warming up is not its failure.
        taker.quote(WETH / 100).await;
        let before = (
            taker.balance(taker.weth).await,
            taker.balance(taker.usdc).await,
        );

        let stdout = python_taker(stack, &taker).await;
        let id = printed(&stdout, "quote ").to_owned();
        let maker_size: U256 = printed(&stdout, "  receive ").parse().unwrap();
        let taker_size: U256 = printed(&stdout, "  pay     ").parse().unwrap();
        let order_hash: B256 = printed(&stdout, "  order   ").parse().unwrap();
        let tx: B256 = printed(&stdout, "fill submitted: transaction ")
            .parse()
            .unwrap();
        assert_eq!(maker_size, U256::from(WETH), "the default size, 1 WETH");

        // On chain: the settlement mined and succeeded, exactly the printed sizes moved, once.
        let receipt = taker
            .l1
            .get_transaction_receipt(tx)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("the printed fill transaction {tx} is not mined"));
        assert!(receipt.status(), "the fill transaction {tx} reverted");
        assert_eq!(receipt.to, Some(taker.settlement));
        assert_eq!(
            taker.balance(taker.weth).await,
            before.0 + maker_size,
            "the taker received exactly the quoted maker size"
        );
        assert_eq!(
            taker.balance(taker.usdc).await,
            before.1 - taker_size,
            "the taker paid exactly the quoted taker size"
        );
        assert_eq!(fills_on_chain(&taker, order_hash).await, 1);

        // Settled once, by the quote's fill workflow, through that transaction.
        let result = result(stack, &id).await;
        assert_eq!(result.status, FillStatus::FilledUnhedged);
        assert_eq!(result.receipt.expect("a confirmed receipt").tx_hash, tx);
        assert_eq!(stack.journal_entries(&format!("fill-{id}/settle")).len(), 1);
        let row = store(stack).await.rfq_quote(&id).await.unwrap().unwrap();
        assert_eq!(row.fill_tx, Some(tx.to_string()));
        let submitted = statuses(&row)
            .iter()
            .filter(|s| *s == "fill submitted")
            .count();
        assert_eq!(submitted, 1, "{:?}", statuses(&row));
        let status = printed_line(&stdout, "fill status: ");
        assert!(["filled, unhedged", "hedged"].contains(&status), "{status}");
    });
}

/// Runs `dealer/examples/python/taker.py` as its README says (`python3` with the clients
/// `scripts/bootstrap` installs), as `taker` against the stack's front door and tokens; its stdout,
/// once it exited 0 without printing the key.
async fn python_taker(stack: &Stack, taker: &Taker) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace");
    let clients = root.join(".tools/python-clients");
    assert!(
        clients.join("eth_account").is_dir(),
        "eth-account is not installed in {}: run scripts/bootstrap",
        clients.display()
    );
    let key = alloy::hex::encode(taker.signer.to_bytes());
    let script = tokio::process::Command::new("python3")
        .arg(root.join("dealer/examples/python/taker.py"))
        .args(["--maker-asset", &taker.weth.to_string()])
        .args(["--taker-asset", &taker.usdc.to_string()])
        .env("PYTHONPATH", &clients)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("DEALER_URL", stack.dealer_url())
        .env("TAKER_PRIVATE_KEY", format!("0x{key}"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(WAIT, script)
        .await
        .expect("taker.py to finish")
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "taker.py failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        !stdout.contains(&key) && !stderr.contains(&key),
        "taker.py printed its key"
    );
    stdout
}

/// The rest of the line of `stdout` that starts with `prefix`.
fn printed_line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in taker.py's output:\n{stdout}"))
}

/// The first word after `prefix` on its line of `stdout`.
fn printed<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    printed_line(stdout, prefix)
        .split_whitespace()
        .next()
        .unwrap_or_else(|| panic!("nothing after {prefix:?} in taker.py's output:\n{stdout}"))
}

#[test]
fn fills_the_chain_would_refuse_are_rejected_with_their_codes_and_nothing_is_sent() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        // Holds USDC but approved none of it: -42019.
        let unapproved = Taker::new(stack, 2, (0, 10_000 * USDC), 0).await;
        // Approved, but holds no USDC: -42018.
        let broke = Taker::new(stack, 3, (0, 0), u128::MAX).await;
        for (taker, code, why) in [(&unapproved, -42019, "approved"), (&broke, -42018, "holds")] {
            let quote = taker.quote(WETH / 10).await;
            let id = quote_id(&quote);
            let refused = taker.fill(&quote).await.unwrap_err();
            assert_eq!(refused.rpc_code(), Some(code), "{refused}");
            let result = result(stack, &id).await;
            assert_eq!(result.status, FillStatus::Rejected);
            assert!(result.reason.unwrap().contains(why));
            let row = row_at(stack, &id, FillStatus::Rejected).await;
            assert_eq!(row.fill_tx, None);
            assert!(row.fill_detail.unwrap().contains(why));
            assert!(
                stack
                    .journal_entries(&format!("fill-{id}/settle"))
                    .is_empty()
            );
            // Asked again, the same refusal: the workflow's answer, not a second run.
            let again = taker.fill(&quote).await.unwrap_err();
            assert_eq!(again.rpc_code(), Some(code));
        }
    });
}

#[test]
fn a_fill_whose_market_cannot_be_priced_is_soft_cancelled_and_nothing_is_sent() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        let taker = Taker::new(stack, 6, (0, 10_000 * USDC), u128::MAX).await;
        let quote = taker.quote(WETH / 10).await;
        let id = quote_id(&quote);
        // Without the order book manager the dealer's books go stale (3 s): the soft cancel
        // has no fresh mid to check the quote against, so the fill is refused.
        stack.kill_role("obm").await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let refused = taker.fill(&quote).await.unwrap_err();
        stack.start_role("obm").await.unwrap();
        assert_eq!(refused.rpc_code(), Some(-42017), "{refused}");
        assert!(refused.to_string().contains("soft cancel"), "{refused}");
        let row = store(stack).await.rfq_quote(&id).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.fill_request), ("quoted", None));
        assert!(
            stack
                .journal_entries(&format!("fill-{id}/settle"))
                .is_empty()
        );
        let described = stack
            .client
            .get_workflow_handle::<FillWorkflow>(format!("fill-{id}"))
            .describe(Default::default())
            .await;
        assert!(described.is_err(), "no fill workflow was started");
    });
}

/// A fill whose settlement is broadcast while L1's blocks are held: the test acts before it is
/// mined. The taker's `dealer_submitFill` runs in a task of its own, waiting on the answer.
struct HeldFill {
    taker: Taker,
    quote: TakerQuote,
    intent: String,
    sent: B256,
    filling: tokio::task::JoinHandle<Result<FillAck, hedgeflow_dealer::taker::TakerError>>,
}

/// Dev account `index` buys 0.1 WETH with blocks held until the settlement is broadcast.
async fn hold_fill(stack: &Stack, index: u32) -> HeldFill {
    let taker = Taker::new(stack, index, (0, 10_000 * USDC), u128::MAX).await;
    let quote = taker.quote(WETH / 10).await;
    let intent = format!("fill-{}/settle", quote_id(&quote));
    stack.mine_l1_every(0).await;
    let client = TakerClient::new(&stack.dealer_url()).unwrap();
    let approval = client.approve(&quote, &taker.signer).unwrap();
    let (submitted, address) = (quote.clone(), taker.address());
    let filling =
        tokio::spawn(async move { client.submit_fill(&submitted, &approval, address).await });
    let sent = stack.broadcast_of(&intent, WAIT).await;
    HeldFill {
        taker,
        quote,
        intent,
        sent,
        filling,
    }
}

#[test]
fn a_settlement_that_reverts_on_chain_ends_fill_failed_and_moves_nothing() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        // The settlement passes its check and is broadcast; the taker then withdraws its
        // allowance with a higher tip, so that is mined first and the settlement reverts in the
        // same block.
        let HeldFill {
            taker,
            quote,
            sent,
            filling,
            ..
        } = hold_fill(stack, 4).await;
        let id = quote_id(&quote);
        let usdc_before = taker.balance(taker.usdc).await;
        let withdraw = TestToken::new(taker.usdc, &taker.l1)
            .approve(taker.settlement, U256::ZERO)
            .from(taker.address())
            .max_priority_fee_per_gas(50_000_000_000)
            .max_fee_per_gas(100_000_000_000)
            .send()
            .await
            .unwrap();
        stack
            .l1
            .raw_request::<_, String>("evm_mine".into(), ())
            .await
            .unwrap();
        stack.mine_l1_every(1).await;
        assert!(withdraw.get_receipt().await.unwrap().status());

        // The taker was answered when the settlement was in its block; the watch then finds
        // the revert.
        let ack = filling.await.unwrap().expect("the fill was submitted");
        assert_eq!(ack.transaction_hash, sent);
        let result = result(stack, &id).await;
        assert_eq!(result.status, FillStatus::Failed);
        assert!(result.reason.unwrap().contains("reverted"));
        let row = row_at(stack, &id, FillStatus::Failed).await;
        assert_eq!(row.fill_tx, Some(sent.to_string()));
        assert_eq!(
            statuses(&row),
            ["quoted", "fill requested", "fill submitted", "fill failed"]
        );
        assert_eq!(taker.balance(taker.usdc).await, usdc_before);
        assert_eq!(fills_on_chain(&taker, quote.order().hash).await, 0);
        // Never hedged: two epochs later no hedge covers it and the row is unchanged.
        tokio::time::sleep(Duration::from_millis(2 * support::HEDGE_EPOCH_MS)).await;
        let hedges = store(stack).await.rfq_hedges("WETH/USDC").await.unwrap();
        assert!(hedges.iter().all(|h| !h.quotes.to_string().contains(&id)));
        let row = row_at(stack, &id, FillStatus::Failed).await;
        assert_eq!((row.hedge_order, row.realized_pnl), (None, None));
    });
}

#[test]
fn a_hot_wallet_killed_after_broadcasting_the_settlement_settles_it_once() {
    run(async {
        let _turn = serial().await;
        let stack = rfq_stack().await;
        let HeldFill {
            taker,
            quote,
            intent,
            sent,
            filling,
        } = hold_fill(stack, 5).await;
        let id = quote_id(&quote);
        let weth_before = taker.balance(taker.weth).await;
        stack.kill_role("hot-wallet").await;
        stack.mine_l1_every(1).await;
        stack.start_role("hot-wallet").await.unwrap();

        // The taker's client may give up while the engine notices the dead worker (10 s
        // heartbeat); asking again joins the same workflow and gets its answer.
        let ack = match filling.await.unwrap() {
            Ok(ack) => ack,
            Err(_) => taker.fill(&quote).await.expect("the fill was submitted"),
        };
        assert_eq!(ack.transaction_hash, sent);
        let result = result(stack, &id).await;
        assert_eq!(result.status, FillStatus::FilledUnhedged);
        assert_eq!(
            stack.journal_entries(&intent).len(),
            1,
            "one settlement signed"
        );
        assert_eq!(fills_on_chain(&taker, quote.order().hash).await, 1);
        assert_eq!(
            taker.balance(taker.weth).await,
            weth_before + quote.quote().maker_size
        );
    });
}

/// Replays the fill's history against today's code.
async fn replay(stack: &Stack, quote_id: &str, fixture: &str) {
    let handle = stack
        .client
        .get_workflow_handle::<FillWorkflow>(format!("fill-{quote_id}"));
    support::replay_history(handle, fixture).await;
}

/// A rogue worker (a workflow of its own on its own task queue, as any process reaching the
/// Temporal frontend can run) asks the hot wallet for calls our workflows would never ask: an
/// escrow transfer paying more than the L2 order, a settlement of an order the hot wallet never
/// signed, a call to a contract no pipeline uses. Each is refused by its rule and nothing is
/// signed; the real order is still paid exactly once, by its own workflow, under the policy.
#[test]
fn the_hot_wallet_signs_nothing_a_rogue_worker_asks_beyond_its_policy() {
    run(async {
        let stack = rfq_stack().await;
        let escrow = stack.config.escrow.as_ref().unwrap();
        let order = hedgeflow::cli::demo::place_orders(&stack.config, 1, None, "0.01", None)
            .await
            .unwrap()
            .remove(0);
        let twice = hedgeflow_proto::Amount::from(order.amount.0 * U256::from(2));
        let greedy = hedgeflow_proto::chain::TxIntent {
            intent_key: "rogue/escrow-transfer".into(),
            chain_id: L1_ID,
            to: escrow.payment_registry,
            value: twice,
            data: alloy::sol_types::SolCall::abi_encode(
                &hedgeflow_proto::escrow::IPaymentRegistry::transferCall {
                    orderId: U256::from(order.order_id),
                    destAddress: order.recipient,
                    chainId: u128::from(order.chain_id),
                },
            )
            .into(),
        };

        let stranger = PrivateKeySigner::random();
        let settlement = stack.config.settlement.as_ref().unwrap().contract;
        let unsigned = hedgeflow_proto::rfq::quote::RfqOrder {
            makerToken: stack.token("WETH"),
            takerToken: stack.token("USDC"),
            makerAmount: WETH,
            takerAmount: 1,
            maker: support::HOT_WALLET.parse().unwrap(),
            taker: stranger.address(),
            txOrigin: support::HOT_WALLET.parse().unwrap(),
            pool: B256::ZERO,
            expiry: u64::MAX,
            salt: U256::from(7),
        };
        let hash = alloy::sol_types::SolStruct::eip712_signing_hash(
            &unsigned,
            &hedgeflow_proto::rfq::quote::domain(L1_ID, settlement),
        );
        let forged = alloy::signers::SignerSync::sign_hash_sync(&stranger, &hash).unwrap();
        let settle = hedgeflow_proto::chain::TxIntent {
            intent_key: "rogue/settle".into(),
            chain_id: L1_ID,
            to: settlement,
            value: hedgeflow_proto::Amount::ZERO,
            data: hedgeflow_proto::rfq::quote::fill_calldata(&unsigned, &forged.as_bytes(), &[])
                .into(),
        };
        let elsewhere = hedgeflow_proto::chain::TxIntent {
            intent_key: "rogue/elsewhere".into(),
            chain_id: L1_ID,
            to: support::fresh_address(),
            value: hedgeflow_proto::Amount::ZERO,
            data: vec![0xde, 0xad, 0xbe, 0xef].into(),
        };

        for (intent, rule) in [
            (greedy, "escrow-transfer"),
            (settle, "rfq-settle"),
            (elsewhere, "allowlist"),
        ] {
            let key = intent.intent_key.clone();
            let answer = support::rogue::ask_hot_wallet(stack, intent).await;
            assert!(
                answer.starts_with("refused") && answer.contains(&format!("policy rule {rule}")),
                "{key}: {answer}"
            );
            assert!(
                stack.journal_entries(&key).is_empty(),
                "{key}: nothing signed"
            );
        }

        // The order itself is paid its amount, once, by its own workflow.
        let paid = eventually("the order to be paid", WAIT, || async {
            let balance = stack.l1.get_balance(order.recipient).await.ok()?;
            (!balance.is_zero()).then_some(balance)
        })
        .await;
        assert_eq!(paid, order.amount.0);
    });
}
