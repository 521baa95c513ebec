//! The stack JSON Schema (schemas/stack.schema.json, printed by `inferstack schema`) is written
//! by hand for editors. These tests keep it in step with the parser and the examples.

mod support;

use std::collections::BTreeSet;
use std::fs;

use inferstack::source::SourceMap;
use serde_json::Value;
use support::cli::{root, run, stdout};

fn schema() -> Value {
    serde_json::from_str(&stdout(&run(&["schema"]))).expect("`inferstack schema` prints JSON")
}

/// Dotted key paths the schema declares (`engine.image`, `resources.cpu.request`).
fn schema_paths(schema: &Value, node: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    let node = match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => schema.pointer(reference.trim_start_matches('#')).unwrap(),
        None => node,
    };
    if let Some(properties) = node.get("properties").and_then(Value::as_object) {
        for (key, child) in properties {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            out.insert(path.clone());
            schema_paths(schema, child, &path, out);
        }
    }
    for branch in node
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        schema_paths(schema, branch, prefix, out);
    }
}

#[test]
fn the_schema_declares_exactly_the_keys_the_parser_reads() {
    let schema = schema();
    let mut declared = BTreeSet::new();
    schema_paths(&schema, &schema, "", &mut declared);

    let mut sources = SourceMap::default();
    let text = fs::read_to_string(root().join("stacks/qwen.toml")).unwrap();
    let id = sources.add("qwen.toml", text);
    let parsed = inferstack::stack::parse(&sources, id);
    let read: BTreeSet<String> = parsed.known_keys.into_iter().collect();
    assert_eq!(declared, read);
}

fn toml_as_json(path: &std::path::Path) -> Value {
    toml::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_example_stack_is_valid_under_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let mut stacks: Vec<(String, Value)> = [
        "stacks/qwen.toml",
        "stacks/deepseek.toml",
        "tests/stacks/valid-minimal.toml",
    ]
    .iter()
    .map(|p| (p.to_string(), toml_as_json(&root().join(p))))
    .collect();
    let starter = stdout(&run(&["init", "demo", "-o", "-"]));
    stacks.push((
        "inferstack init".to_owned(),
        toml::from_str(&starter).unwrap(),
    ));
    for (name, stack) in stacks {
        let errors: Vec<String> = validator
            .iter_errors(&stack)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn the_schema_rejects_what_the_parser_rejects() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    for name in [
        "invalid-unknown-key",
        "invalid-wrong-type",
        "invalid-metric",
        "invalid-dtype",
        "invalid-unsupported-source",
        "invalid-port-range",
    ] {
        let path = root().join(format!("tests/stacks/{name}.toml"));
        assert!(
            !validator.is_valid(&toml_as_json(&path)),
            "{name} passes the schema"
        );
    }
}
