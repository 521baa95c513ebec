//! The `[model]` section as resolve leaves it: the source and every key the sources and the
//! rules read, each with its span.

use super::{Identity, ModelSource, Weights};
use crate::source::{Span, Spanned};

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
