//! What the API server writes into an object on its own, taken out so that an object read
//! from a cluster compares with one a build writes, and a pulled CRD does not change with
//! every read: the fields `diff --live` ignores and `schemas pull` never writes.

use serde_json::Value;

/// `metadata` fields the server sets (kubernetes.io/docs/reference/using-api/api-concepts:
/// `resourceVersion`, `uid`, `creationTimestamp`, `generation`, `managedFields`; `selfLink`
/// from servers before 1.20).
pub const SERVER_METADATA: &[&str] = &[
    "creationTimestamp",
    "generation",
    "managedFields",
    "resourceVersion",
    "selfLink",
    "uid",
];

/// The annotation `kubectl apply` (client-side) keeps a copy of the object in: not part of
/// what the object says.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Removes `status`, the server's metadata fields and the last-applied annotation (and
/// `annotations` itself if that leaves it empty).
pub fn without_server_fields(object: &mut Value) {
    let Some(fields) = object.as_object_mut() else {
        return;
    };
    fields.remove("status");
    let Some(metadata) = fields.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for field in SERVER_METADATA {
        metadata.remove(*field);
    }
    if let Some(annotations) = metadata
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            metadata.remove("annotations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_servers_fields_go_and_the_objects_stay() {
        let mut object = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": "config-features", "namespace": "knative-serving",
                "uid": "0c6e", "resourceVersion": "42", "generation": 3,
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "managedFields": [{"manager": "kubectl"}],
                "labels": {"app": "x"},
                "annotations": {LAST_APPLIED: "{}"}
            },
            "data": {"kubernetes.podspec-affinity": "enabled"},
            "status": {"conditions": []}
        });
        without_server_fields(&mut object);
        assert_eq!(
            object,
            json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "config-features", "namespace": "knative-serving", "labels": {"app": "x"}},
                "data": {"kubernetes.podspec-affinity": "enabled"}
            })
        );
    }

    #[test]
    fn other_annotations_stay() {
        let mut object = json!({"metadata": {"annotations": {LAST_APPLIED: "{}", "a": "b"}}});
        without_server_fields(&mut object);
        assert_eq!(object, json!({"metadata": {"annotations": {"a": "b"}}}));
    }
}
