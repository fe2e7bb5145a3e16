//! gRPC services between roles, generated from `proto/grpc/*.proto`.

/// The order book manager (role `obm`): books, best prices, depth and volatility.
pub mod obm {
    #![allow(clippy::too_many_lines, reason = "generated")]
    tonic::include_proto!("hedgeflow.obm.v1");
}

/// The hot wallet (role `hot-wallet`): quote signing, balances and allowances.
pub mod hot_wallet {
    #![allow(clippy::too_many_lines, reason = "generated")]
    tonic::include_proto!("hedgeflow.hot_wallet.v1");
}

/// The exchange role (role `exchange`): the account's balances and open orders.
pub mod exchange {
    #![allow(clippy::too_many_lines, reason = "generated")]
    tonic::include_proto!("hedgeflow.exchange.v1");
}

/// Bearer-token authentication between roles: the client sends `authorization: Bearer <token>`
/// with every call, and a server that requires a token refuses a call without it
/// (`UNAUTHENTICATED`) before the service sees it.
pub mod auth {
    use tonic::{Request, Status, metadata::MetadataValue, service::Interceptor};

    const HEADER: &str = "authorization";

    /// A shared secret; its `Debug` never shows it.
    #[derive(Clone, PartialEq, Eq, serde::Deserialize)]
    #[serde(transparent)]
    pub struct Token(String);

    impl Token {
        pub fn new(secret: impl Into<String>) -> Self {
            Self(secret.into().trim().to_owned())
        }

        fn header(&self) -> Result<MetadataValue<tonic::metadata::Ascii>, Status> {
            format!("Bearer {}", self.0)
                .parse()
                .map_err(|_| Status::internal("the token is not a valid header value"))
        }
    }

    impl std::fmt::Debug for Token {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Token(…)")
        }
    }

    /// Client side: adds the token, when there is one, to every call.
    #[derive(Clone, Debug, Default)]
    pub struct SendToken(pub Option<Token>);

    impl Interceptor for SendToken {
        fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
            if let Some(token) = &self.0 {
                request.metadata_mut().insert(HEADER, token.header()?);
            }
            Ok(request)
        }
    }

    /// Server side: refuses every call without the token (none required: every call passes).
    #[derive(Clone, Debug, Default)]
    pub struct RequireToken(pub Option<Token>);

    impl Interceptor for RequireToken {
        fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
            let Some(token) = &self.0 else {
                return Ok(request);
            };
            let expected = token.header()?;
            let given = request.metadata().get(HEADER);
            // Compared in full, whatever the first difference, so timing says nothing.
            let matches = given.is_some_and(|given| {
                let (a, b) = (given.as_bytes(), expected.as_bytes());
                a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
            });
            if matches {
                Ok(request)
            } else {
                Err(Status::unauthenticated("a valid bearer token is required"))
            }
        }
    }

    /// The hot wallet's client with the token.
    pub type HotWalletClient = super::hot_wallet::hot_wallet_client::HotWalletClient<
        tonic::service::interceptor::InterceptedService<tonic::transport::Channel, SendToken>,
    >;
}
