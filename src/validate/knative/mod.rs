//! Knative Serving's admission webhook, offline: what it does to a `serving.knative.dev/v1`
//! Service, Configuration or Revision on create, after knative/serving at `knative-v1.23.0`.
//! Defaulting runs first (`defaulting`), then validation, as in the cluster.
//!
//! One file per rule family:
//! - `autoscaling`: autoscaling annotations (`rule-violation`);
//! - `annotations`: the serving, queue-proxy and networking annotations (`rule-violation`);
//! - `metadata`: labels that name an owner, and revision names (`knative-metadata`);
//! - `features`, `defaults` and `autoscaler`: the `config-features`, `config-defaults` and
//!   `config-autoscaler` ConfigMaps that decide what is allowed, read from the manifests or
//!   `--knative-config`;
//! - `masks`: the field masks, which Kubernetes fields a revision may set and behind which flag;
//! - `podspec`: the pod spec and its containers (names, env, image, ports);
//! - `probes`: probe handlers, ports and Knative's `periodSeconds: 0` mode;
//! - `volumes`: volume sources, claims and mounts;
//! - `image`: image references as go-containerregistry parses them;
//! - `traffic`: `spec.traffic` of Services and Routes.

mod annotations;
mod apimachinery;
pub mod autoscaler;
mod autoscaling;
mod defaulting;
mod masks;
mod metadata;
mod podspec;
mod probes;
mod traffic;
mod volumes;

use serde_json::Value;

use self::autoscaler::Autoscaler;
use self::defaults::Defaults;
use self::features::{ConfigProblem, Feature, Features};
// Knative's own facts live in the `k8s` layer every stage may use; admission reads them here.
use super::finding::Finding;
use crate::diag::{Code, Severity};
pub use crate::k8s::knative::{
    ADMISSION_CONFIGMAPS, API_VERSION, AUTOSCALER_CONFIGMAP, DEFAULTS_CONFIGMAP,
    FEATURES_CONFIGMAP, RESERVED_PORTS, SYSTEM_NAMESPACE, defaults, features, out_of_bounds,
};

/// The Knative configuration a run validates against: Knative 1.23's defaults, overlaid with
/// the ConfigMaps found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KnativeConfig {
    pub features: Features,
    pub defaults: Defaults,
    pub autoscaler: Autoscaler,
}

impl KnativeConfig {
    /// Overlays `object` if it is `knative-serving/config-features`, `config-defaults` or
    /// `config-autoscaler`;
    /// `origin` names where it was read. Returns the problems of its values.
    pub fn absorb(&mut self, object: &Value, origin: &str) -> Vec<ConfigProblem> {
        let Some((name, data)) = knative_configmap(object) else {
            return Vec::new();
        };
        match name {
            FEATURES_CONFIGMAP => self.features.read(data, origin),
            DEFAULTS_CONFIGMAP => self.defaults.read(data, origin),
            _ => self.autoscaler.read(data, origin),
        }
    }
}

/// Whether admitting `object` depends on the Knative ConfigMaps: a run judges such objects with
/// every ConfigMap among its inputs, wherever it stands.
pub fn reads_config(object: &Value) -> bool {
    object.get("apiVersion").and_then(Value::as_str) == Some(API_VERSION)
}

/// Is `object` one of the Knative ConfigMaps admission reads?
pub fn is_config(object: &Value) -> bool {
    knative_configmap(object).is_some()
}

/// `(name, data)` of a Knative ConfigMap this module reads.
fn knative_configmap(object: &Value) -> Option<(&str, &serde_json::Map<String, Value>)> {
    let text = |p: &str| object.pointer(p).and_then(Value::as_str);
    if text("/apiVersion") != Some("v1")
        || text("/kind") != Some("ConfigMap")
        || text("/metadata/namespace") != Some(SYSTEM_NAMESPACE)
    {
        return None;
    }
    let name = text("/metadata/name").filter(|n| ADMISSION_CONFIGMAPS.contains(n))?;
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    let data = object
        .get("data")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Default::default));
    Some((name, data))
}

