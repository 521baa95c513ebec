//! Rules across the objects of one build: every reference resolves, and objects that must agree
//! do. One function per rule, run in a fixed order by [`check`]. These are the mistakes that
//! pass every schema and surface only in the cluster: a pool that selects no pods, a route to a
//! listener that does not exist, a claim that never binds. [`check`] is also where the rule
//! families' object rules run (their own files hold them): those on one Knative Service always,
//! those that follow a route or a pool with the references. This module lends them the index of
//! the objects (`Cx`), the walk from routes to pools and the way findings are placed.

use std::collections::HashMap;

mod claims;
mod routes;

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity, Target};
use crate::k8s::Object;
use crate::k8s::knative::SERVICE_LABEL as KNATIVE_SERVICE_LABEL;
use crate::k8s::value::{array, text};
use crate::source::Span;

/// Where a finding at a JSON Pointer of object `index` is: its span, its document (for
/// manifests) and the pointer as reported.
pub type Locate<'a> = dyn FnMut(usize, &str) -> Place + 'a;

/// Where a pointer of an object is written: its span, its document (in a manifest stream) and
/// the pointer as shown.
pub type Place = (Span, Option<usize>, String);

/// Whether the objects a reference names may be outside the objects checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum World {
    /// They may live elsewhere (another chart, another repository): a reference to an absent
    /// object is no finding; a contradiction among the objects present still is.
    Open,
    /// The objects checked are the whole set (a build): an absent referent is a finding too.
    Closed,
}

/// Runs every object rule over compiled objects, located in their stacks. A build knows its
/// whole set, so the world is closed.
pub fn check_compiled(objects: &[Object]) -> Diagnostics {
    check(objects, Some(World::Closed), &mut |index, pointer| {
        (objects[index].origin_of(pointer), None, pointer.to_owned())
    })
}

/// Runs the rule families' rules on single objects and, with a `world`, every rule across
/// objects; `locate` places each finding.
pub fn check(objects: &[Object], world: Option<World>, locate: &mut Locate<'_>) -> Diagnostics {
    let mut out = Sink {
        index: objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o as *const Object, i))
            .collect(),
        locate,
        diagnostics: Diagnostics::default(),
    };
    for service in objects.iter().filter(|o| o.id.is_knative_service()) {
        super::time::service(service, &mut out);
        super::autoscaling::service(service, &mut out);
    }
    let Some(world) = world else {
        return std::mem::take(&mut out.diagnostics);
    };
    let cx = Cx::new(objects, world);
    for object in objects {
        match (object.id.group(), object.id.kind.as_str()) {
            (group, "InferencePool") if group.starts_with("inference.networking") => {
                pool_selects_pods(&cx, object, &mut out);
                pool_picker_resolves(&cx, object, &mut out);
            }
            ("gateway.networking.k8s.io", "HTTPRoute") => {
                route_parents_resolve(&cx, object, &mut out);
                route_backends_resolve(&cx, object, &mut out);
            }
            (_, "InferenceObjective") => objective_pool_resolves(&cx, object, &mut out),
            ("", "PersistentVolumeClaim") => claim_binds_volume(&cx, object, &mut out),
            ("", "PersistentVolume") => volume_handle_is_name(object, &mut out),
            ("serving.knative.dev", "Service") => model_path_is_mounted(object, &mut out),
            _ => {}
        }
    }
    super::autoscaling::pools(&cx, objects, &mut out);
    super::shutdown::pickers(&cx, objects, &mut out);
    super::time::routes(&cx, objects, &mut out);
    routes::no_two_match_alike(objects, &mut out);
    claims::each_volume_claimed_once(&cx, objects, &mut out);
    std::mem::take(&mut out.diagnostics)
}

/// Collects findings, placing each with the run's locator.
pub(in crate::rules) struct Sink<'a, 'l> {
    /// Each object's index, for `locate`.
    index: HashMap<*const Object, usize>,
    locate: &'a mut Locate<'l>,
    diagnostics: Diagnostics,
}

