//! What the key table ([`super::keys`]) says, for people and editors: the stack's JSON Schema
//! (`inferstack schema`) and the README's stack reference table. Both are generated, so they
//! cannot drift from what the reader accepts.

use serde_json::{Map, Value, json};

use super::keys::{
    self, Absent, ISSUER_KINDS, KEYS, Key, LISTENER_PROTOCOLS, TLS_MODES, TOLERATION_KEYS, Ty,
};
use super::reader::{ONCE_PER_FILE, REQUEST_LIMIT_KEYS};

/// A Go duration as `time.ParseDuration` reads it (the stack rules say what is wrong precisely).
const DURATION_PATTERN: &str = r"^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$";

/// The JSON Schema (draft-07) of the stack format.
pub fn json_schema() -> Value {
    let mut root = section_schema("");
    let root_map = root.as_object_mut().expect("a section is an object");
    let mut out = Map::new();
    out.insert(
        "$schema".into(),
        json!("http://json-schema.org/draft-07/schema#"),
    );
    out.insert(
        "$id".into(),
        json!("https://inferstack.dev/schemas/stack.schema.json"),
    );
    out.insert("title".into(), json!("inferstack stack"));
    out.insert(
        "description".into(),
        json!(
            "One LLM inference service: a Knative Service running a model server, behind the Gateway API, with its model read from object storage, a claim or the Hugging Face hub."
        ),
    );
    out.extend(std::mem::take(root_map));
    out.insert("definitions".into(), definitions());
    Value::Object(out)
}

fn definitions() -> Value {
    // An environment overrides any key a file has once per environment.
    let mut environment = section_schema("");
    if let Some(properties) = environment["properties"].as_object_mut() {
        for once in ONCE_PER_FILE {
            properties.remove(*once);
        }
    }
    json!({
        "environment": environment,
        "dnsLabel": {
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
            "maxLength": 63
        },
        "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
        "dnsSubdomain": {
            "type": "string",
            "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            "maxLength": 253
        },
        "quantity": {
            "description": "A Kubernetes quantity: \"8\", \"500m\", \"32Gi\"; a bare number is accepted.",
            "oneOf": [
                {
                    "type": "string",
                    "pattern": "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
                },
                { "type": "number", "minimum": 0 }
            ]
        },
        "requestLimit": {
            "description": "One value for both request and limit, or a table with each.",
            "oneOf": [
                { "$ref": "#/definitions/quantity" },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": REQUEST_LIMIT_KEYS
                        .iter()
                        .map(|k| ((*k).to_owned(), json!({ "$ref": "#/definitions/quantity" })))
                        .collect::<Map<String, Value>>()
                }
            ]
        }
    })
}

fn section_schema(section: &str) -> Value {
    // Nothing is required: any key may come from a layer (`extends`, the workspace), so a
    // required key is only missing once the layers are applied, and `check` says where.
    let properties: Map<String, Value> = keys::children(section)
        .map(|key| (keys::leaf(key.path).to_owned(), key_schema(key)))
        .collect();
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

fn key_schema(key: &Key) -> Value {
    let mut schema = match key.ty {
        Ty::Table => section_schema(key.path),
        Ty::Str => json!({ "type": "string" }),
        Ty::Enum(choices) => json!({ "type": "string", "enum": choices }),
        Ty::DnsLabel => json!({ "$ref": "#/definitions/dnsLabel" }),
        Ty::DnsSubdomain => json!({ "$ref": "#/definitions/dnsSubdomain" }),
        Ty::Duration => json!({ "type": "string", "pattern": DURATION_PATTERN }),
        Ty::Int(range) => ranged("integer", range),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Port => json!({ "type": "integer", "minimum": 1, "maximum": 65535 }),
        Ty::Url(schemes) => json!({
            "type": "string",
            "pattern": format!("^({})://.+$", schemes.join("|"))
        }),
        Ty::Num(range) => ranged("number", range),
        Ty::Quantity => json!({ "$ref": "#/definitions/quantity" }),
        Ty::RequestLimit => json!({ "$ref": "#/definitions/requestLimit" }),
        Ty::StrMap => json!({ "type": "object", "additionalProperties": { "type": "string" } }),
        Ty::Strs => json!({ "type": "array", "items": { "type": "string" } }),
        Ty::Layers => json!({
            "oneOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        }),
        Ty::Environments => json!({
            "type": "object",
            "additionalProperties": { "$ref": "#/definitions/environment" }
        }),
        Ty::Listeners => json!({
            "type": "object",
            "additionalProperties": {
                "oneOf": [
                    { "$ref": "#/definitions/port" },
                    {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["port"],
                        "properties": {
                            "port": { "$ref": "#/definitions/port" },
                            "protocol": { "type": "string", "enum": LISTENER_PROTOCOLS },
                            "hostname": { "type": "string" },
                            "tls": {
                                "oneOf": [
                                    { "$ref": "#/definitions/dnsSubdomain" },
                                    { "type": "array", "items": { "$ref": "#/definitions/dnsSubdomain" } }
                                ]
                            },
                            "tls_mode": { "type": "string", "enum": TLS_MODES }
                        }
                    }
                ]
            }
        }),
        Ty::Issuer => json!({
            "oneOf": [
                { "$ref": "#/definitions/dnsSubdomain" },
                {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "properties": {
                        "name": { "$ref": "#/definitions/dnsSubdomain" },
                        "kind": { "type": "string", "enum": ISSUER_KINDS }
                    }
                }
            ]
        }),
        Ty::Adapters => json!({
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name", "source"],
                "properties": {
                    "name": { "type": "string" },
                    "source": { "type": "string" },
                    "rank": { "type": "integer", "minimum": 1 },
                    "priority": { "type": "integer", "minimum": -2147483648_i64, "maximum": 2147483647 }
                }
            }
        }),
        Ty::Tolerations => json!({
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": false,
                "properties": TOLERATION_KEYS.iter().map(|k| {
                    let schema = match *k {
                        "operator" => json!({ "type": "string", "enum": ["Equal", "Exists"] }),
                        "effect" => json!({
                            "type": "string",
                            "enum": ["", "NoSchedule", "PreferNoSchedule", "NoExecute"]
                        }),
                        "toleration_seconds" => json!({ "type": "integer" }),
                        _ => json!({ "type": "string" }),
                    };
                    ((*k).to_owned(), schema)
                }).collect::<Map<String, Value>>()
            }
        }),
    };
    let description = match default_text(key.default) {
        Some(default) if key.ty != Ty::Table => format!("{} Default: {default}.", key.doc),
        _ => key.doc.to_owned(),
    };
    let description = without_links(&description.replace('`', ""));
    // A `$ref` sibling is ignored by draft-07, so the description wraps it.
    if schema.get("$ref").is_some() {
        schema = json!({ "allOf": [schema] });
    }
    schema["description"] = json!(description);
    schema
}

/// A number type with its range, as JSON Schema draft-07 writes it (`exclusiveMinimum` is a
/// number there). Integral bounds are written as integers.
fn ranged(kind: &str, range: keys::Range) -> Value {
    let number = |n: f64| {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            json!(n as i64)
        } else {
            json!(n)
        }
    };
    let mut schema = json!({ "type": kind });
    let low = if range.min_exclusive {
        "exclusiveMinimum"
    } else {
        "minimum"
    };
    schema[low] = number(range.min);
    if let Some(max) = range.max {
        schema["maximum"] = number(max);
    }
    schema
}

