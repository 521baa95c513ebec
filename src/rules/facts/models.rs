//! Architecture facts of common model families, from their published `config.json`. Each entry
//! names where its numbers were read. The memory and parallelism rules use them when the stack
//! does not write `model.layers` and the like; a model that is not here (or is quantized, whose
//! name then carries `-AWQ`, `-GPTQ`, `-FP8`) is unknown, and the rules say so instead of
//! guessing. Mixture-of-experts models keep every expert's weights in memory, so their weights
//! count all experts (the total parameters), while a token runs through `experts_per_token` of
//! them (the active ones). Left out for now, because their KV cache is not the grouped-query
//! shape the memory rule computes: DeepSeek V3/R1 (multi-head latent attention), gpt-oss
//! (sliding-window layers) and Llama 4 (chunked attention).

/// A mixture-of-experts MLP: `experts` SwiGLU experts of `intermediate_size` each behind a
/// router, `experts_per_token` of them active per token (`num_local_experts` or `num_experts`,
/// `num_experts_per_tok`, `moe_intermediate_size` of `config.json`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Experts {
    pub experts: u64,
    pub experts_per_token: u64,
    pub intermediate_size: u64,
}

/// The numbers of a decoder's `config.json` the rules need.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Architecture {
    /// The published name (`Llama-3.1-8B`); instruct and chat variants share it.
    pub name: &'static str,
    pub hidden_size: u64,
    pub intermediate_size: u64,
    /// `num_hidden_layers`.
    pub layers: u64,
    /// `num_attention_heads`.
    pub attention_heads: u64,
    /// `num_key_value_heads`.
    pub kv_heads: u64,
    /// `head_dim`, or `hidden_size / num_attention_heads` where the config has none.
    pub head_dim: u64,
    pub vocab_size: u64,
    /// `max_position_embeddings`.
    pub context_length: u64,
    /// `tie_word_embeddings`: the output head reuses the embedding matrix.
    pub tied_embeddings: bool,
    /// Qwen2's attention has biases on q, k and v.
    pub qkv_bias: bool,
    /// The experts of every layer, for a mixture-of-experts model (`intermediate_size` is then
    /// unused).
    pub experts: Option<Experts>,
    /// Where the numbers come from.
    pub source: &'static str,
}

impl Architecture {
    /// Parameters of a Llama-style decoder (SwiGLU MLP, RMSNorm): embeddings, per layer the
    /// q/k/v/o projections, three MLP matrices and two norms, the final norm and the output head.
    /// Checked in the tests against the counts vLLM's weight sizes imply.
    pub fn parameters(&self) -> u64 {
        self.checked_parameters()
            .expect("the built-in table's counts fit in u64")
    }

    /// The embeddings and, unless tied, the output head: what quantization leaves 16-bit.
    pub fn embedding_parameters(&self) -> u64 {
        let embeddings = self.vocab_size * self.hidden_size;
        if self.tied_embeddings {
            embeddings
        } else {
            2 * embeddings
        }
    }

    /// The parameters one token runs through: a mixture of experts' `experts_per_token` of its
    /// experts (the weights in memory are still [`Self::parameters`]).
    pub fn active_parameters(&self) -> u64 {
        match self.experts {
            None => self.parameters(),
            Some(e) => {
                let idle = e.experts - e.experts_per_token.min(e.experts);
                let per_expert = 3 * self.hidden_size * e.intermediate_size;
                self.parameters() - self.layers * idle * per_expert
            }
        }
    }

    /// The values of the LoRA A and B buffers vLLM allocates per adapter slot and rank when it
    /// loads the model, summed over the decoder: each wrapped projection gets an A of its input
    /// width per output slice and a B of its output width (`vllm/lora/layers/`: merged q/k/v
    /// has three slices, merged gate/up two, o and down one; `create_lora_weights` allocates
    /// `lora_a_stacked` per slice). For a mixture of experts, every expert's MLP. In floating
    /// point, as the numbers may come from a file.
    pub fn lora_width(&self) -> f64 {
        let (h, hd) = (self.hidden_size as f64, self.head_dim as f64);
        let (heads, kv) = (self.attention_heads as f64, self.kv_heads as f64);
        let attention = (3.0 * h + (heads + 2.0 * kv) * hd) + (heads * hd + h);
        let mlp = |intermediate: f64| (2.0 * h + 2.0 * intermediate) + (intermediate + h);
        let mlp = match self.experts {
            None => mlp(self.intermediate_size as f64),
            Some(e) => mlp(e.intermediate_size as f64) * e.experts as f64,
        };
        (attention + mlp) * self.layers as f64
    }

