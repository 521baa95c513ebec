//! Validation of Kubernetes objects against the real upstream schemas in `../shared/reference`.
//!
//! [`Upstream`] owns one JSON Schema document per `(apiVersion, kind)`, built from the CRDs under
//! `reference/crds` and the Kubernetes v1.35 OpenAPI v3 documents. An object (`serde_json::Value`)
//! goes in; one `"<json-pointer>: <message>"` line per problem comes out, like the API server
//! with `fieldValidation=Strict` (unknown fields are errors). CEL rules
//! (`x-kubernetes-validations`) are out of scope. The files are read in place, never copied.
//!
//! Kubernetes schemas are OpenAPI 3.0 "structural" schemas, not plain JSON Schema, so
//! [`structural`] rewrites them first: objects with `properties` are closed
//! (`additionalProperties: false`) unless `x-kubernetes-preserve-unknown-fields` says otherwise,
//! int-or-string and `nullable` become JSON Schema unions, and `metadata` is checked against the
//! real `ObjectMeta`.

// Each test crate that includes `support` uses only part of this module.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value, json};

const SCHEMAS: &str = "#/components/schemas/";
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/// The grammar of `resource.Quantity` strings (`30Gi`, `500m`, `1e3`), which the API server parses.
const QUANTITY_PATTERN: &str =
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";

/// `(apiVersion, kind)`, e.g. `("v1", "ConfigMap")` or `("gateway.networking.k8s.io/v1", "Gateway")`.
type Gvk = (String, String);

/// Compiled upstream schemas keyed by `(apiVersion, kind)`.
pub struct Upstream {
    schemas: HashMap<Gvk, Entry>,
}

/// Where a kind's schema comes from, and its validator, built on first use: transforming and
/// compiling every CRD version up front would cost seconds in debug builds.
struct Entry {
    source: Source,
    compiled: OnceLock<Compiled>,
}

enum Source {
    /// A schema of a Kubernetes OpenAPI file, by name, among that file's transformed schemas.
    OpenApi {
        name: String,
        schemas: Arc<Map<String, Value>>,
    },
    /// One CRD version's `openAPIV3Schema` as upstream wrote it, and `ObjectMeta` for its metadata.
    Crd {
        schema: Value,
        object_meta: Arc<Map<String, Value>>,
    },
}

struct Compiled {
    validator: jsonschema::Validator,
    /// For custom resources, the `default`s the API server fills in before it validates (see
    /// [`defaults`]); built-in kinds are defaulted by Go code, not by their schema.
    defaults: Option<Value>,
}

/// The process-wide [`Upstream`], loaded once so every test shares the parsed schemas.
pub fn upstream() -> &'static Upstream {
    static UPSTREAM: OnceLock<Upstream> = OnceLock::new();
    UPSTREAM.get_or_init(Upstream::load)
}

/// `../shared/reference`, relative to the crate root.
pub fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference")
}

/// Every `*.yaml` file under `dir`, recursively, in sorted order.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "yaml") {
            files.push(path);
        }
    }
    files
}

/// The documents of a multi-document YAML file; empty and null documents are skipped.
pub fn yaml_documents(path: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let documents: Vec<Value> = serde_saphyr::from_multiple(&text)
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    documents.into_iter().filter(|d| !d.is_null()).collect()
}

impl Upstream {
    /// Loads the Kubernetes OpenAPI v3 files under `reference/openapi/kubernetes/v1.35` and every
    /// CustomResourceDefinition under `reference/crds` (other documents there are skipped).
    pub fn load() -> Upstream {
        let reference = reference_dir();
        let mut schemas = HashMap::new();
        let object_meta = load_openapi(&reference.join("openapi/kubernetes/v1.35"), &mut schemas);
        load_crds(&reference.join("crds"), &object_meta, &mut schemas);
        Upstream { schemas }
    }

    /// Every `(apiVersion, kind)` that has a schema, sorted.
    pub fn kinds(&self) -> Vec<Gvk> {
        let mut kinds: Vec<Gvk> = self.schemas.keys().cloned().collect();
        kinds.sort();
        kinds
    }

    /// Returns one line per problem, `"<json-pointer>: <message>"` (the pointer of the object
    /// itself is empty); an empty vector means valid. An object whose apiVersion/kind has no
    /// schema gets the single line `"no upstream schema for <apiVersion> <kind>"`.
    pub fn validate(&self, object: &Value) -> Vec<String> {
        let field = |name| object.get(name).and_then(Value::as_str).unwrap_or_default();
        let (api_version, kind) = (field("apiVersion"), field("kind"));
        let Some(entry) = self.schemas.get(&(api_version.to_owned(), kind.to_owned())) else {
            return vec![format!("no upstream schema for {api_version} {kind}")];
        };
        let compiled = entry
            .compiled
            .get_or_init(|| entry.source.compile(api_version, kind));
        let defaulted;
        let object = match &compiled.defaults {
            Some(defaults) => {
                defaulted = with_defaults(object.clone(), defaults);
                &defaulted
            }
            None => object,
        };
        compiled
            .validator
            .iter_errors(object)
            .flat_map(|e| render(&e))
            .collect()
    }
}

