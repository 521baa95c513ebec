//! Knative's revision defaults (ConfigMap `knative-serving/config-defaults`), as Knative Serving
//! 1.23 reads them: `pkg/apis/config/defaults.go` of knative/serving at `knative-v1.23.0`
//! (`defaultDefaultsConfig`, `NewDefaultsConfigFromMap`). Only the keys the webhook's defaulting
//! and validation read are modelled; resource defaults (`revision-cpu-request`, ...) are not.

use serde_json::{Map, Value};

use super::features::{ConfigProblem, Origin};

/// The values the webhook defaults and bounds revisions with.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub revision_timeout_seconds: i64,
    pub max_revision_timeout_seconds: i64,
    pub revision_response_start_timeout_seconds: i64,
    pub revision_idle_timeout_seconds: i64,
    pub container_concurrency: i64,
    pub container_concurrency_max_limit: i64,
    pub allow_container_concurrency_zero: bool,
    /// `container-name-template`; only `{{.Name}}` is expanded.
    pub user_container_name: String,
    /// `init-container-name-template`; only `{{.Name}}` is expanded.
    pub init_container_name: String,
    /// Where `max-revision-timeout-seconds` came from, for messages.
    pub max_timeout_origin: Origin,
    /// Where `container-concurrency-max-limit` came from, for messages.
    pub concurrency_origin: Origin,
}

impl Default for Defaults {
    fn default() -> Defaults {
        Defaults {
            revision_timeout_seconds: 300,
            max_revision_timeout_seconds: 600,
            revision_response_start_timeout_seconds: 300,
            revision_idle_timeout_seconds: 0,
            container_concurrency: 0,
            container_concurrency_max_limit: 1000,
            allow_container_concurrency_zero: true,
            user_container_name: "user-container".to_owned(),
            init_container_name: "init-container".to_owned(),
            max_timeout_origin: Origin::Default,
            concurrency_origin: Origin::Default,
        }
    }
}

impl Defaults {
    /// Applies one ConfigMap's `data`. Knative refuses a ConfigMap whose numbers do not parse or
    /// contradict each other; such a ConfigMap is reported and leaves these values unchanged.
    pub fn read(&mut self, data: &Map<String, Value>, origin: &str) -> Vec<ConfigProblem> {
        let mut next = self.clone();
        let mut problems = Vec::new();
        let text = |key: &str| data.get(key).and_then(Value::as_str);
        let mut int = |key: &str, target: &mut i64| {
            if let Some(raw) = text(key) {
                match raw.trim().parse::<i64>() {
                    Ok(v) => *target = v,
                    Err(_) => problems.push(refused(key, format!("`{raw}` is not an integer"))),
                }
            }
        };
        int(
            "revision-timeout-seconds",
            &mut next.revision_timeout_seconds,
        );
        int(
            "max-revision-timeout-seconds",
            &mut next.max_revision_timeout_seconds,
        );
        int(
            "revision-idle-timeout-seconds",
            &mut next.revision_idle_timeout_seconds,
        );
        int("container-concurrency", &mut next.container_concurrency);
        int(
            "container-concurrency-max-limit",
            &mut next.container_concurrency_max_limit,
        );
        // Knative defaults the response-start timeout to the revision timeout read above.
        next.revision_response_start_timeout_seconds = next.revision_timeout_seconds;
        int(
            "revision-response-start-timeout-seconds",
            &mut next.revision_response_start_timeout_seconds,
        );
        if let Some(raw) = text("allow-container-concurrency-zero") {
            match raw.trim().to_ascii_lowercase().as_str() {
                "true" => next.allow_container_concurrency_zero = true,
                "false" => next.allow_container_concurrency_zero = false,
                _ => problems.push(refused(
                    "allow-container-concurrency-zero",
                    format!("`{raw}` is not a boolean"),
                )),
            }
        }
        if let Some(raw) = text("container-name-template") {
            next.user_container_name = raw.to_owned();
        }
        if let Some(raw) = text("init-container-name-template") {
            next.init_container_name = raw.to_owned();
        }
        problems.extend(next.contradictions());
        if !problems.is_empty() {
            return problems;
        }
        if data.contains_key("max-revision-timeout-seconds") {
            next.max_timeout_origin = Origin::Set(origin.to_owned());
        }
        if data.contains_key("container-concurrency-max-limit")
            || data.contains_key("allow-container-concurrency-zero")
        {
            next.concurrency_origin = Origin::Set(origin.to_owned());
        }
        *self = next;
        Vec::new()
    }

