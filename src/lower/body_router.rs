//! `gateway.model_routing = "body"`: the Inference Extension's body-based router (BBR) in the
//! Gateway's namespace, and its wiring into the Gateway for each provider the upstream chart
//! wires it into. Everything follows `config/charts/body-based-routing` of
//! gateway-api-inference-extension v1.5.0 (the last release with BBR; v1.6.0 moved it to
//! llm-d-inference-payload-processor, which has no release yet): `templates/bbr.yaml`,
//! `templates/istio.yaml`, `templates/gke.yaml` and `values.yaml`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, GRPCAction, PodSpec, PodTemplateSpec, Probe, Service, ServicePort,
    ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::k8s::gateway::PolicyTarget;
use crate::k8s::{Object, ObjectRef, Sharing, gke, istio};
use crate::resolve::{Provider, ResolvedStack};

/// The header BBR's `body-field-to-header` plugin writes the body's `model` into, and the
/// routes match (`pkg/bbr/plugins/bodyfieldtoheader/body_field_to_header.go`, `ModelHeader`).
pub const MODEL_HEADER: &str = "X-Gateway-Model-Name";
/// `bbr.name` of the chart's values.
pub const NAME: &str = "body-based-router";
pub const IMAGE: &str = "registry.k8s.io/gateway-api-inference-extension/bbr:v1.5.0";
/// `--grpc-port` and `--grpc-health-port` defaults (`pkg/bbr/server/options.go`).
pub const GRPC_PORT: i32 = 9004;
pub const HEALTH_PORT: i32 = 9005;

/// The router and its provider wiring; none unless the stack routes by body on a provider the
/// chart wires (the rules report the others).
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let g = &stack.gateway;
    if !g.routes_by_body() || stack.profile.inference_apis().is_none() {
        return Ok(Vec::new());
    }
    let mut objects = match g.provider.value {
        Provider::Istio => vec![
            object(
                stack,
                istio::ENVOY_FILTER_API_VERSION,
                "EnvoyFilter",
                &envoy_filter(stack),
            )?,
            object(
                stack,
                istio::DESTINATION_RULE_API_VERSION,
                "DestinationRule",
                &destination_rule(stack),
            )?,
        ],
        Provider::Gke => vec![
            object(
                stack,
                gke::API_VERSION,
                "GCPRoutingExtension",
                &routing_extension(stack),
            )?,
            object(
                stack,
                gke::API_VERSION,
                "HealthCheckPolicy",
                &health_check_policy(stack),
            )?,
        ],
        _ => return Ok(Vec::new()),
    };
    objects.push(object(stack, "apps/v1", "Deployment", &deployment(stack))?);
    objects.push(object(stack, "v1", "Service", &service(stack))?);
    Ok(objects)
}

fn object<T: serde::Serialize>(
    stack: &ResolvedStack,
    api_version: &str,
    kind: &str,
    typed: &T,
) -> anyhow::Result<Object> {
    let g = &stack.gateway;
    let id = ObjectRef {
        api_version: api_version.to_owned(),
        kind: kind.to_owned(),
        namespace: Some(g.namespace.value.clone()),
        name: NAME.to_owned(),
    };
    Object::new(id, typed, g.model_routing.span, Sharing::Shared)
}

fn labels() -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_owned(), NAME.to_owned())])
}

fn metadata(stack: &ResolvedStack) -> ObjectMeta {
    super::metadata(NAME, Some(&stack.gateway.namespace.value), [("app", NAME)])
}

