//! What runs the model server's pods (`workload`): a Knative Service, scaled by the Knative Pod
//! Autoscaler, an apps/v1 Deployment with a Service, as llm-d's guides run model servers, or a
//! LeaderWorkerSet whose groups of pods each run one server across several nodes.

use crate::closed_set::closed_set;

closed_set! {
    /// The kind of object that runs the server's pods.
    pub enum Workload {
        Knative = "knative",
        Deployment = "deployment",
        LeaderWorkerSet = "leaderworkerset",
    }
}

closed_set! {
    /// What scales the server's pods (`scaling.autoscaler`).
    pub enum Autoscaler {
        /// The Knative Pod Autoscaler, for `workload = "knative"`.
        Knative = "knative",
        /// Nothing: a Deployment runs `scaling.min` replicas.
        None = "none",
        /// An autoscaling/v2 HorizontalPodAutoscaler on the server's queue, a Pods metric served
        /// by a custom metrics adapter (prometheus-adapter).
        Hpa = "hpa",
        /// A KEDA ScaledObject on the server's queue and the router's, read from Prometheus;
        /// it scales from zero when the router holds requests for an empty pool.
        Keda = "keda",
    }
}

/// The label every pod of a Deployment workload carries, with the service's name: the
/// Deployment's and the Service's selector, and the InferencePool's (Knative labels its own
/// pods with `serving.knative.dev/service`). The Kubernetes recommended label for an
/// application's instance (`kubernetes.io/docs/concepts/overview/working-with-objects/
/// common-labels/`).
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// The label LeaderWorkerSet gives each pod with its index in the group, `"0"` for the leader,
/// the one pod of a group that serves HTTP (kubernetes-sigs/lws v0.10.0
/// `api/leaderworkerset/v1/leaderworkerset_types.go`, `WorkerIndexLabelKey`; the controller's
/// `status.hpaPodSelector` selects the leaders by it too).
pub const LWS_WORKER_INDEX_LABEL: &str = "leaderworkerset.sigs.k8s.io/worker-index";

/// What the leaders' Service adds to the service's name, which the controller's own headless
/// Service takes.
pub const LEADER_SERVICE_SUFFIX: &str = "-leader";

/// The label LeaderWorkerSet gives every pod of a set with the set's name (`SetNameLabelKey`).
pub const LWS_NAME_LABEL: &str = "leaderworkerset.sigs.k8s.io/name";

/// The variables LeaderWorkerSet's pod webhook adds to every container (`LwsLeaderAddress`,
/// `LwsWorkerIndex` in the same file; `pkg/utils/pod/pod_utils.go` `AddLWSVariables`): the
/// leader's DNS name and the pod's index. The kubelet expands `$(NAME)` in `args` from them.
pub const LWS_LEADER_ADDRESS: &str = "$(LWS_LEADER_ADDRESS)";
pub const LWS_WORKER_INDEX: &str = "$(LWS_WORKER_INDEX)";

impl Workload {
    /// The kind of the object, for messages.
    pub fn kind(self) -> &'static str {
        match self {
            Workload::Knative => "Knative Service",
            Workload::Deployment => "Deployment",
            Workload::LeaderWorkerSet => "LeaderWorkerSet",
        }
    }

    /// A regular expression of the names of the pods that serve HTTP, for Prometheus queries
    /// on `pod`: a Deployment's `NAME-<hash>-<id>`, a LeaderWorkerSet's leaders `NAME-<group>`
    /// (its workers are `NAME-<group>-<index>`). Knative's pods are not queried by name.
    pub fn serving_pods(self, name: &str) -> String {
        match self {
            Workload::LeaderWorkerSet => format!("{name}-[0-9]+"),
            Workload::Knative | Workload::Deployment => format!("{name}-[a-z0-9]+-[a-z0-9]+"),
        }
    }
}
