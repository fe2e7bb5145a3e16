//! The dealer's markets and neighbours, as one TOML table read with serde, converted once at
//! start to the maker's [`maker::Market`]s, the front door's [`api::Market`] list and the quote
//! path's token table ([`DealerSettings`]).
//!
//! ```toml
//! [obm]
//! endpoint = "http://127.0.0.1:50061"
//! exchange = "paper"
//!
//! [hot-wallet]
//! endpoint = "http://127.0.0.1:50062"
//! address = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
//!
//! [settlement]
//! chain-id = 31337
//! contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
//! gas-limit = 250000
//! gas-price = 1000000000
//!
//! [assets.WETH]
//! address = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
//! decimals = 18
//! [assets.USDC]
//! address = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"
//! decimals = 6
//!
//! [exposure-caps]
//! WETH = "50"
//!
//! [[markets]]
//! id = "WETH/USDC"
//! base = "WETH"
//! quote = "USDC"
//! route = { direct = "ETHUSDT" }   # or { via = { asset = "USDT", base-symbol = "ETHUSDT", quote-symbol = "USDCUSDT" } }
//! taker-fee = "0.001"
//! premium-bps = "5"
//! volatility-multiplier = "1"
//! skew-factor-bps = "5"
//! inventory-limit = "20"
//! min-base = "0.01"
//! max-base = "10"
//! max-deviation-bps = "200"
//! quote-ttl = "10s"
//! max-book-age = "2s"
//! ```
//!
//! Decimals are best written as strings (a TOML float is binary and may not be what you wrote).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use alloy::primitives::{Address, U256};
use rust_decimal::Decimal;
use serde::Deserialize;

use super::books::CacheSettings;
use super::units;
use crate::api;
use crate::maker::{self, ConfigError, HedgeLeg, Maker, RiskLimits, Route, TakerSide};

/// The whole `dealer` service table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DealerConfig {
    /// The order book manager the books come from.
    pub obm: ObmConfig,
    /// The hot wallet that signs quote orders and reports balances.
    pub hot_wallet: HotWalletConfig,
    /// Where quotes settle.
    pub settlement: SettlementConfig,
    /// Tokens on the settlement chain by symbol (the symbols markets, caps and balances use).
    pub assets: BTreeMap<String, AssetConfig>,
    /// Cap on the pending exposure (what every unexpired quote would deliver) per asset symbol,
    /// human units. An asset without a cap is bounded by the hot wallet's balance only.
    #[serde(default)]
    pub exposure_caps: BTreeMap<String, Decimal>,
    /// The markets quoted.
    pub markets: Vec<MarketConfig>,
    /// The exchange account the hedges pay from (the `exchange` role's gRPC), so a quote whose
    /// hedge the account cannot pay is refused; absent: the hedge side is not checked.
    #[serde(default)]
    pub exchange: Option<ExchangeFundsConfig>,
}

/// Where the exchange account's balances are read, and which exchange asset each of ours is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExchangeFundsConfig {
    /// gRPC endpoint URI of the `exchange` role's `ExchangeAccount` service.
    pub endpoint: String,
    /// Our asset symbol → the exchange's (`WETH = "ETH"`, `USDC = "USDT"`).
    pub assets: BTreeMap<String, String>,
    /// How often the balances are re-read.
    #[serde(default = "default_funds_refresh", with = "humantime_serde")]
    pub refresh: Duration,
}

/// The OBM's gRPC endpoint and what to ask it for.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ObmConfig {
    /// gRPC endpoint URI, e.g. `http://127.0.0.1:50061`.
    pub endpoint: String,
    /// The OBM's name of the exchange whose books we hedge on (`BookKey.exchange`).
    pub exchange: String,
    /// Levels per side per book snapshot; bounds the largest size that can be priced.
    #[serde(default = "default_levels")]
    pub levels: u32,
    /// First wait before reconnecting to the OBM.
    #[serde(default = "default_backoff_min", with = "humantime_serde")]
    pub backoff_min: Duration,
    /// Longest wait between reconnection attempts.
    #[serde(default = "default_backoff_max", with = "humantime_serde")]
    pub backoff_max: Duration,
}

