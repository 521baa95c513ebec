//! Knative Serving autoscaling annotations: the admission rules of Knative's webhook that no
//! schema can express, because every annotation value is a string. Their code stays
//! `rule-violation`, as before Knative admission had a folder of its own.
//!
//! [`check`] looks at the annotations Knative reads: `spec.template.metadata.annotations` of a
//! `serving.knative.dev/v1` Service or Configuration, and `metadata.annotations` of a Revision.
//! On a Service's, Configuration's or Route's own `metadata.annotations` the webhook refuses any
//! autoscaling key (`ValidateHasNoAutoscalingAnnotation`): they are never propagated to
//! revisions.
//!
//! The rules are one table, [`KEYS`], after `pkg/apis/autoscaling/annotation_validation.go` of
//! knative/serving at `knative-v1.23.0` (`ValidateAnnotations`) and the config-autoscaler
//! ConfigMap it reads. What the webhook refuses is an error; what it admits but Knative then
//! ignores or mis-reads (an unknown key, two spellings of one key, a KPA-only key under the HPA,
//! a custom class) is a warning, so `validate`'s verdict stays the webhook's. Values that are not
//! strings are a schema problem and are skipped here.

use serde_json::Value;

use super::annotations::{pointer, string_entries};
use super::autoscaler::Autoscaler;
use crate::diag::Severity;

/// One broken rule: where (a JSON Pointer into the object) and what is wrong, with how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleViolation {
    pub severity: Severity,
    pub pointer: String,
    pub message: String,
}

/// The autoscaling group: any key with this prefix is an autoscaling annotation to the webhook.
const GROUP: &str = "autoscaling.knative.dev";
const PREFIX: &str = "autoscaling.knative.dev/";
const KPA: &str = "kpa.autoscaling.knative.dev";
const HPA: &str = "hpa.autoscaling.knative.dev";
/// `domain` of `pkg/apis/autoscaling/register.go`: a class in it must be KPA or HPA.
const KNATIVE_DOMAIN: &str = ".knative.dev";

use crate::duration::{HOUR, SECOND, parse_go_duration};

/// What a key's value must be.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// `kpa.autoscaling.knative.dev` or `hpa.autoscaling.knative.dev`.
    Class,
    /// KPA: `concurrency` or `rps`; HPA: any non-empty metric name.
    Metric,
    /// A number in `min..=max` (no upper bound when `max` is `None`).
    Number { min: f64, max: Option<f64> },
    /// A decimal integer from `min` to `i32::MAX`.
    Integer { min: i64 },
    /// `initial-scale`: a Go `int`, 0 only where the cluster allows it.
    InitialScale,
    /// A Go duration from `min` to `max` nanoseconds, optionally in whole seconds.
    Duration {
        min: i128,
        max: i128,
        whole_seconds: bool,
    },
    /// -1 (unlimited), 0, or a positive number.
    BurstCapacity,
    /// One of these words.
    OneOf(&'static [&'static str]),
}

/// One autoscaling annotation: its name after the prefix, its legacy camelCase alias, whether
/// only the Knative Pod Autoscaler reads it, and its rule.
struct Key {
    name: &'static str,
    legacy: Option<&'static str>,
    kpa_only: bool,
    rule: Rule,
}

const fn key(name: &'static str, legacy: Option<&'static str>, rule: Rule) -> Key {
    Key {
        name,
        legacy,
        kpa_only: false,
        rule,
    }
}

const fn kpa_key(name: &'static str, legacy: Option<&'static str>, rule: Rule) -> Key {
    Key {
        name,
        legacy,
        kpa_only: true,
        rule,
    }
}

const MIN_SCALE: &str = "min-scale";
const MAX_SCALE: &str = "max-scale";
const ACTIVATION_SCALE: &str = "activation-scale";

/// Every key Knative reads under `autoscaling.knative.dev/`.
const KEYS: [Key; 15] = [
    key("class", None, Rule::Class),
    key("metric", None, Rule::Metric),
    key(
        "target",
        None,
        Rule::Number {
            min: 0.01,
            max: None,
        },
    ),
    key(
        "target-utilization-percentage",
        Some("targetUtilizationPercentage"),
        Rule::Number {
            min: 1.0,
            max: Some(100.0),
        },
    ),
    key(MIN_SCALE, Some("minScale"), Rule::Integer { min: 0 }),
    key(MAX_SCALE, Some("maxScale"), Rule::Integer { min: 0 }),
    key("initial-scale", Some("initialScale"), Rule::InitialScale),
    key(ACTIVATION_SCALE, None, Rule::Integer { min: 2 }),
    key(
        "scale-down-delay",
        Some("scaleDownDelay"),
        Rule::Duration {
            min: 0,
            max: HOUR,
            whole_seconds: true,
        },
    ),
    kpa_key(
        "window",
        None,
        Rule::Duration {
            min: 6 * SECOND,
            max: HOUR,
            whole_seconds: true,
        },
    ),
    kpa_key(
        "panic-window-percentage",
        Some("panicWindowPercentage"),
        Rule::Number {
            min: 1.0,
            max: Some(100.0),
        },
    ),
    kpa_key(
        "panic-threshold-percentage",
        Some("panicThresholdPercentage"),
        Rule::Number {
            min: 110.0,
            max: Some(1000.0),
        },
    ),
    key(
        "target-burst-capacity",
        Some("targetBurstCapacity"),
        Rule::BurstCapacity,
    ),
    key(
        "scale-to-zero-pod-retention-period",
        Some("scaleToZeroPodRetentionPeriod"),
        Rule::Duration {
            min: 0,
            max: HOUR,
            whole_seconds: false,
        },
    ),
    // `weightedExponential` is an alternative spelling Knative accepts too.
    kpa_key(
        "metric-aggregation-algorithm",
        Some("metricAggregationAlgorithm"),
        Rule::OneOf(&["linear", "weighted-exponential", "weightedExponential"]),
    ),
];

