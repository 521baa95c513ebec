//! Traffic targets of a `serving.knative.dev/v1` Service or Route (`spec.traffic`), as Knative
//! Serving's webhook defaults and then validates them on create, after knative/serving at
//! `knative-v1.23.0` (commit 7ed4aa2ab601e3a33c6552285f6e0d910747351d):
//!
//! - `pkg/apis/serving/v1/route_validation.go`: `Route.Validate` (its `spec` part),
//!   `RouteSpec.Validate`, `validateTrafficList` and `TrafficTarget.Validate` with
//!   `validateLatestRevision`, `validateRevisionAndConfiguration`, `validateTrafficPercentage` and
//!   `validateURL`. (There is no `traffic_validation.go` at that tag: the traffic rules live here.)
//! - `pkg/apis/serving/v1/service_validation.go`: `ServiceSpec.Validate`, which validates the
//!   inlined `RouteSpec` with `WithDefaultConfigurationName` (`contexts.go`).
//! - `pkg/apis/serving/v1/route_defaults.go` and `service_defaults.go`: the defaulting that runs
//!   before validation (`RouteSpec.SetDefaults`, `TrafficTarget.SetDefaults`).
//! - `vendor/knative.dev/pkg/apis/field_error.go`: the message helpers (`ErrMissingOneOf`,
//!   `ErrDisallowedFields`, `ErrOutOfBoundsValue`, ...), whose texts the findings repeat.
//! - `vendor/k8s.io/apimachinery/pkg/util/validation/validation.go` (`IsDNS1035Label`) and
//!   `vendor/k8s.io/apimachinery/pkg/api/validate/content/{kube,dns,errors}.go`
//!   (`IsQualifiedName`, which is `IsLabelKey`): the name checks and their messages.
//!
//! Only the spec is validated: `Route.Validate` and `Service.Validate` never look at
//! `status.traffic`, so the status-only rules (`url` required with a tag, `revisionName`
//! required) do not apply on create. Every finding's message starts with the text Knative's
//! webhook prints, then a fix hint after `; `.

use serde_json::Value;

use super::apimachinery::{dns1035_label, go_quote, qualified_name};
use super::{API_VERSION, Admission};
use crate::diag::Code;

/// The code of every traffic finding.
const CODE: Code = Code::KnativeTraffic;

/// One traffic target after `TrafficTarget.SetDefaults`.
struct Target<'v> {
    tag: &'v str,
    revision_name: &'v str,
    configuration_name: &'v str,
    /// Set by the user (`None` when defaulted, which always agrees with `revisionName`).
    latest_revision: Option<bool>,
    /// Defaulted to 0 when unset.
    percent: i64,
    url: &'v str,
}

impl<'v> Target<'v> {
    /// `None` when `target` is not an object or a field has the wrong JSON type (`null` is
    /// unset): Go's decoder refuses such an object before any rule runs, and the schema reports
    /// it.
    fn read(target: &'v Value) -> Option<Self> {
        let fields = target.as_object()?;
        let field = |k: &str| fields.get(k).filter(|v| !v.is_null());
        let text = |k: &str| match field(k) {
            None => Some(""),
            Some(v) => v.as_str(),
        };
        Some(Target {
            tag: text("tag")?,
            revision_name: text("revisionName")?,
            configuration_name: text("configurationName")?,
            latest_revision: match field("latestRevision") {
                None => None,
                Some(v) => Some(v.as_bool()?),
            },
            percent: match field("percent") {
                None => 0,
                Some(v) => v.as_i64()?,
            },
            url: text("url")?,
        })
    }
}

/// Checks `spec.traffic` of a Service or Route; nothing for other objects.
pub fn check(cx: &mut Admission, object: &Value) {
    if object.get("apiVersion").and_then(Value::as_str) != Some(API_VERSION) {
        return;
    }
    // `ServiceSpec.Validate`: within a Service the RouteSpec has a default configurationName.
    let has_default_configuration = match object.get("kind").and_then(Value::as_str) {
        Some("Service") => true,
        Some("Route") => false,
        _ => return,
    };
    let traffic = object.pointer("/spec/traffic");
    let targets: &[Value] = match traffic {
        None | Some(Value::Null) => &[],
        Some(Value::Array(targets)) => targets.as_slice(),
        // Not a list: the schema's finding.
        Some(_) => return,
    };
    // `RouteSpec.SetDefaults`: an empty list becomes 100% to the latest revision, but only where
    // there is a default configurationName (a Service); a Route keeps its empty list.
    if targets.is_empty() && has_default_configuration {
        return;
    }
    traffic_list(cx, targets, has_default_configuration);
}

