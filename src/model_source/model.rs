//! The `[model]` section as resolve leaves it: the source and every key the sources and the
//! rules read, each with its span.

use super::{Identity, ModelSource, Weights};
use crate::closed_set::closed_set;
use crate::source::{Span, Spanned};

closed_set! {
    /// How the checkpoint's linear layers are stored (`model.quantization`); vLLM reads the
    /// method from the checkpoint's `quantization_config`, inferstack needs it for the size.
    pub enum Quantization {
        None = "none",
        Fp8 = "fp8",
        /// 4-bit AWQ, group size 128.
        Awq = "awq",
        /// 4-bit GPTQ, group size 128.
        Gptq = "gptq",
    }
}

impl Quantization {
    /// The suffixes a quantized model's published name carries (`Llama-3.1-8B-Instruct-FP8`,
    /// `Qwen2.5-7B-Instruct-AWQ`, `Qwen1.5-32B-Chat-GPTQ-Int4`), lower-case.
    pub const SUFFIXES: &[(&'static str, Quantization)] = &[
        ("-fp8", Quantization::Fp8),
        ("-awq", Quantization::Awq),
        ("-gptq-int4", Quantization::Gptq),
    ];

    /// The method a model name tells, and the name without it.
    pub fn from_model_name(name: &str) -> Option<(Quantization, usize)> {
        let lower = name.to_ascii_lowercase();
        Self::SUFFIXES
            .iter()
            .find(|(suffix, _)| lower.ends_with(suffix))
            .map(|(suffix, q)| (*q, name.len() - suffix.len()))
    }

    /// Bytes per weight of a quantized linear layer, as vLLM stores it (its
    /// `model_executor/layers/quantization/` at 0.19.0: `fp8.py` one byte, block scales
    /// negligible; `awq.py` and `gptq.py` 4 bits packed in int32 with a 16-bit scale and a 4-bit
    /// zero point per group of 128, 0.52 bytes with GPTQ's per-row group index); `None` for
    /// unquantized weights, whose dtype decides.
    pub fn linear_bytes(self) -> Option<f64> {
        match self {
            Quantization::None => None,
            Quantization::Fp8 => Some(1.0),
            Quantization::Awq | Quantization::Gptq => Some(0.52),
        }
    }
}

/// Where models are mounted in the container.
pub const MODELS_DIR: &str = "/models";

#[derive(Clone, Debug)]
pub struct Model {
    /// The model's name: its directory under `/models` for mounted sources.
    pub name: Spanned<String>,
    pub source: ModelSource,
    pub size: Spanned<String>,
    pub endpoint: Option<Spanned<String>>,
    pub region: Option<Spanned<String>>,
    /// Name of an existing Secret (bucket keys for OSS, the token for the hub).
    pub credentials: Option<Spanned<String>>,
    /// The hub commit, from `model.revision` or `@REV` in the source.
    pub revision: Option<Spanned<String>>,
    pub identity: Spanned<Identity>,
    /// `model.quantization`, else what the model's name tells, else none.
    pub quantization: Spanned<Quantization>,
    /// Name shared by the claim and the pod volume, and the PersistentVolume outside an
    /// environment.
    pub volume: Spanned<String>,
    /// The PersistentVolume's name: `volume`, suffixed `-ENV` when built for an environment,
    /// since a PV is cluster-wide and environments often share a cluster.
    pub persistent_volume: String,
    /// Architecture facts written in the stack; the rules complete them from the built-in table.
    pub written_facts: WrittenFacts,
    pub span: Span,
}

/// `model.architecture`, `model.parameters` and the `config.json` numbers, where written.
#[derive(Clone, Debug, Default)]
pub struct WrittenFacts {
    pub architecture: Option<Spanned<String>>,
    pub parameters: Option<Spanned<f64>>,
    pub layers: Option<Spanned<i64>>,
    pub attention_heads: Option<Spanned<i64>>,
    pub kv_heads: Option<Spanned<i64>>,
    pub head_dim: Option<Spanned<i64>>,
    pub context_length: Option<Spanned<i64>>,
}

impl Model {
    /// Where the weights appear inside the container (the hub cache for `hf://`).
    pub fn mount_path(&self) -> String {
        match self.source.weights() {
            Weights::Downloaded { .. } => MODELS_DIR.to_owned(),
            Weights::Mounted => format!("{MODELS_DIR}/{}", self.name.value),
        }
    }

    /// What the engine is told to load: the mounted directory, or the hub repository.
    pub fn path(&self) -> String {
        match self.source.weights() {
            Weights::Downloaded { id } => id.value.clone(),
            Weights::Mounted => self.mount_path(),
        }
    }
}
