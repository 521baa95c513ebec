//! A server configured by command-line flags (vLLM, SGLang): one table of flag names per
//! server, so adding a server that takes flags is a table, not code.

use super::parallel::{nodes, parallelism};
use super::releases::FlagReleases;
use super::{Engine, Launch, Member, model_argument};
use crate::diag::Diagnostic;
use crate::k8s::disaggregation::{Connector, Role};
use crate::k8s::workload::{LWS_LEADER_ADDRESS, LWS_WORKER_INDEX};
use crate::resolve::adapters::Adapter;
use crate::resolve::{EngineKind, ResolvedStack};

/// A subcommand that takes the model as its first argument (`vllm serve MODEL`), used instead
/// of `command` and the `model` flag for the image versions `accepts` says have it.
pub struct Serve {
    pub command: &'static [&'static str],
    pub accepts: fn(Option<&[u64]>) -> bool,
}

/// How a server runs across the pods of a LeaderWorkerSet group: every pod runs the same
/// server with its rank, and finds the leader by the address LeaderWorkerSet gives it.
pub struct MultiNode {
    /// The number of pods (`resources.nodes`).
    pub nnodes: &'static str,
    /// The pod's index in the group, 0 for the leader.
    pub node_rank: &'static str,
    /// The flag that names the leader, and the port the server wants after its address
    /// (SGLang's `--dist-init-addr HOST:PORT`), if any.
    pub leader: (&'static str, Option<u16>),
    /// The pipeline parallel flag, when each pod is one pipeline stage with tensor parallelism
    /// inside it (vLLM); `None` when tensor parallelism spans the group (SGLang).
    pub pipeline: Option<&'static str>,
    /// Flags every pod of a group gets.
    pub fixed: &'static [(&'static str, &'static str)],
    /// Flags only the workers get (vLLM's `--headless`: no API server on them).
    pub worker_only: &'static [&'static str],
}

impl MultiNode {
    /// Every flag of the group's command lines, the workers' included.
    pub fn flags(&self) -> impl Iterator<Item = &'static str> + '_ {
        [self.nnodes, self.node_rank, self.leader.0]
            .into_iter()
            .chain(self.pipeline)
            .chain(self.fixed.iter().map(|(flag, _)| *flag))
            .chain(self.worker_only.iter().copied())
    }
}

/// How a server takes part in prefill/decode disaggregation: the connector its KV cache moves
/// with, and the flags each role's server gets.
pub struct Disaggregated {
    pub connector: Connector,
    pub flags: fn(Role) -> &'static [(&'static str, &'static str)],
    /// The variable the engine reads the pod's IP from, to advertise its cache transfer side
    /// channel to the other role, and that channel's port.
    pub side_channel: Option<(&'static str, i32)>,
    /// Variables the prefill server gets.
    pub prefill_env: &'static [(&'static str, &'static str)],
    /// Variables both roles' servers get.
    pub env: &'static [(&'static str, &'static str)],
}

/// How a server loads LoRA adapters at start-up (`[[adapters]]`).
pub struct Lora {
    /// Turns adapters on.
    pub enable: &'static str,
    /// Takes the adapters, one argument each.
    pub modules: &'static str,
    /// One adapter as the server takes it, from its name, where it is, and the base model's
    /// served name.
    pub module: fn(&str, &str, &str) -> String,
    /// The flag of the adapters one batch may hold, and the server's default.
    pub max_loras: (&'static str, i64),
    /// The flag of the largest rank, its default, and the ranks it accepts (ascending); `None`
    /// where the server reads the rank from the adapters.
    pub max_rank: Option<(&'static str, i64, &'static [i64])>,
}

impl Lora {
    /// Every flag the adapters' command line may carry.
    pub fn flags(&self) -> impl Iterator<Item = &'static str> + '_ {
        [self.enable, self.modules, self.max_loras.0]
            .into_iter()
            .chain(self.max_rank.map(|(flag, _, _)| flag))
    }

