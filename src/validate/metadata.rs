//! Admission rules on `metadata` that JSON Schema cannot express and kubeconform skips: the
//! name format each kind requires, namespace, label and annotation syntax.

use serde_json::Value;

use super::knative;
use crate::k8s::names::{is_dns_label, is_dns_subdomain, is_label_key, is_label_value};
use crate::yaml::escape;

/// One broken metadata rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameProblem {
    pub pointer: String,
    pub message: String,
}

/// Kinds whose names become DNS labels (Service host names, namespaces).
const LABEL_NAMED: &[(&str, &str)] = &[("", "Service"), ("", "Namespace")];

/// Knative's webhook checks these kinds' names its own way (DNS-1035 labels, with its own
/// messages), in `knative::metadata`; checking them here too would report one defect twice.
const KNATIVE_NAMED: [&str; 4] = ["Service", "Configuration", "Route", "Revision"];

/// RBAC objects only need names that are valid path segments.
const PATH_SEGMENT_NAMED: &[(&str, &str)] = &[
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
];

pub fn check(group: &str, kind: &str, object: &Value) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let metadata = object.get("metadata");
    let text = |field: &str| metadata.and_then(|m| m.get(field)).and_then(Value::as_str);
    let knative = object.get("apiVersion").and_then(Value::as_str) == Some(knative::API_VERSION)
        && KNATIVE_NAMED.contains(&kind);
    if !knative && text("name").is_none() && text("generateName").is_none() {
        problems.push(NameProblem {
            pointer: "/metadata/name".to_owned(),
            message: format!(
                "the {kind} has no metadata.name; kubectl apply and GitOps tools need one"
            ),
        });
    }
    if let Some(name) = text("name").filter(|_| !knative) {
        let (ok, rule) = if LABEL_NAMED.contains(&(group, kind)) {
            (
                is_dns_label(name),
                "a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)",
            )
        } else if PATH_SEGMENT_NAMED.contains(&(group, kind)) {
            (
                !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '%']),
                "a path segment (not '.' or '..', no '/' or '%')",
            )
        } else {
            (
                is_dns_subdomain(name),
                "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)",
            )
        };
        if !ok {
            problems.push(NameProblem {
                pointer: "/metadata/name".to_owned(),
                message: format!("{kind} name {name:?} is not valid: it must be {rule}"),
            });
        }
    }
    if let Some(namespace) = text("namespace")
        && !is_dns_label(namespace)
    {
        problems.push(NameProblem {
            pointer: "/metadata/namespace".to_owned(),
            message: format!("namespace {namespace:?} is not a DNS-1123 label"),
        });
    }
    let map = |field: &str| {
        metadata
            .and_then(|m| m.get(field))
            .and_then(Value::as_object)
    };
    for (key, value) in map("labels").into_iter().flatten() {
        let pointer = format!("/metadata/labels/{}", escape(key));
        if !is_label_key(key) {
            problems.push(NameProblem { pointer: pointer.clone(), message: format!("label key {key:?} is not a valid qualified name ([prefix/]name, name at most 63 of [A-Za-z0-9._-])") });
        }
        if let Some(value) = value.as_str().filter(|v| !is_label_value(v)) {
            problems.push(NameProblem { pointer, message: format!("label value {value:?} is not valid: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric") });
        }
    }
    for key in map("annotations").into_iter().flatten().map(|(k, _)| k) {
        if !is_label_key(key) {
            problems.push(NameProblem {
                pointer: format!("/metadata/annotations/{}", escape(key)),
                message: format!("annotation key {key:?} is not a valid qualified name"),
            });
        }
    }
    if let Some(references) = metadata
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
    {
        owner_references(references, &mut problems);
    }
    problems
}