    /// [`Self::parameters`] for numbers read from a file, which may be absurd: `None` on
    /// overflow.
    pub fn checked_parameters(&self) -> Option<u64> {
        let (h, hd) = (self.hidden_size, self.head_dim);
        let q = h.checked_mul(self.attention_heads)?.checked_mul(hd)?;
        let kv = h
            .checked_mul(self.kv_heads)?
            .checked_mul(hd)?
            .checked_mul(2)?;
        let o = q;
        let bias = if self.qkv_bias {
            self.attention_heads
                .checked_mul(hd)?
                .checked_add(self.kv_heads.checked_mul(hd)?.checked_mul(2)?)?
        } else {
            0
        };
        let mlp = match self.experts {
            None => h.checked_mul(self.intermediate_size)?.checked_mul(3)?,
            // Every expert's three matrices, and the router's h x experts.
            Some(e) => h
                .checked_mul(e.intermediate_size)?
                .checked_mul(3)?
                .checked_mul(e.experts)?
                .checked_add(h.checked_mul(e.experts)?)?,
        };
        let layer = [q, kv, o, bias, mlp, h.checked_mul(2)?]
            .into_iter()
            .try_fold(0u64, u64::checked_add)?;
        let embeddings = self.vocab_size.checked_mul(h)?;
        let head = if self.tied_embeddings { 0 } else { embeddings };
        self.layers
            .checked_mul(layer)?
            .checked_add(embeddings)?
            .checked_add(h)?
            .checked_add(head)
    }
}

const LLM_PROF: &str = "config.json as published on the Hugging Face hub, quoted in citsjtu2020/LLM-Prof sglang/Model_Config.md";

const fn arch(
    name: &'static str,
    [
        hidden_size,
        intermediate_size,
        layers,
        attention_heads,
        kv_heads,
        head_dim,
        vocab_size,
        context_length,
    ]: [u64; 8],
    tied_embeddings: bool,
    qkv_bias: bool,
    source: &'static str,
) -> Architecture {
    Architecture {
        name,
        hidden_size,
        intermediate_size,
        layers,
        attention_heads,
        kv_heads,
        head_dim,
        vocab_size,
        context_length,
        tied_embeddings,
        qkv_bias,
        experts: None,
        source,
    }
}

/// A mixture-of-experts entry: the dense numbers (intermediate 0) and its experts.
const fn moe(
    name: &'static str,
    dims: [u64; 8],
    experts: Experts,
    tied_embeddings: bool,
    source: &'static str,
) -> Architecture {
    Architecture {
        experts: Some(experts),
        ..arch(name, dims, tied_embeddings, false, source)
    }
}

