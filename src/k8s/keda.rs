//! KEDA's ScaledObject (`keda.sh/v1alpha1`, kedacore/keda v2.20.2
//! `apis/keda/v1alpha1/scaledobject_types.go`), only the fields inferstack sets, and the
//! Prometheus trigger's metadata (`pkg/scalers/prometheus_scaler.go`: `serverAddress`,
//! `query`, `threshold`, `activationThreshold`; the target is an `AverageValue` per replica
//! unless `metricType` says otherwise, `pkg/scalers/scaler.go` `GetMetricTargetType`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Resource;

pub const API_VERSION: &str = "keda.sh/v1alpha1";

pub type ScaledObject = Resource<ScaledObjectSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    pub scale_target_ref: ScaleTarget,
    pub min_replica_count: i64,
    pub max_replica_count: i64,
    pub triggers: Vec<Trigger>,
}

/// The Deployment KEDA scales (`kind` defaults to Deployment, `apiVersion` to apps/v1).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Trigger {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'static str,
    /// Every value is a string, as the CRD types it.
    pub metadata: BTreeMap<&'static str, String>,
}
