//! vLLM's OpenAI-compatible server (`vllm.entrypoints.openai.api_server`, flags from
//! `vllm/engine/arg_utils.py`). Its `/health` answers 200 once the engine is up and 503 when
//! the engine died (`vllm/entrypoints/openai/api_server.py`, `@router.get("/health")`).

use super::flags::FlagServer;

pub const VLLM: FlagServer = FlagServer {
    kind: "vllm",
    name: "vLLM",
    container_name: "vllm-container",
    command: &["python3", "-m", "vllm.entrypoints.openai.api_server"],
    health_path: "/health",
    fixed: &[],
    port: "--port",
    model: "--model",
    revision: "--revision",
    max_model_len: "--max-model-len",
    gpu_memory_utilization: "--gpu-memory-utilization",
    dtype: "--dtype",
    tensor_parallel_size: "--tensor-parallel-size",
    aliases: &[],
    dtypes: &["auto", "half", "float16", "bfloat16", "float", "float32"],
};
