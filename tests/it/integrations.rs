//! The delivery contracts: the Argo CD plugin exactly as Argo CD runs it, `build --check` as a
//! pre-commit hook and CI job run it, and the hook and workflow files users copy.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::cli::{root, run_in, stderr, stdout};
use serde_json::Value;

fn yaml(path: &Path) -> Vec<Value> {
    let stream = inferstack::yaml::parse(&fs::read_to_string(path).unwrap());
    assert!(
        stream.problems.is_empty(),
        "{}: {:?}",
        path.display(),
        stream.problems
    );
    stream.documents.into_iter().map(|d| d.value).collect()
}

/// The plugin's generate command, run the way the CMP server runs it: in the application
/// directory, no terminal, no stdin, the Application's plugin env as ARGOCD_ENV_* variables.
fn run_plugin(app_dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    let plugin = &yaml(&root().join("integrations/argocd/plugin.yaml"))[0];
    let command: Vec<&str> = plugin["spec"]["generate"]["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(command[0], "inferstack");
    let mut process = Command::new(env!("CARGO_BIN_EXE_inferstack"));
    process
        .args(&command[1..])
        .current_dir(app_dir)
        .stdin(Stdio::null())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (key, value) in env {
        process.env(key, value);
    }
    process.output().unwrap()
}

fn app_with(stacks: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for stack in stacks {
        let source = root().join(stack);
        fs::copy(&source, dir.path().join(source.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn the_argocd_plugin_streams_only_objects() {
    let app = app_with(&["stacks/qwen.toml", "stacks/deepseek.toml"]);
    let output = run_plugin(app.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let file = app.path().join("out.yaml");
    fs::write(&file, &output.stdout).unwrap();
    let objects = yaml(&file);
    assert_eq!(objects.len(), 10, "nine objects and the Namespace llm");
    assert!(objects.iter().all(|o| o["apiVersion"].is_string()
        && o["kind"].is_string()
        && o["metadata"]["name"].is_string()));
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn the_argocd_plugin_honours_the_profile_from_the_application() {
    let app = app_with(&["stacks/qwen.toml"]);
    let output = run_plugin(app.path(), &[("ARGOCD_ENV_PROFILE", "gateway-api")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("kind: InferencePool"));
}

#[test]
fn the_argocd_plugin_fails_loudly_with_nothing_on_stdout() {
    // An empty stream with auto-prune on would delete the application's resources.
    let broken = app_with(&["stacks/qwen.toml", "tests/stacks/invalid-metric.toml"]);
    let output = run_plugin(broken.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).contains("invalid-value"));

    let app = app_with(&["stacks/qwen.toml"]);
    let bad_option = run_plugin(app.path(), &[("ARGOCD_ENV_PROFILE", "openshift")]);
    assert_eq!(bad_option.status.code(), Some(2));
    assert!(bad_option.stdout.is_empty());

    let empty = tempfile::tempdir().unwrap();
    let nothing = run_plugin(empty.path(), &[]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(nothing.stdout.is_empty());
}

#[test]
fn build_check_detects_stale_missing_and_extra_files() {
    let work = app_with(&["stacks/qwen.toml", "stacks/deepseek.toml"]);
    let check = |dir: &Path| run_in(dir, &["build", ".", "-o", "rendered", "--check"]);
    let missing = check(work.path());
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing)
            .contains("missing: rendered/default/service.serving.knative.dev-qwen.yaml"),
        "{}",
        stderr(&missing)
    );
    assert!(
        !work.path().join("rendered").exists(),
        "--check writes nothing"
    );

    assert_eq!(
        run_in(work.path(), &["build", ".", "-o", "rendered"])
            .status
            .code(),
        Some(0)
    );
    let clean = check(work.path());
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stderr(&clean).contains("rendered is up to date"));

    let service = work
        .path()
        .join("rendered/default/service.serving.knative.dev-qwen.yaml");
    fs::write(
        &service,
        fs::read_to_string(&service)
            .unwrap()
            .replace("\"3\"", "\"9\""),
    )
    .unwrap();
    fs::write(
        work.path().join("rendered/default/hand-made.yaml"),
        "kind: ConfigMap\n",
    )
    .unwrap();
    let stale = check(work.path());
    assert_eq!(stale.status.code(), Some(1));
    let text = stderr(&stale);
    assert!(
        text.contains("changed: rendered/default/service.serving.knative.dev-qwen.yaml"),
        "{text}"
    );
    assert!(
        text.contains("not written by inferstack: rendered/default/hand-made.yaml"),
        "{text}"
    );
    // The advice is the command that makes the tree current, with the check's own flags.
    assert!(
        text.ends_with(
            "error: out of date; run `inferstack build . -o rendered` and commit the result\n"
        ),
        "{text}"
    );
}

/// A file inferstack did not write is the user's to place: `build` keeps it and says so,
/// `--check` reports it under its own heading with what to do (never "run inferstack build",
/// which would not remove it), `diff` lists it as not compared; `output.keep` claims it, and
/// then none of the three mentions it.
#[test]
fn files_the_build_did_not_write_are_named_until_output_keep_claims_them() {
    let work = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("stacks/qwen.toml"),
        work.path().join("qwen.toml"),
    )
    .unwrap();
    let build = |dir: &Path| run_in(dir, &["build", "qwen.toml", "-o", "rendered"]);
    assert_eq!(build(work.path()).status.code(), Some(0));
    fs::write(work.path().join("rendered/README.md"), "ours\n").unwrap();
    fs::write(work.path().join("rendered/default/notes.yaml"), "a: 1\n").unwrap();

    let kept = build(work.path());
    assert_eq!(kept.status.code(), Some(0));
    assert_eq!(
        stderr(&kept),
        "warning: kept rendered/README.md: not written by inferstack (move it out of the output tree, or claim it with `output.keep`)\n\
         warning: kept rendered/default/notes.yaml: not written by inferstack (move it out of the output tree, or claim it with `output.keep`)\n\
         built 1 stack(s) into 6 objects in rendered: 0 written, 10 unchanged, 0 removed\n"
    );
    let check = run_in(
        work.path(),
        &["build", "qwen.toml", "-o", "rendered", "--check"],
    );
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        stderr(&check),
        "not written by inferstack: rendered/README.md\n\
         not written by inferstack: rendered/default/notes.yaml\n\
         error: 2 file(s) in the output tree were not written by inferstack; move them out of it, or claim them with `output.keep` (globs relative to the output directory) in inferstack.toml\n"
    );
    let diff = run_in(work.path(), &["diff", "qwen.toml", "--against", "rendered"]);
    assert_eq!(diff.status.code(), Some(1));
    assert_eq!(
        stdout(&diff),
        "not compared: rendered/default/notes.yaml: not written by inferstack (not in its manifest); move it out of the tree, or claim it with `output.keep`\n\
         no differences in the objects compared with rendered; 1 file(s) not compared\n"
    );

    let stack = fs::read_to_string(work.path().join("qwen.toml")).unwrap();
    fs::write(
        work.path().join("qwen.toml"),
        format!("{stack}\n[output]\nkeep = [\"*.md\", \"default/notes.yaml\"]\n"),
    )
    .unwrap();
    let claimed = build(work.path());
    assert_eq!(
        stderr(&claimed),
        "built 1 stack(s) into 6 objects in rendered: 0 written, 10 unchanged, 0 removed\n"
    );
    let check = run_in(
        work.path(),
        &["build", "qwen.toml", "-o", "rendered", "--check"],
    );
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let diff = run_in(work.path(), &["diff", "qwen.toml", "--against", "rendered"]);
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
}

#[test]
fn the_hook_and_workflow_files_name_real_commands() {
    let hooks = &yaml(&root().join(".pre-commit-hooks.yaml"))[0];
    let ids: Vec<&str> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "inferstack-check",
            "inferstack-build-check",
            "inferstack-check-system",
            "inferstack-build-check-system"
        ]
    );
    let hooks = hooks.as_array().unwrap();
    // Each `-system` hook is its compiled twin but for the language.
    for (compiled, system) in hooks[..2].iter().zip(&hooks[2..]) {
        assert_eq!(
            (&compiled["language"], &system["language"]),
            (&"rust".into(), &"system".into())
        );
        assert_eq!(compiled["entry"], system["entry"]);
        assert_eq!(compiled["args"], system["args"]);
        assert_eq!(compiled["files"], system["files"]);
    }
    for hook in hooks {
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        let mut args: Vec<&str> = entry[1..].to_vec();
        args.extend(
            hook["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        );
        // Run the hook in this repository: the stacks are valid and golden/rendered is current.
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if *a == "rendered" {
                    "golden/rendered".to_owned()
                } else {
                    (*a).to_owned()
                }
            })
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = crate::support::cli::run(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}{}",
            stdout(&output),
            stderr(&output)
        );
    }
    let workflow = &yaml(&root().join("integrations/github/inferstack.yml"))[0];
    let steps = workflow["jobs"]["check"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|s| {
        s["run"]
            .as_str()
            .is_some_and(|r| r.contains("--format github"))
    }));
    assert!(steps.iter().any(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))
    }));
}

