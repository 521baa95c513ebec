//! The Knative annotations besides autoscaling that the webhook checks, after knative/serving
//! at `knative-v1.23.0` and knative/networking at the commit its `go.mod` pins (`c7a7b772cac9`):
//! - on a revision template (`RevisionTemplateSpec.Validate` in
//!   `pkg/apis/serving/v1/revision_validation.go`): `networking.knative.dev/*` keys
//!   (`networking.ValidateAnnotations`, `pkg/apis/networking/metadata_validation.go`), the
//!   queue-proxy resources (`validateQueueSidecarResourceAnnotations`) and
//!   `serving.knative.dev/progress-deadline`;
//! - on a Service's or Route's own metadata: `serving.knative.dev/rollout-duration`
//!   (`ValidateRolloutDurationAnnotation`, `pkg/apis/serving/metadata_validation.go`).
//!
//! A Revision's own annotations get none of these: `Revision.Validate` checks only its
//! autoscaling annotations. Keys are read as `kmap.KeyPriority.Get` does (the first spelling
//! present wins; `pkg/apis/serving/register.go` lists them). The code is `rule-violation`, as
//! for autoscaling annotations.

use serde_json::{Map, Value};

use super::Admission;
use crate::diag::Code;
use crate::duration::{SECOND, parse_go_duration};
use crate::validate::structural::is_quantity;
use crate::yaml::escape;

const PROGRESS_DEADLINE: &[&str] = &["serving.knative.dev/progress-deadline"];
const ROLLOUT_DURATION: &[&str] = &[
    "serving.knative.dev/rollout-duration",
    "serving.knative.dev/rolloutDuration",
];
const RESOURCE_PERCENTAGE: &[&str] = &[
    "queue.sidecar.serving.knative.dev/resource-percentage",
    "queue.sidecar.serving.knative.dev/resourcePercentage",
];
/// The queue-proxy's explicit resources, each a `resource.Quantity`.
const QUEUE_RESOURCES: [&str; 6] = [
    "queue.sidecar.serving.knative.dev/cpu-resource-request",
    "queue.sidecar.serving.knative.dev/cpu-resource-limit",
    "queue.sidecar.serving.knative.dev/memory-resource-request",
    "queue.sidecar.serving.knative.dev/memory-resource-limit",
    "queue.sidecar.serving.knative.dev/ephemeral-storage-resource-request",
    "queue.sidecar.serving.knative.dev/ephemeral-storage-resource-limit",
];
/// `allowedAnnotations` of knative/networking: every other `networking.knative.dev*` key is
/// refused on a revision template.
const NETWORKING_ALLOWED: [&str; 9] = [
    "networking.knative.dev/ingress.class",
    "networking.knative.dev/certificate.class",
    "networking.knative.dev/disableAutoTLS",
    "networking.knative.dev/disable-external-domain-tls",
    "networking.knative.dev/httpOption",
    "networking.knative.dev/ingress-class",
    "networking.knative.dev/certificate-class",
    "networking.knative.dev/disable-auto-tls",
    "networking.knative.dev/http-protocol",
];
const NETWORKING_PREFIX: &str = "networking.knative.dev";

/// Checks the annotations of a `serving.knative.dev/v1` object named here.
pub fn check(cx: &mut Admission, object: &Value) {
    let own = || Annotations::of(object, "/metadata/annotations");
    let template = || Annotations::of(object, "/spec/template/metadata/annotations");
    match object.get("kind").and_then(Value::as_str) {
        Some("Service") => {
            whole_seconds(cx, &own(), ROLLOUT_DURATION, "rollout-duration");
            revision_template(cx, &template());
        }
        Some("Configuration") => revision_template(cx, &template()),
        Some("Route") => whole_seconds(cx, &own(), ROLLOUT_DURATION, "rollout-duration"),
        _ => {}
    }
}

/// The annotation checks of `RevisionTemplateSpec.Validate`, in its order.
fn revision_template(cx: &mut Admission, annotations: &Annotations) {
    networking(cx, annotations);
    queue_sidecar(cx, annotations);
    whole_seconds(cx, annotations, PROGRESS_DEADLINE, "progress-deadline");
}

/// One annotation map of an object, read once: where it is and its string entries.
struct Annotations<'a> {
    base: &'a str,
    entries: Vec<(&'a str, &'a str)>,
}