/// One line per problem; an unknown-fields error becomes one line per field, at the field.
fn render(error: &jsonschema::ValidationError) -> Vec<String> {
    let path = error.instance_path().as_str();
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|f| {
                format!(
                    "{path}/{}: unknown field {f:?}",
                    f.replace('~', "~0").replace('/', "~1")
                )
            })
            .collect(),
        _ => vec![format!("{path}: {error}")],
    }
}

/// Adds one document per group-version-kind found in the OpenAPI files of `dir`, and returns the
/// transformed `ObjectMeta` with every schema it references, for the CRD documents to share.
fn load_openapi(dir: &Path, out: &mut HashMap<Gvk, Entry>) -> Arc<Map<String, Value>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no OpenAPI files in {}", dir.display());
    let mut object_meta = None;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable OpenAPI file");
        let mut document: Value = serde_json::from_str(&text).expect("OpenAPI file is JSON");
        let Some(Value::Object(mut components)) =
            document.pointer_mut("/components/schemas").map(Value::take)
        else {
            panic!("{} has no components.schemas", file.display());
        };
        for schema in components.values_mut() {
            structural(schema, true);
        }
        if let Some(quantity) = components.get_mut(QUANTITY) {
            quantity["oneOf"] =
                json!([{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number"}]);
        }
        let components = Arc::new(components);
        for (name, schema) in components.iter() {
            let gvks = schema
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array);
            for gvk in gvks.into_iter().flatten() {
                let field = |name| gvk.get(name).and_then(Value::as_str).unwrap_or_default();
                let api_version = match field("group") {
                    "" => field("version").to_owned(),
                    group => format!("{group}/{}", field("version")),
                };
                let source = Source::OpenApi {
                    name: name.clone(),
                    schemas: Arc::clone(&components),
                };
                out.entry((api_version, field("kind").to_owned()))
                    .or_insert(Entry::new(source));
            }
        }
        if object_meta.is_none() && components.contains_key(OBJECT_META) {
            object_meta = Some(Arc::new(reachable(OBJECT_META, &components)));
        }
    }
    object_meta.expect("ObjectMeta in the Kubernetes OpenAPI files")
}

/// Adds one document per served version of every CRD under `dir`. Where two files define the
/// same kind (Gateway API's standard and experimental channels), the standard one wins, so
/// experimental-only fields are rejected.
fn load_crds(dir: &Path, object_meta: &Arc<Map<String, Value>>, out: &mut HashMap<Gvk, Entry>) {
    let mut files = yaml_files(dir);
    files.sort_by_key(|p| p.components().any(|c| c.as_os_str() == "experimental"));
    // Parsing YAML dominates the load time in debug builds (ApplicationSet alone is 1.4 MB).
    let parsed: Vec<Vec<Value>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|f| scope.spawn(|| yaml_documents(f)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("YAML parser thread"))
            .collect()
    });
    for (file, documents) in files.iter().zip(parsed) {
        for mut crd in documents {
            if crd["kind"] != "CustomResourceDefinition" {
                continue;
            }
            let group = crd["spec"]["group"]
                .as_str()
                .expect("CRD spec.group")
                .to_owned();
            let kind = crd["spec"]["names"]["kind"]
                .as_str()
                .expect("CRD spec.names.kind")
                .to_owned();
            let versions = crd["spec"]["versions"]
                .as_array_mut()
                .expect("CRD spec.versions");
            for version in versions {
                // The API server refuses objects of a version that is not served.
                if version["served"] == false {
                    continue;
                }
                let name = version["name"]
                    .as_str()
                    .expect("CRD version name")
                    .to_owned();
                let api_version = format!("{group}/{name}");
                let schema = version["schema"]["openAPIV3Schema"].take();
                assert!(
                    schema.is_object(),
                    "{}: {kind} {name} has no schema",
                    file.display()
                );
                let source = Source::Crd {
                    schema,
                    object_meta: Arc::clone(object_meta),
                };
                out.entry((api_version, kind.clone()))
                    .or_insert(Entry::new(source));
            }
        }
    }
}

impl Entry {
    fn new(source: Source) -> Entry {
        Entry {
            source,
            compiled: OnceLock::new(),
        }
    }
}