/// `--streaming` because both wirings stream the body to BBR (`FULL_DUPLEX_STREAMED`); only the
/// model plugin, so BBR watches no ConfigMaps and needs no RBAC (the chart's default adds the
/// base-model plugin, which reads LoRA adapter ConfigMaps).
fn deployment(stack: &ResolvedStack) -> Deployment {
    let model_plugin = format!(
        "body-field-to-header:model-extractor:{{\"fieldName\":\"model\",\"headerName\":\"{MODEL_HEADER}\"}}"
    );
    let args = ["--streaming", "--plugin", &model_plugin, "--tracing=false"]
        .map(str::to_owned)
        .to_vec();
    // BBR's health server answers SERVING for any service (`cmd/bbr/runner/health.go`).
    let probe = || Probe {
        grpc: Some(GRPCAction {
            port: HEALTH_PORT,
            service: None,
        }),
        initial_delay_seconds: Some(5),
        period_seconds: Some(10),
        ..Probe::default()
    };
    let port = |name: &str, number: i32| ContainerPort {
        name: Some(name.to_owned()),
        container_port: number,
        ..ContainerPort::default()
    };
    let container = Container {
        name: "bbr".to_owned(),
        image: Some(IMAGE.to_owned()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        args: Some(args),
        env: Some(vec![super::pod::field_env(
            "NAMESPACE",
            "metadata.namespace",
        )]),
        ports: Some(vec![
            port("grpc", GRPC_PORT),
            port("grpc-health", HEALTH_PORT),
        ]),
        liveness_probe: Some(probe()),
        readiness_probe: Some(probe()),
        ..Container::default()
    };
    Deployment {
        metadata: metadata(stack),
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            selector: LabelSelector {
                match_labels: Some(labels()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels()),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

fn service(stack: &ResolvedStack) -> Service {
    Service {
        metadata: metadata(stack),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(labels()),
            ports: Some(vec![ServicePort {
                name: Some("grpc".to_owned()),
                port: GRPC_PORT,
                target_port: Some(IntOrString::Int(GRPC_PORT)),
                protocol: Some("TCP".to_owned()),
                app_protocol: Some("HTTP2".to_owned()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

fn service_host(stack: &ResolvedStack) -> String {
    format!("{NAME}.{}.svc.cluster.local", stack.gateway.namespace.value)
}

/// The ext_proc filter first in the Gateway's HTTP chain, ahead of the picker, so routing sees
/// the model header (`templates/istio.yaml`).
fn envoy_filter(stack: &ResolvedStack) -> istio::EnvoyFilter {
    istio::EnvoyFilter {
        api_version: istio::ENVOY_FILTER_API_VERSION,
        kind: "EnvoyFilter",
        metadata: metadata(stack),
        spec: istio::EnvoyFilterSpec {
            target_refs: vec![PolicyTarget::gateway(&stack.gateway.name.value)],
            config_patches: vec![istio::ConfigPatch {
                apply_to: "HTTP_FILTER",
                match_: istio::PatchMatch {
                    context: "GATEWAY",
                    listener: istio::ListenerMatch {
                        filter_chain: istio::FilterChainMatch {
                            filter: istio::NamedFilter {
                                name: "envoy.filters.network.http_connection_manager",
                            },
                        },
                    },
                },
                patch: istio::Patch {
                    operation: "INSERT_FIRST",
                    value: istio::HttpFilter {
                        name: "envoy.filters.http.ext_proc.bbr",
                        typed_config: istio::ExtProc {
                            type_url: "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor",
                            failure_mode_allow: false,
                            allow_mode_override: true,
                            processing_mode: istio::ProcessingMode {
                                request_header_mode: "SEND",
                                response_header_mode: "SEND",
                                request_body_mode: "FULL_DUPLEX_STREAMED",
                                response_body_mode: "FULL_DUPLEX_STREAMED",
                                request_trailer_mode: "SEND",
                                response_trailer_mode: "SEND",
                            },
                            grpc_service: istio::GrpcService {
                                envoy_grpc: istio::EnvoyGrpc {
                                    cluster_name: format!(
                                        "outbound|{GRPC_PORT}||{}",
                                        service_host(stack)
                                    ),
                                },
                            },
                        },
                    },
                },
            }],
        },
    }
}

/// BBR serves gRPC over TLS with a certificate it makes at start (`--secure-serving`, on by
/// default, `pkg/bbr/server/runserver.go`), so the gateway encrypts without verifying.
fn destination_rule(stack: &ResolvedStack) -> istio::DestinationRule {
    istio::DestinationRule {
        api_version: istio::DESTINATION_RULE_API_VERSION,
        kind: "DestinationRule",
        metadata: metadata(stack),
        spec: istio::DestinationRuleSpec {
            host: service_host(stack),
            traffic_policy: istio::TrafficPolicy {
                tls: istio::ClientTls {
                    mode: "SIMPLE",
                    insecure_skip_verify: true,
                },
            },
        },
    }
}

/// `templates/gke.yaml`: a routing extension on the Gateway, called before routing.
fn routing_extension(stack: &ResolvedStack) -> gke::RoutingExtension {
    gke::RoutingExtension {
        api_version: gke::API_VERSION,
        kind: "GCPRoutingExtension",
        metadata: metadata(stack),
        spec: gke::RoutingExtensionSpec {
            target_refs: vec![PolicyTarget::gateway(&stack.gateway.name.value)],
            extension_chains: vec![gke::ExtensionChain {
                name: "chain1",
                extensions: vec![gke::Extension {
                    name: "ext1",
                    authority: "myext.com",
                    timeout: "1s",
                    supported_events: vec!["RequestHeaders", "RequestBody", "RequestTrailers"],
                    request_body_send_mode: "FullDuplexStreamed",
                    backend_ref: gke::ServiceRef {
                        group: "",
                        kind: "Service",
                        name: NAME.to_owned(),
                        port: GRPC_PORT,
                    },
                }],
            }],
        },
    }
}

/// GKE's load balancer checks the router's gRPC health port, not the serving one.
fn health_check_policy(stack: &ResolvedStack) -> gke::HealthCheckPolicy {
    gke::HealthCheckPolicy {
        api_version: gke::API_VERSION,
        kind: "HealthCheckPolicy",
        metadata: metadata(stack),
        spec: gke::HealthCheckPolicySpec {
            default: gke::HealthCheckDefault {
                config: gke::HealthCheckConfig {
                    kind: "GRPC",
                    grpc_health_check: gke::GrpcHealthCheck {
                        port_specification: "USE_FIXED_PORT",
                        port: HEALTH_PORT,
                    },
                },
            },
            target_ref: gke::PolicyTargetRef {
                group: "",
                kind: "Service",
                name: NAME.to_owned(),
                namespace: stack.gateway.namespace.value.clone(),
            },
        },
    }
}
