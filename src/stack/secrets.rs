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

/// The help for a credential in the server's environment or command line.
const ENV_HELP: &str = "keep the value in a Secret created outside Git and reference it: \
`[engine] secret_env = { NAME = \"<secret>/<key>\" }` (vLLM reads its API key from VLLM_API_KEY)";

/// Where a table's keys are Secret references by design, so their names are not secrets.
const REFERENCE_TABLES: [&str; 1] = ["engine.secret_env"];

/// Command-line flags whose value is a credential.
const CREDENTIAL_FLAGS: [&str; 4] = ["--api-key", "--hf-token", "--token", "--password"];

/// Reports every secret-looking key or value; returns how many were found.
pub fn scan(cx: &mut Cx, table: &DeTable<'_>) -> usize {
    let mut found = 0;
    scan_table(cx, table, "", &mut found);
    found
}

fn scan_table(cx: &mut Cx, table: &DeTable<'_>, path: &str, found: &mut usize) {
    let help = if path.starts_with("engine") {
        ENV_HELP
    } else {
        HELP
    };
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let normalized: String = name
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        let child = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        let is_reference = REFERENCE_TABLES.contains(&path);
        if !is_reference && SECRET_KEYS.contains(&normalized.as_str()) {
            report(
                cx,
                key.span(),
                format!("the key `{name}` holds a credential"),
                help,
            );
            *found += 1;
        } else if name == "credentials" && !value.get_ref().is_str() {
            report(
                cx,
                key.span(),
                "`credentials` must be the name of a Secret, not the credentials themselves"
                    .to_owned(),
                HELP,
            );
            *found += 1;
        } else {
            scan_value(cx, value, &child, help, found);
        }
    }
}

fn scan_value(
    cx: &mut Cx,
    value: &TomlSpanned<DeValue<'_>>,
    path: &str,
    help: &str,
    found: &mut usize,
) {
    match value.get_ref() {
        DeValue::String(s) => {
            if let Some(kind) = looks_like_secret(s) {
                report(
                    cx,
                    value.span(),
                    format!("this value looks like {kind}"),
                    help,
                );
                *found += 1;
            }
        }
        DeValue::Array(items) => {
            for item in items.iter() {
                let flag = item
                    .get_ref()
                    .as_str()
                    .and_then(|s| CREDENTIAL_FLAGS.iter().find(|f| is_flag(s, f)));
                match flag {
                    Some(flag) => {
                        report(
                            cx,
                            item.span(),
                            format!("`{flag}` passes a credential on the command line"),
                            ENV_HELP,
                        );
                        *found += 1;
                    }
                    None => scan_value(cx, item, path, help, found),
                }
            }
        }
        DeValue::Table(table) => scan_table(cx, table, path, found),
        _ => {}
    }
}

/// `--flag` or `--flag=value`.
fn is_flag(arg: &str, flag: &str) -> bool {
    arg.strip_prefix(flag)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
}

fn report(cx: &mut Cx, range: std::ops::Range<usize>, message: String, help: &str) {
    let span = cx.span(range);
    cx.diagnostics.push(
        Diagnostic::error(
            Code::CredentialsInStack,
            Label::new(span, "credential"),
            format!("{message}; stacks must not contain credentials"),
        )
        .with_help(help.to_owned()),
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
    if ["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"]
        .iter()
        .any(|p| token(p, 30, alnum))
    {
        return Some("a GitHub token");
    }
    if token("sk-", 32, alnum) {
        return Some("an API key (sk-...)");
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
        assert!(looks_like_secret("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789").is_some());
        assert!(looks_like_secret("ghs_abcdefghijklmnopqrstuvwxyz0123456789").is_some());
    }

    #[test]
    fn credential_flags_match_with_or_without_a_value() {
        assert!(is_flag("--api-key", "--api-key"));
        assert!(is_flag("--api-key=x", "--api-key"));
        assert!(!is_flag("--api-key-file", "--api-key"));
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