/// Checks a Knative object's autoscaling annotations against the cluster's `autoscaler`
/// configuration; returns nothing for other kinds.
pub fn check(object: &Value, autoscaler: &Autoscaler) -> Vec<RuleViolation> {
    if object.get("apiVersion").and_then(Value::as_str) != Some("serving.knative.dev/v1") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let own = "/metadata/annotations";
    let template = "/spec/template/metadata/annotations";
    match object.get("kind").and_then(Value::as_str) {
        Some(kind @ ("Service" | "Configuration")) => {
            misplaced(object, kind, own, &mut out);
            annotations(object, template, autoscaler, &mut out);
        }
        Some(kind @ "Route") => misplaced(object, kind, own, &mut out),
        Some("Revision") => annotations(object, own, autoscaler, &mut out),
        _ => {}
    }
    out
}

/// Autoscaling keys on an object's own metadata, which the webhook refuses: Knative reads them
/// only from a revision template.
fn misplaced(object: &Value, kind: &str, base: &str, out: &mut Vec<RuleViolation>) {
    for (full, _) in string_entries(object, base) {
        if !full.starts_with(GROUP) {
            continue;
        }
        let name = full.strip_prefix(PREFIX).unwrap_or(full);
        let known = if lookup(name).is_some() {
            String::new()
        } else {
            format!(
                " ({full} is no Knative autoscaling key either; {})",
                suggestion(name)
            )
        };
        let fix = if kind == "Route" {
            "a Route has no revisions: set it on the revision template of the Service or \
             Configuration the Route sends traffic to"
        } else {
            "move it to spec.template.metadata.annotations"
        };
        out.push(RuleViolation {
            severity: Severity::Error,
            pointer: pointer(base, full),
            message: format!(
                "invalid key name {full:?}: autoscaling annotations must be put under \
                 \"spec.template.metadata.annotations\" to work; on the {kind}'s own metadata \
                 Knative refuses them{known}; {fix}"
            ),
        });
    }
}

/// The table entry for a name after the prefix, either spelling, and whether it is the legacy one.
fn lookup(name: &str) -> Option<(usize, bool)> {
    KEYS.iter().enumerate().find_map(|(i, k)| {
        if k.name == name {
            Some((i, false))
        } else if k.legacy == Some(name) {
            Some((i, true))
        } else {
            None
        }
    })
}

/// "did you mean ...?" for an unknown name after the prefix, with the closest known key.
fn suggestion(name: &str) -> String {
    let normal = |s: &str| s.to_ascii_lowercase().replace(['-', '_'], "");
    let wanted = normal(name);
    let (score, best) = KEYS
        .iter()
        .flat_map(|k| {
            std::iter::once(k.name)
                .chain(k.legacy)
                .map(move |n| (n, k.name))
        })
        .map(|(spelling, canonical)| (strsim::jaro_winkler(&wanted, &normal(spelling)), canonical))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("the key table is not empty");
    if score >= 0.8 {
        format!("did you mean {PREFIX}{best}?")
    } else {
        format!(
            "the closest known key is {PREFIX}{best}; an annotation that is not for Knative must \
             not use the {PREFIX} prefix"
        )
    }
}

/// One present key of the table: its full annotation key and value.
#[derive(Clone, Copy)]
struct Found<'a> {
    full: &'a str,
    value: &'a str,
    /// The position of the annotation in the map, to report in document order.
    position: usize,
}

/// The autoscaler class in effect, as far as the rules need it.
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Kpa,
    Hpa,
    /// A class of another autoscaler, whose metrics Knative leaves alone.
    Other,
}

/// The class a revision gets, and where it comes from (for messages).
struct ClassInEffect<'a> {
    class: Class,
    /// The class annotation names KPA itself (the metric aggregation algorithm is checked
    /// only then, as `validateAlgorithm` does).
    explicit_kpa: bool,
    source: String,
    autoscaler: &'a Autoscaler,
}

type Problem = (Severity, String);

fn error(message: String) -> Option<Problem> {
    Some((Severity::Error, message))
}

fn warning(message: String) -> Option<Problem> {
    Some((Severity::Warning, message))
}

