//! Argo CD and Flux types, only the fields `build --gitops` sets.

use serde::Serialize;

use super::Resource;

/// Argo CD `argoproj.io/v1alpha1` Application.
pub type Application = Resource<ApplicationSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub project: &'static str,
    pub source: ApplicationSource,
    pub destination: Destination,
    pub sync_policy: SyncPolicy,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSource {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    pub target_revision: String,
    pub path: String,
    pub directory: DirectorySource,
}

#[derive(Clone, Debug, Serialize)]
pub struct DirectorySource {
    pub recurse: bool,
    /// A glob of the files this application owns, relative to `path`.
    pub include: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Destination {
    pub server: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    pub automated: Automated,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Automated {
    pub prune: bool,
    pub self_heal: bool,
}

/// Flux `source.toolkit.fluxcd.io/v1` GitRepository.
pub type GitRepository = Resource<GitRepositorySpec>;

#[derive(Clone, Debug, Serialize)]
pub struct GitRepositorySpec {
    pub interval: &'static str,
    pub url: String,
    #[serde(rename = "ref")]
    pub reference: GitReference,
}

/// One of branch, tag or commit.
#[derive(Clone, Debug, Default, Serialize)]
pub struct GitReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Flux `kustomize.toolkit.fluxcd.io/v1` Kustomization.
pub type FluxKustomization = Resource<FluxKustomizationSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FluxKustomizationSpec {
    pub interval: &'static str,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    pub source_ref: SourceRef,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<DependsOn>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceRef {
    pub kind: &'static str,
    pub name: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct DependsOn {
    pub name: String,
}
