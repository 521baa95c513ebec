//! Rules across the objects of one build: every reference resolves, and objects that must agree
//! do. These are the mistakes that pass every schema and surface only in the cluster: a pool
//! that selects no pods, a route to a listener that does not exist, a claim that never binds.
//! This file only dispatches, in a fixed order: the rules live by family (`references.rs`,
//! `volumes.rs`, `routes.rs`, `claims.rs`), the index of the objects and the shared queries in
//! `index.rs`; the rule families' own object rules (`time.rs`, `autoscaling.rs`, `shutdown.rs`)
//! run from here with that index: those on one Knative Service always, those that follow a
//! route or a pool with the references.

mod claims;
mod disaggregation;
pub(in crate::rules) mod index;
mod references;
mod routes;
mod volumes;

pub use index::{Locate, Place, World};
use index::{ObjectIndex, Sink};

use crate::diag::Diagnostics;
use crate::k8s::Object;
use references::{
    objective_pool_resolves, pool_picker_resolves, pool_selects_pods, route_backends_resolve,
    route_parents_resolve,
};
use volumes::{claim_binds_volume, model_path_is_mounted, volume_handle_is_name};

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
        objects,
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
    let cx = ObjectIndex::new(objects, world);
    for object in objects {
        match (object.id.group(), object.id.kind.as_str()) {
            (group, "InferencePool") if group.starts_with("inference.networking") => {
                pool_selects_pods(&cx, object, &mut out);
                pool_picker_resolves(&cx, object, &mut out);
                disaggregation::decode_pods_serve_pool_port(&cx, object, &mut out);
            }
            ("gateway.networking.k8s.io", "HTTPRoute") => {
                route_parents_resolve(&cx, object, &mut out);
                route_backends_resolve(&cx, object, &mut out);
            }
            (_, "InferenceObjective") => objective_pool_resolves(&cx, object, &mut out),
            ("", "PersistentVolumeClaim") => claim_binds_volume(&cx, object, &mut out),
            ("", "PersistentVolume") => volume_handle_is_name(object, &mut out),
            (crate::k8s::knative::GROUP, "Service") => model_path_is_mounted(object, &mut out),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::compile;
    use crate::diag::Code;
    use crate::resolve::Profile;
    use crate::source::SourceMap;
    use serde_json::Value;
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
