//! `deploy/prometheus/alerts.yml` against what hedgeflow registers: every rule reads metrics
//! that exist ([`super::metric_names`]), and has a `for`, a severity and its annotations; the
//! alerts ops rely on are all there; `prometheus.yml` loads the file.

use serde::Deserialize;
use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::PathBuf,
};

/// Prometheus's own metrics a rule may read.
pub(super) const PROMETHEUS_METRICS: [&str; 1] = ["up"];
/// PromQL words that are neither metrics nor functions.
const KEYWORDS: [&str; 5] = ["and", "or", "unless", "bool", "offset"];
/// PromQL aggregations: functions that may take `by (…)` before their `(`.
const AGGREGATIONS: [&str; 12] = [
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "group",
];
/// PromQL words followed by a list of label names.
const LABEL_LISTS: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];
/// The alerts the issue asks for; a rename must be deliberate.
const REQUIRED: [&str; 5] = [
    "IntentQuoteStuck",
    "IntentPositionMismatch",
    "IntentAllocationHealthLow",
    "BrokerUnreachable",
    "RpcUnreachable",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    alert: String,
    expr: String,
    #[serde(rename = "for")]
    hold: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

fn deploy_file(name: &str) -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy/prometheus")
        .join(name);
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    (path, text)
}

#[test]
fn every_alert_reads_registered_metrics_and_says_what_to_do() {
    let (path, text) = deploy_file("alerts.yml");
    let file: RuleFile = serde_yaml::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not a rule file: {error}", path.display()));
    let registered: BTreeSet<&str> = super::metric_names()
        .into_iter()
        .chain(PROMETHEUS_METRICS)
        .collect();
    let mut alerts = BTreeSet::new();
    for group in &file.groups {
        assert!(!group.rules.is_empty(), "group {} has no rules", group.name);
        for rule in &group.rules {
            let name = &rule.alert;
            assert!(
                alerts.insert(name.as_str()),
                "alert {name} is defined twice"
            );
            let metrics = metrics_in(&rule.expr);
            assert!(!metrics.is_empty(), "{name}'s expr reads no metric");
            for metric in &metrics {
                assert!(
                    registered.contains(metric.as_str()),
                    "{name} reads {metric}, which hedgeflow does not register"
                );
            }
            let hold = rule.hold.as_deref().unwrap_or_default();
            assert!(
                is_duration(hold),
                "{name} needs a `for` duration, has {hold:?}"
            );
            let severity = rule.labels.get("severity").map(String::as_str);
            assert!(
                matches!(severity, Some("critical" | "warning")),
                "{name} needs severity critical or warning, has {severity:?}"
            );
            for annotation in ["summary", "description"] {
                assert!(
                    rule.annotations
                        .get(annotation)
                        .is_some_and(|text| !text.trim().is_empty()),
                    "{name} needs a {annotation} annotation"
                );
            }
        }
    }
    for required in REQUIRED {
        assert!(
            alerts.contains(required),
            "alerts.yml must define {required}"
        );
    }
}

#[test]
fn prometheus_loads_the_rules() {
    let (path, text) = deploy_file("prometheus.yml");
    let config: serde_yaml::Value = serde_yaml::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()));
    let loads = config
        .get("rule_files")
        .and_then(serde_yaml::Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(serde_yaml::Value::as_str)
        .any(|file| file.ends_with("/alerts.yml"));
    assert!(
        loads,
        "{} must list alerts.yml in rule_files",
        path.display()
    );
}

#[test]
fn the_expression_reader_finds_metrics_only() {
    let expr =
        r#"max by (state) (a_seconds and on (instance) (time() - b{x="c}d"}[5m] < 300)) > 1e3"#;
    let found: Vec<String> = metrics_in(expr).into_iter().collect();
    assert_eq!(found, ["a_seconds", "b"]);
}

/// The metric names a PromQL expression reads: identifiers that are not functions, keywords or
/// label names (in `{…}` or in a `by (…)`-like list), outside strings and ranges.
pub(super) fn metrics_in(expr: &str) -> BTreeSet<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' || c == '[' {
            i = skip_past(&chars, i, if c == '{' { '}' } else { ']' });
        } else if c.is_ascii_digit() || c == '.' {
            // a number, with its exponent or duration unit
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | ':'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            let calls = chars.get(next) == Some(&'(');
            if LABEL_LISTS.contains(&word.as_str()) {
                if calls {
                    i = skip_past(&chars, next, ')');
                }
            } else if !calls
                && !KEYWORDS.contains(&word.as_str())
                && !AGGREGATIONS.contains(&word.as_str())
            {
                names.insert(word);
            }
        } else if c == '"' || c == '\'' || c == '`' {
            i = skip_past(&chars, i, c);
        } else {
            i += 1;
        }
    }
    names
}

/// The index after the `close` that ends what opens at `open`, stepping over quoted strings.
fn skip_past(chars: &[char], open: usize, close: char) -> usize {
    let mut i = open + 1;
    while i < chars.len() && chars[i] != close {
        if matches!(chars[i], '"' | '\'' | '`') && chars[i] != close {
            i = skip_past(chars, i, chars[i]);
        } else {
            i += if chars[i] == '\\' { 2 } else { 1 };
        }
    }
    i + 1
}

/// A Prometheus duration: `30s`, `5m`, `1h30m`.
fn is_duration(text: &str) -> bool {
    !text.is_empty()
        && text.starts_with(|c: char| c.is_ascii_digit())
        && text.ends_with(|c: char| "smhdwy".contains(c))
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "smhdwy".contains(c))
}
