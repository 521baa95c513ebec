//! The explicit profiles against the upstream picker and pool examples (read in place): the
//! same ports, arguments, probes and RBAC verbs; and `explain` matches what `build` emits.

use crate::support::cli::{run, stdout};
use crate::support::upstream::{reference_dir, yaml_documents};
use serde_json::Value;

fn built(profile: &str) -> Vec<Value> {
    let output = run(&["build", "stacks/qwen.toml", "--profile", profile, "-o", "-"]);
    assert_eq!(output.status.code(), Some(0));
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), stdout(&output)).unwrap();
    yaml_documents(file.path())
}

fn find<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

fn container(deployment: &Value) -> &Value {
    &deployment["spec"]["template"]["spec"]["containers"][0]
}

fn ports(container: &Value) -> Vec<i64> {
    let mut ports: Vec<i64> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["containerPort"].as_i64().unwrap())
        .collect();
    ports.sort();
    ports
}

fn flags(container: &Value) -> Vec<String> {
    container["args"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|a| a.starts_with("--"))
        .map(|a| a.split('=').next().unwrap().to_owned())
        .collect()
}

/// The upstream conformance picker: GIE v1.6.0 `conformance/resources/base.yaml`.
fn upstream_picker() -> Value {
    let base = reference_dir()
        .join("examples/gateway-api-inference-extension/v1.6.0/conformance/resources/base.yaml");
    yaml_documents(&base)
        .into_iter()
        .find(|o| o["kind"] == "Deployment" && container(o)["name"] == "epp")
        .expect("an EPP Deployment upstream")
}

#[test]
fn the_picker_matches_upstream_ports_args_and_probes() {
    if !crate::support::reference::require() {
        return;
    }
    let upstream = upstream_picker();
    for profile in ["ack-explicit", "gateway-api"] {
        let objects = built(profile);
        let ours = container(find(&objects, "Deployment"));
        let theirs = container(&upstream);
        assert_eq!(ports(ours), ports(theirs), "{profile}: container ports");
        for flag in flags(theirs) {
            assert!(
                flags(ours).contains(&flag),
                "{profile}: upstream flag {flag} missing"
            );
        }
        for probe in ["livenessProbe", "readinessProbe"] {
            assert_eq!(
                ours[probe]["grpc"]["port"], theirs[probe]["grpc"]["port"],
                "{profile} {probe}"
            );
        }
        // Upstream's 130 s, raised to the request timeout (300 s by default) the picker's
        // ext-proc streams last, so a picker rollout never cuts them (`picker-grace-short`).
        let grace =
            |d: &Value| d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].clone();
        assert_eq!(grace(&upstream), 130);
        assert_eq!(grace(find(&objects, "Deployment")), 300);
        let service = objects
            .iter()
            .find(|o| o["kind"] == "Service" && o["apiVersion"] == "v1")
            .unwrap();
        assert_eq!(service["spec"]["ports"][0]["port"], 9002);
        assert_eq!(service["spec"]["ports"][0]["appProtocol"], "http2");
    }
    // llm-d's picker answers health checks as the ext-proc service; GIE's as inference-extension.
    let llm_d =
        std::fs::read_to_string(reference_dir().join(
            "examples/llm-d-router/v0.10.0/deploy/components/inference-gateway/deployment.yaml",
        ))
        .unwrap();
    assert!(llm_d.contains("service: envoy.service.ext_proc.v3.ExternalProcessor"));
    assert_eq!(
        container(find(&built("gateway-api"), "Deployment"))["readinessProbe"]["grpc"]["service"],
        "envoy.service.ext_proc.v3.ExternalProcessor"
    );
    assert_eq!(
        container(&upstream)["readinessProbe"]["grpc"]["service"],
        "inference-extension"
    );
}

#[test]
fn the_picker_role_grants_what_upstream_grants() {
    if !crate::support::reference::require() {
        return;
    }
    let base = reference_dir()
        .join("examples/gateway-api-inference-extension/v1.6.0/conformance/resources/base.yaml");
    let upstream_role = yaml_documents(&base)
        .into_iter()
        .find(|o| o["kind"] == "Role")
        .unwrap();
    let ours = built("gateway-api");
    let role = find(&ours, "Role");
    let grants = |role: &Value| -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for rule in role["rules"].as_array().unwrap() {
            for group in rule["apiGroups"].as_array().unwrap() {
                for resource in rule["resources"].as_array().unwrap() {
                    for verb in rule["verbs"].as_array().unwrap() {
                        out.push((
                            group.as_str().unwrap().to_owned(),
                            resource.as_str().unwrap().to_owned(),
                            verb.as_str().unwrap().to_owned(),
                        ));
                    }
                }
            }
        }
        out
    };
    let ours = grants(role);
    for grant in grants(&upstream_role) {
        assert!(ours.contains(&grant), "missing {grant:?}");
    }
    assert!(ours.contains(&(
        "llm-d.ai".into(),
        "inferenceobjectives".into(),
        "watch".into()
    )));
    assert!(
        ours.iter()
            .all(|(_, _, verb)| ["get", "list", "watch"].contains(&verb.as_str())),
        "read-only"
    );
}

#[test]
fn the_pool_points_at_the_picker_like_upstream() {
    if !crate::support::reference::require() {
        return;
    }
    let objects = built("gateway-api");
    let pool = find(&objects, "InferencePool");
    assert_eq!(pool["spec"]["endpointPickerRef"]["port"]["number"], 9002);
    assert_eq!(
        pool["spec"]["targetPorts"][0]["number"], 8012,
        "Knative's queue-proxy"
    );
    assert_eq!(
        pool["spec"]["selector"]["matchLabels"]["serving.knative.dev/service"],
        "qwen"
    );
    let route = find(&objects, "HTTPRoute");
    assert_eq!(
        route["spec"]["rules"][0]["backendRefs"][0]["group"],
        "inference.networking.k8s.io"
    );
    assert_eq!(route["spec"]["rules"][0]["timeouts"]["request"], "300s");
    assert_eq!(route["spec"]["parentRefs"][0]["sectionName"], "llm-gw");
    let objective = find(&objects, "InferenceObjective");
    assert_eq!(
        (
            objective["apiVersion"].as_str(),
            objective["spec"]["priority"].as_i64()
        ),
        (Some("llm-d.ai/v1alpha2"), Some(1))
    );
    let service = objects
        .iter()
        .find(|o| o["apiVersion"] == "serving.knative.dev/v1")
        .unwrap();
    assert!(
        service["metadata"]["annotations"]
            .get("knative.aliyun.com/ai-gateway")
            .is_none(),
        "no ACK annotation when the objects are explicit"
    );
}

#[test]
fn explain_names_what_build_emits() {
    for profile in ["ack", "ack-explicit", "gateway-api"] {
        let text = stdout(&run(&["explain", profile]));
        let objects = built(profile);
        for kind in ["InferencePool", "InferenceObjective"] {
            if let Some(object) = objects.iter().find(|o| o["kind"] == kind) {
                let line = format!("{kind}: {}", object["apiVersion"].as_str().unwrap());
                assert!(text.contains(&line), "{profile}: {line} not in\n{text}");
            }
        }
    }
}
