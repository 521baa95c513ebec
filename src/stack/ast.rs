//! The stack file as written: every value is optional and spanned, nothing is defaulted yet.
//! Values are held by their dotted path ([`super::keys`]); `resolve` fills the gaps.

use std::collections::BTreeMap;

use crate::source::{FileId, Span, Spanned};

/// Label-like pairs, in source order.
pub type Pairs = Vec<(Spanned<String>, Spanned<String>)>;

/// A `{ request = .., limit = .. }` pair, or one value meaning both.
#[derive(Debug, Default, Clone)]
pub struct RequestLimit {
    pub request: Option<Spanned<String>>,
    pub limit: Option<Spanned<String>>,
}

/// One gateway listener: `name = port`, or `name = { port, protocol, hostname, tls, tls_mode }`.
/// A port the reader refused (reported there) is `None`: the listener is still named, so
/// nothing that refers to it is reported again. Nothing is defaulted here (`resolve` does).
#[derive(Debug, Clone)]
pub struct ListenerEntry {
    pub name: Spanned<String>,
    pub port: Option<Spanned<i64>>,
    pub protocol: Option<Spanned<String>>,
    pub hostname: Option<Spanned<String>>,
    /// Names of `kubernetes.io/tls` Secrets in the Gateway's namespace: references, not keys.
    pub tls: Vec<Spanned<String>>,
    pub tls_mode: Option<Spanned<String>>,
    /// The whole entry as written.
    pub span: Span,
}

impl ListenerEntry {
    /// A plain HTTP listener on `port`, as `name = port` writes it.
    pub fn plain(name: Spanned<String>, port: Option<Spanned<i64>>, span: Span) -> ListenerEntry {
        ListenerEntry {
            name,
            port,
            protocol: None,
            hostname: None,
            tls: Vec::new(),
            tls_mode: None,
            span,
        }
    }
}

/// `gateway.issuer`: `"NAME"` (kind absent) or `{ name, kind }`.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub name: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub span: Span,
}

/// One `[[scheduling.tolerations]]` entry, as written.
#[derive(Debug, Clone)]
pub struct Toleration {
    pub span: Span,
    pub key: Option<Spanned<String>>,
    pub operator: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    pub effect: Option<Spanned<String>>,
    pub toleration_seconds: Option<Spanned<i64>>,
}

/// One `[[adapters]]` entry, as written.
#[derive(Debug, Clone)]
pub struct AdapterEntry {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub rank: Option<Spanned<i64>>,
    pub priority: Option<Spanned<i64>>,
}

/// A value read for one key, typed by its [`super::keys::Ty`].
#[derive(Debug, Clone)]
pub enum Value {
    Str(Spanned<String>),
    Int(Spanned<i64>),
    Bool(Spanned<bool>),
    Num(Spanned<f64>),
    Strs(Vec<Spanned<String>>),
    Pairs(Pairs),
    RequestLimit(RequestLimit),
    Listeners(Vec<ListenerEntry>),
    Issuer(Issuer),
    Tolerations(Vec<Toleration>),
    Adapters(Vec<AdapterEntry>),
}

/// One parsed stack file: the values that were written, and where each section's table is.
#[derive(Debug, Clone)]
pub struct StackFile {
    pub file: FileId,
    pub values: BTreeMap<&'static str, Value>,
    /// `[section]` -> the span of its table.
    pub sections: BTreeMap<&'static str, Span>,
    /// `[env.NAME]` tables, by name: values like the file's own, applied by `--env NAME`.
    pub envs: BTreeMap<String, Environment>,
}

/// One `[env.NAME]` table.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: Spanned<String>,
    pub overrides: StackFile,
}

impl StackFile {
    pub fn new(file: FileId) -> StackFile {
        StackFile {
            file,
            values: BTreeMap::new(),
            sections: BTreeMap::new(),
            envs: BTreeMap::new(),
        }
    }

    /// Lays `other`'s values over these: a value replaces the one of its key (arrays included),
    /// and a table of names (labels, env, listeners' ports) is merged name by name.
    pub fn overlay(&mut self, other: &StackFile) {
        for (path, value) in &other.values {
            match (self.values.get_mut(path), value) {
                (Some(Value::Pairs(mine)), Value::Pairs(theirs)) => {
                    for (name, text) in theirs {
                        match mine.iter_mut().find(|(n, _)| n.value == name.value) {
                            Some(slot) => *slot = (name.clone(), text.clone()),
                            None => mine.push((name.clone(), text.clone())),
                        }
                    }
                }
                (Some(Value::Listeners(mine)), Value::Listeners(theirs)) => {
                    for entry in theirs {
                        match mine.iter_mut().find(|l| l.name.value == entry.name.value) {
                            Some(slot) => *slot = entry.clone(),
                            None => mine.push(entry.clone()),
                        }
                    }
                }
                _ => {
                    self.values.insert(path, value.clone());
                }
            }
        }
        for (name, span) in &other.sections {
            self.sections.entry(name).or_insert(*span);
        }
    }

    fn get(&self, path: &str) -> Option<&Value> {
        debug_assert!(super::keys::KEYS.iter().any(|k| k.path == path), "{path}");
        self.values.get(path)
    }

    pub fn str(&self, path: &str) -> Option<&Spanned<String>> {
        match self.get(path)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, path: &str) -> Option<&Spanned<i64>> {
        match self.get(path)? {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn bool(&self, path: &str) -> Option<&Spanned<bool>> {
        match self.get(path)? {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn num(&self, path: &str) -> Option<&Spanned<f64>> {
        match self.get(path)? {
            Value::Num(n) => Some(n),
            _ => None,
        }
    }

    pub fn strs(&self, path: &str) -> Option<&[Spanned<String>]> {
        match self.get(path)? {
            Value::Strs(s) => Some(s),
            _ => None,
        }
    }

    pub fn pairs(&self, path: &str) -> &[(Spanned<String>, Spanned<String>)] {
        match self.get(path) {
            Some(Value::Pairs(p)) => p,
            _ => &[],
        }
    }

    pub fn request_limit(&self, path: &str) -> RequestLimit {
        match self.get(path) {
            Some(Value::RequestLimit(r)) => r.clone(),
            _ => RequestLimit::default(),
        }
    }

    pub fn listeners(&self, path: &str) -> Option<&[ListenerEntry]> {
        match self.get(path)? {
            Value::Listeners(l) => Some(l),
            _ => None,
        }
    }

    pub fn issuer(&self, path: &str) -> Option<&Issuer> {
        match self.get(path)? {
            Value::Issuer(i) => Some(i),
            _ => None,
        }
    }

    pub fn tolerations(&self, path: &str) -> &[Toleration] {
        match self.get(path) {
            Some(Value::Tolerations(t)) => t,
            _ => &[],
        }
    }

    pub fn adapters(&self, path: &str) -> &[AdapterEntry] {
        match self.get(path) {
            Some(Value::Adapters(a)) => a,
            _ => &[],
        }
    }

    /// The span of a section's table, if the file has it.
    pub fn section(&self, name: &str) -> Option<Span> {
        self.sections.get(name).copied()
    }
}
