//! Resolve stage: [`StackFile`] -> [`ResolvedStack`]. Applies the profile and the defaults, so
//! later stages never see an absent value. Every value keeps a span: its own when written, the
//! span of its table (or the file start) when defaulted, so diagnostics can still point somewhere.

pub mod profile;
pub mod source_url;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, Span, Spanned};
use crate::stack::ast::{ListenerEntry, Pairs, RequestLimit, StackFile};
pub use profile::Profile;
pub use source_url::ModelSource;

/// The model server port inside the pod; vLLM's OpenAI server is started on it.
pub const DEFAULT_ENGINE_PORT: i64 = 8080;

/// A stack with every value decided.
#[derive(Clone, Debug)]
pub struct ResolvedStack {
    pub file: FileId,
    pub profile: Profile,
    pub service: Service,
    pub model: Model,
    pub engine: Engine,
    pub resources: Resources,
    pub scaling: Scaling,
    pub gateway: Gateway,
    pub inference: Inference,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub labels: Pairs,
}

#[derive(Clone, Debug)]
pub struct Model {
    /// The model's directory name; it is mounted at `/models/<name>`.
    pub name: Spanned<String>,
    pub source: ModelSource,
    pub size: Spanned<String>,
    pub endpoint: Spanned<String>,
    /// Name of an existing Secret with the bucket's keys; `None` for public or RRSA access.
    pub credentials: Option<Spanned<String>>,
    /// Name shared by the PersistentVolume, the claim and the pod volume.
    pub volume: Spanned<String>,
    pub span: Span,
}

impl Model {
    /// Where the weights appear inside the container.
    pub fn mount_path(&self) -> String {
        format!("/models/{}", self.name.value)
    }
}

