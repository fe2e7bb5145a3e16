//! The paper exchange's configuration: listed symbols and their synthetic markets, accounts with
//! their API keys and starting balances, and commission rates.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::api_keys::Verifier;

pub use crate::engine::wallet::config::{
    CoinConfig, DepositAddressConfig, SecretRef, SignerSource, WalletConfig,
};

/// The API key of the funded account in [`Config::default`]; public on purpose (dev stack only).
pub const DEV_API_KEY: &str = "hedgeflowDevPaperExchangeApiKey0000000000000000000000000000000001";
/// The secret of [`DEV_API_KEY`].
pub const DEV_SECRET_KEY: &str = "hedgeflowDevPaperExchangeSecretKey000000000000000000000000000001";

/// Most levels a synthetic market may quote per side, so that a `limit=1000` depth snapshot
/// still holds the whole book with room for users' resting orders.
pub const MAX_LEVELS: usize = 100;

/// The whole paper exchange. Every field has a default (see [`Config::default`]), so an empty
/// TOML table is a working dev exchange.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Config {
    /// Seed of the synthetic markets' random numbers: the same seed and the same sequence of
    /// requests give the same prices and books. Unset: seeded from the operating system.
    pub seed: Option<u64>,
    /// How often every market moves its mid price and refreshes its synthetic liquidity
    /// (human-readable, e.g. "100ms").
    #[serde(with = "humantime_serde")]
    pub tick_interval: Duration,
    /// Commission charged on every fill, in the asset the account receives (Binance's standard).
    pub commission: CommissionConfig,
    /// The listed symbols.
    pub symbols: Vec<SymbolConfig>,
    /// The accounts, one per API key.
    pub accounts: Vec<AccountConfig>,
    /// Failures injected on purpose, for clients' tests of their recovery. All off by default;
    /// never set them in the dev stack.
    pub faults: FaultConfig,
    /// The USDⓈ-M-style perpetual futures market on every USDT symbol.
    pub futures: FuturesConfig,
    /// The on-chain wallet behind `/sapi/v1/capital/*` (withdrawals and deposits of ERC-20
    /// tokens). Unset: those endpoints answer -1020 and nothing touches a chain.
    pub wallet: Option<WalletConfig>,
}

/// The perpetual futures market: one perpetual per listed symbol quoted in USDT, trading on
/// the spot symbol's synthetic market (see the crate doc).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct FuturesConfig {
    /// Every account's leverage (cross margin): initial margin is notional / leverage.
    pub leverage: u32,
    /// Maintenance margin as a fraction of the position's notional at the mark price.
    pub maintenance_margin_rate: Decimal,
    /// Commission of fills of orders that rested, a fraction of the notional, in USDT.
    pub maker_commission: Decimal,
    /// Commission of fills of orders that took liquidity.
    pub taker_commission: Decimal,
    /// The funding rate reported by `premiumIndex` and the mark price stream. Never charged.
    pub funding_rate: Decimal,
}

impl Default for FuturesConfig {
    /// Binance's defaults: 20x cross, 0.4 % maintenance, 0.02 % maker and 0.05 % taker
    /// commission, 0.01 % funding.
    fn default() -> Self {
        let d = |s: &str| s.parse::<Decimal>().expect("literal decimal");
        FuturesConfig {
            leverage: 20,
            maintenance_margin_rate: d("0.004"),
            maker_commission: d("0.0002"),
            taker_commission: d("0.0005"),
            funding_rate: d("0.0001"),
        }
    }
}

/// Test-only fault injection: the first requests of a kind fail the way Binance fails.
/// The counters run once, from the start of the process.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct FaultConfig {
    /// The first this many order placements are applied, then answered as Binance answers
    /// when the matching engine is slow: HTTP 503 with -1007 ("Send status unknown").
    pub unknown_status_placements: u32,
    /// The next this many placements are applied, then their answer is held for `hang-for`,
    /// past any sensible client timeout.
    pub hung_placements: u32,
    /// Every placement whose client order id starts with this is applied, then its answer is
    /// held for `hang-for`, like the hung ones (a test's way of picking the order to hang).
    pub hang_client_order_prefix: Option<String>,
    /// Every placement of exactly this quantity is held the same way (a test's way of picking
    /// an order whose client order id it cannot know in advance).
    pub hang_quantity: Option<Decimal>,
    /// How long a hung placement's answer is held (human-readable, e.g. "30s").
    #[serde(with = "humantime_serde")]
    pub hang_for: Duration,
    /// The first this many REST requests are refused unprocessed with HTTP 429, -1003 and a
    /// `Retry-After` header, as when Binance's request weight limit is exceeded.
    pub rate_limited_requests: u32,
    /// The wait `Retry-After` asks for, in whole seconds (rounded up).
    #[serde(with = "humantime_serde")]
    pub retry_after: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            unknown_status_placements: 0,
            hung_placements: 0,
            hang_client_order_prefix: None,
            hang_quantity: None,
            hang_for: Duration::from_secs(30),
            rate_limited_requests: 0,
            retry_after: Duration::from_secs(1),
        }
    }
}

