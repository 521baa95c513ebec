//! The pod around the server: environment variables and where it may be scheduled.

use super::error;
use crate::diag::{Code, Diagnostics, Label};
use crate::k8s::gpus;
use crate::model_source::EnvValue;
use crate::resolve::ResolvedStack;
use crate::source::{Span, Spanned};

pub fn check(stack: &ResolvedStack, out: &mut Diagnostics) {
    env(stack, out);
    tolerations(stack, out);
    node_selector(stack, out);
}

/// Kubernetes' classic env var name rule (`IsEnvVarName`): `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_'))
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// One definition of an environment variable: where, how it was set, and the Secret key it
/// reads, if it reads one.
struct Defined<'a> {
    name: &'a str,
    span: Span,
    how: &'a str,
    secret: Option<(&'a str, &'a str)>,
}

/// Every name once: `env`, `secret_env` and what the model source sets (`HF_HOME`, and
/// `HF_TOKEN` from `model.credentials`) share one namespace, and a second definition would
/// silently win. The same Secret key named twice is one reference, not a conflict: the
/// server gets it once.
fn env(stack: &ResolvedStack, out: &mut Diagnostics) {
    let e = &stack.engine;
    let mut seen: Vec<Defined<'_>> = Vec::new();
    let source_env = stack.model.source.server_env(&stack.model);
    for env in &source_env {
        seen.push(Defined {
            name: env.name,
            span: env.span,
            how: env.how,
            secret: match &env.value {
                EnvValue::Secret { name, key } => Some((name, key)),
                EnvValue::Text(_) => None,
            },
        });
    }
    let written = e
        .env
        .iter()
        .map(|(name, _)| (name, "engine.env", None))
        .chain(e.secret_env.iter().map(|s| {
            let reference = Some((s.secret.as_str(), s.key.as_str()));
            (&s.name, "engine.secret_env", reference)
        }));
    for (name, table, secret) in written {
        if !is_env_name(&name.value) {
            out.push(
                error(
                    Code::InvalidName,
                    name.span,
                    "invalid name",
                    format!(
                        "`{table}.{}` is not a valid environment variable name",
                        name.value
                    ),
                )
                .with_help("use letters, digits, '_', '-' and '.', not starting with a digit"),
            );
            continue;
        }
        duplicate(out, &mut seen, name, secret);
    }
}

fn duplicate<'a>(
    out: &mut Diagnostics,
    seen: &mut Vec<Defined<'a>>,
    name: &'a Spanned<String>,
    secret: Option<(&'a str, &'a str)>,
) {
    match seen.iter().find(|d| d.name == name.value) {
        Some(first) if secret.is_some() && first.secret == secret => {}
        Some(first) => out.push(
            error(
                Code::InvalidValue,
                name.span,
                "defined twice",
                format!("the environment variable `{}` is defined twice", name.value),
            )
            .with_secondary(Label::new(first.span, format!("first {}", first.how)))
            .with_help(
                "keep one definition; a Secret-backed value belongs in `engine.secret_env` only",
            ),
        ),
        None => seen.push(Defined {
            name: &name.value,
            span: name.span,
            how: "defined here",
            secret,
        }),
    }
}

/// Kubernetes' toleration rules (`validateTolerations` in `pkg/apis/core/validation`): the
/// operator is `Equal` or `Exists`; `Exists` takes no value; an empty key needs `Exists`;
/// `toleration_seconds` only with `NoExecute`.
fn tolerations(stack: &ResolvedStack, out: &mut Diagnostics) {
    const EFFECTS: [&str; 4] = ["", "NoSchedule", "PreferNoSchedule", "NoExecute"];
    for t in &stack.scheduling.tolerations {
        let operator = t.operator.as_ref().map_or("Equal", |o| o.value.as_str());
        let at = t.operator.as_ref().map_or(t.span, |o| o.span);
        let mut problem = |span: Span, label: &str, message: String, help: &str| {
            out.push(error(Code::InvalidValue, span, label, message).with_help(help.to_owned()));
        };
        if !matches!(operator, "Equal" | "Exists") {
            problem(
                at,
                "unknown operator",
                format!("toleration operator \"{operator}\" is neither \"Equal\" nor \"Exists\""),
                "use \"Exists\" to tolerate any value of the key, or \"Equal\" with a `value`",
            );
        }
        if let (Some(value), "Exists") = (&t.value, operator)
            && !value.value.is_empty()
        {
            problem(
                value.span,
                "value with Exists",
                "a toleration with operator \"Exists\" cannot have a `value`".to_owned(),
                "remove `value`, or use operator \"Equal\"",
            );
        }
        if t.key.as_ref().is_none_or(|k| k.value.is_empty()) && operator != "Exists" {
            problem(
                t.span,
                "no key",
                "a toleration without a `key` must use operator \"Exists\"".to_owned(),
                "name the taint's key, or set operator = \"Exists\" to tolerate every taint",
            );
        }
        let effect = t.effect.as_ref().map_or("", |e| e.value.as_str());
        if let Some(e) = t.effect.as_ref().filter(|_| !EFFECTS.contains(&effect)) {
            problem(
                e.span,
                "unknown effect",
                format!("toleration effect \"{effect}\" is not a taint effect"),
                "use \"NoSchedule\", \"PreferNoSchedule\" or \"NoExecute\", or leave it out for all three",
            );
        }
        if let Some(seconds) = &t.toleration_seconds
            && effect != "NoExecute"
        {
            problem(
                seconds.span,
                "needs NoExecute",
                "`toleration_seconds` applies only to effect \"NoExecute\"".to_owned(),
                "set effect = \"NoExecute\", or remove `toleration_seconds`",
            );
        }
    }
}

/// `resources.gpu_product` sets the GPU product label; the node selector may not set it too.
fn node_selector(stack: &ResolvedStack, out: &mut Diagnostics) {
    let Some(product) = &stack.resources.gpu_product else {
        return;
    };
    let label = gpus::product_label(&product.value);
    if let Some((key, _)) = stack
        .scheduling
        .node_selector
        .iter()
        .find(|(k, _)| k.value == label)
    {
        out.push(
            error(Code::InvalidValue, key.span, "set twice", format!("`{label}` is set by both `scheduling.node_selector` and `resources.gpu_product`"))
                .with_secondary(Label::new(product.span, "GPU product"))
                .with_help("keep `resources.gpu_product` and remove the label from the node selector"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        for ok in ["HF_TOKEN", "VLLM_LOGGING_LEVEL", "a.b-c", "_X"] {
            assert!(is_env_name(ok), "{ok}");
        }
        for bad in ["", "1X", "A B", "A=B"] {
            assert!(!is_env_name(bad), "{bad}");
        }
    }
}
