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
    /// The `disagg-profile-handler`'s decider per stage.
    Deciders { deciders: Deciders },
    /// The `approx-prefix-cache-producer`'s match window.
    #[serde(rename_all = "camelCase")]
    PrefixWindow { max_prefix_tokens_to_match: i64 },
}

#[derive(Clone, Debug, Serialize)]
pub struct Deciders {
    pub prefill: &'static str,
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

fn plugin(type_: &'static str) -> Plugin {
    Plugin {
        type_,
        parameters: None,
    }
}

fn plugin_ref(plugin_ref: &'static str, weight: Option<f64>) -> PluginRef {
    PluginRef { plugin_ref, weight }
}

/// How the picker schedules: the default's one profile of three scorers weighted queue 2, KV
/// cache utilization 2, prefix cache 3; or, for prefill/decode disaggregation, the two
/// profiles of llm-d's `pd-disaggregation` guide (`router/pd-disaggregation.values.yaml` at
/// main-08664ca6): every request disaggregated (`always-disagg-pd-decider`), the prefill pod
/// chosen among cache-warm pods by queued prefill tokens, the decode pod by in-flight requests.
fn scheduling(disaggregated: bool, lora_affinity: bool) -> (Vec<Plugin>, Vec<SchedulingProfile>) {
    if !disaggregated {
        let weighted = |name, weight| plugin_ref(name, Some(weight));
        let mut plugins = vec![
            plugin("queue-scorer"),
            plugin("kv-cache-utilization-scorer"),
            plugin("prefix-cache-scorer"),
        ];
        let mut refs = vec![
            weighted("queue-scorer", 2.0),
            weighted("kv-cache-utilization-scorer", 2.0),
            weighted("prefix-cache-scorer", 3.0),
        ];
        // The scorer's own example weight (llm-d-router v0.10.0 `pkg/epp/framework/plugins/
        // scheduling/scorer/loraaffinity/README.md`): pods that hold the adapter first.
        if lora_affinity {
            plugins.push(plugin(LORA_AFFINITY));
            refs.push(weighted(LORA_AFFINITY, 1.0));
        }
        return (
            plugins,
            vec![SchedulingProfile {
                name: "default",
                plugins: refs,
            }],
        );
    }
    let profile = |name, plugins: &[&'static str]| SchedulingProfile {
        name,
        plugins: plugins.iter().map(|p| plugin_ref(p, None)).collect(),
    };
    (
        vec![
            plugin("always-disagg-pd-decider"),
            Plugin {
                type_: "disagg-profile-handler",
                parameters: Some(Parameters::Deciders {
                    deciders: Deciders {
                        prefill: "always-disagg-pd-decider",
                    },
                }),
            },
            plugin("prefill-filter"),
            plugin("decode-filter"),
            Plugin {
                type_: "approx-prefix-cache-producer",
                parameters: Some(Parameters::PrefixWindow {
                    max_prefix_tokens_to_match: 131_072,
                }),
            },
            plugin("inflight-load-producer"),
            // The guide's `peakPrefillThroughput` (33821, measured on its reference fleet) is
            // left to the plugin's default: it is a property of the hardware and model.
            plugin("prefix-cache-affinity-filter"),
            plugin("token-load-scorer"),
            plugin("active-request-scorer"),
            plugin("max-score-picker"),
        ],
        vec![
            profile(
                "prefill",
                &[
                    "prefill-filter",
                    "prefix-cache-affinity-filter",
                    "token-load-scorer",
                    "max-score-picker",
                ],
            ),
            profile(
                "decode",
                &["decode-filter", "active-request-scorer", "max-score-picker"],
            ),
        ],
    )
}

/// The scorer of pods by the LoRA adapters they hold, from vLLM's `vllm:lora_requests_info`.
pub const LORA_AFFINITY: &str = "lora-affinity-scorer";

/// How the picker is configured for one pool.
pub struct Options<'a> {
    /// The port the model servers' metrics are scraped from.
    pub metrics_port: i64,
    /// The header whose value is the fairness id; turns flow control on.
    pub fairness: Option<&'a str>,
    /// Prefill/decode profiles instead of the default one.
    pub disaggregated: bool,
    /// Score pods by the LoRA adapters they hold.
    pub lora_affinity: bool,
}

/// The configuration, with the metrics scraped from `metrics_port` by the metrics source and
/// its extractor. With `fairness`, flow control is on and the fairness id is that header's value.
pub fn config(options: &Options<'_>) -> EndpointPickerConfig {
    let (port, fairness) = (options.metrics_port, options.fairness);
    let (mut plugins, scheduling_profiles) =
        scheduling(options.disaggregated, options.lora_affinity);
    plugins.extend([
        Plugin {
            type_: METRICS_DATA_SOURCE,
            parameters: Some(Parameters::Metrics { port }),
        },
        plugin("core-metrics-extractor"),
    ]);
    let mut config = EndpointPickerConfig {
        api_version: "llm-d.ai/v1alpha1",
        kind: "EndpointPickerConfig",
        feature_gates: Vec::new(),
        plugins,
        scheduling_profiles,
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
