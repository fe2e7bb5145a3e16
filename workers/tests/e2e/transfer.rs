//! End to end, on a real Temporal dev server, real anvil chains and the real role processes:
//! a treasury transfer, a hot-wallet crash mid-submission, an RPC provider outage, history
//! replay, and bad CLI input. Shares the escrow stack (`support::stack`) with `escrow`, in
//! turns (see [`run`]).

use crate::support;
use alloy::primitives::U256;
use hedgeflow_activities::store::Store;
use hedgeflow_proto::workflows::TransferWorkflow;
use std::time::Duration;
use support::{L1_ID, L2_ID, USDC_PER_TX_LIMIT, eventually, fresh_address, payee, stack};
use temporalio_client::{
    WorkflowFetchHistoryOptions, WorkflowGetResultOptions, WorkflowStartOptions,
};

const WAIT: Duration = Duration::from_secs(120);

/// [`support::run`] with the shared stacks to this module's tests (see [`support::run_as`]).
fn run<F>(body: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    support::run_as("transfer", body)
}

/// Starts a transfer through the CLI (`--no-wait`) and returns its workflow id.
async fn start_transfer(
    chain: &str,
    token: &str,
    to: &str,
    amount: &str,
    request_id: &str,
) -> String {
    let stack = stack().await;
    let (ok, stdout, stderr) = stack
        .cli(&[
            "wallet",
            "transfer",
            "--chain",
            chain,
            "--token",
            token,
            "--to",
            to,
            "--amount",
            amount,
            "--request-id",
            request_id,
            "--no-wait",
        ])
        .await;
    assert!(ok, "transfer refused: {stderr}");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("started "))
        .expect("a workflow id")
        .to_owned()
}

async fn await_transfer(workflow_id: &str) -> hedgeflow_proto::transfer::TransferResult {
    let handle = stack()
        .await
        .client
        .get_workflow_handle::<TransferWorkflow>(workflow_id);
    tokio::time::timeout(WAIT, handle.get_result(WorkflowGetResultOptions::default()))
        .await
        .unwrap_or_else(|_| panic!("{workflow_id} did not finish in {WAIT:?}"))
        .unwrap_or_else(|e| panic!("{workflow_id} failed: {e}"))
}

async fn store() -> Store {
    Store::connect_read_only(&stack().await.config.database.url)
        .await
        .expect("store")
}

#[test]
fn transfer_completes_balances_move_exactly_and_history_replays() {
    let history = run(async {
        let stack = stack().await;
        let weth = stack.token("WETH");
        let hot = support::HOT_WALLET.parse().unwrap();
        let (erc20_to, native_to) = (payee(), payee());
        let weth_before = stack.balance(L1_ID, Some(weth), hot).await;

        let erc20 = start_transfer("l1", "WETH", &erc20_to.to_string(), "1.25", "e2e-weth").await;
        let native = start_transfer("l2", "ETH", &native_to.to_string(), "0.5", "e2e-eth").await;
        assert_eq!(erc20, format!("transfer-{L1_ID}-e2e-weth"));
        let (erc20_result, native_result) =
            tokio::join!(await_transfer(&erc20), await_transfer(&native));

        let paid = U256::from(1_250_000_000_000_000_000u128);
        assert_eq!(
            stack.balance(L1_ID, Some(weth), erc20_to).await,
            paid,
            "recipient got exactly 1.25 WETH"
        );
        assert_eq!(
            stack.balance(L1_ID, Some(weth), hot).await,
            weth_before - paid,
            "hot wallet paid exactly 1.25 WETH"
        );
        assert_eq!(
            stack.balance(L2_ID, None, native_to).await,
            U256::from(500_000_000_000_000_000u128)
        );
        assert!(erc20_result.receipt.confirmations >= 2);
        assert_eq!(native_result.plan.token, "ETH");

        let row = store()
            .await
            .transfer(&erc20)
            .await
            .unwrap()
            .expect("a stored transfer");
        assert_eq!(row.status, "confirmed");
        assert_eq!(row.tx_hash, Some(erc20_result.receipt.tx_hash.to_string()));
        let history: Vec<&str> = row
            .status_history
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["status"].as_str())
            .collect();
        assert_eq!(history, ["validated", "submitted", "confirmed"]);
        let (ok, listed, _) = stack.cli(&["wallet", "history", "--limit", "50"]).await;
        assert!(
            ok && listed.contains(&erc20)
                && listed.contains(&erc20_result.receipt.tx_hash.to_string()),
            "{listed}"
        );

        stack
            .client
            .get_workflow_handle::<TransferWorkflow>(&erc20)
            .fetch_history(WorkflowFetchHistoryOptions::default())
            .to_json()
            .await
            .expect("history")
    });

    // The recorded history replays against today's workflow code without nondeterminism. The
    // replayer is not `Send`, so it runs on a runtime of its own.
    let replayer = hedgeflow_workflows::replayer().unwrap();
    // `HEDGEFLOW_RECORD_HISTORY=<file>` refreshes the fixture `workflows/tests/replay.rs` replays.
    if let Some(path) = std::env::var_os("HEDGEFLOW_RECORD_HISTORY") {
        let pretty: serde_json::Value = serde_json::from_slice(&history).unwrap();
        std::fs::write(path, serde_json::to_string_pretty(&pretty).unwrap()).unwrap();
    }
    let parsed = temporalio_client::WorkflowHistory::from_json(&history).unwrap();
    assert!(
        String::from_utf8_lossy(&history).contains("HotWalletActivities::submit_transaction"),
        "a whole transfer history"
    );
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(replayer.replay_workflow(parsed))
        .expect("replay without nondeterminism");
}