impl<'a> Annotations<'a> {
    fn of(object: &'a Value, base: &'a str) -> Annotations<'a> {
        Annotations {
            base,
            entries: string_entries(object, base),
        }
    }

    /// `kmap.KeyPriority.Get`: the first of `keys` present, with its value.
    fn first(&self, keys: &[&str]) -> Option<(&'a str, &'a str)> {
        keys.iter()
            .find_map(|key| self.entries.iter().find(|(k, _)| k == key).copied())
    }

    fn pointer(&self, key: &str) -> String {
        pointer(self.base, key)
    }
}

/// The string-valued annotations at `base`, in document order.
pub fn string_entries<'a>(object: &'a Value, base: &str) -> Vec<(&'a str, &'a str)> {
    object
        .pointer(base)
        .and_then(Value::as_object)
        .map(Map::iter)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
        .collect()
}

/// The pointer to annotation `key` of the map at `base`.
pub fn pointer(base: &str, key: &str) -> String {
    format!("{base}/{}", escape(key))
}

/// `networking.ValidateAnnotations`: a `networking.knative.dev*` key not in the allowed list.
fn networking(cx: &mut Admission, annotations: &Annotations) {
    for &(key, _) in &annotations.entries {
        if !key.starts_with(NETWORKING_PREFIX) || NETWORKING_ALLOWED.contains(&key) {
            continue;
        }
        let hint = if key == "networking.knative.dev/visibility" {
            "visibility is a label of the Service (metadata.labels \
             networking.knative.dev/visibility: cluster-local), not a template annotation"
                .to_owned()
        } else {
            format!(
                "the networking.knative.dev annotations a revision template may carry are {}",
                NETWORKING_ALLOWED.join(", ")
            )
        };
        cx.push(
            Code::RuleViolation,
            annotations.pointer(key),
            format!("invalid key name {key:?}: {hint}"),
        );
    }
}

/// `validateQueueSidecarResourceAnnotations`: the deprecated percentage (a warning, and a
/// number from 0.1 to 100) and the explicit resources (quantities). The bounds compare as Go's
/// `value < 0.1 || value > 100` does, so NaN passes, which `RangeInclusive::contains` would not.
#[allow(clippy::manual_range_contains)]
fn queue_sidecar(cx: &mut Admission, annotations: &Annotations) {
    if let Some((key, value)) = annotations.first(RESOURCE_PERCENTAGE) {
        cx.warn(
            Code::RuleViolation,
            annotations.pointer(key),
            "Queue proxy resource percentage annotation is deprecated. Please use the available \
             annotations to explicitly set resource values per service (queue.sidecar.serving.\
             knative.dev/cpu-resource-request and the others)"
                .to_owned(),
        );
        let problem = match value.parse::<f64>() {
            Err(_) => Some(format!(
                "invalid value: {value}: {key} is not a number; write a percentage such as \"20\""
            )),
            Ok(n) if n < 0.1 || n > 100.0 => Some(format!(
                "{}: it is a percentage of the user container's resources; use a value in that \
                 range",
                super::out_of_bounds(key, go_float(n), 0.1, 100)
            )),
            Ok(_) => None,
        };
        if let Some(message) = problem {
            cx.push(Code::RuleViolation, annotations.pointer(key), message);
        }
    }
    for key in QUEUE_RESOURCES {
        if let Some((key, value)) = annotations.first(&[key])
            && !is_quantity(value)
        {
            cx.push(
                Code::RuleViolation,
                annotations.pointer(key),
                format!(
                    "invalid value: {value}: {key} is not a Kubernetes quantity; write e.g. \
                     \"100m\" for CPU or \"128Mi\" for memory"
                ),
            );
        }
    }
}

/// `validateProgressDeadlineAnnotation` and `ValidateRolloutDurationAnnotation`: a Go duration
/// in whole seconds, not negative. `name` is how Knative's messages call the key.
fn whole_seconds(cx: &mut Admission, annotations: &Annotations, keys: &[&str], name: &str) {
    let Some((key, value)) = annotations.first(keys).filter(|(_, v)| !v.is_empty()) else {
        return;
    };
    let message = match parse_go_duration(value) {
        None => format!(
            "invalid value: {value}: {key} is not a Go duration; write e.g. \"600s\" or \"20m\""
        ),
        Some(d) if d % SECOND != 0 => {
            format!("{name}={value} is not at second precision; use whole seconds")
        }
        Some(d) if d < 0 => format!("{name}={value} must be positive"),
        Some(_) => return,
    };
    cx.push(Code::RuleViolation, annotations.pointer(key), message);
}

