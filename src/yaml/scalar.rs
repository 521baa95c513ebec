//! Plain-scalar typing the way Kubernetes reads YAML (sigs.k8s.io/yaml, go-yaml v2, YAML 1.1):
//! `yes`/`on` are booleans, `0x1F` is an integer, `08` is the float 8. Validating with the same
//! rules as the API server means a manifest means here what it will mean there.

use serde_json::{Number, Value};

/// The JSON value of a plain (unquoted) scalar.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::String(text.to_owned());
    }
    integer(text)
        .or_else(|| float(text))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

/// The value of a scalar with a core tag (`!!int`, `!!float`, `!!bool`, `!!null`), which
/// decides its type whatever its style; `None` for other tags, or text the tag cannot read.
pub fn resolve_tagged(suffix: &str, text: &str) -> Option<Value> {
    match suffix {
        "int" => integer(text),
        "float" => float(text).or_else(|| {
            integer(text)
                .and_then(|v| v.as_f64())
                .and_then(Number::from_f64)
                .map(Value::Number)
        }),
        "bool" => match resolve_plain(text) {
            Value::Bool(b) => Some(Value::Bool(b)),
            _ => None,
        },
        "null" => Some(Value::Null),
        _ => None,
    }
}

fn integer(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let plain = without_underscores(body);
    let (digits, radix) = if let Some(hex) = plain.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(bin) = plain.strip_prefix("0b") {
        (bin, 2)
    } else if plain.len() > 1 && plain.starts_with('0') {
        (&plain[1..], 8)
    } else {
        (plain.as_ref(), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok()?.checked_neg()?;
        Some(Value::Number(value.into()))
    } else {
        Some(Value::Number(magnitude.into()))
    }
}

/// Go accepts `1_000`; most scalars have no `_`, so they are not copied.
fn without_underscores(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    }
}

fn float(text: &str) -> Option<Value> {
    let plain = without_underscores(text);
    let unsigned = plain.trim_start_matches(['-', '+']);
    let shaped = unsigned
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.')
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && unsigned.chars().any(|c| c.is_ascii_digit());
    if !shaped {
        return None;
    }
    let value: f64 = plain.parse().ok()?;
    Number::from_f64(value).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_scalars_like_kubernetes() {
        assert_eq!(resolve_plain("yes"), json!(true));
        assert_eq!(resolve_plain("off"), json!(false));
        assert_eq!(resolve_plain("~"), json!(null));
        assert_eq!(resolve_plain("8080"), json!(8080));
        assert_eq!(resolve_plain("-3"), json!(-3));
        assert_eq!(resolve_plain("0x1F"), json!(31));
        assert_eq!(resolve_plain("010"), json!(8));
        assert_eq!(resolve_plain("0.95"), json!(0.95));
        assert_eq!(resolve_plain("1e3"), json!(1000.0));
        // go-yaml v2 reads 08 as the float 8: why the emitter quotes such strings.
        assert_eq!(resolve_plain("08"), json!(8.0));
        assert_eq!(resolve_plain("30Gi"), json!("30Gi"));
        assert_eq!(resolve_plain("1.2.3"), json!("1.2.3"));
        assert_eq!(resolve_plain("-"), json!("-"));
        assert_eq!(resolve_plain("99999999999999999999999"), json!(1e23));
    }
}
