//! What the rules know about models and GPUs without asking the cluster: built-in tables, each
//! entry with its source, completed or overridden by what the stack writes.

pub mod gpus;
pub mod models;

use crate::quantity::Quantity;
use crate::resolve::ResolvedStack;
use crate::source::{Span, Spanned};

/// The architecture numbers the rules use, each from the stack or the table.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFacts {
    /// The table entry's name, or `None` when every number was written in the stack.
    pub table_name: Option<&'static str>,
    pub parameters: Option<f64>,
    pub layers: Option<u64>,
    pub attention_heads: Option<u64>,
    pub kv_heads: Option<u64>,
    pub head_dim: Option<u64>,
    pub context_length: Option<u64>,
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

/// The stack's facts: each written key wins over the table.
pub fn model(stack: &ResolvedStack) -> ModelFacts {
    let written = &stack.model.written_facts;
    let entry = models::lookup(&model_name(stack).value);
    let positive = |v: &Option<Spanned<i64>>| {
        v.as_ref()
            .and_then(|v| u64::try_from(v.value).ok())
            .filter(|v| *v > 0)
    };
    let attention_heads = positive(&written.attention_heads).or(entry.map(|e| e.attention_heads));
    ModelFacts {
        table_name: entry.map(|e| e.name),
        parameters: written
            .parameters
            .as_ref()
            .map(|p| p.value)
            .filter(|p| *p > 0.0)
            .or(entry.map(|e| e.parameters() as f64)),
        layers: positive(&written.layers).or(entry.map(|e| e.layers)),
        attention_heads,
        kv_heads: positive(&written.kv_heads)
            .or(entry.map(|e| e.kv_heads))
            .or(attention_heads),
        head_dim: positive(&written.head_dim).or(entry.map(|e| e.head_dim)),
        context_length: positive(&written.context_length).or(entry.map(|e| e.context_length)),
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
    let gpu = gpus::lookup(&product.value)?;
    Some((
        gpu.memory_mib as f64 * MIB,
        product.span,
        format!("{} ({} MiB)", gpu.product, gpu.memory_mib),
    ))
}

pub const MIB: f64 = 1024.0 * 1024.0;
pub const GIB: f64 = 1024.0 * MIB;
