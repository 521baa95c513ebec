//! The pipeline's layering, checked on the source: every `crate::STAGE` a stage's non-test code
//! names is a stage at or below it in [`LAYERS`], so no stage imports one that runs after it
//! and the stages import one another without a loop; and no two modules anywhere import each
//! other, directly or around a circle (a file may use its own `mod.rs`, the family's shared
//! home, which is no loop). Run it alone with `cargo test --test it layers::`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use crate::support::cli::{files_under, root};

/// The top-level modules of `src/`, bottom first; a module may use those on its own line or
/// above it. Leaves first, then the stages in the order a build runs them, then the edges.
const LAYERS: &[&[&str]] = &[
    &[
        "source",
        "closed_set",
        "duration",
        "quantity",
        "secrets",
        "yaml",
        "background",
    ],
    &["k8s"],
    &["diag"],
    &["model_source"],
    &["stack"],
    &["load", "cluster"],
    &["resolve"],
    &["engine"],
    &["rules"],
    &["lower"],
    &["validate"],
    &["emit"],
    &["output"],
    &["report"],
    &["diff"],
    &["compile"],
    &["cli"],
    &["commands"],
];

/// Stage -> the other stages its code outside `#[cfg(test)]` names, with one file each.
fn imports() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = root().join("src");
    let files: Vec<_> = files_under(&src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let stage = relative
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_owned();
        if stage == "lib" || stage == "main" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != stage && !name.is_empty() {
                edges
                    .entry(stage.clone())
                    .or_default()
                    .entry(name)
                    .or_insert_with(|| relative.clone());
            }
        }
    }
    edges
}

fn layer_of(stage: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&stage))
}

#[test]
fn no_stage_imports_one_above_it() {
    let mut problems = Vec::new();
    for (stage, used) in imports() {
        let Some(own) = layer_of(&stage) else {
            problems.push(format!("src/{stage} is in no layer of LAYERS"));
            continue;
        };
        for (other, file) in used {
            match layer_of(&other) {
                Some(layer) if layer <= own => {}
                Some(_) => problems.push(format!(
                    "src/{file} ({stage}) imports crate::{other}, a stage above it"
                )),
                None => problems.push(format!("src/{file} names crate::{other}, in no layer")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_stages_import_one_another_without_a_loop() {
    let edges = imports();
    fn visit<'a>(
        stage: &'a str,
        edges: &'a BTreeMap<String, BTreeMap<String, String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|s| *s == stage) {
            return Some(format!("{} -> {stage}", path[start..].join(" -> ")));
        }
        if !done.insert(stage) {
            return None;
        }
        path.push(stage);
        for next in edges.get(stage).into_iter().flat_map(|m| m.keys()) {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for stage in edges.keys() {
        let found = visit(stage, &edges, &mut Vec::new(), &mut done);
        assert!(
            found.is_none(),
            "import loop: {}",
            found.unwrap_or_default()
        );
    }
}

/// A module of `src/` by its path (`["rules", "cross", "index"]`), with its code outside
/// `#[cfg(test)]` and line comments.
fn modules() -> BTreeMap<Vec<String>, String> {
    let src = root().join("src");
    let files: Vec<_> = files_under(&src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let mut out = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let mut path: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if path.last().is_some_and(|p| p == "mod" || p == "lib") {
            path.pop();
        }
        if path == ["main"] {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap()
            .lines()
            .map(|l| l.split("//").next().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        out.insert(path, code);
    }
    out
}

/// The paths a `use` tree names, braces expanded (`a::{b, c::{d}}` -> `a::b`, `a::c::d`).
fn use_paths(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let (mut depth, mut item) = (0, String::new());
    let mut items = Vec::new();
    for c in tree.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    for item in items.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        match item.split_once('{') {
            Some((head, rest)) => {
                let inner = rest.rsplit_once('}').map_or(rest, |(inner, _)| inner);
                use_paths(&format!("{prefix}{head}"), inner, out);
            }
            None => out.push(format!("{prefix}{item}")),
        }
    }
}

/// The module a path written in `module` leads to: the longest prefix that is a module.
fn target(
    module: &[String],
    segments: &[&str],
    known: &BTreeMap<Vec<String>, String>,
) -> Option<Vec<String>> {
    let (first, rest) = segments.split_first()?;
    let mut base: Vec<String> = match *first {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => module[..module.len().saturating_sub(1)].to_vec(),
        child => {
            let mut path = module.to_vec();
            path.push(child.to_owned());
            if !known.contains_key(&path) {
                return None;
            }
            path
        }
    };
    let mut rest = rest;
    while rest.first() == Some(&"super") {
        base.pop();
        rest = &rest[1..];
    }
    let full: Vec<String> = base
        .iter()
        .cloned()
        .chain(rest.iter().map(|s| (*s).to_owned()))
        .collect();
    (base.len()..=full.len())
        .rev()
        .map(|n| full[..n].to_vec())
        .find(|p| known.contains_key(p))
}

/// Module -> the modules it uses, leaving out its own ancestors: a family's files share the
/// helpers of their `mod.rs`, which is no loop.
fn module_imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let known = modules();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, code) in &known {
        let mut paths = Vec::new();
        for statement in code.split(';') {
            if let Some(tree) = statement.trim().strip_prefix("use ").or_else(|| {
                statement
                    .trim()
                    .strip_prefix("pub use ")
                    .or_else(|| statement.trim().split_once(") use ").map(|(_, t)| t))
            }) {
                use_paths("", &tree.replace('\n', " "), &mut paths);
            }
        }
        // Paths in expressions: `crate::a::b`, `super::x::f`, `child::f`.
        let bytes: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            let starts = (i == 0
                || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':'))
                && (bytes[i].is_alphabetic() || bytes[i] == '_');
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_alphanumeric() || bytes[j] == '_' || bytes[j] == ':')
            {
                j += 1;
            }
            let word: String = bytes[i..j].iter().collect();
            if word.contains("::") {
                paths.push(word);
            }
            i = j;
        }
        for path in paths {
            let path = path.split(" as ").next().unwrap().trim().to_owned();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let Some(to) = target(module, &segments, &known) else {
                continue;
            };
            let ancestor = to.len() < module.len() && module[..to.len()] == to[..];
            if to != *module && !ancestor {
                edges.entry(module.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

#[test]
fn no_two_modules_import_each_other() {
    let edges = module_imports();
    fn visit(
        module: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        path: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|m| m == module) {
            let names: Vec<String> = path[start..]
                .iter()
                .chain([module])
                .map(|m| m.join("::"))
                .collect();
            return Some(names.join(" -> "));
        }
        if !done.insert(module.clone()) {
            return None;
        }
        path.push(module.clone());
        for next in edges.get(module).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in edges.keys() {
        let found = visit(module, &edges, &mut Vec::new(), &mut done);
        assert!(
            found.is_none(),
            "import loop: {}",
            found.unwrap_or_default()
        );
    }
    // The check sees imports: the body-based router's route uses its header constant.
    assert!(
        edges[&vec!["lower".to_owned(), "routes".to_owned()]]
            .contains(&vec!["lower".to_owned(), "body_router".to_owned()])
    );
}
