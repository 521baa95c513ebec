//! Serving correctness: the parallelism the model server is asked for can be built from the
//! model and the GPUs, the flags belong to the engine that reads them, adapters are where the
//! pod can read them, and the image is the same on every start.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::engine;
use crate::k8s::image;
use crate::resolve::{EngineKind, ResolvedStack};
use crate::source::Span;

use super::facts::ModelFacts;

/// The rules on the server's shape, which a disaggregated stack runs once per role.
pub fn shape(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    parallelism(stack, out);
    heads(stack, model, out);
}

/// The rules on the server's flags and images.
pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    engine_flags(stack, out);
    lora_paths(stack, out);
    images(stack, out);
}

/// The GPUs must hold TP × PP workers exactly: vLLM and SGLang start one worker per GPU of the
/// world (TP × PP) and fail when the instance's pods have fewer; GPUs beyond it are paid for and
/// idle.
fn parallelism(stack: &ResolvedStack, out: &mut Diagnostics) {
    let gpus = &stack.resources.gpus;
    if !stack.engine.kind.value.is_modelled() || gpus.value < 1 {
        return;
    }
    let parallel = engine::parallel::parallelism(stack);
    let Some(tp) = parallel.tensor else {
        return;
    };
    if tp < 1 {
        return; // reported by the value checks
    }
    let pp = parallel.pipeline.max(1);
    let world = parallel.world();
    let nodes = engine::parallel::nodes(stack);
    let (paid, paid_text) = if nodes > 1 {
        (
            gpus.value.saturating_mul(nodes),
            format!("`resources.gpus` = {} on each of {nodes} nodes", gpus.value),
        )
    } else {
        (gpus.value, format!("`resources.gpus` = {}", gpus.value))
    };
    let at = stack
        .engine
        .tensor_parallel_size
        .as_ref()
        .map_or(gpus.span, |t| t.span);
    let shape = if pp > 1 {
        format!("tensor parallel {tp} × pipeline parallel {pp} = {world} GPUs")
    } else {
        format!("`engine.tensor_parallel_size` = {tp} needs {tp} GPUs")
    };
    if world > paid {
        out.push(
            Diagnostic::error(
                Code::ParallelismMismatch,
                Label::new(at, "more than the GPUs"),
                format!("{shape} but {paid_text}"),
            )
            .with_secondary(Label::new(gpus.span, "GPUs requested here"))
            .with_help(format!("the server fails at start-up when it cannot see that many GPUs; request {world} GPUs or shard less")),
        );
    } else if world < paid {
        out.push(
            Diagnostic::warning(
                Code::ParallelismMismatch,
                Label::new(at, "fewer than the GPUs"),
                format!(
                    "{shape}, which leaves {} of {paid} paid GPUs idle",
                    paid - world
                ),
            )
            .with_secondary(Label::new(gpus.span, "GPUs requested here"))
            .with_help(
                "remove `tensor_parallel_size` to shard across every GPU, or request fewer GPUs",
            ),
        );
    }
}

