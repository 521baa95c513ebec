//! `inferstack validate` on the manifest sets users really have: trees inferstack wrote, Helm
//! output with null values, `kubectl get` Lists, chart directories, kustomize files, and the
//! kubeconform habits (`--skip`, `--reject`, `--summary`, JUnit and TAP reports).

use std::process::{Command, Stdio};

use crate::support::cli::{json_report, run, run_in, stdout};
use serde_json::Value;

const SETS: &str = "tests/manifests/sets";

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

#[test]
fn every_tree_inferstack_writes_validates() {
    let work = tempfile::tempdir().unwrap();
    // Every example under its own profile, and the seed stacks (which share one Gateway)
    // under each profile.
    let mut trees = vec!["golden/rendered".to_owned()];
    for profile in ["ack", "ack-explicit", "gateway-api"] {
        let out = work.path().join(profile);
        let stacks = crate::support::cli::root().join("stacks");
        let (qwen, deepseek) = (stacks.join("qwen.toml"), stacks.join("deepseek.toml"));
        let build = run_in(
            work.path(),
            &[
                "build",
                qwen.to_str().unwrap(),
                deepseek.to_str().unwrap(),
                "--profile",
                profile,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(
            build.status.code(),
            Some(0),
            "{}",
            crate::support::cli::stderr(&build)
        );
        trees.push(out.display().to_string());
    }
    for tree in &trees {
        let mut configurations = vec![Vec::new()];
        if crate::support::reference::require() {
            configurations.push(vec![
                "--crds".to_owned(),
                crate::support::reference::path("crds"),
                "--openapi".to_owned(),
                crate::support::reference::path("openapi/kubernetes/v1.35"),
            ]);
        }
        for extra in configurations {
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let mut args = vec!["validate", tree.as_str()];
            args.extend(&extra);
            let (code, report) = json_report(&args);
            assert_eq!(code, Some(0), "{tree}: {:#}", report["findings"]);
            // Every directory's kustomization.yaml is left out and counted, never an error.
            assert!(
                report["summary"]["skippedFiles"].as_u64().unwrap() >= 4,
                "{tree}"
            );
        }
    }
}

#[test]
fn helm_null_values_are_absent_fields() {
    let (code, report) = json_report(&["validate", &format!("{SETS}/helm-nulls.yaml")]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    assert_eq!(report["summary"]["valid"], 2);
}

#[test]
fn a_list_is_expanded_and_located_inside_the_list() {
    let (code, report) = json_report(&["validate", &format!("{SETS}/list.yaml")]);
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["objects"], 2);
    let [finding] = findings(&report).as_slice() else {
        panic!("{report:#}");
    };
    assert_eq!(finding["reason"], "schema-violation");
    assert_eq!(finding["pointer"], "/items/1/datas");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(15), Some(3))
    );
    assert_eq!(finding["object"]["name"], "b");
}

#[test]
fn chart_parts_are_left_out_and_counted() {
    let chart = format!("{SETS}/chart");
    let output = run(&["validate", &chart, "--summary"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(
        text.contains("  ServiceAccount (v1): 1 valid, 0 invalid, 0 skipped\n"),
        "{text}"
    );
    assert!(text.contains("tests/manifests/sets/chart/values.yaml: a Helm chart's values file"));
    assert!(text.contains("chart/templates/service.yaml: a Helm chart template"));
    assert!(text.ends_with(
        "1 object: 1 valid, 0 invalid, 0 skipped; 0 error(s), 0 warning(s); 3 file(s) left out\n"
    ));
    // Without the default excludes the values file and the template are read, and fail.
    let (code, report) = json_report(&["validate", &chart, "--no-default-excludes"]);
    assert_eq!(code, Some(1));
    let sources: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"tests/manifests/sets/chart/values.yaml"),
        "{sources:?}"
    );
    assert!(sources.contains(&"tests/manifests/sets/chart/templates/service.yaml"));
    // --exclude matches the path as shown, `*` crossing directories.
    let (code, report) = json_report(&["validate", &chart, "--exclude", "*/rendered.yaml"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["summary"]["objects"], 0);
    assert_eq!(report["summary"]["skippedFiles"], 4);
}

#[test]
fn skip_and_reject_take_kinds_and_api_versions() {
    let file = format!("{SETS}/helm-nulls.yaml");
    let (code, report) = json_report(&["validate", &file, "--reject", "Secret,v1/Service"]);
    assert_eq!(code, Some(1));
    let [finding] = findings(&report).as_slice() else {
        panic!("{report:#}");
    };
    assert_eq!(finding["reason"], "kind-rejected");
    assert_eq!(finding["pointer"], "/kind");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(13), Some(1))
    );
    assert_eq!(
        finding["message"],
        "Service default/vllm at /kind: v1 Service is rejected by --reject v1/Service"
    );
    let (code, report) = json_report(&["validate", &file, "--skip", "ConfigMap"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        (
            report["summary"]["valid"].as_u64(),
            report["summary"]["skipped"].as_u64()
        ),
        (Some(1), Some(1))
    );
}