/// The hot wallet's quote signer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct HotWalletConfig {
    /// gRPC endpoint URI of its `HotWallet` service.
    pub endpoint: String,
    /// Its address: every order's maker and txOrigin.
    pub address: Address,
    /// How often its token balances are re-read (they bound what we quote).
    #[serde(default = "default_funds_refresh", with = "humantime_serde")]
    pub funds_refresh: Duration,
    /// Longest wait for a signature before the quote is refused as unavailable.
    #[serde(default = "default_sign_timeout", with = "humantime_serde")]
    pub sign_timeout: Duration,
    /// The quote signer's bearer token (`[settlement] signer-token`, filled in by the process).
    #[serde(default)]
    pub token: Option<hedgeflow_proto::grpc::auth::Token>,
}

/// The settlement chain and contract, and the transaction a fill repeats.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SettlementConfig {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The `RfqSettlement` deployment (the EIP-712 verifying contract).
    pub contract: Address,
    /// Gas limit of the settlement transaction (the spec's `tradeInfo.gasLimit`).
    pub gas_limit: u64,
    /// Gas price of the settlement transaction, wei (the spec's `tradeInfo.gasPrice`).
    pub gas_price: u64,
}

/// One ERC-20 on the settlement chain.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AssetConfig {
    /// Token contract address.
    pub address: Address,
    /// Token decimals (at most 18).
    pub decimals: u32,
}

/// How a market is hedged.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(
    rename_all = "kebab-case",
    rename_all_fields = "kebab-case",
    deny_unknown_fields
)]
pub enum RouteConfig {
    /// On one exchange symbol whose base and quote are the market's (e.g. `"ETHUSDT"` for
    /// WETH/USDC, treating USDC and USDT as the same dollar).
    Direct(String),
    /// Through a common asset: `base-symbol` is BASE/ASSET, `quote-symbol` is QUOTE/ASSET.
    Via {
        /// The common asset (e.g. `USDT`).
        asset: String,
        /// The base leg's exchange symbol.
        base_symbol: String,
        /// The quote leg's exchange symbol.
        quote_symbol: String,
    },
}

/// One market: BASE/QUOTE, quoted both ways.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MarketConfig {
    /// Market id, e.g. `WETH/USDC`.
    pub id: String,
    /// Base asset symbol (a key of `assets`).
    pub base: String,
    /// Quote asset symbol (a key of `assets`).
    pub quote: String,
    /// Where the hedge trades.
    pub route: RouteConfig,
    /// The exchange's taker fee on each hedge leg, a fraction (`0.001` = 10 bps).
    pub taker_fee: Decimal,
    /// Our margin over the fee-adjusted hedge cost, bps.
    pub premium_bps: Decimal,
    /// Widening = multiplier × per-second volatility × sqrt(quote TTL in seconds).
    pub volatility_multiplier: Decimal,
    /// Inventory skew reached at `inventory-limit`, bps.
    pub skew_factor_bps: Decimal,
    /// Base position (human units) at which the skew saturates.
    pub inventory_limit: Decimal,
    /// Smallest base size quoted, human units.
    pub min_base: Decimal,
    /// Largest base size quoted, human units.
    pub max_base: Decimal,
    /// Largest allowed distance of the all-in price from mid, bps.
    pub max_deviation_bps: Decimal,
    /// How long a quote stays fillable (the order's expiry), e.g. `"10s"`.
    #[serde(with = "humantime_serde")]
    pub quote_ttl: Duration,
    /// Oldest book snapshot priced from, e.g. `"2s"`.
    #[serde(with = "humantime_serde")]
    pub max_book_age: Duration,
    /// The quote's soft cancel: a fill is refused (-42017) when the mid has moved against the
    /// quote by more than this many bps since it was priced. Unset: no soft cancel.
    #[serde(default)]
    pub soft_cancel_bps: Option<Decimal>,
}

fn default_levels() -> u32 {
    100
}
fn default_backoff_min() -> Duration {
    Duration::from_millis(100)
}
fn default_backoff_max() -> Duration {
    Duration::from_secs(5)
}
fn default_funds_refresh() -> Duration {
    Duration::from_secs(5)
}
fn default_sign_timeout() -> Duration {
    Duration::from_secs(1)
}

/// A token as the quote path needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub symbol: String,
    pub address: Address,
    pub decimals: u32,
}

