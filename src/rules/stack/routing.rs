//! How requests reach the stack's pool: the listener its route attaches to, the HTTP-to-HTTPS
//! redirect, the path prefix and the body-based model routing, checked where they are written.

use super::listeners::is_gateway_hostname;
use super::{error, one_of};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::gateway::hostname_intersection;
use crate::resolve::profile::MetricsPortSetting;
use crate::resolve::{EngineKind, Profile, Provider, ResolvedStack};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    redirect(stack, out);
    served_model_name(stack, out);
    path(stack, out);
    model_routing(stack, out);
    fairness(stack, out);
    if stack.profile.inference_apis().is_some() {
        listener(stack, out);
        headers_after_picker(stack, out);
    }
}

/// An HTTP header name (RFC 9110 token), as Gateway API's `HTTPHeaderName` pattern has it.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// The fairness id from a client header works through llm-d-router's `agent-identity` plugin;
/// GIE v1.0.2's picker reads the id only from its own fixed header.
fn fairness(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some(header) = &stack.inference.fairness else {
        return;
    };
    if !is_header_name(&header.value) {
        out.push(error(
            Code::InvalidValue,
            header.span,
            "not a header name",
            format!(
                "`inference.fairness` = \"{}\" is not an HTTP header name",
                header.value
            ),
        ));
        return;
    }
    match stack.profile.inference_apis() {
        Some(apis) if apis.metrics_port == MetricsPortSetting::ConfigText => {
            if apis
                .steering_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&header.value))
            {
                out.push(
                    error(
                        Code::InvalidValue,
                        header.span,
                        "the picker's own header",
                        format!("`inference.fairness` = \"{}\" is a header the route removes from client requests", header.value),
                    )
                    .with_help("name the header your gateway's authentication sets, such as \"x-tenant-id\""),
                );
            }
        }
        _ => out.push(
            error(
                Code::InvalidValue,
                header.span,
                "not with this picker",
                format!(
                    "`inference.fairness` needs llm-d's router, and the {} profile does not run it",
                    stack.profile.as_str()
                ),
            )
            .with_help("use the \"gateway-api\" profile, whose picker (llm-d-router v0.10.0) reads the fairness id from a named header; ACK's picker (GIE v1.0.2) reads only `x-gateway-inference-fairness-id`"),
        ),
    }
}

/// Envoy applies a route's header filters in its router filter, after every other filter:
/// Istio's and Envoy Gateway's routes set and remove headers for the model server, not for the
/// endpoint picker before it (istio/istio#60256; Envoy Gateway v1.9.0 puts them in the route's
/// `request_headers_to_add`, `internal/xds/translator/route.go`). The picker then never sees
/// the objective header, and a client's own steering headers reach it.
fn headers_after_picker(stack: &ResolvedStack, out: &mut Diagnostics) {
    let provider = &stack.gateway.provider;
    if !provider.value.filters_routes_after_picker() {
        return;
    }
    let Some(priority) = &stack.inference.priority else {
        return;
    };
    out.push(
        Diagnostic::warning(
            Code::InvalidValue,
            Label::new(priority.span, "not seen by the picker"),
            format!(
                "on {} the route's header filter applies after the endpoint picker, so the picker never sees the objective header and `inference.priority` = {} does not take effect",
                provider.value.as_str(),
                priority.value
            ),
        )
        .with_secondary(Label::new(provider.span, "provider"))
        .with_help("have clients or an earlier gateway filter send the objective header (Envoy Gateway: a ClientTrafficPolicy's `headers.earlyRequestHeaders`), and remove client-sent steering headers there too"),
    );
}

