//! The example stacks against the upstream facts they follow: the storage drivers' documented
//! static provisioning, net-gateway-api's `config-gateway`, the engines' command lines, and
//! Knative's admission with exactly the `config-features` each stack emits.

use std::fs;

use crate::support::cli::{root, run, stderr, stdout};
use crate::support::upstream::{reference_dir, yaml_documents};
use serde_json::Value;

/// The objects `build` streams for one stack.
fn built(stack: &str) -> Vec<Value> {
    let output = run(&["build", stack, "-o", "-"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stack}: {}",
        stderr(&output)
    );
    serde_saphyr::from_multiple(&stdout(&output)).unwrap()
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn revision_spec(objects: &[Value]) -> &Value {
    &objects
        .iter()
        .find(|o| o["apiVersion"] == "serving.knative.dev/v1")
        .expect("a Knative Service")["spec"]["template"]["spec"]
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn reference_example(path: &str) -> Vec<Value> {
    yaml_documents(&reference_dir().join("examples").join(path))
}

#[test]
fn s3_volumes_follow_the_mountpoint_static_provisioning_example() {
    if !crate::support::reference::require() {
        return;
    }
    let upstream =
        reference_example("mountpoint-s3-csi-driver/static_provisioning/static_provisioning.yaml");
    let (their_pv, their_pvc) = (&upstream[0], &upstream[1]);
    let objects = built("stacks/llama-s3.toml");
    let pv = find(&objects, "PersistentVolume", "llama-8b-weights");
    let pvc = find(&objects, "PersistentVolumeClaim", "llama-8b-weights");
    assert_eq!(
        pv["spec"]["csi"]["driver"],
        their_pv["spec"]["csi"]["driver"]
    );
    assert_eq!(
        pv["spec"]["storageClassName"],
        their_pv["spec"]["storageClassName"]
    );
    assert_eq!(
        pvc["spec"]["storageClassName"],
        their_pvc["spec"]["storageClassName"]
    );
    assert_eq!(
        pv["spec"]["csi"]["volumeAttributes"]["bucketName"],
        "acme-models"
    );
    assert_eq!(
        pv["spec"]["csi"]["volumeAttributes"]["authenticationSource"],
        "pod"
    );
    // The claim and the volume name each other, as upstream's claimRef and volumeName do.
    assert_eq!(pv["spec"]["claimRef"]["name"], pvc["metadata"]["name"]);
    assert_eq!(
        pv["spec"]["claimRef"]["namespace"],
        pvc["metadata"]["namespace"]
    );
    assert_eq!(pvc["spec"]["volumeName"], pv["metadata"]["name"]);
    // Upstream writes `region us-west-2` and `prefix some-s3-prefix/`: the same shapes.
    let options = strings(&pv["spec"]["mountOptions"]);
    let theirs = strings(&their_pv["spec"]["mountOptions"]);
    for (ours, upstream) in [
        ("region us-east-1", "region "),
        ("prefix meta-llama/Llama-3.1-8B-Instruct/", "prefix "),
    ] {
        assert!(options.contains(&ours), "{options:?}");
        assert!(theirs.iter().any(|o| o.starts_with(upstream)), "{theirs:?}");
    }
    assert!(
        options.contains(&"read-only"),
        "the weights are mounted read-only"
    );
    assert_eq!(
        revision_spec(&objects)["serviceAccountName"],
        "llama-8b-reader"
    );
}

#[test]
fn gcs_volumes_follow_the_cloud_storage_fuse_static_example() {
    if !crate::support::reference::require() {
        return;
    }
    let upstream =
        reference_example("gcs-fuse-csi-driver/static/sub-dir-mount/pv-pvc-deployment.yaml");
    let their_pv = &upstream[0];
    let their_pod = &upstream[2]["spec"]["template"];
    let objects = built("stacks/llama-70b.toml");
    let pv = find(&objects, "PersistentVolume", "llama-70b-weights");
    assert_eq!(
        pv["spec"]["csi"]["driver"],
        their_pv["spec"]["csi"]["driver"]
    );
    assert_eq!(
        pv["spec"]["csi"]["volumeHandle"], "acme-models-eu",
        "the bucket is the handle"
    );
    let options = strings(&pv["spec"]["mountOptions"]);
    assert!(options.contains(&"only-dir=meta-llama/Llama-3.3-70B-Instruct"));
    assert!(
        strings(&their_pv["spec"]["mountOptions"])
            .iter()
            .any(|o| o.starts_with("only-dir="))
    );
    let service = objects
        .iter()
        .find(|o| o["kind"] == "Service" && o["apiVersion"] == "serving.knative.dev/v1")
        .unwrap();
    let ours = &service["spec"]["template"]["metadata"]["annotations"]["gke-gcsfuse/volumes"];
    assert_eq!(
        ours,
        &their_pod["metadata"]["annotations"]["gke-gcsfuse/volumes"]
    );
    assert_eq!(
        revision_spec(&objects)["serviceAccountName"],
        "llm-weights-reader"
    );
}

#[test]
fn config_gateway_has_the_shape_net_gateway_api_reads() {
    if !crate::support::reference::require() {
        return;
    }
    let upstream =
        reference_example("knative-net-gateway-api/third_party/envoy-gateway/config-gateway.yaml");
    let their_entry: Vec<Value> =
        serde_saphyr::from_str(upstream[0]["data"]["external-gateways"].as_str().unwrap()).unwrap();
    let objects = built("stacks/llama-s3.toml");
    let config = find(&objects, "ConfigMap", "config-gateway");
    assert_eq!(
        config["metadata"]["namespace"],
        upstream[0]["metadata"]["namespace"]
    );
    for key in ["external-gateways", "local-gateways"] {
        let entries: Vec<Value> =
            serde_saphyr::from_str(config["data"][key].as_str().unwrap()).unwrap();
        assert_eq!(
            entries.len(),
            1,
            "net-gateway-api takes exactly one gateway of each"
        );
        let entry = entries[0].as_object().unwrap();
        for field in entry.keys() {
            assert!(
                their_entry[0].get(field).is_some(),
                "upstream has no `{field}`"
            );
        }
        assert_eq!(entry["gateway"], "envoy-gateway-system/inference-gateway");
        assert_eq!(entry["class"], "envoy-gateway");
        assert_eq!(
            entry["supported-features"],
            their_entry[0]["supported-features"]
        );
    }
    // Not under the ACK profiles, whose gateway ACK configures.
    assert!(
        built("stacks/qwen.toml")
            .iter()
            .all(|o| o["metadata"]["name"] != "config-gateway")
    );
}

#[test]
fn engines_get_their_own_flags_and_probes() {
    let sglang = built("stacks/sglang.toml");
    let container = &revision_spec(&sglang)["containers"][0];
    assert_eq!(
        strings(&container["command"]),
        ["python3", "-m", "sglang.launch_server"]
    );
    let args = strings(&container["args"]);
    for pair in [
        ["--host", "0.0.0.0"],
        ["--tp-size", "2"],
        ["--context-length", "32768"],
        ["--mem-fraction-static", "0.85"],
    ] {
        assert!(args.windows(2).any(|w| w == pair), "{pair:?} in {args:?}");
    }
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/health");
    // Two GPUs: shared memory for NCCL by default.
    let volumes = revision_spec(&sglang)["volumes"].as_array().unwrap();
    let shm = volumes
        .iter()
        .find(|v| v["name"] == "dshm")
        .expect("a /dev/shm volume");
    assert_eq!(shm["emptyDir"]["medium"], "Memory");

    let hub = built("stacks/qwen-hub.toml");
    let container = &revision_spec(&hub)["containers"][0];
    let args = strings(&container["args"]);
    // vLLM 0.10.1.1 starts as `vllm serve MODEL`: the hub id is the first argument.
    assert_eq!(strings(&container["command"]), ["vllm", "serve"]);
    assert_eq!(args[0], "Qwen/Qwen2.5-7B-Instruct");
    assert!(
        args.windows(2)
            .any(|w| w[0] == "--revision" && w[1].len() == 40)
    );
    let token = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "HF_TOKEN")
        .unwrap();
    assert_eq!(token["valueFrom"]["secretKeyRef"]["name"], "hf-token");
    assert!(
        hub.iter().all(|o| o["kind"] != "PersistentVolume"),
        "the hub needs no volume"
    );

    let custom = built("stacks/llamacpp.toml");
    let container = &revision_spec(&custom)["containers"][0];
    let args = strings(&container["args"]);
    assert!(
        args.contains(&"/models/gemma-2-9b-it/gemma-2-9b-it-Q4_K_M.gguf"),
        "{args:?}"
    );
    assert!(args.windows(2).any(|w| w == ["--port", "8080"]));
    let mount = &container["volumeMounts"][0];
    assert_eq!(mount["subPath"], "gguf/gemma-2-9b-it");
    assert!(
        custom.iter().all(|o| o["kind"] != "PersistentVolumeClaim"),
        "the claim is the user's"
    );

    let cpu = built("stacks/cpu-only.toml");
    let resources = &revision_spec(&cpu)["containers"][0]["resources"];
    assert!(resources["limits"].get("nvidia.com/gpu").is_none());
}

#[test]
fn long_requests_raise_knative_maximum_and_every_clock_agrees() {
    let objects = built("stacks/llama-70b.toml");
    let spec = revision_spec(&objects);
    assert_eq!(spec["timeoutSeconds"], 900);
    let defaults = find(&objects, "ConfigMap", "config-defaults");
    assert_eq!(defaults["data"]["max-revision-timeout-seconds"], "900");
    let route = find(&objects, "HTTPRoute", "llama-70b");
    assert_eq!(route["spec"]["rules"][0]["timeouts"]["request"], "900s");
    // 30 minutes of start-up: 180 probes 10 s apart, and the deadline 10 minutes beyond.
    let startup = &spec["containers"][0]["startupProbe"];
    assert_eq!(
        startup["failureThreshold"].as_i64().unwrap() * startup["periodSeconds"].as_i64().unwrap(),
        1800
    );
    let service = objects
        .iter()
        .find(|o| o["apiVersion"] == "serving.knative.dev/v1")
        .unwrap();
    assert_eq!(
        service["spec"]["template"]["metadata"]["annotations"]["serving.knative.dev/progress-deadline"],
        "2400s"
    );
    // A default request timeout needs no config-defaults.
    assert!(
        built("stacks/llama-s3.toml")
            .iter()
            .all(|o| o["metadata"]["name"] != "config-defaults")
    );
}

/// Each example passes Knative's admission with the `config-features` it emits, and fails it
/// without any one of those flags: the set is exactly what the revision needs.
#[test]
fn every_example_emits_exactly_the_knative_flags_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in fs::read_dir(root().join("stacks")).unwrap() {
        let stack = format!("stacks/{}", entry.unwrap().file_name().to_string_lossy());
        let objects = built(&stack);
        let write = |objects: &[Value], name: &str| {
            let path = dir.path().join(name);
            let text: Vec<String> = objects.iter().map(|o| o.to_string()).collect();
            fs::write(&path, text.join("\n---\n")).unwrap();
            path
        };
        let whole = write(&objects, "whole.yaml");
        let output = run(&["validate", whole.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stack}: {}",
            stdout(&output)
        );
        let Some(features) = objects
            .iter()
            .position(|o| o["metadata"]["name"] == "config-features")
        else {
            continue;
        };
        let flags: Vec<String> = objects[features]["data"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        for flag in flags {
            let mut fewer = objects.clone();
            fewer[features]["data"]
                .as_object_mut()
                .unwrap()
                .remove(&flag);
            let path = write(&fewer, "fewer.yaml");
            let output = run(&[
                "validate",
                path.to_str().unwrap(),
                "--message-format",
                "short",
            ]);
            let report = stdout(&output);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{stack} passes without {flag}"
            );
            assert!(
                report.contains("knative-feature-disabled") && report.contains(&flag),
                "{stack} without {flag}: {report}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} flags checked");
}

fn check_stack(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stack.toml");
    fs::write(&path, text).unwrap();
    let output = run(&["check", path.to_str().unwrap(), "--message-format", "short"]);
    (output.status.code(), stdout(&output) + &stderr(&output))
}

#[test]
fn an_unpinned_hub_model_and_an_anonymous_bucket_are_warnings() {
    let (code, report) = check_stack(
        "[service]\nname = \"qwen\"\n[model]\nsource = \"hf://Qwen/Qwen2.5-7B-Instruct\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n",
    );
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("stack.toml:4:10: warning[unpinned-revision]: `Qwen/Qwen2.5-7B-Instruct` is not pinned to a commit"), "{report}");

    let (code, report) = check_stack(
        "[service]\nname = \"gemma\"\n[model]\nsource = \"gs://acme-models/gemma\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n",
    );
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("stack.toml:3:1: warning[missing-credentials]: no `scheduling.service_account` for a gs:// source"), "{report}");
}

