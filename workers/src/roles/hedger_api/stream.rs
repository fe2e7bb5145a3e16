//! `/ws/{address}`: party A's uPnL every second (SYMMIO's uPnL websocket fields), and a
//! notification for each of its quotes whenever the hedger's record of it changes.

use super::{ApiError, ApiState, routes::notification};
use alloy::primitives::Address;
use axum::{
    extract::{
        Path, State,
        ws::{Message, WebSocket, WebSocketUpgrade},
    },
    response::Response,
};
use chrono::{DateTime, Utc};
use hedgeflow_activities::intent::contract::IntentBook;
use hedgeflow_activities::store::intents::IntentQuoteFilter;
use hedgeflow_proto::intent::from_wad;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tracing::debug;

const EVERY: Duration = Duration::from_secs(1);

pub(super) async fn upgrade(
    State(state): State<Arc<ApiState>>,
    Path(address): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let party_a: Address = address
        .parse()
        .map_err(|_| ApiError::bad_request(format!("{address:?} is not an address")))?;
    Ok(ws.on_upgrade(move |socket| follow(state, party_a, socket)))
}

async fn follow(state: Arc<ApiState>, party_a: Address, mut socket: WebSocket) {
    let mut seen: Option<DateTime<Utc>> = None;
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let messages = match snapshot(&state, party_a, &mut seen).await {
            Ok(messages) => messages,
            Err(error) => vec![json!({ "type": "error", "error_message": error })],
        };
        for message in messages {
            if socket
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                debug!(%party_a, "websocket closed");
                return;
            }
        }
    }
}

/// This second's messages: notifications of quotes changed since `seen`, then the uPnL.
async fn snapshot(
    state: &ApiState,
    party_a: Address,
    seen: &mut Option<DateTime<Utc>>,
) -> Result<Vec<Value>, String> {
    let filter = IntentQuoteFilter {
        party_a: Some(party_a.to_string()),
        ..IntentQuoteFilter::default()
    };
    let rows = state
        .store
        .intent_quotes(&filter, 0, u64::MAX >> 1)
        .await
        .map_err(|e| e.to_string())?;
    let mut messages: Vec<Value> = rows
        .iter()
        .filter(|row| seen.is_none_or(|at| row.updated_at > at))
        .map(|row| {
            let mut message = notification(row);
            message["type"] = "notification".into();
            message
        })
        .collect();
    *seen = rows.iter().map(|row| row.updated_at).max().or(*seen);

    // uPnL of party A's open positions at the broker's marks: party B's signed position is the
    // opposite of party A's.
    let mut marks = BTreeMap::new();
    let (mut upnl, mut notional) = (Decimal::ZERO, Decimal::ZERO);
    for row in rows.iter().filter(|row| row.chain_position != "0") {
        let (Some(symbol), Some(opened)) = (&row.symbol, &row.opened_price) else {
            continue;
        };
        let mark = match marks.get(symbol) {
            Some(mark) => *mark,
            None => {
                let mark = state
                    .broker
                    .mark_price(symbol)
                    .await
                    .map_err(|e| e.to_string())?
                    .mark_price;
                marks.insert(symbol.clone(), mark);
                mark
            }
        };
        let party_a_position = -row.chain_position.parse::<Decimal>().unwrap_or_default();
        let opened: Decimal = opened.parse().unwrap_or_default();
        upnl += (mark - opened) * party_a_position;
        notional += mark * party_a_position.abs();
    }
    let book = IntentBook::new(state.intents.book, state.chain.provider.clone());
    let read = |value: Result<alloy::primitives::U256, alloy::contract::Error>| {
        value
            .map_err(|e| e.to_string())
            .and_then(|v| from_wad(v).ok_or_else(|| format!("balance {v} too large")))
    };
    let available = read(book.balanceOf(party_a).call().await)?;
    let allocated = read(book.allocatedBalanceOfPartyA(party_a).call().await)?;
    let locked = read(book.lockedBalanceOfPartyA(party_a).call().await)?;
    let pending = read(book.pendingLockedBalanceOfPartyA(party_a).call().await)?;
    messages.push(json!({
        "type": "upnl",
        "upnl": upnl,
        "notional": notional,
        "timestamp": Utc::now().timestamp(),
        "available_balance": available,
        "allocated_balance": allocated,
        "total_locked": locked,
        "total_pending_locked": pending,
    }));
    Ok(messages)
}
