//! Production traffic through the real binary: HTTPS and its redirect, several models on one
//! host, served model names and Namespaces.

use std::fs;
use std::path::Path;

use crate::support::cli::{repo, run_in, stderr, stdout};

const GATEWAY: &str = "[gateway]\nname = \"public\"\nnamespace = \"llm-gateway\"\nclass = \"envoy-gateway\"\nprovider = \"envoy-gateway\"\nredirect_http = true\nlisteners = { http = 80, https = { port = 8443, hostname = \"llm.acme.dev\", tls = \"acme-tls\" } }\n";

fn stack(name: &str, extra: &str) -> String {
    format!(
        "profile = \"gateway-api\"\n[service]\nname = \"{name}\"\nnamespace = \"llm\"\nhostname = \"llm.acme.dev\"\n{extra}\n[model]\nsource = \"s3://acme-models/{name}\"\nregion = \"us-east-1\"\nvolume = \"{name}-weights\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n{GATEWAY}"
    )
}

fn build(dir: &Path) -> (Option<i32>, String, String) {
    let output = run_in(
        dir,
        &["build", "stacks", "-o", "-", "--message-format", "short"],
    );
    (output.status.code(), stdout(&output), stderr(&output))
}

#[test]
fn the_redirect_names_the_https_port_when_it_is_not_443() {
    let dir = repo(&[("stacks/a.toml", &stack("a", ""))]);
    let (code, yaml, err) = build(dir.path());
    assert_eq!(code, Some(0), "{err}");
    assert!(
        yaml.contains(
            "requestRedirect:\n        scheme: https\n        port: 8443\n        statusCode: 301\n"
        ),
        "{yaml}"
    );
    // The route attaches to the HTTPS listener, the default when there is one.
    assert!(yaml.contains("sectionName: https\n"), "{yaml}");
}

#[test]
fn two_models_on_one_host_need_their_own_paths() {
    let same = repo(&[
        ("stacks/a.toml", &stack("a", "")),
        ("stacks/b.toml", &stack("b", "")),
    ]);
    let (code, _, err) = build(same.path());
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("error[route-conflict]"), "{err}");

    let paths = repo(&[
        ("stacks/a.toml", &stack("a", "path = \"/a\"")),
        ("stacks/b.toml", &stack("b", "path = \"/b/\"")),
    ]);
    let (code, yaml, err) = build(paths.path());
    assert_eq!(code, Some(0), "{err}");
    // A trailing slash is the same prefix; the prefix becomes `/` for the server.
    assert!(
        yaml.contains("type: PathPrefix\n        value: /b\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("type: URLRewrite\n      urlRewrite:\n        path:\n          type: ReplacePrefixMatch\n          replacePrefixMatch: /\n"),
        "{yaml}"
    );
}

#[test]
fn namespaces_are_emitted_once_unless_turned_off() {
    let dir = repo(&[
        ("stacks/a.toml", &stack("a", "path = \"/a\"")),
        ("stacks/b.toml", &stack("b", "path = \"/b\"")),
    ]);
    let (code, yaml, err) = build(dir.path());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(yaml.matches("kind: Namespace\n").count(), 2, "{yaml}");
    assert!(
        yaml.contains("kustomize.toolkit.fluxcd.io/prune: disabled\n"),
        "{yaml}"
    );

    fs::write(
        dir.path().join("inferstack.toml"),
        "create_namespaces = false\n",
    )
    .unwrap();
    let (code, yaml, err) = build(dir.path());
    assert_eq!(code, Some(0), "{err}");
    assert!(!yaml.contains("kind: Namespace\n"), "{yaml}");
}

#[test]
fn sglang_serves_one_name_and_vllm_keeps_the_path_as_a_second() {
    let sglang = stack("a", "").replace(
        "image = \"vllm/vllm-openai:v0.10.1.1\"\n",
        "kind = \"sglang\"\nimage = \"lmsysorg/sglang:v0.5.10\"\nserved_model_name = \"qwen\"\n",
    );
    let dir = repo(&[("stacks/a.toml", &sglang)]);
    let (code, yaml, err) = build(dir.path());
    assert_eq!(code, Some(0), "{err}");
    assert!(
        yaml.contains("- --served-model-name\n        - qwen\n        command:"),
        "{yaml}"
    );

    let dir = repo(&[("stacks/a.toml", &stack("a", ""))]);
    let (_, yaml, _) = build(dir.path());
    assert!(
        yaml.contains("- --served-model-name\n        - a\n        - /models/a/\n"),
        "{yaml}"
    );
}
