//! Every key of the stack format, defined once. The reader takes each key's TOML type from here,
//! `inferstack schema` generates the JSON Schema from it, `resolve` takes literal defaults from
//! it, and the README's stack reference is generated from it (a test keeps the README equal).
//! Adding a key is one entry here, then its use in `resolve` and `lower`.

use crate::closed_set::closed_set;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How a key is written in TOML, which decides how it is read and its JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    /// A `[section]`.
    Table,
    Str,
    /// A string from a closed set.
    Enum(&'static [&'static str]),
    /// A DNS-1123 label (Kubernetes object names, namespaces).
    DnsLabel,
    /// A DNS-1123 subdomain (Secret, class and ServiceAccount names).
    DnsSubdomain,
    /// A Go-style duration string (`300s`, `30m`, `1h30m`).
    Duration,
    /// An integer within a range.
    Int(Range),
    Bool,
    /// A TCP port, 1 to 65535.
    Port,
    /// A URL with one of these schemes.
    Url(&'static [&'static str]),
    /// A number within a range; integers are accepted.
    Num(Range),
    /// A Kubernetes quantity: a string, or a decimal number kept as written.
    Quantity,
    /// A quantity meaning request and limit, or `{ request, limit }`.
    RequestLimit,
    /// A table of user-chosen names to strings, in source order.
    StrMap,
    /// An array of strings.
    Strs,
    /// A table of listener names to ports or listener tables.
    Listeners,
    /// A cert-manager issuer: a name, or `{ name, kind }`.
    Issuer,
    /// An array of Kubernetes tolerations (`{ key, operator, value, effect, toleration_seconds }`).
    Tolerations,
    /// An array of LoRA adapters (`{ name, source, rank, priority }`).
    Adapters,
    /// A path, or an array of paths, of base layers ([`super::layers`]).
    Layers,
    /// A table of environment names to overrides of any stack key (`[env.prod]`).
    Environments,
}

/// The numbers a numeric key takes: the reader refuses the others at the value, and the
/// JSON Schema and the reference say them, from this one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    /// `min` itself is refused (a fraction of memory is more than 0).
    pub min_exclusive: bool,
    pub max: Option<f64>,
}

impl Range {
    pub const fn at_least(min: f64) -> Range {
        Range {
            min,
            min_exclusive: false,
            max: None,
        }
    }

    pub const fn between(min: f64, max: f64) -> Range {
        Range {
            min,
            min_exclusive: false,
            max: Some(max),
        }
    }

    pub fn contains(&self, n: f64) -> bool {
        let above = if self.min_exclusive {
            n > self.min
        } else {
            n >= self.min
        };
        above && self.max.is_none_or(|max| n <= max)
    }

    /// "between 0 and 1024", "at least 1", "more than 0 and at most 1".
    pub fn describe(&self) -> String {
        let low = if self.min_exclusive {
            format!("more than {}", self.min)
        } else {
            format!("at least {}", self.min)
        };
        match (self.min_exclusive, self.max) {
            (false, Some(max)) => format!("between {} and {max}", self.min),
            (true, Some(max)) => format!("{low} and at most {max}"),
            (_, None) => low,
        }
    }
}

/// Counts: one or more.
const COUNT: Range = Range::at_least(1.0);
/// A fraction of a whole: more than 0, at most 1.
const FRACTION: Range = Range {
    min: 0.0,
    min_exclusive: true,
    max: Some(1.0),
};
/// What an `int32` field of the emitted object holds.
const INT32: Range = Range::between(-2147483648.0, 2147483647.0);

/// What an absent key means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Absent {
    /// The stack cannot compile without it.
    Required,
    /// Absent means absent: nothing is emitted for it.
    Unset,
    /// A literal string default, used by `resolve`.
    Str(&'static str),
    /// A literal integer default, used by `resolve`.
    Int(i64),
    /// A literal boolean default.
    Bool(bool),
    /// A default computed from other keys, described for the reference.
    Derived(&'static str),
}

/// One key: its dotted path, TOML type, default, how the reference names its type, and what it
/// becomes in the output.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub path: &'static str,
    pub ty: Ty,
    pub default: Absent,
    /// The type as the README's reference writes it, when more precise than the TOML type.
    pub shape: &'static str,
    pub doc: &'static str,
}

const fn key(
    path: &'static str,
    ty: Ty,
    default: Absent,
    shape: &'static str,
    doc: &'static str,
) -> Key {
    Key {
        path,
        ty,
        default,
        shape,
        doc,
    }
}

/// The schemes `model.source` takes: `model_source` has one module for each.
pub const SOURCE_SCHEMES: &[&str] = &crate::model_source::SCHEME_NAMES;
pub const PROFILES: &[&str] = &["ack", "ack-explicit", "gateway-api"];
pub const ENGINES: &[&str] = EngineKind::NAMES;

closed_set! {
    /// The model servers inferstack knows (`engine.kind`), one file each in `src/engine/`.
    pub enum EngineKind {
        Vllm = "vllm",
        Sglang = "sglang",
        Custom = "custom",
    }
}

