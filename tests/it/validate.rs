//! `inferstack check` and `inferstack validate`: the embedded catalog and `--crds` agree with
//! the real upstream APIs on valid objects and on a corpus of one-defect manifests, and the
//! reports CI reads keep to their schemas.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::cli::{json_report, root, run, run_in, stdout};
use crate::support::upstream::yaml_files;
use serde_json::Value;

fn crds() -> String {
    crate::support::reference::path("crds")
}

fn openapi() -> String {
    crate::support::reference::path("openapi/kubernetes/v1.35")
}

/// No extra flags (the catalog), then the upstream CRDs and OpenAPI when the reference set is
/// there.
fn catalog_then_upstream() -> Vec<Vec<String>> {
    let mut configurations = vec![Vec::new()];
    if crate::support::reference::require() {
        configurations.push(vec![
            "--crds".to_owned(),
            crds(),
            "--openapi".to_owned(),
            openapi(),
        ]);
    }
    configurations
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn golden_objects_are_valid_under_the_catalog_and_the_upstream_crds() {
    let mut goldens: Vec<String> = fs::read_dir(root().join("golden"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .map(|name| format!("golden/{name}"))
        .collect();
    goldens.sort();
    let documents: usize = goldens
        .iter()
        .map(|g| {
            fs::read_to_string(root().join(g))
                .unwrap()
                .matches("\n---\n")
                .count()
                + 1
        })
        .sum();
    assert!(
        goldens.len() >= 12 && documents >= 90,
        "{goldens:?}: {documents}"
    );
    // Each golden is one whole build, so each is checked on its own with the rules across its
    // objects in a closed world (two goldens of one stack share their objects' names).
    for extra in catalog_then_upstream() {
        let mut valid = 0;
        for golden in &goldens {
            let mut args = vec!["validate", golden.as_str(), "--cross=closed"];
            args.extend(extra.iter().map(String::as_str));
            let (code, report) = json_report(&args);
            assert_eq!(code, Some(0), "{golden}: {report:#}");
            assert_eq!(report["summary"]["invalid"], 0);
            valid += report["summary"]["valid"].as_u64().unwrap();
        }
        assert_eq!(valid, documents as u64);
    }
}

#[test]
fn check_validates_compiled_stacks_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let stacks = root().join("stacks");
    let output = run_in(work.path(), &["check", stacks.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("151 objects: 151 valid, 0 invalid, 0 skipped"));
    assert_eq!(fs::read_dir(work.path()).unwrap().count(), 0);
    let bad = run(&[
        "check",
        "tests/stacks/invalid-metric.toml",
        "--message-format",
        "short",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stdout(&bad).contains("error[invalid-value]"));
}

/// Upstream files that are not valid objects on their own, each with the reason.
const NOT_OBJECTS: &[(&str, &str)] = &[
    (
        "/deploy/config/epp-config.yaml",
        "an EndpointPickerConfig read by the EPP from a file, not an API object",
    ),
    (
        "/inference-gateway/gateways.yaml",
        "a kustomize base without the required spec.gatewayClassName",
    ),
];

/// Upstream example manifests that are meant to be valid objects (Helm charts and files with
/// `${VAR}` placeholders are templates, not manifests).
fn upstream_examples() -> Vec<PathBuf> {
    let examples = root().join(crate::support::reference::path("examples"));
    let dirs = [
        "gateway-api/standard",
        "knative-serving",
        "gateway-api-inference-extension",
        "llm-d-router",
    ];
    dirs.iter()
        .flat_map(|d| yaml_files(&examples.join(d)))
        .filter(|p| !p.components().any(|c| c.as_os_str() == "charts"))
        // Judged on their own below: their `ko://` images are not references yet.
        .filter(|p| !p.to_string_lossy().contains("knative-serving/services"))
        .filter(|p| !fs::read_to_string(p).unwrap().contains("${"))
        .filter(|p| {
            !NOT_OBJECTS
                .iter()
                .any(|(suffix, _)| p.to_string_lossy().ends_with(suffix))
        })
        .collect()
}

#[test]
fn the_upstream_files_left_out_are_really_not_valid_objects() {
    if !crate::support::reference::require() {
        return;
    }
    let (crds, openapi) = (crds(), openapi());
    let examples = root().join(crate::support::reference::path("examples"));
    for (suffix, why) in NOT_OBJECTS {
        let files: Vec<PathBuf> = yaml_files(&examples)
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect();
        assert!(!files.is_empty(), "{suffix} no longer exists upstream");
        for file in files {
            let output = run(&[
                "validate",
                &relative(&file),
                "--crds",
                &crds,
                "--openapi",
                &openapi,
            ]);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{} is valid after all ({why})",
                file.display()
            );
        }
    }
}

#[test]
fn upstream_examples_validate_cleanly_with_their_crds() {
    if !crate::support::reference::require() {
        return;
    }
    let files = upstream_examples();
    assert!(files.len() >= 100, "{}", files.len());
    // Independent examples, several reusing one Gateway's name with other listeners: the rules
    // across objects would judge them as one set.
    let mut args = vec![
        "validate".to_owned(),
        "--cross=off".to_owned(),
        "--crds".into(),
        crds(),
        "--openapi".into(),
        openapi(),
    ];
    args.extend(files.iter().map(|p| relative(p)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, report) = json_report(&args);
    let findings: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {} {}",
                f["source"], f["line"], f["reason"], f["pointer"], f["message"]
            )
        })
        .collect();
    assert_eq!(code, Some(0), "{findings:#?}");
    assert!(
        report["summary"]["valid"].as_u64().unwrap() >= 150,
        "{:#}",
        report["summary"]
    );
    // The kustomize files among them are left out and counted, never errors.
    assert!(report["summary"]["skippedFiles"].as_u64().unwrap() >= 1);
}

/// Knative's own sample Services use `ko://` import paths, which only `ko resolve` turns into
/// images: each is refused at its image, and with a real image every one passes.
#[test]
fn knative_sample_services_are_judged_as_knative_would() {
    if !crate::support::reference::require() {
        return;
    }
    let dir = crate::support::reference::path("examples/knative-serving/services");
    let dir = dir.as_str();
    let (code, report) = json_report(&["validate", dir]);
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 5, "{findings:#?}");
    for f in findings {
        assert_eq!(f["reason"], "knative-image");
        assert_eq!(f["pointer"], "/spec/template/spec/containers/0/image");
        assert!(f["message"].as_str().unwrap().contains("ko import path"));
    }
    let resolved = tempfile::tempdir().unwrap();
    for file in yaml_files(&root().join(dir)) {
        let text = fs::read_to_string(&file)
            .unwrap()
            .replace("ko://", "registry.example.com/");
        fs::write(resolved.path().join(file.file_name().unwrap()), text).unwrap();
    }
    let (code, report) = json_report(&["validate", resolved.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    assert_eq!(report["summary"]["invalid"], 0);
}

#[test]
fn gateway_api_examples_print_a_clean_summary() {
    if !crate::support::reference::require() {
        return;
    }
    let (all_crds, standard, examples) = (
        crds(),
        crate::support::reference::path("crds/gateway-api/standard"),
        crate::support::reference::path("examples/gateway-api"),
    );
    let (standard, examples) = (standard.as_str(), examples.as_str());
    // Independent examples: their routes name Gateways of other files.
    let output = run(&[
        "validate",
        examples,
        "--crds",
        standard,
        "--no-cross",
        "--message-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    // The ValidatingAdmissionPolicy beside the CRDs is pointed out, not silently ignored.
    assert!(
        text.contains("vap_safeupgrades.yaml has no CustomResourceDefinition; --crds skipped it")
    );
    assert!(
        text.ends_with("103 objects: 103 valid, 0 invalid, 0 skipped; 0 error(s), 1 warning(s)\n"),
        "{text}"
    );
    // Both channels at once: each kind defined twice is a warning naming both files.
    let both = run(&[
        "validate",
        examples,
        "--crds",
        &all_crds,
        "--no-cross",
        "--message-format",
        "short",
    ]);
    assert_eq!(both.status.code(), Some(0));
    let duplicate = format!(
        "warning[duplicate-crd]: {all_crds}/gateway-api/standard/gateway.networking.k8s.io_httproutes.yaml defines gateway.networking.k8s.io/v1 HTTPRoute again; the definition in {all_crds}/gateway-api/experimental/gateway.networking.k8s.io_httproutes.yaml is used"
    );
    assert!(stdout(&both).contains(&duplicate), "{}", stdout(&both));
    // A file named on its own must hold a CRD.
    let policy = format!("{standard}/gateway.networking.k8s.io_vap_safeupgrades.yaml");
    let named = run(&["validate", examples, "--crds", &policy, "--no-cross"]);
    assert_eq!(named.status.code(), Some(1));
    assert!(stdout(&named).contains("--crds takes CRD files only"));
}

struct Case {
    file: String,
    reason: String,
    pointer: String,
}

fn corpus() -> Vec<Case> {
    let files = yaml_files(&root().join("tests/manifests/invalid"));
    assert!(files.len() >= 40, "the corpus has {} files", files.len());
    files
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap();
            let header = text
                .lines()
                .next()
                .unwrap()
                .strip_prefix("# expect: ")
                .expect("# expect: header");
            let (reason, pointer) = header.split_once(' ').unwrap_or((header, ""));
            let pointer = pointer.trim_matches('"');
            Case {
                file: relative(path),
                reason: reason.to_owned(),
                pointer: pointer.to_owned(),
            }
        })
        .collect()
}

/// Every corpus file is rejected with its reason at its pointer, and with no other error (a
/// warning that follows from the same defect may come with it: a misspelt `max-scale` also
/// leaves a GPU revision unbounded). One run validates the whole corpus (each file is its own
/// stream); findings are grouped by file.
fn check_corpus(extra: &[&str]) {
    let cases = corpus();
    // The files are independent fixtures, several with the same objects' names: the rules
    // across objects would judge them as one set.
    let mut args = vec!["validate", "--cross=off"];
    args.extend(cases.iter().map(|c| c.file.as_str()));
    args.extend(extra);
    let (code, report) = json_report(&args);
    assert_eq!(code, Some(1));
    let mut failures = Vec::new();
    for case in &cases {
        let findings: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["source"] == case.file.as_str() && f["severity"] == "error")
            .collect();
        let expected = findings.iter().any(|f| {
            f["reason"] == case.reason.as_str()
                && f["pointer"].as_str().unwrap_or("") == case.pointer
        });
        if !expected || findings.len() != 1 {
            let got: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {} {}", f["reason"], f["pointer"], f["message"]))
                .collect();
            failures.push(format!(
                "{} (want {} {:?}): got {got:#?}",
                case.file, case.reason, case.pointer
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the corpus failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_catalog_rejects_every_corpus_manifest_at_its_pointer() {
    check_corpus(&[]);
}

#[test]
fn upstream_crds_reject_every_corpus_manifest_at_its_pointer() {
    if !crate::support::reference::require() {
        return;
    }
    check_corpus(&["--crds", &crds(), "--openapi", &openapi()]);
}

#[test]
fn valid_corpus_manifests_pass_both_ways() {
    for extra in catalog_then_upstream() {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let mut args = vec![
            "validate",
            "tests/manifests/valid",
            "tests/manifests/builtin",
            "--no-cross",
        ];
        args.extend(&extra);
        let (code, report) = json_report(&args);
        assert_eq!(code, Some(0), "{report:#}");
    }
}

fn validator_for(schema_path: &Path) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&fs::read_to_string(schema_path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
}

#[test]
fn json_reports_follow_their_schema() {
    let validator = validator_for(&root().join("schemas/report.schema.json"));
    let (_, invalid) = json_report(&["validate", "tests/manifests/invalid"]);
    assert!(invalid["findings"].as_array().unwrap().len() >= 40);
    assert_valid(&validator, &invalid);
    let (_, stacks) = json_report(&["check", "stacks", "tests/stacks/invalid-metric.toml"]);
    assert_valid(&validator, &stacks);
    let (_, clean) = json_report(&["check", "stacks"]);
    assert_valid(&validator, &clean);
    assert_eq!(clean["summary"]["objects"], 151);
}

#[test]
fn sarif_reports_follow_the_sarif_schema() {
    let validator = validator_for(&root().join("tests/schemas/sarif-2.1.0-subset.schema.json"));
    let output = run(&["validate", "tests/manifests/invalid", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_valid(&validator, &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 40);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
}

#[test]
fn github_format_prints_workflow_annotations() {
    let output = run(&[
        "validate",
        "tests/manifests/invalid/gateway-listener-unknown-field.yaml",
        "--format",
        "github",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    // The notice that the CEL rules were not run comes first, at the object's start.
    let first = text.lines().find(|l| l.starts_with("::error")).unwrap();
    assert!(
        first.starts_with(
            "::error file=tests/manifests/invalid/gateway-listener-unknown-field.yaml,line="
        ),
        "{first}"
    );
    assert!(
        first.contains(",title=inferstack schema-violation::"),
        "{first}"
    );
}

#[test]
fn unknown_kinds_are_errors_unless_skipped() {
    let work = tempfile::tempdir().unwrap();
    fs::write(
        work.path().join("widget.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    )
    .unwrap();
    let strict = run_in(
        work.path(),
        &["validate", "widget.yaml", "--message-format", "short"],
    );
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stdout(&strict).contains("widget.yaml:1:1: error[schema-not-found]"),
        "{}",
        stdout(&strict)
    );
    let skipped = run_in(work.path(), &["validate", "widget.yaml", "--skip-missing"]);
    assert_eq!(skipped.status.code(), Some(0));
    assert!(stdout(&skipped).contains("1 object: 0 valid, 0 invalid, 1 skipped"));
}

#[test]
fn standard_input_and_exit_codes() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(["validate", "-", "--message-format", "short"])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  n: 1\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("<stdin>:6:3: error[schema-violation]: ConfigMap x at /data/n:"),
        "{}",
        stdout(&output)
    );
    assert_eq!(run(&["validate", "no/such.yaml"]).status.code(), Some(2));
    assert_eq!(run(&["validate"]).status.code(), Some(2));
}

/// `--crds` is as strict about `metadata` as the catalog: a CRD never weakens ObjectMeta.
#[test]
fn object_meta_is_checked_under_crds_too() {
    if !crate::support::reference::require() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("route.yaml");
    fs::write(
        &file,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\n  namespace: d\n  lables: {a: b}\nspec: {}\n",
    )
    .unwrap();
    let crds = crate::support::reference::path("crds/gateway-api/standard");
    for extra in [vec![], vec!["--crds", crds.as_str()]] {
        let mut args = vec!["validate", file.to_str().unwrap()];
        args.extend(&extra);
        let (code, report) = json_report(&args);
        assert_eq!(code, Some(1), "{extra:?}");
        let errors: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .collect();
        assert_eq!(errors[0]["pointer"], "/metadata/lables", "{report:#}");
    }
}

/// Integers Kubernetes decodes into `int32` are bounded like it: 2^32 + 1 is no port.
#[test]
fn int32_fields_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: d\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n    ports:\n    - containerPort: 4294967297\n",
    )
    .unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let finding = &report["findings"][0];
    assert_eq!(
        finding["pointer"],
        "/spec/containers/0/ports/0/containerPort"
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("should be less than or equal to 2147483647")
    );
}

/// A built-in kind's list-map keys are unique only where the API server's Go validation makes
/// them so: a repeated env name or owner uid is admitted (kubernetes v1.35.7 `ValidateEnv`,
/// apimachinery `ValidateOwnerReferences`), a repeated volume name is `Duplicate value`.
#[test]
fn built_in_list_maps_are_unique_only_where_the_api_server_says() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    let pod = |volumes: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: d\n  ownerReferences:\n  - {{apiVersion: apps/v1, kind: ReplicaSet, name: r, uid: u1}}\n  - {{apiVersion: apps/v1, kind: ReplicaSet, name: r, uid: u1}}\nspec:\n  containers:\n  - name: c\n    image: nginx:1\n    env:\n    - {{name: A, value: '1'}}\n    - {{name: A, value: '2'}}\n{volumes}"
        )
    };
    fs::write(&file, pod("")).unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{report:#}");
    fs::write(
        &file,
        pod("  volumes:\n  - {name: v, emptyDir: {}}\n  - {name: v, emptyDir: {}}\n"),
    )
    .unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(
        report["findings"][0]["pointer"], "/spec/volumes",
        "{report:#}"
    );
}

/// Raw control characters from a file never reach a terminal or a report: messages escape
/// them, code frames show `?`.
#[test]
fn control_characters_are_escaped_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cm.yaml");
    fs::write(
        &file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: d\n  \"bad\\u001b[31mkey\\u0000\": x\ndata: {}\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let mut outputs = Vec::new();
    for style in ["human", "short"] {
        let output = run(&["validate", path, "--message-format", style]);
        outputs.push(output.stdout);
    }
    for format in ["json", "github", "sarif", "junit", "tap"] {
        outputs.push(run(&["validate", path, "--format", format]).stdout);
    }
    for output in outputs {
        assert!(
            !output.contains(&0x1b) && !output.contains(&0),
            "{}",
            String::from_utf8_lossy(&output)
        );
    }
}

/// A mapping used as a key is valid YAML but no JSON object: the API server refuses it, and so
/// does `validate`, at the key, without reading the key as text (whose nested escapes once
/// grew exponentially).
#[test]
fn a_mapping_used_as_a_key_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: complex\ndata:\n  {a: b}: c\n",
    )
    .unwrap();
    let output = run_in(
        dir.path(),
        &["validate", "cm.yaml", "--message-format", "short"],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("cm.yaml:6:3: error[yaml-parse-error]: a mapping key is a mapping or a sequence; Kubernetes objects are JSON, whose keys are strings"),
        "{}",
        stdout(&output)
    );
}
