//! Resolve stage: [`StackFile`] -> [`ResolvedStack`]. Applies the profile and the defaults (from
//! the key table), and turns text into typed values (sources, durations, Secret references), so
//! later stages never see an absent or unparsed value. Every value keeps a span: its own when
//! written, the span of its table (or the file start) when defaulted, so diagnostics can still
//! point somewhere. A value that does not parse is reported and replaced by its default, so the
//! stack rules still run and one run reports everything.

pub mod adapters;
pub mod disaggregation;
pub mod gitops;
pub mod output;
pub mod profile;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::duration;
pub use crate::k8s::knative::Metric;
pub use crate::k8s::workload::{Autoscaler, Workload};
pub use crate::model_source::{
    Identity, MODELS_DIR, Model, ModelSource, Quantization, WrittenFacts,
};
use crate::source::{FileId, Span, Spanned};
use crate::stack::ast::{ListenerEntry, Pairs, RequestLimit, StackFile, Toleration};
pub use crate::stack::keys::EngineKind;
use crate::stack::keys::{self, Absent};
pub use profile::Profile;

/// Shared memory for tensor parallelism when `engine.shm` is not set and `gpus > 1`: NCCL keeps
/// its buffers in `/dev/shm`, and the runtime's 64Mi default fails at the first all-reduce.
pub const DEFAULT_SHM: &str = "16Gi";

/// A stack with every value decided.
#[derive(Clone, Debug)]
pub struct ResolvedStack {
    pub file: FileId,
    pub profile: Profile,
    pub workload: Spanned<Workload>,
    pub service: Service,
    pub model: Model,
    pub engine: Engine,
    pub resources: Resources,
    pub scaling: Scaling,
    pub scheduling: Scheduling,
    pub gateway: Gateway,
    pub inference: Inference,
    /// Whether the namespaces the stack's objects use get a Namespace object.
    pub create_namespaces: Spanned<bool>,
    pub disaggregation: Option<disaggregation::Disaggregation>,
    /// `[[adapters]]`, in the order written.
    pub adapters: Vec<adapters::Adapter>,
    /// The role this view of a disaggregated stack is of (`role_view`); `None` for the stack.
    pub role: Option<disaggregation::Role>,
}

impl ResolvedStack {
    /// The pod that reads the weights, as the model source sees it.
    pub fn weights_reader(&self) -> crate::model_source::Reader<'_> {
        crate::model_source::Reader {
            namespace: &self.service.namespace,
            service_account: self.scheduling.service_account.as_ref(),
            image_pull_secrets: &self.scheduling.image_pull_secrets,
        }
    }

    /// The endpoint picker's objects' name, `<service>-epp` (explicit profiles).
    pub fn picker_name(&self) -> String {
        format!("{}-epp", self.service.name.value)
    }

    /// The OpenAI `model` name clients send: `engine.served_model_name`, else `model.name`.
    pub fn served_model_name(&self) -> &Spanned<String> {
        self.engine
            .served_model_name
            .as_ref()
            .unwrap_or(&self.model.name)
    }
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub labels: Pairs,
    /// The host the HTTPRoute matches (explicit profiles): `service.hostname`, or Knative's
    /// domain template `{{.Name}}.{{.Namespace}}.{{.Domain}}` (config-network's
    /// `domain-template` default) over `gateway.domain`.
    pub hostname: Spanned<String>,
    /// The path prefix the HTTPRoute matches, rewritten to `/` (`"/"`: every path).
    pub path: Spanned<String>,
}

