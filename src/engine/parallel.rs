//! How one server instance spreads over GPUs: tensor parallel inside a pod and, on a
//! LeaderWorkerSet, across the pods of a group as the engine does it (vLLM: pipeline stages,
//! one per pod; SGLang: one tensor parallel group over every pod). The launch, the memory
//! estimate and the parallelism rules all read it from here.

use super::by_kind;
use crate::resolve::{ResolvedStack, Workload};
use crate::source::Span;

/// The value of the first of `names` in `engine.extra_args` (`--flag value` or `--flag=value`),
/// with the span of the argument that holds it.
pub fn extra_flag(stack: &ResolvedStack, names: &[&str]) -> Option<(Span, String)> {
    let args = &stack.engine.extra_args;
    args.iter().enumerate().find_map(|(i, arg)| {
        names.iter().find_map(|name| {
            if arg.value == *name {
                let value = args.get(i + 1).map_or(String::new(), |v| v.value.clone());
                Some((arg.span, value))
            } else {
                let value = arg.value.strip_prefix(name)?.strip_prefix('=')?;
                Some((arg.span, value.to_owned()))
            }
        })
    })
}

/// Pipeline parallel spellings in `engine.extra_args`: vLLM's `--pipeline-parallel-size`
/// (also `-pp`), SGLang's `--pp-size`.
pub const PIPELINE_FLAGS: &[&str] = &["--pipeline-parallel-size", "-pp", "--pp-size"];

/// The shape of one server instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parallelism {
    /// The tensor parallel size the server is started with; `None` leaves the server's own
    /// (one GPU).
    pub tensor: Option<i64>,
    /// Pipeline stages.
    pub pipeline: i64,
}

impl Parallelism {
    /// GPUs the instance's workers occupy: tensor × pipeline.
    pub fn world(self) -> i64 {
        self.tensor
            .unwrap_or(1)
            .max(1)
            .saturating_mul(self.pipeline.max(1))
    }
}

/// Pods one server instance spans: `resources.nodes` on a LeaderWorkerSet, else one.
pub fn nodes(stack: &ResolvedStack) -> i64 {
    match stack.workload.value {
        Workload::LeaderWorkerSet => stack.resources.nodes.value.max(1),
        Workload::Knative | Workload::Deployment => 1,
    }
}

/// The instance's shape: `engine.tensor_parallel_size` when written, else every GPU of the
/// tensor parallel group (without it the server uses one GPU and the rest sit idle); pipeline
/// stages from the group's pods where the engine makes them, else from `extra_args`.
pub fn parallelism(stack: &ResolvedStack) -> Parallelism {
    let nodes = nodes(stack);
    let across = by_kind(stack.engine.kind.value).multi_node();
    let (tensor_pods, pipeline) = match across {
        Some(m) if nodes > 1 && m.pipeline.is_some() => (1, Some(nodes)),
        Some(_) if nodes > 1 => (nodes, None),
        _ => (1, None),
    };
    let tensor = match &stack.engine.tensor_parallel_size {
        Some(tp) => Some(tp.value),
        None => Some(stack.resources.gpus.value.saturating_mul(tensor_pods)).filter(|n| *n > 1),
    };
    let pipeline = pipeline.unwrap_or_else(|| {
        extra_flag(stack, PIPELINE_FLAGS)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(1)
    });
    Parallelism { tensor, pipeline }
}
