//! The wallet client against the paper exchange and a local chain: universal transfers,
//! deposits found on chain, and `withdraw_once` sending exactly once per `withdrawOrderId`.

use std::time::Duration;

use hedgeflow_exchange::{
    ClientOrderId, DepositStatus, Placement, TransferType, WithdrawRequest, WithdrawStatus,
};
use hedgeflow_paper_exchange::test_utils::{Anvil, dev_signer, wallet_config};
use rust_decimal::Decimal;

use crate::support::{Paper, paper_config};

const USDT: &str = "USDT";
const DECIMALS: u8 = 6;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[tokio::test]
async fn universal_transfers_move_usdt_and_are_listed() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let spot = |balances: Vec<hedgeflow_exchange::Balance>| {
        balances
            .into_iter()
            .find(|b| b.asset == USDT)
            .map(|b| b.free)
    };
    let before = spot(client.balances().await.unwrap());

    let first = client
        .universal_transfer(TransferType::MainToUmFuture, USDT, d("100"))
        .await
        .unwrap();
    let second = client
        .universal_transfer(TransferType::UmFutureToMain, USDT, d("30"))
        .await
        .unwrap();
    assert!(second > first);
    assert_eq!(
        spot(client.balances().await.unwrap()),
        before.map(|b| b - d("70"))
    );
    let out = client
        .transfers(TransferType::MainToUmFuture)
        .await
        .unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].tran_id, out[0].amount), (first, d("100")));
    assert_eq!(out[0].status, "CONFIRMED");

    let refused = client
        .universal_transfer(TransferType::UmFutureToMain, USDT, d("999999999"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(-5013));
    assert!(!refused.is_retryable());
    let no_wallet = client.deposit_address(USDT, None).await.unwrap_err();
    assert_eq!(no_wallet.code(), Some(-1020));
}

/// Two moves of one amount in a row each make their transfer; a retry of either makes none.
#[tokio::test]
async fn transfer_once_tells_a_retry_from_a_second_move_of_the_same_amount() {
    let paper = Paper::start_default().await;
    let client = paper.client();
    let kind = TransferType::MainToUmFuture;
    let first_mark = client.transfer_mark().await.unwrap();
    let first = client
        .transfer_once(kind, USDT, d("25"), first_mark)
        .await
        .unwrap();
    let second_mark = client.transfer_mark().await.unwrap();
    assert_eq!(second_mark, first);
    let second = client
        .transfer_once(kind, USDT, d("25"), second_mark)
        .await
        .unwrap();
    assert_ne!(first, second, "the second move made its own transfer");
    let retried = client
        .transfer_once(kind, USDT, d("25"), second_mark)
        .await
        .unwrap();
    assert_eq!(retried, second, "a retry finds its move's transfer");
    let made = client.transfers(kind).await.unwrap();
    assert_eq!(
        made.iter().map(|t| t.tran_id).collect::<Vec<_>>(),
        vec![second, first],
        "two transfers, no third: {made:?}"
    );
}

#[tokio::test]
async fn deposits_are_seen_and_withdraw_once_sends_once() {
    let anvil = Anvil::start().await;
    let token = anvil.deploy_token(USDT, DECIMALS).await;
    let hot_wallet = 2;
    let depositor = 1;
    for holder in [hot_wallet, depositor] {
        anvil
            .mint(
                token,
                dev_signer(holder).address(),
                "1000000000".parse().unwrap(),
            )
            .await;
    }
    let paper = Paper::start(hedgeflow_paper_exchange::Config {
        wallet: Some(wallet_config(&anvil, USDT, token, DECIMALS, hot_wallet)),
        ..paper_config()
    })
    .await;
    let client = paper.client();

    let address = client.deposit_address(USDT, Some("ETH")).await.unwrap();
    let tx = anvil
        .transfer(
            depositor,
            token,
            address.address.parse().unwrap(),
            "7000000".parse().unwrap(),
        )
        .await
        .to_string();
    let mut deposits = Vec::new();
    for _ in 0..100 {
        deposits = client.deposits(Some(USDT), Some(&tx)).await.unwrap();
        if deposits.first().is_some_and(|d| d.status.is_credited()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(deposits.len(), 1, "{deposits:?}");
    assert_eq!(
        (deposits[0].amount, deposits[0].status),
        (d("7"), DepositStatus::Success)
    );

    let to = dev_signer(3).address();
    let request = WithdrawRequest {
        coin: USDT.into(),
        network: "ETH".into(),
        address: to.to_string(),
        amount: d("12.5"),
        withdraw_order_id: ClientOrderId::new("rebalance-1").unwrap(),
    };
    let placed = client.withdraw_once(&request).await.unwrap();
    let Placement::Placed(first) = placed else {
        panic!("not placed: {placed:?}");
    };
    let again = client.withdraw_once(&request).await.unwrap();
    assert!(
        matches!(&again, Placement::Found(w) if w.id == first.id),
        "{again:?}"
    );
    let duplicate = client.withdraw(&request).await.unwrap_err();
    assert!(duplicate.is_duplicate_order(), "{duplicate}");

    let mut done = first;
    for _ in 0..100 {
        let found = client
            .withdrawals_by_order_id(&request.withdraw_order_id)
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        done = found.into_iter().next().unwrap();
        if done.status.is_final() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(done.status, WithdrawStatus::Completed);
    assert!(done.tx_id.is_some());
    assert_eq!(anvil.balance_of(token, to).await.to_string(), "12500000");
}
