//! `build --gitops`: the objects that deliver a rendered tree, written under `_gitops/` and kept
//! out of the tree's own kustomization (applying the tree must not apply its delivery). One
//! file per tool: `argocd.rs` and `flux.rs`, each for one tree and for a fleet of environments.
//! What they set comes from the workspace's `[gitops]` ([`GitOpsSettings`]), whose defaults
//! are safe: no automated sync, no prune.

mod argocd;
mod flux;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::layout::OutputTree;
use crate::k8s::Object;
use crate::lower::network::is_knative_configmap;
pub use crate::resolve::gitops::GitOpsSettings;

/// Where the GitOps objects go; `_` keeps it apart from namespace directories.
pub const GITOPS_DIR: &str = "_gitops";

/// Which tool, where the rendered tree lives in Git, and the workspace's settings.
pub struct Delivery<'a> {
    pub tool: Tool,
    pub repo_url: String,
    pub revision: String,
    /// The rendered directory's path inside the repository.
    pub path: &'a str,
    pub settings: &'a GitOpsSettings,
}

/// One environment of a fleet delivered together: its name, its tree's path in the
/// repository, and its settings (each environment its cluster).
pub struct Environment<'a> {
    pub name: String,
    pub path: String,
    pub settings: &'a GitOpsSettings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    ArgoCd,
    Flux,
}

/// Annotates the rendered objects for the tool (Argo CD sync waves) and returns the GitOps
/// objects as `(relative path, object body)`.
pub fn delivery(
    objects: &mut [Object],
    delivery: &Delivery<'_>,
) -> anyhow::Result<Vec<(String, Value)>> {
    match delivery.tool {
        Tool::ArgoCd => argocd::applications(objects, delivery),
        Tool::Flux => flux::kustomizations(objects, delivery),
    }
}

/// Annotates every environment's objects and returns the objects that deliver them all, for
/// `_gitops/` beside the environments' trees: an Argo CD ApplicationSet over the environments,
/// or per cluster a Flux GitRepository and a Kustomization per environment.
pub fn fleet_delivery(
    tool: Tool,
    repo_url: &str,
    revision: &str,
    envs: &mut [(Environment<'_>, &mut [Object])],
) -> anyhow::Result<Vec<(String, Value)>> {
    for (_, objects) in envs.iter_mut() {
        annotate_for(tool, objects);
    }
    let envs: Vec<&Environment<'_>> = envs.iter().map(|(e, _)| e).collect();
    match tool {
        Tool::ArgoCd => argocd::application_set(repo_url, revision, &envs),
        Tool::Flux => flux::per_cluster(repo_url, revision, &envs),
    }
}

/// What each tool needs on the rendered objects: Argo CD sync waves and, for both, Knative's
/// ConfigMaps never pruned (Knative owns them; inferstack sets some keys).
fn annotate_for(tool: Tool, objects: &mut [Object]) {
    match tool {
        Tool::ArgoCd => argocd::annotate_objects(objects),
        Tool::Flux => flux::annotate_objects(objects),
    }
}

/// Adds the GitOps objects to a tree, outside its kustomizations.
pub fn add_to_tree(tree: &mut OutputTree, gitops: &[(String, Value)]) -> anyhow::Result<()> {
    for (path, body) in gitops {
        tree.insert(path.clone(), super::to_yaml(body)?.into_bytes());
    }
    Ok(())
}

fn metadata(
    name: &str,
    namespace: &str,
    annotations: Option<BTreeMap<String, String>>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(namespace.to_owned()),
        annotations,
        labels: Some(BTreeMap::from([(
            crate::k8s::meta::MANAGED_BY.0.to_owned(),
            crate::k8s::meta::MANAGED_BY.1.to_owned(),
        )])),
        ..ObjectMeta::default()
    }
}

/// Earlier waves sync first: configuration, then the Gateway and storage, then workloads.
fn wave(object: &Object) -> Option<&'static str> {
    match (object.id.group(), object.id.kind.as_str()) {
        ("", "ConfigMap") if is_knative_configmap(object) => Some("-2"),
        ("gateway.networking.k8s.io", "Gateway")
        | ("", "PersistentVolume" | "PersistentVolumeClaim") => Some("-1"),
        _ => None,
    }
}

fn annotate(object: &mut Object, key: &str, value: &str) {
    if let Some(metadata) = object
        .body
        .get_mut("metadata")
        .and_then(Value::as_object_mut)
    {
        let annotations = metadata
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations.insert(key.to_owned(), Value::from(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::flux::reference;

    #[test]
    fn revisions_map_to_flux_references() {
        assert_eq!(reference("main").branch.as_deref(), Some("main"));
        assert_eq!(reference("v1.2.0").tag.as_deref(), Some("v1.2.0"));
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(reference(sha).commit.as_deref(), Some(sha));
        assert_eq!(
            reference("vendor-branch").branch.as_deref(),
            Some("vendor-branch")
        );
    }
}
