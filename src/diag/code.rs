//! The closed list of diagnostic codes. Codes are API: CI filters on them and the README lists
//! them. Adding a code is fine; renaming or reusing one is a breaking change.

/// Stable identity of a kind of problem, printed as `inferstack::<kebab-case>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The file is not UTF-8 text, or is too large to be a stack file.
    UnreadableStack,
    /// The TOML itself does not parse (includes duplicate keys).
    TomlSyntax,
    /// A key that the stack format does not have.
    UnknownKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// A required key is absent.
    MissingKey,
    /// A name that must be a DNS-1123 label or subdomain is not.
    InvalidName,
    /// A number or string outside its allowed range or set.
    InvalidValue,
    /// A Kubernetes quantity (`8`, `500m`, `32Gi`) that does not parse.
    InvalidQuantity,
    /// A resource request larger than its limit.
    RequestExceedsLimit,
    /// Two gateway listeners share a port.
    DuplicatePort,
    /// A listener's TLS cannot work as written: no certificate, TLS on HTTP, plain HTTP on 443.
    ListenerTls,
    /// The scaling bounds are inconsistent (`min > max`).
    ScaleBounds,
    /// A model source whose scheme inferstack does not read.
    UnsupportedSource,
    /// A model source or endpoint URL that is malformed.
    InvalidSource,
    /// A bucket name that breaks its store's naming rules (OSS, S3, Cloud Storage).
    InvalidBucket,
    /// Key material (access keys, passwords, tokens) written into a stack.
    CredentialsInStack,
    /// No Secret is named for a private model bucket.
    MissingCredentials,
    /// The model is read through a public endpoint, which is slow and billed as egress.
    PublicEndpoint,
    /// A profile name inferstack does not know.
    UnknownProfile,
    /// Two stacks define the same cluster-level object differently.
    SharedObjectConflict,
    /// Two stacks define the same service in the same namespace.
    DuplicateService,
    /// A manifest file is not valid YAML.
    YamlParseError,
    /// A YAML mapping has the same key twice (the API server would reject it).
    DuplicateKey,
    /// A document has no string `apiVersion` and `kind`.
    MissingKind,
    /// No schema is known for the object's apiVersion and kind.
    SchemaNotFound,
    /// A CRD or OpenAPI file could not be loaded, or its schema does not compile.
    SchemaLoadError,
    /// The object breaks its JSON Schema: unknown field, wrong type, missing field, range.
    SchemaViolation,
    /// The object breaks an admission rule no schema expresses (Knative annotations).
    RuleViolation,
    /// The object breaks a CEL rule (`x-kubernetes-validations`) of its schema.
    CelViolation,
    /// A CEL rule of a schema cannot be evaluated (it does not compile, or needs a function
    /// inferstack's CEL environment lacks).
    CelCompileError,
    /// An InferencePool's selector matches no workload's pods.
    PoolSelectorMismatch,
    /// An HTTPRoute's parent Gateway or listener is not declared, or does not admit the route.
    RouteParentUnresolved,
    /// An HTTPRoute's backend InferencePool is not emitted.
    RouteBackendUnresolved,
    /// An InferenceObjective's poolRef names no emitted InferencePool.
    ObjectivePoolUnresolved,
    /// An InferencePool's endpoint picker Service or port is not emitted.
    PickerUnresolved,
    /// A PersistentVolumeClaim cannot bind its PersistentVolume.
    ClaimVolumeMismatch,
    /// An OSS volume's volumeHandle differs from its PersistentVolume name.
    VolumeHandleMismatch,
    /// The model server's --model path is not where the model volume is mounted.
    MountPathMismatch,
    /// A service behind an InferencePool may scale to zero, and nothing would wake it.
    ScaleToZeroPool,
    /// A Kubernetes field Knative never allows in a revision (`lifecycle`, `terminationGracePeriodSeconds`, `hostPort`, ...).
    KnativeFieldDisallowed,
    /// A field or volume Knative allows only behind a `config-features` flag that is off.
    KnativeFeatureDisabled,
    /// A container name, environment variable, port or mount path Knative reserves for itself.
    KnativeReserved,
    /// Container ports Knative refuses: more than one, a name other than h2c/http1, a protocol other than TCP.
    KnativePort,
    /// A probe Knative refuses: no handler or two, a port that is not the container's, thresholds in periodSeconds 0 mode.
    KnativeProbe,
    /// A volume or mount Knative refuses: unmounted, duplicate, no source, relative or repeated path, read-only mismatch.
    KnativeVolume,
    /// A container image that is missing or is not a reference Knative can parse.
    KnativeImage,
    /// A traffic target or split Knative refuses: both or neither of revisionName and configurationName, a percent out of range or not summing to 100, a bad or repeated tag, a url set.
    KnativeTraffic,
    /// Containers Knative refuses: none, duplicate names, empty, env or envFrom without a source, fields of init containers.
    KnativeContainer,
    /// A revision `timeoutSeconds` above `max-revision-timeout-seconds`.
    KnativeTimeout,
    /// A `containerConcurrency` outside Knative's bounds.
    KnativeConcurrency,
    /// A `config-features` or `config-defaults` value Knative ignores (warning) or refuses (error).
    KnativeConfig,
    /// A `serving.knative.dev/service` or `/configuration` label with no owner reference to that object.
    KnativeOwnerLabel,
    /// An object over a size limit of the API server or etcd (1.5 MiB an object, 1 MiB of Secret or ConfigMap data, 256 KiB of annotations).
    ApiLimit,
    /// Two `--crds` files define the same kind and version; the first is used.
    DuplicateCrd,
    /// An object of a kind that `--reject` forbids.
    KindRejected,
    /// A duration (`startup_timeout`, `request_timeout`) that Go's `time.ParseDuration` refuses, or that is not positive.
    InvalidDuration,
    /// A `secret_env` value that is not `<secret>/<key>`.
    InvalidSecretRef,
    /// `model.credentials` names a Secret the model source's driver cannot use.
    UnusableCredentials,
    /// A Hugging Face hub model without a pinned commit: each start may load different weights.
    UnpinnedRevision,
    /// A `custom` engine's command or argument template that does not render (syntax, or an undefined variable).
    TemplateError,
    /// A clock on the request path shorter than `engine.request_timeout`.
    TimeoutMismatch,
    /// An `extends` path that names no readable file.
    LayerNotFound,
    /// `extends` chains that loop or nest too deep.
    LayerCycle,
    /// An `[env.NAME]` the workspace does not list.
    UnknownEnvironment,
    /// Two HTTPRoutes that match the same requests on one listener.
    RouteConflict,
    /// A PersistentVolume that two claims would bind.
    VolumeClaimedTwice,
    /// Two environments deploying a service to the same place.
    EnvironmentCollision,
    /// A model whose architecture inferstack does not know: memory fit and tensor parallelism are not checked.
    ModelFactsUnknown,
    /// GPUs whose memory inferstack does not know: memory fit is not checked.
    GpuMemoryUnknown,
    /// Weights plus the KV cache of one `max_model_len` request exceed the GPUs' memory budget.
    GpuMemoryFit,
    /// The weights alone exceed each GPU's memory budget.
    WeightsExceedGpu,
    /// `max_model_len` longer than the model's own context.
    ContextExceedsModel,
    /// Tensor × pipeline parallelism that needs more GPUs than requested, or leaves some idle.
    ParallelismMismatch,
    /// A tensor parallel size that does not divide the model's attention or KV heads.
    TpHeadsIndivisible,
    /// A flag of the other model server, which this one refuses at start-up.
    EngineFlagMismatch,
    /// A LoRA adapter path outside every volume the pod mounts.
    LoraPathUnmounted,
    /// An image with no version tag or digest, or tagged `latest`.
    ImageUnpinned,
    /// A gateway implementation's default timeout shorter than `engine.request_timeout`.
    GatewayDefaultTimeout,
    /// Scale to zero with a cold start longer than a queued request may wait.
    ColdStartExceedsQueue,
    /// A startup probe budget longer than Knative's progress deadline.
    StartupDeadline,
    /// A revision requesting GPUs with no `max-scale`.
    UnboundedGpuScale,
    /// A concurrency target above `containerConcurrency`, silently lowered by Knative.
    TargetAboveConcurrencyLimit,
    /// The endpoint picker scrapes `/metrics` through the queue-proxy, which counts scrapes as requests.
    MetricsThroughQueueProxy,
    /// A model server drain longer than the grace period Knative gives the pod.
    ShutdownExceedsGrace,
    /// An endpoint picker whose grace period is shorter than the routes' request timeout.
    PickerGraceShort,
    /// A `model.config` that cannot be read, or is not a model's config.json.
    ModelConfigUnreadable,
    /// A start-up budget shorter than reading the weights at the fastest measured rate.
    StartupTooShort,
}

