//! Hostile inputs (issue 23): each test is one class of attack that broke something once, and
//! fails if it ever does again. None asserts a time; a regression to the old behaviour hangs or
//! aborts the test instead.

use std::fs;
use std::process::{Command, Stdio};

use crate::support::cli::{json_report, root};

/// Writing to a full stderr (`2>/dev/full`) is no panic (exit 101): the exit code still says
/// what happened.
#[test]
fn a_full_stderr_is_no_panic() {
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let status = Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(["build", "no-such-stack.toml", "-o", "-"])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

/// A CRD `pattern` RE2 refuses (a backreference) is refused, as the API server refuses the
/// CRD; a pattern that would backtrack exponentially cannot, because matching is linear.
#[test]
fn crd_patterns_have_re2_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let crd = |pattern: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {{kind: Widget, plural: widgets}}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              items:\n                type: array\n                items: {{type: string, pattern: '{pattern}'}}\n"
        )
    };
    let widget = format!(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {{name: w, namespace: d}}\nspec:\n  items: [{}]\n",
        vec![format!("\"{}b\"", "a".repeat(40)); 5000].join(", ")
    );
    let object = dir.path().join("widget.yaml");
    fs::write(&object, widget).unwrap();
    let crds = dir.path().join("crd.yaml");
    let validate_with = |pattern: &str| {
        fs::write(&crds, crd(pattern)).unwrap();
        json_report(&[
            "validate",
            object.to_str().unwrap(),
            "--crds",
            crds.to_str().unwrap(),
        ])
    };
    // Exponential for a backtracking engine on every item; linear here.
    let (code, report) = validate_with("^(a|aa)+$");
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["summary"]["errors"], 5000, "{:#}", report["summary"]);
    let (code, report) = validate_with("^((a|aa)+)+\\1$");
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        report["findings"][0]["reason"], "schema-load-error",
        "{report:#}"
    );
}

/// `x-kubernetes-list-type: map` keys are checked in one hashed pass: 65,536 items (a
/// quadratic check takes about a minute) whose last repeats the first.
#[test]
fn list_map_keys_are_checked_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let mut ports: Vec<String> = (1..=65_535)
        .map(|port| format!("{{port: {port}, protocol: TCP}}"))
        .collect();
    ports.push("{port: 1, protocol: TCP}".to_owned());
    let service = format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: s, namespace: d}}\nspec:\n  ports: [{}]\n",
        ports.join(", ")
    );
    let file = dir.path().join("service.yaml");
    fs::write(&file, service).unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("duplicate entries with port=1, protocol=\"TCP\"")),
        "{messages:?}"
    );
}

/// Outside a Git checkout, `extends` stays inside the directory named on the command line, not
/// the working directory: run from the directory above, a stack cannot read (and print in a
/// frame) a `.toml` beside its own directory.
#[test]
fn without_git_extends_stays_in_the_named_directory() {
    let work = tempfile::tempdir().unwrap();
    fs::write(
        work.path().join("private.toml"),
        "token = \"do-not-print\"\n",
    )
    .unwrap();
    fs::create_dir(work.path().join("stacks")).unwrap();
    let stack = fs::read_to_string(root().join("stacks/qwen.toml")).unwrap();
    fs::write(
        work.path().join("stacks/qwen.toml"),
        format!("extends = \"../private.toml\"\n{stack}"),
    )
    .unwrap();
    let output = crate::support::cli::run_in(
        work.path(),
        &["build", "stacks", "-o", "-", "--message-format", "short"],
    );
    let text = crate::support::cli::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("layer-not-found"), "{text}");
    assert!(
        text.contains("the directory named on the command line"),
        "{text}"
    );
    assert!(!text.contains("do-not-print"), "{text}");
}