/// `validateTrafficList`: each target, then tags (DNS-1035 labels, each defined once), then the
/// sum of the percentages. A target the schema refuses is skipped, and so is the sum then.
fn traffic_list(cx: &mut Admission, targets: &[Value], has_default_configuration: bool) {
    let mut tags: Vec<(&str, usize)> = Vec::new();
    let mut sum: i64 = 0;
    let mut mistyped = false;
    for (i, value) in targets.iter().enumerate() {
        let Some(target) = Target::read(value) else {
            mistyped = true;
            continue;
        };
        let at = format!("/spec/traffic/{i}");
        traffic_target(cx, &target, &at, has_default_configuration);
        // Go sums int64 and wraps; so does this.
        sum = sum.wrapping_add(target.percent);
        if target.tag.is_empty() {
            continue;
        }
        let problems = dns1035_label(target.tag);
        if !problems.is_empty() {
            cx.push(
                CODE,
                format!("{at}/tag"),
                format!(
                    "invalid value: not a DNS 1035 label: [{}]; a tag names the target's own URL, \
                     so use lowercase letters, digits and '-', starting with a letter",
                    problems.join(" ")
                ),
            );
        }
        let first = tags
            .iter()
            .find(|(tag, _)| *tag == target.tag)
            .map(|(_, first)| *first);
        match first {
            Some(first) => cx.push(
                CODE,
                format!("{at}/tag"),
                format!(
                    "Multiple definitions for {} (also spec.traffic[{first}].tag); a tag may name \
                     one target only, even one to the same revision: rename or merge the targets",
                    go_quote(target.tag)
                ),
            ),
            None => tags.push((target.tag, i)),
        }
    }
    if sum != 100 && !mistyped {
        cx.push(
            CODE,
            "/spec/traffic".to_owned(),
            format!(
                "Traffic targets sum to {sum}, want 100; set the percent of each target so that \
                 they add up to 100 (a target without percent counts as 0)"
            ),
        );
    }
}

/// `TrafficTarget.Validate` within a spec.
fn traffic_target(cx: &mut Admission, target: &Target, at: &str, has_default_configuration: bool) {
    latest_revision(cx, target, at);
    revision_and_configuration(cx, target, at, has_default_configuration);
    // `validateTrafficPercentage`.
    let percent = target.percent;
    if !(0..=100).contains(&percent) {
        cx.push(
            CODE,
            format!("{at}/percent"),
            format!(
                "{}; percent is this target's share of the traffic",
                super::out_of_bounds("percent", percent, 0, 100)
            ),
        );
    }
    // `validateURL`: in a spec `url` is refused (and refused again without a tag; Knative merges
    // the two into one message).
    if !target.url.is_empty() {
        cx.push(
            CODE,
            format!("{at}/url"),
            "must not set the field(s): url; url is output-only, Knative reports each tagged \
             target's URL in status.traffic: remove it"
                .to_owned(),
        );
    }
}

/// `validateLatestRevision`: `latestRevision` and `revisionName` must agree. Only an explicit
/// `latestRevision` can disagree: the default is `revisionName == ""`.
fn latest_revision(cx: &mut Admission, target: &Target, at: &str) {
    let Some(latest) = target.latest_revision else {
        return;
    };
    let pinned = !target.revision_name.is_empty();
    if pinned != latest {
        return;
    }
    let hint = if latest {
        "latestRevision: true follows the newest ready revision, so remove revisionName, or set \
         latestRevision: false to pin the named revision"
    } else {
        "latestRevision: false pins a revision, so name it in revisionName, or set \
         latestRevision: true to follow the newest ready revision"
    };
    cx.push(
        CODE,
        format!("{at}/latestRevision"),
        format!(
            "may not set revisionName {} when latestRevision is {latest}; {hint}",
            go_quote(target.revision_name)
        ),
    );
}

