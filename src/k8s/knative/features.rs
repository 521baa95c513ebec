//! Knative's feature flags (ConfigMap `knative-serving/config-features`), as Knative Serving
//! 1.23 reads them: `pkg/apis/config/features.go` of knative/serving at `knative-v1.23.0`
//! (`defaultFeaturesConfig`, `NewFeaturesConfigFromMap`, `asFlag`).
//!
//! A value is matched case-insensitively; a value Knative does not know leaves the default in
//! place (Knative ignores it silently, [`Features::read`] reports it).

use serde_json::{Map, Value};

/// The state of one flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Enabled,
    Disabled,
    /// Neither on nor off: fields behind it pass the field masks.
    Allowed,
    /// `secure-pod-defaults` only: secure defaults without requiring non-root.
    AllowRootBounded,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Enabled => "Enabled",
            Flag::Disabled => "Disabled",
            Flag::Allowed => "Allowed",
            Flag::AllowRootBounded => "AllowRootBounded",
        }
    }
}

/// Every flag the webhook's validation reads, with its `config-features` key and 1.23 default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    MultiContainer,
    MultiContainerProbing,
    Affinity,
    TopologySpreadConstraints,
    HostAliases,
    FieldRef,
    NodeSelector,
    RuntimeClassName,
    SecurityContext,
    ShareProcessNamespace,
    HostIpc,
    HostPid,
    HostNetwork,
    PriorityClassName,
    SchedulerName,
    AddCapabilities,
    Tolerations,
    EmptyDir,
    HostPath,
    MountPropagation,
    Csi,
    Ephemeral,
    ImageVolumes,
    PersistentVolumeClaim,
    PersistentVolumeWrite,
    InitContainers,
    DnsPolicy,
    DnsConfig,
    SecurePodDefaults,
}

impl Feature {
    pub const ALL: [Feature; 29] = [
        Feature::MultiContainer,
        Feature::MultiContainerProbing,
        Feature::Affinity,
        Feature::TopologySpreadConstraints,
        Feature::HostAliases,
        Feature::FieldRef,
        Feature::NodeSelector,
        Feature::RuntimeClassName,
        Feature::SecurityContext,
        Feature::ShareProcessNamespace,
        Feature::HostIpc,
        Feature::HostPid,
        Feature::HostNetwork,
        Feature::PriorityClassName,
        Feature::SchedulerName,
        Feature::AddCapabilities,
        Feature::Tolerations,
        Feature::EmptyDir,
        Feature::HostPath,
        Feature::MountPropagation,
        Feature::Csi,
        Feature::Ephemeral,
        Feature::ImageVolumes,
        Feature::PersistentVolumeClaim,
        Feature::PersistentVolumeWrite,
        Feature::InitContainers,
        Feature::DnsPolicy,
        Feature::DnsConfig,
        Feature::SecurePodDefaults,
    ];

    /// The key in `config-features`.
    pub fn key(self) -> &'static str {
        match self {
            Feature::MultiContainer => "multi-container",
            Feature::MultiContainerProbing => "multi-container-probing",
            Feature::Affinity => "kubernetes.podspec-affinity",
            Feature::TopologySpreadConstraints => "kubernetes.podspec-topologyspreadconstraints",
            Feature::HostAliases => "kubernetes.podspec-hostaliases",
            Feature::FieldRef => "kubernetes.podspec-fieldref",
            Feature::NodeSelector => "kubernetes.podspec-nodeselector",
            Feature::RuntimeClassName => "kubernetes.podspec-runtimeclassname",
            Feature::SecurityContext => "kubernetes.podspec-securitycontext",
            Feature::ShareProcessNamespace => "kubernetes.podspec-shareprocessnamespace",
            Feature::HostIpc => "kubernetes.podspec-hostipc",
            Feature::HostPid => "kubernetes.podspec-hostpid",
            Feature::HostNetwork => "kubernetes.podspec-hostnetwork",
            Feature::PriorityClassName => "kubernetes.podspec-priorityclassname",
            Feature::SchedulerName => "kubernetes.podspec-schedulername",
            Feature::AddCapabilities => "kubernetes.containerspec-addcapabilities",
            Feature::Tolerations => "kubernetes.podspec-tolerations",
            Feature::EmptyDir => "kubernetes.podspec-volumes-emptydir",
            Feature::HostPath => "kubernetes.podspec-volumes-hostpath",
            Feature::MountPropagation => "kubernetes.podspec-volumes-mount-propagation",
            Feature::Csi => "kubernetes.podspec-volumes-csi",
            Feature::Ephemeral => "kubernetes.podspec-volumes-ephemeral",
            Feature::ImageVolumes => "kubernetes.podspec-volumes-image",
            Feature::PersistentVolumeClaim => "kubernetes.podspec-persistent-volume-claim",
            Feature::PersistentVolumeWrite => "kubernetes.podspec-persistent-volume-write",
            Feature::InitContainers => "kubernetes.podspec-init-containers",
            Feature::DnsPolicy => "kubernetes.podspec-dnspolicy",
            Feature::DnsConfig => "kubernetes.podspec-dnsconfig",
            Feature::SecurePodDefaults => "secure-pod-defaults",
        }
    }

    /// Knative 1.23's default (`defaultFeaturesConfig`).
    pub fn default_flag(self) -> Flag {
        match self {
            Feature::MultiContainer | Feature::EmptyDir => Flag::Enabled,
            _ => Flag::Disabled,
        }
    }

    fn accepts(self, flag: Flag) -> bool {
        match self {
            Feature::SecurePodDefaults => flag != Flag::Allowed,
            _ => flag != Flag::AllowRootBounded,
        }
    }
}

