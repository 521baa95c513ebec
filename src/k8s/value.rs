//! Reading JSON values by JSON Pointer, for rules that look into objects whose types the schema
//! already checked: a missing or mistyped value is simply absent here.

use serde_json::Value;

/// The list at `pointer`, or an empty one.
pub fn array<'v>(value: &'v Value, pointer: &str) -> &'v [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The string at `pointer`.
pub fn text<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}