/// A container environment variable read from a Secret: `NAME = "secret/key"`.
#[derive(Clone, Debug)]
pub struct SecretEnv {
    pub name: Spanned<String>,
    pub secret: String,
    pub key: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Engine {
    pub kind: Spanned<EngineKind>,
    pub image: Spanned<String>,
    pub port: Spanned<i64>,
    pub max_model_len: Option<Spanned<i64>>,
    pub gpu_memory_utilization: Option<Spanned<f64>>,
    pub dtype: Option<Spanned<String>>,
    /// `engine.tensor_parallel_size` as written; `engine::parallel` derives the one the server
    /// runs with.
    pub tensor_parallel_size: Option<Spanned<i64>>,
    pub extra_args: Vec<Spanned<String>>,
    pub command: Vec<Spanned<String>>,
    pub args: Vec<Spanned<String>>,
    /// Written `engine.health_path`; `None` means the engine's own (or TCP for `custom`).
    pub health_path: Option<Spanned<String>>,
    pub env: Pairs,
    pub secret_env: Vec<SecretEnv>,
    pub shm: Option<Spanned<String>>,
    /// `engine.served_model_name` as written; [`ResolvedStack::served_model_name`] defaults it.
    pub served_model_name: Option<Spanned<String>>,
    /// Seconds.
    pub startup_timeout: Spanned<i64>,
    /// Seconds.
    pub request_timeout: Spanned<i64>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Resources {
    pub gpus: Spanned<i64>,
    /// Pods one server instance spans (`workload = "leaderworkerset"`).
    pub nodes: Spanned<i64>,
    pub gpu_resource: Spanned<String>,
    pub gpu_product: Option<Spanned<String>>,
    /// `resources.gpu_memory`, one GPU's memory as written.
    pub gpu_memory: Option<Spanned<String>>,
    pub cpu: RequestLimit,
    pub memory: RequestLimit,
}

#[derive(Clone, Debug)]
pub struct Scaling {
    pub metric: Spanned<Metric>,
    pub target: Option<Spanned<f64>>,
    pub min: Spanned<i64>,
    pub max: Spanned<i64>,
    /// The keys only the Knative Pod Autoscaler reads, where written.
    pub autoscaler_keys: Vec<(&'static str, Span)>,
    pub autoscaler: Spanned<Autoscaler>,
    /// KEDA's Prometheus, `scaling.prometheus`.
    pub prometheus: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Scheduling {
    pub node_selector: Pairs,
    pub tolerations: Vec<Toleration>,
    pub runtime_class: Option<Spanned<String>>,
    pub priority_class: Option<Spanned<String>>,
    pub service_account: Option<Spanned<String>>,
    pub image_pull_secrets: Vec<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Gateway {
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub class: Spanned<String>,
    /// Which implementation serves the class; decides provider-specific output.
    pub provider: Spanned<Provider>,
    pub listeners: Vec<Listener>,
    pub issuer: Option<Issuer>,
    pub redirect_http: Spanned<bool>,
    /// `"none"` or `"body"` (the body-based router).
    pub model_routing: Spanned<String>,
    pub span: Span,
}

impl Gateway {
    pub fn routes_by_body(&self) -> bool {
        self.model_routing.value == "body"
    }
}

/// One Gateway listener with its protocol decided.
#[derive(Clone, Debug)]
pub struct Listener {
    pub name: Spanned<String>,
    /// `None` when the reader refused the port (reported there).
    pub port: Option<Spanned<i64>>,
    /// `HTTP`, `HTTPS` or `TLS`: as written, else HTTPS with `tls` and HTTP without.
    pub protocol: Spanned<String>,
    pub hostname: Option<Spanned<String>>,
    /// The certificate Secrets, in the Gateway's namespace.
    pub tls: Vec<Spanned<String>>,
    /// As written, else `Terminate` where the protocol carries TLS.
    pub tls_mode: Option<Spanned<String>>,
    pub span: Span,
}

impl Listener {
    /// Whether HTTPRoutes attach here (Gateway API: HTTP and HTTPS listeners take HTTPRoutes).
    pub fn takes_http_routes(&self) -> bool {
        matches!(self.protocol.value.as_str(), "HTTP" | "HTTPS")
    }
}

/// The cert-manager issuer of the Gateway's certificates.
#[derive(Clone, Debug)]
pub struct Issuer {
    pub name: Spanned<String>,
    /// `ClusterIssuer` (unless written) or `Issuer`.
    pub kind: Spanned<String>,
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
    /// Whether `timeout` was written (`inference.timeout`) rather than derived.
    pub timeout_written: bool,
    pub epp_image: Option<Spanned<String>>,
    /// The client header whose value is the picker's fairness id.
    pub fairness: Option<Spanned<String>>,
    pub span: Span,
}

pub use crate::k8s::gateway::Provider;

/// A value outside its key's closed set (`keys::Ty::Enum`); `what` ends the message.
fn not_a_choice(path: &str, written: &Spanned<String>, what: &str) -> Diagnostic {
    let keys::Ty::Enum(choices) = keys::lookup(path).ty else {
        unreachable!("{path} is not an enumeration")
    };
    let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
    Diagnostic::error(
        Code::InvalidValue,
        Label::new(written.span, "not a choice"),
        format!("`{path}` = \"{}\" {what}", written.value),
    )
    .with_help(format!("use one of: {}", quoted.join(", ")))
}

/// `model.quantization`, its default what the architecture's or model's name tells.
fn quantization(
    d: &WithDefaults<'_>,
    name: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Spanned<Quantization> {
    if let Some(written) = d.written_choice(
        "model.quantization",
        Quantization::from_name,
        "is not a quantization inferstack sizes",
        Quantization::None,
        diagnostics,
    ) {
        return written;
    }
    let named = d.opt("model.architecture").unwrap_or_else(|| name.clone());
    let told = Quantization::from_model_name(&named.value).map(|(q, _)| (q, named.span));
    match told {
        Some((q, span)) => Spanned::new(q, span),
        None => Spanned::new(Quantization::None, d.at("model.quantization")),
    }
}

/// `scaling.autoscaler`, its default decided by the workload.
fn autoscaler(
    d: &WithDefaults<'_>,
    workload: Workload,
    diagnostics: &mut Diagnostics,
) -> Spanned<Autoscaler> {
    let default = match workload {
        Workload::Knative => Autoscaler::Knative,
        Workload::Deployment | Workload::LeaderWorkerSet => Autoscaler::None,
    };
    d.written_choice(
        "scaling.autoscaler",
        Autoscaler::from_name,
        "is not an autoscaler inferstack emits",
        default,
        diagnostics,
    )
    .unwrap_or_else(|| Spanned::new(default, d.at("scaling.autoscaler")))
}

/// One stack file with the key table's defaults behind it: each absent value gets its default,
/// located at its section (or the file start).
struct WithDefaults<'s> {
    stack: &'s StackFile,
    start: Span,
}

impl WithDefaults<'_> {
    fn at(&self, path: &str) -> Span {
        self.stack.section(keys::parent(path)).unwrap_or(self.start)
    }

    fn str(&self, path: &str) -> Spanned<String> {
        self.stack.str(path).cloned().unwrap_or_else(|| {
            let Absent::Str(default) = keys::lookup(path).default else {
                unreachable!("{path} has no literal default")
            };
            Spanned::new(default.to_owned(), self.at(path))
        })
    }

    fn int(&self, path: &str) -> Spanned<i64> {
        self.stack.int(path).cloned().unwrap_or_else(|| {
            let Absent::Int(default) = keys::lookup(path).default else {
                unreachable!("{path} has no literal default")
            };
            Spanned::new(default, self.at(path))
        })
    }

    fn bool(&self, path: &str) -> Spanned<bool> {
        self.stack.bool(path).cloned().unwrap_or_else(|| {
            let Absent::Bool(default) = keys::lookup(path).default else {
                unreachable!("{path} has no literal default")
            };
            Spanned::new(default, self.at(path))
        })
    }

    fn opt(&self, path: &str) -> Option<Spanned<String>> {
        self.stack.str(path).cloned()
    }

    /// A key of a closed set, as its enum: an unknown name is reported (`what` ends the message)
    /// and the key's default used, located at the written value.
    fn choice<T: Copy>(
        &self,
        path: &str,
        from_name: fn(&str) -> Option<T>,
        what: &str,
        diagnostics: &mut Diagnostics,
    ) -> Spanned<T> {
        let Absent::Str(default) = keys::lookup(path).default else {
            unreachable!("{path} has no literal default")
        };
        let default = from_name(default).expect("the default is one of the choices");
        self.written_choice(path, from_name, what, default, diagnostics)
            .unwrap_or_else(|| Spanned::new(default, self.at(path)))
    }

    /// A written key of a closed set, as its enum; `None` where it is not written. An unknown
    /// name is reported (`what` ends the message) and `fallback` used, located at the value.
    fn written_choice<T: Copy>(
        &self,
        path: &str,
        from_name: fn(&str) -> Option<T>,
        what: &str,
        fallback: T,
        diagnostics: &mut Diagnostics,
    ) -> Option<Spanned<T>> {
        let written = self.opt(path)?;
        let value = from_name(&written.value).unwrap_or_else(|| {
            diagnostics.push(not_a_choice(path, &written, what));
            fallback
        });
        Some(Spanned::new(value, written.span))
    }

    fn strs(&self, path: &str) -> Vec<Spanned<String>> {
        self.stack.strs(path).map(<[_]>::to_vec).unwrap_or_default()
    }

    /// A duration in whole seconds; a malformed one is reported and the default used.
    fn seconds(&self, path: &str, diagnostics: &mut Diagnostics) -> Spanned<i64> {
        let text = self.str(path);
        let seconds = duration::whole_seconds(&text.value).filter(|s| *s > 0);
        match seconds {
            Some(s) => Spanned::new(s, text.span),
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidDuration,
                        Label::new(text.span, "not a duration"),
                        format!("`{path}` = \"{}\" is not a positive duration", text.value),
                    )
                    .with_help(
                        "write a number with a unit, as Go does: \"900s\", \"30m\", \"1h30m\"",
                    ),
                );
                let Absent::Str(default) = keys::lookup(path).default else {
                    unreachable!("{path} has a literal default")
                };
                Spanned::new(duration::whole_seconds(default).unwrap_or(1), text.span)
            }
        }
    }
}

/// Fills in defaults; `None` when a required value is missing or unusable (reported).
/// `profile_override` (from `--profile`) wins over the stack's own `profile`.
pub fn resolve(
    stack: &StackFile,
    env: Option<&str>,
    profile_override: Option<Profile>,
    diagnostics: &mut Diagnostics,
) -> Option<ResolvedStack> {
    let file = stack.file;
    let start = Span::file_start(file);
    let d = WithDefaults { stack, start };
    let profile = match (stack.str("profile"), profile_override) {
        (_, Some(profile)) => Some(profile),
        (None, None) => Some(Profile::DEFAULT),
        (Some(name), None) => Profile::parse(name, diagnostics),
    };
    let name = required(stack, "service.name", start, diagnostics);
    let source = required(stack, "model.source", start, diagnostics).and_then(|src| {
        crate::model_source::parse(&src)
            .map_err(|e| diagnostics.push(e))
            .ok()
    });
    let image = required(stack, "engine.image", start, diagnostics);
    let engine = engine(&d, image, diagnostics);
    let (profile, name, source, engine) = (profile?, name?, source?, engine?);

    let model = model(&d, source, env, diagnostics);
    let gateway = gateway(&d, profile, diagnostics);
    let inference = inference(&d, &gateway, &engine);
    let workload = d.choice(
        "workload",
        Workload::from_name,
        "is not a workload inferstack emits",
        diagnostics,
    );
    let autoscaler = autoscaler(&d, workload.value, diagnostics);
    Some(ResolvedStack {
        file,
        profile,
        workload,
        service: Service {
            hostname: d.opt("service.hostname").unwrap_or_else(|| {
                let domain = d.str("gateway.domain");
                let namespace = d.str("service.namespace");
                Spanned::new(
                    format!("{}.{}.{}", name.value, namespace.value, domain.value),
                    domain.span,
                )
            }),
            namespace: d.str("service.namespace"),
            labels: stack.pairs("service.labels").to_vec(),
            path: d.str("service.path"),
            name,
        },
        model,
        engine,
        resources: Resources {
            gpus: d.int("resources.gpus"),
            nodes: d.int("resources.nodes"),
            gpu_resource: d.opt("resources.gpu_resource").unwrap_or_else(|| {
                let product = stack.str("resources.gpu_product");
                let vendor = product
                    .and_then(|p| crate::k8s::gpus::lookup(&p.value))
                    .map_or(crate::k8s::gpus::Vendor::Nvidia, |g| g.vendor);
                Spanned::new(vendor.resource().to_owned(), d.at("resources.gpu_resource"))
            }),
            gpu_product: d.opt("resources.gpu_product"),
            gpu_memory: d.opt("resources.gpu_memory"),
            cpu: stack.request_limit("resources.cpu"),
            memory: stack.request_limit("resources.memory"),
        },
        scaling: Scaling {
            metric: d.choice(
                "scaling.metric",
                Metric::from_name,
                "is not a Knative Pod Autoscaler metric: \"concurrency\" is in-flight requests per replica, \"rps\" requests per second per replica",
                diagnostics,
            ),
            target: stack.num("scaling.target").cloned(),
            min: d.int("scaling.min"),
            max: d.int("scaling.max"),
            autoscaler_keys: [
                ("scaling.max", stack.int("scaling.max").map(|v| v.span)),
                ("scaling.target", stack.num("scaling.target").map(|v| v.span)),
                ("scaling.metric", stack.str("scaling.metric").map(|v| v.span)),
            ]
            .into_iter()
            .filter_map(|(key, span)| Some((key, span?)))
            .collect(),
            autoscaler,
            prometheus: d.opt("scaling.prometheus"),
        },
        scheduling: Scheduling {
            node_selector: stack.pairs("scheduling.node_selector").to_vec(),
            tolerations: stack.tolerations("scheduling.tolerations").to_vec(),
            runtime_class: d.opt("scheduling.runtime_class"),
            priority_class: d.opt("scheduling.priority_class"),
            service_account: d.opt("scheduling.service_account"),
            image_pull_secrets: d.strs("scheduling.image_pull_secrets"),
        },
        gateway,
        inference,
        create_namespaces: d.bool("create_namespaces"),
        disaggregation: disaggregation::resolve(&d, diagnostics),
        adapters: adapters::resolve(stack, diagnostics),
        role: None,
    })
}

fn model(
    d: &WithDefaults<'_>,
    source: ModelSource,
    env: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Model {
    let stack = d.stack;
    // A revision in the URL and in `model.revision` must agree; the key wins when alone.
    let url_revision = source.url_revision().cloned();
    let revision = match (d.opt("model.revision"), url_revision) {
        (Some(key), Some(url)) if key.value != url.value => {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(key.span, "differs from the source"),
                    format!(
                        "`model.revision` = \"{}\" differs from the revision `@{}` in `model.source`",
                        key.value, url.value
                    ),
                )
                .with_secondary(Label::new(url.span, "revision in the source"))
                .with_help("pin the commit in one place: remove `@...` from the source or the `revision` key"),
            );
            Some(key)
        }
        (Some(key), _) => Some(key),
        (None, url) => url,
    };
    let name = d.opt("model.name").unwrap_or_else(|| source.default_name());
    Model {
        quantization: quantization(d, &name, diagnostics),
        name,
        size: d.str("model.size"),
        endpoint: d.opt("model.endpoint"),
        region: d.opt("model.region"),
        credentials: d.opt("model.credentials"),
        revision,
        identity: d.choice(
            "model.identity",
            Identity::from_name,
            "is not an identity the Mountpoint driver takes",
            diagnostics,
        ),
        persistent_volume: match env {
            Some(env) => format!("{}-{env}", d.str("model.volume").value),
            None => d.str("model.volume").value,
        },
        volume: d.str("model.volume"),
        written_facts: WrittenFacts {
            architecture: d.opt("model.architecture"),
            parameters: stack.num("model.parameters").cloned(),
            layers: stack.int("model.layers").cloned(),
            attention_heads: stack.int("model.attention_heads").cloned(),
            kv_heads: stack.int("model.kv_heads").cloned(),
            head_dim: stack.int("model.head_dim").cloned(),
            context_length: stack.int("model.context_length").cloned(),
        },
        span: stack.section("model").unwrap_or(d.start),
        source,
    }
}