/// Where a flag's value came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// The name of the ConfigMap's file (or `<stdin>`, or a stack's compiled output).
    Set(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("Knative 1.23's default"),
            Origin::Set(file) => write!(f, "set in {file}"),
        }
    }
}

/// The flags in force for a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    flags: [(Flag, Origin); Feature::ALL.len()],
}

impl Default for Features {
    fn default() -> Features {
        Features {
            flags: Feature::ALL.map(|f| (f.default_flag(), Origin::Default)),
        }
    }
}

/// A `config-features`, `config-defaults` or `config-autoscaler` value Knative would ignore or
/// refuse.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigProblem {
    /// The data key.
    pub key: String,
    pub message: String,
    /// Knative refuses the whole ConfigMap (an error), rather than ignoring the value (a warning).
    pub refused: bool,
}

impl ConfigProblem {
    /// A value for which Knative refuses the whole ConfigMap `configmap`.
    pub fn refused(configmap: &str, key: &str, why: String) -> ConfigProblem {
        ConfigProblem {
            key: key.to_owned(),
            message: format!("Knative refuses this {configmap}: {why}"),
            refused: true,
        }
    }
}

impl Features {
    pub fn get(&self, feature: Feature) -> Flag {
        self.flags[feature as usize].0
    }

    pub fn origin(&self, feature: Feature) -> &Origin {
        &self.flags[feature as usize].1
    }

    /// Is the flag `Enabled` (what volumes and init containers need)?
    pub fn enabled(&self, feature: Feature) -> bool {
        self.get(feature) == Flag::Enabled
    }

    /// Do fields behind the flag pass the field masks (anything but `Disabled`)?
    pub fn allows(&self, feature: Feature) -> bool {
        self.get(feature) != Flag::Disabled
    }

    /// Applies one ConfigMap's `data` on top of these flags; `origin` names the file.
    pub fn read(&mut self, data: &Map<String, Value>, origin: &str) -> Vec<ConfigProblem> {
        let mut problems = Vec::new();
        for feature in Feature::ALL {
            let Some(raw) = data.get(feature.key()).and_then(Value::as_str) else {
                continue;
            };
            let parsed = [
                Flag::Enabled,
                Flag::Allowed,
                Flag::Disabled,
                Flag::AllowRootBounded,
            ]
            .into_iter()
            .find(|f| feature.accepts(*f) && raw.eq_ignore_ascii_case(f.as_str()));
            match parsed {
                Some(flag) => self.flags[feature as usize] = (flag, Origin::Set(origin.to_owned())),
                None => problems.push(ConfigProblem {
                    key: feature.key().to_owned(),
                    message: format!(
                        "`{raw}` is not a value of {}: Knative ignores it and keeps {}; use {}",
                        feature.key(),
                        self.get(feature).as_str(),
                        accepted(feature)
                    ),
                    refused: false,
                }),
            }
        }
        problems
    }

    /// "the feature flag kubernetes.podspec-nodeselector is Disabled (Knative 1.23's default)".
    pub fn describe(&self, feature: Feature) -> String {
        format!(
            "the feature flag {} is {} ({})",
            feature.key(),
            self.get(feature).as_str(),
            self.origin(feature)
        )
    }

    /// The flag's state and how to turn it on: the fix every refusal behind a flag ends with.
    pub fn enable_hint(&self, feature: Feature) -> String {
        format!(
            "{}; set `{}: enabled` in ConfigMap knative-serving/config-features (among the \
             manifests, or the cluster's with --knative-config)",
            self.describe(feature),
            feature.key()
        )
    }
}

fn accepted(feature: Feature) -> &'static str {
    if feature == Feature::SecurePodDefaults {
        "Enabled, AllowRootBounded or Disabled"
    } else {
        "Enabled, Allowed or Disabled"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_knatives() {
        let features = Features::default();
        assert!(features.enabled(Feature::MultiContainer));
        assert!(features.enabled(Feature::EmptyDir));
        assert!(!features.allows(Feature::PersistentVolumeClaim));
        assert!(!features.allows(Feature::NodeSelector));
        assert_eq!(features.origin(Feature::Csi), &Origin::Default);
    }

    #[test]
    fn values_are_case_insensitive_and_unknown_ones_keep_the_default() {
        let mut features = Features::default();
        let data = json!({
            "kubernetes.podspec-persistent-volume-claim": "enabled",
            "kubernetes.podspec-nodeselector": "ALLOWED",
            "kubernetes.podspec-tolerations": "yes",
            "secure-pod-defaults": "AllowRootBounded",
        });
        let problems = features.read(data.as_object().unwrap(), "cm.yaml");
        assert!(features.enabled(Feature::PersistentVolumeClaim));
        assert_eq!(features.get(Feature::NodeSelector), Flag::Allowed);
        assert!(features.allows(Feature::NodeSelector));
        assert_eq!(features.get(Feature::Tolerations), Flag::Disabled);
        assert_eq!(
            features.get(Feature::SecurePodDefaults),
            Flag::AllowRootBounded
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "kubernetes.podspec-tolerations");
        assert!(
            features
                .describe(Feature::NodeSelector)
                .contains("set in cm.yaml")
        );
    }
}
