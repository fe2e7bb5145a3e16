//! The hot wallet's [`TxPolicy`] from the config: each configured pipeline allows its own calls
//! (and only on its own contracts), `[hot-wallet.policy]` names who may be paid and how much.

use crate::config::{Config, LimitConfig};
use alloy::{
    primitives::{Address, U256},
    sol_types::SolCall,
};
use anyhow::{Context, bail};
use hedgeflow_activities::{
    chain::{Chains, config::NATIVE, config::NATIVE_DECIMALS},
    escrow::EscrowConfig,
    intent::{IntentsConfig, contract::IntentBook},
    policy::{
        Limit, Rule, TxPolicy,
        checks::{BookOnChain, Check, Checks, EscrowL2},
    },
};
use hedgeflow_proto::{
    Amount, balance::approveCall, escrow::IPaymentRegistry, intent::PARTY_B_SELECTORS,
    rfq::quote::fillRfqOrderCall, transfer::transferCall,
};
use std::time::Duration;

/// The period `per-day` limits count over.
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

pub async fn from_config(config: &Config, chains: &Chains) -> anyhow::Result<TxPolicy> {
    let recipients = config.hot_wallet.policy.recipients.clone();
    let mut rules = Vec::new();
    let mut checks = Checks::default();
    treasury_rules(chains, &recipients, &mut rules);
    if let Some(escrow) = &config.escrow {
        escrow_rules(escrow, chains, &mut rules, &mut checks)?;
    }
    if let Some(settlement) = &config.settlement {
        rules.push(Rule {
            check: Some(Check::SettlementSignedByUs),
            ..rule(
                "rfq-settle",
                chain_id(chains, &settlement.chain)?,
                settlement.contract,
                Some(fillRfqOrderCall::SELECTOR),
            )
        });
    }
    if let Some(intents) = &config.intents {
        intent_rules(intents, chains, &recipients, &mut rules, &mut checks).await?;
    }

    let limits = config
        .hot_wallet
        .policy
        .limits
        .iter()
        .map(|limit| self::limit(limit, chains))
        .collect::<anyhow::Result<_>>()?;
    Ok(TxPolicy {
        rules,
        limits,
        checks,
    })
}

/// A rule allowing calls of `selector` (any call when `None`) to `to` on `chain_id`, with no
/// value, argument restriction or check.
fn rule(name: &str, chain_id: u64, to: Address, selector: Option<[u8; 4]>) -> Rule {
    Rule {
        name: name.to_owned(),
        chain_id,
        to,
        selector,
        first_argument: None,
        payable: false,
        check: None,
    }
}

fn chain_id(chains: &Chains, name: &str) -> anyhow::Result<u64> {
    Ok(chains
        .by_name(name)
        .with_context(|| format!("chain {name:?} is not configured"))?
        .config
        .chain_id)
}

/// Treasury: native payments and configured tokens' transfers, to the recipients only.
fn treasury_rules(chains: &Chains, recipients: &[Address], rules: &mut Vec<Rule>) {
    for chain in chains.iter() {
        let id = chain.config.chain_id;
        for recipient in recipients {
            rules.push(Rule {
                payable: true,
                ..rule("treasury-native", id, *recipient, None)
            });
        }
        for token in chain.config.tokens.values() {
            rules.push(Rule {
                first_argument: Some(recipients.to_vec()),
                ..rule(
                    "treasury-token",
                    id,
                    token.address,
                    Some(transferCall::SELECTOR),
                )
            });
        }
    }
}

/// Escrow: the payment registry's transfer and claims on L1; the L2 escrows for the checks.
fn escrow_rules(
    escrow: &EscrowConfig,
    chains: &Chains,
    rules: &mut Vec<Rule>,
    checks: &mut Checks,
) -> anyhow::Result<()> {
    let l1 = chain_id(chains, &escrow.l1)?;
    let registry = escrow.payment_registry;
    rules.push(Rule {
        payable: true,
        check: Some(Check::EscrowTransfer),
        ..rule(
            "escrow-transfer",
            l1,
            registry,
            Some(IPaymentRegistry::transferCall::SELECTOR),
        )
    });
    for claim in [
        IPaymentRegistry::claimPaymentCall::SELECTOR,
        IPaymentRegistry::claimPaymentBatchCall::SELECTOR,
    ] {
        rules.push(rule("escrow-claim", l1, registry, Some(claim)));
    }
    for (name, l2) in &escrow.l2 {
        let chain = chains
            .by_name(name)
            .with_context(|| format!("[escrow.l2.{name}] chain"))?;
        checks.escrows.push(EscrowL2 {
            chain: chain.clone(),
            escrow: l2.escrow,
        });
    }
    Ok(())
}

/// Intents: party B's calls on the book, and the book's collateral token approved to the book
/// and transferred to the recipients only.
async fn intent_rules(
    intents: &IntentsConfig,
    chains: &Chains,
    recipients: &[Address],
    rules: &mut Vec<Rule>,
    checks: &mut Checks,
) -> anyhow::Result<()> {
    let chain = chains
        .by_name(&intents.chain)
        .with_context(|| format!("[intents] chain {:?}", intents.chain))?;
    let id = chain.config.chain_id;
    for selector in PARTY_B_SELECTORS {
        rules.push(Rule {
            check: Some(Check::IntentQuote),
            ..rule("intent-party-b", id, intents.book, Some(selector))
        });
    }
    checks.books.push(BookOnChain {
        chain: chain.clone(),
        book: intents.book,
    });
    let collateral = IntentBook::new(intents.book, &chain.provider)
        .collateral()
        .call()
        .await
        .context("reading the IntentBook's collateral token")?;
    rules.push(Rule {
        first_argument: Some(vec![intents.book]),
        ..rule(
            "collateral-approve",
            id,
            collateral,
            Some(approveCall::SELECTOR),
        )
    });
    rules.push(Rule {
        first_argument: Some(recipients.to_vec()),
        ..rule(
            "collateral-transfer",
            id,
            collateral,
            Some(transferCall::SELECTOR),
        )
    });
    Ok(())
}

fn limit(config: &LimitConfig, chains: &Chains) -> anyhow::Result<Limit> {
    let what = format!(
        "[hot-wallet.policy] limit {} {}",
        config.chain, config.asset
    );
    let chain = chains
        .by_name(&config.chain)
        .with_context(|| format!("{what}: unknown chain"))?;
    let (token, decimals) = if config.asset == NATIVE {
        (None, NATIVE_DECIMALS)
    } else {
        let token = chain
            .config
            .tokens
            .get(&config.asset)
            .with_context(|| format!("{what}: not a token of the chain"))?;
        (Some(token.address), token.decimals)
    };
    let amount = |text: &str, field: &str| -> anyhow::Result<U256> {
        Ok(Amount::parse_units(text, decimals)
            .with_context(|| format!("{what}: {field}"))?
            .0)
    };
    let (per_tx, per_period) = (
        amount(&config.per_tx, "per-tx")?,
        amount(&config.per_day, "per-day")?,
    );
    if per_tx > per_period {
        bail!("{what}: per-tx is above per-day");
    }
    Ok(Limit {
        chain_id: chain.config.chain_id,
        token,
        per_tx,
        per_period,
        period: DAY,
    })
}
