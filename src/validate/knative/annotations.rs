//! Knative Serving autoscaling annotations: the admission rules of Knative's webhook that no
//! schema can express, because every annotation value is a string. Their code stays
//! `rule-violation`, as before Knative admission had a folder of its own.
//!
//! [`check`] looks at the annotations Knative reads: `spec.template.metadata.annotations` of a
//! `serving.knative.dev/v1` Service or Configuration, and `metadata.annotations` of a Revision.
//! A Service's own `metadata.annotations` are not propagated to its revisions, so autoscaling keys
//! there have no effect and are reported too.
//!
//! The rules are one table, [`KEYS`], after `pkg/apis/autoscaling` of knative/serving and the
//! config-autoscaler ConfigMap (see `SOURCES.md` of the reference data). Values that are not
//! strings are a schema problem and are skipped here.

use serde_json::{Map, Value};

/// One broken rule: where (a JSON Pointer into the object) and what is wrong, with how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleViolation {
    pub pointer: String,
    pub message: String,
}

const PREFIX: &str = "autoscaling.knative.dev/";
const KPA: &str = "kpa.autoscaling.knative.dev";
const HPA: &str = "hpa.autoscaling.knative.dev";

use crate::duration::{HOUR, SECOND, parse_go_duration};

/// What a key's value must be.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// `kpa.autoscaling.knative.dev` or `hpa.autoscaling.knative.dev`.
    Class,
    /// KPA: `concurrency` or `rps`; HPA: any non-empty metric name.
    Metric,
    /// A finite number in `min..=max` (no upper bound when `max` is `None`).
    Number { min: f64, max: Option<f64> },
    /// A decimal integer from `min` to `i32::MAX`.
    Integer { min: i64 },
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
    key(
        "initial-scale",
        Some("initialScale"),
        Rule::Integer { min: 0 },
    ),
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

/// Checks a Knative object's autoscaling annotations; returns nothing for other kinds.
pub fn check(object: &Value) -> Vec<RuleViolation> {
    if object.get("apiVersion").and_then(Value::as_str) != Some("serving.knative.dev/v1") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let template = "/spec/template/metadata/annotations";
    match object.get("kind").and_then(Value::as_str) {
        Some("Service") => {
            misplaced(object, "/metadata/annotations", &mut out);
            annotations(object, template, &mut out);
            whole_seconds(object, "/metadata/annotations", &ROLLOUT_DURATION, &mut out);
            whole_seconds(object, template, &[PROGRESS_DEADLINE], &mut out);
        }
        Some("Configuration") => {
            annotations(object, template, &mut out);
            whole_seconds(object, template, &[PROGRESS_DEADLINE], &mut out);
        }
        Some("Revision") => {
            annotations(object, "/metadata/annotations", &mut out);
            whole_seconds(
                object,
                "/metadata/annotations",
                &[PROGRESS_DEADLINE],
                &mut out,
            );
        }
        _ => {}
    }
    out
}

/// `serving.knative.dev/progress-deadline` on a revision template: how long a revision may take
/// to become ready (`ProgressDeadlineAnnotation` in `pkg/apis/serving/register.go`).
const PROGRESS_DEADLINE: &str = "serving.knative.dev/progress-deadline";
/// `serving.knative.dev/rollout-duration` (or the legacy `rolloutDuration`) on a Service.
const ROLLOUT_DURATION: [&str; 2] = [
    "serving.knative.dev/rollout-duration",
    "serving.knative.dev/rolloutDuration",
];

/// `validateProgressDeadlineAnnotation` and `ValidateRolloutDurationAnnotation`: a Go duration
/// in whole seconds, not negative.
fn whole_seconds(object: &Value, base: &str, keys: &[&str], out: &mut Vec<RuleViolation>) {
    for (key, value) in string_entries(object, base) {
        if !keys.contains(&key) || value.is_empty() {
            continue;
        }
        let name = short_serving(key);
        let message = match parse_go_duration(value) {
            None => format!("{key} = {value:?} is not a duration; write e.g. \"600s\" or \"20m\""),
            Some(d) if d % SECOND != 0 => {
                format!("{name}={value} is not at second precision; use whole seconds")
            }
            Some(d) if d < 0 => format!("{name}={value} must be positive"),
            Some(_) => continue,
        };
        out.push(RuleViolation {
            pointer: pointer(base, key),
            message,
        });
    }
}

