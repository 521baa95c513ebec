//! The output directory layout: one file per object under a directory per namespace
//! (`_cluster/` for cluster-scoped objects), with a `kustomization.yaml` in each directory.
//! This is the only place that turns object identities into paths.

use std::collections::BTreeMap;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::Object;
use crate::k8s::kustomize::Kustomization;

/// The longest file name most file systems take (ext4, XFS, APFS, NTFS: 255 bytes).
pub const MAX_FILE_NAME: usize = 255;

/// Directory of cluster-scoped objects; `_` cannot start a namespace name, so it never clashes.
pub const CLUSTER_DIR: &str = "_cluster";
pub const KUSTOMIZATION: &str = "kustomization.yaml";

/// Relative path (always `/`-separated, made only of validated names) -> file content.
pub type OutputTree = BTreeMap<String, Vec<u8>>;

/// `<kind>[.<group>]-<name>.yaml`: the group keeps core and Knative `Service`s apart.
pub fn file_name(object: &Object) -> String {
    let kind = object.id.kind.to_ascii_lowercase();
    match object.id.group() {
        "" => format!("{kind}-{}.yaml", object.id.name),
        group => format!("{kind}.{group}-{}.yaml", object.id.name),
    }
}

/// Objects whose file name would be too long for the file system, as located errors, so that
/// `check` fails where `build -o DIR` would, before anything is written.
pub fn check_file_names(objects: &[Object]) -> Diagnostics {
    let mut out = Diagnostics::default();
    for object in objects {
        let name = file_name(object);
        if name.len() > MAX_FILE_NAME {
            out.push(
                Diagnostic::error(
                    Code::InvalidName,
                    Label::new(object.origin_of("/metadata/name"), "name too long for a file"),
                    format!(
                        "{} would be written to a file whose name is {} bytes long; file systems take {MAX_FILE_NAME}",
                        object.id,
                        name.len()
                    ),
                )
                .with_help(format!(
                    "shorten the name by at least {} characters",
                    name.len() - MAX_FILE_NAME
                )),
            );
        }
    }
    out
}

/// `<directory>/<file name>` of an object in the tree.
pub fn path(object: &Object) -> String {
    format!("{}/{}", directory(object), file_name(object))
}

pub fn directory(object: &Object) -> &str {
    object.id.namespace.as_deref().unwrap_or(CLUSTER_DIR)
}

/// The whole output tree for the given objects (already sorted into apply order).
pub fn tree(objects: &[Object]) -> anyhow::Result<OutputTree> {
    let mut tree = OutputTree::new();
    let mut directories: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for object in objects {
        tree.insert(path(object), super::to_yaml(&object.body)?.into_bytes());
        directories
            .entry(directory(object))
            .or_default()
            .push(file_name(object));
    }
    for (dir, files) in &directories {
        tree.insert(
            format!("{dir}/{KUSTOMIZATION}"),
            kustomization(files.clone())?,
        );
    }
    // Cluster-scoped objects first, so storage exists before the namespaces that claim it.
    let mut subdirs: Vec<String> = directories.keys().map(|d| (*d).to_owned()).collect();
    subdirs.sort_by_key(|d| (d != CLUSTER_DIR, d.clone()));
    tree.insert(KUSTOMIZATION.to_owned(), kustomization(subdirs)?);
    Ok(tree)
}

fn kustomization(resources: Vec<String>) -> anyhow::Result<Vec<u8>> {
    let value = serde_json::to_value(Kustomization::new(resources))?;
    Ok(super::to_yaml(&value)?.into_bytes())
}
