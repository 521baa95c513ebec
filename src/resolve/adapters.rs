//! `[[adapters]]`: each LoRA adapter with its source decided, where the server finds it: a hub
//! repository it downloads, or a directory on the model volume, as the pod sees it.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{Span, Spanned};
use crate::stack::ast::StackFile;

/// vLLM's default `--max-lora-rank` (`max_lora_rank: MaxLoRARanks = 16`, `vllm/config/lora.py`),
/// the rank an adapter is taken to have when the stack does not say.
pub const DEFAULT_RANK: i64 = 16;

#[derive(Clone, Debug)]
pub struct Adapter {
    pub name: Spanned<String>,
    pub source: Spanned<AdapterSource>,
    pub rank: Spanned<i64>,
    pub priority: Option<Spanned<i64>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AdapterSource {
    /// `hf://ORG/NAME`: the server downloads it (vLLM `get_adapter_absolute_path`, SGLang
    /// `LoRAConfig`: a path that is no local directory is a hub repository).
    Hub(String),
    /// A path on the model volume as written: relative to the model's directory, or absolute.
    Volume(String),
}

impl Adapter {
    /// What the server is given: the hub repository, or the absolute path in the pod.
    pub fn location(&self, model_mount: &str) -> String {
        match &self.source.value {
            AdapterSource::Hub(repo) => repo.clone(),
            AdapterSource::Volume(path) if path.starts_with('/') => path.clone(),
            AdapterSource::Volume(path) => {
                format!(
                    "{}/{}",
                    model_mount.trim_end_matches('/'),
                    path.trim_start_matches("./")
                )
            }
        }
    }
}

pub(super) fn resolve(stack: &StackFile, diagnostics: &mut Diagnostics) -> Vec<Adapter> {
    stack
        .adapters("adapters")
        .iter()
        .filter_map(|entry| {
            let missing = |key: &str| {
                Diagnostic::error(
                    Code::MissingKey,
                    Label::new(entry.span, format!("no `{key}`")),
                    format!("an `[[adapters]]` entry needs `{key}`"),
                )
                .with_help("write `name` (what clients send as the model) and `source` (`hf://ORG/NAME`, or a path on the model volume)")
            };
            let (Some(name), Some(source)) = (&entry.name, &entry.source) else {
                if entry.name.is_none() {
                    diagnostics.push(missing("name"));
                }
                if entry.source.is_none() {
                    diagnostics.push(missing("source"));
                }
                return None;
            };
            let parsed = match source.value.strip_prefix("hf://") {
                Some(repo) => AdapterSource::Hub(repo.trim_end_matches('/').to_owned()),
                None => AdapterSource::Volume(source.value.clone()),
            };
            Some(Adapter {
                name: name.clone(),
                source: Spanned::new(parsed, source.span),
                rank: entry
                    .rank
                    .clone()
                    .unwrap_or_else(|| Spanned::new(DEFAULT_RANK, entry.span)),
                priority: entry.priority.clone(),
                span: entry.span,
            })
        })
        .collect()
}
