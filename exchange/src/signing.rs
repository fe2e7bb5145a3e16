//! HMAC-SHA256 signatures as Binance documents them: REST signs the query string (followed by
//! the body, which this client never uses); the WebSocket API signs its parameters sorted by
//! name, `name=value` joined by `&`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hex HMAC-SHA256 of `payload` under `secret`.
pub fn sign(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The WebSocket API's signature payload of `params` (which must not hold `signature`).
pub fn ws_payload(params: &[(&str, String)]) -> String {
    let mut sorted: Vec<_> = params.iter().collect();
    sorted.sort_by_key(|(name, _)| *name);
    sorted
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rest-api.md, "SIGNED request example (HMAC)".
    #[test]
    fn binance_documented_example_signature() {
        let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
        let payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
        assert_eq!(
            sign(secret, payload),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        );
    }

    #[test]
    fn websocket_payload_is_sorted_by_name() {
        let params = [
            ("timestamp", "1".to_string()),
            ("apiKey", "k".to_string()),
            ("recvWindow", "5000".to_string()),
        ];
        assert_eq!(ws_payload(&params), "apiKey=k&recvWindow=5000&timestamp=1");
    }
}
