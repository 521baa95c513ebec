//! Knative's ConfigMaps that a stack needs: `config-network` selects the Gateway API as
//! Knative's ingress, and `config-features` turns on the flags the emitted revision relies on,
//! without which Knative's webhook refuses the Service.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;
use crate::validate::knative::features::Feature;
use crate::validate::knative::{FEATURES_CONFIGMAP, SYSTEM_NAMESPACE};

pub const KNATIVE_NAMESPACE: &str = SYSTEM_NAMESPACE;
pub const INGRESS_CLASS_KEY: &str = "ingress.class";
pub const GATEWAY_API_INGRESS: &str = "gateway-api.ingress.networking.knative.dev";

/// Only `ingress.class` is ours; the ConfigMap itself belongs to Knative, so it gets no
/// managed-by label.
pub fn config_network(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let data = BTreeMap::from([(INGRESS_CLASS_KEY.to_owned(), GATEWAY_API_INGRESS.to_owned())]);
    knative_configmap("config-network", data, stack.gateway.span)
}

/// The flags the revision `serving::knative_service` emits needs: a claim for the model volume.
const REQUIRED_FEATURES: [Feature; 1] = [Feature::PersistentVolumeClaim];

/// Only the flags the output needs are set; every other key keeps the cluster's value, so
/// GitOps tools apply it server-side like `config-network`.
pub fn config_features(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let data = REQUIRED_FEATURES
        .iter()
        .map(|f| (f.key().to_owned(), "enabled".to_owned()))
        .collect();
    knative_configmap(FEATURES_CONFIGMAP, data, stack.model.volume.span)
}

fn knative_configmap(
    name: &str,
    data: BTreeMap<String, String>,
    origin: crate::source::Span,
) -> anyhow::Result<Object> {
    let config_map = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(KNATIVE_NAMESPACE.to_owned()),
            ..ObjectMeta::default()
        },
        data: Some(data),
        ..ConfigMap::default()
    };
    let id = ObjectRef {
        api_version: "v1".to_owned(),
        kind: "ConfigMap".to_owned(),
        namespace: Some(KNATIVE_NAMESPACE.to_owned()),
        name: name.to_owned(),
    };
    Object::new(id, &config_map, origin, Sharing::Shared)
}

/// Knative's own ConfigMaps, which inferstack sets keys of but does not own.
pub fn is_knative_configmap(object: &Object) -> bool {
    object.id.kind == "ConfigMap"
        && object.id.namespace.as_deref() == Some(KNATIVE_NAMESPACE)
        && object.id.name.starts_with("config-")
}
