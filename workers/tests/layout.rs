//! The workspace's layout rules, checked from the sources alone: this binary uses no workspace
//! crate, so it builds and links in seconds.
//!
//! - Who may see workflow bodies: `workflows/` reaches no hedgeflow crate but `hedgeflow-proto`,
//!   and only `workers/` (the processes that register the bodies on a worker or a replayer)
//!   depends on it; everything else starts and signals workflows through
//!   `hedgeflow_proto::workflows`.
//! - No import circles between the files of a crate (see [`import_graph`] for what counts as an
//!   import).
//! - File sizes: a production file (any `.rs` outside `tests/`, benches included) holds at most
//!   600 lines, a test file (under `tests/`, or `tests.rs`, `*_test.rs`, `*_tests.rs`) 1,500.

#![allow(clippy::too_many_lines, reason = "a test reads as one story")]

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The workspace's members, as the root manifest lists them.
fn members() -> Vec<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("the workspace manifest");
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

/// The workspace crates a member's manifest names (`hedgeflow-*` keys, dev-dependencies
/// included).
fn hedgeflow_dependencies(member: &str) -> Vec<String> {
    let manifest = fs::read_to_string(root().join(member).join("Cargo.toml"))
        .unwrap_or_else(|error| panic!("{member}/Cargo.toml: {error}"));
    let mut dependencies: Vec<_> = manifest
        .lines()
        .skip_while(|line| line.trim() != "[package]")
        .filter_map(|line| line.split(['.', ' ', '=']).next())
        .filter(|key| key.starts_with("hedgeflow-"))
        .map(str::to_owned)
        .collect();
    dependencies.sort();
    dependencies.dedup();
    dependencies
}

#[test]
fn workflow_bodies_depend_on_proto_alone() {
    assert_eq!(hedgeflow_dependencies("workflows"), ["hedgeflow-proto"]);
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

#[test]
fn activities_do_not_depend_on_workflows() {
    let dependencies = hedgeflow_dependencies("activities");
    assert!(
        !dependencies.contains(&"hedgeflow-workflows".to_owned()),
        "activities/Cargo.toml names hedgeflow-workflows: start and signal workflows through \
         the definitions in hedgeflow_proto::workflows"
    );
}

// ---- file sizes ----

const PRODUCTION_LINES: usize = 600;
const TEST_LINES: usize = 1_500;

fn is_test_file_name(name: &str) -> bool {
    name == "tests.rs" || name.ends_with("_test.rs") || name.ends_with("_tests.rs")
}

/// Every `.rs` file under `dir`, skipping hidden directories and build output.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                rust_files(&path, files);
            }
        } else if name.ends_with(".rs") {
            files.push(path);
        }
    }
}

#[test]
fn files_stay_small_enough_to_read() {
    let root = root();
    let mut oversize = Vec::new();
    let mut counted = 0;
    for member in members() {
        let mut files = Vec::new();
        rust_files(&root.join(&member), &mut files);
        for file in files {
            let relative = file.strip_prefix(&root).expect("under the workspace");
            let test = relative
                .components()
                .any(|part| part.as_os_str() == "tests")
                || is_test_file_name(&relative.file_name().unwrap().to_string_lossy());
            let limit = if test { TEST_LINES } else { PRODUCTION_LINES };
            let lines = fs::read_to_string(&file)
                .expect("a source file")
                .lines()
                .count();
            counted += 1;
            if lines > limit {
                let kind = if test { "test" } else { "production" };
                oversize.push(format!(
                    "{}: {lines} lines ({kind} limit {limit})",
                    relative.display()
                ));
            }
        }
    }
    assert!(counted > 100, "only {counted} files read");
    assert!(
        oversize.is_empty(),
        "files over the size limit; split them into modules named for what they do:\n{}",
        oversize.join("\n")
    );
}

// ---- import circles ----

