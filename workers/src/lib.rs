//! The hedgeflow processes: one binary, a subcommand per role, plus `dev`.
//!
//! - [`config`]: the TOML file and its environment overrides;
//! - [`telemetry`]: logs, OTLP traces and the per-role Prometheus endpoint;
//! - [`temporal`]: connecting to the Temporal frontend;
//! - [`roles`]: `orchestrator`, `hot-wallet`, `indexer`, `exchange`, `dealer`, `obm`,
//!   `price-signer`, `hedger-api`, and for the local stack `relayer` and `paper-exchange`;
//! - [`hedgers`]: what each market's hedger has not hedged yet (its `unhedged` query);
//! - [`cli`]: operator commands (`wallet …`, `orders list|show|retry`, `quotes show`,
//!   `inventory`, `demo escrow`);
//! - [`dev`]: the embedded local stack (Temporal dev server, anvil chains for l1 and two L2s,
//!   contracts, every role).
//!
//! Roles hold only their own secrets: the hot wallet loads the signing key and no DB credentials,
//! the orchestrator the DB credentials and no key. Task-queue routing enforces it.

pub mod cli;
pub mod config;
pub mod dev;
pub mod hedgers;
pub mod roles;
pub mod telemetry;
pub mod temporal;
