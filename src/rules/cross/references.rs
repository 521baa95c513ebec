//! References resolve: a pool selects pods of a workload and names a picker Service, a route's
//! parents and backends exist, an objective's pool exists.

use serde_json::Value;

use super::index::{
    ObjectIndex, Sink, picker_ref, pool_selector, pool_target_ports, problem, selected_listeners,
    selected_workloads,
};
use crate::diag::Code;
use crate::k8s::Object;
use crate::k8s::value::{array, text};

pub(super) fn pool_selects_pods(cx: &ObjectIndex<'_>, pool: &Object, out: &mut Sink) {
    if pool_selector(&pool.body).is_none() {
        return;
    }
    let selected = selected_workloads(cx, pool);
    // Only a pool that selects nothing looks for its server among all of the namespace's
    // workloads (looking for every pool made a 10,000-object stream take seconds).
    if selected.is_empty() {
        let server = serves_pool_port(cx, pool);
        if cx.absent_is_finding() || server.is_some() {
            let also = server.map_or(String::new(), |(workload, port)| {
                format!(", though {} serves the pool's port {port}", workload.id)
            });
            problem(
                out,
                Code::PoolSelectorMismatch,
                pool,
                "/spec/selector",
                format!("the selector matches the pods of no workload in this namespace{also}"),
                "the selector must be labels the model server's pods really carry (for a Knative Service, serving.knative.dev/service=<name>)",
            );
        }
    }
    for service in selected
        .iter()
        .filter(|o| o.id.group() == crate::k8s::knative::GROUP)
    {
        let min = text(
            &service.body,
            "/spec/template/metadata/annotations/autoscaling.knative.dev~1min-scale",
        )
        .unwrap_or("0");
        if min.trim() == "0" {
            problem(
                out,
                Code::ScaleToZeroPool,
                pool,
                "/spec/selector",
                format!(
                    "it selects {}, which may scale to zero (min-scale {min})",
                    service.id
                ),
                "the endpoint picker sends requests straight to the pool's pods, so nothing wakes a service scaled to zero; set min-scale to 1 or more",
            );
        }
    }
}

/// A workload in the pool's namespace that declares a container port the pool targets, and the
/// port: then the model server is among the objects, and a selector that misses it is a
/// contradiction even when the set may be partial.
fn serves_pool_port<'a>(cx: &ObjectIndex<'a>, pool: &Object) -> Option<(&'a Object, i64)> {
    let ports = pool_target_ports(pool);
    let workloads = cx
        .workloads
        .get(&pool.id.namespace.as_deref())
        .map_or(&[][..], Vec::as_slice);
    workloads.iter().find_map(|(workload, _)| {
        let template = super::index::serving_template(workload)?;
        array(&workload.body, &format!("{template}/spec/containers"))
            .iter()
            .flat_map(|c| array(c, "/ports"))
            .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
            .find(|port| ports.contains(port))
            .map(|port| (*workload, port))
    })
}

pub(super) fn pool_picker_resolves(cx: &ObjectIndex<'_>, pool: &Object, out: &mut Sink) {
    let (pointer, name, port) = picker_ref(pool);
    let Some(name) = name else { return };
    let service = cx.find("", "Service", pool.id.namespace.as_deref(), name);
    if service.is_none() && !cx.absent_is_finding() {
        return;
    }
    let has_port = service.is_some_and(|s| {
        s.body
            .pointer("/spec/ports")
            .and_then(Value::as_array)
            .is_some_and(|ports| {
                ports
                    .iter()
                    .any(|p| p.get("port").and_then(Value::as_i64) == port)
            })
    });
    if !has_port {
        problem(
            out,
            Code::PickerUnresolved,
            pool,
            pointer,
            format!(
                "the endpoint picker Service {name:?} with port {} is not among the objects checked",
                port.map_or("(none)".to_owned(), |p| p.to_string())
            ),
            "emit the picker's Service with that port in the pool's namespace, or point the pool at the picker you run",
        );
    }
}

