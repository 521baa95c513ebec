//! The Knative Pod Autoscaler settings.

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::resolve::{ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let s = &stack.scaling;
    // `target`, `min` and `max` are ranged in the key table, refused by the reader. Only the
    // Knative Pod Autoscaler reads `max`.
    let knative = stack.workload.value == Workload::Knative;
    if knative && s.max.value > 0 && s.min.value > s.max.value {
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
