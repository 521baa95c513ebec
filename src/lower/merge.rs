//! Combines the objects of every stack in a build. Shared cluster-level objects (the Gateway,
//! storage) defined identically by several stacks are emitted once; defined differently, they
//! are an error naming both places. Knative's ConfigMaps, of which inferstack owns only some
//! keys, are merged key by key: each stack adds the keys it needs, one key with two values is a
//! conflict, and a maximum (`max-revision-timeout-seconds`) takes the largest value. A service
//! defined twice is always an error.

use std::collections::BTreeMap;

use serde_json::Value;

use super::network::{GATEWAY_CONFIGMAP, MAXIMUM_KEYS, is_knative_configmap};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::{Object, ObjectRef, Sharing};
use crate::source::{FileId, Span};

/// All objects by identity, plus the conflicts found.
pub fn merge(objects: impl IntoIterator<Item = Object>) -> (Vec<Object>, Diagnostics) {
    let mut merged: BTreeMap<ObjectRef, Object> = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    let mut owned_twice: BTreeMap<(FileId, FileId), Vec<Twice>> = BTreeMap::new();
    for object in objects {
        let Some(first) = merged.get_mut(&object.id) else {
            merged.insert(object.id.clone(), object);
            continue;
        };
        if object.sharing == Sharing::Owned || first.sharing == Sharing::Owned {
            let stacks = (first.origin.file, object.origin.file);
            owned_twice.entry(stacks).or_default().push(Twice {
                id: object.id.clone(),
                again: object.origin,
                first: first.origin,
            });
            continue;
        }
        let difference = if is_knative_configmap(&object) {
            merge_data(first, &object)
        } else {
            first_difference(&first.body, &object.body, String::new())
                .map(|(p, a, b)| (p, a.cloned(), b.cloned()))
        };
        if let Some((pointer, theirs, ours)) = difference {
            let help = if object.id.name == GATEWAY_CONFIGMAP {
                "net-gateway-api programs one Gateway per cluster: every gateway-api stack built together must name the same [gateway]"
            } else if is_knative_configmap(&object) {
                "Knative reads one value per key for the whole cluster: make the stacks agree on it"
            } else {
                "stacks that share this object must define it identically; make the values agree, or give one stack its own name for it"
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::SharedObjectConflict,
                    Label::new(
                        object.origin_of(&pointer),
                        format!("here {pointer} is {}", show(ours.as_ref())),
                    ),
                    format!(
                        "{} is defined differently by two stacks: {pointer} differs",
                        object.id
                    ),
                )
                .with_secondary(Label::new(
                    first.origin_of(&pointer),
                    format!("but here it is {}", show(theirs.as_ref())),
                ))
                .with_help(help),
            );
        }
    }
    for twice in owned_twice.into_values() {
        diagnostics.push(defined_twice(&twice));
    }
    (merged.into_values().collect(), diagnostics)
}

/// An object two stacks both own, and where each defines it.
struct Twice {
    id: ObjectRef,
    again: Span,
    first: Span,
}

/// One finding per pair of stacks that define the same objects (a stack copied under another
/// file name defines all of them twice): located at the Knative Service, which stands for the
/// objects named after it, with the count of the others.
fn defined_twice(objects: &[Twice]) -> Diagnostic {
    let lead = objects
        .iter()
        .find(|t| t.id.is_knative_service())
        .unwrap_or(&objects[0]);
    let others: Vec<String> = objects
        .iter()
        .filter(|t| t.id != lead.id)
        .map(|t| t.id.to_string())
        .collect();
    let message = match others.len() {
        0 => format!("{} is defined by two stacks", lead.id),
        n => format!(
            "{} is defined by two stacks, and so are {n} more of their objects: {}",
            lead.id,
            others.join(", ")
        ),
    };
    Diagnostic::error(
        Code::DuplicateService,
        Label::new(lead.again, "defined again here"),
        message,
    )
    .with_secondary(Label::new(lead.first, "first defined here"))
    .with_help("each service needs its own name in its namespace: rename one of them")
}

/// Adds `other`'s data keys to `first`; the first key both set differently, if any, with its
/// pointer and both values. Maximum keys keep the larger number instead.
fn merge_data(
    first: &mut Object,
    other: &Object,
) -> Option<(String, Option<Value>, Option<Value>)> {
    let theirs = other.body.get("data").and_then(Value::as_object)?;
    let ours = first.body.get_mut("data").and_then(Value::as_object_mut)?;
    for (key, value) in theirs {
        match ours.get(key) {
            None => {
                ours.insert(key.clone(), value.clone());
            }
            Some(existing) if existing == value => {}
            Some(existing) if MAXIMUM_KEYS.contains(&key.as_str()) => {
                let number = |v: &Value| v.as_str().and_then(|s| s.parse::<i64>().ok());
                if number(value) > number(existing) {
                    ours.insert(key.clone(), value.clone());
                }
            }
            Some(existing) => {
                let pointer = format!("/data/{}", crate::yaml::escape(key));
                return Some((pointer, Some(existing.clone()), Some(value.clone())));
            }
        }
    }
    None
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

/// The JSON Pointer of the first place two bodies differ, with both values there.
fn first_difference<'a>(
    a: &'a Value,
    b: &'a Value,
    at: String,
) -> Option<(String, Option<&'a Value>, Option<&'a Value>)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let path = format!("{at}/{}", crate::yaml::escape(k));
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, path),
                    (p, q) => Some((path, p, q)),
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some((at, Some(a), Some(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_first_differing_pointer() {
        let a = json!({"spec": {"class": "a", "listeners": [{"port": 80}]}});
        let b = json!({"spec": {"class": "a", "listeners": [{"port": 81}]}});
        let (pointer, x, y) = first_difference(&a, &b, String::new()).unwrap();
        assert_eq!(pointer, "/spec/listeners/0/port");
        assert_eq!((x, y), (Some(&json!(80)), Some(&json!(81))));
        assert!(first_difference(&a, &a, String::new()).is_none());
    }

    fn config(name: &str, key: &str, value: &str, file: u32) -> Object {
        let id = ObjectRef {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: Some("knative-serving".into()),
            name: name.into(),
        };
        let body = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "knative-serving"}, "data": {key: value}});
        let origin = crate::source::Span::file_start(crate::source::FileId(file));
        Object::new(id, &body, origin, Sharing::Shared).unwrap()
    }

    #[test]
    fn two_stacks_writing_one_knative_key_differently_conflict_and_other_keys_merge() {
        for name in ["config-features", "config-defaults"] {
            let (merged, conflicts) = merge([
                config(name, "a", "enabled", 0),
                config(name, "b", "enabled", 1),
                config(name, "a", "disabled", 2),
            ]);
            assert_eq!(
                merged[0].body["data"],
                json!({"a": "enabled", "b": "enabled"})
            );
            let only = conflicts.iter().next().unwrap();
            assert_eq!(only.code, Code::SharedObjectConflict);
            assert!(only.message.contains("/data/a differs"), "{}", only.message);
            assert_eq!(only.primary.span.file, crate::source::FileId(2));
        }
        // A maximum takes the largest value instead.
        let (merged, conflicts) = merge([
            config("config-defaults", "max-revision-timeout-seconds", "600", 0),
            config("config-defaults", "max-revision-timeout-seconds", "900", 1),
        ]);
        assert!(conflicts.is_empty());
        assert_eq!(
            merged[0].body["data"]["max-revision-timeout-seconds"],
            "900"
        );
    }
}
