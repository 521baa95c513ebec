//! The schema catalog (`inferstack::validate::catalog`): its files are exactly what the generator
//! below makes, each compiles, it accepts the upstream examples, the seed and the golden objects,
//! and it rejects the broken objects the real upstream schemas reject.
//!
//! `INFERSTACK_BLESS=1 cargo test --test catalog` rewrites the files under `schemas/catalog`.

mod support;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use inferstack::validate::catalog::{CatalogEntry, ENTRIES};
use inferstack::validate::structural::collect_refs;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::apps::v1::{DaemonSet, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, PersistentVolume, PersistentVolumeClaim, Service, ServiceAccount,
};
use k8s_openapi::api::core::v1::{LimitRange, Namespace, Pod, ResourceQuota, Secret};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use support::upstream::{reference_dir, upstream, yaml_documents, yaml_files};

const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
/// The grammar of `resource.Quantity` strings (`30Gi`, `500m`, `1e3`), which the API server parses.
const QUANTITY_PATTERN: &str =
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";
/// The types embedding `LocalObjectReference`, whose `name` defaults to `""` in the Kubernetes
/// OpenAPI: the API server accepts it missing, but k8s-openapi declares it required.
const DEFAULTED_NAME: &[&str] = &[
    "io.k8s.api.core.v1.ConfigMapEnvSource",
    "io.k8s.api.core.v1.ConfigMapKeySelector",
    "io.k8s.api.core.v1.ConfigMapProjection",
    "io.k8s.api.core.v1.ConfigMapVolumeSource",
    "io.k8s.api.core.v1.LocalObjectReference",
    "io.k8s.api.core.v1.SecretEnvSource",
    "io.k8s.api.core.v1.SecretKeySelector",
    "io.k8s.api.core.v1.SecretProjection",
];
/// The formats JSON Schema defines; Kubernetes' own (`int32`, `int64`, `byte`, ...) are dropped.
const STANDARD_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

/// Where catalog schemas keep the definitions they refer to.
const DEFS: &str = "#/$defs/";

fn catalog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/catalog")
}

/// A kind's file under `schemas/catalog` (and, for custom resources, under `schemas/catalog/src`):
/// `<group or core>/<version>/<kind in lower case>.json`.
fn catalog_path(api_version: &str, kind: &str) -> String {
    let (group, version) = api_version.split_once('/').unwrap_or(("core", api_version));
    format!("{group}/{version}/{}.json", kind.to_lowercase())
}

/// The schema `schemars` generates for a built-in kind; `None` for a custom resource.
fn k8s_schema(api_version: &str, kind: &str) -> Option<Value> {
    fn root<T: JsonSchema>() -> Value {
        SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<T>()
            .to_value()
    }
    Some(match (api_version, kind) {
        ("apps/v1", "Deployment") => root::<Deployment>(),
        ("rbac.authorization.k8s.io/v1", "Role") => root::<Role>(),
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => root::<RoleBinding>(),
        ("v1", "ConfigMap") => root::<ConfigMap>(),
        ("v1", "PersistentVolume") => root::<PersistentVolume>(),
        ("v1", "PersistentVolumeClaim") => root::<PersistentVolumeClaim>(),
        ("v1", "Service") => root::<Service>(),
        ("v1", "ServiceAccount") => root::<ServiceAccount>(),
        ("apps/v1", "DaemonSet") => root::<DaemonSet>(),
        ("apps/v1", "ReplicaSet") => root::<ReplicaSet>(),
        ("apps/v1", "StatefulSet") => root::<StatefulSet>(),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => root::<HorizontalPodAutoscaler>(),
        ("batch/v1", "CronJob") => root::<CronJob>(),
        ("batch/v1", "Job") => root::<Job>(),
        ("networking.k8s.io/v1", "Ingress") => root::<Ingress>(),
        ("networking.k8s.io/v1", "IngressClass") => root::<IngressClass>(),
        ("networking.k8s.io/v1", "NetworkPolicy") => root::<NetworkPolicy>(),
        ("policy/v1", "PodDisruptionBudget") => root::<PodDisruptionBudget>(),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => root::<ClusterRole>(),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => root::<ClusterRoleBinding>(),
        ("scheduling.k8s.io/v1", "PriorityClass") => root::<PriorityClass>(),
        ("storage.k8s.io/v1", "StorageClass") => root::<StorageClass>(),
        ("v1", "LimitRange") => root::<LimitRange>(),
        ("v1", "Namespace") => root::<Namespace>(),
        ("v1", "Pod") => root::<Pod>(),
        ("v1", "ResourceQuota") => root::<ResourceQuota>(),
        ("v1", "Secret") => root::<Secret>(),
        _ => return None,
    })
}

