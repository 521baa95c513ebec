//! `[disaggregation]`: what llm-d's P/D path needs (Deployments, its router), and what its
//! docs say breaks: a sidecar connector the engine does not speak, a decode role with less
//! tensor parallelism than prefill over NIXL, a port the sidecar and the server would share.

use super::error;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::engine::{self, parallel};
use crate::k8s::disaggregation::{Connector, DECODE_SERVER_PORT, Role};
use crate::resolve::{Autoscaler, Profile, ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some(d) = &stack.disaggregation else {
        return;
    };
    let at = d.span;
    if stack.workload.value != Workload::Deployment {
        out.push(
            error(Code::InvalidValue, at, "needs Deployments", format!("`[disaggregation]` runs a prefill and a decode Deployment, and `workload` = \"{}\"", stack.workload.value.as_str()))
                .with_secondary(Label::new(stack.workload.span, "workload chosen here"))
                .with_help("set `workload = \"deployment\"`"),
        );
    }
    if stack.profile != Profile::GatewayApi {
        out.push(
            error(Code::InvalidValue, at, "needs llm-d's router", format!("`[disaggregation]` needs the picker's P/D scheduling profiles, which llm-d-router has and the `{}` profile's picker has not", stack.profile.as_str()))
                .with_help("set `profile = \"gateway-api\"`"),
        );
    }
    if stack.workload.value == Workload::Deployment
        && stack.scaling.autoscaler.value != Autoscaler::None
    {
        out.push(
            error(Code::InvalidValue, stack.scaling.autoscaler.span, "not with roles", "`scaling.autoscaler` scales one Deployment; a disaggregated server has two, sized by `disaggregation.prefill.replicas` and `disaggregation.decode.replicas`".to_owned())
                .with_help("remove `autoscaler`"),
        );
    }
    let server = engine::of(stack);
    match server.disaggregated() {
        None => out.push(
            error(Code::InvalidValue, stack.engine.kind.span, "no P/D flags", format!("inferstack does not know how `engine.kind` = \"{}\" serves a prefill or a decode role", stack.engine.kind.value))
                .with_help("serve with vLLM or SGLang"),
        ),
        // llm-d-router v0.10.0 `docs/disaggregation.md`: the sidecar "must be configured with
        // the correct connector protocol matching the vLLM `kv_connector` used on the serving
        // pods".
        Some(own) if let Some(written) = d.connector.as_ref().filter(|c| c.value != own.connector) => out.push(
            error(Code::DisaggregationMismatch, written.span, "not the engine's", format!("`connector` = \"{}\" is not how {} moves the KV cache: the routing sidecar and the engine would speak different protocols", written.value.as_str(), server.name()))
                .with_secondary(Label::new(stack.engine.kind.span, "engine chosen here"))
                .with_help(format!("set `connector = \"{}\"`", own.connector.as_str())),
        ),
        Some(_) => {}
    }
    // llm-d `docs/operations/disaggregation/vllm.md`, "Prefill TP > Decode TP Is Not
    // Supported": NixlConnector "only supports the fan-out direction (decode TP ≥ prefill TP)";
    // the reverse crashes the decode engine at the handshake.
    let (prefill, decode) = (&d.prefill.gpus, &d.decode.gpus);
    if engine::connector(stack) == Some(Connector::Nixlv2) && decode.value < prefill.value {
        out.push(
            Diagnostic::error(
                Code::DisaggregationMismatch,
                Label::new(decode.span, "less than prefill"),
                format!("decode tensor parallel {} is below prefill's {}: NIXL moves the cache only from a prefill group to an equal or larger decode group, and the decode engine fails the handshake otherwise", decode.value, prefill.value),
            )
            .with_secondary(Label::new(prefill.span, "prefill GPUs"))
            .with_help(format!("give decode at least {} GPUs, or prefill at most {}", prefill.value, decode.value)),
        );
    }
    if let Some(tp) = &stack.engine.tensor_parallel_size {
        out.push(
            error(Code::InvalidValue, tp.span, "not read", "`engine.tensor_parallel_size` is not read with `[disaggregation]`: each role's tensor parallel size is its `gpus`".to_owned())
                .with_help("remove it and set `disaggregation.prefill.gpus` and `disaggregation.decode.gpus`"),
        );
    }
    if stack.engine.port.value == DECODE_SERVER_PORT {
        out.push(
            error(Code::InvalidValue, stack.engine.port.span, "the decode server's port", format!("`engine.port` = {DECODE_SERVER_PORT} is where the decode pods' server listens behind the routing sidecar, which takes `engine.port` itself"))
                .with_help("choose another port, such as 8000"),
        );
    }
    // The flags inferstack sets for each role, from the engine's table: `extra_args` would give
    // both roles the same value.
    let role_flags = server.disaggregated().map_or(Vec::new(), |own| {
        Role::ALL
            .iter()
            .flat_map(|role| (own.flags)(*role))
            .map(|(flag, _)| *flag)
            .collect()
    });
    let mut seen = Vec::new();
    for flag in role_flags {
        if seen.contains(&flag) {
            continue;
        }
        seen.push(flag);
        if let Some((span, _)) = parallel::extra_flag(stack, &[flag]) {
            out.push(
                error(
                    Code::InvalidValue,
                    span,
                    "set by the role",
                    format!("`{flag}` is set for each role from `[disaggregation]`"),
                )
                .with_secondary(Label::new(at, "disaggregation here"))
                .with_help("remove it from `engine.extra_args`"),
            );
        }
    }
}
