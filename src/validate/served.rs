//! `--cluster`'s first question about an object: does the cluster serve its apiVersion and
//! kind at all? The API server refuses one it does not ("no matches for kind X in version
//! Y"), whatever the schema says, so this is checked before the schema is.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::Snapshot;
use crate::cluster::pull::served_versions;
use crate::diag::{Code, Severity};

use super::finding::Finding;

/// What one cluster serves: its built-in group-versions and its CRDs' served versions.
#[derive(Debug, Clone, Default)]
pub struct Served {
    /// `context NAME (SERVER), Kubernetes vX.Y.Z`, for messages.
    pub cluster: String,
    /// Built-in `apiVersion`s (`v1`, `apps/v1`).
    pub built_in: BTreeSet<String>,
    /// `(group, kind)` -> the versions its CRD serves.
    pub crds: BTreeMap<(String, String), Vec<String>>,
}

impl Served {
    pub fn of(snapshot: &Snapshot, context: &str, server: &str) -> Served {
        Served {
            cluster: format!(
                "the cluster of context {context} ({server}, Kubernetes {})",
                snapshot.git_version()
            ),
            built_in: snapshot.built_in.clone(),
            crds: snapshot.served(),
        }
    }

    /// Adds the served versions of `crd`, a CustomResourceDefinition the same inputs install:
    /// a chart that ships its CRDs beside their objects is applied whole, so the cluster will
    /// serve those kinds by the time the objects reach it.
    pub fn install(&mut self, crd: &serde_json::Value) {
        let Some((key, versions)) = served_versions(crd) else {
            return;
        };
        let served = self.crds.entry(key).or_default();
        for version in versions {
            if !served.contains(&version) {
                served.push(version);
            }
        }
    }

    /// A finding if the cluster does not serve `api_version` `kind`.
    pub fn check(&self, api_version: &str, kind: &str) -> Option<Finding> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let finding = |message: String| Finding {
            code: Code::UnservedApiVersion,
            severity: Severity::Error,
            pointer: "/apiVersion".to_owned(),
            message,
        };
        if let Some(versions) = self.crds.get(&(group.to_owned(), kind.to_owned())) {
            if versions.iter().any(|v| v == version) {
                return None;
            }
            return Some(finding(format!(
                "{} does not serve {api_version} {kind}: its CustomResourceDefinition of {kind} \
                 serves {} (install the CRD release with {version}, or emit a version it serves)",
                self.cluster,
                listed(versions)
            )));
        }
        let crd_kinds: Vec<&str> = self
            .crds
            .keys()
            .filter(|(g, _)| g == group)
            .map(|(_, k)| k.as_str())
            .collect();
        if !crd_kinds.is_empty() {
            return Some(finding(format!(
                "{} has no {kind} in {group}: its CustomResourceDefinitions of {group} define {}",
                self.cluster,
                crd_kinds.join(", ")
            )));
        }
        if self.built_in.contains(api_version) {
            return None;
        }
        let group_versions: Vec<&str> = self
            .built_in
            .iter()
            .filter(|gv| gv.rsplit_once('/').map_or("", |(g, _)| g) == group)
            .map(|gv| gv.rsplit_once('/').map_or(gv.as_str(), |(_, v)| v))
            .collect();
        Some(finding(if group_versions.is_empty() {
            format!(
                "{} does not serve {api_version}: no CustomResourceDefinition defines {kind} \
                 (install its CRDs before this object)",
                self.cluster
            )
        } else {
            format!(
                "{} does not serve {api_version}: its Kubernetes serves {} of {}",
                self.cluster,
                listed(&group_versions),
                if group.is_empty() {
                    "the core group"
                } else {
                    group
                },
            )
        }))
    }
}

fn listed<S: AsRef<str>>(versions: &[S]) -> String {
    let names: Vec<&str> = versions.iter().map(AsRef::as_ref).collect();
    match names.as_slice() {
        [] => "no version".to_owned(),
        [one] => format!("{one} only"),
        many => many.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served() -> Served {
        Served {
            cluster: "the cluster".to_owned(),
            built_in: ["v1", "apps/v1", "autoscaling/v1", "autoscaling/v2"]
                .map(str::to_owned)
                .into(),
            crds: [(
                (
                    "inference.networking.x-k8s.io".to_owned(),
                    "InferencePool".to_owned(),
                ),
                vec!["v1alpha2".to_owned()],
            )]
            .into(),
        }
    }

    #[test]
    fn what_is_served_passes() {
        let served = served();
        assert_eq!(served.check("apps/v1", "Deployment"), None);
        assert_eq!(
            served.check("inference.networking.x-k8s.io/v1alpha2", "InferencePool"),
            None
        );
    }

    #[test]
    fn an_unserved_crd_version_names_the_served_ones() {
        let finding = served()
            .check("inference.networking.x-k8s.io/v1", "InferencePool")
            .unwrap();
        assert_eq!(finding.pointer, "/apiVersion");
        assert_eq!(
            finding.message,
            "the cluster does not serve inference.networking.x-k8s.io/v1 InferencePool: its \
             CustomResourceDefinition of InferencePool serves v1alpha2 only (install the CRD \
             release with v1, or emit a version it serves)"
        );
    }

    #[test]
    fn a_crd_among_the_inputs_will_be_served() {
        let mut served = served();
        assert!(served.check("example.com/v1", "Widget").is_some());
        served.install(
            &serde_json::json!({"spec": {"group": "example.com", "names": {"kind": "Widget"},
            "versions": [{"name": "v1", "served": true}, {"name": "v0", "served": false}]}}),
        );
        assert_eq!(served.check("example.com/v1", "Widget"), None);
        assert!(served.check("example.com/v0", "Widget").is_some());
    }

    #[test]
    fn a_kind_of_no_crd_and_an_old_built_in_version_are_named() {
        let served = served();
        let missing = served.check("serving.knative.dev/v1", "Service").unwrap();
        assert!(
            missing
                .message
                .contains("no CustomResourceDefinition defines Service"),
            "{}",
            missing.message
        );
        let other_kind = served
            .check("inference.networking.x-k8s.io/v1alpha2", "InferenceModel")
            .unwrap();
        assert!(
            other_kind.message.contains("define InferencePool"),
            "{}",
            other_kind.message
        );
        let removed = served
            .check("autoscaling/v2beta2", "HorizontalPodAutoscaler")
            .unwrap();
        assert!(
            removed.message.ends_with("serves v1, v2 of autoscaling"),
            "{}",
            removed.message
        );
    }
}
