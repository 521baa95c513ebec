//! The schema catalog (`inferstack::validate::catalog`) is the pinned upstream files, whole:
//! its files are exactly what the generator below makes of them, each upstream file has the
//! digest `scripts/reference-files.tsv` (or `schemas/upstream/SOURCES.tsv`) pins, every kind
//! keeps every CEL rule upstream has, and the catalog gives the same verdict, violation for
//! violation, as the upstream files given with `--crds` and `--openapi`.
//!
//! `INFERSTACK_BLESS=1 cargo test --test it catalog::` rewrites `schemas/catalog` and
//! `src/validate/catalog/index.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::support::upstream::{reference_dir, upstream, yaml_files};
use inferstack::validate::catalog::{Channel, Selection, Set};
use inferstack::validate::schemas::{Outcome, SchemaSet};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One upstream file the catalog embeds.
struct Upstream {
    /// Its path in the reference set (or under `schemas/upstream`), which is also its catalog
    /// file's path, with `.jsonl` for its extension.
    path: String,
    file: PathBuf,
    repository: String,
    tag: String,
    upstream_path: String,
    sha256: String,
}

/// Pins by file: repository, tag, upstream path, SHA-256.
type Pins = BTreeMap<String, [String; 4]>;

/// The rows of a `file<TAB>repository<TAB>tag<TAB>upstream path<TAB>sha256` list.
fn pinned(list: &Path) -> Pins {
    let text = std::fs::read_to_string(list).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "{}: {line}", list.display());
            (
                fields[0].to_owned(),
                [1, 2, 3, 4].map(|i| fields[i].to_owned()),
            )
        })
        .collect()
}

/// Every CRD file and Kubernetes OpenAPI document of the reference set, and the extra upstream
/// files of `schemas/upstream`, with their pins.
fn upstream_files() -> Vec<Upstream> {
    let reference = reference_dir();
    let reference_pins = pinned(&root().join("scripts/reference-files.tsv"));
    let extra_dir = root().join("schemas/upstream");
    let extra_pins = pinned(&extra_dir.join("SOURCES.tsv"));
    let mut found: Vec<(String, PathBuf, &Pins)> = Vec::new();
    for file in yaml_files(&reference.join("crds")) {
        let path = file.strip_prefix(&reference).unwrap().display().to_string();
        found.push((path, file, &reference_pins));
    }
    for version in sorted_dir(&reference.join("openapi/kubernetes")) {
        if !version
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("v1.")
            || version.to_string_lossy().contains("swagger")
        {
            continue;
        }
        for file in sorted_dir(&version) {
            let path = file.strip_prefix(&reference).unwrap().display().to_string();
            found.push((path, file, &reference_pins));
        }
    }
    for path in extra_pins.keys() {
        found.push((path.clone(), extra_dir.join(path), &extra_pins));
    }
    found
        .into_iter()
        .map(|(path, file, pins)| {
            let [repository, tag, upstream_path, sha256] = pins
                .get(&path)
                .unwrap_or_else(|| panic!("{path} is not pinned in scripts/reference-files.tsv"))
                .clone();
            Upstream {
                path,
                file,
                repository,
                tag,
                upstream_path,
                sha256,
            }
        })
        .collect()
}

