//! Golden outputs: every stack in stacks/ and every tests/stacks/valid-*.toml is built and
//! compared byte for byte with golden/. Regenerate deliberately with INFERSTACK_BLESS=1; a
//! missing golden file fails instead of being written. Every golden object must also validate
//! against the real upstream CRDs and OpenAPI schemas in ../shared/reference.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::cli::{files_under, root, run, stderr, stdout};
use crate::support::upstream::{upstream, yaml_documents};
use serde_json::Value;

fn bless() -> bool {
    std::env::var_os("INFERSTACK_BLESS").is_some()
}

/// Compares `actual` with the golden file, or rewrites it when blessing.
fn check_golden(golden: &Path, actual: &[u8]) -> Result<(), String> {
    if bless() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(golden, actual).unwrap();
        return Ok(());
    }
    let expected = fs::read(golden).map_err(|_| {
        format!(
            "{} is missing (INFERSTACK_BLESS=1 creates it)",
            golden.display()
        )
    })?;
    if expected != actual {
        return Err(format!(
            "{} differs from the build:\n--- expected\n{}\n--- actual\n{}",
            golden.display(),
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(actual)
        ));
    }
    Ok(())
}

fn golden_cases() -> Vec<(String, PathBuf)> {
    let mut cases = Vec::new();
    for dir in ["stacks", "tests/stacks"] {
        for entry in fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let wanted = if dir == "stacks" {
                name.ends_with(".toml")
            } else {
                name.starts_with("valid-")
            };
            if wanted {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                cases.push((
                    format!("{dir}/{name}"),
                    root().join(format!("golden/{stem}.yaml")),
                ));
            }
        }
    }
    cases.sort();
    cases
}

#[test]
fn every_stack_matches_its_golden_stream() {
    let cases = golden_cases();
    assert!(cases.len() >= 3);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(stack, golden)| {
            let output = run(&["build", stack, "-o", "-"]);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{stack}: {}",
                stderr(&output)
            );
            check_golden(golden, &output.stdout).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed stack under every explicit profile (`golden/qwen.<profile>.yaml`).
#[test]
fn the_seed_stack_matches_its_golden_stream_under_each_profile() {
    for profile in ["ack-explicit", "gateway-api"] {
        let output = run(&["build", "stacks/qwen.toml", "--profile", profile, "-o", "-"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{profile}: {}",
            stderr(&output)
        );
        let golden = root().join(format!("golden/qwen.{profile}.yaml"));
        check_golden(&golden, &output.stdout).unwrap();
    }
}

/// Reads a directory tree into relative path -> bytes.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in files_under(dir) {
        let relative = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(relative, fs::read(&entry).unwrap());
    }
    files
}

