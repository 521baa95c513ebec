//! What `schemas pull` and `--cluster` read from a cluster: its version, every
//! CustomResourceDefinition, and the `/openapi/v3` documents of its built-in group-versions,
//! each tidied of what the server owns so that the same cluster always gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::cache::Cache;
use super::connect::{Cluster, Failure};
use super::tidy::without_server_fields;
use crate::k8s::knative::{ADMISSION_CONFIGMAPS, SYSTEM_NAMESPACE};

/// The CRD list is read this many at a time (the API server's own default page is unbounded;
/// kubectl pages by 500).
const PAGE: usize = 500;
const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
/// The CRDs' metadata only, to learn their resourceVersions cheaply
/// (kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables:
/// `as=PartialObjectMetadataList`).
const METADATA_ONLY: &str = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

/// A cluster's schemas, keyed for files: sorted, and named the way Kubernetes' own
/// `api/openapi-spec/v3` names its documents.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// `/version`: `gitVersion`, `major`, `minor`, `platform`, …
    pub version: Value,
    /// CRD name (`<plural>.<group>`) -> the CRD, as `kubectl get -o json` would show it
    /// without the server's fields.
    pub crds: BTreeMap<String, Value>,
    /// Group-version path (`api/v1`, `apis/apps/v1`) -> its OpenAPI v3 document.
    pub openapi: BTreeMap<String, Value>,
    /// Every built-in `apiVersion` the cluster serves (`v1`, `apps/v1`), read or not.
    pub built_in: BTreeSet<String>,
}

/// Which `/openapi/v3` documents to read.
#[derive(Debug, Clone, Copy)]
pub enum Documents<'a> {
    /// Every built-in group-version's (`schemas pull`).
    All,
    /// Those of these `apiVersion`s only (`--cluster`: the kinds a run meets).
    Of(&'a BTreeSet<String>),
}

impl Snapshot {
    /// Reads the snapshot, through `cache` when given; any request that fails stops it
    /// (exit 2, naming the cluster).
    pub fn pull(
        cluster: &Cluster,
        documents: Documents<'_>,
        cache_root: Option<&Path>,
    ) -> anyhow::Result<Snapshot> {
        let version = cluster.get_json("/version", "the server version (/version)")?;
        let git_version = version
            .get("gitVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let cache =
            cache_root.map(|root| Cache::new(root, &cluster.server, &cluster.context, git_version));
        let crds = match &cache {
            Some(cache) => cached_crds(cluster, cache)?,
            None => crds(cluster)?,
        };
        let crd_groups: BTreeSet<String> = crds
            .values()
            .filter_map(|crd| crd.pointer("/spec/group")?.as_str().map(str::to_owned))
            .collect();
        let index = cluster.get_json("/openapi/v3", "the OpenAPI v3 index (/openapi/v3)")?;
        let mut openapi = BTreeMap::new();
        let mut built_in = BTreeSet::new();
        for (path, url) in built_in_documents(&index, &crd_groups)? {
            let api_version = api_version_of(&path);
            let wanted = match documents {
                Documents::All => true,
                Documents::Of(api_versions) => api_versions.contains(&api_version),
            };
            built_in.insert(api_version);
            if !wanted {
                continue;
            }
            let kept = cache.as_ref().and_then(|c| c.document(&url));
            let document = match kept {
                Some(document) => document,
                None => {
                    let document = cluster.get_json(&url, &format!("/openapi/v3/{path}"))?;
                    if let Some(cache) = &cache {
                        cache.keep_document(&url, &document);
                    }
                    document
                }
            };
            openapi.insert(path, document);
        }
        Ok(Snapshot {
            version,
            crds,
            openapi,
            built_in,
        })
    }

    /// The served versions of each CRD's kind: `(group, kind)` -> versions.
    pub fn served(&self) -> BTreeMap<(String, String), Vec<String>> {
        self.crds.values().filter_map(served_versions).collect()
    }

    /// The server's `gitVersion` (`v1.35.0`).
    pub fn git_version(&self) -> &str {
        self.version
            .get("gitVersion")
            .and_then(Value::as_str)
            .unwrap_or("(unknown version)")
    }
}

/// A CRD's `(group, kind)` and the versions it serves (those with `served: true`); `None`
/// for a CRD without `spec.group` or `spec.names.kind`.
pub fn served_versions(crd: &Value) -> Option<((String, String), Vec<String>)> {
    let text = |pointer: &str| crd.pointer(pointer).and_then(Value::as_str);
    let key = (
        text("/spec/group")?.to_owned(),
        text("/spec/names/kind")?.to_owned(),
    );
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        .filter_map(|v| v.get("name")?.as_str().map(str::to_owned))
        .collect();
    Some((key, versions))
}

/// The Knative ConfigMaps the admission emulation reads (`config-features`,
/// `config-defaults`, `config-autoscaler` in `knative-serving`), those the cluster has. A
/// cluster without Knative has none, which is no error: Knative's defaults apply.
pub fn knative_configmaps(cluster: &Cluster) -> anyhow::Result<Vec<Value>> {
    let mut found = Vec::new();
    for name in ADMISSION_CONFIGMAPS {
        let path = format!("/api/v1/namespaces/{SYSTEM_NAMESPACE}/configmaps/{name}");
        let what = format!("ConfigMap {SYSTEM_NAMESPACE}/{name}");
        if let Some(mut configmap) = cluster.get_json_if_found(&path, &what)? {
            without_server_fields(&mut configmap);
            found.push(configmap);
        }
    }
    Ok(found)
}

/// Every item of the CRD list, page by page, in the representation `accept` asks for.
fn list_crds(cluster: &Cluster, accept: &str) -> anyhow::Result<Vec<Value>> {
    let what = "the CustomResourceDefinitions";
    let mut all = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("{CRDS}?limit={PAGE}");
        if let Some(token) = &next {
            path.push_str("&continue=");
            path.push_str(&percent_encoded(token));
        }
        let mut list = cluster.get_json_as(&path, accept, what)?;
        let Some(Value::Array(items)) = list.get_mut("items").map(Value::take) else {
            return Err(cluster.error(what, Failure::Unreachable("no items in the list".into())));
        };
        all.extend(items);
        next = list
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            return Ok(all);
        }
    }
}

