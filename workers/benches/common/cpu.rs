//! CPU time from `/proc` of every process on the machine, grouped by what it runs, so a report
//! can say where a run's CPU went (the bench shares 2 cores with the Temporal server, the chains
//! and the roles).

use std::collections::BTreeMap;
use std::time::Duration;

#[path = "process_cpu.rs"]
mod process_cpu;

/// CPU time so far of every live process, by group: `hedgeflow <role>` for our roles, this
/// process, else the executable's name (`temporal`, `anvil`, ...).
pub fn by_group() -> BTreeMap<String, Duration> {
    let mut groups = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return groups;
    };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        // Processes only: `/proc/self` and `/proc/thread-self` would count this process again.
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let path = entry.path();
        let this = pid == own;
        let used = process_cpu::of(&path.join("stat"));
        if used.is_zero() {
            continue;
        }
        let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let group = if this {
            "the bench process (clients, bare worker)".to_owned()
        } else {
            group(&args)
        };
        *groups.entry(group).or_default() += used;
    }
    groups
}

fn group(args: &[String]) -> String {
    let name = |arg: &String| arg.rsplit('/').next().unwrap_or(arg).to_owned();
    let Some(exe) = args.first().map(name) else {
        return "kernel threads".into();
    };
    if exe == "hedgeflow" {
        // `hedgeflow --config <file> <role>`
        let role = args
            .iter()
            .skip(1)
            .find(|a| !a.starts_with('-') && !a.contains('/'));
        return format!("hedgeflow {}", role.map_or("?", |r| r.as_str()));
    }
    exe
}

/// CPU seconds by process group, largest first.
pub type Used = Vec<(String, Duration)>;

/// CPU used between two [`by_group`] snapshots, largest first; groups that used none are left
/// out.
pub fn used(before: &BTreeMap<String, Duration>, after: &BTreeMap<String, Duration>) -> Used {
    let used: Used = after
        .iter()
        .map(|(group, total)| {
            let earlier = before.get(group).copied().unwrap_or_default();
            (group.clone(), total.saturating_sub(earlier))
        })
        .filter(|(_, used)| !used.is_zero())
        .collect();
    largest_first(used)
}

/// CPU used by group, from the largest user down.
pub fn largest_first(mut used: Used) -> Used {
    used.sort_by_key(|(_, used)| std::cmp::Reverse(*used));
    used
}

/// Markdown rows: CPU seconds per group in each run (a column each: name, CPU used, items), per
/// item, and the total.
pub fn table(runs: &[(&str, &Used, u32)]) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for (_, used, _) in runs {
        for (group, _) in used.iter() {
            if !groups.contains(&group.as_str()) {
                groups.push(group);
            }
        }
    }
    let cell = |(_, used, items): &(&str, &Used, u32), group: Option<&str>| {
        let seconds: f64 = used
            .iter()
            .filter(|(g, _)| group.is_none_or(|group| g == group))
            .fold(0.0, |sum, (_, d)| sum + d.as_secs_f64());
        let each = seconds * 1e3 / f64::from((*items).max(1));
        format!(" {seconds:.1} s ({each:.1} ms each) |")
    };
    let names: String = runs
        .iter()
        .map(|(name, _, _)| format!(" {name} |"))
        .collect();
    let mut rows = format!("| process |{names}\n|---|{}\n", "---|".repeat(runs.len()));
    for group in groups.iter().map(|g| Some(*g)).chain([None]) {
        let cells: String = runs.iter().map(|run| cell(run, group)).collect();
        rows.push_str(&format!("| {} |{cells}\n", group.unwrap_or("**all**")));
    }
    rows
}
