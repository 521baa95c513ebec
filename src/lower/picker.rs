//! The endpoint picker (EPP) of the explicit profiles: its Deployment, Service, ServiceAccount
//! and the Role that lets it watch the pool's pods and the Inference Extension objects. Ports,
//! arguments and probes follow the upstream picker (GIE conformance manifests, llm-d router).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, GRPCAction, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    Service, ServiceAccount, ServicePort, ServiceSpec,
};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::k8s::epp_config;
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::resolve::EngineKind;
use crate::resolve::ResolvedStack;
use crate::resolve::profile::{InferenceApis, MetricsPortSetting};

/// The ext-proc port the gateway calls.
pub const EPP_GRPC_PORT: i32 = 9002;
/// The gRPC health port the probes call.
pub const EPP_HEALTH_PORT: i32 = 9003;
pub const EPP_METRICS_PORT: i32 = 9090;

/// The upstream chart's grace period, 130 s, raised to `engine.request_timeout`.
pub const UPSTREAM_GRACE_SECONDS: i64 = 130;

pub fn picker_grace_seconds(stack: &ResolvedStack) -> i64 {
    UPSTREAM_GRACE_SECONDS.max(stack.engine.request_timeout.value)
}

/// `<service>-epp`: the Deployment, Service, ServiceAccount, Role and RoleBinding.
pub fn picker_name(stack: &ResolvedStack) -> String {
    stack.picker_name()
}

fn app_labels(stack: &ResolvedStack) -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_owned(), picker_name(stack))])
}

fn metadata(stack: &ResolvedStack) -> ObjectMeta {
    let name = picker_name(stack);
    super::metadata(
        &name,
        Some(&stack.service.namespace.value),
        [("app", name.as_str())],
    )
}

fn object<T: serde::Serialize>(
    stack: &ResolvedStack,
    api_version: &str,
    kind: &str,
    typed: &T,
) -> anyhow::Result<Object> {
    let id = ObjectRef {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        namespace: Some(stack.service.namespace.value.clone()),
        name: picker_name(stack),
    };
    let origin = stack
        .inference
        .epp_image
        .as_ref()
        .map_or(stack.inference.span, |i| i.span);
    Object::new(id, typed, origin, Sharing::Owned)
}

/// All five picker objects.
pub fn picker(stack: &ResolvedStack, apis: &InferenceApis) -> anyhow::Result<Vec<Object>> {
    Ok(vec![
        object(stack, "apps/v1", "Deployment", &deployment(stack, apis)?)?,
        object(stack, "v1", "Service", &service(stack))?,
        object(
            stack,
            "v1",
            "ServiceAccount",
            &ServiceAccount {
                metadata: metadata(stack),
                ..ServiceAccount::default()
            },
        )?,
        object(
            stack,
            "rbac.authorization.k8s.io/v1",
            "Role",
            &role(stack, apis),
        )?,
        object(
            stack,
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            &role_binding(stack),
        )?,
    ])
}

