//! `contracts/src/IntentBook.sol` on a real anvil, through the binding the intent hedger uses
//! (`hedgeflow_activities::intent::contract`): every rule of the quote book, each with its
//! positive case and its negative ones (wrong caller, wrong state, deadline, whitelist, price
//! rules, allocation). Each test starts its own anvil and deploys a `TestToken` (18 decimals) as
//! collateral and the book, with one symbol, two registered party Bs, and party A and both party
//! Bs funded and allocated; so tests share no balances, quotes or clock.
//!
//! Each action is checked, in its test and in the fixture's helpers, to log exactly one
//! `IntentBook` event of the expected kind and fields (`expireQuote`: one per quote); balances
//! are checked exactly (pending and locked reservations through the
//! lifecycle, P&L on close). Reverts are asserted by their custom error (selector and
//! arguments), decoded from the revert data of the failed gas estimation. Prices are signed
//! here the way the off-chain price signer does: EIP-191 over the digest the contract's
//! `priceDigest` returns (one test pins the two to each other).
//!
//! Its tests are in modules by what they test; `fixture` holds the deployed book,
//! the actions and the assertions they share.

mod fixture;

mod admin;
mod closing;
mod opening;
mod quotes;
