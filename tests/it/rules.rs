//! The rule catalogue, tested from the outside. Every rule of the inference families (and the
//! reference rules) has a directory `tests/rules/<code>/` with a `trigger` input that must
//! produce it, at the place and with the numbers its `# expect: <severity> <line>:<col> <text>`
//! header states, and an `inside` input just within the limit that must not. Stacks (`.toml`,
//! most extending `tests/rules/base.toml`) go through `check`, manifests (`.yaml`) through
//! `validate --cross`. The README's rule table is generated from the catalogue.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::cli::{root, run, stdout};
use inferstack::diag::Code;
use inferstack::diag::Family;
use inferstack::rules::catalog;

/// The input of one side of a rule's test, and the command that checks it.
fn input(dir: &Path, side: &str) -> (String, Vec<&'static str>) {
    for (ext, command) in [
        ("toml", vec!["check"]),
        ("yaml", vec!["validate", "--cross"]),
    ] {
        let path = dir.join(format!("{side}.{ext}"));
        if path.exists() {
            let relative = path
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            return (relative, command);
        }
    }
    panic!("{} has no {side}.toml or {side}.yaml", dir.display());
}

fn check(path: &str, command: &[&str], format: &str) -> (Option<i32>, String) {
    let mut args = command.to_vec();
    args.extend([path, "--message-format", format]);
    let output = run(&args);
    (output.status.code(), stdout(&output))
}

