//! [`ChainClient`]: one chain's provider over all its endpoints, and its current head.
//!
//! Calls go to every endpoint at once (alloy's `FallbackService`) and the first success wins, so
//! a dead provider is simply outvoted. Reads that decide money are not left to the first answer,
//! which may come from the provider furthest behind: [`ChainClient::receipt`] believes any
//! provider that has the receipt, and [`ChainClient::mined_nonce`] takes the highest count.
//! Heads come from two sources at once: a websocket `newHeads` subscription (tried on each
//! endpoint in turn, resubscribed when it drops) and HTTP polling, which keeps working when no
//! websocket is reachable.

use super::{ChainConfig, ChainError, metered::Metered};
use crate::observe;
use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256},
    providers::{DynProvider, Provider, ProviderBuilder, WsConnect},
    rpc::client::RpcClient,
    rpc::types::TransactionReceipt,
    transports::{
        BoxTransport, RpcError, TransportErrorKind,
        http::{Http, reqwest},
        layers::FallbackService,
    },
};
use futures::{StreamExt, stream::FuturesUnordered};
use std::{collections::BTreeMap, future::IntoFuture, sync::Arc, time::Duration};
use tokio::sync::watch;
use tracing::{debug, warn};

/// Per-request timeout: a provider that hangs must lose the race, not stall it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct ChainClient {
    pub name: String,
    pub config: ChainConfig,
    pub provider: DynProvider,
    /// Each endpoint on its own, for the reads a lagging provider must not answer.
    endpoints: Vec<DynProvider>,
    head: watch::Receiver<u64>,
}

