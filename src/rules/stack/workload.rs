//! The workload and its autoscaler: what a Deployment, a LeaderWorkerSet, an HPA and KEDA can
//! and cannot do that a Knative Service does, and what a server over several nodes needs.

use super::error;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::engine;
use crate::k8s::workload::LEADER_SERVICE_SUFFIX;
use crate::resolve::{Autoscaler, Profile, ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    nodes(stack, out);
    let workload = &stack.workload;
    let autoscaler = &stack.scaling.autoscaler;
    if let Some(prometheus) = &stack.scaling.prometheus
        && autoscaler.value != Autoscaler::Keda
    {
        out.push(
            error(
                Code::InvalidValue,
                prometheus.span,
                "not read",
                "`scaling.prometheus` is read only by `autoscaler = \"keda\"`".to_owned(),
            )
            .with_help("remove `prometheus`, or set `autoscaler = \"keda\"`"),
        );
    }
    match (workload.value, autoscaler.value) {
        (Workload::Knative, Autoscaler::Knative) => return,
        (Workload::Knative, _) => {
            out.push(
                error(Code::InvalidValue, autoscaler.span, "not for Knative", format!("`scaling.autoscaler` = \"{}\" cannot scale a Knative Service: Knative owns its revisions' Deployments and scales them with its own autoscaler", autoscaler.value.as_str()))
                    .with_help("remove `autoscaler` (the Knative Pod Autoscaler reads `scaling.*`), or set `workload = \"deployment\"`"),
            );
            return;
        }
        (Workload::Deployment | Workload::LeaderWorkerSet, Autoscaler::Knative) => out.push(
            error(
                Code::InvalidValue,
                autoscaler.span,
                "no Knative here",
                "`scaling.autoscaler` = \"knative\" scales only `workload = \"knative\"`"
                    .to_owned(),
            )
            .with_help("for a Deployment use \"none\", \"hpa\" or \"keda\""),
        ),
        _ => {}
    }
    // The plain `ack` profile emits no InferencePool: ACK builds one from the Knative Service's
    // `knative.aliyun.com/ai-gateway` annotation, which a Deployment has not.
    if stack.profile == Profile::Ack {
        out.push(
            error(
                Code::InvalidValue,
                workload.span,
                "no pool on this profile",
                format!("`workload = \"{}\"` needs an explicit profile: the `ack` profile leaves the InferencePool to ACK, which builds it only for a Knative Service", workload.value.as_str()),
            )
            .with_help("set `profile = \"ack-explicit\"` (ACK's gateway, the Inference Extension objects written out) or `profile = \"gateway-api\"`"),
        );
    }
    match autoscaler.value {
        Autoscaler::Hpa | Autoscaler::Keda => scaled(stack, out),
        Autoscaler::None | Autoscaler::Knative => fixed(stack, out),
    }
}

/// A Deployment without an autoscaler runs `scaling.min` replicas; the Knative keys are unread.
fn fixed(stack: &ResolvedStack, out: &mut Diagnostics) {
    let min = &stack.scaling.min;
    if min.value == 0 && stack.disaggregation.is_none() {
        out.push(
            error(
                Code::ScaleBounds,
                min.span,
                "no replica",
                format!("`scaling.min` = 0 with `workload = \"{}\"`: a {} runs `scaling.min` replicas and nothing scales it up from zero", stack.workload.value.as_str(), stack.workload.value.kind()),
            )
            .with_secondary(Label::new(stack.workload.span, format!("{} chosen here", stack.workload.value.kind())))
            .with_help("set `scaling.min` to the replicas to run, `autoscaler = \"keda\"` (which scales from zero with `inference.fairness`), or `workload = \"knative\"`"),
        );
    }
    for (key, span) in &stack.scaling.autoscaler_keys {
        unread(stack, key, *span, out);
    }
}

fn unread(stack: &ResolvedStack, key: &str, span: crate::source::Span, out: &mut Diagnostics) {
    let kind = stack.workload.value.kind();
    let reader = match stack.scaling.autoscaler.value {
        _ if stack.disaggregation.is_some() => {
            "a disaggregated server runs `disaggregation.prefill.replicas` and `disaggregation.decode.replicas`".to_owned()
        }
        Autoscaler::None => format!(
            "a {kind} without an autoscaler runs `scaling.min` = {} replicas",
            stack.scaling.min.value
        ),
        other => format!(
            "`autoscaler = \"{}\"` scales on the server's queue",
            other.as_str()
        ),
    };
    out.push(
        Diagnostic::warning(
            Code::InvalidValue,
            Label::new(span, "not read"),
            format!("`{key}` is read only by the Knative Pod Autoscaler; {reader}"),
        )
        .with_secondary(Label::new(
            stack.workload.span,
            format!("{kind} chosen here"),
        ))
        .with_help(format!("remove `{}`", key.trim_start_matches("scaling."))),
    );
}

