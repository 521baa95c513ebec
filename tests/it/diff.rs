//! `inferstack diff` end to end: stacks are built into a temporary directory, edited, and
//! compared with what was built. Exit codes are those of `kubectl diff`: 0 no difference,
//! 1 differences, 2 error.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::cli::{root, run, stderr, stdout};
use serde_json::Value;

/// A copy of `stacks/` and what `build` wrote for it, in a temporary directory.
struct Fixture {
    _dir: tempfile::TempDir,
    stacks: PathBuf,
    out: PathBuf,
}

impl Fixture {
    fn built() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let stacks = dir.path().join("stacks");
        fs::create_dir_all(&stacks).unwrap();
        for name in ["qwen.toml", "deepseek.toml"] {
            fs::copy(root().join("stacks").join(name), stacks.join(name)).unwrap();
        }
        let out = dir.path().join("out");
        let build = run(&["build", s(&stacks), "-o", s(&out)]);
        assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
        Fixture {
            _dir: dir,
            stacks,
            out,
        }
    }

    /// Replaces `from` by `to` in one stack, which must contain it.
    fn edit(&self, stack: &str, from: &str, to: &str) {
        let path = self.stacks.join(stack);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} not in {stack}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn diff(&self, extra: &[&str]) -> Output {
        let mut args = vec!["diff", s(&self.stacks), "--against", s(&self.out)];
        args.extend_from_slice(extra);
        run(&args)
    }
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("{e}: {}", stdout(output)))
}

#[test]
fn no_change_exits_0() {
    let fixture = Fixture::built();
    let output = fixture.diff(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).starts_with("no differences with "));
    let report = json(&fixture.diff(&["--format", "json"]));
    assert_eq!(report["changes"], Value::Array(Vec::new()));
}

#[test]
fn a_changed_value_exits_1_and_shows_the_changed_line() {
    let fixture = Fixture::built();
    fixture.edit("qwen.toml", "max = 3", "max = 5");
    let output = fixture.diff(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("changed: Service default/qwen (serving.knative.dev/v1)"),
        "{text}"
    );
    assert!(
        text.contains("\n-        autoscaling.knative.dev/max-scale: \"3\"\n+        autoscaling.knative.dev/max-scale: \"5\"\n"),
        "{text}"
    );
    assert!(
        text.contains("--- a/default/service.serving.knative.dev-qwen.yaml\n"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "0 added, 0 removed, 1 changed (0 to replace) compared with {}\n",
            s(&fixture.out)
        )),
        "{text}"
    );
    // Only the Service changed: nothing else is listed.
    assert_eq!(text.matches("changed: ").count(), 1, "{text}");
}