/// A float as Go's `%v` prints it: shortest form, exponent below 1e-4 and from 1e21.
fn go_float(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-4..1e21).contains(&magnitude) || !value.is_finite() {
        return format!("{value}");
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::validate::knative::findings_of;
    use serde_json::json;

    const TEMPLATE: &str = "/spec/template/metadata/annotations";

    fn run(object: &Value) -> Vec<(Severity, String, String)> {
        findings_of(check, object)
            .into_iter()
            .map(|f| (f.severity, f.pointer, f.message))
            .collect()
    }

    fn configuration(annotations: Value) -> Value {
        json!({"apiVersion": "serving.knative.dev/v1", "kind": "Configuration",
               "metadata": {"name": "c"},
               "spec": {"template": {"metadata": {"annotations": annotations}}}})
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
        let found = run(&object);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].1,
            "/metadata/annotations/serving.knative.dev~1rollout-duration"
        );
        assert!(
            found[0]
                .2
                .contains("rollout-duration=1.5s is not at second precision")
        );
        let found = run(&configuration(
            json!({"serving.knative.dev/progress-deadline": "ten minutes"}),
        ));
        assert!(
            found[0].2.starts_with("invalid value: ten minutes: "),
            "{found:#?}"
        );
        let found = run(&configuration(
            json!({"serving.knative.dev/progress-deadline": "-5s"}),
        ));
        assert!(
            found[0]
                .2
                .contains("progress-deadline=-5s must be positive")
        );
    }

    #[test]
    fn a_route_has_a_rollout_duration_and_a_revision_none_of_these() {
        let route = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Route",
            "metadata": {"name": "r", "annotations": {
                "serving.knative.dev/rolloutDuration": "CLXXXIIIs"}}});
        let found = run(&route);
        assert_eq!(
            found[0].1,
            "/metadata/annotations/serving.knative.dev~1rolloutDuration"
        );
        let revision = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Revision",
            "metadata": {"name": "r", "annotations": {
                "serving.knative.dev/progress-deadline": "x",
                "networking.knative.dev/visibility": "cluster-local"}}});
        assert_eq!(run(&revision), []);
    }

    #[test]
    fn only_the_first_spelling_present_is_read() {
        let found = run(&configuration(json!({
            "queue.sidecar.serving.knative.dev/resourcePercentage": "x",
            "queue.sidecar.serving.knative.dev/resource-percentage": "20"})));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, Severity::Warning);
    }

    #[test]
    fn the_queue_percentage_is_deprecated_and_bounded() {
        let found = run(&configuration(json!({
            "queue.sidecar.serving.knative.dev/resource-percentage": "0.01982"})));
        assert_eq!(found.len(), 2);
        assert!(
            found[0]
                .2
                .starts_with("Queue proxy resource percentage annotation is deprecated")
        );
        assert_eq!(found[1].0, Severity::Error);
        assert!(found[1].2.contains("(expected 0.1 <= 0.01982 <= 100)"));
        let found = run(&configuration(json!({
            "queue.sidecar.serving.knative.dev/resource-percentage": "50mx"})));
        assert!(found[1].2.starts_with("invalid value: 50mx"));
    }

    #[test]
    fn queue_resources_are_quantities() {
        let found = run(&configuration(json!({
            "queue.sidecar.serving.knative.dev/cpu-resource-limit": "100mx",
            "queue.sidecar.serving.knative.dev/memory-resource-limit": "1Gi",
            "queue.sidecar.serving.knative.dev/ephemeral-storage-resource-request": ""})));
        let pointers: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            pointers,
            [
                format!("{TEMPLATE}/queue.sidecar.serving.knative.dev~1cpu-resource-limit"),
                format!(
                    "{TEMPLATE}/queue.sidecar.serving.knative.dev~1ephemeral-storage-resource-request"
                ),
            ]
        );
    }

    #[test]
    fn networking_keys_outside_the_allowed_list_are_refused() {
        let found = run(&configuration(json!({
            "networking.knative.dev/ingress.class": "kourier.ingress.networking.knative.dev",
            "networking.knative.dev/visibility": "cluster-local",
            "networking.knative.dev/foo": "bar",
            "networking.internal.knative.dev/rollout": "{}"})));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].2.starts_with(
            "invalid key name \"networking.knative.dev/visibility\": visibility is a label"
        ));
        assert!(
            found[1]
                .2
                .contains("may carry are networking.knative.dev/ingress.class")
        );
    }

    #[test]
    fn nan_is_within_bounds_as_in_go() {
        let found = run(&configuration(json!({
            "queue.sidecar.serving.knative.dev/resource-percentage": "NaN"})));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, Severity::Warning);
    }

    #[test]
    fn floats_print_as_go_prints_them() {
        assert_eq!(go_float(200.0), "200");
        assert_eq!(go_float(0.01982), "0.01982");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(1.5e22), "1.5e+22");
    }
}