impl Sink<'_, '_> {
    /// A second label on the last finding, at `pointer` of `other`: where the other half of a
    /// conflict is written, in its own stack or file.
    pub(in crate::rules) fn also_at(&mut self, other: &Object, pointer: &str, message: &str) {
        let (span, _, _) = self.place(other, pointer);
        if let Some(last) = self.diagnostics.iter_mut().last() {
            last.secondary.push(Label::new(span, message));
        }
    }

    /// Where `pointer` of `object` is written: as `locate` gives it for the object's index.
    fn place(&mut self, object: &Object, pointer: &str) -> Place {
        let index = self
            .index
            .get(&(object as *const Object))
            .copied()
            .unwrap_or(0);
        (self.locate)(index, pointer)
    }
}

/// A workload and the labels its pods carry.
type Workload<'a> = (&'a Object, serde_json::Map<String, Value>);

/// (group, kind, namespace, name) of an object.
type Key<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

/// The objects of a run, indexed once so every rule looks up in constant time: by identity,
/// workloads by namespace with their pods' labels, and the PersistentVolumes.
pub(in crate::rules) struct Cx<'a> {
    world: World,
    by_key: HashMap<Key<'a>, &'a Object>,
    workloads: HashMap<Option<&'a str>, Vec<Workload<'a>>>,
    /// Workloads by namespace and each label their pods carry (indices into `workloads`), so a
    /// pool's selector looks up its candidates instead of scanning the namespace.
    workloads_by_label: HashMap<(Option<&'a str>, String, Value), Vec<usize>>,
    volumes: Vec<&'a Object>,
    /// PersistentVolumes by each of their labels, so a claim's selector looks up its
    /// candidates instead of scanning every volume (a fleet has one volume per stack).
    volumes_by_label: HashMap<(&'a str, &'a str), Vec<&'a Object>>,
}

impl<'a> Cx<'a> {
    fn new(objects: &'a [Object], world: World) -> Cx<'a> {
        let mut cx = Cx {
            world,
            by_key: HashMap::new(),
            workloads: HashMap::new(),
            workloads_by_label: HashMap::new(),
            volumes: Vec::new(),
            volumes_by_label: HashMap::new(),
        };
        for o in objects {
            let key = (
                o.id.group(),
                o.id.kind.as_str(),
                o.id.namespace.as_deref(),
                o.id.name.as_str(),
            );
            cx.by_key.entry(key).or_insert(o);
            if let Some(labels) = pod_labels(o) {
                let namespace = o.id.namespace.as_deref();
                let workloads = cx.workloads.entry(namespace).or_default();
                for (key, value) in &labels {
                    cx.workloads_by_label
                        .entry((namespace, key.clone(), value.clone()))
                        .or_default()
                        .push(workloads.len());
                }
                workloads.push((o, labels));
            }
            if o.id.group().is_empty() && o.id.kind == "PersistentVolume" {
                cx.volumes.push(o);
                let labels = o
                    .body
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object);
                for (key, value) in labels.into_iter().flatten() {
                    if let Some(value) = value.as_str() {
                        cx.volumes_by_label
                            .entry((key.as_str(), value))
                            .or_default()
                            .push(o);
                    }
                }
            }
        }
        cx
    }

    /// Whether a reference to an object absent from the set is a finding.
    fn absent_is_finding(&self) -> bool {
        self.world == World::Closed
    }

    pub(in crate::rules) fn find(
        &self,
        group: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<&'a Object> {
        self.by_key.get(&(group, kind, namespace, name)).copied()
    }
}

fn problem(
    out: &mut Sink,
    code: Code,
    object: &Object,
    pointer: &str,
    message: String,
    help: &str,
) {
    finding(out, Severity::Error, code, object, pointer, message, help);
}

