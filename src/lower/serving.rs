//! The Knative Service that runs the model server's pod (`pod.rs`), scaled by the Knative Pod
//! Autoscaler: its annotations and the revision's time budgets.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::pod;
use crate::engine::Member;
use crate::k8s::knative::{API_VERSION, RevisionSpec, RevisionTemplate, Service, ServiceSpec};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{Profile, ResolvedStack};

/// ACK's switch that makes the platform create the InferencePool and InferenceObjective.
pub const ACK_AI_GATEWAY: &str = "knative.aliyun.com/ai-gateway";
pub const ACK_PRIORITY: &str = "knative.aliyun.com/ai-gateway-inference-priority";
pub const AUTOSCALING: &str = "autoscaling.knative.dev";
/// Knative's per-revision progress deadline (`serving.ProgressDeadlineAnnotation`), read by
/// `pkg/reconciler/revision/resources/deploy.go` into the Deployment's deadline.
pub const PROGRESS_DEADLINE: &str = "serving.knative.dev/progress-deadline";
pub fn knative_service(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let s = &stack.service;
    let mut metadata = super::metadata(
        &s.name.value,
        Some(&s.namespace.value),
        pod::user_labels(stack),
    );
    metadata.annotations = Some(service_annotations(stack)).filter(|a| !a.is_empty());

    let template_labels = pod::pod_labels(stack);
    let mut annotations = autoscaling_annotations(stack);
    annotations.extend(stack.model.source.pod_annotations());
    annotations.insert(
        PROGRESS_DEADLINE.to_owned(),
        format!("{}s", pod::progress_deadline_seconds(stack)),
    );
    let pod = pod::pod_spec(stack, Member::Whole)?;
    let template = RevisionTemplate {
        metadata: ObjectMeta {
            annotations: Some(annotations),
            labels: Some(template_labels).filter(|l| !l.is_empty()),
            ..ObjectMeta::default()
        },
        spec: RevisionSpec {
            containers: pod.containers,
            image_pull_secrets: pod.image_pull_secrets,
            node_selector: pod.node_selector,
            priority_class_name: pod.priority_class_name,
            runtime_class_name: pod.runtime_class_name,
            service_account_name: pod.service_account_name,
            timeout_seconds: stack.engine.request_timeout.value,
            tolerations: pod.tolerations,
            volumes: pod.volumes.unwrap_or_default(),
        },
    };
    let service = Service {
        api_version: API_VERSION,
        kind: "Service",
        metadata,
        spec: ServiceSpec { template },
    };
    let id = ObjectRef {
        api_version: API_VERSION.to_owned(),
        kind: "Service".to_owned(),
        namespace: Some(s.namespace.value.clone()),
        name: s.name.value.clone(),
    };
    let e = &stack.engine;
    Ok(Object::new(id, &service, s.name.span, Sharing::Owned)?
        .with_origin("/spec/template/spec/timeoutSeconds", e.request_timeout.span)
        .with_origin("/spec/template/spec/containers/0/image", e.image.span)
        .with_origin("/spec/template/spec/containers/0/env", e.span)
        .with_origin("/spec/template/spec/containers/0/args", e.span))
}

fn service_annotations(stack: &ResolvedStack) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    // Only plain `ack` asks the platform to create the Inference Extension objects; the
    // explicit profiles emit them, and the annotation would make ACK create duplicates.
    if stack.profile == Profile::Ack {
        annotations.insert(ACK_AI_GATEWAY.to_owned(), "inference".to_owned());
        if let Some(priority) = &stack.inference.priority {
            annotations.insert(ACK_PRIORITY.to_owned(), priority.value.to_string());
        }
    }
    annotations
}

fn autoscaling_annotations(stack: &ResolvedStack) -> BTreeMap<String, String> {
    let s = &stack.scaling;
    let key = |name: &str| format!("{AUTOSCALING}/{name}");
    let mut annotations = BTreeMap::from([
        (key("metric"), s.metric.value.as_str().to_owned()),
        (key("min-scale"), s.min.value.to_string()),
        (key("max-scale"), s.max.value.to_string()),
    ]);
    if let Some(target) = &s.target {
        annotations.insert(key("target"), target.value.to_string());
    }
    annotations
}
