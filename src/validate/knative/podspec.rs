//! The pod spec of a revision and its containers: `ValidatePodSpec` and the container
//! functions of `pkg/apis/serving/k8s_validation.go` (knative/serving `knative-v1.23.0`).

use serde_json::Value;

use super::features::{Feature, Flag};
use super::masks;
use super::probes::ServingPort;
use super::{Admission, probes, volumes};
use crate::diag::Code;
use crate::k8s::image;
use crate::k8s::names;
use crate::k8s::value::{array, text};

/// `reservedContainerNames`.
const RESERVED_CONTAINER_NAMES: [&str; 1] = ["queue-proxy"];
/// `reservedEnvVars`; sidecars and init containers may set `PORT`.
const RESERVED_ENV_VARS: [&str; 4] = ["PORT", "K_SERVICE", "K_CONFIGURATION", "K_REVISION"];
/// `validPortNames`: the name selects the protocol the queue-proxy speaks to the container.
const PORT_NAMES: [&str; 3] = ["", "h2c", "http1"];

/// Which kind of container a rule sees.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The container with the port, or the only one.
    Serving,
    Sidecar,
    Init,
}

/// `ValidatePodSpec`.
pub fn check(cx: &mut Admission, spec: &Value, base: &str) {
    masks::check(cx, spec, base, &masks::POD_SPEC);
    pod_security_context(cx, spec, base);
    let containers = array(spec, "/containers");
    let inits = array(spec, "/initContainers");
    let declared = volumes::check(cx, spec, base);
    if !inits.is_empty() && !cx.config.features.enabled(Feature::InitContainers) {
        let problem = format!(
            "pod spec support for init-containers is off, but found {} init containers",
            inits.len()
        );
        cx.feature_off(
            format!("{base}/initContainers"),
            Feature::InitContainers,
            problem,
            ", or remove them",
        );
    } else {
        let names: Vec<&str> = containers.iter().filter_map(|c| text(c, "/name")).collect();
        for (i, init) in inits.iter().enumerate() {
            let at = format!("{base}/initContainers/{i}");
            if let Some(name) = text(init, "/name").filter(|n| names.contains(n)) {
                cx.push(
                    Code::KnativeContainer,
                    format!("{at}/name"),
                    format!(
                        "duplicate container name {name:?}: give the init container another name"
                    ),
                );
            }
            for field in [
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
                "lifecycle",
            ] {
                if init.get(field).is_some_and(|v| !v.is_null()) {
                    cx.push(
                        Code::KnativeContainer,
                        format!("{at}/{field}"),
                        format!("`{field}` is not allowed in an init container; remove it"),
                    );
                }
            }
            container(cx, init, &at, Role::Init, &declared);
        }
    }
    let port = serving_port(cx, containers, base);
    match containers.len() {
        // An absent list is the schema's finding (`containers` is required); an empty one is not.
        0 if spec.get("containers").is_none() => {}
        0 => cx.push(
            Code::KnativeContainer,
            format!("{base}/containers"),
            "missing field(s): containers; a revision needs one container with the model server"
                .to_owned(),
        ),
        1 => {
            let at = format!("{base}/containers/0");
            probes::user_container(cx, &containers[0], &at, &port);
            container(cx, &containers[0], &at, Role::Serving, &declared);
        }
        count => several_containers(cx, containers, base, count, &declared, &port),
    }
    if let Some(account) =
        text(spec, "/serviceAccountName").filter(|a| !a.is_empty() && !names::is_dns_subdomain(a))
    {
        cx.push(
            Code::KnativeContainer,
            format!("{base}/serviceAccountName"),
            format!(
                "invalid value {account:?}: serviceAccountName must be a DNS-1123 subdomain \
                 (lowercase letters, digits, '-' and '.')"
            ),
        );
    }
}

/// `validateContainers`: the multi-container flag, unique names, and each container by role.
fn several_containers(
    cx: &mut Admission,
    containers: &[Value],
    base: &str,
    count: usize,
    declared: &volumes::Declared,
    port: &ServingPort,
) {
    if !cx.config.features.enabled(Feature::MultiContainer) {
        let problem = format!("multi-container is off, but found {count} containers");
        cx.feature_off(
            format!("{base}/containers"),
            Feature::MultiContainer,
            problem,
            "",
        );
        return;
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let at = format!("{base}/containers/{i}");
        if let Some(name) = text(c, "/name") {
            if seen.contains(&name) {
                cx.push(
                    Code::KnativeContainer,
                    format!("{at}/name"),
                    format!("duplicate container name {name:?}: container names must be unique"),
                );
            }
            seen.push(name);
        }
        if array(c, "/ports").is_empty() {
            probes::sidecar(cx, c, &at);
            container(cx, c, &at, Role::Sidecar, declared);
        } else {
            probes::user_container(cx, c, &at, port);
            container(cx, c, &at, Role::Serving, declared);
        }
    }
}

