//! The balance manager on the intent hedger's stack: a weak allocation topped up once, the
//! broker account below its floor sent the book's spare collateral through the exchange's
//! deposit address, and the book below its reserve refilled by a withdrawal from the broker.

use super::*;
use crate::support::{BALANCE_CHAIN_RESERVE, BROKER_TARGET_AVAILABLE, HOT_WALLET};
use hedgeflow_exchange::{Client as SpotClient, TransferType};
use hedgeflow_proto::balance::{
    Allocation, BalanceMove, BalanceReport, BalanceRequest, MoveOutcome,
};
use hedgeflow_proto::workflows::IntentBalanceWorkflow;
use rust_decimal::RoundingStrategy;

impl PartyA {
    /// Party B's allocation for this party A on the book.
    async fn party_b_allocation(&self) -> Decimal {
        let hot_wallet: Address = HOT_WALLET.parse().unwrap();
        let allocated = self
            .book
            .allocatedBalanceOfPartyB(hot_wallet, self.address)
            .call()
            .await
            .unwrap();
        from_wad(allocated).unwrap()
    }

    /// The hot wallet's own balance of the book's collateral.
    async fn hot_wallet_collateral(&self) -> Decimal {
        let held = self
            .collateral
            .balanceOf(HOT_WALLET.parse().unwrap())
            .call()
            .await
            .unwrap();
        from_wad(held).unwrap()
    }

    /// One balance manager run, started by the test (the stack's Schedule runs hourly).
    async fn balance_run(&self) -> BalanceReport {
        let options = WorkflowStartOptions::new(
            queues::ORCHESTRATOR,
            format!("balance-test-{}", uuid::Uuid::new_v4()),
        )
        .build();
        let handle = self
            .stack
            .client
            .start_workflow(
                IntentBalanceWorkflow::run,
                BalanceRequest { chain_id: L2_ID },
                options,
            )
            .await
            .unwrap();
        handle
            .get_result(WorkflowGetResultOptions::default())
            .await
            .unwrap()
    }
}

/// The allocation of `party_a` on a run's sheet, and the run's moves for it.
fn allocation_of(report: &BalanceReport, party_a: Address) -> (Allocation, Vec<MoveOutcome>) {
    let allocation = report
        .sheet
        .allocations
        .iter()
        .find(|a| a.party_a == party_a)
        .cloned()
        .expect("the party A is on the sheet");
    let moves = report
        .moves
        .iter()
        .filter(|m| match m.kind {
            BalanceMove::Release { party_a: a, .. } | BalanceMove::TopUp { party_a: a, .. } => {
                a == party_a
            }
            _ => false,
        })
        .cloned()
        .collect();
    (allocation, moves)
}

/// Asserts `outcome` completed with transactions of `expected` steps, in order, each hot-wallet
/// transaction journaled once (the broker's withdrawal is the exchange's).
fn assert_made(stack: &Stack, outcome: &MoveOutcome, expected: &[&str]) {
    let steps: Vec<&str> = outcome
        .transactions
        .iter()
        .map(|(step, _)| step.as_str())
        .collect();
    assert_eq!(
        (outcome.error.as_deref(), steps.as_slice()),
        (None, expected),
        "{outcome:?}"
    );
    for step in expected.iter().filter(|step| **step != "broker-withdrawal") {
        let key = format!("{}/{step}", outcome.id);
        assert_eq!(stack.journal_entries(&key).len(), 1, "{key} sent once");
    }
}

