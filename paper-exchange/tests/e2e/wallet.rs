//! The wallet API against a real chain: deposits found on anvil and credited once, transfers
//! between the spot and futures wallets, withdrawals sent once per `withdrawOrderId`, and
//! Binance's errors for bad requests (which change nothing).

use std::time::Duration;

use alloy::primitives::{Address, U256};
use hedgeflow_paper_exchange::Config;
use hedgeflow_paper_exchange::test_utils::{Anvil, dev_signer, wallet_config};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::futures::next;
use crate::support::{Client, Exchange, assert_error, dec, dec_of};

/// Dev account holding the exchange's withdrawal key.
const HOT_WALLET: u32 = 2;
/// Dev account that deposits.
const DEPOSITOR: u32 = 1;
/// The token's decimals (USDT's).
const DECIMALS: u8 = 6;

/// `whole` coins in base units.
fn units(whole: u64) -> U256 {
    U256::from(whole) * U256::from(10u64.pow(u32::from(DECIMALS)))
}

/// Anvil with a USDT `TestToken` (1,000 minted to the hot wallet and to the depositor), and a
/// paper exchange whose wallet uses it, with `confirmations`.
async fn chain_and_exchange(confirmations: u64) -> (Anvil, Address, Exchange) {
    let anvil = Anvil::start().await;
    let token = anvil.deploy_token("USDT", DECIMALS).await;
    for holder in [HOT_WALLET, DEPOSITOR] {
        anvil
            .mint(token, dev_signer(holder).address(), units(1_000))
            .await;
    }
    let mut wallet = wallet_config(&anvil, "USDT", token, DECIMALS, HOT_WALLET);
    wallet.confirmations = confirmations;
    let exchange = Exchange::start(Config {
        seed: Some(7),
        wallet: Some(wallet),
        ..Config::default()
    })
    .await;
    (anvil, token, exchange)
}