    /// The checks at the end of `NewDefaultsConfigFromMap`.
    fn contradictions(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        if self.revision_timeout_seconds > self.max_revision_timeout_seconds {
            out.push(refused(
                "revision-timeout-seconds",
                format!(
                    "revision-timeout-seconds ({}) cannot be greater than max-revision-timeout-seconds ({})",
                    self.revision_timeout_seconds, self.max_revision_timeout_seconds
                ),
            ));
        }
        let timeout = self.revision_timeout_seconds;
        for (key, value) in [
            (
                "revision-response-start-timeout-seconds",
                self.revision_response_start_timeout_seconds,
            ),
            (
                "revision-idle-timeout-seconds",
                self.revision_idle_timeout_seconds,
            ),
        ] {
            if value > 0 && value > timeout {
                out.push(refused(
                    key,
                    format!(
                        "{key} ({value}) cannot be greater than revision-timeout-seconds ({timeout})"
                    ),
                ));
            }
        }
        if self.container_concurrency_max_limit < 1 {
            out.push(refused(
                "container-concurrency-max-limit",
                super::out_of_bounds(
                    "container-concurrency-max-limit",
                    self.container_concurrency_max_limit,
                    1,
                    2147483647,
                ),
            ));
        } else if self.container_concurrency < 0
            || self.container_concurrency > self.container_concurrency_max_limit
        {
            out.push(refused(
                "container-concurrency",
                super::out_of_bounds(
                    "container-concurrency",
                    self.container_concurrency,
                    0,
                    self.container_concurrency_max_limit,
                ),
            ));
        }
        out
    }

    /// A default container name: the template with `{{.Name}}` replaced by the parent's name.
    pub fn container_name(template: &str, parent: &str) -> String {
        template
            .replace("{{.Name}}", parent)
            .replace("{{ .Name }}", parent)
    }
}

/// A value for which Knative refuses this ConfigMap.
fn refused(key: &str, why: String) -> ConfigProblem {
    ConfigProblem::refused(super::DEFAULTS_CONFIGMAP, key, why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(data: Value) -> (Defaults, Vec<ConfigProblem>) {
        let mut defaults = Defaults::default();
        let problems = defaults.read(data.as_object().unwrap(), "defaults.yaml");
        (defaults, problems)
    }

    #[test]
    fn response_start_timeout_follows_the_revision_timeout() {
        let (d, problems) = read(json!({"revision-timeout-seconds": "120"}));
        assert_eq!(problems, []);
        assert_eq!(d.revision_timeout_seconds, 120);
        assert_eq!(d.revision_response_start_timeout_seconds, 120);
    }

    #[test]
    fn contradictions_refuse_the_whole_configmap() {
        let (d, problems) = read(json!({
            "revision-timeout-seconds": "900",
            "max-revision-timeout-seconds": "600",
        }));
        assert_eq!(d, Defaults::default());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("(900) cannot be greater"));
        let (_, problems) = read(json!({"container-concurrency": "many"}));
        assert!(problems[0].refused);
    }

    #[test]
    fn the_maximum_records_its_origin() {
        let (d, _) = read(json!({"max-revision-timeout-seconds": "3600"}));
        assert_eq!(d.max_revision_timeout_seconds, 3600);
        assert_eq!(d.max_timeout_origin, Origin::Set("defaults.yaml".into()));
        assert_eq!(Defaults::container_name("{{.Name}}-c", "svc"), "svc-c");
    }
}
