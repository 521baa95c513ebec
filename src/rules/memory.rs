//! GPU memory fit: will the weights and the KV cache for one `max_model_len` request fit in
//! `gpus × GPU memory × gpu_memory_utilization`? vLLM checks this at start-up, after the GPU node
//! was bought and the weights were read (`check_enough_kv_cache_memory` in
//! `vllm/v1/core/kv_cache_utils.py`: "To serve at least one request with the model's max seq
//! len ... KV cache is needed, which is larger than the available KV cache memory"); this
//! estimate runs at compile time.
//!
//! Per GPU, with tensor parallel size TP and pipeline parallel size PP:
//! - weights ≈ parameters × bytes per dtype ÷ (TP × PP);
//! - KV cache per token ≈ 2 (K and V) × layers ÷ PP × max(1, KV heads ÷ TP) × head dim × bytes,
//!   as vLLM sizes a page (`FullAttentionSpec.page_size_bytes` in
//!   `vllm/v1/kv_cache_interface.py`, with `get_num_kv_heads` in `vllm/config/model.py`).
//!
//! The estimate leaves out activations and CUDA graphs (one to a few GiB), so a stack it
//! rejects cannot start, and one it accepts may still be tight: it never cries wolf.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::resolve::{EngineKind, ResolvedStack, Workload};

use super::facts::{self, GIB, ModelFacts};
use crate::engine::parallel::{self, extra_flag as flag};

/// vLLM's default `--gpu-memory-utilization` (`gpu_memory_utilization: float = 0.9` in
/// `vllm/config/cache.py`). SGLang sizes its default from the GPU, so it is not guessed.
pub const VLLM_DEFAULT_UTILIZATION: f64 = 0.9;
/// vLLM's KV cache block: usable lengths are whole blocks (`block_size` 16 in `CacheConfig`).
const BLOCK_TOKENS: u64 = 16;

/// Bytes per GPU for the weights, and the KV cache per token, of one stack.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    pub weights_per_gpu: f64,
    pub kv_per_token_per_gpu: f64,
}

/// The estimate for `parallel` GPUs working as TP × PP.
pub fn estimate(
    (parameters, layers, kv_heads, head_dim): (f64, u64, u64, u64),
    weight_bytes: f64,
    kv_bytes: f64,
    tp: u64,
    pp: u64,
) -> Estimate {
    // In floating point: the numbers may come from a stack, and no product of them may
    // overflow (an absurd stack gets an absurd estimate, not a crash).
    let layers_per_gpu = layers.div_ceil(pp.max(1)) as f64;
    let kv_heads_per_gpu = (kv_heads / tp.max(1)).max(1) as f64;
    Estimate {
        weights_per_gpu: parameters * weight_bytes / tp.saturating_mul(pp).max(1) as f64,
        kv_per_token_per_gpu: 2.0 * layers_per_gpu * kv_heads_per_gpu * head_dim as f64 * kv_bytes,
    }
}

/// Bytes per value for the stack's `engine.dtype` (`auto` loads the checkpoint's 16-bit dtype).
fn dtype_bytes(stack: &ResolvedStack) -> f64 {
    match stack.engine.dtype.as_ref().map(|d| d.value.as_str()) {
        Some("float" | "float32") => 4.0,
        _ => 2.0,
    }
}

/// Bytes per weight on average: the dtype's for unquantized weights; for a quantized checkpoint
/// (`model.quantization`) its linear layers at the method's size and its embeddings and output
/// head at 16 bits. `None` for a quantized model whose embeddings are unknown.
pub fn weight_bytes(stack: &ResolvedStack, model: &ModelFacts) -> Option<f64> {
    let Some(linear) = stack.model.quantization.value.linear_bytes() else {
        return Some(dtype_bytes(stack));
    };
    let (parameters, embeddings) = (model.parameters?, model.embedding_parameters?);
    let linear_parameters = (parameters - embeddings).max(0.0);
    Some((embeddings * 2.0 + linear_parameters * linear) / parameters.max(1.0))
}

