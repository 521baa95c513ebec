//! Every file `tests/stacks/invalid-*.toml` states the diagnostics it must produce in header
//! lines `# expect: <code> <line>:<col> <text in the message or help>` (errors) and
//! `# expect-warning: ...` (warnings). Each must fail with exit 1, print nothing on stdout, and
//! report exactly those errors at those places (and those warnings, where it states any).

use std::fs;

use crate::support::cli::{root, run, stderr, stdout};

struct Expect {
    /// `error` or `warning`.
    severity: &'static str,
    code: String,
    location: String,
    text: String,
}

fn expectations(text: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| {
            l.strip_prefix("# expect: ")
                .map(|rest| ("error", rest))
                .or_else(|| l.strip_prefix("# expect-warning: ").map(|r| ("warning", r)))
        })
        .map(|(severity, l)| {
            let mut parts = l.splitn(3, ' ');
            Expect {
                severity,
                code: parts.next().unwrap().to_owned(),
                location: parts.next().unwrap().to_owned(),
                text: parts.next().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

#[test]
fn every_invalid_stack_reports_its_diagnostics_at_their_locations() {
    let mut files: Vec<_> = fs::read_dir(root().join("tests/stacks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("invalid-")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 30, "the corpus lost files: {}", files.len());
    let mut failures = Vec::new();
    for path in files {
        let relative = format!(
            "tests/stacks/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let expected = expectations(&fs::read_to_string(&path).unwrap());
        assert!(!expected.is_empty(), "{relative} has no `# expect:` line");

        let short = run(&["build", &relative, "-o", "-", "--message-format", "short"]);
        let human = run(&["build", &relative, "-o", "-"]);
        let (short_err, human_err) = (stderr(&short), stderr(&human));
        let mut problems = Vec::new();
        if short.status.code() != Some(1) || human.status.code() != Some(1) {
            problems.push(format!(
                "exit codes {:?}/{:?}, want 1",
                short.status.code(),
                human.status.code()
            ));
        }
        if !stdout(&short).is_empty() || !stdout(&human).is_empty() {
            problems.push("stdout is not empty".to_owned());
        }
        for severity in ["error", "warning"] {
            let found = short_err
                .lines()
                .filter(|l| l.contains(&format!(": {severity}[")))
                .count();
            let wanted = expected.iter().filter(|e| e.severity == severity).count();
            // Warnings are counted in the files that state any.
            if found != wanted && (severity == "error" || wanted > 0) {
                problems.push(format!("{found} {severity}s, want {wanted}"));
            }
        }
        for e in &expected {
            let prefix = format!("{relative}:{}: {}[{}]: ", e.location, e.severity, e.code);
            if !short_err.lines().any(|l| l.starts_with(&prefix)) {
                problems.push(format!("no `{prefix}`"));
            }
            if !human_err.contains(&e.text) {
                problems.push(format!("human output lacks {:?}", e.text));
            }
            let frame = format!("[{relative}:{}]", e.location);
            if e.code != "credentials-in-stack" && !human_err.contains(&frame) {
                problems.push(format!("human output lacks the frame {frame}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{relative}:\n  {}\n--- short:\n{short_err}--- human:\n{human_err}",
                problems.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn credentials_are_never_echoed() {
    let output = run(&[
        "build",
        "tests/stacks/invalid-credentials-key.toml",
        "-o",
        "-",
    ]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(text.contains("credentials-in-stack"));
    for secret in ["LTAI5tExampleKeyId1234", "s3cr3tExampleValueDoNotPrint"] {
        assert!(
            !text.contains(secret),
            "the secret {secret} leaked:\n{text}"
        );
    }
    let url = stderr(&run(&[
        "build",
        "tests/stacks/invalid-credentials-url.toml",
        "-o",
        "-",
    ]));
    assert!(!url.contains("hunter2"), "{url}");
}

#[test]
fn unreadable_files_are_located_problems_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("junk.toml"), [0xff, 0xfe, 0x00, 0x80, 0x81]).unwrap();
    fs::write(dir.path().join("huge.toml"), "# x\n".repeat(300_000)).unwrap();
    fs::write(dir.path().join("empty.toml"), "").unwrap();
    let output = crate::support::cli::run_in(
        dir.path(),
        &["build", ".", "-o", "-", "--message-format", "short"],
    );
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "junk.toml:1:1: error[unreadable-stack]: cannot read this stack: it is not UTF-8 text"
        ),
        "{text}"
    );
    assert!(text.contains("huge.toml:1:1: error[unreadable-stack]: cannot read this stack: it is larger than 1 MiB"), "{text}");
    assert!(
        text.contains("empty.toml:1:1: error[missing-key]: `service.name` is required"),
        "{text}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn warnings_do_not_fail_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let stack = fs::read_to_string(root().join("tests/stacks/valid-minimal.toml"))
        .unwrap()
        .replace("credentials = \"oss-secret\"\n", "")
        .replace("-internal", "");
    fs::write(dir.path().join("public.toml"), stack).unwrap();
    let output = crate::support::cli::run_in(
        dir.path(),
        &[
            "build",
            "public.toml",
            "-o",
            "-",
            "--message-format",
            "short",
        ],
    );
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains("public.toml:5:1: warning[missing-credentials]"),
        "{text}"
    );
    assert!(
        text.contains("public.toml:7:12: warning[public-endpoint]"),
        "{text}"
    );
    assert!(stdout(&output).contains("kind: PersistentVolume"));
}
