//! Binance's JSON shapes for depth, private to this module.

use crate::book::Level;
use crate::sync::{Diff, Snapshot};
use rust_decimal::Decimal;
use serde::Deserialize;

/// `[price, quantity]`, both strings.
#[derive(Deserialize)]
pub struct RawLevel(Decimal, Decimal);

fn levels(raw: Vec<RawLevel>) -> Vec<Level> {
    raw.into_iter()
        .map(|RawLevel(price, quantity)| Level { price, quantity })
        .collect()
}

/// `GET /api/v3/depth`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepthSnapshot {
    last_update_id: u64,
    bids: Vec<RawLevel>,
    asks: Vec<RawLevel>,
}

impl DepthSnapshot {
    pub fn into_domain(self) -> Snapshot {
        Snapshot {
            update_id: self.last_update_id,
            bids: levels(self.bids),
            asks: levels(self.asks),
        }
    }
}

/// A `depthUpdate` event.
#[derive(Deserialize)]
pub struct DepthUpdate {
    #[serde(rename = "U")]
    first_update_id: u64,
    #[serde(rename = "u")]
    final_update_id: u64,
    #[serde(rename = "b")]
    bids: Vec<RawLevel>,
    #[serde(rename = "a")]
    asks: Vec<RawLevel>,
}

impl DepthUpdate {
    pub fn into_domain(self) -> Diff {
        Diff {
            first: self.first_update_id,
            last: self.final_update_id,
            bids: levels(self.bids),
            asks: levels(self.asks),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn decodes_binance_documented_payloads() {
        // The examples of web-socket-streams.md and rest-api.md.
        let update: DepthUpdate = serde_json::from_str(
            r#"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,
                "b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#,
        )
        .unwrap();
        let diff = update.into_domain();
        assert_eq!((diff.first, diff.last), (157, 160));
        assert_eq!(
            diff.bids,
            vec![Level {
                price: dec!(0.0024),
                quantity: dec!(10)
            }]
        );
        assert_eq!(
            diff.asks,
            vec![Level {
                price: dec!(0.0026),
                quantity: dec!(100)
            }]
        );

        let snapshot: DepthSnapshot = serde_json::from_str(
            r#"{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],
                "asks":[["4.00000200","12.00000000"]]}"#,
        )
        .unwrap();
        let snapshot = snapshot.into_domain();
        assert_eq!(snapshot.update_id, 1027024);
        assert_eq!(snapshot.bids[0].quantity, dec!(431));
    }
}
