//! A reader over spanned TOML driven by the key table ([`super::keys`]): each key is read by its
//! type, every key the table lacks is reported with a "did you mean", and reading never stops
//! at the first problem, so one run reports every problem in a file.

use toml::Spanned as TomlSpanned;
use toml::de::{DeTable, DeValue};

use super::ast::{
    AdapterEntry, Environment, Issuer, ListenerEntry, RequestLimit, StackFile, Toleration, Value,
};
use super::keys::{self, Key, Ty};
use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, Span, Spanned};

/// Shared state of one file's read: which file, and where diagnostics go.
pub struct FileRead {
    pub file: FileId,
    pub diagnostics: Diagnostics,
}

impl FileRead {
    pub fn new(file: FileId) -> FileRead {
        FileRead {
            file,
            diagnostics: Diagnostics::default(),
        }
    }

    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    fn wrong_type(&mut self, path: &str, value: &TomlSpanned<DeValue<'_>>, expected: &str) {
        let span = self.span(value.span());
        let found = value.get_ref().type_str();
        let mut diagnostic = Diagnostic::error(
            Code::WrongType,
            Label::new(span, format!("this is a {found}")),
            format!("`{path}` must be {expected}, found {found}"),
        );
        // Only a string that is a number is a number in quotes.
        let quoted_number = value
            .get_ref()
            .as_str()
            .filter(|text| text.trim().parse::<i64>().is_ok());
        if let (Some(text), true) = (quoted_number, expected.contains("integer")) {
            diagnostic =
                diagnostic.with_help(format!("write the number without quotes: {}", text.trim()));
        }
        self.diagnostics.push(diagnostic);
    }
}

/// Reads a whole stack file: every key is looked up in [`keys::KEYS`] and read by its type;
/// unknown keys and wrong types are reported, and reading goes on, so one run reports all.
pub fn read_stack(cx: &mut FileRead, root: &DeTable<'_>) -> StackFile {
    let mut stack = StackFile::new(cx.file);
    read_table(cx, root, "", &mut stack);
    stack
}

/// `[env.NAME]` tables: each is read like a whole stack file, without the keys that only make
/// sense once per file.
fn read_environments(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
    stack: &mut StackFile,
) {
    let Some(entries) = entries(cx, path, value) else {
        return;
    };
    for (name, table_value) in entries {
        let Some(table) = table_value.get_ref().as_table() else {
            cx.wrong_type(&format!("{path}.{}", name.value), table_value, "a table");
            continue;
        };
        let mut overrides = StackFile::new(cx.file);
        read_table(cx, table, "", &mut overrides);
        for once in ONCE_PER_FILE {
            if let Some((key, _)) = table.get_key_value(*once) {
                cx.diagnostics.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        Label::new(cx.span(key.span()), "not per environment"),
                        format!("`{once}` cannot be set in [env.{}]", name.value),
                    )
                    .with_help("set it at the top level of the file; an environment overrides the keys of the stack"),
                );
                overrides.values.remove(*once);
            }
        }
        overrides.envs.clear();
        stack
            .envs
            .insert(name.value.clone(), Environment { name, overrides });
    }
}

/// Keys a file has once, whatever environment it is built for.
pub const ONCE_PER_FILE: &[&str] = &["extends", "env", "environments", "default_environment"];

fn read_table(cx: &mut FileRead, table: &DeTable<'_>, section: &str, stack: &mut StackFile) {
    for (name, value) in table.iter() {
        let name_text = name.get_ref().as_ref();
        let Some(key) = keys::find(section, name_text) else {
            let allowed: Vec<&str> = keys::children(section)
                .map(|k| keys::leaf(k.path))
                .collect();
            unknown_key(cx, cx.span(name.span()), name_text, section, &allowed);
            continue;
        };
        if let Some(read) = read_value(cx, key, value, stack) {
            stack.values.insert(key.path, read);
        }
    }
}

