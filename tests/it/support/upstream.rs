//! The real upstream APIs as a test oracle: the CRDs under `../shared/reference/crds` (and the
//! Istio and GKE CRDs pinned under `schemas/upstream`) and the
//! Kubernetes v1.35 OpenAPI v3 documents, read in place (never copied) and loaded through
//! inferstack's own `--crds`/`--openapi` loader, with no embedded catalog behind them. An
//! object (`serde_json::Value`) goes in; one `"<json-pointer>: <message>"` line per problem
//! comes out, as the API server with strict field validation would report. CEL rules are not
//! evaluated here.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use inferstack::validate::schemas::{Outcome, SchemaSet, TypeKey, ViolationKind};
use inferstack::yaml;
use serde_json::Value;

/// The directories of `schemas/upstream/crds` whose CRDs the reference set does not have.
const PROVIDER_CRDS: [&str; 2] = ["istio", "gke"];

/// The upstream schemas, loaded once per test process.
pub struct Upstream {
    schemas: SchemaSet,
}

pub fn upstream() -> &'static Upstream {
    static UPSTREAM: OnceLock<Upstream> = OnceLock::new();
    UPSTREAM.get_or_init(Upstream::load)
}

/// The reference set's directory (see [`super::reference`]).
pub fn reference_dir() -> PathBuf {
    super::cli::root().join(super::reference::path(""))
}

/// Every `*.yaml` file under `dir`, recursively, in sorted order.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    let mut files = Vec::new();
    for path in entries {
        if path.is_dir() {
            files.extend(yaml_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "yaml") {
            files.push(path);
        }
    }
    files
}

/// The documents of a multi-document YAML file; empty documents are skipped.
pub fn yaml_documents(path: &Path) -> Vec<Value> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let stream = yaml::parse(&text);
    assert!(
        stream.problems.is_empty(),
        "{}: {:?}",
        path.display(),
        stream.problems
    );
    stream
        .documents
        .into_iter()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .collect()
}

impl Upstream {
    fn load() -> Upstream {
        let reference = reference_dir();
        let mut schemas = SchemaSet::default();
        let openapi_dir = reference.join("openapi/kubernetes/v1.35");
        let mut openapi: Vec<PathBuf> = std::fs::read_dir(&openapi_dir)
            .expect("the Kubernetes OpenAPI files")
            .map(|e| e.expect("directory entry").path())
            .collect();
        openapi.sort();
        for file in openapi {
            let document = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            schemas
                .add_openapi(document, &file.display().to_string())
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        }
        // The standard channel's Gateway and HTTPRoute win over the experimental ones, so
        // experimental-only fields count as unknown.
        let mut crds = yaml_files(&reference.join("crds"));
        crds.sort_by_key(|p| p.components().any(|c| c.as_os_str() == "experimental"));
        // The gateway providers' CRDs the reference set lacks, pinned in the project
        // (`schemas/upstream/SOURCES.tsv`) as byte-for-byte upstream copies.
        for provider in PROVIDER_CRDS {
            crds.extend(yaml_files(
                &super::cli::root()
                    .join("schemas/upstream/crds")
                    .join(provider),
            ));
        }
        let parsed: Vec<Vec<Value>> = std::thread::scope(|scope| {
            let handles: Vec<_> = crds
                .iter()
                .map(|f| scope.spawn(|| yaml_documents(f)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("parser thread"))
                .collect()
        });
        for (file, documents) in crds.iter().zip(parsed) {
            for document in documents
                .iter()
                .filter(|d| d["kind"] == "CustomResourceDefinition")
            {
                schemas
                    .add_crd(document, &file.display().to_string())
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            }
        }
        Upstream { schemas }
    }

    /// The schemas, as `--crds` and `--openapi` of the reference set load them.
    pub fn schemas(&self) -> &SchemaSet {
        &self.schemas
    }

    /// Every `(apiVersion, kind)` that has a schema, sorted.
    pub fn kinds(&self) -> Vec<TypeKey> {
        self.schemas.types()
    }

    /// One line per problem; an object of a type upstream has no schema for gets the single
    /// line `"no upstream schema for <apiVersion> <kind>"`. A schema that does not compile panics.
    pub fn validate(&self, object: &Value) -> Vec<String> {
        let field = |name| object.get(name).and_then(Value::as_str).unwrap_or_default();
        let (api_version, kind) = (field("apiVersion"), field("kind"));
        let violations = match self.schemas.validate(api_version, kind, object) {
            Outcome::NotFound => {
                return vec![format!("no upstream schema for {api_version} {kind}")];
            }
            Outcome::Broken(message) => panic!("{message}"),
            Outcome::Checked(violations) => violations,
        };
        // `kubectl apply` needs a name; no schema says so.
        let named = object
            .pointer("/metadata/name")
            .is_some_and(Value::is_string);
        let mut lines: Vec<String> = (!named && object.get("metadata").is_some())
            .then(|| "/metadata/name: missing required field \"name\"".to_owned())
            .into_iter()
            .collect();
        // The note that CEL was not run beside blocking problems is no problem of its own.
        lines.extend(
            violations
                .into_iter()
                .filter(|v| v.kind != ViolationKind::CelNotChecked)
                .map(|v| format!("{}: {}", v.pointer, v.message)),
        );
        lines
    }
}
