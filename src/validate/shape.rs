//! A catalog schema cut to one object's shape, so a run that meets a kind once or twice
//! compiles only the part of its schema that the object reaches (a Knative Service's schema
//! holds the whole pod spec; one Service uses a few percent of it).
//!
//! The cut schema judges the object exactly as the whole one does: every `$ref` is inlined, a
//! property the object does not have is left out of `properties` (where it would constrain
//! nothing), and any other subschema that applies to no value of the object (the items of an
//! empty list) becomes `{}` (the schema that accepts everything, in every draft; draft 4 has no `true`). Keywords that hold no subschema are kept as written, so
//! `required`, `additionalProperties: false`, `enum` and the rest report the same problems with
//! the same messages. A schema with a keyword not listed here is not cut, and is compiled whole.
//! `validate::schemas`'s tests hold the cut and the whole schema to the same verdicts.

use serde_json::{Map, Value};

/// How many objects of one type are checked against their own cut schema; the next one
/// compiles the whole schema, which then serves every later object of the type (a run that
/// says it has more objects of the type uses the whole schema from the first). Cutting and
/// compiling a cut schema costs about a tenth of compiling a whole catalog schema.
pub const SHAPED_USES: usize = 4;

/// Keywords that hold no subschema: they are copied as they are, and so is every `x-` extension
/// (Kubernetes' `x-kubernetes-*`: inferstack's list-map-keys keyword reads the instance, which a
/// cut leaves as it is).
const LEAVES: [&str; 29] = [
    "$schema",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "type",
    "const",
    "enum",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "dependentRequired",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-validations",
    "x-kubernetes-int-or-string",
    "x-kubernetes-embedded-resource",
];

/// Keywords that only describe; a `$ref` beside nothing else is replaced by its target.
const ANNOTATIONS: [&str; 5] = ["title", "description", "default", "examples", "$comment"];

/// How many schema nodes deep a cut may go before giving up (a `$ref` cycle that never
/// descends into the object). Catalog schemas nest a few dozen levels where objects have
/// values; beyond them, values meet open schemas (`{}`) that go no deeper.
const MAX_NESTING: usize = 128;

/// How a schema's `$ref` relates to the keywords beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refs {
    /// Draft 2020-12: the keywords beside a `$ref` apply too.
    WithSiblings,
    /// Drafts 4 to 7 (OpenAPI 3.0, the Kubernetes documents): a `$ref` replaces its node.
    Alone,
}

/// `root` (a schema whose references are local: `#/$defs/...` or `#/components/schemas/...`)
/// cut to `object`'s shape; `None` when the schema has something this does not cut.
pub fn cut(root: &Value, object: &Value, refs: Refs) -> Option<Value> {
    Cutter { root, refs }.node(root, &[object], 0)
}

struct Cutter<'a> {
    root: &'a Value,
    refs: Refs,
}

impl Cutter<'_> {
    /// `schema` cut to what `values` (the values it applies to) reach.
    fn node(&self, schema: &Value, values: &[&Value], depth: usize) -> Option<Value> {
        if depth > MAX_NESTING {
            return None;
        }
        let Value::Object(node) = schema else {
            return Some(schema.clone());
        };
        if values.is_empty() {
            return Some(Value::Object(Map::new()));
        }
        let mut out = Map::new();
        for (keyword, sub) in node {
            let cut = match keyword.as_str() {
                "$ref" => {
                    let target = self.target(sub)?;
                    let target = self.node(target, values, depth + 1)?;
                    let alone = self.refs == Refs::Alone
                        || node
                            .keys()
                            .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()));
                    if alone {
                        return Some(target);
                    }
                    if node.contains_key("allOf") {
                        return None;
                    }
                    out.insert("allOf".to_owned(), Value::Array(vec![target]));
                    continue;
                }
                "$id" if depth == 0 => sub.clone(),
                // Every reference is inlined, so the definitions are not needed.
                "$defs" | "components" if depth == 0 => continue,
                "properties" => {
                    let Value::Object(properties) = sub else {
                        return None;
                    };
                    let mut cut = Map::new();
                    for (name, property) in properties {
                        let reached: Vec<&Value> = values
                            .iter()
                            .filter_map(|v| v.as_object()?.get(name))
                            .collect();
                        // A property no value has constrains nothing: `properties` only
                        // applies to members that exist, and `additionalProperties` only asks
                        // about members the values have.
                        if reached.is_empty() {
                            continue;
                        }
                        cut.insert(name.clone(), self.node(property, &reached, depth + 1)?);
                    }
                    Value::Object(cut)
                }
                // Every member's value, a superset of those these apply to: cutting to more
                // values than a subschema meets keeps more of it, never less.
                "additionalProperties" => self.node(sub, &members(values), depth + 1)?,
                "patternProperties" => {
                    let Value::Object(patterns) = sub else {
                        return None;
                    };
                    let reached = members(values);
                    let mut cut = Map::new();
                    for (pattern, property) in patterns {
                        cut.insert(pattern.clone(), self.node(property, &reached, depth + 1)?);
                    }
                    Value::Object(cut)
                }
                "items" if !sub.is_array() => {
                    let reached: Vec<&Value> = values
                        .iter()
                        .filter_map(|v| v.as_array())
                        .flatten()
                        .collect();
                    self.node(sub, &reached, depth + 1)?
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let Value::Array(branches) = sub else {
                        return None;
                    };
                    let cut: Option<Vec<Value>> = branches
                        .iter()
                        .map(|b| self.node(b, values, depth + 1))
                        .collect();
                    Value::Array(cut?)
                }
                "not" | "if" | "then" | "else" => self.node(sub, values, depth + 1)?,
                leaf if LEAVES.contains(&leaf) || leaf.starts_with("x-") => sub.clone(),
                _ => return None,
            };
            out.insert(keyword.clone(), cut);
        }
        Some(Value::Object(out))
    }

    /// The schema a local `$ref` (`#/$defs/...` or `#/components/schemas/...`) points at.
    fn target(&self, reference: &Value) -> Option<&Value> {
        let reference = reference.as_str()?;
        if let Some(name) = reference.strip_prefix("#/$defs/") {
            return self.root.get("$defs")?.get(name);
        }
        let name = reference.strip_prefix("#/components/schemas/")?;
        self.root.get("components")?.get("schemas")?.get(name)
    }
}