#[test]
fn cross_object_rules_run_on_plain_manifests() {
    let dir = format!("{SETS}/picker-missing");
    let (code, report) = json_report(&["validate", &dir, "--cross"]);
    assert_eq!(code, Some(1));
    let [finding] = findings(&report).as_slice() else {
        panic!("{report:#}");
    };
    assert_eq!(finding["reason"], "picker-unresolved");
    assert_eq!(finding["pointer"], "/spec/endpointPickerRef");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(15), Some(3))
    );
    assert_eq!(report["summary"]["invalid"], 1);
    // By default the world is open: the picker may be rendered by another chart, so its
    // absence is no finding, for the directory and the files alike; `--cross` (closed) and
    // `--cross=closed` report it, `--no-cross` and `--cross=off` run no rule across objects.
    let files = [format!("{dir}/pool.yaml"), format!("{dir}/workload.yaml")];
    for args in [
        vec![dir.as_str()],
        vec![files[0].as_str(), files[1].as_str()],
        vec![dir.as_str(), "--cross=open"],
        vec![dir.as_str(), "--no-cross"],
        vec![dir.as_str(), "--cross=off"],
    ] {
        let (code, report) = json_report(&[&["validate"][..], &args].concat());
        assert_eq!(code, Some(0), "{args:?}: {report:#}");
    }
    for args in [
        vec![files[0].as_str(), files[1].as_str(), "--cross"],
        vec![dir.as_str(), "--cross=closed"],
    ] {
        let (code, _) = json_report(&[&["validate"][..], &args].concat());
        assert_eq!(code, Some(1), "{args:?}");
    }
}

/// A chart that routes to a Gateway of another chart, and whose pool selects a model server of
/// another chart, passes from a file, a directory and standard input alike; a contradiction
/// among the objects present (a listener the present Gateway lacks, a model server present on
/// the pool's port that the selector misses) is still found, whichever way the input comes.
#[test]
fn partial_sets_judge_the_same_from_a_file_a_directory_and_stdin() {
    let dir = format!("{SETS}/partial");
    let file = format!("{dir}/chart.yaml");
    let text = std::fs::read_to_string(crate::support::cli::root().join(&file)).unwrap();
    for args in [vec![file.as_str()], vec![dir.as_str()]] {
        let (code, report) = json_report(&[&["validate"][..], &args].concat());
        assert_eq!(code, Some(0), "{args:?}: {report:#}");
    }
    let (code, stdout) = crate::support::cli::run_stdin(&["validate", "-"], &text);
    assert_eq!(code, Some(0), "{stdout}");
    let broken = format!("{SETS}/contradictions.yaml");
    let broken_text = std::fs::read_to_string(crate::support::cli::root().join(&broken)).unwrap();
    let (code, report) = json_report(&["validate", &broken]);
    assert_eq!(code, Some(1));
    let mut reasons: Vec<&str> = findings(&report)
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        ["pool-selector-mismatch", "route-parent-unresolved"],
        "{report:#}"
    );
    let (code, _) = crate::support::cli::run_stdin(&["validate", "-"], &broken_text);
    assert_eq!(code, Some(1));
}

#[test]
fn junit_and_tap_reports_have_a_case_per_object() {
    let args = ["validate", &format!("{SETS}/list.yaml") as &str, "--format"];
    let junit = run(&[&args[..], &["junit"]].concat());
    assert_eq!(junit.status.code(), Some(1));
    let xml = stdout(&junit);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"inferstack\" tests=\"2\" failures=\"1\">\n  <testsuite name=\"tests/manifests/sets/list.yaml\" tests=\"2\" failures=\"1\" skipped=\"0\">"), "{xml}");
    assert!(xml.contains("<testcase name=\"ConfigMap default/a\" classname=\"tests/manifests/sets/list.yaml\"></testcase>"));
    assert!(xml.contains("<failure type=\"schema-violation\" message=\"ConfigMap default/b at /items/1/datas: unknown field &quot;datas&quot;\">"), "{xml}");
    let tap = stdout(&run(&[&args[..], &["tap"]].concat()));
    assert!(tap.starts_with("TAP version 13\n1..2\nok 1 - tests/manifests/sets/list.yaml: ConfigMap default/a\nnot ok 2 - tests/manifests/sets/list.yaml: ConfigMap default/b\n  ---\n"), "{tap}");
    assert!(tap.contains("code: schema-violation, at: \"tests/manifests/sets/list.yaml:15:3\""));
    assert!(
        tap.ends_with("# 2 objects: 1 valid, 1 invalid, 0 skipped; 1 error(s), 0 warning(s)\n")
    );
}

#[test]
fn empty_standard_input_is_an_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(["validate", "-"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("standard input is empty"));
}