pub fn check(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    let kind = stack.engine.kind.value;
    if !kind.is_modelled() || stack.resources.gpus.value < 1 {
        return;
    }
    context_length(stack, model, out);
    let Some(architecture) = model.memory() else {
        let name = facts::model_name(stack);
        out.push(
            Diagnostic::note(
                Code::ModelFactsUnknown,
                Label::new(name.span, "architecture unknown"),
                format!("inferstack does not know the architecture of `{}`, so GPU memory fit and tensor parallelism are not checked", name.value),
            )
            .with_help("set `model.architecture` to a model of the built-in table (`inferstack explain model-facts-unknown` lists them), or write `model.parameters`, `model.layers`, `model.kv_heads`, `model.head_dim` and `model.attention_heads` from the model's config.json"),
        );
        return;
    };
    let Some((gpu_bytes, gpu_span, gpu_text)) = facts::gpu_memory(stack) else {
        out.push(
            Diagnostic::note(
                Code::GpuMemoryUnknown,
                Label::new(
                    stack.resources.gpu_product.as_ref().map_or(stack.resources.gpus.span, |p| p.span),
                    "GPU memory unknown",
                ),
                "inferstack does not know how much memory this stack's GPUs have, so GPU memory fit is not checked".to_owned(),
            )
            .with_help("set `resources.gpu_product` to a product of the built-in table (`inferstack explain gpu-memory-unknown` lists them), or `resources.gpu_memory` to one GPU's memory, e.g. \"80Gi\""),
        );
        return;
    };
    if flag(stack, &["--quantization", "-q"]).is_some() {
        return; // quantized weights are smaller by a factor the flag alone does not give
    }
    let utilization = match (&stack.engine.gpu_memory_utilization, kind) {
        (Some(u), _) => u.value,
        (None, EngineKind::Vllm) => VLLM_DEFAULT_UTILIZATION,
        (None, _) => return,
    };
    let Some(bytes) = weight_bytes(stack, model) else {
        let q = &stack.model.quantization;
        out.push(
            Diagnostic::note(
                Code::ModelFactsUnknown,
                Label::new(q.span, "size unknown"),
                format!("the weights are {}-quantized, but inferstack does not know how many of `{}`'s parameters are embeddings, which stay 16-bit, so GPU memory fit is not checked", q.value.as_str(), facts::model_name(stack).value),
            )
            .with_help("point `model.config` at the model's config.json, or name a model of the built-in table in `model.architecture`"),
        );
        return;
    };
    // The KV cache is kept in the model's dtype whatever the weights' quantization.
    let kv_bytes = match flag(stack, &["--kv-cache-dtype"]) {
        Some((_, value)) if value.starts_with("fp8") => 1.0,
        _ => dtype_bytes(stack),
    };
    let shape = parallel::parallelism(stack);
    let tp = shape.tensor.unwrap_or(1).max(1) as u64;
    let pp = shape.pipeline.max(1) as u64;
    let budget = gpu_bytes * utilization;
    let mut e = estimate(architecture, bytes, kv_bytes, tp, pp);
    let adapter_total = adapter_bytes(stack, model);
    let adapters = adapter_total / tp.saturating_mul(pp).max(1) as f64;
    e.weights_per_gpu += adapters;
    let (length, length_span) = match &stack.engine.max_model_len {
        Some(l) => (l.value.max(1) as u64, l.span),
        None => match model.context_length {
            Some(c) => (c, stack.engine.span),
            None => return,
        },
    };
    let kv = e.kv_per_token_per_gpu * length as f64;
    let nodes = parallel::nodes(stack) as u64;
    let per_pod = (stack.resources.gpus.value as u64).max(1);
    let group = (stack.workload.value == Workload::LeaderWorkerSet).then_some(per_pod);
    let gpus = (stack.resources.gpus.value as u64).saturating_mul(nodes);
    let place = format!(
        "{:.2} × {gpu_text} = {:.2} GiB per GPU",
        utilization,
        budget / GIB
    );
    let fits = |n: u64| {
        let e = estimate(architecture, bytes, kv_bytes, n / pp.max(1), pp);
        let adapters = adapter_total / n.max(1) as f64;
        e.weights_per_gpu + adapters + e.kv_per_token_per_gpu * length as f64 <= budget
    };
    let enough = enough_gpus(model, pp, gpus, fits);
    let weights_text = if adapters > 0.0 {
        format!(
            "weights with the adapters' LoRA buffers ({:.2} GiB)",
            adapters / GIB
        )
    } else {
        "weights".to_owned()
    };
    if e.weights_per_gpu >= budget {
        out.push(
            Diagnostic::error(
                Code::WeightsExceedGpu,
                Label::new(stack.resources.gpus.span, "too few GPUs for the weights"),
                format!(
                    "the {weights_text} alone need {:.2} GiB per GPU ({:.2e} parameters over {} GPU(s)) but the budget is {place}",
                    e.weights_per_gpu / GIB,
                    architecture.0,
                    tp.saturating_mul(pp)
                ),
            )
            .with_secondary(Label::new(gpu_span, "GPU"))
            .with_help(gpus_help(enough, group, length)),
        );
        return;
    }
    if e.weights_per_gpu + kv > budget {
        let room = budget - e.weights_per_gpu;
        let longest = ((room / e.kv_per_token_per_gpu) as u64 / BLOCK_TOKENS) * BLOCK_TOKENS;
        out.push(
            Diagnostic::error(
                Code::GpuMemoryFit,
                Label::new(length_span, "does not fit"),
                format!(
                    "{weights_text} {:.2} GiB + KV cache for {length} tokens {:.2} GiB = {:.2} GiB per GPU exceed the budget {place}",
                    e.weights_per_gpu / GIB,
                    kv / GIB,
                    (e.weights_per_gpu + kv) / GIB
                ),
            )
            .with_secondary(Label::new(stack.resources.gpus.span, "GPUs"))
            .with_secondary(Label::new(gpu_span, "GPU"))
            .with_help(format!(
                "set `engine.max_model_len` to at most {longest} (what the memory left after the weights holds), or {}",
                gpus_help(enough, group, length)
            )),
        );
    }
}