/// Commission rates as fractions of the received amount (0.001 is 0.1 %).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CommissionConfig {
    /// Rate for fills of orders that rested on the book.
    pub maker: Decimal,
    /// Rate for fills of orders that took liquidity.
    pub taker: Decimal,
}

/// One listed symbol, its trading rules and its synthetic market.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SymbolConfig {
    /// Binance symbol name, upper case, e.g. "ETHUSDT".
    pub symbol: String,
    /// The asset bought and sold, e.g. "ETH".
    pub base_asset: String,
    /// The asset prices are quoted in, e.g. "USDT".
    pub quote_asset: String,
    /// Mid price the random walk starts from.
    pub initial_price: Decimal,
    /// Price increment (PRICE_FILTER tickSize); also the lowest allowed price.
    pub tick_size: Decimal,
    /// Highest allowed order price (PRICE_FILTER maxPrice).
    pub max_price: Decimal,
    /// Quantity increment (LOT_SIZE stepSize).
    pub step_size: Decimal,
    /// Smallest order quantity (LOT_SIZE minQty).
    pub min_qty: Decimal,
    /// Largest order quantity (LOT_SIZE maxQty).
    pub max_qty: Decimal,
    /// Smallest order value in the quote asset (NOTIONAL minNotional, also applied to market orders).
    pub min_notional: Decimal,
    /// Annualised volatility of the mid price's random walk, as a fraction (0.8 is 80 %).
    pub volatility: f64,
    /// Synthetic price levels quoted on each side (1 to 100).
    pub levels: usize,
    /// Distance from the mid to the best synthetic bid and ask, in basis points.
    pub half_spread_bps: f64,
    /// Distance between consecutive synthetic levels, in basis points (at least one tick).
    pub level_spacing_bps: f64,
    /// Typical base-asset quantity of one synthetic level; deeper levels hold more.
    pub level_qty: Decimal,
}

/// One account: its API key, the key's kind and its starting balances.
///
/// The key's kind is set as on Binance: an HMAC key has a secret (`secret-key`); an Ed25519
/// or RSA key has the public key the client's private key signs for (`public-key`), whose
/// algorithm is the kind. Exactly one of the two is set.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AccountConfig {
    /// The key clients send in the `X-MBX-APIKEY` header.
    pub api_key: String,
    /// An HMAC key's secret, requests are signed with it (HMAC-SHA256, hex). Never logged.
    /// Empty (unset) for an Ed25519 or RSA key.
    #[serde(default)]
    pub secret_key: String,
    /// An Ed25519 or RSA key's public key, PEM (`-----BEGIN PUBLIC KEY-----`, as Binance's
    /// key generator writes it): requests are signed with its private key (base64).
    #[serde(default)]
    pub public_key: Option<String>,
    /// Starting free balance per asset, e.g. `{ USDT = "100000", ETH = "50" }`.
    pub balances: BTreeMap<String, Decimal>,
    /// Starting USDT wallet balance of the account's futures wallet, separate from the spot
    /// balances. Defaults to [`DEFAULT_FUTURES_USDT`], so existing configs can trade futures.
    #[serde(default = "default_futures_usdt")]
    pub futures_usdt: Decimal,
}

/// The futures wallet of an account that does not configure one: 1,000,000 USDT.
pub const DEFAULT_FUTURES_USDT: u32 = 1_000_000;

fn default_futures_usdt() -> Decimal {
    Decimal::from(DEFAULT_FUTURES_USDT)
}

