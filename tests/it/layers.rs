//! The pipeline's layering, checked on the source: every `crate::STAGE` a stage's non-test code
//! names is a stage at or below it in [`LAYERS`], so no stage imports one that runs after it
//! and the stages import one another without a loop. Run it alone with
//! `cargo test --test it layers::`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::support::cli::root;

/// The top-level modules of `src/`, bottom first; a module may use those on its own line or
/// above it. Leaves first, then the stages in the order a build runs them, then the edges.
const LAYERS: &[&[&str]] = &[
    &[
        "source",
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
    &["load"],
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

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Stage -> the other stages its code outside `#[cfg(test)]` names, with one file each.
fn imports() -> BTreeMap<String, BTreeMap<String, String>> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
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
