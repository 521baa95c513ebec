//! Rules on one [`ResolvedStack`], one function per rule, run in a fixed order by [`check`].
//! Each catches a mistake the API server or the model server would otherwise report only after
//! the GPU node is up.

use super::names::{is_dns_label, is_dns_subdomain, is_label_key, is_label_value, is_path_segment};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::quantity::Quantity;
use crate::resolve::{ModelSource, PROVIDERS, Profile, ResolvedStack};
use crate::source::Spanned;
use crate::stack::ast::RequestLimit;
use crate::validate::knative::RESERVED_PORTS;

/// Ports a model server must not use: the ones Knative's webhook reserves, plus 8112, where the
/// queue-proxy serves TLS when system-internal TLS is on (`pkg/reconciler/revision/resources/
/// queue.go` of knative/serving 1.23), which the webhook does not check.
fn knative_reserved_port(port: i64) -> bool {
    RESERVED_PORTS.contains(&port) || port == 8112
}

/// vLLM `--dtype` choices.
const VLLM_DTYPES: [&str; 6] = ["auto", "half", "float16", "bfloat16", "float", "float32"];

/// vLLM flags that inferstack sets from stack keys; repeating them in `extra_args` is ambiguous.
const MANAGED_FLAGS: [(&str, &str); 6] = [
    ("--port", "engine.port"),
    ("--model", "model.name / model.source"),
    ("--max-model-len", "engine.max_model_len"),
    ("--gpu-memory-utilization", "engine.gpu_memory_utilization"),
    ("--dtype", "engine.dtype"),
    ("--tensor-parallel-size", "engine.tensor_parallel_size"),
];

/// Runs every rule on one stack.
pub fn check(stack: &ResolvedStack) -> Diagnostics {
    let mut out = Diagnostics::default();
    names(stack, &mut out);
    labels(stack, &mut out);
    ports(stack, &mut out);
    scaling(stack, &mut out);
    quantities(stack, &mut out);
    gpus(stack, &mut out);
    engine(stack, &mut out);
    storage(stack, &mut out);
    inference(stack, &mut out);
    out
}

fn error(code: Code, value_span: crate::source::Span, label: &str, message: String) -> Diagnostic {
    Diagnostic::error(code, Label::new(value_span, label), message)
}

fn name_rule(
    out: &mut Diagnostics,
    key: &str,
    value: &Spanned<String>,
    ok: fn(&str) -> bool,
    rule: &str,
) {
    if !ok(&value.value) {
        out.push(
            error(
                Code::InvalidName,
                value.span,
                "invalid name",
                format!("`{key}` = \"{}\" is not a valid {rule}", value.value),
            )
            .with_help(format!("{rule}s use lower-case letters, digits and '-', start and end with a letter or digit, and are at most {} characters", if rule.contains("subdomain") { "253 (63 per dot-separated part)" } else { "63" })),
        );
    }
}

/// Every name that becomes a Kubernetes object name, a namespace or a path.
fn names(stack: &ResolvedStack, out: &mut Diagnostics) {
    const LABEL: &str = "DNS-1123 label";
    const SUBDOMAIN: &str = "DNS-1123 subdomain";
    name_rule(
        out,
        "service.name",
        &stack.service.name,
        is_dns_label,
        LABEL,
    );
    name_rule(
        out,
        "service.namespace",
        &stack.service.namespace,
        is_dns_label,
        LABEL,
    );
    name_rule(
        out,
        "model.volume",
        &stack.model.volume,
        is_dns_label,
        LABEL,
    );
    name_rule(
        out,
        "gateway.name",
        &stack.gateway.name,
        is_dns_subdomain,
        SUBDOMAIN,
    );
    name_rule(
        out,
        "gateway.namespace",
        &stack.gateway.namespace,
        is_dns_label,
        LABEL,
    );
    name_rule(
        out,
        "gateway.class",
        &stack.gateway.class,
        is_dns_subdomain,
        SUBDOMAIN,
    );
    if let Some(secret) = &stack.model.credentials {
        name_rule(
            out,
            "model.credentials",
            secret,
            is_dns_subdomain,
            SUBDOMAIN,
        );
    }
    for listener in &stack.gateway.listeners {
        name_rule(
            out,
            "gateway.listeners",
            &listener.name,
            is_dns_subdomain,
            SUBDOMAIN,
        );
    }
    let model = &stack.model.name;
    if !is_path_segment(&model.value) {
        out.push(
            error(
                Code::InvalidName,
                model.span,
                "not a directory name",
                format!("`model.name` = \"{}\" cannot be used as a directory name", model.value),
            )
            .with_help("the model is mounted at /models/<name>: use letters, digits, '.', '_' and '-' only (no '/', '.' or '..')"),
        );
    }
}

