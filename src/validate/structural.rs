//! Kubernetes structural schemas (OpenAPI 3.0 plus `x-kubernetes-*`) rewritten into JSON Schema
//! that accepts exactly what the API server accepts with strict field validation:
//! undeclared fields are unknown, int-or-string and `nullable` are unions, list types are
//! unique, and custom resources get a real `ObjectMeta` and their schema `default`s applied.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

/// Where a schema document keeps the schemas its `$ref`s point at.
pub const SCHEMAS: &str = "#/components/schemas/";
pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
pub const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/// The grammar of `resource.Quantity` strings (`30Gi`, `500m`, `1e3`), as the API server parses it.
pub const QUANTITY_PATTERN: &str =
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";
/// Whether `text` matches [`QUANTITY_PATTERN`], for checks outside a schema (a Knative
/// annotation whose value is a quantity).
pub fn is_quantity(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let whole = digits(rest);
    let mut rest = &rest[whole..];
    let mut fraction = 0;
    if let Some(after) = rest.strip_prefix('.') {
        fraction = digits(after);
        rest = &after[fraction..];
    } else if whole == 0 {
        return false;
    }
    if whole == 0 && fraction == 0 {
        return false;
    }
    match rest {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        exponent => exponent
            .strip_prefix(['e', 'E'])
            .map(|e| e.strip_prefix(['+', '-']).unwrap_or(e))
            .is_some_and(|e| !e.is_empty() && digits(e) == e.len()),
    }
}

/// The custom keyword that enforces `x-kubernetes-list-type: map` key uniqueness.
pub const LIST_MAP_KEYS: &str = "x-kubernetes-list-map-keys";

/// Rewrites a structural schema in place. `close` is false for the branches of
/// `allOf`/`anyOf`/`oneOf`/`not`, which constrain values but do not declare fields.
pub fn structural(schema: &mut Value, close: bool) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    let flag = |node: &Map<String, Value>, key: &str| node.get(key) == Some(&Value::Bool(true));
    let embedded = flag(node, "x-kubernetes-embedded-resource");

    if let Some(Value::Object(properties)) = node.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            if embedded && name == "metadata" {
                *property = object_meta(Some(property.take()));
            } else {
                structural(property, true);
            }
        }
    }
    if let Some(additional @ Value::Object(_)) = node.get_mut("additionalProperties") {
        structural(additional, true);
    }
    match node.get_mut("items") {
        Some(items @ Value::Object(_)) => structural(items, true),
        Some(Value::Array(items)) => items.iter_mut().for_each(|i| structural(i, true)),
        _ => {}
    }
    for junctor in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = node.get_mut(junctor) {
            branches.iter_mut().for_each(|b| structural(b, false));
        }
    }
    if let Some(not) = node.get_mut("not") {
        structural(not, false);
    }

    // Integer or string (`x-kubernetes-int-or-string`, or `format: int-or-string` on
    // IntOrString in the OpenAPI files): a union, not a `type`, and not a format to check.
    let int_or_string_format = node.get("format") == Some(&json!("int-or-string"));
    if flag(node, "x-kubernetes-int-or-string") || int_or_string_format {
        node.remove("type");
        if int_or_string_format {
            node.remove("format");
        }
        if !node.contains_key("anyOf") && !node.contains_key("oneOf") {
            node.insert(
                "anyOf".to_owned(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
        }
    }
    if embedded {
        let properties = node.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            for field in ["apiVersion", "kind"] {
                properties
                    .entry(field)
                    .or_insert_with(|| json!({"type": "string"}));
            }
            properties
                .entry("metadata")
                .or_insert_with(|| object_meta(None));
        }
    }
    match node.get("x-kubernetes-list-type").and_then(Value::as_str) {
        Some("set") => {
            node.insert("uniqueItems".to_owned(), Value::Bool(true));
        }
        Some("map") => {}
        _ => {
            node.remove(LIST_MAP_KEYS);
        }
    }
    // Strict field validation: fields a structural schema does not declare are unknown, unless
    // the schema preserves unknown fields or declares a map (`additionalProperties`).
    if close
        && node.contains_key("properties")
        && !node.contains_key("additionalProperties")
        && !flag(node, "x-kubernetes-preserve-unknown-fields")
    {
        node.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    if flag(node, "nullable") {
        node.remove("nullable");
        *schema = json!({"anyOf": [{"type": "null"}, schema.take()]});
    }
}

/// A definition of a Kubernetes OpenAPI document made ready to compile: rewritten by
/// [`structural`], and `Quantity` given its grammar (the documents say only "string").
pub fn openapi_component(name: &str, schema: &mut Value) {
    if name == QUANTITY {
        *schema =
            json!({"oneOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number"}]});
        return;
    }
    structural(schema, true);
    for (definition, field) in REQUIRED_ONLY_BY_NAME {
        if name == definition
            && let Some(Value::Array(required)) = schema.get_mut("required")
        {
            required.retain(|r| r.as_str() != Some(field));
        }
    }
    for (definition, field) in DUPLICATE_KEYS_ADMITTED {
        if name == definition
            && let Some(property) = schema.pointer_mut(&format!("/properties/{field}"))
            && let Some(property) = property.as_object_mut()
        {
            property.remove(LIST_MAP_KEYS);
        }
    }
}