/// `scripts/fetch-reference.sh` names every file of the reference set with the hash of the
/// bytes the tests read, so a user who fetches it runs the same suite.
#[test]
fn the_reference_fetch_manifest_matches_the_reference_set() {
    if !crate::support::reference::require() {
        return;
    }
    let dir = crate::support::reference::path("");
    let output = std::process::Command::new("bash")
        .arg(root().join("scripts/fetch-reference.sh"))
        .args(["--check", &dir])
        .current_dir(root())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = std::fs::read_to_string(root().join("scripts/reference-files.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count();
    assert!(
        listed >= 290 && text.starts_with(&format!("{listed} files checked")),
        "{text}"
    );
}

/// `cargo binstall` finds the archives the release workflow uploads: the file name of the
/// metadata's `pkg-url`, with `{ name }` and `{ target }` filled in, is the one the workflow
/// packs, and the binary sits at its root as `bin-dir` says.
#[test]
fn binstall_metadata_names_the_archives_the_release_workflow_uploads() {
    let manifest: toml::Value =
        toml::from_str(&fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let binstall = &manifest["package"]["metadata"]["binstall"];
    let url = binstall["pkg-url"].as_str().unwrap();
    let archive = url.rsplit('/').next().unwrap();
    assert_eq!(archive, "{ name }-{ target }.tar.gz");
    assert_eq!(binstall["bin-dir"].as_str(), Some("{ bin }{ binary-ext }"));
    assert_eq!(binstall["pkg-fmt"].as_str(), Some("tgz"));
    let workflow = fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let packed = archive
        .replace("{ name }", manifest["package"]["name"].as_str().unwrap())
        .replace("{ target }", "$TARGET");
    assert!(
        workflow.contains(&format!(
            "tar -C \"target/$TARGET/release\" -czf \"{packed}\" inferstack"
        )),
        "{workflow}"
    );
    assert!(workflow.contains(&format!(
        "gh release upload \"$GITHUB_REF_NAME\" \"{packed}\""
    )));
}
