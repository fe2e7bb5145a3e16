//! Custom search attributes, upserted as workflows advance so ops can find any order by id,
//! market, chain or stage in the Temporal UI (`Stage="submitting"`, `ChainId=31337`, …).

use temporalio_common::search_attributes::SearchAttributeKey;

pub const PIPELINE: SearchAttributeKey<String> = SearchAttributeKey::keyword("Pipeline");
pub const STAGE: SearchAttributeKey<String> = SearchAttributeKey::keyword("Stage");
pub const ORDER_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("OrderId");
pub const QUOTE_ID: SearchAttributeKey<String> = SearchAttributeKey::keyword("QuoteId");
pub const MARKET: SearchAttributeKey<String> = SearchAttributeKey::keyword("Market");
pub const CHAIN_ID: SearchAttributeKey<i64> = SearchAttributeKey::int("ChainId");

/// Every custom attribute with its Temporal type name, for registration on a server
/// (`temporal server start-dev --search-attribute Name=Type`, or `operator search-attribute create`).
pub const ALL: [(&str, &str); 6] = [
    ("Pipeline", "Keyword"),
    ("Stage", "Keyword"),
    ("OrderId", "Keyword"),
    ("QuoteId", "Keyword"),
    ("Market", "Keyword"),
    ("ChainId", "Int"),
];
