//! Lower stage: [`ResolvedStack`] -> typed Kubernetes objects. One file per object family; this
//! file only dispatches and holds the metadata conventions they share.

pub mod body_router;
mod gateway;
pub mod inference;
pub mod merge;
pub mod namespaces;
pub mod network;
mod picker;
pub mod routes;

/// The picker's objects are named after the service; the name rules check the result.
pub use picker::picker_name;
pub mod serving;
mod storage;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::k8s::Object;
use crate::resolve::ResolvedStack;

/// Label on every object inferstack owns, so `kubectl get -l` and GitOps pruning can find them.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "inferstack");

/// All objects of one stack, in no particular order (emit sorts them).
pub fn lower(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let mut objects = vec![
        network::config_network(stack)?,
        gateway::gateway(stack)?,
        serving::knative_service(stack)?,
    ];
    objects.extend(network::config_features(stack)?);
    objects.extend(network::config_defaults(stack)?);
    objects.extend(network::config_gateway(stack)?);
    objects.extend(storage::objects(stack)?);
    objects.extend(namespaces::objects(stack)?);
    objects.extend(routes::redirect_route(stack)?);
    if let Some(apis) = stack.profile.inference_apis() {
        objects.push(inference::inference_pool(stack, apis)?);
        objects.push(inference::inference_objective(stack, apis)?);
        objects.push(routes::http_route(stack, apis)?);
        objects.extend(picker::picker(stack, apis)?);
        objects.extend(body_router::objects(stack)?);
    }
    Ok(objects)
}

/// Metadata with a name, an optional namespace and labels (managed-by added).
fn metadata<'a>(
    name: &str,
    namespace: Option<&str>,
    labels: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> ObjectMeta {
    let mut all: BTreeMap<String, String> = labels
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    all.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: namespace.map(str::to_owned),
        labels: Some(all),
        ..ObjectMeta::default()
    }
}
