//! The Knative Pod Autoscaler settings.

use super::{error, one_of};
use crate::diag::{Code, Diagnostics, Label};
use crate::resolve::ResolvedStack;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let s = &stack.scaling;
    one_of(
        out,
        "scaling.metric",
        &s.metric,
        "is not a Knative Pod Autoscaler metric: \"concurrency\" is in-flight requests per replica, \"rps\" requests per second per replica",
    );
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