/// List-map fields of built-in kinds whose keys the API server does not make unique: a
/// built-in kind is validated by hand-written Go, not by its OpenAPI `x-kubernetes-list-type`
/// (declarative validation reads only `+k8s:` tags, none on these, in Kubernetes 1.35), and
/// for these fields that Go admits repeated keys, at most with a warning. After
/// `pkg/apis/core/validation/validation.go` and `pkg/api/pod/warnings.go` of kubernetes v1.35.7
/// (`ValidateEnv`, `validateContainerPorts`, `validateHostAliases` and `validateImagePullSecrets`
/// with warnings only; `validateResourceClaimNames` admits a name twice with different
/// `request`s), apimachinery v0.35.7 `ValidateOwnerReferences` (duplicates are de-duplicated by
/// the handler with a warning), `ValidateServiceAccount` (no check of `secrets`), and
/// apiextensions-apiserver v0.35.7 (no check of repeated `x-kubernetes-validations` rules). The
/// other list-map fields of built-in kinds are refused with `Duplicate value` or "must be
/// unique", as the uniqueness keyword reports them.
const DUPLICATE_KEYS_ADMITTED: [(&str, &str); 10] = [
    ("io.k8s.api.core.v1.Container", "env"),
    ("io.k8s.api.core.v1.Container", "ports"),
    ("io.k8s.api.core.v1.EphemeralContainer", "env"),
    ("io.k8s.api.core.v1.PodSpec", "hostAliases"),
    ("io.k8s.api.core.v1.PodSpec", "imagePullSecrets"),
    ("io.k8s.api.core.v1.ResourceRequirements", "claims"),
    ("io.k8s.api.core.v1.ServiceAccount", "secrets"),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        "ownerReferences",
    ),
    (
        "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec",
        "variables",
    ),
    (
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
        "x-kubernetes-validations",
    ),
];

/// Fields a Kubernetes OpenAPI document lists as `required` only because the Go field has no
/// `omitempty`, which the API server accepts absent: a missing list decodes as an empty one,
/// and the kind's validation asks for no entry.
/// - `EndpointSlice.endpoints` (k8s.io/api `discovery/v1/types.go`, `Endpoints []Endpoint
///   json:"endpoints"`): gateway-api v1.6.1's conformance suite creates EndpointSlices without
///   it (`conformance/tests/httproute-service-types.yaml`) and requires the create to succeed.
const REQUIRED_ONLY_BY_NAME: [(&str, &str); 1] =
    [("io.k8s.api.discovery.v1.EndpointSlice", "endpoints")];

/// The root of a CRD schema: `apiVersion`, `kind` and `metadata` are implicit in every custom
/// resource, and `metadata` is a real `ObjectMeta` whatever the CRD says about it.
pub fn crd_body(mut schema: Value) -> Value {
    let metadata = schema
        .get_mut("properties")
        .and_then(|p| p.as_object_mut()?.remove("metadata"));
    structural(&mut schema, true);
    if let Some(root) = schema.as_object_mut() {
        let properties = root.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            for field in ["apiVersion", "kind"] {
                properties
                    .entry(field)
                    .or_insert_with(|| json!({"type": "string"}));
            }
            properties.insert("metadata".to_owned(), object_meta(metadata));
        }
    }
    schema
}

/// `metadata` checked against the real `ObjectMeta`, plus whatever the CRD itself says about it
/// (kept open: a CRD may constrain `name` without listing `labels` and the rest).
fn object_meta(crd_metadata: Option<Value>) -> Value {
    let mut all = vec![json!({"$ref": format!("{SCHEMAS}{OBJECT_META}")})];
    if let Some(mut extra) = crd_metadata {
        structural(&mut extra, false);
        all.push(extra);
    }
    json!({"allOf": all})
}

