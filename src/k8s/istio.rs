//! Istio's `networking.istio.io` objects that wire the body-based router into an Istio Gateway,
//! only the fields inferstack sets (CRDs: istio 1.30.3 `crd-all.gen.yaml`).

use serde::Serialize;

use super::Resource;
use super::gateway::PolicyTarget;

pub const ENVOY_FILTER_API_VERSION: &str = "networking.istio.io/v1alpha3";
pub const DESTINATION_RULE_API_VERSION: &str = "networking.istio.io/v1";

pub type EnvoyFilter = Resource<EnvoyFilterSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvoyFilterSpec {
    pub target_refs: Vec<PolicyTarget>,
    pub config_patches: Vec<ConfigPatch>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigPatch {
    pub apply_to: &'static str,
    #[serde(rename = "match")]
    pub match_: PatchMatch,
    pub patch: Patch,
}

#[derive(Clone, Debug, Serialize)]
pub struct PatchMatch {
    pub context: &'static str,
    pub listener: ListenerMatch,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerMatch {
    pub filter_chain: FilterChainMatch,
}

#[derive(Clone, Debug, Serialize)]
pub struct FilterChainMatch {
    pub filter: NamedFilter,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamedFilter {
    pub name: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Patch {
    pub operation: &'static str,
    pub value: HttpFilter,
}

/// An Envoy HTTP filter: the ext_proc filter, in Envoy's own snake_case field names.
#[derive(Clone, Debug, Serialize)]
pub struct HttpFilter {
    pub name: &'static str,
    pub typed_config: ExtProc,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExtProc {
    #[serde(rename = "@type")]
    pub type_url: &'static str,
    pub failure_mode_allow: bool,
    pub allow_mode_override: bool,
    pub processing_mode: ProcessingMode,
    pub grpc_service: GrpcService,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProcessingMode {
    pub request_header_mode: &'static str,
    pub response_header_mode: &'static str,
    pub request_body_mode: &'static str,
    pub response_body_mode: &'static str,
    pub request_trailer_mode: &'static str,
    pub response_trailer_mode: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct GrpcService {
    pub envoy_grpc: EnvoyGrpc,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvoyGrpc {
    pub cluster_name: String,
}

pub type DestinationRule = Resource<DestinationRuleSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleSpec {
    pub host: String,
    pub traffic_policy: TrafficPolicy,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrafficPolicy {
    pub tls: ClientTls,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientTls {
    pub mode: &'static str,
    pub insecure_skip_verify: bool,
}