/// A finding of any severity at `pointer` of `object`, for the rule families' object rules.
pub(in crate::rules) fn finding(
    out: &mut Sink,
    severity: Severity,
    code: Code,
    object: &Object,
    pointer: &str,
    message: String,
    help: &str,
) {
    let (span, document, pointer) = out.place(object, pointer);
    let diagnostic = Diagnostic::error(
        code,
        Label::new(span, "here"),
        format!("{} at {pointer}: {message}", object.id),
    );
    out.diagnostics.push(
        Diagnostic {
            severity,
            ..diagnostic
        }
        .with_help(help)
        .with_target(Target {
            document,
            object: Some(object.id.clone()),
            pointer,
        }),
    );
}

/// The pool's selector, in either version.
fn pool_selector(pool: &Value) -> Option<&serde_json::Map<String, Value>> {
    pool.pointer("/spec/selector/matchLabels")
        .or_else(|| pool.pointer("/spec/selector"))
        .and_then(Value::as_object)
}

/// Labels the pods of a workload carry: the template's, plus the ones Knative adds.
fn pod_labels(workload: &Object) -> Option<serde_json::Map<String, Value>> {
    let mut labels = workload
        .body
        .pointer("/spec/template/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    match (workload.id.group(), workload.id.kind.as_str()) {
        ("serving.knative.dev", "Service") => {
            labels.insert(
                KNATIVE_SERVICE_LABEL.to_owned(),
                Value::from(workload.id.name.clone()),
            );
        }
        ("apps", "Deployment" | "StatefulSet") => {}
        _ => return None,
    }
    Some(labels)
}

/// The workloads whose pods a pool's selector matches, in object order.
pub(in crate::rules) fn selected_workloads<'a>(cx: &Cx<'a>, pool: &Object) -> Vec<&'a Object> {
    let Some(selector) = pool_selector(&pool.body) else {
        return Vec::new();
    };
    let matches = |labels: &serde_json::Map<String, Value>| {
        selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    };
    let namespace = pool.id.namespace.as_deref();
    let workloads = cx.workloads.get(&namespace).map_or(&[][..], Vec::as_slice);
    // Candidates carry the selector's first label (an empty selector selects them all).
    let candidates: Vec<&Workload<'_>> = match selector.iter().next() {
        None => workloads.iter().collect(),
        Some((k, v)) => cx
            .workloads_by_label
            .get(&(namespace, k.clone(), v.clone()))
            .map_or(Vec::new(), |found| {
                found.iter().map(|&i| &workloads[i]).collect()
            }),
    };
    candidates
        .into_iter()
        .filter(|(_, labels)| matches(labels))
        .map(|(o, _)| *o)
        .collect()
}

fn pool_selects_pods(cx: &Cx<'_>, pool: &Object, out: &mut Sink) {
    if pool_selector(&pool.body).is_none() {
        return;
    }
    let selected = selected_workloads(cx, pool);
    let server = serves_pool_port(cx, pool);
    if selected.is_empty() && (cx.absent_is_finding() || server.is_some()) {
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
    for service in selected
        .iter()
        .filter(|o| o.id.group() == "serving.knative.dev")
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
fn serves_pool_port<'a>(cx: &Cx<'a>, pool: &Object) -> Option<(&'a Object, i64)> {
    let mut ports: Vec<i64> = array(&pool.body, "/spec/targetPorts")
        .iter()
        .filter_map(|p| p.get("number").and_then(Value::as_i64))
        .collect();
    ports.extend(
        pool.body
            .pointer("/spec/targetPortNumber")
            .and_then(Value::as_i64),
    );
    let workloads = cx
        .workloads
        .get(&pool.id.namespace.as_deref())
        .map_or(&[][..], Vec::as_slice);
    workloads.iter().find_map(|(workload, _)| {
        array(&workload.body, "/spec/template/spec/containers")
            .iter()
            .flat_map(|c| array(c, "/ports"))
            .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
            .find(|port| ports.contains(port))
            .map(|port| (*workload, port))
    })
}

/// A route rule with a request timeout and an InferencePool it sends to.
pub(in crate::rules) struct TimedPoolRoute<'a> {
    pub route: &'a Object,
    /// The rule's index in `spec.rules`.
    pub rule: usize,
    /// Its request timeout, in whole seconds ("0s", no timeout, is left out).
    pub seconds: i64,
    pub pool: &'a Object,
}

