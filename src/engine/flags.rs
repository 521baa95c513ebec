//! A server configured by command-line flags (vLLM, SGLang): one table of flag names per
//! server, so adding a server that takes flags is a table, not code.

use super::{Engine, Launch, model_argument};
use crate::diag::Diagnostic;
use crate::resolve::{EngineKind, ResolvedStack};

/// A subcommand that takes the model as its first argument (`vllm serve MODEL`), used instead
/// of `command` and the `model` flag for the image versions `accepts` says have it.
pub struct Serve {
    pub command: &'static [&'static str],
    pub accepts: fn(Option<&[u64]>) -> bool,
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
        flags
    }

    fn dtypes(&self) -> &'static [&'static str] {
        self.dtypes
    }

    fn launch(&self, stack: &ResolvedStack) -> Result<Launch, Vec<Diagnostic>> {
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
        flag(
            self.tensor_parallel_size,
            stack.engine.tensor_parallel.map(|tp| tp.to_string()),
        );
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
