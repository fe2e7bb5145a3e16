//! The recording `Dealer` the front-door tests run behind: it answers like a real dealer (orders
//! signed by a maker key under the settlement's EIP-712 domain, so a taker can check and approve
//! them) and records every call that reaches it, and every quote it produced.

use alloy::primitives::{Address, B256, U256};
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolStruct;
use hedgeflow_dealer::api::{
    Dealer, FillError, FillReceipt, FillRequest, FillState, Market, Quote, QuoteError, QuoteInfo,
    QuoteRequest, RfqOrder, SignedOrder, Size, TradeInfo,
};
use hedgeflow_dealer::profiler::RateLimit;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

pub const WETH: &str = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
pub const DAI: &str = "0x6b175474e89094c44da98b954eedeac495271d0f";
pub const USDC: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
pub const CHAIN_ID: u64 = 31337;
/// The `RfqSettlement` the orders name (nothing is deployed: only its address is signed).
pub const SETTLEMENT: Address = Address::repeat_byte(0xEF);
/// The maker's key: anvil's public development account #0 (holds test ETH only).
const MAKER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

pub fn addr(s: &str) -> Address {
    s.parse().unwrap()
}

#[derive(Debug, Clone)]
pub enum Call {
    Quote(QuoteRequest),
    Fill(FillRequest),
}

pub struct Recording {
    /// Signs the orders, as the hot wallet does.
    pub maker: PrivateKeySigner,
    pub calls: Mutex<Vec<Call>>,
    /// Every quote answered, in order.
    pub quotes: Mutex<Vec<Quote>>,
    /// When set, every quote is refused with it.
    pub quote_error: Mutex<Option<QuoteError>>,
    /// Fills of these quotes are refused with their error.
    pub fill_errors: Mutex<HashMap<Uuid, FillError>>,
    /// The settlement transaction an accepted fill answers.
    pub transaction_hash: B256,
    /// The states `fill_status` reports per quote: each call takes the next, and the last one
    /// stays (a fill advancing as its workflow runs).
    pub fill_states: Mutex<HashMap<Uuid, Vec<FillState>>>,
}

impl Default for Recording {
    fn default() -> Self {
        Self {
            maker: MAKER_KEY.parse().unwrap(),
            calls: Mutex::default(),
            quotes: Mutex::default(),
            quote_error: Mutex::default(),
            fill_errors: Mutex::default(),
            transaction_hash: B256::repeat_byte(0x5A),
            fill_states: Mutex::default(),
        }
    }
}

impl Recording {
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn quotes(&self) -> Vec<Quote> {
        self.quotes.lock().unwrap().clone()
    }
}

pub fn trade_info() -> TradeInfo {
    TradeInfo {
        chain_id: CHAIN_ID,
        gas_limit: U256::from(210_000),
        gas_price: U256::from(12_000_000_000u64),
    }
}

pub fn test_markets() -> Arc<[Market]> {
    let bounds = QuoteInfo {
        min_size: U256::from(1_000),
        max_size: U256::from(10u64).pow(U256::from(24)),
    };
    let market = |maker: &str, takers: &[&str]| Market {
        maker_asset: addr(maker),
        taker_assets: takers.iter().map(|t| addr(t)).collect(),
        trade_info: trade_info(),
        quote_info: bounds,
    };
    vec![
        market(WETH, &[DAI, USDC]),
        market(DAI, &[WETH]),
        market(USDC, &[WETH]),
    ]
    .into()
}

#[async_trait::async_trait]
impl Dealer for Recording {
    fn chain_id(&self) -> u64 {
        CHAIN_ID
    }

    fn markets(&self) -> Arc<[Market]> {
        test_markets()
    }

    async fn quote(&self, request: QuoteRequest) -> Result<Quote, QuoteError> {
        self.calls
            .lock()
            .unwrap()
            .push(Call::Quote(request.clone()));
        if let Some(e) = self.quote_error.lock().unwrap().clone() {
            return Err(e);
        }
        let (maker_size, taker_size) = match request.size {
            Size::MakerSize(s) => (s, s * U256::from(2)),
            Size::TakerSize(s) => (s / U256::from(2), s),
        };
        let order = request.include_order.then(|| {
            let order = RfqOrder {
                makerToken: request.maker_asset,
                takerToken: request.taker_asset,
                makerAmount: maker_size.to::<u128>(),
                takerAmount: taker_size.to::<u128>(),
                maker: self.maker.address(),
                taker: request.taker,
                txOrigin: self.maker.address(),
                pool: B256::ZERO,
                expiry: 1_900_000_000,
                salt: U256::from(42),
            };
            let hash = order
                .eip712_signing_hash(&hedgeflow_proto::rfq::quote::domain(CHAIN_ID, SETTLEMENT));
            let signature = self.maker.sign_hash_sync(&hash).unwrap().as_bytes().into();
            SignedOrder {
                order,
                hash,
                chain_id: CHAIN_ID,
                verifying_contract: SETTLEMENT,
                signature,
            }
        });
        let quote = Quote {
            quote_id: Uuid::new_v4(),
            maker_asset: request.maker_asset,
            taker_asset: request.taker_asset,
            maker_size,
            taker_size,
            expiration_ms: 1_900_000_000_000,
            server_time_ms: 1_800_000_000_000,
            order,
            trade_info: trade_info(),
            validity: Vec::new(),
        };
        self.quotes.lock().unwrap().push(quote.clone());
        Ok(quote)
    }

    async fn submit_fill(&self, request: FillRequest) -> Result<FillReceipt, FillError> {
        self.calls.lock().unwrap().push(Call::Fill(request.clone()));
        if let Some(e) = self.fill_errors.lock().unwrap().get(&request.quote_id) {
            return Err(e.clone());
        }
        Ok(FillReceipt {
            quote_id: request.quote_id,
            transaction_hash: self.transaction_hash,
            submitted_at_ms: 1_800_000_000_123,
        })
    }

    async fn fill_status(&self, quote_id: Uuid) -> Result<FillState, FillError> {
        let mut states = self.fill_states.lock().unwrap();
        let states = states.get_mut(&quote_id).ok_or(FillError::UnknownQuote)?;
        Ok(if states.len() > 1 {
            states.remove(0)
        } else {
            states[0].clone()
        })
    }
}

pub fn limit(per_second: u32, burst: u32) -> RateLimit {
    RateLimit::new(
        NonZeroU32::new(per_second).unwrap(),
        NonZeroU32::new(burst).unwrap(),
    )
}
