//! Knative's field masks: which Kubernetes fields a revision may set, and which feature flag
//! opens each gated one. After `pkg/apis/serving/fieldmask.go` of knative/serving at
//! `knative-v1.23.0`, one table per Go mask function.
//!
//! Knative compares an object with its masked copy (`apis.CheckDisallowedFields`), so a field
//! counts only when it is set: not null, and for plain (non-pointer) Go fields not the zero
//! value (`false`, `0`, `""`). The fields Kubernetes has are read from the embedded Pod schema
//! (generated from k8s-openapi); a field Kubernetes does not have is the schema's finding, not
//! a mask's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::Admission;
use super::features::Feature;
use crate::diag::Code;
use crate::validate::catalog::{self, Selection};

/// When a field may be set.
#[derive(Clone, Copy, Debug)]
pub enum Gate {
    Always,
    /// When the flag is not `Disabled`.
    Flag(Feature),
    /// Only with the value `false` (`automountServiceAccountToken`, `privileged`).
    FalseOnly,
}

/// One mask: the Kubernetes definition it applies to, what a user may set, and which fields are
/// Go pointers (set even when `false`, `0` or `""`); `hostIPC: false` is not set, but
/// `shareProcessNamespace: false` is.
pub struct Mask {
    pub definition: &'static str,
    /// How the object is named in messages: "a container", "the pod spec".
    pub what: &'static str,
    pub allowed: &'static [(&'static str, Gate)],
    pub pointers: &'static [&'static str],
}

use Gate::{Always, FalseOnly, Flag};

/// `PodSpecMask`. `securityContext` is checked by `PodSecurityContextMask` itself, and
/// `initContainers` need their flag `Enabled` (`validateInitContainers`), which `podspec` checks.
pub const POD_SPEC: Mask = Mask {
    definition: "PodSpec",
    what: "a revision's pod spec",
    allowed: &[
        ("serviceAccountName", Always),
        ("containers", Always),
        ("volumes", Always),
        ("imagePullSecrets", Always),
        ("enableServiceLinks", Always),
        ("automountServiceAccountToken", FalseOnly),
        ("securityContext", Always),
        ("affinity", Flag(Feature::Affinity)),
        (
            "topologySpreadConstraints",
            Flag(Feature::TopologySpreadConstraints),
        ),
        ("hostAliases", Flag(Feature::HostAliases)),
        ("nodeSelector", Flag(Feature::NodeSelector)),
        ("runtimeClassName", Flag(Feature::RuntimeClassName)),
        ("tolerations", Flag(Feature::Tolerations)),
        (
            "shareProcessNamespace",
            Flag(Feature::ShareProcessNamespace),
        ),
        ("priorityClassName", Flag(Feature::PriorityClassName)),
        ("schedulerName", Flag(Feature::SchedulerName)),
        ("initContainers", Always),
        ("dnsPolicy", Flag(Feature::DnsPolicy)),
        ("dnsConfig", Flag(Feature::DnsConfig)),
        ("hostIPC", Flag(Feature::HostIpc)),
        ("hostPID", Flag(Feature::HostPid)),
        ("hostNetwork", Flag(Feature::HostNetwork)),
    ],
    pointers: &[
        "runtimeClassName",
        "shareProcessNamespace",
        "terminationGracePeriodSeconds",
        "activeDeadlineSeconds",
        "priority",
        "preemptionPolicy",
        "setHostnameAsFQDN",
        "hostUsers",
        "os",
        "overhead",
    ],
};

/// `ContainerMask`.
pub const CONTAINER: Mask = Mask {
    definition: "Container",
    what: "a container",
    allowed: &[
        ("name", Always),
        ("args", Always),
        ("command", Always),
        ("env", Always),
        ("workingDir", Always),
        ("envFrom", Always),
        ("image", Always),
        ("imagePullPolicy", Always),
        ("livenessProbe", Always),
        ("ports", Always),
        ("readinessProbe", Always),
        ("resources", Always),
        ("securityContext", Always),
        ("startupProbe", Always),
        ("terminationMessagePath", Always),
        ("terminationMessagePolicy", Always),
        ("volumeMounts", Always),
    ],
    pointers: &["lifecycle", "restartPolicy"],
};

/// `VolumeMountMask`.
pub const VOLUME_MOUNT: Mask = Mask {
    definition: "VolumeMount",
    what: "a volume mount",
    allowed: &[
        ("name", Always),
        ("readOnly", Always),
        ("mountPath", Always),
        ("subPath", Always),
        ("mountPropagation", Flag(Feature::MountPropagation)),
    ],
    pointers: &["mountPropagation", "recursiveReadOnly"],
};

/// `VolumeMask` and `VolumeSourceMask` together (a Volume inlines its source). The gated
/// sources need their flag `Enabled`, not just not `Disabled` (`validateVolume`), so `volumes`
/// checks them.
pub const VOLUME: Mask = Mask {
    definition: "Volume",
    what: "a volume",
    allowed: &[
        ("name", Always),
        ("secret", Always),
        ("configMap", Always),
        ("projected", Always),
        ("emptyDir", Always),
        ("persistentVolumeClaim", Always),
        ("hostPath", Always),
        ("csi", Always),
        ("ephemeral", Always),
        ("image", Always),
    ],
    pointers: &[],
};

