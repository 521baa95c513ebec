//! What the rules know about models and GPUs without asking the cluster: built-in tables, each
//! entry with its source, completed or overridden by what the stack writes.

pub mod config_json;
pub mod models;

use crate::quantity::Quantity;
use crate::resolve::ResolvedStack;
use crate::source::{Span, Spanned};

/// The architecture numbers the rules use: from the stack's keys, its `config.json` or the
/// table, each where known.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelFacts {
    pub parameters: Option<f64>,
    /// The embeddings' and output head's parameters, which quantization leaves 16-bit.
    pub embedding_parameters: Option<f64>,
    pub layers: Option<u64>,
    pub attention_heads: Option<u64>,
    pub kv_heads: Option<u64>,
    pub head_dim: Option<u64>,
    pub context_length: Option<u64>,
    /// [`models::Architecture::lora_width`], where the whole architecture is known.
    pub lora_width: Option<f64>,
}

impl ModelFacts {
    /// Everything the memory estimate needs.
    pub fn memory(&self) -> Option<(f64, u64, u64, u64)> {
        Some((
            self.parameters?,
            self.layers?,
            self.kv_heads?,
            self.head_dim?,
        ))
    }
}

/// The name the table is searched with: `model.architecture`, else the hub repository or
/// `model.name`.
pub fn model_name(stack: &ResolvedStack) -> Spanned<String> {
    stack
        .model
        .written_facts
        .architecture
        .clone()
        .unwrap_or_else(|| stack.model.name.clone())
}

/// The stack's facts: each written key wins over the `config.json`, which wins over the table.
pub fn model(stack: &ResolvedStack, config: Option<&ModelFacts>) -> ModelFacts {
    let written = &stack.model.written_facts;
    let entry = models::lookup(&model_name(stack).value);
    let config = config.cloned().unwrap_or_default();
    let positive = |v: &Option<Spanned<i64>>| {
        v.as_ref()
            .and_then(|v| u64::try_from(v.value).ok())
            .filter(|v| *v > 0)
    };
    let pick = |w: &Option<Spanned<i64>>, c: Option<u64>, t: Option<u64>| positive(w).or(c).or(t);
    let attention_heads = pick(
        &written.attention_heads,
        config.attention_heads,
        entry.map(|e| e.attention_heads),
    );
    ModelFacts {
        parameters: written
            .parameters
            .as_ref()
            .map(|p| p.value)
            .filter(|p| *p > 0.0)
            .or(config.parameters)
            .or(entry.map(|e| e.parameters() as f64)),
        // Only where the parameters themselves come from: a count written in the stack says
        // nothing of its embeddings.
        embedding_parameters: match written.parameters {
            Some(_) => None,
            None if config.parameters.is_some() => config.embedding_parameters,
            None => entry.map(|e| e.embedding_parameters() as f64),
        },
        layers: pick(&written.layers, config.layers, entry.map(|e| e.layers)),
        attention_heads,
        kv_heads: pick(
            &written.kv_heads,
            config.kv_heads,
            entry.map(|e| e.kv_heads),
        )
        .or(attention_heads),
        head_dim: pick(
            &written.head_dim,
            config.head_dim,
            entry.map(|e| e.head_dim),
        ),
        context_length: pick(
            &written.context_length,
            config.context_length,
            entry.map(|e| e.context_length),
        ),
        // Only where the parameters come from, like the embeddings.
        lora_width: match written.parameters {
            Some(_) => None,
            None if config.parameters.is_some() => config.lora_width,
            None => entry.map(models::Architecture::lora_width),
        },
    }
}

/// One GPU's memory in bytes, and where it was found: `resources.gpu_memory`, else the table's
/// entry for `resources.gpu_product`.
pub fn gpu_memory(stack: &ResolvedStack) -> Option<(f64, Span, String)> {
    let r = &stack.resources;
    if let Some(written) = &r.gpu_memory {
        let bytes = Quantity::parse(&written.value)?.to_f64();
        return Some((
            bytes,
            written.span,
            format!("`resources.gpu_memory` = \"{}\"", written.value),
        ));
    }
    let product = r.gpu_product.as_ref()?;
    let gpu = crate::k8s::gpus::lookup(&product.value)?;
    Some((
        gpu.memory_mib as f64 * MIB,
        product.span,
        format!("{} ({} MiB)", gpu.product, gpu.memory_mib),
    ))
}

pub const MIB: f64 = 1024.0 * 1024.0;
pub const GIB: f64 = 1024.0 * MIB;
