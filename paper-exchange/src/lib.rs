//! A Binance-compatible paper exchange.
