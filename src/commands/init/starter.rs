//! The starter stack `init` writes: commented TOML assembled from one part per choice (the
//! profile's Gateway, the source's `[model]`, the engine's `[engine]`), so that each starter
//! compiles with no warning and no note on its platform. The parts are the user's text to
//! edit, not objects: the compiler turns the stack into objects.

use crate::cli::{EngineArg, ProfileArg};

/// The longest service name whose derived names (`NAME-weights`, the longest suffix a part
/// uses) stay within a DNS label's 63 characters.
pub const MAX_NAME: usize = 63 - "-weights".len();

/// A model source scheme, with the example the starter uses when only the scheme is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Oss,
    S3,
    Gs,
    Pvc,
    Hf,
}

impl Scheme {
    pub const ALL: [Scheme; 5] = [Scheme::Oss, Scheme::S3, Scheme::Gs, Scheme::Pvc, Scheme::Hf];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Oss => "oss",
            Scheme::S3 => "s3",
            Scheme::Gs => "gs",
            Scheme::Pvc => "pvc",
            Scheme::Hf => "hf",
        }
    }

    /// A model of the built-in table, so the memory rules run on the starter as it is.
    pub fn example(self) -> &'static str {
        match self {
            Scheme::Oss => "oss://my-bucket/models/Qwen2.5-7B-Instruct",
            Scheme::S3 => "s3://my-models/Qwen/Qwen2.5-7B-Instruct",
            Scheme::Gs => "gs://my-models/Qwen/Qwen2.5-7B-Instruct",
            Scheme::Pvc => "pvc://model-weights/Qwen/Qwen2.5-7B-Instruct",
            Scheme::Hf => "hf://Qwen/Qwen2.5-7B-Instruct",
        }
    }

    fn model_part(self) -> &'static str {
        match self {
            Scheme::Oss => include_str!("parts/model-oss.toml"),
            Scheme::S3 => include_str!("parts/model-s3.toml"),
            Scheme::Gs => include_str!("parts/model-gs.toml"),
            Scheme::Pvc => include_str!("parts/model-pvc.toml"),
            Scheme::Hf => include_str!("parts/model-hf.toml"),
        }
    }

    /// The bucket is read as the pod's service account (Mountpoint's `identity = "pod"`, GKE
    /// Workload Identity), which the starter then names.
    fn reads_as_the_pod(self) -> bool {
        matches!(self, Scheme::S3 | Scheme::Gs)
    }
}

/// The source `--source` names: a URL, or a scheme alone for its example.
pub fn source(given: Option<&str>, profile: ProfileArg) -> Result<(Scheme, String), String> {
    let Some(given) = given else {
        let scheme = match profile {
            ProfileArg::Ack | ProfileArg::AckExplicit => Scheme::Oss,
            ProfileArg::GatewayApi => Scheme::S3,
        };
        return Ok((scheme, scheme.example().to_owned()));
    };
    let (name, rest) = given.split_once("://").unwrap_or((given, ""));
    let Some(scheme) = Scheme::ALL.into_iter().find(|s| s.name() == name) else {
        let names: Vec<&str> = Scheme::ALL.iter().map(|s| s.name()).collect();
        return Err(format!(
            "--source {given:?}: the schemes are {} (a URL such as {}, or the scheme alone for an example)",
            names.join(", "),
            Scheme::S3.example()
        ));
    };
    let url = if rest.is_empty() {
        scheme.example().to_owned()
    } else {
        given.to_owned()
    };
    if url.contains(['"', '\\']) || url.chars().any(char::is_control) {
        return Err(format!(
            "--source {given:?} has a quote, a backslash or a control character"
        ));
    }
    Ok((scheme, url))
}

/// The starter text.
pub fn starter(
    name: &str,
    profile: ProfileArg,
    scheme: Scheme,
    url: &str,
    engine: EngineArg,
) -> String {
    let model = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(url)
        .split('@')
        .next()
        .unwrap_or_default();
    // A GPU of the built-in table (`rules/facts/gpus.rs`) each platform offers: ACK's A10,
    // and AWS's A10G for the example of a Gateway API platform.
    let (profile_name, gateway, gpu) = match profile {
        ProfileArg::Ack => ("ack", include_str!("parts/gateway-ack.toml"), "NVIDIA-A10"),
        ProfileArg::AckExplicit => (
            "ack-explicit",
            include_str!("parts/gateway-ack.toml"),
            "NVIDIA-A10",
        ),
        ProfileArg::GatewayApi => (
            "gateway-api",
            include_str!("parts/gateway-gateway-api.toml"),
            "NVIDIA-A10G",
        ),
    };
    let engine = match engine {
        EngineArg::Vllm => include_str!("parts/engine-vllm.toml"),
        EngineArg::Sglang => include_str!("parts/engine-sglang.toml"),
        EngineArg::Custom => include_str!("parts/engine-custom.toml"),
    };
    let scheduling = if scheme.reads_as_the_pod() {
        include_str!("parts/scheduling-identity.toml")
    } else {
        include_str!("parts/scheduling.toml")
    };
    let parts = [
        include_str!("parts/header.toml"),
        scheme.model_part(),
        engine,
        include_str!("parts/resources.toml"),
        scheduling,
        gateway,
    ];
    parts
        .concat()
        .replace("GPU_PRODUCT", gpu)
        .replace("PROFILE", profile_name)
        .replace("SOURCE", url)
        .replace("MODEL", model)
        .replace("NAME", name)
}