fn deployment(stack: &ResolvedStack, apis: &InferenceApis) -> anyhow::Result<Deployment> {
    let namespace = &stack.service.namespace.value;
    let mut args = vec![
        "--pool-name".to_owned(),
        stack.service.name.value.clone(),
        "--pool-namespace".to_owned(),
        namespace.clone(),
    ];
    if apis.pool_group() != "inference.networking.k8s.io" {
        args.extend(["--pool-group".to_owned(), apis.pool_group().to_owned()]);
    }
    args.extend(
        [
            "--zap-encoder",
            "json",
            "--grpc-port",
            "9002",
            "--grpc-health-port",
            "9003",
        ]
        .map(str::to_owned),
    );
    // Scrape the model server's own port: the pool targets Knative's queue-proxy, which would
    // count every scrape as a request and keep the autoscaler from ever seeing zero load.
    let engine_port = stack.engine.port.value;
    match apis.metrics_port {
        MetricsPortSetting::Flag => {
            args.extend([
                "--model-server-metrics-port".to_owned(),
                engine_port.to_string(),
            ]);
        }
        MetricsPortSetting::ConfigText => {
            let fairness = stack.inference.fairness.as_ref().map(|f| f.value.as_str());
            let config = serde_saphyr::to_string(&epp_config::config(&epp_config::Options {
                metrics_port: engine_port,
                fairness,
                disaggregated: stack.disaggregation.is_some(),
                // The router reads adapters only from vLLM's metrics (`factories.go`: no LoRA
                // spec for SGLang).
                lora_affinity: !stack.adapters.is_empty()
                    && stack.engine.kind.value == EngineKind::Vllm,
            }))?;
            if fairness.is_some() {
                args.push("--allow-experimental-plugins".to_owned());
            }
            args.extend(["--config-text".to_owned(), config]);
        }
    }
    let probe = || Probe {
        grpc: Some(GRPCAction {
            port: EPP_HEALTH_PORT,
            service: Some(apis.epp_health_service.to_owned()),
        }),
        initial_delay_seconds: Some(5),
        period_seconds: Some(10),
        ..Probe::default()
    };
    let field_env = super::pod::field_env;
    let port = |name: &str, number: i32| ContainerPort {
        name: Some(name.to_owned()),
        container_port: number,
        ..ContainerPort::default()
    };
    let image = stack
        .inference
        .epp_image
        .as_ref()
        .map_or(apis.epp_image, |i| i.value.as_str());
    let container = Container {
        name: "epp".to_owned(),
        image: Some(image.to_owned()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        args: Some(args),
        env: Some(vec![
            field_env("NAMESPACE", "metadata.namespace"),
            field_env("POD_NAME", "metadata.name"),
        ]),
        ports: Some(vec![
            port("grpc", EPP_GRPC_PORT),
            port("grpc-health", EPP_HEALTH_PORT),
            port("metrics", EPP_METRICS_PORT),
        ]),
        liveness_probe: Some(probe()),
        readiness_probe: Some(probe()),
        // The upstream chart's sizing: scoring every request is CPU-bound.
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_owned(), Quantity("4".to_owned())),
                ("memory".to_owned(), Quantity("8Gi".to_owned())),
            ])),
            limits: Some(BTreeMap::from([(
                "memory".to_owned(),
                Quantity("16Gi".to_owned()),
            )])),
            ..ResourceRequirements::default()
        }),
        ..Container::default()
    };
    Ok(Deployment {
        metadata: metadata(stack),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            // One picker at a time: two would score the same pods with diverging state.
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".to_owned()),
                ..DeploymentStrategy::default()
            }),
            selector: LabelSelector {
                match_labels: Some(app_labels(stack)),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(app_labels(stack)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(picker_name(stack)),
                    // As long as the longest request through the pool may take to drain: each
                    // request holds an ext-proc stream to the picker until it ends.
                    termination_grace_period_seconds: Some(picker_grace_seconds(stack)),
                    containers: vec![container],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    })
}

fn service(stack: &ResolvedStack) -> Service {
    let port = |name: &str, number: i32, protocol: Option<&str>| ServicePort {
        name: Some(name.to_owned()),
        port: number,
        target_port: Some(IntOrString::Int(number)),
        protocol: Some("TCP".to_owned()),
        app_protocol: protocol.map(str::to_owned),
        ..ServicePort::default()
    };
    Service {
        metadata: metadata(stack),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(app_labels(stack)),
            ports: Some(vec![
                port("grpc-ext-proc", EPP_GRPC_PORT, Some("http2")),
                port("http-metrics", EPP_METRICS_PORT, None),
            ]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn role(stack: &ResolvedStack, apis: &InferenceApis) -> Role {
    let read = |group: &str, resources: &[&str]| PolicyRule {
        api_groups: Some(vec![group.to_owned()]),
        resources: Some(resources.iter().map(|r| (*r).to_owned()).collect()),
        verbs: ["get", "watch", "list"].map(str::to_owned).to_vec(),
        ..PolicyRule::default()
    };
    let mut rules = vec![read("", &["pods"])];
    rules.extend(
        apis.epp_reads
            .iter()
            .map(|(group, resources)| read(group, resources)),
    );
    Role {
        metadata: metadata(stack),
        rules: Some(rules),
    }
}

fn role_binding(stack: &ResolvedStack) -> RoleBinding {
    RoleBinding {
        metadata: metadata(stack),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".to_owned(),
            kind: "Role".to_owned(),
            name: picker_name(stack),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".to_owned(),
            name: picker_name(stack),
            namespace: Some(stack.service.namespace.value.clone()),
            ..Subject::default()
        }]),
    }
}