/// The document to compile: `body` with `schemas` for its `$ref`s to resolve in.
pub fn document(body: Value, schemas: Map<String, Value>) -> Value {
    json!({"allOf": [body], "components": {"schemas": schemas}})
}

/// The named schema and every schema it references, transitively; `None` if a `$ref` dangles.
pub fn reachable(root: &str, all: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo = vec![root.to_owned()];
    let mut out = Map::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = all.get(&name)?;
        collect_refs(schema, SCHEMAS, &mut todo);
        out.insert(name, schema.clone());
    }
    Some(out)
}

/// The names of the schemas `value` refers to as `$ref: <prefix><name>`, at any depth.
pub fn collect_refs(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(prefix))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, prefix, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, prefix, out)),
        _ => {}
    }
}

/// The skeleton of a structural schema that leads to its `default`s (`properties`, `items`,
/// `additionalProperties` and `default` only), or `None` if it has none. The API server applies
/// them before validating, and some schemas depend on that: Gateway API's `spec.addresses[]`
/// is a `oneOf` that only one branch matches once `type` has its default `IPAddress`.
pub fn defaults(schema: &Value) -> Option<Value> {
    let mut skeleton = Map::new();
    if let Some(default) = schema.get("default") {
        skeleton.insert("default".to_owned(), default.clone());
    }
    if let Some(Value::Object(properties)) = schema.get("properties") {
        let properties: Map<String, Value> = properties
            .iter()
            .filter_map(|(name, p)| Some((name.clone(), defaults(p)?)))
            .collect();
        if !properties.is_empty() {
            skeleton.insert("properties".to_owned(), Value::Object(properties));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(nested) = schema.get(key).and_then(defaults) {
            skeleton.insert(key.to_owned(), nested);
        }
    }
    (!skeleton.is_empty()).then_some(Value::Object(skeleton))
}

/// Fills the missing fields of `value` from `skeleton` (from [`defaults`]), top-down, so a
/// defaulted object gets the defaults nested in it too.
pub fn fill_defaults(value: &mut Value, skeleton: &Value) {
    match value {
        Value::Object(fields) => {
            if let Some(Value::Object(properties)) = skeleton.get("properties") {
                for (name, property) in properties {
                    if let Some(default) = property
                        .get("default")
                        .filter(|_| !fields.contains_key(name))
                    {
                        fields.insert(name.clone(), default.clone());
                    }
                    if let Some(field) = fields.get_mut(name) {
                        fill_defaults(field, property);
                    }
                }
            }
            if let Some(additional) = skeleton.get("additionalProperties") {
                fields
                    .values_mut()
                    .for_each(|field| fill_defaults(field, additional));
            }
        }
        Value::Array(items) => {
            if let Some(item) = skeleton.get("items") {
                items.iter_mut().for_each(|i| fill_defaults(i, item));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_follow_the_grammar() {
        for good in ["1", "100m", "1.5Gi", ".5", "5.", "+3k", "-2", "1e3", "2E-2"] {
            assert!(is_quantity(good), "{good}");
        }
        for bad in ["", ".", "100mx", "1 Gi", "Gi", "1e", "1e+", "1.2.3", "0x10"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn closes_objects_and_keeps_open_ones_open() {
        let mut schema = json!({"type": "object", "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "string"}}},
            "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"c": {}}},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
        }});
        structural(&mut schema, true);
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["properties"]["a"]["additionalProperties"],
            json!(false)
        );
        assert!(
            schema["properties"]["open"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(
            schema["properties"]["map"]["additionalProperties"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn int_or_string_nullable_and_list_types() {
        let mut schema = json!({"properties": {
            "port": {"x-kubernetes-int-or-string": true},
            "maybe": {"type": "string", "nullable": true},
            "tags": {"type": "array", "x-kubernetes-list-type": "set"},
        }});
        structural(&mut schema, true);
        let p = &schema["properties"];
        assert_eq!(
            p["port"]["anyOf"],
            json!([{"type": "integer"}, {"type": "string"}])
        );
        assert_eq!(p["maybe"]["anyOf"][0], json!({"type": "null"}));
        assert_eq!(p["tags"]["uniqueItems"], json!(true));
    }

    #[test]
    fn defaults_fill_missing_fields_only() {
        let schema = json!({"properties": {"type": {"default": "IPAddress"}, "n": {"default": 1}}});
        let skeleton = defaults(&schema).unwrap();
        let mut value = json!({"n": 2});
        fill_defaults(&mut value, &skeleton);
        assert_eq!(value, json!({"type": "IPAddress", "n": 2}));
    }
}