fn redirect(stack: &ResolvedStack, out: &mut Diagnostics) {
    let g = &stack.gateway;
    if !g.redirect_http.value {
        return;
    }
    if !g.listeners.iter().any(|l| l.protocol.value == "HTTPS") {
        out.push(
            error(
                Code::InvalidValue,
                g.redirect_http.span,
                "no HTTPS listener",
                "`gateway.redirect_http` redirects to HTTPS, but the Gateway has no HTTPS listener"
                    .to_owned(),
            )
            .with_help(
                "add one: `listeners = { http = 80, https = { port = 443, tls = \"llm-tls\" } }`",
            ),
        );
    }
    if !g.listeners.iter().any(|l| l.protocol.value == "HTTP") {
        out.push(
            Diagnostic::warning(
                Code::InvalidValue,
                Label::new(g.redirect_http.span, "nothing to redirect"),
                "`gateway.redirect_http` is set, but the Gateway has no HTTP listener".to_owned(),
            )
            .with_help("add the plain listener clients reach first (`http = 80`), or remove `redirect_http`"),
        );
    }
}

/// vLLM answers only to its served names (`_is_model_supported`), SGLang refuses a `:` in its
/// one name (`server_args.py`: the colon separates a LoRA adapter).
fn served_model_name(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some(name) = &stack.engine.served_model_name else {
        return;
    };
    let value = &name.value;
    if value.trim().is_empty() || value.chars().any(char::is_whitespace) {
        out.push(error(
            Code::InvalidValue,
            name.span,
            "not a model name",
            "`engine.served_model_name` must be a name without spaces".to_owned(),
        ));
    } else if stack.engine.kind.value == EngineKind::Sglang && value.contains(':') {
        out.push(
            error(
                Code::InvalidValue,
                name.span,
                "colon",
                format!("`engine.served_model_name` = \"{value}\" has a `:`, which SGLang refuses"),
            )
            .with_help("SGLang reserves `:` for `model:adapter` (LoRA); use `-` or `/` instead"),
        );
    }
}

/// Gateway API's path value rules (the HTTPRoute CRD's CEL on `path.value`): absolute, of URL
/// path characters, no `//`, no `.` or `..` segment, no `%2f`.
pub fn is_route_path(path: &str) -> bool {
    path.starts_with('/')
        && path.len() <= 1024
        && !path.contains("//")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-/._~!$&'()*+,;=:@%".contains(c))
        && !path.to_ascii_lowercase().contains("%2f")
        && !path
            .split('/')
            .any(|segment| segment == "." || segment == "..")
}

fn path(stack: &ResolvedStack, out: &mut Diagnostics) {
    let path = &stack.service.path;
    if !is_route_path(&path.value) {
        out.push(
            error(
                Code::InvalidValue,
                path.span,
                "not a path prefix",
                format!("`service.path` = \"{}\" is not an HTTPRoute path prefix", path.value),
            )
            .with_help("write an absolute path without `//`, `.` or `..` segments, `?` or `#`, e.g. \"/qwen\""),
        );
    } else if path.value != "/" && stack.profile.inference_apis().is_none() {
        out.push(
            error(
                Code::InvalidValue,
                path.span,
                "not under ack",
                "`service.path` needs the stack's own HTTPRoute, which the ack profile does not write".to_owned(),
            )
            .with_help("under `ack` the platform creates the route from the Service's annotations; use the \"ack-explicit\" profile to route by path"),
        );
    }
}

fn model_routing(stack: &ResolvedStack, out: &mut Diagnostics) {
    let g = &stack.gateway;
    let known = one_of(
        out,
        "gateway.model_routing",
        &g.model_routing,
        "is not a way to route models",
    );
    if !known || !g.routes_by_body() {
        return;
    }
    if stack.profile == Profile::Ack {
        out.push(
            error(
                Code::InvalidValue,
                g.model_routing.span,
                "not under ack",
                "`gateway.model_routing` = \"body\" needs the stack's own HTTPRoute, which the ack profile does not write".to_owned(),
            )
            .with_help("use the \"ack-explicit\" or \"gateway-api\" profile"),
        );
        return;
    }
    let provider = &g.provider;
    if !provider.value.wires_body_router() {
        out.push(
            error(
                Code::InvalidValue,
                g.model_routing.span,
                "no wiring",
                format!(
                    "the body-based router cannot be wired into a Gateway of provider \"{}\"",
                    provider.value.as_str()
                ),
            )
            .with_secondary(Label::new(provider.span, "provider"))
            .with_help(format!(
                "the Inference Extension's chart wires its body-based router into {} only (config/charts/body-based-routing, v1.5.0). {} Route several models on one host by path instead: `service.path = \"/NAME\"`",
                wired_providers().join(" and "),
                unwired_reason(provider.value)
            )),
        );
    }
}

