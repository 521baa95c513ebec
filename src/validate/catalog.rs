//! The embedded schema catalog: one JSON Schema (draft 2020-12) per Kubernetes kind that
//! inferstack validates without `--crds`, compiled into the binary.
//!
//! The files live in `schemas/catalog/<group or core>/<version>/<kind>.json`. Each one is
//! self-contained (`$defs` inside, `#/$defs/...` refs) and strict: every object the API closes
//! rejects unknown fields, and `apiVersion` and `kind` must be the entry's own. All of them are
//! written by the `core_schemas_are_generated_from_k8s_openapi` test in `tests/catalog.rs`
//! (`INFERSTACK_BLESS=1` rewrites them), which fails when a committed file differs:
//!
//! - built-in kinds come from the `k8s-openapi` types (Kubernetes 1.35) through `schemars`;
//! - custom resources are written by hand from the upstream CRDs, in
//!   `schemas/catalog/src/<same path>`, and completed with the generated Kubernetes definitions
//!   they refer to (`ObjectMeta`, and for Knative the parts of the pod spec it leaves open). In a
//!   source, an object with `properties` is closed unless it says
//!   `x-kubernetes-preserve-unknown-fields: true`; the generator writes the
//!   `additionalProperties: false`.
//!
//! CEL rules (`x-kubernetes-validations`) are not expressed, and `status` is not checked in
//! custom resources.

/// One embedded schema: the object type it validates and its JSON Schema (draft 2020-12) text.
pub struct CatalogEntry {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub schema: &'static str,
}

/// Every kind inferstack validates without --crds, sorted by (api_version, kind).
pub const ENTRIES: &[CatalogEntry] = &[
    CatalogEntry {
        api_version: "apps/v1",
        kind: "DaemonSet",
        schema: include_str!("../../schemas/catalog/apps/v1/daemonset.json"),
    },
    CatalogEntry {
        api_version: "apps/v1",
        kind: "Deployment",
        schema: include_str!("../../schemas/catalog/apps/v1/deployment.json"),
    },
    CatalogEntry {
        api_version: "apps/v1",
        kind: "ReplicaSet",
        schema: include_str!("../../schemas/catalog/apps/v1/replicaset.json"),
    },
    CatalogEntry {
        api_version: "apps/v1",
        kind: "StatefulSet",
        schema: include_str!("../../schemas/catalog/apps/v1/statefulset.json"),
    },
    CatalogEntry {
        api_version: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        schema: include_str!("../../schemas/catalog/autoscaling/v2/horizontalpodautoscaler.json"),
    },
    CatalogEntry {
        api_version: "batch/v1",
        kind: "CronJob",
        schema: include_str!("../../schemas/catalog/batch/v1/cronjob.json"),
    },
    CatalogEntry {
        api_version: "batch/v1",
        kind: "Job",
        schema: include_str!("../../schemas/catalog/batch/v1/job.json"),
    },
    CatalogEntry {
        api_version: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        schema: include_str!("../../schemas/catalog/gateway.networking.k8s.io/v1/gateway.json"),
    },
    CatalogEntry {
        api_version: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        schema: include_str!("../../schemas/catalog/gateway.networking.k8s.io/v1/httproute.json"),
    },
    CatalogEntry {
        api_version: "inference.networking.k8s.io/v1",
        kind: "InferencePool",
        schema: include_str!(
            "../../schemas/catalog/inference.networking.k8s.io/v1/inferencepool.json"
        ),
    },
    CatalogEntry {
        api_version: "inference.networking.x-k8s.io/v1alpha2",
        kind: "InferenceObjective",
        schema: include_str!(
            "../../schemas/catalog/inference.networking.x-k8s.io/v1alpha2/inferenceobjective.json"
        ),
    },
    CatalogEntry {
        api_version: "inference.networking.x-k8s.io/v1alpha2",
        kind: "InferencePool",
        schema: include_str!(
            "../../schemas/catalog/inference.networking.x-k8s.io/v1alpha2/inferencepool.json"
        ),
    },
    CatalogEntry {
        api_version: "llm-d.ai/v1alpha2",
        kind: "InferenceObjective",
        schema: include_str!("../../schemas/catalog/llm-d.ai/v1alpha2/inferenceobjective.json"),
    },
    CatalogEntry {
        api_version: "networking.k8s.io/v1",
        kind: "Ingress",
        schema: include_str!("../../schemas/catalog/networking.k8s.io/v1/ingress.json"),
    },
    CatalogEntry {
        api_version: "networking.k8s.io/v1",
        kind: "IngressClass",
        schema: include_str!("../../schemas/catalog/networking.k8s.io/v1/ingressclass.json"),
    },
    CatalogEntry {
        api_version: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        schema: include_str!("../../schemas/catalog/networking.k8s.io/v1/networkpolicy.json"),
    },
    CatalogEntry {
        api_version: "policy/v1",
        kind: "PodDisruptionBudget",
        schema: include_str!("../../schemas/catalog/policy/v1/poddisruptionbudget.json"),
    },
    CatalogEntry {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        schema: include_str!("../../schemas/catalog/rbac.authorization.k8s.io/v1/clusterrole.json"),
    },
    CatalogEntry {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        schema: include_str!(
            "../../schemas/catalog/rbac.authorization.k8s.io/v1/clusterrolebinding.json"
        ),
    },
    CatalogEntry {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        schema: include_str!("../../schemas/catalog/rbac.authorization.k8s.io/v1/role.json"),
    },
    CatalogEntry {
        api_version: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        schema: include_str!("../../schemas/catalog/rbac.authorization.k8s.io/v1/rolebinding.json"),
    },
    CatalogEntry {
        api_version: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        schema: include_str!("../../schemas/catalog/scheduling.k8s.io/v1/priorityclass.json"),
    },
    CatalogEntry {
        api_version: "serving.knative.dev/v1",
        kind: "Service",
        schema: include_str!("../../schemas/catalog/serving.knative.dev/v1/service.json"),
    },
    CatalogEntry {
        api_version: "storage.k8s.io/v1",
        kind: "StorageClass",
        schema: include_str!("../../schemas/catalog/storage.k8s.io/v1/storageclass.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "ConfigMap",
        schema: include_str!("../../schemas/catalog/core/v1/configmap.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "LimitRange",
        schema: include_str!("../../schemas/catalog/core/v1/limitrange.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "Namespace",
        schema: include_str!("../../schemas/catalog/core/v1/namespace.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "PersistentVolume",
        schema: include_str!("../../schemas/catalog/core/v1/persistentvolume.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "PersistentVolumeClaim",
        schema: include_str!("../../schemas/catalog/core/v1/persistentvolumeclaim.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "Pod",
        schema: include_str!("../../schemas/catalog/core/v1/pod.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "ResourceQuota",
        schema: include_str!("../../schemas/catalog/core/v1/resourcequota.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "Secret",
        schema: include_str!("../../schemas/catalog/core/v1/secret.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "Service",
        schema: include_str!("../../schemas/catalog/core/v1/service.json"),
    },
    CatalogEntry {
        api_version: "v1",
        kind: "ServiceAccount",
        schema: include_str!("../../schemas/catalog/core/v1/serviceaccount.json"),
    },
];
