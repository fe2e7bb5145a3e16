//! One WebSocket API connection's session: its user data stream subscriptions, and the
//! methods it answers (`ping`, `time`, `userDataStream.subscribe.signature`,
//! `userDataStream.unsubscribe`). Errors use the REST API's codes and HTTP statuses.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::api::Shared;
use crate::api::auth::{check_time, recv_window};
use crate::api::error::ApiError;
use crate::api::user_data::spot_event;
use crate::engine::accounts::AccountId;
use crate::engine::now_ms;
use crate::engine::user_data::{SpotEvent, UserEvent};

/// The user data stream subscriptions of one connection.
#[derive(Debug, Default)]
pub struct Session {
    subscriptions: BTreeMap<u64, AccountId>,
    next_subscription_id: u64,
}

impl Session {
    /// The frames `event` gives this connection: one per subscription of its account. The
    /// event's JSON is built once, and only when a subscription takes it.
    pub fn frames_for(&self, event: &UserEvent<SpotEvent>) -> Vec<String> {
        let mut ids = self
            .subscriptions
            .iter()
            .filter(|(_, account)| **account == event.account)
            .map(|(id, _)| id)
            .peekable();
        if ids.peek().is_none() {
            return Vec::new();
        }
        let body = spot_event(&event.event);
        ids.map(|id| json!({ "subscriptionId": id, "event": body }).to_string())
            .collect()
    }

    /// Answers one request frame; an unsubscribe is followed by `eventStreamTerminated`.
    pub fn answer(&mut self, shared: &Shared, text: &str) -> Vec<String> {
        let now = now_ms();
        let request: Map<String, Value> = match serde_json::from_str(text) {
            Ok(request) => request,
            Err(_) => {
                return vec![reply(&Value::Null, Err(ApiError::malformed_request()))];
            }
        };
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let empty = Map::new();
        let params = request
            .get("params")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut terminated = Vec::new();
        let result = match request.get("method").and_then(Value::as_str) {
            Some("ping") => Ok(json!({})),
            Some("time") => Ok(json!({ "serverTime": now })),
            Some("userDataStream.subscribe.signature") => self.subscribe(shared, params, now),
            Some("userDataStream.unsubscribe") => self.unsubscribe(params).map(|ended| {
                terminated = ended;
                json!({})
            }),
            Some(_) => Err(ApiError::unsupported_operation()),
            None => Err(ApiError::mandatory("method")),
        };
        let mut frames = vec![reply(&id, result)];
        frames.extend(terminated.into_iter().map(|subscription| {
            json!({
                "subscriptionId": subscription,
                "event": { "e": "eventStreamTerminated", "E": now },
            })
            .to_string()
        }));
        frames
    }

    /// `userDataStream.subscribe.signature`: `apiKey`, `timestamp`, `signature` (and
    /// `recvWindow`), signed over the other parameters sorted by name, `name=value` joined
    /// by `&`, as Binance's WebSocket API signs requests.
    fn subscribe(
        &mut self,
        shared: &Shared,
        params: &Map<String, Value>,
        now: u64,
    ) -> Result<Value, ApiError> {
        let api_key = text(params, "apiKey")?;
        let signature = text(params, "signature")?;
        let timestamp = integer(params, "timestamp")?;
        let window = match params.get("recvWindow") {
            None => None,
            Some(value) => Some(
                scalar(value)
                    .and_then(|v| v.parse::<Decimal>().ok())
                    .ok_or_else(|| ApiError::illegal_chars("recvWindow", "^[0-9]{1,20}$"))?,
            ),
        };
        let window = recv_window(window)?;
        let mut signed: Vec<(&String, String)> = Vec::new();
        for (name, value) in params.iter().filter(|(name, _)| *name != "signature") {
            let value = scalar(value).ok_or_else(|| ApiError::illegal_chars(name, "a scalar"))?;
            signed.push((name, value));
        }
        signed.sort();
        let payload = signed
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&");
        let account = shared.keys.verify(api_key, payload.as_bytes(), signature)?;
        check_time(timestamp, window, now)?;
        let id = self.next_subscription_id;
        self.next_subscription_id += 1;
        self.subscriptions.insert(id, account);
        tracing::debug!(subscription = id, "user data stream subscribed");
        Ok(json!({ "subscriptionId": id }))
    }

    /// `userDataStream.unsubscribe`: the `subscriptionId` given, or all of them. Returns the
    /// subscriptions ended.
    fn unsubscribe(&mut self, params: &Map<String, Value>) -> Result<Vec<u64>, ApiError> {
        let ended: Vec<u64> = match params.get("subscriptionId") {
            None => std::mem::take(&mut self.subscriptions)
                .into_keys()
                .collect(),
            Some(_) => {
                let id = integer(params, "subscriptionId")?;
                self.subscriptions
                    .remove(&id)
                    .map(|_| id)
                    .into_iter()
                    .collect()
            }
        };
        if ended.is_empty() {
            return Err(ApiError::subscription_inactive());
        }
        Ok(ended)
    }
}

/// The response frame to request `id`.
fn reply(id: &Value, result: Result<Value, ApiError>) -> String {
    match result {
        Ok(result) => json!({ "id": id, "status": 200, "result": result }),
        Err(error) => json!({
            "id": id,
            "status": error.status.as_u16(),
            "error": { "code": error.code, "msg": error.msg },
        }),
    }
    .to_string()
}

/// A parameter's text as it is signed: strings as they are, numbers and booleans as JSON.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text<'a>(params: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    params
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::mandatory(name))
}

fn integer(params: &Map<String, Value>, name: &str) -> Result<u64, ApiError> {
    let value = params.get(name).ok_or_else(|| ApiError::mandatory(name))?;
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| ApiError::illegal_chars(name, "^[0-9]{1,20}$"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_signed_sorted_and_as_sent() {
        let params: Map<String, Value> =
            serde_json::from_str(r#"{"timestamp":1,"apiKey":"k","recvWindow":"5000"}"#).unwrap();
        let mut pairs: Vec<_> = params
            .iter()
            .map(|(n, v)| format!("{n}={}", scalar(v).unwrap()))
            .collect();
        pairs.sort();
        assert_eq!(pairs.join("&"), "apiKey=k&recvWindow=5000&timestamp=1");
        assert_eq!(integer(&params, "timestamp").unwrap(), 1);
        assert_eq!(integer(&params, "apiKey").unwrap_err().code, -1100);
    }

    #[test]
    fn unsubscribing_without_a_subscription_is_refused() {
        let mut session = Session::default();
        assert_eq!(session.unsubscribe(&Map::new()).unwrap_err().code, -2036);
        session.subscriptions.insert(4, AccountId(0));
        session.subscriptions.insert(5, AccountId(0));
        let one: Map<String, Value> = serde_json::from_str(r#"{"subscriptionId":4}"#).unwrap();
        assert_eq!(session.unsubscribe(&one).unwrap(), [4]);
        assert_eq!(session.unsubscribe(&Map::new()).unwrap(), [5]);
    }
}
