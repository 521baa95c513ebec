//! The stack JSON Schema (printed by `inferstack schema`, saved as schemas/stack.schema.json) is
//! generated from the key table. These tests keep it equal to the table, the saved file and the
//! README's reference, and check it against the examples.

use std::collections::BTreeSet;
use std::fs;

use crate::support::cli::{root, run, stdout};
use serde_json::Value;

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
    let branches = ["oneOf", "allOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten();
    for branch in branches {
        schema_paths(schema, branch, prefix, out);
    }
}

#[test]
fn the_schema_declares_exactly_the_keys_of_the_key_table() {
    let schema = schema();
    let mut declared = BTreeSet::new();
    schema_paths(&schema, &schema, "", &mut declared);
    let mut table: BTreeSet<String> = inferstack::stack::keys::KEYS
        .iter()
        .map(|k| k.path.to_owned())
        .collect();
    for pair in ["resources.cpu", "resources.memory"] {
        table.insert(format!("{pair}.request"));
        table.insert(format!("{pair}.limit"));
    }
    // `gateway.issuer` is a name or `{ name, kind }`.
    table.insert("gateway.issuer.name".to_owned());
    table.insert("gateway.issuer.kind".to_owned());
    assert_eq!(declared, table);
}

/// `schemas/stack.schema.json` is what `inferstack schema` prints, for editors that read a
/// file; `INFERSTACK_BLESS=1` rewrites it.
#[test]
fn the_schema_file_is_what_the_command_prints() {
    let printed = stdout(&run(&["schema"]));
    let path = root().join("schemas/stack.schema.json");
    if std::env::var_os("INFERSTACK_BLESS").is_some() {
        fs::write(&path, &printed).unwrap();
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        printed,
        "INFERSTACK_BLESS=1 rewrites it"
    );
}

fn toml_as_json(path: &std::path::Path) -> Value {
    toml::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_example_stack_is_valid_under_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    // Every file under stacks/ and examples/: the stacks, and the fleet's workspace, layer
    // and stacks.
    let mut paths: Vec<String> = ["stacks", "examples"]
        .into_iter()
        .flat_map(|dir| walkdir::WalkDir::new(root().join(dir)).sort_by_file_name())
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("fleet/base/vllm-gpu.toml"))
    );
    paths.push("tests/stacks/valid-minimal.toml".to_owned());
    let mut stacks: Vec<(String, Value)> = paths
        .iter()
        .map(|p| (p.clone(), toml_as_json(&root().join(p))))
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

/// The README's stack reference is the key table's; `INFERSTACK_BLESS=1` rewrites it.
#[test]
fn the_readme_reference_is_the_key_table() {
    crate::support::readme::generated_section(
        "<!-- stack-reference: generated from src/stack/keys/table.rs; INFERSTACK_BLESS=1 cargo test --test it schema:: rewrites it -->\n",
        "<!-- end stack-reference -->",
        &inferstack::stack::schema::reference_table(),
    );
}