impl Code {
    pub const ALL: [Code; 87] = [
        Code::UnreadableStack,
        Code::TomlSyntax,
        Code::UnknownKey,
        Code::WrongType,
        Code::MissingKey,
        Code::InvalidName,
        Code::InvalidValue,
        Code::InvalidQuantity,
        Code::RequestExceedsLimit,
        Code::DuplicatePort,
        Code::ListenerTls,
        Code::ScaleBounds,
        Code::UnsupportedSource,
        Code::InvalidSource,
        Code::InvalidBucket,
        Code::CredentialsInStack,
        Code::MissingCredentials,
        Code::PublicEndpoint,
        Code::UnknownProfile,
        Code::SharedObjectConflict,
        Code::DuplicateService,
        Code::YamlParseError,
        Code::DuplicateKey,
        Code::MissingKind,
        Code::SchemaNotFound,
        Code::SchemaLoadError,
        Code::SchemaViolation,
        Code::RuleViolation,
        Code::CelViolation,
        Code::CelCompileError,
        Code::PoolSelectorMismatch,
        Code::RouteParentUnresolved,
        Code::RouteBackendUnresolved,
        Code::ObjectivePoolUnresolved,
        Code::PickerUnresolved,
        Code::ClaimVolumeMismatch,
        Code::VolumeHandleMismatch,
        Code::MountPathMismatch,
        Code::ScaleToZeroPool,
        Code::KnativeFieldDisallowed,
        Code::KnativeFeatureDisabled,
        Code::KnativeReserved,
        Code::KnativePort,
        Code::KnativeProbe,
        Code::KnativeVolume,
        Code::KnativeImage,
        Code::KnativeTraffic,
        Code::KnativeContainer,
        Code::KnativeTimeout,
        Code::KnativeConcurrency,
        Code::KnativeConfig,
        Code::KnativeOwnerLabel,
        Code::ApiLimit,
        Code::DuplicateCrd,
        Code::KindRejected,
        Code::InvalidDuration,
        Code::InvalidSecretRef,
        Code::UnusableCredentials,
        Code::UnpinnedRevision,
        Code::TemplateError,
        Code::TimeoutMismatch,
        Code::LayerNotFound,
        Code::LayerCycle,
        Code::UnknownEnvironment,
        Code::RouteConflict,
        Code::VolumeClaimedTwice,
        Code::EnvironmentCollision,
        Code::ModelFactsUnknown,
        Code::GpuMemoryUnknown,
        Code::GpuMemoryFit,
        Code::WeightsExceedGpu,
        Code::ContextExceedsModel,
        Code::ParallelismMismatch,
        Code::TpHeadsIndivisible,
        Code::EngineFlagMismatch,
        Code::LoraPathUnmounted,
        Code::ImageUnpinned,
        Code::GatewayDefaultTimeout,
        Code::ColdStartExceedsQueue,
        Code::StartupDeadline,
        Code::UnboundedGpuScale,
        Code::TargetAboveConcurrencyLimit,
        Code::MetricsThroughQueueProxy,
        Code::ShutdownExceedsGrace,
        Code::PickerGraceShort,
        Code::ModelConfigUnreadable,
        Code::StartupTooShort,
    ];

