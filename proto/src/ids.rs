//! Deterministic workflow ids: a business key names each lifecycle, so a second start for the same
//! key is refused by the engine instead of running twice.

/// `transfer-<chainId>-<requestId>`: one treasury transfer.
pub fn transfer_workflow(chain_id: u64, request_id: &str) -> String {
    format!("transfer-{chain_id}-{request_id}")
}

/// The idempotency key of a transaction a workflow sends: the workflow id plus the step's name.
/// The hot wallet keys its journal by it, so a retried submission finds what was already sent.
pub fn tx_intent_key(workflow_id: &str, step: &str) -> String {
    format!("{workflow_id}/{step}")
}

/// `escrow-<chainId>-<orderId>`: one escrow order of one L2.
pub fn escrow_workflow(chain_id: u64, order_id: u64) -> String {
    format!("escrow-{chain_id}-{order_id}")
}

/// `escrow-claims-<chainId>`: the long-lived claim batcher of one L2.
pub fn escrow_claims_workflow(chain_id: u64) -> String {
    format!("escrow-claims-{chain_id}")
}

/// `escrow-scan-<chainId>`: the Temporal Schedule that re-reads one L2's finalized blocks.
pub fn escrow_scan_schedule(chain_id: u64) -> String {
    format!("escrow-scan-{chain_id}")
}

/// `fill-<quoteId>`: the settlement of one quote's fill; a second `dealer_submitFill` for the
/// quote joins it instead of starting another.
pub fn fill_workflow(quote_id: &str) -> String {
    format!("fill-{quote_id}")
}

/// `hedge-<market>`: the hedger of one dealer market, with the market's `/` written `-`
/// (`hedge-WETH-USDC`), so the id reads the same in a URL.
pub fn hedge_workflow(market: &str) -> String {
    format!("hedge-{}", market.replace('/', "-"))
}

/// `hedge-<market>-<epoch>`: the client order id of one epoch's hedge order. Binance allows
/// 36 characters of `[.A-Z:/a-z0-9_-]`, so a market needs a short name.
pub fn hedge_order(market: &str, epoch: u64) -> String {
    format!("{}-{epoch}", hedge_workflow(market))
}

/// `intent-<chainId>-<quoteId>`: the intent hedger's handling of one `IntentBook` quote.
pub fn intent_workflow(chain_id: u64, quote_id: u64) -> String {
    format!("intent-{chain_id}-{quote_id}")
}

/// `intent-balance-<chainId>`: the Temporal Schedule of one book's balance manager.
pub fn intent_balance_schedule(chain_id: u64) -> String {
    format!("intent-balance-{chain_id}")
}

/// `intent-validate-<chainId>`: the Temporal Schedule of one book's position validator.
pub fn intent_validator_schedule(chain_id: u64) -> String {
    format!("intent-validate-{chain_id}")
}

/// Parses `escrow-<chainId>-<orderId>` or `<chainId>-<orderId>` back into its parts.
pub fn parse_escrow_id(text: &str) -> Option<(u64, u64)> {
    let rest = text.strip_prefix("escrow-").unwrap_or(text);
    let (chain, order) = rest.split_once('-')?;
    Some((chain.parse().ok()?, order.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escrow_ids_parse_back() {
        assert_eq!(escrow_workflow(31338, 7), "escrow-31338-7");
        assert_eq!(parse_escrow_id("escrow-31338-7"), Some((31338, 7)));
        assert_eq!(parse_escrow_id("31338-7"), Some((31338, 7)));
        assert_eq!(
            hedge_order("WETH/USDC", 176_000_000),
            "hedge-WETH-USDC-176000000"
        );
        for bad in ["escrow-", "7", "escrow-x-1", "escrow-1-", "escrow-claims-1"] {
            assert_eq!(parse_escrow_id(bad), None, "{bad}");
        }
    }
}