fn labels(stack: &ResolvedStack, out: &mut Diagnostics) {
    for (key, value) in &stack.service.labels {
        if !is_label_key(&key.value) {
            out.push(
                error(Code::InvalidName, key.span, "invalid label key", format!("`{}` is not a valid label key", key.value))
                    .with_help("a label key is an optional DNS subdomain prefix and '/', then up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric"),
            );
        }
        if !is_label_value(&value.value) {
            out.push(
                error(Code::InvalidName, value.span, "invalid label value", format!("\"{}\" is not a valid label value", value.value))
                    .with_help("a label value is empty or up to 63 of [A-Za-z0-9._-], starting and ending alphanumeric"),
            );
        }
    }
}

fn port_range(out: &mut Diagnostics, key: &str, port: &Spanned<i64>) -> bool {
    let ok = (1..=65535).contains(&port.value);
    if !ok {
        out.push(
            error(
                Code::InvalidValue,
                port.span,
                "not a port",
                format!("`{key}` = {} is not a port number", port.value),
            )
            .with_help("ports are 1 to 65535"),
        );
    }
    ok
}

fn ports(stack: &ResolvedStack, out: &mut Diagnostics) {
    let engine = &stack.engine.port;
    if port_range(out, "engine.port", engine) && knative_reserved_port(engine.value) {
        out.push(
            error(
                Code::InvalidValue,
                engine.span,
                "reserved by Knative",
                format!(
                    "`engine.port` = {} is reserved by Knative's queue-proxy",
                    engine.value
                ),
            )
            .with_help(
                "the queue-proxy beside the server uses 8008, 8012, 8013, 8022, 8112, 9090 and 9091; use 8080",
            ),
        );
    }
    let listeners = &stack.gateway.listeners;
    for (i, listener) in listeners.iter().enumerate() {
        let key = format!("gateway.listeners.{}", listener.name.value);
        if !port_range(out, &key, &listener.port) {
            continue;
        }
        if let Some(first) = listeners[..i]
            .iter()
            .find(|l| l.port.value == listener.port.value)
        {
            out.push(
                error(
                    Code::DuplicatePort,
                    listener.port.span,
                    "used twice",
                    format!(
                        "listeners `{}` and `{}` both use port {}",
                        first.name.value, listener.name.value, listener.port.value
                    ),
                )
                .with_secondary(Label::new(first.port.span, "first used here"))
                .with_help("give each listener its own port"),
            );
        }
    }
}

fn scaling(stack: &ResolvedStack, out: &mut Diagnostics) {
    let s = &stack.scaling;
    if !matches!(s.metric.value.as_str(), "concurrency" | "rps") {
        out.push(
            error(Code::InvalidValue, s.metric.span, "unknown metric", format!("`scaling.metric` = \"{}\" is not a Knative Pod Autoscaler metric", s.metric.value))
                .with_help("use \"concurrency\" (in-flight requests per replica) or \"rps\" (requests per second per replica)"),
        );
    }
    if let Some(target) = &s.target
        && target.value < 0.01
    {
        out.push(
            error(Code::InvalidValue, target.span, "too small", format!("`scaling.target` = {} must be at least 0.01", target.value))
                .with_help("the target is the per-replica value of the metric that triggers scaling, e.g. 2 concurrent requests"),
        );
    }
    for (key, bound) in [("scaling.min", &s.min), ("scaling.max", &s.max)] {
        if bound.value < 0 || bound.value > i64::from(i32::MAX) {
            out.push(error(
                Code::InvalidValue,
                bound.span,
                "out of range",
                format!(
                    "`{key}` = {} must be between 0 and {}",
                    bound.value,
                    i32::MAX
                ),
            ));
        }
    }
    if s.max.value > 0 && s.min.value > s.max.value {
        out.push(
            error(
                Code::ScaleBounds,
                s.min.span,
                "larger than max",
                format!(
                    "`scaling.min` = {} is larger than `scaling.max` = {}",
                    s.min.value, s.max.value
                ),
            )
            .with_secondary(Label::new(s.max.span, "max set here"))
            .with_help("raise `max` or lower `min`; max = 0 means no upper bound"),
        );
    }
}

