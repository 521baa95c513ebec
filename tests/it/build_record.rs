//! The build record (`src/output/freshness.rs`): a `build -o DIR` whose inputs and outputs are
//! as the last clean build left them is answered from its record, with the same report, and
//! anything the build reads or writes that changes makes it compile again. A build that
//! compiles rewrites the record and one answered from it leaves it alone, which is how these
//! tests tell the two apart.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::cli::{root, stderr};

/// Runs `inferstack build ARGS` in `work`, its records in `work/cache` (or none with `None`).
fn build(work: &Path, cache: Option<&str>, args: &[&str]) -> Output {
    let cache = cache.map_or(String::new(), |c| work.join(c).display().to_string());
    Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .arg("build")
        .args(args)
        .current_dir(work)
        .env_remove("NO_COLOR")
        .env("INFERSTACK_CACHE_DIR", cache)
        .output()
        .unwrap()
}

/// The one record in `work/cache`, with its text and modification time.
fn record(work: &Path) -> (PathBuf, String, std::time::SystemTime) {
    let files: Vec<PathBuf> = fs::read_dir(work.join("cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let [path] = &files[..] else {
        panic!("one record expected: {files:?}");
    };
    let modified = fs::metadata(path).unwrap().modified().unwrap();
    (path.clone(), fs::read_to_string(path).unwrap(), modified)
}

/// A work directory with the example fleet (a workspace, a base layer, two stacks).
fn fleet() -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let to = work.path().join("fleet");
    fs::create_dir_all(to.join("base")).unwrap();
    for name in [
        "inferstack.toml",
        "llama-8b.toml",
        "qwen-7b.toml",
        "base/vllm-gpu.toml",
    ] {
        fs::copy(root().join("examples/fleet").join(name), to.join(name)).unwrap();
    }
    work
}

const ARGS: [&str; 5] = ["fleet", "--env", "prod", "-o", "out"];

/// Builds once and checks a second build is answered from the record, with the report a
/// build that compiled gives.
fn built_and_recorded(work: &Path) -> String {
    let first = build(work, Some("cache"), &ARGS);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let (_, text, modified) = record(work);
    let again = build(work, Some("cache"), &ARGS);
    assert_eq!(again.status.code(), Some(0));
    let (_, text_after, modified_after) = record(work);
    assert_eq!(
        (text_after, modified_after),
        (text, modified),
        "the record was rewritten"
    );
    let compiled = build(work, None, &ARGS);
    assert_eq!(stderr(&again), stderr(&compiled));
    assert!(
        stderr(&again).contains(": 0 written, "),
        "{}",
        stderr(&again)
    );
    stderr(&again)
}

/// Whether the next build compiled (it rewrote the record), and its report.
fn next_build_compiles(work: &Path) -> (bool, String) {
    let (_, text, modified) = record(work);
    let output = build(work, Some("cache"), &ARGS);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, text_after, modified_after) = record(work);
    (
        (text_after, modified_after) != (text, modified),
        stderr(&output),
    )
}

#[test]
fn an_unchanged_fleet_is_answered_from_its_record_with_the_same_report() {
    let work = fleet();
    built_and_recorded(work.path());
}

#[test]
fn a_changed_stack_layer_or_workspace_is_compiled() {
    let work = fleet();
    let fleet = work.path().join("fleet");
    built_and_recorded(work.path());
    // A comment: compiled again, and nothing to write.
    let stack = fleet.join("qwen-7b.toml");
    let text = fs::read_to_string(&stack).unwrap();
    fs::write(&stack, format!("{text}# reviewed\n")).unwrap();
    let (compiled, report) = next_build_compiles(work.path());
    assert!(compiled && report.contains(": 0 written, "), "{report}");
    // A layer's value: compiled, and written.
    let layer = fleet.join("base/vllm-gpu.toml");
    let text = fs::read_to_string(&layer).unwrap();
    assert!(text.contains("target = 8\n"), "{text}");
    fs::write(&layer, text.replacen("target = 8\n", "target = 9\n", 1)).unwrap();
    let (compiled, report) = next_build_compiles(work.path());
    assert!(compiled && !report.contains(": 0 written, "), "{report}");
    let (compiled, _) = next_build_compiles(work.path());
    assert!(!compiled, "an unchanged build after it compiled");
    // A new stack in the fleet's directory.
    fs::copy(&stack, fleet.join("qwen-7b-copy.toml")).unwrap();
    let text = fs::read_to_string(fleet.join("qwen-7b-copy.toml")).unwrap();
    fs::write(
        fleet.join("qwen-7b-copy.toml"),
        text.replacen("name = \"qwen-7b\"", "name = \"qwen-7b-copy\"", 1),
    )
    .unwrap();
    let (compiled, report) = next_build_compiles(work.path());
    assert!(compiled && report.contains("built 3 stack(s)"), "{report}");
}

#[test]
fn outputs_changed_by_hand_are_compiled_and_repaired() {
    let work = fleet();
    let out = work.path().join("out");
    built_and_recorded(work.path());
    let file =
        out.join("envoy-gateway-system/gateway.gateway.networking.k8s.io-inference-gateway.yaml");
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("name:"), "{text}");
    fs::write(&file, text.replacen("name:", "name: ", 1)).unwrap();
    let (compiled, report) = next_build_compiles(work.path());
    assert!(compiled && report.contains(": 1 written, "), "{report}");
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
    fs::remove_file(&file).unwrap();
    let (compiled, report) = next_build_compiles(work.path());
    assert!(compiled && report.contains(": 1 written, "), "{report}");
    // A file of someone else's is warned about on every build, so never answered from the
    // record, and the record stays as the last clean build left it.
    fs::write(out.join("envoy-gateway-system/notes.md"), "mine").unwrap();
    for _ in 0..2 {
        let (compiled, report) = next_build_compiles(work.path());
        assert!(!compiled && report.contains("warning: kept"), "{report}");
    }
}

#[test]
fn check_standard_input_and_an_empty_cache_setting_keep_no_record() {
    let work = fleet();
    let built = build(work.path(), None, &ARGS);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(!work.path().join("cache").exists());
    let mut check = ARGS.to_vec();
    check.push("--check");
    let checked = build(work.path(), Some("cache"), &check);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(!work.path().join("cache").exists());
    let mut piped = Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(["build", "-", "-o", "piped"])
        .current_dir(work.path())
        .env("INFERSTACK_CACHE_DIR", work.path().join("cache"))
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stack = fs::read(root().join("stacks/qwen.toml")).unwrap();
    std::io::Write::write_all(&mut piped.stdin.take().unwrap(), &stack).unwrap();
    let piped = piped.wait_with_output().unwrap();
    assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
    assert!(!work.path().join("cache").exists());
}