/// The table, by published name. Numbers: hidden, intermediate, layers, attention heads, KV
/// heads, head dim, vocabulary, context.
pub const MODELS: &[Architecture] = &[
    arch(
        "Llama-3.1-8B",
        [4096, 14336, 32, 32, 8, 128, 128256, 131072],
        false,
        false,
        LLM_PROF,
    ),
    arch(
        "Llama-3.2-3B",
        [3072, 8192, 28, 24, 8, 128, 128256, 131072],
        true,
        false,
        LLM_PROF,
    ),
    arch(
        "Llama-3.3-70B",
        [8192, 28672, 80, 64, 8, 128, 128256, 131072],
        false,
        false,
        "huggingface.co/meta-llama/Llama-3.3-70B-Instruct config.json, quoted in the Tokenomics-from-first-principles notes (Fig. 1); Llama-3.1-70B's is the same",
    ),
    arch(
        "Llama-3.1-405B",
        [16384, 53248, 126, 128, 8, 128, 128256, 131072],
        false,
        false,
        "huggingface.co/meta-llama/Llama-3.1-405B-Instruct config.json (hidden_size 16384, intermediate_size 53248, num_hidden_layers 126, num_attention_heads 128, num_key_value_heads 8, vocab_size 128256, max_position_embeddings 131072, tie_word_embeddings false)",
    ),
    // Mistral-7B-v0.1's architecture with v0.3's extended vocabulary ("Extended vocabulary to
    // 32768", the v0.3 model card).
    arch(
        "Mistral-7B-v0.3",
        [4096, 14336, 32, 32, 8, 128, 32768, 32768],
        false,
        false,
        "huggingface.co/mistralai/Mistral-7B-v0.1 config.json (as quoted in a vLLM-memory tool's defaults) and the v0.3 model card",
    ),
    arch(
        "Qwen2-7B",
        [3584, 18944, 28, 28, 4, 128, 152064, 32768],
        false,
        true,
        "huggingface.co/Qwen/Qwen2-7B-Instruct config.json",
    ),
    arch(
        "Qwen2.5-3B",
        [2048, 11008, 36, 16, 2, 128, 151936, 32768],
        true,
        true,
        LLM_PROF,
    ),
    arch(
        "Qwen2.5-7B",
        [3584, 18944, 28, 28, 4, 128, 152064, 131072],
        false,
        true,
        LLM_PROF,
    ),
    arch(
        "Qwen2.5-14B",
        [5120, 13824, 48, 40, 8, 128, 152064, 131072],
        false,
        true,
        LLM_PROF,
    ),
    arch(
        "Qwen2.5-32B",
        [5120, 27648, 64, 40, 8, 128, 152064, 131072],
        false,
        true,
        LLM_PROF,
    ),
    arch(
        "Qwen3-4B",
        [2560, 9728, 36, 32, 8, 128, 151936, 40960],
        true,
        false,
        LLM_PROF,
    ),
    arch(
        "Qwen3-8B",
        [4096, 12288, 36, 32, 8, 128, 151936, 40960],
        false,
        false,
        LLM_PROF,
    ),
    arch(
        "Qwen3-14B",
        [5120, 17408, 40, 40, 8, 128, 151936, 40960],
        false,
        false,
        LLM_PROF,
    ),
    arch(
        "Qwen3-32B",
        [5120, 25600, 64, 64, 8, 128, 151936, 40960],
        false,
        false,
        LLM_PROF,
    ),
    moe(
        "Mixtral-8x7B-v0.1",
        [4096, 0, 32, 32, 8, 128, 32000, 32768],
        Experts {
            experts: 8,
            experts_per_token: 2,
            intermediate_size: 14336,
        },
        false,
        "mixtral-8x7b config.json as a fixture of scaleapi/llm-engine model-engine/tests/unit/domain/test_llm_use_cases.py (28edd64a)",
    ),
    moe(
        "Qwen3-30B-A3B",
        [2048, 0, 48, 32, 4, 128, 151936, 40960],
        Experts {
            experts: 128,
            experts_per_token: 8,
            intermediate_size: 768,
        },
        false,
        LLM_PROF,
    ),
    moe(
        "Qwen3-235B-A22B",
        [4096, 0, 94, 64, 4, 128, 151936, 40960],
        Experts {
            experts: 128,
            experts_per_token: 8,
            intermediate_size: 1536,
        },
        false,
        "Qwen3-235B-A22B config.json (transformers 4.51.0), its shapes as in zyzshishui/slime scripts/models/qwen3-235B-A22B.sh",
    ),
];

/// Models published with another entry's architecture: (name, entry).
const SAME_ARCHITECTURE: &[(&str, &str)] = &[
    // The same config.json numbers (Llama-3.1-70B's, quoted in hf_sync's architecture tests).
    ("Llama-3.1-70B", "Llama-3.3-70B"),
    // Distilled into Qwen2.5-14B, its base model per the DeepSeek-R1 model card.
    ("DeepSeek-R1-Distill-Qwen-14B", "Qwen2.5-14B"),
    // The instruct model of the same config.json, versioned after its suffix.
    ("Mixtral-8x7B-Instruct-v0.1", "Mixtral-8x7B-v0.1"),
];

/// The entry for a model name: case-insensitive, ignoring an organisation prefix (`Qwen/`) and
/// an `-Instruct`, `-Chat` or `-Base` suffix, so `Qwen/Qwen2.5-7B-Instruct` finds `Qwen2.5-7B`.
/// `Meta-Llama-3.1-8B-Instruct` (the older repository name) finds `Llama-3.1-8B`.
pub fn lookup(name: &str) -> Option<&'static Architecture> {
    let mut wanted = normalize(name);
    if let Some((_, entry)) = SAME_ARCHITECTURE
        .iter()
        .find(|(alias, _)| normalize(alias) == wanted)
    {
        wanted = normalize(entry);
    }
    MODELS.iter().find(|m| normalize(m.name) == wanted)
}