/// Checks the annotation map at `base`, where Knative reads autoscaling annotations.
fn annotations(object: &Value, base: &str, autoscaler: &Autoscaler, out: &mut Vec<RuleViolation>) {
    // Violations with the position of the annotation they are about, sorted at the end.
    let mut found: Vec<(usize, RuleViolation)> = Vec::new();
    let mut report = |position: usize, full: &str, (severity, message): Problem| {
        found.push((
            position,
            RuleViolation {
                severity,
                pointer: pointer(base, full),
                message,
            },
        ));
    };

    // The value Knative reads for each key: the current spelling wins over the legacy one.
    let mut current: [Option<Found>; KEYS.len()] = [None; KEYS.len()];
    let mut legacy: [Option<Found>; KEYS.len()] = [None; KEYS.len()];
    for (position, (full, value)) in string_entries(object, base).into_iter().enumerate() {
        let Some(name) = full.strip_prefix(PREFIX) else {
            continue;
        };
        let this = Found {
            full,
            value,
            position,
        };
        match lookup(name) {
            Some((i, false)) => current[i] = Some(this),
            Some((i, true)) => legacy[i] = Some(this),
            None => report(
                position,
                full,
                (
                    Severity::Warning,
                    format!(
                        "unknown autoscaling annotation {full}, which Knative ignores; {}",
                        suggestion(name)
                    ),
                ),
            ),
        }
    }
    for (now, old) in current.iter().zip(&legacy) {
        if let (Some(now), Some(old)) = (now, old) {
            report(
                old.position,
                old.full,
                (
                    Severity::Warning,
                    format!(
                        "{} and {} are two spellings of one key, and Knative reads only {}; \
                         remove the legacy {}",
                        old.full, now.full, now.full, old.full
                    ),
                ),
            );
        }
    }
    let effective: Vec<Option<Found>> = current
        .iter()
        .zip(&legacy)
        .map(|(now, old)| now.or(*old))
        .collect();
    let get = |name: &str| {
        let i = KEYS.iter().position(|k| k.name == name).expect("known key");
        effective[i]
    };

    let annotated = get("class").map(|f| f.value);
    let name = annotated.unwrap_or(&autoscaler.class);
    let class = ClassInEffect {
        class: match name {
            KPA => Class::Kpa,
            HPA => Class::Hpa,
            _ => Class::Other,
        },
        explicit_kpa: annotated == Some(KPA),
        source: match annotated {
            Some(_) => format!("{PREFIX}class is {name}"),
            None => format!(
                "the class is config-autoscaler's pod-autoscaler-class {name} ({})",
                autoscaler.origin
            ),
        },
        autoscaler,
    };
    for (k, f) in KEYS.iter().zip(&effective) {
        let Some(f) = f else { continue };
        if k.kpa_only && class.class == Class::Hpa {
            report(
                f.position,
                f.full,
                (
                    Severity::Warning,
                    format!(
                        "{} is read only by the Knative Pod Autoscaler, but {}, so it has no \
                         effect; remove it, or use the class {KPA}",
                        f.full, class.source
                    ),
                ),
            );
        }
        if let Some(problem) = check_value(k.rule, f, &class) {
            report(f.position, f.full, problem);
        }
    }

    // Rules between keys, checked only when the values themselves are valid.
    let integer = |name| get(name).and_then(|f| Some((f, parse_integer(f.value).ok()?)));
    let (min, max) = (integer(MIN_SCALE), integer(MAX_SCALE));
    let bounded_max = max.filter(|(_, m)| *m != 0);
    if let (Some((min_f, min)), Some((max_f, max))) = (min, bounded_max)
        && max < min
    {
        report(
            max_f.position,
            max_f.full,
            (
                Severity::Error,
                format!(
                    "{} {:?} is below {} {:?}; raise {} or lower {} (0 means unlimited)",
                    max_f.full,
                    max_f.value,
                    short(min_f.full),
                    min_f.value,
                    short(max_f.full),
                    short(min_f.full)
                ),
            ),
        );
    }
    if let Some((max_f, max)) = max
        && let Some(problem) = beyond_limit(max_f, max, autoscaler)
    {
        report(max_f.position, max_f.full, problem);
    }
    if let Some((act_f, act)) = integer(ACTIVATION_SCALE).filter(|(_, a)| *a >= 2) {
        if let Some((max_f, _)) = bounded_max.filter(|(_, m)| *m < act) {
            report(
                act_f.position,
                act_f.full,
                (
                    Severity::Error,
                    format!(
                        "{} {:?} is above {} {:?}, so it can never be reached; lower {} or \
                         raise {}",
                        act_f.full,
                        act_f.value,
                        short(max_f.full),
                        max_f.value,
                        short(act_f.full),
                        short(max_f.full)
                    ),
                ),
            );
        }
        if let Some((min_f, _)) = min.filter(|(_, m)| *m > act) {
            report(
                act_f.position,
                act_f.full,
                (
                    Severity::Error,
                    format!(
                        "{} {:?} is below {} {:?}, so it has no effect; raise {} to at least {} \
                         or remove it",
                        act_f.full,
                        act_f.value,
                        short(min_f.full),
                        min_f.value,
                        short(act_f.full),
                        short(min_f.full)
                    ),
                ),
            );
        }
    }

    found.sort_by_key(|(position, _)| *position);
    out.extend(found.into_iter().map(|(_, v)| v));
}

