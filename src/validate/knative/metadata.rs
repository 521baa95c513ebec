//! Knative's checks of object metadata, after knative/serving at `knative-v1.23.0` and the
//! knative/pkg its `go.mod` pins (`521cb33b33dd`):
//! - every Knative object's own name (`apis.ValidateObjectMetadata`,
//!   `knative.dev/pkg/apis/metadata_validation.go`): a DNS-1035 label, a `generateName` that is
//!   a DNS-1035 prefix, one of the two present (code `invalid-name`, as for any name the API
//!   server refuses);
//! - a revision template's name (`validateRevisionName`,
//!   `pkg/apis/serving/v1/revision_validation.go`): a DNS-1035 label that starts with
//!   `<parent>-`, and none when the parent has only a `generateName` (`invalid-name`);
//! - the labels that name an owner (`validateLabels` of Configuration and Route,
//!   `ValidateLabels` of Revision, `verifyLabelOwnerRef`): `serving.knative.dev/service` or
//!   `.../configuration` must match an owner reference of that kind and name
//!   (`knative-owner-label`).

use serde_json::Value;

use super::Admission;
use super::apimachinery::name_is_dns1035_label;
use crate::diag::Code;
use crate::yaml::escape;

use crate::k8s::knative::SERVICE_LABEL;
const CONFIGURATION_LABEL: &str = "serving.knative.dev/configuration";

/// Checks the metadata of a `serving.knative.dev/v1` object.
pub fn check(cx: &mut Admission, object: &Value) {
    let Some(kind) = object.get("kind").and_then(Value::as_str) else {
        return;
    };
    if !matches!(kind, "Service" | "Configuration" | "Route" | "Revision") {
        return;
    }
    let metadata = object.get("metadata");
    own_name(cx, kind, metadata);
    match kind {
        "Configuration" | "Route" => owner_label(cx, metadata, SERVICE_LABEL, "Service"),
        "Revision" => owner_label(cx, metadata, CONFIGURATION_LABEL, "Configuration"),
        _ => {}
    }
    if matches!(kind, "Service" | "Configuration") {
        revision_name(
            cx,
            kind,
            metadata,
            object.pointer("/spec/template/metadata"),
        );
    }
}

fn text<'a>(metadata: Option<&'a Value>, field: &str) -> &'a str {
    metadata
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `NameIsDNS1035Label`'s messages for a set `value`, joined as Knative prints them inside
/// `[...]`; `None` when it is unset or valid.
fn dns1035_problems(value: &str, prefix: bool) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    let problems = name_is_dns1035_label(value, prefix);
    (!problems.is_empty()).then(|| problems.join(", "))
}

/// `apis.ValidateObjectMetadata`: the first problem of `generateName`, `name`, or neither.
fn own_name(cx: &mut Admission, kind: &str, metadata: Option<&Value>) {
    let (name, generate_name) = (text(metadata, "name"), text(metadata, "generateName"));
    if let Some(problems) = dns1035_problems(generate_name, true) {
        cx.push(
            Code::InvalidName,
            "/metadata/generateName".to_owned(),
            format!(
                "not a DNS 1035 label prefix: [{}]: Knative names a {kind}'s children after it, \
                 so a generateName must be lower-case letters, digits and '-', starting with a \
                 letter",
                problems
            ),
        );
        return;
    }
    if let Some(problems) = dns1035_problems(name, false) {
        cx.push(
            Code::InvalidName,
            "/metadata/name".to_owned(),
            format!(
                "not a DNS 1035 label: [{}]: Knative names a {kind}'s routes and children after \
                 it, so the name must be at most 63 lower-case letters, digits and '-', starting \
                 with a letter",
                problems
            ),
        );
        return;
    }
    if name.is_empty() && generate_name.is_empty() {
        cx.push(
            Code::InvalidName,
            "/metadata/name".to_owned(),
            format!(
                "name or generateName is required: the {kind} has neither; kubectl apply and \
                 GitOps tools need a name"
            ),
        );
    }
}

/// `verifyLabelOwnerRef`: a `label` naming an owner of `owner_kind` that is not among the owner
/// references. Knative sets these labels on the objects it creates; written by hand they are
/// refused unless the reference is there too.
fn owner_label(cx: &mut Admission, metadata: Option<&Value>, label: &str, owner_kind: &str) {
    let Some(value) = metadata
        .and_then(|m| m.get("labels"))
        .and_then(|l| l.get(label))
        .and_then(Value::as_str)
    else {
        return;
    };
    let owned = metadata
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|r| {
            r.get("kind").and_then(Value::as_str) == Some(owner_kind)
                && r.get("name").and_then(Value::as_str) == Some(value)
        });
    if !owned {
        cx.push(
            Code::KnativeOwnerLabel,
            format!("/metadata/labels/{}", escape(label)),
            format!(
                "missing field(s): metadata.labels.{label}: the label names {owner_kind} \
                 {value:?}, but no ownerReference is a {owner_kind} of that name; Knative sets \
                 this label itself on what a {owner_kind} creates, so remove it (or add the \
                 {owner_kind} as an owner reference)"
            ),
        );
    }
}

