//! The scaling bounds every autoscaler reads (the workload rules judge the rest).

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::resolve::{Autoscaler, ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let s = &stack.scaling;
    // `target`, `min` and `max` are ranged in the key table, refused by the reader. A
    // Deployment without an autoscaler reads no `max`.
    let reads_max = s.autoscaler.value != Autoscaler::None;
    if reads_max && s.max.value > 0 && s.min.value > s.max.value {
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
            .with_help(if stack.workload.value == Workload::Knative {
                "raise `max` or lower `min`; max = 0 means no upper bound"
            } else {
                "raise `max` or lower `min`"
            }),
        );
    }
}
