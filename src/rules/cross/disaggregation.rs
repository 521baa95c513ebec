//! The decode pods of llm-d's prefill/decode path serve the pool's port through the routing
//! sidecar: the pool sends every request to its target port on decode pods too, where the
//! sidecar takes the prefill pod the picker chose (`x-prefiller-host-port`) and proxies to the
//! model server on a port of its own (llm-d's `pd-disaggregation` guide: the sidecar on 8000,
//! vLLM on 8200). A decode pod that declares ports, none of them a target port, has nothing
//! where the gateway sends its requests.

use serde_json::Value;

use super::index::{
    ObjectIndex, Sink, pool_target_ports, problem, selected_workloads, serving_template,
};
use crate::diag::Code;
use crate::k8s::Object;
use crate::k8s::disaggregation::{ROLE_LABEL, Role};
use crate::k8s::value::{array, text};

pub(super) fn decode_pods_serve_pool_port(cx: &ObjectIndex<'_>, pool: &Object, out: &mut Sink) {
    let targets = pool_target_ports(pool);
    if targets.is_empty() {
        return;
    }
    for workload in selected_workloads(cx, pool) {
        let Some(template) = serving_template(workload) else {
            continue;
        };
        let role = format!(
            "{template}/metadata/labels/{}",
            ROLE_LABEL.replace('/', "~1")
        );
        if text(&workload.body, &role) != Some(Role::Decode.as_str()) {
            continue;
        }
        let containers = array(&workload.body, &format!("{template}/spec/containers"));
        let sidecars = array(&workload.body, &format!("{template}/spec/initContainers"))
            .iter()
            .filter(|c| text(c, "/restartPolicy") == Some("Always"));
        let declared: Vec<i64> = containers
            .iter()
            .chain(sidecars)
            .flat_map(|c| array(c, "/ports"))
            .filter_map(|p| p.get("containerPort").and_then(Value::as_i64))
            .collect();
        if declared.is_empty() || declared.iter().any(|p| targets.contains(p)) {
            continue;
        }
        let listed = |ports: &[i64]| {
            ports
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        problem(
            out,
            Code::DecodeSidecarMissing,
            workload,
            &format!("{template}/spec"),
            format!(
                "its decode pods declare ports {} but {} sends requests to {}: no routing sidecar listens where the gateway sends them",
                listed(&declared),
                pool.id,
                listed(&targets)
            ),
            "add llm-d-router's routing sidecar (an init container with restartPolicy: Always, --port on the pool's target port) in front of the model server",
        );
    }
}
