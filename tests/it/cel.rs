//! CEL (`x-kubernetes-validations`): every rule of the reference CRDs compiles, every rule that
//! can fire on create is shown to fire by a manifest of `tests/manifests/cel/` (each names its
//! pointer and message), valid manifests still pass, and the embedded catalog carries the rules
//! of the kinds inferstack emits.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::cli::{json_report, root, run, stderr, stdout};
use crate::support::reference::{self, require};
use serde_json::Value;

/// The standard channel only: the corpus names the storage versions' rules and messages,
/// and the experimental channel words some of them differently.
fn standard() -> Vec<String> {
    vec![
        "--crds".to_owned(),
        reference::path("crds/gateway-api/standard"),
        "--crds".to_owned(),
        reference::path("crds/gateway-api-inference-extension"),
        "--crds".to_owned(),
        reference::path("crds/llm-d-router"),
        "--openapi".to_owned(),
        reference::path("openapi/kubernetes/v1.35"),
    ]
}

fn strs(owned: &[String]) -> Vec<&str> {
    owned.iter().map(String::as_str).collect()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn every_reference_cel_rule_compiles() {
    if !require() {
        return;
    }
    let crds = reference::path("crds");
    let output = run(&["validate", "--crds", &crds, "--cel-coverage"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    let total = text.lines().last().unwrap();
    let numbers: Vec<usize> = total
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [found, _upstream, compiled, transition, broken] = numbers[..] else {
        panic!("unexpected total line {total:?}");
    };
    assert!(found >= 300, "{text}");
    assert_eq!(broken, 0, "{text}");
    assert_eq!(found, compiled + transition, "{text}");
}

struct Case {
    file: String,
    pointer: String,
    message: String,
}

fn cases() -> Vec<Case> {
    let files = yaml_files(&root().join("tests/manifests/cel"));
    assert!(files.len() >= 40, "only {} CEL cases", files.len());
    files
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap();
            let header = text.lines().next().unwrap();
            let rest = header
                .strip_prefix("# expect: cel-violation ")
                .expect("# expect: cel-violation header");
            let (pointer, message) = rest.split_once(' ').unwrap_or((rest, ""));
            Case {
                file: relative(path),
                pointer: pointer.to_owned(),
                message: message.to_owned(),
            }
        })
        .collect()
}

/// Each case breaks one rule: exactly one cel-violation at its pointer with its message.
fn check_cases(cases: &[Case], extra: &[&str]) -> Vec<String> {
    // The cases are independent objects: the rules across them would only find the cases'
    // gateways and routes disagreeing.
    let mut args = vec!["validate", "--cross=off"];
    args.extend(cases.iter().map(|c| c.file.as_str()));
    args.extend(extra);
    let (_, report) = json_report(&args);
    let mut failures = Vec::new();
    for case in cases {
        let findings: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["source"] == case.file.as_str())
            .collect();
        let hit = findings.iter().any(|f| {
            f["reason"] == "cel-violation"
                && f["pointer"] == case.pointer.as_str()
                && f["message"].as_str().unwrap_or("").ends_with(&case.message)
        });
        if !hit || findings.len() != 1 {
            let got: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {} {}", f["reason"], f["pointer"], f["message"]))
                .collect();
            failures.push(format!(
                "{} (want {} {:?}): {got:#?}",
                case.file, case.pointer, case.message
            ));
        }
    }
    failures
}

#[test]
fn every_on_create_rule_fires_on_its_manifest() {
    if !require() {
        return;
    }
    let failures = check_cases(&cases(), &strs(&standard()));
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn skip_cel_turns_the_layer_off() {
    if !require() {
        return;
    }
    let mut args = vec!["validate".to_owned(), "--cross=off".to_owned()];
    args.extend(cases().iter().map(|c| c.file.clone()));
    args.extend(standard());
    args.push("--skip-cel".to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report) = json_report(&args);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
}

#[test]
fn valid_manifests_pass_every_rule() {
    let mut configurations = vec![Vec::new()];
    if require() {
        configurations.push(standard());
    }
    for extra in &configurations {
        // Independent examples, not one application: no cross-object rules.
        let mut args = vec!["validate", "tests/manifests/cel/valid", "--no-cross"];
        args.extend(strs(extra));
        let (code, report) = json_report(&args);
        assert_eq!(code, Some(0), "{:#}", report["findings"]);
    }
}

/// The rules the issue names, checked by the embedded catalog (no --crds) too.
#[test]
fn the_catalog_carries_the_rules_of_the_emitted_kinds() {
    let wanted = [
        "targetports-unique",
        "endpointpickerref-service-without-port",
        "backendrequest-exceeds-request",
        "path-dot-dot-segment",
    ];
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| wanted.iter().any(|w| c.file.to_lowercase().contains(w)))
        .collect();
    assert!(
        cases.len() >= wanted.len(),
        "required cases missing: {:?}",
        cases.iter().map(|c| &c.file).collect::<Vec<_>>()
    );
    let mut args = vec!["validate"];
    args.extend(cases.iter().map(|c| c.file.as_str()));
    let (code, report) = json_report(&args);
    assert_eq!(code, Some(1));
    for case in &cases {
        let fired = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["source"] == case.file.as_str() && f["reason"] == "cel-violation");
        assert!(
            fired,
            "the catalog misses the rule of {}: {:#}",
            case.file, report["findings"]
        );
    }
}

/// Duplicate listener names are a structural error under the upstream CRD (listeners are a
/// list-map keyed by name); the catalog rejects them too.
#[test]
fn duplicate_listener_names_are_rejected_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gateway.yaml");
    fs::write(&file, "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: g\n  namespace: llm\nspec:\n  gatewayClassName: c\n  listeners:\n  - name: web\n    port: 80\n    protocol: HTTP\n  - name: web\n    port: 8080\n    protocol: HTTP\n").unwrap();
    let path = file.to_str().unwrap();
    let (code, catalog) = json_report(&["validate", path]);
    assert_eq!(code, Some(1));
    let finding = &catalog["findings"][0];
    assert_eq!(finding["pointer"], "/spec/listeners", "{catalog:#}");
    assert!(["schema-violation", "cel-violation"].contains(&finding["reason"].as_str().unwrap()));
    if !require() {
        return;
    }
    let standard = standard();
    let mut args = vec!["validate", path];
    args.extend(strs(&standard));
    let (code, upstream) = json_report(&args);
    assert_eq!(code, Some(1));
    assert_eq!(upstream["findings"][0]["reason"], "schema-violation");
    assert_eq!(upstream["findings"][0]["pointer"], "/spec/listeners");
}
