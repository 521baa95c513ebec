//! SGLang's server (`python3 -m sglang.launch_server`). Flags from `ServerArgs` in
//! `python/sglang/srt/server_args.py`: `--model-path`, `--revision`, `--context-length`,
//! `--mem-fraction-static`, `--dtype`, `--tp-size` (alias `--tensor-parallel-size`), `--host`,
//! `--port`. Its `/health` answers once the HTTP server is up and `/health_generate` after
//! generating one token (`python/sglang/srt/entrypoints/http_server.py`).

use super::{Args, Engine, Launch, model_argument, tensor_parallel_size};
use crate::diag::Diagnostic;
use crate::resolve::ResolvedStack;

pub struct Sglang;

impl Engine for Sglang {
    fn kind(&self) -> &'static str {
        "sglang"
    }

    fn container_name(&self) -> &'static str {
        "sglang-container"
    }

    fn health_path(&self) -> Option<&'static str> {
        Some("/health")
    }

    fn managed_flags(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("--host", "(all interfaces, for the kubelet's probes)"),
            ("--port", "engine.port"),
            ("--model-path", "model.name / model.source"),
            ("--model", "model.name / model.source"),
            ("--revision", "model.revision"),
            ("--context-length", "engine.max_model_len"),
            ("--mem-fraction-static", "engine.gpu_memory_utilization"),
            ("--dtype", "engine.dtype"),
            ("--tp-size", "engine.tensor_parallel_size"),
            ("--tensor-parallel-size", "engine.tensor_parallel_size"),
        ]
    }

    /// SGLang's `--dtype` choices (`ServerArgs.dtype`).
    fn dtypes(&self) -> &'static [&'static str] {
        &["auto", "half", "float16", "bfloat16", "float", "float32"]
    }

    fn launch(&self, stack: &ResolvedStack) -> Result<Launch, Vec<Diagnostic>> {
        let e = &stack.engine;
        let mut args = Args(Vec::new());
        // SGLang listens on 127.0.0.1 by default, where the kubelet's probes cannot reach it.
        args.flag("--host", "0.0.0.0")
            .flag("--port", e.port.value)
            .flag("--model-path", model_argument(stack))
            .flag_opt(
                "--revision",
                stack.model.revision.as_ref().map(|r| &r.value),
            )
            .flag_opt(
                "--context-length",
                e.max_model_len.as_ref().map(|l| l.value),
            )
            .flag_opt(
                "--mem-fraction-static",
                e.gpu_memory_utilization.as_ref().map(|u| u.value),
            )
            .flag_opt("--dtype", e.dtype.as_ref().map(|d| &d.value))
            .flag_opt("--tp-size", tensor_parallel_size(stack));
        Ok(Launch {
            command: ["python3", "-m", "sglang.launch_server"]
                .map(str::to_owned)
                .to_vec(),
            args: args.extra(stack),
        })
    }
}
