//! What runs the model server's pods (`workload`): a Knative Service, scaled by the Knative Pod
//! Autoscaler, or an apps/v1 Deployment with a Service, as llm-d's guides run model servers.

use crate::closed_set::closed_set;

closed_set! {
    /// The kind of object that runs the server's pods.
    pub enum Workload {
        Knative = "knative",
        Deployment = "deployment",
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