    /// The smallest rank the server accepts that holds `rank`, if any.
    pub fn rank_slot(&self, rank: i64) -> Option<i64> {
        match self.max_rank {
            Some((_, _, ranks)) => ranks.iter().copied().find(|r| *r >= rank),
            None => Some(rank),
        }
    }

    /// The adapter slots of one batch (one per adapter, at least the server's default) and
    /// the rank every slot is sized for (the largest adapter's, as the server accepts it).
    pub fn limits(&self, adapters: &[Adapter]) -> (i64, Option<i64>) {
        let count = i64::try_from(adapters.len()).unwrap_or(i64::MAX);
        let rank = adapters.iter().map(|a| a.rank.value).max().unwrap_or(0);
        (count.max(self.max_loras.1), self.rank_slot(rank))
    }
}

/// The flag each stack key becomes for one server.
pub struct FlagServer {
    pub kind: EngineKind,
    pub name: &'static str,
    pub container_name: &'static str,
    pub command: &'static [&'static str],
    pub serve: Option<Serve>,
    pub health_path: &'static str,
    pub queue_metric: &'static str,
    /// Flags the server always gets, before the ones from keys.
    pub fixed: &'static [(&'static str, &'static str)],
    pub port: &'static str,
    pub model: &'static str,
    pub revision: &'static str,
    pub max_model_len: &'static str,
    pub gpu_memory_utilization: &'static str,
    pub dtype: &'static str,
    pub tensor_parallel_size: &'static str,
    pub served_model_name: &'static str,
    /// Whether `served_model_name` takes several names (vLLM's `nargs="+"`): then the model
    /// argument stays one of them, so clients that send it keep working.
    pub serves_several_names: bool,
    /// Other spellings of the flags above, with their key, so `extra_args` cannot repeat them.
    pub aliases: &'static [(&'static str, &'static str)],
    pub dtypes: &'static [&'static str],
    pub multi_node: Option<MultiNode>,
    pub disaggregated: Option<Disaggregated>,
    pub lora: Option<Lora>,
    pub releases: &'static FlagReleases,
}

impl FlagServer {
    /// The adapters' flags: on, the batch's adapters and rank where above the server's
    /// defaults, and every adapter.
    fn lora_args(&self, stack: &ResolvedStack) -> Vec<String> {
        let Some(l) = self.lora.as_ref().filter(|_| !stack.adapters.is_empty()) else {
            return Vec::new();
        };
        let mut args = vec![l.enable.to_owned()];
        let (slots, rank) = l.limits(&stack.adapters);
        if slots > l.max_loras.1 {
            args.extend([l.max_loras.0.to_owned(), slots.to_string()]);
        }
        if let (Some((name, default, _)), Some(slot)) = (l.max_rank, rank)
            && slot > default
        {
            args.extend([name.to_owned(), slot.to_string()]);
        }
        args.push(l.modules.to_owned());
        let mount = stack.model.mount_path();
        let base = &stack.served_model_name().value;
        args.extend(
            stack
                .adapters
                .iter()
                .map(|a| (l.module)(&a.name.value, &a.location(&mount), base)),
        );
        args
    }
}

impl Engine for FlagServer {
    fn kind(&self) -> EngineKind {
        self.kind
    }

