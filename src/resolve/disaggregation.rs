//! `[disaggregation]`: the two roles' shapes, decided once, and the per-role view of a stack
//! the later stages build each role's Deployment and run the memory rules from.

use super::{ResolvedStack, WithDefaults};
use crate::diag::Diagnostics;
pub use crate::k8s::disaggregation::{Connector, Role};
use crate::source::{Span, Spanned};

/// The prefill and decode roles of a disaggregated server.
#[derive(Clone, Debug)]
pub struct Disaggregation {
    pub prefill: RoleShape,
    pub decode: RoleShape,
    /// `disaggregation.connector` as written; the engine's own otherwise (decided by the
    /// engine stage, which knows it).
    pub connector: Option<Spanned<Connector>>,
    pub sidecar_image: Spanned<String>,
    /// The port the pool sends requests to on both roles: the prefill server's, the decode
    /// pods' sidecar's (`engine.port`).
    pub serving_port: i64,
    pub span: Span,
}

/// Pods and GPUs of one role.
#[derive(Clone, Debug)]
pub struct RoleShape {
    pub replicas: Spanned<i64>,
    pub gpus: Spanned<i64>,
}

impl Disaggregation {
    pub fn shape(&self, role: Role) -> &RoleShape {
        match role {
            Role::Prefill => &self.prefill,
            Role::Decode => &self.decode,
        }
    }
}

pub(super) fn resolve(
    d: &WithDefaults<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Disaggregation> {
    let span = d.stack.section("disaggregation")?;
    let shape = |role: &str| {
        let gpus = format!("disaggregation.{role}.gpus");
        RoleShape {
            replicas: d.int(&format!("disaggregation.{role}.replicas")),
            gpus: d
                .stack
                .int(&gpus)
                .cloned()
                .unwrap_or_else(|| d.int("resources.gpus")),
        }
    };
    Some(Disaggregation {
        prefill: shape("prefill"),
        decode: shape("decode"),
        connector: d.written_choice(
            "disaggregation.connector",
            Connector::from_name,
            "is not a KV cache connector inferstack emits",
            Connector::Nixlv2,
            diagnostics,
        ),
        sidecar_image: d.str("disaggregation.sidecar_image"),
        serving_port: d.int("engine.port").value,
        span,
    })
}

impl ResolvedStack {
    /// The stack as one role's Deployment sees it: the role's GPUs and replicas in place of
    /// `resources.gpus` and `scaling.min`, and the decode server on the port behind the
    /// sidecar. `None` without `[disaggregation]`, and for a stack other than a Deployment's
    /// (the rules refuse it).
    pub fn role_view(&self, role: Role) -> Option<ResolvedStack> {
        if self.workload.value != super::Workload::Deployment {
            return None;
        }
        let shape = self.disaggregation.as_ref()?.shape(role);
        let mut view = self.clone();
        view.role = Some(role);
        view.resources.gpus = shape.gpus.clone();
        // Each role's tensor parallel group is its GPUs (the key is refused beside roles).
        view.engine.tensor_parallel_size = None;
        view.scaling.min = shape.replicas.clone();
        if role == Role::Decode {
            view.engine.port.value = crate::k8s::disaggregation::DECODE_SERVER_PORT;
        }
        Some(view)
    }
}