/// Every generated Kubernetes definition the built-in kinds use (`ObjectMeta`, the pod spec, ...),
/// by name, for the hand-written schemas to refer to.
fn k8s_definitions() -> Map<String, Value> {
    let mut all = Map::new();
    for entry in ENTRIES {
        if let Some(Value::Object(mut schema)) = k8s_schema(entry.api_version, entry.kind)
            && let Some(Value::Object(definitions)) = schema.remove("$defs")
        {
            all.extend(definitions);
        }
    }
    all
}

/// The catalog file of `entry`: the generated schema of a built-in kind, or the hand-written one
/// of a custom resource completed with the Kubernetes definitions it refers to; then normalized,
/// bound to its apiVersion and kind, and printed with sorted keys.
fn generate(entry: &CatalogEntry, k8s: &Map<String, Value>) -> String {
    let path = catalog_path(entry.api_version, entry.kind);
    let mut schema = k8s_schema(entry.api_version, entry.kind).unwrap_or_else(|| {
        let source = catalog_dir().join("src").join(&path);
        let text = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        let mut schema = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("parsing {}: {e}", source.display()));
        add_definitions(&mut schema, k8s);
        schema
    });
    normalize(&mut schema, true);
    correct_k8s_definitions(&mut schema);
    let root = schema.as_object_mut().expect("a schema object");
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert(
        "$id".into(),
        json!(format!("https://inferstack.dev/schemas/catalog/{path}")),
    );
    let properties = root["properties"].as_object_mut().expect("root properties");
    properties.insert(
        "apiVersion".into(),
        json!({"type": "string", "const": entry.api_version}),
    );
    properties.insert(
        "kind".into(),
        json!({"type": "string", "const": entry.kind}),
    );
    let mut required = vec![json!("apiVersion"), json!("kind")];
    if let Some(Value::Array(rest)) = root.remove("required") {
        required.extend(rest);
    }
    root.insert("required".into(), Value::Array(required));
    serde_json::to_string_pretty(&sorted(schema)).expect("a schema serializes") + "\n"
}

/// Makes the generated definitions accept what the API server accepts: a `Quantity` is a string
/// of its grammar or a number, and the [`DEFAULTED_NAME`] types do not require `name`.
fn correct_k8s_definitions(schema: &mut Value) {
    if let Some(quantity) = schema.pointer_mut(&format!("/$defs/{QUANTITY}")) {
        *quantity =
            json!({"anyOf": [{"type": "string", "pattern": QUANTITY_PATTERN}, {"type": "number"}]});
    }
    for name in DEFAULTED_NAME {
        if let Some(Value::Object(definition)) = schema.pointer_mut(&format!("/$defs/{name}")) {
            let required = definition["required"]
                .as_array_mut()
                .expect("required fields");
            required.retain(|field| field != "name");
            if required.is_empty() {
                definition.remove("required");
            }
        }
    }
}

/// Adds to `schema`'s `$defs` the generated definitions it refers to and does not define itself,
/// transitively.
fn add_definitions(schema: &mut Value, k8s: &Map<String, Value>) {
    let mut todo = Vec::new();
    collect_refs(schema, DEFS, &mut todo);
    let definitions = schema
        .as_object_mut()
        .expect("a schema object")
        .entry("$defs")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("$defs is an object");
    while let Some(name) = todo.pop() {
        if definitions.contains_key(&name) {
            continue;
        }
        let definition = k8s
            .get(&name)
            .unwrap_or_else(|| panic!("no definition named {name}"));
        collect_refs(definition, DEFS, &mut todo);
        definitions.insert(name, definition.clone());
    }
}