/// One direction of a market: what a (maker token, taker token) request maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// The maker's market id.
    pub market: String,
    /// The taker's side of the market's base asset.
    pub side: TakerSide,
    /// The token we deliver.
    pub maker: Token,
    /// The token the taker pays.
    pub taker: Token,
    /// The exchange symbol the market's base is hedged on (a cross route's base leg; its
    /// quote leg stays as inventory).
    pub hedge_symbol: String,
    /// The market's soft cancel (see [`MarketConfig::soft_cancel_bps`]).
    pub soft_cancel_bps: Option<Decimal>,
}

/// Everything the dealer service runs from, validated.
#[derive(Clone, Debug)]
pub struct DealerSettings {
    pub maker: Maker,
    /// The front door's market list: one entry per direction of each market.
    pub markets: Arc<[api::Market]>,
    /// By (maker token, taker token).
    pub pairs: HashMap<(Address, Address), Pair>,
    /// Every configured token, by address (the hot wallet's funds are read for these).
    pub tokens: HashMap<Address, Token>,
    pub books: CacheSettings,
    pub hot_wallet: HotWalletConfig,
    pub exchange: Option<ExchangeFundsConfig>,
    pub chain_id: u64,
    pub settlement: Address,
    pub trade_info: api::TradeInfo,
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("market {market}: asset {asset} is not in [assets]")]
    UnknownAsset { market: String, asset: String },
    #[error("asset {0}: decimals must be at most 18")]
    Decimals(String),
    #[error("assets {0} and {1} share a token address")]
    SharedAddress(String, String),
    #[error("markets {0} and {1} trade the same pair of assets")]
    SamePair(String, String),
    #[error("market {0}: base and quote must differ")]
    SameAsset(String),
    #[error("exposure cap for {0}, which is not in [assets]")]
    UnknownCap(String),
    #[error(transparent)]
    Market(#[from] ConfigError),
}

/// The markets as the maker, the API and the pairs see them.
struct Markets {
    maker: Vec<maker::Market>,
    api: Vec<api::Market>,
    pairs: HashMap<(Address, Address), Pair>,
}

impl DealerConfig {
    /// Validates and converts.
    pub fn settings(&self) -> Result<DealerSettings, SettingsError> {
        let tokens = self.tokens()?;
        let by_symbol: HashMap<&str, &Token> =
            tokens.values().map(|t| (t.symbol.as_str(), t)).collect();
        if let Some(asset) = self
            .exposure_caps
            .keys()
            .find(|a| !by_symbol.contains_key(a.as_str()))
        {
            return Err(SettingsError::UnknownCap(asset.clone()));
        }
        let trade_info = api::TradeInfo {
            chain_id: self.settlement.chain_id,
            gas_limit: U256::from(self.settlement.gas_limit),
            gas_price: U256::from(self.settlement.gas_price),
        };

        let Markets {
            maker: markets,
            api: api_markets,
            pairs,
        } = self.markets(&by_symbol, trade_info)?;

        let mut symbols: Vec<String> = markets
            .iter()
            .flat_map(|m| m.symbols().into_iter().map(str::to_owned))
            .collect();
        symbols.sort();
        symbols.dedup();
        let limits = RiskLimits {
            exposure_caps: self.exposure_caps.clone().into_iter().collect(),
        };
        Ok(DealerSettings {
            maker: Maker::new(markets, limits)?,
            markets: api_markets.into(),
            pairs,
            tokens,
            books: CacheSettings {
                endpoint: self.obm.endpoint.clone(),
                exchange: self.obm.exchange.clone(),
                symbols,
                levels: self.obm.levels,
                backoff_min: self.obm.backoff_min,
                backoff_max: self.obm.backoff_max,
            },
            hot_wallet: self.hot_wallet.clone(),
            exchange: self.exchange.clone(),
            chain_id: self.settlement.chain_id,
            settlement: self.settlement.contract,
            trade_info,
        })
    }

    /// The assets' tokens by address: decimals at most 18, one address per asset.
    fn tokens(&self) -> Result<HashMap<Address, Token>, SettingsError> {
        let mut tokens: HashMap<Address, Token> = HashMap::new();
        for (symbol, asset) in &self.assets {
            if asset.decimals > maker::market::MAX_DECIMALS {
                return Err(SettingsError::Decimals(symbol.clone()));
            }
            let token = Token {
                symbol: symbol.clone(),
                address: asset.address,
                decimals: asset.decimals,
            };
            if let Some(other) = tokens.insert(asset.address, token) {
                return Err(SettingsError::SharedAddress(other.symbol, symbol.clone()));
            }
        }
        Ok(tokens)
    }