fn quantity(out: &mut Diagnostics, key: &str, value: &Spanned<String>) -> Option<Quantity> {
    match Quantity::parse(&value.value) {
        Some(q) if !q.is_negative() => Some(q),
        _ => {
            out.push(
                error(Code::InvalidQuantity, value.span, "not a quantity", format!("`{key}` = \"{}\" is not a Kubernetes quantity", value.value))
                    .with_help("write a number with an optional suffix: \"8\", \"500m\", \"32Gi\", \"1.5\" (Gi/Mi for memory, not GB/MB)"),
            );
            None
        }
    }
}

fn request_limit(out: &mut Diagnostics, key: &str, pair: &RequestLimit) {
    let request = pair
        .request
        .as_ref()
        .and_then(|r| quantity(out, &format!("{key}.request"), r).map(|q| (q, r)));
    // `cpu = "8"` sets both from one value: report a bad value once, not twice.
    let same_value = pair.request.as_ref().map(|r| r.span) == pair.limit.as_ref().map(|l| l.span);
    let limit = match (&pair.limit, same_value) {
        (Some(_), true) => None,
        (Some(l), false) => quantity(out, &format!("{key}.limit"), l).map(|q| (q, l)),
        (None, _) => None,
    };
    if let (Some((rq, r)), Some((lq, l))) = (request, limit)
        && rq > lq
    {
        out.push(
            error(Code::RequestExceedsLimit, r.span, "request", format!("`{key}` request {} is larger than its limit {}", r.value, l.value))
                .with_secondary(Label::new(l.span, "limit"))
                .with_help("Kubernetes rejects a pod whose request exceeds its limit; raise the limit or lower the request"),
        );
    }
}

fn quantities(stack: &ResolvedStack, out: &mut Diagnostics) {
    quantity(out, "model.size", &stack.model.size);
    request_limit(out, "resources.cpu", &stack.resources.cpu);
    request_limit(out, "resources.memory", &stack.resources.memory);
}

fn gpus(stack: &ResolvedStack, out: &mut Diagnostics) {
    let r = &stack.resources;
    if r.gpus.value < 0 || r.gpus.value > 1024 {
        out.push(
            error(
                Code::InvalidValue,
                r.gpus.span,
                "out of range",
                format!(
                    "`resources.gpus` = {} must be a whole number of GPUs from 0 to 1024",
                    r.gpus.value
                ),
            )
            .with_help("use 0 for a CPU-only model server"),
        );
    }
    let resource = &r.gpu_resource.value;
    let valid = resource.split_once('/').is_some_and(|(domain, name)| {
        is_dns_subdomain(domain) && domain.contains('.') && is_label_value(name) && !name.is_empty()
    });
    if !valid {
        out.push(
            error(
                Code::InvalidName,
                r.gpu_resource.span,
                "not an extended resource",
                format!(
                    "`resources.gpu_resource` = \"{resource}\" is not an extended resource name"
                ),
            )
            .with_help(
                "use the device plugin's resource, e.g. \"nvidia.com/gpu\" or \"amd.com/gpu\"",
            ),
        );
    }
    if let Some(tp) = &stack.engine.tensor_parallel_size {
        if tp.value < 1 {
            out.push(error(
                Code::InvalidValue,
                tp.span,
                "too small",
                format!(
                    "`engine.tensor_parallel_size` = {} must be at least 1",
                    tp.value
                ),
            ));
        } else if tp.value > r.gpus.value && r.gpus.value > 0 {
            out.push(
                error(Code::InvalidValue, tp.span, "more than the GPUs", format!("`engine.tensor_parallel_size` = {} needs {} GPUs but `resources.gpus` = {}", tp.value, tp.value, r.gpus.value))
                    .with_secondary(Label::new(r.gpus.span, "GPUs requested here"))
                    .with_help("vLLM fails at start-up when it cannot see that many GPUs; make them equal"),
            );
        } else if tp.value < r.gpus.value {
            out.push(
                Diagnostic::warning(Code::InvalidValue, Label::new(tp.span, "fewer than the GPUs"), format!("`engine.tensor_parallel_size` = {} leaves {} of {} paid GPUs idle", tp.value, r.gpus.value - tp.value, r.gpus.value))
                    .with_secondary(Label::new(r.gpus.span, "GPUs requested here"))
                    .with_help("remove `tensor_parallel_size` to shard across every GPU, or request fewer GPUs"),
            );
        }
    }
}