fn normalize(name: &str) -> String {
    let last = name
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(name);
    // A quantized checkpoint has its base model's architecture (`-FP8`, `-AWQ`, `-GPTQ-Int4`).
    let last = match crate::model_source::Quantization::from_model_name(last) {
        Some((_, base)) => &last[..base],
        None => last,
    };
    let mut lower = last.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("meta-") {
        lower = rest.to_owned();
    }
    for suffix in ["-instruct", "-chat", "-base"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            return rest.to_owned();
        }
    }
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_their_usual_spellings() {
        for name in [
            "Llama-3.1-8B-Instruct",
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "llama-3.1-8b",
        ] {
            assert_eq!(lookup(name).map(|m| m.name), Some("Llama-3.1-8B"), "{name}");
        }
        assert_eq!(
            lookup("Qwen/Qwen2.5-7B-Instruct/").map(|m| m.name),
            Some("Qwen2.5-7B")
        );
        assert_eq!(
            lookup("Qwen2.5-7B-Instruct-AWQ").map(|m| m.name),
            Some("Qwen2.5-7B")
        );
        assert_eq!(
            lookup("neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8").map(|m| m.name),
            Some("Llama-3.1-8B")
        );
        assert_eq!(lookup("Qwen1.5-4B-Chat"), None);
        assert_eq!(
            lookup("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B").map(|m| m.name),
            Some("Qwen2.5-14B")
        );
        assert_eq!(
            lookup("Llama-3.1-70B-Instruct").map(|m| m.name),
            Some("Llama-3.3-70B")
        );
    }

    /// Published parameter counts: Llama-3.1-8B 8,030,261,248 (its model card's 8.03B);
    /// Qwen2-7B 7.62B and Qwen3-8B 8.19B (their model cards).
    #[test]
    fn parameter_counts_match_the_published_ones() {
        assert_eq!(lookup("Llama-3.1-8B").unwrap().parameters(), 8_030_261_248);
        // Mixture of experts: the published totals, 46.7B (Mixtral's model card as mirrored in
        // Azure/azureml-assets), 30.5B (Qwen3-30B-A3B's card) and 235B (Qwen3-235B-A22B's).
        let billions = |name: &str| lookup(name).unwrap().parameters() as f64 / 1e9;
        assert!((billions("Mixtral-8x7B-Instruct-v0.1") - 46.7).abs() < 0.1);
        assert!((billions("Qwen/Qwen3-30B-A3B") - 30.5).abs() < 0.1);
        assert!((billions("Qwen3-235B-A22B") - 235.0).abs() < 0.5);
        // and the active ones the same pages give: 12.9B, 3.3B and 22B.
        let active = |name: &str| lookup(name).unwrap().active_parameters() as f64 / 1e9;
        assert!((active("Mixtral-8x7B-v0.1") - 12.9).abs() < 0.1);
        assert!((active("Qwen3-30B-A3B") - 3.3).abs() < 0.1);
        assert!((active("Qwen3-235B-A22B") - 22.0).abs() < 0.3);
        let qwen2 = lookup("Qwen2-7B").unwrap().parameters() as f64 / 1e9;
        assert!((qwen2 - 7.62).abs() < 0.01, "{qwen2}");
        let qwen3 = lookup("Qwen3-8B").unwrap().parameters() as f64 / 1e9;
        assert!((qwen3 - 8.19).abs() < 0.01, "{qwen3}");
    }

    /// Llama-3.1-8B per layer: q/k/v three A of 4096 and a B of 4096 + 2 × 1024; o 4096 in
    /// and out; gate and up two A of 4096 and a B of 2 × 14336; down 14336 in, 4096 out:
    /// 81,920 values per rank and slot, 32 layers; at rank 16, one slot, bf16: 84 MB.
    #[test]
    fn lora_buffers_span_every_wrapped_projection() {
        let llama = lookup("Llama-3.1-8B").unwrap();
        assert_eq!(llama.lora_width(), (81_920 * 32) as f64);
        let mixtral = lookup("Mixtral-8x7B-v0.1").unwrap();
        let attention = (3 * 4096 + (32 + 16) * 128) + (32 * 128 + 4096);
        let expert = (2 * 4096 + 2 * 14336) + (14336 + 4096);
        assert_eq!(mixtral.lora_width(), ((attention + 8 * expert) * 32) as f64);
    }
}
