//! llm-d-router's `EndpointPickerConfig` (`llm-d.ai/v1alpha1`, `apix/config/v1alpha1/
//! endpointpickerconfig_types.go` at v0.10.0), the picker's own configuration file. inferstack
//! passes it as `--config-text` to move the metrics scrape off Knative's queue-proxy and, with
//! `inference.fairness`, to turn flow control on with the fairness id read from a header; the
//! rest repeats the picker's built-in default (`loadDefaultConfig` in
//! `pkg/epp/config/loader/defaults.go`), which a given config replaces as a whole.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointPickerConfig {
    pub api_version: &'static str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub feature_gates: Vec<&'static str>,
    pub plugins: Vec<Plugin>,
    pub scheduling_profiles: Vec<SchedulingProfile>,
    pub data_layer: DataLayer,
}

#[derive(Clone, Debug, Serialize)]
pub struct Plugin {
    #[serde(rename = "type")]
    pub type_: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Parameters>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Parameters {
    /// The `metrics-data-source` plugin's `port`: "overrides the endpoint's inference port for
    /// metrics retrieval".
    Metrics { port: i64 },
    /// The `agent-identity` plugin's headers, checked before its built-in session headers.
    #[serde(rename_all = "camelCase")]
    Identity {
        additional_session_headers: Vec<String>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct SchedulingProfile {
    pub name: &'static str,
    pub plugins: Vec<PluginRef>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PluginRef {
    pub plugin_ref: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataLayer {
    pub sources: Vec<DataSource>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSource {
    pub plugin_ref: &'static str,
    pub extractors: Vec<PluginRef>,
}

pub const METRICS_DATA_SOURCE: &str = "metrics-data-source";
/// The feature gate of flow control, off by default (`pkg/epp/flowcontrol/config.go`); the
/// fairness id matters only to it.
pub const FLOW_CONTROL: &str = "flowControl";
/// The plugin that stores a request header as the `agent-identity` attribute, which the
/// director makes the fairness id when no fairness header is set
/// (`pkg/epp/framework/plugins/requestcontrol/requestheader/agentidentity`). Alpha: the picker
/// loads it only with `--allow-experimental-plugins`.
pub const AGENT_IDENTITY: &str = "agent-identity";

/// The default configuration, with the metrics scraped from `port`: three scorers weighted
/// queue 2, KV cache utilization 2, prefix cache 3, and the metrics source with its extractor.
/// With `fairness`, flow control is on and the fairness id is that header's value.
pub fn config(port: i64, fairness: Option<&str>) -> EndpointPickerConfig {
    let plugin = |type_| Plugin {
        type_,
        parameters: None,
    };
    let weighted = |plugin_ref, weight| PluginRef {
        plugin_ref,
        weight: Some(weight),
    };
    let mut config = EndpointPickerConfig {
        api_version: "llm-d.ai/v1alpha1",
        kind: "EndpointPickerConfig",
        feature_gates: Vec::new(),
        plugins: vec![
            plugin("queue-scorer"),
            plugin("kv-cache-utilization-scorer"),
            plugin("prefix-cache-scorer"),
            Plugin {
                type_: METRICS_DATA_SOURCE,
                parameters: Some(Parameters::Metrics { port }),
            },
            plugin("core-metrics-extractor"),
        ],
        scheduling_profiles: vec![SchedulingProfile {
            name: "default",
            plugins: vec![
                weighted("queue-scorer", 2.0),
                weighted("kv-cache-utilization-scorer", 2.0),
                weighted("prefix-cache-scorer", 3.0),
            ],
        }],
        data_layer: DataLayer {
            sources: vec![DataSource {
                plugin_ref: METRICS_DATA_SOURCE,
                extractors: vec![PluginRef {
                    plugin_ref: "core-metrics-extractor",
                    weight: None,
                }],
            }],
        },
    };
    if let Some(header) = fairness {
        config.feature_gates.push(FLOW_CONTROL);
        config.plugins.push(Plugin {
            type_: AGENT_IDENTITY,
            parameters: Some(Parameters::Identity {
                additional_session_headers: vec![header.to_ascii_lowercase()],
            }),
        });
    }
    config
}
