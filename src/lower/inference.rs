//! The Inference Extension objects of the explicit profiles: the InferencePool over the
//! service's pods and the InferenceObjective with its priority (the route to the pool is
//! `routes.rs`).

use std::collections::BTreeMap;

use super::picker::{EPP_GRPC_PORT, picker_name};
use crate::k8s::inference::{
    EndpointPickerRef, ExtensionRef, InferenceObjective, InferencePool, LabelSelector,
    ObjectiveSpec, PoolRef, PoolSpecV1, PoolSpecV1Alpha2, PortNumber,
};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;
use crate::resolve::profile::InferenceApis;

use crate::k8s::knative::{QUEUE_PROXY_PORT, SERVICE_LABEL as KNATIVE_SERVICE_LABEL};
use crate::k8s::workload::{INSTANCE_LABEL, LWS_WORKER_INDEX_LABEL};
use crate::resolve::Workload;

/// The picker may be down briefly (restarts, rollouts); the gateway then balances plainly
/// instead of failing requests to a paid GPU pool.
const FAILURE_MODE: &str = "FailOpen";

/// Labels every pod that serves HTTP carries, for the pool's selector: Knative's own, the one
/// the Deployment gives its pods, or that one and LeaderWorkerSet's index of a group's leader.
pub fn pod_selector(stack: &ResolvedStack) -> BTreeMap<String, String> {
    let name = stack.service.name.value.clone();
    match stack.workload.value {
        Workload::Knative => BTreeMap::from([(KNATIVE_SERVICE_LABEL.to_owned(), name)]),
        Workload::Deployment => BTreeMap::from([(INSTANCE_LABEL.to_owned(), name)]),
        // Only a group's leader serves HTTP.
        Workload::LeaderWorkerSet => BTreeMap::from([
            (INSTANCE_LABEL.to_owned(), name),
            (LWS_WORKER_INDEX_LABEL.to_owned(), "0".to_owned()),
        ]),
    }
}

/// The port the pool sends requests to. For Knative the queue-proxy, not the model server:
/// requests then pass through the queue-proxy, which counts them, so the Knative Pod Autoscaler
/// still sees concurrency (sending them to the container port would bypass it and the service
/// would never scale out). Otherwise the server's own port.
fn target_port(stack: &ResolvedStack) -> i32 {
    match stack.workload.value {
        Workload::Knative => QUEUE_PROXY_PORT,
        Workload::Deployment | Workload::LeaderWorkerSet => {
            i32::try_from(stack.engine.port.value).unwrap_or_default()
        }
    }
}

/// The identity of an object in the service's namespace.
pub(super) fn id(api_version: &str, kind: &str, stack: &ResolvedStack, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        namespace: Some(stack.service.namespace.value.clone()),
        name: name.to_owned(),
    }
}

pub fn inference_pool(stack: &ResolvedStack, apis: &InferenceApis) -> anyhow::Result<Object> {
    let name = &stack.service.name.value;
    let metadata = super::metadata(name, Some(&stack.service.namespace.value), []);
    let picker = picker_name(stack);
    let id = id(apis.pool_api_version, "InferencePool", stack, name);
    let origin = stack.inference.span;
    if apis.pool_api_version.ends_with("/v1alpha2") {
        let pool = InferencePool {
            api_version: apis.pool_api_version,
            kind: "InferencePool",
            metadata,
            spec: PoolSpecV1Alpha2 {
                selector: pod_selector(stack),
                target_port_number: target_port(stack),
                extension_ref: ExtensionRef {
                    name: picker,
                    kind: "Service",
                    port_number: EPP_GRPC_PORT,
                    failure_mode: FAILURE_MODE,
                },
            },
        };
        return Object::new(id, &pool, origin, Sharing::Owned);
    }
    let pool = InferencePool {
        api_version: apis.pool_api_version,
        kind: "InferencePool",
        metadata,
        spec: PoolSpecV1 {
            selector: LabelSelector {
                match_labels: pod_selector(stack),
            },
            target_ports: vec![PortNumber {
                number: target_port(stack),
            }],
            endpoint_picker_ref: EndpointPickerRef {
                name: picker,
                kind: "Service",
                port: PortNumber {
                    number: EPP_GRPC_PORT,
                },
                failure_mode: FAILURE_MODE,
            },
        },
    };
    Object::new(id, &pool, origin, Sharing::Owned)
}

/// The service's InferenceObjective, named after it, and one per adapter, `<service>-<name>`:
/// a request names its objective in the objective header (llm-d-router v0.10.0
/// `pkg/epp/metadata/consts.go`), so a client sends the adapter's objective with the adapter's
/// requests; llm-d-router's regression manifests likewise give each adapter its objective
/// (`config/manifests/regression-testing/inferenceobjective.yaml`).
pub fn inference_objectives(
    stack: &ResolvedStack,
    apis: &InferenceApis,
) -> anyhow::Result<Vec<Object>> {
    let service = &stack.service.name.value;
    let priority = stack.inference.priority.as_ref();
    let mut objects = vec![objective(
        stack,
        apis,
        service,
        priority.map_or(stack.inference.span, |p| p.span),
        priority.map(|p| p.value),
    )?];
    for adapter in &stack.adapters {
        let priority = adapter.priority.as_ref().or(priority);
        objects.push(objective(
            stack,
            apis,
            &format!("{service}-{}", adapter.name.value),
            adapter.span,
            priority.map(|p| p.value),
        )?);
    }
    Ok(objects)
}

fn objective(
    stack: &ResolvedStack,
    apis: &InferenceApis,
    name: &str,
    origin: crate::source::Span,
    priority: Option<i64>,
) -> anyhow::Result<Object> {
    let objective = InferenceObjective {
        api_version: apis.objective_api_version,
        kind: "InferenceObjective",
        metadata: super::metadata(name, Some(&stack.service.namespace.value), []),
        spec: ObjectiveSpec {
            priority,
            pool_ref: PoolRef {
                group: apis.pool_group(),
                kind: "InferencePool",
                name: stack.service.name.value.clone(),
            },
        },
    };
    let id = id(
        apis.objective_api_version,
        "InferenceObjective",
        stack,
        name,
    );
    Object::new(id, &objective, origin, Sharing::Owned)
}
