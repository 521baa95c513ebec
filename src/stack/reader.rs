//! A typed reader over spanned TOML. Each getter checks one key's type and records the key as
//! known; [`Table::finish`] then reports every key nobody asked for, with a "did you mean".
//! Because getters never stop at the first problem, one run reports every problem in a file.

use toml::Spanned as TomlSpanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::{FileId, Span, Spanned};

/// Shared state of one file's read: where diagnostics go and which keys the format has.
pub struct Cx {
    pub file: FileId,
    pub diagnostics: Diagnostics,
    /// Every `table.key` path a getter asked for; the stack JSON Schema is tested against it.
    pub known_keys: Vec<String>,
}

impl Cx {
    pub fn new(file: FileId) -> Cx {
        Cx {
            file,
            diagnostics: Diagnostics::default(),
            known_keys: Vec::new(),
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
        if let (Some(text), true) = (value.get_ref().as_str(), expected.contains("integer")) {
            diagnostic = diagnostic.with_help(format!("write the number without quotes: {text}"));
        }
        self.diagnostics.push(diagnostic);
    }
}

/// One TOML table being read; `path` is its dotted name for messages (`engine`, `resources.cpu`).
pub struct Table<'t, 'i> {
    table: &'t DeTable<'i>,
    pub span: Span,
    path: String,
    asked: Vec<&'static str>,
}

impl<'t, 'i> Table<'t, 'i> {
    pub fn new(table: &'t DeTable<'i>, span: Span, path: impl Into<String>) -> Table<'t, 'i> {
        Table {
            table,
            span,
            path: path.into(),
            asked: Vec::new(),
        }
    }

    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value of `key`, marking the key as part of the format.
    pub fn value(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Option<&'t TomlSpanned<DeValue<'i>>> {
        self.asked.push(key);
        cx.known_keys.push(self.key_path(key));
        self.table.get(key)
    }

    pub fn string(&mut self, cx: &mut Cx, key: &'static str) -> Option<Spanned<String>> {
        let value = self.value(cx, key)?;
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(s.to_string(), cx.span(value.span()))),
            _ => {
                cx.wrong_type(&self.key_path(key), value, "a string");
                None
            }
        }
    }

    pub fn integer(&mut self, cx: &mut Cx, key: &'static str) -> Option<Spanned<i64>> {
        let value = self.value(cx, key)?;
        let path = self.key_path(key);
        integer_value(cx, &path, value)
    }

    /// A number; integers are accepted where a float is expected (`target = 2`).
    pub fn number(&mut self, cx: &mut Cx, key: &'static str) -> Option<Spanned<f64>> {
        let value = self.value(cx, key)?;
        let span = cx.span(value.span());
        let parsed = match value.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(|n| n as f64),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() => Some(Spanned::new(n, span)),
            _ => {
                cx.wrong_type(&self.key_path(key), value, "a finite number");
                None
            }
        }
    }

    /// A string, or a decimal number kept as written (for Kubernetes quantities like `cpu = 8`).
    pub fn scalar_text(&mut self, cx: &mut Cx, key: &'static str) -> Option<Spanned<String>> {
        let value = self.value(cx, key)?;
        let path = self.key_path(key);
        scalar_text_value(cx, &path, value)
    }

    pub fn strings(&mut self, cx: &mut Cx, key: &'static str) -> Option<Vec<Spanned<String>>> {
        let value = self.value(cx, key)?;
        let path = self.key_path(key);
        let Some(array) = value.get_ref().as_array() else {
            cx.wrong_type(&path, value, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in array.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(s.to_string(), cx.span(item.span()))),
                _ => cx.wrong_type(&format!("{path}[]"), item, "a string"),
            }
        }
        Some(out)
    }

    /// A sub-table, e.g. `[engine]` or an inline `{ request = "8" }`.
    pub fn table(&mut self, cx: &mut Cx, key: &'static str) -> Option<Table<'t, 'i>> {
        let value = self.value(cx, key)?;
        let path = self.key_path(key);
        match value.get_ref() {
            DeValue::Table(t) => Some(Table::new(t, cx.span(value.span()), path)),
            _ => {
                cx.wrong_type(&path, value, "a table");
                None
            }
        }
    }

    /// A table whose keys are user-chosen names (labels, listeners), in source order.
    #[allow(clippy::type_complexity)]
    pub fn entries(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Option<(String, Vec<(Spanned<String>, &'t TomlSpanned<DeValue<'i>>)>)> {
        let value = self.value(cx, key)?;
        let path = self.key_path(key);
        let Some(table) = value.get_ref().as_table() else {
            cx.wrong_type(&path, value, "a table");
            return None;
        };
        let entries = table
            .iter()
            .map(|(k, v)| (Spanned::new(k.get_ref().to_string(), cx.span(k.span())), v))
            .collect();
        Some((path, entries))
    }

    /// A table of string to string (labels, annotations).
    pub fn string_map(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
    ) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
        let (path, entries) = self.entries(cx, key)?;
        let mut out = Vec::new();
        for (name, value) in entries {
            match value.get_ref() {
                DeValue::String(s) => {
                    out.push((name, Spanned::new(s.to_string(), cx.span(value.span()))))
                }
                _ => cx.wrong_type(&format!("{path}.{}", name.value), value, "a string"),
            }
        }
        Some(out)
    }

    /// Reports every key of this table that no getter asked for.
    pub fn finish(self, cx: &mut Cx) {
        for (key, _) in self.table.iter() {
            let name = key.get_ref().as_ref();
            if self.asked.contains(&name) {
                continue;
            }
            let span = cx.span(key.span());
            let where_ = if self.path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in [{}]", self.path)
            };
            let mut diagnostic = Diagnostic::error(
                Code::UnknownKey,
                Label::new(span, "unknown key"),
                format!("unknown key `{name}` {where_}"),
            );
            diagnostic = match closest(name, &self.asked) {
                Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                None => diagnostic.with_help(format!(
                    "the keys allowed {where_} are: {}",
                    self.asked.join(", ")
                )),
            };
            cx.diagnostics.push(diagnostic);
        }
    }
}

pub fn integer_value(
    cx: &mut Cx,
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

pub fn scalar_text_value(
    cx: &mut Cx,
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
