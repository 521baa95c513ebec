//! Time budgets, end to end. A request crosses several clocks (the gateway's, the HTTPRoute's,
//! Knative's revision timeout, the endpoint picker's queue) and a start-up crosses others (the
//! startup probe, Knative's progress deadline); the shortest one wins, silently, as a 504 in the
//! middle of a stream or a revision marked failed while the weights are still loading.

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity};
use crate::duration;
use crate::k8s::Object;
use crate::k8s::value::{array, text};
use crate::resolve::{Autoscaler, Provider, ResolvedStack, Workload};

use super::cross::index::{ObjectIndex, Sink, finding, selected_workloads, timed_pool_routes};
use super::facts::{GIB, ModelFacts};

/// GKE's Gateway controller creates a Cloud Load Balancing backend service per backend, whose
/// timeout defaults to 30 s ("The default is 30 seconds", Compute Engine API's
/// `BackendService.timeoutSec`); HTTPRoute `timeouts` are refused there, so only a
/// `GCPBackendPolicy` (`spec.default.timeoutSec`) raises it.
pub const GKE_BACKEND_TIMEOUT_SECONDS: i64 = 30;

/// How long the endpoint picker keeps a request queued before evicting it when flow control
/// queues it (`defaultRequestTTL = 60 * time.Second` in llm-d-router v0.10.0
/// `pkg/epp/flowcontrol/controller/config.go`).
pub const PICKER_QUEUE_TTL_SECONDS: i64 = 60;

/// Knative's default progress deadline (`ProgressDeadlineDefault = 600 * time.Second` in
/// knative/serving `pkg/deployment/config.go`): a revision whose pods are not ready by then is
/// marked failed.
pub const KNATIVE_PROGRESS_DEADLINE_SECONDS: i64 = 600;

/// The fastest weight load seen in the sources inferstack reads, as a bound: GKE's inference
/// reference architecture loads Llama-3.1-8B's 14.99 GiB from Cloud Storage in 15.0 s with the
/// Run:ai model streamer ("Model loading took 14.99 GiB memory and 15.038281 seconds"), and in
/// 50.6 s with vLLM's default loader. A start-up budget shorter than the weights take at this
/// rate cannot be met, whatever the bucket.
pub const FASTEST_LOAD_BYTES_PER_SECOND: f64 = GIB;

pub fn check(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    route_timeout(stack, out);
    gke_backend_timeout(stack, out);
    cold_start(stack, out);
    load_time(stack, model, out);
}

/// Weights read from a bucket or the hub at no more than [`FASTEST_LOAD_BYTES_PER_SECOND`]
/// must fit in `engine.startup_timeout`, or the startup probe restarts the server mid-load,
/// again and again.
fn load_time(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    let Some(parameters) = model.parameters else {
        return;
    };
    if !stack.engine.kind.value.is_modelled() || !stack.model.source.fetched_while_loading() {
        return;
    }
    let Some(bytes) = super::memory::weight_bytes(stack, model) else {
        return;
    };
    let weights = parameters * bytes;
    let seconds = (weights / FASTEST_LOAD_BYTES_PER_SECOND).ceil();
    let budget = &stack.engine.startup_timeout;
    if seconds > budget.value as f64 {
        out.push(
            Diagnostic::warning(
                Code::StartupTooShort,
                Label::new(budget.span, "shorter than the load"),
                format!(
                    "`engine.startup_timeout` allows {} s, but reading {:.1} GiB of weights from {}:// takes at least {seconds} s (at 1 GiB/s, the fastest load measured)",
                    budget.value,
                    weights / GIB,
                    stack.model.source.scheme().name
                ),
            )
            .with_help(format!("raise `engine.startup_timeout` well above {seconds} s (\"30m\" is common for tens of GiB from a bucket)")),
        );
    }
}

/// A route timeout written in `inference.timeout` shorter than `engine.request_timeout` cuts
/// the streams the revision still serves.
fn route_timeout(stack: &ResolvedStack, out: &mut Diagnostics) {
    let i = &stack.inference;
    let Some(timeout) = i.timeout.as_ref().filter(|_| i.timeout_written) else {
        return;
    };
    let Some(route) = duration::whole_seconds(&timeout.value) else {
        return;
    };
    let request = &stack.engine.request_timeout;
    if route < request.value {
        out.push(
            Diagnostic::error(
                Code::TimeoutMismatch,
                Label::new(timeout.span, "shorter than the request timeout"),
                format!(
                    "`inference.timeout` = \"{}\" ({route} s) cuts requests that `engine.request_timeout` allows ({} s)",
                    timeout.value, request.value
                ),
            )
            .with_secondary(Label::new(request.span, "request timeout"))
            .with_help("remove `inference.timeout` (the route then takes `engine.request_timeout`) or make it at least as long"),
        );
    }
}

