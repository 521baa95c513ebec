//! The model server's command line. vLLM's OpenAI-compatible server is started directly (no
//! `sh -c`), so every flag is its own list item and nothing is re-parsed by a shell.

use crate::resolve::ResolvedStack;

pub const CONTAINER_NAME: &str = "vllm-container";

/// `command` and `args` of the model server container.
pub fn vllm_command(stack: &ResolvedStack) -> (Vec<String>, Vec<String>) {
    let e = &stack.engine;
    let command = ["python3", "-m", "vllm.entrypoints.openai.api_server"]
        .map(str::to_owned)
        .to_vec();
    let mut args = vec![
        "--port".to_owned(),
        e.port.value.to_string(),
        "--model".to_owned(),
        // The trailing slash is part of the served model name clients send (`"model": ".../"`).
        format!("{}/", stack.model.mount_path()),
    ];
    let mut flag = |name: &str, value: String| {
        args.push(name.to_owned());
        args.push(value);
    };
    if let Some(u) = &e.gpu_memory_utilization {
        flag("--gpu-memory-utilization", u.value.to_string());
    }
    if let Some(len) = &e.max_model_len {
        flag("--max-model-len", len.value.to_string());
    }
    if let Some(dtype) = &e.dtype {
        flag("--dtype", dtype.value.clone());
    }
    // Without it vLLM uses one GPU and the rest of the paid GPUs sit idle.
    let gpus = stack.resources.gpus.value;
    match &e.tensor_parallel_size {
        Some(tp) => flag("--tensor-parallel-size", tp.value.to_string()),
        None if gpus > 1 => flag("--tensor-parallel-size", gpus.to_string()),
        None => {}
    }
    args.extend(e.extra_args.iter().map(|a| a.value.clone()));
    (command, args)
}
