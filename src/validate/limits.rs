//! Size limits the API server and etcd enforce that no schema states:
//! - an object is one etcd request, and etcd refuses requests over `--max-request-bytes`,
//!   1.5 MiB by default (`embed.DefaultMaxRequestBytes`), which the API server returns as
//!   "etcdserver: request is too large";
//! - a Secret's or ConfigMap's data may hold at most 1 MiB (`corev1.MaxSecretSize`, checked by
//!   `ValidateSecret` and `ValidateConfigMap` in kubernetes v1.35.7
//!   `pkg/apis/core/validation/validation.go`);
//! - an object's annotations, keys and values together, at most 256 KiB
//!   (`TotalAnnotationSizeLimitB` of apimachinery v0.35.7 `pkg/api/validation/objectmeta.go`).

use serde_json::Value;

/// etcd's default `--max-request-bytes`.
pub const MAX_OBJECT_BYTES: usize = 1_572_864;
/// `corev1.MaxSecretSize`, the bound of a Secret's and a ConfigMap's data.
const MAX_DATA_BYTES: usize = 1_048_576;
/// `TotalAnnotationSizeLimitB`.
const MAX_ANNOTATION_BYTES: usize = 262_144;

/// One limit crossed: where, and what with the numbers.
#[derive(Debug, PartialEq)]
pub struct Crossed {
    pub pointer: String,
    pub message: String,
}

/// The limits `object` (of `api_version` and `kind`) crosses.
pub fn check(api_version: &str, kind: &str, object: &Value) -> Vec<Crossed> {
    let mut out = Vec::new();
    let size = json_size(object);
    if size > MAX_OBJECT_BYTES {
        out.push(Crossed {
            pointer: String::new(),
            message: format!(
                "the {kind} is {size} bytes as JSON, above etcd's request limit of \
                 {MAX_OBJECT_BYTES} bytes (1.5 MiB): the API server answers \"etcdserver: \
                 request is too large\"; move the bulk into a volume or several objects"
            ),
        });
    }
    let annotations: usize = object
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if annotations > MAX_ANNOTATION_BYTES {
        out.push(Crossed {
            pointer: "/metadata/annotations".to_owned(),
            message: format!(
                "Too long: may not be more than {MAX_ANNOTATION_BYTES} bytes: the annotations \
                 hold {annotations} bytes (keys and values); keep large data in a ConfigMap"
            ),
        });
    }
    if api_version == "v1" && matches!(kind, "Secret" | "ConfigMap") {
        let data = data_size(kind, object);
        if data > MAX_DATA_BYTES {
            out.push(Crossed {
                pointer: "/data".to_owned(),
                message: format!(
                    "Too long: may not be more than {MAX_DATA_BYTES} bytes: the {kind}'s data \
                     holds {data} bytes; a {kind} is limited to 1 MiB, so split it or mount a \
                     volume"
                ),
            });
        }
    }
    out
}

/// The bytes of a Secret's data (base64 decoded, `stringData` overriding `data`) or a
/// ConfigMap's `data` and `binaryData` (decoded), as the API server counts them.
fn data_size(kind: &str, object: &Value) -> usize {
    let map = |field: &str| object.get(field).and_then(Value::as_object);
    fn text(v: &Value) -> &str {
        v.as_str().unwrap_or("")
    }
    let decoded = |v: &Value| decoded_len(text(v));
    let mut total = 0;
    if kind == "Secret" {
        let plain = map("stringData");
        for (key, value) in map("data").into_iter().flatten() {
            if !plain.is_some_and(|p| p.contains_key(key)) {
                total += decoded(value);
            }
        }
        total += plain
            .into_iter()
            .flatten()
            .map(|(_, v)| text(v).len())
            .sum::<usize>();
    } else {
        total += map("data")
            .into_iter()
            .flatten()
            .map(|(_, v)| text(v).len())
            .sum::<usize>();
        total += map("binaryData")
            .into_iter()
            .flatten()
            .map(|(_, v)| decoded(v))
            .sum::<usize>();
    }
    total
}

/// The length base64 text decodes to (line breaks ignored, as Go's decoder does).
fn decoded_len(text: &str) -> usize {
    let significant = text.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).count();
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count().min(2);
    (significant / 4 * 3).saturating_sub(padding)
}

/// The length of `value` serialized as compact JSON, without building the text.
fn json_size(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}

/// Whether `text` is base64 as Go's `encoding/json` decodes a `[]byte` (standard alphabet,
/// padded, line breaks ignored): what a schema's `format: byte` means to the API server.
pub fn is_base64(text: &str) -> bool {
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let padding = bytes.iter().rev().take_while(|b| **b == b'=').count();
    padding <= 2
        && bytes[..bytes.len() - padding]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_as_go_decodes_it() {
        for good in ["", "aGk=", "aGVsbG8=", "aGVs\nbG8=", "YWJj"] {
            assert!(is_base64(good), "{good}");
        }
        for bad in ["aGk", "a===", "hf_secret!", "aG=k", "aGk=\u{e9}"] {
            assert!(!is_base64(bad), "{bad}");
        }
        assert_eq!(decoded_len("aGVsbG8="), 5);
        assert_eq!(decoded_len("YWJj"), 3);
    }

    #[test]
    fn data_and_annotations_are_bounded() {
        let big = "x".repeat(MAX_DATA_BYTES + 1);
        let configmap = json!({"data": {"a": big}});
        let found = check("v1", "ConfigMap", &configmap);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("holds 1048577 bytes"));
        // A Secret's stringData replaces the data of the same key.
        let secret = json!({"data": {"a": "eA=="}, "stringData": {"a": "y"}});
        assert_eq!(data_size("Secret", &secret), 1);
        let annotated =
            json!({"metadata": {"annotations": {"k": "v".repeat(MAX_ANNOTATION_BYTES)}}});
        let found = check("v1", "Pod", &annotated);
        assert_eq!(found[0].pointer, "/metadata/annotations");
        assert!(found[0].message.contains("262145 bytes"));
    }

    #[test]
    fn an_object_is_one_etcd_request() {
        let huge = json!({"data": {"a": "x".repeat(MAX_OBJECT_BYTES)}});
        let found = check("example.com/v1", "Widget", &huge);
        assert_eq!(found[0].pointer, "");
        assert!(found[0].message.contains("request is too large"));
        assert_eq!(json_size(&json!({"a": [1, "b"]})), r#"{"a":[1,"b"]}"#.len());
    }
}
