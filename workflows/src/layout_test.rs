//! Who may see workflow bodies: this crate reaches no hedgeflow crate but `hedgeflow-proto`, and
//! only `workers/` (the processes that register the bodies on a worker or a replayer) depends on
//! this crate. Everything else starts and signals workflows through `hedgeflow_proto::workflows`.

use std::{fs, path::Path};

/// The workspace crates a member's manifest names (`hedgeflow-*` keys).
fn hedgeflow_dependencies(member: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = fs::read_to_string(root.join(member).join("Cargo.toml"))
        .unwrap_or_else(|error| panic!("{member}/Cargo.toml: {error}"));
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[package]")
        .filter_map(|line| line.split(['.', ' ', '=']).next())
        .filter(|key| key.starts_with("hedgeflow-"))
        .map(str::to_owned)
        .collect()
}

fn members() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let manifest = fs::read_to_string(root).expect("the workspace manifest");
    let list = manifest
        .split("members = [")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .expect("the workspace's members");
    list.split(',')
        .map(|member| member.trim().trim_matches('"').to_owned())
        .filter(|member| !member.is_empty())
        .collect()
}

#[test]
fn workflow_bodies_depend_on_proto_alone() {
    let mut dependencies = hedgeflow_dependencies("workflows");
    dependencies.sort();
    dependencies.dedup();
    assert_eq!(dependencies, ["hedgeflow-proto"]);
}

#[test]
fn only_the_workers_see_workflow_bodies() {
    let members = members();
    assert!(members.len() > 3, "members read: {members:?}");
    let dependents: Vec<_> = members
        .iter()
        .filter(|member| member.as_str() != "workflows")
        .filter(|member| hedgeflow_dependencies(member).contains(&"hedgeflow-workflows".to_owned()))
        .collect();
    assert_eq!(dependents, ["workers"]);
}
