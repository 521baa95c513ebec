//! Emit stage: objects -> canonical YAML text. Key order is fixed (apiVersion, kind, metadata,
//! then the body as typed), maps inside are sorted by their types, and objects are ordered by
//! [`apply_order`], so the same stacks always give the same bytes.

pub mod gitops;
pub mod layout;

use serde_json::{Map, Value};

use crate::k8s::{Object, ObjectRef};

/// Kinds in the order a cluster needs them: configuration and infrastructure before storage,
/// storage before the workloads that mount it.
const APPLY_ORDER: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "ConfigMap"),
    ("gateway.networking.k8s.io", "Gateway"),
    ("", "PersistentVolume"),
    ("", "PersistentVolumeClaim"),
    ("", "ServiceAccount"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("", "Service"),
    ("apps", "Deployment"),
    ("inference.networking.k8s.io", "InferencePool"),
    ("inference.networking.x-k8s.io", "InferencePool"),
    ("inference.networking.x-k8s.io", "InferenceObjective"),
    ("llm-d.ai", "InferenceObjective"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    (crate::k8s::knative::GROUP, "Service"),
];

/// Sort key: kind rank, then namespace, then name.
pub fn apply_order(id: &ObjectRef) -> (usize, &str, &str, &str, &str) {
    let rank = APPLY_ORDER
        .iter()
        .position(|(group, kind)| *group == id.group() && *kind == id.kind)
        .unwrap_or(APPLY_ORDER.len());
    (
        rank,
        id.kind.as_str(),
        id.namespace.as_deref().unwrap_or(""),
        id.name.as_str(),
        id.api_version.as_str(),
    )
}

/// Sorts objects into apply order.
pub fn sort(objects: &mut [Object]) {
    objects.sort_by(|a, b| apply_order(&a.id).cmp(&apply_order(&b.id)));
}

/// One object as a YAML document (without the `---` separator).
pub fn to_yaml(body: &Value) -> anyhow::Result<String> {
    Ok(serde_saphyr::to_string(&canonical(body))?)
}

/// Every object as one multi-document YAML stream, in apply order.
pub fn stream(objects: &[Object]) -> anyhow::Result<String> {
    let mut out = String::new();
    for object in objects {
        out.push_str("---\n");
        out.push_str(&to_yaml(&object.body)?);
    }
    Ok(out)
}

/// Puts the identifying keys first, the way `kubectl` and people write manifests: apiVersion,
/// kind and metadata at the top, name and namespace first in metadata, and `name` first in
/// every list item (containers, listeners, volumes), so a reviewer sees what each item is.
fn canonical(body: &Value) -> Value {
    let Value::Object(map) = body else {
        return body.clone();
    };
    let mut out = reorder(map, &["apiVersion", "kind", "metadata"], false);
    if let Some(Value::Object(metadata)) = out.get("metadata") {
        let metadata = reorder(
            metadata,
            &["name", "namespace", "labels", "annotations"],
            false,
        );
        out.insert("metadata".to_owned(), Value::Object(metadata));
    }
    Value::Object(out)
}

fn reorder(map: &Map<String, Value>, first: &[&str], in_list: bool) -> Map<String, Value> {
    let first: &[&str] = if in_list { &["name"] } else { first };
    let mut out = Map::new();
    for key in first {
        if let Some(value) = map.get(*key) {
            out.insert((*key).to_owned(), names_first(value, false));
        }
    }
    for (key, value) in map {
        if !first.contains(&key.as_str()) {
            out.insert(key.clone(), names_first(value, false));
        }
    }
    out
}

fn names_first(value: &Value, in_list: bool) -> Value {
    match value {
        Value::Object(map) => Value::Object(reorder(map, &[], in_list)),
        Value::Array(items) => Value::Array(items.iter().map(|v| names_first(v, true)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifying_keys_come_first() {
        let body = json!({"spec": {}, "metadata": {"labels": {"a": "b"}, "name": "x"}, "kind": "K", "apiVersion": "v1"});
        let yaml = to_yaml(&body).unwrap();
        assert_eq!(
            yaml,
            "apiVersion: v1\nkind: K\nmetadata:\n  name: x\n  labels:\n    a: b\nspec: {}\n"
        );
    }

    #[test]
    fn list_items_start_with_their_name() {
        let body = json!({"spec": {"containers": [{"image": "i", "name": "c", "ports": [{"containerPort": 1, "name": "p"}]}]}});
        let yaml = to_yaml(&body).unwrap();
        assert_eq!(
            yaml,
            "spec:\n  containers:\n  - name: c\n    image: i\n    ports:\n    - name: p\n      containerPort: 1\n"
        );
    }

    #[test]
    fn ambiguous_scalars_are_quoted_for_yaml_1_1_readers() {
        let body = json!({"data": {"a": "on", "b": "yes", "c": "1e3", "d": "0x1F", "e": "08", "f": "1", "g": "~", "h": "no"}});
        let yaml = to_yaml(&body).unwrap();
        for quoted in [
            "\"on\"", "\"yes\"", "\"1e3\"", "\"0x1F\"", "\"08\"", "\"1\"", "\"~\"", "\"no\"",
        ] {
            assert!(yaml.contains(quoted), "{quoted} not quoted in\n{yaml}");
        }
    }
}
