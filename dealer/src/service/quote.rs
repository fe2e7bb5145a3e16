//! [`QuoteService`], the real [`Dealer`]: a request's tokens and base-unit size mapped to a
//! market, priced by the [`Maker`] against the live books, reserved against exposure, turned
//! into an `RfqOrder` and signed by the hot wallet.
//!
//! Order of work for one quote: pair lookup → base units to human units → one lock-free load of
//! the books and the inventory → price and reserve exposure under one short mutex (so two
//! concurrent quotes cannot both pass a cap) → amounts back to base units in our favour → sign
//! over gRPC with a timeout → store the [`QuoteRecord`] → reply. A failed signature or store
//! releases the reservation and refuses the quote as unavailable.
//!
//! Fill requests are served in [`super::fill_request`]. Positions from the inventory manager are
//! not wired yet (see [`QuoteService`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::{Eip712Domain, SolStruct};
use arc_swap::ArcSwap;
use hedgeflow_proto::grpc::exchange::exchange_account_client::ExchangeAccountClient;
use hedgeflow_proto::grpc::{
    auth::{HotWalletClient, SendToken},
    hot_wallet::{self as wire, hot_wallet_client},
};
use hedgeflow_proto::rfq::quote::{self, RfqOrder};
use rust_decimal::Decimal;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};
use uuid::Uuid;

use super::books::{BookCache, BooksError, MarketSnapshot};
use super::config::{DealerSettings, Pair, Token};
use super::fills::FillSettlement;
use super::inventory::{read_exchange_funds, read_funds, refresh_inventory};
use super::record::{QuoteRecord, QuoteStore};
use super::units;
use crate::api::{
    self, Dealer, FillError, FillReceipt, FillRequest, Quote, QuoteError, QuoteRequest, SignedOrder,
};
use crate::maker::{
    self, Exposure, ExposureBook, Inventory, Maker, MakerError, PricedQuote, QuoteContext,
    TakerSide,
};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Books(#[from] BooksError),
    #[error("hot wallet endpoint {0:?} is not a valid URI")]
    HotWalletEndpoint(String),
    #[error("exchange account endpoint {0:?} is not a valid URI")]
    ExchangeEndpoint(String),
}

