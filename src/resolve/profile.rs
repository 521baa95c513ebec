//! Profiles: the platform conventions a stack is compiled for. Each profile is a set of
//! defaults plus a choice of which objects to emit.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::source::Spanned;

/// A supported profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Alibaba Cloud ACK: the `knative.aliyun.com/ai-gateway` annotation makes the platform
    /// create the InferencePool and InferenceObjective.
    Ack,
}

/// Profiles planned but not built yet; named so users get a clear answer instead of a typo hint.
const PLANNED: &[&str] = &["ack-explicit", "gateway-api"];

impl Profile {
    pub const DEFAULT: Profile = Profile::Ack;

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Ack => "ack",
        }
    }

    /// The GatewayClass that the platform installs.
    pub fn default_gateway_class(self) -> &'static str {
        match self {
            Profile::Ack => "ack-gateway",
        }
    }

    /// The named profile; an unknown name is reported and gives `None`.
    pub fn parse(name: &Spanned<String>, diagnostics: &mut Diagnostics) -> Option<Profile> {
        match name.value.as_str() {
            "ack" => Some(Profile::Ack),
            other => {
                let label = Label::new(name.span, "unknown profile");
                let diagnostic = if PLANNED.contains(&other) {
                    Diagnostic::error(
                        Code::UnknownProfile,
                        label,
                        format!("profile `{other}` is not supported yet"),
                    )
                    .with_help("supported today: \"ack\"")
                } else {
                    Diagnostic::error(
                        Code::UnknownProfile,
                        label,
                        format!("unknown profile `{other}`"),
                    )
                    .with_help("supported profiles: \"ack\"")
                };
                diagnostics.push(diagnostic);
                None
            }
        }
    }
}
