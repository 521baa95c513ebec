//! Knative admission, offline: every manifest in `tests/manifests/knative/` breaks one rule of
//! Knative Serving 1.23's webhook and must be refused with exactly that code, at that JSON
//! Pointer and at the line marked `# <-`, with a message naming what matters; the same object
//! with the enabling flag (or default) set must pass. Each file's header says:
//!
//! ```text
//! # expect: CODE POINTER
//! # message: TEXT THE MESSAGE CONTAINS
//! # severity: warning                      (optional; default error)
//! # passes-with: CONFIGMAP KEY=VALUE       (optional)
//! # upstream-also: CODE POINTER            (optional: the upstream CRD, which the catalog
//!                                            embeds, refuses it too)
//! ```

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::cli::{json_report, root};
use serde_json::Value;

struct Case {
    path: PathBuf,
    text: String,
    code: String,
    pointer: String,
    message: String,
    warning: bool,
    passes_with: Option<(String, String, String)>,
    /// 1-based line and column of the marked node.
    line: u64,
    column: u64,
}

fn header<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/manifests/knative");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            let name = path.display().to_string();
            let (code, pointer) = header(&text, "expect")
                .and_then(|e| e.split_once(' '))
                .unwrap_or_else(|| panic!("{name}: no `# expect: CODE POINTER`"));
            let (index, marked) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.ends_with("# <-"))
                .unwrap_or_else(|| panic!("{name}: no line marked `# <-`"));
            // The node starts at its key, after any `- ` of a list item.
            let indent = marked.len() - marked.trim_start_matches([' ', '-']).len();
            let passes_with = header(&text, "passes-with").map(|p| {
                let (map, pair) = p.split_once(' ').unwrap();
                let (key, value) = pair.split_once('=').unwrap();
                (map.to_owned(), key.to_owned(), value.to_owned())
            });
            Case {
                code: code.to_owned(),
                pointer: pointer.to_owned(),
                message: header(&text, "message").unwrap_or("").to_owned(),
                warning: header(&text, "severity") == Some("warning"),
                passes_with,
                line: index as u64 + 1,
                column: indent as u64 + 1,
                path,
                text,
            }
        })
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

/// The case's problem, or why it is not exactly the expected one.
fn judge(case: &Case, extra: &[&str]) -> Result<(), String> {
    let file = relative(&case.path);
    let mut args = vec!["validate", file.as_str(), "--no-cross"];
    args.extend(extra);
    let (code, report) = json_report(&args);
    // The catalog is the upstream CRD, so what it refuses is refused under both.
    let also = header(&case.text, "upstream-also");
    let findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            also != Some(&format!(
                "{} {}",
                f["reason"].as_str().unwrap(),
                f["pointer"].as_str().unwrap()
            ))
        })
        .collect();
    let [finding] = findings.as_slice() else {
        return Err(format!("{} findings: {findings:#?}", findings.len()));
    };
    let expected_exit = if case.warning { 0 } else { 1 };
    let checks = [
        (code == Some(expected_exit), "exit code"),
        (finding["reason"] == case.code.as_str(), "code"),
        (finding["pointer"] == case.pointer.as_str(), "pointer"),
        (finding["line"] == case.line, "line"),
        (finding["column"] == case.column, "column"),
        (
            finding["severity"] == if case.warning { "warning" } else { "error" },
            "severity",
        ),
        (
            finding["message"]
                .as_str()
                .is_some_and(|m| m.contains(&case.message)),
            "message",
        ),
    ];
    match checks.iter().find(|(ok, _)| !ok) {
        Some((_, what)) => Err(format!("wrong {what} (exit {code:?}): {finding:#}")),
        None => Ok(()),
    }
}

#[test]
fn the_corpus_breaks_every_family_of_rules() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for code in [
        "knative-field-disallowed",
        "knative-feature-disabled",
        "knative-reserved",
        "knative-port",
        "knative-probe",
        "knative-volume",
        "knative-image",
        "knative-container",
        "knative-timeout",
        "knative-concurrency",
        "knative-config",
        "knative-owner-label",
        "invalid-name",
        "rule-violation",
    ] {
        assert!(cases.iter().any(|c| c.code == code), "no case for {code}");
    }
}