#[test]
fn a_removed_stack_lists_its_objects_as_removed() {
    let fixture = Fixture::built();
    fs::remove_file(fixture.stacks.join("deepseek.toml")).unwrap();
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let changes = report["changes"].as_array().unwrap();
    // The kustomization files that listed deepseek's objects change with them.
    let kustomizations: Vec<&str> = changes
        .iter()
        .filter(|c| c["object"]["kind"] == "Kustomization")
        .map(|c| {
            assert_eq!(c["action"], "changed");
            c["path"].as_str().unwrap()
        })
        .collect();
    assert!(!kustomizations.is_empty(), "{changes:#?}");
    let removed: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c["object"]["kind"] != "Kustomization")
        .map(|c| {
            assert_eq!(c["action"], "removed");
            (
                c["object"]["kind"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The Gateway and config-network are shared with qwen, so they stay; deepseek's namespace
    // leaves Git with it (Argo CD and Flux never prune it from the cluster).
    assert_eq!(
        removed,
        [
            (
                "Namespace".to_owned(),
                "_cluster/namespace-llm.yaml".to_owned()
            ),
            (
                "PersistentVolume".to_owned(),
                "_cluster/persistentvolume-deepseek-r1-model.yaml".to_owned()
            ),
            (
                "PersistentVolumeClaim".to_owned(),
                "llm/persistentvolumeclaim-deepseek-r1-model.yaml".to_owned()
            ),
            (
                "Service".to_owned(),
                "llm/service.serving.knative.dev-deepseek-r1.yaml".to_owned()
            ),
        ]
    );
    let text = stdout(&fixture.diff(&[]));
    assert!(
        text.contains("removed: Service llm/deepseek-r1 (serving.knative.dev/v1)"),
        "{text}"
    );
}

#[test]
fn growing_the_model_volume_changes_the_pv_in_place_and_the_claim_only_with_an_expandable_class() {
    let fixture = Fixture::built();
    fixture.edit("qwen.toml", "size = \"30Gi\"", "size = \"40Gi\"");
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(
        report["summary"],
        serde_json::json!({"added": 0, "removed": 0, "changed": 2, "replace": 0})
    );
    let changes = report["changes"].as_array().unwrap();
    // Apply order: the volume before its claim. A PV's capacity is mutable (Kubernetes
    // ValidatePersistentVolumeUpdate forbids only source changes).
    assert_eq!(changes[0]["object"]["kind"], "PersistentVolume");
    assert_eq!(changes[0]["replace"], false);
    // The claim may grow, if its StorageClass allows expansion.
    assert_eq!(changes[1]["object"]["kind"], "PersistentVolumeClaim");
    assert_eq!(changes[1]["replace"], false);
    assert!(
        changes[1]["conditions"][0]
            .as_str()
            .unwrap()
            .contains("StorageClass oss sets allowVolumeExpansion: true"),
        "{report}"
    );
    let text = stdout(&fixture.diff(&[]));
    assert!(
        text.contains("in place only if: /spec/resources/requests/storage grows"),
        "{text}"
    );
}

#[test]
fn a_changed_volume_source_is_flagged_replace_with_the_rule_behind_it() {
    let fixture = Fixture::built();
    fixture.edit(
        "qwen.toml",
        "oss://qwen-models/models/Qwen1.5-4B-Chat",
        "oss://qwen-models/v2/Qwen1.5-4B-Chat",
    );
    let output = fixture.diff(&["--format", "json"]);
    let report = json(&output);
    let volume = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["object"]["kind"] == "PersistentVolume")
        .unwrap();
    assert_eq!(volume["replace"], true);
    assert_eq!(
        volume["immutableFields"],
        serde_json::json!(["/spec/csi/volumeAttributes/path"])
    );
    assert!(
        volume["why"][0]
            .as_str()
            .unwrap()
            .starts_with("spec.persistentvolumesource is immutable after creation"),
        "{report}"
    );
    let text = stdout(&fixture.diff(&[]));
    assert!(
        text.contains("replace: PersistentVolume llm-model (v1)"),
        "{text}"
    );
    assert!(
        text.contains(
            "    /spec/csi/volumeAttributes/path: spec.persistentvolumesource is immutable"
        ),
        "{text}"
    );
}

#[test]
fn a_changed_bucket_path_replaces_the_volume() {
    let fixture = Fixture::built();
    fixture.edit(
        "qwen.toml",
        "oss://qwen-models/models/Qwen1.5-4B-Chat",
        "oss://qwen-models/models2/Qwen1.5-4B-Chat",
    );
    let report = json(&fixture.diff(&["--format", "json"]));
    let volume = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["object"]["kind"] == "PersistentVolume")
        .unwrap();
    assert_eq!(
        volume["immutableFields"],
        serde_json::json!(["/spec/csi/volumeAttributes/path"])
    );
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let fixture = Fixture::built();
    fixture.edit("qwen.toml", "max = 3", "max = 5");
    fs::remove_file(
        fixture
            .out
            .join("knative-serving/configmap-config-network.yaml"),
    )
    .unwrap();
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!stdout(&output).contains('\x1b'));
    let report = json(&output);
    assert_eq!(report["apiVersion"], "inferstack.dev/v1");
    assert_eq!(report["kind"], "DiffReport");
    assert_eq!(
        report["summary"],
        serde_json::json!({"added": 1, "removed": 0, "changed": 1, "replace": 0})
    );
    let changes = report["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    let added = &changes[0];
    assert_eq!(added["action"], "added");
    assert_eq!(
        added["object"],
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "namespace": "knative-serving", "name": "config-network"})
    );
    assert_eq!(
        added["path"],
        "knative-serving/configmap-config-network.yaml"
    );
    assert!(
        added["diff"]
            .as_str()
            .unwrap()
            .starts_with("--- /dev/null\n+++ b/knative-serving/configmap-config-network.yaml\n")
    );
    let changed = &changes[1];
    assert_eq!(changed["action"], "changed");
    assert_eq!(changed["object"]["kind"], "Service");
    assert_eq!(changed["replace"], false);
    let keys: Vec<&str> = changed
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "action",
            "object",
            "path",
            "replace",
            "immutableFields",
            "why",
            "conditions",
            "diff"
        ]
    );
    assert!(
        changed["diff"]
            .as_str()
            .unwrap()
            .contains("+        autoscaling.knative.dev/max-scale: \"5\"\n")
    );
}

