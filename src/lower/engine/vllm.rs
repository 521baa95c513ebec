//! vLLM's OpenAI-compatible server (`vllm.entrypoints.openai.api_server`). Its `/health`
//! answers 200 once the engine is up and 503 when the engine died
//! (`vllm/entrypoints/openai/api_server.py`, `@router.get("/health")`).

use super::{Args, Engine, Launch, model_argument, tensor_parallel_size};
use crate::diag::Diagnostic;
use crate::resolve::ResolvedStack;

pub struct Vllm;

impl Engine for Vllm {
    fn kind(&self) -> &'static str {
        "vllm"
    }

    fn container_name(&self) -> &'static str {
        "vllm-container"
    }

    fn health_path(&self) -> Option<&'static str> {
        Some("/health")
    }

    fn managed_flags(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("--port", "engine.port"),
            ("--model", "model.name / model.source"),
            ("--revision", "model.revision"),
            ("--max-model-len", "engine.max_model_len"),
            ("--gpu-memory-utilization", "engine.gpu_memory_utilization"),
            ("--dtype", "engine.dtype"),
            ("--tensor-parallel-size", "engine.tensor_parallel_size"),
        ]
    }

    /// vLLM's `--dtype` choices.
    fn dtypes(&self) -> &'static [&'static str] {
        &["auto", "half", "float16", "bfloat16", "float", "float32"]
    }

    fn launch(&self, stack: &ResolvedStack) -> Result<Launch, Vec<Diagnostic>> {
        let e = &stack.engine;
        let mut args = Args(Vec::new());
        args.flag("--port", e.port.value)
            .flag("--model", model_argument(stack))
            .flag_opt(
                "--revision",
                stack.model.revision.as_ref().map(|r| &r.value),
            )
            .flag_opt(
                "--gpu-memory-utilization",
                e.gpu_memory_utilization.as_ref().map(|u| u.value),
            )
            .flag_opt("--max-model-len", e.max_model_len.as_ref().map(|l| l.value))
            .flag_opt("--dtype", e.dtype.as_ref().map(|d| &d.value))
            .flag_opt("--tensor-parallel-size", tensor_parallel_size(stack));
        Ok(Launch {
            command: ["python3", "-m", "vllm.entrypoints.openai.api_server"]
                .map(str::to_owned)
                .to_vec(),
            args: args.extra(stack),
        })
    }
}
