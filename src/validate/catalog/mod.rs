//! The embedded schema catalog: the pinned upstream CRDs and Kubernetes OpenAPI v3 documents,
//! whole, compiled into the binary, so `validate` without `--crds` or `--openapi` judges an
//! object exactly as it would with the upstream files.
//!
//! Each upstream file is kept as one `schemas/catalog/<its reference path>.jsonl` file: a line
//! per schema, `KEY<TAB>JSON`, where the JSON is the upstream schema with its `description`s
//! left out (they validate nothing and are most of the bytes) and nothing else changed. A CRD
//! file has a line per served version (`KEY` is `apiVersion kind`, the JSON its
//! `openAPIV3Schema`); an OpenAPI document a line per `components.schemas` entry (`KEY` is the
//! definition's name). `schemas/catalog/SOURCES.tsv` names each file's upstream repository,
//! tag, path and SHA-256.
//!
//! `index.rs` lists the files and every kind they define. Both are written by the
//! `catalog_is_generated_from_the_pinned_upstream_files` test in `tests/it/catalog.rs`
//! (`INFERSTACK_BLESS=1` rewrites them), which fails when a committed file differs from what the
//! upstream files give, or an upstream file's digest from `scripts/reference-files.tsv`.
//!
//! A run reads only the lines of the kinds it meets: a definition is found by scanning the
//! file's keys, and parsed with what it refers to when its kind is first validated.

// Generated in its own layout, which rustfmt leaves alone.
#[rustfmt::skip]
mod index;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::structural::{SCHEMAS, collect_refs, openapi_component};

pub use index::{ENTRIES, FILES, KUBERNETES_VERSIONS};

/// One embedded file: its path under `schemas/catalog` and its text.
pub struct File {
    pub path: &'static str,
    pub text: &'static str,
}

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// CustomResourceDefinitions: a line per served version.
    Crd,
    /// A Kubernetes OpenAPI v3 document: a line per definition.
    OpenApi,
}

/// A Gateway API release channel. The two define most kinds differently (the experimental
/// Gateway and HTTPRoute have fields the standard ones refuse), and some kinds only the
/// experimental one has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    #[default]
    Standard,
    Experimental,
}

/// Which set of schemas an entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// A built-in kind of this Kubernetes release.
    Kubernetes(&'static str),
    /// A custom resource of every catalog.
    Crd,
    /// A custom resource of one Gateway API channel only.
    Gateway(Channel),
}

/// One kind of the catalog and where its schema is.
pub struct Entry {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub set: Set,
    /// Index into [`FILES`].
    pub file: usize,
    pub form: Form,
    /// The line's key in the file.
    pub key: &'static str,
    /// Where it comes from, for messages: project, tag and file.
    pub origin: &'static str,
    /// How many CEL rules (`x-kubernetes-validations`) the upstream schema has, counted in the
    /// upstream file when the catalog was generated; `--cel-coverage` prints it beside the
    /// count of rules the embedded schema gives.
    pub upstream_rules: usize,
    /// The resource in URLs and RBAC rules (`deployments`, `gateways`): the CRD's
    /// `names.plural`, or the path of the kind's `get` in its OpenAPI document; empty for a
    /// kind with no object path.
    pub resource: &'static str,
}

/// The resource of `api_version` `kind` (`gateway.networking.k8s.io/v1` `Gateway` ->
/// `gateways`), if the catalog has the kind.
pub fn resource_of(api_version: &str, kind: &str) -> Option<&'static str> {
    ENTRIES
        .iter()
        .find(|e| e.api_version == api_version && e.kind == kind && !e.resource.is_empty())
        .map(|e| e.resource)
}

/// The options that choose among the catalog's schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    pub kubernetes: &'static str,
    pub gateway_channel: Channel,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            kubernetes: KUBERNETES_VERSIONS[0],
            gateway_channel: Channel::Standard,
        }
    }
}

impl Selection {
    /// The pinned release `version` names (`1.35`, or `v1.35`), or `None` when none is shipped.
    pub fn kubernetes_version(version: &str) -> Option<&'static str> {
        let version = version.strip_prefix('v').unwrap_or(version);
        KUBERNETES_VERSIONS.iter().copied().find(|v| *v == version)
    }

    /// Whether `entry` is part of this selection.
    pub fn includes(&self, entry: &Entry) -> bool {
        match entry.set {
            Set::Kubernetes(version) => version == self.kubernetes,
            Set::Crd => true,
            Set::Gateway(channel) => channel == self.gateway_channel,
        }
    }

    /// The embedded core/v1 document of the selected release: `ObjectMeta` and the pod spec.
    pub fn core_file(&self) -> usize {
        ENTRIES
            .iter()
            .find(|e| e.set == Set::Kubernetes(self.kubernetes) && e.api_version == "v1")
            .map_or(0, |e| e.file)
    }
}

/// The JSON text of `key` in file `file`; `None` if the file has no such line.
pub fn definition(file: usize, key: &str) -> Option<&'static str> {
    lines(file).get(key).copied()
}

/// Every `(key, JSON)` line of file `file`, in file order.
pub fn definitions(file: usize) -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES[file]
        .text
        .lines()
        .filter_map(|line| line.split_once('\t'))
}

/// The `openAPIV3Schema` of a CRD entry.
pub fn crd_schema(entry: &Entry) -> Result<Value, String> {
    let text = definition(entry.file, entry.key)
        .ok_or_else(|| format!("the catalog has no line {:?}", entry.key))?;
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// The definition `name` of the OpenAPI document in file `file` and every definition it refers
/// to, transitively, each made ready as `--openapi` makes a document's definitions.
pub fn openapi_closure(file: usize, name: &str) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    let mut todo = vec![name.to_owned()];
    while let Some(name) = todo.pop() {
        if out.contains_key(&name) {
            continue;
        }
        let text = definition(file, &name).ok_or_else(|| {
            format!(
                "{name} is referred to but not defined in {}",
                FILES[file].path
            )
        })?;
        let mut schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        openapi_component(&name, &mut schema);
        collect_refs(&schema, SCHEMAS, &mut todo);
        out.insert(name, schema);
    }
    Ok(out)
}

/// The lines of a file by key, built on first use: a scan for tabs, no JSON parsing.
fn lines(file: usize) -> &'static HashMap<&'static str, &'static str> {
    static LINES: OnceLock<Vec<OnceLock<HashMap<&'static str, &'static str>>>> = OnceLock::new();
    let all = LINES.get_or_init(|| FILES.iter().map(|_| OnceLock::new()).collect());
    all[file].get_or_init(|| definitions(file).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_its_line() {
        for entry in ENTRIES {
            assert!(
                definition(entry.file, entry.key).is_some(),
                "{} {}: no line {:?} in {}",
                entry.api_version,
                entry.kind,
                entry.key,
                FILES[entry.file].path
            );
        }
    }

    #[test]
    fn versions_are_named_with_or_without_a_v() {
        let pinned = KUBERNETES_VERSIONS[0];
        assert_eq!(Selection::kubernetes_version(pinned), Some(pinned));
        assert_eq!(
            Selection::kubernetes_version(&format!("v{pinned}")),
            Some(pinned)
        );
        assert_eq!(Selection::kubernetes_version("1.2"), None);
    }
}
