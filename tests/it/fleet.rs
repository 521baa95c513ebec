//! Fleets: layers (`extends`), environments (`[env.NAME]`, `--env`), the workspace file, and
//! the rules that only a fleet can break (routes and volumes shared by stacks). Each test lays
//! out a small repository in a temporary directory and runs the real binary in it.

use std::fs;
use std::path::Path;

use crate::support::cli::{repo, run_in, stderr, stdout};

/// A complete stack but for what the test varies.
fn stack(name: &str, extra: &str) -> String {
    format!(
        "profile = \"gateway-api\"\n[service]\nname = \"{name}\"\nnamespace = \"llm\"\n[model]\nsource = \"s3://acme-models/{name}\"\nregion = \"us-east-1\"\nvolume = \"{name}-weights\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n{extra}"
    )
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["check", "--message-format", "short"];
    all.extend_from_slice(args);
    let output = run_in(dir, &all);
    (output.status.code(), stdout(&output) + &stderr(&output))
}

#[test]
fn a_value_from_a_base_layer_is_located_in_the_base_and_names_the_layers() {
    let dir = repo(&[
        ("base/scale.toml", "[scaling]\nmin = 5\n"),
        (
            "stacks/qwen.toml",
            &("extends = \"../base/scale.toml\"\n".to_owned()
                + &stack("qwen", "[scaling]\nmax = 2\n")),
        ),
    ]);
    let (code, text) = check(dir.path(), &["stacks"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("base/scale.toml:2:7: error[scale-bounds]"),
        "{text}"
    );
    // The note is where the problem is in a layer, and only there.
    let note = "base/scale.toml is a layer of stacks/qwen.toml (layers applied: base/scale.toml, then stacks/qwen.toml)";
    let in_layer: Vec<&str> = text.lines().filter(|l| l.contains(note)).collect();
    assert_eq!(in_layer.len(), 1, "{text}");
    assert!(in_layer[0].starts_with("base/scale.toml:2:7:"), "{text}");
}

#[test]
fn environments_override_every_layer_and_name_volumes_apart() {
    let dir = repo(&[
        (
            "stacks/inferstack.toml",
            "environments = [\"dev\", \"prod\"]\n[env.prod]\nservice = { namespace = \"llm-prod\" }\n",
        ),
        (
            "stacks/base.toml",
            "[scaling]\nmax = 2\n[env.prod]\nscaling = { max = 6 }\n",
        ),
        (
            "stacks/qwen.toml",
            &("extends = \"base.toml\"\n".to_owned()
                + &stack(
                    "qwen",
                    "[scaling]\nmax = 3\n[env.prod]\nscaling = { min = 2 }\n",
                )),
        ),
    ]);
    let output = run_in(
        dir.path(),
        &["build", "stacks", "--env", "dev,prod", "-o", "out"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let service = |env: &str, ns: &str| {
        fs::read_to_string(dir.path().join(format!(
            "out/{env}/{ns}/service.serving.knative.dev-qwen.yaml"
        )))
        .unwrap()
    };
    // dev: the stack's own max wins over the base's; prod: the base's [env.prod] wins over
    // every top level, and the stack's [env.prod] adds its min.
    assert!(service("dev", "llm").contains("max-scale: \"3\""));
    let prod = service("prod", "llm-prod");
    assert!(
        prod.contains("max-scale: \"6\"") && prod.contains("min-scale: \"2\""),
        "{prod}"
    );
    assert!(
        dir.path()
            .join("out/prod/_cluster/persistentvolume-qwen-weights-prod.yaml")
            .exists()
    );
    // The base layer is not a stack of its own, and the workspace is not either.
    assert!(
        stderr(&output).contains("built 1 stack(s)"),
        "{}",
        stderr(&output)
    );
    // diff understands the per-environment tree.
    let diff = run_in(
        dir.path(),
        &["diff", "stacks", "--env", "dev,prod", "--against", "out"],
    );
    assert_eq!(diff.status.code(), Some(0), "{}", stdout(&diff));
}

#[test]
fn an_unknown_environment_is_refused_with_a_suggestion() {
    let dir = repo(&[
        (
            "stacks/inferstack.toml",
            "environments = [\"staging\", \"prod\"]\n",
        ),
        (
            "stacks/qwen.toml",
            &stack("qwen", "[env.prdo]\nscaling = { min = 2 }\n"),
        ),
    ]);
    let output = run_in(dir.path(), &["check", "stacks", "--env", "stagign"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("did you mean `staging`?"),
        "{}",
        stderr(&output)
    );
    let (code, text) = check(dir.path(), &["stacks", "--env", "staging"]);
    assert_eq!(code, Some(1));
    assert!(
        text.contains("stacks/qwen.toml:11:6: error[unknown-environment]: environment `prdo` is not in the workspace's `environments`"),
        "{text}"
    );
}

/// A workspace that lists environments has no build without one: the stacks alone (namespace
/// `default`, hosts without an environment) are deployed nowhere. `default_environment`
/// names the one a bare run compiles; `ARGOCD_ENV_ENVIRONMENT` is `--env` for the plugin.
#[test]
fn a_fleet_with_environments_needs_one_named() {
    let workspace = "environments = [\"staging\", \"prod\"]\n[env.staging]\nservice = { namespace = \"llm-staging\" }\n";
    let dir = repo(&[
        ("stacks/inferstack.toml", workspace),
        ("stacks/qwen.toml", &stack("qwen", "")),
    ]);
    let commands: [&[&str]; 4] = [
        &["check", "stacks"],
        &["build", "stacks", "-o", "-"],
        &["build", "stacks", "--check", "-o", "out"],
        &["diff", "stacks", "--against", "."],
    ];
    for command in commands {
        let output = run_in(dir.path(), command);
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert_eq!(
            stderr(&output),
            "error: the workspace lists the environments prod, staging, and no --env names one: a build without environment is none of them (its namespaces and hosts are the stacks' defaults); pass --env NAME (comma-separated, or `all`), set ARGOCD_ENV_ENVIRONMENT in the Argo CD plugin's environment, or set `default_environment` in inferstack.toml\n",
            "{command:?}"
        );
    }
    let plugin = std::process::Command::new(env!("CARGO_BIN_EXE_inferstack"))
        .current_dir(dir.path())
        .env("ARGOCD_ENV_ENVIRONMENT", "staging")
        .args(["build", "stacks", "-o", "-"])
        .output()
        .unwrap();
    assert!(
        stdout(&plugin).contains("namespace: llm-staging"),
        "{}",
        stderr(&plugin)
    );
    fs::write(
        dir.path().join("stacks/inferstack.toml"),
        format!("default_environment = \"staging\"\n{workspace}"),
    )
    .unwrap();
    let bare = run_in(dir.path(), &["build", "stacks", "-o", "-"]);
    assert_eq!(bare.status.code(), Some(0), "{}", stderr(&bare));
    assert!(stdout(&bare).contains("namespace: llm-staging"));
}

#[test]
fn layer_cycles_and_missing_layers_are_located() {
    let dir = repo(&[
        (
            "stacks/a.toml",
            &("extends = [\"b.toml\", \"gone.toml\"]\n".to_owned() + &stack("a", "")),
        ),
        ("stacks/b.toml", "extends = \"a.toml\"\n"),
        (
            "stacks/c.toml",
            &("extends = \"/etc/passwd.toml\"\n".to_owned() + &stack("c", "")),
        ),
        (
            "stacks/d.toml",
            &("extends = \"../../outside.toml\"\n".to_owned() + &stack("d", "")),
        ),
    ]);
    fs::write(dir.path().join("../outside.toml"), "").ok();
    let (code, text) = check(dir.path(), &["stacks"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("stacks/a.toml:1:22: error[layer-not-found]: cannot read layer `gone.toml`"),
        "{text}"
    );
    assert!(
        text.contains("error[layer-cycle]: `extends` makes a cycle"),
        "{text}"
    );
    assert!(
        text.contains("stacks/c.toml:1:11: error[layer-not-found]"),
        "{text}"
    );
    assert!(
        text.contains("stacks/d.toml:1:11: error[layer-not-found]"),
        "{text}"
    );
}

#[test]
fn two_routes_for_the_same_host_are_a_conflict_naming_both() {
    let host = "[service]\n";
    let dir = repo(&[
        (
            "stacks/a.toml",
            &stack("a", "").replace(host, "[service]\nhostname = \"chat.example.com\"\n"),
        ),
        (
            "stacks/b.toml",
            &stack("b", "").replace(host, "[service]\nhostname = \"chat.example.com\"\n"),
        ),
        ("stacks/c.toml", &stack("c", "")),
    ]);
    let (code, text) = check(dir.path(), &["stacks"]);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(text.matches("error[route-conflict]").count(), 1, "{text}");
    assert!(text.contains("HTTPRoute llm/a"), "{text}");
    assert!(
        text.contains("stacks/b.toml:3:12: error[route-conflict]"),
        "{text}"
    );
}

#[test]
fn every_route_sets_the_objective_header_of_its_stack() {
    let dir = repo(&[("stacks/a.toml", &stack("a", "[inference]\npriority = 5\n"))]);
    let output = run_in(dir.path(), &["build", "stacks", "-o", "-"]);
    let yaml = stdout(&output);
    // llm-d-router v0.10.0's current name (`pkg/epp/metadata/consts.go`, PR #1161); the
    // deprecated one it still reads is removed from the client's request with the others.
    assert!(
        yaml.contains("- name: x-llm-d-inference-objective\n          value: a\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("remove:\n        - x-gateway-inference-objective\n        - x-llm-d-inference-fairness-id\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("hostnames:\n  - a.llm.svc.cluster.local\n"),
        "{yaml}"
    );
}

#[test]
fn one_volume_claimed_from_two_namespaces_is_an_error() {
    let oss = |name: &str, namespace: &str| {
        format!(
            "[service]\nname = \"{name}\"\nnamespace = \"{namespace}\"\n[model]\nsource = \"oss://models/qwen\"\nendpoint = \"http://oss-cn-hangzhou-internal.aliyuncs.com\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n"
        )
    };
    let dir = repo(&[
        ("stacks/a.toml", &oss("a", "team-a")),
        ("stacks/b.toml", &oss("b", "team-b")),
    ]);
    let (code, text) = check(dir.path(), &["stacks"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("error[volume-claimed-twice]: PersistentVolumeClaim team-b/llm-model at /spec/selector: PersistentVolume llm-model would also be bound by PersistentVolumeClaim team-a/llm-model"),
        "{text}"
    );
}

#[test]
fn two_environments_in_one_namespace_of_one_cluster_collide() {
    let dir = repo(&[
        (
            "stacks/inferstack.toml",
            "environments = [\"dev\", \"qa\", \"prod\"]\n[env.prod]\ngitops = { cluster = \"prod\" }\n",
        ),
        ("stacks/qwen.toml", &stack("qwen", "")),
    ]);
    let (code, text) = check(dir.path(), &["stacks", "--env", "all"]);
    assert_eq!(code, Some(1), "{text}");
    // dev and qa share the default cluster and the stack's namespace; prod has its cluster.
    assert!(
        text.contains("stacks/qwen.toml:3:8: error[environment-collision]: environments dev and qa both put Service llm/qwen on cluster (gitops.server)"),
        "{text}"
    );
    assert!(!text.contains("and prod"), "{text}");
    let human = stdout(&run_in(dir.path(), &["check", "stacks", "--env", "all"]));
    assert!(human.contains("in environment(s): qa"), "{human}");
}

#[test]
fn the_readme_shows_the_example_fleet_as_it_is() {
    let readme = fs::read_to_string(crate::support::cli::root().join("README.md")).unwrap();
    for file in ["inferstack.toml", "base/vllm-gpu.toml", "llama-8b.toml"] {
        let text = fs::read_to_string(
            crate::support::cli::root()
                .join("examples/fleet")
                .join(file),
        )
        .unwrap();
        assert!(
            readme.contains(&format!("```toml\n{text}```")),
            "README.md does not show examples/fleet/{file} as it is"
        );
    }
}