/// The LoRA buffers vLLM allocates for `[[adapters]]` when it loads the model, counted with the
/// weights: `--max-loras` slots of `--max-lora-rank` over every wrapped layer, in the model's
/// dtype (`lora_dtype` `auto`). SGLang sizes its pool differently, and is not counted.
fn adapter_bytes(stack: &ResolvedStack, model: &ModelFacts) -> f64 {
    let lora = crate::engine::of(stack).lora();
    let (Some(lora), Some(width)) = (lora.filter(|l| l.max_rank.is_some()), model.lora_width)
    else {
        return 0.0;
    };
    if stack.adapters.is_empty() {
        return 0.0;
    }
    let (slots, Some(rank)) = lora.limits(&stack.adapters) else {
        return 0.0; // refused by the adapter rules
    };
    width * rank as f64 * slots as f64 * dtype_bytes(stack)
}

/// The fewest GPUs (a tensor parallel size that divides the attention heads, times PP) on
/// which `fits` holds, up to 64.
fn enough_gpus(model: &ModelFacts, pp: u64, gpus: u64, fits: impl Fn(u64) -> bool) -> Option<u64> {
    (1..=64u64)
        .filter(|tp| model.attention_heads.is_none_or(|h| h % tp == 0))
        .map(|tp| tp.saturating_mul(pp))
        .filter(|n| *n > gpus)
        .find(|n| fits(*n))
}

/// `group`: the GPUs of each pod of a LeaderWorkerSet group, which grows by pods.
fn gpus_help(enough: Option<u64>, group: Option<u64>, length: u64) -> String {
    match enough {
        Some(n) if let Some(per_pod) = group => format!(
            "request `resources.nodes` = {} ({n} GPUs or more in all, the weights sharded over them)",
            n.div_ceil(per_pod)
        ),
        Some(n) => format!("request `resources.gpus` = {n} (the weights are sharded over them)"),
        None => format!(
            "no GPU count up to 64 holds it with {length} tokens: use a larger GPU or a quantized model"
        ),
    }
}

/// vLLM refuses a `max_model_len` above the model's own (`_get_and_verify_max_len` in
/// `vllm/config/model.py`: "User-specified max_model_len (X) is greater than the derived
/// max_model_len"), unless `VLLM_ALLOW_LONG_MAX_MODEL_LEN=1`; SGLang likewise
/// (`SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN`).
fn context_length(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    let (Some(length), Some(context)) = (&stack.engine.max_model_len, model.context_length) else {
        return;
    };
    let allowed = [
        "VLLM_ALLOW_LONG_MAX_MODEL_LEN",
        "SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN",
    ];
    if stack
        .engine
        .env
        .iter()
        .any(|(k, v)| allowed.contains(&k.value.as_str()) && v.value == "1")
    {
        return;
    }
    if length.value > 0 && length.value as u64 > context {
        out.push(
            Diagnostic::error(
                Code::ContextExceedsModel,
                Label::new(length.span, "longer than the model"),
                format!(
                    "`engine.max_model_len` = {} is longer than the model's context of {context} tokens (its max_position_embeddings); the server refuses to start",
                    length.value
                ),
            )
            .with_help(format!("set `engine.max_model_len` to at most {context}")),
        );
    }
}

