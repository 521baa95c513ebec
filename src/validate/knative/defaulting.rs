//! What Knative's defaulting webhook does to a revision spec before validation runs, after
//! `RevisionSpec.SetDefaults` in `pkg/apis/serving/v1/revision_defaults.go` of knative/serving
//! at `knative-v1.23.0`. Validation sees the defaulted spec, as in the cluster: an unnamed
//! container is `user-container`, an empty readiness probe is a TCP probe, a mount of a secret
//! becomes read-only.
//!
//! Not applied, because no validation rule reads them: resource defaults from config-defaults,
//! `enableServiceLinks`, and the secure-pod-defaults security context.

use serde_json::{Map, Value, json};

use super::defaults::Defaults;

/// Defaults `spec` (a RevisionSpec) in place; `parent` is the Service's or Configuration's name.
pub fn apply(spec: &mut Value, defaults: &Defaults, parent: &str) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    if spec.get("timeoutSeconds").is_none_or(is_zero) {
        spec.insert(
            "timeoutSeconds".into(),
            json!(defaults.revision_timeout_seconds),
        );
    }
    if !spec.contains_key("containerConcurrency") {
        spec.insert(
            "containerConcurrency".into(),
            json!(defaults.container_concurrency),
        );
    }
    let writable: Vec<String> = list(spec, "volumes")
        .iter()
        .filter(|v| {
            ["emptyDir", "persistentVolumeClaim", "ephemeral"]
                .iter()
                .any(|k| v.get(*k).is_some())
        })
        .filter_map(|v| v.get("name")?.as_str().map(str::to_owned))
        .collect();
    let mut taken: Vec<String> = ["containers", "initContainers"]
        .iter()
        .flat_map(|k| list(spec, k))
        .filter_map(|c| c.get("name")?.as_str().map(str::to_owned))
        .collect();
    let user_name = Defaults::container_name(&defaults.user_container_name, parent);
    let init_name = Defaults::container_name(&defaults.init_container_name, parent);
    let count = list(spec, "containers").len();
    // Each call of `applyDefaultContainerNames` numbers from 0.
    let mut suffix = 0;
    if let Some(containers) = spec.get_mut("containers").and_then(Value::as_array_mut) {
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            name_container(container, &user_name, count, &mut taken, &mut suffix);
            let serving = count == 1 || container.get("ports").is_some_and(non_empty);
            container_defaults(container, serving, &writable);
        }
    }
    let count = list(spec, "initContainers").len();
    let mut suffix = 0;
    if let Some(containers) = spec.get_mut("initContainers").and_then(Value::as_array_mut) {
        for container in containers.iter_mut().filter_map(Value::as_object_mut) {
            name_container(container, &init_name, count, &mut taken, &mut suffix);
        }
    }
}

fn list<'a>(spec: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    spec.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn non_empty(value: &Value) -> bool {
    value.as_array().is_some_and(|a| !a.is_empty())
}

/// `applyDefaultContainerNames`: the template's name, with a numeric suffix when there are
/// several containers or the name is taken.
fn name_container(
    container: &mut Map<String, Value>,
    template: &str,
    count: usize,
    taken: &mut Vec<String>,
    suffix: &mut usize,
) {
    if container
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty())
    {
        return;
    }
    let mut name = template.to_owned();
    if count > 1 || taken.contains(&name) {
        loop {
            name = format!("{template}-{suffix}");
            *suffix += 1;
            if !taken.contains(&name) {
                break;
            }
        }
    }
    taken.push(name.clone());
    container.insert("name".into(), Value::String(name));
}