fn engine(
    d: &WithDefaults<'_>,
    image: Option<Spanned<String>>,
    diagnostics: &mut Diagnostics,
) -> Option<Engine> {
    let stack = d.stack;
    let secret_env = stack
        .pairs("engine.secret_env")
        .iter()
        .filter_map(|(name, reference)| secret_env(name, reference, diagnostics))
        .collect();
    let startup_timeout = d.seconds("engine.startup_timeout", diagnostics);
    let request_timeout = d.seconds("engine.request_timeout", diagnostics);
    Some(Engine {
        kind: d.choice(
            "engine.kind",
            EngineKind::from_name,
            "is not an engine inferstack knows",
            diagnostics,
        ),
        image: image?,
        port: d.int("engine.port"),
        max_model_len: stack.int("engine.max_model_len").cloned(),
        gpu_memory_utilization: stack.num("engine.gpu_memory_utilization").cloned(),
        dtype: d.opt("engine.dtype"),
        tensor_parallel_size: stack.int("engine.tensor_parallel_size").cloned(),
        extra_args: d.strs("engine.extra_args"),
        command: d.strs("engine.command"),
        args: d.strs("engine.args"),
        health_path: d.opt("engine.health_path"),
        env: stack.pairs("engine.env").to_vec(),
        secret_env,
        shm: d.opt("engine.shm"),
        served_model_name: d.opt("engine.served_model_name"),
        startup_timeout,
        request_timeout,
        span: d.at("engine.kind"),
    })
}

