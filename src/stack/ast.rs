//! The stack file as written: every value is optional and spanned, nothing is defaulted yet.
//! `resolve` fills the gaps; this module only mirrors the TOML.

use crate::source::{FileId, Span, Spanned};

/// Label-like pairs, in source order.
pub type Pairs = Vec<(Spanned<String>, Spanned<String>)>;

/// One parsed stack file.
#[derive(Debug)]
pub struct StackFile {
    pub file: FileId,
    pub profile: Option<Spanned<String>>,
    pub service: ServiceSection,
    pub model: ModelSection,
    pub engine: EngineSection,
    pub resources: ResourcesSection,
    pub scaling: ScalingSection,
    pub gateway: GatewaySection,
    pub inference: InferenceSection,
}

/// `[service]`: the Knative Service's identity. `span` is the table (or the file start if absent).
#[derive(Debug, Default)]
pub struct ServiceSection {
    pub span: Option<Span>,
    pub name: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub labels: Pairs,
}

/// `[model]`: what to serve and where its weights live.
#[derive(Debug, Default)]
pub struct ModelSection {
    pub span: Option<Span>,
    pub name: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub size: Option<Spanned<String>>,
    pub endpoint: Option<Spanned<String>>,
    pub credentials: Option<Spanned<String>>,
    pub volume: Option<Spanned<String>>,
}

/// `[engine]`: the model server and its flags.
#[derive(Debug, Default)]
pub struct EngineSection {
    pub span: Option<Span>,
    pub kind: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    pub port: Option<Spanned<i64>>,
    pub max_model_len: Option<Spanned<i64>>,
    pub gpu_memory_utilization: Option<Spanned<f64>>,
    pub dtype: Option<Spanned<String>>,
    pub tensor_parallel_size: Option<Spanned<i64>>,
    pub extra_args: Vec<Spanned<String>>,
}

/// A `{ request = .., limit = .. }` pair, or one value meaning both.
#[derive(Debug, Default, Clone)]
pub struct RequestLimit {
    pub request: Option<Spanned<String>>,
    pub limit: Option<Spanned<String>>,
}

/// `[resources]`: what one replica asks the scheduler for.
#[derive(Debug, Default)]
pub struct ResourcesSection {
    pub span: Option<Span>,
    pub gpus: Option<Spanned<i64>>,
    pub gpu_resource: Option<Spanned<String>>,
    pub cpu: RequestLimit,
    pub memory: RequestLimit,
}

/// `[scaling]`: Knative Pod Autoscaler settings.
#[derive(Debug, Default)]
pub struct ScalingSection {
    pub span: Option<Span>,
    pub metric: Option<Spanned<String>>,
    pub target: Option<Spanned<f64>>,
    pub min: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
}

/// One gateway listener: `name = port`.
#[derive(Debug, Clone)]
pub struct ListenerEntry {
    pub name: Spanned<String>,
    pub port: Spanned<i64>,
}

/// `[gateway]`: the shared Gateway the service is reached through.
#[derive(Debug, Default)]
pub struct GatewaySection {
    pub span: Option<Span>,
    pub name: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
    pub class: Option<Spanned<String>>,
    pub provider: Option<Spanned<String>>,
    pub listeners: Option<Vec<ListenerEntry>>,
}

/// `[inference]`: how the inference gateway treats this service.
#[derive(Debug, Default)]
pub struct InferenceSection {
    pub span: Option<Span>,
    pub priority: Option<Spanned<i64>>,
    pub listener: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub epp_image: Option<Spanned<String>>,
}