/// `validateContainersPorts`: exactly one port across all containers when there are several.
fn serving_port(cx: &mut Admission, containers: &[Value], base: &str) -> ServingPort {
    let mut count = 0;
    let mut first: Option<(usize, &Value)> = None;
    for (i, c) in containers.iter().enumerate() {
        let ports = array(c, "/ports");
        if !ports.is_empty() {
            count += ports.len();
            first = Some((i, &ports[0]));
        }
    }
    if count == 0 && containers.len() > 1 {
        cx.push(
            Code::KnativePort,
            format!("{base}/containers"),
            format!(
                "missing field(s): ports; with {} containers, exactly one of them must declare \
                 the port Knative routes requests to",
                containers.len()
            ),
        );
    }
    if count > 1 {
        let at = first.map_or(format!("{base}/containers"), |(i, _)| {
            format!("{base}/containers/{i}/ports")
        });
        cx.push(
            Code::KnativePort,
            at,
            format!(
                "more than one container port is set ({count}): only a single port is allowed \
                 across all containers, the one the queue-proxy forwards requests to; remove the others"
            ),
        );
    }
    let name = first
        .and_then(|(_, p)| text(p, "/name"))
        .filter(|n| !n.is_empty())
        .unwrap_or("http");
    ServingPort {
        name: name.to_owned(),
    }
}

/// `validate`: one container of any role.
fn container(cx: &mut Admission, c: &Value, at: &str, role: Role, declared: &volumes::Declared) {
    if c.as_object().is_some_and(|m| m.is_empty()) {
        cx.push(
            Code::KnativeContainer,
            at.to_owned(),
            "missing field(s): an empty container; give it at least an image".to_owned(),
        );
        return;
    }
    masks::check(cx, c, at, &masks::CONTAINER);
    if let Some(name) = text(c, "/name").filter(|n| RESERVED_CONTAINER_NAMES.contains(n)) {
        cx.push(
            Code::KnativeReserved,
            format!("{at}/name"),
            format!("{name:?} is a reserved container name (Knative's own sidecar); rename the container"),
        );
    }
    env(cx, c, at, role);
    env_from(cx, c, at);
    match text(c, "/image") {
        None | Some("") => cx.push(
            Code::KnativeImage,
            format!("{at}/image"),
            "missing field(s): image; Knative needs the image of every container".to_owned(),
        ),
        Some(reference) => {
            if let Some(why) = image::problem(reference) {
                cx.push(
                    Code::KnativeImage,
                    format!("{at}/image"),
                    format!("Failed to parse image reference: {why}"),
                );
            }
        }
    }
    ports(cx, c, at, role);
    if let Some(resources) = c.get("resources") {
        masks::check(cx, resources, &format!("{at}/resources"), &masks::RESOURCES);
    }
    security_context(cx, c, at);
    if let Some(policy) = text(c, "/terminationMessagePolicy")
        && !["File", "FallbackToLogsOnError", ""].contains(&policy)
    {
        cx.push(
            Code::KnativeContainer,
            format!("{at}/terminationMessagePolicy"),
            format!("invalid value {policy:?}: terminationMessagePolicy must be File or FallbackToLogsOnError"),
        );
    }
    volumes::mounts(cx, c, at, declared);
}