/// `NAME = "secret/key"`: a Secret name (a DNS subdomain, so no `/`) and a key in it.
fn secret_env(
    name: &Spanned<String>,
    reference: &Spanned<String>,
    diagnostics: &mut Diagnostics,
) -> Option<SecretEnv> {
    let parts = reference.value.split_once('/');
    let valid = parts.is_some_and(|(secret, key)| {
        crate::k8s::names::is_dns_subdomain(secret)
            && !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    if !valid {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidSecretRef,
                Label::new(reference.span, "not secret/key"),
                format!(
                    "`engine.secret_env.{}` = \"{}\" is not a reference \"<secret>/<key>\"",
                    name.value, reference.value
                ),
            )
            .with_help("write the Secret's name and the key in it, e.g. HF_TOKEN = \"hf-token/token\"; the Secret itself stays out of Git"),
        );
        return None;
    }
    let (secret, key) = parts?;
    Some(SecretEnv {
        name: name.clone(),
        secret: secret.to_owned(),
        key: key.to_owned(),
        span: reference.span,
    })
}

fn gateway(d: &WithDefaults<'_>, profile: Profile, diagnostics: &mut Diagnostics) -> Gateway {
    let span = d.stack.section("gateway").unwrap_or(d.start);
    let fallback = |value: &str| Spanned::new(value.to_owned(), span);
    let default = if profile == Profile::GatewayApi {
        Provider::Generic
    } else {
        Provider::Ack
    };
    let provider = d
        .written_choice(
            "gateway.provider",
            Provider::from_name,
            "is not a known Gateway implementation",
            default,
            diagnostics,
        )
        .unwrap_or_else(|| Spanned::new(default, span));
    let listeners = match d.stack.listeners("gateway.listeners") {
        Some(written) => written.iter().map(listener).collect(),
        None => vec![listener(&ListenerEntry::plain(
            fallback("default"),
            Some(Spanned::new(80, span)),
            span,
        ))],
    };
    let issuer = d.stack.issuer("gateway.issuer").and_then(|written| {
        Some(Issuer {
            name: written.name.clone()?,
            kind: written
                .kind
                .clone()
                .unwrap_or_else(|| Spanned::new("ClusterIssuer".to_owned(), written.span)),
        })
    });
    Gateway {
        name: d.str("gateway.name"),
        namespace: d.str("gateway.namespace"),
        class: d
            .opt("gateway.class")
            .unwrap_or_else(|| fallback(profile.default_gateway_class())),
        provider,
        listeners,
        issuer,
        redirect_http: d.bool("gateway.redirect_http"),
        model_routing: d.str("gateway.model_routing"),
        span,
    }
}