#[test]
fn hot_wallet_killed_after_broadcast_pays_exactly_once() {
    run(async {
        let stack = stack().await;
        let usdc = stack.token("USDC");
        let to = payee();
        // Hold l1's blocks so the transaction sits broadcast but unmined while we kill the worker.
        stack.mine_l1_every(0).await;
        let id = start_transfer("l1", "USDC", &to.to_string(), "7", "e2e-crash").await;
        let intent = format!("{id}/transfer");
        let hash = stack.broadcast_of(&intent, WAIT).await;
        stack.kill_role("hot-wallet").await;
        stack.mine_l1_every(1).await;

        stack.start_role("hot-wallet").await.unwrap();
        let result = await_transfer(&id).await;
        assert_eq!(
            result.receipt.tx_hash, hash,
            "the journaled transaction is the one that counted"
        );
        assert_eq!(
            stack.balance(L1_ID, Some(usdc), to).await,
            U256::from(7_000_000u64),
            "paid exactly once"
        );
        let log = std::fs::read_to_string(stack.log("hot-wallet")).unwrap();
        assert!(
            log.contains("intent already signed; resuming it"),
            "the restarted worker resumed the journaled intent"
        );
        let signed = stack.journal_entries(&intent).len();
        assert_eq!(signed, 1, "one transaction was ever signed for the intent");
    });
}

#[test]
fn primary_rpc_loss_fails_over_to_the_secondary() {
    run(async {
        let stack = stack().await;
        let usdc = stack.token("USDC");
        let to = payee();
        let id = start_transfer("l2", "USDC", &to.to_string(), "3.5", "e2e-failover").await;
        let store = store().await;
        eventually("the plan to be stored", WAIT, || async {
            store
                .transfer(&id)
                .await
                .ok()
                .flatten()
                .filter(|row| row.status != "requested")
                .map(|_| ())
        })
        .await;
        stack.l2_primary.stop();
        let result = await_transfer(&id).await;
        // The stack outlives this module (`escrow` runs on it too): l2's primary comes back.
        stack.l2_primary.resume().await.unwrap();
        assert!(result.receipt.confirmations >= 2);
        assert_eq!(
            stack.balance(L2_ID, Some(usdc), to).await,
            U256::from(3_500_000u64)
        );
    });
}

#[test]
fn bad_cli_input_is_refused_and_starts_nothing() {
    run(async {
        let stack = stack().await;
        let to = fresh_address().to_string();
        let cases: [(&[&str], &str); 6] = [
            (
                &[
                    "--chain", "l1", "--token", "DOGE", "--to", &to, "--amount", "1",
                ],
                "unknown token \"DOGE\"",
            ),
            (
                &[
                    "--chain", "l9", "--token", "USDC", "--to", &to, "--amount", "1",
                ],
                "unknown chain \"l9\"",
            ),
            (
                &[
                    "--chain", "l1", "--token", "USDC", "--to", "0x1234", "--amount", "1",
                ],
                "is not an address",
            ),
            (
                &[
                    "--chain", "l1", "--token", "USDC", "--to", &to, "--amount", "0",
                ],
                "greater than zero",
            ),
            (
                &[
                    "--chain", "l1", "--token", "USDC", "--to", &to, "--amount", "1e9",
                ],
                "not a decimal number",
            ),
            (
                &[
                    "--chain",
                    "l1",
                    "--token",
                    "USDC",
                    "--to",
                    &to,
                    "--amount",
                    "100000000000",
                ],
                "exceeds the hot wallet's balance",
            ),
        ];
        for (number, (args, expected)) in cases.into_iter().enumerate() {
            let request_id = format!("e2e-bad-{number}");
            let mut full = vec!["wallet", "transfer"];
            full.extend_from_slice(args);
            full.extend_from_slice(&["--request-id", &request_id]);
            let (ok, _, stderr) = stack.cli(&full).await;
            assert!(!ok, "{args:?} was accepted");
            assert!(
                stderr.contains(expected),
                "{args:?}: expected {expected:?} in {stderr:?}"
            );
            for chain_id in [L1_ID, L2_ID] {
                let id = hedgeflow_proto::ids::transfer_workflow(chain_id, &request_id);
                let described = stack
                    .client
                    .get_workflow_handle::<TransferWorkflow>(&id)
                    .describe(Default::default())
                    .await;
                assert!(described.is_err(), "{id} was started for {args:?}");
            }
        }
    });
}

