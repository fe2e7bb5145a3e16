//! The public JSON-RPC front door (Dealer JSON-RPC v1.0) and its admin endpoint, on jsonrpsee.
//!
//! Layout: `methods` one file per public method (`parse` then `call`), `params` strict
//! positional parsing and the spec's encodings, `wire` rendering replies, `error` codes,
//! `admin` the `admin_*` namespace, `auth` the admin bearer-token middleware, `config`.
//!
//! Two servers, each HTTP POST and WebSocket on one port:
//! - public ([`serve`]): `dealer_authStatus`, `dealer_getMarkets`, `dealer_getQuote`,
//!   `dealer_submitFill`, `dealer_time`, our fill status extension and `rpc.discover`, and
//!   nothing else ([`METHODS`]; `dealer/openrpc.json` is their OpenRPC document, served by
//!   `rpc.discover`). Positional Array params (trailing optional ones may be omitted; `null` =
//!   omitted; named params are -32602), Array results, amounts as base-10 Strings, addresses as
//!   lowercase hex (mixed case accepted in requests), times as integer ms. JSON-RPC 2.0 batches
//!   of up to [`MAX_BATCH`] calls. jsonrpsee answers -32700 (malformed JSON), -32600 (not a
//!   request object) and -32601 (unknown method) itself.
//!   Every refusal happens before [`Dealer::quote`] / [`Dealer::submit_fill`] are called.
//! - admin ([`serve_admin`]): the `admin_*` methods behind `Authorization: Bearer <token>`
//!   (HTTP 401 otherwise).
//!
//! Settlement objects are ours: a quote's `order` is `RfqSettlement`'s 0x v4-layout `RfqOrder`
//! (`makerToken`, `takerToken`, `makerAmount`, `takerAmount`, `maker`, `taker`, `txOrigin`,
//! `pool`, `expiry`, `salt`) plus `chainId`, `verifyingContract` and the maker's 65-byte
//! `signature`, not the 0x v3 order of the spec's `Order` schema; `orderHash` is its EIP-712
//! digest. A taker fills by signing `RfqFillApproval(RfqOrder order)` (EIP-712, same domain) and
//! sending it as `dealer_submitFill`'s `signature` (see `methods/submit_fill.rs`).
//!
//! Tracing: each quote and fill runs in a span named after its method carrying the taker and,
//! once known, the quote id. Request bodies are not logged by us; nothing here handles secrets
//! but the admin token, which is never logged (see `auth`).
//!
//! Rate limits (see [`crate::profiler`]): every public request spends a token of its source
//! address's bucket (the connection's peer IP, `per-source`); those naming a taker also one of
//! the taker's and one of the ceiling over all takers. Behind a proxy every request shares the
//! proxy's address: put the front door where it sees its callers, or limit at the proxy.

mod admin;
mod auth;
mod config;
pub mod error;
mod methods;
pub mod params;
mod wire;

pub use admin::METHODS as ADMIN_METHODS;
pub use config::{AdminToken, FrontDoorConfig, SecretError, SecretSource};
pub use methods::METHODS;

use crate::api::Dealer;
use crate::profiler::{
    API_KEY_HEADER, ApiKeys, ApiKeysError, Caller, MemoryProfiles, ProfileStore, ProfileStoreError,
    Profiler,
};
use hyper::body::Incoming;
use jsonrpsee::RpcModule;
use jsonrpsee::server::{
    BatchRequestConfig, Methods, Server, ServerConfig, ServerHandle, serve_with_graceful_shutdown,
    stop_channel,
};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::Service;

/// Largest JSON-RPC batch served (bigger batches are refused whole).
pub const MAX_BATCH: u32 = 50;
/// Largest request body, in bytes (a `dealer_submitFill` with full calldata is a few KiB).
pub const MAX_REQUEST_BYTES: u32 = 64 * 1024;
/// Most concurrent connections per server (HTTP keep-alive and WebSocket alike).
pub const MAX_CONNECTIONS: u32 = 4096;
/// How often idle rate-limit buckets are dropped.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);

