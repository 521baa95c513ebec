//! Gateway API types (gateway.networking.k8s.io/v1), only the fields inferstack sets.

use serde::Serialize;

use super::Resource;
use crate::closed_set::closed_set;

pub const API_VERSION: &str = "gateway.networking.k8s.io/v1";

pub type Gateway = Resource<GatewaySpec>;

closed_set! {
    /// A Gateway API implementation whose output or limits differ from the others
    /// (`gateway.provider`).
    pub enum Provider {
        Generic = "generic",
        EnvoyGateway = "envoy-gateway",
        Istio = "istio",
        Kgateway = "kgateway",
        Gke = "gke",
        Ack = "ack",
    }
}

impl Provider {
    /// Whether the Inference Extension's body-based router chart wires into it
    /// (`config/charts/body-based-routing` v1.5.0, `provider.name`: `istio`, `gke`).
    pub fn wires_body_router(self) -> bool {
        matches!(self, Provider::Istio | Provider::Gke)
    }

    /// Whether it builds on Envoy, which applies a route's header filters in its router
    /// filter, after the ext_proc endpoint picker (istio/istio#60256; Envoy Gateway v1.9.0
    /// `internal/xds/translator/route.go`).
    pub fn filters_routes_after_picker(self) -> bool {
        matches!(self, Provider::Istio | Provider::EnvoyGateway)
    }
}

/// Gateway API's `LocalPolicyTargetReference`: what a provider's policy object attaches to.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyTarget {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
}

impl PolicyTarget {
    pub fn gateway(name: &str) -> PolicyTarget {
        PolicyTarget {
            group: "gateway.networking.k8s.io",
            kind: "Gateway",
            name: name.to_owned(),
        }
    }
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub port: i32,
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    pub allowed_routes: AllowedRoutes,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    pub mode: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificate_refs: Vec<SecretRef>,
}

/// A `SecretObjectReference` in the Gateway's own namespace (no ReferenceGrant needed).
#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    pub kind: &'static str,
    pub name: String,
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

/// The host a route's `host` (`None`: every host) takes on a listener bound to `bound`: the
/// more specific of the two (Gateway API's listener `hostname` and HTTPRoute `hostnames`) when one matches the other (a `*.` wildcard matches any name under
/// its domain), `None` when they have no host in common.
pub fn hostname_intersection<'a>(host: Option<&'a str>, bound: &'a str) -> Option<&'a str> {
    let Some(host) = host else {
        return Some(bound);
    };
    let covers = |wildcard: &str, name: &str| {
        wildcard
            .strip_prefix("*.")
            .is_some_and(|domain| name.ends_with(&format!(".{domain}")))
    };
    if host == bound || covers(bound, host) {
        Some(host)
    } else if covers(host, bound) {
        Some(bound)
    } else {
        None
    }
}

/// An HTTPRoute: the inference route of a stack, or the Gateway's HTTP-to-HTTPS redirect.
pub type HttpRoute = Resource<HttpRouteSpec>;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<RouteMatch>,
    pub filters: Vec<RouteFilter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<Timeouts>,
}

/// One filter; exactly one of the optional fields is set, the one `type` names.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteFilter {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_header_modifier: Option<HeaderModifier>,
    #[serde(rename = "urlRewrite", skip_serializing_if = "Option::is_none")]
    pub url_rewrite: Option<UrlRewrite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<RequestRedirect>,
}

impl RouteFilter {
    pub fn headers(modifier: HeaderModifier) -> RouteFilter {
        RouteFilter {
            kind: "RequestHeaderModifier",
            request_header_modifier: Some(modifier),
            url_rewrite: None,
            request_redirect: None,
        }
    }

    /// Replaces the matched path prefix with `/`.
    pub fn strip_prefix() -> RouteFilter {
        RouteFilter {
            kind: "URLRewrite",
            request_header_modifier: None,
            url_rewrite: Some(UrlRewrite {
                path: PathModifier {
                    kind: "ReplacePrefixMatch",
                    replace_prefix_match: "/",
                },
            }),
            request_redirect: None,
        }
    }

    pub fn redirect(redirect: RequestRedirect) -> RouteFilter {
        RouteFilter {
            kind: "RequestRedirect",
            request_header_modifier: None,
            url_rewrite: None,
            request_redirect: Some(redirect),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HeaderModifier {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<Header>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub name: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct UrlRewrite {
    pub path: PathModifier,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathModifier {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub replace_prefix_match: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRedirect {
    pub scheme: &'static str,
    /// Only when the HTTPS listener is not on 443, the scheme's own port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    pub status_code: u16,
}

#[derive(Clone, Debug, Serialize)]
pub struct RouteMatch {
    pub path: PathMatch,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathMatch {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HeaderMatch {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'static str,
    pub value: String,
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
