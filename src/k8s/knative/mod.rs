//! Knative Serving types (serving.knative.dev/v1 Service), only the fields inferstack sets; the
//! pod-level parts reuse k8s-openapi's core types.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, LocalObjectReference, Toleration, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::Resource;
use crate::closed_set::closed_set;

pub mod defaults;
pub mod features;

closed_set! {
    /// The Knative Pod Autoscaler's metrics (`autoscaling.knative.dev/metric`, `pkg/apis/
    /// autoscaling/register.go`): in-flight requests or requests per second, per replica.
    pub enum Metric {
        Concurrency = "concurrency",
        Rps = "rps",
    }
}

/// Knative Serving's API group; its labels and annotations are prefixed by it too.
pub const GROUP: &str = "serving.knative.dev";
pub const API_VERSION: &str = "serving.knative.dev/v1";
/// The namespace Knative's ConfigMaps live in.
pub const SYSTEM_NAMESPACE: &str = "knative-serving";
pub const FEATURES_CONFIGMAP: &str = "config-features";
pub const DEFAULTS_CONFIGMAP: &str = "config-defaults";
pub const AUTOSCALER_CONFIGMAP: &str = "config-autoscaler";
/// The ConfigMaps of [`SYSTEM_NAMESPACE`] Knative's webhook reads for admission.
pub const ADMISSION_CONFIGMAPS: [&str; 3] =
    [FEATURES_CONFIGMAP, DEFAULTS_CONFIGMAP, AUTOSCALER_CONFIGMAP];
/// `reservedPorts` of `pkg/apis/serving/k8s_validation.go`: the queue-proxy's 8012 (HTTP/1),
/// 8013 (HTTP/2), 8022 (admin), 9090 (autoscaler metrics), 9091 (user metrics) and the
/// profiling port 8008.
pub const RESERVED_PORTS: [i64; 6] = [8012, 8013, 8022, 9090, 9091, 8008];
/// The queue-proxy's HTTP/1 port, in front of every revision's user container.
pub const QUEUE_PROXY_PORT: i32 = 8012;
/// The label Knative puts on every pod of a service's revisions.
pub const SERVICE_LABEL: &str = "serving.knative.dev/service";

/// A value outside Knative's bounds, said with the field where it belongs and Knative's own
/// words after it (`apis.ErrOutOfBoundsValue`: "expected MIN <= VALUE <= MAX"), which the
/// upstream suites match.
pub fn out_of_bounds(
    field: &str,
    value: impl std::fmt::Display,
    min: impl std::fmt::Display,
    max: impl std::fmt::Display,
) -> String {
    format!(
        "{field} {value} is out of bounds: Knative takes {min} <= {field} <= {max} (expected {min} <= {value} <= {max})"
    )
}

pub type Service = Resource<ServiceSpec>;

#[derive(Clone, Debug, Serialize)]
pub struct ServiceSpec {
    pub template: RevisionTemplate,
}

#[derive(Clone, Debug, Serialize)]
pub struct RevisionTemplate {
    pub metadata: ObjectMeta,
    pub spec: RevisionSpec,
}

/// A revision: the pod spec fields Knative allows, plus its own `timeoutSeconds`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevisionSpec {
    pub containers: Vec<Container>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// The longest request the revision serves; Knative also makes it the pod's grace period.
    pub timeout_seconds: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    pub volumes: Vec<Volume>,
}
