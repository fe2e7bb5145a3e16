//! The JSON shapes of Binance USDⓈ-M Futures' REST responses, field for field.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::next_funding_time;
use crate::config::{FuturesConfig, SymbolConfig};
use crate::engine::futures::leverage::NOTIONAL_CAP;
use crate::engine::futures::position::Position;
use crate::engine::futures::{FuturesAccount, FuturesOrder, MARGIN_ASSET, Margins};
use crate::engine::orders::Status;
use crate::engine::orders::amount;

/// Binance lists perpetuals with this delivery date (2100-12-25).
const PERPETUAL_DELIVERY_DATE: u64 = 4_133_404_800_000;
/// Most notional one position may have (the one bracket's cap).
fn max_notional() -> String {
    amount(Decimal::from(NOTIONAL_CAP))
}

/// One symbol of `GET /fapi/v1/exchangeInfo`.
pub fn symbol_info(symbol: &SymbolConfig, futures: &FuturesConfig) -> Value {
    let lot = json!({
        "minQty": amount(symbol.min_qty),
        "maxQty": amount(symbol.max_qty),
        "stepSize": amount(symbol.step_size),
    });
    let with_type = |filter_type: &str, mut filter: Value| {
        filter["filterType"] = filter_type.into();
        filter
    };
    json!({
        "symbol": symbol.symbol,
        "pair": symbol.symbol,
        "contractType": "PERPETUAL",
        "deliveryDate": PERPETUAL_DELIVERY_DATE,
        "onboardDate": 0,
        "status": "TRADING",
        "maintMarginPercent": amount(futures.maintenance_margin_rate * Decimal::ONE_HUNDRED),
        "requiredMarginPercent": amount(Decimal::ONE_HUNDRED / Decimal::from(futures.leverage)),
        "baseAsset": symbol.base_asset,
        "quoteAsset": symbol.quote_asset,
        "marginAsset": MARGIN_ASSET,
        "pricePrecision": symbol.tick_size.normalize().scale(),
        "quantityPrecision": symbol.step_size.normalize().scale(),
        "baseAssetPrecision": 8,
        "quotePrecision": 8,
        "underlyingType": "COIN",
        "underlyingSubType": [],
        "triggerProtect": "0.0500",
        "liquidationFee": "0.012500",
        "marketTakeBound": "0.05",
        "maxMoveOrderLimit": 10000,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": amount(symbol.tick_size),
                "maxPrice": amount(symbol.max_price),
                "tickSize": amount(symbol.tick_size),
            },
            with_type("LOT_SIZE", lot.clone()),
            with_type("MARKET_LOT_SIZE", lot),
            { "filterType": "MAX_NUM_ORDERS", "limit": 200 },
            { "filterType": "MIN_NOTIONAL", "notional": amount(symbol.min_notional) },
        ],
        "orderTypes": ["LIMIT", "MARKET"],
        "timeInForce": ["GTC", "IOC", "FOK"],
    })
}

/// `GET /fapi/v1/exchangeInfo`
pub fn exchange_info(symbols: Vec<Value>, server_time: u64) -> Value {
    json!({
        "timezone": "UTC",
        "serverTime": server_time,
        "futuresType": "U_MARGINED",
        "rateLimits": [],
        "exchangeFilters": [],
        "assets": [{ "asset": MARGIN_ASSET, "marginAvailable": true, "autoAssetExchange": "0" }],
        "symbols": symbols,
    })
}

/// One entry of `GET /fapi/v1/premiumIndex`: mark, index and settlement price are the mid.
pub fn premium_index(symbol: &str, mark: Decimal, funding_rate: Decimal, now: u64) -> Value {
    json!({
        "symbol": symbol,
        "markPrice": amount(mark),
        "indexPrice": amount(mark),
        "estimatedSettlePrice": amount(mark),
        "lastFundingRate": amount(funding_rate),
        "interestRate": amount(funding_rate),
        "nextFundingTime": next_funding_time(now),
        "time": now,
    })
}

/// A futures order as `POST` (RESULT), `GET` and `DELETE /fapi/v1/order` show it.
pub fn order(futures_order: &FuturesOrder) -> Value {
    let order = &futures_order.order;
    let average = if order.executed_qty.is_zero() {
        Decimal::ZERO
    } else {
        order.cummulative_quote_qty / order.executed_qty
    };
    json!({
        "orderId": order.id,
        "symbol": order.symbol,
        "status": order.status.as_str(),
        "clientOrderId": order.client_order_id,
        "price": amount(order.price),
        "avgPrice": amount(average),
        "origQty": amount(order.orig_qty),
        "executedQty": amount(order.executed_qty),
        "cumQty": amount(order.executed_qty),
        "cumQuote": amount(order.cummulative_quote_qty),
        "timeInForce": order.time_in_force.as_str(),
        "type": order.order_type.as_str(),
        "origType": order.order_type.as_str(),
        "reduceOnly": futures_order.reduce_only,
        "closePosition": false,
        "side": order.side.as_str(),
        "positionSide": "BOTH",
        "stopPrice": amount(Decimal::ZERO),
        "workingType": "CONTRACT_PRICE",
        "priceProtect": false,
        "priceMatch": "NONE",
        "selfTradePreventionMode": "NONE",
        "goodTillDate": 0,
        "updateTime": order.update_time,
    })
}