#[test]
fn formatting_noise_on_disk_is_not_a_difference() {
    let fixture = Fixture::built();
    let file = fixture
        .out
        .join("knative-serving/configmap-config-network.yaml");
    let text = fs::read_to_string(&file).unwrap();
    // Same object, other key order and quoting, with a leading document separator.
    let value: Value = serde_saphyr::from_str(&text).unwrap();
    let reversed: serde_json::Map<String, Value> = value
        .as_object()
        .unwrap()
        .iter()
        .rev()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let reversed = Value::Object(reversed).to_string();
    assert!(reversed.starts_with("{\"data\""), "{reversed}");
    fs::write(&file, format!("---\n{reversed}\n")).unwrap();
    let output = fixture.diff(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn a_missing_directory_exits_2() {
    let fixture = Fixture::built();
    fs::remove_dir_all(&fixture.out).unwrap();
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("is not a directory"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_file_inferstack_did_not_write_is_a_difference_not_compared() {
    let fixture = Fixture::built();
    fs::write(fixture.out.join("default/broken.yaml"), "a: [\n").unwrap();
    fs::write(fixture.out.join("default/notes.yaml"), "kind: Note\n").unwrap();
    let output = fixture.diff(&[]);
    // `build` would not reproduce them, and a GitOps tool may apply them: not clean.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    for name in ["broken.yaml", "notes.yaml"] {
        assert!(
            text.contains(&format!(
                "not compared: {}",
                fixture.out.join("default").join(name).display()
            )),
            "{text}"
        );
    }
    assert!(text.contains("not written by inferstack"), "{text}");
    let json = json(&fixture.diff(&["--format", "json"]));
    assert_eq!(json["notCompared"].as_array().unwrap().len(), 2);
}

#[test]
fn a_corrupted_file_of_the_build_is_reported_and_its_objects_shown_added() {
    let fixture = Fixture::built();
    let victim = fs::read_dir(fixture.out.join("default"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("kustomization.yaml"))
        .unwrap();
    fs::write(&victim, "a: [\n").unwrap();
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["added"], 1, "{report}");
    assert!(
        report["notCompared"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not valid YAML at "),
        "{report}"
    );
}

#[test]
fn an_invalid_stack_exits_2_with_its_diagnostics() {
    let fixture = Fixture::built();
    fixture.edit("qwen.toml", "[service]\n", "[service]\nnamespce = \"x\"\n");
    let output = fixture.diff(&["--message-format", "short"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).is_empty());
    let text = stderr(&output);
    assert!(
        text.starts_with("error: 1 problem(s) in 2 stack file(s); nothing was compared"),
        "{text}"
    );
    assert!(text.contains("error[unknown-key]"), "{text}");
}

#[test]
fn colour_only_when_asked() {
    let fixture = Fixture::built();
    fixture.edit("qwen.toml", "max = 3", "max = 5");
    // Not a terminal: plain.
    assert!(!stdout(&fixture.diff(&[])).contains('\x1b'));
    // NO_COLOR, even with --color auto.
    let args = [
        "diff",
        s(&fixture.stacks),
        "--against",
        s(&fixture.out),
        "--color",
        "auto",
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!stdout(&output).contains('\x1b'));
    // --color always: the added line is green.
    let text = stdout(&fixture.diff(&["--color", "always"]));
    assert!(
        text.contains("\x1b[32m+        autoscaling.knative.dev/max-scale: \"5\"\x1b[0m\n"),
        "{text}"
    );
    // --message-format short stays plain even then.
    let text = stdout(&fixture.diff(&["--color", "always", "--message-format", "short"]));
    assert!(!text.contains('\x1b'), "{text}");
}

/// `kustomization.yaml` is a file inferstack writes and compares: an `images:` override to
/// another registry, or a Pod listed there, changes what the cluster gets (issue 23).
#[test]
fn a_kustomization_edited_by_hand_is_a_change() {
    let fixture = Fixture::built();
    let file = fixture.out.join("default/kustomization.yaml");
    let original = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        format!("{original}images:\n- name: vllm/vllm-openai\n  newName: evil.example.com/vllm\n"),
    )
    .unwrap();
    let output = fixture.diff(&["--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let change = &report["changes"][0];
    assert_eq!(change["object"]["kind"], "Kustomization");
    assert_eq!(change["path"], "default/kustomization.yaml");
    assert!(
        change["diff"]
            .as_str()
            .unwrap()
            .contains("-  newName: evil.example.com/vllm"),
        "{change:#}"
    );
}

/// The contract of `diff` and `build --check`: right after any `build`, the same arguments
/// (`-o DIR` as `--against DIR`) find nothing, whatever flags change the output.
#[test]
fn right_after_any_build_the_same_arguments_are_clean() {
    let fleet = root().join("examples/fleet");
    let fleet = fleet.to_str().unwrap();
    let cases: [&[&str]; 6] = [
        &["stacks/qwen.toml"],
        &["stacks/qwen.toml", "--profile", "gateway-api"],
        &[
            "stacks/llama-s3.toml",
            "--gitops",
            "argocd",
            "--repo-url",
            "https://git.example.com/a.git",
            "--revision",
            "main",
            "--repo-path",
            "deploy/llm",
        ],
        &[
            "stacks/qwen-hub.toml",
            "--gitops",
            "flux",
            "--repo-url",
            "https://git.example.com/a.git",
            "--revision",
            "v1.2.0",
            "--repo-path",
            "clusters/a",
        ],
        &[fleet, "--env", "prod"],
        &[
            fleet,
            "--env",
            "dev,staging",
            "--gitops",
            "flux",
            "--revision",
            "release",
            "--repo-path",
            "fleet",
        ],
    ];
    for args in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("rendered");
        let out = out.to_str().unwrap();
        let build = run(&[&["build", "-o", out][..], args].concat());
        assert_eq!(build.status.code(), Some(0), "{args:?}: {}", stderr(&build));
        let check = run(&[&["build", "--check", "-o", out][..], args].concat());
        assert_eq!(check.status.code(), Some(0), "{args:?}: {}", stderr(&check));
        let diff = run(&[&["diff", "--against", out][..], args].concat());
        assert_eq!(diff.status.code(), Some(0), "{args:?}: {}", stdout(&diff));
    }
}