    /// The maker's markets, the API's markets and the pairs (by maker and taker token), each
    /// market on two assets of `by_symbol`, and no pair traded by two markets.
    fn markets(
        &self,
        by_symbol: &HashMap<&str, &Token>,
        trade_info: api::TradeInfo,
    ) -> Result<Markets, SettingsError> {
        let mut markets = Vec::new();
        let mut api_markets = Vec::new();
        let mut pairs: HashMap<(Address, Address), Pair> = HashMap::new();
        for config in &self.markets {
            let token = |asset: &str| {
                by_symbol.get(asset).map(|t| (*t).clone()).ok_or_else(|| {
                    SettingsError::UnknownAsset {
                        market: config.id.clone(),
                        asset: asset.to_owned(),
                    }
                })
            };
            let (base, quote) = (token(&config.base)?, token(&config.quote)?);
            if base.address == quote.address {
                return Err(SettingsError::SameAsset(config.id.clone()));
            }
            let market = config.maker_market(&base, &quote);
            market.validate()?;
            for (side, maker, taker) in [
                (TakerSide::Buy, &base, &quote),
                (TakerSide::Sell, &quote, &base),
            ] {
                let pair = Pair {
                    market: config.id.clone(),
                    side,
                    maker: maker.clone(),
                    taker: taker.clone(),
                    hedge_symbol: market.route.base_leg().symbol.clone(),
                    soft_cancel_bps: config.soft_cancel_bps,
                };
                if let Some(other) = pairs.insert((maker.address, taker.address), pair) {
                    return Err(SettingsError::SamePair(other.market, config.id.clone()));
                }
                api_markets.push(api::Market {
                    maker_asset: maker.address,
                    taker_assets: vec![taker.address],
                    trade_info,
                    quote_info: quote_info(&market, side, &base),
                });
            }
            markets.push(market);
        }
        Ok(Markets {
            maker: markets,
            api: api_markets,
            pairs,
        })
    }
}

impl MarketConfig {
    fn maker_market(&self, base: &Token, quote: &Token) -> maker::Market {
        let leg = |symbol: &str| HedgeLeg::new(symbol, self.taker_fee);
        let route = match &self.route {
            RouteConfig::Direct(symbol) => Route::Direct(leg(symbol)),
            RouteConfig::Via {
                asset,
                base_symbol,
                quote_symbol,
            } => Route::Via {
                via: asset.clone(),
                base_leg: leg(base_symbol),
                quote_leg: leg(quote_symbol),
            },
        };
        maker::Market {
            id: self.id.clone(),
            base: maker::Asset::new(&base.symbol, base.decimals),
            quote: maker::Asset::new(&quote.symbol, quote.decimals),
            route,
            premium_bps: self.premium_bps,
            volatility_multiplier: self.volatility_multiplier,
            skew_factor_bps: self.skew_factor_bps,
            inventory_limit: self.inventory_limit,
            min_base: self.min_base,
            max_base: self.max_base,
            max_deviation_bps: self.max_deviation_bps,
            quote_ttl: self.quote_ttl,
            max_book_age: self.max_book_age,
        }
    }
}

/// The front door's size bounds on the maker asset. When we deliver base they are the market's
/// base bounds (min rounded up, max down, to base units). When we deliver quote the bounds
/// depend on the price, so the front door is given the contract's range (one unit to
/// `uint128::MAX`) and the maker applies the base bounds after pricing.
fn quote_info(market: &maker::Market, side: TakerSide, base: &Token) -> api::QuoteInfo {
    match side {
        TakerSide::Buy => api::QuoteInfo {
            min_size: units::to_base_units_up(market.min_base, base.decimals).unwrap_or(U256::MAX),
            max_size: units::to_base_units_down(market.max_base, base.decimals)
                .unwrap_or(U256::ZERO),
        },
        TakerSide::Sell => api::QuoteInfo {
            min_size: U256::from(1),
            max_size: U256::from(u128::MAX),
        },
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