fn sorted_dir(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

/// `schema` without its `description`s: the one keyword the catalog leaves out. Only schema
/// positions are touched, so a property named `description` stays.
fn strip(schema: &Value) -> Value {
    let Value::Object(node) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (keyword, value) in node {
        let kept = match keyword.as_str() {
            "description" => continue,
            "properties" | "patternProperties" | "definitions" | "$defs" => match value {
                Value::Object(named) => {
                    Value::Object(named.iter().map(|(k, s)| (k.clone(), strip(s))).collect())
                }
                other => other.clone(),
            },
            "items" | "additionalProperties" | "additionalItems" | "not" => match value {
                Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
                other => strip(other),
            },
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(branches) => Value::Array(branches.iter().map(strip).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(keyword.clone(), kept);
    }
    Value::Object(out)
}

/// The CEL rules of `schema`, counted in every position (not only those inferstack walks), with
/// `$ref`s to `definitions` followed once per definition.
fn count_rules(schema: &Value, definitions: Option<&Map<String, Value>>) -> usize {
    fn walk(
        value: &Value,
        definitions: Option<&Map<String, Value>>,
        seen: &mut BTreeSet<String>,
    ) -> usize {
        match value {
            Value::Object(node) => {
                let mut count = node
                    .get("x-kubernetes-validations")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if let (Some(reference), Some(definitions)) =
                    (node.get("$ref").and_then(Value::as_str), definitions)
                {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    if seen.insert(name.to_owned())
                        && let Some(target) = definitions.get(name)
                    {
                        count += walk(target, Some(definitions), seen);
                    }
                }
                count
                    + node
                        .iter()
                        .filter(|(k, _)| *k != "x-kubernetes-validations")
                        .map(|(_, v)| walk(v, definitions, seen))
                        .sum::<usize>()
            }
            Value::Array(items) => items.iter().map(|v| walk(v, definitions, seen)).sum(),
            _ => 0,
        }
    }
    walk(schema, definitions, &mut BTreeSet::new())
}

/// One generated entry, before it is numbered into the index.
struct GeneratedEntry {
    api_version: String,
    kind: String,
    set: Set,
    file: usize,
    form: &'static str,
    key: String,
    origin: String,
    upstream_rules: usize,
    /// The resource (URL segment) of the kind: the CRD's `names.plural`, or the OpenAPI
    /// document's path of its `get`; empty for a kind with no object path (DeleteOptions).
    resource: String,
}

/// The resource of `group`/`version` `kind` in an OpenAPI document: the segment before
/// `/{name}` of the path whose `get` is the kind's (`x-kubernetes-action: get`).
fn openapi_resource(document: &Value, gvk: &Value) -> String {
    let paths = document["paths"].as_object().unwrap();
    paths
        .iter()
        .filter(|(_, operations)| {
            let get = &operations["get"];
            get["x-kubernetes-action"] == "get" && &get["x-kubernetes-group-version-kind"] == gvk
        })
        .filter_map(|(path, _)| {
            let rest = path.strip_suffix("/{name}")?;
            Some(rest.rsplit('/').next()?.to_owned())
        })
        .min()
        .unwrap_or_default()
}

/// What the generator makes: each catalog file's text, and the index.
struct Generated {
    files: Vec<(String, String)>,
    sources: String,
    index: String,
}

fn generate() -> Generated {
    let upstream = upstream_files();
    let mut files = Vec::new();
    let mut entries: Vec<GeneratedEntry> = Vec::new();
    // Each OpenAPI kind's entry (its index), and whether it is from its own group's document.
    let mut openapi_kinds: BTreeMap<(String, String), (usize, bool)> = BTreeMap::new();
    let mut sources = String::from(
        "# The upstream file each catalog file is made from (descriptions left out, nothing else\n\
         # changed): catalog file, repository, tag, upstream path, SHA-256 of the upstream file.\n",
    );
    for (number, file) in upstream.iter().enumerate() {
        let bytes = std::fs::read(&file.file).unwrap();
        assert_eq!(
            format!("{:x}", Sha256::digest(&bytes)),
            file.sha256,
            "{} is not the pinned upstream file",
            file.path
        );
        let catalog_path = Path::new(&file.path)
            .with_extension("jsonl")
            .display()
            .to_string();
        let origin = format!("{} {} {}", file.repository, file.tag, file.upstream_path);
        let _ = writeln!(
            sources,
            "{catalog_path}\t{}\t{}\t{}\t{}",
            file.repository, file.tag, file.upstream_path, file.sha256
        );
        let mut text = String::new();
        if file.path.starts_with("openapi/") {
            let version = file.path.split('/').nth(2).unwrap().trim_start_matches('v');
            let group_version = openapi_group_version(&file.path);
            let document: Value = serde_json::from_slice(&bytes).unwrap();
            let schemas = document["components"]["schemas"].as_object().unwrap();
            for (name, schema) in schemas {
                let line = serde_json::to_string(&strip(schema)).unwrap();
                let _ = writeln!(text, "{name}\t{line}");
                for gvk in schema
                    .get("x-kubernetes-group-version-kind")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let field = |k: &str| gvk[k].as_str().unwrap_or_default();
                    let api_version = match field("group") {
                        "" => field("version").to_owned(),
                        group => format!("{group}/{}", field("version")),
                    };
                    // A kind every document lists (DeleteOptions, WatchEvent) is taken from the
                    // document of its own group and version, or else from the first that has it.
                    let own = api_version == group_version;
                    let key = (api_version.clone(), field("kind").to_owned());
                    let entry = GeneratedEntry {
                        api_version,
                        kind: field("kind").to_owned(),
                        set: Set::Kubernetes(leak(version)),
                        file: number,
                        form: "OpenApi",
                        key: name.clone(),
                        origin: origin.clone(),
                        upstream_rules: count_rules(schema, Some(schemas)),
                        resource: openapi_resource(&document, gvk),
                    };
                    match openapi_kinds.get(&key).copied() {
                        Some((_, true)) => {}
                        Some((_, false)) if !own => {}
                        Some((at, false)) => {
                            entries[at] = entry;
                            openapi_kinds.insert(key, (at, true));
                        }
                        None => {
                            openapi_kinds.insert(key, (entries.len(), own));
                            entries.push(entry);
                        }
                    }
                }
            }
        } else {
            let text_in = String::from_utf8(bytes).unwrap();
            let stream = inferstack::yaml::parse(&text_in);
            for crd in stream
                .documents
                .iter()
                .map(|d| &d.value)
                .filter(|d| d["kind"] == "CustomResourceDefinition")
            {
                let group = crd["spec"]["group"].as_str().unwrap();
                let kind = crd["spec"]["names"]["kind"].as_str().unwrap();
                for version in crd["spec"]["versions"].as_array().unwrap() {
                    if version.get("served") == Some(&Value::Bool(false)) {
                        continue;
                    }
                    let api_version = format!("{group}/{}", version["name"].as_str().unwrap());
                    let schema = &version["schema"]["openAPIV3Schema"];
                    let key = format!("{api_version} {kind}");
                    let line = serde_json::to_string(&strip(schema)).unwrap();
                    let _ = writeln!(text, "{key}\t{line}");
                    let set = if file.path.starts_with("crds/gateway-api/experimental/") {
                        Set::Gateway(Channel::Experimental)
                    } else {
                        Set::Crd
                    };
                    entries.push(GeneratedEntry {
                        api_version,
                        kind: kind.to_owned(),
                        set,
                        file: number,
                        form: "Crd",
                        key,
                        origin: origin.clone(),
                        upstream_rules: count_rules(schema, None),
                        resource: crd["spec"]["names"]["plural"].as_str().unwrap().to_owned(),
                    });
                }
            }
        }
        files.push((catalog_path, text));
    }
    // A kind both Gateway API channels define is the standard channel's by default.
    let experimental: BTreeSet<(String, String)> = entries
        .iter()
        .filter(|e| e.set == Set::Gateway(Channel::Experimental))
        .map(|e| (e.api_version.clone(), e.kind.clone()))
        .collect();
    for entry in &mut entries {
        if entry.set == Set::Crd
            && experimental.contains(&(entry.api_version.clone(), entry.kind.clone()))
        {
            entry.set = Set::Gateway(Channel::Standard);
        }
    }
    entries.sort_by(|a, b| {
        (&a.api_version, &a.kind, set_rank(a.set)).cmp(&(&b.api_version, &b.kind, set_rank(b.set)))
    });
    for pair in entries.windows(2) {
        assert!(
            (&pair[0].api_version, &pair[0].kind, set_rank(pair[0].set))
                != (&pair[1].api_version, &pair[1].kind, set_rank(pair[1].set)),
            "{} {} is defined by two upstream files: {} and {}",
            pair[0].api_version,
            pair[0].kind,
            pair[0].origin,
            pair[1].origin
        );
    }
    let index = index_source(&files, &entries, &upstream);
    Generated {
        files,
        sources,
        index,
    }
}

fn set_rank(set: Set) -> (u8, &'static str) {
    match set {
        Set::Kubernetes(version) => (0, version),
        Set::Crd => (1, ""),
        Set::Gateway(Channel::Standard) => (2, ""),
        Set::Gateway(Channel::Experimental) => (3, ""),
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// `openapi/kubernetes/v1.35/apis__apps__v1_openapi.json` -> `apps/v1`; `api__v1` -> `v1`.
fn openapi_group_version(path: &str) -> String {
    let name = Path::new(path).file_name().unwrap().to_string_lossy();
    let name = name.trim_end_matches("_openapi.json");
    let parts: Vec<&str> = name.split("__").collect();
    match parts.as_slice() {
        ["api", version] => (*version).to_owned(),
        ["apis", group, version] => format!("{group}/{version}"),
        _ => panic!("{path} is not a Kubernetes OpenAPI v3 document name"),
    }
}

/// The text of `src/validate/catalog/index.rs`.
fn index_source(
    files: &[(String, String)],
    entries: &[GeneratedEntry],
    upstream: &[Upstream],
) -> String {
    let mut out = String::from(
        "//! @generated by `INFERSTACK_BLESS=1 cargo test --test it catalog::` from the pinned upstream\n\
         //! files (`schemas/catalog/SOURCES.tsv`); do not edit.\n\n\
         use super::{Channel, Entry, File, Form, Set};\n\n",
    );
    let versions: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| match e.set {
            Set::Kubernetes(v) => Some(v),
            _ => None,
        })
        .collect();
    let versions: Vec<String> = versions.iter().rev().map(|v| format!("{v:?}")).collect();
    let _ = writeln!(
        out,
        "/// The Kubernetes releases whose built-in kinds are embedded, the pinned one first.\n\
         pub const KUBERNETES_VERSIONS: &[&str] = &[{}];\n",
        versions.join(", ")
    );
    out.push_str("/// Every embedded file, in the order of the reference set.\npub const FILES: &[File] = &[\n");
    for ((path, _), file) in files.iter().zip(upstream) {
        let _ = writeln!(
            out,
            "    File {{\n        path: {path:?},\n        text: include_str!(\"../../../schemas/catalog/{path}\"),\n    }}, // {} {}",
            file.repository, file.tag
        );
    }
    out.push_str(
        "];\n\n/// Every kind, sorted by apiVersion and kind.\npub const ENTRIES: &[Entry] = &[\n",
    );
    for entry in entries {
        let set = match entry.set {
            Set::Kubernetes(v) => format!("Set::Kubernetes({v:?})"),
            Set::Crd => "Set::Crd".to_owned(),
            Set::Gateway(channel) => format!("Set::Gateway(Channel::{channel:?})"),
        };
        let _ = writeln!(
            out,
            "    Entry {{\n        api_version: {:?},\n        kind: {:?},\n        set: {set},\n        file: {},\n        form: Form::{},\n        key: {:?},\n        origin: {:?},\n        upstream_rules: {},\n        resource: {:?},\n    }},",
            entry.api_version,
            entry.kind,
            entry.file,
            entry.form,
            entry.key,
            entry.origin,
            entry.upstream_rules,
            entry.resource
        );
    }
    out.push_str("];\n");
    out
}

#[test]
fn catalog_is_generated_from_the_pinned_upstream_files() {
    if !crate::support::reference::require() {
        return;
    }
    let bless = std::env::var_os("INFERSTACK_BLESS").is_some_and(|v| v == "1");
    let generated = generate();
    let catalog = root().join("schemas/catalog");
    let mut expected: Vec<(PathBuf, String)> = generated
        .files
        .into_iter()
        .map(|(path, text)| (catalog.join(path), text))
        .collect();
    expected.push((catalog.join("SOURCES.tsv"), generated.sources));
    expected.push((
        root().join("src/validate/catalog/index.rs"),
        generated.index,
    ));
    let mut stale = Vec::new();
    for (path, text) in &expected {
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        } else if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    // Nothing else lives in the catalog directory.
    let wanted: BTreeSet<PathBuf> = expected.iter().map(|(p, _)| p.clone()).collect();
    let mut extra = Vec::new();
    let mut folders = vec![catalog];
    while let Some(folder) = folders.pop() {
        for path in sorted_dir(&folder) {
            if path.is_dir() {
                folders.push(path);
            } else if !wanted.contains(&path) {
                if bless {
                    std::fs::remove_file(&path).unwrap();
                } else {
                    extra.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        stale.is_empty() && extra.is_empty(),
        "not what the generator makes (run `INFERSTACK_BLESS=1 cargo test --test it catalog::` and \
         review the diff): stale {stale:#?}, extra {extra:#?}"
    );
}

/// Every kind of every selection keeps every CEL rule of its upstream file, and each compiles.
#[test]
fn every_kind_keeps_every_upstream_rule() {
    let selections = [Channel::Standard, Channel::Experimental].map(|channel| Selection {
        gateway_channel: channel,
        ..Selection::default()
    });
    let mut rules = 0;
    for selection in selections {
        for kind in SchemaSet::catalog_of(selection).cel_coverage() {
            let coverage = kind
                .coverage
                .unwrap_or_else(|e| panic!("{:?} does not compile: {e}", kind.key));
            assert_eq!(
                Some(coverage.found),
                kind.upstream_rules,
                "{:?} from {}",
                kind.key,
                kind.origin
            );
            assert!(
                coverage.broken.is_empty(),
                "{:?}: {:?}",
                kind.key,
                coverage.broken
            );
            rules += coverage.found;
        }
    }
    // The Gateway API alone has 89 rules on HTTPRoute (gateway-api v1.6.1).
    assert!(rules > 1600, "{rules} rules");
}

/// The catalog has every kind the reference set defines, built-in and custom.
#[test]
fn catalog_has_every_upstream_kind() {
    if !crate::support::reference::require() {
        return;
    }
    let catalog: BTreeSet<(String, String)> = SchemaSet::catalog().types().into_iter().collect();
    let missing: Vec<_> = upstream()
        .kinds()
        .into_iter()
        .filter(|k| !catalog.contains(k))
        .collect();
    assert!(missing.is_empty(), "not in the catalog: {missing:?}");
    for kind in [
        ("discovery.k8s.io/v1", "EndpointSlice"),
        ("argoproj.io/v1alpha1", "ApplicationSet"),
    ] {
        assert!(
            catalog.contains(&(kind.0.to_owned(), kind.1.to_owned())),
            "{kind:?}"
        );
    }
}

/// The problems `schemas` finds in `object`, as `(pointer, message)` pairs.
fn problems(schemas: &SchemaSet, object: &Value) -> Option<Vec<(String, String)>> {
    let field = |name| object.get(name).and_then(Value::as_str).unwrap_or_default();
    match schemas.validate(field("apiVersion"), field("kind"), object) {
        Outcome::NotFound => None,
        Outcome::Broken(message) => panic!("{message}"),
        Outcome::Checked(found) => {
            Some(found.into_iter().map(|v| (v.pointer, v.message)).collect())
        }
    }
}

/// The objects of `golden/`, `tests/manifests/`, the seed and the reference set's examples.
fn corpus() -> Vec<(String, Value)> {
    let mut files = yaml_files(&root().join("golden"));
    files.extend(yaml_files(&root().join("tests/manifests")));
    let examples = reference_dir().join("examples");
    files.extend(yaml_files(&examples).into_iter().filter(|f| {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        // Helm templates and envsubst placeholders are not YAML objects yet.
        !f.components().any(|c| c.as_os_str() == "charts")
            && !text.contains("${")
            && !text.contains("{{")
    }));
    if let Some(seed) = crate::support::reference::seed("manifests.yaml") {
        files.push(root().join(seed));
    }
    let mut objects = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let stream = inferstack::yaml::parse(&text);
        if !stream.problems.is_empty() {
            continue;
        }
        objects.extend(
            stream
                .documents
                .into_iter()
                .map(|d| d.value)
                .filter(Value::is_object)
                .map(|o| (file.display().to_string(), o)),
        );
    }
    objects
}

/// `object` and broken copies of it: at a spread of its nodes, a value of another type, an
/// out-of-range number, a malformed string, an unknown member and a removed member.
fn variants(object: &Value) -> Vec<Value> {
    fn nodes(value: &Value, pointer: String, out: &mut Vec<String>) {
        let children: Vec<(String, &Value)> = match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
                .collect(),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            _ => Vec::new(),
        };
        for (segment, child) in children {
            let pointer = format!("{pointer}/{segment}");
            out.push(pointer.clone());
            nodes(child, pointer, out);
        }
    }
    let mut pointers = Vec::new();
    nodes(object, String::new(), &mut pointers);
    let step = pointers.len().div_ceil(6).max(1);
    let mut out = vec![object.clone()];
    for pointer in pointers.iter().step_by(step) {
        for replacement in [
            Value::Bool(true),
            serde_json::json!(4_294_967_297_i64),
            serde_json::json!(-1),
            serde_json::json!("Not A Name!"),
            serde_json::json!({"bogusField": 1}),
        ] {
            let mut variant = object.clone();
            *variant.pointer_mut(pointer).unwrap() = replacement;
            out.push(variant);
        }
        if let Some((parent, member)) = pointer.rsplit_once('/') {
            let mut variant = object.clone();
            if let Some(Value::Object(map)) = variant.pointer_mut(parent) {
                map.shift_remove(&member.replace("~1", "/").replace("~0", "~"));
                out.push(variant);
            }
        }
    }
    out
}

/// The catalog alone and the upstream files given as `--crds`/`--openapi` find the same
/// problems, in the same order, in every object of the corpus and in broken copies of each.
#[test]
fn catalog_judges_as_the_upstream_files() {
    if !crate::support::reference::require() {
        return;
    }
    let catalog = SchemaSet::catalog();
    let (mut compared, mut invalid) = (0, 0);
    let mut differences = Vec::new();
    for (origin, object) in corpus() {
        for variant in variants(&object) {
            let Some(upstream_found) = problems(upstream().schemas(), &variant) else {
                continue;
            };
            let found = problems(&catalog, &variant).expect("the catalog has every upstream kind");
            if found != upstream_found {
                differences.push(format!(
                    "{origin}: {variant}\n  catalog {found:?}\n  upstream {upstream_found:?}"
                ));
            }
            compared += 1;
            invalid += usize::from(!found.is_empty());
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(
        compared > 5000 && invalid > 3000,
        "{compared} compared, {invalid} invalid"
    );
}

/// Every object of the corpus that is meant to be valid passes the catalog: the golden outputs,
/// the seed, the valid fixtures and the upstream examples.
#[test]
fn catalog_accepts_the_upstream_examples() {
    if !crate::support::reference::require() {
        return;
    }
    let catalog = SchemaSet::catalog();
    let mut rejected = Vec::new();
    for (origin, object) in corpus() {
        // Invalid fixtures; and kustomize inputs that are not whole objects (SOURCES.md of the
        // reference set): a base its overlays complete, and patches (`patch-*.yaml`, `$patch`).
        let patch = Path::new(&origin)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("patch-"))
            || object.get("$patch").is_some();
        if origin.contains("tests/manifests/")
            && !origin.contains("/valid/")
            && !origin.contains("/builtin/")
            || origin.ends_with("deploy/components/inference-gateway/gateways.yaml")
            || patch
        {
            continue;
        }
        match problems(&catalog, &object) {
            Some(found) if !found.is_empty() => rejected.push(format!(
                "{origin}: {} {}: {found:?}",
                object["kind"], object["metadata"]["name"]
            )),
            _ => {}
        }
    }
    assert!(rejected.is_empty(), "{}", rejected.join("\n"));
}
