//! Knative's cluster autoscaling configuration (ConfigMap `knative-serving/config-autoscaler`),
//! as far as the webhook's validation of revision annotations reads it: the default class (which
//! decides the metrics allowed), whether `initial-scale: "0"` is allowed, and the `max-scale`
//! limit. After `pkg/autoscaler/config/config.go` of knative/serving at `knative-v1.23.0`
//! (`defaultConfig`, `NewConfigFromMap`, `validate`) and knative/pkg's `configmap/parser`
//! (values are parsed untrimmed, booleans as Go's `strconv.ParseBool`, integers as `int32`).

use serde_json::{Map, Value};

use super::features::{ConfigProblem, Origin};

/// The values the webhook checks autoscaling annotations against.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoscaler {
    /// `pod-autoscaler-class`: the class of a revision that names none.
    pub class: String,
    /// `allow-zero-initial-scale`.
    pub allow_zero_initial_scale: bool,
    /// `max-scale-limit`: the largest `max-scale` a revision may ask for; 0 is no limit.
    pub max_scale_limit: i64,
    /// Where these values came from, for messages.
    pub origin: Origin,
}

impl Default for Autoscaler {
    fn default() -> Autoscaler {
        Autoscaler {
            class: "kpa.autoscaling.knative.dev".to_owned(),
            allow_zero_initial_scale: false,
            max_scale_limit: 0,
            origin: Origin::Default,
        }
    }
}

/// The cluster-wide scale bounds `validate` checks against each other.
struct Bounds {
    initial_scale: i64,
    min_scale: i64,
    max_scale: i64,
}

impl Autoscaler {
    /// Applies one ConfigMap's `data`. Knative refuses a ConfigMap whose values do not parse or
    /// contradict each other; such a ConfigMap is reported and leaves these values unchanged.
    pub fn read(&mut self, data: &Map<String, Value>, origin: &str) -> Vec<ConfigProblem> {
        let mut next = self.clone();
        let mut bounds = Bounds {
            initial_scale: 1,
            min_scale: 0,
            max_scale: 0,
        };
        let mut problems = Vec::new();
        let text = |key: &str| data.get(key).and_then(Value::as_str);
        if let Some(raw) = text("pod-autoscaler-class") {
            next.class = raw.trim().to_owned();
        }
        if let Some(raw) = text("allow-zero-initial-scale") {
            match parse_bool(raw) {
                Some(value) => next.allow_zero_initial_scale = value,
                None => problems.push(refused(
                    "allow-zero-initial-scale",
                    format!(
                        "failed to parse \"allow-zero-initial-scale\": {raw:?} is not a boolean"
                    ),
                )),
            }
        }
        let mut int32 = |key: &str, target: &mut i64| {
            if let Some(raw) = text(key) {
                match raw.parse::<i32>() {
                    Ok(value) => *target = i64::from(value),
                    Err(_) => problems.push(refused(
                        key,
                        format!("failed to parse {key:?}: {raw:?} is not a 32-bit integer"),
                    )),
                }
            }
        };
        int32("initial-scale", &mut bounds.initial_scale);
        int32("min-scale", &mut bounds.min_scale);
        int32("max-scale", &mut bounds.max_scale);
        int32("max-scale-limit", &mut next.max_scale_limit);
        if problems.is_empty() {
            problems.extend(next.contradictions(&bounds));
        }
        if !problems.is_empty() {
            return problems;
        }
        next.origin = Origin::Set(origin.to_owned());
        *self = next;
        Vec::new()
    }

    /// The checks of `validate` in `config.go` that involve the values read here.
    fn contradictions(&self, b: &Bounds) -> Vec<ConfigProblem> {
        let limit = self.max_scale_limit;
        let mut out = Vec::new();
        if b.initial_scale < 0 || (b.initial_scale == 0 && !self.allow_zero_initial_scale) {
            out.push(refused(
                "initial-scale",
                format!(
                    "initial-scale = {}, must be at least 0 (or at least 1 when \
                     allow-zero-initial-scale is false)",
                    b.initial_scale
                ),
            ));
        }
        if b.min_scale < 0 {
            out.push(refused(
                "min-scale",
                format!("min-scale = {}, must be at least 0", b.min_scale),
            ));
        }
        let least = i64::from(limit > 0);
        if b.max_scale < least || (limit > 0 && b.max_scale > limit) {
            out.push(refused(
                "max-scale",
                format!(
                    "max-scale = {}, must be in [{least}, max-scale-limit({limit})] range",
                    b.max_scale
                ),
            ));
        }
        if limit < 0 {
            out.push(refused(
                "max-scale-limit",
                format!("max-scale-limit = {limit}, must be at least 0"),
            ));
        }
        if b.min_scale > b.max_scale && b.max_scale > 0 {
            out.push(refused(
                "min-scale",
                format!(
                    "min-scale ({}) must be less than max-scale ({})",
                    b.min_scale, b.max_scale
                ),
            ));
        }
        out
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(raw: &str) -> Option<bool> {
    match raw {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// A value for which Knative refuses this ConfigMap.
fn refused(key: &str, why: String) -> ConfigProblem {
    ConfigProblem::refused(super::AUTOSCALER_CONFIGMAP, key, why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(data: Value) -> (Autoscaler, Vec<ConfigProblem>) {
        let mut autoscaler = Autoscaler::default();
        let problems = autoscaler.read(data.as_object().unwrap(), "autoscaler.yaml");
        (autoscaler, problems)
    }

    #[test]
    fn zero_initial_scale_needs_the_flag() {
        let (a, problems) = read(json!({"allow-zero-initial-scale": "true", "initial-scale": "0"}));
        assert_eq!(problems, []);
        assert!(a.allow_zero_initial_scale);
        assert_eq!(a.origin, Origin::Set("autoscaler.yaml".into()));
        let (a, problems) = read(json!({"initial-scale": "0"}));
        assert_eq!(a, Autoscaler::default());
        assert!(
            problems[0]
                .message
                .contains("initial-scale = 0, must be at least 0")
        );
    }

    #[test]
    fn values_parse_as_go_does() {
        let (_, problems) = read(json!({"allow-zero-initial-scale": "yes"}));
        assert!(problems[0].refused);
        let (a, problems) = read(json!({"allow-zero-initial-scale": "T"}));
        assert_eq!(problems, []);
        assert!(a.allow_zero_initial_scale);
        let (_, problems) = read(json!({"max-scale-limit": " 5"}));
        assert_eq!(problems[0].key, "max-scale-limit");
        let (_, problems) = read(json!({"max-scale-limit": "3000000000"}));
        assert_eq!(problems[0].key, "max-scale-limit");
    }

    #[test]
    fn a_limit_needs_a_default_maximum_within_it() {
        let (_, problems) = read(json!({"max-scale-limit": "10"}));
        assert!(
            problems[0]
                .message
                .contains("max-scale = 0, must be in [1, max-scale-limit(10)]")
        );
        let (a, problems) = read(json!({"max-scale-limit": "10", "max-scale": "10"}));
        assert_eq!(problems, []);
        assert_eq!(a.max_scale_limit, 10);
        let (_, problems) = read(json!({"min-scale": "4", "max-scale": "2"}));
        assert!(
            problems[0]
                .message
                .contains("min-scale (4) must be less than max-scale (2)")
        );
    }
}
