//! llm-d's prefill/decode disaggregation, as its `pd-disaggregation` guide deploys it (llm-d
//! main-08664ca6 `guides/pd-disaggregation/`, over `guides/recipes/modelserver/base/single-host/
//! pd/`): a prefill Deployment and a decode Deployment of the same model, told apart by the
//! `llm-d.ai/role` label; the decode pods run llm-d-router's routing sidecar in front of the
//! model server, which fetches the prompt's KV cache from the prefill pod the picker chose
//! (header `x-prefiller-host-port`) before decoding.

use crate::closed_set::closed_set;

closed_set! {
    /// The two roles of a disaggregated model server.
    pub enum Role {
        Prefill = "prefill",
        Decode = "decode",
    }
}

closed_set! {
    /// How the KV cache moves from prefill to decode (`disaggregation.connector`): the routing
    /// sidecar's `--kv-connector` protocol, which must match the engine's own (llm-d-router
    /// v0.10.0 `docs/disaggregation.md`: "configured with the correct connector protocol
    /// matching the vLLM `kv_connector` used on the serving pods").
    pub enum Connector {
        /// NIXL through vLLM's `NixlConnector` (the sidecar's default).
        Nixlv2 = "nixlv2",
        /// SGLang's own disaggregation, over NIXL (`--disaggregation-transfer-backend nixl`).
        Sglang = "sglang",
    }
}

/// The pods' role label, which the picker's `prefill-filter` and `decode-filter` read
/// (llm-d-router v0.10.0 `pkg/epp/framework/plugins/scheduling/filter/bylabel/roles.go`).
pub const ROLE_LABEL: &str = "llm-d.ai/role";

/// The routing sidecar of the pinned router release (llm-d-router v0.10.0 `.github/
/// ISSUE_TEMPLATE/new-release.md`: each release publishes
/// `ghcr.io/llm-d/llm-d-router-disagg-sidecar:${VERSION}`).
pub const SIDECAR_IMAGE: &str = "ghcr.io/llm-d/llm-d-router-disagg-sidecar:v0.10.0";
/// The sidecar's container name in the guide's recipe (`pd/vllm/patch-sidecar.yaml`).
pub const SIDECAR_NAME: &str = "routing-proxy";
/// Where the decode pod's model server listens behind the sidecar: the sidecar's default
/// model-server port (`pkg/sidecar/proxy/options.go` `defaultVLLMPort = "8200"`), which the
/// guide's decode server uses (`--port=8200`).
pub const DECODE_SERVER_PORT: i64 = 8200;
/// NIXL's side channel, on which a decode engine asks a prefill engine for the cache: vLLM's
/// default `VLLM_NIXL_SIDE_CHANNEL_PORT` (5600), the `nixl` port of the guide's pods, and the
/// pod IP the engine advertises (`VLLM_NIXL_SIDE_CHANNEL_HOST` from `status.podIP`).
pub const NIXL_PORT: i32 = 5600;
