//! Gateway API types (gateway.networking.k8s.io/v1), only the fields inferstack sets.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

pub const API_VERSION: &str = "gateway.networking.k8s.io/v1";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Gateway {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: GatewaySpec,
}

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