/// `validateMaxScaleWithinLimit`: with config-autoscaler's `max-scale-limit`, `max-scale` must
/// be from 1 to the limit.
fn beyond_limit(max_f: Found, max: i64, autoscaler: &Autoscaler) -> Option<Problem> {
    let limit = autoscaler.max_scale_limit;
    let key = max_f.full;
    let why = format!(
        "config-autoscaler's max-scale-limit is {limit} ({}); set {} from 1 to {limit}",
        autoscaler.origin,
        short(key)
    );
    if limit == 0 || (1..=limit).contains(&max) {
        None
    } else if max == 0 {
        error(format!(
            "{key}: max-scale=0 (unlimited), must be less than {limit}: {why}"
        ))
    } else {
        error(format!(
            "{}: {why}",
            super::out_of_bounds(short(key), max, 1, limit)
        ))
    }
}

/// A full key without the prefix, for the second mention in a message.
fn short(full: &str) -> &str {
    full.strip_prefix(PREFIX).unwrap_or(full)
}

/// The problem with one value under its rule, if any. Numbers compare as Go's do (`NaN` is
/// never out of range).
fn check_value(rule: Rule, f: &Found, class: &ClassInEffect) -> Option<Problem> {
    let (key, value) = (f.full, f.value);
    match rule {
        Rule::Class if value == KPA || value == HPA => None,
        Rule::Class if value.ends_with(KNATIVE_DOMAIN) => error(format!(
            "invalid value: {value}: {key} is not a Knative autoscaler class; use {KPA} (the \
             default) or {HPA}"
        )),
        Rule::Class => warning(format!(
            "{key} {value:?} is not a Knative autoscaler class, so Knative leaves the revision to \
             another autoscaler; make sure one watching this class runs, or use {KPA} or {HPA}"
        )),
        Rule::Metric => match class.class {
            Class::Kpa if !matches!(value, "concurrency" | "rps") => error(format!(
                "invalid value: {value}: {key} is not a metric of the Knative Pod Autoscaler \
                 ({}); use concurrency or rps, or set {PREFIX}class to {HPA} to scale on cpu, \
                 memory or a custom metric",
                class.source
            )),
            Class::Hpa if value.is_empty() => error(format!(
                "invalid value: {key} is empty; name the metric the HPA scales on, such as cpu \
                 or memory"
            )),
            _ => None,
        },
        Rule::Number { min, max } => match value.parse::<f64>() {
            Ok(n) => match max {
                Some(max) if n < min || n > max => error(format!(
                    "{key} {value:?} is outside {min} to {max}; use a number in that range"
                )),
                None if n < min => error(format!(
                    "{key} {value:?} is below the minimum {min}; use a number of at least {min}"
                )),
                _ => None,
            },
            Err(_) => error(format!(
                "invalid value: {value}: {key} is not a number; write a decimal number such as \
                 \"10\" or \"0.5\""
            )),
        },
        Rule::Integer { min } => match parse_integer(value) {
            Err(why) => error(format!("{why}: {key} {value:?} {}", why.fix())),
            Ok(n) if n < min && min == 0 => error(format!(
                "{}: use 0 or a positive integer",
                super::out_of_bounds(key, value, 0, 2147483647)
            )),
            Ok(n) if n < min => error(format!(
                "{key} {value:?} is below {min}; use {min} or more, or remove it (a revision then \
                 scales up from zero to 1 pod)"
            )),
            Ok(_) => None,
        },
        Rule::InitialScale => initial_scale(key, value, class.autoscaler),
        Rule::Duration {
            min,
            max,
            whole_seconds,
        } => match parse_go_duration(value) {
            None => error(format!(
                "invalid value: {value}: {key} is not a duration; write a number with a unit, \
                 such as \"30s\", \"5m\" or \"1h30m\""
            )),
            Some(d) if d < min || d > max => error(format!(
                "{key} {value:?} is outside {} to {}; use a duration in that range",
                format_duration(min),
                format_duration(max)
            )),
            Some(d) if whole_seconds && d % SECOND != 0 => error(format!(
                "{key} {value:?} is not a whole number of seconds; round it to whole seconds"
            )),
            Some(_) => None,
        },
        Rule::BurstCapacity => match value.parse::<f64>() {
            Ok(n) if !(n < 0.0 && n != -1.0) => None,
            _ => error(format!(
                "invalid value: {value}: {key} must be -1 (unlimited), 0 (the activator only in \
                 the path at zero scale) or a positive number"
            )),
        },
        Rule::OneOf(allowed) if !allowed.contains(&value) => {
            let message = format!(
                "{key} {value:?} is not a known algorithm; use {} or {}",
                allowed[0], allowed[1]
            );
            if class.explicit_kpa {
                error(format!("invalid value: {value}: {message}"))
            } else {
                warning(format!(
                    "{message} (the webhook checks it only when {PREFIX}class is {KPA})"
                ))
            }
        }
        Rule::OneOf(_) => None,
    }
}