#[test]
fn a_request_id_reused_for_another_transfer_is_refused_and_pays_nothing_more() {
    run(async {
        let stack = stack().await;
        let usdc = stack.token("USDC");
        let to = payee().to_string();
        let id = start_transfer("l1", "USDC", &to, "3", "e2e-reuse").await;
        let first = await_transfer(&id).await;

        // The same request again (a retried command) follows the first run.
        let args = |amount: &'static str| {
            [
                "wallet",
                "transfer",
                "--chain",
                "l1",
                "--token",
                "USDC",
                "--to",
                to.as_str(),
                "--amount",
                amount,
                "--request-id",
                "e2e-reuse",
            ]
        };
        let (ok, stdout, stderr) = stack.cli(&args("3")).await;
        assert!(ok, "{stderr}");
        assert!(
            stdout.contains(&first.receipt.tx_hash.to_string()),
            "the same request answers with its one payment: {stdout}"
        );

        // Another transfer under the same request id is refused and starts nothing.
        let (ok, stdout, stderr) = stack.cli(&args("5")).await;
        assert!(
            !ok,
            "reusing a request id for another amount must fail: {stdout}"
        );
        assert!(!stdout.contains("confirmed"), "{stdout}");
        assert!(
            stderr.contains("request id e2e-reuse is already used")
                && stderr.contains("another transfer"),
            "{stderr}"
        );
        assert_eq!(
            stack.balance(L1_ID, Some(usdc), to.parse().unwrap()).await,
            U256::from(3_000_000u64),
            "paid once, the first amount"
        );
        let row = store().await.transfer(&id).await.unwrap().unwrap();
        assert_eq!(
            row.status, "confirmed",
            "the first transfer's record stands"
        );
        assert_eq!(row.amount, "3000000");
    });
}

/// The hot wallet decides what it signs, whoever starts the workflow: a transfer to someone its
/// policy does not name, started straight on Temporal rather than through the CLI, and one above
/// the per-transaction limit, are refused for good; nothing is signed or paid.
#[test]
fn transfers_the_hot_wallets_policy_forbids_are_refused_and_pay_nothing() {
    run(async {
        let stack = stack().await;
        let usdc = stack.token("USDC");
        let stranger = fresh_address();
        let rogue = hedgeflow_proto::transfer::TransferRequest {
            request_id: "e2e-rogue".into(),
            chain: "l1".into(),
            token: "USDC".into(),
            to: stranger,
            amount: hedgeflow_proto::Amount::parse_units("5", 6).unwrap(),
        };
        let rogue_id = hedgeflow_proto::ids::transfer_workflow(L1_ID, "e2e-rogue");
        stack
            .client
            .start_workflow(
                TransferWorkflow::run,
                rogue,
                WorkflowStartOptions::new(hedgeflow_proto::queues::ORCHESTRATOR, &rogue_id).build(),
            )
            .await
            .unwrap();
        let to = payee();
        let over = (USDC_PER_TX_LIMIT + 1).to_string();
        let over_id = start_transfer("l1", "USDC", &to.to_string(), &over, "e2e-over").await;

        for (id, rule, who) in [
            (&rogue_id, "treasury-token", stranger),
            (&over_id, "value-limit", to),
        ] {
            let failed = stack
                .client
                .get_workflow_handle::<TransferWorkflow>(id.as_str())
                .get_result(WorkflowGetResultOptions::default())
                .await
                .expect_err("refused");
            let record = store().await.transfer(id).await.unwrap().unwrap();
            let error = record.error.unwrap_or_default();
            assert!(
                error.contains(&format!("policy rule {rule} refuses it")),
                "{id}: {error} ({failed})"
            );
            assert_eq!(record.status, "failed", "{id}");
            assert!(stack.journal_entries(&format!("{id}/transfer")).is_empty());
            assert_eq!(stack.balance(L1_ID, Some(usdc), who).await, U256::ZERO);
        }
        let metrics = stack.metrics("hot-wallet").await;
        assert!(
            metrics
                .lines()
                .any(|l| l.starts_with("hedgeflow_policy_refusals")
                    && l.contains("rule=\"value-limit\"")),
            "{metrics}"
        );
        // The SDK's worker metrics the dashboards read, as the workers really serve them.
        let served = metrics + &stack.metrics("orchestrator").await;
        for name in hedgeflow_activities::observe::TEMPORAL_SDK_METRICS {
            assert!(
                served.lines().any(|l| l.starts_with(&format!("{name}{{"))),
                "no {name} in the workers' metrics:\n{served}"
            );
        }
    });
}
