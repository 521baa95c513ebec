//! Every key of the stack format, defined once. The reader takes each key's TOML type from here,
//! `inferstack schema` generates the JSON Schema from it, `resolve` takes literal defaults from
//! it, and the README's stack reference is generated from it (a test keeps the README equal).
//! Adding a key is one entry here, then its use in `resolve` and `lower`.

use crate::closed_set::closed_set;
use std::collections::HashMap;
use std::sync::OnceLock;

/// How a key is written in TOML, which decides how it is read and its JSON Schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    /// A `[section]`.
    Table,
    Str,
    /// A string from a closed set.
    Enum(&'static [&'static str]),
    /// A DNS-1123 label (Kubernetes object names, namespaces).
    DnsLabel,
    /// A DNS-1123 subdomain (Secret, class and ServiceAccount names).
    DnsSubdomain,
    /// A Go-style duration string (`300s`, `30m`, `1h30m`).
    Duration,
    /// An integer within a range.
    Int(Range),
    Bool,
    /// A TCP port, 1 to 65535.
    Port,
    /// A URL with one of these schemes.
    Url(&'static [&'static str]),
    /// A number within a range; integers are accepted.
    Num(Range),
    /// A Kubernetes quantity: a string, or a decimal number kept as written.
    Quantity,
    /// A quantity meaning request and limit, or `{ request, limit }`.
    RequestLimit,
    /// A table of user-chosen names to strings, in source order.
    StrMap,
    /// An array of strings.
    Strs,
    /// A table of listener names to ports or listener tables.
    Listeners,
    /// A cert-manager issuer: a name, or `{ name, kind }`.
    Issuer,
    /// An array of Kubernetes tolerations (`{ key, operator, value, effect, toleration_seconds }`).
    Tolerations,
    /// An array of LoRA adapters (`{ name, source, rank, priority }`).
    Adapters,
    /// A path, or an array of paths, of base layers ([`super::layers`]).
    Layers,
    /// A table of environment names to overrides of any stack key (`[env.prod]`).
    Environments,
}

/// The numbers a numeric key takes: the reader refuses the others at the value, and the
/// JSON Schema and the reference say them, from this one place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    /// `min` itself is refused (a fraction of memory is more than 0).
    pub min_exclusive: bool,
    pub max: Option<f64>,
}

impl Range {
    pub const fn at_least(min: f64) -> Range {
        Range {
            min,
            min_exclusive: false,
            max: None,
        }
    }

    pub const fn between(min: f64, max: f64) -> Range {
        Range {
            min,
            min_exclusive: false,
            max: Some(max),
        }
    }

    pub fn contains(&self, n: f64) -> bool {
        let above = if self.min_exclusive {
            n > self.min
        } else {
            n >= self.min
        };
        above && self.max.is_none_or(|max| n <= max)
    }

    /// "between 0 and 1024", "at least 1", "more than 0 and at most 1".
    pub fn describe(&self) -> String {
        let low = if self.min_exclusive {
            format!("more than {}", self.min)
        } else {
            format!("at least {}", self.min)
        };
        match (self.min_exclusive, self.max) {
            (false, Some(max)) => format!("between {} and {max}", self.min),
            (true, Some(max)) => format!("{low} and at most {max}"),
            (_, None) => low,
        }
    }
}

/// Counts: one or more.
const COUNT: Range = Range::at_least(1.0);
/// A fraction of a whole: more than 0, at most 1.
const FRACTION: Range = Range {
    min: 0.0,
    min_exclusive: true,
    max: Some(1.0),
};
/// What an `int32` field of the emitted object holds.
const INT32: Range = Range::between(-2147483648.0, 2147483647.0);

/// What an absent key means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Absent {
    /// The stack cannot compile without it.
    Required,
    /// Absent means absent: nothing is emitted for it.
    Unset,
    /// A literal string default, used by `resolve`.
    Str(&'static str),
    /// A literal integer default, used by `resolve`.
    Int(i64),
    /// A literal boolean default.
    Bool(bool),
    /// A default computed from other keys, described for the reference.
    Derived(&'static str),
}

/// One key: its dotted path, TOML type, default, how the reference names its type, and what it
/// becomes in the output.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    pub path: &'static str,
    pub ty: Ty,
    pub default: Absent,
    /// The type as the README's reference writes it, when more precise than the TOML type.
    pub shape: &'static str,
    pub doc: &'static str,
}

const fn key(
    path: &'static str,
    ty: Ty,
    default: Absent,
    shape: &'static str,
    doc: &'static str,
) -> Key {
    Key {
        path,
        ty,
        default,
        shape,
        doc,
    }
}