/// `GET /fapi/v1/order` and each entry of `GET /fapi/v1/openOrders`: the order and its `time`.
pub fn order_query(futures_order: &FuturesOrder) -> Value {
    let mut value = order(futures_order);
    value["time"] = futures_order.order.time.into();
    value
}

/// `POST /fapi/v1/order` with `newOrderRespType=ACK`: the order as accepted, before it
/// executed (Binance's ACK carries the same fields at status NEW).
pub fn order_ack(accepted: &FuturesOrder) -> Value {
    debug_assert_eq!(accepted.order.status, Status::New);
    order(accepted)
}

/// One entry of `GET /fapi/v2/positionRisk`, at the account's `leverage` of the symbol.
pub fn position_risk(
    symbol: &str,
    position: &Position,
    mark: Decimal,
    wallet: Decimal,
    leverage: u32,
    futures: &FuturesConfig,
) -> Value {
    let zero = amount(Decimal::ZERO);
    json!({
        "symbol": symbol,
        "positionAmt": amount(position.amt),
        "entryPrice": amount(position.entry),
        "breakEvenPrice": amount(position.entry),
        "markPrice": amount(mark),
        "unRealizedProfit": amount(position.unrealized(mark)),
        "liquidationPrice": amount(position.liquidation_price(wallet, futures.maintenance_margin_rate)),
        "leverage": leverage.to_string(),
        "maxNotionalValue": max_notional(),
        "marginType": "cross",
        "isolatedMargin": zero,
        "isAutoAddMargin": "false",
        "positionSide": "BOTH",
        "notional": amount(position.amt * mark),
        "isolatedWallet": zero,
        "updateTime": position.update_time,
    })
}

/// One position of a symbol in `GET /fapi/v2/account`: its `margins` (its open orders' initial
/// margin included) and the account's `leverage` of the symbol.
pub fn account_position(
    symbol: &str,
    position: &Position,
    margins: &Margins,
    leverage: u32,
) -> Value {
    json!({
        "symbol": symbol,
        "initialMargin": amount(margins.initial()),
        "maintMargin": amount(margins.maintenance),
        "unrealizedProfit": amount(margins.unrealized),
        "positionInitialMargin": amount(margins.position_initial),
        "openOrderInitialMargin": amount(margins.open_order_initial),
        "leverage": leverage.to_string(),
        "isolated": false,
        "entryPrice": amount(position.entry),
        "breakEvenPrice": amount(position.entry),
        "maxNotional": max_notional(),
        "bidNotional": amount(Decimal::ZERO),
        "askNotional": amount(Decimal::ZERO),
        "positionSide": "BOTH",
        "positionAmt": amount(position.amt),
        "updateTime": position.update_time,
    })
}

/// `GET /fapi/v2/account`: the totals, the USDT asset, and `positions`.
pub fn account(account: &FuturesAccount, margins: &Margins, positions: Vec<Value>) -> Value {
    let totals = margin_fields(margins);
    let asset = json!({
        "asset": MARGIN_ASSET,
        "walletBalance": amount(margins.wallet),
        "unrealizedProfit": amount(margins.unrealized),
        "marginBalance": amount(margins.margin_balance()),
        "maintMargin": amount(margins.maintenance),
        "initialMargin": amount(margins.initial()),
        "positionInitialMargin": amount(margins.position_initial),
        "openOrderInitialMargin": amount(margins.open_order_initial),
        "crossWalletBalance": amount(margins.wallet),
        "crossUnPnl": amount(margins.unrealized),
        "availableBalance": amount(margins.available()),
        "maxWithdrawAmount": amount(margins.max_withdraw()),
        "marginAvailable": true,
        "updateTime": account.update_time,
    });
    let mut value = Value::Object(totals);
    value["feeTier"] = 0.into();
    value["canTrade"] = true.into();
    value["canDeposit"] = false.into();
    value["canWithdraw"] = false.into();
    value["updateTime"] = account.update_time.into();
    value["multiAssetsMargin"] = false.into();
    value["tradeGroupId"] = (-1).into();
    value["assets"] = json!([asset]);
    value["positions"] = positions.into();
    value
}

/// The account's `total...` fields, `availableBalance` and `maxWithdrawAmount`.
fn margin_fields(margins: &Margins) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "totalInitialMargin": amount(margins.initial()),
        "totalMaintMargin": amount(margins.maintenance),
        "totalWalletBalance": amount(margins.wallet),
        "totalUnrealizedProfit": amount(margins.unrealized),
        "totalMarginBalance": amount(margins.margin_balance()),
        "totalPositionInitialMargin": amount(margins.position_initial),
        "totalOpenOrderInitialMargin": amount(margins.open_order_initial),
        "totalCrossWalletBalance": amount(margins.wallet),
        "totalCrossUnPnl": amount(margins.unrealized),
        "availableBalance": amount(margins.available()),
        "maxWithdrawAmount": amount(margins.max_withdraw()),
    }) else {
        unreachable!("json! of an object literal is an object")
    };
    map
}
