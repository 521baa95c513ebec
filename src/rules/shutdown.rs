//! Shutdown: on every rollout and scale-down the old pods get SIGTERM and then, after their
//! grace period, SIGKILL. Knative sets a revision pod's grace period to the revision's
//! `timeoutSeconds` (`pod.TerminationGracePeriodSeconds = rev.Spec.TimeoutSeconds`,
//! knative/serving `pkg/reconciler/revision/resources/deploy.go`), which inferstack sets from
//! `engine.request_timeout`. Whatever drains after that is cut mid-stream.

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity};
use crate::k8s::Object;
use crate::resolve::ResolvedStack;

use super::cross::index::{ObjectIndex, Sink, finding, picker_ref, timed_pool_routes};
use crate::engine::parallel::extra_flag as flag;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    engine_drain(stack, out);
}

/// vLLM's `--shutdown-timeout` (seconds it drains in-flight requests after SIGTERM, vLLM's
/// graceful-shutdown path, from 0.18.0) must end inside the grace period Knative gives the pod.
fn engine_drain(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some((span, value)) = flag(stack, &["--shutdown-timeout"]) else {
        return;
    };
    let Ok(drain) = value.trim().parse::<i64>() else {
        return;
    };
    let grace = &stack.engine.request_timeout;
    if drain > grace.value {
        out.push(
            Diagnostic::error(
                Code::ShutdownExceedsGrace,
                Label::new(span, "longer than the grace period"),
                format!(
                    "the server drains for up to {drain} s after SIGTERM but Knative kills the pod after {} s (the revision's timeoutSeconds, from `engine.request_timeout`)",
                    grace.value
                ),
            )
            .with_secondary(Label::new(grace.span, "grace period"))
            .with_help(format!("set --shutdown-timeout to at most {} or raise `engine.request_timeout`", grace.value)),
        );
    }
}

/// The endpoint picker holds an ext-proc stream for every request through the pool: its pods
/// must outlive the longest request the routes to the pool allow, or a picker rollout cuts
/// them all.
pub(super) fn pickers(cx: &ObjectIndex<'_>, objects: &[Object], out: &mut Sink) {
    for timed in timed_pool_routes(cx, objects) {
        let namespace = timed.pool.id.namespace.as_deref();
        let Some(picker) = picker_ref(timed.pool)
            .1
            .and_then(|name| cx.find("apps", "Deployment", namespace, name))
        else {
            continue;
        };
        // Kubernetes' default grace period is 30 s.
        let grace = picker
            .body
            .pointer("/spec/template/spec/terminationGracePeriodSeconds")
            .and_then(Value::as_i64)
            .unwrap_or(30);
        if grace < timed.seconds {
            finding(
                out,
                Severity::Error,
                Code::PickerGraceShort,
                picker,
                "/spec/template/spec/terminationGracePeriodSeconds",
                format!(
                    "the picker's pods get {grace} s to drain, but {} lets requests through it run {} s",
                    timed.route.id, timed.seconds
                ),
                "set the picker Deployment's terminationGracePeriodSeconds to at least the route's request timeout",
            );
        }
    }
}