/// `VolumeProjectionMask`.
pub const VOLUME_PROJECTION: Mask = Mask {
    definition: "VolumeProjection",
    what: "a projected volume source",
    allowed: &[
        ("secret", Always),
        ("configMap", Always),
        ("serviceAccountToken", Always),
        ("downwardAPI", Always),
    ],
    pointers: &[],
};

/// `ProbeMask`.
pub const PROBE: Mask = Mask {
    definition: "Probe",
    what: "a probe",
    allowed: &[
        ("exec", Always),
        ("httpGet", Always),
        ("tcpSocket", Always),
        ("grpc", Always),
        ("initialDelaySeconds", Always),
        ("timeoutSeconds", Always),
        ("periodSeconds", Always),
        ("successThreshold", Always),
        ("failureThreshold", Always),
        ("terminationGracePeriodSeconds", Always),
    ],
    pointers: &[],
};

/// `ContainerPortMask`.
pub const CONTAINER_PORT: Mask = Mask {
    definition: "ContainerPort",
    what: "a container port",
    allowed: &[
        ("containerPort", Always),
        ("name", Always),
        ("protocol", Always),
    ],
    pointers: &[],
};

/// `EnvVarMask`.
pub const ENV_VAR: Mask = Mask {
    definition: "EnvVar",
    what: "an environment variable",
    allowed: &[("name", Always), ("value", Always), ("valueFrom", Always)],
    pointers: &[],
};

/// `EnvVarSourceMask`: field references only behind `kubernetes.podspec-fieldref`.
pub const ENV_VAR_SOURCE: Mask = Mask {
    definition: "EnvVarSource",
    what: "an environment variable source",
    allowed: &[
        ("configMapKeyRef", Always),
        ("secretKeyRef", Always),
        ("fieldRef", Flag(Feature::FieldRef)),
        ("resourceFieldRef", Flag(Feature::FieldRef)),
    ],
    pointers: &[],
};

/// `EnvFromSourceMask`.
pub const ENV_FROM_SOURCE: Mask = Mask {
    definition: "EnvFromSource",
    what: "an envFrom source",
    allowed: &[
        ("prefix", Always),
        ("configMapRef", Always),
        ("secretRef", Always),
    ],
    pointers: &[],
};

/// `ResourceRequirementsMask`.
pub const RESOURCES: Mask = Mask {
    definition: "ResourceRequirements",
    what: "container resources",
    allowed: &[("limits", Always), ("requests", Always)],
    pointers: &[],
};

/// `SecurityContextMask`; `capabilities.add` is checked by `CapabilitiesMask` itself.
pub const SECURITY_CONTEXT: Mask = Mask {
    definition: "SecurityContext",
    what: "a container security context",
    allowed: &[
        ("capabilities", Always),
        ("readOnlyRootFilesystem", Always),
        ("runAsUser", Always),
        ("runAsGroup", Always),
        ("runAsNonRoot", Always),
        ("allowPrivilegeEscalation", Always),
        ("seccompProfile", Always),
        ("privileged", FalseOnly),
    ],
    pointers: &[
        "procMount",
        "appArmorProfile",
        "seLinuxOptions",
        "windowsOptions",
    ],
};

/// `PodSecurityContextMask` with `kubernetes.podspec-securitycontext` on.
pub const POD_SECURITY_CONTEXT: Mask = Mask {
    definition: "PodSecurityContext",
    what: "the pod security context",
    allowed: &[
        ("runAsUser", Always),
        ("runAsGroup", Always),
        ("runAsNonRoot", Always),
        ("fsGroup", Always),
        ("supplementalGroups", Always),
        ("seccompProfile", Always),
    ],
    pointers: &[
        "fsGroupChangePolicy",
        "seLinuxChangePolicy",
        "supplementalGroupsPolicy",
    ],
};

/// `HTTPGetActionMask`, `TCPSocketActionMask`, `GRPCActionMask`, `ExecActionMask`.
pub const HANDLERS: [(&str, Mask); 4] = [
    (
        "httpGet",
        Mask {
            definition: "HTTPGetAction",
            what: "an httpGet probe",
            allowed: &[
                ("host", Always),
                ("path", Always),
                ("scheme", Always),
                ("httpHeaders", Always),
                ("port", Always),
            ],
            pointers: &[],
        },
    ),
    (
        "tcpSocket",
        Mask {
            definition: "TCPSocketAction",
            what: "a tcpSocket probe",
            allowed: &[("host", Always), ("port", Always)],
            pointers: &[],
        },
    ),
    (
        "grpc",
        Mask {
            definition: "GRPCAction",
            what: "a grpc probe",
            allowed: &[("port", Always), ("service", Always)],
            pointers: &[],
        },
    ),
    (
        "exec",
        Mask {
            definition: "ExecAction",
            what: "an exec probe",
            allowed: &[("command", Always)],
            pointers: &[],
        },
    ),
];