#[test]
fn no_import_circles_between_files() {
    let root = root();
    let mut circles = Vec::new();
    let mut crates = 0;
    for member in members() {
        let src = root.join(&member).join("src");
        let mut roots = vec![src.join("lib.rs"), src.join("main.rs")];
        let mut bins = Vec::new();
        rust_files(&src.join("bin"), &mut bins);
        roots.extend(bins);
        for crate_root in roots.into_iter().filter(|path| path.exists()) {
            crates += 1;
            let graph = import_graph(&crate_root);
            for component in circles_in(&graph) {
                let name = |file: &Path| file.strip_prefix(&root).unwrap().display().to_string();
                let mut report = format!(
                    "{}:",
                    component
                        .iter()
                        .map(|f| name(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                for ((from, to), (line, path)) in &graph.edges {
                    if component.contains(from) && component.contains(to) {
                        report += &format!("\n    {}:{line} `{path}` -> {}", name(from), name(to));
                    }
                }
                circles.push(report);
            }
        }
    }
    assert!(crates >= 8, "only {crates} crates read");
    assert!(
        circles.is_empty(),
        "files that import each other, directly or round a circle (move what they share into a \
         file both import):\n{}",
        circles.join("\n")
    );
}

/// A crate's files and which file imports which.
struct Graph {
    files: Vec<PathBuf>,
    /// (importer, imported) → the first such import: its line and path.
    edges: BTreeMap<(PathBuf, PathBuf), (usize, String)>,
}

/// One file of the module tree: its module path from the crate root and what it says.
struct ModuleFile {
    path: PathBuf,
    module: Vec<String>,
    parsed: Parsed,
}

/// The import graph of the crate rooted at `crate_root`, its files found by following `mod x;`
/// declarations (test modules left out: `#[cfg(test)]` ones and files named like tests).
///
/// File A imports file B when A names an item or module of B by a path: in a `use` (a `pub use`
/// re-export included), or inline (`crate::a::f()`, `super::T`, `child::T`, or a module imported
/// by `use` then named inline). A path resolves to the file of its longest prefix that is a file
/// module. Declaring a child (`mod x;`) is structure, not an import.
///
/// Imports between a module file and its own direct children are left out: a module and its
/// submodules are one unit (the parent re-exports or calls its children, the children use the
/// parent's shared types through `super::`), so counting both directions would report every such
/// pair as a circle. Circles through siblings, grandchildren or other branches are reported.
fn import_graph(crate_root: &Path) -> Graph {
    let mut files = Vec::new();
    collect_module_files(crate_root, Vec::new(), &mut files);
    let by_module: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|file| (file.module.clone(), file.path.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let resolve = |raw: &RawPath, aliases: &BTreeMap<String, Vec<String>>| {
            absolute(raw, &file.module, aliases)
        };
        // Names that stand for a module: declared children, then modules brought in by `use`.
        let mut aliases: BTreeMap<String, Vec<String>> = file
            .parsed
            .children
            .iter()
            .map(|child| {
                let mut module = file.module.clone();
                module.push(child.clone());
                (child.clone(), module)
            })
            .collect();
        for (raw, name) in &file.parsed.uses {
            if let Some(module) = resolve(raw, &aliases)
                && by_module.contains_key(&module)
                && name != "*"
            {
                aliases.insert(name.clone(), module);
            }
        }
        let paths = file.parsed.uses.iter().map(|(raw, _)| raw);
        for raw in paths.chain(&file.parsed.inline) {
            let Some(module) = resolve(raw, &aliases) else {
                continue;
            };
            let Some(target) = (0..=module.len())
                .rev()
                .find_map(|len| by_module.get(&module[..len]))
            else {
                continue;
            };
            let target_module = &files.iter().find(|f| &f.path == target).unwrap().module;
            if *target == file.path || one_unit(&file.module, target_module) {
                continue;
            }
            edges
                .entry((file.path.clone(), target.clone()))
                .or_insert_with(|| (raw.line, raw.segments.join("::")));
        }
    }
    Graph {
        files: files.into_iter().map(|file| file.path).collect(),
        edges,
    }
}

/// A module and its direct child (in either order).
fn one_unit(a: &[String], b: &[String]) -> bool {
    let (parent, child) = if a.len() < b.len() { (a, b) } else { (b, a) };
    child.len() == parent.len() + 1 && child.starts_with(parent)
}

fn collect_module_files(path: &Path, module: Vec<String>, files: &mut Vec<ModuleFile>) {
    let source = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed = parse(&source);
    let name = path.file_name().unwrap().to_str().unwrap();
    let children_dir = if matches!(name, "lib.rs" | "main.rs" | "mod.rs") || module.is_empty() {
        path.parent().unwrap().to_path_buf()
    } else {
        path.with_extension("")
    };
    for child in &parsed.children {
        let flat = children_dir.join(format!("{child}.rs"));
        let nested = children_dir.join(child).join("mod.rs");
        let file = if flat.exists() { flat } else { nested };
        assert!(
            file.exists(),
            "{}: `mod {child};` has no file",
            path.display()
        );
        if is_test_file_name(file.file_name().unwrap().to_str().unwrap()) {
            continue;
        }
        let mut child_module = module.clone();
        child_module.push(child.clone());
        collect_module_files(&file, child_module, files);
    }
    files.push(ModuleFile {
        path: path.to_path_buf(),
        module,
        parsed,
    });
}

/// A path as written, where it was written.
struct RawPath {
    segments: Vec<String>,
    line: usize,
    /// How many inline `mod x { }` blocks enclose it (their `super` and `self` stay in the file).
    inline_depth: usize,
}

/// The module path a written path names from the crate root, or `None` when it stays in the
/// file or leaves the crate.
fn absolute(
    raw: &RawPath,
    module: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let mut segments = raw.segments.clone();
    if segments.last().is_some_and(|last| last == "self") {
        segments.pop();
    }
    let first = segments.first()?.as_str();
    match first {
        "crate" | "$crate" => Some(segments[1..].to_vec()),
        "self" if raw.inline_depth > 0 => None,
        "self" => Some([module, &segments[1..]].concat()),
        "super" => {
            let supers = segments.iter().take_while(|s| *s == "super").count();
            let up = supers.checked_sub(raw.inline_depth).filter(|up| *up > 0)?;
            let base = module.len().checked_sub(up)?;
            Some([&module[..base], &segments[supers..]].concat())
        }
        name if raw.inline_depth == 0 => aliases
            .get(name)
            .map(|base| [base, &segments[1..]].concat()),
        _ => None,
    }
}

/// What the import graph needs from one file.
#[derive(Default)]
struct Parsed {
    /// `mod x;` declarations, test modules left out.
    children: Vec<String>,
    /// Each path a `use` brings in, with the name it binds (`*` for a glob).
    uses: Vec<(RawPath, String)>,
    /// Paths written in code, starting with `crate`, `self`, `super` or a name.
    inline: Vec<RawPath>,
}

#[derive(Clone, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

fn parse(source: &str) -> Parsed {
    let tokens = tokenize(&code_only(source));
    let mut parsed = Parsed::default();
    let ident = |i: usize| match tokens.get(i) {
        Some((Token::Ident(name), _)) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, token: Token| tokens.get(i).is_some_and(|(t, _)| *t == token);
    let mut depth = 0;
    // The brace depth inside each enclosing inline module.
    let mut inline_modules: Vec<usize> = Vec::new();
    let mut cfg_test = false;
    let mut i = 0;
    while i < tokens.len() {
        let line = tokens[i].1;
        match &tokens[i].0 {
            Token::Punct('#') => {
                let start = i + if is(i + 1, Token::Punct('!')) { 2 } else { 1 };
                let end = matching(&tokens, start);
                let words: Vec<_> = (start + 1..end).filter_map(ident).collect();
                cfg_test |= words == ["cfg", "test"];
                i = end + 1;
                continue;
            }
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if inline_modules.last() == Some(&(depth + 1)) {
                    inline_modules.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let Some(name) = ident(i + 1) {
                    if is(i + 2, Token::Punct('{')) {
                        if cfg_test {
                            i = matching(&tokens, i + 2) + 1;
                            cfg_test = false;
                            continue;
                        }
                        inline_modules.push(depth + 1);
                    } else if !cfg_test && !is_test_file_name(&format!("{name}.rs")) {
                        parsed.children.push(name.to_owned());
                    }
                }
                cfg_test = false;
            }
            Token::Ident(word) if word == "use" && !is(i + 1, Token::PathSep) => {
                let mut uses = Vec::new();
                let mut j = i + 1;
                use_tree(&tokens, &mut j, Vec::new(), &mut uses);
                if !cfg_test {
                    for (segments, name) in uses {
                        let raw = RawPath {
                            segments,
                            line,
                            inline_depth: inline_modules.len(),
                        };
                        parsed.uses.push((raw, name));
                    }
                }
                cfg_test = false;
                i = j;
                continue;
            }
            Token::Ident(word)
                if is(i + 1, Token::PathSep)
                    && !(i > 0
                        && matches!(tokens[i - 1].0, Token::PathSep | Token::Punct('.')))
                    && !(i > 0 && tokens[i - 1].0 == Token::Ident("in".into())) =>
            {
                let mut segments = vec![word.clone()];
                let mut j = i + 1;
                while is(j, Token::PathSep)
                    && let Some(next) = ident(j + 1)
                {
                    segments.push(next.to_owned());
                    j += 2;
                }
                parsed.inline.push(RawPath {
                    segments,
                    line,
                    inline_depth: inline_modules.len(),
                });
                i = j;
                continue;
            }
            Token::Ident(word) if !matches!(word.as_str(), "pub" | "crate" | "super" | "in") => {
                cfg_test = false;
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// Expands one use tree from `tokens[*i]` into its paths and the names they bind; leaves `*i`
/// after the tree.
fn use_tree(
    tokens: &[(Token, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let mut path = prefix;
    while let Some((token, _)) = tokens.get(*i) {
        *i += 1;
        match token {
            Token::PathSep => {}
            Token::Ident(segment) => {
                path.push(segment.clone());
                if tokens.get(*i).is_some_and(|(t, _)| *t == Token::PathSep) {
                    continue;
                }
                let mut name = segment.clone();
                if name == "self" && path.len() > 1 {
                    name = path[path.len() - 2].clone();
                }
                if tokens
                    .get(*i)
                    .is_some_and(|(t, _)| *t == Token::Ident("as".into()))
                {
                    if let Some((Token::Ident(alias), _)) = tokens.get(*i + 1) {
                        name = alias.clone();
                    }
                    *i += 2;
                }
                out.push((path, name));
                return;
            }
            Token::Punct('*') => {
                out.push((path, "*".to_owned()));
                return;
            }
            Token::Punct('{') => {
                while tokens.get(*i).is_some_and(|(t, _)| *t != Token::Punct('}')) {
                    use_tree(tokens, i, path.clone(), out);
                    if tokens.get(*i).is_some_and(|(t, _)| *t == Token::Punct(',')) {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => return,
        }
    }
}

/// The index of the bracket closing the one at `open`.
fn matching(tokens: &[(Token, usize)], open: usize) -> usize {
    let Some((Token::Punct(bracket), _)) = tokens.get(open) else {
        return open;
    };
    let close = match bracket {
        '[' => ']',
        '{' => '}',
        '(' => ')',
        _ => return open,
    };
    let mut depth = 0;
    for (index, (token, _)) in tokens.iter().enumerate().skip(open) {
        if *token == Token::Punct(*bracket) {
            depth += 1;
        } else if *token == Token::Punct(close) {
            depth -= 1;
            if depth == 0 {
                return index;
            }
        }
    }
    tokens.len()
}

/// Identifiers (`$crate` included), `::` and single punctuation characters, with their lines.
fn tokenize(code: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || (c == '$' && chars.get(i + 1) == Some(&'c')) {
            // A raw identifier (`r#type`) is its name.
            if c == 'r' && chars.get(i + 1) == Some(&'#') {
                i += 2;
            }
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push((Token::Ident(word), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push((Token::PathSep, line));
            i += 2;
        } else {
            tokens.push((Token::Punct(c), line));
            i += 1;
        }
    }
    tokens
}

/// The source with comments and string and character literals blanked out (lines kept).
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, chars: &[char]| {
        for &c in chars {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
    };
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        // `br"…"` is a raw string too; `xr"` is not.
        let after_ident = i > 0
            && ident_char(chars[i - 1])
            && !(chars[i - 1] == 'b' && (i < 2 || !ident_char(chars[i - 2])));
        let end = if c == '/' && next == Some('/') {
            (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            j
        } else if c == 'r' && !after_ident && matches!(next, Some('#' | '"')) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let mut j = i + 2 + hashes;
            while j < chars.len()
                && !(chars[j] == '"' && chars[j + 1..].iter().take(hashes).all(|&h| h == '#'))
            {
                j += 1;
            }
            j + 1 + hashes
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            j + 1
        } else if c == '\'' && next == Some('\\') {
            (i + 3..chars.len())
                .find(|&j| chars[j] == '\'')
                .map_or(chars.len(), |j| j + 1)
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i + 3
        } else {
            out.push(c);
            i += 1;
            continue;
        };
        let end = end.min(chars.len());
        blank(&mut out, &chars[i..end]);
        i = end;
    }
    out
}

/// The strongly connected components of more than one file (Tarjan's algorithm).
fn circles_in(graph: &Graph) -> Vec<BTreeSet<PathBuf>> {
    struct State<'a> {
        next: BTreeMap<&'a PathBuf, Vec<&'a PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        components: Vec<BTreeSet<PathBuf>>,
    }
    fn visit<'a>(state: &mut State<'a>, file: &'a PathBuf) {
        let index = state.index.len();
        state.index.insert(file, index);
        state.low.insert(file, index);
        state.stack.push(file);
        for target in state.next.get(file).cloned().unwrap_or_default() {
            if !state.index.contains_key(target) {
                visit(state, target);
                let low = state.low[file].min(state.low[target]);
                state.low.insert(file, low);
            } else if state.stack.contains(&target) {
                let low = state.low[file].min(state.index[target]);
                state.low.insert(file, low);
            }
        }
        if state.low[file] == state.index[file] {
            let mut component = BTreeSet::new();
            while let Some(member) = state.stack.pop() {
                component.insert(member.clone());
                if member == file {
                    break;
                }
            }
            if component.len() > 1 {
                state.components.push(component);
            }
        }
    }
    let mut next: BTreeMap<&PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for (from, to) in graph.edges.keys() {
        next.entry(from).or_default().push(to);
    }
    let mut state = State {
        next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for file in &graph.files {
        if !state.index.contains_key(file) {
            visit(&mut state, file);
        }
    }
    state.components
}