/// `validateRevisionAndConfiguration`: the first matching case of its `switch` decides (the
/// status-only case, a missing `revisionName` in status, never applies to a spec).
fn revision_and_configuration(
    cx: &mut Admission,
    target: &Target,
    at: &str,
    has_default_configuration: bool,
) {
    let revision = target.revision_name;
    let configuration = target.configuration_name;
    if has_default_configuration && !configuration.is_empty() {
        cx.push(
            CODE,
            format!("{at}/configurationName"),
            "must not set the field(s): configurationName; a Service's traffic always goes to \
             the Service's own configuration: remove configurationName (latestRevision: true \
             follows it, revisionName pins one of its revisions)"
                .to_owned(),
        );
    } else if !revision.is_empty() && !configuration.is_empty() {
        cx.push(
            CODE,
            at.to_owned(),
            "expected exactly one, got both: configurationName, revisionName; a target routes \
             either to a configuration's latest revision or to one named revision: keep one of \
             the two"
                .to_owned(),
        );
    } else if !revision.is_empty() {
        invalid_key_name(cx, revision, &format!("{at}/revisionName"), "revisionName");
    } else if !configuration.is_empty() {
        invalid_key_name(
            cx,
            configuration,
            &format!("{at}/configurationName"),
            "configurationName",
        );
    } else if !has_default_configuration {
        cx.push(
            CODE,
            at.to_owned(),
            "expected exactly one, got neither: configurationName, revisionName; name the \
             Configuration (configurationName) or the Revision (revisionName) this target \
             routes to"
                .to_owned(),
        );
    }
}

