//! Lower stage: [`ResolvedStack`] -> typed Kubernetes objects. One file per object family; this
//! file only dispatches and holds the metadata conventions they share.

mod autoscaler;
pub mod body_router;
mod deployment;
mod disaggregation;
mod gateway;
pub mod inference;
mod leaderworkerset;
pub mod merge;
pub mod namespaces;
pub mod network;
mod picker;
pub mod pod;
pub mod routes;

/// The picker's objects are named after the service; the name rules check the result.
pub use picker::picker_name;
pub mod serving;

use crate::k8s::Object;
/// The conventions every family's objects share.
use crate::k8s::meta::metadata;
use crate::resolve::{ResolvedStack, Workload};

/// All objects of one stack, in no particular order (emit sorts them).
pub fn lower(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let mut objects = vec![gateway::gateway(stack)?];
    match stack.workload.value {
        Workload::Knative => {
            objects.push(network::config_network(stack)?);
            objects.push(serving::knative_service(stack)?);
            objects.extend(network::config_features(stack)?);
            objects.extend(network::config_defaults(stack)?);
            objects.extend(network::config_gateway(stack)?);
        }
        Workload::Deployment if stack.disaggregation.is_some() => {
            objects.extend(disaggregation::objects(stack)?);
        }
        Workload::Deployment => {
            objects.extend(deployment::objects(stack)?);
            objects.extend(autoscaler::objects(stack)?);
        }
        Workload::LeaderWorkerSet => {
            objects.extend(leaderworkerset::objects(stack)?);
            objects.extend(autoscaler::objects(stack)?);
        }
    }
    objects.extend(
        stack
            .model
            .source
            .objects(&stack.model, &stack.weights_reader())?,
    );
    objects.extend(namespaces::objects(stack)?);
    objects.extend(routes::redirect_route(stack)?);
    if let Some(apis) = stack.profile.inference_apis() {
        objects.push(inference::inference_pool(stack, apis)?);
        objects.extend(inference::inference_objectives(stack, apis)?);
        objects.push(routes::http_route(stack, apis)?);
        objects.extend(picker::picker(stack, apis)?);
        objects.extend(body_router::objects(stack)?);
    }
    Ok(objects)
}
