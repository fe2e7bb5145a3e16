//! Deterministic workflow ids: a business key names each lifecycle, so a second start for the same
//! key is refused by the engine instead of running twice.

use alloy::primitives::{Address, B256};

/// `transfer-<chainId>-<requestId>`: one treasury transfer.
pub fn transfer_workflow(chain_id: u64, request_id: &str) -> String {
    format!("transfer-{chain_id}-{request_id}")
}

/// The idempotency key of a transaction a workflow sends: the workflow id plus the step's name.
/// The hot wallet keys its journal by it, so a retried submission finds what was already sent.
pub fn tx_intent_key(workflow_id: &str, step: &str) -> String {
    format!("{workflow_id}/{step}")
}

/// `escrow-<chainId>-<orderId>-<tx>`: one escrow order of one L2, where `<tx>` is the first
/// 4 bytes (hex) of the `set_order` transaction's hash. The escrow numbers orders in sequence,
/// so after a reorg (or on a redeployed escrow) another order can take the same id: the
/// transaction tells them apart, and a transaction re-mined at its old id keeps its workflow.
pub fn escrow_workflow(chain_id: u64, order_id: u64, set_order_tx: &B256) -> String {
    format!(
        "escrow-{chain_id}-{order_id}-{}",
        short(set_order_tx.as_slice())
    )
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

/// `rfq-hedge-sweep`: the Temporal Schedule handing fills left unhedged to their hedgers again.
pub const HEDGE_SWEEP_SCHEDULE: &str = "rfq-hedge-sweep";

/// `intent-<chainId>-<book>-<quoteId>`, the stem of an intent workflow's id: `<book>` is the
/// book's address's first 4 bytes (hex), so a redeployed book, numbering its quotes from 1 again,
/// names other workflows, journal keys and broker orders. `IntentRef::workflow_id` appends the
/// quote's identity: `intent-<chainId>-<book>-<quoteId>-<identity>`.
pub fn intent_workflow(chain_id: u64, book: &Address, quote_id: u64) -> String {
    format!("intent-{chain_id}-{}-{quote_id}", short(book.as_slice()))
}

/// The first 4 bytes of `bytes`, in hex: enough to tell a contract or transaction from the few
/// others an id could be confused with, and short enough for Binance's 36-character order ids.
pub fn short(bytes: &[u8]) -> String {
    alloy::hex::encode(&bytes[..4])
}

/// `intent-balance-<chainId>`: the Temporal Schedule of one book's balance manager.
pub fn intent_balance_schedule(chain_id: u64) -> String {
    format!("intent-balance-{chain_id}")
}

/// `intent-validate-<chainId>`: the Temporal Schedule of one book's position validator.
pub fn intent_validator_schedule(chain_id: u64) -> String {
    format!("intent-validate-{chain_id}")
}

/// How ops name an escrow order: its workflow id, or `<chainId>-<orderId>` (the newest order
/// with that id, when a reorg gave the id to more than one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscrowOrderName {
    Workflow(String),
    Id { chain_id: u64, order_id: u64 },
}

/// Parses `escrow-<chainId>-<orderId>-<tx>` or `<chainId>-<orderId>`.
pub fn parse_escrow_id(text: &str) -> Option<EscrowOrderName> {
    if let Some(rest) = text.strip_prefix("escrow-") {
        let mut parts = rest.split('-');
        let (chain, order, tx) = (parts.next()?, parts.next()?, parts.next()?);
        let tx_ok = tx.len() == 8 && tx.bytes().all(|b| b.is_ascii_hexdigit());
        let numbers_ok = chain.parse::<u64>().is_ok() && order.parse::<u64>().is_ok();
        return (tx_ok && numbers_ok && parts.next().is_none())
            .then(|| EscrowOrderName::Workflow(text.to_owned()));
    }
    let (chain, order) = text.split_once('-')?;
    Some(EscrowOrderName::Id {
        chain_id: chain.parse().ok()?,
        order_id: order.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escrow_ids_parse_back() {
        let tx = B256::repeat_byte(0xab);
        assert_eq!(escrow_workflow(31338, 7, &tx), "escrow-31338-7-abababab");
        assert_eq!(
            parse_escrow_id("escrow-31338-7-abababab"),
            Some(EscrowOrderName::Workflow("escrow-31338-7-abababab".into()))
        );
        assert_eq!(
            parse_escrow_id("31338-7"),
            Some(EscrowOrderName::Id {
                chain_id: 31338,
                order_id: 7
            })
        );
        assert_eq!(
            hedge_order("WETH/USDC", 176_000_000),
            "hedge-WETH-USDC-176000000"
        );
        for bad in [
            "escrow-",
            "7",
            "escrow-x-1",
            "escrow-1-",
            "escrow-claims-1",
            "escrow-31338-7",
            "escrow-31338-7-abab",
            "escrow-31338-7-abababab-1",
        ] {
            assert_eq!(parse_escrow_id(bad), None, "{bad}");
        }
    }
}