/// Reads one value by its key's type; `None` (reported) when the TOML type is wrong.
fn read_value(
    cx: &mut FileRead,
    key: &'static Key,
    value: &TomlSpanned<DeValue<'_>>,
    stack: &mut StackFile,
) -> Option<Value> {
    let path = key.path;
    let span = cx.span(value.span());
    match key.ty {
        Ty::Table => {
            let Some(table) = value.get_ref().as_table() else {
                cx.wrong_type(path, value, "a table");
                return None;
            };
            stack.sections.insert(path, span);
            read_table(cx, table, path, stack);
            None
        }
        Ty::Str | Ty::Enum(_) | Ty::Url(_) | Ty::DnsLabel | Ty::DnsSubdomain | Ty::Duration => {
            string_value(cx, path, value).map(Value::Str)
        }
        Ty::Int(range) => integer_value(cx, path, value)
            .inspect(|n| in_range(cx, key, range, n.value as f64, n.span))
            .map(Value::Int),
        Ty::Port => integer_value(cx, path, value).map(Value::Int),
        Ty::Bool => match value.get_ref() {
            DeValue::Boolean(b) => Some(Value::Bool(Spanned::new(*b, cx.span(value.span())))),
            _ => {
                cx.wrong_type(path, value, "true or false");
                None
            }
        },
        Ty::Num(range) => number_value(cx, path, value)
            .inspect(|n| in_range(cx, key, range, n.value, n.span))
            .map(Value::Num),
        Ty::Quantity => scalar_text_value(cx, path, value).map(Value::Str),
        Ty::Strs => strings_value(cx, path, value).map(Value::Strs),
        // One path, or several.
        Ty::Layers => match value.get_ref() {
            DeValue::String(_) => string_value(cx, path, value).map(|s| Value::Strs(vec![s])),
            _ => strings_value(cx, path, value).map(Value::Strs),
        },
        Ty::Environments => {
            read_environments(cx, path, value, stack);
            None
        }
        Ty::StrMap => {
            let entries = entries(cx, path, value)?;
            let pairs = entries
                .into_iter()
                .filter_map(|(name, v)| {
                    let at = format!("{path}.{}", name.value);
                    string_value(cx, &at, v).map(|s| (name, s))
                })
                .collect();
            Some(Value::Pairs(pairs))
        }
        Ty::Listeners => {
            let entries = entries(cx, path, value)?;
            let listeners = entries
                .into_iter()
                .map(|(name, v)| listener(cx, &format!("{path}.{}", name.value), name, v))
                .collect();
            Some(Value::Listeners(listeners))
        }
        Ty::Issuer => issuer(cx, path, value).map(Value::Issuer),
        Ty::RequestLimit => Some(Value::RequestLimit(request_limit(cx, path, value)?)),
        Ty::Tolerations => tolerations(cx, path, value).map(Value::Tolerations),
        Ty::Adapters => adapters(cx, path, value).map(Value::Adapters),
    }
}

/// `cpu = "8"` means request and limit 8; `cpu = { request = "8", limit = "32" }` sets each.
fn request_limit(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<RequestLimit> {
    let DeValue::Table(table) = value.get_ref() else {
        let both = scalar_text_value(cx, path, value)?;
        return Some(RequestLimit {
            request: Some(both.clone()),
            limit: Some(both),
        });
    };
    let mut pair = RequestLimit::default();
    for (name, inner) in table.iter() {
        let at = format!("{path}.{}", name.get_ref());
        match name.get_ref().as_ref() {
            "request" => pair.request = scalar_text_value(cx, &at, inner),
            "limit" => pair.limit = scalar_text_value(cx, &at, inner),
            other => unknown_key(cx, cx.span(name.span()), other, path, &REQUEST_LIMIT_KEYS),
        }
    }
    Some(pair)
}

/// `name = 443`, or `name = { port = 443, tls = "llm-tls", ... }`.
fn listener(
    cx: &mut FileRead,
    path: &str,
    name: Spanned<String>,
    value: &TomlSpanned<DeValue<'_>>,
) -> ListenerEntry {
    let span = cx.span(value.span());
    let DeValue::Table(table) = value.get_ref() else {
        let port = match value.get_ref() {
            DeValue::Integer(_) => integer_value(cx, path, value),
            _ => {
                cx.wrong_type(path, value, "a port number or a listener table");
                None
            }
        };
        return ListenerEntry::plain(name, port, span);
    };
    let mut entry = ListenerEntry::plain(name, None, span);
    for (key, inner) in table.iter() {
        let at = format!("{path}.{}", key.get_ref());
        match key.get_ref().as_ref() {
            "port" => entry.port = integer_value(cx, &at, inner),
            "protocol" => entry.protocol = string_value(cx, &at, inner),
            "hostname" => entry.hostname = string_value(cx, &at, inner),
            "tls" => {
                entry.tls = match inner.get_ref() {
                    DeValue::String(_) => string_value(cx, &at, inner).into_iter().collect(),
                    _ => strings_value(cx, &at, inner).unwrap_or_default(),
                }
            }
            "tls_mode" => entry.tls_mode = string_value(cx, &at, inner),
            other => unknown_key(cx, cx.span(key.span()), other, path, keys::LISTENER_KEYS),
        }
    }
    if entry.port.is_none() && !table.contains_key("port") {
        cx.diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                Label::new(span, "no `port`"),
                format!("`{path}` has no `port`"),
            )
            .with_help("a listener table needs its port, e.g. `{ port = 443, tls = \"llm-tls\" }`"),
        );
    }
    entry
}