/// Tensor parallelism splits attention heads: vLLM requires the TP size to divide the attention
/// heads ("Total number of attention heads (X) must be divisible by tensor parallel size (Y)",
/// `verify_with_parallel_config` in `vllm/config/model.py`), and the KV heads to divide it or be
/// divided by it (`QKVParallelLinear` in `vllm/model_executor/layers/linear.py` replicates KV
/// heads only a whole number of times).
fn heads(stack: &ResolvedStack, model: &ModelFacts, out: &mut Diagnostics) {
    if !stack.engine.kind.value.is_modelled() {
        return;
    }
    let Some(tp) = engine::parallel::parallelism(stack)
        .tensor
        .filter(|tp| *tp > 1)
    else {
        return;
    };
    let tp_u = tp as u64;
    let at = stack
        .engine
        .tensor_parallel_size
        .as_ref()
        .map_or(stack.resources.gpus.span, |t| t.span);
    let divisors = |n: u64| -> String {
        (1..=n.min(64))
            .filter(|d| n.is_multiple_of(*d))
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(heads) = model.attention_heads
        && !heads.is_multiple_of(tp_u)
    {
        out.push(
            Diagnostic::error(
                Code::TpHeadsIndivisible,
                Label::new(at, "does not divide the heads"),
                format!(
                    "tensor parallel size {tp} does not divide the model's {heads} attention heads"
                ),
            )
            .with_help(format!(
                "use a tensor parallel size that divides {heads}: {}",
                divisors(heads)
            )),
        );
        return;
    }
    if let Some(kv) = model.kv_heads
        && kv > 0
        && ((tp_u >= kv && !tp_u.is_multiple_of(kv)) || (tp_u < kv && !kv.is_multiple_of(tp_u)))
    {
        out.push(
            Diagnostic::error(
                Code::TpHeadsIndivisible,
                Label::new(at, "does not fit the KV heads"),
                format!("tensor parallel size {tp} neither divides nor is a multiple of the model's {kv} KV heads"),
            )
            .with_help(format!("use a tensor parallel size that divides {kv} or is a multiple of it")),
        );
    }
}

/// Flags of the other engine that no stack key sets (those inferstack sets from keys are paired
/// by the engines' own tables, `engine::foreign_flag`): argparse exits at start-up on an
/// unknown argument. (flag, the engine that has it, the other engine's equivalent): vLLM's from
/// `vllm/engine/arg_utils.py`, SGLang's from `python/sglang/srt/server_args.py`.
const FOREIGN_FLAGS: &[(&str, EngineKind, &str)] = &[
    ("--max-num-seqs", EngineKind::Vllm, "--max-running-requests"),
    ("--pipeline-parallel-size", EngineKind::Vllm, "--pp-size"),
    ("--enforce-eager", EngineKind::Vllm, "--disable-cuda-graph"),
    (
        "--enable-prefix-caching",
        EngineKind::Vllm,
        "nothing: SGLang's radix cache is on unless --disable-radix-cache",
    ),
    ("--lora-modules", EngineKind::Vllm, "--lora-paths"),
    (
        "--max-running-requests",
        EngineKind::Sglang,
        "--max-num-seqs",
    ),
    ("--pp-size", EngineKind::Sglang, "--pipeline-parallel-size"),
    (
        "--disable-radix-cache",
        EngineKind::Sglang,
        "nothing: leave --enable-prefix-caching off",
    ),
    (
        "--lora-paths",
        EngineKind::Sglang,
        "--lora-modules (with --enable-lora)",
    ),
];

fn engine_flags(stack: &ResolvedStack, out: &mut Diagnostics) {
    let kind = stack.engine.kind.value;
    if !kind.is_modelled() {
        return;
    }
    for arg in &stack.engine.extra_args {
        let flag = arg.value.split('=').next().unwrap_or_default();
        let keyed = engine::foreign_flag(kind, flag)
            .map(|(owner, own, key)| (owner, format!("{own} (or `{key}`)")));
        let listed = || {
            FOREIGN_FLAGS
                .iter()
                .find(|(f, owner, _)| *f == flag && *owner != kind)
                .map(|(_, owner, instead)| (*owner, (*instead).to_owned()))
        };
        let Some((owner, instead)) = keyed.or_else(listed) else {
            continue;
        };
        let (mine, theirs) = if owner == EngineKind::Vllm {
            ("SGLang", "a vLLM")
        } else {
            ("vLLM", "an SGLang")
        };
        out.push(
            Diagnostic::error(
                Code::EngineFlagMismatch,
                Label::new(arg.span, format!("{theirs} flag")),
                format!("`{flag}` is {theirs} flag; {mine} (`engine.kind` = \"{kind}\") refuses it at start-up"),
            )
            .with_secondary(Label::new(stack.engine.kind.span, "engine chosen here"))
            .with_help(format!("use {instead}")),
        );
    }
}

/// LoRA adapters given by path must be inside a volume the pod mounts; only the model volume
/// is mounted (at `/models/<name>`, or the hub cache). `NAME=PATH` for vLLM's `--lora-modules`
/// and SGLang's `--lora-paths`; a value without `/` at its start is a hub repository.
fn lora_paths(stack: &ResolvedStack, out: &mut Diagnostics) {
    let args = &stack.engine.extra_args;
    let mount = stack.model.mount_path();
    let mut in_lora = false;
    for arg in args {
        if arg.value.starts_with("--") {
            let (name, inline) = arg.value.split_once('=').unwrap_or((&arg.value, ""));
            in_lora = matches!(name, "--lora-modules" | "--lora-paths");
            if !in_lora || inline.is_empty() {
                continue;
            }
            check_adapter(inline, arg.span, &mount, out);
            in_lora = false;
        } else if in_lora {
            check_adapter(&arg.value, arg.span, &mount, out);
        }
    }
}

fn check_adapter(value: &str, span: Span, mount: &str, out: &mut Diagnostics) {
    let path = value.split_once('=').map_or(value, |(_, p)| p);
    if path.starts_with('{') || !path.starts_with('/') {
        return; // a JSON adapter description, or a hub repository
    }
    let inside = path == mount || path.starts_with(&format!("{}/", mount.trim_end_matches('/')));
    if !inside {
        out.push(
            Diagnostic::error(
                Code::LoraPathUnmounted,
                Label::new(span, "not mounted"),
                format!("LoRA adapter path `{path}` is outside the only mounted model volume `{mount}`; the server fails to load it"),
            )
            .with_help(format!("put the adapter in the model's bucket or claim and write its path under {mount}/")),
        );
    }
}

/// An image without a tag or digest, or tagged `latest`, is a different image whenever the tag
/// moves: two replicas of one revision may run two servers.
fn images(stack: &ResolvedStack, out: &mut Diagnostics) {
    let engine_image = Some((&stack.engine.image, "engine.image"));
    let epp = stack
        .inference
        .epp_image
        .as_ref()
        .map(|i| (i, "inference.epp_image"));
    for (image, key) in engine_image.into_iter().chain(epp) {
        if image.value.trim().is_empty() || image.value.contains('@') {
            continue;
        }
        if image::tag_of(&image.value).is_none_or(|t| t == "latest") {
            out.push(
                Diagnostic::warning(
                    Code::ImageUnpinned,
                    Label::new(image.span, "not pinned"),
                    format!("`{key}` = \"{}\" names no fixed version: each node pulls whatever the tag points to then", image.value),
                )
                .with_help("pin a version tag (`vllm/vllm-openai:v0.10.1.1`) or a digest (`@sha256:...`)"),
            );
        }
    }
}
