//! `[[adapters]]`: names a client can send and an objective can carry, ranks the server
//! accepts, and paths the pod can read.

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::engine;
use crate::k8s::names::is_dns_label;
use crate::model_source::Weights;
use crate::resolve::ResolvedStack;
use crate::resolve::adapters::AdapterSource;

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    if stack.adapters.is_empty() {
        return;
    }
    let server = engine::of(stack);
    let Some(lora) = server.lora() else {
        out.push(
            error(
                Code::InvalidValue,
                stack.engine.kind.span,
                "no adapter flags",
                format!(
                    "inferstack does not know how `engine.kind` = \"{}\" loads LoRA adapters",
                    stack.engine.kind.value
                ),
            )
            .with_secondary(Label::new(stack.adapters[0].span, "adapters here"))
            .with_help("serve with vLLM or SGLang, or load the adapters with `engine.args`"),
        );
        return;
    };
    let served = stack.served_model_name();
    let mount = stack.model.mount_path();
    for (i, adapter) in stack.adapters.iter().enumerate() {
        let name = &adapter.name;
        // The adapter's objective is `<service>-<name>`, a Kubernetes object name.
        if !is_dns_label(&name.value) {
            out.push(
                error(Code::InvalidName, name.span, "not a DNS label", format!("adapter name \"{}\" is not a DNS-1123 label: it names the adapter's InferenceObjective too", name.value))
                    .with_help("use lower-case letters, digits and '-', at most 63 characters"),
            );
        }
        if let Some(first) = stack.adapters[..i]
            .iter()
            .find(|a| a.name.value == name.value)
        {
            out.push(
                error(
                    Code::InvalidValue,
                    name.span,
                    "named twice",
                    format!(
                        "two adapters are named \"{}\": a client's `model` could mean either",
                        name.value
                    ),
                )
                .with_secondary(Label::new(first.name.span, "first here"))
                .with_help("give each adapter its own name"),
            );
        }
        if name.value == served.value {
            out.push(
                error(Code::InvalidValue, name.span, "the base model's name", format!("adapter name \"{}\" is the base model's served name: requests for it would never reach the base model", name.value))
                    .with_secondary(Label::new(served.span, "served name"))
                    .with_help("name the adapter after what it is tuned for"),
            );
        }
        let rank = &adapter.rank;
        if rank.value < 1 || lora.rank_slot(rank.value).is_none() {
            let most = lora
                .max_rank
                .and_then(|(_, _, r)| r.last())
                .copied()
                .unwrap_or(0);
            out.push(
                error(Code::InvalidValue, rank.span, "rank out of range", format!("LoRA rank {} is outside what {} serves (1 to {most}), and it refuses the adapter at start-up", rank.value, server.name()))
                    .with_help("use an adapter of a lower rank"),
            );
        }
        let AdapterSource::Volume(path) = &adapter.source.value else {
            continue;
        };
        let at = adapter.source.span;
        let refuse = |label: &str, message: String| {
            error(Code::LoraPathUnmounted, at, label, message).with_help(format!(
                "write the adapter's path under {mount}/, or relative to it, or `hf://ORG/NAME` for the hub"
            ))
        };
        let inside = format!("{}/", mount.trim_end_matches('/'));
        if path.contains("://") {
            out.push(refuse("not a source of adapters", format!("adapter source `{path}` is neither `hf://ORG/NAME` nor a path on the model volume: the server reads adapters from its own disk or the hub")));
        } else if stack.model.source.weights() != Weights::Mounted {
            out.push(refuse("no model volume", format!("adapter path `{path}` is on the model volume, and `{}` weights are downloaded into a cache the stack never fills with adapters", stack.model.source.scheme().name)));
        } else if path.split('/').any(|segment| segment == "..") {
            out.push(refuse(
                "leaves the model volume",
                format!("adapter path `{path}` climbs out of the model's directory with `..`"),
            ));
        } else if !adapter.location(&mount).starts_with(&inside) {
            out.push(refuse("not mounted", format!("LoRA adapter path `{path}` is outside the only mounted model volume `{mount}`; the server fails to load it")));
        }
    }
}