/// On GKE the route carries no timeout, so the load balancer's 30 s default applies.
fn gke_backend_timeout(stack: &ResolvedStack, out: &mut Diagnostics) {
    let request = &stack.engine.request_timeout;
    if stack.gateway.provider.value != Provider::Gke || request.value <= GKE_BACKEND_TIMEOUT_SECONDS
    {
        return;
    }
    out.push(
        Diagnostic::warning(
            Code::GatewayDefaultTimeout,
            Label::new(request.span, "longer than the load balancer's timeout"),
            format!(
                "`engine.request_timeout` allows {} s but GKE's load balancer cuts a request after its default {GKE_BACKEND_TIMEOUT_SECONDS} s",
                request.value
            ),
        )
        .with_secondary(Label::new(stack.gateway.provider.span, "GKE gateway"))
        .with_help(format!(
            "apply a GCPBackendPolicy with `timeoutSec: {}` to the service (GKE refuses HTTPRoute timeouts)",
            request.value
        )),
    );
}

/// A service that may scale to zero answers its first request only after the model loaded;
/// a queue that evicts sooner turns every cold start into errors.
fn cold_start(stack: &ResolvedStack, out: &mut Diagnostics) {
    let startup = &stack.engine.startup_timeout;
    // Knative and KEDA scale from zero; a Deployment at zero otherwise is the workload rules'
    // error.
    let from_zero = stack.workload.value == Workload::Knative
        || stack.scaling.autoscaler.value == Autoscaler::Keda;
    if !from_zero || stack.scaling.min.value != 0 || startup.value <= PICKER_QUEUE_TTL_SECONDS {
        return;
    }
    out.push(
        Diagnostic::warning(
            Code::ColdStartExceedsQueue,
            Label::new(stack.scaling.min.span, "scales to zero"),
            format!(
                "a cold start may take up to `engine.startup_timeout` = {} s, but the inference gateway evicts a queued request after {PICKER_QUEUE_TTL_SECONDS} s",
                startup.value
            ),
        )
        .with_secondary(Label::new(startup.span, "start-up budget"))
        .with_help(if stack.resources.gpus.value > 0 {
            "keep one replica warm (`scaling.min = 1`); a GPU model server rarely loads in under a minute"
        } else {
            "keep one replica warm (`scaling.min = 1`), or lower `engine.startup_timeout` to what loading this model on CPU takes"
        }),
    );
}

/// Knative's default revision timeout (`revision-timeout-seconds: "300"` in config-defaults'
/// documented defaults, knative/serving `config/core/configmaps/defaults.yaml`).
pub const KNATIVE_REVISION_TIMEOUT_SECONDS: i64 = 300;

/// Rule across objects: an HTTPRoute's request timeout must be at least the revision timeout
/// of the Knative Services behind the InferencePools it routes to; the shorter clock cuts the
/// streams the revision still serves.
pub(super) fn routes(cx: &ObjectIndex<'_>, objects: &[Object], out: &mut Sink) {
    for timed in timed_pool_routes(cx, objects) {
        let services = selected_workloads(cx, timed.pool)
            .into_iter()
            .filter(|o| o.id.group() == crate::k8s::knative::GROUP);
        for service in services {
            let revision = service
                .body
                .pointer("/spec/template/spec/timeoutSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(KNATIVE_REVISION_TIMEOUT_SECONDS);
            if timed.seconds < revision {
                finding(
                    out,
                    Severity::Error,
                    Code::TimeoutMismatch,
                    timed.route,
                    &format!("/spec/rules/{}/timeouts/request", timed.rule),
                    format!(
                        "the route cuts requests after {} s, but {} serves them for up to {revision} s (timeoutSeconds)",
                        timed.seconds, service.id
                    ),
                    "make the route's request timeout at least the revision's timeoutSeconds (a stack sets both from `engine.request_timeout`)",
                );
            }
        }
    }
}

/// Object rule on a Knative Service: its startup probe's budget must end before the progress
/// deadline, or Knative fails the revision while the probe would still have waited.
pub(super) fn service(service: &Object, out: &mut Sink) {
    let annotation = text(
        &service.body,
        "/spec/template/metadata/annotations/serving.knative.dev~1progress-deadline",
    );
    let deadline = annotation
        .and_then(duration::whole_seconds)
        .unwrap_or(KNATIVE_PROGRESS_DEADLINE_SECONDS);
    for (c, container) in array(&service.body, "/spec/template/spec/containers")
        .iter()
        .enumerate()
    {
        let Some(probe) = container.get("startupProbe") else {
            continue;
        };
        let field =
            |name: &str, default: i64| probe.get(name).and_then(Value::as_i64).unwrap_or(default);
        // Kubernetes' defaults: periodSeconds 10, failureThreshold 3, initialDelaySeconds 0.
        let budget = field("initialDelaySeconds", 0).saturating_add(
            field("failureThreshold", 3).saturating_mul(field("periodSeconds", 10)),
        );
        if budget > deadline {
            let whence = annotation.map_or(format!("Knative's default {deadline} s"), |a| {
                format!("progress-deadline {a}")
            });
            finding(
                out,
                Severity::Error,
                Code::StartupDeadline,
                service,
                &format!("/spec/template/spec/containers/{c}/startupProbe"),
                format!(
                    "the startup probe waits up to {budget} s but {whence} fails the revision first"
                ),
                "raise the serving.knative.dev/progress-deadline annotation above the probe's budget (initialDelaySeconds + failureThreshold × periodSeconds), or shorten the probe",
            );
        }
    }
}