/// What the public methods share.
pub(crate) struct Context {
    pub(crate) dealer: Arc<dyn Dealer>,
    pub(crate) profiler: Arc<Profiler>,
}

/// Why a server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("registering the methods failed: {0}")]
    Register(#[from] jsonrpsee::core::RegisterMethodError),
    #[error("secret: {0}")]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Profiles(#[from] ProfileStoreError),
    #[error(transparent)]
    ApiKeys(#[from] ApiKeysError),
}

/// A started server: where it listens and how to stop it (`handle.stop()`, then
/// `handle.stopped().await`). Dropping every clone of the handle stops the server too, so keep
/// one for as long as it should serve.
#[derive(Debug, Clone)]
pub struct RunningServer {
    /// The bound address (the real port when listening on port 0).
    pub local_addr: SocketAddr,
    /// Stops the server.
    pub handle: ServerHandle,
}

fn server_config() -> ServerConfig {
    ServerConfig::builder()
        .max_request_body_size(MAX_REQUEST_BYTES)
        .max_connections(MAX_CONNECTIONS)
        .set_batch_request_config(BatchRequestConfig::Limit(MAX_BATCH))
        .build()
}

/// Start the public front door on `listen`, and the profiler's housekeeping (stopped with it).
/// Connections are accepted here rather than by jsonrpsee's own loop, so that every request
/// carries its connection's source address (`Caller::Source`) to the per-source limit.
pub async fn serve(
    listen: SocketAddr,
    dealer: Arc<dyn Dealer>,
    profiler: Arc<Profiler>,
) -> Result<RunningServer, ServeError> {
    let mut module = RpcModule::new(Context {
        dealer,
        profiler: profiler.clone(),
    });
    methods::register(&mut module)?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| ServeError::Bind(listen, e))?;
    let local_addr = listener
        .local_addr()
        .map_err(|e| ServeError::Bind(listen, e))?;
    let (stop, handle) = stop_channel();
    let services = Server::builder()
        .set_config(server_config())
        .to_service_builder();
    let methods: Methods = module.into();
    let callers = profiler.clone();
    tokio::spawn(async move {
        loop {
            let (socket, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection");
                        continue;
                    }
                },
                () = stop.clone().shutdown() => break,
            };
            let service = services.clone().build(methods.clone(), stop.clone());
            let (source, profiler) = (peer.ip(), callers.clone());
            let service = tower::service_fn(move |mut request: http::Request<Incoming>| {
                let caller = caller(&profiler, source, &mut request);
                let mut service = service.clone();
                async move {
                    match caller {
                        Some(caller) => {
                            request.extensions_mut().insert(caller);
                            service.call(request).await
                        }
                        None => Ok(auth::unauthorized("unknown API key\n", "ApiKey")),
                    }
                }
            });
            tokio::spawn(serve_with_graceful_shutdown(
                socket,
                service,
                stop.clone().shutdown(),
            ));
        }
    });
    tokio::spawn(housekeeping(profiler, handle.clone()));
    tracing::info!(%local_addr, "dealer JSON-RPC front door listening");
    Ok(RunningServer { local_addr, handle })
}

/// Who sent `request`: the holder of the API key it carries (taken out of the request, so no
/// log below sees it), or its connection's `source` address; `None` for a key never issued.
fn caller<B>(
    profiler: &Profiler,
    source: IpAddr,
    request: &mut http::Request<B>,
) -> Option<Caller> {
    match request.headers_mut().remove(API_KEY_HEADER) {
        None => Some(Caller::Source(source)),
        Some(presented) => {
            let key = profiler.api_key(presented.as_bytes());
            if key.is_none() {
                tracing::warn!(%source, "a request with an API key never issued");
            }
            key.map(Caller::Key)
        }
    }
}

