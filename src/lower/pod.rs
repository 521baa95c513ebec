//! The pod that runs the model server, whatever runs it (a Knative revision, a Deployment): the
//! container the engine describes, its probes, environment and resources, the weights' volume,
//! shared memory and scheduling.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource, HTTPGetAction,
    LocalObjectReference, ObjectFieldSelector, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SecretKeySelector, TCPSocketAction, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::engine::{self, Member};
use crate::k8s::gpus;
use crate::model_source::EnvValue;
use crate::resolve::ResolvedStack;
use crate::stack::ast::RequestLimit;

/// `service.labels`, which the workload object and its pods both carry.
pub fn user_labels(stack: &ResolvedStack) -> impl Iterator<Item = (&str, &str)> + Clone {
    stack
        .service
        .labels
        .iter()
        .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
}

/// The pods' labels: `service.labels`, owned, for a pod template's metadata.
pub fn pod_labels(stack: &ResolvedStack) -> BTreeMap<String, String> {
    user_labels(stack)
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The pod's spec: one container, the weights' volume (and shared memory), the pull secrets
/// and the scheduling keys. The workload adds what is its own (Knative's timeout, say).
pub fn pod_spec(stack: &ResolvedStack, member: Member) -> anyhow::Result<PodSpec> {
    let (model_volume, model_mount) = model_volume(stack);
    let mut volumes = vec![model_volume];
    let mut mounts = vec![model_mount];
    if let Some(shm) = shm_size(stack) {
        volumes.push(Volume {
            name: SHM_VOLUME.to_owned(),
            empty_dir: Some(EmptyDirVolumeSource {
                medium: Some("Memory".to_owned()),
                size_limit: Some(Quantity(shm)),
            }),
            ..Volume::default()
        });
        mounts.push(VolumeMount {
            name: SHM_VOLUME.to_owned(),
            mount_path: SHM_PATH.to_owned(),
            ..VolumeMount::default()
        });
    }
    let sc = &stack.scheduling;
    Ok(PodSpec {
        containers: vec![container(stack, mounts, member)?],
        image_pull_secrets: Some(
            sc.image_pull_secrets
                .iter()
                .map(|name| LocalObjectReference {
                    name: name.value.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .filter(|l| !l.is_empty()),
        node_selector: Some(node_selector(stack)).filter(|n| !n.is_empty()),
        priority_class_name: sc.priority_class.as_ref().map(|p| p.value.clone()),
        runtime_class_name: sc.runtime_class.as_ref().map(|r| r.value.clone()),
        service_account_name: sc.service_account.as_ref().map(|a| a.value.clone()),
        tolerations: Some(tolerations(stack)).filter(|t| !t.is_empty()),
        volumes: Some(volumes),
        ..PodSpec::default()
    })
}

/// A pod template of a workload the stack owns (a Deployment, a LeaderWorkerSet): `labels`,
/// the model source's annotations, and the grace period Kubernetes waits after SIGTERM, long
/// enough for the longest request to finish its stream.
pub fn template(
    stack: &ResolvedStack,
    labels: BTreeMap<String, String>,
    mut spec: PodSpec,
) -> PodTemplateSpec {
    spec.termination_grace_period_seconds = Some(stack.engine.request_timeout.value);
    let annotations = stack.model.source.pod_annotations();
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            annotations: Some(annotations).filter(|a| !a.is_empty()),
            ..ObjectMeta::default()
        }),
        spec: Some(spec),
    }
}

/// Where shared memory is mounted; the volume's name.
pub const SHM_PATH: &str = "/dev/shm";
pub const SHM_VOLUME: &str = "dshm";
/// How often the startup probe asks; its failure threshold covers `startup_timeout`.
pub const STARTUP_PERIOD_SECONDS: i64 = 10;

/// What the progress deadline allows beyond the startup probe: scheduling and pulling the
/// image, for which Knative's own default deadline (`progress-deadline: 600s` in
/// `config/core/configmaps/deployment.yaml`) is the budget.
pub const PULL_ALLOWANCE_SECONDS: i64 = 600;

/// The progress deadline: the startup probe's budget plus the time to schedule and pull.
pub fn progress_deadline_seconds(stack: &ResolvedStack) -> i64 {
    startup_failure_threshold(stack) * STARTUP_PERIOD_SECONDS + PULL_ALLOWANCE_SECONDS
}

/// Startup probe failures allowed: `startup_timeout` in whole periods, rounded up.
pub fn startup_failure_threshold(stack: &ResolvedStack) -> i64 {
    let seconds = stack.engine.startup_timeout.value;
    ((seconds + STARTUP_PERIOD_SECONDS - 1) / STARTUP_PERIOD_SECONDS).max(1)
}

/// `engine.shm`, or the default when the server shards across GPUs.
pub fn shm_size(stack: &ResolvedStack) -> Option<String> {
    match &stack.engine.shm {
        Some(shm) => Some(shm.value.clone()),
        None if stack.resources.gpus.value > 1 => Some(crate::resolve::DEFAULT_SHM.to_owned()),
        None => None,
    }
}

/// `scheduling.node_selector` plus the GPU product label.
pub fn node_selector(stack: &ResolvedStack) -> BTreeMap<String, String> {
    let mut selector: BTreeMap<String, String> = stack
        .scheduling
        .node_selector
        .iter()
        .map(|(k, v)| (k.value.clone(), v.value.clone()))
        .collect();
    if let Some(product) = &stack.resources.gpu_product {
        selector.insert(
            gpus::product_label(&product.value).to_owned(),
            product.value.clone(),
        );
    }
    selector
}

fn tolerations(stack: &ResolvedStack) -> Vec<Toleration> {
    let text = |v: &Option<crate::source::Spanned<String>>| v.as_ref().map(|s| s.value.clone());
    stack
        .scheduling
        .tolerations
        .iter()
        .map(|t| Toleration {
            key: text(&t.key),
            operator: text(&t.operator),
            value: text(&t.value),
            effect: text(&t.effect),
            toleration_seconds: t.toleration_seconds.as_ref().map(|s| s.value),
        })
        .collect()
}

/// The pod volume that holds the weights, named `model.volume`, and its mount in the server
/// container.
fn model_volume(stack: &ResolvedStack) -> (Volume, VolumeMount) {
    let m = &stack.model;
    let pod = m.source.pod_volume(m);
    let volume = Volume {
        name: m.volume.value.clone(),
        ..pod.volume
    };
    let mount = VolumeMount {
        name: m.volume.value.clone(),
        mount_path: m.mount_path(),
        read_only: Some(pod.read_only),
        sub_path: pod.sub_path,
        ..VolumeMount::default()
    };
    (volume, mount)
}

/// A variable the kubelet fills from the pod's own fields (`metadata.namespace`, `status.podIP`).
pub fn field_env(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                field_path: path.to_owned(),
                ..ObjectFieldSelector::default()
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// Every environment variable of the server, in order: what the model source needs, then
/// `engine.env`, then `engine.secret_env`.
pub fn env(stack: &ResolvedStack) -> Vec<EnvVar> {
    let secret = |name: &str, secret: &str, key: &str| EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: key.to_owned(),
                optional: None,
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    };
    let mut out: Vec<EnvVar> = (stack.model.source.server_env(&stack.model))
        .into_iter()
        .map(|env| match env.value {
            EnvValue::Text(value) => EnvVar {
                name: env.name.to_owned(),
                value: Some(value),
                ..EnvVar::default()
            },
            EnvValue::Secret { name, key } => secret(env.name, &name, key),
        })
        .collect();
    out.extend(stack.engine.env.iter().map(|(name, value)| EnvVar {
        name: name.value.clone(),
        value: Some(value.value.clone()),
        ..EnvVar::default()
    }));
    // The same Secret key named twice (`model.credentials` and a `secret_env` entry) is one
    // variable: the stack rules accept it as one reference.
    for s in &stack.engine.secret_env {
        let var = secret(&s.name.value, &s.secret, &s.key);
        if !out.contains(&var) {
            out.push(var);
        }
    }
    out
}

/// The server's health check: an HTTP GET of `engine.health_path` or the engine's own
/// endpoint, else a TCP connection to the port. The three probes share it.
fn health_check(stack: &ResolvedStack, server: &dyn engine::Engine) -> Probe {
    let port = IntOrString::Int(i32::try_from(stack.engine.port.value).unwrap_or_default());
    let path = stack
        .engine
        .health_path
        .as_ref()
        .map(|p| p.value.clone())
        .or_else(|| server.health_path().map(str::to_owned));
    match path {
        Some(path) => Probe {
            http_get: Some(HTTPGetAction {
                path: Some(path),
                port,
                ..HTTPGetAction::default()
            }),
            ..Probe::default()
        },
        None => Probe {
            tcp_socket: Some(TCPSocketAction {
                port,
                ..TCPSocketAction::default()
            }),
            ..Probe::default()
        },
    }
}

/// `check` run every `period` seconds, with a timeout and a failure threshold.
fn probe(check: &Probe, period: i32, timeout: i32, failures: i32) -> Probe {
    Probe {
        period_seconds: Some(period),
        timeout_seconds: Some(timeout),
        failure_threshold: Some(failures),
        ..check.clone()
    }
}

fn container(
    stack: &ResolvedStack,
    mounts: Vec<VolumeMount>,
    member: Member,
) -> anyhow::Result<Container> {
    let server = engine::of(stack);
    let launch = server
        .launch(stack, member)
        .map_err(|_| anyhow::anyhow!("the engine's command line did not render"))?;
    let port = i32::try_from(stack.engine.port.value).unwrap_or_default();
    let startup_failures = i32::try_from(startup_failure_threshold(stack)).unwrap_or(i32::MAX);
    let env = env(stack);
    let check = health_check(stack, server);
    let container = Container {
        name: server.container_name().to_owned(),
        image: Some(stack.engine.image.value.clone()),
        command: Some(launch.command).filter(|c| !c.is_empty()),
        args: Some(launch.args).filter(|a| !a.is_empty()),
        env: Some(env).filter(|e| !e.is_empty()),
        ports: Some(vec![ContainerPort {
            container_port: port,
            ..ContainerPort::default()
        }]),
        // Loading takes minutes: the startup probe holds the other probes back until then.
        startup_probe: Some(probe(
            &check,
            i32::try_from(STARTUP_PERIOD_SECONDS).unwrap_or(10),
            5,
            startup_failures,
        )),
        // A busy server answers health checks slowly: generous timeouts keep it in service.
        readiness_probe: Some(probe(&check, 5, 5, 3)),
        liveness_probe: Some(probe(&check, 10, 10, 3)),
        resources: Some(resources(stack)),
        volume_mounts: Some(mounts),
        ..Container::default()
    };
    // A group's other pods serve no HTTP: the leader's probes stand for the group, which
    // LeaderWorkerSet restarts whole.
    Ok(match member {
        Member::Worker => Container {
            ports: None,
            startup_probe: None,
            readiness_probe: None,
            liveness_probe: None,
            ..container
        },
        Member::Whole | Member::Leader => container,
    })
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
