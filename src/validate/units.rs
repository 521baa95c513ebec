//! From a YAML stream to the objects to validate, read as the API server reads them:
//! - a null member of a mapping (`annotations:` with nothing under it, as Helm emits) is an
//!   absent field, not a wrong type;
//! - `kind: List` and every other `*List` kind (`ConfigMapList`, ...) is expanded into its
//!   `items`, each located inside the list.

use serde_json::Value;

use crate::source::FileId;
use crate::yaml::Stream;

/// One object to validate: a document, or an item of a List document.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub file: FileId,
    /// The document's index in its stream.
    pub document: usize,
    /// Where the object sits in its document: `""`, or `/items/3` inside a List.
    pub base: String,
    pub value: Value,
}

/// The objects of one parsed stream, in document order; empty documents are not objects.
pub fn of_stream(file: FileId, stream: Stream) -> Vec<Unit> {
    let mut units = Vec::new();
    for document in stream.documents {
        let mut value = document.value;
        if value.is_null() {
            continue;
        }
        drop_nulls(&mut value);
        match list_items(&mut value) {
            Some(items) => units.extend(items.into_iter().enumerate().map(|(i, item)| Unit {
                file,
                document: document.index,
                base: format!("/items/{i}"),
                value: item,
            })),
            None => units.push(Unit {
                file,
                document: document.index,
                base: String::new(),
                value,
            }),
        }
    }
    units
}

/// The items of a List document, taken out of it; `None` for any other document.
fn list_items(value: &mut Value) -> Option<Vec<Value>> {
    let is_list = value.get("apiVersion").is_some_and(Value::is_string)
        && value
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"));
    if !is_list {
        return None;
    }
    match value.get_mut("items")? {
        Value::Array(items) => Some(std::mem::take(items)),
        _ => None,
    }
}

/// Removes null members of every mapping, recursively; list items stay (a null item is an
/// error the schema reports).
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // `retain` rebuilds an ordered map's index, so only maps with a null pay for it.
            if map.values().any(Value::is_null) {
                map.retain(|_, v| !v.is_null());
            }
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn units(text: &str) -> Vec<Unit> {
        of_stream(FileId(0), crate::yaml::parse(text))
    }

    #[test]
    fn null_members_are_absent_fields() {
        let found = units(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n  labels: ~\ndata:\n  k: v\n",
        );
        assert_eq!(found[0].value["metadata"], json!({"name": "a"}));
    }

    #[test]
    fn lists_are_expanded_with_their_place() {
        let found = units(
            "---\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}}\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!((found[1].document, found[1].base.as_str()), (1, "/items/1"));
        assert_eq!(found[1].value["kind"], "Secret");
        let not_a_list = units("apiVersion: v1\nkind: List\nitems: 3\n");
        assert_eq!(not_a_list[0].base, "");
    }
}
