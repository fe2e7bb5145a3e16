//! Task-queue names. Routing by queue is what isolates secrets: only the process that holds a
//! secret polls the queue whose activities need it.

/// Workflows and the activities that need only public data and the DB (store, receipts).
pub const ORCHESTRATOR: &str = "orchestrator";
/// Activities that sign or send transactions; polled only by the `hot-wallet` role, the only
/// process that loads the signing key.
pub const HOT_WALLET: &str = "hot-wallet";
/// Activities that need the exchange's API keys; polled only by the `exchange` role.
pub const EXCHANGE: &str = "exchange";
/// Signing prices for the `IntentBook` (the oracle stand-in); polled only by the
/// `price-signer` role, the only process that loads the price signer's key.
pub const PRICE_SIGNER: &str = "price-signer";
