//! Autoscaling traps: configurations the Knative autoscaler accepts and then follows somewhere
//! nobody meant, buying GPU nodes it does not need or never scaling at all.

use serde_json::Value;

use crate::diag::{Code, Severity};
use crate::k8s::Object;
use crate::k8s::epp_config::METRICS_DATA_SOURCE;
use crate::k8s::knative::QUEUE_PROXY_PORT as QUEUE_PROXY_PORT_I32;
use crate::k8s::value::{array, text};

use super::cross::index::{ObjectIndex, Sink, finding, picker_ref, selected_workloads};

/// Knative's queue-proxy port, which every request to a revision passes through.
const QUEUE_PROXY_PORT: i64 = QUEUE_PROXY_PORT_I32 as i64;

const ANNOTATIONS: &str = "/spec/template/metadata/annotations";

fn annotation<'v>(service: &'v Object, key: &str) -> Option<&'v str> {
    text(
        &service.body,
        &format!("{ANNOTATIONS}/autoscaling.knative.dev~1{key}"),
    )
}

/// Object rules on a Knative Service.
pub(super) fn service(service: &Object, out: &mut Sink) {
    unbounded_gpu_scale(service, out);
    target_above_limit(service, out);
}

/// A revision that requests GPUs without `max-scale` may scale out as far as load pushes it:
/// `max-scale` defaults to 0, "no maximum" (`max-scale: "0"` in config-autoscaler's documented
/// defaults, knative/serving `config/core/configmaps/autoscaler.yaml`).
fn unbounded_gpu_scale(service: &Object, out: &mut Sink) {
    let requests_gpus = array(&service.body, "/spec/template/spec/containers")
        .iter()
        .any(|c| {
            ["/resources/limits", "/resources/requests"]
                .iter()
                .any(|p| {
                    c.pointer(p)
                        .and_then(Value::as_object)
                        .is_some_and(|r| r.keys().any(|k| k.ends_with("/gpu")))
                })
        });
    // A value that is not a string is the schema's finding, not an absent bound.
    let max = service
        .body
        .pointer(&format!("{ANNOTATIONS}/autoscaling.knative.dev~1max-scale"));
    let unbounded = max.is_none_or(|m| m.as_str().is_some_and(|m| m.trim() == "0"));
    if requests_gpus && unbounded {
        finding(
            out,
            Severity::Warning,
            Code::UnboundedGpuScale,
            service,
            ANNOTATIONS,
            "the revision requests GPUs but sets no autoscaling.knative.dev/max-scale, so Knative may add a GPU pod (and a GPU node) for every burst".to_owned(),
            "set autoscaling.knative.dev/max-scale to the most replicas the GPU budget allows (`scaling.max` in a stack), unless config-autoscaler's max-scale bounds it cluster-wide",
        );
    }
}

/// With the concurrency metric, Knative aims at min(target, containerConcurrency)
/// (`ResolveMetricTarget` in knative/serving `pkg/reconciler/autoscaling/resources/target.go`):
/// a target above the hard limit is silently lowered, and the written one never applies.
fn target_above_limit(service: &Object, out: &mut Sink) {
    let limit = service
        .body
        .pointer("/spec/template/spec/containerConcurrency")
        .and_then(Value::as_i64)
        .filter(|c| *c > 0);
    let metric = annotation(service, "metric").unwrap_or("concurrency");
    let target = annotation(service, "target").and_then(|t| t.trim().parse::<f64>().ok());
    if let (Some(limit), Some(target), "concurrency") = (limit, target, metric)
        && target > limit as f64
    {
        finding(
            out,
            Severity::Error,
            Code::TargetAboveConcurrencyLimit,
            service,
            &format!("{ANNOTATIONS}/autoscaling.knative.dev~1target"),
            format!(
                "target {target} is above containerConcurrency {limit}: Knative scales at {limit}, not at the target written"
            ),
            "make the target at most containerConcurrency (inferstack's stacks set no hard limit), or raise the limit",
        );
    }
}

