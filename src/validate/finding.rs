//! One problem in an object, as every validator reports it: the schema check, CEL and
//! Knative's admission alike.

use crate::diag::{Code, Severity};

/// One problem in an object: its code, where (JSON Pointer) and what.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub pointer: String,
    pub message: String,
}
