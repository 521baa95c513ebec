//! Refuses key material in a stack. Credentials must stay in a Kubernetes Secret that the stack
//! names; anything that looks like a key would otherwise end up in Git through the rendered YAML.

use toml::Spanned as TomlSpanned;
use toml::de::{DeTable, DeValue};

use super::reader::FileRead;
use crate::diag::{Code, Diagnostic, Label};
use crate::secrets::{CREDENTIAL_FLAGS, is_flag, is_secret_key, looks_like_secret};

/// The help for a credential in the server's environment or command line.
const ENV_HELP: &str = "keep the value in a Secret created outside Git and reference it: \
`[engine] secret_env = { NAME = \"<secret>/<key>\" }` (vLLM reads its API key from VLLM_API_KEY)";

/// Where a table's keys are Secret references by design, so their names are not secrets.
const REFERENCE_TABLES: [&str; 1] = ["engine.secret_env"];

/// Whether the table at `path` (maybe under `env.NAME.`) names Secrets by design: the
/// environment's Secret references, or one gateway listener, whose `tls` names certificate
/// Secrets (a key like `tls_secret` there is a typo the reader reports, not a credential).
fn names_references(path: &str) -> bool {
    let parts: Vec<&str> = path.split('.').collect();
    let listener =
        parts.len() >= 3 && parts[parts.len() - 3..parts.len() - 1] == ["gateway", "listeners"];
    listener
        || REFERENCE_TABLES
            .iter()
            .any(|t| path == *t || path.ends_with(&format!(".{t}")))
}

/// Reports every secret-looking key or value; returns how many were found. The help for a
/// credential of the model is its source's (`model.source` in this file, else OSS's).
pub fn scan(cx: &mut FileRead, table: &DeTable<'_>) -> usize {
    let scheme = table
        .get("model")
        .and_then(|m| m.get_ref().as_table())
        .and_then(|m| m.get("source"))
        .and_then(|s| s.get_ref().as_str())
        .and_then(|s| s.split_once("://"))
        .map_or("oss", |(scheme, _)| scheme)
        .to_owned();
    let model_help = crate::model_source::credentials_help(&scheme);
    let mut found = 0;
    scan_table(cx, table, "", model_help, &mut found);
    found
}

fn scan_table(
    cx: &mut FileRead,
    table: &DeTable<'_>,
    path: &str,
    model_help: &'static str,
    found: &mut usize,
) {
    let help = if path.starts_with("engine") {
        ENV_HELP
    } else {
        model_help
    };
    for (key, value) in table.iter() {
        let name = key.get_ref().as_ref();
        let child = if path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        let is_reference = names_references(path);
        if !is_reference && is_secret_key(name) {
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
                model_help,
            );
            *found += 1;
        } else {
            scan_value(cx, value, &child, help, model_help, found);
        }
    }
}

fn scan_value(
    cx: &mut FileRead,
    value: &TomlSpanned<DeValue<'_>>,
    path: &str,
    help: &str,
    model_help: &'static str,
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
                    None => scan_value(cx, item, path, help, model_help, found),
                }
            }
        }
        DeValue::Table(table) => scan_table(cx, table, path, model_help, found),
        _ => {}
    }
}

fn report(cx: &mut FileRead, range: std::ops::Range<usize>, message: String, help: &str) {
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