/// The endpoint picker scrapes `/metrics` on the pool's target port unless told another
/// (`--model-server-metrics-port`, GIE v1.0 `cmd/epp/runner/runner.go`: "Default value will be
/// set to the InferencePool.Spec.TargetPorts[0].Number if not set"; llm-d-router's
/// `metrics-data-source` `port`). When that port is Knative's queue-proxy, every scrape (one
/// per refresh interval, 50 ms by default) is a request to the autoscaler: with `rps` the
/// service scales on scrapes, and with `concurrency` it never sees zero load.
pub(super) fn pools(cx: &ObjectIndex<'_>, objects: &[Object], out: &mut Sink) {
    for pool in objects.iter().filter(|o| {
        o.id.kind == "InferencePool" && o.id.group().starts_with("inference.networking")
    }) {
        let (pointer, port) = match pool.body.pointer("/spec/targetPorts/0/number") {
            Some(p) => ("/spec/targetPorts/0/number", p.as_i64()),
            None => (
                "/spec/targetPortNumber",
                pool.body
                    .pointer("/spec/targetPortNumber")
                    .and_then(Value::as_i64),
            ),
        };
        if port != Some(QUEUE_PROXY_PORT) {
            continue;
        }
        let services: Vec<&Object> = selected_workloads(cx, pool)
            .into_iter()
            .filter(|o| o.id.group() == crate::k8s::knative::GROUP)
            .collect();
        let Some(name) = picker_ref(pool).1 else {
            continue;
        };
        let namespace = pool.id.namespace.as_deref();
        let Some(picker) = cx.find("apps", "Deployment", namespace, name) else {
            continue;
        };
        if services.is_empty() || scrapes_elsewhere(picker) {
            continue;
        }
        let rps = services
            .iter()
            .any(|s| annotation(s, "metric") == Some("rps"));
        let names: Vec<String> = services.iter().map(|s| s.id.to_string()).collect();
        finding(
            out,
            if rps {
                Severity::Error
            } else {
                Severity::Warning
            },
            Code::MetricsThroughQueueProxy,
            pool,
            pointer,
            format!(
                "the endpoint picker {} scrapes /metrics through Knative's queue-proxy port {QUEUE_PROXY_PORT}, so the autoscaler of {} counts every scrape as a request{}",
                picker.id,
                names.join(", "),
                if rps {
                    " and scales on scrapes (metric rps)"
                } else {
                    ""
                }
            ),
            "point the picker at the model server's own port: `--model-server-metrics-port <port>` (GIE v1.0) or the metrics-data-source plugin's `port` parameter in its EndpointPickerConfig (llm-d-router); inferstack's own pickers do this",
        );
    }
}

/// Whether the picker's arguments move the scrape off the pool's port.
fn scrapes_elsewhere(picker: &Object) -> bool {
    array(&picker.body, "/spec/template/spec/containers")
        .iter()
        .any(|c| {
            let args: Vec<&str> = array(c, "/args").iter().filter_map(Value::as_str).collect();
            args.iter().enumerate().any(|(i, arg)| {
                let (name, inline) = arg.split_once('=').unwrap_or((arg, ""));
                let value = if inline.is_empty() {
                    args.get(i + 1).copied().unwrap_or("")
                } else {
                    inline
                };
                match name {
                    "--model-server-metrics-port" => value
                        .trim()
                        .parse::<i64>()
                        .is_ok_and(|p| p != QUEUE_PROXY_PORT),
                    "--config-text" => config_sets_port(value),
                    _ => false,
                }
            })
        })
}

/// Whether an EndpointPickerConfig text gives the metrics source a port of its own.
fn config_sets_port(config: &str) -> bool {
    crate::yaml::parse(config).documents.iter().any(|d| {
        array(&d.value, "/plugins").iter().any(|p| {
            text(p, "/type") == Some(METRICS_DATA_SOURCE)
                && p.pointer("/parameters/port")
                    .and_then(Value::as_i64)
                    .is_some_and(|port| port != QUEUE_PROXY_PORT)
        })
    })
}
