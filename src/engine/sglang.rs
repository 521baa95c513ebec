//! SGLang's server (`python3 -m sglang.launch_server`). Flags from `ServerArgs` in
//! `python/sglang/srt/server_args.py`: `--model-path` (alias `--model`), `--revision`,
//! `--context-length`, `--mem-fraction-static`, `--dtype`, `--tp-size` (alias
//! `--tensor-parallel-size`), `--host`, `--port`. Its `/health` answers once the HTTP server is
//! up and `/health_generate` after generating one token
//! (`python/sglang/srt/entrypoints/http_server.py`).

use super::flags::{Disaggregated, FlagServer, Lora, MultiNode};
use crate::k8s::disaggregation::{Connector, Role};
use crate::resolve::EngineKind;

/// `--served-model-name` takes one name, without `:` (`server_args.py`, SGLang 0.5.10).
pub const SGLANG: FlagServer = FlagServer {
    kind: EngineKind::Sglang,
    name: "SGLang",
    container_name: "sglang-container",
    command: &["python3", "-m", "sglang.launch_server"],
    serve: None,
    health_path: "/health",
    queue_metric: "sglang:num_queue_reqs",
    // SGLang listens on 127.0.0.1 by default, where the kubelet's probes cannot reach it.
    fixed: &[("--host", "0.0.0.0")],
    port: "--port",
    model: "--model-path",
    revision: "--revision",
    max_model_len: "--context-length",
    gpu_memory_utilization: "--mem-fraction-static",
    dtype: "--dtype",
    tensor_parallel_size: "--tp-size",
    served_model_name: "--served-model-name",
    serves_several_names: false,
    aliases: &[
        ("--model", "model.name / model.source"),
        ("--tensor-parallel-size", "engine.tensor_parallel_size"),
    ],
    dtypes: &["auto", "half", "float16", "bfloat16", "float", "float32"],
    // SGLang's LeaderWorkerSet examples (docs/references/multi_node_deployment/lws_pd/
    // lws-examples/p.yaml: `--tp 16 --dist-init-addr $(LWS_LEADER_ADDRESS):20102 --nnodes
    // $(LWS_GROUP_SIZE) --node-rank $(LWS_WORKER_INDEX)` on two 8-GPU pods): one tensor
    // parallel group over every GPU of the group, the same command on every pod, the leader's
    // rendezvous on a port of its own (any free one; 20000 here).
    multi_node: Some(MultiNode {
        nnodes: "--nnodes",
        node_rank: "--node-rank",
        leader: ("--dist-init-addr", Some(20000)),
        pipeline: None,
        fixed: &[],
        worker_only: &[],
    }),
    // llm-d's SGLang recipe (`pd-disaggregation/modelserver/gpu/sglang/base/patch-*.yaml`):
    // the role, and NIXL to move the cache.
    disaggregated: Some(Disaggregated {
        connector: Connector::Sglang,
        flags: |role| match role {
            Role::Prefill => &[
                ("--disaggregation-mode", "prefill"),
                ("--disaggregation-transfer-backend", "nixl"),
            ],
            Role::Decode => &[
                ("--disaggregation-mode", "decode"),
                ("--disaggregation-transfer-backend", "nixl"),
            ],
        },
        side_channel: None,
        prefill_env: &[],
        // The recipe's comment: "required for heterogeneous TP for non-MLA models".
        env: &[
            ("SGLANG_DISAGG_STAGING_BUFFER", "1"),
            ("SGLANG_DISAGG_STAGING_BUFFER_SIZE_MB", "64"),
            ("SGLANG_DISAGG_STAGING_POOL_SIZE_MB", "4096"),
        ],
    }),
    // `python/sglang/srt/server_args.py`, the LoRA group: `--lora-paths` items as JSON
    // `{"lora_name", "lora_path"}`, `--max-loras-per-batch` 8, and `--max-lora-rank` inferred
    // from the adapters when not given.
    lora: Some(Lora {
        enable: "--enable-lora",
        modules: "--lora-paths",
        module: |name, path, _| {
            serde_json::json!({"lora_name": name, "lora_path": path}).to_string()
        },
        max_loras: ("--max-loras-per-batch", 8),
        max_rank: None,
    }),
    releases: &super::sglang_releases::SGLANG,
};
