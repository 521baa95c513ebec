//! Flux: per tree, a GitRepository and a Kustomization per output directory (Flux selects
//! directories, not files), namespaces depending on the directories of the shared objects; for
//! a fleet, per cluster path `clusters/<cluster>/`, a GitRepository and one Kustomization per
//! environment deployed there.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{Delivery, Environment, GITOPS_DIR, annotate, metadata};
use crate::emit::layout::{self, CLUSTER_DIR};
use crate::k8s::gitops::{
    DependsOn, FluxKustomization, FluxKustomizationSpec, GitReference, GitRepository,
    GitRepositorySpec, LocalObjectReference, SourceRef,
};
use crate::k8s::{Object, Sharing};
use crate::lower::network::is_knative_configmap;
use crate::resolve::gitops::GitOpsSettings;

const FLUX_NAMESPACE: &str = "flux-system";
const SOURCE_NAME: &str = "inferstack";

pub(super) fn annotate_objects(objects: &mut [Object]) {
    // Flux applies server-side already; Knative's ConfigMaps must never be pruned.
    for object in objects.iter_mut().filter(|o| is_knative_configmap(o)) {
        annotate(object, "kustomize.toolkit.fluxcd.io/prune", "disabled");
    }
}

/// A full 40-hex SHA is a commit; anything else is a branch unless it looks like a version tag.
pub(super) fn reference(revision: &str) -> GitReference {
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

fn repository(repo_url: &str, revision: &str, settings: &GitOpsSettings) -> GitRepository {
    GitRepository {
        api_version: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: metadata(SOURCE_NAME, FLUX_NAMESPACE, None),
        spec: GitRepositorySpec {
            interval: "5m",
            url: repo_url.to_owned(),
            reference: reference(revision),
            secret_ref: settings
                .secret_ref
                .as_ref()
                .map(|name| LocalObjectReference { name: name.clone() }),
        },
    }
}

/// A Kustomization of `path` with the settings' interval, timeout and prune.
fn kustomization(
    name: String,
    path: String,
    settings: &GitOpsSettings,
    depends_on: Vec<DependsOn>,
) -> FluxKustomization {
    FluxKustomization {
        api_version: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: metadata(&name, FLUX_NAMESPACE, None),
        spec: FluxKustomizationSpec {
            interval: settings.interval.clone(),
            path,
            prune: settings.prune,
            wait: true,
            timeout: settings.timeout.clone(),
            source_ref: SourceRef {
                kind: "GitRepository",
                name: SOURCE_NAME,
            },
            depends_on,
        },
    }
}

/// `./PATH`, as Flux writes paths relative to the repository root.
fn repository_path(path: &str) -> String {
    format!("./{}", path.trim_start_matches("./").trim_end_matches('/'))
}

pub(super) fn kustomizations(
    objects: &mut [Object],
    delivery: &Delivery<'_>,
) -> anyhow::Result<Vec<(String, Value)>> {
    annotate_objects(objects);
    let repository = repository(&delivery.repo_url, &delivery.revision, delivery.settings);
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
        let kustomization = kustomization(
            name_of(dir),
            format!("{}/{dir}", repository_path(delivery.path)),
            delivery.settings,
            depends_on,
        );
        out.push((
            format!("{GITOPS_DIR}/flux/kustomization-{}.yaml", name_of(dir)),
            serde_json::to_value(kustomization)?,
        ));
    }
    Ok(out)
}

/// Per cluster (`gitops.cluster`, or `in-cluster`), under `clusters/<cluster>/` as Flux lays out
/// a fleet: the GitRepository and one Kustomization per environment deployed there.
pub(super) fn per_cluster(
    repo_url: &str,
    revision: &str,
    envs: &[&Environment<'_>],
) -> anyhow::Result<Vec<(String, Value)>> {
    let mut clusters: BTreeMap<&str, Vec<&Environment<'_>>> = BTreeMap::new();
    for env in envs {
        let cluster = env.settings.cluster.as_deref().unwrap_or("in-cluster");
        clusters.entry(cluster).or_default().push(env);
    }
    let mut out = Vec::new();
    for (cluster, envs) in clusters {
        let dir = format!("flux/clusters/{cluster}");
        out.push((
            format!("{dir}/gitrepository-{SOURCE_NAME}.yaml"),
            serde_json::to_value(repository(repo_url, revision, envs[0].settings))?,
        ));
        for env in envs {
            let name = format!("inferstack-{}", env.name);
            let kustomization = kustomization(
                name.clone(),
                repository_path(&env.path),
                env.settings,
                Vec::new(),
            );
            out.push((
                format!("{dir}/kustomization-{name}.yaml"),
                serde_json::to_value(kustomization)?,
            ));
        }
    }
    Ok(out)
}
