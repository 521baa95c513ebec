//! Knative Serving types (serving.knative.dev/v1 Service), only the fields inferstack sets; the
//! pod-level parts reuse k8s-openapi's core types.

use k8s_openapi::api::core::v1::{Container, Volume};
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

#[derive(Clone, Debug, Serialize)]
pub struct RevisionSpec {
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}
