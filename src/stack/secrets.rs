//! Refuses key material in a stack. Credentials must stay in a Kubernetes Secret that the stack
//! names; anything that looks like a key would otherwise end up in Git through the rendered YAML.

use toml::Spanned as TomlSpanned;
use toml::de::{DeTable, DeValue};

use super::reader::Cx;
use crate::diag::{Code, Diagnostic, Label};

/// Key names (lower-cased, `_`/`-` removed) that only ever hold secrets.
const SECRET_KEYS: &[&str] = &[
    "akid",
    "aksecret",
    "accesskey",
    "accesskeyid",
    "accesskeysecret",
    "secretkey",
    "secretaccesskey",
    "sessiontoken",
    "securitytoken",
    "token",
    "apikey",
    "password",
    "passwd",
    "privatekey",
    "clientsecret",
    "hftoken",
    "awsaccesskeyid",
    "awssecretaccesskey",
    "ossaccesskeyid",
    "ossaccesskeysecret",
];

const HELP: &str = "create the Secret outside Git (e.g. `kubectl create secret generic oss-secret \
--from-literal=akId=... --from-literal=akSecret=...`, or a SealedSecret / External Secrets \
object) and put only its name in the stack: `[model] credentials = \"oss-secret\"`";

/// Reports every secret-looking key or value; returns how many were found.
pub fn scan(cx: &mut Cx, table: &DeTable<'_>) -> usize {
    let mut found = 0;
    scan_table(cx, table, &mut found);
    found
}

fn scan_table(cx: &mut Cx, table: &DeTable<'_>, found: &mut usize) {
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let normalized: String = name
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        if SECRET_KEYS.contains(&normalized.as_str()) {
            report(
                cx,
                key.span(),
                format!("the key `{name}` holds a credential"),
            );
            *found += 1;
        } else if name == "credentials" && !value.get_ref().is_str() {
            report(
                cx,
                key.span(),
                "`credentials` must be the name of a Secret, not the credentials themselves"
                    .to_owned(),
            );
            *found += 1;
        } else {
            scan_value(cx, value, found);
        }
    }
}

fn scan_value(cx: &mut Cx, value: &TomlSpanned<DeValue<'_>>, found: &mut usize) {
    match value.get_ref() {
        DeValue::String(s) => {
            if let Some(kind) = looks_like_secret(s) {
                report(cx, value.span(), format!("this value looks like {kind}"));
                *found += 1;
            }
        }
        DeValue::Array(items) => {
            for item in items.iter() {
                scan_value(cx, item, found);
            }
        }
        DeValue::Table(table) => scan_table(cx, table, found),
        _ => {}
    }
}

fn report(cx: &mut Cx, range: std::ops::Range<usize>, message: String) {
    let span = cx.span(range);
    cx.diagnostics.push(
        Diagnostic::error(
            Code::CredentialsInStack,
            Label::new(span, "credential"),
            format!("{message}; stacks must not contain credentials"),
        )
        .with_help(HELP),
    );
}

/// Recognises the shapes of common cloud keys and tokens, without a regex engine.
fn looks_like_secret(s: &str) -> Option<&'static str> {
    let token = |prefix: &str, min: usize, alphabet: fn(char) -> bool| {
        s.split(|c: char| !(alphabet(c) || c == '_' || c == '-'))
            .any(|w| {
                w.starts_with(prefix)
                    && w.len() >= prefix.len() + min
                    && w.chars().all(|c| alphabet(c) || c == '_' || c == '-')
            })
    };
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if token("LTAI", 12, alnum) {
        return Some("an Alibaba Cloud AccessKey ID");
    }
    if token("AKIA", 16, alnum) || token("ASIA", 16, alnum) {
        return Some("an AWS access key ID");
    }
    if token("AIza", 30, alnum) {
        return Some("a Google API key");
    }
    if token("hf_", 30, alnum) {
        return Some("a Hugging Face token");
    }
    if token("ghp_", 30, alnum) || token("github_pat_", 30, alnum) {
        return Some("a GitHub token");
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    if url_has_password(s) {
        return Some("a URL with a password in it");
    }
    None
}

/// `scheme://user:password@host/...`
fn url_has_password(s: &str) -> bool {
    let Some((_, rest)) = s.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_key_shapes() {
        assert!(looks_like_secret("LTAI5tExampleExample12").is_some());
        assert!(looks_like_secret("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(looks_like_secret("hf_abcdefghijklmnopqrstuvwxyzABCDEF").is_some());
        assert!(looks_like_secret("http://user:pw@oss-cn-hangzhou.aliyuncs.com").is_some());
        assert!(looks_like_secret("-----BEGIN RSA PRIVATE KEY-----").is_some());
    }

    #[test]
    fn ordinary_values_pass() {
        for ok in [
            "oss-secret",
            "http://oss-cn-hangzhou-internal.aliyuncs.com",
            "oss://qwen-models/models/Qwen1.5-4B-Chat",
            "ac2-registry.cn-hangzhou.cr.aliyuncs.com/ac2/vllm:0.4.1-ubuntu22.04",
            "--trust-remote-code",
            "LTAI",
        ] {
            assert_eq!(looks_like_secret(ok), None, "{ok}");
        }
    }
}