/// Findings of one rule run, with the configuration they are judged against.
pub struct Admission<'a> {
    pub config: &'a KnativeConfig,
    pub findings: Vec<Finding>,
}

impl Admission<'_> {
    pub fn push(&mut self, code: Code, pointer: String, message: String) {
        self.findings.push(Finding {
            code,
            severity: Severity::Error,
            pointer,
            message,
        });
    }

    /// Something the webhook admits (or only warns about) but a reader should know.
    pub fn warn(&mut self, code: Code, pointer: String, message: String) {
        self.findings.push(Finding {
            code,
            severity: Severity::Warning,
            pointer,
            message,
        });
    }

    /// A refusal because `feature` is off: Knative's `problem`, the flag and how to enable it,
    /// then the `otherwise` alternative (", or remove the field").
    pub fn feature_off(
        &mut self,
        pointer: String,
        feature: Feature,
        problem: String,
        otherwise: &str,
    ) {
        let hint = self.config.features.enable_hint(feature);
        self.push(
            Code::KnativeFeatureDisabled,
            pointer,
            format!("{problem}: {hint}{otherwise}"),
        );
    }
}

/// Runs Knative's admission on `object`; nothing for objects Knative does not admit. A Knative
/// ConfigMap is checked for values Knative would ignore or refuse.
pub fn check(object: &Value, config: &KnativeConfig) -> Vec<Finding> {
    if knative_configmap(object).is_some() {
        return config_problems(object);
    }
    if !reads_config(object) {
        return Vec::new();
    }
    let mut cx = Admission {
        config,
        findings: autoscaling::check(object, &config.autoscaler)
            .into_iter()
            .map(|v| Finding {
                code: Code::RuleViolation,
                severity: v.severity,
                pointer: v.pointer,
                message: v.message,
            })
            .collect(),
    };
    annotations::check(&mut cx, object);
    metadata::check(&mut cx, object);
    traffic::check(&mut cx, object);
    let base = match object.get("kind").and_then(Value::as_str) {
        Some("Service" | "Configuration") => "/spec/template/spec",
        Some("Revision") => "/spec",
        _ => return cx.findings,
    };
    if let Some(spec) = object.pointer(base).filter(|s| s.is_object()) {
        let parent = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut spec = spec.clone();
        defaulting::apply(&mut spec, &config.defaults, parent);
        revision_spec(&mut cx, &spec, base);
    }
    cx.findings
}

/// The findings of one rule family's `check` on `object`, under Knative's defaults.
#[cfg(test)]
pub(crate) fn findings_of(check: fn(&mut Admission, &Value), object: &Value) -> Vec<Finding> {
    let config = KnativeConfig::default();
    let mut cx = Admission {
        config: &config,
        findings: Vec::new(),
    };
    check(&mut cx, object);
    cx.findings
}

/// `RevisionSpec.Validate`: the pod spec, then the timeout and concurrency bounds.
fn revision_spec(cx: &mut Admission, spec: &Value, base: &str) {
    podspec::check(cx, spec, base);
    let defaults = &cx.config.defaults;
    if let Some(timeout) = spec.get("timeoutSeconds").and_then(Value::as_i64)
        && timeout != 0
        && (timeout < 0 || timeout > defaults.max_revision_timeout_seconds)
    {
        let max = defaults.max_revision_timeout_seconds;
        let source = &defaults.max_timeout_origin;
        cx.push(
            Code::KnativeTimeout,
            format!("{base}/timeoutSeconds"),
            format!(
                "{}: max-revision-timeout-seconds is {max} ({source}); lower timeoutSeconds, or \
                 raise max-revision-timeout-seconds in ConfigMap knative-serving/config-defaults",
                out_of_bounds("timeoutSeconds", timeout, 0, max)
            ),
        );
    }
    if let Some(concurrency) = spec.get("containerConcurrency").and_then(Value::as_i64) {
        let min = i64::from(!defaults.allow_container_concurrency_zero);
        let max = defaults.container_concurrency_max_limit;
        if concurrency < min || concurrency > max {
            let source = &defaults.concurrency_origin;
            cx.push(
                Code::KnativeConcurrency,
                format!("{base}/containerConcurrency"),
                format!(
                    "{}; the bounds are container-concurrency-max-limit and \
                     allow-container-concurrency-zero ({source}): use a value in that range",
                    out_of_bounds("containerConcurrency", concurrency, min, max)
                ),
            );
        }
    }
}

