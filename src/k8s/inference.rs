//! Gateway API Inference Extension types, only the fields inferstack sets: InferencePool in its
//! two shapes (`inference.networking.k8s.io/v1` and the older
//! `inference.networking.x-k8s.io/v1alpha2`) and InferenceObjective (x-k8s and `llm-d.ai`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::Resource;

/// An InferencePool of either version; the spec decides the shape.
pub type InferencePool<Spec> = Resource<Spec>;

/// `inference.networking.k8s.io/v1`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolSpecV1 {
    pub selector: LabelSelector,
    pub target_ports: Vec<PortNumber>,
    pub endpoint_picker_ref: EndpointPickerRef,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PortNumber {
    pub number: i32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointPickerRef {
    pub name: String,
    pub kind: &'static str,
    pub port: PortNumber,
    pub failure_mode: &'static str,
}

/// `inference.networking.x-k8s.io/v1alpha2`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolSpecV1Alpha2 {
    pub selector: BTreeMap<String, String>,
    pub target_port_number: i32,
    pub extension_ref: ExtensionRef,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionRef {
    pub name: String,
    pub kind: &'static str,
    pub port_number: i32,
    pub failure_mode: &'static str,
}

/// InferenceObjective: the priority of requests that name this objective.
pub type InferenceObjective = Resource<ObjectiveSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    pub pool_ref: PoolRef,
}

#[derive(Clone, Debug, Serialize)]
pub struct PoolRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
}
