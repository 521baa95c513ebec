//! Argo CD and Flux types, only the fields `build --gitops` sets.

use serde::Serialize;

use super::Resource;

/// Argo CD `argoproj.io/v1alpha1` Application.
pub type Application = Resource<ApplicationSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSpec {
    pub project: String,
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
    /// The files to sync; none: Argo CD renders the path's `kustomization.yaml`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectorySource>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DirectorySource {
    pub recurse: bool,
    /// A glob of the files this application owns, relative to `path`.
    pub include: String,
}

/// A cluster by its Argo CD name, or by its API server; never both (Argo CD refuses that).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Destination {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub automated: Option<Automated>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sync_options: Vec<String>,
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
#[serde(rename_all = "camelCase")]
pub struct GitRepositorySpec {
    pub interval: &'static str,
    pub url: String,
    #[serde(rename = "ref")]
    pub reference: GitReference,
    /// The Secret with the repository's credentials, for a private repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LocalObjectReference {
    pub name: String,
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
    pub interval: String,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
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

/// Argo CD `argoproj.io/v1alpha1` ApplicationSet: one Application per environment of a fleet.
pub type ApplicationSet = Resource<ApplicationSetSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSetSpec {
    pub go_template: bool,
    pub go_template_options: Vec<&'static str>,
    pub generators: Vec<Generator>,
    pub template: ApplicationTemplate,
    /// Per-environment destination and sync policy, which a template's typed fields cannot
    /// vary: one guarded block of typed YAML per environment.
    pub template_patch: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Generator {
    pub list: ListGenerator,
}

#[derive(Clone, Debug, Serialize)]
pub struct ListGenerator {
    pub elements: Vec<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApplicationTemplate {
    pub metadata: TemplateMeta,
    pub spec: ApplicationSpec,
}

#[derive(Clone, Debug, Serialize)]
pub struct TemplateMeta {
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
}