/// The README's `[Text](#anchor)` links, which mean nothing in an editor's hover, as "the
/// README's Text".
fn without_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after
            .find("](#")
            .and_then(|close| Some((close, after[close..].find(')')? + close)));
        match link {
            Some((close, end)) if !after[..close].contains('[') => {
                out.push_str(&rest[..open]);
                out.push_str("the README's ");
                out.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn default_text(default: Absent) -> Option<String> {
    match default {
        Absent::Required => None,
        Absent::Unset => Some("unset".to_owned()),
        Absent::Str(s) => Some(format!("`\"{s}\"`")),
        Absent::Int(n) => Some(format!("`{n}`")),
        Absent::Bool(b) => Some(format!("`{b}`")),
        Absent::Derived(text) => Some(text.to_owned()),
    }
}

fn type_text(key: &Key) -> String {
    if !key.shape.is_empty() {
        return key.shape.to_owned();
    }
    match key.ty {
        Ty::Enum(choices) => choices
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", "),
        Ty::DnsLabel => "DNS-1123 label".to_owned(),
        Ty::DnsSubdomain => "DNS-1123 subdomain".to_owned(),
        Ty::Duration => "duration".to_owned(),
        Ty::Quantity => "quantity".to_owned(),
        Ty::Int(range) => format!("integer, {}", range.describe()),
        Ty::Bool => "boolean".to_owned(),
        Ty::Port => "1-65535".to_owned(),
        Ty::Url(schemes) => schemes
            .iter()
            .map(|s| format!("`{s}://`"))
            .collect::<Vec<_>>()
            .join(", "),
        Ty::Num(range) => format!("number, {}", range.describe()),
        Ty::StrMap => "table of strings".to_owned(),
        Ty::Strs => "array of strings".to_owned(),
        Ty::Str
        | Ty::Layers
        | Ty::Environments
        | Ty::Table
        | Ty::RequestLimit
        | Ty::Listeners
        | Ty::Issuer
        | Ty::Adapters
        | Ty::Tolerations => "string".to_owned(),
    }
}

/// The README's stack reference: one row per key, sections left out.
pub fn reference_table() -> String {
    let mut out = String::from("| key | type | default | becomes |\n|---|---|---|---|\n");
    for key in KEYS.iter().filter(|k| k.ty != Ty::Table) {
        let default = default_text(key.default).unwrap_or_else(|| "required".to_owned());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            key.path,
            type_text(key),
            default,
            key.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_has_every_key_and_requires_none_since_layers_may_give_them() {
        let schema = json_schema();
        assert_eq!(schema.get("required"), None);
        assert!(
            schema["definitions"]["environment"]["properties"]
                .get("extends")
                .is_none()
        );
        assert!(schema["definitions"]["environment"]["properties"]["service"].is_object());
        assert_eq!(
            schema["properties"]["engine"]["properties"]["kind"]["enum"],
            json!(["vllm", "sglang", "custom"])
        );
    }

    #[test]
    fn the_reference_lists_defaults_as_resolve_uses_them() {
        let table = reference_table();
        assert!(
            table.contains("| `engine.port` | 1-65535 | `8080` |"),
            "{table}"
        );
        assert!(table.contains("| `service.name` | DNS-1123 label | required |"));
    }
}