/// Every HTTPRoute rule with a request timeout, with each InferencePool among the objects it
/// routes to: the clocks the time and shutdown rules compare.
pub(in crate::rules) fn timed_pool_routes<'a>(
    cx: &Cx<'a>,
    objects: &'a [Object],
) -> Vec<TimedPoolRoute<'a>> {
    let mut found = Vec::new();
    let routes = objects
        .iter()
        .filter(|o| o.id.kind == "HTTPRoute" && o.id.group() == "gateway.networking.k8s.io");
    for route in routes {
        let namespace = route.id.namespace.as_deref();
        for (r, rule) in array(&route.body, "/spec/rules").iter().enumerate() {
            let Some(seconds) = text(rule, "/timeouts/request")
                .and_then(crate::duration::whole_seconds)
                .filter(|s| *s > 0)
            else {
                continue;
            };
            for backend in array(rule, "/backendRefs") {
                if text(backend, "/kind") != Some("InferencePool") {
                    continue;
                }
                let group = text(backend, "/group").unwrap_or_default();
                if let Some(pool) = text(backend, "/name")
                    .and_then(|name| cx.find(group, "InferencePool", namespace, name))
                {
                    found.push(TimedPoolRoute {
                        route,
                        rule: r,
                        seconds,
                        pool,
                    });
                }
            }
        }
    }
    found
}

/// The pool's endpoint picker reference: where it is written, the Service's name and port.
pub(in crate::rules) fn picker_ref(pool: &Object) -> (&'static str, Option<&str>, Option<i64>) {
    match pool.body.pointer("/spec/endpointPickerRef") {
        Some(r) => (
            "/spec/endpointPickerRef",
            text(r, "/name"),
            r.pointer("/port/number").and_then(Value::as_i64),
        ),
        None => (
            "/spec/extensionRef",
            text(&pool.body, "/spec/extensionRef/name"),
            pool.body
                .pointer("/spec/extensionRef/portNumber")
                .and_then(Value::as_i64),
        ),
    }
}

fn pool_picker_resolves(cx: &Cx<'_>, pool: &Object, out: &mut Sink) {
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

fn route_parents_resolve(cx: &Cx<'_>, route: &Object, out: &mut Sink) {
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

fn route_backends_resolve(cx: &Cx<'_>, route: &Object, out: &mut Sink) {
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

fn objective_pool_resolves(cx: &Cx<'_>, objective: &Object, out: &mut Sink) {
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

/// The volume a claim's label selector picks among the objects, if any.
fn selected_volume<'a>(
    cx: &Cx<'a>,
    selector: &serde_json::Map<String, Value>,
) -> Option<&'a Object> {
    // Candidates carry the selector's first label (an empty selector selects every volume);
    // the rest of the selector is checked on them only.
    let candidates = match selector.iter().next() {
        None => cx.volumes.as_slice(),
        Some((k, v)) => v
            .as_str()
            .and_then(|v| cx.volumes_by_label.get(&(k.as_str(), v)))
            .map_or(&[][..], Vec::as_slice),
    };
    candidates.iter().copied().find(|o| {
        o.body
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .is_some_and(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)))
    })
}