impl std::fmt::Debug for ChainClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainClient")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ChainClient {
    /// Builds the provider and starts following heads. Checks that every reachable endpoint serves
    /// the configured chain id; an endpoint that is down is tolerated (that is what the second
    /// one is for), but at least one must answer.
    pub async fn connect(name: &str, config: ChainConfig) -> Result<Self, ChainError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(ChainError::rpc)?;
        let mut reachable = 0;
        for endpoint in &config.rpc {
            let single = ProviderBuilder::new()
                .connect_client(RpcClient::new_http(endpoint.http.clone()))
                .erased();
            match single.get_chain_id().await {
                Ok(actual) if actual == config.chain_id => reachable += 1,
                Ok(actual) => {
                    return Err(ChainError::WrongChainId {
                        url: endpoint.http.to_string(),
                        expected: config.chain_id,
                        actual,
                    });
                }
                Err(error) => {
                    warn!(chain = name, endpoint = observe::endpoint_label(&endpoint.http), %error, "rpc endpoint unreachable at start-up")
                }
            }
        }
        if reachable == 0 {
            return Err(ChainError::Rpc(format!(
                "no rpc endpoint of chain {name} is reachable"
            )));
        }

        let transports: Vec<BoxTransport> = config
            .rpc
            .iter()
            .map(|endpoint| {
                let http = Http::with_client(http.clone(), endpoint.http.clone());
                BoxTransport::new(Metered::new(name, &endpoint.http, http))
            })
            .collect();
        let endpoints = transports
            .iter()
            .map(|transport| {
                ProviderBuilder::new()
                    .connect_client(RpcClient::new(transport.clone(), false))
                    .erased()
            })
            .collect();
        let fallback = FallbackService::new(transports.clone(), transports.len());
        let provider = ProviderBuilder::new()
            .connect_client(RpcClient::builder().transport(fallback, false))
            .erased();

        let start = provider.get_block_number().await.map_err(ChainError::rpc)?;
        let (head_tx, head) = watch::channel(start);
        let head_tx = Arc::new(head_tx);
        tokio::spawn(poll_heads(
            name.to_owned(),
            provider.clone(),
            config.poll_interval,
            head_tx.clone(),
        ));
        let ws: Vec<_> = config.rpc.iter().filter_map(|e| e.ws.clone()).collect();
        if !ws.is_empty() {
            tokio::spawn(subscribe_heads(name.to_owned(), ws, head_tx));
        }
        Ok(Self {
            name: name.to_owned(),
            config,
            provider,
            endpoints,
            head,
        })
    }

    /// The transaction's receipt from whichever provider has it: one that has not seen the block
    /// yet answers `None`, and must not outvote one that has. `None` only when every provider
    /// that answered says so; an error only when none answered.
    pub async fn receipt(&self, tx_hash: B256) -> Result<Option<TransactionReceipt>, ChainError> {
        let mut asking: FuturesUnordered<_> = self
            .endpoints
            .iter()
            .map(|endpoint| endpoint.get_transaction_receipt(tx_hash))
            .collect();
        let mut last_error = None;
        let mut answered = false;
        while let Some(answer) = asking.next().await {
            match answer {
                Ok(Some(receipt)) => return Ok(Some(receipt)),
                Ok(None) => answered = true,
                Err(error) => last_error = Some(error),
            }
        }
        match last_error {
            Some(error) if !answered => Err(ChainError::rpc(error)),
            _ => Ok(None),
        }
    }

    /// Sends a signed transaction to every endpoint and waits for each answer: a provider that
    /// answers first must not be the only one that ever sees it (one that accepts and never
    /// mines would strand it).
    pub async fn send_raw_everywhere(
        &self,
        raw: &[u8],
    ) -> Vec<Result<(), RpcError<TransportErrorKind>>> {
        futures::future::join_all(
            self.endpoints.iter().map(|endpoint| async move {
                endpoint.send_raw_transaction(raw).await.map(|_| ())
            }),
        )
        .await
    }

    /// Whether any provider has never heard of `tx_hash` (neither pending nor mined): one that
    /// lags or dropped it, to which the transaction should be sent again.
    pub async fn unknown_somewhere(&self, tx_hash: B256) -> Result<bool, ChainError> {
        let answers = self
            .ask_every_endpoint(|endpoint| endpoint.get_transaction_by_hash(tx_hash).into_future())
            .await?;
        Ok(answers.iter().any(Option::is_none))
    }

    /// How many of `from`'s transactions are mined, by the provider that has seen the most.
    pub async fn mined_nonce(&self, from: Address) -> Result<u64, ChainError> {
        let answers = self
            .ask_every_endpoint(|endpoint| {
                endpoint.get_transaction_count(from).latest().into_future()
            })
            .await?;
        Ok(answers.into_iter().max().unwrap_or_default())
    }

    /// The latest block's timestamp (Unix seconds): the chain's own clock.
    pub async fn latest_block_time(&self) -> Result<u64, ChainError> {
        self.provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(ChainError::rpc)?
            .map(|block| block.header.timestamp)
            .ok_or_else(|| ChainError::Rpc(format!("chain {} has no latest block", self.name)))
    }

    /// Every endpoint's answer to `ask`, those that failed left out; an error only when none
    /// answered.
    async fn ask_every_endpoint<'a, T, Fut>(
        &'a self,
        ask: impl Fn(&'a DynProvider) -> Fut,
    ) -> Result<Vec<T>, ChainError>
    where
        Fut: Future<Output = Result<T, RpcError<TransportErrorKind>>>,
    {
        let mut answers = Vec::with_capacity(self.endpoints.len());
        let mut last_error = None;
        for answer in futures::future::join_all(self.endpoints.iter().map(ask)).await {
            match answer {
                Ok(answer) => answers.push(answer),
                Err(error) => last_error = Some(error),
            }
        }
        match last_error {
            Some(error) if answers.is_empty() => Err(ChainError::rpc(error)),
            _ => Ok(answers),
        }
    }

    /// The websocket URLs of the chain's endpoints, in failover order.
    pub fn websocket_urls(&self) -> Vec<url::Url> {
        self.config
            .rpc
            .iter()
            .filter_map(|e| e.ws.clone())
            .collect()
    }

    /// The newest block number seen from any source.
    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    /// Waits until a block newer than `seen` exists, or `max_wait` passes; returns the head.
    pub async fn next_head(&self, seen: u64, max_wait: Duration) -> u64 {
        let mut head = self.head.clone();
        let _ = tokio::time::timeout(max_wait, head.wait_for(|number| *number > seen)).await;
        self.head()
    }
}

