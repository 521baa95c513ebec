//! End-to-end behaviour of the `inferstack` binary: streams, output directories, cross-stack
//! rules, determinism, exit codes, `init` and `schema`.

use std::fs;
use std::path::Path;

use crate::support::cli::{files_under, root, run, run_in, stderr, stdout};

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut files: Vec<_> = files_under(dir)
        .into_iter()
        .map(|p| {
            let meta = fs::metadata(&p).unwrap();
            (
                p.strip_prefix(dir).unwrap().display().to_string(),
                fs::read(&p).unwrap(),
                meta.modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn copy_stacks(to: &Path) {
    fs::create_dir_all(to).unwrap();
    for name in ["qwen.toml", "deepseek.toml"] {
        fs::copy(root().join("stacks").join(name), to.join(name)).unwrap();
    }
}

#[test]
fn stream_output_is_only_yaml_on_stdout() {
    let output = run(&["build", "stacks/qwen.toml", "-o", "-"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("---\napiVersion: v1\nkind: ConfigMap\n"));
    assert_eq!(text.matches("\n---\n").count(), 5);
}

#[test]
fn conflicting_shared_objects_name_both_files_and_lines() {
    let output = run(&[
        "build",
        "tests/stacks/conflict",
        "-o",
        "-",
        "--message-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    let text = stderr(&output);
    assert!(
        text.contains("tests/stacks/conflict/b.toml:14:9: error[shared-object-conflict]: Gateway knative-serving/knative-gateway is defined differently by two stacks: /spec/gatewayClassName differs (see tests/stacks/conflict/a.toml:14:9: but here it is \"ack-gateway\")"),
        "{text}"
    );
}

#[test]
fn identical_shared_objects_are_emitted_once() {
    let output = run(&["build", "stacks", "-o", "-"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // One Service per example file (the fleet, in examples/, is built per environment).
    let examples = std::fs::read_dir(root().join("stacks"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "toml")
        })
        .count();
    // Every example runs on Knative but the Deployment, P/D and LeaderWorkerSet workloads.
    let stacks = examples - 4;
    assert_eq!(
        text.matches("kind: Deployment\nmetadata:\n  name: qwen-7b-deploy\n")
            .count(),
        1
    );
    // The two seed-style stacks share the ACK Gateway, all the others the Envoy Gateway.
    assert_eq!(text.matches("kind: Gateway\n").count(), 2);
    assert_eq!(text.matches("name: config-network\n").count(), 1);
    assert_eq!(text.matches("name: config-features\n").count(), 1);
    assert_eq!(text.matches("name: config-gateway\n").count(), 1);
    assert_eq!(
        text.matches("apiVersion: serving.knative.dev/v1\nkind: Service\n")
            .count(),
        stacks
    );
}

#[test]
fn two_stacks_with_one_service_name_are_an_error() {
    let output = run(&[
        "build",
        "tests/stacks/duplicate",
        "-o",
        "-",
        "--message-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("tests/stacks/duplicate/b.toml:2:8: error[duplicate-service]: Service default/alpha is defined by two stacks (see tests/stacks/duplicate/a.toml:2:8: first defined here)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn output_does_not_depend_on_working_directory_or_argument_order() {
    let baseline = stdout(&run(&["build", "stacks", "-o", "-"]));
    let elsewhere = tempfile::tempdir().unwrap();
    let absolute = root().join("stacks");
    let from_elsewhere = run_in(
        elsewhere.path(),
        &["build", absolute.to_str().unwrap(), "-o", "-"],
    );
    assert_eq!(stdout(&from_elsewhere), baseline);
    let mut files: Vec<String> = std::fs::read_dir(root().join("stacks"))
        .unwrap()
        .map(|e| format!("stacks/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    files.reverse();
    let mut args = vec!["build"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["-o", "-"]);
    assert_eq!(stdout(&run(&args)), baseline);
    let repeated = run(&["build", "stacks", "stacks/qwen.toml", "-o", "-"]);
    assert_eq!(
        stdout(&repeated),
        baseline,
        "a stack named twice is built once"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let work = tempfile::tempdir().unwrap();
    copy_stacks(&work.path().join("stacks"));
    let first = run_in(work.path(), &["build", "stacks", "-o", "out"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = snapshot(&work.path().join("out"));

    fs::copy(
        root().join("tests/stacks/invalid-metric.toml"),
        work.path().join("stacks/broken.toml"),
    )
    .unwrap();
    let failed = run_in(work.path(), &["build", "stacks", "-o", "out"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(stderr(&failed).contains("nothing was written"));
    assert_eq!(
        snapshot(&work.path().join("out")),
        before,
        "output changed after a failed build"
    );
}

#[test]
fn rebuilding_rewrites_nothing_and_removes_only_stale_files_of_its_own() {
    let work = tempfile::tempdir().unwrap();
    copy_stacks(&work.path().join("stacks"));
    assert_eq!(
        run_in(work.path(), &["build", "stacks", "-o", "out"])
            .status
            .code(),
        Some(0)
    );
    let again = run_in(work.path(), &["build", "stacks", "-o", "out"]);
    assert!(
        stderr(&again).contains("0 written, 15 unchanged, 0 removed"),
        "{}",
        stderr(&again)
    );

    fs::write(work.path().join("out/llm/notes.md"), "mine").unwrap();
    fs::remove_file(work.path().join("stacks/deepseek.toml")).unwrap();
    let pruned = run_in(work.path(), &["build", "stacks", "-o", "out"]);
    assert!(stderr(&pruned).contains("removed"), "{}", stderr(&pruned));
    assert!(
        !work
            .path()
            .join("out/llm/service.serving.knative.dev-deepseek-r1.yaml")
            .exists()
    );
    assert!(
        !work
            .path()
            .join("out/_cluster/persistentvolume-deepseek-r1-model.yaml")
            .exists()
    );
    assert_eq!(
        fs::read_to_string(work.path().join("out/llm/notes.md")).unwrap(),
        "mine"
    );
}

#[test]
fn a_directory_inferstack_did_not_create_is_refused() {
    let work = tempfile::tempdir().unwrap();
    fs::create_dir(work.path().join("docs")).unwrap();
    fs::write(work.path().join("docs/README.md"), "keep").unwrap();
    let qwen = root().join("stacks/qwen.toml");
    let output = run_in(
        work.path(),
        &["build", qwen.to_str().unwrap(), "-o", "docs"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("was not created by inferstack"),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read_dir(work.path().join("docs")).unwrap().count(), 1);
}

#[test]
fn invocation_errors_exit_2() {
    let missing = run(&["build", "no/such/stack.toml", "-o", "-"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read no/such/stack.toml"));
    assert_eq!(run(&["build", "--no-such-flag"]).status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let none = run_in(empty.path(), &["build", ".", "-o", "-"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no stack files"));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn diagnostics_have_no_colour_codes_when_not_on_a_terminal() {
    let output = run(&["build", "tests/stacks/invalid-metric.toml", "-o", "-"]);
    assert!(!stderr(&output).contains('\u{1b}'));
    let forced = run(&[
        "build",
        "tests/stacks/invalid-metric.toml",
        "-o",
        "-",
        "--color",
        "always",
    ]);
    assert!(stderr(&forced).contains('\u{1b}'));
}

#[test]
fn init_writes_a_starter_that_builds_and_never_overwrites() {
    let work = tempfile::tempdir().unwrap();
    let created = run_in(work.path(), &["init", "llama"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let text = fs::read_to_string(work.path().join("llama.toml")).unwrap();
    assert!(text.contains("name = \"llama\""));
    let built = run_in(work.path(), &["build", "llama.toml", "-o", "-"]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        stderr(&built).is_empty(),
        "the starter has no warnings: {}",
        stderr(&built)
    );

    fs::write(work.path().join("llama.toml"), "# edited").unwrap();
    let again = run_in(work.path(), &["init", "llama"]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(
        fs::read_to_string(work.path().join("llama.toml")).unwrap(),
        "# edited"
    );
    assert_eq!(
        run_in(work.path(), &["init", "../evil"]).status.code(),
        Some(2)
    );
    let printed = run(&["init", "demo", "-o", "-"]);
    assert!(stdout(&printed).starts_with("# inferstack stack"));
}

/// Every platform, model source and engine has a starter that compiles as it is, with no
/// warning and no note: a first `check` that complains teaches the user to ignore it.
#[test]
fn init_has_a_clean_starter_for_every_profile_source_and_engine() {
    let work = tempfile::tempdir().unwrap();
    for profile in ["ack", "ack-explicit", "gateway-api"] {
        for source in [
            "oss",
            "s3",
            "gs",
            "pvc",
            "hf",
            "s3://acme/meta-llama/Llama-3.1-8B-Instruct",
        ] {
            for engine in ["vllm", "sglang", "custom"] {
                let file = work.path().join("starter.toml");
                let _ = fs::remove_file(&file);
                let args = [
                    "init",
                    "demo",
                    "-o",
                    "starter.toml",
                    "--profile",
                    profile,
                    "--source",
                    source,
                    "--engine",
                    engine,
                ];
                let created = run_in(work.path(), &args);
                assert_eq!(
                    created.status.code(),
                    Some(0),
                    "{args:?}: {}",
                    stderr(&created)
                );
                let text = fs::read_to_string(&file).unwrap();
                assert!(text.contains(&format!("profile = \"{profile}\"")), "{text}");
                if source.contains("://") {
                    assert!(text.contains(&format!("source = \"{source}\"")), "{text}");
                }
                let checked = run_in(
                    work.path(),
                    &["check", "--message-format", "short", "starter.toml"],
                );
                assert_eq!(checked.status.code(), Some(0), "{args:?}");
                let report = stdout(&checked);
                assert_eq!(report.lines().count(), 1, "{args:?}:\n{report}");
                assert!(
                    report.ends_with("; 0 error(s), 0 warning(s)\n"),
                    "{args:?}: {report}"
                );
            }
        }
    }
    let long = "a".repeat(56);
    let refused = run(&["init", &long, "-o", "-"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("is 56 characters; a starter's service name is at most 55"));
    for profile in ["ack", "gateway-api"] {
        let file = format!("longest-{profile}.toml");
        let args = ["init", &long[..55], "-o", &file, "--profile", profile];
        assert_eq!(run_in(work.path(), &args).status.code(), Some(0));
        let checked = run_in(work.path(), &["check", "--message-format", "short", &file]);
        assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    }
    let unknown = run(&["init", "demo", "-o", "-", "--source", "ftp://models/x"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("the schemes are oss, s3, gs, pvc, hf"),
        "{}",
        stderr(&unknown)
    );
}

/// Codes are API: every one is documented in the README's codes table.
#[test]
fn every_code_is_in_the_readme() {
    let readme = std::fs::read_to_string(crate::support::cli::root().join("README.md")).unwrap();
    for code in inferstack::diag::Code::ALL {
        let cell = format!("`{}`", code.as_str());
        assert!(
            readme
                .lines()
                .any(|l| l.starts_with('|') && l.contains(&cell)),
            "{cell} is not in the README's tables"
        );
    }
}

/// The output's reader must never take a failed write for a complete stream.
#[test]
fn a_failed_write_to_stdout_exits_2() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .args(["build", "stacks/qwen.toml", "-o", "-"])
        .current_dir(root())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot write the output"));
}

/// A symbolic link to a stack inside the walked directory is built; one pointing outside is a
/// located error; neither is skipped, since a skipped stack's objects would be pruned.
#[test]
fn symlinked_stacks_are_followed_inside_the_tree_and_refused_outside() {
    let work = tempfile::tempdir().unwrap();
    let stacks = work.path().join("stacks");
    fs::create_dir_all(stacks.join("real")).unwrap();
    fs::copy(
        root().join("stacks/qwen.toml"),
        stacks.join("real/qwen.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(stacks.join("real/qwen.toml"), stacks.join("linked.toml")).unwrap();
    let inside = run(&["check", stacks.to_str().unwrap(), "--format", "json"]);
    assert_eq!(inside.status.code(), Some(1), "{}", stdout(&inside));
    // Followed: the linked stack is built too, and defines the same Service again.
    assert!(
        stdout(&inside).contains("duplicate-service"),
        "{}",
        stdout(&inside)
    );

    let outside = work.path().join("outside.toml");
    fs::copy(root().join("stacks/deepseek.toml"), &outside).unwrap();
    fs::remove_file(stacks.join("linked.toml")).unwrap();
    std::os::unix::fs::symlink(&outside, stacks.join("linked.toml")).unwrap();
    let refused = run(&[
        "check",
        stacks.to_str().unwrap(),
        "--message-format",
        "short",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let text = stdout(&refused);
    assert!(
        text.contains("linked.toml:1:1: error[unreadable-stack]: cannot read this stack: it is a symbolic link to")
            && text.contains("outside"),
        "{text}"
    );
}

/// Devices and FIFOs are refused before they are opened: reading one would hang or never end.
#[test]
fn special_files_are_refused_not_read() {
    let work = tempfile::tempdir().unwrap();
    let fifo = work.path().join("stack.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let output = run(&["check", fifo.to_str().unwrap(), "--message-format", "short"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("it is not a regular file"),
        "{}",
        stdout(&output)
    );
    for flag in ["--crds", "--openapi", "--knative-config"] {
        let output = run(&["validate", "golden/qwen.yaml", flag, "/dev/zero"]);
        assert_eq!(output.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&output).contains("not a regular file"),
            "{flag}: {}",
            stderr(&output)
        );
    }
}

/// Whenever a build is killed, the next build, of another stack set, leaves exactly its own
/// files: nothing of the killed build is orphaned.
#[test]
fn a_killed_build_leaves_no_orphan_for_the_next_one() {
    let work = tempfile::tempdir().unwrap();
    let many = work.path().join("many");
    fs::create_dir_all(&many).unwrap();
    let qwen = fs::read_to_string(root().join("stacks/qwen.toml")).unwrap();
    for i in 0..150 {
        let text = qwen
            .replace("name = \"qwen\"", &format!("name = \"qwen-{i}\""))
            .replace(
                "size = \"30Gi\"",
                &format!("size = \"30Gi\"\nvolume = \"model-{i}\""),
            );
        fs::write(many.join(format!("qwen-{i}.toml")), text).unwrap();
    }
    let out = work.path().join("rendered");
    for delay_ms in [5, 20, 60, 150] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_inferstack"))
            .args(["build", many.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let next = run(&["build", "stacks/deepseek.toml", "-o", out.to_str().unwrap()]);
        assert_eq!(next.status.code(), Some(0), "{}", stderr(&next));
        let listed: Vec<String> = fs::read_to_string(out.join(".inferstack-manifest"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect();
        let mut on_disk = Vec::new();
        for entry in walkdir_files(&out) {
            on_disk.push(entry);
        }
        assert_eq!(on_disk, listed, "after a kill at {delay_ms} ms");
        let check = run(&[
            "build",
            "stacks/deepseek.toml",
            "-o",
            out.to_str().unwrap(),
            "--check",
        ]);
        assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    }
}

/// Every regular file under `dir`, relative and sorted, leaving out inferstack's own hidden
/// files (the manifest and the lock).
fn walkdir_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                pending.push(path);
            } else if !relative.starts_with(".inferstack-") {
                files.push(relative);
            }
        }
    }
    files.sort();
    files
}

/// Completions and manual pages come from the parser's own definitions: every shell's script
/// names the subcommands and flags, bash's parses, and each subcommand has its page.
#[test]
fn completions_and_man_pages_are_generated_from_the_real_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        assert!(
            script.contains("repo-url") && script.contains("validate"),
            "{shell}"
        );
    }
    let bash = stdout(&run(&["completions", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inferstack.bash");
    std::fs::write(&file, bash).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .status()
        .unwrap();
    assert!(syntax.success(), "the bash script does not parse");

    let main = stdout(&run(&["man"]));
    assert!(main.contains(".TH inferstack 1"), "{main}");
    let build = stdout(&run(&["man", "build"]));
    assert!(
        build.contains(".TH inferstack-build 1") && build.contains("repo\\-url"),
        "{build}"
    );
    let unknown = run(&["man", "biuld"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("`biuld` is no subcommand; the pages are: build, check"));
}

/// The cold-start advice fits the server: a CPU stack is not told about GPU model servers.
#[test]
fn the_cold_start_help_fits_a_cpu_server() {
    let output = run(&[
        "check",
        "--message-format",
        "short",
        "tests/rules/cold-start-exceeds-queue/cpu.toml",
    ]);
    let text = stdout(&output);
    assert!(
        text.contains("; help: keep one replica warm (`scaling.min = 1`), or lower `engine.startup_timeout` to what loading this model on CPU takes"),
        "{text}"
    );
    assert!(!text.contains("GPU model server"), "{text}");
}

/// One cause, one finding: a gateway-api stack copied under another name defines its nine
/// objects twice, and is told so once, at the service name, with the others counted.
#[test]
fn a_copied_stack_is_one_duplicate_finding() {
    let work = tempfile::tempdir().unwrap();
    for name in ["a.toml", "b.toml"] {
        fs::copy(root().join("stacks/qwen-hub.toml"), work.path().join(name)).unwrap();
    }
    let output = run_in(work.path(), &["check", "--message-format", "short", "."]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error[")).collect();
    assert_eq!(
        errors,
        [
            "b.toml:7:8: error[duplicate-service]: Service llm/qwen-7b is defined by two stacks, and so are 8 more of their objects: InferencePool llm/qwen-7b, InferenceObjective llm/qwen-7b, HTTPRoute llm/qwen-7b, Deployment llm/qwen-7b-epp, Service llm/qwen-7b-epp, ServiceAccount llm/qwen-7b-epp, Role llm/qwen-7b-epp, RoleBinding llm/qwen-7b-epp (see a.toml:7:8: first defined here); help: each service needs its own name in its namespace: rename one of them"
        ]
    );
}

/// `HF_TOKEN` from `model.credentials` and the same Secret key in `secret_env` are one
/// reference: accepted, and the server gets the variable once (another key stays an error,
/// `tests/stacks/invalid-env.toml`).
#[test]
fn the_same_secret_reference_twice_is_one_variable() {
    let work = tempfile::tempdir().unwrap();
    let stack = fs::read_to_string(root().join("stacks/qwen-hub.toml"))
        .unwrap()
        .replace(
            "env = { HF_HUB_ENABLE_HF_TRANSFER = \"1\" }",
            "env = { HF_HUB_ENABLE_HF_TRANSFER = \"1\" }\nsecret_env = { HF_TOKEN = \"hf-token/token\" }",
        );
    assert!(stack.contains("secret_env"));
    fs::write(work.path().join("qwen.toml"), stack).unwrap();
    let output = run_in(work.path(), &["build", "qwen.toml", "-o", "-"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).matches("name: HF_TOKEN\n").count(), 1);
}

/// A conflict between two stacks is located in both: the finding at one route's hostname,
/// a second label at the other's, in its own file.
#[test]
fn a_route_conflict_names_the_other_stack_and_line() {
    let work = tempfile::tempdir().unwrap();
    let stack = fs::read_to_string(root().join("stacks/qwen-hub.toml")).unwrap();
    for name in ["alpha", "beta"] {
        let text = stack
            .replace(
                "name = \"qwen-7b\"",
                &format!("name = \"{name}\"\nhostname = \"chat.example.com\""),
            )
            .replace("qwen-7b-cache", &format!("{name}-cache"));
        fs::write(work.path().join(format!("{name}.toml")), text).unwrap();
    }
    let output = run_in(work.path(), &["check", "--message-format", "short", "."]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("beta.toml:8:12: error[route-conflict]: HTTPRoute llm/beta at /spec/hostnames: it matches the same requests as HTTPRoute llm/alpha on listener \"default\" of Gateway envoy-gateway-system/inference-gateway; the Gateway sends them all to the older route, so one model is never reached (see alpha.toml:8:12: the other route is defined here)"),
        "{}",
        stdout(&output)
    );
}

/// The README's `check` heading lists every report format the flag takes.
#[test]
fn the_readme_lists_every_check_format() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let heading = readme
        .lines()
        .find(|l| l.starts_with("### `inferstack check "))
        .unwrap();
    for format in <inferstack::report::Format as clap::ValueEnum>::value_variants() {
        let name = clap::ValueEnum::to_possible_value(format).unwrap();
        assert!(
            heading.contains(name.get_name()),
            "{heading} lacks {}",
            name.get_name()
        );
    }
}