/// What the API server refuses by size or encoding though no schema says so: a ConfigMap over
/// 1 MiB (`api-limit` at /data), and a Secret's `data` that is no base64 (`format: byte`; the
/// value itself is never printed).
#[test]
fn api_server_limits_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("objects.yaml");
    fs::write(
        &file,
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: d}}\ndata:\n  blob: {}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: d}}\ndata:\n  token: not-base64-hunter2\n",
            "x".repeat(1_048_577)
        ),
    )
    .unwrap();
    let (code, report) = json_report(&["validate", file.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    let findings = report["findings"].as_array().unwrap();
    let limit = findings
        .iter()
        .find(|f| f["reason"] == "api-limit")
        .unwrap();
    assert_eq!(limit["pointer"], "/data");
    assert_eq!(limit["line"], 4, "{limit:#}");
    assert!(
        limit["message"]
            .as_str()
            .unwrap()
            .contains("holds 1048577 bytes")
    );
    let encoding = findings
        .iter()
        .find(|f| f["pointer"] == "/data/token")
        .unwrap();
    assert_eq!(encoding["reason"], "schema-violation");
    let message = encoding["message"].as_str().unwrap();
    assert!(message.contains("must be of type byte"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

/// A custom engine's template cannot grow past its byte bound or use string repetition: a
/// located `template-error`, never an abort or a 96 MB Service.
#[test]
fn template_output_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let stack = fs::read_to_string(root().join("stacks/llamacpp.toml")).unwrap();
    let hostile = stack.replacen(
        "args = [",
        "args = [\"{% set a = 'x' * 100000000 %}{{ a }}\", ",
        1,
    );
    assert_ne!(hostile, stack, "stacks/llamacpp.toml has no args");
    let file = dir.path().join("llamacpp.toml");
    fs::write(&file, hostile).unwrap();
    let output = crate::support::cli::run(&[
        "build",
        file.to_str().unwrap(),
        "-o",
        "-",
        "--message-format",
        "short",
    ]);
    let text = crate::support::cli::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[template-error]"), "{text}");
    assert!(
        text.contains("the `*` operator (string repetition) is not allowed"),
        "{text}"
    );
}

/// The output tree is read only through regular files: `--check` with a FIFO or a link (even
/// to identical content outside the tree) where a rendered file belongs is a refusal, not a
/// hang or a pass; an extra `Kustomization` beside `kustomization.yaml` (kustomize then fails:
/// multiple kustomization files) is extra; a FIFO at a stale path leaves `build` unblocked.
#[test]
fn the_output_tree_is_read_through_regular_files_only() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let out_s = out.to_str().unwrap();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "stacks/qwen.toml", "-o", out_s];
        args.extend(extra);
        crate::support::cli::run(&args)
    };
    assert_eq!(build(&[]).status.code(), Some(0));
    let rendered = out.join("default/service.serving.knative.dev-qwen.yaml");
    assert!(rendered.is_file(), "no {}", rendered.display());
    let content = fs::read(&rendered).unwrap();

    fs::remove_file(&rendered).unwrap();
    let fifo = Command::new("mkfifo").arg(&rendered).status();
    if fifo.is_ok_and(|s| s.success()) {
        let checked = build(&["--check"]);
        let text = crate::support::cli::stderr(&checked);
        assert_eq!(checked.status.code(), Some(1), "{text}");
        assert!(
            text.contains("refused:") && text.contains("not a regular file"),
            "{text}"
        );
        // A plain build replaces it, never opens it.
        assert_eq!(build(&[]).status.code(), Some(0));
        assert_eq!(fs::read(&rendered).unwrap(), content);
    }

    let outside = work.path().join("copy.yaml");
    fs::write(&outside, &content).unwrap();
    fs::remove_file(&rendered).unwrap();
    std::os::unix::fs::symlink(&outside, &rendered).unwrap();
    let checked = build(&["--check"]);
    let text = crate::support::cli::stderr(&checked);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert!(text.contains("is a symbolic link"), "{text}");
    fs::remove_file(&rendered).unwrap();

    assert_eq!(build(&[]).status.code(), Some(0));
    fs::write(out.join("Kustomization"), "resources: []\n").unwrap();
    let checked = build(&["--check"]);
    let text = crate::support::cli::stderr(&checked);
    assert_eq!(checked.status.code(), Some(1), "{text}");
    assert!(
        text.contains("extra: ") && text.contains("Kustomization"),
        "{text}"
    );
}

/// A fleet build stages every environment, each under its directory's lock, before it
/// replaces anything: while another build holds one environment's lock, the whole build fails
/// cleanly and no environment is rewritten (before, dev landed from one build and prod from the
/// other).
#[test]
fn a_fleet_lands_whole_or_not_at_all() {
    let work = tempfile::tempdir().unwrap();
    fs::create_dir(work.path().join(".git")).unwrap();
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                fs::create_dir_all(to.join(entry.file_name())).unwrap();
                for file in fs::read_dir(entry.path()).unwrap() {
                    let file = file.unwrap();
                    fs::copy(
                        file.path(),
                        to.join(entry.file_name()).join(file.file_name()),
                    )
                    .unwrap();
                }
            } else {
                fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    };
    let fleet = work.path().join("fleet");
    fs::create_dir(&fleet).unwrap();
    copy(&root().join("examples/fleet"), &fleet);
    let build = || {
        crate::support::cli::run_in(
            work.path(),
            &["build", "fleet", "--env", "all", "-o", "rendered"],
        )
    };
    assert_eq!(build().status.code(), Some(0));
    let snapshot = |env: &str| {
        let mut files: Vec<(String, Vec<u8>)> = walk(&work.path().join("rendered").join(env));
        files.sort();
        files
    };
    let before = snapshot("dev");
    // Every environment changes; prod is locked by "another build".
    let stack = fleet.join("qwen-7b.toml");
    let text = fs::read_to_string(&stack).unwrap();
    fs::write(
        &stack,
        text.replacen("team = \"search\"", "team = \"ranking\"", 1),
    )
    .unwrap();
    let prod = fs::File::open(work.path().join("rendered/prod")).unwrap();
    prod.try_lock().unwrap();
    let output = build();
    let text = crate::support::cli::stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(
        text.contains("another inferstack build is writing into"),
        "{text}"
    );
    let after = snapshot("dev");
    let differing: Vec<&String> = after
        .iter()
        .filter(|file| !before.contains(file))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differing.is_empty(),
        "dev was rewritten although prod failed: {differing:?}"
    );
    drop(prod);
    assert_eq!(build().status.code(), Some(0));
    assert_ne!(snapshot("dev"), before);
}

/// Every file under `dir` with its content, paths relative to `dir`.
fn walk(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in fs::read_dir(&next).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                let relative = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                out.push((relative, fs::read(entry.path()).unwrap()));
            }
        }
    }
    out
}