fn claim_binds_volume(cx: &Cx<'_>, claim: &Object, out: &mut Sink) {
    let Some(selector) = claim
        .body
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return;
    };
    let Some(volume) = selected_volume(cx, selector) else {
        if !cx.absent_is_finding() {
            return;
        }
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/selector",
            "no PersistentVolume among the objects checked carries the selected labels".to_owned(),
            "label the PersistentVolume with the claim's selector",
        );
        return;
    };
    let class = |o: &Object| {
        text(&o.body, "/spec/storageClassName")
            .unwrap_or_default()
            .to_owned()
    };
    if class(claim) != class(volume) {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/storageClassName",
            format!(
                "the claim asks for storage class {:?}, the volume {} has {:?}",
                class(claim),
                volume.id.name,
                class(volume)
            ),
            "a claim binds only a volume of its storage class",
        );
    }
    let (asked, offered) = (
        array(&claim.body, "/spec/accessModes"),
        array(&volume.body, "/spec/accessModes"),
    );
    if !asked.iter().all(|m| offered.contains(m)) {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/accessModes",
            format!(
                "the volume {} does not offer every access mode the claim asks for",
                volume.id.name
            ),
            "give the volume the claim's access modes (ReadWriteMany for a model shared by replicas)",
        );
    }
    let size = |o: &Object, pointer: &str| {
        text(&o.body, pointer).and_then(crate::quantity::Quantity::parse)
    };
    if let (Some(asked), Some(capacity)) = (
        size(claim, "/spec/resources/requests/storage"),
        size(volume, "/spec/capacity/storage"),
    ) && asked > capacity
    {
        problem(
            out,
            Code::ClaimVolumeMismatch,
            claim,
            "/spec/resources/requests/storage",
            format!(
                "the claim asks for more than the volume {}'s capacity",
                volume.id.name
            ),
            "request at most the volume's capacity",
        );
    }
}

fn volume_handle_is_name(volume: &Object, out: &mut Sink) {
    if text(&volume.body, "/spec/csi/driver") != Some(crate::model_source::oss::OSS_DRIVER) {
        return;
    }
    let handle = text(&volume.body, "/spec/csi/volumeHandle").unwrap_or_default();
    if handle != volume.id.name {
        problem(
            out,
            Code::VolumeHandleMismatch,
            volume,
            "/spec/csi/volumeHandle",
            format!(
                "volumeHandle {handle:?} differs from the volume name {:?}",
                volume.id.name
            ),
            "the OSS CSI driver requires the volumeHandle to equal the PersistentVolume's name",
        );
    }
}

fn model_path_is_mounted(service: &Object, out: &mut Sink) {
    let containers = array(&service.body, "/spec/template/spec/containers");
    for (c, container) in containers.iter().enumerate() {
        let args: Vec<&str> = container
            .get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(model) = args
            .windows(2)
            .find(|w| w[0] == "--model")
            .map(|w| w[1].trim_end_matches('/'))
        else {
            continue;
        };
        let mounts: Vec<&str> = container
            .get("volumeMounts")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(|m| text(m, "/mountPath")).collect())
            .unwrap_or_default();
        let mounted = mounts.iter().any(|m| {
            model == m.trim_end_matches('/')
                || model.starts_with(&format!("{}/", m.trim_end_matches('/')))
        });
        if !mounted && model.starts_with('/') {
            problem(
                out,
                Code::MountPathMismatch,
                service,
                &format!("/spec/template/spec/containers/{c}/args"),
                format!(
                    "--model {model} is not under any volume mount ({})",
                    mounts.join(", ")
                ),
                "mount the model volume at the directory --model names",
            );
        }
    }
}

