//! The Gateway that fronts the inference services; shared by every stack that names it.

use std::collections::BTreeMap;

use crate::k8s::gateway::{
    API_VERSION, AllowedRoutes, Gateway, GatewaySpec, Listener, ListenerTls, RouteNamespaces,
    SecretRef,
};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{self, ResolvedStack};

/// cert-manager's gateway-shim annotations, by issuer kind.
pub const CLUSTER_ISSUER_ANNOTATION: &str = "cert-manager.io/cluster-issuer";
pub const ISSUER_ANNOTATION: &str = "cert-manager.io/issuer";

/// Listeners accept routes from every namespace: Knative creates the HTTPRoutes in each
/// service's namespace.
pub fn gateway(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let g = &stack.gateway;
    // A listener without a port is a reading error, and nothing is lowered then.
    let listeners = g
        .listeners
        .iter()
        .filter_map(|l| Some((l, l.port.as_ref()?)))
        .map(|(l, port)| listener(l, port.value))
        .collect();
    let mut metadata = super::metadata(&g.name.value, Some(&g.namespace.value), []);
    if let Some(issuer) = &g.issuer {
        let key = match issuer.kind.value.as_str() {
            "Issuer" => ISSUER_ANNOTATION,
            _ => CLUSTER_ISSUER_ANNOTATION,
        };
        metadata.annotations = Some(BTreeMap::from([(
            key.to_owned(),
            issuer.name.value.clone(),
        )]));
    }
    let gateway = Gateway {
        api_version: API_VERSION,
        kind: "Gateway",
        metadata,
        spec: GatewaySpec {
            gateway_class_name: g.class.value.clone(),
            listeners,
        },
    };
    let id = ObjectRef {
        api_version: API_VERSION.to_owned(),
        kind: "Gateway".to_owned(),
        namespace: Some(g.namespace.value.clone()),
        name: g.name.value.clone(),
    };
    let listeners_span = g.listeners.first().map_or(g.span, |l| l.name.span);
    let mut object = Object::new(id, &gateway, g.span, Sharing::Shared)?
        .with_origin("/metadata/name", g.name.span)
        .with_origin("/spec/gatewayClassName", g.class.span)
        .with_origin("/spec/listeners", listeners_span);
    for (i, l) in g.listeners.iter().filter(|l| l.port.is_some()).enumerate() {
        object = object.with_origin(format!("/spec/listeners/{i}"), l.span);
    }
    if let Some(issuer) = &g.issuer {
        object = object.with_origin("/metadata/annotations", issuer.name.span);
    }
    Ok(object)
}

fn listener(l: &resolve::Listener, port: i64) -> Listener {
    let tls = l.tls_mode.as_ref().map(|mode| ListenerTls {
        mode: mode.value.clone(),
        certificate_refs: l
            .tls
            .iter()
            .map(|secret| SecretRef {
                kind: "Secret",
                name: secret.value.clone(),
            })
            .collect(),
    });
    Listener {
        name: l.name.value.clone(),
        hostname: l.hostname.as_ref().map(|h| h.value.clone()),
        port: i32::try_from(port).unwrap_or_default(),
        protocol: l.protocol.value.clone(),
        tls,
        allowed_routes: AllowedRoutes {
            namespaces: RouteNamespaces { from: "All" },
        },
    }
}
