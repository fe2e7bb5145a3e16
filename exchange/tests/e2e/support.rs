//! A paper exchange on a free port, and clients of it.

use std::sync::Arc;
use std::time::Duration;

use hedgeflow_exchange::{
    Client, ClientOrderId, Config, Credentials, OrderKind, OrderRequest, Rounding, Side,
    SymbolFilters, TimeInForce,
};
use hedgeflow_paper_exchange::{DEV_API_KEY, DEV_SECRET_KEY, Running, spawn};
use rust_decimal::Decimal;

pub const SYMBOL: &str = "ETHUSDT";

/// A running paper exchange; stopped when dropped.
pub struct Paper {
    pub addr: std::net::SocketAddr,
    _running: Running,
}

impl Paper {
    pub async fn start(config: hedgeflow_paper_exchange::Config) -> Self {
        let running = spawn(config).await.unwrap();
        Paper {
            addr: running.addr,
            _running: running,
        }
    }

    /// The default paper exchange with a fixed seed.
    pub async fn start_default() -> Self {
        Self::start(paper_config()).await
    }

    /// The client configuration for this exchange and its funded dev account.
    pub fn config(&self) -> Config {
        let url = format!("http://{}", self.addr).parse().unwrap();
        Config::paper(url, Credentials::new(DEV_API_KEY, DEV_SECRET_KEY))
    }

    pub fn client(&self) -> Arc<Client> {
        Arc::new(Client::new(self.config()).unwrap())
    }

    /// Best bid and ask of [`SYMBOL`], from the public depth endpoint.
    pub async fn best(&self) -> (Decimal, Decimal) {
        let depth: serde_json::Value = reqwest::get(format!(
            "http://{}/api/v3/depth?symbol={SYMBOL}&limit=1",
            self.addr
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let price = |v: &serde_json::Value| v.as_str().unwrap().parse::<Decimal>().unwrap();
        (price(&depth["bids"][0][0]), price(&depth["asks"][0][0]))
    }
}

/// The default paper exchange configuration with a fixed seed.
pub fn paper_config() -> hedgeflow_paper_exchange::Config {
    hedgeflow_paper_exchange::Config {
        seed: Some(7),
        ..Default::default()
    }
}

/// A paper exchange whose ETHUSDT moves fast enough to cross a resting order 1 % away within
/// a few ticks.
pub fn volatile_config() -> hedgeflow_paper_exchange::Config {
    let mut config = hedgeflow_paper_exchange::Config {
        seed: Some(11),
        ..Default::default()
    };
    config.symbols[0].volatility = 200.0;
    config
}

pub fn id(text: &str) -> ClientOrderId {
    ClientOrderId::new(text).unwrap()
}

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// A GTC LIMIT order of `qty` at `price` rounded to the tick in the passive direction.
pub fn limit(
    filters: &SymbolFilters,
    side: Side,
    price: Decimal,
    qty: &str,
    client_order_id: &str,
) -> OrderRequest {
    let direction = match side {
        Side::Buy => Rounding::Down,
        Side::Sell => Rounding::Up,
    };
    OrderRequest {
        symbol: SYMBOL.into(),
        side,
        kind: OrderKind::Limit {
            price: filters.round_price(price, direction),
            qty: filters.round_qty(dec(qty)),
            time_in_force: TimeInForce::Gtc,
        },
        client_order_id: id(client_order_id),
    }
}

/// A MARKET buy of `qty`.
pub fn market_buy(qty: &str, client_order_id: &str) -> OrderRequest {
    OrderRequest {
        symbol: SYMBOL.into(),
        side: Side::Buy,
        kind: OrderKind::Market { qty: dec(qty) },
        client_order_id: id(client_order_id),
    }
}

/// Free balance of `asset`.
pub async fn free(client: &Client, asset: &str) -> Decimal {
    client
        .balances()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.asset == asset)
        .map_or(Decimal::ZERO, |b| b.free)
}

/// Waits until `check` holds, for at most `within`.
pub async fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check()
}