impl AccountConfig {
    /// How this account's signatures are checked; refused when its key is not one Binance
    /// issues (the reason never shows the secret).
    pub(crate) fn verifier(&self) -> Result<Verifier, ConfigError> {
        Verifier::of(&self.secret_key, self.public_key.as_deref()).map_err(|reason| {
            ConfigError::BadAccountKey {
                api_key: self.api_key.clone(),
                reason,
            }
        })
    }
}

impl fmt::Debug for AccountConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountConfig")
            .field("api_key", &self.api_key)
            .field("secret_key", &"<redacted>")
            .field("public_key", &self.public_key)
            .field("balances", &self.balances)
            .field("futures_usdt", &self.futures_usdt)
            .finish()
    }
}

/// Why a [`Config`] cannot run.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no symbols are listed")]
    NoSymbols,
    #[error("symbol {0} is listed twice")]
    DuplicateSymbol(String),
    #[error("symbol {symbol}: {reason}")]
    BadSymbol {
        symbol: String,
        reason: &'static str,
    },
    #[error("API key {0} is configured twice")]
    DuplicateApiKey(String),
    #[error("an account has an empty API key")]
    EmptyKey,
    #[error("account {api_key}: {reason}")]
    BadAccountKey { api_key: String, reason: String },
    #[error("commission rates must be within 0 and 1")]
    BadCommission,
    #[error("tick-interval must be positive")]
    ZeroTick,
    #[error("futures leverage must be positive and its rates within 0 and 1")]
    BadFutures,
    #[error("wallet: {0}")]
    BadWallet(String),
}

impl Config {
    /// Checks what serde cannot: positive sizes, unique names and keys, sane market parameters.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tick_interval.is_zero() {
            return Err(ConfigError::ZeroTick);
        }
        let rate_ok = |r: Decimal| r >= Decimal::ZERO && r < Decimal::ONE;
        if !rate_ok(self.commission.maker) || !rate_ok(self.commission.taker) {
            return Err(ConfigError::BadCommission);
        }
        let futures = &self.futures;
        if futures.leverage == 0
            || !rate_ok(futures.maintenance_margin_rate)
            || !rate_ok(futures.maker_commission)
            || !rate_ok(futures.taker_commission)
        {
            return Err(ConfigError::BadFutures);
        }
        if let Some(wallet) = &self.wallet {
            wallet.validate().map_err(ConfigError::BadWallet)?;
        }
        if self.symbols.is_empty() {
            return Err(ConfigError::NoSymbols);
        }
        let mut names = BTreeSet::new();
        for symbol in &self.symbols {
            if !names.insert(symbol.symbol.as_str()) {
                return Err(ConfigError::DuplicateSymbol(symbol.symbol.clone()));
            }
            symbol.validate()?;
        }
        let mut keys = BTreeSet::new();
        for account in &self.accounts {
            if account.api_key.is_empty() {
                return Err(ConfigError::EmptyKey);
            }
            account.verifier()?;
            if !keys.insert(account.api_key.as_str()) {
                return Err(ConfigError::DuplicateApiKey(account.api_key.clone()));
            }
        }
        Ok(())
    }
}

impl SymbolConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |reason| ConfigError::BadSymbol {
            symbol: self.symbol.clone(),
            reason,
        };
        let is_name = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        if !is_name(&self.symbol) || !is_name(&self.base_asset) || !is_name(&self.quote_asset) {
            return Err(bad(
                "symbol and asset names must be upper-case letters and digits",
            ));
        }
        let positive = [
            self.initial_price,
            self.tick_size,
            self.max_price,
            self.step_size,
            self.min_qty,
            self.max_qty,
            self.level_qty,
        ];
        if positive.iter().any(|d| *d <= Decimal::ZERO) || self.min_notional < Decimal::ZERO {
            return Err(bad("prices, sizes and quantities must be positive"));
        }
        if self.min_qty > self.max_qty || self.initial_price > self.max_price {
            return Err(bad(
                "min-qty above max-qty, or initial-price above max-price",
            ));
        }
        if !(1..=MAX_LEVELS).contains(&self.levels) {
            return Err(bad("levels must be within 1 and 100"));
        }
        let finite_non_negative = |x: f64| x.is_finite() && x >= 0.0;
        if !finite_non_negative(self.volatility)
            || !finite_non_negative(self.half_spread_bps)
            || !finite_non_negative(self.level_spacing_bps)
        {
            return Err(bad(
                "volatility, half-spread-bps and level-spacing-bps must be finite and not negative",
            ));
        }
        Ok(())
    }
}

