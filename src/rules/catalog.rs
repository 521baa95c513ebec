//! Which family each code belongs to, and its long explanation. The explanations are the
//! sections of `docs/rules.md` (one `### \`code\`` heading each), embedded here so `inferstack
//! explain CODE` prints the same text the documentation shows; a test keeps every code
//! explained and the README's rule table equal to this catalogue.

use crate::diag::Code;

/// A family of rules: where a rule lives in the code and in the documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// The stack file itself: syntax, keys, values, names.
    Stack,
    /// Layers, environments and stacks built together.
    Fleet,
    Memory,
    Time,
    Autoscaling,
    Serving,
    Shutdown,
    /// References between objects resolve, and objects that must agree do.
    References,
    /// Manifests as YAML and against their schemas.
    Manifests,
    /// Knative's admission rules and configuration.
    Knative,
}

impl Family {
    pub const ALL: [Family; 10] = [
        Family::Stack,
        Family::Fleet,
        Family::Memory,
        Family::Time,
        Family::Autoscaling,
        Family::Serving,
        Family::Shutdown,
        Family::References,
        Family::Manifests,
        Family::Knative,
    ];

    /// The heading of the family's section in `docs/rules.md`.
    pub fn title(self) -> &'static str {
        match self {
            Family::Stack => "Stack values",
            Family::Fleet => "Fleets",
            Family::Memory => "GPU memory",
            Family::Time => "Time budgets",
            Family::Autoscaling => "Autoscaling",
            Family::Serving => "Serving correctness",
            Family::Shutdown => "Shutdown",
            Family::References => "References between objects",
            Family::Manifests => "Manifests and schemas",
            Family::Knative => "Knative admission",
        }
    }
}

pub fn family(code: Code) -> Family {
    use Code::*;
    match code {
        UnreadableStack | TomlSyntax | UnknownKey | WrongType | MissingKey | InvalidName
        | InvalidValue | InvalidQuantity | RequestExceedsLimit | DuplicatePort | ListenerTls
        | ScaleBounds | UnsupportedSource | InvalidSource | InvalidBucket | CredentialsInStack
        | MissingCredentials | PublicEndpoint | UnknownProfile | InvalidDuration
        | InvalidSecretRef | UnusableCredentials | UnpinnedRevision | TemplateError => {
            Family::Stack
        }
        SharedObjectConflict | DuplicateService | LayerNotFound | LayerCycle
        | UnknownEnvironment | EnvironmentCollision => Family::Fleet,
        ModelFactsUnknown
        | GpuMemoryUnknown
        | GpuMemoryFit
        | WeightsExceedGpu
        | ContextExceedsModel
        | ModelConfigUnreadable => Family::Memory,
        TimeoutMismatch
        | GatewayDefaultTimeout
        | ColdStartExceedsQueue
        | StartupDeadline
        | StartupTooShort => Family::Time,
        ScaleToZeroPool
        | UnboundedGpuScale
        | TargetAboveConcurrencyLimit
        | MetricsThroughQueueProxy => Family::Autoscaling,
        ParallelismMismatch | TpHeadsIndivisible | EngineFlagMismatch | LoraPathUnmounted
        | ImageUnpinned | MountPathMismatch => Family::Serving,
        ShutdownExceedsGrace | PickerGraceShort => Family::Shutdown,
        PoolSelectorMismatch
        | RouteParentUnresolved
        | RouteBackendUnresolved
        | ObjectivePoolUnresolved
        | PickerUnresolved
        | ClaimVolumeMismatch
        | VolumeHandleMismatch
        | RouteConflict
        | VolumeClaimedTwice => Family::References,
        YamlParseError | DuplicateKey | MissingKind | SchemaNotFound | SchemaLoadError
        | SchemaViolation | CelViolation | CelCompileError | DuplicateCrd | KindRejected
        | ApiLimit => Family::Manifests,
        RuleViolation
        | KnativeFieldDisallowed
        | KnativeFeatureDisabled
        | KnativeReserved
        | KnativePort
        | KnativeProbe
        | KnativeVolume
        | KnativeImage
        | KnativeTraffic
        | KnativeContainer
        | KnativeTimeout
        | KnativeConcurrency
        | KnativeConfig
        | KnativeOwnerLabel => Family::Knative,
    }
}

