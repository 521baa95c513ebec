//! `[disaggregation]`: a Deployment per role of the same server pod (`pod.rs`), as llm-d's
//! `pd-disaggregation` guide deploys them (`guides/recipes/modelserver/base/single-host/pd/`),
//! and the Service of both. On top of the pod: the role's engine flags (the engine's table),
//! the cache transfer's side channel, and on decode pods the routing sidecar
//! (`pd/vllm/patch-sidecar.yaml`), a native sidecar listening on the port the pool targets and
//! proxying to the model server behind it.

use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, PodSpec, SecurityContext};

use super::deployment::{deployment_of, service};
use super::pod;
use crate::engine::{self, Member};
use crate::k8s::Object;
use crate::k8s::disaggregation::{DECODE_SERVER_PORT, Role, SIDECAR_NAME};
use crate::resolve::ResolvedStack;

/// The prefill and decode Deployments and the Service of both.
pub fn objects(stack: &ResolvedStack) -> anyhow::Result<Vec<Object>> {
    let mut objects = Vec::new();
    for role in Role::ALL {
        let Some(view) = stack.role_view(*role) else {
            continue;
        };
        objects.push(deployment_of(&view, role_pod(&view, *role)?)?);
    }
    objects.push(service(stack)?);
    Ok(objects)
}

fn role_pod(view: &ResolvedStack, role: Role) -> anyhow::Result<PodSpec> {
    let mut spec = pod::pod_spec(view, Member::Whole)?;
    let server = engine::of(view).disaggregated();
    if let Some(container) = spec.containers.first_mut() {
        let env = container.env.get_or_insert_with(Vec::new);
        if let Some((host, port)) = server.and_then(|d| d.side_channel) {
            env.push(pod::field_env(host, "status.podIP"));
            container
                .ports
                .get_or_insert_with(Vec::new)
                .push(ContainerPort {
                    name: Some("nixl".to_owned()),
                    container_port: port,
                    ..ContainerPort::default()
                });
        }
        let both = server.map_or(&[][..], |d| d.env);
        let own = match role {
            Role::Prefill => server.map_or(&[][..], |d| d.prefill_env),
            Role::Decode => &[],
        };
        env.extend(both.iter().chain(own).map(|(name, value)| EnvVar {
            name: (*name).to_owned(),
            value: Some((*value).to_owned()),
            ..EnvVar::default()
        }));
    }
    if role == Role::Decode {
        spec.init_containers
            .get_or_insert_with(Vec::new)
            .push(sidecar(view));
    }
    Ok(spec)
}

/// The routing sidecar with the guide's flags, and the model server's port said explicitly
/// (`--model-server-port`, whose default is the same 8200; `--vllm-port` is its deprecated
/// spelling at llm-d-router v0.10.0, `pkg/sidecar/proxy/options.go`). `--secure-proxy=false`:
/// the gateway speaks plain HTTP to the pool.
fn sidecar(view: &ResolvedStack) -> Container {
    let Some(d) = &view.disaggregation else {
        unreachable!("a role view has its disaggregation")
    };
    let port = d.serving_port;
    Container {
        name: SIDECAR_NAME.to_owned(),
        image: Some(d.sidecar_image.value.clone()),
        args: Some(vec![
            format!("--port={port}"),
            format!("--model-server-port={DECODE_SERVER_PORT}"),
            format!(
                "--kv-connector={}",
                engine::connector(view).map_or("", |c| c.as_str())
            ),
            "--zap-log-level=1".to_owned(),
            "--secure-proxy=false".to_owned(),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("sidecar".to_owned()),
            container_port: i32::try_from(port).unwrap_or_default(),
            ..ContainerPort::default()
        }]),
        // A native sidecar: it starts before the server and lives as long as the pod.
        restart_policy: Some("Always".to_owned()),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            run_as_non_root: Some(true),
            ..SecurityContext::default()
        }),
        ..Container::default()
    }
}
