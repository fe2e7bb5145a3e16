//! The JSON shapes of Binance's REST responses, field for field.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Value, json};

use crate::config::{CommissionConfig, SymbolConfig};
use crate::engine::accounts::Account;
use crate::engine::depth::Snapshot;
use crate::engine::exchange::ticker::{BestPrices, Ticker};
use crate::engine::exchange::trades::Trade;
use crate::engine::orders::{DP, Order, OrderType, amount};

fn levels(levels: &[(Decimal, Decimal)]) -> Vec<[String; 2]> {
    levels
        .iter()
        .map(|(p, q)| [amount(*p), amount(*q)])
        .collect()
}

/// `GET /api/v3/depth`
pub fn depth(snapshot: &Snapshot) -> Value {
    json!({
        "lastUpdateId": snapshot.last_update_id,
        "bids": levels(&snapshot.bids),
        "asks": levels(&snapshot.asks),
    })
}

/// One symbol of `GET /api/v3/exchangeInfo`.
pub fn symbol_info(symbol: &SymbolConfig) -> Value {
    json!({
        "symbol": symbol.symbol,
        "status": "TRADING",
        "baseAsset": symbol.base_asset,
        "baseAssetPrecision": DP,
        "quoteAsset": symbol.quote_asset,
        "quotePrecision": DP,
        "quoteAssetPrecision": DP,
        "baseCommissionPrecision": DP,
        "quoteCommissionPrecision": DP,
        "orderTypes": OrderType::ALL,
        "icebergAllowed": false,
        "ocoAllowed": false,
        "otoAllowed": false,
        "opoAllowed": false,
        "quoteOrderQtyMarketAllowed": true,
        "allowTrailingStop": false,
        "cancelReplaceAllowed": false,
        "amendAllowed": false,
        "pegInstructionsAllowed": false,
        "isSpotTradingAllowed": true,
        "isMarginTradingAllowed": false,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": amount(symbol.tick_size),
                "maxPrice": amount(symbol.max_price),
                "tickSize": amount(symbol.tick_size),
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": amount(symbol.min_qty),
                "maxQty": amount(symbol.max_qty),
                "stepSize": amount(symbol.step_size),
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": amount(symbol.min_notional),
                "applyMinToMarket": true,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": false,
                "avgPriceMins": 5,
            },
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "NONE",
        "allowedSelfTradePreventionModes": ["NONE"],
    })
}

/// `GET /api/v3/exchangeInfo`
pub fn exchange_info(symbols: Vec<Value>, server_time: u64) -> Value {
    json!({
        "timezone": "UTC",
        "serverTime": server_time,
        "rateLimits": [],
        "exchangeFilters": [],
        "symbols": symbols,
    })
}

/// `GET /api/v3/account`
pub fn account(
    account: &Account,
    commission: &CommissionConfig,
    omit_zero: bool,
    uid: usize,
) -> Value {
    // Binance's integer commissions are in basis points
    let bps = |rate: Decimal| (rate * Decimal::from(10_000)).trunc().to_i64().unwrap_or(0);
    let balances: Vec<Value> = account
        .balances
        .iter()
        .filter(|(_, b)| !omit_zero || !(b.free + b.locked).is_zero())
        .map(|(asset, b)| json!({ "asset": asset, "free": amount(b.free), "locked": amount(b.locked) }))
        .collect();
    json!({
        "makerCommission": bps(commission.maker),
        "takerCommission": bps(commission.taker),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": amount(commission.maker),
            "taker": amount(commission.taker),
            "buyer": amount(Decimal::ZERO),
            "seller": amount(Decimal::ZERO),
        },
        "canTrade": true,
        "canWithdraw": false,
        "canDeposit": false,
        "brokered": false,
        "requireSelfTradePrevention": false,
        "preventSor": false,
        "updateTime": account.update_time,
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": uid,
    })
}

/// The order fields every order response shares.
fn order_common(order: &Order) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "symbol": order.symbol,
        "orderId": order.id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "price": amount(order.price),
        "origQty": amount(order.orig_qty),
        "executedQty": amount(order.executed_qty),
        "origQuoteOrderQty": amount(order.orig_quote_order_qty),
        "cummulativeQuoteQty": amount(order.cummulative_quote_qty),
        "status": order.status.as_str(),
        "timeInForce": order.time_in_force.as_str(),
        "type": order.order_type.as_str(),
        "side": order.side.as_str(),
        "selfTradePreventionMode": "NONE",
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    map
}

/// `POST /api/v3/order` with `newOrderRespType=ACK`.
pub fn order_ack(order: &Order) -> Value {
    json!({
        "symbol": order.symbol,
        "orderId": order.id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "transactTime": order.time,
    })
}

