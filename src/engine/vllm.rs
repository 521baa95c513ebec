//! vLLM's OpenAI-compatible server (`vllm.entrypoints.openai.api_server`, flags from
//! `vllm/engine/arg_utils.py`). Its `/health` answers 200 once the engine is up and 503 when
//! the engine died (`vllm/entrypoints/openai/api_server.py`, `@router.get("/health")`).

use super::flags::{Disaggregated, FlagServer, Lora, MultiNode, Serve};
use super::vllm_releases;
use crate::k8s::disaggregation::{Connector, NIXL_PORT};
use crate::resolve::EngineKind;

/// `--served-model-name` takes several names (`nargs="+"`) since vLLM 0.4.1 at least
/// (`vllm/entrypoints/openai/cli_args.py` of the 0.4.1 wheel, the seed's image); the first is
/// the one in responses and in metrics' `model_name`.
pub const VLLM: FlagServer = FlagServer {
    kind: EngineKind::Vllm,
    name: "vLLM",
    container_name: "vllm-container",
    // The OpenAI server module for releases before `vllm serve` (the seed's 0.4.1).
    command: &["python3", "-m", "vllm.entrypoints.openai.api_server"],
    serve: Some(Serve {
        command: &["vllm", "serve"],
        accepts: vllm_releases::has_serve,
    }),
    health_path: "/health",
    queue_metric: "vllm:num_requests_waiting",
    fixed: &[],
    port: "--port",
    model: "--model",
    revision: "--revision",
    max_model_len: "--max-model-len",
    gpu_memory_utilization: "--gpu-memory-utilization",
    dtype: "--dtype",
    tensor_parallel_size: "--tensor-parallel-size",
    served_model_name: "--served-model-name",
    serves_several_names: true,
    aliases: &[],
    dtypes: &["auto", "half", "float16", "bfloat16", "float", "float32"],
    // vLLM's multiprocessing across nodes (docs/serving/parallelism_scaling.md: every node runs
    // `vllm serve` with `--nnodes`, `--node-rank` and the head's `--master-addr`, the others
    // `--headless`, without the API server; docs.vllm.ai's LeaderWorkerSet page passes
    // `$(LWS_GROUP_SIZE)`, `$(LWS_WORKER_INDEX)` and `$(LWS_LEADER_ADDRESS)` to them), flags of
    // 0.11.1 and later (`vllm_flags.tsv`). The backend is named, since the image also has Ray.
    multi_node: Some(MultiNode {
        nnodes: "--nnodes",
        node_rank: "--node-rank",
        leader: ("--master-addr", None),
        pipeline: Some("--pipeline-parallel-size"),
        fixed: &[("--distributed-executor-backend", "mp")],
        worker_only: &["--headless"],
    }),
    // Both roles as llm-d's pd-disaggregation guide starts them (`gpu/vllm/base/
    // patch-prefill.yaml`, `patch-decode.yaml`): the same `kv_both` NixlConnector.
    disaggregated: Some(Disaggregated {
        connector: Connector::Nixlv2,
        flags: |_| {
            &[(
                "--kv-transfer-config",
                r#"{"kv_connector":"NixlConnector","kv_role":"kv_both"}"#,
            )]
        },
        side_channel: Some(("VLLM_NIXL_SIDE_CHANNEL_HOST", NIXL_PORT)),
        // The guide's prefill patch: "Default vLLM keep-alive (5s) is shorter than
        // llm-d-routing-sidecar's default idle conn timeout (90s ...), causing TCP RSTs on
        // reuse".
        prefill_env: &[("VLLM_HTTP_TIMEOUT_KEEP_ALIVE", "120")],
        env: &[],
    }),
    // `vllm/engine/arg_utils.py` and `vllm/config/lora.py` (main of 2026-05-29): `max_loras`
    // 1, `max_lora_rank` 16 of `MaxLoRARanks`; `--lora-modules` items in the JSON form of
    // `vllm/entrypoints/openai/cli_args.py`, which a path with `=` or `,` cannot break, and
    // `base_model_name` so `/v1/models` names the adapter's parent.
    lora: Some(Lora {
        enable: "--enable-lora",
        modules: "--lora-modules",
        module: |name, path, base| {
            serde_json::json!({"name": name, "path": path, "base_model_name": base}).to_string()
        },
        max_loras: ("--max-loras", 1),
        max_rank: Some((
            "--max-lora-rank",
            16,
            &[1, 8, 16, 32, 64, 128, 256, 320, 512],
        )),
    }),
    releases: &super::vllm_releases::VLLM,
};