/// `issuer = "letsencrypt"` or `issuer = { name = "letsencrypt", kind = "Issuer" }`.
fn issuer(cx: &mut FileRead, path: &str, value: &TomlSpanned<DeValue<'_>>) -> Option<Issuer> {
    let span = cx.span(value.span());
    let DeValue::Table(table) = value.get_ref() else {
        let name = match value.get_ref() {
            DeValue::String(_) => string_value(cx, path, value),
            _ => {
                cx.wrong_type(path, value, "an issuer name or `{ name, kind }`");
                return None;
            }
        };
        return Some(Issuer {
            name,
            kind: None,
            span,
        });
    };
    let mut issuer = Issuer {
        name: None,
        kind: None,
        span,
    };
    for (key, inner) in table.iter() {
        let at = format!("{path}.{}", key.get_ref());
        match key.get_ref().as_ref() {
            "name" => issuer.name = string_value(cx, &at, inner),
            "kind" => issuer.kind = string_value(cx, &at, inner),
            other => unknown_key(cx, cx.span(key.span()), other, path, &ISSUER_KEYS),
        }
    }
    if issuer.name.is_none() && !table.contains_key("name") {
        cx.diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                Label::new(span, "no `name`"),
                format!("`{path}` has no `name`"),
            )
            .with_help("name the cert-manager issuer, e.g. `{ name = \"letsencrypt\", kind = \"ClusterIssuer\" }`"),
        );
    }
    Some(issuer)
}

/// The keys of a `{ name, kind }` issuer table.
pub const ISSUER_KEYS: [&str; 2] = ["name", "kind"];

/// The keys of a `{ request, limit }` table.
pub const REQUEST_LIMIT_KEYS: [&str; 2] = ["request", "limit"];

