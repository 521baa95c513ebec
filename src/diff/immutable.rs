//! Which changes the API server refuses to make in place, as Kubernetes' update validation
//! decides them (kubernetes/kubernetes `pkg/apis/core/validation/validation.go`):
//!
//! - PersistentVolume (`ValidatePersistentVolumeUpdate`): the volume source is immutable
//!   ("spec.persistentvolumesource is immutable after creation"), so is `volumeMode`, and
//!   `nodeAffinity` once set; capacity, access modes, claimRef, reclaim policy, storage class
//!   and mount options may change. A CSI `controllerExpandSecretRef` may be added once.
//! - PersistentVolumeClaim (`ValidatePersistentVolumeClaimUpdate`): the spec is immutable
//!   "except resources.requests and volumeAttributesClassName"; `volumeName` may be set once;
//!   the storage request "can not be less than previous value". Growing it passes the
//!   PersistentVolumeClaimResize admission plugin only for a claim of a StorageClass with
//!   `allowVolumeExpansion` ("only dynamically provisioned pvc can be resized and the
//!   storageclass that provisions the pvc must support resize"): never for a static claim
//!   (no class), and for a named class only if that class allows it, which is a condition.
//! - Service `clusterIP`, workload and InferencePool selectors: immutable fields.

use serde_json::Value;

use super::{differing, under};
use crate::k8s::ObjectRef;
use crate::quantity::Quantity;

/// An immutable field that changes, and the rule that says so.
#[derive(Clone, Debug, PartialEq)]
pub struct Forced {
    pub pointer: String,
    pub why: String,
}

/// What an update needs: fields that force a replace, and conditions for an in-place update.
#[derive(Debug, Default)]
pub struct Verdict {
    pub forced: Vec<Forced>,
    pub conditions: Vec<String>,
}

/// The PersistentVolume spec fields outside its volume source.
const PV_FIELDS: &[&str] = &[
    "capacity",
    "accessModes",
    "claimRef",
    "persistentVolumeReclaimPolicy",
    "storageClassName",
    "mountOptions",
    "volumeMode",
    "nodeAffinity",
    "volumeAttributesClassName",
];

const PV_SOURCE: &str = "spec.persistentvolumesource is immutable after creation (Kubernetes ValidatePersistentVolumeUpdate)";
const PVC_SPEC: &str = "spec is immutable after creation except resources.requests and volumeAttributesClassName (Kubernetes ValidatePersistentVolumeClaimUpdate)";
const FIELD: &str = "field is immutable (Kubernetes update validation)";

/// The immutable fields of an object of type `id` that differ between `old` and `new`, as JSON
/// Pointers to the deepest values that differ, in document order.
pub fn immutable_fields(id: &ObjectRef, old: &Value, new: &Value) -> Vec<String> {
    check(id, old, new)
        .forced
        .into_iter()
        .map(|f| f.pointer)
        .collect()
}

/// Every difference between `old` and `new` judged by the rules of the object's type.
pub fn check(id: &ObjectRef, old: &Value, new: &Value) -> Verdict {
    let mut differences = Vec::new();
    differing(Some(old), Some(new), String::new(), &mut differences);
    let mut verdict = Verdict::default();
    for pointer in differences {
        let why = match (id.group(), id.kind.as_str()) {
            ("", "PersistentVolume") => volume(&pointer, old),
            ("", "PersistentVolumeClaim") => claim(&pointer, old, new, &mut verdict.conditions),
            ("", "Service") => under(&pointer, "/spec/clusterIP").then_some(FIELD.to_owned()),
            ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
            | ("inference.networking.k8s.io" | "inference.networking.x-k8s.io", "InferencePool") => {
                under(&pointer, "/spec/selector").then_some(FIELD.to_owned())
            }
            _ => None,
        };
        if let Some(why) = why {
            verdict.forced.push(Forced { pointer, why });
        }
    }
    verdict
}

