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
//! A fill request is checked against the stored quote (unknown, already requested, expired, and
//! every field and signature of the order as signed), recorded, and handed to the fill workflow
//! ([`FillSettlement`]), whose answer is the reply. Positions from the inventory manager are not
//! wired yet (see [`QuoteService`]).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alloy::primitives::{Address, B256, U256};
use alloy::sol_types::{Eip712Domain, SolStruct};
use arc_swap::ArcSwap;
use hedgeflow_proto::grpc::exchange::{
    self as exchange_wire, exchange_account_client::ExchangeAccountClient,
};
use hedgeflow_proto::grpc::{
    auth::{HotWalletClient, SendToken},
    hot_wallet::{self as wire, hot_wallet_client},
};
use hedgeflow_proto::rfq::{self, RfqFillApproval, RfqOrder};
use rust_decimal::Decimal;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};
use uuid::Uuid;

use super::books::{BookCache, BooksError, MarketSnapshot};
use super::config::{DealerSettings, Pair, Token};
use super::fills::{self, FillSettlement};
use super::record::{FillRecord, FillRecorded, QuoteRecord, QuoteStore, StoreError};
use super::units;
use crate::api::{
    self, Dealer, FillError, FillReceipt, FillRequest, Quote, QuoteError, QuoteRequest, SignedOrder,
};
use crate::maker::{
    self, Exposure, ExposureBook, Inventory, Maker, MakerError, PricedQuote, QuoteContext,
    TakerSide, adverse_move_bps,
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
pub struct QuoteService {
    maker: Maker,
    markets: Arc<[api::Market]>,
    pairs: HashMap<(Address, Address), Pair>,
    chain_id: u64,
    settlement: Address,
    domain: Eip712Domain,
    trade_info: api::TradeInfo,
    hot_wallet: Address,
    sign_timeout: Duration,
    books: BookCache,
    inventory: Arc<ArcSwap<Inventory>>,
    exposure: Arc<Mutex<ExposureBook>>,
    signer: HotWalletClient,
    store: Arc<dyn QuoteStore>,
    fills: Arc<dyn FillSettlement>,
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
            domain: rfq::domain(settings.chain_id, settings.settlement),
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

    /// Validates the request against the stored quote, records it, and hands it to the fill
    /// settlement, whose answer (the transaction, or a refusal with its code) is the reply. The
    /// same request again joins that settlement and gets the same answer; a different request
    /// for a quote already taken is -42016.
    async fn submit_fill(&self, request: FillRequest) -> Result<FillReceipt, FillError> {
        let quote_id = request.quote_id;
        let internal = |error| store_unavailable(quote_id, error);
        let mut record = self
            .store
            .get(quote_id)
            .await
            .map_err(internal)?
            .ok_or(FillError::UnknownQuote)?;
        let pair = self
            .pairs
            .get(&(record.maker_asset, record.taker_asset))
            .ok_or(FillError::UnknownQuote)?;
        if record.fill.is_none() {
            let now_ms = now_ms();
            if now_ms > record.expiration_ms {
                return Err(FillError::Expired);
            }
            self.check_soft_cancel(pair, &record, now_ms)?;
            fill_matches(&record, &request, self.trade_info.gas_price)
                .map_err(|reason| FillError::QuoteValidation(reason.into()))?;
            let fill = FillRecord {
                request: request.clone(),
                accepted_at_ms: now_ms,
            };
            match self
                .store
                .request_fill(quote_id, fill.clone())
                .await
                .map_err(internal)?
            {
                FillRecorded::Recorded => {
                    tracing::info!(%quote_id, "fill requested");
                    record.fill = Some(fill);
                }
                // a concurrent request won: answer as to a repeat of it
                FillRecorded::AlreadyRequested => {
                    record = self
                        .store
                        .get(quote_id)
                        .await
                        .map_err(internal)?
                        .ok_or(FillError::UnknownQuote)?;
                }
                FillRecorded::Unknown => return Err(FillError::UnknownQuote),
            }
        }
        let accepted = record.fill.as_ref().ok_or(FillError::Internal)?;
        if accepted.request != request {
            return Err(FillError::AlreadyFilled);
        }
        let order = fills::fill_order(&record, accepted, pair).ok_or_else(|| {
            tracing::error!(%quote_id, "stored quote does not convert to a fill");
            FillError::Internal
        })?;
        let answer = self.fills.settle(order).await.map_err(|error| {
            tracing::error!(%quote_id, %error, "fill not handed to its settlement");
            FillError::Internal
        })?;
        fills::reply(quote_id, answer)
    }

    /// The fill's state as its workflow last stored it on the quote's row.
    async fn fill_status(&self, quote_id: Uuid) -> Result<api::FillState, FillError> {
        self.store
            .fill_state(quote_id)
            .await
            .map_err(|error| store_unavailable(quote_id, error))?
            .ok_or(FillError::UnknownQuote)
    }
}

impl QuoteService {
    /// The quote's soft cancel (its `validityParameters`): a fill is refused (-42017) when the
    /// market's mid has moved against the quote by more than the market allows since it was
    /// priced, or when no fresh book is there to tell.
    fn check_soft_cancel(
        &self,
        pair: &Pair,
        record: &QuoteRecord,
        now_ms: u64,
    ) -> Result<(), FillError> {
        let Some(max_bps) = pair.soft_cancel_bps else {
            return Ok(());
        };
        let refused = |why: String| FillError::ValidationFailed(format!("soft cancel: {why}"));
        let mid_now = self
            .maker
            .mid(&pair.market, &*self.books.snapshot(), now_ms)
            .map_err(|e| refused(format!("no fresh price to check the quote against ({e})")))?;
        let moved = adverse_move_bps(pair.side, record.priced.inputs.mid, mid_now);
        if moved > max_bps {
            return Err(refused(format!(
                "the mid moved {} bps against the quote, more than {max_bps}",
                moved.round_dp(1)
            )));
        }
        Ok(())
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

/// A fill call the quote store could not serve: logged, and -32603 to the taker (who may retry).
fn store_unavailable(quote_id: Uuid, error: StoreError) -> FillError {
    tracing::error!(%quote_id, %error, "quote store unavailable");
    FillError::Internal
}

/// Why `request` does not fill `record`'s order exactly as signed (the spec's -42020), in words
/// a taker can act on.
fn fill_matches(
    record: &QuoteRecord,
    request: &FillRequest,
    gas_price: U256,
) -> Result<(), &'static str> {
    let signed = &record.order;
    let order = &signed.order;
    if request.salt != order.salt {
        return Err("salt is not the quote's order salt");
    }
    if request.signer != order.taker {
        return Err("signer is not the quote's taker");
    }
    if request.gas_price != gas_price {
        return Err("gasPrice is not the quote's tradeInfo.gasPrice");
    }
    if request.expiration_time_seconds != order.expiry {
        return Err("expirationTimeSeconds is not the order's expiry");
    }
    let approval = RfqFillApproval {
        order: order.clone(),
    };
    let digest =
        approval.eip712_signing_hash(&rfq::domain(signed.chain_id, signed.verifying_contract));
    let approver = alloy::primitives::Signature::from_raw(request.taker_signature.as_slice())
        .ok()
        .and_then(|signature| signature.recover_address_from_prehash(&digest).ok());
    if approver != Some(order.taker) {
        return Err("signature is not the taker's RfqFillApproval of the quote's order");
    }
    if !request.data.is_empty()
        && request.data.as_ref()
            != rfq::fill_calldata(
                order,
                signed.signature.as_slice(),
                request.taker_signature.as_slice(),
            )
    {
        return Err("data is not the fillRfqOrder call of the quote's order and signatures");
    }
    Ok(())
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

fn now_ms() -> u64 {
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

/// Reads with `read` every `every`, forever, and applies each reading to the inventory (the rest
/// of it kept); a failed read keeps the last reading and logs.
async fn refresh_inventory<T, Fut>(
    every: Duration,
    what: &'static str,
    inventory: Arc<ArcSwap<Inventory>>,
    read: impl Fn() -> Fut,
    apply: impl Fn(&mut Inventory, T),
) where
    T: Clone,
    Fut: Future<Output = Result<T, String>>,
{
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match read().await {
            Ok(reading) => {
                inventory.rcu(|current| {
                    let mut next = Inventory::clone(current);
                    apply(&mut next, reading.clone());
                    next
                });
            }
            Err(error) => tracing::warn!(%error, "{what} not refreshed"),
        }
    }
}

/// The exchange account's free balances, by our asset symbols (`assets`: ours → the exchange's).
async fn read_exchange_funds(
    mut client: ExchangeAccountClient<Channel>,
    assets: Arc<BTreeMap<String, String>>,
) -> Result<HashMap<String, Decimal>, String> {
    let reply = client
        .balances(exchange_wire::BalancesRequest {})
        .await
        .map_err(|status| status.message().to_owned())?;
    let free: HashMap<String, Decimal> = reply
        .into_inner()
        .balances
        .into_iter()
        .filter_map(|b| Some((b.asset, b.free.parse().ok()?)))
        .collect();
    Ok(assets
        .iter()
        .map(|(ours, theirs)| (ours.clone(), free.get(theirs).copied().unwrap_or_default()))
        .collect())
}

/// The hot wallet's balance of each of `tokens`, by symbol, in human units.
pub async fn read_funds(
    mut client: HotWalletClient,
    tokens: &[Token],
) -> Result<HashMap<String, Decimal>, String> {
    let request = wire::FundsRequest {
        owner: String::new(),
        tokens: tokens.iter().map(|t| t.address.to_string()).collect(),
    };
    let reply = client
        .funds(request)
        .await
        .map_err(|status| status.message().to_owned())?
        .into_inner();
    let mut balances = HashMap::new();
    for funds in reply.tokens {
        let address: Address = funds.token.parse().map_err(|_| "bad token address")?;
        let token = tokens
            .iter()
            .find(|t| t.address == address)
            .ok_or("funds for an unknown token")?;
        let units = U256::from_str_radix(&funds.balance, 10).map_err(|_| "bad balance")?;
        // A balance beyond Decimal's range is more than any quote can deliver.
        let human = units::to_human(units, token.decimals).unwrap_or(Decimal::MAX);
        balances.insert(token.symbol.clone(), human);
    }
    Ok(balances)
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
