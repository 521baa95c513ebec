//! Every input under `tests/fuzz/<target>/` goes through the code its fuzz target drives
//! (`fuzz/fuzz_targets/`), on stable and on every `cargo test`: inputs that once crashed, hung
//! or exhausted memory must now be refused with a diagnostic.

use std::fs;
use std::path::PathBuf;

use crate::support::cli::root;
use inferstack::compile::compile_fleet;
use inferstack::diag::render::{Color, Style, render_all};
use inferstack::report::{Format, Report};
use inferstack::source::SourceMap;
use inferstack::stack::layers::Fleet;
use inferstack::validate::manifests::{FileOptions, check_files};
use inferstack::validate::objects::ObjectValidator;
use inferstack::validate::schemas::SchemaSet;

fn inputs(target: &str) -> Vec<(PathBuf, String)> {
    let dir = root().join("tests/fuzz").join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn stack_compile_regressions() {
    for (path, text) in inputs("stack_compile") {
        // As the target reads an input: parts split by `#---` lines are a fleet.
        let mut sources = SourceMap::default();
        let fleet = Fleet::from_parts(&mut sources, &text);
        for env in [None, Some("prod")] {
            let compiled = compile_fleet(&sources, &fleet, env, None)
                .expect("compile never fails on user input");
            let rendered = render_all(&compiled.diagnostics, &sources, Style::Human(Color::Never));
            assert!(
                compiled.diagnostics.has_errors(),
                "{}: accepted",
                path.display()
            );
            assert!(!rendered.contains("SuperSecretValue1234"), "{rendered}");
        }
    }
}

#[test]
fn yaml_reader_regressions() {
    for (path, text) in inputs("yaml_reader") {
        let stream = inferstack::yaml::parse(&text);
        assert!(
            !stream.problems.is_empty(),
            "{}: no problem found",
            path.display()
        );
    }
}

#[test]
fn yaml_block_regressions() {
    for (path, text) in inputs("yaml_block") {
        assert_eq!(
            inferstack::yaml::block_disagreement(&text),
            None,
            "{}",
            path.display()
        );
    }
}

#[test]
fn validate_cel_regressions() {
    let mut validator = ObjectValidator {
        served: None,
        schemas: SchemaSet::catalog(),
        skip_missing: false,
        knative: Default::default(),
        kinds: Default::default(),
    };
    for (path, text) in inputs("validate_cel") {
        let mut sources = SourceMap::default();
        let id = sources.add("fuzz.yaml", text.as_str());
        let checked = check_files(
            &sources,
            &[id],
            &mut validator,
            FileOptions {
                cross: Some(inferstack::rules::cross::World::Closed),
            },
        );
        let rendered = render_all(&checked.diagnostics, &sources, Style::Human(Color::Never));
        assert!(
            checked.diagnostics.has_errors(),
            "{}: accepted",
            path.display()
        );
        assert!(
            !rendered.contains("hunter"),
            "{}: {rendered}",
            path.display()
        );
        // As the target checks them: no report format carries a control character.
        let report = Report {
            sources: &sources,
            results: &checked.results,
            diagnostics: &checked.diagnostics,
            tool_version: "0.0.0",
            skipped_files: &[],
            by_kind: true,
        };
        for format in [
            Format::Json,
            Format::Sarif,
            Format::Github,
            Format::Junit,
            Format::Tap,
        ] {
            let text = report.render(format, Style::Short);
            assert_eq!(
                inferstack::report::stray_control(format, &text),
                None,
                "{}: {format:?}",
                path.display()
            );
        }
    }
}

#[test]
fn redact_regressions() {
    use inferstack::secrets::{mask_literals, mask_words, redact};
    for (path, text) in inputs("redact") {
        for mask in [redact, mask_words, mask_literals] {
            let masked = mask(&text);
            assert_eq!(masked.len(), text.len(), "{}", path.display());
            assert_eq!(mask(&masked), masked, "{}: not idempotent", path.display());
        }
    }
}

#[test]
fn diff_regressions() {
    use inferstack::diff::{Ours, diff, identify};
    use inferstack::k8s::{Object, Sharing};
    use inferstack::source::Span;
    let documents = |text: &str| -> Vec<serde_json::Value> {
        inferstack::yaml::parse(text)
            .documents
            .into_iter()
            .map(|d| d.value)
            .filter(|v| !v.is_null())
            .collect()
    };
    for (path, text) in inputs("diff") {
        let (ours, theirs) = text.split_once("\n#---\n").unwrap_or((&text, ""));
        let file = SourceMap::default().add("fuzz.toml", "");
        let ours: Vec<Object> = documents(ours)
            .into_iter()
            .filter_map(|body| {
                Some(Object {
                    id: identify(&body)?,
                    body,
                    origin: Span::file_start(file),
                    origins: Vec::new(),
                    sharing: Sharing::Owned,
                })
            })
            .collect();
        let theirs: Vec<(String, serde_json::Value)> = documents(theirs)
            .into_iter()
            .enumerate()
            .map(|(i, v)| (format!("disk/{i}.yaml"), v))
            .collect();
        let Ok(changes) = diff(&Ours::of_tree(&ours, &[]), &theirs) else {
            continue;
        };
        for change in &changes {
            for line in change.diff.lines().skip(2) {
                assert!(
                    line.starts_with(['@', ' ', '+', '-', '\\']) || line.is_empty(),
                    "{}: a diff line {line:?} in\n{}",
                    path.display(),
                    change.diff
                );
            }
        }
    }
}

#[test]
fn cel_parsers_regressions() {
    use inferstack::validate::cel::parse::{compile, compile_by_environment, without_ids};
    for (path, source) in inputs("cel_parsers") {
        assert_eq!(
            compile(&source).map(|e| without_ids(&e)),
            compile_by_environment(&source).map(|e| without_ids(&e)),
            "{}",
            path.display()
        );
    }
}