/// Rewrites a schema into the catalog's form: no `description`, only standard formats,
/// int-or-string as a union, and every object with `properties` closed unless it has
/// `additionalProperties` or `x-kubernetes-preserve-unknown-fields`. `close` is false in the
/// branches of `allOf`/`anyOf`/`oneOf`/`not`/`if`/`then`/`else`, which constrain values but
/// declare no fields.
fn normalize(schema: &mut Value, close: bool) {
    let Some(node) = schema.as_object_mut() else {
        return;
    };
    node.remove("description");
    // `int32`/`int64` on integers become bounds (the API server decodes into those types).
    let bounds = match node.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let (Some((low, high)), Some("integer")) = (bounds, node.get("type").and_then(Value::as_str))
    {
        node.entry("minimum").or_insert(json!(low));
        node.entry("maximum").or_insert(json!(high));
    }
    if node
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|format| !STANDARD_FORMATS.contains(&format))
    {
        node.remove("format");
    }
    if node.remove("x-kubernetes-int-or-string") == Some(Value::Bool(true)) {
        node.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if close
        && node.contains_key("properties")
        && !node.contains_key("additionalProperties")
        && node.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true))
    {
        node.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (keyword, value) in node.iter_mut() {
        match keyword.as_str() {
            "properties" | "$defs" => value
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
                .for_each(|s| normalize(s, true)),
            "additionalProperties" | "items" => normalize(value, true),
            "allOf" | "anyOf" | "oneOf" => value
                .as_array_mut()
                .into_iter()
                .flatten()
                .for_each(|s| normalize(s, false)),
            "not" | "if" | "then" | "else" => normalize(value, false),
            _ => {}
        }
    }
}

/// `value` with every object's keys sorted, `$schema`, `$id` and `$comment` first and `$defs`
/// last, so a file does not depend on the order schemars or a source file used.
fn sorted(value: Value) -> Value {
    let rank = |key: &str| match key {
        "$schema" => 0,
        "$id" => 1,
        "$comment" => 2,
        "$defs" => 4,
        _ => 3,
    };
    match value {
        Value::Object(map) => {
            let mut fields: Vec<(String, Value)> = map.into_iter().collect();
            fields.sort_by(|(a, _), (b, _)| (rank(a), a).cmp(&(rank(b), b)));
            Value::Object(fields.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn core_schemas_are_generated_from_k8s_openapi() {
    let bless = std::env::var_os("INFERSTACK_BLESS").is_some_and(|v| v == "1");
    let k8s = k8s_definitions();
    let mut stale = Vec::new();
    for entry in ENTRIES {
        let path = catalog_dir().join(catalog_path(entry.api_version, entry.kind));
        let expected = generate(entry, &k8s);
        if bless {
            std::fs::create_dir_all(path.parent().expect("a parent directory")).unwrap();
            std::fs::write(&path, expected).unwrap();
        } else if entry.schema != expected {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "not what the generator makes (run `INFERSTACK_BLESS=1 cargo test --test catalog` and \
         review the diff): {stale:#?}"
    );
}

/// ENTRIES is sorted, and the catalog directory holds exactly its files and their sources.
#[test]
fn entries_are_sorted_and_match_the_files() {
    let keys: Vec<_> = ENTRIES.iter().map(|e| (e.api_version, e.kind)).collect();
    assert!(
        keys.is_sorted_by(|a, b| a < b),
        "ENTRIES unsorted or duplicated"
    );
    let mut expected: Vec<PathBuf> = Vec::new();
    for entry in ENTRIES {
        let path = catalog_path(entry.api_version, entry.kind);
        if k8s_schema(entry.api_version, entry.kind).is_none() {
            expected.push(catalog_dir().join("src").join(&path));
        }
        expected.push(catalog_dir().join(path));
    }
    expected.sort();
    let mut files = json_files(&catalog_dir());
    files.sort();
    assert_eq!(files, expected);
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(json_files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            files.push(path);
        }
    }
    files
}

#[test]
fn every_catalog_schema_compiles() {
    for entry in ENTRIES {
        let schema: Value = serde_json::from_str(entry.schema).unwrap();
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{} {}",
            entry.api_version, entry.kind
        );
        if let Err(e) = jsonschema::validator_for(&schema) {
            panic!("{} {} does not compile: {e}", entry.api_version, entry.kind);
        }
    }
}

/// The problems the catalog finds in `object`, one `<json-pointer>: <message>` line each, or
/// `None` if the catalog has no schema for its kind. Formats are checked, as the API server does.
fn catalog_problems(object: &Value) -> Option<Vec<String>> {
    static VALIDATORS: OnceLock<HashMap<(&str, &str), jsonschema::Validator>> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(|| {
        ENTRIES
            .iter()
            .map(|entry| {
                let schema: Value = serde_json::from_str(entry.schema).unwrap();
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap();
                ((entry.api_version, entry.kind), validator)
            })
            .collect()
    });
    let field = |name| object[name].as_str().unwrap_or_default();
    let validator = validators.get(&(field("apiVersion"), field("kind")))?;
    Some(
        validator
            .iter_errors(object)
            .map(|e| format!("{}: {e}", e.instance_path().as_str()))
            .collect(),
    )
}

/// The documents of `file`, each labelled with the file.
fn objects_of(file: &Path) -> Vec<(String, Value)> {
    yaml_documents(file)
        .into_iter()
        .map(|object| (file.display().to_string(), object))
        .collect()
}

/// The seed's objects; none (the test says it skips them) where the seed is not there.
fn seed() -> Vec<(String, Value)> {
    support::reference::seed("manifests.yaml")
        .map(|path| objects_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path)))
        .unwrap_or_default()
}

fn golden() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files.iter().flat_map(|f| objects_of(f)).collect()
}

