//! The model servers inferstack knows, one file each, behind one small trait: how the server is
//! started, which flags inferstack sets from stack keys, and where it reports health.

mod custom;
mod flags;
pub mod parallel;
pub mod releases;
mod sglang;
pub mod sglang_releases;
mod vllm;
pub mod vllm_releases;

/// The byte bounds on what a custom engine's templates render, for the README and the
/// `template` fuzz target that holds them.
pub use custom::{MAX_ITEM_BYTES, MAX_TOTAL_BYTES};
pub use flags::{Disaggregated, Lora, MultiNode};

use crate::diag::Diagnostic;
use crate::model_source::Weights;
use crate::resolve::{EngineKind, ResolvedStack};

/// The container's `command` and `args`; the server is started directly, without `sh -c`, so
/// every flag is its own list item and nothing is re-parsed by a shell.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Launch {
    pub command: Vec<String>,
    pub args: Vec<String>,
}

/// Which pod of a server instance a command line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// The pod is the whole instance (Knative, a Deployment).
    Whole,
    /// The leader of a LeaderWorkerSet group: it serves HTTP.
    Leader,
    /// Another pod of the group: it only computes.
    Worker,
}

/// One model server.
pub trait Engine: Sync {
    /// The `engine.kind` value.
    fn kind(&self) -> EngineKind;
    /// The server's name in messages.
    fn name(&self) -> &'static str;
    /// The container's name in the Knative Service.
    fn container_name(&self) -> &'static str;
    /// The HTTP path that answers 200 once the model is loaded, for the probes.
    fn health_path(&self) -> Option<&'static str>;
    /// The Prometheus gauge of requests waiting in the server, for autoscalers; the names the
    /// router itself reads (llm-d-router v0.10.0 `pkg/epp/framework/plugins/datalayer/
    /// extractor/metrics/factories.go`, `QueuedRequestsSpec`).
    fn queue_metric(&self) -> Option<&'static str>;
    /// Flags inferstack sets, with the stack key each comes from (empty for a fixed flag);
    /// `extra_args` may not repeat them.
    fn managed_flags(&self) -> Vec<(&'static str, &'static str)>;
    /// `engine.dtype` values the server accepts.
    fn dtypes(&self) -> &'static [&'static str];
    /// How it runs across the pods of a LeaderWorkerSet group, if inferstack knows.
    fn multi_node(&self) -> Option<&MultiNode>;
    /// How it serves one role of prefill/decode disaggregation, if inferstack knows.
    fn disaggregated(&self) -> Option<&Disaggregated>;
    /// How it loads LoRA adapters, if inferstack knows.
    fn lora(&self) -> Option<&Lora>;
    /// Its flags by release, if inferstack has read them.
    fn releases(&self) -> Option<&'static releases::FlagReleases>;
    /// The command line of one pod; a `custom` template that does not render gives its
    /// diagnostics.
    fn launch(&self, stack: &ResolvedStack, member: Member) -> Result<Launch, Vec<Diagnostic>>;
}

/// Every engine, in the order `engine.kind` lists them.
pub const ENGINES: [&dyn Engine; 3] = [&vllm::VLLM, &sglang::SGLANG, &custom::Custom];

/// The engine of an `engine.kind` value, if it is one.
pub fn by_kind(kind: EngineKind) -> &'static dyn Engine {
    ENGINES
        .iter()
        .copied()
        .find(|e| e.kind() == kind)
        .expect("every kind has its engine")
}

/// A flag another server sets from a stack key, which `kind`'s server lacks: that server, and
/// `kind`'s own flag for the same key, both read from the servers' tables. `None` for a flag of
/// `kind`'s own (an alias included) and for flags no stack key sets.
pub fn foreign_flag(
    kind: EngineKind,
    flag: &str,
) -> Option<(EngineKind, &'static str, &'static str)> {
    let mine = by_kind(kind).managed_flags();
    if mine.iter().any(|(f, _)| *f == flag) {
        return None;
    }
    ENGINES
        .iter()
        .filter(|other| other.kind() != kind)
        .find_map(|other| {
            let (_, key) = other
                .managed_flags()
                .into_iter()
                .find(|(f, key)| *f == flag && !key.is_empty())?;
            let (own, _) = mine.iter().find(|(_, k)| *k == key)?;
            Some((other.kind(), *own, key))
        })
}

/// How a disaggregated stack's KV cache moves: `disaggregation.connector` as written, else the
/// engine's own; `None` without `[disaggregation]` or for an engine without P/D flags.
pub fn connector(stack: &ResolvedStack) -> Option<crate::k8s::disaggregation::Connector> {
    let d = stack.disaggregation.as_ref()?;
    d.connector
        .as_ref()
        .map(|c| c.value)
        .or_else(|| of(stack).disaggregated().map(|own| own.connector))
}

/// The stack's engine.
pub fn of(stack: &ResolvedStack) -> &'static dyn Engine {
    by_kind(stack.engine.kind.value)
}

/// The model argument for servers that take a path or a hub id: the mounted directory with the
/// trailing slash that is part of the served model name clients send (`"model": ".../"`), as
/// in the seed, or `ORG/NAME` for the hub.
pub fn model_argument(stack: &ResolvedStack) -> String {
    if stack.model.source.weights() == Weights::Mounted {
        format!("{}/", stack.model.path())
    } else {
        stack.model.path()
    }
}