/// The values of every member of the objects among `values`.
fn members<'a>(values: &[&'a Value]) -> Vec<&'a Value> {
    values
        .iter()
        .filter_map(|v| v.as_object())
        .flat_map(|m| m.values())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn absent_properties_are_left_out_and_refs_are_inlined() {
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "additionalProperties": false,
            "required": ["spec"],
            "properties": {
                "spec": {"$ref": "#/$defs/Spec", "description": "the spec"},
                "status": {"$ref": "#/$defs/Spec"}
            },
            "$defs": {"Spec": {"type": "object", "properties": {
                "a": {"type": "integer"}, "b": {"type": "string"}
            }}}
        });
        let cut = cut(&root, &json!({"spec": {"a": 1}}), Refs::WithSiblings).unwrap();
        assert_eq!(
            cut,
            json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "additionalProperties": false,
                "required": ["spec"],
                "properties": {
                    "spec": {"type": "object", "properties": {"a": {"type": "integer"}}}
                }
            })
        );
    }

    #[test]
    fn a_ref_with_siblings_becomes_an_all_of_in_its_place() {
        let root = json!({
            "properties": {"x": {"$ref": "#/$defs/X", "maxLength": 3}},
            "$defs": {"X": {"type": "string"}}
        });
        let cut = cut(&root, &json!({"x": "abcd"}), Refs::WithSiblings).unwrap();
        assert_eq!(
            cut,
            json!({"properties": {"x": {"allOf": [{"type": "string"}], "maxLength": 3}}})
        );
    }

    #[test]
    fn a_draft_4_ref_replaces_its_node() {
        let root = json!({
            "allOf": [{"$ref": "#/components/schemas/X"}],
            "components": {"schemas": {"X": {"properties": {"a": {"$ref": "#/components/schemas/Y", "maxLength": 1}}}, "Y": {"type": "string"}}}
        });
        let cut = cut(&root, &json!({"a": "abc"}), Refs::Alone).unwrap();
        assert_eq!(
            cut,
            json!({"allOf": [{"properties": {"a": {"type": "string"}}}]})
        );
    }

    #[test]
    fn items_are_cut_to_every_element_and_unknown_keywords_refuse_the_cut() {
        let root =
            json!({"items": {"properties": {"a": {"type": "string"}, "b": {"type": "string"}}}});
        let cut_schema = cut(&root, &json!([{"a": "1"}, {"b": "2"}]), Refs::WithSiblings).unwrap();
        assert_eq!(
            cut_schema,
            json!({"items": {"properties": {"a": {"type": "string"}, "b": {"type": "string"}}}})
        );
        assert_eq!(
            cut(
                &json!({"items": {"type": "string"}}),
                &json!([]),
                Refs::WithSiblings
            )
            .unwrap(),
            json!({"items": {}})
        );
        assert_eq!(
            cut(
                &json!({"unevaluatedProperties": false}),
                &json!({}),
                Refs::WithSiblings
            ),
            None
        );
        assert_eq!(
            cut(
                &json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}}),
                &json!({}),
                Refs::WithSiblings
            ),
            None
        );
    }
}