impl EngineKind {
    /// vLLM and SGLang, whose memory, parallelism, loading and flags inferstack models; a
    /// `custom` server is whatever its command makes it.
    pub fn is_modelled(self) -> bool {
        self != EngineKind::Custom
    }
}
pub const METRICS: &[&str] = crate::k8s::knative::Metric::NAMES;
pub const QUANTIZATIONS: &[&str] = crate::model_source::Quantization::NAMES;
pub const WORKLOADS: &[&str] = crate::k8s::workload::Workload::NAMES;
pub const AUTOSCALERS: &[&str] = crate::k8s::workload::Autoscaler::NAMES;
pub const CONNECTORS: &[&str] = crate::k8s::disaggregation::Connector::NAMES;
pub const IDENTITIES: &[&str] = crate::model_source::Identity::NAMES;
/// Gateway implementations that need different output.
pub const PROVIDERS: &[&str] = crate::k8s::gateway::Provider::NAMES;
/// The keys of one listener table, as `gateway.listeners.NAME = { ... }` writes them.
pub const LISTENER_KEYS: &[&str] = &["port", "protocol", "hostname", "tls", "tls_mode"];
/// The listener protocols an HTTPRoute or a TLS passthrough needs (Gateway API `ProtocolType`).
pub const LISTENER_PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TLS"];
/// cert-manager's issuer kinds the gateway-shim reads from `cert-manager.io/issuer-kind`.
pub const ISSUER_KINDS: &[&str] = &["ClusterIssuer", "Issuer"];
/// Gateway API `TLSModeType`.
pub const TLS_MODES: &[&str] = &["Terminate", "Passthrough"];
/// The keys of one toleration, as Kubernetes names them (snake_case for `tolerationSeconds`).
pub const TOLERATION_KEYS: &[&str] = &["key", "operator", "value", "effect", "toleration_seconds"];

/// The keys of one `[[adapters]]` entry.
pub const ADAPTER_KEYS: &[&str] = &["name", "source", "rank", "priority"];

use Absent::{Bool, Derived, Int, Required, Str, Unset};