/// `validateInitialScale`: a Go `int` (`strconv.Atoi`), not negative, and 0 only where
/// config-autoscaler's `allow-zero-initial-scale` is true.
fn initial_scale(key: &str, value: &str, autoscaler: &Autoscaler) -> Option<Problem> {
    match value.parse::<i64>() {
        Err(_) => error(format!(
            "invalid value: {value}: {key} is not an integer; write a whole number such as \"1\""
        )),
        Ok(n) if n < 0 => error(format!(
            "invalid value: {value}: {key} must be greater than 0; use 0 or a positive integer"
        )),
        Ok(0) if !autoscaler.allow_zero_initial_scale => error(format!(
            "invalid value: 0: {key}=0 not allowed by cluster: config-autoscaler's \
             allow-zero-initial-scale is false ({}); set it to \"true\" in ConfigMap \
             knative-serving/config-autoscaler, or start with 1 pod",
            autoscaler.origin
        )),
        Ok(_) => None,
    }
}

/// Why a value is no `int32`, worded as the webhook words it.
enum NotInt32<'a> {
    /// `strconv.ParseInt` fails on the syntax: `ErrInvalidValue`.
    Syntax(&'a str),
    /// It overflows: `ErrOutOfBoundsValue(v, 0, math.MaxInt32)`.
    Range(&'a str),
}

impl NotInt32<'_> {
    fn fix(&self) -> &'static str {
        match self {
            NotInt32::Syntax(_) => "is not an integer; write a whole number such as \"1\"",
            NotInt32::Range(_) => "is out of range; use an integer of at most 2147483647",
        }
    }
}

impl std::fmt::Display for NotInt32<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotInt32::Syntax(value) => write!(f, "invalid value: {value}"),
            NotInt32::Range(value) => write!(f, "expected 0 <= {value} <= 2147483647"),
        }
    }
}

/// A decimal `int32` as Go's `strconv.ParseInt(v, 10, 32)` reads it, or why it is not one.
fn parse_integer(value: &str) -> Result<i64, NotInt32<'_>> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NotInt32::Syntax(value));
    }
    match value.parse::<i64>() {
        Ok(n) if n <= i64::from(i32::MAX) && n >= i64::from(i32::MIN) => Ok(n),
        _ => Err(NotInt32::Range(value)),
    }
}

