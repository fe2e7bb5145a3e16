//! The faults a chaos run injects, one at a time at random moments: a role SIGKILLed and
//! restarted, the Temporal server SIGKILLed and restarted on its history, one RPC provider of a
//! chain gone for a while, an l2 reorg, and the paper exchange answering -1007, late, or 429.

use crate::support::{L2_ID, Stack, proxy::Proxy};
use alloy::{primitives::Bytes, providers::Provider as _};
use rand::{Rng, seq::IndexedRandom};
use std::time::Duration;

/// Every role the stack runs as its own process, but the paper exchange (it is the venue, not
/// ours: its restart would lose every account).
pub const ROLES: [&str; 9] = [
    "orchestrator",
    "hot-wallet",
    "indexer",
    "relayer",
    "exchange",
    "dealer",
    "obm",
    "price-signer",
    "hedger-api",
];

/// Shallower than any confirmation count a pipeline acts on (the intent hedger waits for 2), so
/// every reorg is one the pipelines promise to survive. Deeper ones are not: a re-included
/// `fillCloseRequest` whose replacing block is a second older than its price signature reverts
/// (`StalePrice`) after its workflow has closed, which a 600-s run with depths up to 3 found
/// (README, "What is not guaranteed").
const REORG_DEPTH: u64 = 1;

/// The RPC providers a fault can take away (each a proxy of the stack's).
#[derive(Clone, Copy, Debug)]
pub enum Provider {
    L1Primary,
    L1Secondary,
    L2Primary,
}

impl Provider {
    const ALL: [Provider; 3] = [Self::L1Primary, Self::L1Secondary, Self::L2Primary];

    fn name(self) -> &'static str {
        match self {
            Self::L1Primary => "l1 primary",
            Self::L1Secondary => "l1 secondary",
            Self::L2Primary => "l2 primary",
        }
    }

    fn proxy(self, stack: &Stack) -> &Proxy {
        match self {
            Self::L1Primary => &stack.l1_primary,
            Self::L1Secondary => &stack.l1_secondary,
            Self::L2Primary => &stack.l2_primary,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Fault {
    Crash(&'static str),
    TemporalCrash,
    ProviderLoss(Provider),
    /// The last [`REORG_DEPTH`] l2 blocks replaced by new ones holding the same transactions.
    Reorg,
    /// The paper exchange's next placement answered -1007, the one after held, and the next
    /// requests refused with 429.
    ExchangeFaults,
}

impl Fault {
    /// What the report counts it under.
    pub fn kind(&self) -> String {
        match self {
            Fault::Crash(role) => format!("SIGKILL {role}"),
            Fault::TemporalCrash => "SIGKILL Temporal server".into(),
            Fault::ProviderLoss(provider) => format!("provider lost: {}", provider.name()),
            Fault::Reorg => format!("l2 reorg of {REORG_DEPTH} block (transactions re-included)"),
            Fault::ExchangeFaults => "paper exchange -1007, held answer, 429".into(),
        }
    }

    /// A fault at random: roles crash most often, as they would.
    pub fn pick(rng: &mut impl Rng) -> Fault {
        match rng.random_range(0..10) {
            0..=4 => Fault::Crash(ROLES.choose(rng).expect("roles")),
            5 => Fault::TemporalCrash,
            6 => Fault::ProviderLoss(*Provider::ALL.choose(rng).expect("providers")),
            7 => Fault::Reorg,
            _ => Fault::ExchangeFaults,
        }
    }

    pub async fn inject(self, stack: &Stack) -> anyhow::Result<()> {
        match self {
            Fault::Crash(role) => stack.crash_role(role).await,
            Fault::TemporalCrash => stack.crash_temporal(Duration::from_secs(2)).await,
            Fault::ProviderLoss(provider) => {
                let proxy = provider.proxy(stack);
                proxy.stop();
                tokio::time::sleep(Duration::from_secs(6)).await;
                proxy.resume().await
            }
            Fault::Reorg => reorg(stack, REORG_DEPTH).await,
            Fault::ExchangeFaults => arm_exchange(stack).await,
        }
    }
}

/// Replaces l2's last `depth` blocks by new ones holding the same signed transactions, each in
/// the block it was in: every log of those blocks is removed and emitted again, under new block
/// hashes. Mining is held meanwhile, so no block slips in between reading and reorging.
async fn reorg(stack: &Stack, depth: u64) -> anyhow::Result<()> {
    let l2 = stack.provider(L2_ID);
    stack.mine_every(L2_ID, 0).await;
    let result = async {
        let head = l2.get_block_number().await?;
        let mut pairs = Vec::new();
        for (offset, number) in (head + 1 - depth..=head).enumerate() {
            let block = l2
                .get_block_by_number(number.into())
                .await?
                .ok_or_else(|| anyhow::anyhow!("l2 block {number}"))?;
            for hash in block.transactions.hashes() {
                let raw: Bytes = l2
                    .raw_request("eth_getRawTransactionByHash".into(), (hash,))
                    .await?;
                pairs.push(serde_json::json!([raw, offset]));
            }
        }
        l2.raw_request::<_, ()>(
            "anvil_reorg".into(),
            serde_json::json!({ "depth": depth, "tx_block_pairs": pairs }),
        )
        .await?;
        anyhow::Ok(())
    }
    .await;
    stack.mine_every(L2_ID, 1).await;
    result
}

async fn arm_exchange(stack: &Stack) -> anyhow::Result<()> {
    let paper = stack.config.paper_exchange.as_ref().expect("the RFQ stack");
    let answer = reqwest::Client::new()
        .post(format!("http://{}/paper/v1/faults", paper.listen))
        .header("X-MBX-APIKEY", hedgeflow_paper_exchange::DEV_API_KEY)
        .json(&serde_json::json!({
            "unknownStatusPlacements": 1,
            "hungPlacements": 1,
            "rateLimitedRequests": 2,
        }))
        .send()
        .await?;
    anyhow::ensure!(
        answer.status().is_success(),
        "arming faults: {}",
        answer.status()
    );
    Ok(())
}