/// `validateEnv`: masks, a name, and no variable Knative sets itself.
fn env(cx: &mut Admission, c: &Value, at: &str, role: Role) {
    for (i, var) in array(c, "/env").iter().enumerate() {
        let here = format!("{at}/env/{i}");
        masks::check(cx, var, &here, &masks::ENV_VAR);
        match text(var, "/name") {
            None | Some("") => cx.push(
                Code::KnativeContainer,
                format!("{here}/name"),
                "missing field(s): name of an environment variable".to_owned(),
            ),
            Some(name) => {
                let reserved =
                    RESERVED_ENV_VARS.contains(&name) && !(role != Role::Serving && name == "PORT");
                if reserved {
                    cx.push(
                        Code::KnativeReserved,
                        format!("{here}/name"),
                        format!(
                            "{name:?} is a reserved environment variable: Knative sets it in \
                             every revision ({}); rename the variable",
                            RESERVED_ENV_VARS.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(source) = var.get("valueFrom") {
            masks::check(
                cx,
                source,
                &format!("{here}/valueFrom"),
                &masks::ENV_VAR_SOURCE,
            );
        }
    }
}

/// `validateEnvFrom`: exactly one of `configMapRef` and `secretRef`.
fn env_from(cx: &mut Admission, c: &Value, at: &str) {
    for (i, source) in array(c, "/envFrom").iter().enumerate() {
        let here = format!("{at}/envFrom/{i}");
        masks::check(cx, source, &here, &masks::ENV_FROM_SOURCE);
        let set = |k: &str| source.get(k).is_some_and(|v| !v.is_null());
        let message = match (set("configMapRef"), set("secretRef")) {
            (true, true) => "expected exactly one, got both: configMapRef, secretRef",
            (false, false) => "expected exactly one, got neither: configMapRef, secretRef",
            _ => continue,
        };
        cx.push(
            Code::KnativeContainer,
            here,
            format!("{message}; keep one of the two"),
        );
    }
}

/// `validateContainerPorts` (the serving container's first port) and
/// `validateInitContainerPorts` (every port of an init container).
fn ports(cx: &mut Admission, c: &Value, at: &str, role: Role) {
    let ports = array(c, "/ports");
    let checked = if role == Role::Init {
        ports
    } else {
        &ports[..ports.len().min(1)]
    };
    for (i, port) in checked.iter().enumerate() {
        let here = format!("{at}/ports/{i}");
        masks::check(cx, port, &here, &masks::CONTAINER_PORT);
        if let Some(number) = port.get("containerPort").and_then(Value::as_i64) {
            if super::RESERVED_PORTS.contains(&number) {
                cx.push(
                    Code::KnativeReserved,
                    format!("{here}/containerPort"),
                    format!(
                        "{number} is a reserved port: the queue-proxy beside every revision uses \
                         8012, 8013, 8022, 9090, 9091 and 8008; use a different value (8080 is the default)"
                    ),
                );
            }
            if !(0..=65535).contains(&number) {
                cx.push(
                    Code::KnativePort,
                    format!("{here}/containerPort"),
                    super::out_of_bounds("containerPort", number, 0, 65535),
                );
            }
        }
        if role == Role::Init {
            continue;
        }
        if let Some(protocol) = text(port, "/protocol").filter(|p| !p.is_empty() && *p != "TCP") {
            cx.push(
                Code::KnativePort,
                format!("{here}/protocol"),
                format!("invalid value {protocol:?}: Knative serves only TCP; remove protocol or set TCP"),
            );
        }
        if let Some(name) = text(port, "/name").filter(|n| !PORT_NAMES.contains(n)) {
            cx.push(
                Code::KnativePort,
                format!("{here}/name"),
                format!(
                    "Port name {name} is not allowed: the name selects the protocol, and must be \
                     empty, h2c (HTTP/2 cleartext, for gRPC) or http1"
                ),
            );
        }
    }
}

/// `validateSecurityContext` and `CapabilitiesMask`.
fn security_context(cx: &mut Admission, c: &Value, at: &str) {
    let Some(sc) = c.get("securityContext").filter(|v| v.is_object()) else {
        return;
    };
    let here = format!("{at}/securityContext");
    masks::check(cx, sc, &here, &masks::SECURITY_CONTEXT);
    let features = &cx.config.features;
    let secure = matches!(
        features.get(Feature::SecurePodDefaults),
        Flag::Enabled | Flag::AllowRootBounded
    );
    if let Some(add) = sc
        .pointer("/capabilities/add")
        .filter(|a| masks::is_set(a, true))
    {
        let bind_only = add
            .as_array()
            .is_some_and(|a| a.len() == 1 && a[0] == "NET_BIND_SERVICE");
        let allowed = features.enabled(Feature::AddCapabilities) || (secure && bind_only);
        if !allowed {
            masks::feature_disabled(
                cx,
                format!("{here}/capabilities/add"),
                "capabilities.add",
                "a container security context",
                Feature::AddCapabilities,
            );
        }
    }
    id_bounds(cx, sc, &here, &["runAsUser", "runAsGroup"]);
}

/// `ValidatePodSecurityContext` with `PodSecurityContextMask`.
fn pod_security_context(cx: &mut Admission, spec: &Value, base: &str) {
    let Some(sc) = spec.get("securityContext").filter(|v| v.is_object()) else {
        return;
    };
    let here = format!("{base}/securityContext");
    let features = &cx.config.features;
    if features.allows(Feature::SecurityContext) {
        masks::check(cx, sc, &here, &masks::POD_SECURITY_CONTEXT);
        id_bounds(cx, sc, &here, &["runAsUser", "runAsGroup", "fsGroup"]);
        return;
    }
    let secure = matches!(
        features.get(Feature::SecurePodDefaults),
        Flag::Enabled | Flag::AllowRootBounded
    );
    for (field, value) in sc.as_object().into_iter().flatten() {
        let seccomp_allowed = secure
            && field == "seccompProfile"
            && matches!(
                value.get("type").and_then(Value::as_str),
                Some("RuntimeDefault" | "Unconfined")
            );
        if masks::is_set(value, true) && !seccomp_allowed {
            let at = format!("{here}/{}", crate::yaml::escape(field));
            masks::feature_disabled(
                cx,
                at,
                field,
                "the pod security context",
                Feature::SecurityContext,
            );
        }
    }
}

/// User and group ids from 0 to 2^31-1.
fn id_bounds(cx: &mut Admission, sc: &Value, at: &str, fields: &[&str]) {
    for field in fields {
        if let Some(id) = sc.get(*field).and_then(Value::as_i64)
            && !(0..=i64::from(i32::MAX)).contains(&id)
        {
            cx.push(
                Code::KnativeContainer,
                format!("{at}/{field}"),
                super::out_of_bounds(field, id, 0, 2147483647),
            );
        }
    }
}
