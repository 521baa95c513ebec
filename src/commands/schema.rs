//! `inferstack schema`: the stack file's JSON Schema, generated from the key table.

use super::Outcome;

pub fn run() -> Outcome {
    let schema = crate::stack::schema::json_schema();
    Outcome {
        stdout: serde_json::to_string_pretty(&schema).expect("a JSON value serializes") + "\n",
        ..Outcome::default()
    }
}