#[test]
fn every_case_is_refused_with_its_code_pointer_line_and_message() {
    let (crds, openapi) = if crate::support::reference::require() {
        (
            crate::support::reference::path("crds/knative-serving"),
            crate::support::reference::path("openapi/kubernetes/v1.35"),
        )
    } else {
        Default::default()
    };
    let upstream = ["--crds", crds.as_str(), "--openapi", openapi.as_str()];
    // Under the catalog, and under Knative's own CRD when the reference set is there.
    let configurations = if crds.is_empty() {
        vec![&[][..]]
    } else {
        vec![&[][..], &upstream[..]]
    };
    let failures: Vec<String> = cases()
        .iter()
        .flat_map(|case| {
            configurations.clone().into_iter().filter_map(move |extra| {
                judge(case, extra)
                    .err()
                    .map(|why| format!("{} {extra:?}: {why}", relative(&case.path)))
            })
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_gated_case_passes_once_its_flag_is_set() {
    let work = tempfile::tempdir().unwrap();
    let mut gated = 0;
    for case in cases() {
        let Some((map, key, value)) = &case.passes_with else {
            continue;
        };
        gated += 1;
        let allowed = format!(
            "{}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {map}\n  namespace: knative-serving\ndata:\n  {key}: \"{value}\"\n",
            case.text.trim_end()
        );
        let file = work.path().join(case.path.file_name().unwrap());
        fs::write(&file, allowed).unwrap();
        let (code, report) = json_report(&["validate", file.to_str().unwrap(), "--no-cross"]);
        assert_eq!(
            (code, &report["findings"]),
            (Some(0), &Value::Array(vec![])),
            "{} with {key}={value}",
            relative(&case.path)
        );
    }
    assert!(gated >= 25, "{gated}");
}

#[test]
fn knative_config_read_from_elsewhere_allows_the_same() {
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("config-features.yaml");
    fs::write(
        &config,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-features\n  namespace: knative-serving\ndata:\n  kubernetes.podspec-nodeselector: enabled\n",
    )
    .unwrap();
    let case = "tests/manifests/knative/node-selector.yaml";
    let config = config.to_str().unwrap();
    let (code, report) = json_report(&["validate", case, "--knative-config", config]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    // The message of a refusal names where the flag's value came from.
    let (_, report) = json_report(&["validate", case]);
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("is Disabled (Knative 1.23's default)"),
        "{message}"
    );
    // A value Knative would ignore is a warning at its key, in the --knative-config file.
    fs::write(
        work.path().join("config-features.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-features\n  namespace: knative-serving\ndata:\n  multi-container: sure\n",
    )
    .unwrap();
    let (code, report) = json_report(&[
        "validate",
        "tests/manifests/knative/pvc-volume.yaml",
        "--knative-config",
        config,
    ]);
    assert_eq!(code, Some(1));
    let warning = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["reason"] == "knative-config")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        (&warning["severity"], &warning["line"], &warning["column"]),
        (&Value::from("warning"), &Value::from(7), &Value::from(3))
    );
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("Knative ignores it and keeps Enabled")
    );
    // A file that is no Knative ConfigMap is a mistake, not silently nothing.
    let (code, report) = json_report(&[
        "validate",
        case,
        "--knative-config",
        "tests/manifests/knative/lifecycle.yaml",
    ]);
    assert_eq!(code, Some(1));
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["reason"] == "knative-config")
    );
}

/// `check` judges compiled output with the config-features it ships; without that ConfigMap a
/// stock Knative would refuse the model claim.
#[test]
fn compiled_output_passes_knative_admission_only_with_the_flags_it_emits() {
    let (code, report) = json_report(&["check", "stacks"]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    // The seed stacks share one Gateway, so they can be built together under every profile.
    for profile in ["ack", "ack-explicit", "gateway-api"] {
        let seed = [
            "check",
            "stacks/qwen.toml",
            "stacks/deepseek.toml",
            "--profile",
            profile,
        ];
        let (code, report) = json_report(&seed);
        assert_eq!(code, Some(0), "{profile}: {:#}", report["findings"]);
    }
    let work = tempfile::tempdir().unwrap();
    let stripped: Vec<String> = fs::read_to_string(root().join("golden/qwen.yaml"))
        .unwrap()
        .split("\n---\n")
        .filter(|d| !d.contains("name: config-features"))
        .map(str::to_owned)
        .collect();
    let file = work.path().join("qwen.yaml");
    fs::write(&file, stripped.join("\n---\n")).unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let reasons: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["knative-feature-disabled"], "{report:#}");
}

/// A stream of several megabytes is read and checked a window at a time
/// (`src/validate/manifests.rs`), with the verdicts of reading it whole: the Knative
/// configuration at its end admits the Service at its start, every object is reported in
/// document order, and a finding in the last window is located at its line in the file.
#[test]
fn a_large_stream_is_judged_as_one_reading_would() {
    let service =
        fs::read_to_string(root().join("tests/manifests/knative/node-selector.yaml")).unwrap();
    let golden = fs::read_to_string(root().join("golden/qwen.gateway-api.yaml")).unwrap();
    let mut text = service;
    for i in 0..400 {
        text.push_str(
            &golden
                .replace("qwen", &format!("qwen-{i}"))
                .replace("llm-model", &format!("llm-model-{i}")),
        );
    }
    let violation_line = text.lines().count() + 9;
    text.push_str(
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: last\n  namespace: default\nspec:\n  ports:\n  - port: high\n",
    );
    text.push_str(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-features\n  namespace: knative-serving\ndata:\n  kubernetes.podspec-nodeselector: enabled\n",
    );
    assert!(text.len() > 3 * 1024 * 1024, "{} bytes", text.len());
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("stream.yaml");
    fs::write(&file, &text).unwrap();
    let documents = text.matches("\nkind: ").count();
    for cross in [&[][..], &["--no-cross"][..]] {
        let mut args = vec!["validate", file.to_str().unwrap()];
        args.extend(cross);
        let (code, report) = json_report(&args);
        let errors: Vec<(&Value, &Value, &Value, &Value)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| (&f["reason"], &f["line"], &f["column"], &f["pointer"]))
            .collect();
        assert_eq!(
            (code, errors),
            (
                Some(1),
                vec![(
                    &Value::from("schema-violation"),
                    &Value::from(violation_line),
                    &Value::from(5),
                    &Value::from("/spec/ports/0/port")
                )]
            ),
            "{cross:?}"
        );
        let order: Vec<u64> = report["objects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["document"].as_u64().unwrap())
            .collect();
        assert_eq!(
            order,
            (0..documents as u64).collect::<Vec<_>>(),
            "{cross:?}"
        );
    }
}