/// How a code is reported: most are errors; some are warnings, notes, or either depending on
/// the case (the explanation says when).
pub fn severity(code: Code) -> &'static str {
    use Code::*;
    match code {
        ModelFactsUnknown | GpuMemoryUnknown => "note",
        UnpinnedRevision
        | MissingCredentials
        | PublicEndpoint
        | DuplicateCrd
        | ImageUnpinned
        | UnboundedGpuScale
        | GatewayDefaultTimeout
        | ColdStartExceedsQueue => "warning",
        InvalidValue
        | KnativeConfig
        | RuleViolation
        | ParallelismMismatch
        | MetricsThroughQueueProxy => "error or warning",
        _ => "error",
    }
}

/// The README's table of every code, by family: code, severity and summary.
pub fn readme_table() -> String {
    let mut out = String::from("| code | family | severity | what |\n|---|---|---|---|\n");
    for family in Family::ALL {
        for code in Code::ALL.into_iter().filter(|c| self::family(*c) == family) {
            out.push_str(&format!(
                "| [`{}`](docs/rules.md#{}) | {} | {} | {} |\n",
                code.as_str(),
                code.as_str(),
                family.title(),
                severity(code),
                code.summary()
            ));
        }
    }
    out
}

/// `docs/rules.md`, the explanations.
pub const DOCUMENT: &str = include_str!("../../docs/rules.md");

/// The explanation of `code`: its section of `docs/rules.md`, without the heading.
pub fn explanation(code: Code) -> Option<&'static str> {
    let heading = format!("### `{}`\n", code.as_str());
    let start = DOCUMENT.find(&heading)? + heading.len();
    let rest = &DOCUMENT[start..];
    let end = rest.find("\n#").map_or(rest.len(), |i| i + 1);
    Some(rest[..end].trim())
}

/// The code named `name` (`gpu-memory-fit`, or `inferstack::gpu-memory-fit`).
pub fn parse(name: &str) -> Option<Code> {
    let name = name.strip_prefix("inferstack::").unwrap_or(name);
    Code::ALL.into_iter().find(|c| c.as_str() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_once_and_nothing_else_is() {
        for code in Code::ALL {
            let text =
                explanation(code).unwrap_or_else(|| panic!("{} has no section", code.as_str()));
            assert!(text.len() > 80, "{}: explanation too short", code.as_str());
            assert_eq!(
                DOCUMENT
                    .matches(&format!("### `{}`\n", code.as_str()))
                    .count(),
                1
            );
        }
        let sections = DOCUMENT.matches("\n### `").count();
        assert_eq!(
            sections,
            Code::ALL.len(),
            "docs/rules.md has sections for unknown codes"
        );
    }

    #[test]
    fn sections_sit_under_their_family() {
        for code in Code::ALL {
            let section = DOCUMENT
                .find(&format!("### `{}`\n", code.as_str()))
                .unwrap();
            let family_heading = DOCUMENT[..section].rfind("\n## ").unwrap();
            let title = DOCUMENT[family_heading + 4..].lines().next().unwrap();
            assert_eq!(title, family(code).title(), "{}", code.as_str());
        }
    }

    #[test]
    fn codes_parse_with_or_without_their_prefix() {
        assert_eq!(parse("gpu-memory-fit"), Some(Code::GpuMemoryFit));
        assert_eq!(
            parse("inferstack::route-conflict"),
            Some(Code::RouteConflict)
        );
        assert_eq!(parse("ack"), None);
    }
}
