//! The rule catalogue: every check that goes beyond a schema, beside (not inside) the manifest
//! validator. One file per family; each rule has a stable [`Code`](crate::diag::Code), a message with the numbers
//! that matter, a fix, and a longer explanation in `docs/rules.md` that `inferstack explain
//! CODE` prints.
//!
//! - `stack`: one stack's values (names, ranges, sources), before anything is lowered.
//! - `memory`, `time`, `autoscaling`, `serving`, `shutdown`: the inference families. Their
//!   stack rules run on the resolved stack, where the facts are (`facts`: models and GPUs);
//!   their object rules run on compiled objects and on any manifests `validate` reads.
//! - `cross`: references between objects (pools, routes, claims) resolve.

pub mod autoscaling;
pub mod catalog;
pub mod cross;
pub mod facts;
mod flag_releases;
pub mod memory;
pub mod serving;
pub mod shutdown;
pub mod stack;
pub mod time;

use crate::diag::Diagnostics;
use crate::resolve::ResolvedStack;
use crate::resolve::disaggregation::Role;
use facts::ModelFacts;

/// Every rule on one resolved stack: its values, then the inference families, with the numbers
/// of the model's `config.json` when the stack names one (`model.config`).
pub fn check_stack(stack: &ResolvedStack, config: Option<&ModelFacts>) -> Diagnostics {
    let mut out = stack::check(stack);
    let model = facts::model(stack, config);
    let roles: Vec<ResolvedStack> = Role::ALL
        .iter()
        .filter_map(|role| stack.role_view(*role))
        .collect();
    // Each role of a disaggregated server is a server of its own GPUs.
    for view in roles.iter().chain(roles.is_empty().then_some(stack)) {
        memory::check(view, &model, &mut out);
        serving::shape(view, &model, &mut out);
    }
    serving::check(stack, &mut out);
    flag_releases::check(stack, &mut out);
    time::check(stack, &model, &mut out);
    shutdown::check(stack, &mut out);
    out
}