/// `ErrInvalidKeyName` when `name` is not a qualified name (`IsQualifiedName`).
fn invalid_key_name(cx: &mut Admission, name: &str, pointer: &str, field: &str) {
    let problems = qualified_name(name);
    if problems.is_empty() {
        return;
    }
    cx.push(
        CODE,
        pointer.to_owned(),
        format!(
            "invalid key name {}: {}; {field} must be a qualified name, an optional DNS \
             subdomain and '/' before at most 63 letters, digits, '-', '_' or '.', starting and \
             ending with a letter or digit",
            go_quote(name),
            problems.join(", ")
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::knative::findings_of;
    use serde_json::json;

    fn object(kind: &str, traffic: Value) -> Value {
        let mut object = json!({"apiVersion": API_VERSION, "kind": kind,
            "metadata": {"name": "valid"}, "spec": {"traffic": traffic}});
        if kind == "Service" {
            object["spec"]["template"] = json!({"spec": {"containers": [{"image": "busybox"}]}});
        }
        object
    }

    fn route(traffic: Value) -> Value {
        object("Route", traffic)
    }

    fn service(traffic: Value) -> Value {
        object("Service", traffic)
    }

    /// `(pointer, message)` of every finding.
    fn found(object: &Value) -> Vec<(String, String)> {
        let findings = findings_of(check, object);
        assert!(findings.iter().all(|f| f.code == CODE));
        findings
            .into_iter()
            .map(|f| (f.pointer, f.message))
            .collect()
    }

    fn pointers(object: &Value) -> Vec<String> {
        found(object).into_iter().map(|(p, _)| p).collect()
    }

    /// The one finding's message, which must be at `pointer`.
    fn message(object: &Value, pointer: &str) -> String {
        let found = found(object);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, pointer);
        found[0].1.clone()
    }

    #[test]
    fn valid_targets_pass() {
        // TestRouteValidation/valid_split, TestServiceValidation/valid_release.
        let split = route(json!([
            {"tag": "prod", "revisionName": "foo", "percent": 90},
            {"tag": "experiment", "configurationName": "bar", "percent": 10}]));
        assert_eq!(found(&split), []);
        let release = service(json!([
            {"tag": "current", "latestRevision": false, "revisionName": "valid-00001", "percent": 98},
            {"tag": "candidate", "latestRevision": false, "revisionName": "valid-00002", "percent": 2},
            {"tag": "latest", "latestRevision": true}]));
        assert_eq!(found(&release), []);
    }

    #[test]
    fn a_service_without_traffic_is_defaulted_a_route_is_not() {
        // RouteSpec.SetDefaults: only with a default configurationName (a Service).
        assert_eq!(found(&service(Value::Null)), []);
        assert_eq!(found(&service(json!([]))), []);
        let mut bare = route(Value::Null);
        bare["spec"] = json!({});
        let m = message(&bare, "/spec/traffic");
        assert!(m.starts_with("Traffic targets sum to 0, want 100; "), "{m}");
    }

    #[test]
    fn percentages_must_sum_to_100() {
        // TestRouteValidation/invalid_name_-_dots_and_spec_percent_is_not_100 (its spec part).
        let m = message(
            &route(json!([{"revisionName": "foo", "percent": 90}])),
            "/spec/traffic",
        );
        assert!(
            m.starts_with("Traffic targets sum to 90, want 100; "),
            "{m}"
        );
    }

    #[test]
    fn a_percent_is_from_0_to_100() {
        // TestTrafficTargetValidation/invalid_percent_too_low and .../invalid_percent_too_high.
        let low = route(json!([{"revisionName": "foo", "percent": -5},
            {"revisionName": "foo", "percent": 100}, {"revisionName": "foo", "percent": 5}]));
        let m = message(&low, "/spec/traffic/0/percent");
        assert!(m.starts_with("percent -5 is out of bounds: Knative takes 0 <= percent <= 100 (expected 0 <= -5 <= 100); "), "{m}");
        let high = route(json!([{"revisionName": "foo", "percent": 101}]));
        assert_eq!(
            pointers(&high),
            ["/spec/traffic/0/percent", "/spec/traffic"]
        );
        assert!(found(&high)[0].1.contains("(expected 0 <= 101 <= 100); "));
    }

    #[test]
    fn a_service_may_not_name_a_configuration() {
        // TestServiceValidation/invalid_configurationName; TestTrafficTargetValidation/
        // invalid_with_configurationName_and_default_configurationName.
        let object = service(json!([
            {"configurationName": "valid", "latestRevision": true, "percent": 100}]));
        let m = message(&object, "/spec/traffic/0/configurationName");
        assert!(
            m.starts_with("must not set the field(s): configurationName; "),
            "{m}"
        );
    }

    #[test]
    fn latest_revision_must_agree_with_revision_name() {
        // TestServiceValidation/invalid_latestRevision; TestTrafficTargetValidation/
        // invalid_with_revisionName_and_latestRevision_(spec).
        let pinned = service(json!([
            {"revisionName": "valid", "latestRevision": true, "percent": 100}]));
        let m = message(&pinned, "/spec/traffic/0/latestRevision");
        assert!(
            m.starts_with(r#"may not set revisionName "valid" when latestRevision is true; "#),
            "{m}"
        );
        // TestTrafficTargetValidation/invalid_with_configurationName_and_latestRevision.
        let floating = route(json!([
            {"configurationName": "blah", "latestRevision": false, "percent": 100}]));
        let m = message(&floating, "/spec/traffic/0/latestRevision");
        assert!(
            m.starts_with(r#"may not set revisionName "" when latestRevision is false; "#),
            "{m}"
        );
        // TestTrafficTargetValidation/valid_with_revisionName_and_latestRevision.
        let agreed = route(json!([
            {"revisionName": "bar", "latestRevision": false, "percent": 100}]));
        assert_eq!(found(&agreed), []);
    }

    #[test]
    fn exactly_one_of_revision_and_configuration() {
        // TestTrafficTargetValidation/invalid_with_both.
        let both = route(json!([
            {"revisionName": "foo", "configurationName": "bar", "percent": 100}]));
        let m = message(&both, "/spec/traffic/0");
        assert!(
            m.starts_with("expected exactly one, got both: configurationName, revisionName; "),
            "{m}"
        );
        // TestRouteValidation/invalid_traffic_entry_(missing_oneof).
        let neither = route(json!([{"tag": "foo", "percent": 100}]));
        let m = message(&neither, "/spec/traffic/0");
        assert!(
            m.starts_with("expected exactly one, got neither: configurationName, revisionName; "),
            "{m}"
        );
        // TestTrafficTargetValidation/valid_with_only_default_configurationName.
        assert_eq!(found(&service(json!([{"percent": 100}]))), []);
    }

    #[test]
    fn names_must_be_qualified_names() {
        // TestTrafficTargetValidation/invalid_with_bad_revisionName and
        // .../invalid_with_bad_configurationName.
        let detail = "name part must consist of alphanumeric characters, '-', '_' or '.', and \
                      must start and end with an alphanumeric character (e.g. 'MyName',  or \
                      'my.name',  or '123-abc', regex used for validation is \
                      '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        let revision = route(json!([{"revisionName": "b ar", "percent": 100}]));
        let m = message(&revision, "/spec/traffic/0/revisionName");
        assert!(
            m.starts_with(&format!(r#"invalid key name "b ar": {detail}; "#)),
            "{m}"
        );
        let configuration = route(json!([{"configurationName": "b ar", "percent": 100}]));
        let m = message(&configuration, "/spec/traffic/0/configurationName");
        assert!(m.starts_with(r#"invalid key name "b ar": "#), "{m}");
        assert!(qualified_name("example.com/my.Name_1").is_empty());
        assert_eq!(
            qualified_name("/x"),
            ["prefix part must be non-empty".to_owned()]
        );
        assert_eq!(qualified_name("a/b/c").len(), 1);
    }

    #[test]
    fn tags_are_dns_1035_labels() {
        // TestRouteValidation/invalid_tag_name.
        let object = route(json!([{"tag": "foo@", "revisionName": "bar", "percent": 100}]));
        let m = message(&object, "/spec/traffic/0/tag");
        assert!(
            m.starts_with(
                "invalid value: not a DNS 1035 label: [a DNS-1035 label must consist of lower \
                 case alphanumeric characters or '-', start with an alphabetic character, and end \
                 with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for \
                 validation is '[a-z]([-a-z0-9]*[a-z0-9])?')]; "
            ),
            "{m}"
        );
    }

    #[test]
    fn a_tag_names_one_target() {
        // TestRouteValidation/invalid_traffic_entry_(multiple_names).
        let object = route(json!([
            {"tag": "foo", "revisionName": "bar", "percent": 50},
            {"tag": "foo", "revisionName": "bar", "percent": 50}]));
        let m = message(&object, "/spec/traffic/1/tag");
        assert!(
            m.starts_with(r#"Multiple definitions for "foo" (also spec.traffic[0].tag); "#),
            "{m}"
        );
    }

    #[test]
    fn url_is_output_only() {
        // TestTrafficTargetValidation/disallowed_url_set.
        let object = route(json!([
            {"configurationName": "foo", "percent": 100, "url": "//should.not.be.set"}]));
        let m = message(&object, "/spec/traffic/0/url");
        assert!(m.starts_with("must not set the field(s): url; "), "{m}");
        let tagged = route(
            json!([{"tag": "t", "configurationName": "foo", "percent": 100,
            "url": "http://t-valid.default.example.com"}]),
        );
        assert_eq!(pointers(&tagged), ["/spec/traffic/0/url"]);
    }

    #[test]
    fn mistyped_targets_are_left_to_the_schema() {
        // Go's decoder refuses `percent: "100"`; no rule, not even the sum, runs.
        let quoted = service(json!([{"latestRevision": true, "percent": "100"}]));
        assert_eq!(found(&quoted), []);
        let nulls = route(
            json!([{"tag": null, "revisionName": "foo", "latestRevision": null,
            "percent": 100, "url": null}]),
        );
        assert_eq!(found(&nulls), []);
    }

    #[test]
    fn other_objects_are_ignored() {
        let mut configuration = service(json!([{"percent": 5}]));
        configuration["kind"] = json!("Configuration");
        assert_eq!(found(&configuration), []);
        let mut old = route(json!([]));
        old["apiVersion"] = json!("serving.knative.dev/v1beta1");
        assert_eq!(found(&old), []);
    }
}
