//! `dealer_getMarkets`: `[makerAssetAddress?, takerAssetAddress?, page?, perPage?]` →
//! `[records, total, page, perPage]`.
//!
//! Filters match all given: a market with this maker asset, a market that takes this taker
//! asset. `total` counts every matching market (all pages); `page` and `perPage` echo the
//! request (defaults 0 and [`DEFAULT_PER_PAGE`]). The same asset for both filters is -42002;
//! a filter that is not an address is -42003; `perPage` outside 1..=[`MAX_PER_PAGE`] is -32602.
//! The spec's example (`["WETH", null, null, 0, 2]`) has five slots and a symbol; we follow its
//! parameter table (four slots, addresses). Not rate limited (no taker to key on).

use crate::rpc::Context;
use crate::rpc::error::{INVALID_ADDRESS, INVALID_FILTER, RpcError};
use crate::rpc::params::Positional;
use crate::rpc::wire::MarketsReply;
use jsonrpsee::types::Params;

/// `perPage` when the request leaves it out.
pub const DEFAULT_PER_PAGE: u64 = 20;
/// The largest `perPage` served.
pub const MAX_PER_PAGE: u64 = 100;

pub(super) fn call(params: &Params<'_>, ctx: &Context) -> Result<MarketsReply, RpcError> {
    let p = Positional::new(params, 4)?;
    let maker = p.address(0, "makerAssetAddress", INVALID_ADDRESS)?;
    let taker = p.address(1, "takerAssetAddress", INVALID_ADDRESS)?;
    let page: u64 = p.integer(2, "page")?.unwrap_or(0);
    let per_page: u64 = p.integer(3, "perPage")?.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(RpcError::invalid_params(format!(
            "perPage must be between 1 and {MAX_PER_PAGE}"
        )));
    }
    if maker.is_some() && maker == taker {
        return Err(RpcError::new(
            INVALID_FILTER,
            "makerAssetAddress and takerAssetAddress name the same asset",
        ));
    }
    let markets = ctx.dealer.markets();
    let skip = page.saturating_mul(per_page);
    let mut total = 0usize;
    let mut page_records = Vec::new();
    for (i, m) in markets.iter().enumerate() {
        let matches = maker.is_none_or(|a| m.maker_asset == a)
            && taker.is_none_or(|a| m.taker_assets.contains(&a));
        if matches {
            if (total as u64) >= skip && (page_records.len() as u64) < per_page {
                page_records.push(i);
            }
            total += 1;
        }
    }
    Ok(MarketsReply {
        markets,
        page_records,
        total,
        page,
        per_page,
    })
}
