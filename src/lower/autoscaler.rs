//! What scales a Deployment or LeaderWorkerSet workload (`scaling.autoscaler`): an autoscaling/v2
//! HorizontalPodAutoscaler on the server's queue, or a KEDA ScaledObject on the server's queue
//! and the router's. The queue gauges are the ones the router reads (the engine's
//! `queue_metric`) and llm-d-router v0.10.0's `llm_d_epp_flow_control_queue_size`
//! (`pkg/epp/metrics/llm_d_router_metrics.go`, labels `inference_pool`, `model_name`, ...).

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
    MetricIdentifier, MetricSpec, MetricTarget, PodsMetricSource,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::inference::id;
use crate::engine;
use crate::k8s::keda::{self, ScaleTarget, ScaledObject, ScaledObjectSpec, Trigger};
use crate::k8s::lws;
use crate::k8s::{Object, Sharing};
use crate::resolve::{Autoscaler, ResolvedStack, Workload};

/// Queued requests per replica when `scaling.target` is not written: the `averageValue` of
/// llm-d's HPA example on `vllm:num_requests_waiting` (llm-d main-08664ca6
/// `guides/pd-disaggregation/README.ds.md`, "Autoscaling Roles with HPA").
pub const DEFAULT_QUEUE_TARGET: f64 = 10.0;

/// The router's gauge of requests it holds in flow control, per pool.
pub const ROUTER_QUEUE_METRIC: &str = "llm_d_epp_flow_control_queue_size";

/// The autoscaler's object, if the stack has one that inferstack emits.
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let Some(metric) = engine::of(stack).queue_metric() else {
        // The stack rules refuse an autoscaler for a server without a known queue metric.
        return Ok(Vec::new());
    };
    match stack.scaling.autoscaler.value {
        Autoscaler::Hpa => Ok(vec![hpa(stack, metric)?]),
        Autoscaler::Keda => Ok(vec![scaled_object(stack, metric)?]),
        Autoscaler::Knative | Autoscaler::None => Ok(Vec::new()),
    }
}

/// The object scaled, by its `scale` subresource: the Deployment, or the LeaderWorkerSet, whose
/// replicas are groups and whose `status.hpaPodSelector` selects their leaders (LWS v0.10.0
/// CRD, `subresources.scale.labelSelectorPath`), the pods that report the queue.
fn scale_target(stack: &ResolvedStack) -> (&'static str, &'static str) {
    match stack.workload.value {
        Workload::LeaderWorkerSet => (lws::API_VERSION, lws::KIND),
        Workload::Knative | Workload::Deployment => ("apps/v1", "Deployment"),
    }
}

/// The target as a Kubernetes quantity or KEDA threshold: `10`, `2.5`.
fn target(stack: &ResolvedStack) -> String {
    let target = stack.scaling.target.as_ref().map(|t| t.value);
    target.unwrap_or(DEFAULT_QUEUE_TARGET).to_string()
}

fn hpa(stack: &ResolvedStack, metric: &str) -> anyhow::Result<Object> {
    let s = &stack.service;
    let hpa = HorizontalPodAutoscaler {
        metadata: super::metadata(&s.name.value, Some(&s.namespace.value), []),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some(scale_target(stack).0.to_owned()),
                kind: scale_target(stack).1.to_owned(),
                name: s.name.value.clone(),
            },
            min_replicas: Some(i32::try_from(stack.scaling.min.value).unwrap_or(i32::MAX)),
            max_replicas: i32::try_from(stack.scaling.max.value).unwrap_or(i32::MAX),
            metrics: Some(vec![MetricSpec {
                type_: "Pods".to_owned(),
                pods: Some(PodsMetricSource {
                    metric: MetricIdentifier {
                        name: metric.to_owned(),
                        selector: None,
                    },
                    target: MetricTarget {
                        type_: "AverageValue".to_owned(),
                        average_value: Some(Quantity(target(stack))),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    };
    let id = id(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        stack,
        &s.name.value,
    );
    Ok(
        Object::new(id, &hpa, stack.scaling.autoscaler.span, Sharing::Owned)?
            .with_origin("/spec/minReplicas", stack.scaling.min.span)
            .with_origin("/spec/maxReplicas", stack.scaling.max.span),
    )
}

/// The server's queue summed over the pods that serve (`Workload::serving_pods`), and with flow
/// control the router's queue for the pool, which is what wakes an empty pool: the router holds
/// requests while no pod is ready.
fn scaled_object(stack: &ResolvedStack, metric: &str) -> anyhow::Result<Object> {
    let s = &stack.service;
    let (name, namespace) = (&s.name.value, &s.namespace.value);
    let server = stack
        .scaling
        .prometheus
        .as_ref()
        .map_or_else(String::new, |p| p.value.clone());
    let trigger = |name: &'static str, query: String| Trigger {
        kind: "prometheus",
        name,
        metadata: BTreeMap::from([
            ("serverAddress", server.clone()),
            ("query", query),
            ("threshold", target(stack)),
        ]),
    };
    let mut triggers = vec![trigger(
        "server-queue",
        format!(
            "sum({metric}{{namespace=\"{namespace}\",pod=~\"{}\"}})",
            stack.workload.value.serving_pods(name)
        ),
    )];
    if stack.inference.fairness.is_some() {
        triggers.push(trigger(
            "router-queue",
            format!(
                "sum({ROUTER_QUEUE_METRIC}{{namespace=\"{namespace}\",inference_pool=\"{name}\"}})"
            ),
        ));
    }
    let scaled = ScaledObject {
        api_version: keda::API_VERSION,
        kind: "ScaledObject",
        metadata: super::metadata(name, Some(namespace), []),
        spec: ScaledObjectSpec {
            scale_target_ref: ScaleTarget {
                api_version: scale_target(stack).0,
                kind: scale_target(stack).1,
                name: name.clone(),
            },
            min_replica_count: stack.scaling.min.value,
            max_replica_count: stack.scaling.max.value,
            triggers,
        },
    };
    let id = id(keda::API_VERSION, "ScaledObject", stack, name);
    Ok(
        Object::new(id, &scaled, stack.scaling.autoscaler.span, Sharing::Owned)?
            .with_origin("/spec/minReplicaCount", stack.scaling.min.span)
            .with_origin("/spec/maxReplicaCount", stack.scaling.max.span),
    )
}