impl Default for Config {
    /// ETHUSDT, BTCUSDT and ETHBTC around recent prices, 100 ms ticks, 0.1 % commission, and one
    /// account ([`DEV_API_KEY`]) funded with 1,000,000 USDT, 20 BTC and 500 ETH.
    fn default() -> Self {
        let d = |s: &str| s.parse::<Decimal>().expect("literal decimal");
        let symbol = |symbol: &str,
                      base: &str,
                      quote: &str,
                      price: &str,
                      tick: &str,
                      step: &str,
                      max_qty: &str,
                      min_notional: &str,
                      level_qty: &str| SymbolConfig {
            symbol: symbol.into(),
            base_asset: base.into(),
            quote_asset: quote.into(),
            initial_price: d(price),
            tick_size: d(tick),
            max_price: d("1000000"),
            step_size: d(step),
            min_qty: d(step),
            max_qty: d(max_qty),
            min_notional: d(min_notional),
            volatility: 0.8,
            levels: 25,
            half_spread_bps: 1.0,
            level_spacing_bps: 1.0,
            level_qty: d(level_qty),
        };
        Config {
            seed: None,
            tick_interval: Duration::from_millis(100),
            commission: CommissionConfig {
                maker: d("0.001"),
                taker: d("0.001"),
            },
            symbols: vec![
                symbol(
                    "ETHUSDT", "ETH", "USDT", "3000", "0.01", "0.0001", "9000", "5", "5",
                ),
                symbol(
                    "BTCUSDT", "BTC", "USDT", "60000", "0.01", "0.00001", "9000", "5", "0.5",
                ),
                symbol(
                    "ETHBTC", "ETH", "BTC", "0.05", "0.00001", "0.0001", "100000", "0.0001", "5",
                ),
            ],
            accounts: vec![AccountConfig {
                api_key: DEV_API_KEY.into(),
                secret_key: DEV_SECRET_KEY.into(),
                public_key: None,
                balances: [("USDT", "1000000"), ("BTC", "20"), ("ETH", "500")]
                    .into_iter()
                    .map(|(asset, amount)| (asset.to_string(), d(amount)))
                    .collect(),
                futures_usdt: default_futures_usdt(),
            }],
            faults: FaultConfig::default(),
            futures: FuturesConfig::default(),
            wallet: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_lists_the_three_symbols() {
        let config = Config::default();
        config.validate().unwrap();
        let names: Vec<_> = config.symbols.iter().map(|s| s.symbol.as_str()).collect();
        assert_eq!(names, ["ETHUSDT", "BTCUSDT", "ETHBTC"]);
    }

    #[test]
    fn empty_toml_is_the_default_and_fields_are_kebab_case() {
        let config: Config = toml::from_str("seed = 7\ntick-interval = \"250ms\"").unwrap();
        assert_eq!(config.seed, Some(7));
        assert_eq!(config.tick_interval, Duration::from_millis(250));
        assert_eq!(config.symbols.len(), 3);
        assert_eq!(config.faults.unknown_status_placements, 0);
        assert!(toml::from_str::<Config>("tick_interval = \"1s\"").is_err());
        let config: Config =
            toml::from_str("[faults]\nhung-placements = 2\nhang-for = \"5s\"").unwrap();
        assert_eq!(config.faults.hung_placements, 2);
        assert_eq!(config.faults.hang_for, Duration::from_secs(5));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let shown = format!("{:?}", Config::default());
        assert!(shown.contains(DEV_API_KEY));
        assert!(!shown.contains(DEV_SECRET_KEY));
    }

    #[test]
    fn validation_rejects_duplicates_and_bad_levels() {
        let mut config = Config::default();
        config.symbols.push(config.symbols[0].clone());
        assert!(matches!(
            config.validate(),
            Err(ConfigError::DuplicateSymbol(_))
        ));
        let mut config = Config::default();
        config.symbols[1].levels = MAX_LEVELS + 1;
        assert!(matches!(
            config.validate(),
            Err(ConfigError::BadSymbol { .. })
        ));
        let mut config = Config::default();
        config.accounts.push(config.accounts[0].clone());
        assert!(matches!(
            config.validate(),
            Err(ConfigError::DuplicateApiKey(_))
        ));
    }
}