impl Source {
    /// Builds the self-contained schema document (its `$ref`s resolve inside it) and compiles it.
    fn compile(&self, api_version: &str, kind: &str) -> Compiled {
        let (document, defaults) = match self {
            Source::OpenApi { name, schemas } => {
                let body = json!({"$ref": format!("{SCHEMAS}{name}")});
                (with_identity(body, reachable(name, schemas)), None)
            }
            Source::Crd {
                schema,
                object_meta,
            } => (
                with_identity(crd_body(schema.clone()), Map::clone(object_meta)),
                defaults(schema),
            ),
        };
        let validator = jsonschema::options()
            // OpenAPI 3.0 schemas follow draft 4 (e.g. boolean `exclusiveMinimum`).
            .with_draft(jsonschema::Draft::Draft4)
            // The API server checks formats too (`ipv4`, `date-time`); k8s-only formats such as
            // `int32`, `int64` and `byte` are unknown here and therefore ignored.
            .should_validate_formats(true)
            .should_ignore_unknown_formats(true)
            .build(&document)
            .unwrap_or_else(|e| panic!("schema for {api_version} {kind} does not compile: {e}"));
        Compiled {
            validator,
            defaults,
        }
    }
}

/// The skeleton of a structural schema that leads to its `default`s (`properties`, `items`,
/// `additionalProperties` and `default` only), or `None` if it has none. The API server applies
/// them before validating, and some schemas depend on that: Gateway API's `spec.addresses[]`
/// is a `oneOf` that only one branch matches once `type` has its default `IPAddress`.
fn defaults(schema: &Value) -> Option<Value> {
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

/// `value` with the missing fields of `skeleton` (from [`defaults`]) filled in, top-down, so a
/// defaulted object gets the defaults nested in it too.
fn with_defaults(mut value: Value, skeleton: &Value) -> Value {
    fill_defaults(&mut value, skeleton);
    value
}

fn fill_defaults(value: &mut Value, skeleton: &Value) {
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

/// The root of a CRD schema: `apiVersion`, `kind` and `metadata` are implicit in every custom
/// resource, and `metadata` is a real `ObjectMeta` whatever the CRD says about it.
fn crd_body(mut schema: Value) -> Value {
    let metadata = schema
        .get_mut("properties")
        .and_then(|p| p.as_object_mut()?.remove("metadata"));
    structural(&mut schema, true);
    let properties = schema
        .as_object_mut()
        .expect("CRD schema is an object")
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("CRD properties is an object");
    properties
        .entry("apiVersion")
        .or_insert_with(|| json!({"type": "string"}));
    properties
        .entry("kind")
        .or_insert_with(|| json!({"type": "string"}));
    properties.insert("metadata".to_owned(), object_meta(metadata));
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

/// The validated document: `body` plus what every applied object needs (apiVersion, kind and
/// `metadata.name`, which `kubectl apply` requires), with `schemas` for the `$ref`s to resolve in.
fn with_identity(body: Value, schemas: Map<String, Value>) -> Value {
    let identity = json!({
        "required": ["apiVersion", "kind", "metadata"],
        "properties": {"metadata": {"required": ["name"], "properties": {"name": {"type": "string"}}}},
    });
    json!({"allOf": [body, identity], "components": {"schemas": schemas}})
}

/// The named schema and every schema it references, transitively.
fn reachable(root: &str, all: &Map<String, Value>) -> Map<String, Value> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut todo = vec![root.to_owned()];
    let mut out = Map::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = all
            .get(&name)
            .unwrap_or_else(|| panic!("dangling $ref to {name}"));
        collect_refs(schema, &mut todo);
        out.insert(name, schema.clone());
    }
    out
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMAS))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Rewrites a Kubernetes structural schema (OpenAPI 3.0 plus `x-kubernetes-*`) into the JSON
/// Schema that accepts what the API server accepts. `close` is false for the branches of
/// `allOf`/`anyOf`/`oneOf`/`not`, which constrain values but do not declare fields.
fn structural(schema: &mut Value, close: bool) {
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
    if flag(node, "x-kubernetes-int-or-string")
        || node.get("format") == Some(&json!("int-or-string"))
    {
        node.remove("type");
        if node.get("format") == Some(&json!("int-or-string")) {
            node.remove("format");
        }
        if !node.contains_key("anyOf") && !node.contains_key("oneOf") {
            node.insert(
                "anyOf".to_owned(),
                json!([{"type": "integer"}, {"type": "string"}]),
            );
        }
    }
    // An embedded resource always carries apiVersion, kind and metadata.
    if embedded {
        let properties = node.entry("properties").or_insert_with(|| json!({}));
        if let Some(properties) = properties.as_object_mut() {
            properties
                .entry("apiVersion")
                .or_insert_with(|| json!({"type": "string"}));
            properties
                .entry("kind")
                .or_insert_with(|| json!({"type": "string"}));
            properties
                .entry("metadata")
                .or_insert_with(|| object_meta(None));
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