    /// The kebab-case name used in output, JSON reports and the README.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::UnreadableStack => "unreadable-stack",
            Code::TomlSyntax => "toml-syntax",
            Code::UnknownKey => "unknown-key",
            Code::WrongType => "wrong-type",
            Code::MissingKey => "missing-key",
            Code::InvalidName => "invalid-name",
            Code::InvalidValue => "invalid-value",
            Code::InvalidQuantity => "invalid-quantity",
            Code::RequestExceedsLimit => "request-exceeds-limit",
            Code::DuplicatePort => "duplicate-port",
            Code::ListenerTls => "listener-tls",
            Code::ScaleBounds => "scale-bounds",
            Code::UnsupportedSource => "unsupported-source",
            Code::InvalidSource => "invalid-source",
            Code::InvalidBucket => "invalid-bucket",
            Code::CredentialsInStack => "credentials-in-stack",
            Code::MissingCredentials => "missing-credentials",
            Code::PublicEndpoint => "public-endpoint",
            Code::UnknownProfile => "unknown-profile",
            Code::SharedObjectConflict => "shared-object-conflict",
            Code::DuplicateService => "duplicate-service",
            Code::YamlParseError => "yaml-parse-error",
            Code::DuplicateKey => "duplicate-key",
            Code::MissingKind => "missing-kind",
            Code::SchemaNotFound => "schema-not-found",
            Code::SchemaLoadError => "schema-load-error",
            Code::SchemaViolation => "schema-violation",
            Code::RuleViolation => "rule-violation",
            Code::CelViolation => "cel-violation",
            Code::CelCompileError => "cel-compile-error",
            Code::PoolSelectorMismatch => "pool-selector-mismatch",
            Code::RouteParentUnresolved => "route-parent-unresolved",
            Code::RouteBackendUnresolved => "route-backend-unresolved",
            Code::ObjectivePoolUnresolved => "objective-pool-unresolved",
            Code::PickerUnresolved => "picker-unresolved",
            Code::ClaimVolumeMismatch => "claim-volume-mismatch",
            Code::VolumeHandleMismatch => "volume-handle-mismatch",
            Code::MountPathMismatch => "mount-path-mismatch",
            Code::ScaleToZeroPool => "scale-to-zero-pool",
            Code::KnativeFieldDisallowed => "knative-field-disallowed",
            Code::KnativeFeatureDisabled => "knative-feature-disabled",
            Code::KnativeReserved => "knative-reserved",
            Code::KnativePort => "knative-port",
            Code::KnativeProbe => "knative-probe",
            Code::KnativeVolume => "knative-volume",
            Code::KnativeImage => "knative-image",
            Code::KnativeTraffic => "knative-traffic",
            Code::KnativeContainer => "knative-container",
            Code::KnativeTimeout => "knative-timeout",
            Code::KnativeConcurrency => "knative-concurrency",
            Code::KnativeConfig => "knative-config",
            Code::KnativeOwnerLabel => "knative-owner-label",
            Code::ApiLimit => "api-limit",
            Code::DuplicateCrd => "duplicate-crd",
            Code::KindRejected => "kind-rejected",
            Code::InvalidDuration => "invalid-duration",
            Code::InvalidSecretRef => "invalid-secret-ref",
            Code::UnusableCredentials => "unusable-credentials",
            Code::UnpinnedRevision => "unpinned-revision",
            Code::TemplateError => "template-error",
            Code::TimeoutMismatch => "timeout-mismatch",
            Code::LayerNotFound => "layer-not-found",
            Code::LayerCycle => "layer-cycle",
            Code::UnknownEnvironment => "unknown-environment",
            Code::RouteConflict => "route-conflict",
            Code::VolumeClaimedTwice => "volume-claimed-twice",
            Code::EnvironmentCollision => "environment-collision",
            Code::ModelFactsUnknown => "model-facts-unknown",
            Code::GpuMemoryUnknown => "gpu-memory-unknown",
            Code::GpuMemoryFit => "gpu-memory-fit",
            Code::WeightsExceedGpu => "weights-exceed-gpu",
            Code::ContextExceedsModel => "context-exceeds-model",
            Code::ParallelismMismatch => "parallelism-mismatch",
            Code::TpHeadsIndivisible => "tp-heads-indivisible",
            Code::EngineFlagMismatch => "engine-flag-mismatch",
            Code::LoraPathUnmounted => "lora-path-unmounted",
            Code::ImageUnpinned => "image-unpinned",
            Code::GatewayDefaultTimeout => "gateway-default-timeout",
            Code::ColdStartExceedsQueue => "cold-start-exceeds-queue",
            Code::StartupDeadline => "startup-deadline",
            Code::UnboundedGpuScale => "unbounded-gpu-scale",
            Code::TargetAboveConcurrencyLimit => "target-above-concurrency-limit",
            Code::MetricsThroughQueueProxy => "metrics-through-queue-proxy",
            Code::ShutdownExceedsGrace => "shutdown-exceeds-grace",
            Code::PickerGraceShort => "picker-grace-short",
            Code::ModelConfigUnreadable => "model-config-unreadable",
            Code::StartupTooShort => "startup-too-short",
        }
    }
}

