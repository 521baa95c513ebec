//! Kubernetes name rules, shared by every check that validates a user-chosen name.

/// RFC 1123 label: what namespaces, Services and pod volumes are named with.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters (most object names).
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label value: empty, or up to 63 of `[A-Za-z0-9._-]` starting and ending alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty() || is_qualified_part(s)
}

/// A label or annotation key: `[prefix/]name`, the prefix a DNS subdomain.
pub fn is_label_key(s: &str) -> bool {
    match s.split_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty() && is_dns_subdomain(prefix) && is_qualified_part(name)
        }
        None => is_qualified_part(s),
    }
}

fn is_qualified_part(s: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric();
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| ok(b) || matches!(b, b'-' | b'_' | b'.'))
        && s.bytes().next().is_some_and(ok)
        && s.bytes().last().is_some_and(ok)
}

/// A single directory name that is safe to put in a path: no separators, no `.`/`..`.
pub fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_subdomains() {
        assert!(is_dns_label("qwen"));
        assert!(is_dns_label("llm-gw"));
        assert!(!is_dns_label("Qwen"));
        assert!(!is_dns_label("-x"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_dns_subdomain("knative.dev"));
        assert!(!is_dns_subdomain("a..b"));
    }

    #[test]
    fn label_keys_and_values() {
        assert!(is_label_key("release"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("/name"));
        assert!(is_label_value(""));
        assert!(is_label_value("Qwen1.5"));
        assert!(!is_label_value("a b"));
    }

    #[test]
    fn path_segments() {
        assert!(is_path_segment("Qwen1.5-4B-Chat"));
        assert!(!is_path_segment(".."));
        assert!(!is_path_segment("a/b"));
    }
}