pub(super) fn route_parents_resolve(cx: &ObjectIndex<'_>, route: &Object, out: &mut Sink) {
    let route_namespace = route.id.namespace.as_deref();
    let parents = array(&route.body, "/spec/parentRefs");
    for (i, parent) in parents.iter().enumerate() {
        let pointer = format!("/spec/parentRefs/{i}");
        let name = text(parent, "/name").unwrap_or_default();
        let namespace = text(parent, "/namespace").or(route_namespace);
        let Some(gateway) = cx.find("gateway.networking.k8s.io", "Gateway", namespace, name) else {
            if !cx.absent_is_finding() {
                continue;
            }
            let gateway = match namespace {
                Some(namespace) => format!("{namespace}/{name}"),
                None => format!("{name} (in the route's namespace)"),
            };
            problem(
                out,
                Code::RouteParentUnresolved,
                route,
                &pointer,
                format!("the Gateway {gateway} is not declared"),
                "name a Gateway among the objects checked in parentRefs (in a stack, the [gateway] table declares it)",
            );
            continue;
        };
        let section = text(parent, "/sectionName");
        let port = parent.get("port").and_then(Value::as_i64);
        let chosen = selected_listeners(gateway, parent);
        if chosen.is_empty() {
            problem(
                out,
                Code::RouteParentUnresolved,
                route,
                &pointer,
                format!(
                    "the Gateway {} has no listener {}",
                    gateway.id.name,
                    section.map_or_else(
                        || format!("on port {}", port.unwrap_or_default()),
                        |s| format!("{s:?}")
                    )
                ),
                "attach the route to a listener the Gateway declares (in a stack, [inference] listener)",
            );
            continue;
        }
        let admits = |l: &&Value| match text(l, "/allowedRoutes/namespaces/from").unwrap_or("Same")
        {
            "All" => true,
            "Same" => gateway.id.namespace.as_deref() == route_namespace,
            _ => true, // Selector: the namespace's labels are not known offline.
        };
        if !chosen.iter().any(admits) {
            problem(
                out,
                Code::RouteParentUnresolved,
                route,
                &pointer,
                format!(
                    "the listener does not admit routes from namespace {}",
                    route_namespace.unwrap_or_default()
                ),
                "set the listener's allowedRoutes.namespaces.from to All, or put the route in the Gateway's namespace",
            );
        }
    }
}

pub(super) fn route_backends_resolve(cx: &ObjectIndex<'_>, route: &Object, out: &mut Sink) {
    let rules = array(&route.body, "/spec/rules");
    for (r, rule) in rules.iter().enumerate() {
        let backends = array(rule, "/backendRefs");
        for (b, backend) in backends.iter().enumerate() {
            if text(backend, "/kind") != Some("InferencePool") {
                continue;
            }
            let group = text(backend, "/group").unwrap_or_default();
            let namespace = text(backend, "/namespace").or(route.id.namespace.as_deref());
            let name = text(backend, "/name").unwrap_or_default();
            if cx.find(group, "InferencePool", namespace, name).is_none() && cx.absent_is_finding()
            {
                problem(
                    out,
                    Code::RouteBackendUnresolved,
                    route,
                    &format!("/spec/rules/{r}/backendRefs/{b}"),
                    format!("the InferencePool {group}/{name} is not among the objects checked"),
                    "point the backendRef at an emitted pool, with the pool's API group",
                );
            }
        }
    }
}

pub(super) fn objective_pool_resolves(cx: &ObjectIndex<'_>, objective: &Object, out: &mut Sink) {
    let group =
        text(&objective.body, "/spec/poolRef/group").unwrap_or("inference.networking.k8s.io");
    let name = text(&objective.body, "/spec/poolRef/name").unwrap_or_default();
    if cx
        .find(
            group,
            "InferencePool",
            objective.id.namespace.as_deref(),
            name,
        )
        .is_none()
        && cx.absent_is_finding()
    {
        problem(
            out,
            Code::ObjectivePoolUnresolved,
            objective,
            "/spec/poolRef",
            format!("the InferencePool {group}/{name} is not among the objects checked"),
            "the objective's poolRef must name the pool of the same namespace, with the pool's API group",
        );
    }
}