/// Start the admin endpoint on `listen`, behind `token`; changes are saved to `profiles`.
pub async fn serve_admin(
    listen: SocketAddr,
    profiler: Arc<Profiler>,
    profiles: Arc<dyn ProfileStore>,
    token: &AdminToken,
) -> Result<RunningServer, ServeError> {
    let module = admin::module(profiler, profiles)?;
    let server = Server::builder()
        .set_config(server_config())
        .set_http_middleware(tower::ServiceBuilder::new().layer(auth::BearerAuthLayer::new(token)))
        .build(listen)
        .await
        .map_err(|e| ServeError::Bind(listen, e))?;
    let local_addr = server
        .local_addr()
        .map_err(|e| ServeError::Bind(listen, e))?;
    let handle = server.start(module);
    tracing::info!(%local_addr, "dealer admin JSON-RPC listening");
    Ok(RunningServer { local_addr, handle })
}

/// Both servers, started from a [`FrontDoorConfig`].
#[derive(Debug, Clone)]
pub struct FrontDoor {
    /// The taker-facing server.
    pub public: RunningServer,
    /// The admin server.
    pub admin: RunningServer,
    /// The taker profiles both servers share.
    pub profiler: Arc<Profiler>,
}

impl FrontDoor {
    /// [`FrontDoor::start_with_profiles`] with profiles kept in memory only: admin changes
    /// are lost on restart. For tests and benchmarks.
    pub async fn start(
        config: &FrontDoorConfig,
        dealer: Arc<dyn Dealer>,
    ) -> Result<Self, ServeError> {
        Self::start_with_profiles(config, dealer, Arc::new(MemoryProfiles::default())).await
    }

    /// Read the admin token, load the taker profiles from `profiles` (seeding an empty store
    /// with the configured lists and rate limit), and start both servers.
    pub async fn start_with_profiles(
        config: &FrontDoorConfig,
        dealer: Arc<dyn Dealer>,
        profiles: Arc<dyn ProfileStore>,
    ) -> Result<Self, ServeError> {
        let token = config.admin_token.load_admin_token()?;
        let profiler = match profiles.load().await? {
            Some(saved) => {
                tracing::info!(
                    allow = saved.allow.len(),
                    deny = saved.deny.len(),
                    "taker profiles loaded (they take precedence over the configured lists)"
                );
                Profiler::from_profiles(saved)
            }
            None => {
                let configured = Profiler::new(
                    config.allow.iter().copied(),
                    config.deny.iter().copied(),
                    config.rate_limit,
                );
                profiles.save(&configured.profiles()).await?;
                configured
            }
        };
        let api_keys = match &config.api_keys {
            Some(file) => ApiKeys::parse(&file.load()?)?,
            None => ApiKeys::default(),
        };
        if !api_keys.is_empty() {
            tracing::info!(keys = api_keys.len(), "API keys issued");
        }
        let profiler = Arc::new(
            profiler
                .with_ceiling(config.ceiling)
                .with_per_source(config.per_source)
                .with_api_keys(api_keys),
        );
        let admin = serve_admin(config.admin_listen, profiler.clone(), profiles, &token).await?;
        let public = serve(config.listen, dealer, profiler.clone()).await?;
        Ok(Self {
            public,
            admin,
            profiler,
        })
    }

    /// Stop both servers and wait until they have.
    pub async fn stop(self) {
        let _ = self.public.handle.stop();
        let _ = self.admin.handle.stop();
        self.public.handle.stopped().await;
        self.admin.handle.stopped().await;
    }
}

async fn housekeeping(profiler: Arc<Profiler>, handle: ServerHandle) {
    let mut every = tokio::time::interval(HOUSEKEEPING_EVERY);
    every.tick().await;
    loop {
        tokio::select! {
            _ = every.tick() => profiler.housekeeping(),
            () = handle.clone().stopped() => break,
        }
    }
}
