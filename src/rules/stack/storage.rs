//! The model source: each store's own checks (`model_source`), which also report keys written
//! for another store.

use crate::diag::Diagnostics;
use crate::resolve::ResolvedStack;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    crate::model_source::check(&stack.model, &stack.weights_reader(), out);
}