/// The providers the body-based router is wired into, by name.
fn wired_providers() -> Vec<&'static str> {
    Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.wires_body_router())
        .map(Provider::as_str)
        .collect()
}

/// Why a provider gets no body-based router, from its own documentation and source.
fn unwired_reason(provider: Provider) -> &'static str {
    match provider {
        Provider::EnvoyGateway => {
            "Envoy Gateway documents no such wiring, and enables an ext_proc filter per route (internal/xds/translator/extproc.go, v1.9.0), so the router would run only after a route matched, before the model header exists."
        }
        Provider::Kgateway => {
            "For kgateway the Inference Extension documents an AgentgatewayPolicy transformation instead of the router."
        }
        _ => {
            "A generic Gateway API implementation has no portable way to run an ext_proc filter before routing."
        }
    }
}

/// The route must attach to a listener that takes HTTPRoutes, over HTTPS when HTTP redirects,
/// and for a host the listener answers.
fn listener(stack: &ResolvedStack, out: &mut Diagnostics) {
    let i = &stack.inference;
    let Some(l) = stack
        .gateway
        .listeners
        .iter()
        .find(|l| l.name.value == i.listener.value)
    else {
        return;
    };
    if !l.takes_http_routes() {
        out.push(
            error(
                Code::InvalidValue,
                i.listener.span,
                "takes no HTTPRoute",
                format!(
                    "`inference.listener` = \"{}\" is a {} listener, which takes TLSRoutes, not the inference HTTPRoute",
                    i.listener.value, l.protocol.value
                ),
            )
            .with_secondary(Label::new(l.protocol.span, "protocol"))
            .with_help("attach the route to an HTTP or HTTPS listener"),
        );
        return;
    }
    if stack.gateway.redirect_http.value && l.protocol.value == "HTTP" {
        out.push(
            error(
                Code::InvalidValue,
                i.listener.span,
                "redirected",
                format!(
                    "`inference.listener` = \"{}\" is an HTTP listener, and `gateway.redirect_http` answers every request there with a redirect",
                    i.listener.value
                ),
            )
            .with_secondary(Label::new(stack.gateway.redirect_http.span, "redirect set here"))
            .with_help("attach the route to the HTTPS listener (the default when there is one)"),
        );
    }
    let host = &stack.service.hostname.value;
    if let Some(bound) = &l.hostname
        && is_gateway_hostname(&bound.value)
        && hostname_intersection(Some(host), &bound.value).is_none()
    {
        out.push(
            error(
                Code::InvalidValue,
                stack.service.hostname.span,
                "not the listener's host",
                format!(
                    "the route's host \"{host}\" is not one listener `{}` answers (\"{}\"), so the Gateway does not accept the route",
                    l.name.value, bound.value
                ),
            )
            .with_secondary(Label::new(bound.span, "listener hostname"))
            .with_help("set `service.hostname` to a name under the listener's hostname; Gateway API attaches a route only where the hostnames intersect"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_paths() {
        for ok in ["/", "/qwen", "/v1/qwen/", "/a-b_c"] {
            assert!(is_route_path(ok), "{ok}");
        }
        for bad in [
            "", "qwen", "//x", "/a/../b", "/a/./b", "/a%2Fb", "/a?b", "/a b",
        ] {
            assert!(!is_route_path(bad), "{bad}");
        }
    }

    #[test]
    fn hostnames_intersect_as_gateway_api_says() {
        let meet = |host, bound| hostname_intersection(Some(host), bound).is_some();
        assert!(meet("llm.acme.dev", "llm.acme.dev"));
        assert!(meet("qwen.llm.acme.dev", "*.acme.dev"));
        assert!(!meet("acme.dev", "*.acme.dev"));
        assert!(meet("*.acme.dev", "qwen.acme.dev"));
        assert!(!meet("llm.acme.dev", "llm.acme.com"));
        assert!(meet("*.llm.acme.dev", "*.acme.dev"));
    }
}