#[test]
fn secret_references_are_not_mistaken_for_secrets() {
    let (code, report) = check_stack(
        "[service]\nname = \"qwen\"\n[model]\nsource = \"pvc://weights/qwen\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\nsecret_env = { HF_TOKEN = \"hf-token/token\", API_KEY = \"api/key\" }\n",
    );
    assert_eq!(code, Some(0), "{report}");
}

#[test]
fn two_gateways_for_net_gateway_api_are_a_located_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let stack = |name: &str, gateway: &str| {
        format!(
            "profile = \"gateway-api\"\n[service]\nname = \"{name}\"\n[model]\nsource = \"pvc://weights/{name}\"\n[engine]\nimage = \"vllm/vllm-openai:v0.10.1.1\"\n[gateway]\nname = \"{gateway}\"\n"
        )
    };
    fs::write(dir.path().join("a.toml"), stack("a", "one")).unwrap();
    fs::write(dir.path().join("b.toml"), stack("b", "two")).unwrap();
    let output = run(&[
        "build",
        dir.path().to_str().unwrap(),
        "-o",
        "-",
        "--message-format",
        "short",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("b.toml:9:8: error[shared-object-conflict]: ConfigMap knative-serving/config-gateway is defined differently by two stacks: /data/external-gateways differs"),
        "{text}"
    );
    let human = stderr(&run(&["build", dir.path().to_str().unwrap(), "-o", "-"]));
    assert!(
        human.contains("net-gateway-api programs one Gateway per cluster"),
        "{human}"
    );
}
