//! GKE's `networking.gke.io/v1` objects that wire the body-based router into a GKE Gateway,
//! only the fields inferstack sets (CRDs: GoogleCloudPlatform/gke-gateway-api).

use serde::Serialize;

use super::Resource;
use super::gateway::PolicyTarget;

pub const API_VERSION: &str = "networking.gke.io/v1";

pub type RoutingExtension = Resource<RoutingExtensionSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingExtensionSpec {
    pub target_refs: Vec<PolicyTarget>,
    pub extension_chains: Vec<ExtensionChain>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExtensionChain {
    pub name: &'static str,
    pub extensions: Vec<Extension>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub name: &'static str,
    pub authority: &'static str,
    pub timeout: &'static str,
    pub supported_events: Vec<&'static str>,
    pub request_body_send_mode: &'static str,
    pub backend_ref: ServiceRef,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub port: i32,
}

pub type HealthCheckPolicy = Resource<HealthCheckPolicySpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckPolicySpec {
    pub default: HealthCheckDefault,
    pub target_ref: PolicyTargetRef,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckDefault {
    pub config: HealthCheckConfig,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfig {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub grpc_health_check: GrpcHealthCheck,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcHealthCheck {
    pub port_specification: &'static str,
    pub port: i32,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyTargetRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub namespace: String,
}