/// Upstream example files that are not valid YAML, and why. [`upstream_examples`] checks that
/// they still fail to parse, so this list cannot hide a file the catalog rejects.
const BROKEN_EXAMPLES: &[(&str, &str)] = &[(
    "mountpoint-s3-csi-driver/static_provisioning/outpost_bucket.yaml",
    "a missing `---` merges a PersistentVolume and a PersistentVolumeClaim into one mapping \
     with duplicate keys",
)];

/// The upstream example objects: every YAML file under `reference/examples` but the Helm charts
/// (templates, not YAML), the files with `${VAR}` placeholders and [`BROKEN_EXAMPLES`].
fn upstream_examples() -> Vec<(String, Value)> {
    let dir = reference_dir().join("examples");
    let mut objects = Vec::new();
    for file in yaml_files(&dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        let relative = file.strip_prefix(&dir).unwrap();
        if relative.components().any(|c| c.as_os_str() == "charts") || text.contains("${") {
            continue;
        }
        if let Some((_, why)) = BROKEN_EXAMPLES
            .iter()
            .find(|(f, _)| relative == Path::new(f))
        {
            let parsed = serde_saphyr::from_multiple::<Value>(&text);
            assert!(parsed.is_err(), "{} parses now ({why})", file.display());
            continue;
        }
        objects.extend(objects_of(&file));
    }
    objects
}

/// Upstream example files that are not complete objects, and why. The test checks that the
/// upstream schemas reject them too.
const INCOMPLETE_EXAMPLES: &[(&str, &str)] = &[(
    "llm-d-router/v0.10.0/deploy/components/inference-gateway/gateways.yaml",
    "a kustomize base: the overlays add the required spec.gatewayClassName",
)];

/// A v1alpha2 InferencePool as its API defines it: no upstream file has one.
fn x_k8s_inference_pool() -> Value {
    json!({
        "apiVersion": "inference.networking.x-k8s.io/v1alpha2",
        "kind": "InferencePool",
        "metadata": {"name": "vllm-llama3-8b-instruct"},
        "spec": {
            "selector": {"app": "vllm-llama3-8b-instruct"},
            "targetPortNumber": 8000,
            "extensionRef": {
                "name": "vllm-llama3-8b-instruct-epp",
                "portNumber": 9002,
                "failureMode": "FailClose",
            },
        },
    })
}

#[test]
fn catalog_accepts_the_upstream_examples() {
    if !support::reference::require() {
        return;
    }
    let mut objects = upstream_examples();
    objects.extend(seed());
    objects.extend(golden());
    objects.push(("hand-written".into(), x_k8s_inference_pool()));
    let manifests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/manifests");
    for file in yaml_files(&manifests.join("valid"))
        .into_iter()
        .chain(yaml_files(&manifests.join("builtin")))
    {
        let origin = file.display().to_string();
        objects.extend(
            yaml_documents(&file)
                .into_iter()
                .map(|o| (origin.clone(), o)),
        );
    }
    let mut seen = HashSet::new();
    let mut rejected = Vec::new();
    for (origin, object) in &objects {
        let Some(problems) = catalog_problems(object) else {
            continue;
        };
        seen.insert((object["apiVersion"].as_str(), object["kind"].as_str()));
        if let Some((_, why)) = INCOMPLETE_EXAMPLES
            .iter()
            .find(|(f, _)| origin.ends_with(f))
        {
            assert!(
                !problems.is_empty() && !upstream().validate(object).is_empty(),
                "{origin} is valid now ({why})"
            );
        } else if !problems.is_empty() {
            rejected.push(format!(
                "{origin}: {} {}: {problems:#?}",
                object["kind"], object["metadata"]["name"]
            ));
        }
    }
    assert!(rejected.is_empty(), "{}", rejected.join("\n"));
    let missing: Vec<_> = ENTRIES
        .iter()
        .filter(|e| !seen.contains(&(Some(e.api_version), Some(e.kind))))
        .map(|e| (e.api_version, e.kind))
        .collect();
    assert!(missing.is_empty(), "kinds without an example: {missing:?}");
}

