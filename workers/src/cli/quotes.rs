//! `hedgeflow quotes show <quoteId>`: one RFQ quote's whole record, as the seed's single quote
//! table holds it: the request and price, the signed order, the fill's settlement and status
//! history, the hedge trade that covered it and its realized P&L. Reads go through the read
//! connection.

use super::{print_history, reader};
use crate::{config::Config, temporal};
use anyhow::{Context, bail};
use clap::Subcommand;
use hedgeflow_proto::{ids, rfq::hedge::HedgeExecution};

#[derive(Subcommand)]
pub enum QuotesCommand {
    /// One quote: request, price, order, fill, status history, hedge trade, P&L, workflows.
    Show {
        /// The quote id (a UUID) the taker filled by.
        quote_id: String,
    },
}

pub async fn run(config: Config, command: QuotesCommand) -> anyhow::Result<()> {
    match command {
        QuotesCommand::Show { quote_id } => show(&config, &quote_id).await,
    }
}

async fn show(config: &Config, quote_id: &str) -> anyhow::Result<()> {
    if uuid::Uuid::parse_str(quote_id).is_err() {
        bail!("{quote_id:?} is not a quote id (a UUID such as 0b4f…-…)");
    }
    let store = reader(config).await?;
    let row = store
        .rfq_quote(quote_id)
        .await?
        .with_context(|| format!("no quote {quote_id} in the database"))?;
    println!("{}  {}", row.quote_id, row.status);
    println!(
        "  market     {} (taker {}s the base), price {}",
        row.market, row.side, row.price
    );
    println!("  taker      {}", row.taker);
    println!(
        "  maker gives {} of {}; taker gives {} of {}",
        row.maker_amount, row.maker_asset, row.taker_amount, row.taker_asset
    );
    println!("  size       {} ({} side fixed)", row.size, row.size_side);
    println!(
        "  quoted     {}, expires {}",
        row.quoted_at.format("%Y-%m-%d %H:%M:%S%.3f"),
        row.expires_at.format("%Y-%m-%d %H:%M:%S%.3f")
    );
    println!("  order      {} on chain {}", row.order_hash, row.chain_id);
    println!("  pricing    {}", row.pricing);
    if let Some(tx) = &row.fill_tx {
        println!(
            "  settlement tx {tx} in block {}",
            row.fill_block.unwrap_or_default()
        );
    }
    if let Some(detail) = &row.fill_detail {
        println!("  detail     {detail}");
    }
    print_history(&row.status_history);
    if let Some(trade) = &row.hedge_trade {
        let trade: HedgeExecution = serde_json::from_value(trade.clone())
            .with_context(|| format!("quote {quote_id}: unreadable hedge trade"))?;
        print_hedge_trade(&trade);
    }
    if let Some(pnl) = &row.realized_pnl {
        println!("  realized P&L {pnl} (quote asset, after hedging and fees)");
    }
    if row.fill_request.is_some() {
        let fill = ids::fill_workflow(&row.quote_id);
        println!("  {}", temporal::workflow_url(&config.temporal, &fill));
        let hedger = ids::hedge_workflow(&row.market);
        println!("  {}", temporal::workflow_url(&config.temporal, &hedger));
    }
    Ok(())
}

/// The hedge trade that covered the quote: the exchange order, what it executed, its fees.
fn print_hedge_trade(trade: &HedgeExecution) {
    println!("  hedge      {}", trade.client_order_id);
    let order_id = trade
        .order_id
        .map_or_else(|| "none".to_owned(), |id| id.to_string());
    println!(
        "    {} {} of {} {} at limit {}: {} (exchange order {order_id}), average {}",
        trade.side.as_str(),
        trade.executed.normalize(),
        trade.quantity.normalize(),
        trade.symbol,
        trade.limit_price.normalize(),
        trade.status,
        trade
            .average_price
            .map_or_else(|| "-".to_owned(), |p| p.normalize().to_string()),
    );
    let fees: Vec<String> = trade.fees.iter().map(|(a, f)| format!("{f} {a}")).collect();
    println!(
        "    fees {} ({} in quote{}), at {}",
        if fees.is_empty() {
            "none".to_owned()
        } else {
            fees.join(", ")
        },
        trade.fees_in_quote,
        if trade.fees_complete {
            ""
        } else {
            ", a lower bound"
        },
        chrono::DateTime::from_timestamp_millis(trade.at_ms as i64).map_or_else(String::new, |t| t
            .format("%Y-%m-%d %H:%M:%S%.3f")
            .to_string()),
    );
}
