//! `build --gitops argocd|flux`: the delivery objects validate against the real Argo CD and
//! Flux CRDs, cover every rendered object exactly once, order shared infrastructure first, and
//! stay out of the rendered tree's own kustomization.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::cli::{files_under, json_report, root, run_in, stderr, stdout};
use crate::support::upstream::yaml_documents;
use serde_json::Value;

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
    for entry in files_under(dir) {
        if entry.extension().is_some_and(|e| e == "yaml") {
            for doc in yaml_documents(&entry) {
                out.push((entry.strip_prefix(dir).unwrap().display().to_string(), doc));
            }
        }
    }
    out
}

/// The whole tree `build --gitops` wrote validates with the embedded catalog alone, as the
/// README promises (before the catalog had Argo CD and Flux, ApplicationSet was `schema-not-found`).
fn tree_validates(dir: &Path) {
    let (code, report) = json_report(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    assert!(
        report["summary"]["valid"].as_u64().unwrap() > 10,
        "{:#}",
        report["summary"]
    );
}

/// Validates the objects in `dir` with the embedded catalog alone, then against the reference
/// CRDs in `crds` (skipped, loudly, without the reference set).
fn validates_against(crds: &str, dir: &Path) {
    let (code, report) = json_report(&["validate", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{:#}", report["findings"]);
    if !crate::support::reference::require() {
        return;
    }
    let crds = root().join(crate::support::reference::path(crds));
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
    tree_validates(&out);
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
    tree_validates(&out);
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

/// The example fleet copied into a repository, built for every environment with `--gitops`.
fn build_fleet(tool: &str) -> tempfile::TempDir {
    build_fleet_with(tool, |text| text)
}

/// The same, with the workspace file rewritten by `edit` first.
fn build_fleet_with(tool: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    fs::create_dir(work.path().join(".git")).unwrap();
    for file in files_under(&root().join("examples/fleet")) {
        let relative = file.strip_prefix(root().join("examples/fleet")).unwrap();
        let target = work.path().join("fleet").join(relative);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(&file, &target).unwrap();
        if relative == Path::new("inferstack.toml") {
            fs::write(&target, edit(fs::read_to_string(&target).unwrap())).unwrap();
        }
    }
    let args = [
        "build", "fleet", "--env", "all", "--gitops", tool, "-o", "rendered",
    ];
    let output = run_in(work.path(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    work
}

#[test]
fn a_fleet_gets_one_applicationset_sending_each_environment_to_its_cluster() {
    let work = build_fleet("argocd");
    let gitops = work.path().join("rendered/_gitops");
    tree_validates(&work.path().join("rendered"));
    validates_against("crds/argo-cd", &gitops);
    let docs = documents(&gitops);
    assert_eq!(docs.len(), 1, "{docs:?}");
    let (path, set) = &docs[0];
    assert_eq!(path, "argocd/applicationset-inferstack.yaml");
    assert_eq!(set["kind"], "ApplicationSet");
    let elements = set["spec"]["generators"][0]["list"]["elements"]
        .as_array()
        .unwrap();
    let envs: Vec<(&str, &str)> = elements
        .iter()
        .map(|e| (e["env"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        envs,
        [
            ("dev", "rendered/dev"),
            ("prod", "rendered/prod"),
            ("staging", "rendered/staging")
        ]
    );
    assert_eq!(set["spec"]["template"]["spec"]["project"], "{{.project}}");
    assert_eq!(elements[0]["project"], "llm");
    let patch = set["spec"]["templatePatch"].as_str().unwrap();
    // dev syncs and prunes by itself; prod goes to its own cluster and syncs only when asked.
    let block = |env: &str| {
        let start = patch
            .find(&format!("{{{{- if eq .env \"{env}\" }}}}"))
            .unwrap();
        let end = start + patch[start..].find("{{- end }}").unwrap();
        patch[start..end].to_owned()
    };
    let dev = block("dev");
    assert!(
        dev.contains("name: dev") && dev.contains("prune: true") && dev.contains("selfHeal: true"),
        "{dev}"
    );
    let prod = block("prod");
    assert!(
        prod.contains("name: prod-eu") && !prod.contains("automated"),
        "{prod}"
    );
    assert!(prod.contains("- ServerSideApply=true"), "{prod}");
    // The environments' trees carry no Applications of their own, and the git URL and
    // revision come from the workspace.
    assert!(!work.path().join("rendered/prod/_gitops").exists());
    assert_eq!(
        set["spec"]["template"]["spec"]["source"]["repoURL"],
        "https://git.example.com/platform/llm-fleet.git"
    );
}

/// Values written into the ApplicationSet's Go-template fields cannot become actions: the
/// controller renders every template string (`goTemplate: true`), so `{{ .missing }}` would stop
/// every environment and `{{ .path }}` would be evaluated. Each `{{` is written as `{{"{{"}}`,
/// which Go's text/template prints as `{{`; undoing exactly that gives the value back.
#[test]
fn gitops_values_are_literal_text_in_go_templates() {
    let work = build_fleet_with("argocd", |text| {
        text.replace("cluster = \"prod-eu\"", "cluster = \"prod-{{ .path }}\"")
            .replace("\"ServerSideApply=true\"", "\"{{ .missing }}\"")
    });
    let docs = documents(&work.path().join("rendered/_gitops"));
    let patch = docs[0].1["spec"]["templatePatch"].as_str().unwrap();
    // Every action left is one inferstack wrote: the environment switch or an escaped `{{`.
    let escaped = "{{\"{{\"}}";
    let mut rest = patch;
    while let Some(at) = rest.find("{{") {
        let action = &rest[at..];
        assert!(
            action.starts_with(escaped)
                || action.starts_with("{{- if eq .env ")
                || action.starts_with("{{- end }}"),
            "an action inferstack did not write: {action}"
        );
        rest = &action[if action.starts_with(escaped) {
            escaped.len()
        } else {
            2
        }..];
    }
    let rendered = patch.replace(escaped, "{{");
    assert!(rendered.contains("name: prod-{{ .path }}"), "{rendered}");
    assert!(rendered.contains("- \"{{ .missing }}\""), "{rendered}");
}

#[test]
fn a_fleet_gets_a_flux_path_per_cluster_with_a_kustomization_per_environment() {
    let work = build_fleet("flux");
    let gitops = work.path().join("rendered/_gitops");
    tree_validates(&work.path().join("rendered"));
    validates_against("crds/flux", &gitops);
    let docs = documents(&gitops);
    let paths: Vec<&str> = docs.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "flux/clusters/dev/gitrepository-inferstack.yaml",
            "flux/clusters/dev/kustomization-inferstack-dev.yaml",
            "flux/clusters/dev/kustomization-inferstack-staging.yaml",
            "flux/clusters/prod-eu/gitrepository-inferstack.yaml",
            "flux/clusters/prod-eu/kustomization-inferstack-prod.yaml",
        ]
    );
    assert_eq!(docs[0].1["spec"]["secretRef"]["name"], "llm-fleet-git");
    let prod = &docs[4].1["spec"];
    assert_eq!(prod["path"], "./rendered/prod");
    assert_eq!(prod["prune"], false, "no prune unless asked");
    assert_eq!(prod["timeout"], "15m");
    assert_eq!(docs[1].1["spec"]["prune"], true);
}

#[test]
fn gitops_settings_outside_the_workspace_are_refused() {
    let work = tempfile::tempdir().unwrap();
    let stack = fs::read_to_string(root().join("stacks/qwen.toml")).unwrap();
    fs::write(
        work.path().join("qwen.toml"),
        stack + "\n[gitops]\nprune = true\n",
    )
    .unwrap();
    let output = run_in(work.path(), &["check", ".", "--message-format", "short"]);
    assert_eq!(output.status.code(), Some(1));
    let text = crate::support::cli::stdout(&output);
    assert!(
        text.contains(
            "qwen.toml:42:1: error[invalid-value]: `[gitops]` is set outside the workspace file"
        ),
        "{text}"
    );
}

/// Right after a build, the same arguments given to `diff --against` and `build --check` are
/// clean: both plan the tree as `build` does, GitOps objects and sync-wave annotations
/// included. Without the flag, the annotations are differences (a build without it would
/// remove them), and the advice of `--check` is the build command with every flag it needs.
#[test]
fn diff_and_check_with_the_build_flags_are_clean_right_after_the_build() {
    for tool in ["argocd", "flux"] {
        let work = build_fleet(tool);
        let same = ["--env", "all", "--gitops", tool];
        let diff = run_in(
            work.path(),
            &[&["diff", "fleet", "--against", "rendered"], &same[..]].concat(),
        );
        assert_eq!(diff.status.code(), Some(0), "{tool}: {}", stdout(&diff));
        assert_eq!(stdout(&diff), "no differences with rendered\n");
        let check = run_in(
            work.path(),
            &[&["build", "fleet", "--check", "-o", "rendered"], &same[..]].concat(),
        );
        assert_eq!(check.status.code(), Some(0), "{tool}: {}", stderr(&check));
        let bare = run_in(
            work.path(),
            &[
                "diff",
                "fleet",
                "--env",
                "all",
                "--against",
                "rendered",
                "--format",
                "json",
            ],
        );
        assert_eq!(bare.status.code(), Some(1), "{tool}");
        let report: serde_json::Value = serde_json::from_str(&stdout(&bare)).unwrap();
        assert!(
            report["summary"]["changed"].as_u64().unwrap() > 0,
            "{report}"
        );
        let stale = run_in(
            work.path(),
            &[
                "build",
                "fleet",
                "--env",
                "all",
                "--check",
                "-o",
                "rendered",
                "--revision",
                "v2",
            ],
        );
        assert_eq!(stale.status.code(), Some(1), "{tool}");
        assert!(
            stderr(&stale).ends_with(
                "error: out of date; run `inferstack build fleet --env all -o rendered --revision v2` and commit the result\n"
            ),
            "{}",
            stderr(&stale)
        );
    }
}

/// `gitops.tool` in the workspace is `--gitops` for every command: the pre-commit hook and
/// `diff` need no flags, and standard output (the Argo CD plugin) gets no Applications.
#[test]
fn the_workspace_names_the_gitops_tool_once_for_every_command() {
    let work = build_fleet_with("argocd", |text| {
        text.replace("[gitops]\n", "[gitops]\ntool = \"argocd\"\n")
    });
    let check = run_in(
        work.path(),
        &[
            "build", "fleet", "--env", "all", "--check", "-o", "rendered",
        ],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let diff = run_in(
        work.path(),
        &["diff", "fleet", "--env", "all", "--against", "rendered"],
    );
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
    let plugin = run_in(work.path(), &["build", "fleet", "--env", "dev", "-o", "-"]);
    assert_eq!(plugin.status.code(), Some(0), "{}", stderr(&plugin));
    assert!(!stdout(&plugin).contains("kind: Application"));
}