#[cfg(test)]
mod tests {
    //! The estimate against what vLLM itself reported at start-up (vLLM V1 logs:
    //! `gpu_model_runner.py` "Model loading took X GiB memory", `gpu_worker.py` "Available KV
    //! cache memory: Y GiB", `kv_cache_utils.py` "GPU KV cache size: N tokens"; KV per token is
    //! Y GiB ÷ N). The logs are public start-up logs found with the library's code search:
    //! - Llama-3.1-8B-Instruct, bf16, 1 GPU: 14.99 GiB; 19.28 GiB for 157,936 tokens
    //!   (search "Model loading took 14.99 GiB": a vLLM log of 02-06 on the default loader).
    //! - Qwen2-7B-Instruct, bf16, 1 GPU: 14.2488 GiB; 3.41 GiB for 63,776 tokens
    //!   (a vLLM log of 07-23 on a 24 GB vGPU, search "Model loading took 14.2488 GiB").
    //! - Qwen3-8B, bf16, 1 GPU: 15.2683 GiB; 18.69 GiB for 136,080 tokens
    //!   (a vLLM log of 06-10, search "Model loading took 15.2683 GiB").
    //!   Architectures from their config.json (see `facts::models`).
    //!
    //! Mixture of experts and FP8 (the weights by total parameters, FP8's linear layers at one
    //! byte and its embeddings at two):
    //! - Qwen3-30B-A3B, bf16, tensor parallel 4 on A10s: 14.2474 GiB per GPU (vllm-project/vllm
    //!   issue #17469, "Model loading took 14.2474 GiB").
    //! - Qwen3-30B-A3B-FP8, 1 GPU (a GB10), FP8 KV cache: 29.0435 GiB; 4.04 GiB for 88,176
    //!   tokens (guardkit/guardkit `docs/reviews/graphiti-qwen3/run-2.md`, vLLM 0.13.0).
    //! - Llama-3.3-70B-Instruct-FP8 (nvidia), 1 H100, FP8 KV cache: 67.7 GiB; 5.11 GiB for
    //!   33,504 tokens (aihpi/litellm-k8s `docs/adding-models.md`).

    use super::*;
    use crate::rules::facts::models;

    fn ours(name: &str) -> Estimate {
        let m = models::lookup(name).unwrap();
        estimate(
            (m.parameters() as f64, m.layers, m.kv_heads, m.head_dim),
            2.0,
            2.0,
            1,
            1,
        )
    }

    fn within(ours: f64, theirs: f64, what: &str) {
        let off = (ours - theirs).abs() / theirs;
        assert!(
            off < 0.10,
            "{what}: ours {ours:.4e}, vLLM {theirs:.4e}, {:.1}% off",
            off * 100.0
        );
    }

    #[test]
    fn estimates_are_within_ten_percent_of_what_vllm_reports() {
        for (name, weights_gib, kv_gib, kv_tokens) in [
            ("Llama-3.1-8B", 14.99, 19.28, 157_936.0),
            ("Qwen2-7B", 14.2488, 3.41, 63_776.0),
            ("Qwen3-8B", 15.2683, 18.69, 136_080.0),
        ] {
            let e = ours(name);
            within(e.weights_per_gpu, weights_gib * GIB, name);
            within(e.kv_per_token_per_gpu, kv_gib * GIB / kv_tokens, name);
        }
    }

    #[test]
    fn mixture_of_experts_and_fp8_estimates_are_within_ten_percent_of_vllm() {
        let fp8 = crate::resolve::Quantization::Fp8.linear_bytes().unwrap();
        for (name, quantized, tp, weights_gib, kv) in [
            ("Qwen3-30B-A3B", false, 4, 14.2474, None),
            ("Qwen3-30B-A3B", true, 1, 29.0435, Some((4.04, 88_176.0))),
            ("Llama-3.3-70B", true, 1, 67.7, Some((5.11, 33_504.0))),
        ] {
            let m = models::lookup(name).unwrap();
            let (parameters, embeddings) = (m.parameters() as f64, m.embedding_parameters() as f64);
            let (bytes, kv_bytes) = if quantized {
                (
                    (embeddings * 2.0 + (parameters - embeddings) * fp8) / parameters,
                    1.0,
                )
            } else {
                (2.0, 2.0)
            };
            let e = estimate(
                (parameters, m.layers, m.kv_heads, m.head_dim),
                bytes,
                kv_bytes,
                tp,
                1,
            );
            within(e.weights_per_gpu, weights_gib * GIB, name);
            if let Some((kv_gib, tokens)) = kv {
                within(e.kv_per_token_per_gpu, kv_gib * GIB / tokens, name);
            }
        }
    }

    #[test]
    fn tensor_parallelism_splits_weights_and_kv_heads_but_never_below_one_head() {
        let m = models::lookup("Llama-3.1-8B").unwrap();
        let facts = (m.parameters() as f64, m.layers, m.kv_heads, m.head_dim);
        let one = estimate(facts, 2.0, 2.0, 1, 1);
        let four = estimate(facts, 2.0, 2.0, 4, 1);
        assert!((one.weights_per_gpu / four.weights_per_gpu - 4.0).abs() < 1e-9);
        assert_eq!(one.kv_per_token_per_gpu / four.kv_per_token_per_gpu, 4.0);
        let sixteen = estimate(facts, 2.0, 2.0, 16, 1);
        assert_eq!(
            sixteen.kv_per_token_per_gpu,
            four.kv_per_token_per_gpu / 2.0
        );
    }
}