/// `POST /api/v3/order` with `newOrderRespType=RESULT`.
pub fn order_result(order: &Order) -> Value {
    let mut map = order_common(order);
    map.insert("transactTime".into(), order.time.into());
    map.insert("workingTime".into(), order.time.into());
    Value::Object(map)
}

/// `POST /api/v3/order` with `newOrderRespType=FULL` (the default): RESULT plus the fills.
pub fn order_full(order: &Order) -> Value {
    let mut value = order_result(order);
    let fills: Vec<Value> = order
        .fills
        .iter()
        .map(|f| {
            json!({
                "price": amount(f.price),
                "qty": amount(f.qty),
                "commission": amount(f.commission),
                "commissionAsset": f.commission_asset,
                "tradeId": f.trade_id,
            })
        })
        .collect();
    value["fills"] = fills.into();
    value
}

/// `GET /api/v3/order` and each entry of `GET /api/v3/openOrders`.
pub fn order_query(order: &Order) -> Value {
    let mut map = order_common(order);
    map.insert("stopPrice".into(), amount(Decimal::ZERO).into());
    map.insert("icebergQty".into(), amount(Decimal::ZERO).into());
    map.insert("time".into(), order.time.into());
    map.insert("updateTime".into(), order.update_time.into());
    map.insert("isWorking".into(), order.status.is_open().into());
    map.insert("workingTime".into(), order.time.into());
    Value::Object(map)
}

/// `DELETE /api/v3/order`: the order, its original client id, and the cancel's own client id.
pub fn order_canceled(order: &Order, cancel_client_order_id: &str, now: u64) -> Value {
    let mut map = order_common(order);
    map.insert(
        "origClientOrderId".into(),
        order.client_order_id.clone().into(),
    );
    map.insert("clientOrderId".into(), cancel_client_order_id.into());
    map.insert("transactTime".into(), now.into());
    Value::Object(map)
}

/// `GET /api/v3/ticker/24hr` (`type=FULL`, the default).
pub fn ticker_24hr(ticker: &Ticker) -> Value {
    let mut value = ticker_mini(ticker);
    let fields = [
        ("priceChange", amount(ticker.price_change())),
        (
            "priceChangePercent",
            ticker.price_change_percent().to_string(),
        ),
        ("weightedAvgPrice", amount(ticker.weighted_average())),
        ("prevClosePrice", amount(ticker.prev_close)),
        ("lastQty", amount(ticker.last_qty)),
        ("bidPrice", amount(ticker.best.bid.0)),
        ("bidQty", amount(ticker.best.bid.1)),
        ("askPrice", amount(ticker.best.ask.0)),
        ("askQty", amount(ticker.best.ask.1)),
    ];
    for (name, field) in fields {
        value[name] = field.into();
    }
    value
}

/// `GET /api/v3/ticker/24hr?type=MINI`. Without trades in the window the ids are -1.
pub fn ticker_mini(ticker: &Ticker) -> Value {
    let (first_id, last_id) = ticker
        .trade_ids
        .map_or((-1, -1), |(first, last)| (first as i64, last as i64));
    json!({
        "symbol": ticker.symbol,
        "openPrice": amount(ticker.open),
        "highPrice": amount(ticker.high),
        "lowPrice": amount(ticker.low),
        "lastPrice": amount(ticker.last),
        "volume": amount(ticker.volume),
        "quoteVolume": amount(ticker.quote_volume),
        "openTime": ticker.open_time,
        "closeTime": ticker.close_time,
        "firstId": first_id,
        "lastId": last_id,
        "count": ticker.count,
    })
}

/// `GET /api/v3/ticker/price`
pub fn ticker_price(symbol: &str, price: Decimal) -> Value {
    json!({ "symbol": symbol, "price": amount(price) })
}

/// `GET /api/v3/ticker/bookTicker`
pub fn book_ticker(symbol: &str, best: &BestPrices) -> Value {
    json!({
        "symbol": symbol,
        "bidPrice": amount(best.bid.0),
        "bidQty": amount(best.bid.1),
        "askPrice": amount(best.ask.0),
        "askQty": amount(best.ask.1),
    })
}

/// One entry of `GET /api/v3/myTrades`.
pub fn my_trade(trade: &Trade) -> Value {
    json!({
        "symbol": trade.symbol,
        "id": trade.id,
        "orderId": trade.order_id,
        "orderListId": -1,
        "price": amount(trade.price),
        "qty": amount(trade.qty),
        "quoteQty": amount(trade.price * trade.qty),
        "commission": amount(trade.commission),
        "commissionAsset": trade.commission_asset,
        "time": trade.time,
        "isBuyer": trade.buyer,
        "isMaker": trade.maker,
        "isBestMatch": true,
    })
}