/// The problems of a Knative ConfigMap's own values.
fn config_problems(object: &Value) -> Vec<Finding> {
    let mut scratch = KnativeConfig::default();
    scratch
        .absorb(object, "")
        .into_iter()
        .map(|p| Finding {
            code: Code::KnativeConfig,
            severity: if p.refused {
                Severity::Error
            } else {
                Severity::Warning
            },
            pointer: format!("/data/{}", crate::yaml::escape(&p.key)),
            message: p.message,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service(spec: Value) -> Value {
        json!({"apiVersion": API_VERSION, "kind": "Service", "metadata": {"name": "qwen"},
               "spec": {"template": {"spec": spec}}})
    }

    fn codes(object: &Value, config: &KnativeConfig) -> Vec<(Code, String)> {
        check(object, config)
            .into_iter()
            .map(|f| (f.code, f.pointer))
            .collect()
    }

    #[test]
    fn timeout_and_concurrency_follow_config_defaults() {
        let object = service(json!({"containers": [{"image": "a/b"}],
            "timeoutSeconds": 900, "containerConcurrency": 1001}));
        let mut config = KnativeConfig::default();
        assert_eq!(
            codes(&object, &config),
            [
                (
                    Code::KnativeTimeout,
                    "/spec/template/spec/timeoutSeconds".to_owned()
                ),
                (
                    Code::KnativeConcurrency,
                    "/spec/template/spec/containerConcurrency".to_owned()
                ),
            ]
        );
        let defaults = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "config-defaults", "namespace": "knative-serving"},
            "data": {"max-revision-timeout-seconds": "3600", "container-concurrency-max-limit": "2000"}});
        assert_eq!(config.absorb(&defaults, "d.yaml"), []);
        assert_eq!(codes(&object, &config), []);
    }

    #[test]
    fn configurations_and_revisions_are_admitted_like_services() {
        let container =
            json!({"image": "a/b", "lifecycle": {"preStop": {"exec": {"command": ["x"]}}}});
        let configuration = json!({"apiVersion": API_VERSION, "kind": "Configuration",
            "metadata": {"name": "c"}, "spec": {"template": {"spec": {"containers": [container]}}}});
        let revision = json!({"apiVersion": API_VERSION, "kind": "Revision",
            "metadata": {"name": "c-00001"}, "spec": {"containers": [container]}});
        let config = KnativeConfig::default();
        assert_eq!(
            codes(&configuration, &config),
            [(
                Code::KnativeFieldDisallowed,
                "/spec/template/spec/containers/0/lifecycle".to_owned()
            )]
        );
        assert_eq!(
            codes(&revision, &config),
            [(
                Code::KnativeFieldDisallowed,
                "/spec/containers/0/lifecycle".to_owned()
            )]
        );
        // A Route has no revision spec; its traffic is checked (an empty split sums to 0).
        let route = json!({"apiVersion": API_VERSION, "kind": "Route", "metadata": {"name": "r"},
            "spec": {"traffic": [{"configurationName": "c", "percent": 100}]}});
        assert_eq!(codes(&route, &config), []);
        let empty = json!({"apiVersion": API_VERSION, "kind": "Route", "metadata": {"name": "r"}});
        assert_eq!(
            codes(&empty, &config),
            [(Code::KnativeTraffic, "/spec/traffic".to_owned())]
        );
    }

    #[test]
    fn a_knative_configmap_reports_its_own_bad_values() {
        let features = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "config-features", "namespace": "knative-serving"},
            "data": {"multi-container": "sure"}});
        let found = check(&features, &KnativeConfig::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, Code::KnativeConfig);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(found[0].pointer, "/data/multi-container");
    }
}
