//! Admission rules on `metadata` that JSON Schema cannot express and kubeconform skips: the
//! name format each kind requires, namespace, label and annotation syntax.

use serde_json::Value;

use super::names::{is_dns_label, is_dns_subdomain, is_label_key, is_label_value};
use crate::yaml::escape;

/// One broken metadata rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameProblem {
    pub pointer: String,
    pub message: String,
}

/// Kinds whose names become DNS labels (Service host names, namespaces, Knative routes).
const LABEL_NAMED: &[(&str, &str)] = &[
    ("", "Service"),
    ("", "Namespace"),
    ("serving.knative.dev", "Service"),
    ("serving.knative.dev", "Configuration"),
    ("serving.knative.dev", "Route"),
];

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
    if text("name").is_none() && text("generateName").is_none() {
        problems.push(NameProblem {
            pointer: "/metadata/name".to_owned(),
            message: format!(
                "the {kind} has no metadata.name; kubectl apply and GitOps tools need one"
            ),
        });
    }
    if let Some(name) = text("name") {
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
    problems
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