/// `applyDefault` for one container: the readiness probe of the serving container, probe
/// thresholds, gRPC service names, and read-only mounts of read-only volume types.
fn container_defaults(container: &mut Map<String, Value>, serving: bool, writable: &[String]) {
    if serving {
        let probe = container
            .entry("readinessProbe")
            .or_insert_with(|| json!({}));
        if let Some(probe) = probe.as_object_mut()
            && !["tcpSocket", "httpGet", "exec", "grpc"]
                .iter()
                .any(|h| probe.get(*h).is_some_and(|v| !v.is_null()))
        {
            probe.insert("tcpSocket".into(), json!({}));
        }
    }
    if let Some(probe) = container
        .get_mut("readinessProbe")
        .and_then(Value::as_object_mut)
    {
        default_zero(probe, "successThreshold", 1);
        if probe
            .get("periodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            != 0
        {
            default_zero(probe, "failureThreshold", 3);
            default_zero(probe, "timeoutSeconds", 1);
        }
    }
    for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
        if let Some(grpc) = container
            .get_mut(probe)
            .and_then(|p| p.get_mut("grpc"))
            .and_then(Value::as_object_mut)
        {
            grpc.entry("service").or_insert_with(|| json!(""));
        }
    }
    if let Some(mounts) = container
        .get_mut("volumeMounts")
        .and_then(Value::as_array_mut)
    {
        for mount in mounts.iter_mut().filter_map(Value::as_object_mut) {
            let name = mount.get("name").and_then(Value::as_str).unwrap_or("");
            if !writable.iter().any(|w| w == name) {
                mount.insert("readOnly".into(), Value::Bool(true));
            }
        }
    }
}

/// Sets `key` to `value` when it is absent or 0, as Go defaulting of an int field does.
fn default_zero(object: &mut Map<String, Value>, key: &str, value: i64) {
    if object.get(key).is_none_or(is_zero) {
        object.insert(key.into(), json!(value));
    }
}

/// Null or the integer 0: what Go reads as an unset int field.
fn is_zero(value: &Value) -> bool {
    value.is_null() || value.as_i64() == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaulted(spec: Value) -> Value {
        let mut spec = spec;
        apply(&mut spec, &Defaults::default(), "qwen");
        spec
    }

    #[test]
    fn a_single_container_gets_knatives_defaults() {
        let spec = defaulted(json!({
            "containers": [{"image": "x/y", "volumeMounts": [
                {"name": "secret", "mountPath": "/s"}, {"name": "model", "mountPath": "/m"}]}],
            "volumes": [{"name": "secret", "secret": {"secretName": "s"}},
                        {"name": "model", "persistentVolumeClaim": {"claimName": "m"}}],
        }));
        assert_eq!(spec["timeoutSeconds"], 300);
        assert_eq!(spec["containerConcurrency"], 0);
        let container = &spec["containers"][0];
        assert_eq!(container["name"], "user-container");
        assert_eq!(
            container["readinessProbe"],
            json!({"tcpSocket": {}, "successThreshold": 1})
        );
        assert_eq!(container["volumeMounts"][0]["readOnly"], true);
        assert_eq!(container["volumeMounts"][1].get("readOnly"), None);
    }

    #[test]
    fn several_containers_get_numbered_names_and_only_the_serving_one_a_probe() {
        let spec = defaulted(json!({
            "timeoutSeconds": 0,
            "containers": [{"image": "a/b", "ports": [{"containerPort": 8080}]},
                           {"image": "c/d"}, {"name": "user-container-1", "image": "e/f"}],
        }));
        assert_eq!(spec["timeoutSeconds"], 300);
        let names: Vec<&str> = (0..3)
            .map(|i| spec["containers"][i]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["user-container-0", "user-container-2", "user-container-1"]
        );
        assert!(spec["containers"][0].get("readinessProbe").is_some());
        assert!(spec["containers"][1].get("readinessProbe").is_none());
    }

    #[test]
    fn init_containers_are_numbered_from_zero_too() {
        let spec = defaulted(json!({
            "containers": [{"image": "a/b", "ports": [{"containerPort": 8080}]}, {"image": "c/d"}],
            "initContainers": [{"image": "e/f"}, {"image": "g/h"}],
        }));
        let inits: Vec<&str> = (0..2)
            .map(|i| spec["initContainers"][i]["name"].as_str().unwrap())
            .collect();
        assert_eq!(inits, ["init-container-0", "init-container-1"]);
    }

    #[test]
    fn probe_thresholds_are_defaulted_only_with_a_period() {
        let spec = defaulted(json!({"containers": [{"image": "a/b",
            "readinessProbe": {"periodSeconds": 5, "httpGet": {"port": 0}}}]}));
        let probe = &spec["containers"][0]["readinessProbe"];
        assert_eq!(
            (
                probe["failureThreshold"].as_i64(),
                probe["timeoutSeconds"].as_i64()
            ),
            (Some(3), Some(1))
        );
    }
}