async fn get(client: &Client, path: &str, params: &[(&str, &str)]) -> Value {
    let (status, body) = client.signed(Method::GET, path, params).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Asks `path` until `done` holds for its answer (the chain tasks poll every 100 ms).
async fn wait_for(
    client: &Client,
    path: &str,
    params: &[(&str, &str)],
    done: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..100 {
        let body = get(client, path, params).await;
        if done(&body) {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} never got there");
}

async fn futures_wallet(client: &Client) -> Decimal {
    dec_of(&get(client, "/fapi/v2/account", &[]).await["totalWalletBalance"])
}

#[tokio::test]
async fn a_deposit_is_credited_once_after_its_confirmations() {
    let (anvil, token, exchange) = chain_and_exchange(2).await;
    let client = exchange.client();
    let address = get(
        &client,
        "/sapi/v1/capital/deposit/address",
        &[("coin", "USDT"), ("network", "ETH")],
    )
    .await;
    assert_eq!(
        (address["coin"].as_str(), address["tag"].as_str()),
        (Some("USDT"), Some(""))
    );
    let to: Address = address["address"].as_str().unwrap().parse().unwrap();
    let (before, _) = client.balance("USDT").await;

    let tx = anvil
        .transfer(DEPOSITOR, token, to, units(25))
        .await
        .to_string();
    let history = "/sapi/v1/capital/deposit/hisrec";
    let pending = wait_for(&client, history, &[], |d| {
        d.as_array().is_some_and(|d| !d.is_empty())
    })
    .await;
    assert_eq!(pending[0]["status"], 0, "{pending}");
    assert_eq!(pending[0]["confirmTimes"], "1/2");
    assert_eq!(
        client.balance("USDT").await.0,
        before,
        "credited before its confirmations"
    );

    anvil.mine(1).await;
    let done = wait_for(&client, history, &[("status", "1")], |d| {
        d.as_array().is_some_and(|d| d.len() == 1)
    })
    .await;
    let deposit = &done[0];
    assert_eq!(deposit["txId"], tx.as_str());
    assert_eq!(
        (dec_of(&deposit["amount"]), deposit["coin"].as_str()),
        (dec("25"), Some("USDT"))
    );
    assert_eq!(
        deposit["address"].as_str().map(str::to_lowercase),
        Some(to.to_string().to_lowercase())
    );
    // more blocks and polls do not credit it again
    anvil.mine(3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client.balance("USDT").await.0, before + dec("25"));
    assert_eq!(
        get(&client, history, &[("txId", &tx)])
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        get(&client, history, &[("coin", "BTC")]).await,
        Value::Array(vec![])
    );
    assert_error(
        &client
            .signed(
                Method::GET,
                "/sapi/v1/capital/deposit/address",
                &[("coin", "USDT"), ("network", "BSC")],
            )
            .await,
        StatusCode::BAD_REQUEST,
        -4019,
    );
}

#[tokio::test]
async fn transfers_move_usdt_between_spot_and_futures() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let (spot, _) = client.balance("USDT").await;
    let futures = futures_wallet(&client).await;
    let path = "/sapi/v1/asset/transfer";
    let transfer = |kind: &'static str, amount: &'static str| {
        let client = &client;
        async move {
            client
                .signed(
                    Method::POST,
                    path,
                    &[("type", kind), ("asset", "USDT"), ("amount", amount)],
                )
                .await
        }
    };

    let listen_key = format!("{}/fapi/v1/listenKey", client.base);
    let (_, created) = client.send_unsigned(Method::POST, &listen_key, "").await;
    let stream = exchange.ws_url(&format!("/ws/{}", created["listenKey"].as_str().unwrap()));
    let (mut socket, _) = tokio_tungstenite::connect_async(stream).await.unwrap();

    let (status, body) = transfer("MAIN_UMFUTURE", "100").await;
    let update = next(&mut socket).await;
    assert_eq!(
        (&update["e"], &update["a"]["m"]),
        (&"ACCOUNT_UPDATE".into(), &"DEPOSIT".into()),
        "{update}"
    );
    assert_eq!(dec_of(&update["a"]["B"][0]["bc"]), dec("100"));
    assert_eq!(
        (status, body["tranId"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{body}"
    );
    let (status, body) = transfer("UMFUTURE_MAIN", "40.5").await;
    assert_eq!(
        (status, body["tranId"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{body}"
    );
    assert_eq!(client.balance("USDT").await.0, spot - dec("59.5"));
    assert_eq!(futures_wallet(&client).await, futures + dec("59.5"));

    let history = get(&client, path, &[("type", "MAIN_UMFUTURE")]).await;
    assert_eq!(history["total"], 1);
    let row = &history["rows"][0];
    assert_eq!(
        (
            row["type"].as_str(),
            row["status"].as_str(),
            row["tranId"].as_u64()
        ),
        (Some("MAIN_UMFUTURE"), Some("CONFIRMED"), Some(1))
    );
    assert_eq!(dec_of(&row["amount"]), dec("100"));

    let too_much = (futures + dec("1000")).to_string();
    let refusals = [
        (
            vec![
                ("type", "UMFUTURE_MAIN"),
                ("asset", "USDT"),
                ("amount", too_much.as_str()),
            ],
            -5013,
        ),
        (
            vec![
                ("type", "MAIN_UMFUTURE"),
                ("asset", "USDT"),
                ("amount", "99999999"),
            ],
            -5013,
        ),
        (
            vec![("type", "MAIN_MARGIN"), ("asset", "USDT"), ("amount", "1")],
            -1100,
        ),
        (
            vec![("type", "MAIN_UMFUTURE"), ("asset", "ETH"), ("amount", "1")],
            -1100,
        ),
        (
            vec![
                ("type", "MAIN_UMFUTURE"),
                ("asset", "USDT"),
                ("amount", "0"),
            ],
            -4003,
        ),
        (vec![("type", "MAIN_UMFUTURE"), ("asset", "USDT")], -1102),
    ];
    for (params, code) in refusals {
        assert_error(
            &client.signed(Method::POST, path, &params).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    assert_eq!(client.balance("USDT").await.0, spot - dec("59.5"));
    assert_eq!(futures_wallet(&client).await, futures + dec("59.5"));
    assert_eq!(
        get(&client, path, &[("type", "UMFUTURE_MAIN")]).await["total"],
        1
    );
}

#[tokio::test]
async fn a_withdrawal_is_sent_once_and_completes() {
    let (anvil, token, exchange) = chain_and_exchange(1).await;
    let client = exchange.client();
    let (before, _) = client.balance("USDT").await;
    let to = dev_signer(3).address();
    let to_text = to.to_string();
    let apply = "/sapi/v1/capital/withdraw/apply";
    let params = [
        ("coin", "USDT"),
        ("network", "ETH"),
        ("address", to_text.as_str()),
        ("amount", "12.5"),
        ("withdrawOrderId", "w-1"),
    ];

    let (status, applied) = client.signed(Method::POST, apply, &params).await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    let id = applied["id"].as_str().unwrap().to_string();
    assert_error(
        &client.signed(Method::POST, apply, &params).await,
        StatusCode::BAD_REQUEST,
        -4001,
    );

    let history = "/sapi/v1/capital/withdraw/history";
    let done = wait_for(&client, history, &[("withdrawOrderId", "w-1")], |w| {
        w[0]["status"] == 6
    })
    .await;
    let withdrawal = &done[0];
    assert_eq!(withdrawal["id"], id.as_str());
    assert!(
        withdrawal["txId"]
            .as_str()
            .is_some_and(|tx| tx.starts_with("0x") && tx.len() == 66),
        "{withdrawal}"
    );
    assert_eq!(
        (
            dec_of(&withdrawal["amount"]),
            withdrawal["network"].as_str()
        ),
        (dec("12.5"), Some("ETH"))
    );
    assert_eq!(anvil.balance_of(token, to).await, U256::from(12_500_000));
    assert_eq!(client.balance("USDT").await.0, before - dec("12.5"));

    // refusals change nothing
    let other = [("coin", "USDT"), ("address", to_text.as_str())];
    let with = |extra: &[(&'static str, &'static str)]| {
        other.iter().chain(extra).copied().collect::<Vec<_>>()
    };
    let refusals = [
        (with(&[("amount", "0.0000001")]), -1111),
        (with(&[("amount", "9999999999")]), -4026),
        (with(&[("amount", "0")]), -4003),
        (with(&[("amount", "1"), ("network", "BSC")]), -4019),
        (
            vec![
                ("coin", "DOGE"),
                ("address", to_text.as_str()),
                ("amount", "1"),
            ],
            -4019,
        ),
        (
            vec![("coin", "USDT"), ("address", "0x1234"), ("amount", "1")],
            -1100,
        ),
        (
            with(&[("amount", "1"), ("withdrawOrderId", "bad.id")]),
            -1100,
        ),
    ];
    for (params, code) in refusals {
        assert_error(
            &client.signed(Method::POST, apply, &params).await,
            StatusCode::BAD_REQUEST,
            code,
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(client.balance("USDT").await.0, before - dec("12.5"));
    assert_eq!(anvil.balance_of(token, to).await, U256::from(12_500_000));
    assert_eq!(
        get(&client, history, &[]).await.as_array().map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn a_withdrawal_the_hot_wallet_cannot_pay_fails_and_is_refunded() {
    let (_anvil, _token, exchange) = chain_and_exchange(1).await;
    let client = exchange.client();
    let (before, _) = client.balance("USDT").await;
    let to = dev_signer(3).address().to_string();
    let (status, body) = client
        .signed(
            Method::POST,
            "/sapi/v1/capital/withdraw/apply",
            &[
                ("coin", "USDT"),
                ("address", to.as_str()),
                ("amount", "5000"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let failed = wait_for(&client, "/sapi/v1/capital/withdraw/history", &[], |w| {
        w[0]["status"] == 5
    })
    .await;
    assert_eq!(failed[0]["txId"], "", "{failed}");
    assert_eq!(client.balance("USDT").await.0, before);
}

#[tokio::test]
async fn without_a_wallet_the_capital_endpoints_answer_1020() {
    let exchange = Exchange::start_default().await;
    let client = exchange.client();
    let paths = [
        (
            Method::GET,
            "/sapi/v1/capital/deposit/address",
            vec![("coin", "USDT")],
        ),
        (Method::GET, "/sapi/v1/capital/deposit/hisrec", vec![]),
        (Method::GET, "/sapi/v1/capital/withdraw/history", vec![]),
        (
            Method::POST,
            "/sapi/v1/capital/withdraw/apply",
            vec![
                ("coin", "USDT"),
                ("address", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
                ("amount", "1"),
            ],
        ),
    ];
    let (before, _) = client.balance("USDT").await;
    for (method, path, params) in paths {
        assert_error(
            &client.signed(method, path, &params).await,
            StatusCode::BAD_REQUEST,
            -1020,
        );
    }
    assert_eq!(client.balance("USDT").await.0, before);
}