/// The whole format, sections first within each group, in the order the reference lists them.
pub const KEYS: &[Key] = &[
    key(
        "profile",
        Ty::Enum(PROFILES),
        Str("ack"),
        "",
        "Which platform conventions to emit; see [Profiles](#profiles). `--profile` on `build` and `check` overrides it.",
    ),
    key(
        "workload",
        Ty::Enum(WORKLOADS),
        Str("knative"),
        "",
        "What runs the server's pods. `knative`: a Knative Service, scaled by the Knative Pod Autoscaler (`scaling.*`), with Knative's ConfigMaps. `deployment`: an apps/v1 Deployment of `scaling.min` replicas (at least 1) and a Service of the server's port, with the same pod, probes and storage; the InferencePool selects its pods by `app.kubernetes.io/instance` and targets the server's port. `leaderworkerset`: a `leaderworkerset.x-k8s.io/v1` LeaderWorkerSet whose every replica is one server over `resources.nodes` pods (the LeaderWorkerSet controller must be installed), and a Service of the leaders, `<name>-leader`; the pool selects the leaders. Its name must start with a letter. `deployment` and `leaderworkerset` need an explicit profile (`ack` asks ACK to build the pool from a Knative Service).",
    ),
    key(
        "extends",
        Ty::Layers,
        Unset,
        "path, or array of paths",
        "Base layers this file is written on top of, relative to this file; a layer may extend others. Later layers win over earlier ones and the stack over all of them: tables are merged key by key, arrays and values replaced. A file named here is a layer and is never compiled on its own. A cycle or a missing file is an error.",
    ),
    key(
        "environments",
        Ty::Strs,
        Unset,
        "array of names",
        "Only in the workspace file `inferstack.toml`: the fleet's environments. An `[env.NAME]` or `--env NAME` naming another is then an error, and so is a `build`, `check` or `diff` without `--env` (unless `default_environment` names one): the stacks alone are no environment that is ever deployed.",
    ),
    key(
        "default_environment",
        Ty::DnsLabel,
        Unset,
        "environment name",
        "Only in the workspace file: the environment a `build`, `check` or `diff` without `--env` (and without `ARGOCD_ENV_ENVIRONMENT`) compiles. One of `environments`.",
    ),
    key(
        "create_namespaces",
        Ty::Bool,
        Bool(true),
        "",
        "Emit a Namespace for each namespace the stacks' own objects use (not `default`, `kube-*` or `knative-serving`), so a first sync into a fresh cluster works with Argo CD and Flux alike. Never pruned by either. In the workspace or a stack; `false` when the namespaces are someone else's.",
    ),
    key(
        "output",
        Ty::Table,
        Derived("`{}`"),
        "",
        "The output tree `build` writes. In the workspace, a layer or a stack: each stack's list (its own, or the one it inherits, as any array) is joined with the other stacks' of the build.",
    ),
    key(
        "output.keep",
        Ty::Strs,
        Derived("`[]`"),
        "array of globs",
        "Files of the output tree that are the user's, not inferstack's (globs relative to the output directory, `*` within a name, `**` across directories): `build` keeps them without a warning, and `build --check` and `diff` do not report them.",
    ),
    key(
        "env",
        Ty::Environments,
        Unset,
        "table `NAME = { any stack key }`",
        "Overrides applied by `--env NAME`: any key but `extends`, `env` and `environments`. They are applied after the top level of every layer, in the same order (the workspace, the `extends` layers, the stack), so an environment's value wins over every file's general one.",
    ),
    key(
        "service",
        Ty::Table,
        Required,
        "",
        "The Knative Service's identity.",
    ),
    key(
        "service.name",
        Ty::DnsLabel,
        Required,
        "",
        "The Knative Service name.",
    ),
    key(
        "service.namespace",
        Ty::DnsLabel,
        Str("default"),
        "",
        "The namespace of the Service, its claim and its Inference Extension objects.",
    ),
    key(
        "service.hostname",
        Ty::DnsSubdomain,
        Derived("`NAME.NAMESPACE.DOMAIN` after Knative's domain template, with `gateway.domain`"),
        "",
        "The host name clients use (explicit profiles): the HTTPRoute matches it, so several models can share one Gateway listener.",
    ),
    key(
        "service.path",
        Ty::Str,
        Str("/"),
        "path prefix",
        "The path prefix the HTTPRoute matches (explicit profiles), rewritten to `/` before the model server sees it, so several models can share one hostname: `/qwen/v1/chat/completions` reaches this one as `/v1/chat/completions`.",
    ),
    key(
        "service.labels",
        Ty::StrMap,
        Derived("`{}`"),
        "",
        "Labels on the Service and on its pod template.",
    ),
    key(
        "model",
        Ty::Table,
        Required,
        "",
        "What to serve and where its weights live.",
    ),
    key(
        "model.source",
        Ty::Url(SOURCE_SCHEMES),
        Required,
        "",
        "Where the weights are; see [Model sources](#model-sources). Any other scheme is an error listing these.",
    ),
    key(
        "model.name",
        Ty::Str,
        Derived("last segment of `source`"),
        "directory name",
        "The mount path `/models/<name>` and the served model name. For mounted sources vLLM and SGLang get `--model /models/<name>/`; the trailing slash is part of the model name clients send.",
    ),
    key(
        "model.size",
        Ty::Quantity,
        Str("30Gi"),
        "",
        "The PV's capacity and the claim's request (`oss://`, `s3://`, `gs://`); the buckets do not enforce it. The hub cache's size limit for `hf://`.",
    ),
    key(
        "model.endpoint",
        Ty::Str,
        Unset,
        "http(s) URL",
        "`oss://` only, and required there: the PV's `volumeAttributes.url`. A public `*.aliyuncs.com` endpoint gives the warning `public-endpoint`.",
    ),
    key(
        "model.region",
        Ty::Str,
        Unset,
        "AWS region",
        "`s3://` only: the bucket's region, as the mount option `region <region>`. Without it Mountpoint uses the node's region.",
    ),
    key(
        "model.credentials",
        Ty::DnsSubdomain,
        Unset,
        "Secret name",
        "`oss://`: the PV's `nodePublishSecretRef` (keys `akId`, `akSecret`). `hf://`: the Secret whose key `token` becomes `HF_TOKEN`. Mountpoint for S3 and Cloud Storage FUSE take no per-volume Secret, so it is an error there (`unusable-credentials`).",
    ),
    key(
        "model.revision",
        Ty::Str,
        Unset,
        "40-hex commit",
        "`hf://` only: the commit to download (`--revision`). `hf://ORG/NAME@REV` sets it too. Leaving a hub model unpinned gives the warning `unpinned-revision`.",
    ),
    key(
        "model.identity",
        Ty::Enum(IDENTITIES),
        Str("driver"),
        "",
        "`s3://` only: whose IAM identity reads the bucket, the PV's `authenticationSource`. `driver`: the CSI driver's (IRSA, its `aws-secret`, or the instance profile). `pod`: the pod's ServiceAccount (IRSA), which then must be set in `scheduling.service_account`.",
    ),
    key(
        "model.volume",
        Ty::DnsLabel,
        Str("llm-model"),
        "",
        "The name of the PV, the claim and the pod volume. Stacks that read the same bucket path may share it; otherwise give each stack its own. For `pvc://` the claim is the user's and this is only the pod volume's name.",
    ),
    key(
        "model.config",
        Ty::Str,
        Unset,
        "path to a `config.json`",
        "A copy of the model's `config.json` in the repository, relative to the file that writes it (like `extends`): its numbers complete the built-in table and win over it, and the `model.*` architecture keys win over both. A path that cannot be read or a file that is not a model config is `model-config-unreadable`.",
    ),
    key(
        "model.architecture",
        Ty::Str,
        Derived("`model.name`, or the hub repository's name"),
        "model name",
        "Which model of the built-in table (see [Rules](#rules)) the memory and parallelism rules take the architecture from, when `model.name` is not the published name (`Llama-3.1-8B-Instruct`).",
    ),
    key(
        "model.quantization",
        Ty::Enum(QUANTIZATIONS),
        Derived(
            "from the suffix of `model.architecture` or `model.name` (`-FP8`, `-AWQ`, `-GPTQ-Int4`), else `none`",
        ),
        "",
        "How the checkpoint's linear layers are stored, for the memory rules: `fp8` one byte per weight, `awq` and `gptq` (4-bit, group size 128) 0.52 bytes; the embeddings and output head stay 16-bit. vLLM reads the method from the checkpoint itself, so nothing is emitted.",
    ),
    key(
        "model.parameters",
        Ty::Num(COUNT),
        Derived(
            "from the built-in table, or from `layers`, `attention_heads`, `kv_heads` and `head_dim`: none",
        ),
        "number of parameters",
        "The weights' parameter count (`8.03e9`), for a model the built-in table does not know. With `layers`, `kv_heads` and `head_dim` it lets `gpu-memory-fit` run; without them the rule is silent and says so in a note.",
    ),
    key(
        "model.layers",
        Ty::Int(COUNT),
        Derived("from the built-in table"),
        "",
        "`num_hidden_layers` of the model's `config.json`.",
    ),
    key(
        "model.attention_heads",
        Ty::Int(COUNT),
        Derived("from the built-in table"),
        "",
        "`num_attention_heads` of the model's `config.json`: the tensor parallel size must divide it.",
    ),
    key(
        "model.kv_heads",
        Ty::Int(COUNT),
        Derived("from the built-in table, else `attention_heads`"),
        "",
        "`num_key_value_heads` of the model's `config.json`.",
    ),
    key(
        "model.head_dim",
        Ty::Int(COUNT),
        Derived("from the built-in table"),
        "",
        "`head_dim` of the model's `config.json` (`hidden_size / num_attention_heads` when the config has none).",
    ),
    key(
        "model.context_length",
        Ty::Int(COUNT),
        Derived("from the built-in table"),
        "tokens",
        "`max_position_embeddings` of the model's `config.json`: vLLM refuses a longer `max_model_len`.",
    ),
    key("engine", Ty::Table, Required, "", "The model server."),
    key(
        "engine.kind",
        Ty::Enum(ENGINES),
        Str("vllm"),
        "",
        "The model server: its command line, health endpoints and managed flags; see [Engines](#engines).",
    ),
    key(
        "engine.image",
        Ty::Str,
        Required,
        "image reference",
        "The container image.",
    ),
    key(
        "engine.port",
        Ty::Port,
        Int(8080),
        "1-65535",
        "The server's port, the container port and the probes' port. The ports Knative's webhook reserves (8008, 8012, 8013, 8022, 9090, 9091) and the queue-proxy's TLS port 8112 are rejected.",
    ),
    key(
        "engine.max_model_len",
        Ty::Int(COUNT),
        Unset,
        "",
        "vLLM `--max-model-len`, SGLang `--context-length`.",
    ),
    key(
        "engine.gpu_memory_utilization",
        Ty::Num(FRACTION),
        Unset,
        "",
        "vLLM `--gpu-memory-utilization`, SGLang `--mem-fraction-static`.",
    ),
    key(
        "engine.dtype",
        Ty::Enum(&["auto", "half", "float16", "bfloat16", "float", "float32"]),
        Unset,
        "",
        "`--dtype` (vLLM and SGLang).",
    ),
    key(
        "engine.tensor_parallel_size",
        Ty::Int(COUNT),
        Derived("`resources.gpus` when it is more than 1"),
        "",
        "vLLM `--tensor-parallel-size`, SGLang `--tp-size`. A value above `gpus` is an error; a value below it is a warning, because the other GPUs would sit idle.",
    ),
    key(
        "engine.extra_args",
        Ty::Strs,
        Derived("`[]`"),
        "",
        "Appended to the engine's arguments. Flags that inferstack sets itself (`--port`, `--model`, ...) are rejected here, and so are flags that carry a key (`--api-key`).",
    ),
    key(
        "engine.command",
        Ty::Strs,
        Unset,
        "minijinja templates",
        "`custom` only, and required there: the container command. Each item is a template over the resolved stack; see [Engines](#engines).",
    ),
    key(
        "engine.args",
        Ty::Strs,
        Derived("`[]`"),
        "minijinja templates",
        "`custom` only: the container arguments, templates like `command`.",
    ),
    key(
        "engine.health_path",
        Ty::Str,
        Derived("`/health` (vLLM, SGLang); none for `custom`"),
        "absolute HTTP path",
        "The HTTP path of the startup, readiness and liveness probes. Without one (`custom`) the probes open a TCP connection to the port.",
    ),
    key(
        "engine.env",
        Ty::StrMap,
        Derived("`{}`"),
        "table of strings",
        "Container environment variables, in the order written. Values that look like tokens are refused.",
    ),
    key(
        "engine.secret_env",
        Ty::StrMap,
        Derived("`{}`"),
        "table of `\"secret/key\"`",
        "Environment variables read from Secrets (`valueFrom.secretKeyRef`): `HF_TOKEN = \"hf-token/token\"`. Only the reference is written.",
    ),
    key(
        "engine.shm",
        Ty::Quantity,
        Derived("`\"16Gi\"` when `resources.gpus` > 1, else none"),
        "quantity",
        "A memory-backed `emptyDir` mounted at `/dev/shm` with this size limit. The container runtime's 64Mi breaks NCCL under tensor parallelism. It counts against the memory limit.",
    ),
    key(
        "engine.startup_timeout",
        Ty::Duration,
        Str("10m"),
        "duration",
        "How long the model may take to load: a startup probe whose `failureThreshold × periodSeconds` covers it, and Knative's `serving.knative.dev/progress-deadline` (Knative's default is 600 s).",
    ),
    key(
        "engine.request_timeout",
        Ty::Duration,
        Str("300s"),
        "duration",
        "The longest request or stream the whole path allows: the revision's `timeoutSeconds` (with `config-defaults` `max-revision-timeout-seconds` raised above 600 s), the HTTPRoute timeout of the explicit profiles. Knative's own routes get no gateway timeout (`config-gateway`), so this is their clock too.",
    ),
    key(
        "engine.served_model_name",
        Ty::Str,
        Derived("`model.name`"),
        "",
        "The name clients send as the OpenAI `model` field (`--served-model-name` for vLLM and SGLang), the name `gateway.model_routing = \"body\"` routes on. vLLM also keeps answering to the mount path.",
    ),
    key(
        "resources",
        Ty::Table,
        Derived("`{}`"),
        "",
        "What one replica asks the scheduler for.",
    ),
    key(
        "resources.gpus",
        Ty::Int(Range::between(0.0, 1024.0)),
        Int(1),
        "",
        "The GPU request and limit. 0 means a CPU-only server.",
    ),
    key(
        "resources.nodes",
        Ty::Int(Range::between(1.0, 64.0)),
        Int(1),
        "",
        "Pods one server instance spans, each with `gpus` GPUs, for a model larger than one node: only with `workload = \"leaderworkerset\"`, whose group is a leader serving HTTP and `nodes - 1` workers. vLLM (0.11.1 or later) runs a pipeline stage per pod with tensor parallelism inside it (`--pipeline-parallel-size nodes --nnodes --node-rank --master-addr`, the workers `--headless`); SGLang one tensor parallel group over all of them (`--tp-size gpus × nodes --nnodes --node-rank --dist-init-addr`).",
    ),
    key(
        "resources.gpu_resource",
        Ty::Str,
        Derived("`amd.com/gpu` for an AMD product of the built-in table, else `nvidia.com/gpu`"),
        "extended resource name",
        "The extended resource the GPU device plugin advertises. A product of the built-in table from another vendor than the resource's is an error: no node offers that pair.",
    ),
    key(
        "resources.gpu_product",
        Ty::Str,
        Unset,
        "label value",
        "Schedules on that GPU model: the node selector `nvidia.com/gpu.product`, the label NVIDIA's GPU feature discovery sets (`NVIDIA-L4`, `NVIDIA-H100-80GB-HBM3`), or for an AMD product of the built-in table `amd.com/gpu.product-name`, the label AMD's node labeller sets (`AMD_Instinct_MI300X_OAM`).",
    ),
    key(
        "resources.gpu_memory",
        Ty::Quantity,
        Derived("from `gpu_product` in the built-in table"),
        "quantity",
        "One GPU's memory (`80Gi`), for a product the built-in table does not know; the memory rules need it.",
    ),
    key(
        "resources.cpu",
        Ty::RequestLimit,
        Unset,
        "quantity, or `{ request, limit }`",
        "Container CPU request and limit. A plain value sets both. A request above its limit is an error.",
    ),
    key(
        "resources.memory",
        Ty::RequestLimit,
        Unset,
        "quantity, or `{ request, limit }`",
        "Container memory request and limit, like `cpu`.",
    ),
    key(
        "adapters",
        Ty::Adapters,
        Unset,
        "array of `{ name, source, rank, priority }`",
        "LoRA adapters the server loads at start-up beside the base model; clients choose one by sending its `name` as the OpenAI `model`. `source`: `hf://ORG/NAME` (a Hugging Face hub repository, which the server downloads; it takes no revision) or a path on the model volume (relative to the model's directory, or absolute under it). `rank`: the adapter's LoRA rank, `r` of its `adapter_config.json` (default 16, vLLM's default `--max-lora-rank`). `priority`: the InferenceObjective priority of requests for it (default `inference.priority`). vLLM gets `--enable-lora --max-loras N --max-lora-rank R --lora-modules` (each adapter as JSON, the rank rounded up to one vLLM accepts), SGLang `--enable-lora --lora-paths` (it reads the ranks from the adapters); each adapter gets an InferenceObjective `<service>-<name>`, selected by the objective header, and with vLLM the picker scores LoRA affinity.",
    ),
    key(
        "disaggregation",
        Ty::Table,
        Unset,
        "",
        "Prefill/decode disaggregation as llm-d's `pd-disaggregation` guide runs it, with `workload = \"deployment\"` and the `gateway-api` profile: a `<name>-prefill` and a `<name>-decode` Deployment labelled `llm-d.ai/role`, the decode pods with llm-d-router's routing sidecar on the server's port in front of the model server (on 8200), the engines moving the KV cache over NIXL, and the picker's P/D profiles choosing a prefill and a decode pod for every request. Each role's tensor parallel size is its `gpus`.",
    ),
    key(
        "disaggregation.prefill",
        Ty::Table,
        Derived("`{}`"),
        "",
        "The prefill role: the pods that compute the prompt's KV cache.",
    ),
    key(
        "disaggregation.prefill.replicas",
        Ty::Int(Range::between(1.0, 10000.0)),
        Int(1),
        "",
        "Prefill pods.",
    ),
    key(
        "disaggregation.prefill.gpus",
        Ty::Int(Range::between(1.0, 1024.0)),
        Derived("`resources.gpus`"),
        "",
        "GPUs of each prefill pod, its tensor parallel size.",
    ),
    key(
        "disaggregation.decode",
        Ty::Table,
        Derived("`{}`"),
        "",
        "The decode role: the pods that generate the tokens, behind the routing sidecar.",
    ),
    key(
        "disaggregation.decode.replicas",
        Ty::Int(Range::between(1.0, 10000.0)),
        Int(1),
        "",
        "Decode pods.",
    ),
    key(
        "disaggregation.decode.gpus",
        Ty::Int(Range::between(1.0, 1024.0)),
        Derived("`resources.gpus`"),
        "",
        "GPUs of each decode pod, its tensor parallel size; with `nixlv2` at least the prefill's.",
    ),
    key(
        "disaggregation.connector",
        Ty::Enum(CONNECTORS),
        Derived("the engine's: `nixlv2` for vLLM, `sglang` for SGLang"),
        "",
        "How the KV cache moves, the sidecar's `--kv-connector`: `nixlv2` (vLLM's `NixlConnector`, `--kv-transfer-config {\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}`) or `sglang` (SGLang's `--disaggregation-mode` with `--disaggregation-transfer-backend nixl`). It must match the engine.",
    ),
    key(
        "disaggregation.sidecar_image",
        Ty::Str,
        Str(crate::k8s::disaggregation::SIDECAR_IMAGE),
        "image reference",
        "The routing sidecar's image, the release of the router the `gateway-api` profile pins.",
    ),
    key(
        "scaling",
        Ty::Table,
        Derived("`{}`"),
        "",
        "Knative Pod Autoscaler settings.",
    ),
    key(
        "scaling.metric",
        Ty::Enum(METRICS),
        Str("concurrency"),
        "",
        "`autoscaling.knative.dev/metric`, for the Knative Pod Autoscaler.",
    ),
    key(
        "scaling.target",
        Ty::Num(Range::at_least(0.01)),
        Derived("Knative's"),
        "",
        "`autoscaling.knative.dev/target`; for `autoscaler = \"hpa\"` or `\"keda\"` the requests waiting per replica (default 10).",
    ),
    key(
        "scaling.min",
        Ty::Int(Range::between(0.0, 2147483647.0)),
        Int(1),
        "",
        "`autoscaling.knative.dev/min-scale`. One replica stays warm because loading a model takes minutes.",
    ),
    key(
        "scaling.max",
        Ty::Int(Range::between(0.0, 2147483647.0)),
        Int(1),
        "",
        "`autoscaling.knative.dev/max-scale`. 0 means unbounded. The default caps GPU spend. `min > max` is an error.",
    ),
    key(
        "scaling.autoscaler",
        Ty::Enum(AUTOSCALERS),
        Derived("`knative` for `workload = \"knative\"`, `none` for a Deployment"),
        "",
        "What scales the pods. `knative`: the Knative Pod Autoscaler (the only one for `workload = \"knative\"`). For a Deployment: `none` (`scaling.min` replicas), `hpa` (an autoscaling/v2 HorizontalPodAutoscaler on the server's queue length, `vllm:num_requests_waiting` or `sglang:num_queue_reqs`, as a Pods metric a custom metrics adapter such as prometheus-adapter serves), or `keda` (a KEDA ScaledObject on the same queue and the router's flow-control queue, read from `scaling.prometheus`). `scaling.target` is the queued requests per replica (default 10, llm-d's guide), `min`/`max` the bounds; only `keda` scales from zero, and only with the router holding requests (`inference.fairness`).",
    ),
    key(
        "scaling.prometheus",
        Ty::Str,
        Unset,
        "http(s) URL",
        "`autoscaler = \"keda\"` only, and required there: the Prometheus KEDA queries (its trigger's `serverAddress`), which must scrape the model server's and the endpoint picker's metrics with `namespace` and `pod` labels.",
    ),
    key(
        "scheduling",
        Ty::Table,
        Derived("`{}`"),
        "",
        "Where and as whom the pods run. Each key that needs a Knative flag turns it on in the emitted `config-features`; see [Knative flags](#knative-flags).",
    ),
    key(
        "scheduling.node_selector",
        Ty::StrMap,
        Derived("`{}`"),
        "table of label values",
        "The pod's `nodeSelector` (flag `kubernetes.podspec-nodeselector`), merged with `resources.gpu_product`.",
    ),
    key(
        "scheduling.tolerations",
        Ty::Tolerations,
        Derived("`[]`"),
        "array of `{ key, operator, value, effect, toleration_seconds }`",
        "The pod's `tolerations` (flag `kubernetes.podspec-tolerations`). `operator` is `Equal` or `Exists`; `effect` is `NoSchedule`, `PreferNoSchedule`, `NoExecute` or empty.",
    ),
    key(
        "scheduling.runtime_class",
        Ty::DnsSubdomain,
        Unset,
        "RuntimeClass name",
        "The pod's `runtimeClassName` (flag `kubernetes.podspec-runtimeclassname`), e.g. `nvidia`.",
    ),
    key(
        "scheduling.priority_class",
        Ty::DnsSubdomain,
        Unset,
        "PriorityClass name",
        "The pod's `priorityClassName` (flag `kubernetes.podspec-priorityclassname`).",
    ),
    key(
        "scheduling.service_account",
        Ty::DnsSubdomain,
        Unset,
        "ServiceAccount name",
        "The pod's `serviceAccountName`: the identity for IRSA (`s3://` with `identity = \"pod\"`) and GKE Workload Identity (`gs://`).",
    ),
    key(
        "scheduling.image_pull_secrets",
        Ty::Strs,
        Derived("`[]`"),
        "array of Secret names",
        "The pod's `imagePullSecrets`.",
    ),
    key(
        "gateway",
        Ty::Table,
        Derived("`{}`"),
        "",
        "The shared Gateway the service is reached through.",
    ),
    key(
        "gateway.name",
        Ty::DnsSubdomain,
        Str("knative-gateway"),
        "",
        "The Gateway name.",
    ),
    key(
        "gateway.namespace",
        Ty::DnsLabel,
        Str("knative-serving"),
        "",
        "The Gateway namespace.",
    ),
    key(
        "gateway.class",
        Ty::DnsSubdomain,
        Derived("the profile's (`\"ack-gateway\"`)"),
        "",
        "`gatewayClassName`.",
    ),
    key(
        "gateway.provider",
        Ty::Enum(PROVIDERS),
        Derived("`ack` (`generic` under `gateway-api`)"),
        "",
        "The Gateway implementation, for the output and limits that differ between them: route timeouts (GKE refuses them), the body-based router's wiring (`istio`, `gke`), route header filters that run after the endpoint picker (`istio`, `envoy-gateway`).",
    ),
    key(
        "gateway.domain",
        Ty::DnsSubdomain,
        Str("svc.cluster.local"),
        "",
        "The domain of the default `service.hostname`, as Knative's `config-domain` default (`svc.cluster.local`, see its ConfigMap). Set it to the domain clients resolve to the Gateway.",
    ),
    key(
        "gateway.listeners",
        Ty::Listeners,
        Derived("`{ default = 80 }`"),
        "table `name = port` or `name = { port, protocol, hostname, tls, tls_mode }`",
        "Listeners that accept routes from all namespaces (Knative creates the HTTPRoutes in each service's namespace). A port alone is an HTTP listener. In a table, `protocol` is `HTTP`, `HTTPS` or `TLS` (HTTPS when `tls` is set), `hostname` the host it answers, `tls` the name of a `kubernetes.io/tls` Secret in the Gateway's namespace or an array of names (a reference: the certificate stays out of Git), `tls_mode` `Terminate` (default) or `Passthrough`. Names must be unique, and so must each port, protocol and hostname together. Port 443 without TLS is a warning.",
    ),
    key(
        "gateway.issuer",
        Ty::Issuer,
        Unset,
        "`\"NAME\"` or `{ name, kind = \"ClusterIssuer\" | \"Issuer\" }`",
        "The cert-manager issuer of the Gateway's certificates (kind `ClusterIssuer` unless written): cert-manager's gateway-shim then creates each TLS listener's `tls` Secret for its `hostname`. Needs cert-manager with Gateway API support on.",
    ),
    key(
        "gateway.redirect_http",
        Ty::Bool,
        Bool(false),
        "",
        "Answer every request on the HTTP listeners with a 301 to the same URL over HTTPS (an HTTPRoute in the Gateway's namespace), so the inference routes attach only to the HTTPS listeners.",
    ),
    key(
        "gateway.model_routing",
        Ty::Enum(&["none", "body"]),
        Str("none"),
        "`\"none\"` or `\"body\"`",
        "`body`: the Inference Extension's body-based router reads each request's OpenAI `model` and the routes match it (`X-Gateway-Model-Name` = `engine.served_model_name`), so several models share one hostname and path. Explicit profiles, with a `provider` it can be wired into.",
    ),
    key(
        "inference",
        Ty::Table,
        Derived("`{}`"),
        "",
        "How the inference gateway treats this service.",
    ),
    key(
        "inference.priority",
        Ty::Int(INT32),
        Unset,
        "",
        "`knative.aliyun.com/ai-gateway-inference-priority` under `ack`; the InferenceObjective's `priority` under the explicit profiles. Higher is more critical.",
    ),
    key(
        "inference.listener",
        Ty::Str,
        Derived("the last HTTPS listener, else the last listener"),
        "listener name",
        "The Gateway listener the HTTPRoute attaches to (explicit profiles). It must be a listener of `[gateway]`.",
    ),
    key(
        "inference.timeout",
        Ty::Str,
        Derived("`engine.request_timeout`; none for `gke`"),
        "Gateway API duration",
        "The HTTPRoute's request timeout (explicit profiles). Shorter than `engine.request_timeout` is an error. GKE rejects route timeouts, so setting one with `provider = \"gke\"` is an error.",
    ),
    key(
        "inference.fairness",
        Ty::Str,
        Unset,
        "header name",
        "The client request header (for example a tenant id the gateway's authentication sets) whose value becomes the endpoint picker's fairness id, so flow control shares the pool fairly between its values.",
    ),
    key(
        "inference.epp_image",
        Ty::Str,
        Derived("pinned per profile"),
        "image reference",
        "The endpoint picker's image (explicit profiles).",
    ),
    key(
        "gitops",
        Ty::Table,
        Derived("`{}`"),
        "",
        "How `build --gitops` delivers the rendered tree. Only in the workspace file, where `[env.NAME]` may set it per environment (each environment its cluster). Flags win over it.",
    ),
    key(
        "gitops.tool",
        Ty::Enum(&["argocd", "flux"]),
        Unset,
        "`\"argocd\"` or `\"flux\"`",
        "The GitOps tool whose objects `build`, `build --check` and `diff` add without `--gitops` (the flag wins), so the pre-commit hook and the Argo CD plugin need no flags. One for the whole fleet.",
    ),
    key(
        "gitops.repo_url",
        Ty::Str,
        Unset,
        "URL",
        "The Git repository the GitOps objects point at (`--repo-url` wins). A URL with a credential in it is refused.",
    ),
    key(
        "gitops.revision",
        Ty::Str,
        Unset,
        "branch, tag or commit",
        "What the GitOps objects track (`--revision` wins).",
    ),
    key(
        "gitops.project",
        Ty::Str,
        Str("default"),
        "",
        "The Argo CD project of the Applications and the ApplicationSet.",
    ),
    key(
        "gitops.cluster",
        Ty::Str,
        Unset,
        "Argo CD cluster name",
        "The destination cluster by its Argo CD name (`destination.name`), and the Flux cluster path `clusters/NAME`. Unset: `gitops.server`.",
    ),
    key(
        "gitops.server",
        Ty::Str,
        Str("https://kubernetes.default.svc"),
        "URL",
        "The destination cluster's API server when `gitops.cluster` is unset; the default is the cluster Argo CD runs in.",
    ),
    key(
        "gitops.automated",
        Ty::Bool,
        Bool(false),
        "",
        "Argo CD syncs by itself when Git changes. Off by default: a first sync of a fleet is a decision.",
    ),
    key(
        "gitops.prune",
        Ty::Bool,
        Bool(false),
        "",
        "Delete objects removed from Git (Argo CD automated prune, Flux `prune`). Off by default: nothing is deleted unless asked. Knative's ConfigMaps are never pruned either way.",
    ),
    key(
        "gitops.self_heal",
        Ty::Bool,
        Bool(false),
        "",
        "Argo CD reverts changes made in the cluster (needs `automated`).",
    ),
    key(
        "gitops.sync_options",
        Ty::Strs,
        Derived("`[]`"),
        "array of `Option=value`",
        "Argo CD sync options, e.g. `CreateNamespace=true`.",
    ),
    key(
        "gitops.interval",
        Ty::Duration,
        Str("10m"),
        "",
        "How often Flux reconciles the Kustomizations (the GitRepository polls every 5m).",
    ),
    key(
        "gitops.timeout",
        Ty::Duration,
        Unset,
        "",
        "Flux's `timeout` for applying and waiting on a Kustomization.",
    ),
    key(
        "gitops.secret_ref",
        Ty::DnsSubdomain,
        Unset,
        "Secret name",
        "The Secret with the credentials of a private repository: Flux's GitRepository `secretRef` (Argo CD takes repository credentials from its own repository Secrets).",
    ),
];

