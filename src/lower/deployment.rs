//! `workload = "deployment"`: the server's pod (`pod.rs`) in an apps/v1 Deployment of
//! `scaling.min` replicas, and a Service of the server's port, as llm-d's guides run model
//! servers behind the InferencePool (llm-d `guides/recipes/modelserver/base/single-host/default/
//! decode-deployment.yaml` at main-08664ca6: a Deployment per role, its pods selected by label).

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{PodSpec, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::inference::{id, pod_selector};
use super::pod;
use crate::engine::Member;
use crate::k8s::disaggregation::ROLE_LABEL;
use crate::k8s::{Object, Sharing};
use crate::resolve::{Autoscaler, ResolvedStack};

/// The Deployment and its Service, both named after the service.
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    Ok(vec![deployment(stack)?, service(stack)?])
}

fn deployment(stack: &ResolvedStack) -> anyhow::Result<Object> {
    deployment_of(stack, pod::pod_spec(stack, Member::Whole)?)
}

/// The Deployment of `spec`'s pods: the stack's, or of one role of a disaggregated stack
/// (`<name>-<role>`, its pods labelled with the role as well).
pub(super) fn deployment_of(stack: &ResolvedStack, spec: PodSpec) -> anyhow::Result<Object> {
    let s = &stack.service;
    let mut selector = pod_selector(stack);
    let name = match stack.role {
        Some(role) => {
            selector.insert(ROLE_LABEL.to_owned(), role.as_str().to_owned());
            format!("{}-{}", s.name.value, role.as_str())
        }
        None => s.name.value.clone(),
    };
    let mut pod_labels = pod::pod_labels(stack);
    pod_labels.extend(selector.clone());
    let deployment = Deployment {
        metadata: super::metadata(&name, Some(&s.namespace.value), pod::user_labels(stack)),
        spec: Some(DeploymentSpec {
            replicas: replicas(stack),
            selector: LabelSelector {
                match_labels: Some(selector),
                ..LabelSelector::default()
            },
            progress_deadline_seconds: Some(
                i32::try_from(pod::progress_deadline_seconds(stack)).unwrap_or(i32::MAX),
            ),
            template: pod::template(stack, pod_labels, spec),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    };
    let e = &stack.engine;
    Ok(Object::new(
        id("apps/v1", "Deployment", stack, &name),
        &deployment,
        s.name.span,
        Sharing::Owned,
    )?
    .with_origin("/spec/replicas", stack.scaling.min.span)
    .with_origin("/spec/template/spec/containers/0/image", e.image.span)
    .with_origin("/spec/template/spec/containers/0/env", e.span)
    .with_origin("/spec/template/spec/containers/0/args", e.span))
}

/// `scaling.min` without an autoscaler (the rules refuse 0: nothing would scale it up); none
/// with one, which owns the field, so a GitOps sync does not reset what it scaled.
pub(super) fn replicas(stack: &ResolvedStack) -> Option<i32> {
    (stack.scaling.autoscaler.value == Autoscaler::None)
        .then(|| i32::try_from(stack.scaling.min.value.max(1)).unwrap_or(i32::MAX))
}

/// A ClusterIP Service of the server's port, for clients inside the cluster and for tools that
/// find workloads by Service; the gateway reaches the pods through the InferencePool.
pub(super) fn service(stack: &ResolvedStack) -> anyhow::Result<Object> {
    service_named(stack, &stack.service.name.value)
}

/// The same Service under another name.
pub(super) fn service_named(stack: &ResolvedStack, name: &str) -> anyhow::Result<Object> {
    let s = &stack.service;
    let port = i32::try_from(stack.engine.port.value).unwrap_or_default();
    let service = Service {
        metadata: super::metadata(name, Some(&s.namespace.value), []),
        spec: Some(ServiceSpec {
            selector: Some(pod_selector(stack)),
            ports: Some(vec![ServicePort {
                name: Some("http".to_owned()),
                port,
                target_port: Some(IntOrString::Int(port)),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    };
    Object::new(
        id("v1", "Service", stack, name),
        &service,
        s.name.span,
        Sharing::Owned,
    )
}