fn rule_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root().join("tests/rules"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_rule_fires_on_its_trigger_and_not_just_inside_the_limit() {
    let mut failures = Vec::new();
    for dir in rule_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let code = catalog::parse(&name).unwrap_or_else(|| panic!("{name} is not a code"));
        let (trigger, command) = input(&dir, "trigger");
        let text = fs::read_to_string(root().join(&trigger)).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{trigger} has no `# expect:` line");
        let (status, short) = check(&trigger, &command, "short");
        let (_, human) = check(&trigger, &command, "human");
        let mut problems = Vec::new();
        let mut error = false;
        for expect in &expects {
            let mut parts = expect.splitn(3, ' ');
            let (severity, place, fragment) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap_or(""),
            );
            error |= severity == "error";
            let prefix = format!("{trigger}:{place}: {severity}[{}]: ", code.as_str());
            if !short
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(fragment))
            {
                problems.push(format!("no `{prefix}...{fragment}...`"));
            }
            if !human.contains(&format!("[{trigger}:{place}]")) {
                problems.push(format!("the human output has no frame at {place}"));
            }
        }
        let found = short
            .lines()
            .filter(|l| l.contains(&format!("[{}]: ", code.as_str())))
            .count();
        if found != expects.len() {
            problems.push(format!(
                "{found} findings of the code, want {}",
                expects.len()
            ));
        }
        if status != Some(if error { 1 } else { 0 }) {
            problems.push(format!("exit {status:?}"));
        }
        let (inside, command) = input(&dir, "inside");
        let (status, short) = check(&inside, &command, "short");
        if status != Some(0) || short.contains(": error[") || short.contains(": warning[") {
            problems.push(format!("{inside} is not clean (exit {status:?}):\n{short}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name}:\n  {}\n--- trigger:\n{short}",
                problems.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every rule of the inference families has its pair of inputs, and so do the reference rules
/// inferstack checks between objects; at least 25 rules in all.
#[test]
fn the_catalogue_is_covered() {
    let tested: Vec<String> = rule_dirs()
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for code in Code::ALL {
        let family = code.family();
        let must = matches!(
            family,
            Family::Memory
                | Family::Time
                | Family::Autoscaling
                | Family::Serving
                | Family::Shutdown
        );
        if must {
            assert!(
                tested.iter().any(|t| t == code.as_str()),
                "{} has no tests/rules/{0}/",
                code.as_str()
            );
        }
    }
    assert!(tested.len() >= 25, "{} rules tested", tested.len());
}

/// A `config.json` the stack points to supplies an architecture the built-in table lacks: its
/// numbers reach the memory and context rules (Qwen2-7B-Instruct's, 7.62e9 parameters, on a
/// T4).
#[test]
fn a_model_config_supplies_the_architecture() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(
        root().join("tests/rules/model-config-unreadable/config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    let base = fs::read_to_string(root().join("tests/rules/base.toml")).unwrap();
    let stack = base
        .replace("Llama-3.1-8B-Instruct", "chat-7b")
        .replace("max_model_len = 8192", "max_model_len = 32769")
        .replace("NVIDIA-H100-80GB-HBM3", "Tesla-T4")
        .replace(
            "size = \"20Gi\"",
            "size = \"20Gi\"\nconfig = \"config.json\"",
        );
    fs::write(dir.path().join("chat.toml"), stack).unwrap();
    let output = crate::support::cli::run_in(
        dir.path(),
        &["check", "chat.toml", "--message-format", "short"],
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("error[context-exceeds-model]: `engine.max_model_len` = 32769 is longer than the model's context of 32768 tokens"), "{text}");
    assert!(
        text.contains(
            "error[weights-exceed-gpu]: the weights alone need 14.19 GiB per GPU (7.62e9 parameters"
        ),
        "{text}"
    );
    assert!(!text.contains("model-facts-unknown"), "{text}");
}

/// A flag the image's vLLM release no longer has is refused; the release before it is fine.
#[test]
fn a_flag_removed_from_the_image_release_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let base = fs::read_to_string(root().join("tests/rules/base.toml")).unwrap();
    // 0.12.0 still accepted it (deprecated): the wheels of 0.10.1 to 0.16.0 register it, 0.17.0
    // does not. An earlier table said 0.12.0, after the deprecation message's promise.
    for (tag, refused) in [("v0.17.0", true), ("v0.16.0", false)] {
        let stack = base.replace("v0.10.1.1", tag).replace(
            "max_model_len = 8192",
            "max_model_len = 8192\nextra_args = [\"--disable-log-requests\"]",
        );
        fs::write(dir.path().join("llama.toml"), stack).unwrap();
        let output = crate::support::cli::run_in(
            dir.path(),
            &["check", "llama.toml", "--message-format", "short"],
        );
        let text = stdout(&output);
        let line = "llama.toml:16:15: error[engine-flag-version]: `--disable-log-requests` is not a flag of vLLM 0.17.0, the image's release: 0.17.0 removed it";
        assert_eq!(text.contains(line), refused, "{tag}: {text}");
        let deprecated = "llama.toml:16:15: warning[engine-flag-version]: `--disable-log-requests` is deprecated since vLLM 0.10.1 (the image has 0.16.0)";
        assert_eq!(text.contains(deprecated), !refused, "{tag}: {text}");
        assert_eq!(
            output.status.code(),
            Some(i32::from(refused)),
            "{tag}: {text}"
        );
    }
}

/// The example stacks are clean under every rule: no error and no warning, in every environment
/// of the fleet (notes are allowed: the seed's model has no built-in architecture).
#[test]
fn the_example_stacks_are_clean() {
    for args in [
        vec!["check", "stacks", "--message-format", "short"],
        vec![
            "check",
            "examples/fleet",
            "--env",
            "all",
            "--message-format",
            "short",
        ],
    ] {
        let output = run(&args);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {text}");
        assert!(
            !text.contains(": error[") && !text.contains(": warning["),
            "{args:?}: {text}"
        );
        assert!(
            text.contains("0 error(s), 0 warning(s)"),
            "{args:?}: {text}"
        );
    }
}

/// The README's table of codes is the catalogue's; `INFERSTACK_BLESS=1` rewrites it.
#[test]
fn the_readme_rule_table_is_the_catalogue() {
    crate::support::readme::generated_section(
        "<!-- rules: generated from src/rules/catalog.rs and src/diag/code.rs; INFERSTACK_BLESS=1 cargo test --test it rules:: rewrites it -->\n",
        "<!-- end rules -->",
        &catalog::readme_table(),
    );
}

/// `explain` answers for every code, and says what it does not know.
#[test]
fn explain_answers_every_code() {
    for code in Code::ALL {
        let output = run(&["explain", code.as_str()]);
        assert_eq!(output.status.code(), Some(0), "{}", code.as_str());
        let text = stdout(&output);
        assert!(
            text.contains(catalog::explanation(code).unwrap()),
            "{}",
            code.as_str()
        );
    }
    let unknown = run(&["explain", "gpu-memory-fitt"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(crate::support::cli::stderr(&unknown).contains("did you mean `gpu-memory-fit`"));
}
