//! Knative's `config-network` ConfigMap: selects the Gateway API as Knative's ingress.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;

pub const KNATIVE_NAMESPACE: &str = "knative-serving";
pub const INGRESS_CLASS_KEY: &str = "ingress.class";
pub const GATEWAY_API_INGRESS: &str = "gateway-api.ingress.networking.knative.dev";

/// Only `ingress.class` is ours; the ConfigMap itself belongs to Knative, so it gets no
/// managed-by label.
pub fn config_network(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let config_map = ConfigMap {
        metadata: ObjectMeta {
            name: Some("config-network".to_owned()),
            namespace: Some(KNATIVE_NAMESPACE.to_owned()),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(
            INGRESS_CLASS_KEY.to_owned(),
            GATEWAY_API_INGRESS.to_owned(),
        )])),
        ..ConfigMap::default()
    };
    let id = ObjectRef {
        api_version: "v1".to_owned(),
        kind: "ConfigMap".to_owned(),
        namespace: Some(KNATIVE_NAMESPACE.to_owned()),
        name: "config-network".to_owned(),
    };
    Object::new(id, &config_map, stack.gateway.span, Sharing::Shared)
}
