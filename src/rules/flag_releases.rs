//! The server's flags by the release the image's tag names (`engine::releases`, one table per
//! server: vLLM's and SGLang's): a flag the release does not have yet or no longer has is
//! refused at start-up ("unrecognized arguments"), a deprecated one still starts but is on its
//! way out. A tag that names no release read is judged by the newest one, and the run says so.

use crate::diag::{Code, Diagnostic, Diagnostics, Label};
use crate::engine::releases::{Judge, Verdict};
use crate::k8s::image;
use crate::resolve::{EngineKind, ResolvedStack, Workload};
use crate::source::Span;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let e = &stack.engine;
    let flags: Vec<_> = e
        .extra_args
        .iter()
        .filter(|a| a.value.starts_with('-'))
        .collect();
    let features = feature_flags(stack);
    let server = crate::engine::of(stack);
    let Some(table) = server.releases() else {
        return;
    };
    if flags.is_empty() && features.is_empty() {
        return;
    }
    let name = server.name();
    let version = image::version(&e.image.value);
    let release = match table.judge(version.as_deref()) {
        Judge::Release(release) => release,
        Judge::Newest(newest) => {
            out.push(
                Diagnostic::note(
                    Code::EngineVersionUnknown,
                    Label::new(e.image.span, "release unknown"),
                    format!("`engine.image` = \"{}\" names no {name} release inferstack has read, so its flags are judged by the newest, {}", e.image.value, newest.name),
                )
                .with_help("pin the image to a release tag (`vllm/vllm-openai:v0.10.1.1`, `lmsysorg/sglang:v0.5.23`), whose flags are then judged exactly"),
            );
            newest
        }
        Judge::TooOld(oldest) => {
            out.push(
                Diagnostic::note(
                    Code::EngineVersionUnknown,
                    Label::new(e.image.span, "older than the table"),
                    format!("`engine.image` = \"{}\" is older than {}, the oldest {name} release inferstack has read: its flags are not judged", e.image.value, oldest.name),
                ),
            );
            return;
        }
    };
    let mut reported: Vec<&str> = Vec::new();
    for (flag, span, key) in features {
        if reported.contains(&key) {
            continue; // one finding per key: the first flag it needs that the release lacks
        }
        if let Verdict::NotYet { added } = table.verdict(release, flag) {
            reported.push(key);
            out.push(
                Diagnostic::error(
                    Code::EngineFlagVersion,
                    Label::new(span, "needs a later release"),
                    format!("`{key}` needs {name}'s `{flag}`, which {name} {} lacks: it was added in {added}", release.name),
                )
                .with_secondary(Label::new(e.image.span, "image chosen here"))
                .with_help(format!("use an image of {name} {added} or later")),
            );
        }
    }
    for arg in flags {
        let written = arg.value.split('=').next().unwrap_or_default();
        // vLLM's parser reads `--foo_bar` as `--foo-bar` (`FlexibleArgumentParser`); SGLang's
        // is argparse's own.
        let flag = if written.starts_with("--") && e.kind.value == EngineKind::Vllm {
            written.replace('_', "-")
        } else {
            written.to_owned()
        };
        let diagnostic = match table.verdict(release, &flag) {
            Verdict::Accepted => continue,
            Verdict::NotYet { added } => Diagnostic::error(
                Code::EngineFlagVersion,
                Label::new(arg.span, "not in this release"),
                format!("`{flag}` is not a flag of {name} {}, the image's release: it was added in {added}, and the server refuses it at start-up", release.name),
            )
            .with_help(format!("use an image of {name} {added} or later, or remove the flag")),
            Verdict::Removed { removed_in, instead } => Diagnostic::error(
                Code::EngineFlagVersion,
                Label::new(arg.span, "removed"),
                format!("`{flag}` is not a flag of {name} {}, the image's release: {removed_in} removed it, and the server refuses it at start-up", release.name),
            )
            .with_help(match instead {
                Some(instead) => format!("write {instead}"),
                None => format!("remove it, or use an image older than {removed_in}"),
            }),
            Verdict::Deprecated { since, instead } => Diagnostic::warning(
                Code::EngineFlagVersion,
                Label::new(arg.span, "deprecated"),
                format!("`{flag}` is deprecated since {name} {since} (the image has {}): a later release removes it", release.name),
            )
            .with_help(format!("write {instead}")),
        };
        out.push(diagnostic.with_secondary(Label::new(e.image.span, "image chosen here")));
    }
}

/// The flags inferstack itself adds for a stack's features, with the key that asks for them.
fn feature_flags(stack: &ResolvedStack) -> Vec<(&'static str, Span, &'static str)> {
    let mut out = Vec::new();
    if stack.workload.value == Workload::LeaderWorkerSet
        && let Some(m) = crate::engine::of(stack).multi_node()
    {
        let span = stack.resources.nodes.span;
        out.extend(m.flags().map(|f| (f, span, "resources.nodes")));
    }
    if let (Some(first), Some(l)) = (stack.adapters.first(), crate::engine::of(stack).lora()) {
        out.extend(l.flags().map(|f| (f, first.span, "adapters")));
    }
    out
}
