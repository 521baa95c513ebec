//! Probes: `validateProbe`, `validateReadinessProbe` and the sidecar rules of
//! `validateSidecarContainer` in `pkg/apis/serving/k8s_validation.go` (knative/serving
//! `knative-v1.23.0`). They run on the defaulted spec, so an unset readiness probe of the serving
//! container is already Knative's TCP probe.

use serde_json::Value;

use super::Admission;
use super::features::Feature;
use super::masks::{self, HANDLERS};
use crate::diag::Code;

/// The serving port: the first port of any container, named `http` and numbered 8080 when
/// unset (`validateContainersPorts`).
pub struct ServingPort {
    pub name: String,
}

const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

/// The serving container's probes: a named probe port must be the container port's name.
pub fn user_container(cx: &mut Admission, container: &Value, at: &str, port: &ServingPort) {
    for kind in PROBES {
        if let Some(probe) = container.get(kind).filter(|p| p.is_object()) {
            let here = format!("{at}/{kind}");
            probe_rules(cx, probe, &here, Some(port));
            if kind == "readinessProbe" {
                readiness(cx, probe, &here);
            }
        }
    }
}

/// A sidecar's probes: none at all unless `multi-container-probing` is enabled, and then each
/// with an explicit port.
pub fn sidecar(cx: &mut Admission, container: &Value, at: &str) {
    let probing = cx.config.features.enabled(Feature::MultiContainerProbing);
    for kind in PROBES {
        let Some(probe) = container.get(kind).filter(|p| p.is_object()) else {
            continue;
        };
        let here = format!("{at}/{kind}");
        if probing {
            probe_rules(cx, probe, &here, None);
            if kind == "readinessProbe" {
                readiness(cx, probe, &here);
            }
        } else if probe
            .as_object()
            .is_some_and(|p| p.values().any(|v| masks::is_set(v, false)))
        {
            let problem = format!(
                "a sidecar (a container without ports) may have a {kind} only with \
                 multi-container probing"
            );
            cx.feature_off(
                here,
                Feature::MultiContainerProbing,
                problem,
                ", or remove the probe",
            );
        }
    }
}

/// `validateProbe`: field masks, exactly one handler, and the handler's port.
fn probe_rules(cx: &mut Admission, probe: &Value, at: &str, port: Option<&ServingPort>) {
    masks::check(cx, probe, at, &masks::PROBE);
    let mut handlers = Vec::new();
    for (name, mask) in &HANDLERS {
        let Some(handler) = probe.get(*name).filter(|h| !h.is_null()) else {
            continue;
        };
        handlers.push(*name);
        let here = format!("{at}/{name}");
        masks::check(cx, handler, &here, mask);
        if !matches!(*name, "httpGet" | "tcpSocket") {
            continue;
        }
        let value = handler.get("port");
        match (port, value) {
            (Some(port), Some(Value::String(named)))
                if !named.is_empty() && *named != port.name =>
            {
                cx.push(
                    Code::KnativeProbe,
                    format!("{here}/port"),
                    format!(
                        "invalid value {named:?}: Probe port must match container port, whose \
                         name is {:?}; use that name, or leave the port out (Knative probes \
                         the container port)",
                        port.name
                    ),
                );
            }
            (None, None | Some(Value::Null)) => unspecified(cx, &here),
            (None, Some(Value::String(s))) if s.is_empty() => unspecified(cx, &here),
            (None, Some(Value::Number(n))) if n.as_i64() == Some(0) => unspecified(cx, &here),
            _ => {}
        }
    }
    match handlers.len() {
        0 => cx.push(
            Code::KnativeProbe,
            at.to_owned(),
            "expected exactly one, got neither: httpGet, tcpSocket, exec, grpc; give the probe \
             one handler"
                .to_owned(),
        ),
        1 => {}
        _ => cx.push(
            Code::KnativeProbe,
            at.to_owned(),
            format!(
                "expected exactly one, got both: {}; keep one handler",
                handlers.join(", ")
            ),
        ),
    }
}

fn unspecified(cx: &mut Admission, at: &str) {
    cx.push(
        Code::KnativeProbe,
        format!("{at}/port"),
        "Probe port must be specified: a sidecar's probe has no container port to fall back on"
            .to_owned(),
    );
}

/// `validateReadinessProbe`: bounds, and Knative's aggressive mode when `periodSeconds` is 0.
fn readiness(cx: &mut Admission, probe: &Value, at: &str) {
    let int = |k: &str| probe.get(k).and_then(Value::as_i64).unwrap_or(0);
    let mut bound = |field: &str, min: i64| {
        let value = int(field);
        if value < min {
            cx.push(
                Code::KnativeProbe,
                format!("{at}/{field}"),
                super::out_of_bounds(field, value, min, 2147483647),
            );
        }
    };
    bound("periodSeconds", 0);
    bound("initialDelaySeconds", 0);
    bound("successThreshold", 1);
    if int("periodSeconds") == 0 {
        for field in ["failureThreshold", "timeoutSeconds"] {
            if int(field) != 0 {
                cx.push(
                    Code::KnativeProbe,
                    format!("{at}/{field}"),
                    format!(
                        "{field} is disallowed when periodSeconds is zero: periodSeconds 0 (or \
                         unset) selects the queue-proxy's own aggressive probing until the container is ready; remove \
                         {field}, or set periodSeconds"
                    ),
                );
            }
        }
    } else {
        bound("timeoutSeconds", 1);
        bound("failureThreshold", 1);
    }
}
