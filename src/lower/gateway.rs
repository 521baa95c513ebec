//! The Gateway that fronts the inference services; shared by every stack that names it.

use crate::k8s::gateway::{
    API_VERSION, AllowedRoutes, Gateway, GatewaySpec, Listener, RouteNamespaces,
};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::ResolvedStack;

/// Listeners accept routes from every namespace: Knative creates the HTTPRoutes in each
/// service's namespace.
pub fn gateway(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let g = &stack.gateway;
    // A listener without a port is a reading error, and nothing is lowered then.
    let listeners = g
        .listeners
        .iter()
        .filter_map(|l| Some((l, l.port.as_ref()?)))
        .map(|(l, port)| Listener {
            name: l.name.value.clone(),
            port: i32::try_from(port.value).unwrap_or_default(),
            protocol: "HTTP",
            allowed_routes: AllowedRoutes {
                namespaces: RouteNamespaces { from: "All" },
            },
        })
        .collect();
    let gateway = Gateway {
        api_version: API_VERSION,
        kind: "Gateway",
        metadata: super::metadata(&g.name.value, Some(&g.namespace.value), []),
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
    Ok(Object::new(id, &gateway, g.span, Sharing::Shared)?
        .with_origin("/metadata/name", g.name.span)
        .with_origin("/spec/gatewayClassName", g.class.span)
        .with_origin("/spec/listeners", listeners_span))
}
