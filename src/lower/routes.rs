//! The HTTPRoutes inferstack writes: each stack's route from its Gateway listener to its
//! InferencePool (explicit profiles), and the Gateway's HTTP-to-HTTPS redirect.

use super::body_router::MODEL_HEADER;
use super::inference::id;
use crate::k8s::gateway::{
    self, BackendRef, Header, HeaderMatch, HeaderModifier, HttpRoute, HttpRouteRule, HttpRouteSpec,
    ParentRef, PathMatch, RequestRedirect, RouteFilter, RouteMatch, Timeouts,
};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;
use crate::resolve::profile::InferenceApis;
use crate::source::Spanned;

/// The HTTPS port clients assume when a redirect names none.
const HTTPS_PORT: i64 = 443;

/// The path prefix the route matches: `service.path` without a trailing `/` (Gateway API
/// matches prefixes by whole segments, so `/qwen` and `/qwen/` are the same match), `/` alone
/// for every path.
pub fn path_prefix(path: &Spanned<String>) -> &str {
    match path.value.trim_end_matches('/') {
        "" => "/",
        prefix => prefix,
    }
}

pub fn http_route(stack: &ResolvedStack, apis: &InferenceApis) -> anyhow::Result<Object> {
    let name = &stack.service.name.value;
    let g = &stack.gateway;
    let prefix = path_prefix(&stack.service.path);
    // With body routing the body-based router has copied the request's `model` into this
    // header before routing (GIE v1.5.0 `pkg/bbr/plugins/bodyfieldtoheader`).
    let headers = if g.routes_by_body() {
        vec![HeaderMatch {
            kind: "Exact",
            name: MODEL_HEADER,
            value: stack.served_model_name().value.clone(),
        }]
    } else {
        Vec::new()
    };
    let mut filters = vec![RouteFilter::headers(header_modifier(stack, apis))];
    if prefix != "/" {
        filters.push(RouteFilter::strip_prefix());
    }
    let route = HttpRoute {
        api_version: gateway::API_VERSION,
        kind: "HTTPRoute",
        metadata: super::metadata(name, Some(&stack.service.namespace.value), []),
        spec: HttpRouteSpec {
            parent_refs: vec![ParentRef {
                name: g.name.value.clone(),
                namespace: g.namespace.value.clone(),
                section_name: stack.inference.listener.value.clone(),
            }],
            // Several models share one listener: each route answers its own host.
            hostnames: vec![stack.service.hostname.value.clone()],
            rules: vec![HttpRouteRule {
                matches: vec![RouteMatch {
                    path: PathMatch {
                        kind: "PathPrefix",
                        value: prefix.to_owned(),
                    },
                    headers,
                }],
                filters,
                backend_refs: vec![BackendRef {
                    group: apis.pool_group(),
                    kind: "InferencePool",
                    name: name.clone(),
                }],
                timeouts: stack.inference.timeout.as_ref().map(|t| Timeouts {
                    request: t.value.clone(),
                }),
            }],
        },
    };
    let id = id(gateway::API_VERSION, "HTTPRoute", stack, name);
    let match_span = if g.routes_by_body() {
        g.model_routing.span
    } else {
        stack.service.path.span
    };
    Ok(
        Object::new(id, &route, stack.inference.span, Sharing::Owned)?
            .with_origin("/spec/parentRefs", stack.inference.listener.span)
            .with_origin("/spec/hostnames", stack.service.hostname.span)
            .with_origin("/spec/rules/0/matches", match_span)
            .with_origin(
                "/spec/rules/0/timeouts",
                stack
                    .inference
                    .timeout
                    .as_ref()
                    .map_or(stack.inference.span, |t| t.span),
            ),
    )
}

/// The route names the stack's InferenceObjective, which applies only to requests that name it
/// in the picker's objective header (docs/gateway-api-inference-extension/v1.5.0/
/// inferenceobjective.md), so `priority` takes effect; and it removes the headers a client
/// could steer the picker with, so nobody picks their own priority, tenant or pod.
fn header_modifier(stack: &ResolvedStack, apis: &InferenceApis) -> HeaderModifier {
    let set = vec![Header {
        name: apis.objective_header,
        value: stack.service.name.value.clone(),
    }];
    let remove = apis
        .steering_headers
        .iter()
        .copied()
        .filter(|h| !set.iter().any(|s| s.name == *h))
        .collect();
    HeaderModifier { set, remove }
}

/// The name of the Gateway's redirect route.
pub fn redirect_name(stack: &ResolvedStack) -> String {
    format!("{}-https-redirect", stack.gateway.name.value)
}

/// `gateway.redirect_http`: every request on the HTTP listeners for the HTTPS listeners' hosts
/// gets a 301 to the same URL over HTTPS, as Gateway API's `http-redirect-rewrite` example
/// does (v1.6.1 `examples/standard/http-redirect-rewrite/httproute-redirect-http.yaml`); the
/// redirect keeps each request's own host. `None` when the stack does not ask for it, or the
/// Gateway lacks an HTTP or an HTTPS listener (the rules report both).
pub fn redirect_route(stack: &ResolvedStack) -> anyhow::Result<Option<Object>> {
    let g = &stack.gateway;
    if !g.redirect_http.value {
        return Ok(None);
    }
    let plain: Vec<ParentRef> = g
        .listeners
        .iter()
        .filter(|l| l.protocol.value == "HTTP")
        .map(|l| ParentRef {
            name: g.name.value.clone(),
            namespace: g.namespace.value.clone(),
            section_name: l.name.value.clone(),
        })
        .collect();
    let https_port = g
        .listeners
        .iter()
        .find(|l| l.protocol.value == "HTTPS")
        .and_then(|l| l.port.as_ref())
        .map(|p| p.value);
    if plain.is_empty() || https_port.is_none() {
        return Ok(None);
    }
    // The hosts the HTTPS listeners answer, as the upstream example names its host; none when
    // they answer every host.
    let mut hostnames: Vec<String> = Vec::new();
    for l in g.listeners.iter().filter(|l| l.protocol.value == "HTTPS") {
        match &l.hostname {
            Some(host) if !hostnames.contains(&host.value) => hostnames.push(host.value.clone()),
            Some(_) => {}
            None => {
                hostnames.clear();
                break;
            }
        }
    }
    let name = redirect_name(stack);
    let route = HttpRoute {
        api_version: gateway::API_VERSION,
        kind: "HTTPRoute",
        metadata: super::metadata(&name, Some(&g.namespace.value), []),
        spec: HttpRouteSpec {
            parent_refs: plain,
            hostnames,
            rules: vec![HttpRouteRule {
                matches: Vec::new(),
                filters: vec![RouteFilter::redirect(RequestRedirect {
                    scheme: "https",
                    port: https_port
                        .filter(|p| *p != HTTPS_PORT)
                        .and_then(|p| i32::try_from(p).ok()),
                    status_code: 301,
                })],
                backend_refs: Vec::new(),
                timeouts: None,
            }],
        },
    };
    let id = ObjectRef {
        api_version: gateway::API_VERSION.to_owned(),
        kind: "HTTPRoute".to_owned(),
        namespace: Some(g.namespace.value.clone()),
        name,
    };
    Ok(Some(Object::new(
        id,
        &route,
        g.redirect_http.span,
        Sharing::Shared,
    )?))
}
