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

/// The label every pod of a Deployment workload carries, with the service's name: the
/// Deployment's and the Service's selector, and the InferencePool's (Knative labels its own
/// pods with `serving.knative.dev/service`). The Kubernetes recommended label for an
/// application's instance (`kubernetes.io/docs/concepts/overview/working-with-objects/
/// common-labels/`).
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