fn engine(stack: &ResolvedStack, out: &mut Diagnostics) {
    let e = &stack.engine;
    if e.kind.value != "vllm" {
        out.push(
            error(
                Code::InvalidValue,
                e.kind.span,
                "unsupported engine",
                format!("`engine.kind` = \"{}\" is not supported", e.kind.value),
            )
            .with_help("supported today: \"vllm\""),
        );
    }
    if e.image.value.trim().is_empty() || e.image.value.chars().any(char::is_whitespace) {
        out.push(error(
            Code::InvalidValue,
            e.image.span,
            "invalid image",
            "`engine.image` must be an image reference without spaces".to_owned(),
        ));
    }
    if let Some(u) = &e.gpu_memory_utilization
        && !(u.value > 0.0 && u.value <= 1.0)
    {
        out.push(
            error(
                Code::InvalidValue,
                u.span,
                "out of range",
                format!(
                    "`engine.gpu_memory_utilization` = {} must be in (0, 1]",
                    u.value
                ),
            )
            .with_help("it is the fraction of each GPU's memory vLLM may use, e.g. 0.9"),
        );
    }
    if let Some(len) = &e.max_model_len
        && len.value <= 0
    {
        out.push(error(
            Code::InvalidValue,
            len.span,
            "must be positive",
            format!(
                "`engine.max_model_len` = {} must be greater than 0",
                len.value
            ),
        ));
    }
    if let Some(dtype) = &e.dtype
        && !VLLM_DTYPES.contains(&dtype.value.as_str())
    {
        out.push(
            error(
                Code::InvalidValue,
                dtype.span,
                "unknown dtype",
                format!("`engine.dtype` = \"{}\" is not a vLLM dtype", dtype.value),
            )
            .with_help(format!("use one of: {}", VLLM_DTYPES.join(", "))),
        );
    }
    for arg in &e.extra_args {
        let flag = arg.value.split('=').next().unwrap_or_default();
        if let Some((_, key)) = MANAGED_FLAGS.iter().find(|(f, _)| *f == flag) {
            out.push(
                error(Code::InvalidValue, arg.span, "set by inferstack", format!("`{flag}` in `engine.extra_args` conflicts with the flag inferstack sets from `{key}`"))
                    .with_help(format!("remove it from extra_args and set `{key}` instead")),
            );
        }
    }
}

fn storage(stack: &ResolvedStack, out: &mut Diagnostics) {
    let m = &stack.model;
    let ModelSource::Oss { bucket, .. } = &m.source;
    if !is_oss_bucket(&bucket.value) {
        out.push(
            error(Code::InvalidBucket, bucket.span, "invalid bucket", format!("\"{}\" is not a valid OSS bucket name", bucket.value))
                .with_help("OSS bucket names are 3 to 63 characters of lower-case letters, digits and '-', and start and end with a letter or digit"),
        );
    }
    let endpoint = &m.endpoint;
    let host = endpoint
        .value
        .strip_prefix("https://")
        .or_else(|| endpoint.value.strip_prefix("http://"))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or_default());
    match host {
        Some(host) if is_dns_subdomain(host) => {
            if host.ends_with(".aliyuncs.com") && !host.contains("-internal") {
                out.push(
                    Diagnostic::warning(Code::PublicEndpoint, Label::new(endpoint.span, "public endpoint"), format!("`model.endpoint` {} is OSS's public endpoint", endpoint.value))
                        .with_help("inside the cluster's region use the -internal endpoint (e.g. http://oss-cn-hangzhou-internal.aliyuncs.com): it is faster and not billed as internet egress"),
                );
            }
        }
        _ => out.push(
            error(Code::InvalidSource, endpoint.span, "not an http(s) URL", format!("`model.endpoint` = \"{}\" must be an http:// or https:// URL of the OSS endpoint", endpoint.value))
                .with_help("e.g. endpoint = \"http://oss-cn-hangzhou-internal.aliyuncs.com\""),
        ),
    }
    if m.credentials.is_none() {
        out.push(
            Diagnostic::warning(Code::MissingCredentials, Label::new(m.span, "no `credentials`"), "no Secret is named for the model bucket; the volume mounts only if the bucket is public".to_owned())
                .with_help("create a Secret with keys akId and akSecret outside Git and set `credentials = \"<secret-name>\"` in [model]"),
        );
    }
}

