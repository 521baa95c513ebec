//! The index of a run's objects that every object rule reads (`ObjectIndex`), where findings go
//! (`Sink`, which places each by its object's position in the run), and the queries several
//! rule families share: the workloads a pool selects and its picker, the timed routes to
//! pools, a claim's volume, the listeners a parent reference selects.

use std::collections::HashMap;

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics, Label, Severity, Target};
use crate::k8s::Object;
use crate::k8s::knative::SERVICE_LABEL as KNATIVE_SERVICE_LABEL;
use crate::k8s::value::{array, text};
use crate::k8s::workload::{LWS_NAME_LABEL, LWS_WORKER_INDEX_LABEL};
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

/// Collects findings, placing each with the run's locator.
pub(in crate::rules) struct Sink<'a, 'l> {
    /// The run's objects: a finding's object is placed by its position among them.
    pub(super) objects: &'a [Object],
    pub(super) locate: &'a mut Locate<'l>,
    pub(super) diagnostics: Diagnostics,
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

    /// Where `pointer` of `object` is written: as `locate` gives it for the object's position
    /// in the run, or where the object was made when it is none of the run's.
    fn place(&mut self, object: &Object, pointer: &str) -> Place {
        match self.objects.iter().position(|o| std::ptr::eq(o, object)) {
            Some(index) => (self.locate)(index, pointer),
            None => (object.origin_of(pointer), None, pointer.to_owned()),
        }
    }
}

/// A workload and the labels its pods carry.
pub(super) type Workload<'a> = (&'a Object, serde_json::Map<String, Value>);

/// (group, kind, namespace, name) of an object.
pub(super) type Key<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);

/// The objects of a run, indexed once so every rule looks up in constant time: by identity,
/// workloads by namespace with their pods' labels, and the PersistentVolumes.
pub(in crate::rules) struct ObjectIndex<'a> {
    world: World,
    by_key: HashMap<Key<'a>, &'a Object>,
    pub(super) workloads: HashMap<Option<&'a str>, Vec<Workload<'a>>>,
    /// Workloads by namespace and each label their pods carry (indices into `workloads`), so a
    /// pool's selector looks up its candidates instead of scanning the namespace.
    workloads_by_label: HashMap<(Option<&'a str>, String, Value), Vec<usize>>,
    pub(super) volumes: Vec<&'a Object>,
    /// PersistentVolumes by each of their labels, so a claim's selector looks up its
    /// candidates instead of scanning every volume (a fleet has one volume per stack).
    pub(super) volumes_by_label: HashMap<(&'a str, &'a str), Vec<&'a Object>>,
}

impl<'a> ObjectIndex<'a> {
    pub(super) fn new(objects: &'a [Object], world: World) -> ObjectIndex<'a> {
        let mut cx = ObjectIndex {
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
    pub(super) fn absent_is_finding(&self) -> bool {
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

pub(super) fn problem(
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

/// The ports a pool sends requests to, in either version (`targetPorts` of v1,
/// `targetPortNumber` of v1alpha2).
pub(super) fn pool_target_ports(pool: &Object) -> Vec<i64> {
    let mut ports: Vec<i64> = array(&pool.body, "/spec/targetPorts")
        .iter()
        .filter_map(|p| p.get("number").and_then(Value::as_i64))
        .collect();
    ports.extend(
        pool.body
            .pointer("/spec/targetPortNumber")
            .and_then(Value::as_i64),
    );
    ports
}

/// The pool's selector, in either version.
pub(super) fn pool_selector(pool: &Value) -> Option<&serde_json::Map<String, Value>> {
    pool.pointer("/spec/selector/matchLabels")
        .or_else(|| pool.pointer("/spec/selector"))
        .and_then(Value::as_object)
}

/// The JSON Pointer of a workload's template of the pods that serve: a Deployment's, a
/// StatefulSet's and a Knative Service's `/spec/template`; a LeaderWorkerSet's leader template,
/// which defaults to the worker template (LWS v0.10.0 `LeaderWorkerTemplate`: "Defaults to the
/// worker template if not specified"). `None` for an object that is no workload.
pub(in crate::rules) fn serving_template(workload: &Object) -> Option<&'static str> {
    match (workload.id.group(), workload.id.kind.as_str()) {
        (crate::k8s::knative::GROUP, "Service") | ("apps", "Deployment" | "StatefulSet") => {
            Some("/spec/template")
        }
        (crate::k8s::lws::GROUP, crate::k8s::lws::KIND) => {
            let leader = "/spec/leaderWorkerTemplate/leaderTemplate";
            Some(if workload.body.pointer(leader).is_some() {
                leader
            } else {
                "/spec/leaderWorkerTemplate/workerTemplate"
            })
        }
        _ => None,
    }
}

/// Labels the pods of a workload that serve carry: the template's, plus the ones Knative adds,
/// or for a LeaderWorkerSet the ones its controller gives a group's leader.
pub(super) fn pod_labels(workload: &Object) -> Option<serde_json::Map<String, Value>> {
    let template = serving_template(workload)?;
    let mut labels = workload
        .body
        .pointer(&format!("{template}/metadata/labels"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let name = Value::from(workload.id.name.clone());
    match workload.id.kind.as_str() {
        "Service" => {
            labels.insert(KNATIVE_SERVICE_LABEL.to_owned(), name);
        }
        crate::k8s::lws::KIND => {
            labels.insert(LWS_NAME_LABEL.to_owned(), name);
            labels.insert(LWS_WORKER_INDEX_LABEL.to_owned(), Value::from("0"));
        }
        _ => {}
    }
    Some(labels)
}

/// The workloads whose pods a pool's selector matches, in object order.
pub(in crate::rules) fn selected_workloads<'a>(
    cx: &ObjectIndex<'a>,
    pool: &Object,
) -> Vec<&'a Object> {
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
    cx: &ObjectIndex<'a>,
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

/// The volume a claim's label selector picks among the objects, if any.
pub(super) fn selected_volume<'a>(
    cx: &ObjectIndex<'a>,
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
