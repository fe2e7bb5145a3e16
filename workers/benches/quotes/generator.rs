//! The load generator (the child process): an open loop of requests at their scheduled times,
//! and the histograms it reports.

use super::{BODY, URL};
use super::{LoadResult, Plan, QUANTILES, REQUEST_TIMEOUT, process_cpu};
use hdrhistogram::Histogram;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One request's fate.
struct Outcome {
    measured: bool,
    latency: Duration,
    lag: Duration,
    done: Instant,
    /// `None` for a result.
    error: Option<String>,
}

pub(super) fn generator() {
    let url: reqwest::Url = std::env::var(URL).expect(URL).parse().expect("a URL");
    let body = std::env::var(BODY).expect(BODY);
    let plan = Plan::from_env();
    // One thread: the generator competes with the server for the same cores, and whatever it
    // adds is in the `dealer_time` baseline too.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(generate(url, body, plan));
    println!("{}", serde_json::to_string(&result).unwrap());
}

pub(super) fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).unwrap()
}

/// The histogram at each of [`QUANTILES`], then its maximum.
pub(super) fn summary(histogram: &Histogram<u64>) -> Vec<u64> {
    QUANTILES
        .iter()
        .map(|(q, _)| histogram.value_at_quantile(*q))
        .chain([histogram.max()])
        .collect()
}

pub(super) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

async fn generate(url: reqwest::Url, body: String, plan: Plan) -> LoadResult {
    // Keep-alive is reqwest's default; the pool opens a connection whenever every open one is
    // busy, so a slow reply never delays the next scheduled send.
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let total = ((plan.warmup + plan.seconds) * plan.qps).round() as u64;
    let first_measured = (plan.warmup * plan.qps).round() as u64;
    let start = Instant::now() + Duration::from_millis(100);
    let at = move |i: u64| start + Duration::from_secs_f64(i as f64 / plan.qps);
    let measure_from = at(first_measured);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Handle::current();
    // A thread sleep wakes within tens of µs of its deadline; tokio's timer rounds every
    // deadline up to its next 1 ms tick, which would add up to 1 ms to every latency.
    let pacer = std::thread::spawn(move || {
        for i in 0..total {
            let scheduled = at(i);
            if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let request = client
                .post(url.clone())
                .header("content-type", "application/json")
                .body(body.clone());
            let tx = tx.clone();
            let measured = i >= first_measured;
            runtime.spawn(async move {
                let lag = scheduled.elapsed();
                let error = match request.send().await {
                    Ok(reply) if reply.status().is_success() => match reply.bytes().await {
                        Ok(bytes) => rpc_error(&bytes),
                        Err(_) => Some("transport".to_owned()),
                    },
                    Ok(reply) => Some(format!("http {}", reply.status().as_u16())),
                    Err(e) if e.is_timeout() => Some("timeout".to_owned()),
                    Err(_) => Some("transport".to_owned()),
                };
                let _ = tx.send(Outcome {
                    measured,
                    latency: scheduled.elapsed(),
                    lag,
                    done: Instant::now(),
                    error,
                });
            });
        }
    });

    let (mut latency, mut lag) = (histogram(), histogram());
    let mut result = LoadResult {
        sent: 0,
        ok: 0,
        warmup_ok: 0,
        errors: BTreeMap::new(),
        throughput: 0.0,
        latency_us: Vec::new(),
        lag_us: [0; 2],
        requests: total,
        cpu_us: 0,
    };
    let mut last_reply = measure_from;
    // Ends once the pacer and every request have dropped their sender.
    while let Some(outcome) = rx.recv().await {
        if !outcome.measured {
            result.warmup_ok += u64::from(outcome.error.is_none());
            continue;
        }
        result.sent += 1;
        latency.saturating_record(micros(outcome.latency));
        lag.saturating_record(micros(outcome.lag));
        last_reply = last_reply.max(outcome.done);
        match outcome.error {
            None => result.ok += 1,
            Some(error) => *result.errors.entry(error).or_default() += 1,
        }
    }
    pacer.join().unwrap();
    result.throughput = result.ok as f64 / (last_reply - measure_from).as_secs_f64();
    result.latency_us = summary(&latency);
    result.lag_us = [lag.value_at_quantile(0.99), lag.max()];
    result.cpu_us = micros(cpu_time());
    result
}

/// CPU time of this process, every thread.
pub(super) fn cpu_time() -> Duration {
    process_cpu::of(std::path::Path::new("/proc/self/stat"))
}

/// `None` for a JSON-RPC result, else why not.
fn rpc_error(body: &[u8]) -> Option<String> {
    let reply: Value = match serde_json::from_slice(body) {
        Ok(reply) => reply,
        Err(_) => return Some("malformed".into()),
    };
    if reply.get("result").is_some() {
        return None;
    }
    let error = &reply["error"];
    Some(match (error["code"].as_i64(), error["message"].as_str()) {
        // The message names the cause, e.g. `quote unavailable at this time: signer`.
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => "malformed".into(),
    })
}
