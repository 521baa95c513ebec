//! Gateway API types (gateway.networking.k8s.io/v1), only the fields inferstack sets.

use serde::Serialize;

use super::Resource;

pub const API_VERSION: &str = "gateway.networking.k8s.io/v1";

pub type Gateway = Resource<GatewaySpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    pub gateway_class_name: String,
    pub listeners: Vec<Listener>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub name: String,
    pub port: i32,
    pub protocol: &'static str,
    pub allowed_routes: AllowedRoutes,
}

#[derive(Clone, Debug, Serialize)]
pub struct AllowedRoutes {
    pub namespaces: RouteNamespaces,
}

/// `from: All | Same | Selector`.
#[derive(Clone, Debug, Serialize)]
pub struct RouteNamespaces {
    pub from: &'static str,
}

/// An HTTPRoute with one rule: every request on the parent listener goes to one backend.
pub type HttpRoute = Resource<HttpRouteSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRouteRule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    pub name: String,
    pub namespace: String,
    pub section_name: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    pub matches: Vec<RouteMatch>,
    pub filters: Vec<RouteFilter>,
    pub backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<Timeouts>,
}

/// A `RequestHeaderModifier` filter: the only one inferstack emits.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteFilter {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub request_header_modifier: HeaderModifier,
}

#[derive(Clone, Debug, Serialize)]
pub struct HeaderModifier {
    pub set: Vec<Header>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub name: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteMatch {
    pub path: PathMatch,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathMatch {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackendRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Timeouts {
    pub request: String,
}