/// `validateRevisionName` on `spec.template.metadata`, within the parent's `metadata`.
fn revision_name(cx: &mut Admission, kind: &str, parent: Option<&Value>, template: Option<&Value>) {
    let base = "/spec/template/metadata";
    let (name, generate_name) = (text(template, "name"), text(template, "generateName"));
    if let Some(problems) = dns1035_problems(generate_name, true) {
        cx.push(
            Code::InvalidName,
            format!("{base}/generateName"),
            format!(
                "invalid value: not a DNS 1035 label prefix: [{problems}]: a revision \
                 generateName must be lower-case letters, digits and '-', starting with a letter"
            ),
        );
        return;
    }
    if name.is_empty() {
        return;
    }
    if let Some(problems) = dns1035_problems(name, false) {
        cx.push(
            Code::InvalidName,
            format!("{base}/name"),
            format!(
                "invalid value: not a DNS 1035 label: [{}]: a revision name must be at most 63 \
                 lower-case letters, digits and '-', starting with a letter",
                problems
            ),
        );
        return;
    }
    let parent_name = text(parent, "name");
    if parent_name.is_empty() && !text(parent, "generateName").is_empty() {
        cx.push(
            Code::InvalidName,
            format!("{base}/name"),
            format!(
                "must not set the field(s): metadata.name: the {kind} has only a generateName, \
                 so its revision names cannot be chosen at creation; remove the revision name"
            ),
        );
        return;
    }
    let prefix = format!("{parent_name}-");
    if !name.starts_with(&prefix) {
        cx.push(
            Code::InvalidName,
            format!("{base}/name"),
            format!(
                "invalid value: {name:?} must have prefix {prefix:?}: Knative requires a \
                 revision name chosen by hand to start with the {kind}'s name and '-'; rename it \
                 to e.g. \"{prefix}v2\", or remove it to let Knative number revisions"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::knative::findings_of;
    use serde_json::json;

    fn run(object: &Value) -> Vec<(Code, String, String)> {
        findings_of(check, object)
            .into_iter()
            .map(|f| (f.code, f.pointer, f.message))
            .collect()
    }

    fn object(kind: &str, metadata: Value, template: Value) -> Value {
        json!({"apiVersion": "serving.knative.dev/v1", "kind": kind, "metadata": metadata,
               "spec": {"template": {"metadata": template}}})
    }

    #[test]
    fn own_names_are_dns_1035_labels() {
        let found = run(&object("Service", json!({"name": "1st"}), json!({})));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "/metadata/name");
        assert!(
            found[0]
                .2
                .starts_with("not a DNS 1035 label: [a DNS-1035 label must consist")
        );
        let found = run(&object("Route", json!({"generateName": "Web-"}), json!({})));
        assert_eq!(found[0].1, "/metadata/generateName");
        let found = run(&object("Configuration", json!({}), json!({})));
        assert!(found[0].2.starts_with("name or generateName is required"));
        assert_eq!(
            run(&object("Revision", json!({"name": "web-00001"}), json!({}))),
            []
        );
        assert_eq!(
            run(&object("Route", json!({"generateName": "web-"}), json!({}))),
            []
        );
    }

    #[test]
    fn owner_labels_need_their_owner() {
        let labelled = json!({"name": "web", "labels": {SERVICE_LABEL: "shop"}});
        let found = run(&object("Configuration", labelled.clone(), json!({})));
        assert_eq!(found[0].0, Code::KnativeOwnerLabel);
        assert_eq!(found[0].1, "/metadata/labels/serving.knative.dev~1service");
        assert!(
            found[0]
                .2
                .starts_with("missing field(s): metadata.labels.serving.knative.dev/service")
        );
        let mut owned = labelled;
        owned["ownerReferences"] = json!([{"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "shop", "uid": "1"}]);
        assert_eq!(run(&object("Route", owned.clone(), json!({}))), []);
        // A Revision's label is the Configuration's; a Service label on it is not checked.
        assert_eq!(run(&object("Revision", owned, json!({}))), []);
        let revision = json!({"name": "web-1", "labels": {CONFIGURATION_LABEL: "web"}});
        assert_eq!(
            run(&object("Revision", revision, json!({})))[0].0,
            Code::KnativeOwnerLabel
        );
    }

    #[test]
    fn revision_names_start_with_the_parent() {
        let parent = json!({"name": "web"});
        assert_eq!(
            run(&object(
                "Service",
                parent.clone(),
                json!({"name": "web-v2"})
            )),
            []
        );
        let found = run(&object("Service", parent.clone(), json!({"name": "v2"})));
        assert_eq!(found[0].1, "/spec/template/metadata/name");
        assert!(
            found[0]
                .2
                .starts_with(r#"invalid value: "v2" must have prefix "web-""#)
        );
        let found = run(&object(
            "Configuration",
            parent.clone(),
            json!({"name": "web.v2"}),
        ));
        assert!(
            found[0]
                .2
                .starts_with("invalid value: not a DNS 1035 label: ")
        );
        let found = run(&object(
            "Configuration",
            parent,
            json!({"generateName": "Web-"}),
        ));
        assert_eq!(found[0].1, "/spec/template/metadata/generateName");
        let generated = json!({"generateName": "web-"});
        let found = run(&object("Service", generated, json!({"name": "web-v2"})));
        assert!(
            found[0]
                .2
                .starts_with("must not set the field(s): metadata.name")
        );
    }
}
