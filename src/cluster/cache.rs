//! What `--cluster` keeps between runs, under the user's cache directory: each CRD by its
//! name and `resourceVersion`, each OpenAPI document by the URL the server's index gives it
//! (whose `hash` changes with its content), per server, context and Kubernetes version. A
//! run then asks the cluster only for the version, the CRDs' metadata and the index, and
//! reads in full only what changed. A cache that cannot be read or written is only slower.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache of one cluster under `root` (`$XDG_CACHE_HOME/inferstack`).
    pub fn new(root: &Path, server: &str, context: &str, git_version: &str) -> Cache {
        let key = hex(&Sha256::digest(format!(
            "{server}\n{context}\n{git_version}"
        )));
        Cache {
            dir: root.join("cluster").join(&key[..32]),
        }
    }

    /// A CRD as it was at `resource_version`; `None` if not kept (or the version is not a
    /// plain token, which no file is named after).
    pub fn crd(&self, name: &str, resource_version: &str) -> Option<Value> {
        self.read(&crd_file(name, resource_version)?)
    }

    pub fn keep_crd(&self, name: &str, resource_version: &str, crd: &Value) {
        if let Some(file) = crd_file(name, resource_version) {
            self.write(&file, crd);
        }
    }

    /// The document the index points at with `url`, if the URL has a content hash.
    pub fn document(&self, url: &str) -> Option<Value> {
        self.read(&document_file(url)?)
    }

    pub fn keep_document(&self, url: &str, document: &Value) {
        if let Some(file) = document_file(url) {
            self.write(&file, document);
        }
    }

    fn read(&self, relative: &str) -> Option<Value> {
        let text = std::fs::read(self.dir.join(relative)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Written to a temporary file and renamed, so a reader never sees half a file.
    fn write(&self, relative: &str, value: &Value) {
        let path = self.dir.join(relative);
        let Some(parent) = path.parent() else {
            return;
        };
        let written = std::fs::create_dir_all(parent)
            .and_then(|()| tempfile::NamedTempFile::new_in(parent))
            .and_then(|mut file| {
                serde_json::to_writer(&mut file, value)?;
                file.persist(&path).map_err(|e| e.error)?;
                Ok(())
            });
        // A cache is an optimisation: failing to keep something only costs the next run.
        drop(written);
    }
}

/// `crds/<name>@<resourceVersion>.json`; the name is a DNS subdomain already (`pull` checks),
/// the version must be alphanumeric (etcd's are decimal).
fn crd_file(name: &str, resource_version: &str) -> Option<String> {
    let plain = !resource_version.is_empty()
        && resource_version.len() <= 64
        && resource_version.bytes().all(|b| b.is_ascii_alphanumeric());
    plain.then(|| format!("crds/{name}@{resource_version}.json"))
}

/// `openapi/<SHA-256 of the URL>.json`, for a URL that carries the server's content hash.
fn document_file(url: &str) -> Option<String> {
    url.contains("hash=")
        .then(|| format!("openapi/{}.json", hex(&Sha256::digest(url))))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_is_kept_is_read_back_and_nothing_else() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::new(root.path(), "https://k8s:6443", "prod", "v1.35.0");
        let crd = json!({"kind": "CustomResourceDefinition"});
        cache.keep_crd("a.example.com", "1042", &crd);
        assert_eq!(cache.crd("a.example.com", "1042"), Some(crd));
        assert_eq!(cache.crd("a.example.com", "1043"), None);
        cache.keep_crd("b.example.com", "../x", &json!({}));
        assert_eq!(cache.crd("b.example.com", "../x"), None);
        let document = json!({"openapi": "3.0.0"});
        cache.keep_document("/openapi/v3/api/v1?hash=AB12", &document);
        assert_eq!(
            cache.document("/openapi/v3/api/v1?hash=AB12"),
            Some(document)
        );
        assert_eq!(cache.document("/openapi/v3/api/v1?hash=CD34"), None);
        cache.keep_document("/openapi/v3/api/v1", &json!({}));
        assert_eq!(cache.document("/openapi/v3/api/v1"), None);
    }

    #[test]
    fn each_cluster_and_version_has_its_own() {
        let root = tempfile::tempdir().unwrap();
        let old = Cache::new(root.path(), "https://k8s:6443", "prod", "v1.34.2");
        old.keep_crd("a.example.com", "7", &json!({}));
        let upgraded = Cache::new(root.path(), "https://k8s:6443", "prod", "v1.35.0");
        assert_eq!(upgraded.crd("a.example.com", "7"), None);
        let other = Cache::new(root.path(), "https://k8s:6443", "staging", "v1.34.2");
        assert_eq!(other.crd("a.example.com", "7"), None);
    }
}