/// `object` with the value at `pointer` replaced (or added), or removed when `value` is `None`.
fn mutated(object: &Value, pointer: &str, value: Option<Value>) -> Value {
    let mut object = object.clone();
    let (parent, last) = pointer.rsplit_once('/').expect("a JSON pointer");
    let last = last.replace("~1", "/").replace("~0", "~");
    let parent = object
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{parent} is not in the object"));
    match (parent, value) {
        (Value::Object(fields), Some(value)) => {
            fields.insert(last, value);
        }
        (Value::Object(fields), None) => {
            fields
                .shift_remove(&last)
                .expect("the field to remove exists");
        }
        (Value::Array(items), value) => {
            let index: usize = last.parse().expect("an array index");
            match value {
                Some(value) => items[index] = value,
                None => drop(items.remove(index)),
            }
        }
        _ => panic!("{pointer} is not inside an object or an array"),
    }
    object
}

/// The first object of apiVersion and kind in `objects`.
fn find(objects: &[(String, Value)], api_version: &str, kind: &str) -> Value {
    objects
        .iter()
        .map(|(_, o)| o)
        .find(|o| o["apiVersion"] == api_version && o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {api_version} {kind}"))
        .clone()
}

fn example(path: &str, api_version: &str, kind: &str) -> Value {
    find(
        &objects_of(&reference_dir().join("examples").join(path)),
        api_version,
        kind,
    )
}

/// Broken copies of valid objects (an unknown field at several depths, a wrong type, a missing
/// required field, a value outside an enum or range) that both the catalog and the upstream
/// schemas reject.
#[test]
fn catalog_agrees_with_upstream_on_mutations() {
    if !support::reference::require() {
        return;
    }
    let (seed, golden) = (seed(), golden());
    let gie = "gateway-api-inference-extension";
    let config_map = find(&seed, "v1", "ConfigMap");
    let gateway = find(&seed, "gateway.networking.k8s.io/v1", "Gateway");
    let pv = find(&golden, "v1", "PersistentVolume");
    let pvc = find(&seed, "v1", "PersistentVolumeClaim");
    let knative = find(&seed, "serving.knative.dev/v1", "Service");
    let pool_file = format!("{gie}/v1.0.2/manifests/inferencepool-resources.yaml");
    let pool = example(
        &pool_file,
        "inference.networking.k8s.io/v1",
        "InferencePool",
    );
    let service = example(&pool_file, "v1", "Service");
    let account = example(&pool_file, "v1", "ServiceAccount");
    let deployment = example(&pool_file, "apps/v1", "Deployment");
    let role = example(&pool_file, "rbac.authorization.k8s.io/v1", "Role");
    let binding = example(&pool_file, "rbac.authorization.k8s.io/v1", "RoleBinding");
    let route = example(
        "gateway-api/standard/http-cors/httproute-all-fields-set.yaml",
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
    );
    let objective = example(
        &format!("{gie}/v1.5.0/manifests/inferenceobjective.yaml"),
        "inference.networking.x-k8s.io/v1alpha2",
        "InferenceObjective",
    );
    let llm_d_objective = example(
        "llm-d-router/v0.10.0/manifests/inferenceobjective.yaml",
        "llm-d.ai/v1alpha2",
        "InferenceObjective",
    );
    let unknown = || Some(json!("x"));
    let cases: Vec<(&Value, &str, Option<Value>)> = vec![
        (&config_map, "/dataa", unknown()),
        (&config_map, "/metadata/labelz", Some(json!({}))),
        (&config_map, "/data/ingress.class", Some(json!(3))),
        (&gateway, "/spec/listeners/1/hostnme", unknown()),
        (&gateway, "/spec/listeners/0/protocol", None),
        (&gateway, "/spec/listeners/0/port", Some(json!(70000))),
        (
            &gateway,
            "/spec/listeners/0/allowedRoutes/namespaces/from",
            Some(json!("Any")),
        ),
        (
            &gateway,
            "/spec/addresses",
            Some(json!([{"value": "gateway.example.com"}])),
        ),
        (&gateway, "/spec/gatewayClassName", Some(json!(""))),
        (&pv, "/spec/csi/bogus", unknown()),
        (&pv, "/spec/csi/driver", None),
        (&pv, "/spec/capacity/storage", Some(json!("30 gigs"))),
        (&pvc, "/spec/resources/requests/storage", Some(json!(true))),
        (
            &pvc,
            "/spec/selector/matchLabels/alicloud-pvname",
            Some(json!(1)),
        ),
        (
            &knative,
            "/spec/template/spec/containers/0/imagee",
            unknown(),
        ),
        (&knative, "/spec/template/spec/containers", None),
        (
            &knative,
            "/spec/template/spec/containerConcurrency",
            Some(json!("2")),
        ),
        (
            &knative,
            "/spec/template/spec/containers/0/readinessProbe/tcpSocket/port",
            Some(json!(true)),
        ),
        (
            &knative,
            "/spec/template/spec/containers/0/resources/limits/cpu",
            Some(json!("lots")),
        ),
        (&knative, "/spec/traffic", Some(json!([{"percent": "100"}]))),
        (&service, "/spec/ports/0/port", None),
        (&service, "/spec/ports/0/portt", unknown()),
        (
            &account,
            "/automountServiceAccountToken",
            Some(json!("yes")),
        ),
        (&deployment, "/spec/selector", None),
        (&deployment, "/spec/replicas", Some(json!("1"))),
        (
            &deployment,
            "/spec/template/spec/containers/0/bogus",
            unknown(),
        ),
        (&role, "/rules/0/verbs", None),
        (&binding, "/roleRef", None),
        (&binding, "/subjects/0/nme", unknown()),
        (
            &route,
            "/spec/rules/0/matches/0/path/type",
            Some(json!("Prefix")),
        ),
        (&route, "/spec/rules/0/filters/0/type", Some(json!("Cors"))),
        (
            &route,
            "/spec/rules/0/filters/0/cors/maxAge",
            Some(json!(0)),
        ),
        (&route, "/spec/rules/0/backendRefs/0/weigth", unknown()),
        (&route, "/spec/parentRefs/0/name", None),
        (&route, "/spec/hostnames", Some(json!(["Example.COM"]))),
        (&pool, "/spec/selector", None),
        (&pool, "/spec/appProtocol", Some(json!("grpc"))),
        (&pool, "/spec/targetPorts/0/number", Some(json!(0))),
        (
            &pool,
            "/spec/endpointPickerRef/portNumber",
            Some(json!(9002)),
        ),
        (&objective, "/spec/poolRef", None),
        (&objective, "/spec/priority", Some(json!("high"))),
        (&llm_d_objective, "/spec/poolRef/namespace", unknown()),
        (&llm_d_objective, "/spec/poolRef/name", Some(json!(""))),
    ];
    let mut disagreements = Vec::new();
    for base in cases.iter().map(|(o, _, _)| *o) {
        let (catalog, upstream) = (catalog_problems(base).unwrap(), upstream().validate(base));
        assert!(
            catalog.is_empty() && upstream.is_empty(),
            "{} {} is not valid to begin with: {catalog:#?} {upstream:#?}",
            base["kind"],
            base["metadata"]["name"]
        );
    }
    for (base, pointer, value) in cases {
        let object = mutated(base, pointer, value);
        let catalog = catalog_problems(&object).unwrap();
        let upstream = upstream().validate(&object);
        if catalog.is_empty() || upstream.is_empty() {
            disagreements.push(format!(
                "{} {pointer}: catalog {catalog:?}, upstream {upstream:?}",
                base["kind"]
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// No upstream CRD has the v1alpha2 InferencePool, so the catalog alone is checked.
#[test]
fn x_k8s_inference_pool_is_checked() {
    let pool = x_k8s_inference_pool();
    assert_eq!(catalog_problems(&pool), Some(vec![]));
    for (pointer, value) in [
        ("/spec/extensionRef", None),
        ("/spec/targetPortNumber", Some(json!(0))),
        ("/spec/selector/app", Some(json!(1))),
        ("/spec/extensionRef/failureMode", Some(json!("Open"))),
        ("/spec/extensionRef/port", Some(json!({"number": 9002}))),
    ] {
        let problems = catalog_problems(&mutated(&pool, pointer, value)).unwrap();
        assert!(!problems.is_empty(), "{pointer} was accepted");
    }
}