/// An array of tables, each read by `read` with its path (`key[i]`) and span; an item that is
/// not a table is reported and skipped.
fn array_of_tables<T>(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
    mut read: impl FnMut(&mut FileRead, &str, Span, &DeTable<'_>) -> T,
) -> Option<Vec<T>> {
    let Some(items) = value.get_ref().as_array() else {
        cx.wrong_type(path, value, "an array of tables");
        return None;
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(table) = item.get_ref().as_table() else {
            cx.wrong_type(&at, item, "a table");
            continue;
        };
        let span = cx.span(item.span());
        out.push(read(cx, &at, span, table));
    }
    Some(out)
}

fn tolerations(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Vec<Toleration>> {
    array_of_tables(cx, path, value, |cx, at, span, table| {
        let mut toleration = Toleration {
            span,
            key: None,
            operator: None,
            value: None,
            effect: None,
            toleration_seconds: None,
        };
        for (name, inner) in table.iter() {
            let field = format!("{at}.{}", name.get_ref());
            match name.get_ref().as_ref() {
                "key" => toleration.key = string_value(cx, &field, inner),
                "operator" => toleration.operator = string_value(cx, &field, inner),
                "value" => toleration.value = string_value(cx, &field, inner),
                "effect" => toleration.effect = string_value(cx, &field, inner),
                "toleration_seconds" => {
                    toleration.toleration_seconds = integer_value(cx, &field, inner)
                }
                other => unknown_key(cx, cx.span(name.span()), other, at, keys::TOLERATION_KEYS),
            }
        }
        toleration
    })
}

fn adapters(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Vec<AdapterEntry>> {
    array_of_tables(cx, path, value, |cx, at, span, table| {
        let mut adapter = AdapterEntry {
            span,
            name: None,
            source: None,
            rank: None,
            priority: None,
        };
        for (name, inner) in table.iter() {
            let field = format!("{at}.{}", name.get_ref());
            match name.get_ref().as_ref() {
                "name" => adapter.name = string_value(cx, &field, inner),
                "source" => adapter.source = string_value(cx, &field, inner),
                "rank" => adapter.rank = integer_value(cx, &field, inner),
                "priority" => {
                    adapter.priority = integer_value(cx, &field, inner).filter(|p| {
                        // An InferenceObjective's priority is an int32 (`format: int32`).
                        let fits = i32::try_from(p.value).is_ok();
                        if !fits {
                            cx.diagnostics.push(Diagnostic::error(
                                Code::InvalidValue,
                                Label::new(p.span, "not an int32"),
                                format!("`{field}` = {} is outside -2147483648 to 2147483647, the InferenceObjective's priority range", p.value),
                            ));
                        }
                        fits
                    })
                }
                other => unknown_key(cx, cx.span(name.span()), other, at, keys::ADAPTER_KEYS),
            }
        }
        adapter
    })
}

/// A table whose keys are user-chosen names (labels, listeners, env), in source order.
#[allow(clippy::type_complexity)]
fn entries<'t, 'i>(
    cx: &mut FileRead,
    path: &str,
    value: &'t TomlSpanned<DeValue<'i>>,
) -> Option<Vec<(Spanned<String>, &'t TomlSpanned<DeValue<'i>>)>> {
    let Some(table) = value.get_ref().as_table() else {
        cx.wrong_type(path, value, "a table");
        return None;
    };
    Some(
        table
            .iter()
            .map(|(k, v)| (Spanned::new(k.get_ref().to_string(), cx.span(k.span())), v))
            .collect(),
    )
}

fn string_value(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Spanned<String>> {
    match value.get_ref() {
        DeValue::String(s) => Some(Spanned::new(s.to_string(), cx.span(value.span()))),
        _ => {
            cx.wrong_type(path, value, "a string");
            None
        }
    }
}

fn strings_value(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Vec<Spanned<String>>> {
    let Some(array) = value.get_ref().as_array() else {
        cx.wrong_type(path, value, "an array of strings");
        return None;
    };
    Some(
        array
            .iter()
            .filter_map(|item| string_value(cx, &format!("{path}[]"), item))
            .collect(),
    )
}

/// A number; integers are accepted where a float is expected (`target = 2`).
fn number_value(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Spanned<f64>> {
    let parsed = match value.get_ref() {
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(|n| n as f64),
        _ => None,
    };
    match parsed {
        Some(n) if n.is_finite() => Some(Spanned::new(n, cx.span(value.span()))),
        _ => {
            cx.wrong_type(path, value, "a finite number");
            None
        }
    }
}

/// Reports a key that is not part of the format, with a "did you mean".
fn unknown_key(cx: &mut FileRead, span: Span, name: &str, section: &str, allowed: &[&str]) {
    let where_ = if section.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in [{section}]")
    };
    let diagnostic = Diagnostic::error(
        Code::UnknownKey,
        Label::new(span, "unknown key"),
        format!("unknown key `{name}` {where_}"),
    );
    cx.diagnostics.push(match closest(name, allowed) {
        Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
        None => diagnostic.with_help(format!(
            "the keys allowed {where_} are: {}",
            allowed.join(", ")
        )),
    });
}

fn integer_value(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Spanned<i64>> {
    let span = cx.span(value.span());
    match value.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(Spanned::new(n, span)),
            Err(_) => {
                cx.diagnostics.push(Diagnostic::error(
                    Code::InvalidValue,
                    Label::new(span, "out of range"),
                    format!("`{path}` does not fit in a 64-bit integer"),
                ));
                None
            }
        },
        _ => {
            cx.wrong_type(path, value, "an integer");
            None
        }
    }
}

/// A number outside its key's range, located at the value, with what the key means.
fn in_range(cx: &mut FileRead, key: &Key, range: keys::Range, n: f64, span: Span) {
    if range.contains(n) {
        return;
    }
    cx.diagnostics.push(
        Diagnostic::error(
            Code::InvalidValue,
            Label::new(span, "out of range"),
            format!("`{}` = {n} must be {}", key.path, range.describe()),
        )
        .with_help(key.doc),
    );
}

fn scalar_text_value(
    cx: &mut FileRead,
    path: &str,
    value: &TomlSpanned<DeValue<'_>>,
) -> Option<Spanned<String>> {
    let span = cx.span(value.span());
    match value.get_ref() {
        DeValue::String(s) => Some(Spanned::new(s.to_string(), span)),
        DeValue::Integer(i) if i.radix() == 10 => Some(Spanned::new(i.as_str().to_owned(), span)),
        DeValue::Float(f) => Some(Spanned::new(f.as_str().replace('_', ""), span)),
        _ => {
            cx.wrong_type(path, value, "a string or a decimal number");
            None
        }
    }
}

/// The known key closest to a misspelt one, if any is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_ignores_unrelated_words() {
        let keys = ["min", "max", "metric", "target"];
        assert_eq!(closest("maxx", &keys), Some("max"));
        assert_eq!(closest("targt", &keys), Some("target"));
        assert_eq!(closest("zzzz", &keys), None);
    }
}
