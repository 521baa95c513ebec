//! Knative's ConfigMaps that a stack needs, each with only the keys inferstack owns, so GitOps
//! tools apply them server-side and every other key keeps the cluster's value:
//! - `config-network` selects the Gateway API as Knative's ingress;
//! - `config-features` turns on exactly the flags the emitted revision needs, without which
//!   Knative's webhook refuses the Service;
//! - `config-defaults` raises `max-revision-timeout-seconds` when `request_timeout` needs it;
//! - `config-gateway` (under `gateway-api`) tells net-gateway-api which Gateway to program.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::pod;
use crate::k8s::knative::defaults::Defaults;
use crate::k8s::knative::features::Feature;
use crate::k8s::knative::{DEFAULTS_CONFIGMAP, FEATURES_CONFIGMAP, SYSTEM_NAMESPACE};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{Profile, Provider, ResolvedStack};

pub const KNATIVE_NAMESPACE: &str = SYSTEM_NAMESPACE;
pub const INGRESS_CLASS_KEY: &str = "ingress.class";
pub const GATEWAY_API_INGRESS: &str = "gateway-api.ingress.networking.knative.dev";
pub const MAX_REVISION_TIMEOUT_KEY: &str = "max-revision-timeout-seconds";
/// net-gateway-api's ConfigMap (`pkg/reconciler/ingress/config/gateway.go`, knative-v1.23.0).
pub const GATEWAY_CONFIGMAP: &str = "config-gateway";
/// Gateway API's feature name for HTTPRoute request timeouts: with it, net-gateway-api turns
/// the gateway's own request timeout off on the routes it creates (`timeouts.request: 0s` in
/// `pkg/reconciler/ingress/resources/httproute.go`), so the revision's `timeoutSeconds` is the
/// clock; without it the implementation's default applies (Envoy Gateway's is 15 s).
pub const ROUTE_TIMEOUT_FEATURE: &str = "HTTPRouteRequestTimeout";

/// Keys several stacks may set to different numbers, where the largest serves them all.
pub const MAXIMUM_KEYS: [&str; 1] = [MAX_REVISION_TIMEOUT_KEY];

/// Only `ingress.class` is ours; the ConfigMap itself belongs to Knative, so it gets no
/// managed-by label.
pub fn config_network(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let data = BTreeMap::from([(INGRESS_CLASS_KEY.to_owned(), GATEWAY_API_INGRESS.to_owned())]);
    knative_configmap("config-network", data, stack.gateway.span)
}

/// The flags the emitted revision needs on a stock Knative 1.23, each from the stack key that
/// sets the field behind it; the model source names its volume's (emptyDir volumes are on by
/// default and need none).
pub fn required_features(stack: &ResolvedStack) -> Vec<Feature> {
    let sc = &stack.scheduling;
    let wanted = [
        (!pod::node_selector(stack).is_empty(), Feature::NodeSelector),
        (!sc.tolerations.is_empty(), Feature::Tolerations),
        (sc.runtime_class.is_some(), Feature::RuntimeClassName),
        (sc.priority_class.is_some(), Feature::PriorityClassName),
    ];
    let volume = stack.model.source.knative_feature();
    volume
        .into_iter()
        .chain(
            wanted
                .into_iter()
                .filter_map(|(needed, feature)| needed.then_some(feature)),
        )
        .collect()
}

/// `config-features` with the flags [`required_features`] lists; none when it lists none.
pub fn config_features(stack: &ResolvedStack) -> anyhow::Result<Option<Object>> {
    let data: BTreeMap<String, String> = required_features(stack)
        .iter()
        .map(|f| (f.key().to_owned(), "enabled".to_owned()))
        .collect();
    if data.is_empty() {
        return Ok(None);
    }
    knative_configmap(FEATURES_CONFIGMAP, data, stack.model.volume.span).map(Some)
}

/// `config-defaults` when `request_timeout` is above Knative's maximum revision timeout (600 s
/// by default, `defaults.go`), which would otherwise refuse the revision.
pub fn config_defaults(stack: &ResolvedStack) -> anyhow::Result<Option<Object>> {
    let timeout = stack.engine.request_timeout.value;
    if timeout <= Defaults::default().max_revision_timeout_seconds {
        return Ok(None);
    }
    let data = BTreeMap::from([(MAX_REVISION_TIMEOUT_KEY.to_owned(), timeout.to_string())]);
    knative_configmap(DEFAULTS_CONFIGMAP, data, stack.engine.request_timeout.span).map(Some)
}

/// One entry of `external-gateways` or `local-gateways`, as `parseGatewayConfig` reads it.
#[derive(Serialize)]
struct GatewayEntry {
    class: String,
    /// `namespace/name` of the Gateway.
    gateway: String,
    #[serde(rename = "supported-features", skip_serializing_if = "Vec::is_empty")]
    supported_features: Vec<&'static str>,
}

/// Under `gateway-api`, net-gateway-api programs the emitted Gateway. Without this ConfigMap it
/// looks for Istio's `istio-system/knative-gateway` and the Service never becomes Ready. Both
/// the external and the cluster-local routes use the emitted Gateway: net-gateway-api needs one
/// of each, and without a `service` it reads the address from the Gateway's status.
pub fn config_gateway(stack: &ResolvedStack) -> anyhow::Result<Option<Object>> {
    if stack.profile != Profile::GatewayApi {
        return Ok(None);
    }
    let g = &stack.gateway;
    // GKE refuses route timeouts; everywhere else the routes carry the revision's timeout.
    let supported_features = if g.provider.value == Provider::Gke {
        Vec::new()
    } else {
        vec![ROUTE_TIMEOUT_FEATURE]
    };
    let entries = vec![GatewayEntry {
        class: g.class.value.clone(),
        gateway: format!("{}/{}", g.namespace.value, g.name.value),
        supported_features,
    }];
    let text = serde_saphyr::to_string(&entries)?;
    let data = BTreeMap::from([
        ("external-gateways".to_owned(), text.clone()),
        ("local-gateways".to_owned(), text),
    ]);
    knative_configmap(GATEWAY_CONFIGMAP, data, g.name.span).map(Some)
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
