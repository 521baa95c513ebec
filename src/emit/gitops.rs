//! `build --gitops`: the objects that deliver a rendered tree, written under `_gitops/` and kept
//! out of the tree's own kustomization (applying the tree must not apply its delivery).
//!
//! - Argo CD: an Application per stack for the objects it owns, and one for the objects
//!   stacks share (Gateway, config-network, storage). Sync waves order the shared objects
//!   first, and config-network is server-side applied (only `ingress.class` is owned) and
//!   never pruned.
//! - Flux: a GitRepository and a Kustomization per output directory (Flux selects directories,
//!   not files); namespaces depend on the directories of the shared objects.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::layout::{self, CLUSTER_DIR, OutputTree};
use crate::k8s::gitops::{
    Application, ApplicationSource, ApplicationSpec, Automated, DependsOn, Destination,
    DirectorySource, FluxKustomization, FluxKustomizationSpec, GitReference, GitRepository,
    GitRepositorySpec, SourceRef, SyncPolicy,
};
use crate::k8s::{Object, Sharing};
use crate::lower::network::is_knative_configmap;
use crate::source::FileId;

/// Where the GitOps objects go; `_` keeps it apart from namespace directories.
pub const GITOPS_DIR: &str = "_gitops";
const ARGOCD_NAMESPACE: &str = "argocd";
const FLUX_NAMESPACE: &str = "flux-system";
const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";
const SOURCE_NAME: &str = "inferstack";

/// Which tool, and where the rendered tree lives in Git.
pub struct Delivery<'a> {
    pub tool: Tool,
    pub repo_url: &'a str,
    pub revision: &'a str,
    /// The rendered directory's path inside the repository.
    pub path: &'a str,
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
        Tool::ArgoCd => argocd(objects, delivery),
        Tool::Flux => flux(objects, delivery),
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
            crate::lower::MANAGED_BY.0.to_owned(),
            crate::lower::MANAGED_BY.1.to_owned(),
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

fn argocd(objects: &mut [Object], delivery: &Delivery<'_>) -> anyhow::Result<Vec<(String, Value)>> {
    for object in objects.iter_mut() {
        if let Some(wave) = wave(object) {
            annotate(object, SYNC_WAVE, wave);
        }
        // Knative owns its ConfigMaps: server-side apply claims only the keys we set, and
        // removing them from Git must never delete Knative's configuration.
        if is_knative_configmap(object) {
            annotate(object, SYNC_OPTIONS, "Prune=false,ServerSideApply=true");
        }
    }
    // The application of each stack is named after its Knative Service.
    let stack_names: BTreeMap<FileId, String> = objects
        .iter()
        .filter(|o| o.id.group() == "serving.knative.dev" && o.id.kind == "Service")
        .map(|o| {
            (
                o.origin.file,
                format!(
                    "{}-{}",
                    o.id.namespace.as_deref().unwrap_or_default(),
                    o.id.name
                ),
            )
        })
        .collect();
    let mut members: BTreeMap<(String, &'static str), BTreeSet<String>> = BTreeMap::new();
    for object in objects.iter() {
        let path = format!(
            "{}/{}",
            layout::directory(object),
            layout::file_name(object)
        );
        let key = match (object.sharing, stack_names.get(&object.origin.file)) {
            (Sharing::Owned, Some(name)) => (name.clone(), "0"),
            _ => ("inferstack-shared".to_owned(), "-1"),
        };
        members.entry(key).or_default().insert(path);
    }
    let mut out = Vec::new();
    for ((name, app_wave), files) in members {
        let include = format!("{{{}}}", files.into_iter().collect::<Vec<_>>().join(","));
        let application = Application {
            api_version: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: metadata(
                &name,
                ARGOCD_NAMESPACE,
                Some(BTreeMap::from([(
                    SYNC_WAVE.to_owned(),
                    app_wave.to_owned(),
                )])),
            ),
            spec: ApplicationSpec {
                project: "default",
                source: ApplicationSource {
                    repo_url: delivery.repo_url.to_owned(),
                    target_revision: delivery.revision.to_owned(),
                    path: delivery.path.to_owned(),
                    directory: DirectorySource {
                        recurse: true,
                        include,
                    },
                },
                destination: Destination {
                    server: "https://kubernetes.default.svc",
                },
                sync_policy: SyncPolicy {
                    automated: Automated {
                        prune: true,
                        self_heal: true,
                    },
                },
            },
        };
        out.push((
            format!("{GITOPS_DIR}/argocd/application-{name}.yaml"),
            serde_json::to_value(application)?,
        ));
    }
    Ok(out)
}

/// A full 40-hex SHA is a commit; anything else is a branch unless it looks like a version tag.
fn reference(revision: &str) -> GitReference {
    if revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit()) {
        GitReference {
            commit: Some(revision.to_owned()),
            ..GitReference::default()
        }
    } else if revision.starts_with('v') && revision[1..].starts_with(|c: char| c.is_ascii_digit()) {
        GitReference {
            tag: Some(revision.to_owned()),
            ..GitReference::default()
        }
    } else {
        GitReference {
            branch: Some(revision.to_owned()),
            ..GitReference::default()
        }
    }
}

fn flux(objects: &mut [Object], delivery: &Delivery<'_>) -> anyhow::Result<Vec<(String, Value)>> {
    // Flux applies server-side already; Knative's ConfigMaps must never be pruned.
    for object in objects.iter_mut().filter(|o| is_knative_configmap(o)) {
        annotate(object, "kustomize.toolkit.fluxcd.io/prune", "disabled");
    }
    let repository = GitRepository {
        api_version: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: metadata(SOURCE_NAME, FLUX_NAMESPACE, None),
        spec: GitRepositorySpec {
            interval: "5m",
            url: delivery.repo_url.to_owned(),
            reference: reference(delivery.revision),
        },
    };
    let mut out = vec![(
        format!("{GITOPS_DIR}/flux/gitrepository-{SOURCE_NAME}.yaml"),
        serde_json::to_value(repository)?,
    )];
    // Directories that hold shared infrastructure come first; every other directory waits.
    let directories: BTreeSet<&str> = objects.iter().map(layout::directory).collect();
    let infrastructure: BTreeSet<&str> = objects
        .iter()
        .filter(|o| o.sharing == Sharing::Shared && o.id.kind != "PersistentVolumeClaim")
        .map(layout::directory)
        .collect();
    let name_of = |dir: &str| {
        format!(
            "inferstack-{}",
            if dir == CLUSTER_DIR { "cluster" } else { dir }
        )
    };
    for dir in &directories {
        let depends_on = if infrastructure.contains(dir) {
            Vec::new()
        } else {
            infrastructure
                .iter()
                .map(|d| DependsOn { name: name_of(d) })
                .collect()
        };
        let kustomization = FluxKustomization {
            api_version: "kustomize.toolkit.fluxcd.io/v1",
            kind: "Kustomization",
            metadata: metadata(&name_of(dir), FLUX_NAMESPACE, None),
            spec: FluxKustomizationSpec {
                interval: "10m",
                path: format!(
                    "./{}/{dir}",
                    delivery.path.trim_start_matches("./").trim_end_matches('/')
                ),
                prune: true,
                wait: true,
                source_ref: SourceRef {
                    kind: "GitRepository",
                    name: SOURCE_NAME,
                },
                depends_on,
            },
        };
        out.push((
            format!("{GITOPS_DIR}/flux/kustomization-{}.yaml", name_of(dir)),
            serde_json::to_value(kustomization)?,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
