//! Knative Serving types (serving.knative.dev/v1 Service), only the fields inferstack sets; the
//! pod-level parts reuse k8s-openapi's core types.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, LocalObjectReference, Toleration, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::Resource;

pub const API_VERSION: &str = "serving.knative.dev/v1";

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