/// OSS bucket names: 3-63 of `[a-z0-9-]`, starting and ending with a letter or digit.
fn is_oss_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len()) && is_dns_label(name)
}

/// A Gateway API `Duration`: 1 to 4 groups of up to 5 digits and a unit (`300s`, `1h30m`).
fn is_gateway_duration(text: &str) -> bool {
    let mut rest = text;
    let mut groups = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 || digits > 5 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "h", "m", "s"]
            .into_iter()
            .find(|u| rest.starts_with(u));
        let Some(unit) = unit else { return false };
        rest = &rest[unit.len()..];
        groups += 1;
    }
    (1..=4).contains(&groups)
}

fn inference(stack: &ResolvedStack, out: &mut Diagnostics) {
    let provider = &stack.gateway.provider;
    if !PROVIDERS.contains(&provider.value.as_str()) {
        out.push(
            error(
                Code::InvalidValue,
                provider.span,
                "unknown provider",
                format!(
                    "`gateway.provider` = \"{}\" is not a known Gateway implementation",
                    provider.value
                ),
            )
            .with_help(format!("use one of: {}", PROVIDERS.join(", "))),
        );
    }
    let i = &stack.inference;
    if let Some(timeout) = &i.timeout {
        if !is_gateway_duration(&timeout.value) {
            out.push(
                error(
                    Code::InvalidValue,
                    timeout.span,
                    "not a duration",
                    format!(
                        "`inference.timeout` = \"{}\" is not a Gateway API duration",
                        timeout.value
                    ),
                )
                .with_help(
                    "write 1 to 4 groups of a number and h, m, s or ms, e.g. \"300s\" or \"5m\"",
                ),
            );
        }
        if provider.value == "gke" {
            out.push(
                error(
                    Code::InvalidValue,
                    timeout.span,
                    "GKE rejects this",
                    "GKE's Gateway controller rejects HTTPRoutes with `timeouts`".to_owned(),
                )
                .with_secondary(Label::new(provider.span, "provider set here"))
                .with_help(
                    "remove `inference.timeout`; set the timeout with a GCPBackendPolicy instead",
                ),
            );
        }
    }
    if let Some(image) = &i.epp_image
        && (image.value.trim().is_empty() || image.value.chars().any(char::is_whitespace))
    {
        out.push(error(
            Code::InvalidValue,
            image.span,
            "invalid image",
            "`inference.epp_image` must be an image reference without spaces".to_owned(),
        ));
    }
    let Some(_) = stack.profile.inference_apis() else {
        return;
    };
    if !stack
        .gateway
        .listeners
        .iter()
        .any(|l| l.name.value == i.listener.value)
    {
        let names: Vec<&str> = stack
            .gateway
            .listeners
            .iter()
            .map(|l| l.name.value.as_str())
            .collect();
        out.push(
            error(
                Code::InvalidValue,
                i.listener.span,
                "no such listener",
                format!(
                    "`inference.listener` = \"{}\" is not a listener of the Gateway",
                    i.listener.value
                ),
            )
            .with_help(format!(
                "the HTTPRoute attaches to a listener of [gateway]; use one of: {}",
                names.join(", ")
            )),
        );
    }
    // The picker routes to pods directly: with no pod left, nothing wakes the service.
    if stack.scaling.min.value == 0 {
        out.push(
            error(Code::ScaleBounds, stack.scaling.min.span, "scale to zero", format!("`scaling.min` = 0 cannot work with the {} profile's InferencePool", stack.profile.as_str()))
                .with_help("the endpoint picker sends requests straight to the pool's pods, so a service scaled to zero is never woken; set min to 1 or more, or use the \"ack\" profile"),
        );
    }
    if stack.profile == Profile::GatewayApi && provider.value == "ack" {
        out.push(
            Diagnostic::warning(Code::InvalidValue, Label::new(provider.span, "ack provider"), "`gateway.provider` is \"ack\" with the gateway-api profile".to_owned())
                .with_help("ACK documents the inference.networking.x-k8s.io versions: use the \"ack-explicit\" profile"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_durations() {
        for ok in ["300s", "1h30m", "500ms", "0s", "1h2m3s4ms"] {
            assert!(is_gateway_duration(ok), "{ok}");
        }
        for bad in ["", "5", "1d", "100000s", "1h2m3s4ms5h", "-1s", "1.5s"] {
            assert!(!is_gateway_duration(bad), "{bad}");
        }
    }
}