#[test]
fn the_balance_manager_tops_up_allocations_and_moves_collateral_to_and_from_the_broker_once() {
    run(async {
        let party_a = PartyA::new(30).await;
        let mark = party_a.mark().await;
        let quantity = dec!(1);
        let id = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_status(id, QuoteStatus::Opened).await;
        party_a.wait_row(id, "opened").await;
        let before = party_a.party_b_allocation().await;

        // The hedger allocated just what it locked, so the position's health is about 1: below
        // the stack's 1.5, and topped up to 2.
        let report = party_a.balance_run().await;
        let (allocation, moves) = allocation_of(&report, party_a.address);
        assert_eq!(allocation.allocated, before);
        assert_eq!(
            allocation.maintenance,
            dec!(200),
            "party B's mm of the quote"
        );
        assert_eq!(allocation.cva_lf, dec!(120));
        assert!(allocation.health().unwrap() < dec!(1.5), "{allocation:?}");
        let wanted = (dec!(2) * allocation.maintenance - allocation.equity())
            .round_dp_with_strategy(6, RoundingStrategy::AwayFromZero)
            .normalize();
        let [top_up] = moves.as_slice() else {
            panic!("one move for the party: {moves:?}");
        };
        assert_eq!(
            top_up.kind,
            BalanceMove::TopUp {
                party_a: party_a.address,
                amount: wanted
            }
        );
        assert_made(party_a.stack, top_up, &["top-up"]);
        assert_eq!(party_a.party_b_allocation().await, before + wanted);

        // The paper account's futures wallet is below the stack's floor: the book's spare
        // collateral beyond its reserve went to the broker's deposit address, was credited and
        // moved to the futures wallet.
        let broker = report.broker.clone().expect("broker moves are configured");
        let to_broker = report
            .moves
            .iter()
            .find(|m| matches!(m.kind, BalanceMove::ChainToBroker { .. }))
            .unwrap_or_else(|| panic!("a move to the broker: {report:?}"));
        let BalanceMove::ChainToBroker { amount } = to_broker.kind else {
            unreachable!()
        };
        assert!(amount <= Decimal::from(BROKER_TARGET_AVAILABLE) - broker.available);
        assert!(amount <= report.sheet.book_free - Decimal::from(BALANCE_CHAIN_RESERVE));
        assert_made(party_a.stack, to_broker, &["withdraw", "to-broker"]);
        let spot = spot_client(party_a.stack);
        let (_, sent) = &to_broker.transactions[1];
        let deposits = spot
            .deposits(Some("USDT"), Some(&sent.to_string()))
            .await
            .unwrap();
        let [deposit] = deposits.as_slice() else {
            panic!("one deposit of {sent}: {deposits:?}");
        };
        assert!(deposit.status.is_credited(), "{deposit:?}");
        assert_eq!(deposit.amount, amount);
        let moved = spot.transfers(TransferType::MainToUmFuture).await.unwrap();
        assert_eq!(
            moved.iter().filter(|t| t.amount == amount).count(),
            1,
            "moved to the futures wallet once: {moved:?}"
        );

        // That left the book at its reserve; a second quote's allocation takes it below, and a
        // broker now well above its target (spot collateral moved in by hand) refills it.
        let second = party_a
            .send_quote(MARKET, mark * dec!(1.01), quantity)
            .await;
        party_a.wait_status(second, QuoteStatus::Opened).await;
        party_a.wait_row(second, "opened").await;
        spot.universal_transfer(TransferType::MainToUmFuture, "USDT", dec!(400000))
            .await
            .unwrap();
        let again = party_a.balance_run().await;
        // The second quote's lock used the first top-up's room: both positions' maintenance is
        // covered again up to the target.
        let (allocation, moves) = allocation_of(&again, party_a.address);
        assert_eq!(allocation.maintenance, dec!(400), "{allocation:?}");
        let [top_up] = moves.as_slice() else {
            panic!("one move for the party: {moves:?}");
        };
        assert!(
            matches!(top_up.kind, BalanceMove::TopUp { .. }) && top_up.error.is_none(),
            "{top_up:?}"
        );
        let from_broker = again
            .moves
            .iter()
            .find(|m| matches!(m.kind, BalanceMove::BrokerToChain { .. }))
            .unwrap_or_else(|| panic!("a move from the broker: {again:?}"));
        let BalanceMove::BrokerToChain { amount } = from_broker.kind else {
            unreachable!()
        };
        assert!(amount > Decimal::ZERO);
        assert_made(
            party_a.stack,
            from_broker,
            &["broker-withdrawal", "approve", "deposit"],
        );
        let id_of = hedgeflow_exchange::ClientOrderId::new(from_broker.id.clone()).unwrap();
        let withdrawals = spot.withdrawals_by_order_id(&id_of).await.unwrap();
        let [withdrawal] = withdrawals.as_slice() else {
            panic!("one withdrawal {id_of}: {withdrawals:?}");
        };
        assert_eq!(withdrawal.amount, amount);
        assert_eq!(
            withdrawal.tx_id.as_deref(),
            Some(from_broker.transactions[0].1.to_string().as_str())
        );
        let moved = spot.transfers(TransferType::UmFutureToMain).await.unwrap();
        assert_eq!(
            moved.iter().filter(|t| t.amount == amount).count(),
            1,
            "moved out of the futures wallet once: {moved:?}"
        );

        // Closed, the positions settle from the topped-up allocation.
        let mark = party_a.mark().await;
        for quote in [id, second] {
            party_a
                .request_close(quote, MARKET, mark * dec!(0.99), quantity)
                .await;
            party_a.wait_status(quote, QuoteStatus::Closed).await;
        }

        // Collateral a stopped move left in the hot wallet (here: minted to it) is deposited
        // back into the book by the next run, leaving the wallet at its float.
        let float = Decimal::from(deploy::INTENT_HOT_WALLET_FLOAT);
        assert_eq!(party_a.hot_wallet_collateral().await, float);
        let stranded = dec!(1234.5);
        mint_as_deployer(
            &party_a.collateral,
            HOT_WALLET.parse().unwrap(),
            to_wad(stranded).unwrap(),
        )
        .await;
        let back = party_a.balance_run().await;
        let deposit = back
            .moves
            .iter()
            .find(|m| matches!(m.kind, BalanceMove::Deposit { .. }))
            .unwrap_or_else(|| panic!("a deposit of the stranded collateral: {back:?}"));
        assert_eq!(deposit.kind, BalanceMove::Deposit { amount: stranded });
        assert_made(party_a.stack, deposit, &["approve", "deposit"]);
        assert_eq!(party_a.hot_wallet_collateral().await, float);
    });
}

/// The paper exchange's spot client with the exchange role's keys (the wallet API).
fn spot_client(stack: &Stack) -> SpotClient {
    let paper = format!(
        "http://{}",
        stack.config.paper_exchange.as_ref().unwrap().listen
    );
    SpotClient::new(BrokerConfig::paper(
        paper.parse().unwrap(),
        Credentials::new(
            hedgeflow_paper_exchange::DEV_API_KEY,
            hedgeflow_paper_exchange::DEV_SECRET_KEY,
        ),
    ))
    .unwrap()
}
