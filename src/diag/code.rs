//! The closed list of diagnostic codes, one row each: its name, family, how it is reported and
//! its one-sentence summary, so nothing about a code can be forgotten in a parallel list.
//! Codes are API: CI filters on them and the README lists them. Adding a code is fine;
//! renaming or reusing one is a breaking change. Its long explanation is its section of
//! `docs/rules.md` (`rules::catalog`).

use super::Severity;

/// A family of rules: where a rule lives in the code and in the documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// The stack file itself: syntax, keys, values, names.
    Stack,
    /// Layers, environments and stacks built together.
    Fleet,
    Memory,
    Time,
    Autoscaling,
    Serving,
    Shutdown,
    /// References between objects resolve, and objects that must agree do.
    References,
    /// Manifests as YAML and against their schemas.
    Manifests,
    /// Knative's admission rules and configuration.
    Knative,
}

impl Family {
    pub const ALL: [Family; 10] = [
        Family::Stack,
        Family::Fleet,
        Family::Memory,
        Family::Time,
        Family::Autoscaling,
        Family::Serving,
        Family::Shutdown,
        Family::References,
        Family::Manifests,
        Family::Knative,
    ];

    /// The heading of the family's section in `docs/rules.md`.
    pub fn title(self) -> &'static str {
        match self {
            Family::Stack => "Stack values",
            Family::Fleet => "Fleets",
            Family::Memory => "GPU memory",
            Family::Time => "Time budgets",
            Family::Autoscaling => "Autoscaling",
            Family::Serving => "Serving correctness",
            Family::Shutdown => "Shutdown",
            Family::References => "References between objects",
            Family::Manifests => "Manifests and schemas",
            Family::Knative => "Knative admission",
        }
    }
}

/// How a code is reported: always at one severity, or as an error or a warning depending on
/// the case (its explanation says when).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reported {
    Always(Severity),
    ErrorOrWarning,
}

impl Reported {
    pub fn as_str(self) -> &'static str {
        match self {
            Reported::Always(severity) => severity.as_str(),
            Reported::ErrorOrWarning => "error or warning",
        }
    }
}

/// One row per code: `Variant = "name", Family, Reported, "summary";`.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal, $family:ident, $reported:expr, $summary:literal;)*) => {
        /// Stable identity of a kind of problem, printed as `inferstack::<kebab-case>`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: [Code; [$(stringify!($variant)),*].len()] = [$(Code::$variant,)*];

            /// The kebab-case name used in output, JSON reports and the README.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// One sentence on what the code means, for SARIF rule descriptions.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => $summary,)*
                }
            }

            pub fn family(self) -> Family {
                match self {
                    $(Code::$variant => Family::$family,)*
                }
            }

            pub fn reported(self) -> Reported {
                use Reported::*;
                match self {
                    $(Code::$variant => $reported,)*
                }
            }
        }
    };
}