/// An HPA or KEDA: a queue metric to read, an upper bound, and scale-to-zero only where the
/// autoscaler and the router support it.
fn scaled(stack: &ResolvedStack, out: &mut Diagnostics) {
    let s = &stack.scaling;
    let name = s.autoscaler.value.as_str();
    for (key, span) in s
        .autoscaler_keys
        .iter()
        .filter(|(k, _)| *k == "scaling.metric")
    {
        unread(stack, key, *span, out);
    }
    if engine::of(stack).queue_metric().is_none() {
        out.push(
            error(Code::InvalidValue, s.autoscaler.span, "no metric to scale on", format!("`autoscaler = \"{name}\"` scales on the server's queue, and `engine.kind` = \"{}\" exports none inferstack knows", stack.engine.kind.value))
                .with_secondary(Label::new(stack.engine.kind.span, "engine chosen here"))
                .with_help("use `autoscaler = \"none\"` and set `scaling.min`, or serve with vLLM or SGLang"),
        );
    }
    if s.max.value == 0 {
        out.push(
            error(Code::ScaleBounds, s.max.span, "no upper bound", format!("`autoscaler = \"{name}\"` needs `scaling.max`: 0 (unbounded) is Knative's meaning, an HPA or KEDA needs a number"))
                .with_help("set `scaling.max` to the most GPU replicas you will pay for"),
        );
    }
    if s.min.value == 0 {
        match s.autoscaler.value {
            // The autoscaling/v2 HorizontalPodAutoscalerSpec of Kubernetes 1.35: "minReplicas
            // is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at
            // least one Object or External metric is configured".
            Autoscaler::Hpa => out.push(
                error(Code::ScaleBounds, s.min.span, "scale to zero", "`scaling.min` = 0: a HorizontalPodAutoscaler scales to zero only behind the alpha feature gate HPAScaleToZero, and on an Object or External metric, not the Pods metric it reads here".to_owned())
                    .with_help("set `scaling.min` to 1 or more, or use `autoscaler = \"keda\"` with `inference.fairness`"),
            ),
            // With no pod, only the router's queue says requests are waiting, and the router
            // holds them only with flow control on.
            _ if stack.inference.fairness.is_none() => out.push(
                error(Code::ScaleBounds, s.min.span, "scale to zero", "`scaling.min` = 0 with KEDA: with no pod nothing holds the requests or reports them, unless the router's flow control queues them (`inference.fairness`) and KEDA reads its queue".to_owned())
                    .with_help("set `inference.fairness` to the header clients send their tenant in, or set `scaling.min` to 1 or more"),
            ),
            _ => {}
        }
    }
    if s.autoscaler.value == Autoscaler::Keda && s.prometheus.is_none() {
        out.push(
            error(
                Code::MissingKey,
                s.autoscaler.span,
                "no Prometheus",
                "`autoscaler = \"keda\"` needs `scaling.prometheus`, the Prometheus KEDA queries"
                    .to_owned(),
            )
            .with_help("e.g. prometheus = \"http://prometheus-operated.monitoring.svc:9090\""),
        );
    }
}

/// `resources.nodes`: only a LeaderWorkerSet spreads one server over pods, only with a server
/// whose multi-node flags inferstack knows, and only where the stack does not set them itself.
fn nodes(stack: &ResolvedStack, out: &mut Diagnostics) {
    let nodes = &stack.resources.nodes;
    let workload = &stack.workload;
    if workload.value != Workload::LeaderWorkerSet {
        if nodes.value > 1 {
            out.push(
                error(Code::InvalidValue, nodes.span, "one pod per server here", format!("`resources.nodes` = {} spreads one server over {} pods, which only `workload = \"leaderworkerset\"` does; a {} runs each server in one pod", nodes.value, nodes.value, workload.value.kind()))
                    .with_secondary(Label::new(workload.span, "workload chosen here"))
                    .with_help("set `workload = \"leaderworkerset\"`, or remove `nodes` and fit the model in one pod"),
            );
        }
        return;
    }
    // LWS v0.10.0's webhook validates the set's name as a DNS-1035 label (it names the
    // headless Service), and the leaders' Service takes the name and a suffix.
    let name = &stack.service.name;
    let longest = 63 - LEADER_SERVICE_SUFFIX.len();
    if !name.value.starts_with(|c: char| c.is_ascii_lowercase()) || name.value.len() > longest {
        out.push(
            error(Code::InvalidName, name.span, "not for a LeaderWorkerSet", format!("a LeaderWorkerSet's name must start with a letter (a DNS-1035 label, its headless Service's name) and leave room for `{LEADER_SERVICE_SUFFIX}`: at most {longest} characters, and \"{}\" has {}", name.value, name.value.len()))
                .with_help("start the service name with a letter and keep it shorter"),
        );
    }
    if nodes.value == 1 {
        out.push(
            Diagnostic::warning(
                Code::InvalidValue,
                Label::new(nodes.span, "one pod per group"),
                "`workload = \"leaderworkerset\"` with `resources.nodes` = 1: every group is one pod, which a Deployment runs with fewer moving parts".to_owned(),
            )
            .with_secondary(Label::new(workload.span, "LeaderWorkerSet chosen here"))
            .with_help("set `resources.nodes` to the pods one server needs, or `workload = \"deployment\"`"),
        );
    }
    let server = engine::of(stack);
    if server.multi_node().is_none() {
        out.push(
            error(Code::InvalidValue, stack.engine.kind.span, "no multi-node flags", format!("`workload = \"leaderworkerset\"` runs one server over its group's pods, and inferstack does not know how `engine.kind` = \"{}\" joins a group", stack.engine.kind.value))
                .with_secondary(Label::new(workload.span, "LeaderWorkerSet chosen here"))
                .with_help("serve with vLLM or SGLang, whose multi-node flags inferstack sets, or use `workload = \"deployment\"`"),
        );
    }
    if let Some((span, _)) = engine::parallel::extra_flag(stack, engine::parallel::PIPELINE_FLAGS)
        && server.multi_node().is_some_and(|m| m.pipeline.is_some())
    {
        out.push(
            error(Code::InvalidValue, span, "set from `resources.nodes`", format!("on a LeaderWorkerSet {} runs one pipeline stage per pod, so inferstack sets the pipeline parallel size to `resources.nodes` = {}", server.name(), nodes.value))
                .with_secondary(Label::new(nodes.span, "nodes set here"))
                .with_help("remove the flag from `engine.extra_args`"),
        );
    }
}