#[test]
fn the_stacks_directory_renders_to_the_golden_tree() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("rendered");
    let output = run(&["build", "stacks", "-o", target.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let actual = matches_golden_tree(&target, "golden/rendered");

    // The tree holds the same objects as the stream, and each kustomization lists its directory.
    let stream = stdout(&run(&["build", "stacks", "-o", "-"]));
    let objects: Vec<&String> = actual
        .keys()
        .filter(|k| !k.ends_with("kustomization.yaml") && !k.starts_with('.'))
        .collect();
    assert_eq!(stream.matches("\n---\n").count() + 1, objects.len());
    for (relative, content) in actual
        .iter()
        .filter(|(k, _)| k.ends_with("kustomization.yaml"))
    {
        let dir = Path::new(relative).parent().unwrap();
        let listed: Value = serde_saphyr::from_slice(content).unwrap();
        for resource in listed["resources"].as_array().unwrap() {
            let path = dir.join(resource.as_str().unwrap());
            assert!(
                target.join(&path).exists(),
                "{relative} lists missing {}",
                path.display()
            );
        }
        let siblings = actual.keys().filter(|k| {
            Path::new(k).parent() == Some(dir)
                && !k.ends_with("kustomization.yaml")
                && !k.contains("/.")
                && !k.starts_with('.')
        });
        for sibling in siblings {
            let name = Path::new(sibling).file_name().unwrap().to_str().unwrap();
            assert!(
                listed["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == name),
                "{relative} does not list {name}"
            );
        }
    }
}

/// The tree under `target` equals `golden` file for file (rewritten when blessing).
fn matches_golden_tree(target: &Path, golden: &str) -> BTreeMap<String, Vec<u8>> {
    let actual = read_tree(target);
    let golden_dir = root().join(golden);
    if bless() {
        let _ = fs::remove_dir_all(&golden_dir);
    }
    for (relative, content) in &actual {
        check_golden(&golden_dir.join(relative), content).unwrap();
    }
    let expected = read_tree(&golden_dir);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "file sets differ"
    );
    actual
}

/// The example fleet (workspace, base layer, two models on one Gateway) in every environment;
/// its trees are also checked against the upstream APIs with the rest of golden/.
#[test]
fn the_fleet_renders_one_golden_tree_per_environment() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("fleet");
    let output = run(&[
        "build",
        "examples/fleet",
        "--env",
        "all",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let actual = matches_golden_tree(&target, "golden/fleet");
    for env in ["dev", "staging", "prod"] {
        assert!(
            actual.contains_key(&format!("{env}/kustomization.yaml")),
            "{env}"
        );
    }
    let validate = run(&["validate", "golden/fleet"]);
    assert_eq!(validate.status.code(), Some(0), "{}", stdout(&validate));
}

/// Two models behind one HTTPS host, by path (Envoy Gateway) and by the request body's model
/// (Istio with the body-based router): each example renders its golden tree, which validates.
#[test]
fn the_one_host_examples_render_their_golden_trees() {
    for example in ["one-host", "one-host-body"] {
        let out = tempfile::tempdir().unwrap();
        let target = out.path().join(example);
        let output = run(&[
            "build",
            &format!("examples/{example}"),
            "-o",
            target.to_str().unwrap(),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{example}: {}",
            stderr(&output)
        );
        assert!(
            !stderr(&output).contains("warning"),
            "{example} builds without a warning: {}",
            stderr(&output)
        );
        matches_golden_tree(&target, &format!("golden/{example}"));
        let validate = run(&["validate", &format!("golden/{example}")]);
        assert_eq!(validate.status.code(), Some(0), "{}", stdout(&validate));
    }
}

#[test]
fn every_golden_object_is_valid_for_the_upstream_apis() {
    if !crate::support::reference::require() {
        return;
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in files_under(&root().join("golden")) {
        let name = path.file_name().unwrap().to_string_lossy();
        if !name.ends_with(".yaml") || name == "kustomization.yaml" {
            continue;
        }
        for object in yaml_documents(&path) {
            checked += 1;
            // ACK's InferencePool version has no upstream CRD in the reference data; the
            // embedded catalog (written from the Go types) checks it instead, in tests/it/validate.rs.
            if object["apiVersion"] == "inference.networking.x-k8s.io/v1alpha2"
                && object["kind"] == "InferencePool"
            {
                continue;
            }
            let problems = upstream().validate(&object);
            if !problems.is_empty() {
                failures.push(format!(
                    "{} {} {}: {problems:#?}",
                    path.display(),
                    object["kind"],
                    object["metadata"]["name"]
                ));
            }
        }
    }
    assert!(checked >= 15, "only {checked} objects checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed's `sh -c "python3 -m ... --flag value ..."` and our command/args, as flag -> value.
fn vllm_flags(container: &Value) -> BTreeMap<String, String> {
    let words: Vec<String> = match container["command"][0].as_str() {
        Some("sh") => container["command"][2]
            .as_str()
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        _ => container["command"]
            .as_array()
            .unwrap()
            .iter()
            .chain(container["args"].as_array().unwrap())
            .map(|w| w.as_str().unwrap().to_owned())
            .collect(),
    };
    assert_eq!(
        words[..3],
        ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    );
    let mut flags = BTreeMap::new();
    let mut rest = words[3..].iter().peekable();
    while let Some(flag) = rest.next() {
        // A flag's values are the words up to the next flag (`--served-model-name A B`).
        let mut values = Vec::new();
        while let Some(next) = rest.next_if(|w| !w.starts_with("--")) {
            values.push(next.clone());
        }
        flags.insert(flag.clone(), values.join(" "));
    }
    flags
}

/// Drops what the issue allows to differ: the managed-by label, the bucket, the command form,
/// the served model names (checked separately),
/// what stock Knative 1.23 needs to admit the Service (the model claim and its mount are
/// read-only: `validatePersistentVolumeClaims` in knative/serving `k8s_validation.go`), and the
/// time budgets every stack now carries: the probes on vLLM's `/health` instead of the seed's
/// TCP readiness probe, the revision timeout and the progress deadline. The test checks those
/// separately.
fn normalize(mut object: Value) -> Value {
    if let Some(labels) = object
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("app.kubernetes.io/managed-by");
        if labels.is_empty() {
            object["metadata"].as_object_mut().unwrap().remove("labels");
        }
    }
    if let Some(attributes) = object.pointer_mut("/spec/csi/volumeAttributes") {
        attributes["bucket"] = Value::from("BUCKET");
    }
    for read_only in [
        "/spec/template/spec/volumes/0/persistentVolumeClaim",
        "/spec/template/spec/containers/0/volumeMounts/0",
    ] {
        if let Some(map) = object.pointer_mut(read_only).and_then(Value::as_object_mut) {
            map.remove("readOnly");
        }
    }
    if let Some(spec) = object
        .pointer_mut("/spec/template/spec")
        .and_then(Value::as_object_mut)
    {
        spec.remove("timeoutSeconds");
    }
    if let Some(annotations) = object
        .pointer_mut("/spec/template/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove("serving.knative.dev/progress-deadline");
    }
    if let Some(container) = object.pointer_mut("/spec/template/spec/containers/0") {
        let mut flags = vllm_flags(container);
        flags.remove("--served-model-name");
        let container = container.as_object_mut().unwrap();
        container.remove("command");
        container.remove("args");
        for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
            container.remove(probe);
        }
        container.insert("vllmFlags".to_owned(), serde_json::to_value(flags).unwrap());
    }
    object
}

#[test]
fn qwen_reproduces_the_seed_manifests() {
    let Some(seed) = crate::support::reference::seed("manifests.yaml") else {
        return;
    };
    let seed = root().join(seed);
    let expected: Vec<Value> = yaml_documents(&seed).into_iter().map(normalize).collect();
    // Ours adds config-features: stock Knative refuses a claim volume without its flag.
    let ours: Vec<Value> = yaml_documents(&root().join("golden/qwen.yaml"))
        .into_iter()
        .filter(|o| o["metadata"]["name"] != "config-features")
        .map(normalize)
        .collect();
    assert_eq!(ours.len(), 5);
    assert_eq!(expected.len(), ours.len());
    for (theirs, ours) in expected.iter().zip(&ours) {
        assert_eq!(theirs, ours, "object differs from the seed");
    }
    let raw = yaml_documents(&root().join("golden/qwen.yaml"));
    let spec = &raw[5]["spec"]["template"]["spec"];
    assert_eq!(
        spec["volumes"][0]["persistentVolumeClaim"]["readOnly"],
        true
    );
    assert_eq!(spec["containers"][0]["volumeMounts"][0]["readOnly"], true);
    let flags = &ours[4]["spec"]["template"]["spec"]["containers"][0]["vllmFlags"];
    assert_eq!(flags["--model"], "/models/Qwen1.5-4B-Chat/");
    // Ours adds the served names: `model.name` first, for clients, and the mount path, which
    // the seed's own request sends (`"model": "/models/Qwen1.5-4B-Chat/"`), so it still works.
    let ours_flags = vllm_flags(&spec["containers"][0]);
    assert_eq!(
        ours_flags["--served-model-name"],
        "Qwen1.5-4B-Chat /models/Qwen1.5-4B-Chat/"
    );
    // Where ours differs by design: the seed's readiness probe opens the port after 15 s;
    // ours asks vLLM's /health on the same port, behind a startup probe of 10 minutes (60 ×
    // 10 s), Knative's default progress deadline of 600 s plus 600 s to pull, and the revision
    // timeout Knative defaults to (300 s), now written out.
    let seed_probe = &yaml_documents(&seed)[4]["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
        ["tcpSocket"]["port"];
    let container = &spec["containers"][0];
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"] {
        assert_eq!(&container[probe]["httpGet"]["port"], seed_probe, "{probe}");
        assert_eq!(container[probe]["httpGet"]["path"], "/health", "{probe}");
    }
    assert_eq!(container["startupProbe"]["failureThreshold"], 60);
    assert_eq!(spec["timeoutSeconds"], 300);
    assert_eq!(
        raw[5]["spec"]["template"]["metadata"]["annotations"]["serving.knative.dev/progress-deadline"],
        "1200s"
    );
}
