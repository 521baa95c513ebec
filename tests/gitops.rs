//! `build --gitops argocd|flux`: the delivery objects validate against the real Argo CD and
//! Flux CRDs, cover every rendered object exactly once, order shared infrastructure first, and
//! stay out of the rendered tree's own kustomization.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;
use support::cli::{json_report, root, run_in, stderr};
use support::upstream::yaml_documents;

fn build(tool: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    for stack in ["qwen.toml", "deepseek.toml"] {
        fs::copy(root().join("stacks").join(stack), work.path().join(stack)).unwrap();
    }
    let args = [
        "build",
        ".",
        "--profile",
        "gateway-api",
        "--gitops",
        tool,
        "--repo-url",
        "https://git.example.com/platform.git",
        "--revision",
        "main",
        "-o",
        "clusters/prod",
    ];
    let output = run_in(work.path(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    work
}

fn documents(dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in walkdir(dir) {
        if entry.extension().is_some_and(|e| e == "yaml") {
            for doc in yaml_documents(&entry) {
                out.push((entry.strip_prefix(dir).unwrap().display().to_string(), doc));
            }
        }
    }
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(walkdir(&path))
        } else {
            out.push(path)
        }
    }
    out
}

/// Validates the objects in `dir` against the reference CRDs in `crds` (skipped, loudly,
/// without the reference set).
fn validates_against(crds: &str, dir: &Path) {
    if !support::reference::require() {
        return;
    }
    let crds = root().join(support::reference::path(crds));
    let (code, report) = json_report(&[
        "validate",
        dir.to_str().unwrap(),
        "--crds",
        crds.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
}

#[test]
fn argocd_applications_cover_every_object_once_and_sync_shared_objects_first() {
    let work = build("argocd");
    let out = work.path().join("clusters/prod");
    validates_against("crds/argo-cd", &out.join("_gitops/argocd"));
    let apps: Vec<Value> = documents(&out.join("_gitops"))
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let mut covered = Vec::new();
    for app in &apps {
        assert_eq!(app["spec"]["source"]["path"], "clusters/prod");
        assert_eq!(
            app["spec"]["source"]["repoURL"],
            "https://git.example.com/platform.git"
        );
        let include = app["spec"]["source"]["directory"]["include"]
            .as_str()
            .unwrap();
        covered.extend(
            include
                .trim_matches(['{', '}'])
                .split(',')
                .map(str::to_owned),
        );
    }
    let rendered: Vec<String> = documents(&out)
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| !p.starts_with("_gitops") && !p.ends_with("kustomization.yaml"))
        .collect();
    let unique: BTreeSet<&String> = covered.iter().collect();
    assert_eq!(
        unique.len(),
        covered.len(),
        "an object belongs to two applications"
    );
    assert_eq!(
        unique,
        rendered.iter().collect(),
        "every rendered object belongs to exactly one application"
    );
    let shared = apps
        .iter()
        .find(|a| a["metadata"]["name"] == "inferstack-shared")
        .unwrap();
    assert_eq!(
        shared["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"],
        "-1"
    );
    assert!(apps.iter().any(|a| a["metadata"]["name"] == "default-qwen"));
    let config = &yaml_documents(&out.join("knative-serving/configmap-config-network.yaml"))[0];
    assert_eq!(
        config["metadata"]["annotations"]["argocd.argoproj.io/sync-options"],
        "Prune=false,ServerSideApply=true"
    );
    assert_eq!(
        config["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"],
        "-2"
    );
    let gateway = &yaml_documents(
        &out.join("knative-serving/gateway.gateway.networking.k8s.io-knative-gateway.yaml"),
    )[0];
    assert_eq!(
        gateway["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"],
        "-1"
    );
    assert!(
        !fs::read_to_string(out.join("kustomization.yaml"))
            .unwrap()
            .contains("_gitops")
    );
}

#[test]
fn flux_kustomizations_depend_on_the_shared_infrastructure() {
    let work = build("flux");
    let out = work.path().join("clusters/prod");
    validates_against("crds/flux", &out.join("_gitops/flux"));
    let objects: Vec<Value> = documents(&out.join("_gitops"))
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let repository = objects
        .iter()
        .find(|o| o["kind"] == "GitRepository")
        .unwrap();
    assert_eq!(repository["spec"]["ref"]["branch"], "main");
    let by_name = |name: &str| {
        objects
            .iter()
            .find(|o| o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let names = |o: &Value| -> Vec<String> {
        o["spec"]["dependsOn"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|x| x["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        names(by_name("inferstack-default")),
        ["inferstack-cluster", "inferstack-knative-serving"]
    );
    assert!(names(by_name("inferstack-cluster")).is_empty());
    assert_eq!(
        by_name("inferstack-llm")["spec"]["path"],
        "./clusters/prod/llm"
    );
    let config = &yaml_documents(&out.join("knative-serving/configmap-config-network.yaml"))[0];
    assert_eq!(
        config["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"],
        "disabled"
    );
}

#[test]
fn gitops_options_are_never_guessed() {
    let work = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("stacks/qwen.toml"),
        work.path().join("qwen.toml"),
    )
    .unwrap();
    let no_repo = run_in(
        work.path(),
        &["build", ".", "--gitops", "argocd", "-o", "out"],
    );
    assert_eq!(no_repo.status.code(), Some(2));
    let absolute = work.path().join("out");
    let outside = run_in(
        work.path(),
        &[
            "build",
            ".",
            "--gitops",
            "flux",
            "--repo-url",
            "u",
            "--revision",
            "main",
            "-o",
            absolute.to_str().unwrap(),
        ],
    );
    assert_eq!(outside.status.code(), Some(2));
    assert!(
        stderr(&outside).contains("pass --repo-path"),
        "{}",
        stderr(&outside)
    );
    assert!(!absolute.exists(), "nothing written on a usage error");
}
