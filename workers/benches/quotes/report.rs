//! The report: `bench/quotes/REPORT.md` from what the server and the generators measured.

use super::{Done, LoadResult, Measured, Plan};
use super::{EXPOSURE_CAP_WETH, EXTRA_WETH, GOAL_P99_US, QUANTILES, QUOTE_SIZE, RATE_LIMIT};
use super::{REQUEST_TIMEOUT, WETH};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::time::Duration;

fn ms(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

fn ratio(quote: u64, base: u64) -> String {
    format!("{:.2}×", quote as f64 / base.max(1) as f64)
}

/// What a generator-side error means (a JSON-RPC error carries its own message).
fn meaning(error: &str) -> &'static str {
    match error {
        "timeout" => ": no reply within the generator's request timeout",
        "transport" => ": the connection failed or was reset",
        "malformed" => ": the reply was not a JSON-RPC response",
        "http 429" => ": more requests in flight than the front door's `MAX_CONNECTIONS`",
        _ if error.starts_with("http") => ": an HTTP error status",
        _ => "",
    }
}

/// The errors by code alone (the Refusals section has the messages).
fn errors(result: &LoadResult) -> String {
    let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
    for (error, n) in &result.errors {
        let code = error.split(':').next().unwrap_or(error);
        *by_code.entry(code).or_default() += n;
    }
    if by_code.is_empty() {
        return "0".into();
    }
    by_code
        .iter()
        .map(|(code, n)| format!("{n} × {code}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// A signed quote's time at one quantile, split by the runs' differences.
fn split(m: &Measured, index: usize, label: &str) -> String {
    let at = |run: usize| m.results[run].load.latency_us[index] as i64;
    let (base, priced, signed) = (at(0), at(1), at(2));
    let save = m.saves_us[index] as i64;
    let parts = [
        (
            "the HTTP/JSON-RPC round trip and the generator (baseline)",
            base,
        ),
        (
            "pricing and the exposure checks (priced − baseline)",
            priced - base,
        ),
        (
            "signing over gRPC (signed − priced − storing)",
            signed - priced - save,
        ),
        ("storing (the store's `save`, timed in the dealer)", save),
    ];
    let largest = parts.iter().max_by_key(|(_, us)| *us).unwrap().0;
    let shares: Vec<String> = parts
        .iter()
        .map(|(what, us)| {
            format!(
                "{what} {:.3} ms ({:.0} %)",
                *us as f64 / 1000.0,
                100.0 * *us as f64 / signed.max(1) as f64
            )
        })
        .collect();
    format!(
        "- At {label} a signed quote takes {}: {}. Largest: {largest}.\n",
        ms(signed as u64),
        shares.join("; ")
    )
}

fn cpu_per_request(cpu: Duration, requests: u64) -> f64 {
    cpu.as_secs_f64() * 1e6 / requests.max(1) as f64
}

pub(super) fn report(plan: Plan, m: &Measured) -> String {
    let profile = if cfg!(debug_assertions) {
        " --profile dev"
    } else {
        ""
    };
    let profile_note = if cfg!(debug_assertions) {
        "dev: the workspace's crates unoptimised, dependencies at opt-level 1"
    } else {
        "bench: release settings"
    };
    let columns: Vec<&str> = QUANTILES.iter().map(|(_, name)| *name).collect();
    let mut rows = String::new();
    for Done { run, load: r, .. } in &m.results {
        let latencies: Vec<String> = r.latency_us.iter().map(|us| ms(*us)).collect();
        rows += &format!(
            "| {} | {} | {} | {} | {:.0}/s | {} | {} / {} |\n",
            run.name,
            r.sent,
            r.ok,
            errors(r),
            r.throughput,
            latencies.join(" | "),
            ms(r.lag_us[0]),
            ms(r.lag_us[1]),
        );
    }
    let base = &m.results[0].load;
    let mut ratios = String::new();
    for Done { run, load: r, .. } in &m.results[1..] {
        let cells: Vec<String> = (0..=QUANTILES.len())
            .map(|i| ratio(r.latency_us[i], base.latency_us[i]))
            .collect();
        ratios += &format!("| {} | {} |\n", run.name, cells.join(" | "));
    }
    let refusals: Vec<String> = m
        .results
        .iter()
        .flat_map(|Done { run, load: r, .. }| {
            r.errors
                .iter()
                .map(move |(code, n)| format!("- {}: {n} × `{code}`{}\n", run.name, meaning(code)))
        })
        .collect();
    let refusals = if refusals.is_empty() {
        "None: every request of every run got a result.\n".to_owned()
    } else {
        refusals.concat()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut cpu_rows = String::new();
    let mut server_cpu = Vec::new();
    for done in &m.results {
        let server = cpu_per_request(done.server_cpu, done.load.requests);
        server_cpu.push(server);
        let generator =
            cpu_per_request(Duration::from_micros(done.load.cpu_us), done.load.requests);
        cpu_rows += &format!(
            "| {} | {server:.0} µs | {generator:.0} µs | {:.0}/s |\n",
            done.run.name,
            cores as f64 * 1e6 / server.max(1.0),
        );
    }
    let signed = &m.results[2].load;
    let p99 = signed.latency_us[2];
    let verdict = if p99 <= GOAL_P99_US && signed.errors.is_empty() {
        "met"
    } else {
        "not met"
    };
    let received = 1 + signed.warmup_ok + signed.ok;
    let stored_note = match m.stored.cmp(&received) {
        std::cmp::Ordering::Equal => "every one stored".to_owned(),
        std::cmp::Ordering::Greater => format!(
            "{} more rows: quotes stored after the generator had timed out their request",
            m.stored - received
        ),
        std::cmp::Ordering::Less => format!("{} of them NOT stored", received - m.stored),
    };
    let pending_quotes = m.pending_weth * Decimal::from(WETH) / Decimal::from(QUOTE_SIZE);
    format!(
        "# Quote path benchmark\n\n\
         Measured by `cargo bench -p hedgeflow --bench quotes{profile}` (profile {profile_note}) \
         on {cores} cores ({cpu}); load average {before} before the stack started, {after} after \
         the runs (the machine is shared). Each run: {warmup} s of warm-up, then {seconds} s \
         measured at {qps} requests/s offered (`HEDGEFLOW_BENCH_WARMUP`, \
         `HEDGEFLOW_BENCH_SECONDS`, `HEDGEFLOW_BENCH_QPS`).\n\n\
         | run | sent | ok | errors | throughput | {cols} | max | generator lag p99 / max |\n\
         |---|---|---|---|---|{dashes}---|---|\n\
         {rows}\n\
         Latency: scheduled send → reply read, every measured request. Throughput: results per \
         second from the first measured send to the last reply. Generator lag: scheduled send → \
         request task running in the generator (part of the latency, not the server's).\n\n\
         CPU time per request, warm-up included: the server process (front door, dealer, \
         signer, OBM, paper exchange; its background work too) and the generator. The last \
         column is what the server could serve on {cores} idle cores at that cost.\n\n\
         | run | server CPU / request | generator CPU / request | server CPU bound |\n\
         |---|---|---|---|\n\
         {cpu_rows}\n\
         Quote / baseline:\n\n\
         | run | {cols} | max |\n\
         |---|{dashes}---|\n\
         {ratios}\n\
         **Goal: p99 ≤ 2 ms at 1,000 quotes/s: {verdict}** — signed quotes: p99 {p99} at \
         {qps} requests/s offered, {tp:.0} results/s achieved.\n\n\
         ## Refusals\n\n\
         {refusals}\n\
         ## What dominates\n\n\
         {splits}\
         - The store's `save`, every signed quote (warm-up included; waiting for its one \
         connection included): {saves}.\n\
         - Server CPU per request: {cpu_base:.0} µs for `dealer_time`, {cpu_pricing:+.0} µs \
         pricing, {cpu_signing:+.0} µs signing and storing; at {qps} signed quotes/s that is \
         {busy:.0} % of the {cores} cores.\n\
         - The exposure book held {pending_weth} WETH pending after the signed run, about \
         {pending_quotes:.0} unexpired quotes ({ttl} s TTL); pricing reads its running totals \
         per asset (balance and cap checks), after dropping what expired.\n\n\
         ## Setup\n\n\
         - One process serves: anvil (`RfqSettlement`, WETH, USDC), the hot wallet's quote \
         signer over gRPC, a paper exchange and the order book manager over gRPC, \
         `QuoteService` and the real `FrontDoor` (jsonrpsee, HTTP). Logging at `warn` \
         (`RUST_LOG` changes it): no per-quote log lines.\n\
         - Quote store: `hedgeflow_activities::store::dealer::StoredQuotes`, the dealer role's database \
         store (wrapped to time its `save`), on SQLite in a temporary directory \
         (`Store::connect`: WAL, one connection, so inserts queue in its pool). The table held \
         {stored} rows after the runs, for {received} signed quotes received (the probe, the \
         warm-up, the measured run): {stored_note}.\n\
         - Requests: one taker buys {size} WETH for USDC (`makerAssetSize`, the market's \
         minimum). The fixture's dealer configuration with {extra} WETH minted to the hot \
         wallet and a WETH exposure cap of {cap}, so sustained load exhausts neither; per-taker \
         rate limit {rate}/s.\n\
         - Load: a separate process (this bench re-run with `HEDGEFLOW_BENCH_ROLE=load`) on one \
         thread, open loop: request *i* is due at start + *i*/rate whatever came back, paced by \
         a thread sleep (tokio's 1 ms timer would skew every send), latency counted from that \
         due time, so a stall shows as the queue it builds (no coordinated omission). One \
         reqwest client, keep-alive pool growing with the requests in flight; timeout {timeout} \
         s. Histograms: hdrhistogram, 3 significant digits.\n\
         - The runs share the machine's {cores} cores: generator, front door, dealer, signer, \
         OBM, paper exchange and anvil. The baseline carries the same generator and HTTP \
         costs, which is why the ratios matter more than the absolute numbers.\n",
        cpu = cpu_model(),
        before = m.load_before,
        after = m.load_after,
        warmup = plan.warmup,
        seconds = plan.seconds,
        qps = plan.qps,
        cols = columns.join(" | "),
        dashes = "---|".repeat(columns.len()),
        p99 = ms(p99),
        tp = signed.throughput,
        splits = if signed.errors.is_empty() {
            format!(
                "Differences of percentiles, so indicative only:\n\n{}{}",
                split(m, 0, "p50"),
                split(m, 2, "p99")
            )
        } else {
            // Refusals answer fast and skew the signed run's percentiles: no split.
            "The signed run was overloaded (see Refusals), so its percentiles do not split \
             into parts; the store's times and the CPU per request show where the time went.\n\n"
                .to_owned()
        },
        saves = QUANTILES
            .iter()
            .map(|(_, name)| *name)
            .chain(["max"])
            .zip(&m.saves_us)
            .map(|(name, us)| format!("{name} {}", ms(*us)))
            .collect::<Vec<_>>()
            .join(", "),
        cpu_base = server_cpu[0],
        cpu_pricing = server_cpu[1] - server_cpu[0],
        cpu_signing = server_cpu[2] - server_cpu[1],
        busy = server_cpu[2] * plan.qps / 1e4 / cores as f64,
        pending_weth = m.pending_weth.normalize(),
        ttl = m.quote_ttl.as_secs(),
        stored = m.stored,
        size = Decimal::from(QUOTE_SIZE) / Decimal::from(WETH),
        extra = EXTRA_WETH,
        cap = EXPOSURE_CAP_WETH,
        rate = RATE_LIMIT,
        timeout = REQUEST_TIMEOUT.as_secs(),
    )
}