/// The schemes `model.source` takes: `model_source` has one module for each.
pub const SOURCE_SCHEMES: &[&str] = &crate::model_source::SCHEME_NAMES;
pub const PROFILES: &[&str] = &["ack", "ack-explicit", "gateway-api"];
pub const ENGINES: &[&str] = EngineKind::NAMES;

closed_set! {
    /// The model servers inferstack knows (`engine.kind`), one file each in `src/engine/`.
    pub enum EngineKind {
        Vllm = "vllm",
        Sglang = "sglang",
        Custom = "custom",
    }
}

impl EngineKind {
    /// vLLM and SGLang, whose memory, parallelism, loading and flags inferstack models; a
    /// `custom` server is whatever its command makes it.
    pub fn is_modelled(self) -> bool {
        self != EngineKind::Custom
    }
}
pub const METRICS: &[&str] = crate::k8s::knative::Metric::NAMES;
pub const QUANTIZATIONS: &[&str] = crate::model_source::Quantization::NAMES;
pub const WORKLOADS: &[&str] = crate::k8s::workload::Workload::NAMES;
pub const AUTOSCALERS: &[&str] = crate::k8s::workload::Autoscaler::NAMES;
pub const CONNECTORS: &[&str] = crate::k8s::disaggregation::Connector::NAMES;
pub const IDENTITIES: &[&str] = crate::model_source::Identity::NAMES;
/// Gateway implementations that need different output.
pub const PROVIDERS: &[&str] = crate::k8s::gateway::Provider::NAMES;
/// The keys of one listener table, as `gateway.listeners.NAME = { ... }` writes them.
pub const LISTENER_KEYS: &[&str] = &["port", "protocol", "hostname", "tls", "tls_mode"];
/// The listener protocols an HTTPRoute or a TLS passthrough needs (Gateway API `ProtocolType`).
pub const LISTENER_PROTOCOLS: &[&str] = &["HTTP", "HTTPS", "TLS"];
/// cert-manager's issuer kinds the gateway-shim reads from `cert-manager.io/issuer-kind`.
pub const ISSUER_KINDS: &[&str] = &["ClusterIssuer", "Issuer"];
/// Gateway API `TLSModeType`.
pub const TLS_MODES: &[&str] = &["Terminate", "Passthrough"];
/// The keys of one toleration, as Kubernetes names them (snake_case for `tolerationSeconds`).
pub const TOLERATION_KEYS: &[&str] = &["key", "operator", "value", "effect", "toleration_seconds"];

/// The keys of one `[[adapters]]` entry.
pub const ADAPTER_KEYS: &[&str] = &["name", "source", "rank", "priority"];

mod table;

pub use table::KEYS;

/// The definition of a key. Every path the code asks for is in [`KEYS`]; asking for another is
/// a programming error that the tests catch.
pub fn lookup(path: &str) -> &'static Key {
    KEYS.iter()
        .find(|k| k.path == path)
        .unwrap_or_else(|| panic!("`{path}` is not a stack key"))
}

/// The keys directly inside a section (`""` for the top level).
pub fn children(section: &str) -> impl Iterator<Item = &'static Key> + '_ {
    KEYS.iter().filter(move |k| parent(k.path) == section)
}

/// The key `name` of `section` (`engine`, `shm`), looked up in a table built once: a fleet
/// reads tens of thousands of keys.
pub fn find(section: &str, name: &str) -> Option<&'static Key> {
    static BY_PLACE: OnceLock<HashMap<(&str, &str), &Key>> = OnceLock::new();
    let by_place: &HashMap<(&str, &str), &'static Key> = BY_PLACE.get_or_init(|| {
        KEYS.iter()
            .map(|k| ((parent(k.path), leaf(k.path)), k))
            .collect()
    });
    by_place.get(&(section, name)).copied()
}

/// The section of a path (`engine` for `engine.shm`, `""` for `profile`).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

/// The key's own name (`shm` for `engine.shm`).
pub fn leaf(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_every_key_has_its_section() {
        for (i, k) in KEYS.iter().enumerate() {
            assert!(
                KEYS[..i].iter().all(|o| o.path != k.path),
                "{} twice",
                k.path
            );
            let section = parent(k.path);
            if !section.is_empty() {
                assert_eq!(lookup(section).ty, Ty::Table, "{}", k.path);
            }
            assert!(!k.doc.is_empty(), "{} has no doc", k.path);
        }
    }

    #[test]
    fn children_are_the_keys_of_a_section() {
        let engine: Vec<&str> = children("engine").map(|k| leaf(k.path)).collect();
        assert!(engine.contains(&"shm") && engine.contains(&"kind"));
        assert!(children("").any(|k| k.path == "profile"));
    }
}
