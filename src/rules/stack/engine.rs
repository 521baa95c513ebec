//! The model server: its kind, image, flags and, for `custom`, its templates.

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::engine::{self, Engine};
use crate::resolve::{EngineKind, ResolvedStack, Workload};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    let e = &stack.engine;
    if e.image.value.trim().is_empty() || e.image.value.chars().any(char::is_whitespace) {
        out.push(error(
            Code::InvalidValue,
            e.image.span,
            "invalid image",
            "`engine.image` must be an image reference without spaces".to_owned(),
        ));
    }
    // `gpu_memory_utilization` and `max_model_len` are ranged in the key table: the reader
    // refuses what is out of range, at the value.
    if let Some(path) = &e.health_path
        && (!path.value.starts_with('/') || path.value.chars().any(char::is_whitespace))
    {
        out.push(
            error(
                Code::InvalidValue,
                path.span,
                "not an absolute path",
                format!(
                    "`engine.health_path` = \"{}\" is not an absolute HTTP path",
                    path.value
                ),
            )
            .with_help("write the path the server answers 200 on once ready, e.g. \"/health\""),
        );
    }
    let server = engine::of(stack);
    dtype(stack, server, out);
    managed_flags(stack, server, out);
    custom_keys(stack, server, out);
    // Templates are rendered here too, so their errors are reported with the others.
    if let Err(problems) = server.launch(stack, crate::engine::Member::Whole) {
        problems.into_iter().for_each(|p| out.push(p));
    }
}

fn dtype(stack: &ResolvedStack, server: &dyn Engine, out: &mut Diagnostics) {
    let Some(dtype) = &stack.engine.dtype else {
        return;
    };
    let choices = server.dtypes();
    if !choices.contains(&dtype.value.as_str()) {
        let help = if choices.is_empty() {
            format!(
                "a `{}` engine takes no dtype: pass it in `engine.args`",
                server.kind()
            )
        } else {
            format!("use one of: {}", choices.join(", "))
        };
        out.push(
            error(
                Code::InvalidValue,
                dtype.span,
                "unknown dtype",
                format!(
                    "`engine.dtype` = \"{}\" is not a {} dtype",
                    dtype.value,
                    server.name()
                ),
            )
            .with_help(help),
        );
    }
}

/// Flags that inferstack sets from stack keys; repeating them in `extra_args` is ambiguous.
fn managed_flags(stack: &ResolvedStack, server: &dyn Engine, out: &mut Diagnostics) {
    for arg in &stack.engine.extra_args {
        let flag = arg.value.split('=').next().unwrap_or_default();
        let managed = server.managed_flags();
        // The flags of a feature inferstack emits only when the stack asks for it.
        let set = |key: &str| match key {
            "adapters" => !stack.adapters.is_empty(),
            "resources.nodes" => stack.workload.value == Workload::LeaderWorkerSet,
            _ => true,
        };
        let Some((_, key)) = managed.iter().find(|(f, key)| *f == flag && set(key)) else {
            continue;
        };
        let diagnostic = if key.is_empty() {
            error(Code::InvalidValue, arg.span, "set by inferstack", format!("`{flag}` in `engine.extra_args` conflicts with the value inferstack sets for {}", server.name()))
                .with_help("remove it: the probes and the queue-proxy need the value inferstack sets")
        } else {
            error(Code::InvalidValue, arg.span, "set by inferstack", format!("`{flag}` in `engine.extra_args` conflicts with the flag inferstack sets from `{key}`"))
                .with_help(format!("remove it from extra_args and set `{key}` instead"))
        };
        out.push(diagnostic);
    }
}

/// `command` and `args` belong to `custom`, which needs a command; other engines build their
/// own and `extra_args` adds to them.
fn custom_keys(stack: &ResolvedStack, server: &dyn Engine, out: &mut Diagnostics) {
    let e = &stack.engine;
    let custom = server.kind() == EngineKind::Custom;
    if custom {
        if e.command.is_empty() {
            out.push(
                error(
                    Code::MissingKey,
                    e.kind.span,
                    "no command",
                    "a `custom` engine needs `engine.command`".to_owned(),
                )
                .with_help("write the server's command as templates, e.g. command = [\"/app/llama-server\"], args = [\"--model\", \"{{ model.path }}/model.gguf\", \"--port\", \"{{ engine.port }}\"]"),
            );
        }
        if let Some(first) = e.extra_args.first() {
            out.push(
                error(
                    Code::InvalidValue,
                    first.span,
                    "use args",
                    "`engine.extra_args` does not apply to a `custom` engine".to_owned(),
                )
                .with_secondary(Label::new(e.kind.span, "custom engine"))
                .with_help("put every argument in `engine.args`"),
            );
        }
        return;
    }
    for (key, items) in [("engine.command", &e.command), ("engine.args", &e.args)] {
        if let Some(first) = items.first() {
            out.push(
                error(Code::InvalidValue, first.span, "only for custom", format!("`{key}` applies only to `engine.kind = \"custom\"`"))
                    .with_secondary(Label::new(e.kind.span, "engine kind"))
                    .with_help(format!("the {} command line is built from the stack; add flags with `engine.extra_args`", server.name())),
            );
        }
    }
}