/// The definition of a key. Every path the code asks for is in [`KEYS`]; asking for another is
/// a programming error that the tests catch.
pub fn lookup(path: &str) -> &'static Key {
    KEYS.iter()
        .find(|k| k.path == path)
        .unwrap_or_else(|| panic!("`{path}` is not a stack key"))
}

/// The keys directly inside a section (`""` for the top level).
pub fn children(section: &str) -> impl Iterator<Item = &'static Key> + '_ {
    KEYS.iter().filter(move |k| parent(k.path) == section)
}

/// The key `name` of `section` (`engine`, `shm`), looked up in a table built once: a fleet
/// reads tens of thousands of keys.
pub fn find(section: &str, name: &str) -> Option<&'static Key> {
    static BY_PLACE: OnceLock<HashMap<(&str, &str), &Key>> = OnceLock::new();
    let by_place: &HashMap<(&str, &str), &'static Key> = BY_PLACE.get_or_init(|| {
        KEYS.iter()
            .map(|k| ((parent(k.path), leaf(k.path)), k))
            .collect()
    });
    by_place.get(&(section, name)).copied()
}

/// The section of a path (`engine` for `engine.shm`, `""` for `profile`).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

/// The key's own name (`shm` for `engine.shm`).
pub fn leaf(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_every_key_has_its_section() {
        for (i, k) in KEYS.iter().enumerate() {
            assert!(
                KEYS[..i].iter().all(|o| o.path != k.path),
                "{} twice",
                k.path
            );
            let section = parent(k.path);
            if !section.is_empty() {
                assert_eq!(lookup(section).ty, Ty::Table, "{}", k.path);
            }
            assert!(!k.doc.is_empty(), "{} has no doc", k.path);
        }
    }

    #[test]
    fn children_are_the_keys_of_a_section() {
        let engine: Vec<&str> = children("engine").map(|k| leaf(k.path)).collect();
        assert!(engine.contains(&"shm") && engine.contains(&"kind"));
        assert!(children("").any(|k| k.path == "profile"));
    }
}