/// `ValidateOwnerReferences` of apimachinery (`pkg/api/validation/objectmeta.go` at v0.35.7):
/// each reference names a version, kind, name and uid, no Event owns anything, and at most one
/// reference is the controller. A field of the wrong type is the schema's to report.
fn owner_references(references: &[Value], problems: &mut Vec<NameProblem>) {
    let mut controller: Option<String> = None;
    for (i, reference) in references.iter().enumerate() {
        let Some(reference) = reference.as_object() else {
            continue;
        };
        let at = format!("/metadata/ownerReferences/{i}");
        let field = |name: &str| reference.get(name).map_or(Some(""), Value::as_str);
        let (api_version, kind) = (field("apiVersion"), field("kind"));
        // `schema.FromAPIVersionAndKind`: no version when apiVersion is not `[group/]version`.
        let version = api_version.map(|v| match v.split('/').collect::<Vec<_>>()[..] {
            [version] | [_, version] => version,
            _ => "",
        });
        let empty = |value: Option<&str>| value == Some("");
        if empty(version) {
            problems.push(NameProblem {
                pointer: format!("{at}/apiVersion"),
                message: format!(
                    "Invalid value: {:?}: version must not be empty; write the owner's \
                     apiVersion, such as \"apps/v1\"",
                    api_version.unwrap_or("")
                ),
            });
        }
        for name in ["kind", "name", "uid"] {
            if empty(field(name)) {
                let why = if name == "uid" {
                    "only the cluster knows an owner's uid, so ownerReferences belong to the \
                     controller that creates the object; remove the reference from the manifest"
                } else {
                    "name the owning object"
                };
                problems.push(NameProblem {
                    pointer: format!("{at}/{name}"),
                    message: format!("Invalid value: \"\": must not be empty; {why}"),
                });
            }
        }
        if api_version == Some("v1") && kind == Some("Event") {
            problems.push(NameProblem {
                pointer: at.clone(),
                message: "/v1, Kind=Event is disallowed from being an owner".to_owned(),
            });
        }
        if reference.get("controller") == Some(&Value::Bool(true)) {
            let this = format!("{}/{}", kind.unwrap_or(""), field("name").unwrap_or(""));
            match &controller {
                Some(first) => problems.push(NameProblem {
                    pointer: format!("{at}/controller"),
                    message: format!(
                        "Only one reference can have Controller set to true. Found \"true\" in \
                         references for {first} and {this}"
                    ),
                }),
                None => controller = Some(this),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn name_rules_depend_on_the_kind() {
        let named = |name: &str| json!({"metadata": {"name": name}});
        assert_eq!(
            check("", "ConfigMap", &json!({"metadata": {}}))[0].pointer,
            "/metadata/name"
        );
        assert!(check("", "Pod", &json!({"metadata": {"generateName": "x-"}})).is_empty());
        assert!(check("", "ConfigMap", &named("a.b")).is_empty());
        assert_eq!(check("", "Service", &named("a.b")).len(), 1);
        assert_eq!(
            check("serving.knative.dev", "Service", &named("Qwen")).len(),
            1
        );
        assert!(check("rbac.authorization.k8s.io", "Role", &named("system:reader")).is_empty());
        assert_eq!(
            check("", "ConfigMap", &named("a_b"))[0].pointer,
            "/metadata/name"
        );
    }

    #[test]
    fn owner_references_are_complete_with_one_controller() {
        let object = json!({"metadata": {"name": "x", "ownerReferences": [
            {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "a", "uid": "1", "controller": true},
            {"apiVersion": "a/b/c", "kind": "Event", "name": "b", "uid": ""},
            {"apiVersion": "v1", "kind": "Event", "name": "c", "uid": "3", "controller": true}]}});
        let found: Vec<(String, String)> = check("", "Pod", &object)
            .into_iter()
            .map(|p| (p.pointer, p.message))
            .collect();
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/metadata/ownerReferences/1/apiVersion",
                "/metadata/ownerReferences/1/uid",
                "/metadata/ownerReferences/2",
                "/metadata/ownerReferences/2/controller",
            ]
        );
        assert!(
            found[3]
                .1
                .contains("references for ReplicaSet/a and Event/c")
        );
        let complete = json!({"metadata": {"name": "x", "ownerReferences": [
            {"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u"}]}});
        assert_eq!(check("", "Pod", &complete), []);
    }

    #[test]
    fn labels_and_annotations_are_checked() {
        let object = json!({"metadata": {"name": "x", "namespace": "Bad", "labels": {"ok": "v", "a/b/c": "v", "k": "-x"}, "annotations": {"a b": "1"}}});
        let pointers: Vec<String> = check("", "ConfigMap", &object)
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            [
                "/metadata/namespace",
                "/metadata/labels/a~1b~1c",
                "/metadata/labels/k",
                "/metadata/annotations/a b"
            ]
        );
    }
}