/// Every CRD, tidied and named.
fn crds(cluster: &Cluster) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut crds = BTreeMap::new();
    for item in list_crds(cluster, "application/json")? {
        let (name, crd) = named(cluster, item)?;
        crds.insert(name, crd);
    }
    Ok(crds)
}

/// Every CRD, from the cache where its resourceVersion is kept there: the metadata list says
/// which; when any is not, the full list is read once and kept.
fn cached_crds(cluster: &Cluster, cache: &Cache) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut crds = BTreeMap::new();
    for item in list_crds(cluster, METADATA_ONLY)? {
        let text = |field: &str| {
            item.pointer(&format!("/metadata/{field}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let (name, version) = (text("name"), text("resourceVersion"));
        match cache.crd(name, version) {
            Some(crd) => {
                crds.insert(name.to_owned(), crd);
            }
            None => {
                let mut all = BTreeMap::new();
                for item in list_crds(cluster, "application/json")? {
                    let version = item
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned();
                    let (name, crd) = named(cluster, item)?;
                    cache.keep_crd(&name, &version, &crd);
                    all.insert(name, crd);
                }
                return Ok(all);
            }
        }
    }
    Ok(crds)
}

/// A listed CRD as a file holds it, and its name. A CRD name that could not be a file name
/// is an error: the names become paths.
fn named(cluster: &Cluster, mut crd: Value) -> anyhow::Result<(String, Value)> {
    without_server_fields(&mut crd);
    // List items carry no apiVersion and kind; a file of its own needs them.
    if let Value::Object(fields) = &mut crd {
        let mut typed = Map::new();
        typed.insert("apiVersion".into(), "apiextensions.k8s.io/v1".into());
        typed.insert("kind".into(), "CustomResourceDefinition".into());
        typed.extend(
            std::mem::take(fields)
                .into_iter()
                .filter(|(k, _)| k != "apiVersion" && k != "kind"),
        );
        *fields = typed;
    }
    let name = crd
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !is_dns_subdomain(&name) {
        anyhow::bail!(
            "the cluster of context {} ({}) has a CustomResourceDefinition named {name:?}, \
             which is not a DNS subdomain (<plural>.<group>) and cannot be a file name",
            cluster.context,
            cluster.server
        );
    }
    Ok((name, crd))
}

/// The index's built-in group-versions (`api/v1`, `apis/<group>/<version>`) with the URL to
/// read each at: not the discovery documents (`api`, `apis`, `apis/<group>`), `.well-known`,
/// `openid`, `logs` or `version`, and not a CRD's group, whose schema is its CRD file.
/// (Kubernetes' `/openapi/v3` index: `{"paths": {"api/v1": {"serverRelativeURL": …}}}`,
/// kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3.)
fn built_in_documents(
    index: &Value,
    crd_groups: &BTreeSet<String>,
) -> anyhow::Result<Vec<(String, String)>> {
    let Some(paths) = index.get("paths").and_then(Value::as_object) else {
        anyhow::bail!("the /openapi/v3 index has no `paths`");
    };
    let mut documents = Vec::new();
    for (path, entry) in paths {
        let parts: Vec<&str> = path.split('/').collect();
        let group = match parts.as_slice() {
            ["api", "v1"] => "",
            ["apis", group, version] if is_dns_subdomain(group) && is_dns_label(version) => group,
            _ => continue,
        };
        if crd_groups.contains(group) {
            continue;
        }
        let url = entry
            .get("serverRelativeURL")
            .and_then(Value::as_str)
            .filter(|url| url.starts_with("/openapi/v3/"))
            .map_or_else(|| format!("/openapi/v3/{path}"), str::to_owned);
        documents.push((path.clone(), url));
    }
    Ok(documents)
}

/// `api/v1` -> `v1`, `apis/apps/v1` -> `apps/v1`.
pub fn api_version_of(path: &str) -> String {
    path.strip_prefix("apis/")
        .or_else(|| path.strip_prefix("api/"))
        .unwrap_or(path)
        .to_owned()
}

/// The file Kubernetes' `api/openapi-spec/v3` keeps a group-version's document in:
/// `api/v1` -> `api__v1_openapi.json`.
pub fn openapi_file_name(path: &str) -> String {
    format!("{}_openapi.json", path.replace('/', "__"))
}

/// RFC 1123 subdomain, as Kubernetes checks object names (at most 253 characters).
fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && !name.is_empty() && name.split('.').all(is_dns_label)
}

/// RFC 1123 label: lower-case alphanumerics and `-`, starting and ending alphanumeric.
fn is_dns_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A continue token in a query: everything but unreserved characters percent-encoded.
fn percent_encoded(token: &str) -> String {
    token
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_index_keeps_built_in_group_versions_only() {
        let index = json!({"paths": {
            "api": {"serverRelativeURL": "/openapi/v3/api?hash=A"},
            "api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=B"},
            "apis": {"serverRelativeURL": "/openapi/v3/apis?hash=C"},
            "apis/apps": {"serverRelativeURL": "/openapi/v3/apis/apps?hash=D"},
            "apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=E"},
            "apis/inference.networking.k8s.io/v1": {"serverRelativeURL": "/openapi/v3/apis/inference.networking.k8s.io/v1?hash=F"},
            "apis/../../etc/v1": {"serverRelativeURL": "/openapi/v3/x"},
            ".well-known/openid-configuration": {"serverRelativeURL": "/openapi/v3/.well-known/openid-configuration?hash=G"},
            "version": {"serverRelativeURL": "/openapi/v3/version?hash=H"},
            "apis/batch/v1": {"serverRelativeURL": "https://elsewhere/openapi"}
        }});
        let crd_groups = BTreeSet::from(["inference.networking.k8s.io".to_owned()]);
        let documents = built_in_documents(&index, &crd_groups).unwrap();
        assert_eq!(
            documents,
            [
                ("api/v1".to_owned(), "/openapi/v3/api/v1?hash=B".to_owned()),
                (
                    "apis/apps/v1".to_owned(),
                    "/openapi/v3/apis/apps/v1?hash=E".to_owned()
                ),
                // A URL off the server is not followed: the path is read instead.
                (
                    "apis/batch/v1".to_owned(),
                    "/openapi/v3/apis/batch/v1".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn group_versions_name_files_as_kubernetes_does() {
        assert_eq!(openapi_file_name("api/v1"), "api__v1_openapi.json");
        assert_eq!(
            openapi_file_name("apis/apps/v1"),
            "apis__apps__v1_openapi.json"
        );
        assert_eq!(api_version_of("api/v1"), "v1");
        assert_eq!(api_version_of("apis/apps/v1"), "apps/v1");
    }

    #[test]
    fn names_that_are_not_dns_subdomains_are_refused() {
        assert!(is_dns_subdomain(
            "inferencepools.inference.networking.k8s.io"
        ));
        for bad in ["", "../x", "a/b", "A.b", "-a.b", "a..b", &"a".repeat(254)] {
            assert!(!is_dns_subdomain(bad), "{bad}");
        }
    }

    #[test]
    fn continue_tokens_are_percent_encoded() {
        assert_eq!(percent_encoded("eyJ2Ijo+/=x"), "eyJ2Ijo%2B%2F%3Dx");
    }
}
