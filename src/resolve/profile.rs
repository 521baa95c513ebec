//! Profiles: the platform conventions a stack is compiled for. A profile decides the gateway
//! class default, whether the Inference Extension objects are emitted explicitly, and which
//! API versions and endpoint picker they target. `inferstack explain PROFILE` prints this table.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::Spanned;

/// A supported profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Alibaba Cloud ACK: the `knative.aliyun.com/ai-gateway` annotation makes the platform
    /// create the InferencePool and InferenceObjective.
    Ack,
    /// ACK with the Inference Extension objects in Git, in the versions ACK documents.
    AckExplicit,
    /// Any conformant Gateway API implementation, with the upstream Inference Extension.
    GatewayApi,
}

/// The API versions and endpoint picker of a profile that emits the objects explicitly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InferenceApis {
    pub pool_api_version: &'static str,
    pub objective_api_version: &'static str,
    /// The endpoint picker image, pinned.
    pub epp_image: &'static str,
    /// The gRPC health service the picker answers on its health port.
    pub epp_health_service: &'static str,
    /// `(apiGroup, resources)` the picker reads, besides pods.
    pub epp_reads: &'static [(&'static str, &'static [&'static str])],
    /// How this picker is told to scrape the model server's own port instead of the pool's.
    pub metrics_port: MetricsPortSetting,
    /// The request header that names the InferenceObjective (so its priority applies).
    pub objective_header: &'static str,
    /// The request header whose value is the flow-control fairness id.
    pub fairness_header: &'static str,
    /// Request headers that steer this picker (objective, fairness, model rewrite, endpoint
    /// subset, the destination it sets): a route removes them from the client's request, so a
    /// client cannot pick its own priority, tenant or pod.
    pub steering_headers: &'static [&'static str],
}

/// The picker scrapes `/metrics` on the pool's target port unless told otherwise; behind
/// Knative that port is the queue-proxy's, which counts each scrape as a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsPortSetting {
    /// GIE v1.0's `--model-server-metrics-port` flag (`cmd/epp/runner/runner.go`).
    Flag,
    /// llm-d-router's `metrics-data-source` plugin parameter `port`, in an
    /// `EndpointPickerConfig` passed as `--config-text`
    /// (`pkg/epp/framework/plugins/datalayer/source/metrics/datasource.go`).
    ConfigText,
}

impl InferenceApis {
    pub fn pool_group(&self) -> &'static str {
        group_of(self.pool_api_version)
    }
}

fn group_of(api_version: &'static str) -> &'static str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

const ACK_EXPLICIT: InferenceApis = InferenceApis {
    pool_api_version: "inference.networking.x-k8s.io/v1alpha2",
    objective_api_version: "inference.networking.x-k8s.io/v1alpha2",
    epp_image: "registry.k8s.io/gateway-api-inference-extension/epp:v1.0.2",
    epp_health_service: "inference-extension",
    epp_reads: &[(
        "inference.networking.x-k8s.io",
        &["inferencepools", "inferenceobjectives"],
    )],
    metrics_port: MetricsPortSetting::Flag,
    // GIE v1.0.2 `pkg/epp/metadata/consts.go`.
    objective_header: "x-gateway-inference-objective",
    fairness_header: "x-gateway-inference-fairness-id",
    steering_headers: &[
        "x-gateway-inference-objective",
        "x-gateway-inference-fairness-id",
        "x-gateway-model-name-rewrite",
        "x-gateway-destination-endpoint",
        "x-gateway-destination-endpoint-subset",
    ],
};

const GATEWAY_API: InferenceApis = InferenceApis {
    pool_api_version: "inference.networking.k8s.io/v1",
    objective_api_version: "llm-d.ai/v1alpha2",
    epp_image: "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0",
    epp_health_service: "envoy.service.ext_proc.v3.ExternalProcessor",
    epp_reads: &[
        ("inference.networking.k8s.io", &["inferencepools"]),
        (
            "llm-d.ai",
            &["inferenceobjectives", "inferencemodelrewrites"],
        ),
    ],
    metrics_port: MetricsPortSetting::ConfigText,
    // llm-d-router v0.10.0 `pkg/epp/metadata/consts.go`: PR #1161 renamed the headers to
    // `x-llm-d-*` and reads the old names as deprecated aliases, so both are removed. Its
    // `InputControlHeaders` also holds the SLO and video hints (`x-llm-d-slo-ttft-ms`, ...):
    // those describe the request, are the client's to send, and are kept.
    objective_header: "x-llm-d-inference-objective",
    fairness_header: "x-llm-d-inference-fairness-id",
    steering_headers: &[
        "x-llm-d-inference-objective",
        "x-gateway-inference-objective",
        "x-llm-d-inference-fairness-id",
        "x-gateway-inference-fairness-id",
        "x-llm-d-model-name-rewrite",
        "x-gateway-model-name-rewrite",
        "x-gateway-destination-endpoint",
        "x-gateway-destination-endpoint-served",
        "x-gateway-destination-endpoint-subset",
    ],
};

impl Profile {
    pub const DEFAULT: Profile = Profile::Ack;
    pub const ALL: [Profile; 3] = [Profile::Ack, Profile::AckExplicit, Profile::GatewayApi];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Ack => "ack",
            Profile::AckExplicit => "ack-explicit",
            Profile::GatewayApi => "gateway-api",
        }
    }

    /// The GatewayClass the platform installs, or a neutral name for upstream gateways.
    pub fn default_gateway_class(self) -> &'static str {
        match self {
            Profile::Ack | Profile::AckExplicit => "ack-gateway",
            Profile::GatewayApi => "inference-gateway",
        }
    }

    /// The explicit objects' APIs; `None` when the platform creates them (plain `ack`).
    pub fn inference_apis(self) -> Option<&'static InferenceApis> {
        match self {
            Profile::Ack => None,
            Profile::AckExplicit => Some(&ACK_EXPLICIT),
            Profile::GatewayApi => Some(&GATEWAY_API),
        }
    }

    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The named profile; an unknown name is reported and gives `None`.
    pub fn parse(name: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<Profile> {
        let profile = Profile::from_name(&name.value);
        if profile.is_none() {
            diagnostics.push(
                Diagnostic::error(
                    Code::UnknownProfile,
                    Label::new(name.span, "unknown profile"),
                    format!("unknown profile `{}`", name.value),
                )
                .with_help(format!("supported profiles: {}", names())),
            );
        }
        profile
    }
}

/// `"ack", "ack-explicit", "gateway-api"`.
pub fn names() -> String {
    Profile::ALL
        .iter()
        .map(|p| format!("\"{}\"", p.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}
