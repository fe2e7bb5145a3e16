//! gRPC services between roles, generated from `proto/grpc/*.proto`.

/// The order book manager (role `obm`): books, best prices, depth and volatility.
pub mod obm {
    tonic::include_proto!("hedgeflow.obm.v1");
}

/// The hot wallet (role `hot-wallet`): quote signing, balances and allowances.
pub mod hot_wallet {
    tonic::include_proto!("hedgeflow.hot_wallet.v1");
}

/// The exchange role (role `exchange`): the account's balances and open orders.
pub mod exchange {
    tonic::include_proto!("hedgeflow.exchange.v1");
}
