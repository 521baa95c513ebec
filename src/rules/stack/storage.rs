//! The model source: the identity key, then each store's own checks (`model_source`), which
//! also report keys written for another store.

use super::one_of;
use crate::diag::Diagnostics;
use crate::resolve::ResolvedStack;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    one_of(
        out,
        "model.identity",
        &stack.model.identity,
        "is not an identity the Mountpoint driver takes",
    );
    crate::model_source::check(&stack.model, &stack.weights_reader(), out);
}