fn short_serving(key: &str) -> &str {
    key.strip_prefix("serving.knative.dev/").unwrap_or(key)
}

/// The string-valued annotations at `base`, in document order.
fn string_entries<'a>(object: &'a Value, base: &str) -> Vec<(&'a str, &'a str)> {
    object
        .pointer(base)
        .and_then(Value::as_object)
        .map(Map::iter)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .collect()
}

/// RFC 6901: `~` becomes `~0` and `/` becomes `~1`.
fn pointer(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Autoscaling keys on a Service's own metadata, which Knative never reads.
fn misplaced(object: &Value, base: &str, out: &mut Vec<RuleViolation>) {
    for (full, _) in string_entries(object, base) {
        let Some(name) = full.strip_prefix(PREFIX) else {
            continue;
        };
        let message = match lookup(name) {
            Some(_) => format!(
                "{full} on the Service's own metadata has no effect: Knative reads autoscaling \
                 annotations only from the revision template; move it to \
                 spec.template.metadata.annotations"
            ),
            None => format!(
                "{full} on the Service's own metadata has no effect, and it is not a Knative \
                 autoscaling key either; {} (autoscaling annotations belong in \
                 spec.template.metadata.annotations)",
                suggestion(name)
            ),
        };
        out.push(RuleViolation {
            pointer: pointer(base, full),
            message,
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
    /// An invalid class, already reported; class-dependent rules are skipped.
    Invalid,
}

/// Checks the annotation map at `base`, where Knative reads autoscaling annotations.
fn annotations(object: &Value, base: &str, out: &mut Vec<RuleViolation>) {
    // Violations with the position of the annotation they are about, sorted at the end.
    let mut found: Vec<(usize, RuleViolation)> = Vec::new();
    let mut report = |position: usize, full: &str, message: String| {
        found.push((
            position,
            RuleViolation {
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
                format!(
                    "unknown autoscaling annotation {full}, which Knative ignores; {}",
                    suggestion(name)
                ),
            ),
        }
    }
    for (now, old) in current.iter().zip(&legacy) {
        if let (Some(now), Some(old)) = (now, old) {
            report(
                old.position,
                old.full,
                format!(
                    "{} and {} are two spellings of one key, and Knative reads only {}; remove \
                     the legacy {}",
                    old.full, now.full, now.full, old.full
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

    let class = match get("class").map(|f| f.value) {
        None | Some(KPA) => Class::Kpa,
        Some(HPA) => Class::Hpa,
        Some(_) => Class::Invalid,
    };
    let class_key = format!("{PREFIX}class");
    for (k, f) in KEYS.iter().zip(&effective) {
        let Some(f) = f else { continue };
        if k.kpa_only && class == Class::Hpa {
            report(
                f.position,
                f.full,
                format!(
                    "{} is read only by the Knative Pod Autoscaler, but {class_key} is {HPA}; \
                     remove it, or use the class {KPA}",
                    f.full
                ),
            );
        } else if let Some(message) = check_value(k.rule, f, class) {
            report(f.position, f.full, message);
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
            format!(
                "{} {:?} is below {} {:?}; raise {} or lower {} (0 means unlimited)",
                max_f.full,
                max_f.value,
                short(min_f.full),
                min_f.value,
                short(max_f.full),
                short(min_f.full)
            ),
        );
    }
    if let Some((act_f, act)) = integer(ACTIVATION_SCALE).filter(|(_, a)| *a >= 2) {
        if let Some((max_f, _)) = bounded_max.filter(|(_, m)| *m < act) {
            report(
                act_f.position,
                act_f.full,
                format!(
                    "{} {:?} is above {} {:?}, so it can never be reached; lower {} or raise {}",
                    act_f.full,
                    act_f.value,
                    short(max_f.full),
                    max_f.value,
                    short(act_f.full),
                    short(max_f.full)
                ),
            );
        }
        if let Some((min_f, _)) = min.filter(|(_, m)| *m > act) {
            report(
                act_f.position,
                act_f.full,
                format!(
                    "{} {:?} is below {} {:?}, so it has no effect; raise {} to at least {} or \
                     remove it",
                    act_f.full,
                    act_f.value,
                    short(min_f.full),
                    min_f.value,
                    short(act_f.full),
                    short(min_f.full)
                ),
            );
        }
    }

    found.sort_by_key(|(position, _)| *position);
    out.extend(found.into_iter().map(|(_, v)| v));
}

/// A full key without the prefix, for the second mention in a message.
fn short(full: &str) -> &str {
    full.strip_prefix(PREFIX).unwrap_or(full)
}

/// The problem with one value under its rule, if any.
fn check_value(rule: Rule, f: &Found, class: Class) -> Option<String> {
    let (key, value) = (f.full, f.value);
    match rule {
        Rule::Class => (value != KPA && value != HPA).then(|| {
            format!(
                "{key} {value:?} is not a Knative autoscaler class; use {KPA} (the default) or \
                 {HPA}"
            )
        }),
        Rule::Metric => match class {
            Class::Kpa if !matches!(value, "concurrency" | "rps") => Some(format!(
                "{key} {value:?} is not a metric of the Knative Pod Autoscaler (the default \
                 class); use concurrency or rps, or set {PREFIX}class to {HPA} to scale on cpu, \
                 memory or a custom metric"
            )),
            Class::Hpa if value.is_empty() => Some(format!(
                "{key} is empty; name the metric the HPA scales on, such as cpu or memory"
            )),
            _ => None,
        },
        Rule::Number { min, max } => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => match max {
                Some(max) if n < min || n > max => Some(format!(
                    "{key} {value:?} is outside {min} to {max}; use a number in that range"
                )),
                None if n < min => Some(format!(
                    "{key} {value:?} is below the minimum {min}; use a number of at least {min}"
                )),
                _ => None,
            },
            _ => Some(format!(
                "{key} {value:?} is not a number; write a decimal number such as \"10\" or \"0.5\""
            )),
        },
        Rule::Integer { min } => match parse_integer(value) {
            Err(why) => Some(format!("{key} {value:?} {why}")),
            Ok(n) if n < min && min == 0 => Some(format!(
                "{key} {value:?} is negative; use 0 or a positive integer"
            )),
            Ok(n) if n < min => Some(format!(
                "{key} {value:?} is below {min}; use {min} or more, or remove it (a revision then \
                 scales up from zero to 1 pod)"
            )),
            Ok(_) => None,
        },
        Rule::Duration {
            min,
            max,
            whole_seconds,
        } => match parse_go_duration(value) {
            None => Some(format!(
                "{key} {value:?} is not a duration; write a number with a unit, such as \"30s\", \
                 \"5m\" or \"1h30m\""
            )),
            Some(d) if d < min || d > max => Some(format!(
                "{key} {value:?} is outside {} to {}; use a duration in that range",
                format_duration(min),
                format_duration(max)
            )),
            Some(d) if whole_seconds && d % SECOND != 0 => Some(format!(
                "{key} {value:?} is not a whole number of seconds; round it to whole seconds"
            )),
            Some(_) => None,
        },
        Rule::BurstCapacity => match value.parse::<f64>() {
            Ok(n) if n.is_finite() && (n >= 0.0 || n == -1.0) => None,
            _ => Some(format!(
                "{key} {value:?} is invalid; use -1 (unlimited), 0 (the activator only in the \
                 path at zero scale) or a positive number"
            )),
        },
        Rule::OneOf(allowed) => (!allowed.contains(&value)).then(|| {
            format!(
                "{key} {value:?} is not a known algorithm; use {} or {}",
                allowed[0], allowed[1]
            )
        }),
    }
}

/// A decimal `int32` as Go's `strconv.ParseInt(v, 10, 32)` reads it, or why it is not one.
fn parse_integer(value: &str) -> Result<i64, &'static str> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not an integer; write a whole number such as \"1\"");
    }
    match value.parse::<i64>() {
        Ok(n) if n <= i64::from(i32::MAX) && n >= i64::from(i32::MIN) => Ok(n),
        _ => Err("is out of range; use an integer of at most 2147483647"),
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
    use serde_json::json;

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

    /// Asserts exactly one violation, at `name`, whose message contains `text`.
    #[track_caller]
    fn invalid(pairs: &[(&str, &str)], name: &str, text: &str) {
        let found = violations(pairs);
        assert_eq!(found.len(), 1, "{pairs:?}: {found:#?}");
        assert_eq!(found[0].pointer, at(name), "{pairs:?}");
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
        invalid(
            &[("class", "kpa")],
            "class",
            "use kpa.autoscaling.knative.dev",
        );
        invalid(&[("class", "keda.example.com")], "class", "not a Knative");
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
        // An invalid class is reported once; the metric is not judged against it.
        invalid(
            &[("class", "x"), ("metric", "cpu")],
            "class",
            "not a Knative",
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
        invalid(&[("target", "NaN")], "target", "not a number");
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
        valid(&[
            ("min-scale", "0"),
            ("max-scale", "0"),
            ("initial-scale", "0"),
        ]);
        valid(&[("minScale", "1"), ("maxScale", "3"), ("initialScale", "2")]);
        invalid(&[("min-scale", "-1")], "min-scale", "is negative");
        invalid(&[("max-scale", "1.5")], "max-scale", "not an integer");
        invalid(
            &[("initial-scale", "one")],
            "initial-scale",
            "not an integer",
        );
        invalid(&[("maxScale", "3000000000")], "maxScale", "out of range");
        invalid(&[("min-scale", " 1")], "min-scale", "not an integer");
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
        invalid(
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
        invalid(
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
        for bad in ["-0.5", "-2", "lots", "inf"] {
            invalid(
                &[("target-burst-capacity", bad)],
                "target-burst-capacity",
                "use -1 (unlimited), 0",
            );
        }
    }

    #[test]
    fn metric_aggregation_algorithm() {
        valid(&[("metric-aggregation-algorithm", "linear")]);
        valid(&[("metric-aggregation-algorithm", "weighted-exponential")]);
        valid(&[("metricAggregationAlgorithm", "weightedExponential")]);
        invalid(
            &[("metric-aggregation-algorithm", "exponential")],
            "metric-aggregation-algorithm",
            "use linear or weighted-exponential",
        );
    }

    #[test]
    fn both_spellings_of_one_key_are_ambiguous() {
        invalid(
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
        invalid(
            &[("max-scal", "3")],
            "max-scal",
            "did you mean autoscaling.knative.dev/max-scale?",
        );
        invalid(
            &[("MinScale", "3")],
            "MinScale",
            "did you mean autoscaling.knative.dev/min-scale?",
        );
        invalid(
            &[("panic-window", "10")],
            "panic-window",
            "autoscaling.knative.dev/panic-window-percentage",
        );
        invalid(&[("zzz", "1")], "zzz", "closest known key");
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

    #[test]
    fn progress_deadline_and_rollout_duration_are_whole_seconds() {
        let object = json!({
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Service",
            "metadata": {"name": "qwen", "annotations": {
                "serving.knative.dev/rollout-duration": "1.5s"}},
            "spec": {"template": {"metadata": {"annotations": {
                "serving.knative.dev/progress-deadline": "30m"}}}},
        });
        let found = check(&object);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].pointer,
            "/metadata/annotations/serving.knative.dev~1rollout-duration"
        );
        assert!(found[0].message.contains("not at second precision"));
        let mut object = object;
        object["metadata"]["annotations"] = json!({});
        object["spec"]["template"]["metadata"]["annotations"] =
            json!({"serving.knative.dev/progress-deadline": "ten minutes"});
        let found = check(&object);
        assert!(found[0].message.contains("is not a duration"), "{found:#?}");
        object["spec"]["template"]["metadata"]["annotations"] =
            json!({"serving.knative.dev/progress-deadline": "-5s"});
        assert!(check(&object)[0].message.contains("must be positive"));
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(pointer("/a", "x/y~z"), "/a/x~1y~0z");
    }

    #[test]
    fn go_durations() {
        let cases: [(&str, Option<i128>); 16] = [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("0s", Some(0)),
            ("15m", Some(900 * SECOND)),
            ("1h30m", Some(5400 * SECOND)),
            ("500ms", Some(SECOND / 2)),
            ("1.5s", Some(3 * SECOND / 2)),
            (".5s", Some(SECOND / 2)),
            ("2us", Some(2000)),
            ("2µs", Some(2000)),
            ("-1s", Some(-SECOND)),
            ("+3ns", Some(3)),
            ("", None),
            ("10", None),
            ("1d", None),
            ("3000000h", None),
        ];
        for (text, nanos) in cases {
            assert_eq!(parse_go_duration(text), nanos, "{text:?}");
        }
        for bad in ["s", ".s", "1s 2s", "-", "1..2s", "1sm"] {
            assert_eq!(parse_go_duration(bad), None, "{bad:?}");
        }
    }
}
