//! The layering of the crate's modules, checked: no top-level module imports
//! one that imports it back (directly or through others). Comments are
//! ignored; every `crate::<module>` path in code counts as an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn modules_of(src: &Path) -> BTreeMap<String, Vec<std::path::PathBuf>> {
    let mut modules: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let Ok(relative) = path.strip_prefix(src) else {
                continue;
            };
            let first = relative
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or_default()
                .trim_end_matches(".rs")
                .to_owned();
            if first != "lib" && first != "layering" {
                modules.entry(first).or_default().push(path);
            }
        }
    }
    modules
}

fn imports(code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                group
                    .split('}')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or_default())
                    .collect()
            } else {
                vec![rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default()]
            };
            found.extend(
                names
                    .into_iter()
                    .filter(|n| known.contains(*n))
                    .map(str::to_owned),
            );
        }
    }
    found
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_of_the_domain_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules_of(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    assert!(
        ["access", "care", "journal", "accounts", "outbox"]
            .iter()
            .all(|m| known.contains(*m)),
        "the scan found the modules: {known:?}"
    );
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, files) in &modules {
        let mut deps = BTreeSet::new();
        for file in files {
            let code = std::fs::read_to_string(file).unwrap_or_default();
            deps.extend(imports(&code, &known));
        }
        deps.remove(module);
        graph.insert(module.clone(), deps);
    }
    assert!(
        graph["journal"].contains("care"),
        "the scan sees imports: {graph:?}"
    );
    assert_eq!(find_cycle(&graph), None, "module graph: {graph:#?}");
    for feature in ["accounts", "journal"] {
        assert!(
            !graph["care"].contains(feature),
            "care must stay below {feature}"
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_cycle_when_there_is_one() {
    let known: BTreeSet<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let mut graph = BTreeMap::new();
    graph.insert(
        "a".to_owned(),
        imports("use crate::b::X; // crate::c", &known),
    );
    graph.insert("b".to_owned(), imports("use crate::{c::Y, a};", &known));
    graph.insert("c".to_owned(), BTreeSet::new());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()])
    );
}