/// The field names of every Kubernetes core/v1 definition, from the embedded core/v1 document.
fn kubernetes_fields(definition: &str) -> Option<&'static BTreeSet<String>> {
    /// Only the names are read: the rest of the schema is skipped, not built.
    #[derive(Deserialize)]
    struct Definition {
        properties: Option<BTreeMap<String, IgnoredAny>>,
    }
    static FIELDS: OnceLock<BTreeMap<String, BTreeSet<String>>> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            let core = Selection::default().core_file();
            catalog::definitions(core)
                .filter_map(|(name, text)| {
                    let short = name.strip_prefix("io.k8s.api.core.v1.")?;
                    let fields = serde_json::from_str::<Definition>(text).ok()?.properties?;
                    Some((short.to_owned(), fields.into_keys().collect()))
                })
                .collect()
        })
        .get(definition)
}

/// Is `value` set in Go terms: not null, and not a plain field's zero value?
pub fn is_set(value: &Value, pointer_typed: bool) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b || pointer_typed,
        Value::Number(n) => pointer_typed || n.as_f64() != Some(0.0),
        Value::String(s) => pointer_typed || !s.is_empty(),
        _ => true,
    }
}

/// Reports every set field of `object` (at `pointer`) that the mask does not allow.
pub fn check(cx: &mut Admission, object: &Value, pointer: &str, mask: &Mask) {
    let Some(map) = object.as_object() else {
        return;
    };
    let known = kubernetes_fields(mask.definition);
    for (field, value) in map {
        // Built only for a finding: most fields pass, and this runs on every masked node.
        let at = || format!("{pointer}/{}", crate::yaml::escape(field));
        match mask.allowed.iter().find(|(name, _)| name == field) {
            Some((_, Always)) => {}
            Some((_, FalseOnly)) => {
                if value == &Value::Bool(true) {
                    cx.push(
                        Code::KnativeFieldDisallowed,
                        at(),
                        format!(
                            "Knative allows `{field}` in {} only as `false` (must not set the \
                             field(s): {field}); remove it",
                            mask.what
                        ),
                    );
                }
            }
            Some((_, Flag(feature))) => {
                let pointer_typed = mask.pointers.contains(&field.as_str());
                if is_set(value, pointer_typed) && !cx.config.features.allows(*feature) {
                    feature_disabled(cx, at(), field, mask.what, *feature);
                }
            }
            None => {
                let is_kubernetes_field = known.is_some_and(|k| k.contains(field));
                if is_kubernetes_field && is_set(value, mask.pointers.contains(&field.as_str())) {
                    cx.push(
                        Code::KnativeFieldDisallowed,
                        at(),
                        format!(
                            "Knative does not allow `{field}` in {} (must not set the field(s): \
                             {field}), whatever its feature flags; remove it",
                            mask.what
                        ),
                    );
                }
            }
        }
    }
}

/// A set field behind a flag that is off.
pub fn feature_disabled(cx: &mut Admission, at: String, field: &str, what: &str, feature: Feature) {
    let problem = format!("Knative allows `{field}` in {what} only behind a feature flag");
    cx.feature_off(at, feature, problem, ", or remove the field");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kubernetes_fields_come_from_the_embedded_pod_schema() {
        let container = kubernetes_fields("Container").unwrap();
        assert!(container.contains("lifecycle"));
        assert!(container.contains("image"));
        assert!(
            kubernetes_fields("PodSpec")
                .unwrap()
                .contains("nodeSelector")
        );
        for mask in [
            &POD_SPEC,
            &CONTAINER,
            &VOLUME,
            &VOLUME_MOUNT,
            &PROBE,
            &SECURITY_CONTEXT,
        ] {
            let known = kubernetes_fields(mask.definition).unwrap();
            for (field, _) in mask.allowed {
                assert!(known.contains(*field), "{} has no {field}", mask.definition);
            }
        }
    }

    #[test]
    fn a_gated_plain_field_at_its_zero_value_is_not_set() {
        use crate::validate::knative::KnativeConfig;
        let config = KnativeConfig::default();
        let mut cx = Admission {
            config: &config,
            findings: Vec::new(),
        };
        let spec = json!({"hostIPC": false, "dnsPolicy": "", "shareProcessNamespace": false});
        check(&mut cx, &spec, "", &POD_SPEC);
        let pointers: Vec<&str> = cx.findings.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/shareProcessNamespace"]);
    }

    #[test]
    fn zero_values_of_plain_fields_are_unset() {
        assert!(!is_set(&json!(false), false));
        assert!(is_set(&json!(false), true));
        assert!(!is_set(&json!(0), false));
        assert!(!is_set(&json!(""), false));
        assert!(is_set(&json!({}), false));
        assert!(is_set(&json!([]), false));
        assert!(!is_set(&Value::Null, true));
    }
}