fn publish(head: &watch::Sender<u64>, number: u64) {
    // Heads only move forward here; a reorg to a lower height is detected by the receipt
    // watcher, which re-reads the receipt rather than trusting the height.
    head.send_if_modified(|current| {
        let newer = number > *current;
        if newer {
            *current = number;
        }
        newer
    });
}

async fn poll_heads(
    chain: String,
    provider: DynProvider,
    every: Duration,
    head: Arc<watch::Sender<u64>>,
) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !head.is_closed() {
        interval.tick().await;
        match provider.get_block_number().await {
            Ok(number) => {
                observe::rpc_head_polled(&chain, number);
                publish(&head, number)
            }
            Err(error) => observe::rpc_head_poll_failed(&chain, &error),
        }
    }
}

/// Follows `newHeads` on the first websocket that works, moving to the next when one drops.
async fn subscribe_heads(chain: String, urls: Vec<url::Url>, head: Arc<watch::Sender<u64>>) {
    let session = |provider: DynProvider| {
        let head = head.clone();
        async move {
            let subscription = provider
                .subscribe_blocks()
                .await
                .map_err(|e| format!("newHeads subscription refused: {e}"))?;
            let mut blocks = subscription.into_stream();
            while let Some(block) = blocks.next().await {
                publish(&head, block.number);
            }
            Ok(())
        }
    };
    follow_websockets_while(&chain, urls, session, || !head.is_closed()).await
}

/// Runs `session` on the first websocket that connects, and again on the next one whenever it
/// ends or fails (with back-off), for as long as the process runs: a subscription that survives
/// the loss of any one provider.
pub async fn follow_websockets<F, Fut>(chain: &str, urls: Vec<url::Url>, session: F)
where
    F: FnMut(DynProvider) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    follow_websockets_while(chain, urls, session, || true).await
}

async fn follow_websockets_while<F, Fut>(
    chain: &str,
    urls: Vec<url::Url>,
    mut session: F,
    keep_going: impl Fn() -> bool,
) where
    F: FnMut(DynProvider) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut backoff = Duration::from_millis(250);
    for url in urls.iter().cycle() {
        if !keep_going() {
            return;
        }
        match ProviderBuilder::new()
            .connect_ws(WsConnect::new(url.as_str()))
            .await
        {
            Ok(provider) => match session(provider.erased()).await {
                Ok(()) => {
                    backoff = Duration::from_millis(250);
                    observe::rpc_websocket_failover(chain, url, None);
                }
                Err(error) => observe::rpc_websocket_failover(chain, url, Some(error.as_str())),
            },
            Err(error) => {
                debug!(chain, endpoint = observe::endpoint_label(url), %error, "websocket unreachable")
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// Every configured chain, by name and by id.
#[derive(Clone, Debug, Default)]
pub struct Chains {
    by_name: BTreeMap<String, ChainClient>,
}

impl Chains {
    pub async fn connect(configs: &BTreeMap<String, ChainConfig>) -> Result<Self, ChainError> {
        let mut by_name = BTreeMap::new();
        for (name, config) in configs {
            by_name.insert(
                name.clone(),
                ChainClient::connect(name, config.clone()).await?,
            );
        }
        Ok(Self { by_name })
    }

    pub fn by_name(&self, name: &str) -> Option<&ChainClient> {
        self.by_name.get(name)
    }

    pub fn by_id(&self, chain_id: u64) -> Result<&ChainClient, ChainError> {
        self.by_name
            .values()
            .find(|client| client.config.chain_id == chain_id)
            .ok_or(ChainError::UnknownChain(chain_id))
    }

    pub fn iter(&self) -> impl Iterator<Item = &ChainClient> {
        self.by_name.values()
    }
}
