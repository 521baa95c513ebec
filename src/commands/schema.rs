//! `inferstack schema`: the stack file's JSON Schema, written by hand in schemas/ and embedded.

use super::Outcome;

/// The JSON Schema of the stack format; a test keeps it in step with the parser's keys.
pub const STACK_SCHEMA: &str = include_str!("../../schemas/stack.schema.json");

pub fn run() -> Outcome {
    Outcome {
        stdout: STACK_SCHEMA.to_owned(),
        ..Outcome::default()
    }
}
