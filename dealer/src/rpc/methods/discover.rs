//! `rpc.discover`: `[]` → the front door's OpenRPC document, `dealer/openrpc.json`, which takers
//! generate their clients from. `tests/openrpc.rs` checks it against the methods served and
//! their real answers, so it is maintained by hand next to the methods it describes.

use crate::rpc::error::RpcError;
use crate::rpc::params::Positional;
use jsonrpsee::types::Params;
use serde_json::Value;
use std::sync::LazyLock;

/// Parsed once, at the first call. The file is compiled in and checked by the tests, so it
/// always parses.
static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../openrpc.json")).expect("openrpc.json is JSON")
});

pub(super) fn call(params: &Params<'_>) -> Result<&'static Value, RpcError> {
    Positional::new(params, 0)?;
    Ok(&DOCUMENT)
}