/// A plain port is HTTP; `tls` makes the default HTTPS, whose mode defaults to Terminate.
fn listener(written: &ListenerEntry) -> Listener {
    let protocol = written.protocol.clone().unwrap_or_else(|| {
        let protocol = if written.tls.is_empty() {
            "HTTP"
        } else {
            "HTTPS"
        };
        Spanned::new(protocol.to_owned(), written.span)
    });
    let tls_mode = written.tls_mode.clone().or_else(|| {
        (protocol.value != "HTTP").then(|| Spanned::new("Terminate".to_owned(), written.span))
    });
    Listener {
        name: written.name.clone(),
        port: written.port.clone(),
        protocol,
        hostname: written.hostname.clone(),
        tls: written.tls.clone(),
        tls_mode,
        span: written.span,
    }
}

fn inference(d: &WithDefaults<'_>, gateway: &Gateway, engine: &Engine) -> Inference {
    let span = d.stack.section("inference").unwrap_or(d.start);
    let written = d.opt("inference.timeout");
    let timeout = match &written {
        Some(timeout) => Some(timeout.clone()),
        None if gateway.provider.value == Provider::Gke => None,
        // The route allows what the revision allows: one clock for the whole path.
        None => Some(Spanned::new(
            format!("{}s", engine.request_timeout.value),
            engine.request_timeout.span,
        )),
    };
    Inference {
        priority: d.stack.int("inference.priority").cloned(),
        // The last HTTPS listener, else the last one: the seed adds its inference port after
        // the default one, and a Gateway with TLS serves models over it.
        listener: d.opt("inference.listener").unwrap_or_else(|| {
            let https = gateway
                .listeners
                .iter()
                .rev()
                .find(|l| l.protocol.value == "HTTPS");
            let last = https
                .or(gateway.listeners.last())
                .map_or("default", |l| &l.name.value);
            Spanned::new(last.to_owned(), span)
        }),
        timeout_written: written.is_some(),
        timeout,
        epp_image: d.opt("inference.epp_image"),
        fairness: d.opt("inference.fairness"),
        span,
    }
}

fn required(
    stack: &StackFile,
    path: &str,
    start: Span,
    diagnostics: &mut Diagnostics,
) -> Option<Spanned<String>> {
    let value = stack.str(path).cloned();
    if value.is_none() {
        let table = keys::parent(path);
        let key = keys::leaf(path);
        let span = stack.section(table);
        let label = match span {
            Some(s) if s.end > s.start => format!("[{table}] has no `{key}`"),
            _ => format!("no [{table}] table with `{key}`"),
        };
        diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                Label::new(span.unwrap_or(start), label),
                format!("`{path}` is required"),
            )
            .with_help(format!(
                "add `{key} = ...` under [{table}]; `inferstack init` writes a commented example"
            )),
        );
    }
    value
}