/// The dealer: prices from the OBM's books, signs with the hot wallet.
///
/// Inventory: the hot wallet's token balances, re-read from its `Funds` every
/// `hot-wallet.funds-refresh` (a failed read keeps the last balances and logs), and the positions
/// that drive the maker's inventory skew, set by [`QuoteService::set_positions`] (the dealer role
/// sets them from its hedgers' unhedged nets).
///
/// Exposure: every signed quote reserves what it would deliver until it expires (fills and
/// cancellations do not release it early yet, being unknown here); indicative quotes
/// (`include_order = false`) reserve nothing.
// `pub(super)` fields are the ones `fill_request` reads to serve fills.
pub struct QuoteService {
    pub(super) maker: Maker,
    markets: Arc<[api::Market]>,
    pub(super) pairs: HashMap<(Address, Address), Pair>,
    chain_id: u64,
    settlement: Address,
    domain: Eip712Domain,
    pub(super) trade_info: api::TradeInfo,
    hot_wallet: Address,
    sign_timeout: Duration,
    pub(super) books: BookCache,
    inventory: Arc<ArcSwap<Inventory>>,
    exposure: Arc<Mutex<ExposureBook>>,
    signer: HotWalletClient,
    pub(super) store: Arc<dyn QuoteStore>,
    pub(super) fills: Arc<dyn FillSettlement>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for QuoteService {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

impl QuoteService {
    /// Starts following the books and the hot wallet's funds; signed quotes go to `store`,
    /// accepted fills to `fills`. Returns at once: until the first books and balances arrive,
    /// quotes are refused as unavailable or too large.
    pub fn start(
        settings: DealerSettings,
        store: Arc<dyn QuoteStore>,
        fills: Arc<dyn FillSettlement>,
    ) -> Result<Self, ServiceError> {
        let endpoint = &settings.hot_wallet.endpoint;
        let channel = lazy_channel(endpoint)
            .ok_or_else(|| ServiceError::HotWalletEndpoint(endpoint.clone()))?;
        let signer = hot_wallet_client::HotWalletClient::with_interceptor(
            channel,
            SendToken(settings.hot_wallet.token.clone()),
        );
        let books = BookCache::spawn(settings.books.clone())?;
        // With an exchange account followed, its balances are unknown until the first read:
        // the hedge side counts as unfunded until then.
        let inventory = Arc::new(ArcSwap::from_pointee(Inventory {
            exchange: settings.exchange.as_ref().map(|_| HashMap::new()),
            ..Inventory::default()
        }));
        let exposure = Arc::new(Mutex::new(ExposureBook::new()));
        let tokens: Arc<[Token]> = settings.tokens.values().cloned().collect();
        let hot_wallet = signer.clone();
        let mut tasks = vec![tokio::spawn(refresh_inventory(
            settings.hot_wallet.funds_refresh,
            "hot wallet funds",
            inventory.clone(),
            move || {
                let (client, tokens) = (hot_wallet.clone(), tokens.clone());
                async move { read_funds(client, &tokens).await }
            },
            |inventory, funds| inventory.hot_wallet = funds,
        ))];
        if let Some(exchange) = settings.exchange {
            let channel = lazy_channel(&exchange.endpoint)
                .ok_or_else(|| ServiceError::ExchangeEndpoint(exchange.endpoint.clone()))?;
            let account = ExchangeAccountClient::new(channel);
            let (every, assets) = (exchange.refresh, Arc::new(exchange.assets));
            tasks.push(tokio::spawn(refresh_inventory(
                every,
                "exchange balances",
                inventory.clone(),
                move || read_exchange_funds(account.clone(), assets.clone()),
                |inventory, free| inventory.exchange = Some(free),
            )));
        }
        Ok(Self {
            maker: settings.maker,
            markets: settings.markets,
            pairs: settings.pairs,
            chain_id: settings.chain_id,
            settlement: settings.settlement,
            domain: quote::domain(settings.chain_id, settings.settlement),
            trade_info: settings.trade_info,
            hot_wallet: settings.hot_wallet.address,
            sign_timeout: settings.hot_wallet.sign_timeout,
            books,
            inventory,
            exposure,
            signer,
            store,
            fills,
            tasks,
        })
    }

    /// The books as the next quote would see them.
    pub fn market_data(&self) -> Arc<MarketSnapshot> {
        self.books.snapshot()
    }

    /// The balances and positions as the next quote would see them.
    pub fn inventory(&self) -> Arc<Inventory> {
        self.inventory.load_full()
    }

    /// Replaces the positions (base asset symbol → signed quantity, long positive) the skew
    /// leans against; the balances are kept.
    pub fn set_positions(&self, position: HashMap<String, Decimal>) {
        self.inventory.rcu(|current| Inventory {
            position: position.clone(),
            ..Inventory::clone(current)
        });
    }

    /// What every unexpired signed quote would deliver of `asset` (human units).
    pub fn pending_exposure(&self, asset: &str) -> Decimal {
        let exposure = self.exposure.lock().unwrap_or_else(PoisonError::into_inner);
        exposure.pending(asset, now_ms())
    }

    /// Prices a request and, for a signed quote, reserves its delivery in the exposure book.
    fn price(
        &self,
        quote_id: Uuid,
        pair: &Pair,
        size: maker::Size,
        reserve: bool,
        now_ms: u64,
    ) -> Result<maker::PricedQuote, QuoteError> {
        let request = maker::QuoteRequest {
            market: pair.market.clone(),
            side: pair.side,
            size,
        };
        let market_data = self.books.snapshot();
        let inventory = self.inventory.load();
        let mut exposure = self.exposure.lock().unwrap_or_else(PoisonError::into_inner);
        // Expired reservations out first, so the checks read running totals.
        exposure.prune(now_ms);
        let ctx = QuoteContext {
            now_ms,
            market_data: &*market_data,
            inventory: &inventory,
            exposure: &exposure,
        };
        let priced = self
            .maker
            .quote(&request, &ctx)
            .map_err(|error| quote_error(&error))?;
        if reserve {
            let (asset, amount) = priced.maker_leg();
            let reservation = Exposure {
                asset: asset.to_owned(),
                amount,
                expires_at_ms: priced.expires_at_ms,
            };
            exposure.add(quote_id.to_string(), reservation);
        }
        Ok(priced)
    }

    fn release(&self, quote_id: Uuid) {
        let mut exposure = self.exposure.lock().unwrap_or_else(PoisonError::into_inner);
        exposure.remove(&quote_id.to_string());
    }

    /// Asks the hot wallet to sign `order`; checks the digest it signed is ours.
    async fn sign(&self, quote_id: Uuid, order: RfqOrder) -> Result<SignedOrder, QuoteError> {
        let unavailable = |reason: &str| {
            tracing::warn!(%quote_id, reason, "quote signing failed");
            QuoteError::Unavailable("signer".into())
        };
        let request = wire::SignRfqOrderRequest {
            order: Some((&order).into()),
            quote_id: quote_id.to_string(),
        };
        let mut client = self.signer.clone();
        let reply = tokio::time::timeout(self.sign_timeout, client.sign_rfq_order(request))
            .await
            .map_err(|_| unavailable("timed out"))?
            .map_err(|status| unavailable(status.message()))?
            .into_inner();
        let hash = order.eip712_signing_hash(&self.domain);
        if reply.order_hash.parse::<B256>().ok() != Some(hash) {
            return Err(unavailable("the hot wallet signed another digest"));
        }
        let signature = reply
            .signature
            .parse::<api::Signature>()
            .map_err(|_| unavailable("malformed signature"))?;
        Ok(SignedOrder {
            order,
            hash,
            chain_id: self.chain_id,
            verifying_contract: self.settlement,
            signature,
        })
    }
}

#[async_trait::async_trait]
impl Dealer for QuoteService {
    fn chain_id(&self) -> u64 {
        self.chain_id
    }

    fn markets(&self) -> Arc<[api::Market]> {
        self.markets.clone()
    }

    async fn quote(&self, request: QuoteRequest) -> Result<Quote, QuoteError> {
        let pair = self
            .pairs
            .get(&(request.maker_asset, request.taker_asset))
            .ok_or(QuoteError::UnsupportedMarket)?;
        let size = maker_size(pair, request.size)?;
        let quote_id = Uuid::new_v4();
        let now_ms = now_ms();
        let priced = self.price(quote_id, pair, size, request.include_order, now_ms)?;

        let (_, maker_human) = priced.maker_leg();
        let (_, taker_human) = priced.taker_leg();
        let too_large = || QuoteError::TooLarge("amount out of range".into());
        let maker_size = units::to_base_units_down(maker_human, pair.maker.decimals)
            .and_then(fits_u128)
            .ok_or_else(too_large)?;
        let taker_size = units::to_base_units_up(taker_human, pair.taker.decimals)
            .and_then(fits_u128)
            .ok_or_else(too_large)?;
        // Whole seconds, rounded down: the order never outlives the quote.
        let expiry = priced.expires_at_ms / 1000;
        let mut quote = Quote {
            quote_id,
            maker_asset: request.maker_asset,
            taker_asset: request.taker_asset,
            maker_size: U256::from(maker_size),
            taker_size: U256::from(taker_size),
            expiration_ms: expiry * 1000,
            server_time_ms: now_ms,
            order: None,
            trade_info: self.trade_info,
            validity: soft_cancel(pair, &priced),
        };
        if request.include_order {
            let order = RfqOrder {
                makerToken: pair.maker.address,
                takerToken: pair.taker.address,
                makerAmount: maker_size,
                takerAmount: taker_size,
                maker: self.hot_wallet,
                taker: request.taker,
                txOrigin: self.hot_wallet,
                pool: B256::ZERO,
                expiry,
                salt: U256::from_be_bytes(rand::random::<[u8; 32]>()),
            };
            let signed = match self.sign(quote_id, order).await {
                Ok(signed) => signed,
                Err(error) => {
                    self.release(quote_id);
                    return Err(error);
                }
            };
            let record = QuoteRecord {
                quote_id,
                taker: request.taker,
                maker_asset: request.maker_asset,
                taker_asset: request.taker_asset,
                requested: request.size,
                maker_size: quote.maker_size,
                taker_size: quote.taker_size,
                priced: priced.clone(),
                expiration_ms: quote.expiration_ms,
                order: signed.clone(),
                fill: None,
            };
            if let Err(error) = self.store.save(record).await {
                tracing::warn!(%quote_id, %error, "quote not stored");
                self.release(quote_id);
                return Err(QuoteError::Unavailable("store".into()));
            }
            quote.order = Some(signed);
        }
        tracing::debug!(%quote_id, market = %priced.market, price = %priced.price, "quoted");
        Ok(quote)
    }

    async fn submit_fill(&self, request: FillRequest) -> Result<FillReceipt, FillError> {
        self.submit_fill_request(request).await
    }

    async fn fill_status(&self, quote_id: Uuid) -> Result<api::FillState, FillError> {
        self.stored_fill_state(quote_id).await
    }
}

/// The quote's soft-cancel parameters, as served to the taker.
fn soft_cancel(pair: &Pair, priced: &PricedQuote) -> Vec<api::ValidityParameter> {
    let Some(max_bps) = pair.soft_cancel_bps else {
        return Vec::new();
    };
    vec![
        api::ValidityParameter {
            name: api::MAX_ADVERSE_MID_MOVE_BPS.to_owned(),
            value: max_bps.normalize().to_string().into(),
        },
        api::ValidityParameter {
            name: api::REFERENCE_MID.to_owned(),
            value: priced.inputs.mid.normalize().to_string().into(),
        },
    ]
}

/// The request's base-unit size as the maker's human size on the market's base or quote.
fn maker_size(pair: &Pair, size: api::Size) -> Result<maker::Size, QuoteError> {
    let (units, token, is_base) = match (size, pair.side) {
        (api::Size::MakerSize(u), side) => (u, &pair.maker, side == TakerSide::Buy),
        (api::Size::TakerSize(u), side) => (u, &pair.taker, side == TakerSide::Sell),
    };
    let human = units::to_human(units, token.decimals)
        .ok_or_else(|| QuoteError::TooLarge(format!("{} size out of range", token.symbol)))?;
    Ok(if is_base {
        maker::Size::Base(human)
    } else {
        maker::Size::Quote(human)
    })
}

fn fits_u128(units: U256) -> Option<u128> {
    u128::try_from(units).ok()
}

/// The front door's error for a maker refusal, by code; reasons name public facts only.
pub fn quote_error(error: &MakerError) -> QuoteError {
    match error {
        MakerError::TooSmall { min, asset } => {
            QuoteError::TooSmall(format!("the minimum size is {min} {asset}"))
        }
        MakerError::TooLarge { max, asset } => {
            QuoteError::TooLarge(format!("the maximum size is {max} {asset}"))
        }
        MakerError::InsufficientBalance { .. } => QuoteError::TooLarge("maker balance".into()),
        MakerError::TooThin { .. } => {
            QuoteError::Unavailable("not enough liquidity for this size".into())
        }
        other => match other.code() {
            maker::error::UNSUPPORTED_MARKET => QuoteError::UnsupportedMarket,
            maker::error::QUOTE_TOO_LARGE => QuoteError::TooLarge("size".into()),
            maker::error::QUOTE_TOO_SMALL => QuoteError::TooSmall("size".into()),
            _ => QuoteError::Unavailable("no price".into()),
        },
    }
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// How long a gRPC neighbour (hot wallet, exchange account) may take to accept a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A gRPC channel to `endpoint`, connected on first use; `None` for an invalid URI.
fn lazy_channel(endpoint: &str) -> Option<Channel> {
    let endpoint = Endpoint::from_shared(endpoint.to_owned()).ok()?;
    Some(endpoint.connect_timeout(CONNECT_TIMEOUT).connect_lazy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maker::BookError;

    fn token(symbol: &str, decimals: u32) -> Token {
        Token {
            symbol: symbol.into(),
            address: Address::ZERO,
            decimals,
        }
    }

    #[test]
    fn sizes_map_to_the_market_side() {
        let buy = Pair {
            market: "WETH/USDC".into(),
            side: TakerSide::Buy,
            maker: token("WETH", 18),
            taker: token("USDC", 6),
            hedge_symbol: "ETHUSDT".into(),
            soft_cancel_bps: None,
        };
        let sell = Pair {
            side: TakerSide::Sell,
            maker: token("USDC", 6),
            taker: token("WETH", 18),
            ..buy.clone()
        };
        let eth = U256::from(10u64).pow(U256::from(18));
        let usdc = U256::from(1_000_000u64);
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let cases = [
            (&buy, api::Size::MakerSize(eth), maker::Size::Base(d("1"))),
            (&buy, api::Size::TakerSize(usdc), maker::Size::Quote(d("1"))),
            (
                &sell,
                api::Size::MakerSize(usdc),
                maker::Size::Quote(d("1")),
            ),
            (&sell, api::Size::TakerSize(eth), maker::Size::Base(d("1"))),
        ];
        for (pair, size, want) in cases {
            assert_eq!(maker_size(pair, size), Ok(want), "{:?} {size:?}", pair.side);
        }
        assert!(matches!(
            maker_size(&buy, api::Size::MakerSize(U256::MAX)),
            Err(QuoteError::TooLarge(_))
        ));
    }

    #[test]
    fn maker_errors_keep_their_codes() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let errors = [
            MakerError::UnknownMarket { market: "X".into() },
            MakerError::TooSmall {
                min: d("0.01"),
                asset: "WETH".into(),
            },
            MakerError::TooLarge {
                max: d("10"),
                asset: "WETH".into(),
            },
            MakerError::InsufficientBalance {
                asset: "WETH".into(),
                needed: d("2"),
                available: d("1"),
            },
            MakerError::ExposureLimit {
                asset: "WETH".into(),
                pending: d("1"),
                requested: d("1"),
                cap: d("1"),
            },
            MakerError::BookUnusable {
                symbol: "ETHUSDT".into(),
                reason: BookError::Missing,
            },
            MakerError::TooThin {
                requested: d("100"),
            },
        ];
        for error in errors {
            let mapped = quote_error(&error);
            assert_eq!(mapped.code(), error.code(), "{error:?}");
            // Balances, caps and books stay private.
            assert!(!format!("{mapped}").contains("ETHUSDT"), "{mapped}");
        }
    }
}
