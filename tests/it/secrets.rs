//! No report ever prints a credential: not in a code frame next to a TOML syntax error, not in
//! a finding about a Kubernetes Secret (in any report format), not from `--repo-url`.

use std::fs;

use crate::support::cli::{run, stderr, stdout};

const VALUE: &str = "SuperSecretValue1234";

fn every_output(args: &[&str]) -> String {
    let mut all = String::new();
    for format in [
        &["--message-format", "human"][..],
        &["--message-format", "short"][..],
    ] {
        let mut with = args.to_vec();
        with.extend(format);
        let output = run(&with);
        all.push_str(&stdout(&output));
        all.push_str(&stderr(&output));
    }
    all
}

#[test]
fn a_syntax_error_next_to_a_credential_does_not_show_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.toml");
    fs::write(
        &path,
        format!("[service]\nname = \"qwen\"\n[model]\ncredentials = {{ akSecret = \"{VALUE}\"\nsource = \"oss://b-1/m\"\nurl = \"http://user:{VALUE}@host/x\"\n"),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    for command in ["build", "check"] {
        let text = every_output(&[command, path]);
        assert!(text.contains("toml-syntax"), "{text}");
        assert!(!text.contains(VALUE), "{text}");
    }
}

#[test]
fn findings_about_a_secret_never_echo_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.yaml");
    fs::write(
        &path,
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: default\ndata:\n  password: 12345678\nstringData:\n  api: [\"{VALUE}\"]\nunknownField: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  k: 1\n"),
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let mut text = every_output(&["validate", path]);
    for format in ["json", "github", "sarif", "junit", "tap"] {
        let output = run(&["validate", path, "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}");
        text.push_str(&stdout(&output));
    }
    assert!(
        text.contains("/stringData/api: <redacted> is not of type"),
        "{text}"
    );
    // The ConfigMap's finding is shown with its own document only, not the Secret's lines.
    assert!(text.contains("ConfigMap default/c at /data/k"), "{text}");
    for secret in [VALUE, "12345678"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[test]
fn a_repository_url_with_a_token_is_refused_without_printing_it() {
    let out = tempfile::tempdir().unwrap();
    let token = "glpat-abcdefghijklmnopqrstuv";
    let url = format!("https://oauth2:{token}@gitlab.example.com/acme/infra.git");
    let output = run(&[
        "build",
        "stacks/qwen.toml",
        "-o",
        out.path().to_str().unwrap(),
        "--gitops",
        "flux",
        "--repo-url",
        &url,
        "--revision",
        "main",
        "--repo-path",
        "rendered",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("the repository URL holds a"), "{text}");
    assert!(!text.contains(token) && !text.contains("oauth2"), "{text}");
    assert_eq!(
        fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// Inline credentials get the help of their source (what that driver or engine reads, with
/// the key names) and a code frame at the `credentials` key in which no value shows: every
/// string and comment of the frame is masked, credential-shaped or not.
#[test]
fn inline_credentials_are_framed_masked_with_the_help_of_their_source() {
    let cases = [
        ("oss://acme-models/qwen", "keys akId and akSecret"),
        (
            "s3://acme-models/qwen",
            "Mountpoint for Amazon S3 reads no Secret per volume",
        ),
        ("gs://acme-models/qwen", "GKE Workload Identity"),
        (
            "hf://Qwen/Qwen2.5-7B-Instruct",
            "whose key `token` holds the hub token",
        ),
        ("pvc://weights/qwen", "a claim needs no credentials"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (source, help) in cases {
        let path = dir.path().join("stack.toml");
        fs::write(
            &path,
            format!("[service]\nname = \"qwen\"\n[model]\nsource = \"{source}\"\ncredentials = {{ id = \"plainid\", key = \"{VALUE}\" }} # hunter2\n"),
        )
        .unwrap();
        let path = path.to_str().unwrap();
        let human = stdout(&run(&["check", path]));
        assert!(human.contains("credentials-in-stack"), "{human}");
        assert!(
            human.contains(
                "5 │ credentials = { id = \"*******\", key = \"********************\" } #********"
            ),
            "{source}: {human}"
        );
        assert!(!human.contains("value not shown"), "{human}");
        let short = stdout(&run(&["check", "--message-format", "short", path]));
        assert!(
            short.contains(":5:1: error[credentials-in-stack]"),
            "{short}"
        );
        // The short line holds the whole help (the human one wraps it).
        assert!(short.contains(help), "{source}: {short}");
        for text in [&human, &short] {
            for value in [VALUE, "plainid", "hunter2"] {
                assert!(!text.contains(value), "{source}: {value} in {text}");
            }
        }
    }
}
