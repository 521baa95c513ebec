//! The workload: what an apps/v1 Deployment can and cannot do that a Knative Service does.

use super::error;
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::resolve::{Profile, ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let workload = &stack.workload;
    if workload.value != Workload::Deployment {
        return;
    }
    // The plain `ack` profile emits no InferencePool: ACK builds one from the Knative Service's
    // `knative.aliyun.com/ai-gateway` annotation, which a Deployment has not.
    if stack.profile == Profile::Ack {
        out.push(
            error(
                Code::InvalidValue,
                workload.span,
                "no pool on this profile",
                "`workload = \"deployment\"` needs an explicit profile: the `ack` profile leaves the InferencePool to ACK, which builds it only for a Knative Service".to_owned(),
            )
            .with_help("set `profile = \"ack-explicit\"` (ACK's gateway, the Inference Extension objects written out) or `profile = \"gateway-api\"`"),
        );
    }
    let min = &stack.scaling.min;
    if min.value == 0 {
        out.push(
            error(
                Code::ScaleBounds,
                min.span,
                "no replica",
                "`scaling.min` = 0 with `workload = \"deployment\"`: a Deployment runs `scaling.min` replicas and nothing scales it up from zero".to_owned(),
            )
            .with_secondary(Label::new(workload.span, "Deployment chosen here"))
            .with_help("set `scaling.min` to the replicas to run, or use `workload = \"knative\"`, which scales from zero"),
        );
    }
    for (key, span) in &stack.scaling.autoscaler_keys {
        out.push(
            Diagnostic::warning(
                Code::InvalidValue,
                Label::new(*span, "not read"),
                format!("`{key}` is read only by the Knative Pod Autoscaler; a Deployment runs `scaling.min` = {} replicas", min.value),
            )
            .with_secondary(Label::new(workload.span, "Deployment chosen here"))
            .with_help(format!("remove `{}`", key.trim_start_matches("scaling."))),
        );
    }
}
