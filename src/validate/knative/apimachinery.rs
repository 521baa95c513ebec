//! apimachinery's name checks with the messages Knative's webhook prints from them
//! (`k8s.io/apimachinery/pkg/util/validation`: `IsDNS1035Label`, `IsQualifiedName`,
//! `IsDNS1123Subdomain`, `RegexError`; `pkg/api/validation`: `NameIsDNS1035Label`), so a
//! message can be compared with upstream's tests word for word.

/// `IsDNS1035Label`'s pattern and message (`k8s.io/apimachinery/pkg/util/validation`).
const DNS1035_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or \
                           '-', start with an alphabetic character, and end with an alphanumeric \
                           character";
/// `IsLabelKey`'s pattern and message (`k8s.io/apimachinery/pkg/api/validate/content`).
const LABEL_KEY_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must \
                             start and end with an alphanumeric character";
/// `IsDNS1123Subdomain`'s pattern and message, for the prefix of a qualified name.
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case \
                                     alphanumeric characters, '-' or '.', and must start and end \
                                     with an alphanumeric character";

/// `IsDNS1035Label`: its messages, none when `value` is a DNS-1035 label.
pub fn dns1035_label(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > 63 {
        problems.push("must be no more than 63 characters".to_owned());
    }
    let b = value.as_bytes();
    let matches = b.first().is_some_and(u8::is_ascii_lowercase)
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.last() != Some(&b'-');
    if !matches {
        problems.push(regex_error(
            DNS1035_MSG,
            DNS1035_FMT,
            &["my-name", "abc-123"],
        ));
    }
    problems
}

/// `IsQualifiedName` (`IsLabelKey`): its messages, none when `value` is a qualified name.
pub fn qualified_name(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name: &str = match parts.as_slice() {
        [name] => name,
        [prefix, name] => {
            if prefix.is_empty() {
                problems.push("prefix part must be non-empty".to_owned());
            } else {
                problems.extend(
                    dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|p| format!("prefix part {p}")),
                );
            }
            name
        }
        _ => {
            return vec![format!(
                "a valid label key {} with an optional DNS subdomain prefix and '/' (e.g. \
                 'example.com/MyName')",
                regex_error(
                    LABEL_KEY_MSG,
                    LABEL_KEY_FMT,
                    &["MyName", "my.name", "123-abc"]
                )
            )];
        }
    };
    if name.is_empty() {
        problems.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        problems.push("name part must be no more than 63 bytes".to_owned());
    }
    let b = name.as_bytes();
    let matches = b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(*c, b'-' | b'_' | b'.'));
    if !matches {
        let message = regex_error(
            LABEL_KEY_MSG,
            LABEL_KEY_FMT,
            &["MyName", "my.name", "123-abc"],
        );
        problems.push(format!("name part {message}"));
    }
    problems
}

/// `IsDNS1123Subdomain`: its messages.
fn dns1123_subdomain(value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if value.len() > 253 {
        problems.push("must be no more than 253 bytes".to_owned());
    }
    let label = |l: &str| {
        let b = l.as_bytes();
        b.first()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && b.last()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && b.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    };
    if !value.split('.').all(label) {
        problems.push(regex_error(
            DNS1123_SUBDOMAIN_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    problems
}

/// `RegexError`: the message, its examples and the pattern, spaced exactly as Go spaces them
/// (`(e.g. 'a',  or 'b', regex used ...)`).
fn regex_error(message: &str, pattern: &str, examples: &[&str]) -> String {
    let quoted: Vec<String> = examples.iter().map(|e| format!("'{e}', ")).collect();
    format!(
        "{message} (e.g. {}regex used for validation is '{pattern}')",
        quoted.join(" or ")
    )
}

/// Go's `%q` of a string (`strconv.Quote`), close enough for names: the usual escapes, `\xNN`
/// for ASCII control characters and `\uNNNN` for other control characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `NameIsDNS1035Label(value, prefix)`: a `generateName` (`prefix`) may end in '-'. Go's
/// `maskTrailingDash` replaces the last two bytes by `a` (`name[:len(name)-2] + "a"`), and so
/// does this.
pub fn name_is_dns1035_label(value: &str, prefix: bool) -> Vec<String> {
    let b = value.as_bytes();
    if prefix && b.len() > 1 && b.ends_with(b"-") {
        let masked = [&b[..b.len() - 2], b"a"].concat();
        return dns1035_label(&String::from_utf8_lossy(&masked));
    }
    dns1035_label(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1035_labels() {
        assert_eq!(dns1035_label(&"a".repeat(64)).len(), 1);
        assert_eq!(dns1035_label(&"A".repeat(64)).len(), 2);
        assert!(dns1035_label("v2-canary").is_empty());
        assert_eq!(dns1035_label("2nd").len(), 1);
        assert!(name_is_dns1035_label("parent-", true).is_empty());
        assert_eq!(name_is_dns1035_label("parent-", false).len(), 1);
        assert_eq!(name_is_dns1035_label("-", true).len(), 1);
        // "a1-" is masked to "aa", "1-" to "a": the byte before the dash goes too.
        assert!(name_is_dns1035_label("1-", true).is_empty());
    }

    #[test]
    fn quoting_follows_go() {
        assert_eq!(go_quote("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\x01""#);
    }
}