impl Code {
    /// One sentence on what the code means, for SARIF rule descriptions.
    pub fn summary(self) -> &'static str {
        match self {
            Code::UnreadableStack => "The stack file is not UTF-8 text, or is larger than 1 MiB.",
            Code::TomlSyntax => "The stack file is not valid TOML.",
            Code::UnknownKey => "A key the stack format does not have.",
            Code::WrongType => "A stack value of the wrong type.",
            Code::MissingKey => "A required stack key is absent.",
            Code::InvalidName => "A name that breaks the Kubernetes naming rules for its place.",
            Code::InvalidValue => "A value out of its allowed range or set.",
            Code::InvalidQuantity => "A value that is not a Kubernetes quantity.",
            Code::RequestExceedsLimit => "A resource request larger than its limit.",
            Code::DuplicatePort => "Two gateway listeners on one port.",
            Code::ListenerTls => "A listener's TLS cannot work as written.",
            Code::ScaleBounds => "The scaling minimum is above the maximum.",
            Code::UnsupportedSource => "A model source scheme inferstack does not read.",
            Code::InvalidSource => "A malformed model source or endpoint URL.",
            Code::InvalidBucket => "A bucket name that breaks its store's naming rules.",
            Code::CredentialsInStack => "Key material written into a stack file.",
            Code::MissingCredentials => "No Secret is named for the model bucket.",
            Code::PublicEndpoint => "The model is read through a public, egress-billed endpoint.",
            Code::UnknownProfile => "A profile that does not exist or is not supported yet.",
            Code::SharedObjectConflict => "Two stacks define one shared object differently.",
            Code::DuplicateService => "Two stacks define the same service.",
            Code::YamlParseError => "A manifest that is not valid YAML.",
            Code::DuplicateKey => "A YAML mapping with the same key twice.",
            Code::MissingKind => "A document without apiVersion and kind.",
            Code::SchemaNotFound => "No schema is known for the object's type.",
            Code::SchemaLoadError => "A CRD or OpenAPI schema that cannot be loaded or compiled.",
            Code::SchemaViolation => "The object breaks its schema.",
            Code::RuleViolation => "The object breaks an admission rule no schema expresses.",
            Code::CelViolation => "The object breaks a CEL rule of its schema.",
            Code::CelCompileError => "A CEL rule of a schema cannot be evaluated.",
            Code::PoolSelectorMismatch => {
                "An InferencePool selects pods that no workload in the build has."
            }
            Code::RouteParentUnresolved => {
                "An HTTPRoute's parentRef names no declared Gateway listener that admits it."
            }
            Code::RouteBackendUnresolved => {
                "An HTTPRoute's backendRef names no emitted InferencePool."
            }
            Code::ObjectivePoolUnresolved => {
                "An InferenceObjective's poolRef names no emitted InferencePool."
            }
            Code::PickerUnresolved => {
                "An InferencePool's endpoint picker Service or port is not emitted."
            }
            Code::ClaimVolumeMismatch => {
                "A PersistentVolumeClaim cannot bind the PersistentVolume it selects."
            }
            Code::VolumeHandleMismatch => {
                "An OSS volume's volumeHandle differs from the PersistentVolume name."
            }
            Code::MountPathMismatch => {
                "The model server's --model path is not under a mounted volume."
            }
            Code::ScaleToZeroPool => "A service behind an InferencePool may scale to zero.",
            Code::KnativeFieldDisallowed => {
                "A Kubernetes field Knative never allows in a revision."
            }
            Code::KnativeFeatureDisabled => {
                "A field or volume behind a Knative feature flag that is off."
            }
            Code::KnativeReserved => "A name, variable, port or path Knative reserves.",
            Code::KnativePort => "Container ports Knative refuses.",
            Code::KnativeProbe => "A probe Knative refuses.",
            Code::KnativeVolume => "A volume or volume mount Knative refuses.",
            Code::KnativeImage => "A missing or unparseable container image.",
            Code::KnativeTraffic => "A traffic target or split Knative refuses.",
            Code::KnativeContainer => "A container Knative refuses.",
            Code::KnativeTimeout => "A revision timeout above Knative's maximum.",
            Code::KnativeConcurrency => "A containerConcurrency outside Knative's bounds.",
            Code::KnativeConfig => "A Knative ConfigMap value Knative ignores or refuses.",
            Code::KnativeOwnerLabel => {
                "A Knative owner label without the owner reference it names."
            }
            Code::ApiLimit => "An object over a size limit of the API server or etcd.",
            Code::DuplicateCrd => "Two CRD files define the same kind and version.",
            Code::KindRejected => "An object of a kind --reject forbids.",
            Code::InvalidDuration => "A timeout that is not a positive Go duration.",
            Code::InvalidSecretRef => "A Secret reference that is not secret/key.",
            Code::UnusableCredentials => "A Secret the model source cannot use.",
            Code::UnpinnedRevision => "A hub model without a pinned commit.",
            Code::TemplateError => "A custom engine template that does not render.",
            Code::TimeoutMismatch => "A request-path timeout shorter than the request timeout.",
            Code::LayerNotFound => "An `extends` path that names no readable TOML file.",
            Code::LayerCycle => "An `extends` chain that loops back on itself or nests too deep.",
            Code::UnknownEnvironment => {
                "An `[env.NAME]` table naming an environment the workspace does not list."
            }
            Code::RouteConflict => {
                "Two stacks' HTTPRoutes match the same requests on the same Gateway listener."
            }
            Code::VolumeClaimedTwice => {
                "A PersistentVolume that two claims would bind; a volume binds one claim."
            }
            Code::EnvironmentCollision => {
                "Two environments put the same object in the same namespace of one cluster."
            }
            Code::ModelFactsUnknown => {
                "The model's architecture is not known, so memory fit and parallelism are not checked."
            }
            Code::GpuMemoryUnknown => {
                "The GPUs' memory is not known, so memory fit is not checked."
            }
            Code::GpuMemoryFit => {
                "The weights and the KV cache for max_model_len do not fit in the GPUs' memory budget."
            }
            Code::WeightsExceedGpu => "The weights alone exceed the GPUs' memory budget.",
            Code::ContextExceedsModel => {
                "max_model_len is longer than the model's context; the server refuses it."
            }
            Code::ParallelismMismatch => {
                "Tensor x pipeline parallelism does not match the GPUs requested."
            }
            Code::TpHeadsIndivisible => {
                "The tensor parallel size does not divide the model's attention or KV heads."
            }
            Code::EngineFlagMismatch => {
                "A flag of the other model server (vLLM or SGLang), refused at start-up."
            }
            Code::LoraPathUnmounted => "A LoRA adapter path outside the mounted model volume.",
            Code::ImageUnpinned => "An image without a version tag or digest, or tagged latest.",
            Code::GatewayDefaultTimeout => {
                "The gateway's default timeout is shorter than the request timeout."
            }
            Code::ColdStartExceedsQueue => {
                "A cold start longer than the inference gateway holds a queued request."
            }
            Code::StartupDeadline => "The startup probe outlasts Knative's progress deadline.",
            Code::UnboundedGpuScale => "A revision requesting GPUs without max-scale.",
            Code::TargetAboveConcurrencyLimit => {
                "An autoscaling target above containerConcurrency, which Knative lowers silently."
            }
            Code::MetricsThroughQueueProxy => {
                "The endpoint picker scrapes metrics through Knative's queue-proxy, which counts each scrape as a request."
            }
            Code::ShutdownExceedsGrace => {
                "The server's shutdown drain outlasts the pod's grace period."
            }
            Code::PickerGraceShort => {
                "The endpoint picker's grace period is shorter than the requests through it."
            }
            Code::ModelConfigUnreadable => {
                "A model.config that cannot be read, or is not a model's config.json."
            }
            Code::StartupTooShort => {
                "The start-up budget is shorter than reading the weights can take."
            }
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "inferstack::{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