    fn name(&self) -> &'static str {
        self.name
    }

    fn container_name(&self) -> &'static str {
        self.container_name
    }

    fn health_path(&self) -> Option<&'static str> {
        Some(self.health_path)
    }

    fn queue_metric(&self) -> Option<&'static str> {
        Some(self.queue_metric)
    }

    fn managed_flags(&self) -> Vec<(&'static str, &'static str)> {
        let mut flags: Vec<(&str, &str)> = self.fixed.iter().map(|(flag, _)| (*flag, "")).collect();
        flags.extend([
            (self.port, "engine.port"),
            (self.model, "model.name / model.source"),
            (self.revision, "model.revision"),
            (self.max_model_len, "engine.max_model_len"),
            (self.gpu_memory_utilization, "engine.gpu_memory_utilization"),
            (self.dtype, "engine.dtype"),
            (self.tensor_parallel_size, "engine.tensor_parallel_size"),
            (self.served_model_name, "engine.served_model_name"),
        ]);
        flags.extend(self.aliases);
        if let Some(l) = &self.lora {
            flags.extend(l.flags().map(|flag| (flag, "adapters")));
        }
        if let Some(m) = &self.multi_node {
            // The pipeline flag stays the user's outside a LeaderWorkerSet.
            let pipeline = m.pipeline;
            flags.extend(
                m.flags()
                    .filter(|flag| Some(*flag) != pipeline)
                    .map(|flag| (flag, "resources.nodes")),
            );
        }
        flags
    }

    fn multi_node(&self) -> Option<&MultiNode> {
        self.multi_node.as_ref()
    }

    fn disaggregated(&self) -> Option<&Disaggregated> {
        self.disaggregated.as_ref()
    }

    fn lora(&self) -> Option<&Lora> {
        self.lora.as_ref()
    }

    fn releases(&self) -> Option<&'static FlagReleases> {
        Some(self.releases)
    }

    fn dtypes(&self) -> &'static [&'static str] {
        self.dtypes
    }

    fn launch(&self, stack: &ResolvedStack, member: Member) -> Result<Launch, Vec<Diagnostic>> {
        let e = &stack.engine;
        let mut args = Vec::new();
        let mut flag = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                args.push(name.to_owned());
                args.push(value);
            }
        };
        for (name, value) in self.fixed {
            flag(name, Some((*value).to_owned()));
        }
        flag(self.port, Some(e.port.value.to_string()));
        let model = model_argument(stack);
        let version = crate::k8s::image::version(&e.image.value);
        let serve = self
            .serve
            .as_ref()
            .filter(|s| (s.accepts)(version.as_deref()));
        if serve.is_none() {
            flag(self.model, Some(model.clone()));
        }
        flag(
            self.revision,
            stack.model.revision.as_ref().map(|r| r.value.clone()),
        );
        flag(
            self.gpu_memory_utilization,
            e.gpu_memory_utilization
                .as_ref()
                .map(|u| u.value.to_string()),
        );
        flag(
            self.max_model_len,
            e.max_model_len.as_ref().map(|l| l.value.to_string()),
        );
        flag(self.dtype, e.dtype.as_ref().map(|d| d.value.clone()));
        let shape = parallelism(stack);
        flag(
            self.tensor_parallel_size,
            shape.tensor.map(|tp| tp.to_string()),
        );
        if let (Some(d), Some(role)) = (&self.disaggregated, stack.role) {
            for (name, value) in (d.flags)(role) {
                flag(name, Some((*value).to_owned()));
            }
        }
        if let (Some(m), Member::Leader | Member::Worker) = (&self.multi_node, member) {
            flag(m.nnodes, Some(nodes(stack).to_string()));
            flag(m.node_rank, Some(LWS_WORKER_INDEX.to_owned()));
            let leader = match m.leader.1 {
                Some(port) => format!("{LWS_LEADER_ADDRESS}:{port}"),
                None => LWS_LEADER_ADDRESS.to_owned(),
            };
            flag(m.leader.0, Some(leader));
            if let Some(pipeline) = m.pipeline {
                flag(pipeline, Some(shape.pipeline.to_string()));
            }
            for (name, value) in m.fixed {
                flag(name, Some((*value).to_owned()));
            }
            if member == Member::Worker {
                args.extend(m.worker_only.iter().map(|f| (*f).to_owned()));
            }
        }
        args.extend(self.lora_args(stack));
        if serve.is_some() {
            args.insert(0, model.clone());
        }
        let served = &stack.served_model_name().value;
        args.push(self.served_model_name.to_owned());
        args.push(served.clone());
        if self.serves_several_names && *served != model {
            args.push(model);
        }
        args.extend(e.extra_args.iter().map(|a| a.value.clone()));
        Ok(Launch {
            command: serve
                .map_or(self.command, |s| s.command)
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            args,
        })
    }
}
