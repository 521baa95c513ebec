//! The Gateway side: listener ports, the engine port Knative leaves free, and the inference
//! routing of the explicit profiles.

use super::error;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::knative::RESERVED_PORTS;
use crate::resolve::{Profile, Provider, ResolvedStack, Workload};
use crate::source::Spanned;

/// Ports a model server must not use: the ones Knative's webhook reserves, plus 8112, where the
/// queue-proxy serves TLS when system-internal TLS is on (`pkg/reconciler/revision/resources/
/// queue.go` of knative/serving 1.23), which the webhook does not check.
fn knative_reserved_port(port: i64) -> bool {
    RESERVED_PORTS.contains(&port) || port == 8112
}

fn port_range(out: &mut Diagnostics, key: &str, port: &Spanned<i64>) -> bool {
    let ok = (1..=65535).contains(&port.value);
    if !ok {
        out.push(
            error(
                Code::InvalidValue,
                port.span,
                "not a port",
                format!("`{key}` = {} is not a port number", port.value),
            )
            .with_help("ports are 1 to 65535"),
        );
    }
    ok
}

pub fn ports(stack: &ResolvedStack, out: &mut Diagnostics) {
    let engine = &stack.engine.port;
    let knative = stack.workload.value == Workload::Knative;
    if port_range(out, "engine.port", engine) && knative && knative_reserved_port(engine.value) {
        out.push(
            error(
                Code::InvalidValue,
                engine.span,
                "reserved by Knative",
                format!(
                    "`engine.port` = {} is reserved by Knative's queue-proxy",
                    engine.value
                ),
            )
            .with_help(
                "the queue-proxy beside the server uses 8008, 8012, 8013, 8022, 8112, 9090 and 9091; use 8080",
            ),
        );
    }
    // Ports the reader refused were reported there; clashes are the listeners' rules.
    for l in &stack.gateway.listeners {
        if let Some(port) = &l.port {
            port_range(out, &format!("gateway.listeners.{}", l.name.value), port);
        }
    }
}

/// A Gateway API `Duration`: 1 to 4 groups of up to 5 digits and a unit (`300s`, `1h30m`).
fn is_gateway_duration(text: &str) -> bool {
    let mut rest = text;
    let mut groups = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 || digits > 5 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        let Some(unit) = unit else { return false };
        rest = &rest[unit.len()..];
        groups += 1;
    }
    (1..=4).contains(&groups)
}

/// Why a Knative Service behind an InferencePool cannot scale from zero, from upstream: Knative
/// learns of demand at zero only from its activator (knative/serving knative-v1.23.0
/// `docs/scaling/SYSTEM.md`, "Scaling from zero"), which the picker's route to pod IPs
/// bypasses; its HPA class cannot scale to zero (`pkg/reconciler/autoscaling/hpa/resources/
/// hpa.go` leaves minReplicas unset at 0); llm-d's router can hold requests for an empty pool
/// (flow control, feature gate `flowControl`, 60 s TTL by default, llm-d-router v0.10.0) for an
/// autoscaler reading `llm_d_epp_flow_control_queue_size`, but Knative owns its revisions'
/// Deployments, so no such autoscaler can scale them.
pub const SCALE_FROM_ZERO: &str = "the endpoint picker sends requests straight to the pods, past Knative's activator, the only thing that tells Knative's autoscaler about demand at zero; llm-d's router can hold them while the pool is empty (flow control), but only for an autoscaler such as KEDA on its queue metric, and Knative's revisions scale by Knative's autoscaler alone (its HPA class cannot scale to zero)";

pub fn inference(stack: &ResolvedStack, out: &mut Diagnostics) {
    let provider = &stack.gateway.provider;
    let i = &stack.inference;
    if let Some(timeout) = i.timeout.as_ref().filter(|_| i.timeout_written) {
        if !is_gateway_duration(&timeout.value) {
            out.push(
                error(
                    Code::InvalidValue,
                    timeout.span,
                    "not a duration",
                    format!(
                        "`inference.timeout` = \"{}\" is not a Gateway API duration",
                        timeout.value
                    ),
                )
                .with_help(
                    "write 1 to 4 groups of a number and h, m, s or ms, e.g. \"300s\" or \"5m\"",
                ),
            );
        }
        if provider.value == Provider::Gke {
            out.push(
                error(
                    Code::InvalidValue,
                    timeout.span,
                    "GKE rejects this",
                    "GKE's Gateway controller rejects HTTPRoutes with `timeouts`".to_owned(),
                )
                .with_secondary(Label::new(provider.span, "provider set here"))
                .with_help(
                    "remove `inference.timeout`; set the timeout with a GCPBackendPolicy instead",
                ),
            );
        }
    }
    if let Some(image) = &i.epp_image
        && (image.value.trim().is_empty() || image.value.chars().any(char::is_whitespace))
    {
        out.push(error(
            Code::InvalidValue,
            image.span,
            "invalid image",
            "`inference.epp_image` must be an image reference without spaces".to_owned(),
        ));
    }
    let Some(_) = stack.profile.inference_apis() else {
        return;
    };
    if !stack
        .gateway
        .listeners
        .iter()
        .any(|l| l.name.value == i.listener.value)
    {
        let names: Vec<&str> = stack
            .gateway
            .listeners
            .iter()
            .map(|l| l.name.value.as_str())
            .collect();
        out.push(
            error(
                Code::InvalidValue,
                i.listener.span,
                "no such listener",
                format!(
                    "`inference.listener` = \"{}\" is not a listener of the Gateway",
                    i.listener.value
                ),
            )
            .with_help(if names.is_empty() {
                "the HTTPRoute attaches to a listener of [gateway], and `gateway.listeners` names none: add one, e.g. `listeners = { default = 80 }`".to_owned()
            } else {
                format!(
                    "the HTTPRoute attaches to a listener of [gateway]; use one of: {}",
                    names.join(", ")
                )
            }),
        );
    }
    // The picker routes to pods directly: with no pod left, nothing wakes a Knative service
    // (a Deployment's scaling is the workload rules').
    if stack.scaling.min.value == 0 && stack.workload.value == Workload::Knative {
        out.push(
            error(Code::ScaleBounds, stack.scaling.min.span, "scale to zero", format!("`scaling.min` = 0 cannot work with the {} profile's InferencePool: {SCALE_FROM_ZERO}", stack.profile.as_str()))
                .with_help("set min to 1 or more, or use the \"ack\" profile, whose platform gateway wakes the service"),
        );
    }
    if stack.profile == Profile::GatewayApi && provider.value == Provider::Ack {
        out.push(
            Diagnostic::warning(Code::InvalidValue, Label::new(provider.span, "ack provider"), "`gateway.provider` is \"ack\" with the gateway-api profile".to_owned())
                .with_help("ACK documents the inference.networking.x-k8s.io versions: use the \"ack-explicit\" profile"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_durations() {
        for ok in ["300s", "1h30m", "500ms", "0s", "1h2m3s4ms"] {
            assert!(is_gateway_duration(ok), "{ok}");
        }
        for bad in ["", "5", "1d", "100000s", "1h2m3s4ms5h", "-1s", "1.5s"] {
            assert!(!is_gateway_duration(bad), "{bad}");
        }
    }
}
