//! `workload = "leaderworkerset"`: one server instance over `resources.nodes` pods, a
//! LeaderWorkerSet group of a leader and workers, as vLLM's LeaderWorkerSet page runs a model
//! larger than one node (vLLM `docs/deployment/frameworks/lws.md`: a group of two 8-GPU pods,
//! the leader serving HTTP), and a Service of the leaders' port. Each replica is one group.

use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::deployment::{replicas, service_named};
use super::inference::{id, pod_selector};
use super::pod;
use crate::engine::{Member, parallel};
use crate::k8s::lws::{self, LeaderWorkerSet, LeaderWorkerSetSpec, LeaderWorkerTemplate};
use crate::k8s::workload::{INSTANCE_LABEL, LEADER_SERVICE_SUFFIX};
use crate::k8s::{Object, Sharing};
use crate::resolve::ResolvedStack;

/// The LeaderWorkerSet, named after the service, and the leaders' Service, `<name>-leader`:
/// the LeaderWorkerSet controller makes a headless Service of the set's own name, whose DNS
/// gives every pod the address `LWS_LEADER_ADDRESS` names (LWS v0.10.0 `pkg/controllers/
/// leaderworkerset_controller.go` `reconcileHeadlessServices`), so no other Service may take it.
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let leaders = format!("{}{LEADER_SERVICE_SUFFIX}", stack.service.name.value);
    Ok(vec![
        leader_worker_set(stack)?,
        service_named(stack, &leaders)?,
    ])
}

/// A pod template of the group: every pod carries the instance label, and the leader's
/// template also the worker index LeaderWorkerSet gives it, so the Service and the
/// InferencePool select the leaders by labels a template fixes.
fn template(stack: &ResolvedStack, member: Member) -> anyhow::Result<PodTemplateSpec> {
    let mut labels = pod::pod_labels(stack);
    labels.insert(INSTANCE_LABEL.to_owned(), stack.service.name.value.clone());
    if member == Member::Leader {
        labels.extend(pod_selector(stack));
    }
    Ok(pod::template(stack, labels, pod::pod_spec(stack, member)?))
}

fn leader_worker_set(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let s = &stack.service;
    let nodes = parallel::nodes(stack);
    let set = LeaderWorkerSet {
        api_version: lws::API_VERSION,
        kind: lws::KIND,
        metadata: super::metadata(
            &s.name.value,
            Some(&s.namespace.value),
            pod::user_labels(stack),
        ),
        spec: LeaderWorkerSetSpec {
            replicas: replicas(stack),
            leader_worker_template: LeaderWorkerTemplate {
                size: i32::try_from(nodes).unwrap_or(i32::MAX),
                restart_policy: "RecreateGroupOnPodRestart",
                leader_template: template(stack, Member::Leader)?,
                worker_template: template(stack, Member::Worker)?,
            },
            startup_policy: "LeaderCreated",
        },
    };
    let e = &stack.engine;
    Ok(Object::new(
        id(lws::API_VERSION, lws::KIND, stack, &s.name.value),
        &set,
        s.name.span,
        Sharing::Owned,
    )?
    .with_origin("/spec/replicas", stack.scaling.min.span)
    .with_origin(
        "/spec/leaderWorkerTemplate/size",
        stack.resources.nodes.span,
    )
    .with_origin(
        "/spec/leaderWorkerTemplate/leaderTemplate/spec/containers/0/image",
        e.image.span,
    )
    .with_origin(
        "/spec/leaderWorkerTemplate/leaderTemplate/spec/containers/0/args",
        e.span,
    ))
}
