//! Combines the objects of every stack in a build. Shared cluster-level objects (the Gateway,
//! config-network, storage) defined identically by several stacks are emitted once; defined
//! differently, they are an error naming both places. A service defined twice is always an error.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::k8s::{Object, ObjectRef, Sharing};

/// All objects by identity, plus the conflicts found.
pub fn merge(objects: impl IntoIterator<Item = Object>) -> (Vec<Object>, Diagnostics) {
    let mut merged: BTreeMap<ObjectRef, Object> = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    for object in objects {
        let Some(first) = merged.get(&object.id) else {
            merged.insert(object.id.clone(), object);
            continue;
        };
        if object.sharing == Sharing::Owned || first.sharing == Sharing::Owned {
            diagnostics.push(
                Diagnostic::error(
                    Code::DuplicateService,
                    Label::new(object.origin, "defined again here"),
                    format!("{} is defined by two stacks", object.id),
                )
                .with_secondary(Label::new(first.origin, "first defined here"))
                .with_help("each service needs its own name in its namespace: rename one of them"),
            );
        } else if let Some((pointer, theirs, ours)) =
            first_difference(&first.body, &object.body, String::new())
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::SharedObjectConflict,
                    Label::new(object.origin_of(&pointer), format!("here {pointer} is {}", show(ours))),
                    format!("{} is defined differently by two stacks: {pointer} differs", object.id),
                )
                .with_secondary(Label::new(first.origin_of(&pointer), format!("but here it is {}", show(theirs))))
                .with_help("stacks that share this object must define it identically; make the values agree, or give one stack its own name for it"),
            );
        }
    }
    (merged.into_values().collect(), diagnostics)
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
                let path = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
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
}