fn volume(pointer: &str, old: &Value) -> Option<String> {
    let field = pointer.strip_prefix("/spec/")?.split('/').next()?;
    match field {
        "volumeMode" => Some(FIELD.to_owned()),
        "nodeAffinity" => old.pointer("/spec/nodeAffinity").map(|_| {
            "nodeAffinity is immutable once set (Kubernetes validatePvNodeAffinity)".to_owned()
        }),
        _ if PV_FIELDS.contains(&field) => None,
        "csi"
            if under(pointer, "/spec/csi/controllerExpandSecretRef")
                && old.pointer("/spec/csi/controllerExpandSecretRef").is_none() =>
        {
            None
        }
        _ => Some(PV_SOURCE.to_owned()),
    }
}

fn claim(pointer: &str, old: &Value, new: &Value, conditions: &mut Vec<String>) -> Option<String> {
    if !under(pointer, "/spec") || under(pointer, "/spec/volumeAttributesClassName") {
        return None;
    }
    if under(pointer, "/spec/volumeName") && old.pointer("/spec/volumeName").is_none() {
        return None;
    }
    if pointer != "/spec/resources/requests/storage" {
        return Some(PVC_SPEC.to_owned());
    }
    let size = |v: &Value| {
        v.pointer("/spec/resources/requests/storage")
            .and_then(Value::as_str)
            .and_then(Quantity::parse)
    };
    let (Some(before), Some(after)) = (size(old), size(new)) else {
        return Some(PVC_SPEC.to_owned());
    };
    if after < before {
        return Some("spec.resources.requests.storage can not be less than previous value (Kubernetes ValidatePersistentVolumeClaimUpdate)".to_owned());
    }
    match new.pointer("/spec/storageClassName").and_then(Value::as_str) {
        None | Some("") => Some("only dynamically provisioned pvc can be resized (PersistentVolumeClaimResize admission): a claim without a storage class never grows".to_owned()),
        Some(class) => {
            conditions.push(format!(
                "{pointer} grows in place only if StorageClass {class} sets allowVolumeExpansion: true (PersistentVolumeClaimResize admission); otherwise the claim must be replaced"
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id(kind: &str) -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: kind.into(),
            namespace: None,
            name: "x".into(),
        }
    }

    #[test]
    fn a_volume_may_change_its_capacity_but_not_its_source() {
        let pv = |size: &str, path: &str| json!({"spec": {"capacity": {"storage": size}, "csi": {"driver": "d", "volumeHandle": "h", "volumeAttributes": {"path": path}}}});
        let grow = check(
            &id("PersistentVolume"),
            &pv("30Gi", "/a"),
            &pv("40Gi", "/a"),
        );
        assert!(grow.forced.is_empty());
        let moved = check(
            &id("PersistentVolume"),
            &pv("30Gi", "/a"),
            &pv("30Gi", "/b"),
        );
        assert_eq!(moved.forced[0].pointer, "/spec/csi/volumeAttributes/path");
        assert!(
            moved.forced[0]
                .why
                .starts_with("spec.persistentvolumesource is immutable")
        );
    }

    #[test]
    fn a_claim_grows_only_with_an_expandable_class_and_never_shrinks() {
        let pvc = |size: &str, class: &str| json!({"spec": {"storageClassName": class, "resources": {"requests": {"storage": size}}, "accessModes": ["ReadOnlyMany"]}});
        let named = check(
            &id("PersistentVolumeClaim"),
            &pvc("30Gi", "oss"),
            &pvc("40Gi", "oss"),
        );
        assert!(named.forced.is_empty());
        assert!(named.conditions[0].contains("StorageClass oss sets allowVolumeExpansion"));
        let static_claim = check(
            &id("PersistentVolumeClaim"),
            &pvc("30Gi", ""),
            &pvc("40Gi", ""),
        );
        assert!(
            static_claim.forced[0]
                .why
                .contains("only dynamically provisioned pvc can be resized")
        );
        let shrink = check(
            &id("PersistentVolumeClaim"),
            &pvc("40Gi", "oss"),
            &pvc("30Gi", "oss"),
        );
        assert!(
            shrink.forced[0]
                .why
                .contains("can not be less than previous value")
        );
        let class = check(
            &id("PersistentVolumeClaim"),
            &pvc("30Gi", "oss"),
            &pvc("30Gi", "nas"),
        );
        assert_eq!(class.forced[0].pointer, "/spec/storageClassName");
    }
}