#[derive(Clone, Debug)]
pub struct Engine {
    pub kind: Spanned<String>,
    pub image: Spanned<String>,
    pub port: Spanned<i64>,
    pub max_model_len: Option<Spanned<i64>>,
    pub gpu_memory_utilization: Option<Spanned<f64>>,
    pub dtype: Option<Spanned<String>>,
    pub tensor_parallel_size: Option<Spanned<i64>>,
    pub extra_args: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Resources {
    pub gpus: Spanned<i64>,
    pub gpu_resource: Spanned<String>,
    pub cpu: RequestLimit,
    pub memory: RequestLimit,
}

#[derive(Clone, Debug)]
pub struct Scaling {
    pub metric: Spanned<String>,
    pub target: Option<Spanned<f64>>,
    pub min: Spanned<i64>,
    pub max: Spanned<i64>,
}

#[derive(Clone, Debug)]
pub struct Gateway {
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub class: Spanned<String>,
    /// Which implementation serves the class; decides provider-specific output.
    pub provider: Spanned<String>,
    pub listeners: Vec<ListenerEntry>,
    pub span: Span,
}

/// How the inference gateway treats the service; most of it matters only to profiles that
/// emit the Inference Extension objects.
#[derive(Clone, Debug)]
pub struct Inference {
    pub priority: Option<Spanned<i64>>,
    /// The Gateway listener the HTTPRoute attaches to.
    pub listener: Spanned<String>,
    /// The HTTPRoute request timeout; `None` where the provider rejects timeouts.
    pub timeout: Option<Spanned<String>>,
    pub epp_image: Option<Spanned<String>>,
    pub span: Span,
}

/// Gateway implementations that need different output, with what differs.
pub const PROVIDERS: [&str; 6] = [
    "generic",
    "envoy-gateway",
    "istio",
    "kgateway",
    "gke",
    "ack",
];

/// The route timeout that keeps LLM streams alive: Envoy Gateway's default is 15 s.
pub const DEFAULT_ROUTE_TIMEOUT: &str = "300s";

/// Fills in defaults; `None` when a required value is missing or unusable (reported).
/// `profile_override` (from `--profile`) wins over the stack's own `profile`.
pub fn resolve(
    stack: &StackFile,
    profile_override: Option<Profile>,
    diagnostics: &mut Diagnostics,
) -> Option<ResolvedStack> {
    let file = stack.file;
    let start = Span::file_start(file);
    let or = |value: &Option<Spanned<String>>, default: &str, span: Option<Span>| {
        value
            .clone()
            .unwrap_or_else(|| Spanned::new(default.to_owned(), span.unwrap_or(start)))
    };
    let profile = match (&stack.profile, profile_override) {
        (_, Some(profile)) => Some(profile),
        (None, None) => Some(Profile::DEFAULT),
        (Some(name), None) => Profile::parse(name, diagnostics),
    };

    let s = &stack.service;
    let name = required(
        &s.name,
        "service",
        "name",
        s.span.unwrap_or(start),
        diagnostics,
    );
    let m = &stack.model;
    let model_span = m.span.unwrap_or(start);
    let source = required(&m.source, "model", "source", model_span, diagnostics)
        .and_then(|src| source_url::parse(&src, diagnostics));
    let endpoint = required(&m.endpoint, "model", "endpoint", model_span, diagnostics);
    let e = &stack.engine;
    let image = required(
        &e.image,
        "engine",
        "image",
        e.span.unwrap_or(start),
        diagnostics,
    );

    let (profile, name, source, endpoint, image) = (profile?, name?, source?, endpoint?, image?);
    let model_name = m.name.clone().unwrap_or_else(|| {
        let ModelSource::Oss { path, .. } = &source;
        let last = path.value.rsplit('/').next().unwrap_or_default();
        Spanned::new(last.to_owned(), path.span)
    });

    let r = &stack.resources;
    let sc = &stack.scaling;
    let g = &stack.gateway;
    let gateway_span = g.span.unwrap_or(start);
    let i = &stack.inference;
    let inference_span = i.span.unwrap_or(start);
    let provider = or(
        &g.provider,
        if profile == Profile::GatewayApi {
            "generic"
        } else {
            "ack"
        },
        g.span,
    );
    let listeners = g.listeners.clone().unwrap_or_else(|| {
        vec![ListenerEntry {
            name: Spanned::new("default".to_owned(), gateway_span),
            port: Spanned::new(80, gateway_span),
        }]
    });
    Some(ResolvedStack {
        file,
        profile,
        service: Service {
            namespace: or(&s.namespace, "default", s.span),
            labels: s.labels.clone(),
            name,
        },
        model: Model {
            name: model_name,
            source,
            size: or(&m.size, "30Gi", m.span),
            endpoint,
            credentials: m.credentials.clone(),
            volume: or(&m.volume, "llm-model", m.span),
            span: model_span,
        },
        engine: Engine {
            kind: or(&e.kind, "vllm", e.span),
            image,
            port: e
                .port
                .clone()
                .unwrap_or_else(|| Spanned::new(DEFAULT_ENGINE_PORT, e.span.unwrap_or(start))),
            max_model_len: e.max_model_len.clone(),
            gpu_memory_utilization: e.gpu_memory_utilization.clone(),
            dtype: e.dtype.clone(),
            tensor_parallel_size: e.tensor_parallel_size.clone(),
            extra_args: e.extra_args.clone(),
        },
        resources: Resources {
            gpus: r
                .gpus
                .clone()
                .unwrap_or_else(|| Spanned::new(1, r.span.unwrap_or(start))),
            gpu_resource: or(&r.gpu_resource, "nvidia.com/gpu", r.span),
            cpu: r.cpu.clone(),
            memory: r.memory.clone(),
        },
        scaling: Scaling {
            metric: or(&sc.metric, "concurrency", sc.span),
            target: sc.target.clone(),
            // A GPU model takes minutes to load: keep one replica warm and cap spend by default.
            min: sc
                .min
                .clone()
                .unwrap_or_else(|| Spanned::new(1, sc.span.unwrap_or(start))),
            max: sc
                .max
                .clone()
                .unwrap_or_else(|| Spanned::new(1, sc.span.unwrap_or(start))),
        },
        gateway: Gateway {
            name: or(&g.name, "knative-gateway", g.span),
            namespace: or(&g.namespace, "knative-serving", g.span),
            class: or(&g.class, profile.default_gateway_class(), g.span),
            provider: provider.clone(),
            listeners: listeners.clone(),
            span: gateway_span,
        },
        inference: Inference {
            priority: i.priority.clone(),
            // The last listener: the seed adds its inference port after the default one.
            listener: i.listener.clone().unwrap_or_else(|| {
                listeners.last().map_or_else(
                    || Spanned::new("default".to_owned(), inference_span),
                    |l| Spanned::new(l.name.value.clone(), inference_span),
                )
            }),
            timeout: match &i.timeout {
                Some(timeout) => Some(timeout.clone()),
                None if provider.value == "gke" => None,
                None => Some(Spanned::new(
                    DEFAULT_ROUTE_TIMEOUT.to_owned(),
                    inference_span,
                )),
            },
            epp_image: i.epp_image.clone(),
            span: inference_span,
        },
    })
}

fn required(
    value: &Option<Spanned<String>>,
    table: &str,
    key: &str,
    table_span: Span,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<String>> {
    if value.is_none() {
        let label = if table_span.end > table_span.start {
            format!("[{table}] has no `{key}`")
        } else {
            format!("no [{table}] table with `{key}`")
        };
        diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                Label::new(table_span, label),
                format!("`{table}.{key}` is required"),
            )
            .with_help(format!(
                "add `{key} = ...` under [{table}]; `inferstack init` writes a commented example"
            )),
        );
    }
    value.clone()
}