/// A bound in the unit a person would write it in (`0s`, `6s`, `1h`).
fn format_duration(nanos: i128) -> String {
    if nanos != 0 && nanos % HOUR == 0 {
        format!("{}h", nanos / HOUR)
    } else {
        format!("{}s", nanos / SECOND)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn check(object: &Value) -> Vec<RuleViolation> {
        super::check(object, &Autoscaler::default())
    }

    const TEMPLATE: &str = "/spec/template/metadata/annotations";

    fn service(annotations: Value) -> Value {
        json!({
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Service",
            "metadata": {"name": "qwen"},
            "spec": {"template": {"metadata": {"annotations": annotations}}},
        })
    }

    /// The violations of a Service whose template has these autoscaling annotations (names
    /// without the prefix).
    fn violations(pairs: &[(&str, &str)]) -> Vec<RuleViolation> {
        let annotations: Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| (format!("{PREFIX}{k}"), json!(v)))
            .collect();
        check(&service(Value::Object(annotations)))
    }

    fn at(name: &str) -> String {
        format!("{TEMPLATE}/autoscaling.knative.dev~1{name}")
    }

    #[track_caller]
    fn valid(pairs: &[(&str, &str)]) {
        assert_eq!(violations(pairs), [], "{pairs:?}");
    }

    /// Asserts exactly one error, at `name`, whose message contains `text`.
    #[track_caller]
    fn invalid(pairs: &[(&str, &str)], name: &str, text: &str) {
        only(pairs, name, text, Severity::Error);
    }

    /// Asserts exactly one warning (the webhook admits it), at `name`, containing `text`.
    #[track_caller]
    fn warned(pairs: &[(&str, &str)], name: &str, text: &str) {
        only(pairs, name, text, Severity::Warning);
    }

    #[track_caller]
    fn only(pairs: &[(&str, &str)], name: &str, text: &str, severity: Severity) {
        let found = violations(pairs);
        assert_eq!(found.len(), 1, "{pairs:?}: {found:#?}");
        assert_eq!(found[0].pointer, at(name), "{pairs:?}");
        assert_eq!(found[0].severity, severity, "{pairs:?}");
        assert!(
            found[0].message.contains(text),
            "{pairs:?}: {:?} lacks {text:?}",
            found[0].message
        );
    }

    #[test]
    fn other_kinds_and_versions_are_ignored() {
        let mut object = service(json!({"autoscaling.knative.dev/min-scale": "-1"}));
        assert_eq!(check(&object).len(), 1);
        object["apiVersion"] = json!("serving.knative.dev/v1beta1");
        assert_eq!(check(&object), []);
        object["apiVersion"] = json!("serving.knative.dev/v1");
        // A Route has no template; only its own metadata is checked.
        object["kind"] = json!("Route");
        assert_eq!(check(&object), []);
        assert_eq!(check(&json!({"apiVersion": "v1", "kind": "ConfigMap"})), []);
        assert_eq!(check(&json!("not an object")), []);
    }

    #[test]
    fn configuration_and_revision_are_checked_where_knative_reads() {
        let mut configuration = service(json!({"autoscaling.knative.dev/target": "0"}));
        configuration["kind"] = json!("Configuration");
        assert_eq!(check(&configuration)[0].pointer, at("target"));

        let revision = json!({
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Revision",
            "metadata": {"name": "r", "annotations": {"autoscaling.knative.dev/target": "0"}},
        });
        let found = check(&revision);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].pointer,
            "/metadata/annotations/autoscaling.knative.dev~1target"
        );
    }

    #[test]
    fn own_metadata_refuses_autoscaling_keys() {
        for kind in ["Configuration", "Route"] {
            let object = json!({"apiVersion": "serving.knative.dev/v1", "kind": kind,
                "metadata": {"name": "r", "annotations": {"autoscaling.knative.dev/foo": "1"}}});
            let found = check(&object);
            assert_eq!(found.len(), 1, "{kind}");
            assert_eq!(found[0].severity, Severity::Error);
            assert!(
                found[0]
                    .message
                    .starts_with("invalid key name \"autoscaling.knative.dev/foo\"")
            );
        }
    }

    #[test]
    fn service_metadata_annotations_are_misplaced() {
        let mut object = service(json!({"autoscaling.knative.dev/min-scale": "1"}));
        object["metadata"]["annotations"] = json!({
            "knative.aliyun.com/ai-gateway": "inference",
            "autoscaling.knative.dev/max-scale": "3",
            "autoscaling.knative.dev/max-scal": "3",
        });
        let found = check(&object);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].pointer,
            "/metadata/annotations/autoscaling.knative.dev~1max-scale"
        );
        assert!(
            found[0]
                .message
                .contains("move it to spec.template.metadata.annotations")
        );
        assert!(found[1].message.contains("did you mean"));
    }

    #[test]
    fn non_string_values_and_other_prefixes_are_skipped() {
        let object = service(json!({
            "autoscaling.knative.dev/min-scale": 5,
            "autoscaling.knative.dev/max-scale": "3",
            "example.com/min-scale": "oops",
        }));
        assert_eq!(check(&object), []);
        assert_eq!(check(&service(json!(["not", "a", "map"]))), []);
    }

    #[test]
    fn class() {
        valid(&[("class", KPA)]);
        valid(&[("class", HPA), ("metric", "cpu")]);
        // Only a class in Knative's own domain must be KPA or HPA (`validateClass`); another
        // is left to the autoscaler that watches it.
        invalid(
            &[("class", "kpa.knative.dev")],
            "class",
            "use kpa.autoscaling.knative.dev",
        );
        warned(
            &[("class", "kpa")],
            "class",
            "use kpa.autoscaling.knative.dev",
        );
        warned(&[("class", "keda.example.com")], "class", "not a Knative");
    }

    #[test]
    fn metric_depends_on_the_class() {
        valid(&[("metric", "concurrency")]);
        valid(&[("metric", "rps")]);
        valid(&[("class", KPA), ("metric", "rps")]);
        valid(&[("class", HPA), ("metric", "memory")]);
        valid(&[("class", HPA), ("metric", "requests_per_gpu")]);
        invalid(&[("metric", "cpu")], "metric", "use concurrency or rps");
        invalid(
            &[("class", KPA), ("metric", "")],
            "metric",
            "concurrency or rps",
        );
        invalid(&[("class", HPA), ("metric", "")], "metric", "is empty");
        // Another class's metrics are its own; only the class is worth a warning.
        warned(
            &[("class", "x"), ("metric", "cpu")],
            "class",
            "not a Knative",
        );
    }

    #[test]
    fn the_default_class_comes_from_config_autoscaler() {
        let hpa = Autoscaler {
            class: HPA.to_owned(),
            ..Autoscaler::default()
        };
        let object = service(json!({"autoscaling.knative.dev/metric": "cpu"}));
        assert_eq!(super::check(&object, &hpa), []);
        let found = check(&object);
        assert!(
            found[0].message.contains("pod-autoscaler-class"),
            "{found:#?}"
        );
    }

    #[test]
    fn target() {
        valid(&[("target", "0.01")]);
        valid(&[("target", "2")]);
        valid(&[("target", "1e3")]);
        invalid(&[("target", "0.001")], "target", "at least 0.01");
        invalid(&[("target", "0")], "target", "at least 0.01");
        invalid(&[("target", "two")], "target", "not a number");
        // Go's ParseFloat reads NaN, and NaN is below no minimum: the webhook admits it.
        valid(&[("target", "NaN")]);
        invalid(&[("target", "")], "target", "not a number");
    }

    #[test]
    fn target_utilization_percentage() {
        valid(&[("target-utilization-percentage", "1")]);
        valid(&[("target-utilization-percentage", "70")]);
        valid(&[("targetUtilizationPercentage", "100")]);
        invalid(
            &[("target-utilization-percentage", "0.7")],
            "target-utilization-percentage",
            "outside 1 to 100",
        );
        invalid(
            &[("targetUtilizationPercentage", "101")],
            "targetUtilizationPercentage",
            "outside 1 to 100",
        );
    }

    #[test]
    fn scale_bounds_are_non_negative_integers() {
        valid(&[("min-scale", "0"), ("max-scale", "0")]);
        valid(&[("minScale", "1"), ("maxScale", "3"), ("initialScale", "2")]);
        invalid(
            &[("min-scale", "-1")],
            "min-scale",
            "(expected 0 <= -1 <= 2147483647)",
        );
        invalid(&[("max-scale", "1.5")], "max-scale", "not an integer");
        invalid(
            &[("initial-scale", "one")],
            "initial-scale",
            "not an integer",
        );
        invalid(&[("maxScale", "3000000000")], "maxScale", "out of range");
        invalid(&[("min-scale", " 1")], "min-scale", "not an integer");
        // initial-scale is a Go int (`strconv.Atoi`), not an int32.
        valid(&[("initial-scale", "3000000000")]);
        invalid(
            &[("initial-scale", "-1")],
            "initial-scale",
            "greater than 0",
        );
    }

    #[test]
    fn zero_initial_scale_needs_the_cluster_to_allow_it() {
        invalid(
            &[("initial-scale", "0")],
            "initial-scale",
            "invalid value: 0: autoscaling.knative.dev/initial-scale=0 not allowed by cluster",
        );
        let allowing = Autoscaler {
            allow_zero_initial_scale: true,
            ..Autoscaler::default()
        };
        let object = service(json!({"autoscaling.knative.dev/initial-scale": "0"}));
        assert_eq!(super::check(&object, &allowing), []);
    }

    #[test]
    fn max_scale_stays_within_the_cluster_limit() {
        let limited = Autoscaler {
            max_scale_limit: 10,
            ..Autoscaler::default()
        };
        let run = |max: &str| {
            super::check(
                &service(json!({"autoscaling.knative.dev/max-scale": max})),
                &limited,
            )
        };
        assert_eq!(run("10"), []);
        assert!(run("11")[0].message.contains("expected 1 <= 11 <= 10"));
        assert!(
            run("0")[0]
                .message
                .contains("max-scale=0 (unlimited), must be less than 10")
        );
        assert_eq!(
            check(&service(json!({"autoscaling.knative.dev/max-scale": "0"}))),
            []
        );
    }

    #[test]
    fn max_scale_is_at_least_min_scale_unless_unlimited() {
        valid(&[("min-scale", "3"), ("max-scale", "3")]);
        valid(&[("min-scale", "3"), ("max-scale", "0")]);
        valid(&[("minScale", "2"), ("max-scale", "5")]);
        let found = violations(&[("min-scale", "3"), ("max-scale", "2")]);
        assert_eq!(
            found,
            [RuleViolation {
                severity: Severity::Error,
                pointer: at("max-scale"),
                message: "autoscaling.knative.dev/max-scale \"2\" is below min-scale \"3\"; \
                          raise max-scale or lower min-scale (0 means unlimited)"
                    .to_owned(),
            }]
        );
        invalid(
            &[("minScale", "4"), ("maxScale", "1")],
            "maxScale",
            "minScale",
        );
    }

    #[test]
    fn activation_scale() {
        valid(&[("activation-scale", "2")]);
        valid(&[
            ("activation-scale", "5"),
            ("min-scale", "1"),
            ("max-scale", "0"),
        ]);
        valid(&[
            ("activation-scale", "3"),
            ("min-scale", "3"),
            ("max-scale", "3"),
        ]);
        invalid(
            &[("activation-scale", "1")],
            "activation-scale",
            "use 2 or more",
        );
        invalid(
            &[("activation-scale", "x")],
            "activation-scale",
            "not an integer",
        );
        invalid(
            &[("activation-scale", "4"), ("max-scale", "3")],
            "activation-scale",
            "never be reached",
        );
        invalid(
            &[("activation-scale", "2"), ("min-scale", "3")],
            "activation-scale",
            "has no effect",
        );
    }

    #[test]
    fn scale_down_delay() {
        valid(&[("scale-down-delay", "0s")]);
        valid(&[("scale-down-delay", "15m")]);
        valid(&[("scaleDownDelay", "1h")]);
        invalid(
            &[("scale-down-delay", "15")],
            "scale-down-delay",
            "not a duration",
        );
        invalid(
            &[("scale-down-delay", "-1s")],
            "scale-down-delay",
            "0s to 1h",
        );
        invalid(
            &[("scale-down-delay", "1h1s")],
            "scale-down-delay",
            "0s to 1h",
        );
        invalid(
            &[("scale-down-delay", "500ms")],
            "scale-down-delay",
            "whole",
        );
    }

    #[test]
    fn scale_to_zero_pod_retention_period() {
        valid(&[("scale-to-zero-pod-retention-period", "0s")]);
        valid(&[("scale-to-zero-pod-retention-period", "1m30s")]);
        valid(&[("scaleToZeroPodRetentionPeriod", "500ms")]);
        invalid(
            &[("scale-to-zero-pod-retention-period", "5 minutes")],
            "scale-to-zero-pod-retention-period",
            "not a duration",
        );
        invalid(
            &[("scale-to-zero-pod-retention-period", "2h")],
            "scale-to-zero-pod-retention-period",
            "0s to 1h",
        );
    }

    #[test]
    fn window_is_kpa_only() {
        valid(&[("window", "6s")]);
        valid(&[("window", "60s")]);
        valid(&[("class", KPA), ("window", "1h")]);
        invalid(&[("window", "5s")], "window", "6s to 1h");
        invalid(&[("window", "61m")], "window", "6s to 1h");
        invalid(&[("window", "6.5s")], "window", "whole");
        invalid(&[("window", "1 minute")], "window", "not a duration");
        warned(
            &[("class", HPA), ("metric", "cpu"), ("window", "60s")],
            "window",
            "only by the Knative Pod Autoscaler",
        );
    }

    #[test]
    fn panic_percentages() {
        valid(&[("panic-window-percentage", "1.0")]);
        valid(&[("panicWindowPercentage", "100")]);
        valid(&[("panic-threshold-percentage", "110")]);
        valid(&[("panicThresholdPercentage", "1000.0")]);
        invalid(
            &[("panic-window-percentage", "0.5")],
            "panic-window-percentage",
            "outside 1 to 100",
        );
        invalid(
            &[("panic-threshold-percentage", "100")],
            "panic-threshold-percentage",
            "outside 110 to 1000",
        );
        invalid(
            &[("panic-threshold-percentage", "2000")],
            "panic-threshold-percentage",
            "outside 110 to 1000",
        );
        warned(
            &[("class", HPA), ("panic-threshold-percentage", "200")],
            "panic-threshold-percentage",
            "only by the Knative Pod Autoscaler",
        );
    }

    #[test]
    fn target_burst_capacity() {
        for ok in ["-1", "0", "0.5", "211", "-1.0"] {
            valid(&[("target-burst-capacity", ok)]);
        }
        valid(&[("targetBurstCapacity", "10")]);
        // +Inf is no negative number, so Go admits it.
        valid(&[("target-burst-capacity", "inf")]);
        for bad in ["-0.5", "-2", "lots", "-inf"] {
            invalid(
                &[("target-burst-capacity", bad)],
                "target-burst-capacity",
                "must be -1 (unlimited), 0",
            );
        }
    }

    #[test]
    fn metric_aggregation_algorithm() {
        valid(&[("metric-aggregation-algorithm", "linear")]);
        valid(&[("metric-aggregation-algorithm", "weighted-exponential")]);
        valid(&[("metricAggregationAlgorithm", "weightedExponential")]);
        // `validateAlgorithm` checks it only under an explicit KPA class.
        warned(
            &[("metric-aggregation-algorithm", "exponential")],
            "metric-aggregation-algorithm",
            "use linear or weighted-exponential",
        );
        invalid(
            &[
                ("class", KPA),
                ("metric-aggregation-algorithm", "exponential"),
            ],
            "metric-aggregation-algorithm",
            "invalid value: exponential",
        );
    }

    #[test]
    fn both_spellings_of_one_key_are_ambiguous() {
        warned(
            &[("min-scale", "1"), ("minScale", "1")],
            "minScale",
            "remove the legacy autoscaling.knative.dev/minScale",
        );
        // The current spelling is the one checked.
        let found = violations(&[("maxScale", "x"), ("max-scale", "2"), ("min-scale", "3")]);
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, [at("maxScale"), at("max-scale")]);
    }

    #[test]
    fn unknown_keys_suggest_the_closest_known_key() {
        warned(
            &[("max-scal", "3")],
            "max-scal",
            "did you mean autoscaling.knative.dev/max-scale?",
        );
        warned(
            &[("MinScale", "3")],
            "MinScale",
            "did you mean autoscaling.knative.dev/min-scale?",
        );
        warned(
            &[("panic-window", "10")],
            "panic-window",
            "autoscaling.knative.dev/panic-window-percentage",
        );
        warned(&[("zzz", "1")], "zzz", "closest known key");
    }

    #[test]
    fn every_annotation_used_correctly_is_valid() {
        valid(&[
            ("class", KPA),
            ("metric", "concurrency"),
            ("target", "2"),
            ("target-utilization-percentage", "70"),
            ("min-scale", "1"),
            ("max-scale", "3"),
            ("initial-scale", "1"),
            ("activation-scale", "2"),
            ("scale-down-delay", "5m"),
            ("window", "60s"),
            ("panic-window-percentage", "10.0"),
            ("panic-threshold-percentage", "200.0"),
            ("target-burst-capacity", "211"),
            ("scale-to-zero-pod-retention-period", "0s"),
            ("metric-aggregation-algorithm", "linear"),
        ]);
    }

    #[test]
    fn violations_come_in_document_order() {
        let found = violations(&[("window", "1s"), ("min-scale", "-1"), ("bogus", "1")]);
        let pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, [at("window"), at("min-scale"), at("bogus")]);
    }
}
