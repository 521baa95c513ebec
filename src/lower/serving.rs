//! The Knative Service that runs the model server, scaled by the Knative Pod Autoscaler.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, PersistentVolumeClaimVolumeSource, Probe, ResourceRequirements,
    TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::engine::{CONTAINER_NAME, vllm_command};
use crate::k8s::knative::{API_VERSION, RevisionSpec, RevisionTemplate, Service, ServiceSpec};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::{Profile, ResolvedStack};
use crate::stack::ast::RequestLimit;

/// ACK's switch that makes the platform create the InferencePool and InferenceObjective.
pub const ACK_AI_GATEWAY: &str = "knative.aliyun.com/ai-gateway";
pub const ACK_PRIORITY: &str = "knative.aliyun.com/ai-gateway-inference-priority";
pub const AUTOSCALING: &str = "autoscaling.knative.dev";

pub fn knative_service(stack: &ResolvedStack) -> anyhow::Result<Object> {
    let s = &stack.service;
    let user_labels = || {
        s.labels
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
    };
    let mut metadata = super::metadata(&s.name.value, Some(&s.namespace.value), user_labels());
    metadata.annotations = Some(service_annotations(stack)).filter(|a| !a.is_empty());

    let template_labels: BTreeMap<String, String> = user_labels()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let template = RevisionTemplate {
        metadata: ObjectMeta {
            annotations: Some(autoscaling_annotations(stack)),
            labels: Some(template_labels).filter(|l| !l.is_empty()),
            ..ObjectMeta::default()
        },
        spec: RevisionSpec {
            containers: vec![container(stack)],
            volumes: vec![Volume {
                name: stack.model.volume.value.clone(),
                // Read-only: the server only reads its weights, and a writable claim would also
                // need Knative's `kubernetes.podspec-persistent-volume-write` flag.
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: stack.model.volume.value.clone(),
                    read_only: Some(true),
                }),
                ..Volume::default()
            }],
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
    let origin = s.name.span;
    Object::new(id, &service, origin, Sharing::Owned)
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
        (key("metric"), s.metric.value.clone()),
        (key("min-scale"), s.min.value.to_string()),
        (key("max-scale"), s.max.value.to_string()),
    ]);
    if let Some(target) = &s.target {
        annotations.insert(key("target"), target.value.to_string());
    }
    annotations
}

fn container(stack: &ResolvedStack) -> Container {
    let (command, args) = vllm_command(stack);
    let port = i32::try_from(stack.engine.port.value).unwrap_or_default();
    Container {
        name: CONTAINER_NAME.to_owned(),
        image: Some(stack.engine.image.value.clone()),
        command: Some(command),
        args: Some(args),
        ports: Some(vec![ContainerPort {
            container_port: port,
            ..ContainerPort::default()
        }]),
        // The server accepts connections only once the weights are loaded.
        readiness_probe: Some(Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::Int(port),
                ..TCPSocketAction::default()
            }),
            initial_delay_seconds: Some(15),
            period_seconds: Some(5),
            ..Probe::default()
        }),
        resources: Some(resources(stack)),
        volume_mounts: Some(vec![VolumeMount {
            name: stack.model.volume.value.clone(),
            mount_path: stack.model.mount_path(),
            read_only: Some(true),
            ..VolumeMount::default()
        }]),
        ..Container::default()
    }
}

fn resources(stack: &ResolvedStack) -> ResourceRequirements {
    let r = &stack.resources;
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let mut add = |name: &str, pair: &RequestLimit| {
        if let Some(request) = &pair.request {
            requests.insert(name.to_owned(), Quantity(request.value.clone()));
        }
        if let Some(limit) = &pair.limit {
            limits.insert(name.to_owned(), Quantity(limit.value.clone()));
        }
    };
    add("cpu", &r.cpu);
    add("memory", &r.memory);
    // Extended resources must have request == limit; Kubernetes rejects anything else.
    if r.gpus.value > 0 {
        let gpus = Quantity(r.gpus.value.to_string());
        requests.insert(r.gpu_resource.value.clone(), gpus.clone());
        limits.insert(r.gpu_resource.value.clone(), gpus);
    }
    ResourceRequirements {
        limits: Some(limits).filter(|l| !l.is_empty()),
        requests: Some(requests).filter(|r| !r.is_empty()),
        ..ResourceRequirements::default()
    }
}