/// The listeners of `gateway` a route's `parent` reference selects: those its `sectionName`
/// and `port` name (Gateway API's ParentReference), every one when it names neither.
pub(super) fn selected_listeners<'g>(gateway: &'g Object, parent: &Value) -> Vec<&'g Value> {
    let section = text(parent, "/sectionName");
    let port = parent.get("port").and_then(Value::as_i64);
    array(&gateway.body, "/spec/listeners")
        .iter()
        .filter(|l| {
            section.is_none_or(|s| text(l, "/name") == Some(s))
                && port.is_none_or(|p| l.get("port").and_then(Value::as_i64) == Some(p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::compile;
    use crate::resolve::Profile;
    use crate::source::SourceMap;
    use serde_json::json;

    /// The seed stack under the gateway-api profile: a consistent set with every kind.
    fn objects() -> Vec<Object> {
        let mut sources = SourceMap::default();
        let id = sources.add("qwen.toml", include_str!("../../../stacks/qwen.toml"));
        let compiled = compile(&sources, &[id], Some(Profile::GatewayApi)).unwrap();
        let problems = compiled.diagnostics.without_notes();
        assert!(problems.is_empty(), "{problems:?}");
        compiled.objects
    }

    /// The codes found after the object of `kind` (core group or not) gets `value` at `pointer`.
    fn codes_after_edit(core: bool, kind: &str, pointer: &str, value: Value) -> Vec<Code> {
        let mut objects = objects();
        let object = objects
            .iter_mut()
            .find(|o| o.id.kind == kind && o.id.group().is_empty() == core)
            .expect("kind present");
        *object
            .body
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer} in {kind}")) = value;
        check_compiled(&objects).iter().map(|d| d.code).collect()
    }

    fn codes_after(kind: &str, pointer: &str, value: Value) -> Vec<Code> {
        codes_after_edit(false, kind, pointer, value)
    }

    fn core_codes_after(kind: &str, pointer: &str, value: Value) -> Vec<Code> {
        codes_after_edit(true, kind, pointer, value)
    }

    #[test]
    fn a_consistent_build_passes() {
        assert!(check_compiled(&objects()).is_empty());
    }

    #[test]
    fn each_rule_fires_on_its_defect() {
        use Code::*;
        let cases: Vec<(Vec<Code>, Code)> = vec![
            (
                codes_after(
                    "InferencePool",
                    "/spec/selector/matchLabels",
                    json!({"app": "nope"}),
                ),
                PoolSelectorMismatch,
            ),
            (
                codes_after(
                    "Service",
                    "/spec/template/metadata/annotations/autoscaling.knative.dev~1min-scale",
                    json!("0"),
                ),
                ScaleToZeroPool,
            ),
            (
                codes_after(
                    "InferencePool",
                    "/spec/endpointPickerRef/port/number",
                    json!(1234),
                ),
                PickerUnresolved,
            ),
            (
                codes_after("HTTPRoute", "/spec/parentRefs/0/sectionName", json!("nope")),
                RouteParentUnresolved,
            ),
            (
                codes_after("HTTPRoute", "/spec/rules/0/timeouts/request", json!("299s")),
                TimeoutMismatch,
            ),
            (
                codes_after(
                    "Gateway",
                    "/spec/listeners/1/allowedRoutes/namespaces/from",
                    json!("Same"),
                ),
                RouteParentUnresolved,
            ),
            (
                codes_after(
                    "HTTPRoute",
                    "/spec/parentRefs/0/name",
                    json!("other-gateway"),
                ),
                RouteParentUnresolved,
            ),
            (
                codes_after(
                    "HTTPRoute",
                    "/spec/rules/0/backendRefs/0/name",
                    json!("other"),
                ),
                RouteBackendUnresolved,
            ),
            (
                codes_after("InferenceObjective", "/spec/poolRef/name", json!("other")),
                ObjectivePoolUnresolved,
            ),
            (
                core_codes_after(
                    "PersistentVolumeClaim",
                    "/spec/storageClassName",
                    json!("nas"),
                ),
                ClaimVolumeMismatch,
            ),
            (
                core_codes_after(
                    "PersistentVolumeClaim",
                    "/spec/resources/requests/storage",
                    json!("100Gi"),
                ),
                ClaimVolumeMismatch,
            ),
            (
                core_codes_after(
                    "PersistentVolumeClaim",
                    "/spec/accessModes",
                    json!(["ReadWriteOnce", "ReadWriteMany"]),
                ),
                ClaimVolumeMismatch,
            ),
            (
                core_codes_after(
                    "PersistentVolumeClaim",
                    "/spec/selector/matchLabels",
                    json!({"alicloud-pvname": "other"}),
                ),
                ClaimVolumeMismatch,
            ),
            (
                core_codes_after("PersistentVolume", "/spec/csi/volumeHandle", json!("other")),
                VolumeHandleMismatch,
            ),
            (
                codes_after(
                    "Service",
                    "/spec/template/spec/containers/0/volumeMounts/0/mountPath",
                    json!("/models/other"),
                ),
                MountPathMismatch,
            ),
        ];
        for (i, (found, want)) in cases.into_iter().enumerate() {
            assert_eq!(found, vec![want], "case {i}");
        }
    }
}