codes! {
    /// The file is not UTF-8 text, or is too large to be a stack file.
    UnreadableStack = "unreadable-stack", Stack, Always(Severity::Error), "The stack file is not UTF-8 text, or is larger than 1 MiB.";
    /// The TOML itself does not parse (includes duplicate keys).
    TomlSyntax = "toml-syntax", Stack, Always(Severity::Error), "The stack file is not valid TOML.";
    /// A key that the stack format does not have.
    UnknownKey = "unknown-key", Stack, Always(Severity::Error), "A key the stack format does not have.";
    /// A value of the wrong TOML type.
    WrongType = "wrong-type", Stack, Always(Severity::Error), "A stack value of the wrong type.";
    /// A required key is absent.
    MissingKey = "missing-key", Stack, Always(Severity::Error), "A required stack key is absent.";
    /// A name that must be a DNS-1123 label or subdomain is not.
    InvalidName = "invalid-name", Stack, Always(Severity::Error), "A name that breaks the Kubernetes naming rules for its place.";
    /// A number or string outside its allowed range or set.
    InvalidValue = "invalid-value", Stack, ErrorOrWarning, "A value out of its allowed range or set.";
    /// A Kubernetes quantity (`8`, `500m`, `32Gi`) that does not parse.
    InvalidQuantity = "invalid-quantity", Stack, Always(Severity::Error), "A value that is not a Kubernetes quantity.";
    /// A resource request larger than its limit.
    RequestExceedsLimit = "request-exceeds-limit", Stack, Always(Severity::Error), "A resource request larger than its limit.";
    /// Two gateway listeners share a port.
    DuplicatePort = "duplicate-port", Stack, Always(Severity::Error), "Two gateway listeners on one port.";
    /// A listener's TLS cannot work as written: no certificate, TLS on HTTP, plain HTTP on 443.
    ListenerTls = "listener-tls", Stack, Always(Severity::Error), "A listener's TLS cannot work as written.";
    /// The scaling bounds are inconsistent (`min > max`).
    ScaleBounds = "scale-bounds", Stack, Always(Severity::Error), "The scaling minimum is above the maximum.";
    /// A model source whose scheme inferstack does not read.
    UnsupportedSource = "unsupported-source", Stack, Always(Severity::Error), "A model source scheme inferstack does not read.";
    /// A model source or endpoint URL that is malformed.
    InvalidSource = "invalid-source", Stack, Always(Severity::Error), "A malformed model source or endpoint URL.";
    /// A bucket name that breaks its store's naming rules (OSS, S3, Cloud Storage).
    InvalidBucket = "invalid-bucket", Stack, Always(Severity::Error), "A bucket name that breaks its store's naming rules.";
    /// Key material (access keys, passwords, tokens) written into a stack.
    CredentialsInStack = "credentials-in-stack", Stack, Always(Severity::Error), "Key material written into a stack file.";
    /// No Secret is named for a private model bucket.
    MissingCredentials = "missing-credentials", Stack, Always(Severity::Warning), "No Secret is named for the model bucket.";
    /// The model is read through a public endpoint, which is slow and billed as egress.
    PublicEndpoint = "public-endpoint", Stack, Always(Severity::Warning), "The model is read through a public, egress-billed endpoint.";
    /// A profile name inferstack does not know.
    UnknownProfile = "unknown-profile", Stack, Always(Severity::Error), "A profile that does not exist or is not supported yet.";
    /// Two stacks define the same cluster-level object differently.
    SharedObjectConflict = "shared-object-conflict", Fleet, Always(Severity::Error), "Two stacks define one shared object differently.";
    /// Two stacks define the same service in the same namespace.
    DuplicateService = "duplicate-service", Fleet, Always(Severity::Error), "Two stacks define the same service.";
    /// A manifest file is not valid YAML.
    YamlParseError = "yaml-parse-error", Manifests, Always(Severity::Error), "A manifest that is not valid YAML.";
    /// A YAML mapping has the same key twice (the API server would reject it).
    DuplicateKey = "duplicate-key", Manifests, Always(Severity::Error), "A YAML mapping with the same key twice.";
    /// A document has no string `apiVersion` and `kind`.
    MissingKind = "missing-kind", Manifests, Always(Severity::Error), "A document without apiVersion and kind.";
    /// No schema is known for the object's apiVersion and kind.
    SchemaNotFound = "schema-not-found", Manifests, Always(Severity::Error), "No schema is known for the object's type.";
    /// A CRD or OpenAPI file could not be loaded, or its schema does not compile.
    SchemaLoadError = "schema-load-error", Manifests, Always(Severity::Error), "A CRD or OpenAPI schema that cannot be loaded or compiled.";
    /// The object breaks its JSON Schema: unknown field, wrong type, missing field, range.
    SchemaViolation = "schema-violation", Manifests, Always(Severity::Error), "The object breaks its schema.";
    /// The object breaks an admission rule no schema expresses (Knative annotations).
    RuleViolation = "rule-violation", Knative, ErrorOrWarning, "The object breaks an admission rule no schema expresses.";
    /// The object breaks a CEL rule (`x-kubernetes-validations`) of its schema.
    CelViolation = "cel-violation", Manifests, Always(Severity::Error), "The object breaks a CEL rule of its schema.";
    /// A CEL rule of a schema cannot be evaluated (it does not compile, or needs a function
    /// inferstack's CEL environment lacks).
    CelCompileError = "cel-compile-error", Manifests, Always(Severity::Error), "A CEL rule of a schema cannot be evaluated.";
    /// An InferencePool's selector matches no workload's pods.
    PoolSelectorMismatch = "pool-selector-mismatch", References, Always(Severity::Error), "An InferencePool selects pods that no workload in the build has.";
    /// Decode pods of a disaggregated pool that serve none of its target ports: no routing sidecar.
    DecodeSidecarMissing = "decode-sidecar-missing", References, Always(Severity::Error), "Decode pods behind an InferencePool with no routing sidecar on its port.";
    /// An HTTPRoute's parent Gateway or listener is not declared, or does not admit the route.
    RouteParentUnresolved = "route-parent-unresolved", References, Always(Severity::Error), "An HTTPRoute's parentRef names no declared Gateway listener that admits it.";
    /// An HTTPRoute's backend InferencePool is not emitted.
    RouteBackendUnresolved = "route-backend-unresolved", References, Always(Severity::Error), "An HTTPRoute's backendRef names no emitted InferencePool.";
    /// An InferenceObjective's poolRef names no emitted InferencePool.
    ObjectivePoolUnresolved = "objective-pool-unresolved", References, Always(Severity::Error), "An InferenceObjective's poolRef names no emitted InferencePool.";
    /// An InferencePool's endpoint picker Service or port is not emitted.
    PickerUnresolved = "picker-unresolved", References, Always(Severity::Error), "An InferencePool's endpoint picker Service or port is not emitted.";
    /// A PersistentVolumeClaim cannot bind its PersistentVolume.
    ClaimVolumeMismatch = "claim-volume-mismatch", References, Always(Severity::Error), "A PersistentVolumeClaim cannot bind the PersistentVolume it selects.";
    /// An OSS volume's volumeHandle differs from its PersistentVolume name.
    VolumeHandleMismatch = "volume-handle-mismatch", References, Always(Severity::Error), "An OSS volume's volumeHandle differs from the PersistentVolume name.";
    /// The model server's --model path is not where the model volume is mounted.
    MountPathMismatch = "mount-path-mismatch", Serving, Always(Severity::Error), "The model server's --model path is not under a mounted volume.";
    /// A service behind an InferencePool may scale to zero, and nothing would wake it.
    ScaleToZeroPool = "scale-to-zero-pool", Autoscaling, Always(Severity::Error), "A service behind an InferencePool may scale to zero.";
    /// A Kubernetes field Knative never allows in a revision (`lifecycle`, `terminationGracePeriodSeconds`, `hostPort`, ...).
    KnativeFieldDisallowed = "knative-field-disallowed", Knative, Always(Severity::Error), "A Kubernetes field Knative never allows in a revision.";
    /// A field or volume Knative allows only behind a `config-features` flag that is off.
    KnativeFeatureDisabled = "knative-feature-disabled", Knative, Always(Severity::Error), "A field or volume behind a Knative feature flag that is off.";
    /// A container name, environment variable, port or mount path Knative reserves for itself.
    KnativeReserved = "knative-reserved", Knative, Always(Severity::Error), "A name, variable, port or path Knative reserves.";
    /// Container ports Knative refuses: more than one, a name other than h2c/http1, a protocol other than TCP.
    KnativePort = "knative-port", Knative, Always(Severity::Error), "Container ports Knative refuses.";
    /// A probe Knative refuses: no handler or two, a port that is not the container's, thresholds in periodSeconds 0 mode.
    KnativeProbe = "knative-probe", Knative, Always(Severity::Error), "A probe Knative refuses.";
    /// A volume or mount Knative refuses: unmounted, duplicate, no source, relative or repeated path, read-only mismatch.
    KnativeVolume = "knative-volume", Knative, Always(Severity::Error), "A volume or volume mount Knative refuses.";
    /// A container image that is missing or is not a reference Knative can parse.
    KnativeImage = "knative-image", Knative, Always(Severity::Error), "A missing or unparseable container image.";
    /// A traffic target or split Knative refuses: both or neither of revisionName and configurationName, a percent out of range or not summing to 100, a bad or repeated tag, a url set.
    KnativeTraffic = "knative-traffic", Knative, Always(Severity::Error), "A traffic target or split Knative refuses.";
    /// Containers Knative refuses: none, duplicate names, empty, env or envFrom without a source, fields of init containers.
    KnativeContainer = "knative-container", Knative, Always(Severity::Error), "A container Knative refuses.";
    /// A revision `timeoutSeconds` above `max-revision-timeout-seconds`.
    KnativeTimeout = "knative-timeout", Knative, Always(Severity::Error), "A revision timeout above Knative's maximum.";
    /// A `containerConcurrency` outside Knative's bounds.
    KnativeConcurrency = "knative-concurrency", Knative, Always(Severity::Error), "A containerConcurrency outside Knative's bounds.";
    /// A `config-features` or `config-defaults` value Knative ignores (warning) or refuses (error).
    KnativeConfig = "knative-config", Knative, ErrorOrWarning, "A Knative ConfigMap value Knative ignores or refuses.";
    /// A `serving.knative.dev/service` or `/configuration` label with no owner reference to that object.
    KnativeOwnerLabel = "knative-owner-label", Knative, Always(Severity::Error), "A Knative owner label without the owner reference it names.";
    /// An object over a size limit of the API server or etcd (1.5 MiB an object, 1 MiB of Secret or ConfigMap data, 256 KiB of annotations).
    ApiLimit = "api-limit", Manifests, Always(Severity::Error), "An object over a size limit of the API server or etcd.";
    /// Two `--crds` files define the same kind and version; the first is used.
    DuplicateCrd = "duplicate-crd", Manifests, Always(Severity::Warning), "Two CRD files define the same kind and version.";
    /// An object of a kind that `--reject` forbids.
    KindRejected = "kind-rejected", Manifests, Always(Severity::Error), "An object of a kind --reject forbids.";
    /// With `--cluster`: an object whose apiVersion and kind the cluster does not serve (no CRD, or not that version).
    UnservedApiVersion = "unserved-api-version", Manifests, Always(Severity::Error), "An apiVersion and kind the cluster does not serve.";
    /// A duration (`startup_timeout`, `request_timeout`) that Go's `time.ParseDuration` refuses, or that is not positive.
    InvalidDuration = "invalid-duration", Stack, Always(Severity::Error), "A timeout that is not a positive Go duration.";
    /// A `secret_env` value that is not `<secret>/<key>`.
    InvalidSecretRef = "invalid-secret-ref", Stack, Always(Severity::Error), "A Secret reference that is not secret/key.";
    /// `model.credentials` names a Secret the model source's driver cannot use.
    UnusableCredentials = "unusable-credentials", Stack, Always(Severity::Error), "A Secret the model source cannot use.";
    /// A Hugging Face hub model without a pinned commit: each start may load different weights.
    UnpinnedRevision = "unpinned-revision", Stack, Always(Severity::Warning), "A hub model without a pinned commit, or a model image without a digest.";
    /// A `custom` engine's command or argument template that does not render (syntax, or an undefined variable).
    TemplateError = "template-error", Stack, Always(Severity::Error), "A custom engine template that does not render.";
    /// A clock on the request path shorter than `engine.request_timeout`.
    TimeoutMismatch = "timeout-mismatch", Time, Always(Severity::Error), "A request-path timeout shorter than the request timeout.";
    /// An `extends` path that names no readable file.
    LayerNotFound = "layer-not-found", Fleet, Always(Severity::Error), "An `extends` path that names no readable TOML file.";
    /// `extends` chains that loop or nest too deep.
    LayerCycle = "layer-cycle", Fleet, Always(Severity::Error), "An `extends` chain that loops back on itself or nests too deep.";
    /// An `[env.NAME]` the workspace does not list.
    UnknownEnvironment = "unknown-environment", Fleet, Always(Severity::Error), "An `[env.NAME]` table naming an environment the workspace does not list.";
    /// Two HTTPRoutes that match the same requests on one listener.
    RouteConflict = "route-conflict", References, Always(Severity::Error), "Two stacks' HTTPRoutes match the same requests on the same Gateway listener.";
    /// A PersistentVolume that two claims would bind.
    VolumeClaimedTwice = "volume-claimed-twice", References, Always(Severity::Error), "A PersistentVolume that two claims would bind; a volume binds one claim.";
    /// Two environments deploying a service to the same place.
    EnvironmentCollision = "environment-collision", Fleet, Always(Severity::Error), "Two environments put the same object in the same namespace of one cluster.";
    /// A model whose architecture inferstack does not know: memory fit and tensor parallelism are not checked.
    ModelFactsUnknown = "model-facts-unknown", Memory, Always(Severity::Note), "The model's architecture is not known, so memory fit and parallelism are not checked.";
    /// GPUs whose memory inferstack does not know: memory fit is not checked.
    GpuMemoryUnknown = "gpu-memory-unknown", Memory, Always(Severity::Note), "The GPUs' memory is not known, so memory fit is not checked.";
    /// Weights plus the KV cache of one `max_model_len` request exceed the GPUs' memory budget.
    GpuMemoryFit = "gpu-memory-fit", Memory, Always(Severity::Error), "The weights and the KV cache for max_model_len do not fit in the GPUs' memory budget.";
    /// The weights alone exceed each GPU's memory budget.
    WeightsExceedGpu = "weights-exceed-gpu", Memory, Always(Severity::Error), "The weights alone exceed the GPUs' memory budget.";
    /// `max_model_len` longer than the model's own context.
    ContextExceedsModel = "context-exceeds-model", Memory, Always(Severity::Error), "max_model_len is longer than the model's context; the server refuses it.";
    /// Tensor × pipeline parallelism that needs more GPUs than requested, or leaves some idle.
    ParallelismMismatch = "parallelism-mismatch", Serving, ErrorOrWarning, "Tensor x pipeline parallelism does not match the GPUs requested.";
    /// A tensor parallel size that does not divide the model's attention or KV heads.
    TpHeadsIndivisible = "tp-heads-indivisible", Serving, Always(Severity::Error), "The tensor parallel size does not divide the model's attention or KV heads.";
    /// A flag of the other model server, which this one refuses at start-up.
    EngineFlagMismatch = "engine-flag-mismatch", Serving, Always(Severity::Error), "A flag of the other model server (vLLM or SGLang), refused at start-up.";
    /// A vLLM or SGLang flag the image's release has not yet, has removed, or deprecates.
    EngineFlagVersion = "engine-flag-version", Serving, ErrorOrWarning, "A vLLM or SGLang flag the image's release does not have yet, removed, or deprecates.";
    /// An engine image whose tag names no release with a flag table.
    EngineVersionUnknown = "engine-version-unknown", Serving, Always(Severity::Note), "The engine image's tag names no vLLM or SGLang release inferstack has flags for.";
    /// Prefill and decode roles that cannot exchange the KV cache: a connector the engine does not speak, or decode with less tensor parallelism than prefill over NIXL.
    DisaggregationMismatch = "disaggregation-mismatch", Serving, Always(Severity::Error), "Prefill and decode roles that cannot exchange the KV cache.";
    /// A LoRA adapter path outside every volume the pod mounts.
    LoraPathUnmounted = "lora-path-unmounted", Serving, Always(Severity::Error), "A LoRA adapter path outside the mounted model volume.";
    /// An image with no version tag or digest, or tagged `latest`.
    ImageUnpinned = "image-unpinned", Serving, Always(Severity::Warning), "An image without a version tag or digest, or tagged latest.";
    /// A gateway implementation's default timeout shorter than `engine.request_timeout`.
    GatewayDefaultTimeout = "gateway-default-timeout", Time, Always(Severity::Warning), "The gateway's default timeout is shorter than the request timeout.";
    /// Scale to zero with a cold start longer than a queued request may wait.
    ColdStartExceedsQueue = "cold-start-exceeds-queue", Time, Always(Severity::Warning), "A cold start longer than the inference gateway holds a queued request.";
    /// A startup probe budget longer than Knative's progress deadline.
    StartupDeadline = "startup-deadline", Time, Always(Severity::Error), "The startup probe outlasts Knative's progress deadline.";
    /// A revision requesting GPUs with no `max-scale`.
    UnboundedGpuScale = "unbounded-gpu-scale", Autoscaling, Always(Severity::Warning), "A revision requesting GPUs without max-scale.";
    /// A concurrency target above `containerConcurrency`, silently lowered by Knative.
    TargetAboveConcurrencyLimit = "target-above-concurrency-limit", Autoscaling, Always(Severity::Error), "An autoscaling target above containerConcurrency, which Knative lowers silently.";
    /// The endpoint picker scrapes `/metrics` through the queue-proxy, which counts scrapes as requests.
    MetricsThroughQueueProxy = "metrics-through-queue-proxy", Autoscaling, ErrorOrWarning, "The endpoint picker scrapes metrics through Knative's queue-proxy, which counts each scrape as a request.";
    /// A model server drain longer than the grace period Knative gives the pod.
    ShutdownExceedsGrace = "shutdown-exceeds-grace", Shutdown, Always(Severity::Error), "The server's shutdown drain outlasts the pod's grace period.";
    /// An endpoint picker whose grace period is shorter than the routes' request timeout.
    PickerGraceShort = "picker-grace-short", Shutdown, Always(Severity::Error), "The endpoint picker's grace period is shorter than the requests through it.";
    /// A `model.config` that cannot be read, or is not a model's config.json.
    ModelConfigUnreadable = "model-config-unreadable", Memory, Always(Severity::Error), "A model.config that cannot be read, or is not a model's config.json.";
    /// A start-up budget shorter than reading the weights at the fastest measured rate.
    StartupTooShort = "startup-too-short", Time, Always(Severity::Error), "The start-up budget is shorter than reading the weights can take.";
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
